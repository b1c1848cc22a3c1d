#!/usr/bin/env bats
# Every network namespace has its own table, WAN names and default, owned
# by whoever holds CAP_NET_ADMIN over it.

bats_require_minimum_version 1.5.0
load lib

setup() {
	topology
	# shellcheck disable=SC2153 # topology sets them
	A_ROUTER=$ROUTER A_CAMERA=$CAMERA A_LAPTOP=$LAPTOP A_WAN=$WAN
	topology
}

@test "two routers keep separate tables, WAN names and defaults" {
	ip netns exec "$A_ROUTER" iotctl wan add wan0
	ip netns exec "$A_ROUTER" iotctl deny "$IOT_CAMERA_MAC" name a-cam
	iotctl_r wan add wan0
	iotctl_r wan add ppp0

	run -0 devices "$A_ROUTER"
	[[ $output == "02:00:00:00:00:0c deny a-cam" ]]
	run -0 devices
	[[ $output == "" ]]
	[[ $(iot_status 'wan | join(" ")') == "wan0 ppp0" ]]
	[[ $(ip netns exec "$A_ROUTER" iotctl -j status | jq -r '.wan | join(" ")') == wan0 ]]

	# A's camera is off A's WAN; B's camera, same MAC, reaches B's WAN
	local n
	n=$(count "$A_WAN" camera_icmp4)
	run ! ping_from "$A_CAMERA" "${WAN_IP[4]}"
	expect_count "$A_WAN" camera_icmp4 "$n"
	n=$(count "$WAN" camera_icmp4)
	ping_from "$CAMERA" "${WAN_IP[4]}"
	expect_count "$WAN" camera_icmp4 $(( n + 1 ))

	# B's default deny leaves A's laptop alone
	iotctl_r default deny
	[[ $(ip netns exec "$A_ROUTER" iotctl default) == allow ]]
	ping_from "$A_LAPTOP" "${WAN_IP[6]}"
	run ! ping_from "$LAPTOP" "${WAN_IP[6]}"
	[[ $(iot_status dropped) -ge 1 ]]
	[[ $(ip netns exec "$A_ROUTER" iotctl -j status | jq .devices) == 1 ]]
	[[ $(iot_status devices) == 0 ]]
}

@test "a router namespace deleted with a full table and traffic flowing" {
	local i
	{
		echo "wan add wan0"
		echo "deny $IOT_CAMERA_MAC name camera"
		for (( i = 0; i < 200; i++ )); do
			printf 'deny 0a:00:00:00:%02x:%02x\n' $(( i / 256 )) $(( i % 256 ))
		done
	} | ip netns exec "$ROUTER" iotctl load -
	[[ $(iot_status devices) == 201 ]]
	bg_in_ns "$CAMERA" ping -q -i 0.01 "${WAN_IP[4]}"
	bg_in_ns "$LAPTOP" ping -q -i 0.01 "${WAN_IP[6]}"
	bg_in_ns "$ROUTER" bash -c 'while iotctl -j show > /dev/null; do :; done'
	dropped 20
	show ip netns del "$ROUTER"

	# the other router carries on
	ip netns exec "$A_ROUTER" iotctl deny "$IOT_CAMERA_MAC"
	local n
	n=$(count "$A_WAN" camera_icmp4)
	run ! ping_from "$A_CAMERA" "${WAN_IP[4]}"
	expect_count "$A_WAN" camera_icmp4 "$n"
}

@test "an unprivileged user's own namespace has a table of its own" {
	if [[ -f /proc/sys/kernel/unprivileged_userns_clone ]]; then
		sysctl -qw kernel.unprivileged_userns_clone=1
	fi
	run -0 setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare -Urn sh -c 'iotctl deny 02:00:00:00:00:0c name mine > /dev/null &&
			iotctl default deny > /dev/null && iotctl -j show && iotctl default'
	[[ $(jq -c 'map({mac, policy, name})' <<< "${lines[0]}") == '[{"mac":"02:00:00:00:00:0c","policy":"deny","name":"mine"}]' ]]
	[[ ${lines[1]} == deny ]]
	# and nothing of it shows in the router's namespace
	run -0 iotctl_r -j show
	[[ $output == '[]' ]]
	[[ $(iot_status default) == allow ]]
}
