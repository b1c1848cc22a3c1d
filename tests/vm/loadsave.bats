#!/usr/bin/env bats
# iotctl load and save: the whole policy replaced in one step.  A file
# that is wrong, or that the kernel refuses, changes nothing; a device
# denied before and after a reload loses not one packet to the WAN while
# it happens; save prints what load reads back.  And the fail-closed boot:
# the module loaded with default_policy=deny keeps unknown devices off the
# WAN until a policy is loaded, and a broken policy file leaves it so.
#
# The topology is lib.bash's: camera and laptop behind the router, the
# WAN host counting what reaches it.  Tests that need no traffic use the
# router's namespace alone.

# shellcheck disable=SC2154 # bats' run sets $stderr
# shellcheck disable=SC2030,SC2031 # BG_PIDS is per test, as cleanup wants
bats_require_minimum_version 1.5.0
load lib

setup() {
	RELOADED=
	F=$BATS_TEST_TMPDIR
}

teardown() {
	cleanup
	echo 65536 > /sys/module/iot_egress/parameters/max_devices
	# leave the module as the harness loaded it
	if [[ -n $RELOADED ]]; then
		busywait 10000 rmmod iot_egress 2> /dev/null || rmmod iot_egress
		modprobe iot_egress
	fi
}

# reload_module ARGS...: the module again, with these parameters.
reload_module() {
	RELOADED=1
	busywait 10000 rmmod iot_egress 2> /dev/null || show rmmod iot_egress
	show modprobe iot_egress "$@"
}

# policy_state: everything a load replaces, and the generation.
policy_state() {
	ip netns exec "$ROUTER" iotctl -j show
	ip netns exec "$ROUTER" iotctl -j wan show
	ip netns exec "$ROUTER" iotctl -j status |
		jq -c '[.default, .devices, .wan, .generation]'
}

# macs N WORD: N lines "WORD 0a:00:00:xx:xx:xx", a different MAC each.
macs() {
	awk -v n="$1" -v word="$2" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "%s 0a:00:00:%02x:%02x:%02x\n", word,
				int(i / 65536), int(i / 256) % 256, i % 256
	}'
}

# sent TRACE N: strace has seen at least N sendmsg calls begin.
sent() {
	local n
	n=$(grep -c '^sendmsg(' "$1" 2> /dev/null) || true
	(( ${n:-0} >= $2 ))
}

# The files of the tests.  a.conf and b.conf both deny the camera; b.conf
# has 3000 more devices, in two LOAD_DEVICES messages: 1001 without a
# label (12 bytes each in a message) and 2000 with one (36 bytes).
write_files() {
	cat > "$F/a.conf" <<-EOF
	# policy A
	default allow
	wan add wan0
	deny $IOT_CAMERA_MAC name dvr-front
	allow $IOT_LAPTOP_MAC name laptop
	EOF
	{
		echo '# policy B: the camera again, and 3000 more'
		echo 'default allow'
		echo 'wan add ppp0'
		echo 'wan add wan0'
		macs 1000 deny
		echo "deny ${IOT_CAMERA_MAC^^} # same device, other spelling"
		macs 3000 allow | tail -n 2000 | sed 's/$/ name extra/'
	} > "$F/b.conf"
	printf 'default deny\nwan add wan0\n\nallow %s\nalow 02:00:00:00:00:99\n' \
		"$IOT_LAPTOP_MAC" > "$F/broken.conf"
}

# expect_fails CODE STDERR CMD...: CMD exits CODE with exactly STDERR.
expect_fails() {
	local code=$1 want=$2
	shift 2
	run --separate-stderr "$@"
	if (( status != code )) || [[ $stderr != "$want" ]]; then
		printf 'status %s, want %s\nstderr: %s\nwant:   %s\n' \
			"$status" "$code" "$stderr" "$want" >&2
		return 1
	fi
}

