#!/usr/bin/env bats
# Fault loops: the module unloaded and loaded 50 times under traffic with a
# full table, 200 namespaces made and destroyed with a table each, and the
# WAN interface renamed, moved out and back, deleted and re-created 100
# times under traffic.  After each loop the kernel's memory is back to its
# baseline, the log is clean, and the module still keeps the camera off.

# shellcheck disable=SC2030,SC2031 # bats runs each test in a subshell
# shellcheck disable=SC2034,SC2154 # kmem and mem_check fill and read them by name
bats_require_minimum_version 1.5.0
load lib

# Memory tolerance, per loop, in kB.  Unreclaimable slab moves by a few
# hundred kB between two idle readings in this guest (per-CPU slab caches,
# the journal of 9p, the kernel's own workers); a leak of what a loop makes
# is far above 2 MiB: 50 tables of 1000 devices are 10 MiB, 200 namespaces
# are tens of MiB (a struct net alone is about 4 kB, with its sysctl
# tables, devices, hooks and caches tens of kB), and their 20,000 devices
# and labels are several MiB.  Percpu memory comes in chunks; a populated
# chunk stays once made, so a loop may leave one behind (a chunk's pages
# for 2 CPUs are well under 1 MiB), but leaking per-CPU counters or
# per-netns MIBs over a loop would grow it by more than that.
SLAB_TOL_KB=2048
PERCPU_TOL_KB=1024

# The loops' sizes.  Only for a quick look by hand, as in
#   tests/vm/run -- 'FAULT_WAN_CYCLES=10 bats --tap tests/vm/faults.bats'
# the suite's figures are those of the defaults.
RELOADS=${FAULT_RELOADS:-50}
NETNS_BATCHES=${FAULT_NETNS_BATCHES:-10}	# of 20 namespaces each
WAN_CYCLES=${FAULT_WAN_CYCLES:-100}

setup() {
	kernel_mark
	MODPROBE_WAS=$(< /proc/sys/kernel/modprobe)
}

teardown() {
	cleanup
	echo "$MODPROBE_WAS" > /proc/sys/kernel/modprobe
	# back to the module the harness loaded, default parameters
	if [[ ! -d /sys/module/iot_egress ]] ||
		[[ $(< /sys/module/iot_egress/parameters/max_devices) != 65536 ]]; then
		busywait 10000 rmmod iot_egress 2> /dev/null || true
		modprobe iot_egress
	fi
}

meminfo() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# kmem VAR: after the kernel has freed what it frees asynchronously
# (namespaces, RCU callbacks) and the page cache, dentries and inodes are
# dropped, VAR[slab], VAR[sunreclaim] and VAR[percpu] in kB.  Read again
# every 2 s until unreclaimable slab stops shrinking, at most 20 s.
kmem() {
	local -n _m=$1
	local prev=-1 cur i
	for (( i = 0; i < 10; i++ )); do
		sync
		echo 3 > /proc/sys/vm/drop_caches
		sleep 2
		cur=$(meminfo SUnreclaim)
		if (( prev >= 0 && cur >= prev - 64 )); then
			break
		fi
		prev=$cur
	done
	_m[sunreclaim]=$cur
	_m[slab]=$(meminfo Slab)
	_m[percpu]=$(meminfo Percpu)
}

# mem_check LOOP BEFORE AFTER: print both, and fail if either grew beyond
# its tolerance.
mem_check() {
	local -n _b=$2 _a=$3
	local ds=$(( _a[sunreclaim] - _b[sunreclaim] )) dp=$(( _a[percpu] - _b[percpu] ))
	echo "# $1: Slab ${_b[slab]} -> ${_a[slab]} kB," \
		"SUnreclaim ${_b[sunreclaim]} -> ${_a[sunreclaim]} kB ($ds)," \
		"Percpu ${_b[percpu]} -> ${_a[percpu]} kB ($dp)" >&3
	(( ds < SLAB_TOL_KB )) || {
		echo "$1: unreclaimable slab grew by $ds kB (tolerance $SLAB_TOL_KB)" >&2
		return 1
	}
	(( dp < PERCPU_TOL_KB )) || {
		echo "$1: percpu grew by $dp kB (tolerance $PERCPU_TOL_KB)" >&2
		return 1
	}
}

# sums NS: the packets of the camera's six counters, then the laptop's, in
# NS, read with one nft.
sums() {
	ip netns exec "$1" nft list table inet iotcount |
		awk '$1 == "counter" { who = $2; sub(/_.*/, "", who); next }
			$1 == "packets" { s[who] += $2 }
			END { print s["camera"] + 0, s["laptop"] + 0 }'
}

