#!/usr/bin/env bats
# What devices tried: exact counters, recorded destinations, unknown
# devices, audit, and the monitor with its bounds.

bats_require_minimum_version 1.5.0
load lib
# setup and teardown: lib.bash's, the household with wan0 its WAN

# The flood's size: make check on amd64 sends fewer (tests/check), which
# still passes every bound many times over.
FLOOD_PACKETS=${FLOOD_PACKETS:-100000}


@test "counters are exact: N denied pings count N packets, allowed ones count as WAN" {
	iotctl_r deny "$IOT_CAMERA_MAC"
	iotctl_r allow "$IOT_LAPTOP_MAC"
	run ! in_ns "$CAMERA" ping -q -c 5 -i 0.2 -W 1 "${WAN_IP[4]}"
	run ! in_ns "$CAMERA" ping -q -c 2 -i 0.2 -W 1 "${WAN_IP[6]}"
	in_ns "$LAPTOP" ping -q -c 3 -i 0.2 -W 1 "${WAN_IP[4]}" > /dev/null

	[ "$(dev_json "$IOT_CAMERA_MAC" .denied_packets)" = 7 ]
	# 84-byte IPv4 echoes, 104-byte IPv6 ones
	[ "$(dev_json "$IOT_CAMERA_MAC" .denied_bytes)" = $(( 5 * 84 + 2 * 104 )) ]
	[ "$(dev_json "$IOT_CAMERA_MAC" .wan_packets)" = 0 ]
	[ "$(dev_json "$IOT_CAMERA_MAC" .last_wan)" = null ]
	[ "$(dev_json "$IOT_LAPTOP_MAC" .wan_packets)" = 3 ]
	[ "$(dev_json "$IOT_LAPTOP_MAC" .denied_packets)" = 0 ]
	# the last denied packet is at most a minute old
	local last now
	last=$(dev_json "$IOT_CAMERA_MAC" .last_denied)
	now=$(date +%s)
	(( last <= now && last > now - 60 ))

	# the table for people: "last denied N s ago"
	run iotctl_r show
	[ "$status" -eq 0 ]
	[[ $output == *"$IOT_CAMERA_MAC"*deny*" s ago"* ]]
}

@test "a denied camera's SYN to 203.0.113.25:25 shows in the monitor and in show" {
	local mon=$BATS_TEST_TMPDIR/mon line
	iotctl_r deny "$IOT_CAMERA_MAC" name dvr-front
	monitor_start "$mon"

	run ! tcp_from "$CAMERA" 203.0.113.25 25
	run ! tcp_from "$CAMERA" 2001:db8:3::25 25
	busywait 20000 grep -q '"dst":"2001:db8:3::25"' "$mon"

	line=$(grep '"dst":"203.0.113.25"' "$mon" | head -1)
	[ "$(jq -r '[.mac, .name, .verdict, .family, .src, .proto, .dport, .event] | join(" ")' <<< "$line")" = \
		"$IOT_CAMERA_MAC dvr-front denied ipv4 192.0.2.10 tcp 25 new" ]
	jq -e '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")' <<< "$line"
	line=$(grep '"dst":"2001:db8:3::25"' "$mon" | head -1)
	[ "$(jq -r '[.family, .src, .proto, .dport] | join(" ")' <<< "$line")" = \
		"ipv6 2001:db8:1::10 tcp 25" ]

	# show MAC: newest first, with the port and at least the SYN
	[ "$(dev_json "$IOT_CAMERA_MAC" '.destinations[0] | [.dst, .proto, .dport] | join(" ")')" = \
		"2001:db8:3::25 tcp 25" ]
	[ "$(dev_json "$IOT_CAMERA_MAC" '.destinations[] | select(.dst == "203.0.113.25") | [.family, .proto, .dport, (.count >= 1)] | join(" ")')" = \
		"ipv4 tcp 25 true" ]
	# and the camera's addresses, from the router's neighbour tables
	[ "$(dev_json "$IOT_CAMERA_MAC" '.addresses | index("192.0.2.10") != null')" = true ]
	run iotctl_r show "$IOT_CAMERA_MAC"
	[ "$status" -eq 0 ]
	[[ $output == *"203.0.113.25"*tcp*25* ]]
}

