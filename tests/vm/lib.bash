# shellcheck shell=bash
# shellcheck disable=SC2034 # the suites use the addresses and MACs
# Helpers for the VM suites: a household router in network namespaces.
#
#        camera                          laptop
#   eth0 02:00:00:00:00:0c          eth0 02:00:00:00:00:1a
#        192.0.2.10/24                   192.0.2.20/24
#        2001:db8:1::10/64               2001:db8:1::20/64
#          |                               |
#   +------|-------------------------------|--------------------------+
#   |    cam0 ----------- br-lan -------- lap0                       |
#   |                 192.0.2.1/24                                    |
#   |                 2001:db8:1::1/64                                |
#   |  router                                                         |
#   |    wan0 198.51.100.1/24              lan2 203.0.113.129/25      |
#   |         2001:db8:2::1/64                  2001:db8:4::1/64      |
#   +------|-------------------------------|--------------------------+
#          |                               |
#   eth0 198.51.100.2/24            eth0 203.0.113.130/25
#        2001:db8:2::2/64                2001:db8:4::2/64
#   lo   203.0.113.25/32                 nas
#        2001:db8:3::25/128          (a second LAN, forwarded
#        wan                          by the router, not WAN)
#   (the WAN: counts what reaches it)
#
# Every namespace gets a random suffix; $ROUTER, $CAMERA, $LAPTOP, $WAN and
# $NAS hold the names.  The router forwards IPv4 and IPv6, nobody runs DAD
# or accepts router advertisements.  The WAN host and the NAS count the
# packets they receive per source and protocol in nftables (see count),
# and listen on TCP port 80.
#
# The suites' setup and teardown are at the end of this file.
#
# A test that needs two CPUs, or whose point is two CPUs racing, is tagged
# "# bats test_tags=smp": make check runs it in a VM of two CPUs, and
# every other test in VMs of one (tests/check, queue_whole).

IOT_CAMERA_MAC=02:00:00:00:00:0c
IOT_LAPTOP_MAC=02:00:00:00:00:1a

# Where to send, by family (${WAN_IP[4]}, ${WAN_IP[6]}): the WAN host, the
# address routed behind it, the NAS on the second LAN, the laptop, and the
# router's own addresses on the LAN and on the WAN link.
WAN_IP=([4]=198.51.100.2 [6]=2001:db8:2::2)
FAR_IP=([4]=203.0.113.25 [6]=2001:db8:3::25)
NAS_IP=([4]=203.0.113.130 [6]=2001:db8:4::2)
LAPTOP_IP=([4]=192.0.2.20 [6]=2001:db8:1::20)
ROUTER_IP=([4]=192.0.2.1 [6]=2001:db8:1::1)
ROUTER_WAN_IP=([4]=198.51.100.1 [6]=2001:db8:2::1)
# A second uplink, made by uplink_host: router 203.0.113.1/28 and
# 2001:db8:5::1/64, the host at .2 and ::2.
WAN2_IP=([4]=203.0.113.2 [6]=2001:db8:5::2)

NAMESPACES=()
BG_PIDS=()

# Echo a command, as a terminal session would show it.  In a bats test the
# line goes to fd 4, the test's log, so that bats' run does not capture it
# with the command's output; elsewhere (demo.sh) to stderr.
say_cmd() {
	if [[ -n ${BATS_TEST_NAME:-} ]] && { true >&4; } 2> /dev/null; then
		printf '# %s\n' "$*" >&4
	else
		printf '# %s\n' "$*" >&2
	fi
}

# Echo a command, then run it.
show() {
	say_cmd "$*"
	"$@"
}

# Run in a namespace, echoing "[ns] cmd".  The short names (router, cam,
# lap, wan, nas) keep the tests readable.
in_ns() {
	local ns=$1
	shift
	say_cmd "[${ns%-*}] $*"
	ip netns exec "$ns" "$@"
}

# shellcheck disable=SC2153 # topology sets them
router() { in_ns "$ROUTER" "$@"; }
cam() { in_ns "$CAMERA" "$@"; }
lap() { in_ns "$LAPTOP" "$@"; }
wan() { in_ns "$WAN" "$@"; }
nas() { in_ns "$NAS" "$@"; }

# iotctl in the router's namespace.  With bats' run, $status and $output.
iotctl_r() {
	in_ns "$ROUTER" iotctl "$@"
}

# dev_json MAC FILTER: a jq filter over "iotctl -j show MAC".
dev_json() {
	ip netns exec "$ROUTER" iotctl -j show "$1" | jq -r "$2"
}

