#!/usr/bin/env bats
# A denied device loses the WAN, and only the WAN: ICMP, TCP and UDP over
# IPv4 and IPv6, counted where they would arrive.

bats_require_minimum_version 1.5.0
load lib
# setup and teardown: lib.bash's, the household with wan0 its WAN

@test "deny keeps the camera's ICMP off the WAN (IPv4, IPv6)" {
	local fam n d
	for fam in 4 6; do
		n=$(count "$WAN" camera_icmp$fam)
		ping_from "$CAMERA" "${WAN_IP[fam]}"
		expect_count "$WAN" camera_icmp$fam $(( n + 1 ))
	done

	iotctl_r deny "$IOT_CAMERA_MAC"

	for fam in 4 6; do
		n=$(count "$WAN" camera_icmp$fam)
		d=$(iot_status dropped)
		run ! ping_from "$CAMERA" "${WAN_IP[fam]}"
		dropped $(( d + 1 ))
		expect_count "$WAN" camera_icmp$fam "$n"
	done
}

@test "deny keeps the camera's TCP connections off the WAN (IPv4, IPv6)" {
	local fam n d
	for fam in 4 6; do
		n=$(count "$WAN" camera_tcp$fam)
		tcp_from "$CAMERA" "${WAN_IP[fam]}"
		counted "$WAN" camera_tcp$fam $(( n + 3 ))
	done

	iotctl_r deny "$IOT_CAMERA_MAC"

	for fam in 4 6; do
		n=$(count "$WAN" camera_tcp$fam)
		d=$(iot_status dropped)
		run ! tcp_from "$CAMERA" "${WAN_IP[fam]}"
		dropped $(( d + 1 ))
		expect_count "$WAN" camera_tcp$fam "$n"
	done
}

@test "deny keeps the camera's UDP off the WAN (IPv4, IPv6)" {
	local fam n d
	for fam in 4 6; do
		n=$(count "$WAN" camera_udp$fam)
		udp_from "$CAMERA" "${WAN_IP[fam]}"
		counted "$WAN" camera_udp$fam $(( n + 1 ))
	done

	iotctl_r deny "$IOT_CAMERA_MAC"

	for fam in 4 6; do
		n=$(count "$WAN" camera_udp$fam)
		d=$(iot_status dropped)
		udp_from "$CAMERA" "${WAN_IP[fam]}"
		# dropped at the router: it will never reach the WAN host
		dropped $(( d + 1 ))
		expect_count "$WAN" camera_udp$fam "$n"
	done
}

@test "deny covers every destination behind the WAN interface" {
	local i4 i6 t4
	i4=$(count "$WAN" camera_icmp4)
	i6=$(count "$WAN" camera_icmp6)
	t4=$(count "$WAN" camera_tcp4)
	iotctl_r deny "$IOT_CAMERA_MAC"
	run ! ping_from "$CAMERA" "${FAR_IP[4]}"
	run ! ping_from "$CAMERA" "${FAR_IP[6]}"
	run ! tcp_from "$CAMERA" "${FAR_IP[4]}"
	expect_count "$WAN" camera_icmp4 "$i4"
	expect_count "$WAN" camera_icmp6 "$i6"
	expect_count "$WAN" camera_tcp4 "$t4"
}

@test "status counts every dropped packet" {
	iotctl_r deny "$IOT_CAMERA_MAC"
	local d
	d=$(iot_status dropped)
	[[ $d =~ ^[0-9]+$ ]]
	run ! in_ns "$CAMERA" ping -q -c 3 -i 0.2 -W 1 "${WAN_IP[4]}"
	dropped $(( d + 3 ))
	run ! in_ns "$CAMERA" ping -q -c 2 -i 0.2 -W 1 "${WAN_IP[6]}"
	dropped $(( d + 5 ))
	[[ $(iot_status dropped) == $(( d + 5 )) ]]
}

@test "a denied camera still reaches the laptop and the router" {
	iotctl_r deny "$IOT_CAMERA_MAC"
	local fam
	for fam in 4 6; do
		ping_from "$CAMERA" "${LAPTOP_IP[fam]}"
		ping_from "$CAMERA" "${ROUTER_IP[fam]}"
		# the router's address on the WAN link is still the router
		ping_from "$CAMERA" "${ROUTER_WAN_IP[fam]}"
	done
	[[ $(iot_status dropped) == 0 ]]
}

@test "the laptop keeps the WAN while the camera is denied" {
	iotctl_r deny "$IOT_CAMERA_MAC"
	local fam n
	for fam in 4 6; do
		n=$(count "$WAN" laptop_icmp$fam)
		ping_from "$LAPTOP" "${WAN_IP[fam]}"
		expect_count "$WAN" laptop_icmp$fam $(( n + 1 ))
		n=$(count "$WAN" laptop_tcp$fam)
		tcp_from "$LAPTOP" "${WAN_IP[fam]}"
		counted "$WAN" laptop_tcp$fam $(( n + 3 ))
		n=$(count "$WAN" laptop_udp$fam)
		udp_from "$LAPTOP" "${WAN_IP[fam]}"
		counted "$WAN" laptop_udp$fam $(( n + 1 ))
	done
	[[ $(iot_status dropped) == 0 ]]
}

@test "denying other devices leaves the camera alone" {
	iotctl_r deny 02:00:00:00:00:99
	iotctl_r deny 02:00:00:00:0c:00
	iotctl_r deny 0c:00:00:00:00:02
	local fam n
	for fam in 4 6; do
		n=$(count "$WAN" camera_icmp$fam)
		ping_from "$CAMERA" "${WAN_IP[fam]}"
		expect_count "$WAN" camera_icmp$fam $(( n + 1 ))
	done
}

@test "an nftables accept later in FORWARD cannot reopen a denied camera" {
	router nft -f - <<-'NFT'
	table inet open {
		chain forward {
			type filter hook forward priority filter; policy accept;
			ether saddr 02:00:00:00:00:0c accept
		}
	}
	NFT
	iotctl_r deny "$IOT_CAMERA_MAC"
	local fam n
	for fam in 4 6; do
		n=$(count "$WAN" camera_icmp$fam)
		run ! ping_from "$CAMERA" "${WAN_IP[fam]}"
		expect_count "$WAN" camera_icmp$fam "$n"
	done
}

@test "an established TCP connection stops once its device is denied" {
	local fifo=$BATS_TEST_TMPDIR/in n d
	# A sink on port 81 that keeps the connection open.
	bg_in_ns "$WAN" socat -u TCP6-LISTEN:81,ipv6only=0,reuseaddr OPEN:/dev/null
	busywait 20000 listening "$WAN" 81
	mkfifo "$fifo"
	bg_in_ns "$CAMERA" socat -u "OPEN:$fifo" "TCP:${WAN_IP[4]}:81"
	exec 5> "$fifo"
	echo hello >&5
	# SYN, ACK, and the data
	counted "$WAN" camera_tcp4 3

	iotctl_r deny "$IOT_CAMERA_MAC"
	n=$(count "$WAN" camera_tcp4)
	d=$(iot_status dropped)
	echo more >&5
	dropped $(( d + 1 ))
	exec 5>&-
	expect_count "$WAN" camera_tcp4 "$n"
}
