#!/usr/bin/env bats
# Exceptions: a device that would be dropped still reaches the few
# destinations it needs, and nothing else, counted where packets arrive;
# lock turns what an audited device did into exceptions.

bats_require_minimum_version 1.5.0
load lib

setup() {
	household
	kernel_mark
	# The WAN host sinks TCP on port 81 and listens on 443 too.
	bg_in_ns "$WAN" socat -u TCP6-LISTEN:81,ipv6only=0,reuseaddr,fork OPEN:/dev/null
	listen_tcp "$WAN" 443
	busywait 20000 listening "$WAN" 81
}

teardown() {
	cleanup
	echo 64 > /sys/module/iot_egress/parameters/exceptions_per_device
	echo 4096 > /sys/module/iot_egress/parameters/max_exceptions
}

# send SRC PROTO DST [PORT]: one ICMP echo, TCP connection or UDP datagram
# from SRC (camera or laptop) to DST.
send() {
	local ns=$CAMERA
	[[ $1 == laptop ]] && ns=$LAPTOP
	case $2 in
	icmp) ping_from "$ns" "$3" ;;
	tcp) tcp_from "$ns" "$3" "$4" ;;
	udp) udp_from "$ns" "$3" "$4" ;;
	esac
}

# family DST: 4 or 6.
family() {
	[[ $1 == *:* ]] && echo 6 || echo 4
}

# passes SRC PROTO DST [PORT]: it arrives at the WAN host.
passes() {
	local c n
	c=${1}_${2}$(family "$3")
	n=$(count "$WAN" "$c")
	send "$@"
	counted "$WAN" "$c" $(( n + 1 ))
}

# blocked SRC PROTO DST [PORT]: the router drops it, nothing arrives.
blocked() {
	local c n d
	c=${1}_${2}$(family "$3")
	n=$(count "$WAN" "$c")
	d=$(iot_status dropped)
	# a datagram is sent all the same; a ping or a connection fails
	if [[ $2 == udp ]]; then
		send "$@"
	else
		run ! send "$@"
	fi
	dropped $(( d + 1 ))
	expect_count "$WAN" "$c" "$n"
}

# matched OWNER PREFIX: the packets the exception of OWNER for PREFIX let
# through, from "except show".
matched() {
	ip netns exec "$ROUTER" iotctl -j except show "$1" |
		jq -er --arg p "$2" '.[] | select(.prefix == $p) | .matched_packets'
}

@test "an exception gives a denied camera NTP and nothing else (IPv4, IPv6)" {
	local fam
	iotctl_r deny "$IOT_CAMERA_MAC"
	iotctl_r deny "$IOT_LAPTOP_MAC"
	iotctl_r except add "$IOT_CAMERA_MAC" 0.0.0.0/0 proto udp port 123
	iotctl_r except add "$IOT_CAMERA_MAC" ::/0 proto udp port 123

	for fam in 4 6; do
		passes camera udp "${WAN_IP[fam]}" 123
		blocked camera udp "${WAN_IP[fam]}" 9
		blocked camera tcp "${WAN_IP[fam]}" 123
		blocked camera icmp "${WAN_IP[fam]}"
		# a second denied device has no exception
		blocked laptop udp "${WAN_IP[fam]}" 123
	done
	[ "$(matched "$IOT_CAMERA_MAC" 0.0.0.0/0)" = 1 ]
	[ "$(matched "$IOT_CAMERA_MAC" ::/0)" = 1 ]
}

@test "a prefix and a port: TCP 443 inside the prefix passes, not outside it nor on 80" {
	iotctl_r deny "$IOT_CAMERA_MAC"
	iotctl_r except add "$IOT_CAMERA_MAC" 198.51.100.0/24 proto tcp port 443
	iotctl_r except add "$IOT_CAMERA_MAC" 2001:db8:2::/64 proto tcp port 440-450

	passes camera tcp "${WAN_IP[4]}" 443
	passes camera tcp "${WAN_IP[6]}" 443
	blocked camera tcp "${WAN_IP[4]}" 80
	blocked camera tcp "${WAN_IP[6]}" 80
	# 203.0.113.25 and 2001:db8:3::25 are behind the WAN host, outside
	blocked camera tcp "${FAR_IP[4]}" 443
	blocked camera tcp "${FAR_IP[6]}" 443
	blocked camera udp "${WAN_IP[4]}" 443
}

