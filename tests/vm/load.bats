#!/usr/bin/env bats
# iotctl load and save: a whole policy at once, and what the packet path
# sees while it is swapped.

# shellcheck disable=SC2154 # bats' run sets $stderr
bats_require_minimum_version 1.5.0
load lib

setup() {
	topology
}

@test "load makes the policy exactly the file, save prints it back" {
	# what was there before and is not in the file goes
	iotctl_r wan add ppp0
	iotctl_r deny 02:00:00:00:00:99 name old
	iotctl_r allow "$IOT_CAMERA_MAC" name old-label
	cat > "$BATS_TEST_TMPDIR/policy" <<-'EOF'
	# the household
	default deny
	wan add wan0
	wan add lte0
	allow 02-00-00-00-00-1A name laptop   # the laptop
	deny 02:00:00:00:00:0c
	EOF
	iotctl_r load "$BATS_TEST_TMPDIR/policy"
	run -0 devices
	[[ $output == "02:00:00:00:00:0c deny"$'\n'"02:00:00:00:00:1a allow laptop" ]]
	[[ $(iot_status default) == deny ]]
	[[ $(iot_status 'wan | join(" ")') == "wan0 lte0" ]]

	run -0 iotctl_r save
	[[ ${lines[0]} == "#"* ]]
	[[ ${output#*$'\n'} == "default deny"$'\n'"wan add wan0"$'\n'"wan add lte0"$'\n'"deny 02:00:00:00:00:0c"$'\n'"allow 02:00:00:00:00:1a name laptop" ]]

	# and the packet path follows: the camera is off, the laptop on
	run ! ping_from "$CAMERA" "${WAN_IP[4]}"
	ping_from "$LAPTOP" "${WAN_IP[4]}"

	# loading what save wrote changes nothing
	ip netns exec "$ROUTER" iotctl save > "$BATS_TEST_TMPDIR/saved"
	iotctl_r load "$BATS_TEST_TMPDIR/saved"
	[[ $(ip netns exec "$ROUTER" iotctl save) == "$(< "$BATS_TEST_TMPDIR/saved")" ]]
}

@test "a file with a wrong line changes nothing" {
	iotctl_r wan add wan0
	iotctl_r deny "$IOT_CAMERA_MAC" name camera
	local before
	before=$(ip netns exec "$ROUTER" iotctl save)
	printf '%s\n' "default deny" "deny 02:00:00:00:00:01" "allow 02:00:00:00:00:0g" \
		> "$BATS_TEST_TMPDIR/bad.conf"
	run -2 --separate-stderr iotctl_r load "$BATS_TEST_TMPDIR/bad.conf"
	[[ $stderr == "iotctl: $BATS_TEST_TMPDIR/bad.conf:3: invalid MAC address: '02:00:00:00:00:0g'" ]]
	[[ $(ip netns exec "$ROUTER" iotctl save) == "$before" ]]
	run -2 --separate-stderr iotctl_r load - <<< "deny 02:00:00:00:00:01"$'\n'"deny 02-00-00-00-00-01"
	[[ $stderr == "iotctl: <stdin>:2: device given twice, first on line 1"* ]]
	[[ $(ip netns exec "$ROUTER" iotctl save) == "$before" ]]
}

@test "a device denied before and after a load is never let through" {
	local policy=$BATS_TEST_TMPDIR/policy i
	{
		echo "wan add wan0"
		echo "deny $IOT_CAMERA_MAC"
		for (( i = 0; i < 500; i++ )); do
			printf 'allow 0a:00:00:00:%02x:%02x\n' $(( i / 256 )) $(( i % 256 ))
		done
	} > "$policy"
	iotctl_r load "$policy"
	# the second policy differs in everything but the camera
	{
		echo "wan add wan0"
		echo "default deny"
		echo "deny $IOT_CAMERA_MAC name camera"
		echo "allow $IOT_LAPTOP_MAC"
	} > "$policy.2"
	local n d
	n=$(count "$WAN" camera_udp4)
	d=$(iot_status dropped)
	bg_in_ns "$CAMERA" socat -u -b 64 /dev/zero "UDP-SENDTO:${WAN_IP[4]}:9"
	for (( i = 0; i < 5; i++ )); do
		ip netns exec "$ROUTER" iotctl load "$policy.2"
		ip netns exec "$ROUTER" iotctl load "$policy"
	done
	dropped $(( d + 100 ))
	expect_count "$WAN" camera_udp4 "$n"
}
