#!/usr/bin/env bats
# Stress under traffic: a denied camera floods the WAN, an allowed laptop
# keeps one TCP stream open, and two writers churn the table, for at least
# a minute of guest time.  Not one camera packet may reach the WAN host,
# the laptop's stream may not break, and the kernel must stay clean.

bats_require_minimum_version 1.5.0
load lib

# guest seconds of churn; the brief asks for at least 60
STRESS_SECS=${STRESS_SECS:-70}

setup() {
	topology
	PG=/proc/net/pktgen
	kernel_mark
}

teardown() {
	# pktgen first: it holds cam0, and its "start" blocks until stopped
	if [[ -n ${ROUTER:-} && -e /proc/net/pktgen/pgctrl ]]; then
		ip netns exec "$ROUTER" sh -c "echo stop > $PG/pgctrl" 2> /dev/null || true
	fi
	cleanup
}

# sum_counters NS PREFIX: the packets of every nftables counter in NS
# whose name starts with PREFIX (camera_ sums all six of the camera's),
# read with one nft.
sum_counters() {
	ip netns exec "$1" nft list table inet iotcount |
		awk -v p="$2" '$1 == "counter" { c = index($2, p) == 1; next }
			c && $1 == "packets" { s += $2; c = 0 }
			END { print s + 0 }'
}

# pktgen_flood: the camera's MAC and address, UDP to the WAN host, handed
# to the router's cam0 as if received, at most 1000 per second (a delay of
# 100 us or more makes pktgen sleep instead of spin; a faster flood starves
# the TCG guest's writers), until stopped.
pktgen_flood() {
	modprobe pktgen
	ip netns exec "$ROUTER" sh -ec "
		echo rem_device_all > $PG/kpktgend_0
		echo 'add_device cam0' > $PG/kpktgend_0
		for c in 'xmit_mode netif_receive' 'count 0' 'pkt_size 64' \
			'delay 1000000' 'dst_mac 02:00:00:00:01:01' \
			'src_mac $IOT_CAMERA_MAC' \
			'src_min ${IOT_SRC4[camera]}' 'src_max ${IOT_SRC4[camera]}' \
			'dst_min ${WAN_IP[4]}' 'dst_max ${WAN_IP[4]}' \
			'udp_dst_min 9' 'udp_dst_max 9'; do
			echo \"\$c\" > $PG/cam0
		done"
	ip netns exec "$ROUTER" sh -c "echo start > $PG/pgctrl" \
		< /dev/null > /dev/null 2>&1 3>&- &
	BG_PIDS+=($!)
}

# policies DIR: two policies of 10,000 other devices each, both denying
# the camera and allowing the laptop, with wan0 among their WAN names, one
# under default deny and one under default allow.
policies() {
	awk -v dir="$1" -v cam="$IOT_CAMERA_MAC" -v lap="$IOT_LAPTOP_MAC" 'BEGIN {
		for (p = 0; p < 2; p++) {
			f = dir "/policy" p ".conf"
			print (p ? "default allow" : "default deny") > f
			print "wan add wan0" > f
			print (p ? "wan add wwan0" : "wan add pppoe0") > f
			print "deny " cam " name camera" p > f
			print "allow " lap " name laptop" > f
			for (i = 0; i < 10000; i++)
				printf "%s 0a:00:%02x:00:%02x:%02x name d%d-%d\n",
					(i % 3 ? "deny" : (p ? "audit" : "allow")),
					p, int(i / 256) % 256, i % 256, p, i > f
			close(f)
		}
	}'
}

