#!/usr/bin/env bats
# iotctl against the real module: output formats, JSON, exit codes and
# messages, permissions, and a table of thousands of devices.

# shellcheck disable=SC2154 # bats' run sets $stderr
bats_require_minimum_version 1.5.0
load lib

setup() {
	new_ns ROUTER router
}

# Everything iotctl can read back, to compare before and after: the
# table, and the status with the WAN names, the default and the
# generation, which changes with any change at all.
state() {
	ip netns exec "$ROUTER" sh -c 'iotctl -j show; iotctl -j status'
}

# refused CODE ARGS...: iotctl ARGS exits with CODE, says why on stderr,
# prints nothing on stdout, and changes nothing: the state must still be
# $BEFORE, which the test took.
refused() {
	local code=$1 after
	shift
	run "-$code" --separate-stderr iotctl_r "$@"
	if [[ -n $output || $stderr != "iotctl: "* ]]; then
		echo "stdout: '$output' stderr: '$stderr'" >&2
		return 1
	fi
	after=$(state)
	if [[ $BEFORE != "$after" ]]; then
		printf 'state changed:\n%s\n%s\n' "$BEFORE" "$after" >&2
		return 1
	fi
}

sample_table() {
	iotctl_r deny 02:00:00:00:00:0c name dvr-front
	iotctl_r allow 02:00:00:00:00:01 name doorbell
	iotctl_r deny 0a:00:00:00:00:ff
}

