#!/usr/bin/env bats
# Which packets count as WAN-bound: the configured WAN names, followed as
# interfaces appear, are renamed, move and go away; and fail closed while
# no name is configured.

# shellcheck disable=SC2154 # bats' run sets $stderr
bats_require_minimum_version 1.5.0
load lib

setup() {
	topology
}

# blocked NS COUNTER_NS SRC DST...: no ping from NS to any DST arrives.
blocked() {
	local ns=$1 at=$2 src=$3 dst fam n
	shift 3
	for dst; do
		fam=4
		[[ $dst == *:* ]] && fam=6
		n=$(count "$at" "${src}_icmp$fam")
		if ping_from "$ns" "$dst"; then
			echo "$src reached $dst" >&2
			return 1
		fi
		expect_count "$at" "${src}_icmp$fam" "$n"
	done
}

# passes NS COUNTER_NS SRC DST...: a ping from NS to each DST arrives.
passes() {
	local ns=$1 at=$2 src=$3 dst fam n
	shift 3
	for dst; do
		fam=4
		[[ $dst == *:* ]] && fam=6
		n=$(count "$at" "${src}_icmp$fam")
		ping_from "$ns" "$dst"
		expect_count "$at" "${src}_icmp$fam" $(( n + 1 ))
	done
}

@test "with no WAN name, a denied camera loses every forwarded destination" {
	run -0 iotctl_r wan show
	[[ $output == "" ]]
	[[ $(iot_status 'wan | length') == 0 ]]
	iotctl_r deny "$IOT_CAMERA_MAC"
	blocked "$CAMERA" "$WAN" camera "${WAN_IP[@]}"
	blocked "$CAMERA" "$NAS" camera "${NAS_IP[@]}"
	run ! tcp_from "$CAMERA" "${NAS_IP[4]}"
	# the laptop, and the camera's own LAN and router traffic, pass
	passes "$LAPTOP" "$WAN" laptop "${WAN_IP[@]}"
	passes "$LAPTOP" "$NAS" laptop "${NAS_IP[@]}"
	ping_from "$CAMERA" "${LAPTOP_IP[4]}"
	ping_from "$CAMERA" "${LAPTOP_IP[6]}"
	ping_from "$CAMERA" "${ROUTER_IP[4]}"
	ping_from "$CAMERA" "${ROUTER_IP[6]}"
}

@test "with wan0 named, a denied camera still reaches the second LAN" {
	iotctl_r wan add wan0
	iotctl_r deny "$IOT_CAMERA_MAC"
	passes "$CAMERA" "$NAS" camera "${NAS_IP[@]}"
	local n
	n=$(count "$NAS" camera_tcp6)
	tcp_from "$CAMERA" "${NAS_IP[6]}"
	counted "$NAS" camera_tcp6 $(( n + 3 ))
	blocked "$CAMERA" "$WAN" camera "${WAN_IP[@]}"
}

@test "removing the last WAN name fails closed again" {
	iotctl_r wan add wan0
	iotctl_r deny "$IOT_CAMERA_MAC"
	passes "$CAMERA" "$NAS" camera "${NAS_IP[4]}"
	iotctl_r wan del wan0
	blocked "$CAMERA" "$NAS" camera "${NAS_IP[@]}"
}

@test "a WAN name configured before its interface exists" {
	iotctl_r wan add wan0
	iotctl_r wan add wan1
	run -0 iotctl_r wan show
	[[ ${lines[1]} == "wan1  absent" ]]
	run -0 iotctl_r -j wan show
	[[ $(jq -c '.[1]' <<< "$output") == '{"ifname":"wan1","present":false,"ifindex":null}' ]]
	iotctl_r deny "$IOT_CAMERA_MAC"

	uplink_host
	router ip link add wan1 type veth peer name eth0 netns "$WAN2"
	uplink_addr wan1

	local idx
	idx=$(ip -n "$ROUTER" -j link show wan1 | jq '.[0].ifindex')
	run -0 iotctl_r wan show
	[[ ${lines[1]} == "wan1  ifindex $idx" ]]
	run -0 iotctl_r -j wan show
	[[ $(jq -c '.[1]' <<< "$output") == "{\"ifname\":\"wan1\",\"present\":true,\"ifindex\":$idx}" ]]
	blocked "$CAMERA" "$WAN2" camera "${WAN2_IP[@]}"
	passes "$LAPTOP" "$WAN2" laptop "${WAN2_IP[@]}"
}

@test "a WAN interface of ifindex 200 is WAN, past the packet path's bitmap" {
	iotctl_r wan add wan0
	iotctl_r wan add wan1
	iotctl_r deny "$IOT_CAMERA_MAC"

	uplink_host
	router ip link add wan1 index 200 type veth peer name eth0 netns "$WAN2"
	uplink_addr wan1
	run -0 iotctl_r -j wan show
	[[ $(jq -c '.[1]' <<< "$output") == '{"ifname":"wan1","present":true,"ifindex":200}' ]]
	blocked "$CAMERA" "$WAN2" camera "${WAN2_IP[@]}"
	passes "$LAPTOP" "$WAN2" laptop "${WAN2_IP[@]}"
	blocked "$CAMERA" "$WAN" camera "${WAN_IP[@]}"
}