@test "save, load, save: the same file, labels, WAN names and default included" {
	new_ns ROUTER router
	cat > "$F/in.conf" <<-EOF
	default deny   # fail closed
	wan add wan0
	wan add ppp0
	allow 02-00-00-00-00-1A name laptop
	deny 02:00:00:00:00:0c name dvr-front

	deny 0a:00:00:00:00:01
	EOF
	iotctl_r load "$F/in.conf"
	ip netns exec "$ROUTER" iotctl save > "$F/s1"
	cat > "$F/want" <<-EOF
	# iot-egress policy, saved by iotctl $(< "$BATS_TEST_DIRNAME/../../VERSION")
	default deny
	wan add wan0
	wan add ppp0
	deny 02:00:00:00:00:0c name dvr-front
	allow 02:00:00:00:00:1a name laptop
	deny 0a:00:00:00:00:01
	EOF
	diff -u "$F/want" "$F/s1"

	# something else in between, so that the second load has work to do
	iotctl_r flush
	iotctl_r wan del ppp0
	iotctl_r default allow
	iotctl_r load "$F/s1"
	ip netns exec "$ROUTER" iotctl save > "$F/s2"
	diff -u "$F/s1" "$F/s2"
	run -0 devices
	[[ ${lines[0]} == "02:00:00:00:00:0c deny dvr-front" ]]
	[[ ${lines[1]} == "02:00:00:00:00:1a allow laptop" ]]
	[[ ${lines[2]} == "0a:00:00:00:00:01 deny" ]]
}

@test "load replaces everything: devices, labels, WAN names, default" {
	new_ns ROUTER router
	iotctl_r wan add eth9
	iotctl_r default deny
	iotctl_r deny 02:00:00:00:00:0c name old-label
	iotctl_r deny 0a:00:00:00:00:01 name gone
	printf 'wan add wan0\ndeny 02:00:00:00:00:0c\n' > "$F/small.conf"
	iotctl_r load "$F/small.conf"
	run -0 iotctl_r -j status
	[[ $(jq -c '[.default, .devices, .wan]' <<< "$output") == '["allow",1,["wan0"]]' ]]
	# without a name in the file, the device has no label
	run -0 devices
	[[ $output == "02:00:00:00:00:0c deny" ]]
	# an empty file: no device, no WAN name, default allow
	iotctl_r load /dev/null
	run -0 iotctl_r -j status
	[[ $(jq -c '[.default, .devices, .wan]' <<< "$output") == '["allow",0,[]]' ]]
}

@test "every load changes the generation" {
	new_ns ROUTER router
	write_files
	local g0 g1 g2
	g0=$(iot_status generation)
	iotctl_r load "$F/a.conf"
	g1=$(iot_status generation)
	(( g1 > g0 ))
	# the same file again is still a new policy
	iotctl_r load "$F/a.conf"
	g2=$(iot_status generation)
	(( g2 > g1 ))
	run -0 iotctl_r status
	printf '%s\n' "${lines[@]}" | grep -qx "generation: $g2"
}

@test "load - reads the policy from standard input" {
	new_ns ROUTER router
	write_files
	iotctl_r load - < "$F/a.conf"
	run -0 devices
	[[ ${lines[0]} == "02:00:00:00:00:0c deny dvr-front" ]]
	[[ ${lines[1]} == "02:00:00:00:00:1a allow laptop" ]]
	expect_fails 2 "iotctl: <stdin>:5: unknown command: 'alow'" \
		iotctl_r load - < "$F/broken.conf"
}

@test "an invalid file changes nothing, exit 2 with FILE:LINE" {
	new_ns ROUTER router
	write_files
	iotctl_r load "$F/b.conf"
	local before
	before=$(policy_state)
	expect_fails 2 "iotctl: $F/broken.conf:5: unknown command: 'alow'" \
		iotctl_r load "$F/broken.conf"
	# not even the generation moved: nothing was sent
	[[ $(policy_state) == "$before" ]]

	# the last line of a big file is wrong: still nothing
	{ cat "$F/b.conf"; echo "deny 0a:00:00:00:00:05"; } > "$F/dup.conf"
	expect_fails 2 "iotctl: $F/dup.conf:3006: device given twice, first on line 10: '0a:00:00:00:00:05'" \
		iotctl_r load "$F/dup.conf"
	[[ $(policy_state) == "$before" ]]
}

@test "the kernel refuses a device: nothing changes, exit 1" {
	new_ns ROUTER router
	write_files
	iotctl_r load "$F/a.conf"
	local before
	before=$(policy_state)
	macs 5 deny > "$F/five.conf"

	# max_devices falls to 3 after iotctl checked it and before the
	# devices go: strace holds the first LOAD_DEVICES request (the fourth
	# sendmsg, after the family lookup, GET_STATUS and LOAD_BEGIN)
	ip netns exec "$ROUTER" strace -o "$F/trace" -e trace=sendmsg \
		-e inject=sendmsg:delay_enter=15s:when=4 \
		iotctl load "$F/five.conf" 2> "$F/stderr" &
	local pid=$! rc=0
	BG_PIDS+=("$pid")
	busywait 20000 sent "$F/trace" 4
	echo 3 > /sys/module/iot_egress/parameters/max_devices
	wait "$pid" || rc=$?
	cat "$F/stderr"
	(( rc == 1 ))
	# the kernel points at the fourth device: iotctl names its line
	[[ $(< "$F/stderr") == "iotctl: $F/five.conf:4: deny 0a:00:00:00:00:03: device table is full (max_devices)" ]]
	[[ $(policy_state) == "$before" ]]

	# and it left nothing staged behind
	echo 65536 > /sys/module/iot_egress/parameters/max_devices
	iotctl_r load "$F/five.conf"
	[[ $(iot_status devices) == 5 ]]
}