@test "an audited device reaches the WAN and its destinations are recorded" {
	local mon=$BATS_TEST_TMPDIR/mon
	iotctl_r audit "$IOT_CAMERA_MAC" name cam
	monitor_start "$mon"
	local n
	n=$(count "$WAN" camera_tcp4)
	tcp_from "$CAMERA" 203.0.113.25 80
	counted "$WAN" camera_tcp4 $(( n + 3 ))
	tcp_from "$CAMERA" 2001:db8:3::25 80

	[ "$(dev_json "$IOT_CAMERA_MAC" '.policy')" = audit ]
	[ "$(dev_json "$IOT_CAMERA_MAC" '.destinations[] | select(.dst == "203.0.113.25") | [.proto, .dport] | join(" ")')" = "tcp 80" ]
	[ "$(dev_json "$IOT_CAMERA_MAC" '.destinations[] | select(.dst == "2001:db8:3::25") | [.proto, .dport] | join(" ")')" = "tcp 80" ]
	(( $(dev_json "$IOT_CAMERA_MAC" .wan_packets) >= 6 ))
	[ "$(dev_json "$IOT_CAMERA_MAC" .denied_packets)" = 0 ]
	busywait 20000 grep -q '"dst":"203.0.113.25"' "$mon"
	[ "$(grep '"dst":"203.0.113.25"' "$mon" | head -1 | jq -r '[.verdict, .name] | join(" ")')" = "audited cam" ]
	# audit survives a save and load
	run iotctl_r save
	[[ $output == *"audit $IOT_CAMERA_MAC name cam"* ]]
}

@test "show --unknown lists an unknown device under default deny" {
	iotctl_r allow "$IOT_LAPTOP_MAC"
	iotctl_r default deny
	run ! ping_from "$CAMERA" "${WAN_IP[4]}"
	run ! tcp_from "$CAMERA" 203.0.113.25 443

	run ip netns exec "$ROUTER" iotctl -j show --unknown
	[ "$status" -eq 0 ]
	[ "$(jq -r 'length' <<< "$output")" = 1 ]
	[ "$(jq -r '.[0].mac' <<< "$output")" = "$IOT_CAMERA_MAC" ]
	(( $(jq -r '.[0].denied_packets' <<< "$output") >= 2 ))
	[ "$(jq -r '.[0].destinations[] | select(.dst == "203.0.113.25") | [.proto, .dport] | join(" ")' <<< "$output")" = "tcp 443" ]
	run iotctl_r show --unknown
	[[ $output == *"$IOT_CAMERA_MAC"*unknown* ]]

	# once in the table it is no longer unknown
	iotctl_r deny "$IOT_CAMERA_MAC"
	run ip netns exec "$ROUTER" iotctl -j show --unknown
	[ "$(jq -r 'length' <<< "$output")" = 0 ]
}

@test "a flood of FLOOD_PACKETS (100k unless set) to 10k destinations stays within the bounds" {
	local mon=$BATS_TEST_TMPDIR/mon pg=/proc/net/pktgen c s t0 secs before after i
	iotctl_r deny "$IOT_CAMERA_MAC"
	# eight subscribers
	for (( i = 1; i <= 8; i++ )); do
		monitor_start "$mon.$i"
	done
	iotctl_r flush
	iotctl_r default deny
	ip netns exec "$ROUTER" ip route add 203.0.113.0/25 via 198.51.100.2
	before=$(awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo)

	# 1000 source MACs, unknown under default deny, to 128 addresses
	# times 80 ports, handed to the router's camera port as if received.
	modprobe pktgen
	c=$(iot_status events)
	t0=$SECONDS
	ip netns exec "$ROUTER" sh -ec "
		echo rem_device_all > $pg/kpktgend_0
		echo 'add_device cam0' > $pg/kpktgend_0
		for c in 'xmit_mode netif_receive' 'count $FLOOD_PACKETS' 'pkt_size 64' \
			'delay 0' 'dst_mac 02:00:00:00:01:01' \
			'src_mac 02:00:00:01:00:00' 'src_mac_count 1000' \
			'src_min 192.0.2.50' 'src_max 192.0.2.50' \
			'dst_min 203.0.113.0' 'dst_max 203.0.113.127' \
			'udp_dst_min 1000' 'udp_dst_max 1079' \
			'flag IPDST_RND' 'flag UDPDST_RND' 'flag MACSRC_RND'; do
			echo \"\$c\" > $pg/cam0
		done
		echo start > $pg/pgctrl"
	secs=$(( SECONDS - t0 + 1 ))
	ip netns exec "$ROUTER" grep -q 'Result: OK' $pg/cam0
	after=$(awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo)

	run ip netns exec "$ROUTER" iotctl -j status
	echo "$output"
	(( $(jq -r .dropped <<< "$output") >= FLOOD_PACKETS ))
	# the bounds: max_unknown 256, max_dests 4096
	[ "$(jq -r .unknown <<< "$output")" = 256 ]
	(( $(jq -r .dests <<< "$output") <= 4096 ))
	(( $(jq -r .dests <<< "$output") > 0 ))
	[ "$(ip netns exec "$ROUTER" iotctl -j show --unknown | jq -r 'length')" = 256 ]
	(( $(ip netns exec "$ROUTER" iotctl -j show --unknown | jq -r 'map(.destinations | length) | max') <= 32 ))
	# kernel memory: the records are bounded (a few hundred KiB)
	echo "unreclaimable slab: $before kB -> $after kB"
	(( after - before < 8192 ))

	# the monitor: at most events_per_sec (100) events in each second of
	# the flood, the rest counted as suppressed
	c=$(( $(jq -r .events <<< "$output") - c ))
	s=$(jq -r .suppressed <<< "$output")
	echo "flood: $secs s, $c events, $s suppressed"
	(( c <= 100 * (secs + 1) ))
	(( s > FLOOD_PACKETS / 10 ))
	# each subscriber has the one rate-limited stream: eight of them do
	# not make the kernel build or let through more events
	c=$(iot_status events)
	for (( i = 1; i <= 8; i++ )); do
		busywait 20000 grep -q '"suppressed":[1-9]' "$mon.$i"
		(( $(wc -l < "$mon.$i") <= c ))
	done
}