# monitor_start FILE: "iotctl -j monitor" in the router, into FILE, and
# wait until it is subscribed: probes from the camera (which must be
# denied or audited) to new UDP ports (2000 and up, never 9) until one
# shows up as an event.
PROBE_PORT=2000
monitor_start() {
	local file=$1 last=$(( PROBE_PORT + 60 ))
	ip netns exec "$ROUTER" iotctl -j monitor > "$file" 2> "$file.err" 3>&- &
	BG_PIDS+=($!)
	for (( ; PROBE_PORT <= last; PROBE_PORT++ )); do
		udp_from "$CAMERA" "${WAN_IP[4]}" "$PROBE_PORT" || true
		if busywait 700 grep -q "\"dport\":$PROBE_PORT," "$file"; then
			(( PROBE_PORT++ ))
			return 0
		fi
	done
	echo "the monitor never reported a probe" >&2
	cat "$file.err" >&2
	return 1
}

# devices [NS]: the table as "MAC POLICY [LABEL]" lines, in the order
# "iotctl show" lists it, without the counters.
devices() {
	ip netns exec "${1:-$ROUTER}" iotctl -j show |
		jq -r '.[] | [.mac, .policy, .name // empty] | join(" ")'
}

# pause SECONDS: sleep without starting a process (a sleep(1) costs a
# fork and an exec, which in a TCG guest is far more than the wait): read
# with a timeout from a FIFO nobody writes to, opened once per shell.
pause() {
	if [[ ${IOT_PAUSE_PID:-} != "$BASHPID" ]]; then
		local fifo=${TMPDIR:-/tmp}/iot-pause.$BASHPID.$RANDOM
		mkfifo -m 600 "$fifo" && exec {IOT_PAUSE_FD}<> "$fifo"
		rm -f "$fifo"
		IOT_PAUSE_PID=$BASHPID
	fi
	read -r -t "$1" -u "$IOT_PAUSE_FD" || true
}

# busywait MS CMD...: retry CMD until it succeeds, for at most MS
# milliseconds.
busywait() {
	local ms=$1 start now
	shift
	start=${EPOCHREALTIME/./}
	until "$@"; do
		now=${EPOCHREALTIME/./}
		if (( (now - start) / 1000 > ms )); then
			return 1
		fi
		pause 0.1
	done
}

# Every process started in the VM costs a tenth of a second or more, and
# entering a namespace (ip netns exec) several, so the topology is built
# with few of them: one "ip -batch" per namespace for its links and
# addresses, and the namespaces' sysctls inherited rather than set in each.

# Every namespace made from now on starts with IPv6 DAD and router
# advertisements off, and addresses kept while a link is down (renaming
# takes it down): the initial namespace's settings, inherited through
# net.core.devconf_inherit_init_net (Linux 5.1).  Set once per VM.
ns_defaults() {
	local c
	[[ $(< /proc/sys/net/core/devconf_inherit_init_net) == 1 ]] && return 0
	for c in all default; do
		echo 0 > "/proc/sys/net/ipv6/conf/$c/accept_dad"
		echo 0 > "/proc/sys/net/ipv6/conf/$c/accept_ra"
		echo 1 > "/proc/sys/net/ipv6/conf/$c/keep_addr_on_down"
	done
	echo 1 > /proc/sys/net/core/devconf_inherit_init_net
}

# new_ns VAR PREFIX: a fresh namespace named PREFIX-<random>, its name in
# VAR, with loopback up and the settings of ns_defaults.
new_ns() {
	new_nss "$1" "$2"
	ip -n "${!1}" link set lo up
}

