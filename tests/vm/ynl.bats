#!/usr/bin/env bats
# The netlink spec, docs/netlink/iot_egress.yaml, is enough to talk to the
# module: the kernel's own ynl CLI (tools/net/ynl/cli.py of
# linux-source-6.12, which "scripts/ynl tree" extracts into build/ynl on the
# host) reads the device table, sets a device and hears the monitor, with
# no code of ours in between.

bats_require_minimum_version 1.5.0
load lib

YNL_TREE=build/ynl
SPEC=docs/netlink/iot_egress.yaml

setup() {
	[[ -f $YNL_TREE/tools/net/ynl/cli.py ]] || {
		echo "no $YNL_TREE/tools/net/ynl/cli.py: run scripts/ynl tree on the host" >&2
		return 1
	}
	household
	kernel_mark
}

teardown() {
	cleanup
	echo 65536 > /sys/module/iot_egress/parameters/max_devices
}

# ynl ARGS...: the ynl CLI in the router's netns, JSON out. The schema is
# the kernel's own: the spec must validate against it.
ynl() {
	in_ns "$ROUTER" /usr/bin/python3 "$YNL_TREE/tools/net/ynl/cli.py" \
		--spec "$SPEC" \
		--schema "$YNL_TREE/Documentation/netlink/genetlink-c.yaml" \
		--output-json "$@"
}

@test "ynl: the spec validates and names every operation" {
	run -0 ynl --list-ops
	local op
	for op in get-status set-device del-device get-device flush add-wan \
		del-wan get-wan set-default load-begin load-devices \
		load-commit load-abort get-unknown; do
		[[ $output == *"$op "* ]] || { echo "no $op" >&2; false; }
	done
}

@test "ynl: --do get-status speaks protocol 2, as iotctl does" {
	run -0 ynl --do get-status
	[[ $(jq '."proto-version"' <<< "$output") == 2 ]]
	[[ $(jq -r '."default-policy"' <<< "$output") == allow ]]
	[[ $(jq '."wan-names"' <<< "$output") == 1 ]]
	[[ $(jq -r '."module-version"' <<< "$output") == "$(< VERSION)" ]]
}

@test "ynl: --dump get-device lists the table iotctl filled" {
	iotctl_r deny "$IOT_CAMERA_MAC" name cam
	iotctl_r allow "$IOT_LAPTOP_MAC"
	run -0 ynl --dump get-device
	[[ $(jq -c '[.[] | [.mac, .policy, .name]]' <<< "$output") == \
		'[["02:00:00:00:00:0c","deny","cam"],["02:00:00:00:00:1a","allow",null]]' ]]
	[[ $(jq '.[0]."denied-packets"' <<< "$output") == 0 ]]
	kernel_clean
}

@test "ynl: --do set-device sets a device, and iotctl sees it" {
	run -0 ynl --do set-device \
		--json '{"mac": "02000000000c", "policy": "deny", "name": "from-ynl"}'
	[[ $(jq -r .mac <<< "$output") == "$IOT_CAMERA_MAC" ]]
	[[ $(jq -r .policy <<< "$output") == deny ]]
	[[ $(jq .cut <<< "$output") == 0 ]]
	[[ $(devices) == "$IOT_CAMERA_MAC deny from-ynl" ]]
	# and the packet path takes it: the camera is off the WAN
	run -1 ping_from "$CAMERA" "${WAN_IP[4]}"
	ping_from "$LAPTOP" "${WAN_IP[4]}"

	# a refusal carries the kernel's reason
	run -1 ynl --do set-device --json '{"mac": "010000000001", "policy": "deny"}'
	[[ $output == *"MAC address must be unicast and not all-zero"* ]]
	kernel_clean
}

