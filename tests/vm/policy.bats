#!/usr/bin/env bats
# allow, del, the default policy and flush, judged by what reaches the WAN.

bats_require_minimum_version 1.5.0
load lib
# setup and teardown: lib.bash's, the household with wan0 its WAN

# reaches_wan NS SRC: one ping per family from NS gets to the WAN host.
reaches_wan() {
	local fam n
	for fam in 4 6; do
		n=$(count "$WAN" "$2_icmp$fam")
		ping_from "$1" "${WAN_IP[fam]}"
		expect_count "$WAN" "$2_icmp$fam" $(( n + 1 ))
	done
}

# kept_off_wan NS SRC: not one ping per family gets to the WAN host.
kept_off_wan() {
	local fam n
	for fam in 4 6; do
		n=$(count "$WAN" "$2_icmp$fam")
		if ping_from "$1" "${WAN_IP[fam]}"; then
			echo "$2 reached the WAN over IPv$fam" >&2
			return 1
		fi
		expect_count "$WAN" "$2_icmp$fam" "$n"
	done
}

@test "allow gives a denied camera the WAN back" {
	iotctl_r deny "$IOT_CAMERA_MAC"
	kept_off_wan "$CAMERA" camera
	iotctl_r allow "$IOT_CAMERA_MAC"
	reaches_wan "$CAMERA" camera
	run -0 devices
	[[ $output == "02:00:00:00:00:0c allow" ]]
}

@test "del gives a denied camera the WAN back" {
	iotctl_r deny "$IOT_CAMERA_MAC"
	kept_off_wan "$CAMERA" camera
	iotctl_r del "$IOT_CAMERA_MAC"
	reaches_wan "$CAMERA" camera
	run -0 devices
	[[ $output == "" ]]
}

@test "default deny keeps unknown devices off the WAN, allowed ones pass" {
	iotctl_r allow "$IOT_LAPTOP_MAC" name laptop
	iotctl_r default deny
	run -0 iotctl_r default
	[[ $output == deny ]]
	[[ $(iot_status default) == deny ]]
	kept_off_wan "$CAMERA" camera
	reaches_wan "$LAPTOP" laptop
	# an unknown device still reaches the laptop and the router
	ping_from "$CAMERA" "${LAPTOP_IP[4]}"
	ping_from "$CAMERA" "${ROUTER_IP[6]}"
}

@test "under default deny, del takes the WAN from an allowed device" {
	iotctl_r allow "$IOT_LAPTOP_MAC"
	iotctl_r default deny
	reaches_wan "$LAPTOP" laptop
	iotctl_r del "$IOT_LAPTOP_MAC"
	kept_off_wan "$LAPTOP" laptop
}

@test "default allow lets unknown devices out again, denied ones stay off" {
	iotctl_r deny "$IOT_LAPTOP_MAC"
	iotctl_r default deny
	kept_off_wan "$CAMERA" camera
	iotctl_r default allow
	run -0 iotctl_r default
	[[ $output == allow ]]
	reaches_wan "$CAMERA" camera
	kept_off_wan "$LAPTOP" laptop
}

@test "an entry changes policy in place and keeps its label" {
	iotctl_r deny "$IOT_CAMERA_MAC" name dvr-front
	kept_off_wan "$CAMERA" camera
	iotctl_r allow "$IOT_CAMERA_MAC"
	reaches_wan "$CAMERA" camera
	run -0 devices
	[[ $output == "02:00:00:00:00:0c allow dvr-front" ]]
	iotctl_r deny "$IOT_CAMERA_MAC" name dvr-back
	kept_off_wan "$CAMERA" camera
	run -0 devices
	[[ $output == "02:00:00:00:00:0c deny dvr-back" ]]
	[[ $(iot_status devices) == 1 ]]
}

@test "flush forgets the devices, keeps the WAN names and the default" {
	iotctl_r deny "$IOT_CAMERA_MAC"
	iotctl_r allow "$IOT_LAPTOP_MAC"
	iotctl_r default deny
	iotctl_r flush
	run -0 devices
	[[ $output == "" ]]
	[[ $(iot_status devices) == 0 ]]
	[[ $(iot_status default) == deny ]]
	[[ $(iot_status 'wan | join(" ")') == wan0 ]]
	# the laptop lost its allow entry: the default keeps it off now
	kept_off_wan "$LAPTOP" laptop
	iotctl_r default allow
	reaches_wan "$CAMERA" camera
	reaches_wan "$LAPTOP" laptop
}

@test "packets that arrive without an Ethernet header are not matched" {
	# An IPIP tunnel from the camera to the router: the router forwards
	# the inner packets, which come from tun0 with no MAC header.
	cam ip link add tun0 type ipip local 192.0.2.10 remote 192.0.2.1
	cam ip addr add 203.0.113.66 peer 203.0.113.65 dev tun0
	cam ip link set tun0 up
	cam ip route add "${WAN_IP[4]}/32" dev tun0 src 203.0.113.66
	router ip link add tun0 type ipip local 192.0.2.1 remote 192.0.2.10
	router ip addr add 203.0.113.65 peer 203.0.113.66 dev tun0
	router ip link set tun0 up

	iotctl_r deny "$IOT_CAMERA_MAC"
	iotctl_r default deny
	local n
	n=$(count "$WAN" tunnel_icmp4)
	busywait 20000 ping_from "$CAMERA" "${WAN_IP[4]}"
	counted "$WAN" tunnel_icmp4 $(( n + 1 ))
	# while its Ethernet frames to the same WAN host stay blocked
	n=$(count "$WAN" camera_icmp6)
	run ! ping_from "$CAMERA" "${WAN_IP[6]}"
	expect_count "$WAN" camera_icmp6 "$n"
	n=$(count "$WAN" camera_icmp4)
	run ! ping_from "$CAMERA" "${FAR_IP[4]}"
	[[ $(count "$WAN" camera_icmp4) == "$n" ]]
}