@test "show: one line per device, sorted, lower-case, no trailing spaces" {
	local f line
	run -0 iotctl_r show
	[[ $output == "" ]]
	sample_table
	run -0 devices
	[[ ${#lines[@]} == 3 ]]
	[[ ${lines[0]} == "02:00:00:00:00:01 allow doorbell" ]]
	[[ ${lines[1]} == "02:00:00:00:00:0c deny dvr-front" ]]
	[[ ${lines[2]} == "0a:00:00:00:00:ff deny" ]]
	# for people: a header, then the devices with their counters
	run -0 iotctl_r show
	[[ ${#lines[@]} == 4 ]]
	[[ ${lines[0]} == "MAC  "*"POLICY  "*"NAME  "*"DENIED PKTS  DENIED BYTES  WAN PKTS  WAN BYTES  LAST DENIED  LAST WAN" ]]
	read -ra f <<< "${lines[2]}"
	[[ ${f[*]} == "02:00:00:00:00:0c deny dvr-front 0 0 B 0 0 B never never" ]]
	read -ra f <<< "${lines[3]}"
	[[ ${f[*]} == "0a:00:00:00:00:ff deny - 0 0 B 0 0 B never never" ]]
	for line in "${lines[@]}"; do
		[[ $line != *" " ]]
	done
	# no command means show
	run -0 iotctl_r
	read -ra f <<< "${lines[2]}"
	[[ ${f[2]} == dvr-front ]]
	run -0 iotctl_r show 02:00:00:00:00:0c
	[[ ${lines[0]} == "02:00:00:00:00:0c  deny   dvr-front" ]]
}

@test "show --json: an array of devices, name null without a label" {
	run -0 iotctl_r -j show
	[[ $output == "[]" ]]
	sample_table
	run -0 iotctl_r -j show
	[[ ${#lines[@]} == 1 ]]
	jq -e . <<< "$output" > /dev/null
	[[ $(jq -c 'map({mac, policy, name})' <<< "$output") == '[{"mac":"02:00:00:00:00:01","policy":"allow","name":"doorbell"},{"mac":"02:00:00:00:00:0c","policy":"deny","name":"dvr-front"},{"mac":"0a:00:00:00:00:ff","policy":"deny","name":null}]' ]]
	# one device: one object, with its details
	run -0 iotctl_r -j show 0a:00:00:00:00:ff
	[[ $(jq -c '{mac, policy, name, denied_packets, wan_packets, last_denied, addresses, destinations}' <<< "$output") == '{"mac":"0a:00:00:00:00:ff","policy":"deny","name":null,"denied_packets":0,"wan_packets":0,"last_denied":null,"addresses":[],"destinations":[]}' ]]
}

@test "-j before the command, after it, and as --json" {
	sample_table
	local want
	want=$(ip netns exec "$ROUTER" iotctl -j show)
	[[ $(ip netns exec "$ROUTER" iotctl show -j) == "$want" ]]
	[[ $(ip netns exec "$ROUTER" iotctl --json show) == "$want" ]]
	[[ $(ip netns exec "$ROUTER" iotctl show --json) == "$want" ]]
	want=$(ip netns exec "$ROUTER" iotctl -j status)
	[[ $(ip netns exec "$ROUTER" iotctl status --json) == "$want" ]]
	run -0 iotctl_r default -j
	[[ $(jq -c . <<< "$output") == '{"default":"allow"}' ]]
}

@test "status --json: versions, settings and counters" {
	ip -n "$ROUTER" link add wan0 type dummy
	iotctl_r wan add wan0
	iotctl_r wan add ppp0
	sample_table
	run -0 iotctl_r -j status
	[[ ${#lines[@]} == 1 ]]
	local version
	version=$(< VERSION)
	[[ $(jq -r .module_version <<< "$output") == "$version" ]]
	[[ $(jq .protocol <<< "$output") == 2 ]]
	[[ $(jq -r .default <<< "$output") == allow ]]
	[[ $(jq .devices <<< "$output") == 3 ]]
	[[ $(jq .max_devices <<< "$output") == 65536 ]]
	[[ $(jq -c .wan <<< "$output") == '["wan0","ppp0"]' ]]
	[[ $(jq .dropped <<< "$output") == 0 ]]
	[[ $(jq .dropped_early <<< "$output") == 0 ]]
	[[ $(jq .early_drop <<< "$output") == false ]]
	[[ $(jq '.generation | type' <<< "$output") == '"number"' ]]
	[[ $(jq -r .fallback <<< "$output") == none ]]

	run -0 iotctl_r status
	[[ ${lines[0]} == "module: iot_egress $version (protocol 2)" ]]
	[[ ${lines[1]} == "default: allow" ]]
	[[ ${lines[2]} == "devices: 3 (max 65536)" ]]
	[[ ${lines[3]} == "wan: wan0 ppp0" ]]
	[[ ${lines[4]} == "dropped: 0" ]]
	[[ ${lines[5]} == "destinations: 0 (max 4096, 32 per device)" ]]
	[[ ${lines[6]} == "unknown devices: 0 (max 256)" ]]
	[[ ${lines[7]} == "events: 0 (0 suppressed)" ]]
	[[ ${lines[8]} == "generation: "* ]]
	[[ ${lines[9]} == "fallback: none" ]]
	[[ ${lines[10]} == "exceptions: "* ]]
	[[ ${lines[11]} == "dropped early: 0 (early drop off)" ]]
	[[ ${#lines[@]} == 12 ]]
}

@test "the generation changes with every change" {
	local g0 g1 g2 g3 g4
	g0=$(iot_status generation)
	iotctl_r deny 02:00:00:00:00:0c
	g1=$(iot_status generation)
	iotctl_r default deny
	g2=$(iot_status generation)
	iotctl_r wan add wan0
	g3=$(iot_status generation)
	iotctl_r del 02:00:00:00:00:0c
	g4=$(iot_status generation)
	[[ $g0 != "$g1" && $g1 != "$g2" && $g2 != "$g3" && $g3 != "$g4" ]]
	# reading changes nothing
	iotctl_r show > /dev/null
	[[ $(iot_status generation) == "$g4" ]]
}

@test "wan show: the index of the interface, or absent" {
	run -0 iotctl_r -j wan show
	[[ $output == "[]" ]]
	ip -n "$ROUTER" link add wan0 type dummy
	iotctl_r wan add wan0
	iotctl_r wan add ppp0
	local idx
	idx=$(ip -n "$ROUTER" -j link show wan0 | jq '.[0].ifindex')
	run -0 iotctl_r wan show
	[[ $output == "wan0  ifindex $idx"$'\n'"ppp0  absent" ]]
	run -0 iotctl_r wan
	[[ $output == "wan0  ifindex $idx"$'\n'"ppp0  absent" ]]
	run -0 iotctl_r -j wan show
	[[ $(jq -c . <<< "$output") == "[{\"ifname\":\"wan0\",\"present\":true,\"ifindex\":$idx},{\"ifname\":\"ppp0\",\"present\":false,\"ifindex\":null}]" ]]
}

@test "default prints the policy" {
	run -0 iotctl_r default
	[[ $output == allow ]]
	iotctl_r default deny
	run -0 iotctl_r default
	[[ $output == deny ]]
	run -0 iotctl_r -j default
	[[ $(jq -r .default <<< "$output") == deny ]]
}

@test "commands that change state print nothing, but what a deny cut" {
	local cmd
	ip -n "$ROUTER" link add wan0 type dummy
	for cmd in "allow 02:00:00:00:00:0d name tv" "audit 02:00:00:00:00:0e" \
		"del 02:00:00:00:00:0d" "wan add wan0" "wan del wan0" \
		"default allow" "flush"; do
		# shellcheck disable=SC2086 # split on purpose
		run -0 --separate-stderr iotctl_r $cmd
		[[ -z $output && -z $stderr ]]
	done
	run -0 --separate-stderr iotctl_r deny 02-00-00-00-00-0C
	[[ $output == "02:00:00:00:00:0c denied, cut 0 connections" && -z $stderr ]]
	run -0 --separate-stderr iotctl_r default deny
	[[ $output == "default deny, cut 0 connections" && -z $stderr ]]
	run -0 iotctl_r -j deny 02:00:00:00:00:0c
	[[ $(jq -c . <<< "$output") == '{"mac":"02:00:00:00:00:0c","policy":"deny","cut_connections":0}' ]]
}

@test "MACs in every documented form, shown in lower case with colons" {
	iotctl_r deny 0A-00-00-00-00-01
	iotctl_r deny 0a00.0000.0002
	iotctl_r deny 0A0000000003
	iotctl_r deny 0A:00:00:00:00:04
	run -0 devices
	[[ $output == "0a:00:00:00:00:01 deny"$'\n'"0a:00:00:00:00:02 deny"$'\n'"0a:00:00:00:00:03 deny"$'\n'"0a:00:00:00:00:04 deny" ]]
	iotctl_r del 0A-00-00-00-00-04
	[[ $(iot_status devices) == 3 ]]
}

@test "labels keep every character JSON must escape or not" {
	local label='cam{1}[x]:<&>,/;'
	iotctl_r deny 02:00:00:00:00:0c name "$label"
	run -0 iotctl_r -j show
	[[ $(jq -r '.[0].name' <<< "$output") == "$label" ]]
	run -0 devices
	[[ $output == "02:00:00:00:00:0c deny $label" ]]
	# 32 bytes is the longest label
	label=abcdefghijklmnopqrstuvwxyz012345
	iotctl_r deny 02:00:00:00:00:0c name "$label"
	[[ $(ip netns exec "$ROUTER" iotctl -j show | jq -r '.[0].name') == "$label" ]]
}

@test "a device not in the table: exit 1 and the kernel's reason" {
	run -1 --separate-stderr iotctl_r del 02:00:00:00:00:0c
	[[ $stderr == "iotctl: del 02:00:00:00:00:0c: device not in the table" ]]
	run -1 --separate-stderr iotctl_r del 02-00-00-00-00-0C
	[[ $stderr == "iotctl: del 02:00:00:00:00:0c: device not in the table" ]]
	run -1 --separate-stderr iotctl_r show 02:00:00:00:00:0c
	[[ $stderr == *"device not in the table" ]]
}

@test "invalid MACs: exit 2, the MAC named, nothing changed" {
	sample_table
	BEFORE=$(state)
	local mac
	for mac in zz 02:00:00:00:00 02:00:00:00:00:0c:0d 02:00:00:00:00:0g \
		02:00-00:00:00:0c; do
		refused 2 deny "$mac"
		[[ $stderr == "iotctl: invalid MAC address '$mac'" ]]
	done
	refused 2 allow ff:ff:ff:ff:ff:ff
	[[ $stderr == "iotctl: 'ff:ff:ff:ff:ff:ff' is the broadcast address, not a device" ]]
	for mac in 01:00:5e:00:00:01 33:33:00:00:00:01; do
		refused 2 deny "$mac"
		[[ $stderr == "iotctl: '$mac' is a multicast address, not a device" ]]
	done
	refused 2 deny 00:00:00:00:00:00
	refused 2 del zz
}

@test "invalid labels: exit 2, nothing changed" {
	sample_table
	BEFORE=$(state)
	local label
	for label in abcdefghijklmnopqrstuvwxyz0123456 "front door" 'a"b' ""; do
		refused 2 deny 02:00:00:00:00:0c name "$label"
		[[ $stderr == "iotctl: invalid name '$label'"* ]]
	done
	refused 2 allow 02:00:00:00:00:0c name $'caf\xc3\xa9'
	[[ $stderr == "iotctl: invalid name "* ]]
	refused 2 deny 02:00:00:00:00:0c name
}

@test "invalid interface names: exit 2, nothing changed" {
	iotctl_r wan add wan0
	BEFORE=$(state)
	local ifname
	for ifname in abcdefghijklmnop "" .. eth0:1 "a b"; do
		refused 2 wan add "$ifname"
		[[ $stderr == "iotctl: invalid interface name '$ifname'" ]]
	done
	refused 2 wan del a/b
	refused 2 wan add $'a\nb'
	refused 2 wan frob
}

@test "unknown commands and options: exit 2, nothing changed" {
	sample_table
	BEFORE=$(state)
	refused 2 frob
	refused 2 -x show
	refused 2 show 02:00:00:00:00:0c extra
	refused 2 deny
	refused 2 default maybe
	refused 2 flush now
}

@test "a user without CAP_NET_ADMIN can neither read nor change the table" {
	sample_table
	local before cmd
	before=$(state)
	for cmd in "deny 02:00:00:00:00:99" "allow 02:00:00:00:00:0c" \
		"del 02:00:00:00:00:0c" "flush" "default deny" "wan add wan0" \
		"show" "status" "wan show"; do
		# shellcheck disable=SC2086 # split on purpose
		run -1 --separate-stderr in_ns "$ROUTER" setpriv --reuid=65534 \
			--regid=65534 --clear-groups --inh-caps=-all iotctl $cmd
		[[ $stderr == "iotctl: permission denied: CAP_NET_ADMIN is needed" ]]
		[[ -z $output ]]
	done
	[[ $(state) == "$before" ]]
}

# One iotctl process per device would take most of an hour under TCG:
# "iotctl load" puts them all in at once.
@test "a table of 5000 devices is listed whole, across many messages" {
	local policy=$BATS_TEST_TMPDIR/policy want=$BATS_TEST_TMPDIR/want
	local got=$BATS_TEST_TMPDIR/got i
	for (( i = 0; i < 5000; i++ )); do
		printf 'deny 02:00:00:00:%02x:%02x name d%d\n' $(( i / 256 )) $(( i % 256 )) "$i"
	done > "$policy"
	iotctl_r load "$policy"
	sed 's/^deny \([^ ]*\) name /\1 deny /' "$policy" | LC_ALL=C sort > "$want"
	devices > "$got"
	diff -u "$want" "$got"
	[[ $(ip netns exec "$ROUTER" iotctl -j show | jq length) == 5000 ]]
	[[ $(iot_status devices) == 5000 ]]
	# one more, one fewer, through the single-device commands
	iotctl_r allow 02:00:00:00:ff:ff
	iotctl_r del 02:00:00:00:00:00
	[[ $(iot_status devices) == 5000 ]]
	run -0 iotctl_r show 02:00:00:00:ff:ff
	[[ ${lines[0]} == "02:00:00:00:ff:ff  allow" ]]
	iotctl_r flush
	[[ $(iot_status devices) == 0 ]]
}

@test "a listing taken while the table changes is whole and sorted, or refused" {
	local i
	for (( i = 0; i < 1000; i++ )); do
		printf 'deny 02:00:00:00:%02x:%02x\n' $(( i / 256 )) $(( i % 256 ))
	done | ip netns exec "$ROUTER" iotctl load -
	# shellcheck disable=SC2016
	bg_in_ns "$ROUTER" bash -c '
		while :; do
			iotctl allow 0a:00:00:00:00:01; iotctl del 0a:00:00:00:00:01
			iotctl allow 00:00:00:00:00:01; iotctl del 00:00:00:00:00:01
		done'
	local ok=0 out stable
	for (( i = 0; i < 10; i++ )); do
		if ip netns exec "$ROUTER" iotctl show > "$BATS_TEST_TMPDIR/out" \
			2> "$BATS_TEST_TMPDIR/err"; then
			ok=$(( ok + 1 ))
			# the rows, after the header
			out=$(tail -n +2 "$BATS_TEST_TMPDIR/out")
			# sorted, every MAC once, and all 1000 stable devices there
			[[ $(LC_ALL=C sort -u <<< "$out") == "$out" ]]
			stable=$(grep -c '^02:00:00:00:' <<< "$out")
			[[ $stable == 1000 ]]
		else
			[[ $(< "$BATS_TEST_TMPDIR/err") == *"the table changed during the dump, try again" ]]
		fi
	done
	echo "$ok of 10 listings completed"
}
