#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# iotctl load and save on the host: the command line, and a policy file
# refused with its file name, line number and offending text before
# anything is sent. None of this needs the iot_egress module; the parser
# itself is tested line by line in test-policy.c.

# shellcheck disable=SC2154 # bats' run sets $stderr
bats_require_minimum_version 1.5.0

setup() {
	IOTCTL=${IOTCTL:-$BATS_TEST_DIRNAME/../../userspace/iotctl}
	NOT_LOADED='iotctl: the iot_egress kernel module is not loaded (load it with: modprobe iot_egress)'
	LOAD_USAGE='iotctl load <FILE|->'
	cd "$BATS_TEST_TMPDIR" || return
}

# fails CODE EXPECTED-STDERR ARGS...: iotctl ARGS exits CODE, prints
# exactly EXPECTED-STDERR on stderr and nothing on stdout.
fails() {
	local code=$1 want=$2
	shift 2
	run --separate-stderr "$IOTCTL" "$@"
	if [ "$status" -ne "$code" ] || [ "$stderr" != "$want" ] ||
	   [ -n "$output" ]; then
		printf 'args:   %s\n' "$*"
		printf 'status: %s, want %s\n' "$status" "$code"
		printf 'stderr: %s\nwant:   %s\n' "$stderr" "$want"
		printf 'stdout: %s\n' "$output"
		return 1
	fi
}

module_absent() {
	if [ -d /sys/module/iot_egress ]; then
		skip "the iot_egress module is loaded here"
	fi
}

@test "help lists load and save, with their usage" {
	run -0 "$IOTCTL" --help
	[ "$(grep -c '^  load  *replace the whole policy' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^  save  *print the whole policy' <<<"$output")" -eq 1 ]
	run -0 "$IOTCTL" help load
	[ "${lines[0]}" = "usage: $LOAD_USAGE" ]
	run -0 "$IOTCTL" save --help
	[ "${lines[0]}" = "usage: iotctl save" ]
}

@test "load: missing and extra arguments" {
	fails 2 "iotctl: load: missing file name"$'\n'"usage: $LOAD_USAGE" load
	fails 2 "iotctl: load: unexpected argument 'b'"$'\n'"usage: $LOAD_USAGE" \
		load a b
}

@test "save: extra arguments" {
	fails 2 "iotctl: save: unexpected argument 'x'"$'\n'"usage: iotctl save" save x
	fails 2 "iotctl: save: unexpected argument 'x'"$'\n'"usage: iotctl save" save -j x
}

@test "help save names --json" {
	run -0 "$IOTCTL" help save
	grep -q -- '--json' <<<"$output"
}

@test "an invalid line: FILE:LINE: reason: 'text', exit 2" {
	printf 'default deny\nwan add wan0\n\ndeny 02:00:00:00:00:0c name dvr-front\nallow 02:00:00:00:00:0g\n' > policy.conf
	fails 2 "iotctl: policy.conf:5: invalid MAC address: '02:00:00:00:00:0g'" \
		load policy.conf
	fails 2 "iotctl: $PWD/policy.conf:5: invalid MAC address: '02:00:00:00:00:0g'" \
		load "$PWD/policy.conf"
	# -j changes nothing for a command that prints nothing
	fails 2 "iotctl: policy.conf:5: invalid MAC address: '02:00:00:00:00:0g'" \
		load -j policy.conf
}

@test "duplicates name both lines" {
	printf 'deny 02:00:00:00:00:0c\n# x\nallow 02-00-00-00-00-0C name cam\n' > dup.conf
	fails 2 "iotctl: dup.conf:3: device given twice, first on line 1: '02-00-00-00-00-0C'" \
		load dup.conf
	printf 'wan add wan0\nwan add wan0\n' > dup.conf
	fails 2 "iotctl: dup.conf:2: WAN name given twice, first on line 1: 'wan0'" \
		load dup.conf
	printf 'default allow\n\n\ndefault deny # later\n' > dup.conf
	fails 2 "iotctl: dup.conf:4: default given twice, first on line 1: 'default deny'" \
		load dup.conf
}