@test "an exception for any gives an unknown device NTP under default deny, and nothing else" {
	iotctl_r default deny
	iotctl_r except add any 0.0.0.0/0 proto udp port 123

	passes camera udp "${WAN_IP[4]}" 123
	blocked camera udp "${WAN_IP[4]}" 9
	blocked camera icmp "${WAN_IP[4]}"
	blocked camera udp "${WAN_IP[6]}" 123
	[ "$(matched any 0.0.0.0/0)" = 1 ]

	# an allowed device is not affected: all of its traffic passes, and
	# none of it counts on the exception
	iotctl_r allow "$IOT_LAPTOP_MAC"
	passes laptop udp "${WAN_IP[4]}" 123
	passes laptop udp "${WAN_IP[4]}" 9
	[ "$(matched any 0.0.0.0/0)" = 1 ]
}

@test "save and load reproduce the exceptions; a broken except line changes nothing" {
	local f=$BATS_TEST_TMPDIR/policy
	cat > "$f" <<-EOF
	default allow
	wan add wan0
	deny $IOT_CAMERA_MAC name cam
	except $IOT_CAMERA_MAC 2001:db8:2::/64 proto tcp port 8000-8080
	except $IOT_CAMERA_MAC 198.51.100.0/24 proto udp port 123
	except any ::/0 proto udp port 123
	except any 203.0.113.0/24
	EOF
	iotctl_r load "$f"
	ip netns exec "$ROUTER" iotctl save > "$BATS_TEST_TMPDIR/saved"
	run -0 grep -c '^except ' "$BATS_TEST_TMPDIR/saved"
	[ "$output" = 4 ]
	run -0 grep -Fx "except $IOT_CAMERA_MAC 2001:db8:2::/64 proto tcp port 8000-8080" "$BATS_TEST_TMPDIR/saved"
	run -0 grep -Fx "except any 203.0.113.0/24" "$BATS_TEST_TMPDIR/saved"

	# what was saved loads back to the same policy
	iotctl_r flush
	iotctl_r load "$BATS_TEST_TMPDIR/saved"
	ip netns exec "$ROUTER" iotctl save > "$BATS_TEST_TMPDIR/again"
	diff <(grep -v '^#' "$BATS_TEST_TMPDIR/saved") <(grep -v '^#' "$BATS_TEST_TMPDIR/again")
	passes camera udp "${WAN_IP[4]}" 123

	# host bits set on line 5: the file is refused, the policy stays
	sed '5s|198.51.100.0/24|198.51.100.1/24|' "$f" > "$BATS_TEST_TMPDIR/broken"
	sed -i '5s|udp port 123|udp port 124|' "$BATS_TEST_TMPDIR/broken"
	run -2 ip netns exec "$ROUTER" iotctl load "$BATS_TEST_TMPDIR/broken"
	[[ $output == *"broken:5: "*"'198.51.100.1/24'"* ]]
	ip netns exec "$ROUTER" iotctl save > "$BATS_TEST_TMPDIR/after"
	diff <(grep -v '^#' "$BATS_TEST_TMPDIR/saved") <(grep -v '^#' "$BATS_TEST_TMPDIR/after")
	passes camera udp "${WAN_IP[4]}" 123
	blocked camera udp "${WAN_IP[4]}" 124
}

# ct_id: the conntrack id of the camera's TCP connection to port 81.
ct_id() {
	ip netns exec "$ROUTER" conntrack -L -p tcp --dport 81 -o id 2> /dev/null |
		sed -n "s/^.*src=${IOT_SRC4[camera]} .* id=\([0-9]*\).*$/\1/p"
}

# flowing81: the camera's stream to port 81 still arrives at the WAN host.
flowing81() {
	local n
	n=$(count "$WAN" camera_tcp4)
	busywait 30000 count_at_least "$WAN" camera_tcp4 $(( n + 2 ))
}