# pg_camera COUNT SIZE: COUNT frames (rounded up to 64) of SIZE bytes from
# the camera to the WAN host, handed to the router's camera port as if
# received, each skb 64 times; returns when they are all in.
pg_camera() {
	local pg=/proc/net/pktgen
	modprobe pktgen
	ip netns exec "$ROUTER" sh -ec "
		echo rem_device_all > $pg/kpktgend_0
		echo 'add_device cam0' > $pg/kpktgend_0
		for c in 'xmit_mode netif_receive' 'count $1' 'pkt_size $2' \
			'burst 64' 'delay 0' 'dst_mac 02:00:00:00:01:01' \
			'src_mac $IOT_CAMERA_MAC' \
			'src_min ${IOT_SRC4[camera]}' 'src_max ${IOT_SRC4[camera]}' \
			'dst_min ${WAN_IP[4]}' 'dst_max ${WAN_IP[4]}' \
			'udp_dst_min 9' 'udp_dst_max 9'; do
			echo \"\$c\" > $pg/cam0
		done
		echo start > $pg/pgctrl"
	ip netns exec "$ROUTER" grep -q 'Result: OK' $pg/cam0
}

# pg_sent: how many frames pktgen handed over in its last run.
pg_sent() {
	ip netns exec "$ROUTER" awk '$1 == "pkts-sofar:" { print $2 }' \
		/proc/net/pktgen/cam0
}

# monitor_sum_is FILE MAC N: the events in FILE of MAC to 198.51.100.2
# port 9 count N packets in all.
monitor_sum_is() {
	local got
	got=$(jq -s --arg mac "$2" '[.[] | select(.mac == $mac and
		.dst == "198.51.100.2" and .dport == 9) | .count] | add // 0' "$1")
	[[ $got == "$3" ]] || { echo "monitor: $got packets of $2, not $3" >&2; false; }
}