# new_nss VAR PREFIX [VAR PREFIX]...: fresh namespaces as new_ns makes
# them, with one process for all, and loopback still down: the caller's
# batch for each brings it up.
new_nss() {
	local name batch=
	ns_defaults
	while (( $# >= 2 )); do
		name=$2-$(printf '%04x%04x' "$RANDOM" "$RANDOM")
		batch+="netns add $name"$'\n'
		NAMESPACES+=("$name")
		printf -v "$1" %s "$name"
		shift 2
	done
	ip -batch - <<< "$batch"
}

# in_batch NS: run "ip -batch" lines from stdin in NS.
in_batch() {
	ip -n "$1" -batch -
}

# host_batch IF ADDR4/LEN ADDR6/LEN GW4 GW6: the "ip -batch" lines that
# bring up an end host's loopback and IF, address IF and route everything
# through its gateway.
host_batch() {
	printf '%s\n' "link set lo up" "link set $1 up" \
		"addr add $2 dev $1" "addr add $3 dev $1 nodad" \
		"route add default via $4" "route add default via $5"
}

topology() {
	new_nss ROUTER router CAMERA camera LAPTOP laptop WAN wan NAS nas

	ip netns exec "$ROUTER" sh -c '
		echo 1 > /proc/sys/net/ipv4/ip_forward
		echo 1 > /proc/sys/net/ipv6/conf/all/forwarding
		echo 1 > /proc/sys/net/ipv6/conf/default/forwarding'
	in_batch "$ROUTER" <<-EOF
	link set lo up
	link add br-lan address 02:00:00:00:01:01 type bridge
	link add cam0 type veth peer name eth0 address $IOT_CAMERA_MAC netns $CAMERA
	link add lap0 type veth peer name eth0 address $IOT_LAPTOP_MAC netns $LAPTOP
	link add wan0 type veth peer name eth0 netns $WAN
	link add lan2 type veth peer name eth0 netns $NAS
	link set cam0 master br-lan up
	link set lap0 master br-lan up
	link set br-lan up
	link set wan0 up
	link set lan2 up
	addr add 192.0.2.1/24 dev br-lan
	addr add 2001:db8:1::1/64 dev br-lan nodad
	addr add 198.51.100.1/24 dev wan0
	addr add 2001:db8:2::1/64 dev wan0 nodad
	addr add 203.0.113.129/25 dev lan2
	addr add 2001:db8:4::1/64 dev lan2 nodad
	route add 203.0.113.25/32 via 198.51.100.2
	route add 2001:db8:3::25/128 via 2001:db8:2::2
	EOF
	host_batch eth0 192.0.2.10/24 2001:db8:1::10/64 192.0.2.1 2001:db8:1::1 |
		in_batch "$CAMERA"
	host_batch eth0 192.0.2.20/24 2001:db8:1::20/64 192.0.2.1 2001:db8:1::1 |
		in_batch "$LAPTOP"
	{
		host_batch eth0 198.51.100.2/24 2001:db8:2::2/64 198.51.100.1 2001:db8:2::1
		echo "addr add 203.0.113.25/32 dev lo"
		echo "addr add 2001:db8:3::25/128 dev lo"
	} | in_batch "$WAN"
	host_batch eth0 203.0.113.130/25 2001:db8:4::2/64 203.0.113.129 2001:db8:4::1 |
		in_batch "$NAS"

	counters "$WAN"
	counters "$NAS"
	listen_tcp "$WAN" 80
	listen_tcp "$NAS" 80

	# Until every path answers, the topology is not ready.
	busywait 20000 reachable "$CAMERA" 198.51.100.2 2001:db8:2::2
	busywait 20000 reachable "$LAPTOP" 203.0.113.130 2001:db8:4::2
}

# uplink_host: a second WAN host, $WAN2, with counters and a TCP listener.
# Its eth0 is the peer of a link the caller makes; uplink_addr addresses
# both ends once it exists.
uplink_host() {
	new_ns WAN2 wan2
	counters "$WAN2"
	listen_tcp "$WAN2" 80
}

# uplink_addr IFNAME: address the router's IFNAME and $WAN2's eth0.
uplink_addr() {
	printf '%s\n' "addr add 203.0.113.1/28 dev $1" \
		"addr add 2001:db8:5::1/64 dev $1 nodad" "link set $1 up" |
		in_batch "$ROUTER"
	host_batch eth0 203.0.113.2/28 2001:db8:5::2/64 203.0.113.1 2001:db8:5::1 |
		in_batch "$WAN2"
	busywait 20000 reachable "$LAPTOP" "${WAN2_IP[4]}" "${WAN2_IP[6]}"
}

# reachable NS ADDR...: NS gets an answer from every ADDR, asked from
# within one process in NS.
reachable() {
	# shellcheck disable=SC2016 # for the inner shell
	ip netns exec "$1" sh -c 'for a; do ping -q -c 1 -W 1 "$a" || exit; done' \
		sh "${@:2}" > /dev/null 2>&1
}

# The sources that count() knows, by name.
declare -gA IOT_SRC4=([camera]=192.0.2.10 [laptop]=192.0.2.20 [tunnel]=203.0.113.66)
declare -gA IOT_SRC6=([camera]=2001:db8:1::10 [laptop]=2001:db8:1::20)

# counters NS: nftables counters <source>_<proto><4|6> in NS, counting
# ICMP echo requests, TCP and UDP packets that arrive from each source.
counters() {
	local ns=$1 src proto rules=
	rules+="table inet iotcount {"$'\n'
	for src in "${!IOT_SRC4[@]}"; do
		for proto in icmp tcp udp; do
			rules+="counter ${src}_${proto}4 {}"$'\n'
		done
	done
	for src in "${!IOT_SRC6[@]}"; do
		for proto in icmp tcp udp; do
			rules+="counter ${src}_${proto}6 {}"$'\n'
		done
	done
	rules+="chain pre { type filter hook prerouting priority -300;"$'\n'
	for src in "${!IOT_SRC4[@]}"; do
		rules+="ip saddr ${IOT_SRC4[$src]} icmp type echo-request counter name ${src}_icmp4"$'\n'
		rules+="ip saddr ${IOT_SRC4[$src]} meta l4proto tcp counter name ${src}_tcp4"$'\n'
		rules+="ip saddr ${IOT_SRC4[$src]} meta l4proto udp counter name ${src}_udp4"$'\n'
	done
	for src in "${!IOT_SRC6[@]}"; do
		rules+="ip6 saddr ${IOT_SRC6[$src]} icmpv6 type echo-request counter name ${src}_icmp6"$'\n'
		rules+="ip6 saddr ${IOT_SRC6[$src]} meta l4proto tcp counter name ${src}_tcp6"$'\n'
		rules+="ip6 saddr ${IOT_SRC6[$src]} meta l4proto udp counter name ${src}_udp6"$'\n'
	done
	rules+="}"$'\n'"}"
	ip netns exec "$ns" nft -f - <<< "$rules"
}

# counts NS REGEX: "NAME PACKETS" for every counter in NS whose name
# matches REGEX, read at one instant with one nft.
counts() {
	ip netns exec "$1" nft list table inet iotcount |
		awk -v re="$2" '$1 == "counter" { c = ($2 ~ re) ? $2 : ""; next }
			c != "" && $1 == "packets" { print c, $2; c = "" }' | sort
}

# count NS NAME: the packets counter NAME (e.g. camera_udp6) has seen.
count() {
	local out
	out=$(ip netns exec "$1" nft list counter inet iotcount "$2") || return 1
	out=${out#*packets }
	printf '%s\n' "${out%% *}"
}

# listen_tcp NS PORT: accept TCP connections on PORT, IPv4 and IPv6.
listen_tcp() {
	ip netns exec "$1" socat "TCP6-LISTEN:$2,ipv6only=0,reuseaddr,fork" \
		SYSTEM:true < /dev/null > /dev/null 2>&1 3>&- &
	BG_PIDS+=($!)
	busywait 20000 listening "$1" "$2"
}

# listening NS PORT: a TCP socket listens on PORT in NS, as the
# /proc/net of one of its processes says (cheaper than entering NS).
listening() {
	local pid port f local_addr state
	printf -v port ':%04X' "$2"
	for pid in $(ip netns pids "$1"); do
		for f in "/proc/$pid/net/tcp" "/proc/$pid/net/tcp6"; do
			[[ -r $f ]] || continue
			while read -r _ local_addr _ state _; do
				[[ $local_addr == *"$port" && $state == 0A ]] && return 0
			done < "$f"
		done
	done
	return 1
}

# Traffic from a namespace, one attempt each; the exit status says whether
# it got through (ICMP and TCP) or was sent (UDP).
ping_from() {
	in_ns "$1" ping -q -c "${3:-1}" -W 1 "$2" > /dev/null
}

tcp_from() {
	in_ns "$1" nc -z -w 2 "$2" "${3:-80}"
}

udp_from() {
	local dst=$2
	[[ $dst == *:* ]] && dst="[$dst]"
	echo iot | in_ns "$1" socat -u - "UDP-SENDTO:$dst:${3:-9}"
}

# run a command in the background of a namespace until cleanup
bg_in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" < /dev/null > /dev/null 2>&1 3>&- &
	BG_PIDS+=($!)
}

# iot_status FIELD: one field of "iotctl -j status" in the router; FIELD
# may also be a jq filter, as in 'wan | join(" ")'.  Plain fields are
# picked out by bash, which saves starting jq.
iot_status() {
	local json
	json=$(ip netns exec "$ROUTER" iotctl -j status) || return 1
	if [[ $1 =~ ^[a-z_]+$ && $json =~ \"$1\":\"?([^,\"\}]*) ]]; then
		printf '%s\n' "${BASH_REMATCH[1]}"
	else
		jq -r ".$1" <<< "$json"
	fi
}

# dropped N: wait until the router's drop counter has reached N.
dropped() {
	# generous: each check starts iotctl and jq in a slow TCG guest
	busywait 20000 dropped_at_least "$1" || {
		echo "dropped: $(iot_status dropped), expected $1" >&2
		return 1
	}
}

dropped_at_least() {
	(( $(iot_status dropped) >= $1 ))
}

cleanup() {
	local pid ns kids
	# The children too: "sh -c 'every 0.2 | socat ...'" killed alone
	# leaves its pipeline running, and a socat whose peer's netns is gone
	# retries for minutes, where a later test's pgrep finds it. They are
	# read from /proc (CONFIG_PROC_CHILDREN), not with a pkill per job.
	for pid in "${BG_PIDS[@]}"; do
		kids=
		read -r kids < "/proc/$pid/task/$pid/children" 2> /dev/null || true
		# shellcheck disable=SC2086 # a list of pids
		kill "$pid" $kids 2> /dev/null || true
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2> /dev/null || true
	done
	BG_PIDS=()
	if (( ${#NAMESPACES[@]} )); then
		for ns in "${NAMESPACES[@]}"; do
			echo "netns del $ns"
		done | ip -force -batch - 2> /dev/null || true
	fi
	NAMESPACES=()
}

# expect_count NS NAME N: counter NAME in NS has seen exactly N packets.
expect_count() {
	local got
	got=$(count "$1" "$2")
	if [[ $got != "$3" ]]; then
		echo "counter $2 at ${1%-*}: $got packets, expected $3" >&2
		return 1
	fi
}

# counted NS NAME N: wait until counter NAME in NS has reached N.
counted() {
	busywait 10000 count_at_least "$@" || expect_count "$@"
}

count_at_least() {
	(( $(count "$1" "$2") >= $3 ))
}

# kernel_clean: no WARN, BUG, oops, RCU stall, refcount or "waiting for ...
# to become free" in dmesg since line DMESG_FROM, and no taint but O and E.
# DMESG_FROM is set by the suite's setup.
kernel_clean() {
	local taint hits
	hits=$(dmesg | tail -n +"$(( DMESG_FROM + 1 ))" | grep -E \
		-e 'WARNING:|(^|[^[:alnum:]_])BUG[: ]|Oops|general protection' \
		-e 'rcu_sched self-detected stall|INFO: rcu|[Rr][Cc][Uu].*stall' \
		-e 'refcount|blocked for more than|to become free') || true
	if [[ -n $hits ]]; then
		printf 'kernel log:\n%s\n' "$hits" >&2
		return 1
	fi
	taint=$(< /proc/sys/kernel/tainted)
	if (( taint & ~(4096 | 8192) )); then
		echo "tainted: $taint" >&2
		return 1
	fi
}

# flowtable: offload every forwarded TCP and UDP flow of the router.  The
# bridge's ports are in it too: from 5.13 the flowtable follows the path
# through the bridge to the port, and 7.x offloads nothing whose port is
# missing.
flowtable() {
	ip netns exec "$ROUTER" nft -f - <<-EOF
	table inet flows {
		flowtable ft {
			hook ingress priority 0
			devices = { br-lan, cam0, lap0, wan0 }
		}
		chain forward {
			type filter hook forward priority 0
			meta l4proto { tcp, udp } flow add @ft
		}
	}
	EOF
}

# firewall: a router that tracks connections, as most do.
firewall() {
	ip netns exec "$ROUTER" nft -f - <<-EOF
	table inet fw {
		chain forward {
			type filter hook forward priority 0
			ct state established,related counter accept
		}
	}
	EOF
}

# offloaded: the router's conntrack shows offloaded flows from the camera.
offloaded() {
	ip netns exec "$ROUTER" conntrack -L 2> /dev/null |
		grep -q "src=${IOT_SRC4[camera]} .*OFFLOAD"
}

# kernel_mark: kernel_clean looks at dmesg from here on.
kernel_mark() {
	DMESG_FROM=$(dmesg | wc -l)
}

# The suites' setup and teardown.  A suite that loads this file and defines
# neither gets the household: the topology, wan0 its WAN interface.  A
# suite that needs more or less defines its own setup, from household,
# topology or "new_ns ROUTER router", and its own teardown only to undo
# more than cleanup does (calling cleanup first).
household() {
	topology
	iotctl_r wan add wan0
}

setup() {
	household
	kernel_mark
}

teardown() {
	cleanup
}
