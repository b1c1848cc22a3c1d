#!/usr/bin/env bats
# The nftables fallback: when iot_egress cannot be loaded, the unit
# enforces the same policy file with nftables (iotctl apply), and every
# device gets the verdict the module would give it.
#
# The differential test sends, from the camera's namespace, Ethernet frames
# from a few hundred made-up devices (one source MAC and one IPv4 and IPv6
# source address each) to the WAN host and to the NAS, and counts them at
# both, per source address and round, in dynamic nftables sets:
#
#   camera: eth0 --(MAC 1..N)--> router: br-lan --> wan0 --> WAN host
#           tun0 (IPIP: no MAC) -->             \-> lan2 --> NAS
#
# One round for each default (allow, deny) and WAN names (wan0 and ppp0,
# or none) under the module, then the same four under the fallback.
#
# Both tests share one topology (it is the slowest part in a TCG guest);
# each undoes what it changed in it.

# shellcheck disable=SC2154 # bats' run sets $stderr and $stderr_lines
bats_require_minimum_version 1.5.0
load lib

# Made-up devices (more than 200, on the LAN's free addresses
# 192.0.2.30 to .249: at most 220), and one allowed in every policy.
N_DEVICES=${N_DEVICES:-220}
MARKER="02:00:00:00:ff:fe 192.0.2.250 2001:db8:1::ff:fe allow - marker"
TUNNEL_SRC=203.0.113.66
# Round r counts at UDP port PORT0 + r.
PORT0=7000
PG=/proc/net/pktgen

setup_file() {
	topology
	export ROUTER CAMERA LAPTOP WAN NAS
}