# bats test_tags=smp
@test "rmmod and modprobe FAULT_RELOADS times (50 unless set), with a full table and traffic flowing" {
	local file=$BATS_TEST_TMPDIR/policy.conf i t0 c0 c1 l0 l1 lap_grew=0
	local -A before after
	topology
	{
		echo "wan add wan0"
		echo "deny $IOT_CAMERA_MAC name camera"
		echo "allow $IOT_LAPTOP_MAC name laptop"
		for (( i = 0; i < 998; i++ )); do
			printf 'deny 0a:00:00:00:%02x:%02x name n%d\n' $(( i / 256 )) $(( i % 256 )) "$i"
		done
	} > "$file"
	bg_in_ns "$CAMERA" ping -q -i 0.02 "${WAN_IP[4]}"
	bg_in_ns "$CAMERA" ping -q -i 0.02 "${WAN_IP[6]}"
	bg_in_ns "$CAMERA" sh -c "$BATS_TEST_DIRNAME/every 0.05 |
		socat -u - UDP:${WAN_IP[4]}:9"
	bg_in_ns "$LAPTOP" ping -q -i 0.02 "${WAN_IP[4]}"

	# reload: the module out and in again, the full table, and the camera
	# denied (its counters at the WAN host stand still while the router
	# drops its packets), the laptop passing.
	reload() {
		busywait 10000 rmmod iot_egress 2> /dev/null || rmmod iot_egress
		modprobe iot_egress max_devices=1000
		ip netns exec "$ROUTER" iotctl load "$file" > /dev/null
		read -r c0 l0 < <(sums "$WAN")
		dropped 5
		read -r c1 l1 < <(sums "$WAN")
		if (( c1 != c0 )); then
			echo "reload $i: $(( c1 - c0 )) camera packets reached the WAN" >&2
			return 1
		fi
		(( l1 > l0 )) && lap_grew=$(( lap_grew + 1 ))
		return 0
	}
	i=warm-up
	reload
	[[ $(iot_status devices) == 1000 && $(iot_status max_devices) == 1000 ]]
	kmem before
	t0=$SECONDS
	for (( i = 1; i <= RELOADS; i++ )); do
		reload
		(( i % 10 )) || echo "# $i reloads, $(( SECONDS - t0 )) s" >&3
	done
	echo "# $RELOADS reloads in $(( SECONDS - t0 )) s of guest time; the laptop got through in $lap_grew of $(( RELOADS + 1 )) checks" >&3
	# same state as the baseline: topology, traffic, a full table
	kmem after
	[[ $(iot_status devices) == 1000 ]]
	# the laptop passed through the loop (while the module was out, and
	# after each load)
	(( lap_grew >= RELOADS * 4 / 5 ))
	# and the module still works: del lets the camera out, deny stops it
	iotctl_r del "$IOT_CAMERA_MAC"
	read -r c0 l0 < <(sums "$WAN")
	counted "$WAN" camera_icmp4 $(( $(count "$WAN" camera_icmp4) + 5 ))
	iotctl_r deny "$IOT_CAMERA_MAC"
	read -r c0 l0 < <(sums "$WAN")
	dropped $(( $(iot_status dropped) + 10 ))
	read -r c1 l1 < <(sums "$WAN")
	(( c1 == c0 ))
	mem_check "$RELOADS module reloads" before after
	kernel_clean
}

@test "namespaces made and destroyed, FAULT_NETNS_BATCHES batches of 20 (10 unless set), each with a table" {
	local file=$BATS_TEST_TMPDIR/policy.conf i b j t0 ns
	local -A before after
	{
		echo "default deny"
		echo "wan add eth1"
		echo "wan add ppp0"
		for (( i = 0; i < 100; i++ )); do
			printf 'deny 0a:00:00:00:00:%02x name device-%d\n' "$i" "$i"
		done
	} > "$file"

	# batch B N: make N namespaces, each with a dummy eth1 (a WAN name
	# that resolves), load the table into each, check one, and delete
	# them all.
	batch() {
		local -a names=()
		for (( j = 0; j < $2; j++ )); do
			names+=("fault-$1-$j")
		done
		printf 'netns add %s\n' "${names[@]}" | ip -batch -
		for ns in "${names[@]}"; do
			echo "link add eth1 netns $ns type dummy"
		done | ip -batch -
		for ns in "${names[@]}"; do
			ip netns exec "$ns" iotctl load "$file" > /dev/null
		done
		[[ $(ip netns exec "${names[-1]}" iotctl -j status | jq -c '[.devices, .default, .wan]') == \
			'[100,"deny",["eth1","ppp0"]]' ]]
		[[ $(ip netns exec "${names[0]}" iotctl -j wan show | jq -c '.[0].present') == true ]]
		printf 'netns del %s\n' "${names[@]}" | ip -batch -
	}
	batch warm 10
	kmem before
	t0=$SECONDS
	for (( b = 0; b < NETNS_BATCHES; b++ )); do
		batch "$b" 20
		echo "# $(( b * 20 + 20 )) namespaces, $(( SECONDS - t0 )) s" >&3
	done
	echo "# $(( NETNS_BATCHES * 20 )) namespaces in $(( SECONDS - t0 )) s of guest time" >&3
	[[ -z $(ls /var/run/netns) ]]
	kmem after
	mem_check "$(( NETNS_BATCHES * 20 )) namespaces" before after
	kernel_clean
	# the module still works in a namespace made now
	topology
	iotctl_r wan add wan0
	iotctl_r deny "$IOT_CAMERA_MAC"
	local n
	n=$(count "$WAN" camera_icmp4)
	run ! ping_from "$CAMERA" "${WAN_IP[4]}"
	expect_count "$WAN" camera_icmp4 "$n"
}