@test "an interface 64 ifindexes above a WAN one is not WAN" {
	iotctl_r wan add wan0
	iotctl_r deny "$IOT_CAMERA_MAC"

	local idx
	idx=$(ip -n "$ROUTER" -j link show wan0 | jq '.[0].ifindex')
	uplink_host
	router ip link add up1 index $(( idx + 64 )) type veth peer name eth0 \
		netns "$WAN2"
	uplink_addr up1
	passes "$CAMERA" "$WAN2" camera "${WAN2_IP[@]}"
	blocked "$CAMERA" "$WAN" camera "${WAN_IP[@]}"
}

@test "an interface renamed to a WAN name and moved in is WAN" {
	iotctl_r wan add wan0
	iotctl_r wan add wan1
	iotctl_r deny "$IOT_CAMERA_MAC"

	uplink_host
	local spare
	new_ns spare spare
	ip -n "$spare" link add uplink0 type veth peer name eth0 netns "$WAN2"
	show ip -n "$spare" link set uplink0 name wan1
	show ip -n "$spare" link set wan1 netns "$ROUTER"
	uplink_addr wan1

	blocked "$CAMERA" "$WAN2" camera "${WAN2_IP[@]}"
	passes "$LAPTOP" "$WAN2" laptop "${WAN2_IP[@]}"
}

@test "a WAN interface renamed away stops being WAN, and back again is" {
	iotctl_r wan add wan0
	iotctl_r wan add wan1
	iotctl_r deny "$IOT_CAMERA_MAC"
	uplink_host
	router ip link add wan1 type veth peer name eth0 netns "$WAN2"
	uplink_addr wan1
	blocked "$CAMERA" "$WAN2" camera "${WAN2_IP[4]}"

	router ip link set wan1 down
	router ip link set wan1 name spare1
	router ip link set spare1 up
	busywait 20000 reachable "$LAPTOP" "${WAN2_IP[4]}"
	run -0 iotctl_r wan show
	[[ ${lines[1]} == "wan1  absent" ]]
	passes "$CAMERA" "$WAN2" camera "${WAN2_IP[@]}"

	router ip link set spare1 down
	router ip link set spare1 name wan1
	router ip link set wan1 up
	busywait 20000 reachable "$LAPTOP" "${WAN2_IP[4]}" "${WAN2_IP[6]}"
	blocked "$CAMERA" "$WAN2" camera "${WAN2_IP[@]}"
}

@test "a WAN interface that leaves the namespace, or is deleted, and comes back" {
	iotctl_r wan add wan0
	iotctl_r wan add wan1
	iotctl_r deny "$IOT_CAMERA_MAC"
	uplink_host
	router ip link add wan1 type veth peer name eth0 netns "$WAN2"
	uplink_addr wan1

	local spare
	new_ns spare spare
	router ip link set wan1 netns "$spare"
	run -0 iotctl_r wan show
	[[ ${lines[1]} == "wan1  absent" ]]
	# deleted in the other namespace, its name still configured here
	ip -n "$spare" link del wan1
	run -0 iotctl_r wan show
	[[ ${lines[1]} == "wan1  absent" ]]

	router ip link add wan1 type veth peer name eth0 netns "$WAN2"
	ip -n "$WAN2" addr flush dev eth0
	uplink_addr wan1
	blocked "$CAMERA" "$WAN2" camera "${WAN2_IP[@]}"
	passes "$LAPTOP" "$WAN2" laptop "${WAN2_IP[@]}"
}

@test "wan del stops filtering through that interface only" {
	iotctl_r wan add wan0
	iotctl_r wan add wan1
	iotctl_r deny "$IOT_CAMERA_MAC"
	uplink_host
	router ip link add wan1 type veth peer name eth0 netns "$WAN2"
	uplink_addr wan1
	blocked "$CAMERA" "$WAN2" camera "${WAN2_IP[4]}"
	iotctl_r wan del wan1
	run -0 iotctl_r wan show
	[[ $output == "wan0  ifindex $(ip -n "$ROUTER" -j link show wan0 | jq '.[0].ifindex')" ]]
	passes "$CAMERA" "$WAN2" camera "${WAN2_IP[@]}"
	blocked "$CAMERA" "$WAN" camera "${WAN_IP[@]}"
}

@test "the kernel refuses a WAN name twice, and one it does not have" {
	iotctl_r wan add wan0
	run -1 --separate-stderr iotctl_r wan add wan0
	[[ $stderr == "iotctl: wan add wan0: WAN interface name already configured" ]]
	run -1 --separate-stderr iotctl_r wan del ppp0
	[[ $stderr == "iotctl: wan del ppp0: WAN interface name not configured" ]]
	run -0 iotctl_r wan show
	[[ ${#lines[@]} == 1 && ${lines[0]} == "wan0  ifindex "* ]]
}

@test "at most 32 WAN names" {
	local i
	for (( i = 0; i < 32; i++ )); do
		ip netns exec "$ROUTER" iotctl wan add "ppp$i"
	done
	run -1 --separate-stderr iotctl_r wan add ppp32
	[[ $stderr == "iotctl: wan add ppp32: "* ]]
	[[ $(iot_status 'wan | length') == 32 ]]
	run -0 iotctl_r wan show
	[[ ${#lines[@]} == 32 && $output != *ppp32* ]]
}
