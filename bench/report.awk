# Writes docs/benchmark.md from the records of bench/guest (see bench/report).
# usage: awk -F '\t' -v png=CHART.png -f bench/numbers.awk -f bench/report.awk RESULTS.tsv
function label(n) { return n >= 1000 && n % 1000 == 0 ? (n / 1000) "k" : n }
function have(k) { return k in v }
function added(k, b) { return add[k] }
function cell(k, b) { return have(k) ? signed(added(k, b)) : "–" }
function verdict(ok) { return ok ? "**PASS**" : "**MISS**" }
$1 == "info" { info[$2] = $3 }
# Each figure is taken against the baseline measured last before it: the
# guest measures one before every group of filters.
$1 == "pkt" {
	k = $2 "/" $3 "/" $4
	x = ($5 + $6) / 2
	d = $5 - $6; if (d < 0) d = -d
	if (x > 0 && d / x > spread) { spread = d / x; spreadk = k }
	if (k == "none/fwd/0") {
		if (!nbase++) { base = x; bmin = x; bmax = x }
		if (x < bmin) bmin = x
		if (x > bmax) bmax = x
		curbase = x
	}
	if (k == "none/lan/0") {
		if (!nlan++) lanbase = x
		curlan = x
	}
	if (k == "none/vethfwd/0") {
		if (!nveth++) vethbase = x
		vethlast = curveth = x
	}
	v[k] = x
	ref[k] = ($3 == "lan" || $3 == "earlylan") ? curlan : $3 ~ /^veth/ ? curveth : curbase
	add[k] = x - ref[k]
}
$1 == "load" { k = $2 "/" $3; load[k] = $4; lwall[k] = $5; luser[k] = $6; lsys[k] = $7 }
$1 == "mem" { k = $2 "/" $3; slab[k] = $4; vm[k] = $5; mem[k] = $4 + $5; memfree[k] = $6 }
END {
	big = 100000; mid = 1000
	for (k in load) { split(k, p, "/"); if (p[2] + 0 > bign) bign = p[2] + 0 }
	if (bign > 0) big = bign
	for (k in v) { split(k, p, "/"); if (p[1] == "nft" && p[3] + 0 < big && p[3] + 0 > 0) mid = p[3] + 0 }

	print "# Benchmark: what filtering costs per forwarded packet"
	print ""
	print "Written by `make bench` (`bench/run`); do not edit by hand. Method and"
	print "topology: `bench/guest`."
	print ""
	print "## How it is measured"
	print ""
	print "- One QEMU boot of Debian " info["kernel"] " under TCG with"
	print "  `-icount shift=0,sleep=off`, one CPU: guest time advances one nanosecond per"
	print "  guest instruction, so guest times below **are** instruction counts. Kernel"
	print "  command line: `" info["cmdline"] "` (the last"
	print "  `slub_debug=-` turns slab debugging off again)."
	print "- A router network namespace forwards 64-byte UDP frames from its LAN port"
	print "  `lan0` (a veth) to `wan0`, the WAN (a **dummy** device: its xmit frees the"
	print "  frame, and a permanent neighbour entry for the gateway means no ARP), or to"
	print "  `lan1`, a second LAN port (also a dummy). pktgen in `xmit_mode"
	print "  netif_receive` hands every frame to `netif_receive_skb()` on `lan0`, so the"
	print "  whole receive and forward path runs synchronously in its loop: 1e9 / pps ="
	print "  instructions per packet. Each run checks the egress port sent every"
	print "  packet (or, when the packet must be dropped, none)."
	print "- " commas(info["packets"]) " packets a run (fewer for the linear rule sets), after a"
	print "  short warm-up run; every figure is the mean of two runs, which agree to"
	printf "  within %.3f%% (worst: %s).\n", spread * 100, spreadk
	if (info["senders"] > 1) {
		print "- The frames come from " info["senders"] " sender MACs in turn, a burst each: which"
		print "  bucket a MAC falls in, and how many devices share it, is the luck of the"
		print "  table's random seed, so one sender would measure one bucket's chain"
		print "  (20 instructions either way); " info["senders"] " measure the average. The table holds"
		print "  N locally administered MACs, none of them a sender's; \"allowed\","
		print "  \"audited\" and \"denied\" add the senders (N + " info["senders"] " entries)."
	} else {
		print "- The table holds N locally administered MACs, none of them the sender's;"
		print "  \"allowed\" and \"denied\" add the sender itself (N + 1 entries)."
	}
	print "- nftables: `oifname \"wan0\" ether saddr @set drop` in an `inet` forward chain"
	print "  of priority filter; ipset: a `hash:mac` set and `iptables -A FORWARD -o wan0"
	print "  -m set --match-set S src -j DROP`; linear: one `iptables -o wan0 -m mac"
	print "  --mac-source M -j DROP` rule per MAC. `iptables` is Debian's iptables-nft."
	print ""
	print "## Instructions per packet"
	print ""
	printf "Baseline, no filter at all: **%s** instructions per packet forwarded LAN to\n", commas(round(base))
	printf "WAN, %s LAN to LAN. The table shows what each filter **adds** to that,\n", commas(round(lanbase))
	print "against the baseline measured just before its group of measurements."
	print ""
	printf "| filter, case | N = 0 | N = 100 | N = %s | N = %s |\n", label(mid), label(big)
	print "|---|---:|---:|---:|---:|"
	printf "| iot\\_egress, sender not in the table (default allow) | %s | – | %s | %s |\n", cell("iot_egress/empty/0"), cell("iot_egress/notin/" mid), cell("iot_egress/notin/" big)
	printf "| iot\\_egress, sender allowed | – | – | %s | %s |\n", cell("iot_egress/allowed/" mid), cell("iot_egress/allowed/" big)
	if (have("iot_egress/vethnotin/" big)) {
		printf "| iot\\_egress, sender not in the table, WAN a veth² | – | – | – | %s |\n", cell("iot_egress/vethnotin/" big)
		printf "| iot\\_egress, sender allowed, WAN a veth² | – | – | – | %s |\n", cell("iot_egress/vethallowed/" big)
	}
	printf "| iot\\_egress, sender audited (allowed, destination recorded) | – | – | %s | %s |\n", cell("iot_egress/audited/" mid), cell("iot_egress/audited/" big)
	printf "| iot\\_egress, sender denied (dropped) | – | – | %s | %s |\n", cell("iot_egress/denied/" mid), cell("iot_egress/denied/" big)
	if (have("iot_egress/early/" big))
		printf "| iot\\_egress, sender denied, dropped before conntrack (early drop on)³ | – | – | %s | %s |\n", cell("iot_egress/early/" mid), cell("iot_egress/early/" big)
	printf "| iot\\_egress, LAN to LAN, sender denied (not WAN-bound)¹ | %s | – | %s | %s |\n", cell("iot_egress/lan/0", lanbase), cell("iot_egress/lan/" mid, lanbase), cell("iot_egress/lan/" big, lanbase)
	if (have("iot_egress/earlylan/" big))
		printf "| iot\\_egress, LAN to LAN, sender denied, early drop on¹ ³ | – | – | %s | %s |\n", cell("iot_egress/earlylan/" mid), cell("iot_egress/earlylan/" big)
	printf "| iot\\_egress loaded, empty table, nothing configured | %s | – | – | – |\n", cell("iot_egress/empty/0")
	printf "| nftables `ether saddr @set` + `oifname` | %s | – | %s | %s |\n", cell("nft/notin/0"), cell("nft/notin/" mid), cell("nft/notin/" big)
	printf "| ipset `hash:mac` + iptables `-m set` | %s | – | %s | %s |\n", cell("ipset/notin/0"), cell("ipset/notin/" mid), cell("ipset/notin/" big)
	printf "| iptables `-m mac`, one rule per MAC | – | %s | %s | – |\n", cell("iptables-mac/notin/100"), cell("iptables-mac/notin/1000")
	print ""
	print "¹ Against the LAN-to-LAN baseline. At N = 0 every row of iot\\_egress is the"
	print "empty-table case: a WAN name is configured, the table is empty."
	if (have("none/vethfwd/0")) {
		print ""
		print "² The WAN port a veth (`wanv`) instead of the dummy `wan0`: its xmit hands"
		print "the frame to the peer's receive queue, in another namespace, which drops"
		printf "it as another host's. Against that path's own baseline, %s instructions\n", commas(round(vethbase))
		print "per packet, measured just before; the table holds the same N devices and"
		print "`wanv` is the only WAN name. On this path an accept-only FORWARD hook adds"
		printf "%s, and iot\\_egress loaded with an empty table, which registers no hook\n", cell("nullhook/vethaccept/0")
		printf "at all, %s; the baseline measured again once the module is gone: %s.\n", cell("iot_egress/vethempty/0"), commas(round(vethlast))
		print "This path shifts by up to 200 instructions a packet with no filter code in"
		print "it, between runs (each figure is the lower two of five) and between phases"
		print "of the boot: the veth rows are good to about ±100, the dummy rows to a few."
	}
	if (have("iot_egress/early/" big)) {
		print ""
		print "³ Early drop on: PRE\\_ROUTING hooks ahead of conntrack drop a denied"
		print "device's packet whose twin the FORWARD hook dropped on this CPU less than"
		print "a second before, so it is neither routed nor forwarded; a sender's first"
		print "frame after that second still takes the whole path. `early_drop_rate` 1,"
		print "and each figure's two runs made back to back after a warm-up run, in one"
		print "process, with early drop on throughout (on after them, nine in ten of"
		print "their frames to the WAN dropped early): under icount an idle guest's"
		print "clock leaps ahead, and a few processes between runs would be ten quiet"
		print "seconds, which turn it off. Every other row is measured with it off"
		print "(`early_drop_rate` 0). This namespace has no conntrack: on a router that"
		print "tracks connections, a drop there also saves conntrack's work. The LAN to"
		print "LAN row is what the hook costs a packet it lets through: its sender is"
		print "denied, so it is looked up and its headers compared with the memory."
	}
	print ""
	if (have("iot_egress/except16/" mid)) {
		printf "Exceptions, N = %s: one sender, denied with K exceptions, none of\n", commas(mid)
		print "which matches its packets but, in the first column, the last. Only a"
		print "packet that would be dropped walks them: the rows above do not."
		print ""
		print "| exceptions of the denied sender | let through by the last | dropped after all |"
		print "|---:|---:|---:|"
		printf "| 0 | – | %s |\n", cell("iot_egress/denied/" mid)
		printf "| 16 | %s | %s |\n", cell("iot_egress/except16/" mid), cell("iot_egress/exdrop16/" mid)
		printf "| 64 (the most) | %s | %s |\n", cell("iot_egress/except64/" mid), cell("iot_egress/exdrop64/" mid)
		print ""
	}
	print "Reference points, same boot:"
	print ""
	print "| path | instructions per packet |"
	print "|---|---:|"
	printf "| forwarded LAN to WAN, no filter (the baseline) | %s |\n", commas(round(base))
	printf "| forwarded LAN to LAN, no filter | %s |\n", commas(round(lanbase))
	if (have("none/floor/0"))
		printf "| generator floor: frame for another host, dropped at the top of `ip_rcv()` | %s |\n", commas(round(v["none/floor/0"]))
	if (have("nullhook/accept/0"))
		printf "| a FORWARD netfilter hook that only returns `NF_ACCEPT` (`bench/nullhook`) | %s (%s) |\n", commas(round(v["nullhook/accept/0"])), signed(added("nullhook/accept/0"))
	if (nbase > 1)
		printf "| the baseline, measured %d times across the boot | %s to %s |\n", nbase, commas(round(bmin)), commas(round(bmax))
	print ""
	print "![instructions per packet against N](" png ")"
	print ""

	if (have("nullhook/accept/0") && have("none/floor/0")) {
		h = added("nullhook/accept/0")
		fl = v["none/floor/0"]
		print "## Where the instructions go"
		print ""
		print "The accept-only hook (`bench/nullhook`) sits where iot\\_egress sits and"
		print "does nothing: what it adds is the price of any netfilter FORWARD hook on"
		print "this kernel (`nf_hook_slow()`, the indirect call). iot\\_egress's own code"
		print "is what it adds beyond that."
		print ""
		print "| piece | instructions per packet |"
		print "|---|---:|"
		printf "| pktgen and the receive path up to `ip_rcv()` (generator floor) | %s |\n", commas(round(fl))
		printf "| the rest of forwarding to the WAN, no filter | %s |\n", commas(round(base - fl))
		printf "| any FORWARD netfilter hook, doing nothing | %s |\n", signed(h)
		split("notin allowed lan", cs, " ")
		split("not in table|allowed|not WAN-bound", cn, "|")
		for (i = 1; i <= 3; i++) {
			k = "iot_egress/" cs[i] "/" big
			if (have(k))
				printf "| iot\\_egress's own code, %s, N = %s | %s |\n", cn[i], commas(big), signed(added(k) - h)
		}
		k = "iot_egress/denied/" big
		if (have(k))
			printf "| a packet iot\\_egress drops at FORWARD, in all | %s |\n", commas(round(v[k]))
		ke = "iot_egress/early/" big
		if (have(ke))
			printf "| a packet iot\\_egress drops before conntrack (early drop on), in all | %s |\n", commas(round(v[ke]))
		print ""
		if (h > 40)
			printf "No FORWARD hook can add 40 or less here: doing nothing costs %s.\n", signed(h)
		if (have(k)) {
			printf "A packet dropped at FORWARD has already been generated, received, checked\n"
			printf "and routed: it costs %.0f%% of the unfiltered path, and dropping there can\n", v[k] / ref[k] * 100
			printf "only save what comes after the hook. 2/3 needs a drop before routing.\n"
		}
		if (have(ke)) {
			printf "Dropped in PRE\\_ROUTING, before routing, once early drop is on, it costs\n"
			printf "%.0f%% of the unfiltered path: %s of it is the generator floor.\n", v[ke] / ref[ke] * 100, commas(round(fl))
		}
		print ""
	}

	print "## Loading " commas(big) " devices"
	print ""
	print "Busy guest time of the loading command, which is instructions: the time"
	print "the CPU ran any task (`/proc/schedstat`), so work the load leaves to"
	print "kernel threads counts and waiting does not, less what starting a command"
	print "in the namespace costs by itself. User and system time are the kernel's"
	print "tick samples of the command alone. The input file is on tmpfs; every"
	print "binary and kernel module was used before."
	print ""
	print "| load | busy guest time | instructions per device | user | system |"
	print "|---|---:|---:|---:|---:|"
	split("iotctl iotctl-shuffled nft ipset", tools, " ")
	split("`iotctl load FILE` (policy file, in MAC order as `iotctl save` writes it)|`iotctl load FILE`, the same lines shuffled|`nft -f FILE` (table, chain and set)|`ipset restore` into an existing set", names, "|")
	for (i = 1; i <= 4; i++) {
		k = tools[i] "/" big
		if (k in load)
			printf "| %s | %.3f s | %s | %.2f s | %.2f s |\n", names[i], load[k] / 1e9, commas(round(load[k] / big)), luser[k] / 1e9, lsys[k] / 1e9
		else
			printf "| %s | not measured | | | |\n", names[i]
	}
	print ""
	print "## Kernel memory at " commas(big) " devices"
	print ""
	print "Growth of `Slab` plus `VmallocUsed` in `/proc/meminfo` across the load,"
	print "after an RCU grace period: every kmalloc, kmem\\_cache and kvmalloc"
	print "allocation (`Slab` includes kmalloc_large pages). The drop in MemFree is a"
	print "cross-check; it also moves by megabytes as per-CPU page lists fill and drain."
	print ""
	print "| filter | bytes per device | of which slab | of which vmalloc | MemFree drop per device |"
	print "|---|---:|---:|---:|---:|"
	split("iot\\_egress|nftables set|ipset hash:mac", mnames, "|")
	for (i = 1; i <= 3; i++) {
		k = tools[i] "/" big
		if (k in mem)
			printf "| %s | %.1f | %.1f | %.1f | %.1f |\n", mnames[i], mem[k] / big, slab[k] / big, vm[k] / big, memfree[k] / big
		else
			printf "| %s | not measured | | | |\n", mnames[i]
	}
	print ""

	print "## Targets (issue 3)"
	print ""
	print "| target | measured | verdict |"
	print "|---|---|---|"
	nb = "iot_egress/notin/" big; nm = "iot_egress/notin/" mid
	ab = "iot_egress/allowed/" big; am = "iot_egress/allowed/" mid
	if (have(nb)) printf "| not in table, N = %s: added ≤ 120 | %s | %s |\n", commas(big), signed(added(nb)), verdict(added(nb) <= 120)
	else printf "| not in table, N = %s: added ≤ 120 | not measured | **MISS** |\n", commas(big)
	if (have(ab)) printf "| allowed, N = %s: added ≤ 120 | %s | %s |\n", commas(big), signed(added(ab)), verdict(added(ab) <= 120)
	else printf "| allowed, N = %s: added ≤ 120 | not measured | **MISS** |\n", commas(big)
	split("vethnotin vethallowed", vk, " ")
	split("not in table|allowed", vn, "|")
	for (i = 1; i <= 2; i++) {
		k = "iot_egress/" vk[i] "/" big
		if (have(k)) printf "| %s, WAN a veth, N = %s: added ≤ 120 | %s | %s |\n", vn[i], commas(big), signed(added(k)), verdict(added(k) <= 120)
		else printf "| %s, WAN a veth, N = %s: added ≤ 120 | not measured | **MISS** |\n", vn[i], commas(big)
	}
	if (have(nb) && have(nm)) {
		r = (added(nb) - added(nm)) / added(nm)
		printf "| not in table: N = %s within 10%% of N = %s | %s vs %s (%+.1f%%) | %s |\n", commas(big), commas(mid), signed(added(nb)), signed(added(nm)), r * 100, verdict(r <= 0.10 && r >= -0.10)
	} else printf "| not in table: N = %s within 10%% of N = %s | not measured | **MISS** |\n", commas(big), commas(mid)
	if (have(ab) && have(am)) {
		r = (added(ab) - added(am)) / added(am)
		printf "| allowed: N = %s within 10%% of N = %s | %s vs %s (%+.1f%%) | %s |\n", commas(big), commas(mid), signed(added(ab)), signed(added(am)), r * 100, verdict(r <= 0.10 && r >= -0.10)
	} else printf "| allowed: N = %s within 10%% of N = %s | not measured | **MISS** |\n", commas(big), commas(mid)
	worst = ""; wn = ""
	split("0 " mid " " big, lns, " ")
	for (i = 1; i <= 3; i++) {
		k = "iot_egress/lan/" lns[i]
		if (have(k) && (worst == "" || added(k, lanbase) > worst)) { worst = added(k, lanbase); wn = lns[i] }
	}
	if (worst != "") printf "| not WAN-bound: added ≤ 40 (worst N) | %s at N = %s | %s |\n", signed(worst), commas(wn), verdict(worst <= 40)
	else print "| not WAN-bound: added ≤ 40 | not measured | **MISS** |"
	k = "iot_egress/empty/0"
	if (have(k)) printf "| empty table: added ≤ 40 | %s | %s |\n", signed(added(k)), verdict(added(k) <= 40)
	else print "| empty table: added ≤ 40 | not measured | **MISS** |"
	k = "iot_egress/denied/" big
	if (have(k)) printf "| denied, N = %s: ≤ 2/3 of the unfiltered path (%s) | %s = %.2f of it | %s |\n", commas(big), commas(round(ref[k] * 2 / 3)), commas(round(v[k])), v[k] / ref[k], verdict(v[k] <= ref[k] * 2 / 3)
	else printf "| denied: ≤ 2/3 of the unfiltered path | not measured | **MISS** |\n"
	k = "iot_egress/early/" big
	if (have(k)) printf "| denied, dropped before conntrack (early drop on), N = %s: ≤ 50%% of the unfiltered path (%s) | %s = %.2f of it | %s |\n", commas(big), commas(round(ref[k] / 2)), commas(round(v[k])), v[k] / ref[k], verdict(v[k] <= ref[k] / 2)
	else printf "| denied, dropped before conntrack (early drop on): ≤ 50%% of the unfiltered path | not measured | **MISS** |\n"
	if (("iotctl/" big) in load && ("ipset/" big) in load) {
		r = load["iotctl/" big] / load["ipset/" big]
		printf "| load %s: ≤ 1/10 of ipset restore | %.3f s vs %.3f s = 1/%.1f | %s |\n", commas(big), load["iotctl/" big] / 1e9, load["ipset/" big] / 1e9, 1 / r, verdict(r <= 0.1)
	} else printf "| load %s: ≤ 1/10 of ipset restore | not measured | **MISS** |\n", commas(big)
	if (("iotctl-shuffled/" big) in load && ("ipset/" big) in load) {
		r = load["iotctl-shuffled/" big] / load["ipset/" big]
		printf "| load %s, the file shuffled: ≤ 1/10 of ipset restore | %.3f s vs %.3f s = 1/%.1f | %s |\n", commas(big), load["iotctl-shuffled/" big] / 1e9, load["ipset/" big] / 1e9, 1 / r, verdict(r <= 0.1)
	}
	k = "iotctl/" big
	if (k in mem) printf "| ≤ 128 bytes of kernel memory per device | %.1f | %s |\n", mem[k] / big, verdict(mem[k] / big <= 128)
	else print "| ≤ 128 bytes of kernel memory per device | not measured | **MISS** |"
	print ""
	printf "Measured: %s. Wall time of the VM run: %s s.\n", info["tree"], info["wall_vm_seconds"]
}