# bats test_tags=smp
@test "a minute of churn: the camera floods, the laptop streams, nothing leaks" {
	local dir=$BATS_TEST_TMPDIR lap_pid ops_pid load_pid sport base t0 end w now cur prev leaked p
	local -a windows=() failures=()

	policies "$dir"
	[[ $(wc -l < "$dir/policy0.conf") == 10005 ]]
	ip netns exec "$ROUTER" iotctl load "$dir/policy0.conf"
	[[ $(iot_status devices) == 10002 ]]

	# the laptop's stream: one TCP connection, a line every 0.2 s
	bg_in_ns "$WAN" socat -u TCP6-LISTEN:81,ipv6only=0,reuseaddr OPEN:/dev/null
	busywait 20000 listening "$WAN" 81
	bg_in_ns "$LAPTOP" sh -c "$BATS_TEST_DIRNAME/every 0.2 |
		socat -u - TCP:${WAN_IP[4]}:81"
	sport() {
		ip netns exec "$LAPTOP" ss -Htn state established \
			"dst ${WAN_IP[4]} and dport = :81" | awk '{ print $3 }'
	}
	connected() { [[ -n $(sport) ]]; }
	busywait 20000 connected
	sport=$(sport)
	# the laptop's socat: the one in its netns
	lap_pid=$(for p in $(ip netns pids "$LAPTOP"); do
		[[ $(cat "/proc/$p/comm" 2> /dev/null) == socat ]] && echo "$p"
	done)
	[[ $lap_pid =~ ^[0-9]+$ ]] || {
		echo "the laptop's socat: '$lap_pid'; every socat:" >&2
		pgrep -a socat >&2
		false
	}

	# the camera's flood: pktgen at the router's port, and the camera's
	# own ping floods and TCP attempts
	# (topology's own checks pinged the WAN from the camera)
	base=$(sum_counters "$WAN" camera_)
	pktgen_flood
	bg_in_ns "$CAMERA" ping -q -i 0.01 "${WAN_IP[4]}"
	bg_in_ns "$CAMERA" ping -q -i 0.01 "${FAR_IP[6]}"
	bg_in_ns "$CAMERA" sh -c "while :; do nc -z -w 1 ${WAN_IP[4]} 81; sleep 1; done"
	dropped 1000

	# the two writers, for STRESS_SECS of guest time
	t0=$SECONDS
	end=$(( $(date +%s) + STRESS_SECS ))
	ip netns exec "$ROUTER" tests/vm/stress-writer ops "$end" "$dir/lock" \
		"$dir/ops" < /dev/null 3>&- &
	ops_pid=$!
	BG_PIDS+=("$ops_pid")
	ip netns exec "$ROUTER" tests/vm/stress-writer load "$end" "$dir/lock" \
		"$dir/load" "$dir/policy0.conf" "$dir/policy1.conf" < /dev/null 3>&- &
	load_pid=$!
	BG_PIDS+=("$load_pid")

	# every 10 s: the laptop's stream grew, and no camera packet arrived
	prev=$(count "$WAN" laptop_tcp4)
	for (( w = 1; w * 10 <= STRESS_SECS; w++ )); do
		now=$SECONDS
		(( t0 + w * 10 > now )) && sleep $(( t0 + w * 10 - now ))
		cur=$(count "$WAN" laptop_tcp4)
		windows+=("$(( cur - prev ))")
		(( cur > prev )) || failures+=("laptop_tcp4 stuck at $cur in window $w")
		prev=$cur
		leaked=$(( $(sum_counters "$WAN" camera_) - base ))
		(( leaked == 0 )) || failures+=("$leaked camera packets at the WAN by window $w")
	done
	wait "$ops_pid" || failures+=("the ops writer failed")
	wait "$load_pid" || failures+=("the load writer failed")
	(( SECONDS - t0 >= 60 ))

	ip netns exec "$ROUTER" sh -c "echo stop > $PG/pgctrl"
	echo "# churn: $(( SECONDS - t0 )) s of guest time" >&3
	echo "# ops writer: $(paste -sd ' ' "$dir/ops")" >&3
	echo "# load writer: $(paste -sd ' ' "$dir/load")" >&3
	echo "# laptop_tcp4 packets per 10 s window: ${windows[*]}" >&3
	run -0 iot_status dropped
	echo "# camera packets dropped at the router: $output" >&3
	leaked=$(( $(sum_counters "$WAN" camera_) - base ))
	echo "# camera packets at the WAN host during the flood: $leaked" >&3

	# the failures a writer may see: removals of what a load removed first
	if grep -v -e '^del: .*device not in the table' \
		-e '^wan_del: .*WAN interface name not configured' \
		"$dir/ops.errors" "$dir/load.errors" >&2; then
		failures+=("unexpected iotctl failures (above)")
	fi
	(( $(iot_status dropped) > 10000 )) || failures+=("too little flood")
	# the camera is still denied, the laptop allowed, wan0 still WAN
	[[ $(devices | grep -E "^($IOT_CAMERA_MAC|$IOT_LAPTOP_MAC) ") == \
		"$IOT_CAMERA_MAC deny camera"?$'\n'"$IOT_LAPTOP_MAC allow laptop" ]] ||
		failures+=("camera or laptop entry wrong: $(devices | grep -E "^($IOT_CAMERA_MAC|$IOT_LAPTOP_MAC) ")")
	# the laptop's socat and its connection are the ones from the start
	kill -0 "$lap_pid" || failures+=("the laptop's socat died")
	[[ $(sport) == "$sport" ]] || failures+=("the laptop's connection changed: $sport -> $(sport)")
	kernel_clean || failures+=("kernel log or taint (above)")

	if (( ${#failures[@]} )); then
		printf '%s\n' "${failures[@]}" >&2
		return 1
	fi
	(( leaked == 0 ))
}