# Two denied devices, each sending to one destination from both CPUs at
# once: pktgen's two threads hand their frames to the router's camera
# port, alternating the camera's MAC and the next one. A destination seen
# again is counted on its CPU without a lock (kmod/rec.c); show and the
# monitor's summaries report the sum over the CPUs, exact.
# bats test_tags=smp
@test "two denied devices flooding from two CPUs: every destination counts every packet" {
	local mon=$BATS_TEST_TMPDIR/mon pg=/proc/net/pktgen n=20000
	local other=02:00:00:00:00:0d mac sum
	[ "$(nproc)" -ge 2 ]
	iotctl_r deny "$IOT_CAMERA_MAC"
	iotctl_r deny "$other"
	monitor_start "$mon"
	modprobe pktgen
	ip netns exec "$ROUTER" sh -ec "
		for t in 0 1; do
			echo rem_device_all > $pg/kpktgend_\$t
			echo add_device cam0@\$t > $pg/kpktgend_\$t
			for c in 'xmit_mode netif_receive' 'count $n' 'pkt_size 64' \
				'delay 0' 'dst_mac 02:00:00:00:01:01' \
				'src_mac $IOT_CAMERA_MAC' 'src_mac_count 2' \
				'src_min ${IOT_SRC4[camera]}' 'src_max ${IOT_SRC4[camera]}' \
				'dst_min ${WAN_IP[4]}' 'dst_max ${WAN_IP[4]}' \
				'udp_dst_min 9' 'udp_dst_max 9'; do
				echo \"\$c\" > $pg/cam0@\$t
			done
		done
		echo start > $pg/pgctrl"
	for t in 0 1; do
		ip netns exec "$ROUTER" grep -q 'Result: OK' "$pg/cam0@$t"
		[ "$(ip netns exec "$ROUTER" awk '$1 == "pkts-sofar:" { print $2 }' "$pg/cam0@$t")" = "$n" ]
	done

	# each MAC sent n / 2 from each thread: n in all, to one destination
	# (the camera's count has the monitor's probes too)
	run dev_json "$other" .denied_packets
	[ "$output" = "$n" ]
	for mac in "$IOT_CAMERA_MAC" "$other"; do
		run dev_json "$mac" '.destinations[] | select(.dst == "198.51.100.2" and .dport == 9) | [.proto, .count, .src] | join(" ")'
		[ "$output" = "udp $n ${IOT_SRC4[camera]}" ]
	done
	# the monitor: the first packet's NEW event and the REPEAT summaries
	# add up to every packet
	for mac in "$IOT_CAMERA_MAC" "$other"; do
		busywait 30000 monitor_sum_is "$mon" "$mac" "$n"
	done
	[ "$(jq -s --arg mac "$other" '[.[] | select(.mac == $mac and .event == "new")] | length' "$mon")" = 1 ]
}

# A 32-bit kernel updates a 64-bit counter in two halves: a reader that
# does not retry (u64_stats) can see one half new and the other old, a
# value 4 GiB off, when the low half wraps.
@test "byte counters pass 4 GiB exact, and never go back while read during the flood" {
	local reads=$BATS_TEST_TMPDIR/reads one n reader prev x bad=0 sent
	iotctl_r deny "$IOT_CAMERA_MAC"
	# a burst first: what one frame counts
	pg_camera 1 60000
	sent=$(pg_sent)
	(( sent > 0 ))
	[ "$(dev_json "$IOT_CAMERA_MAC" .denied_packets)" = "$sent" ]
	one=$(( $(dev_json "$IOT_CAMERA_MAC" .denied_bytes) / sent ))
	(( one > 59000 && one <= 60000 ))
	[ "$(dev_json "$IOT_CAMERA_MAC" .denied_bytes)" = $(( sent * one )) ]

	# 72,000 more: 4.3 GB, while a reader reads the counter in a loop
	(
		while [[ ! -e $reads.stop ]]; do
			dev_json "$IOT_CAMERA_MAC" .denied_bytes
		done > "$reads"
	) 3>&- &
	reader=$!
	BG_PIDS+=($reader)
	pg_camera 72000 60000
	touch "$reads.stop"
	wait "$reader"

	n=$(( sent + $(pg_sent) ))
	[ "$(dev_json "$IOT_CAMERA_MAC" .denied_packets)" = "$n" ]
	[ "$(dev_json "$IOT_CAMERA_MAC" .denied_bytes)" = $(( n * one )) ]
	(( n * one > 1 << 32 ))
	prev=0
	while read -r x; do
		if (( x < prev || x > n * one || x % one )); then
			echo "read $x after $prev" >&2
			bad=1
		fi
		prev=$x
	done < "$reads"
	echo "$(wc -l < "$reads") reads during the flood, the last $prev"
	(( bad == 0 ))
	(( $(wc -l < "$reads") >= 3 ))
}

@test "an unprivileged user cannot subscribe to the monitor" {
	run ip netns exec "$ROUTER" setpriv --reuid 65534 --regid 65534 --clear-groups \
		iotctl monitor
	[ "$status" -eq 1 ]
	[ "$output" = "iotctl: monitor: permission denied: CAP_NET_ADMIN is needed to subscribe" ]
	# root of a new user namespace has no CAP_NET_ADMIN over this netns
	run ip netns exec "$ROUTER" unshare -Ur iotctl monitor
	[ "$status" -eq 1 ]
	[ "$output" = "iotctl: monitor: permission denied: CAP_NET_ADMIN is needed to subscribe" ]
}