@test "lock keeps what an audited camera did, and cuts nothing it keeps" {
	local id lines
	# a router that tracks connections: the id shows the stream's stays
	firewall
	iotctl_r audit "$IOT_CAMERA_MAC"
	# two destinations, each reached more than once ...
	passes camera udp "${WAN_IP[4]}" 123
	passes camera udp "${WAN_IP[4]}" 123
	bg_in_ns "$CAMERA" sh -c "$BATS_TEST_DIRNAME/every 0.2 |
		socat -u - TCP:${WAN_IP[4]}:81"
	flowing81
	# ... and a third, once
	passes camera icmp "${FAR_IP[4]}"
	id=$(ct_id)
	[ -n "$id" ]

	run -0 ip netns exec "$ROUTER" iotctl lock "$IOT_CAMERA_MAC" min-count 2 dry-run
	lines=$(grep -v '^#' <<< "$output" | sort)
	[ "$lines" = "$(printf '%s\n' \
		"deny $IOT_CAMERA_MAC" \
		"except $IOT_CAMERA_MAC ${WAN_IP[4]}/32 proto tcp port 81" \
		"except $IOT_CAMERA_MAC ${WAN_IP[4]}/32 proto udp port 123" | sort)" ]
	# a dry run changes nothing
	[ "$(devices "$ROUTER")" = "$IOT_CAMERA_MAC audit" ]

	run -0 ip netns exec "$ROUTER" iotctl -j lock "$IOT_CAMERA_MAC" min-count 2
	[ "$(jq -r .kept <<< "$output")" = 2 ]
	[ "$(jq -r .below_min_count <<< "$output")" = 1 ]
	[ "$(devices "$ROUTER")" = "$IOT_CAMERA_MAC deny" ]

	# the two pass, the stream goes on in the same connection, the third
	# is dropped
	passes camera udp "${WAN_IP[4]}" 123
	flowing81
	[ "$(ct_id)" = "$id" ]
	blocked camera icmp "${FAR_IP[4]}"
	blocked camera udp "${WAN_IP[4]}" 9
}

@test "except del cuts an offloaded TCP connection that only it let through, within a second" {
	local before after
	flowtable
	iotctl_r deny "$IOT_CAMERA_MAC"
	iotctl_r except add "$IOT_CAMERA_MAC" "${WAN_IP[4]}/32" proto tcp port 81
	bg_in_ns "$CAMERA" sh -c "$BATS_TEST_DIRNAME/every 0.2 |
		socat -u - TCP:${WAN_IP[4]}:81"
	flowing81
	busywait 20000 offloaded

	run -0 ip netns exec "$ROUTER" iotctl -j except del "$IOT_CAMERA_MAC" "${WAN_IP[4]}/32" proto tcp port 81
	(( $(jq -r .cut_connections <<< "$output") >= 1 ))
	sleep 1
	before=$(count "$WAN" camera_tcp4)
	sleep 2
	after=$(count "$WAN" camera_tcp4)
	[ "$after" = "$before" ]
}

@test "the kernel refuses what it cannot do, each with its message" {
	run -1 ip netns exec "$ROUTER" iotctl except add "$IOT_CAMERA_MAC" 0.0.0.0/0
	[[ $output == *"device not in the table"* ]]

	iotctl_r deny "$IOT_CAMERA_MAC"
	iotctl_r except add "$IOT_CAMERA_MAC" 0.0.0.0/0 proto udp port 123
	run -1 ip netns exec "$ROUTER" iotctl except add "$IOT_CAMERA_MAC" 0.0.0.0/0 proto udp port 123
	[[ $output == *"exception exists"* ]]
	run -1 ip netns exec "$ROUTER" iotctl except del "$IOT_CAMERA_MAC" 0.0.0.0/0 proto udp port 124
	[[ $output == *"no such exception"* ]]

	# exceptions_per_device, then max_exceptions
	echo 2 > /sys/module/iot_egress/parameters/exceptions_per_device
	iotctl_r except add "$IOT_CAMERA_MAC" 203.0.113.0/24
	run -1 ip netns exec "$ROUTER" iotctl except add "$IOT_CAMERA_MAC" 198.51.100.0/24
	[[ $output == *"too many exceptions for one device (exceptions_per_device)"* ]]
	echo 3 > /sys/module/iot_egress/parameters/max_exceptions
	iotctl_r except add any ::/0 proto udp port 123
	run -1 ip netns exec "$ROUTER" iotctl except add any 0.0.0.0/0 proto udp port 123
	[[ $output == *"too many exceptions in this netns (max_exceptions)"* ]]
	[ "$(iot_status exceptions)" = 3 ]

	# deleting the device deletes its exceptions
	iotctl_r del "$IOT_CAMERA_MAC"
	[ "$(iot_status exceptions)" = 1 ]
	kernel_clean
}