@test "load - reads standard input, named <stdin>" {
	run --separate-stderr "$IOTCTL" load - <<<$'default deny\nfrob'
	[ "$status" -eq 2 ]
	[ "$stderr" = "iotctl: <stdin>:2: unknown command: 'frob'" ]
	[ -z "$output" ]
}

@test "a file that cannot be read: exit 1, named" {
	fails 1 "iotctl: cannot open missing.conf: No such file or directory" \
		load missing.conf
	mkdir dir.conf
	fails 1 "iotctl: cannot read dir.conf: Is a directory" load dir.conf
	fails 1 "iotctl: cannot open bad\\x0aname: No such file or directory" \
		load $'bad\nname'
}

@test "an invalid file never opens a netlink socket" {
	command -v strace >/dev/null || skip "strace is not installed"
	printf 'deny 02:00:00:00:00:0c\ndeny 02:00:00:00:00:0c\n' > dup.conf
	run -2 strace -f -e trace=socket -o "$BATS_TEST_TMPDIR/trace" \
		"$IOTCTL" load dup.conf
	run -1 grep -q AF_NETLINK "$BATS_TEST_TMPDIR/trace"
	# and the check can see one when there is one
	printf 'deny 02:00:00:00:00:0c\n' > ok.conf
	run strace -f -e trace=socket -o "$BATS_TEST_TMPDIR/trace" \
		"$IOTCTL" load ok.conf
	grep -q AF_NETLINK "$BATS_TEST_TMPDIR/trace"
}

@test "a valid file without the module: not loaded, exit 1" {
	module_absent
	printf 'default deny\nwan add wan0\ndeny 02:00:00:00:00:0c\n' > ok.conf
	fails 1 "$NOT_LOADED" load ok.conf
	fails 1 "$NOT_LOADED" load - < ok.conf
	fails 1 "$NOT_LOADED" load /dev/null
	fails 1 "$NOT_LOADED" -j load ok.conf
	printf 'default deny\naudit 02:00:00:00:00:0e name nvr\n' > audit.conf
	fails 1 "$NOT_LOADED" load audit.conf
	fails 1 "$NOT_LOADED" save
	fails 1 "$NOT_LOADED" save -j
	fails 1 "$NOT_LOADED" --json save
}

@test "audit lines load like deny lines; default audit is refused" {
	printf 'default deny\naudit 02:00:00:00:00:0e name nvr\naudit 02:00:00:00:00:0g\n' > audit.conf
	fails 2 "iotctl: audit.conf:3: invalid MAC address: '02:00:00:00:00:0g'" \
		load audit.conf
	printf 'default audit\n' > audit.conf
	fails 2 "iotctl: audit.conf:1: default: the default policy is allow or deny: 'audit'" \
		load audit.conf
}

@test "except lines: refused by line before anything is sent" {
	printf 'deny 02:00:00:00:00:0c\nexcept 02:00:00:00:00:0c 10.0.0.1/8\n' > a.conf
	fails 2 "iotctl: a.conf:2: invalid prefix (host bits set, the prefix is 10.0.0.0/8): '10.0.0.1/8'" \
		load a.conf
	printf 'except 02:00:00:00:00:0d 10.0.0.0/8\n#\ndeny 02:00:00:00:00:0c\n' > b.conf
	fails 2 "iotctl: b.conf:1: except: no deny, allow or audit line for this device: '02:00:00:00:00:0d'" \
		load b.conf
	printf 'except any ::/0 proto udp port 123\nexcept any ::/0 port 123 proto udp\n' > c.conf
	fails 2 "iotctl: c.conf:2: exception given twice, first on line 1: 'except any ::/0 proto udp port 123'" \
		load c.conf
}
