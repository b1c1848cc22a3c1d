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
# Suites call topology from setup and cleanup from teardown.

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

NAMESPACES=()
BG_PIDS=()

# Echo a command, as a terminal session would show it, then run it.
# Output goes to stderr so that $(...) captures only the command's output.
show() {
	echo "# $*" >&2
	"$@"
}

# Run in a namespace, echoing "[ns] cmd".  The short names (router, cam,
# lap, wan, nas) keep the tests readable.
in_ns() {
	local ns=$1
	shift
	echo "# [${ns%-*}] $*" >&2
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
		sleep 0.1
	done
}

# new_ns VAR PREFIX: a fresh namespace named PREFIX-<random>, its name in
# VAR, with loopback up and IPv6 DAD and RA processing off.
new_ns() {
	local -n _var=$1
	local name
	name=$2-$(printf '%04x%04x' "$RANDOM" "$RANDOM")
	ip netns add "$name"
	NAMESPACES+=("$name")
	_var=$name
	ip netns exec "$name" sh -c '
		sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_ra=0 \
			net.ipv6.conf.default.accept_ra=0 \
			net.ipv6.conf.default.keep_addr_on_down=1 \
			net.ipv6.conf.all.keep_addr_on_down=1
		ip link set lo up'
}

# veth NS1 IF1 NS2 IF2 [MAC2]: a veth pair made in NS1 with its peer in NS2.
veth() {
	local ns1=$1 if1=$2 ns2=$3 if2=$4 mac=${5:-}
	ip -n "$ns1" link add "$if1" type veth peer name "$if2" netns "$ns2"
	if [[ -n $mac ]]; then
		ip -n "$ns2" link set "$if2" address "$mac"
	fi
	ip -n "$ns1" link set "$if1" up
	ip -n "$ns2" link set "$if2" up
}

# host NS IF ADDR4/LEN ADDR6/LEN GW4 GW6: address an end host and route
# everything through its gateway.
host_addr() {
	local ns=$1 ifname=$2
	ip -n "$ns" addr add "$3" dev "$ifname"
	ip -n "$ns" addr add "$4" dev "$ifname" nodad
	ip -n "$ns" route add default via "$5"
	ip -n "$ns" -6 route add default via "$6"
}

topology() {
	new_ns ROUTER router
	new_ns CAMERA camera
	new_ns LAPTOP laptop
	new_ns WAN wan
	new_ns NAS nas

	ip -n "$ROUTER" link add br-lan address 02:00:00:00:01:01 type bridge
	ip -n "$ROUTER" link set br-lan up
	veth "$ROUTER" cam0 "$CAMERA" eth0 "$IOT_CAMERA_MAC"
	veth "$ROUTER" lap0 "$LAPTOP" eth0 "$IOT_LAPTOP_MAC"
	ip -n "$ROUTER" link set cam0 master br-lan
	ip -n "$ROUTER" link set lap0 master br-lan
	veth "$ROUTER" wan0 "$WAN" eth0
	veth "$ROUTER" lan2 "$NAS" eth0

	ip -n "$ROUTER" addr add 192.0.2.1/24 dev br-lan
	ip -n "$ROUTER" addr add 2001:db8:1::1/64 dev br-lan nodad
	ip -n "$ROUTER" addr add 198.51.100.1/24 dev wan0
	ip -n "$ROUTER" addr add 2001:db8:2::1/64 dev wan0 nodad
	ip -n "$ROUTER" addr add 203.0.113.129/25 dev lan2
	ip -n "$ROUTER" addr add 2001:db8:4::1/64 dev lan2 nodad
	ip -n "$ROUTER" route add 203.0.113.25/32 via 198.51.100.2
	ip -n "$ROUTER" -6 route add 2001:db8:3::25/128 via 2001:db8:2::2
	ip netns exec "$ROUTER" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1

	host_addr "$CAMERA" eth0 192.0.2.10/24 2001:db8:1::10/64 192.0.2.1 2001:db8:1::1
	host_addr "$LAPTOP" eth0 192.0.2.20/24 2001:db8:1::20/64 192.0.2.1 2001:db8:1::1
	host_addr "$WAN" eth0 198.51.100.2/24 2001:db8:2::2/64 198.51.100.1 2001:db8:2::1
	ip -n "$WAN" addr add 203.0.113.25/32 dev lo
	ip -n "$WAN" addr add 2001:db8:3::25/128 dev lo
	host_addr "$NAS" eth0 203.0.113.130/25 2001:db8:4::2/64 203.0.113.129 2001:db8:4::1

	counters "$WAN"
	counters "$NAS"
	listen_tcp "$WAN" 80
	listen_tcp "$NAS" 80

	# Until every path answers, the topology is not ready.
	busywait 5000 reachable "$CAMERA" 198.51.100.2
	busywait 5000 reachable "$LAPTOP" 203.0.113.130
	busywait 5000 reachable "$CAMERA" 2001:db8:2::2
	busywait 5000 reachable "$LAPTOP" 2001:db8:4::2
}

reachable() {
	ip netns exec "$1" ping -q -c 1 -W 1 "$2" > /dev/null 2>&1
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
	busywait 5000 listening "$1" "$2"
}

listening() {
	ip netns exec "$1" ss -Htln "sport = :$2" | grep -q .
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

# iot_status FIELD: one field of "iotctl -j status" in the router.
iot_status() {
	ip netns exec "$ROUTER" iotctl -j status | jq -r ".$1"
}

# dropped N: wait until the router's drop counter has reached N.
dropped() {
	busywait 3000 dropped_at_least "$1" || {
		echo "dropped: $(iot_status dropped), expected $1" >&2
		return 1
	}
}

dropped_at_least() {
	(( $(iot_status dropped) >= $1 ))
}

cleanup() {
	local pid ns
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2> /dev/null || true
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2> /dev/null || true
	done
	BG_PIDS=()
	for ns in "${NAMESPACES[@]}"; do
		ip netns pids "$ns" 2> /dev/null | xargs -r kill 2> /dev/null || true
		ip netns del "$ns" 2> /dev/null || true
	done
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
	busywait 3000 count_at_least "$@" || expect_count "$@"
}

count_at_least() {
	(( $(count "$1" "$2") >= $3 ))
}