teardown_file() {
	# (the same shell as setup_file's, normally: then it has the lists)
	if (( ${#NAMESPACES[@]} == 0 )); then
		NAMESPACES=("$ROUTER" "$CAMERA" "$LAPTOP" "$WAN" "$NAS")
	fi
	cleanup
}

setup() {
	kernel_mark
	ETC=$BATS_TEST_TMPDIR/etc
	mkdir -p "$ETC/iot-egress"
	KO=
	# what this test starts in the background (BG_PIDS is the topology's)
	TEST_PIDS=()
}

teardown() {
	# pktgen first: it holds cam0, and its "start" blocks until stopped
	if [[ -e $PG/pgctrl ]]; then
		ip netns exec "$ROUTER" sh -c "echo stop > $PG/pgctrl" 2> /dev/null || true
	fi
	local pid
	for pid in "${TEST_PIDS[@]}"; do
		kill "$pid" 2> /dev/null || true
		wait "$pid" 2> /dev/null || true
	done
	ip -n "$CAMERA" link del tun0 2> /dev/null || true
	ip -n "$ROUTER" link del tun0 2> /dev/null || true
	ip netns exec "$ROUTER" nft delete table inet iot_egress_fallback 2> /dev/null || true
	# the next suites expect the module modprobe finds, loaded
	if [[ -n $KO ]]; then
		cp "$BATS_TEST_TMPDIR/good.ko" "$KO"
		modprobe iot_egress
	fi
}

# ---- the unit, as systemd runs it ----

# unit start|reload: the unit's ExecStart (or ExecReload) lines in the
# router, in order, with iotctl from the tree and the policy in $ETC; the
# first that fails fails the unit, as with systemd.  A restart is a
# start: the unit has no ExecStop.
unit() {
	local key=ExecStart cmd
	[[ $1 == reload ]] && key=ExecReload
	while IFS= read -r cmd; do
		cmd=${cmd//@SBINDIR@/$BATS_TEST_DIRNAME/../../userspace}
		cmd=${cmd//@SYSCONFDIR@/$ETC}
		say_cmd "[router] $cmd"
		# shellcheck disable=SC2086 # systemd splits the line on blanks
		ip netns exec "$ROUTER" $cmd < /dev/null || return
	done < <(sed -n "s/^$key=//p" "$BATS_TEST_DIRNAME/../../packaging/iot-egress.service.in")
}

# Unloads iot_egress and puts, where modprobe finds it, a copy whose
# version magic this kernel refuses.
module_unloadable() {
	KO=$(modinfo -n iot_egress)
	cp "$KO" "$BATS_TEST_TMPDIR/good.ko"
	if [[ -d /sys/module/iot_egress ]]; then rmmod iot_egress; fi
	perl -0777 -pe 's/(vermagic=\S+) SMP /$1 PMS /' "$BATS_TEST_TMPDIR/good.ko" > "$KO"
	! cmp -s "$BATS_TEST_TMPDIR/good.ko" "$KO" || {
		echo "no 'SMP' in the version magic of $KO to change" >&2
		return 1
	}
}

module_loadable() {
	cp "$BATS_TEST_TMPDIR/good.ko" "$KO"
}

# pktgen_flood: the camera's MAC and address, UDP to the WAN host, handed
# to the router's cam0 as if received, 1000 per second, until stopped.
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
	TEST_PIDS+=($!)
}

pktgen_stop() {
	ip netns exec "$ROUTER" sh -c "echo stop > $PG/pgctrl"
}

# ---- the differential test ----

# The four policies: default, and WAN names "named" (ppp0, which does not
# exist, and wan0) or "none".
CONFIGS=("allow named" "deny named" "allow none" "deny none")

# devices SEED DIR: DIR/devices, N_DEVICES lines "MAC IPV4 IPV6 POLICY
# EXC [LABEL]" (POLICY deny, allow, audit or -: not in the file, the
# default applies; EXC 4, 6, 46 or -: the device's exceptions let its UDP
# to the WAN host through over IPv4, IPv6; a label on about half) and the
# marker; and DIR/policy0 to 3, the policy file of each of CONFIGS, with
# the MACs in each of the spellings iotctl reads, and an exception for any
# device to the NAS over IPv4.
devices() {
	if (( N_DEVICES > 220 )); then
		echo "N_DEVICES=$N_DEVICES: the LAN has room for 220" >&2
		return 1
	fi
	awk -v seed="$1" -v n="$N_DEVICES" -v marker="$MARKER" -v dir="$2" \
		-v configs="$(printf '%s;' "${CONFIGS[@]}")" 'BEGIN {
		srand(seed)
		split("deny allow audit -", policy, " ")
		for (i = 0; i < n; i++) {
			# unicast, locally administered; the index makes it unique
			p = policy[1 + int(rand() * 4)]
			# exceptions of its own (a device in the file only):
			# the WAN host over IPv4, over IPv6, or both
			r = rand()
			ex = p == "-" || r >= 0.4 ? "-" : r < 0.15 ? "4" : r < 0.3 ? "6" : "46"
			dev[i] = sprintf("%02x:%02x:%02x:%02x:%02x:%02x 192.0.2.%d 2001:db8:1::1:%x %s %s%s",
				int(rand() * 64) * 4 + 2, int(rand() * 256),
				int(rand() * 256), int(rand() * 256), int(i / 256),
				i % 256, 30 + i, i,
				p, ex, rand() < 0.5 ? " d" i : "")
			print dev[i] > (dir "/devices")
		}
		dev[n] = marker
		print marker > (dir "/devices")
		nc = split(configs, config, ";") - 1
		for (c = 0; c < nc; c++) {
			f = dir "/policy" c
			split(config[c + 1], cf, " ")
			print "# the differential test: default " cf[1] ", WAN " cf[2] > f
			print "default " cf[1] > f
			if (cf[2] == "named")
				print "wan add ppp0\nwan add wan0" > f
			for (i = 0; i <= n; i++) {
				split(dev[i], d, " ")
				if (d[4] == "-")
					continue
				m = d[1]
				if (i % 3 == 1) {
					gsub(":", "-", m)
					m = toupper(m)
				} else if (i % 3 == 2) {
					gsub(":", "", m)
					m = substr(m, 1, 4) "." substr(m, 5, 4) "." substr(m, 9)
				}
				print d[4], m (d[6] != "" ? " name " d[6] : "") > f
				if (d[5] ~ /4/)
					print "except", m, "198.51.100.0/24 proto udp" > f
				if (d[5] ~ /6/)
					print "except", m, "2001:db8:2::/64 proto udp port 7000-7099" > f
			}
			# every device that would be dropped may reach the NAS
			# over IPv4, where the NAS is WAN-bound
			print "except any 203.0.113.128/25" > f
			close(f)
		}
	}'
}

# count_sources NS...: in each NS a set of the UDP datagrams to ports
# 7000-7099, per source address and port, with counters; counted and
# dropped before anything else sees them.
count_sources() {
	local ns
	for ns in "$@"; do
		ip netns exec "$ns" nft -f - <<-EOF
		table inet diff {
			set v4 { type ipv4_addr . inet_service; size 65536; flags dynamic; counter; }
			set v6 { type ipv6_addr . inet_service; size 65536; flags dynamic; counter; }
			chain pre {
				type filter hook prerouting priority -310; policy accept;
				udp dport 7000-7099 update @v4 { ip saddr . udp dport }
				udp dport 7000-7099 update @v6 { ip6 saddr . udp dport }
				udp dport 7000-7099 drop
			}
		}
		EOF
	done
}

# listing NS FILE ADDR PORT: NS's counts into FILE, if ADDR's datagram to
# PORT is among them.
listing() {
	ip netns exec "$1" nft list table inet diff > "$2"
	grep -q "$3 \. $4 counter packets [1-9]" "$2"
}

# An IPIP tunnel from the camera to the router, as in policy.bats, for
# the address behind the WAN host: the router forwards what comes out of
# it from tun0, which has no MAC header.
tunnel() {
	in_batch "$CAMERA" <<-EOF
	link add tun0 type ipip local ${IOT_SRC4[camera]} remote 192.0.2.1
	addr add $TUNNEL_SRC peer 203.0.113.65 dev tun0
	link set tun0 up
	route add ${FAR_IP[4]}/32 dev tun0 src $TUNNEL_SRC
	EOF
	in_batch "$ROUTER" <<-EOF
	link add tun0 type ipip local 192.0.2.1 remote ${IOT_SRC4[camera]}
	addr add 203.0.113.65 peer $TUNNEL_SRC dev tun0
	link set tun0 up
	EOF
}

# verdicts DEVICES WAN_LISTING NAS_LISTING ROUNDS...: compares what each
# round let through, device by device, with what the policy says, and the
# module's rounds with the fallback's; ROUNDS are "PORT ENFORCER DEFAULT
# WAN". Prints the differences and a summary; fails on any difference.
verdicts() {
	local devs=$1 wanl=$2 nasl=$3
	shift 3
	awk -v rounds="$(printf '%s;' "$@")" -v tunnel="$TUNNEL_SRC" '
	function parse(host, line,    f) {
		while (match(line, /[0-9a-f:.]+ \. [0-9]+ counter packets [0-9]+/)) {
			split(substr(line, RSTART, RLENGTH), f, " ")
			got[host, f[1], f[3]] = f[6]
			line = substr(line, RSTART + RLENGTH)
		}
	}
	FILENAME == ARGV[1] { n++; mac[n] = $1; a4[n] = $2; a6[n] = $3; pol[n] = $4; ex[n] = $5; next }
	FILENAME == ARGV[2] { parse("wan", $0); next }
	FILENAME == ARGV[3] { parse("nas", $0); next }
	END {
		nr = split(rounds, r, ";") - 1
		for (i = 1; i <= nr; i++) {
			split(r[i], f, " ")
			port = f[1]; enf = f[2]; def = f[3]; wan = f[4]
			for (d = 1; d <= n; d++) {
				p = pol[d] == "-" ? def : pol[d]
				for (h = 0; h < 2; h++) {
					host = h ? "nas" : "wan"
					for (v = 4; v <= 6; v += 2) {
						# the NAS is WAN-bound only with no WAN
						# name; what would be dropped passes if
						# an exception lets it through
						excepted = host == "nas" ? v == 4 : index(ex[d], v) > 0
						out = host == "wan" || wan == "none" ? (p != "deny" || excepted) : 1
						g = got[host, v == 4 ? a4[d] : a6[d], port] + 0
						seen[enf, d, host, v, def, wan] = g
						if (g != out && ++bad <= 20)
							printf "round %s (%s, default %s, WAN %s): %s (%s) IPv%d to the %s: %d packets, expected %d\n",
								port, enf, def, wan, mac[d], pol[d], v, toupper(host), g, out
						through += out
						dropped += !out
					}
				}
			}
			# not from an Ethernet device: never matched
			if (got["wan", tunnel, port] != 1 && ++bad <= 20)
				printf "round %s (%s, default %s, WAN %s): the tunnel to the WAN: %d packets, expected 1\n",
					port, enf, def, wan, got["wan", tunnel, port]
		}
		for (k in seen) {
			split(k, f, SUBSEP)
			if (f[1] == "module" &&
			    seen["fallback", f[2], f[3], f[4], f[5], f[6]] != seen[k])
				differ++
		}
		printf "%d devices, %d rounds: %d datagrams expected through, %d dropped; %d wrong; module and fallback differ on %d\n",
			n, nr, through, dropped, bad, differ
		exit bad || differ
	}' "$devs" "$wanl" "$nasl"
}

@test "differential: every device gets the same verdict from the fallback as from the module" {
	local seed=${FALLBACK_SEED:-$(( (RANDOM << 15) | RANDOM ))}
	local dir=$BATS_TEST_TMPDIR rounds=() c e def wan port ack
	echo "# seed $seed (FALLBACK_SEED=$seed reruns it)" >&3

	devices "$seed" "$dir"
	: > "$dir/empty"
	tunnel
	count_sources "$WAN" "$NAS"

	coproc SENDER {
		ip netns exec "$CAMERA" "$BATS_TEST_DIRNAME/fallback-send" eth0 \
			02:00:00:00:01:01 "$dir/devices" "$TUNNEL_SRC" "${FAR_IP[4]}" \
			"${WAN_IP[4]}" "${WAN_IP[6]}" "${NAS_IP[4]}" "${NAS_IP[6]}" 2>&1
	}
	for e in module fallback; do
		# the module steps aside: an empty policy has no hooks
		[[ $e == fallback ]] && iotctl_r load "$dir/empty"
		for c in 0 1 2 3; do
			read -r def wan <<< "${CONFIGS[c]}"
			port=$(( PORT0 + ${#rounds[@]} ))
			if [[ $e == module ]]; then
				iotctl_r load "$dir/policy$c"
			else
				show iotctl fallback "$dir/policy$c" > "$dir/fallback$c.nft"
				router nft -f "$dir/fallback$c.nft"
			fi
			say_cmd "[camera] fallback-send: round $port"
			echo "$port" >&"${SENDER[1]}"
			read -r ack <&"${SENDER[0]}"
			[[ $ack == "sent "* ]] || { echo "fallback-send: $ack" >&2; return 1; }
			rounds+=("$port $e $def $wan")
		done
	done
	router nft delete table inet iot_egress_fallback
	# end of input: the sender exits
	local wfd=${SENDER[1]}
	exec {wfd}>&-

	# the last round is in when its marker is
	busywait 10000 listing "$WAN" "$dir/wan.txt" 192.0.2.250 "$port"
	busywait 10000 listing "$NAS" "$dir/nas.txt" 2001:db8:1::ff:fe "$port"
	run verdicts "$dir/devices" "$dir/wan.txt" "$dir/nas.txt" "${rounds[@]}"
	echo "$output"
	echo "# ${lines[-1]}" >&3
	[ "$status" -eq 0 ] || { echo "seed $seed" >&2; false; }
	kernel_clean
}

# policy_conf: the unit's policy file: default deny, the WAN wan0, the
# camera denied and the laptop allowed.
policy_conf() {
	cat > "$ETC/iot-egress/policy.conf" <<-EOF
	# the household
	default deny
	wan add wan0
	deny $IOT_CAMERA_MAC name camera
	allow $IOT_LAPTOP_MAC name laptop
	EOF
}

# broken_reload_changes_nothing STATE_CMD...: a reload of a policy file
# with a bad line 6 fails with the message "iotctl load" of it gives, and
# STATE_CMD prints the same before and after.
broken_reload_changes_nothing() {
	local conf=$ETC/iot-egress/policy.conf before
	before=$("$@")
	cp "$conf" "$conf.good"
	echo "allow 02:00:00:00:00:0g name typo" >> "$conf"
	if [[ -z ${LOAD_ERR:-} ]]; then
		run -2 --separate-stderr iotctl load "$conf"
		LOAD_ERR=$stderr
		[[ $LOAD_ERR == "iotctl: $conf:6: invalid MAC address: '02:00:00:00:00:0g'" ]]
	fi
	run -2 --separate-stderr unit reload
	[[ ${stderr_lines[-1]} == "$LOAD_ERR" ]]
	[[ $("$@") == "$before" ]]
	mv "$conf.good" "$conf"
}

fallback_table() {
	ip netns exec "$ROUTER" nft -s list table inet iot_egress_fallback
}

# fallback_dropped N: wait until the fallback has dropped N packets. Not
# with "iotctl status": once the module can load, any iotctl request
# loads it (its netlink family's alias).
fallback_dropped() {
	busywait 20000 fallback_dropped_at_least "$1"
}

fallback_dropped_at_least() {
	local out
	out=$(ip netns exec "$ROUTER" nft list counter inet iot_egress_fallback dropped)
	out=${out#*packets }
	(( ${out%% *} >= $1 ))
}

@test "boot without the module: the fallback enforces, reloads; a restart hands over with no leak" {
	local conf=$ETC/iot-egress/policy.conf n sent
	local reason="modprobe: ERROR: could not insert 'iot_egress': Exec format error"
	policy_conf
	module_unloadable

	# the unit ends active, and says why and what enforces instead
	run -0 --separate-stderr unit start
	[[ ${stderr_lines[0]} == "iotctl: the iot_egress module is not loaded: $reason" ]]
	[[ ${stderr_lines[1]} == "iotctl: the nftables fallback enforces $conf instead (table inet iot_egress_fallback): 2 devices, default deny, WAN wan0" ]]
	[[ ${#stderr_lines[@]} == 2 && -z $output ]]

	# the camera is off the WAN but on the LAN, the laptop on the WAN
	# (the differential test has every family, default and WAN setting)
	n=$(count "$WAN" camera_icmp6)
	run ! ping_from "$CAMERA" "${WAN_IP[6]}"
	expect_count "$WAN" camera_icmp6 "$n"
	run ! ping_from "$CAMERA" "${FAR_IP[4]}"
	ping_from "$CAMERA" "${NAS_IP[4]}"
	ping_from "$LAPTOP" "${WAN_IP[4]}"

	run -0 iotctl_r status
	[[ ${lines[0]} == "module: not loaded" ]]
	[[ ${lines[1]} == "fallback: nftables" ]]
	[[ ${lines[2]} == "reason: $reason" ]]
	[[ ${lines[3]} == "table: inet iot_egress_fallback" ]]
	[[ ${lines[4]} == "default: deny" ]]
	[[ ${lines[5]} == "devices: 2 (1 deny, 1 allow or audit)" ]]
	[[ ${lines[6]} == "wan: wan0" ]]
	[[ ${lines[7]} == "dropped: 2" ]]
	run -0 iotctl_r -j status
	[[ $(jq -r '[.fallback, .fallback_reason, .default, .devices, .deny, .allow, (.wan | join(" ")), .dropped] | join("|")' <<< "$output") == \
		"nftables|$reason|deny|2|1|1|wan0|2" ]]

	# a reload applies the edited file: the camera on, the laptop off
	sed -i -e 's/^deny /x /' -e 's/^allow /deny /' -e 's/^x /allow /' "$conf"
	run -0 unit reload
	ping_from "$CAMERA" "${WAN_IP[4]}"
	run ! ping_from "$LAPTOP" "${WAN_IP[4]}"
	policy_conf
	run -0 unit reload
	# a broken file changes nothing, with load's message
	broken_reload_changes_nothing fallback_table

	# the module can load again: restart the unit while the camera floods
	module_loadable
	n=$(count "$WAN" camera_udp4)
	pktgen_flood
	fallback_dropped 100
	run -0 --separate-stderr unit start
	[[ ${lines[0]} == "loaded $conf, cut "*" connections" ]]
	[[ ${lines[1]} == "removed the nftables fallback (table inet iot_egress_fallback): the module enforces the policy" ]]
	[[ -z $stderr ]]
	run ! fallback_table
	# the module drops the flood now
	dropped 100
	pktgen_stop
	sent=$(ip netns exec "$ROUTER" sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' "$PG/cam0")
	echo "# the switch under a flood of $sent packets from the camera: $(( $(count "$WAN" camera_udp4) - n )) leaked" >&3
	expect_count "$WAN" camera_udp4 "$n"

	run -0 iotctl_r status
	[[ ${lines[0]} == "module: iot_egress "* ]]
	[[ ${lines[1]} == "default: deny" ]]
	# the tenth line; the exceptions' line comes after it
	[[ ${lines[9]} == "fallback: none" && ${lines[10]} == "exceptions: "* ]]
	# and a broken file changes nothing here either
	broken_reload_changes_nothing iotctl_r save
	run ! fallback_table
	kernel_clean
}