@test "the kernel refuses a device with a label among packed ones: iotctl names its line" {
	new_ns ROUTER router
	write_files
	iotctl_r load "$F/a.conf"
	local before
	before=$(policy_state)
	# Devices without a label go first, packed, then those with one: the
	# kernel stages lines 1, 3 and 5, then refuses line 2.
	macs 5 deny | sed '2s/$/ name two/; 4s/$/ name four/' > "$F/mixed.conf"

	# max_devices falls to 3 as in the test above
	ip netns exec "$ROUTER" strace -o "$F/trace" -e trace=sendmsg \
		-e inject=sendmsg:delay_enter=15s:when=4 \
		iotctl load "$F/mixed.conf" 2> "$F/stderr" &
	local pid=$! rc=0
	BG_PIDS+=("$pid")
	busywait 20000 sent "$F/trace" 4
	echo 3 > /sys/module/iot_egress/parameters/max_devices
	wait "$pid" || rc=$?
	cat "$F/stderr"
	(( rc == 1 ))
	[[ $(< "$F/stderr") == "iotctl: $F/mixed.conf:2: deny 0a:00:00:00:00:01 name two: device table is full (max_devices)" ]]
	[[ $(policy_state) == "$before" ]]

	echo 65536 > /sys/module/iot_egress/parameters/max_devices
	iotctl_r load "$F/mixed.conf"
	[[ $(ip netns exec "$ROUTER" iotctl save | grep -c ' name ') == 2 ]]
	[[ $(iot_status devices) == 5 ]]
}

@test "max_devices=3 and a 5-device file: refused before sending, exit 1" {
	reload_module max_devices=3
	new_ns ROUTER router
	macs 3 deny > "$F/three.conf"
	macs 5 deny > "$F/five.conf"
	iotctl_r load "$F/three.conf"
	local before
	before=$(policy_state)
	expect_fails 1 "iotctl: $F/five.conf: 5 devices, more than the table holds (max_devices 3)" \
		iotctl_r load "$F/five.conf"
	[[ $(policy_state) == "$before" ]]
	[[ $(iot_status devices) == 3 ]]
}

@test "one load at a time in a netns: a second is refused and changes nothing" {
	new_ns ROUTER router
	write_files
	iotctl_r load "$F/a.conf"
	local before
	before=$(policy_state)
	# hold the first load before its second LOAD_DEVICES request
	ip netns exec "$ROUTER" strace -o "$F/trace" -e trace=sendmsg \
		-e inject=sendmsg:delay_enter=15s:when=5 \
		iotctl load "$F/b.conf" 2> "$F/stderr" &
	local pid=$! rc=0
	BG_PIDS+=("$pid")
	busywait 20000 sent "$F/trace" 5
	expect_fails 1 "iotctl: $F/a.conf: another load is in progress in this netns" \
		iotctl_r load "$F/a.conf"
	[[ $(policy_state) == "$before" ]]

	# the first one goes on to the end
	wait "$pid" || rc=$?
	cat "$F/stderr"
	(( rc == 0 ))
	[[ $(iot_status devices) == 3001 ]]
}

@test "a load killed between two batches changes nothing" {
	new_ns ROUTER router
	write_files
	iotctl_r load "$F/a.conf"
	local before
	before=$(policy_state)
	run ip netns exec "$ROUTER" strace -o "$F/trace" -e trace=sendmsg \
		-e inject=sendmsg:signal=SIGKILL:when=5 \
		iotctl load "$F/b.conf"
	grep -q 'killed by SIGKILL' "$F/trace"
	[[ $(policy_state) == "$before" ]]
	iotctl_r load "$F/b.conf"
	[[ $(iot_status devices) == 3001 ]]
}

