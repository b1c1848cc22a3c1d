#!/usr/bin/env bats
# A deny cuts the device's connections by walking the whole conntrack
# table, after the change is published and with no lock the netdevice
# notifier needs. RTNL users go on meanwhile: here, renames of an
# interface of the router, whose notifier takes the netns's lock under
# RTNL, keep coming while 150,000 connections are cut.

bats_require_minimum_version 1.5.0
load lib

# UDP flows from the camera: each port of each address, from each of
# SOCKETS sockets, is one entry; FLOWS of them. The cut must take long
# enough for a stalled rename to stand out from a slow one on a busy host.
SOCKETS=3
PORTS=25000
FLOW_IPS=("${WAN_IP[4]}" "${FAR_IP[4]}")
FLOWS=$(( SOCKETS * PORTS * ${#FLOW_IPS[@]} ))

setup() {
	household
	# Conntrack in the router, with room for the flows, and UDP entries
	# that outlive the test.
	ip netns exec "$ROUTER" nft -f - <<-EOF
	table inet fw {
		chain forward {
			type filter hook forward priority 0
			ct state established counter accept
		}
	}
	EOF
	CT_MAX=$(sysctl -n net.netfilter.nf_conntrack_max)
	BACKLOG=$(sysctl -n net.core.netdev_max_backlog)
	sysctl -qw net.netfilter.nf_conntrack_max=$(( FLOWS * 2 ))
	sysctl -qw net.core.netdev_max_backlog=100000
	ip netns exec "$ROUTER" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600
	ip -n "$ROUTER" link add rn0 type dummy
	kernel_mark
}

teardown() {
	cleanup
	sysctl -qw net.netfilter.nf_conntrack_max="$CT_MAX"
	sysctl -qw net.core.netdev_max_backlog="$BACKLOG"
}

# flows: the camera opens FLOWS UDP flows through the router to the WAN.
flows() {
	# shellcheck disable=SC2016 # python, not shell
	in_ns "$CAMERA" python3 -c '
import socket, sys
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for dst in sys.argv[3:]:
        for port in range(1, int(sys.argv[2]) + 1):
            s.sendto(b"x", (dst, port))
' "$SOCKETS" "$PORTS" "${FLOW_IPS[@]}"
}

entries() {
	ip netns exec "$ROUTER" conntrack -C
}

# renames FILE: rename rn0 to rn1 and back, for ever, with the time of
# each rename in FILE.
renames() {
	local i=0
	while ip -n "$ROUTER" link set "rn$(( i % 2 ))" name "rn$(( (i + 1) % 2 ))"; do
		echo "$EPOCHREALTIME" >> "$1"
		i=$(( i + 1 ))
	done
}

@test "renames under RTNL go on while a deny cuts a large conntrack table" {
	local times=$BATS_TEST_TMPDIR/renames t0 t1 cut n
	flows
	n=$(entries)
	echo "# $n conntrack entries" >&3
	(( n >= FLOWS * 9 / 10 ))

	renames "$times" &
	BG_PIDS+=($!)
	busywait 20000 test -s "$times"
	t0=$EPOCHREALTIME
	run -0 iotctl_r deny "$IOT_CAMERA_MAC"
	t1=$EPOCHREALTIME
	kill "${BG_PIDS[-1]}"
	wait "${BG_PIDS[-1]}" || true
	echo "# $output" >&3
	[[ $output =~ cut\ ([0-9]+)\ connection ]]
	cut=${BASH_REMATCH[1]}
	(( cut >= n * 9 / 10 ))
	(( $(entries) < n - cut + 100 ))

	# The longest wait between renames while the deny ran: with the cut
	# under the notifier's lock, it would be the whole cut.
	# shellcheck disable=SC2016 # an awk program
	run -0 awk -v t0="$t0" -v t1="$t1" '
		BEGIN { last = t0 }
		$1 < t0 { next }
		$1 > t1 { exit }
		{ n++; if ($1 - last > gap) gap = $1 - last; last = $1 }
		END {
			if (t1 - last > gap) gap = t1 - last
			printf "%d %.2f %.2f\n", n, gap, t1 - t0
		}' "$times"
	read -r n gap took <<< "$output"
	echo "# the deny took ${took}s; $n renames meanwhile, at most ${gap}s apart" >&3
	# the cut was long enough to tell, and RTNL did not wait for it
	awk -v took="$took" 'BEGIN { exit !(took >= 2) }'
	(( n >= 3 ))
	awk -v gap="$gap" -v took="$took" 'BEGIN { exit !(gap < took / 2) }'
	kernel_clean
}