@test "ynl: a load of device-pack attributes, each refused one with its reason" {
	# load-begin replies: the module takes device-pack
	run -0 ynl --do load-begin --json '{"devices": 2}'
	[[ $(jq '."max-devices"' <<< "$output") == 65536 ]]
	# one socket: two devices packed, and the load committed
	run -0 ynl --multi load-begin '{"devices": 2}' \
		--multi load-devices '{"device-pack": ["02000000000c0100", "02000000001a0300"]}' \
		--multi load-commit '{"default-policy": "allow"}'
	[[ $(devices) == "$IOT_CAMERA_MAC allow"$'\n'"$IOT_LAPTOP_MAC audit" ]]

	iotctl_r deny "$IOT_CAMERA_MAC"

	local bad mac tail want
	for bad in 010000000001:0200:"MAC address must be unicast and not all-zero" \
		02000000000c:0400:"policy must be allow, deny or audit" \
		02000000000c:0201:"the last byte of a device pack must be 0"; do
		IFS=: read -r mac tail want <<< "$bad"
		run -1 ynl --multi load-begin '{}' --multi load-devices \
			"{\"device-pack\": [\"02000000001a0100\", \"$mac$tail\"]}"
		[[ $output == *"'msg': '$want'"* ]]
		[[ $output == *"'bad-attr': '.device-pack'"* ]]
	done
	# a pack of 7 bytes fails the policy
	run -1 ynl --multi load-begin '{}' --multi load-devices \
		'{"device-pack": ["02000000001a01"]}'
	[[ $output == *"'bad-attr': '.device-pack'"* ]]

	# and nothing of them reached the table
	[[ $(devices) == "$IOT_CAMERA_MAC deny"$'\n'"$IOT_LAPTOP_MAC audit" ]]
	kernel_clean
}

# kernel_kb: the kernel's Slab and vmalloc memory, in kB.
kernel_kb() {
	awk '$1 == "Slab:" || $1 == "VmallocUsed:" { kb += $2 } END { print kb }' /proc/meminfo
}

@test "ynl: a load-begin count far above what the load brings leaves no oversized table" {
	echo 1048576 > /sys/module/iot_egress/parameters/max_devices
	local before after
	before=$(kernel_kb)
	# buckets for a million devices while staging (8 MiB); two come
	run -0 ynl --multi load-begin '{"devices": 1048576}' \
		--multi load-devices '{"device-pack": ["02000000000c0200", "02000000001a0100"]}' \
		--multi load-commit '{"default-policy": "allow"}'
	echo 65536 > /sys/module/iot_egress/parameters/max_devices
	[[ $(devices) == "$IOT_CAMERA_MAC deny"$'\n'"$IOT_LAPTOP_MAC allow" ]]
	sleep 1
	after=$(kernel_kb)
	echo "# Slab + VmallocUsed: $before kB -> $after kB" >&3
	# the live table has the buckets of two devices, not of a million
	(( after - before < 2048 ))
	kernel_clean
}

# subscribed: a generic netlink socket of the router has joined a group.
subscribed() {
	# shellcheck disable=SC2016 # an awk program
	ip netns exec "$ROUTER" awk '$2 == 16 && $4 != "00000000" { found = 1 }
		END { exit !found }' /proc/net/netlink
}

@test "ynl: --subscribe monitor hears what denied and unknown devices try" {
	local out=$BATS_TEST_TMPDIR/events
	iotctl_r deny "$IOT_CAMERA_MAC" name cam
	iotctl_r default deny
	ynl --subscribe monitor --sleep 30 > "$out" &
	BG_PIDS+=($!)
	# Python takes its time in a TCG guest: nothing to miss once it has
	# joined the group.
	busywait 90000 subscribed
	udp_from "$CAMERA" "${WAN_IP[4]}" 7001
	udp_from "$LAPTOP" "${WAN_IP[4]}" 7002
	wait "${BG_PIDS[-1]}"
	cat "$out" >&2
	[[ $(jq -c '[.[] | select(.name == "event") | .msg |
		select(.dport == 7001) | [.event, .mac, .name, .policy,
		."unknown-device", .proto, .count]]' < "$out") == \
		'[["new","02:00:00:00:00:0c","cam","deny",null,17,1]]' ]]
	[[ $(jq -c '[.[] | .msg | select(.dport == 7002) |
		[.event, .mac, .policy, ."unknown-device"]]' < "$out") == \
		'[["new","02:00:00:00:00:1a","deny",true]]' ]]
	kernel_clean
}