@test "zero leak: the camera, denied in both, sends through 24 reloads" {
	topology
	write_files
	iotctl_r load "$F/a.conf"
	local n4 n6 d
	n4=$(count "$WAN" camera_udp4)
	n6=$(count "$WAN" camera_udp6)
	d=$(iot_status dropped)

	local send="$BATS_TEST_DIRNAME/every 0.01 iot | socat -u - \"UDP-SENDTO:\$0:9\""
	bg_in_ns "$CAMERA" sh -c "$send" "${WAN_IP[4]}"
	bg_in_ns "$CAMERA" sh -c "$send" "[${WAN_IP[6]}]"
	bg_in_ns "$LAPTOP" sh -c "$send" "${WAN_IP[4]}"
	# (a slow guest takes a while to start three shells)
	busywait 20000 dropped_at_least $(( d + 20 ))

	local i g=0 g2 l d0
	d0=$(iot_status dropped)
	l=$(count "$WAN" laptop_udp4)
	for (( i = 0; i < 24; i++ )); do
		if (( i % 2 )); then
			iotctl_r load "$F/a.conf"
		else
			iotctl_r load "$F/b.conf"
		fi
		g2=$(iot_status generation)
		(( g2 > g ))
		g=$g2
	done
	d=$(iot_status dropped)
	printf '# during the loads: %d camera packets dropped, %d laptop packets arrived\n' \
		$(( d - d0 )) $(( $(count "$WAN" laptop_udp4) - l )) >&3

	# the camera was sending all along, and not one of its packets got
	# out, while the laptop's did
	(( d > d0 + 24 ))
	expect_count "$WAN" camera_udp4 "$n4"
	expect_count "$WAN" camera_udp6 "$n6"
	(( $(count "$WAN" laptop_udp4) > l + 24 ))
}

@test "default deny from a file keeps an unknown device off the WAN" {
	topology
	printf 'default deny\nwan add wan0\nallow %s name laptop\n' \
		"$IOT_LAPTOP_MAC" > "$F/closed.conf"
	iotctl_r load "$F/closed.conf"
	local fam n
	for fam in 4 6; do
		n=$(count "$WAN" camera_icmp$fam)
		run ! ping_from "$CAMERA" "${WAN_IP[fam]}"
		expect_count "$WAN" camera_icmp$fam "$n"
		n=$(count "$WAN" laptop_icmp$fam)
		ping_from "$LAPTOP" "${WAN_IP[fam]}"
		expect_count "$WAN" laptop_icmp$fam $(( n + 1 ))
	done
	# only the WAN is closed: the camera still reaches the laptop
	ping_from "$CAMERA" "${LAPTOP_IP[4]}"
}

@test "fail-closed boot: default_policy=deny, then a broken file keeps it" {
	# What iot-egress.service runs: the module with the deny default,
	# before any policy exists, then the policy file.  (The topology
	# comes first: it checks that every path works.)
	topology
	reload_module default_policy=deny
	run -0 iotctl_r -j status
	[[ $(jq -c '[.default, .devices, .wan]' <<< "$output") == '["deny",0,[]]' ]]
	local n
	n=$(count "$WAN" laptop_icmp4)
	run ! ping_from "$LAPTOP" "${WAN_IP[4]}"
	expect_count "$WAN" laptop_icmp4 "$n"

	write_files
	local before
	before=$(policy_state)
	expect_fails 2 "iotctl: $F/broken.conf:5: unknown command: 'alow'" \
		iotctl_r load "$F/broken.conf"
	[[ $(policy_state) == "$before" ]]
	run ! ping_from "$LAPTOP" "${WAN_IP[4]}"
	run ! ping_from "$LAPTOP" "${WAN_IP[6]}"
	expect_count "$WAN" laptop_icmp4 "$n"

	# the file, once fixed, opens the WAN to the laptop only
	sed -i 's/^alow/allow/' "$F/broken.conf"
	iotctl_r load "$F/broken.conf"
	ping_from "$LAPTOP" "${WAN_IP[4]}"
	n=$(count "$WAN" camera_icmp4)
	run ! ping_from "$CAMERA" "${WAN_IP[4]}"
	expect_count "$WAN" camera_icmp4 "$n"
}

@test "20000 devices load, and show and save list every one" {
	new_ns ROUTER router
	{
		echo 'default allow'
		echo 'wan add wan0'
		macs 20000 deny | sed -n '1~2p'
		macs 20000 allow | sed -n '2~2p' | sed 's/$/ name dev/'
	} > "$F/20k.conf"
	local t0 ms
	t0=${EPOCHREALTIME/./}
	iotctl_r load "$F/20k.conf"
	ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
	printf '# iotctl load of 20000 devices: %d ms\n' "$ms" >&3
	[[ $(iot_status devices) == 20000 ]]
	[[ $(ip netns exec "$ROUTER" iotctl show | wc -l) == 20001 ]]
	[[ $(ip netns exec "$ROUTER" iotctl save | grep -c '^\(deny\|allow\) ') == 20000 ]]
}
