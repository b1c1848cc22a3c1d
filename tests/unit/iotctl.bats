#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# iotctl's command line, run on the host: parsing, validation and help.
# None of this needs the iot_egress module. Invalid input must be refused
# before iotctl looks for the module, so these tests hold on a machine
# where the module cannot be loaded; the few that expect the "not loaded"
# message skip where the module is there.

bats_require_minimum_version 1.5.0

setup() {
	IOTCTL=${IOTCTL:-$BATS_TEST_DIRNAME/../../userspace/iotctl}
	VERSION_FILE=$BATS_TEST_DIRNAME/../../VERSION
	NOT_LOADED='iotctl: the iot_egress kernel module is not loaded (load it with: modprobe iot_egress)'
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

# usage_error USAGE-LINE MESSAGE ARGS...: exit 2, the message, then usage.
usage_error() {
	local usage=$1 msg=$2
	shift 2
	fails 2 "$msg"$'\n'"usage: $usage" "$@"
}

module_absent() {
	if [ -d /sys/module/iot_egress ]; then
		skip "the iot_egress module is loaded here"
	fi
}

DENY_USAGE='iotctl deny <MAC> [name <LABEL>]'
ALLOW_USAGE='iotctl allow <MAC> [name <LABEL>]'
AUDIT_USAGE='iotctl audit <MAC> [name <LABEL>]'
SHOW_USAGE='iotctl show [<MAC> | --unknown]'
MONITOR_USAGE='iotctl monitor [--count <N>]'
WAN_USAGE='iotctl wan [add <IFNAME> | del <IFNAME> | show]'
GLOBAL_USAGE='iotctl [-j|--json] <command> [<args>]'

@test "--version prints the version from VERSION" {
	run -0 --separate-stderr "$IOTCTL" --version
	[ "$output" = "iotctl $(cat "$VERSION_FILE")" ]
	[ "$output" = "iotctl 0.1.0" ]
	[ -z "$stderr" ]
}

@test "-V is --version" {
	run -0 "$IOTCTL" -V
	[ "$output" = "iotctl 0.1.0" ]
}

@test "--help lists every command, one line each" {
	run -0 --separate-stderr "$IOTCTL" --help
	[ -z "$stderr" ]
	[ "${lines[0]}" = "usage: $GLOBAL_USAGE" ]
	for cmd in deny allow audit del show flush wan default status monitor help; do
		[ "$(grep -c "^  $cmd  *[a-z]" <<<"$output")" -eq 1 ]
	done
	grep -q -- '-j, --json' <<<"$output"
	grep -q -- '-V, --version' <<<"$output"
}

@test "-h and help print the same as --help" {
	run -0 "$IOTCTL" --help
	local want=$output
	run -0 "$IOTCTL" -h
	[ "$output" = "$want" ]
	run -0 "$IOTCTL" help
	[ "$output" = "$want" ]
}

@test "help deny prints its usage and a description" {
	run -0 --separate-stderr "$IOTCTL" help deny
	[ -z "$stderr" ]
	[ "${lines[0]}" = "usage: $DENY_USAGE" ]
	[ "${#lines[@]}" -ge 2 ]
	grep -q 'deny policy' <<<"$output"
}

@test "help <command> prints the usage line of every command" {
	local -A usage=(
		[deny]="$DENY_USAGE"
		[allow]="$ALLOW_USAGE"
		[audit]="$AUDIT_USAGE"
		[del]='iotctl del <MAC>'
		[show]="$SHOW_USAGE"
		[flush]='iotctl flush'
		[wan]="$WAN_USAGE"
		[default]='iotctl default [allow|deny]'
		[status]='iotctl status'
		[monitor]="$MONITOR_USAGE"
		[help]='iotctl help [<command>]'
	)
	for cmd in "${!usage[@]}"; do
		run -0 "$IOTCTL" help "$cmd"
		[ "${lines[0]}" = "usage: ${usage[$cmd]}" ]
	done
}

@test "<command> --help and -h print the command's help" {
	run -0 "$IOTCTL" help wan
	[ "${lines[0]}" = "usage: $WAN_USAGE" ]
	local want=$output
	run -0 "$IOTCTL" wan --help
	[ "$output" = "$want" ]
	run -0 "$IOTCTL" wan -h
	[ "$output" = "$want" ]
}

@test "help of an unknown command is a usage error" {
	usage_error 'iotctl help [<command>]' "iotctl: help: unknown command 'frob'" help frob
}

@test "help takes one command at most" {
	usage_error 'iotctl help [<command>]' "iotctl: help: unexpected argument 'allow'" help deny allow
}

@test "unknown command" {
	usage_error "$GLOBAL_USAGE" "iotctl: unknown command 'frob'" frob
	usage_error "$GLOBAL_USAGE" "iotctl: unknown command 'frob'" -j frob
	usage_error "$GLOBAL_USAGE" "iotctl: unknown command ''" ''
}

@test "unknown option before the command" {
	usage_error "$GLOBAL_USAGE" "iotctl: unknown option '-x'" -x
	usage_error "$GLOBAL_USAGE" "iotctl: unknown option '--jason'" --jason show
	usage_error "$GLOBAL_USAGE" "iotctl: unknown option '-'" -
}

@test "deny and allow: missing MAC address" {
	usage_error "$DENY_USAGE" 'iotctl: deny: missing MAC address' deny
	usage_error "$ALLOW_USAGE" 'iotctl: allow: missing MAC address' allow
	usage_error "$DENY_USAGE" 'iotctl: deny: missing MAC address' deny --json
}

@test "help audit describes the audit policy" {
	run -0 --separate-stderr "$IOTCTL" help audit
	[ -z "$stderr" ]
	[ "${lines[0]}" = "usage: $AUDIT_USAGE" ]
	grep -q 'audit policy' <<<"$output"
	grep -q 'destination is recorded' <<<"$output"
}

@test "audit: the arguments of deny, the same messages" {
	usage_error "$AUDIT_USAGE" 'iotctl: audit: missing MAC address' audit
	usage_error "$AUDIT_USAGE" 'iotctl: audit: missing MAC address' audit -j
	usage_error "$AUDIT_USAGE" "iotctl: audit: unexpected argument 'x'" \
		audit 02:00:00:00:00:0c x
	usage_error "$AUDIT_USAGE" "iotctl: audit: unexpected argument 'name'" \
		audit 02:00:00:00:00:0c name cam name cam2
	usage_error "$AUDIT_USAGE" "iotctl: audit: missing label after 'name'" \
		audit 02:00:00:00:00:0c name
	fails 2 "iotctl: invalid MAC address '02:00:00:00:00:0g'" \
		audit 02:00:00:00:00:0g
	fails 2 "iotctl: '01:00:5e:00:00:01' is a multicast address, not a device" \
		audit 01:00:5e:00:00:01
	fails 2 "iotctl: invalid name 'front door': contains a space" \
		audit 02:00:00:00:00:0c name 'front door'
}

@test "show: --unknown, a MAC, not both, no other option" {
	usage_error "$SHOW_USAGE" "iotctl: show: unexpected argument '02:00:00:00:00:0c'" \
		show --unknown 02:00:00:00:00:0c
	usage_error "$SHOW_USAGE" "iotctl: show: unexpected argument '--unknown'" \
		show 02:00:00:00:00:0c --unknown
	usage_error "$SHOW_USAGE" "iotctl: show: unexpected argument '--unknown'" \
		show --unknown --unknown
	usage_error "$SHOW_USAGE" "iotctl: show: unknown option '--unknwon'" \
		show --unknwon
	usage_error "$SHOW_USAGE" "iotctl: show: unknown option '-u'" \
		show -j -u
	# the MAC is checked as for any other command
	fails 2 "iotctl: invalid MAC address '-'" show -
}

@test "monitor: --count N and nothing else" {
	usage_error "$MONITOR_USAGE" "iotctl: monitor: unexpected argument 'now'" \
		monitor now
	usage_error "$MONITOR_USAGE" "iotctl: monitor: unexpected argument '--count'" \
		monitor --count 1 --count 2
	usage_error "$MONITOR_USAGE" "iotctl: monitor: unexpected argument '-c'" \
		monitor -c 1
	usage_error "$MONITOR_USAGE" "iotctl: monitor: missing number after '--count'" \
		monitor --count
	usage_error "$MONITOR_USAGE" "iotctl: monitor: missing number after '--count'" \
		monitor --count --json
	local n
	for n in 0 -1 +1 1.5 1e3 0x10 ten '' ' 1' 18446744073709551616; do
		fails 2 "iotctl: invalid count '$n': a whole number, 1 or more, is needed" \
			monitor --count "$n"
	done
}

@test "default: audit is a device policy only" {
	usage_error 'iotctl default [allow|deny]' \
		"iotctl: default: the default policy is allow or deny, not 'audit'" \
		default audit
	usage_error 'iotctl default [allow|deny]' \
		"iotctl: default: the default policy is allow or deny, not 'audit'" \
		-j default audit
}

@test "deny and allow: unexpected arguments" {
	usage_error "$DENY_USAGE" "iotctl: deny: unexpected argument 'x'" \
		deny 02:00:00:00:00:0c x
	usage_error "$ALLOW_USAGE" "iotctl: allow: unexpected argument 'label'" \
		allow 02:00:00:00:00:0c label cam
	usage_error "$DENY_USAGE" "iotctl: deny: unexpected argument 'extra'" \
		deny 02:00:00:00:00:0c name cam extra
	usage_error "$DENY_USAGE" "iotctl: deny: unexpected argument 'name'" \
		deny 02:00:00:00:00:0c name cam name cam2
}

@test "deny and allow: name without a label" {
	usage_error "$DENY_USAGE" "iotctl: deny: missing label after 'name'" \
		deny 02:00:00:00:00:0c name
	usage_error "$ALLOW_USAGE" "iotctl: allow: missing label after 'name'" \
		allow 02:00:00:00:00:0c name -j
}

@test "del: missing and extra arguments" {
	usage_error 'iotctl del <MAC>' 'iotctl: del: missing MAC address' del
	usage_error 'iotctl del <MAC>' "iotctl: del: unexpected argument '02:00:00:00:00:0d'" \
		del 02:00:00:00:00:0c 02:00:00:00:00:0d
}

@test "show, flush, status: extra arguments" {
	usage_error "$SHOW_USAGE" "iotctl: show: unexpected argument 'x'" \
		show 02:00:00:00:00:0c x
	usage_error 'iotctl flush' "iotctl: flush: unexpected argument 'now'" flush now
	usage_error 'iotctl status' "iotctl: status: unexpected argument 'all'" status all
}

@test "default: unknown policy and extra arguments" {
	usage_error 'iotctl default [allow|deny]' "iotctl: default: unknown policy 'block'" \
		default block
	usage_error 'iotctl default [allow|deny]' "iotctl: default: unknown policy 'DENY'" \
		default DENY
	usage_error 'iotctl default [allow|deny]' "iotctl: default: unexpected argument 'deny'" \
		default allow deny
}

@test "wan: unknown keyword, missing and extra arguments" {
	usage_error "$WAN_USAGE" "iotctl: wan: unknown keyword 'list'" wan list
	usage_error "$WAN_USAGE" 'iotctl: wan add: missing interface name' wan add
	usage_error "$WAN_USAGE" 'iotctl: wan del: missing interface name' wan del
	usage_error "$WAN_USAGE" "iotctl: wan add: unexpected argument 'ppp0'" \
		wan add wan0 ppp0
	usage_error "$WAN_USAGE" "iotctl: wan show: unexpected argument 'wan0'" \
		wan show wan0
}

@test "invalid MAC addresses are named and refused" {
	local mac
	for mac in '' 02:00:00:00:00 02:00:00:00:00:0c:00 02:00:00:00:00:0g \
		   02:00-00:00:00:0c 0200.0000.000 0200:0000:000c 02000000000 \
		   ' 02:00:00:00:00:0c' 2:0:0:0:0:c 0x020000000c name; do
		fails 2 "iotctl: invalid MAC address '$mac'" deny "$mac"
	done
	fails 2 "iotctl: invalid MAC address 'x'" allow x name cam
	fails 2 "iotctl: invalid MAC address 'x'" del x
	fails 2 "iotctl: invalid MAC address 'x'" show x
	fails 2 "iotctl: invalid MAC address 'x'" audit x
}

@test "control characters in a bad argument are shown escaped" {
	fails 2 "iotctl: invalid MAC address '02:00\\x0a'" deny $'02:00\n'
}

@test "broadcast, multicast and all-zero addresses are not devices" {
	fails 2 "iotctl: 'ff:ff:ff:ff:ff:ff' is the broadcast address, not a device" \
		deny ff:ff:ff:ff:ff:ff
	fails 2 "iotctl: 'FFFF.FFFF.FFFF' is the broadcast address, not a device" \
		allow FFFF.FFFF.FFFF
	fails 2 "iotctl: '01:00:5e:00:00:01' is a multicast address, not a device" \
		deny 01:00:5e:00:00:01
	fails 2 "iotctl: '33-33-00-00-00-01' is a multicast address, not a device" \
		del 33-33-00-00-00-01
	fails 2 "iotctl: '00:00:00:00:00:00' is the all-zero address, not a device" \
		show 00:00:00:00:00:00
	fails 2 "iotctl: '000000000000' is the all-zero address, not a device" \
		deny 000000000000
}

@test "invalid labels are refused with the reason" {
	local mac=02:00:00:00:00:0c
	fails 2 "iotctl: invalid name '': empty" deny $mac name ''
	fails 2 "iotctl: invalid name '0123456789abcdef0123456789abcdef0': longer than 32 bytes" \
		deny $mac name 0123456789abcdef0123456789abcdef0
	fails 2 "iotctl: invalid name 'front door': contains a space" \
		allow $mac name 'front door'
	fails 2 "iotctl: invalid name 'a\"b': contains a double quote" deny $mac name 'a"b'
	fails 2 "iotctl: invalid name 'bob's': contains a single quote" deny $mac name "bob's"
	fails 2 "iotctl: invalid name 'a\\b': contains a backslash" deny $mac name 'a\b'
	fails 2 "iotctl: invalid name 'cam#2': contains '#'" deny $mac name 'cam#2'
	fails 2 "iotctl: invalid name 'a\\x09b': contains byte 0x09, only printable ASCII is allowed" \
		deny $mac name $'a\tb'
	fails 2 "iotctl: invalid name 'café': contains byte 0xc3, only printable ASCII is allowed" \
		deny $mac name 'café'
}

@test "invalid interface names are refused" {
	local name
	for name in '' . .. abcdefghijklmnop a/b eth0:1 'wan 0' $'wan\t0'; do
		local want=$name
		[ "$name" != $'wan\t0' ] || want='wan\x090'
		fails 2 "iotctl: invalid interface name '$want'" wan add "$name"
		fails 2 "iotctl: invalid interface name '$want'" wan del "$name"
	done
}

@test "-j and --json are accepted after the command" {
	fails 2 "iotctl: invalid MAC address 'x'" show x --json
	fails 2 "iotctl: invalid MAC address 'x'" show -j x
	fails 2 "iotctl: invalid MAC address 'x'" --json deny -j x --json
}

@test "invalid input never opens a netlink socket" {
	command -v strace >/dev/null || skip "strace is not installed"
	local args
	for args in "deny ff:ff:ff:ff:ff:ff" "audit 02:00:00:00:00:0g" \
		"show --unknown x" "monitor --count 0" "monitor x" \
		"default audit"; do
		# shellcheck disable=SC2086 # split on purpose
		run -2 strace -f -e trace=socket -o "$BATS_TEST_TMPDIR/trace" \
			"$IOTCTL" $args
		run -1 grep -q AF_NETLINK "$BATS_TEST_TMPDIR/trace"
	done
	# and the check can see one when there is one
	run strace -f -e trace=socket -o "$BATS_TEST_TMPDIR/trace" \
		"$IOTCTL" deny 02:00:00:00:00:0c
	grep -q AF_NETLINK "$BATS_TEST_TMPDIR/trace"
}

@test "valid commands without the module: not loaded, exit 1" {
	module_absent
	fails 1 "$NOT_LOADED"
	fails 1 "$NOT_LOADED" -j
	fails 1 "$NOT_LOADED" show
	fails 1 "$NOT_LOADED" show 02:00:00:00:00:0c --json
	fails 1 "$NOT_LOADED" deny 02:00:00:00:00:0c name dvr-front
	fails 1 "$NOT_LOADED" -j deny 02:00:00:00:00:0c
	fails 1 "$NOT_LOADED" allow AABB.CCDD.EEFE
	fails 1 "$NOT_LOADED" audit 02:00:00:00:00:0c name nvr
	fails 1 "$NOT_LOADED" show --unknown
	fails 1 "$NOT_LOADED" show --unknown --json
	fails 1 "$NOT_LOADED" monitor
	fails 1 "$NOT_LOADED" monitor --json --count 1
	fails 1 "$NOT_LOADED" del 02-00-00-00-00-0c
	fails 1 "$NOT_LOADED" flush
	fails 1 "$NOT_LOADED" wan
	fails 1 "$NOT_LOADED" wan add wan0
	fails 1 "$NOT_LOADED" wan del ppp0
	fails 1 "$NOT_LOADED" wan show -j
	fails 1 "$NOT_LOADED" default
	fails 1 "$NOT_LOADED" default deny
	fails 1 "$NOT_LOADED" status --json
}

EXCEPT_USAGE='iotctl except [add|del <MAC|any> <PREFIX> [proto tcp|udp|icmp] [port <N>[-<M>]] | show [<MAC|any>]]'
LOCK_USAGE='iotctl lock <MAC> [min-count <N>] [dry-run]'

@test "help lists except and lock, with their usage" {
	run -0 "$IOTCTL" --help
	[ "$(grep -c '^  except  *let a device that would be dropped' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^  lock  *deny a device, but for the destinations' <<<"$output")" -eq 1 ]
	run -0 "$IOTCTL" help except
	[ "${lines[0]}" = "usage: $EXCEPT_USAGE" ]
	run -0 "$IOTCTL" lock --help
	[ "${lines[0]}" = "usage: $LOCK_USAGE" ]
	grep -q 'dry-run prints the policy lines' <<<"$output"
}

@test "except: missing and extra arguments, unknown keywords" {
	usage_error "$EXCEPT_USAGE" "iotctl: except: unknown keyword 'list'" except list
	usage_error "$EXCEPT_USAGE" "iotctl: except add: missing MAC address or 'any'" except add
	usage_error "$EXCEPT_USAGE" "iotctl: except del: missing MAC address or 'any'" except del -j
	usage_error "$EXCEPT_USAGE" 'iotctl: except add: missing prefix' except add any
	usage_error "$EXCEPT_USAGE" "iotctl: except add: missing protocol after 'proto'" \
		except add any 10.0.0.0/8 proto
	usage_error "$EXCEPT_USAGE" "iotctl: except del: missing port after 'port'" \
		except del any 10.0.0.0/8 proto tcp port
	usage_error "$EXCEPT_USAGE" "iotctl: except add: unexpected argument 'dport'" \
		except add any 10.0.0.0/8 dport 53
	usage_error "$EXCEPT_USAGE" "iotctl: except add: unexpected argument 'proto'" \
		except add any 10.0.0.0/8 proto tcp proto udp
	usage_error "$EXCEPT_USAGE" "iotctl: except add: unexpected argument 'extra'" \
		except add any 10.0.0.0/8 proto tcp port 1 extra
	usage_error "$EXCEPT_USAGE" "iotctl: except show: unexpected argument 'x'" \
		except show any x
}

@test "except: bad values are quoted, exit 2" {
	local mac=02:00:00:00:00:0c
	fails 2 "iotctl: invalid prefix '10.0.0.1/24': host bits set, the prefix is 10.0.0.0/24" \
		except add $mac 10.0.0.1/24
	fails 2 "iotctl: invalid prefix '2001:db8::1/64': host bits set, the prefix is 2001:db8::/64" \
		except del any 2001:db8::1/64
	fails 2 "iotctl: invalid prefix '10.0.0.0/33': an IPv4 prefix is 0 to 32 bits long" \
		except add any 10.0.0.0/33
	fails 2 "iotctl: invalid prefix '::/129': an IPv6 prefix is 0 to 128 bits long" \
		except add any ::/129
	fails 2 "iotctl: invalid prefix 'example.com'" except add any example.com
	fails 2 "iotctl: invalid prefix '10.0.0.0/'" except add any 10.0.0.0/
	fails 2 "iotctl: invalid protocol 'sctp': tcp, udp or icmp" \
		except add any 10.0.0.0/8 proto sctp
	fails 2 "iotctl: invalid port '0': ports are 1 to 65535" \
		except add any 10.0.0.0/8 proto tcp port 0
	fails 2 "iotctl: invalid port '65536': ports are 1 to 65535" \
		except add any 10.0.0.0/8 proto udp port 65536
	fails 2 "iotctl: invalid port range '2000-1000': it runs backwards" \
		except add any 10.0.0.0/8 proto tcp port 2000-1000
	fails 2 "iotctl: invalid port range '0-10': ports are 1 to 65535" \
		except add any 10.0.0.0/8 proto tcp port 0-10
	fails 2 "iotctl: invalid port '53': only with proto tcp or udp" \
		except add any 10.0.0.0/8 port 53
	fails 2 "iotctl: invalid port '53': only with proto tcp or udp" \
		except add any ::/0 proto icmp port 53
	# the one MAC check, with its messages
	fails 2 "iotctl: invalid MAC address 'Any'" except add Any 10.0.0.0/8
	fails 2 "iotctl: 'ff:ff:ff:ff:ff:ff' is the broadcast address, not a device" \
		except add ff:ff:ff:ff:ff:ff 10.0.0.0/8
	fails 2 "iotctl: invalid MAC address 'x'" except show x
}

@test "lock: missing and extra arguments, bad counts" {
	usage_error "$LOCK_USAGE" 'iotctl: lock: missing MAC address' lock
	usage_error "$LOCK_USAGE" "iotctl: lock: missing number after 'min-count'" \
		lock 02:00:00:00:00:0c min-count
	usage_error "$LOCK_USAGE" "iotctl: lock: unexpected argument 'now'" \
		lock 02:00:00:00:00:0c now
	usage_error "$LOCK_USAGE" "iotctl: lock: unexpected argument 'dry-run'" \
		lock 02:00:00:00:00:0c dry-run dry-run
	usage_error "$LOCK_USAGE" "iotctl: lock: unexpected argument 'min-count'" \
		lock 02:00:00:00:00:0c min-count 2 min-count 3
	fails 2 "iotctl: invalid MAC address 'any'" lock any
	local n
	for n in 0 -1 1.5 x ''; do
		fails 2 "iotctl: invalid count '$n': a whole number, 1 or more, is needed" \
			lock 02:00:00:00:00:0c min-count "$n"
	done
}

@test "bad except and lock arguments never open a netlink socket" {
	command -v strace >/dev/null || skip "strace is not installed"
	local args
	for args in "except add any 10.0.0.1/24" "except add any ::/0 port 5" \
		"except del 02:00:00:00:00:0c 1.2.3.4 proto gre" \
		"except add any 1.2.3.4 proto tcp port 9-8" "except frob" \
		"lock 02:00:00:00:00:0c min-count 0" "lock ff:ff:ff:ff:ff:ff"; do
		# shellcheck disable=SC2086 # split on purpose
		run -2 strace -f -e trace=socket -o "$BATS_TEST_TMPDIR/trace" \
			"$IOTCTL" $args
		run -1 grep -q AF_NETLINK "$BATS_TEST_TMPDIR/trace"
	done
}

@test "except and lock without the module: not loaded, exit 1" {
	module_absent
	fails 1 "$NOT_LOADED" except
	fails 1 "$NOT_LOADED" except show -j
	fails 1 "$NOT_LOADED" except show any
	fails 1 "$NOT_LOADED" except add any 0.0.0.0/0 proto udp port 123
	fails 1 "$NOT_LOADED" except del 02:00:00:00:00:0c ::/0
	fails 1 "$NOT_LOADED" lock 02:00:00:00:00:0c
	fails 1 "$NOT_LOADED" lock 02:00:00:00:00:0c min-count 3 dry-run
}
