#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# iotctl fallback and apply on the host, where the iot_egress module is
# not there: the ruleset for the README's example passes "nft -c", bad
# files get exactly load's messages, and apply enforces a file with the
# fallback table in a network namespace of its own, which status reports.
# The ruleset itself is tested line by line in test-fallback.c; whether
# it gives the module's verdicts, in tests/vm/fallback.bats.

# shellcheck disable=SC2154 # bats' run sets $stderr
bats_require_minimum_version 1.5.0

setup() {
	IOTCTL=${IOTCTL:-$BATS_TEST_DIRNAME/../../userspace/iotctl}
	IOTCTL=$(realpath "$IOTCTL")
	TOP=$(realpath "$BATS_TEST_DIRNAME/../..")
	NS=
	cd "$BATS_TEST_TMPDIR" || return
}

teardown() {
	if [[ -n $NS ]]; then
		ip netns del "$NS"
	fi
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

# The example policy of the README, as it stands there.
readme_policy() {
	sed -n '/^# \/etc\/iot-egress\/policy.conf$/,/^```$/p' "$TOP/README.md" |
		sed '$d'
}

# nft_check FILE: "nft -c -f FILE" in a network namespace of its own (as
# root, or as root of a user namespace of its own).
nft_check() {
	if (( EUID == 0 )); then
		unshare -n nft -c -f "$1"
	else
		unshare -rn nft -c -f "$1"
	fi
}

# unmet REASON: these tests cannot run here, and that fails them
# (make check runs them as root, with nftables installed).
unmet() {
	echo "cannot run: $*" >&2
	return 1
}

need_nft() {
	command -v nft > /dev/null || unmet "nft is not installed (apt-get install nftables)"
	if (( EUID != 0 )) && ! unshare -rn true 2> /dev/null; then
		unmet "no network namespace of our own: run as root"
	fi
}

# A network namespace of our own for apply, in $NS; "iotctl apply" there
# must find no module to load.
netns() {
	(( EUID == 0 )) || unmet "apply needs a network namespace: run as root"
	command -v nft > /dev/null || unmet "nft is not installed (apt-get install nftables)"
	[[ ! -d /sys/module/iot_egress ]] || unmet "the iot_egress module is loaded here"
	! modprobe -n -q iot_egress 2> /dev/null ||
		unmet "iot_egress can be loaded here: apply would use it"
	NS=iotunit-$$-$RANDOM
	ip netns add "$NS"
}

in_ns() {
	ip netns exec "$NS" "$@"
}

@test "help lists apply and fallback, with their usage" {
	run -0 "$IOTCTL" --help
	[ "$(grep -c '^  apply  *enforce a policy file' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^  fallback *print the nftables ruleset' <<<"$output")" -eq 1 ]
	run -0 "$IOTCTL" help apply
	[ "${lines[0]}" = "usage: iotctl apply <FILE|->" ]
	run -0 "$IOTCTL" fallback --help
	[ "${lines[0]}" = "usage: iotctl fallback <FILE|->" ]
}

@test "apply, fallback: missing and extra arguments; fallback has no --json" {
	local u='usage: iotctl apply <FILE|->'
	fails 2 "iotctl: apply: missing file name"$'\n'"$u" apply
	fails 2 "iotctl: apply: unexpected argument 'b'"$'\n'"$u" apply a b
	u='usage: iotctl fallback <FILE|->'
	fails 2 "iotctl: fallback: missing file name"$'\n'"$u" fallback
	fails 2 "iotctl: fallback: unexpected argument 'b'"$'\n'"$u" fallback a b
	fails 2 "iotctl: fallback: the ruleset is nftables syntax, there is no --json"$'\n'"$u" \
		-j fallback a
}

@test "the ruleset for the README's example policy, and the shipped one, pass nft -c" {
	need_nft
	readme_policy > readme.conf
	grep -qx 'deny  02:00:00:00:00:0c name dvr-front' readme.conf
	run -0 --separate-stderr "$IOTCTL" fallback readme.conf
	[ -z "$stderr" ]
	printf '%s\n' "$output" > readme.nft
	grep -qx $'\t\t\t02:00:00:00:00:0c comment "dvr-front",' readme.nft
	grep -qx $'\t\telements = { "eth1", "ppp0", }' readme.nft
	grep -qx $'\t\tether saddr != @allow counter name dropped drop' readme.nft
	run -0 nft_check readme.nft

	"$IOTCTL" fallback "$TOP/packaging/policy.conf" > shipped.nft
	run -0 nft_check shipped.nft
	# from standard input too
	"$IOTCTL" fallback - < readme.conf > stdin.nft
	[ "$(sed 's/from readme.conf"$/from <stdin>"/' readme.nft)" = "$(cat stdin.nft)" ]
}

@test "exceptions in the ruleset: the exact rules, and nft -c passes" {
	need_nft
	cat > exc.conf <<-'EOF'
		default deny
		wan add eth1
		deny 02:00:00:00:00:0c name cam
		allow 02:00:00:00:00:0d
		except any 0.0.0.0/0 proto udp port 123
		except any ::/0 proto udp port 123
		except 02:00:00:00:00:0c 10.0.0.0/8 proto tcp port 1000-2000
		except 02:00:00:00:00:0c 2001:db8::/32 proto icmp
		except 02:00:00:00:00:0c 192.0.2.7
		except 02:00:00:00:00:0d 198.51.100.0/24
	EOF
	run -0 --separate-stderr "$IOTCTL" fallback exc.conf
	printf '%s\n' "$output" > exc.nft
	[ "$(sed -n '/# exceptions/,/@deny/p' exc.nft)" = $'\t\t# exceptions: what would be dropped, let through
\t\tip daddr 0.0.0.0/0 udp dport 123 accept
\t\tip6 daddr ::/0 udp dport 123 accept
\t\tether saddr 02:00:00:00:00:0c ip daddr 10.0.0.0/8 tcp dport 1000-2000 accept
\t\tether saddr 02:00:00:00:00:0c ip6 daddr 2001:db8::/32 meta l4proto ipv6-icmp accept
\t\tether saddr 02:00:00:00:00:0c ip daddr 192.0.2.7/32 accept
\t\tether saddr @deny counter name dropped drop' ]
	run -0 nft_check exc.nft
	# the README's example gives every camera NTP
	readme_policy > readme.conf
	grep -qx 'except any 0.0.0.0/0 proto udp port 123' readme.conf
	"$IOTCTL" fallback readme.conf > readme.nft
	grep -qx $'\t\tip6 daddr ::/0 udp dport 123 accept' readme.nft
	run -0 nft_check readme.nft
}

@test "fallback refuses a bad file with load's message and exit code" {
	local f k=0
	local -a bad=(
		'default deny\nallow 02:00:00:00:00:0g'
		'deny 02:00:00:00:00:0c\ndeny 02-00-00-00-00-0C name again'
		'default audit'
		'wan add eth1\nwan add eth1'
		'wan del eth1'
		'deny ff:ff:ff:ff:ff:ff'
		'allow 02:00:00:00:00:0d name "laptop"'
		'permit 02:00:00:00:00:0d'
		'except any 10.0.0.1/8'
		'except 02:00:00:00:00:0c 10.0.0.0/8'
	)
	# (not "i": bats' run uses that name)
	for f in "${bad[@]}"; do
		printf '%b\n' "$f" > "bad$k.conf"
		run --separate-stderr "$IOTCTL" load "bad$k.conf"
		[ "$status" -eq 2 ]
		[[ $stderr == "iotctl: bad$k.conf:"[0-9]*": "* ]]
		fails 2 "$stderr" fallback "bad$k.conf"
		k=$((k + 1))
	done
	# a name the module takes but nft cannot match: by line, like load
	printf 'wan add eth1\nwan add a"b\n' > quote.conf
	fails 2 "iotctl: quote.conf:2: the nftables fallback cannot match this interface name (it has a double quote): 'a\"b'" \
		fallback quote.conf
}

@test "apply without the module: the fallback, reported by status; a broken file changes nothing" {
	local reason listing
	netns
	reason=$(modprobe iot_egress 2>&1 | tail -n 1) || true
	[[ -n $reason ]]
	readme_policy > policy.conf

	run -0 --separate-stderr in_ns "$IOTCTL" apply policy.conf
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "iotctl: the iot_egress module is not loaded: $reason" ]
	[ "${stderr_lines[1]}" = "iotctl: the nftables fallback enforces policy.conf instead (table inet iot_egress_fallback): 4 devices, default deny, WAN eth1 ppp0" ]

	run -0 in_ns "$IOTCTL" status
	[ "$output" = "module: not loaded
fallback: nftables
reason: $reason
table: inet iot_egress_fallback
default: deny
devices: 4 (2 deny, 2 allow or audit)
wan: eth1 ppp0
dropped: 0" ]
	run -0 in_ns "$IOTCTL" status --json
	[ "$(jq -c . <<< "$output")" = "$(jq -nc --arg r "$reason" '{module_version: null,
		fallback: "nftables", fallback_reason: $r, table: "inet iot_egress_fallback",
		default: "deny", devices: 4, deny: 2, allow: 2, wan: ["eth1", "ppp0"], dropped: 0}')" ]

	# a broken file: load's message, and the table as it was
	listing=$(in_ns nft list table inet iot_egress_fallback)
	{ cat policy.conf; echo 'allow 02:00:00:00:00:0g'; } > broken.conf
	run --separate-stderr "$IOTCTL" load broken.conf
	[ "$status" -eq 2 ]
	local load_err=$stderr
	run -2 --separate-stderr in_ns "$IOTCTL" apply broken.conf
	[ "${stderr_lines[-1]}" = "$load_err" ]
	[ "$(in_ns nft list table inet iot_egress_fallback)" = "$listing" ]

	# another file replaces the whole table; -j says what it did
	printf 'audit 02:00:00:00:00:10 name cam\n' > other.conf
	run -0 --separate-stderr in_ns "$IOTCTL" -j apply other.conf
	[ "$(jq -c . <<< "$output")" = "$(jq -nc --arg r "$reason" '{enforced_by: "nftables",
		reason: $r, devices: 1, default: "allow"}')" ]
	run -0 in_ns "$IOTCTL" -j status
	[ "$(jq -c '[.default, .devices, .deny, .allow, .wan]' <<< "$output")" = '["allow",1,0,1,[]]' ]
	run -0 in_ns "$IOTCTL" status
	[ "${lines[6]}" = "wan: none (every forwarded packet counts as WAN-bound)" ]
}

@test "status without the module and without the fallback: not loaded, as before" {
	netns
	local msg='iotctl: the iot_egress kernel module is not loaded (load it with: modprobe iot_egress)'
	run -1 --separate-stderr in_ns "$IOTCTL" status
	[ "$stderr" = "$msg" ] && [ -z "$output" ]
	run -1 --separate-stderr in_ns "$IOTCTL" -j status
	[ "$stderr" = "$msg" ] && [ -z "$output" ]
}