@test "the WAN interface renamed, moved, deleted and re-created FAULT_WAN_CYCLES times (100 unless set) under traffic" {
	local i t0 spare d0 d1 lap
	local -A before after
	topology
	uplink_host
	new_ns spare spare
	iotctl_r wan add wan0
	iotctl_r wan add wan1
	iotctl_r deny "$IOT_CAMERA_MAC" name camera
	iotctl_r allow "$IOT_LAPTOP_MAC" name laptop

	# the router's end of the second uplink, addressed and up
	addr_wan1() {
		printf '%s\n' "addr add 203.0.113.1/28 dev $1" \
			"addr add 2001:db8:5::1/64 dev $1 nodad" "link set $1 up"
	}
	# the WAN host's end, a new eth0 each time the link is re-created
	addr_host() {
		host_batch eth0 203.0.113.2/28 2001:db8:5::2/64 203.0.113.1 2001:db8:5::1 |
			in_batch "$WAN2"
	}
	laptop_through() {
		busywait 20000 reachable "$LAPTOP" "${WAN2_IP[4]}" || {
			echo "iteration $i: the laptop cannot reach the WAN through wan1 ($1)" >&2
			ip -n "$ROUTER" addr show wan1 >&2
			return 1
		}
	}

	{
		echo "link add wan1 type veth peer name eth0 netns $WAN2"
		addr_wan1 wan1
	} | in_batch "$ROUTER"
	addr_host
	laptop_through created
	# the camera tries the second uplink all along, and the laptop uses it
	bg_in_ns "$CAMERA" ping -q -i 0.05 "${WAN2_IP[4]}"
	bg_in_ns "$CAMERA" ping -q -i 0.05 "${WAN2_IP[6]}"
	bg_in_ns "$LAPTOP" ping -q -i 0.05 "${WAN2_IP[4]}"

	# one iteration: rename away and back, move out to the spare namespace
	# and in again under another name, renamed to wan1 and re-addressed,
	# traffic; then deleted and re-created, traffic again.
	churn() {
		in_batch "$ROUTER" <<-EOF
		link set wan1 down
		link set wan1 name wan1x
		link set wan1x name wan1
		link set wan1 up
		link set wan1 netns $spare
		EOF
		in_batch "$spare" <<-EOF
		link set wan1 name wanz
		link set wanz netns $ROUTER
		EOF
		{
			echo "link set wanz name wan1"
			addr_wan1 wan1
		} | in_batch "$ROUTER"
		laptop_through "moved back"
		{
			echo "link del wan1"
			echo "link add wan1 type veth peer name eth0 netns $WAN2"
			addr_wan1 wan1
		} | in_batch "$ROUTER"
		addr_host
		laptop_through "re-created"
	}
	i=warm-up
	churn
	d0=$(ip netns exec "$ROUTER" iotctl -j show "$IOT_CAMERA_MAC" | jq .denied_packets)
	lap=$(sums "$WAN2" | awk '{ print $2 }')
	kmem before
	t0=$SECONDS
	for (( i = 1; i <= WAN_CYCLES; i++ )); do
		churn
		(( i % 10 )) || echo "# $i cycles, $(( SECONDS - t0 )) s" >&3
	done
	echo "# $WAN_CYCLES WAN interface cycles in $(( SECONDS - t0 )) s of guest time" >&3
	# same state as the baseline: topology, traffic, wan1 up
	kmem after
	# not one camera packet reached the second uplink's host, though the
	# camera kept trying it and the router kept dropping
	[[ $(sums "$WAN2" | awk '{ print $1 }') == 0 ]]
	d1=$(ip netns exec "$ROUTER" iotctl -j show "$IOT_CAMERA_MAC" | jq .denied_packets)
	echo "# camera: $(( d1 - d0 )) packets dropped on wan1, 0 at its host;" \
		"laptop: $(( $(sums "$WAN2" | awk '{ print $2 }') - lap )) packets at it" >&3
	(( d1 - d0 > 1000 ))
	run -0 iotctl_r wan show
	[[ ${lines[1]} == "wan1  ifindex $(ip -n "$ROUTER" -j link show wan1 | jq '.[0].ifindex')" ]]
	mem_check "$WAN_CYCLES WAN interface cycles" before after
	kernel_clean
}
