#!/usr/bin/env bats
# The module's life: the max_devices parameter, autoload through the genl
# family alias, and unloading under load.  Every test leaves the module
# loaded with its default parameters, as the harness loaded it.

# shellcheck disable=SC2154 # bats' run sets $stderr
bats_require_minimum_version 1.5.0
load lib

setup() {
	MODPROBE_WAS=$(< /proc/sys/kernel/modprobe)
}

teardown() {
	cleanup
	echo "$MODPROBE_WAS" > /proc/sys/kernel/modprobe
	# back to the module the harness loaded, default parameters
	rmmod iot_egress 2> /dev/null || true
	modprobe iot_egress
}

loaded() {
	[[ -d /sys/module/iot_egress ]]
}

# unload: rmmod, retried while something still holds the module.
unload() {
	busywait 10000 rmmod iot_egress 2> /dev/null || show rmmod iot_egress
	! loaded
}

@test "max_devices=3: the fourth device is refused, the table unchanged" {
	unload
	show modprobe iot_egress max_devices=3
	new_ns ROUTER router
	[[ $(iot_status max_devices) == 3 ]]
	iotctl_r deny 02:00:00:00:00:01
	iotctl_r deny 02:00:00:00:00:02 name two
	iotctl_r allow 02:00:00:00:00:03
	local before
	before=$(ip netns exec "$ROUTER" iotctl -j show)
	run -1 --separate-stderr iotctl_r deny 02-00-00-00-00-04
	[[ $stderr == "iotctl: deny 02:00:00:00:00:04: device table is full (max_devices)" ]]
	[[ $(ip netns exec "$ROUTER" iotctl -j show) == "$before" ]]
	[[ $(iot_status devices) == 3 ]]
	# a device already there can still change
	iotctl_r deny 02:00:00:00:00:03
	run -0 iotctl_r show 02:00:00:00:00:03
	[[ ${lines[0]} == "02:00:00:00:00:03  deny" ]]
	# and room made is room to use
	iotctl_r del 02:00:00:00:00:01
	iotctl_r deny 02:00:00:00:00:04
	[[ $(iot_status devices) == 3 ]]
}

@test "default_policy=deny: every namespace starts with deny" {
	# built first: with deny from the start its own checks cannot pass
	topology
	unload
	show modprobe iot_egress default_policy=deny
	# namespaces that were there when the module came, and new ones
	[[ $(iot_status default) == deny ]]
	local later
	new_ns later later
	[[ $(ip netns exec "$later" iotctl default) == deny ]]

	iotctl_r wan add wan0
	local n
	n=$(count "$WAN" camera_icmp4)
	run ! ping_from "$CAMERA" "${WAN_IP[4]}"
	expect_count "$WAN" camera_icmp4 "$n"
	iotctl_r allow "$IOT_CAMERA_MAC"
	ping_from "$CAMERA" "${WAN_IP[4]}"
	expect_count "$WAN" camera_icmp4 $(( n + 1 ))
}

@test "iotctl loads the module when it is missing" {
	unload
	run -0 iotctl status
	[[ ${lines[0]} == "module: iot_egress "* ]]
	loaded
}

@test "with no module and no way to load it, iotctl says so" {
	unload
	echo /bin/false > /proc/sys/kernel/modprobe
	run -1 --separate-stderr iotctl status
	[[ $stderr == "iotctl: the iot_egress kernel module is not loaded (load it with: modprobe iot_egress)" ]]
	run -1 --separate-stderr iotctl deny 02:00:00:00:00:0c
	[[ $stderr == "iotctl: the iot_egress kernel module is not loaded (load it with: modprobe iot_egress)" ]]
	run ! loaded
}

@test "unload with devices in the table and traffic flowing, then load again" {
	topology
	local i
	{
		echo "wan add wan0"
		echo "deny $IOT_CAMERA_MAC name camera"
		for (( i = 0; i < 300; i++ )); do
			printf 'allow 0a:00:00:00:%02x:%02x name n%d\n' $(( i / 256 )) $(( i % 256 )) "$i"
		done
	} | ip netns exec "$ROUTER" iotctl load -
	bg_in_ns "$CAMERA" ping -q -i 0.01 "${WAN_IP[4]}"
	bg_in_ns "$CAMERA" ping -q -i 0.01 "${WAN_IP[6]}"
	bg_in_ns "$LAPTOP" ping -q -i 0.01 "${WAN_IP[4]}"
	bg_in_ns "$CAMERA" ping -q -i 0.01 "${NAS_IP[4]}"
	dropped 20
	local n
	n=$(count "$WAN" camera_icmp4)

	unload
	# without the module nothing filters: the camera's pings arrive
	counted "$WAN" camera_icmp4 $(( n + 5 ))

	show modprobe iot_egress
	# every namespace starts over: empty table, no WAN name, allow
	run -0 iotctl_r -j status
	[[ $(jq -c '[.devices, .wan, .default, .dropped]' <<< "$output") == '[0,[],"allow",0]' ]]
	iotctl_r wan add wan0
	iotctl_r deny "$IOT_CAMERA_MAC"
	dropped 5
	local d
	d=$(iot_status dropped)
	n=$(count "$WAN" camera_icmp4)
	dropped $(( d + 10 ))
	expect_count "$WAN" camera_icmp4 "$n"
}

@test "unload and load again while requests keep coming" {
	topology
	iotctl_r wan add wan0
	iotctl_r deny "$IOT_CAMERA_MAC"
	bg_in_ns "$CAMERA" ping -q -i 0.01 "${WAN_IP[4]}"
	bg_in_ns "$ROUTER" bash -c 'while :; do iotctl -j show; iotctl deny 02:00:00:00:00:99; iotctl -j status; done'
	local i
	for (( i = 0; i < 5; i++ )); do
		# the requests autoload the module as soon as it is gone, so
		# rmmod may find it in use: that is fine, it is the race we want
		rmmod iot_egress 2> /dev/null || true
		modprobe iot_egress
		sleep 0.5
	done
	loaded
	run -0 iotctl_r -j status
	jq -e . <<< "$output" > /dev/null
}
