# The architectures side by side, from the records of one bench/guest run
# on each: appended to docs/benchmark.md by bench/report.
# usage: awk -F '\t' -f bench/numbers.awk -f bench/arch.awk AMD64.tsv ARM64.tsv
#
# A figure is what a filter adds to the baseline measured last before it
# in the same boot, as in report.awk. Instruction sets differ, so the
# columns to compare are the ratios: against the unfiltered path, and
# against nftables and ipset on the same machine.
function have(a, k) { return (a SUBSEP k) in v }
FNR == 1 { a = ++narch; curbase = 0; curlan = 0 }
$1 == "info" { info[a, $2] = $3 }
# Debian's name of the architecture: the kernel's flavour, 6.1.0-57-arm64.
$1 == "info" && $2 == "kernel" { n = split($3, p, "-"); name[a] = p[n] }
$1 == "pkt" {
	k = $2 "/" $3 "/" $4
	x = ($5 + $6) / 2
	if (k == "none/fwd/0") {
		if (!((a SUBSEP "base") in info))
			info[a, "base"] = x
		curbase = x
	}
	if (k == "none/lan/0")
		curlan = x
	v[a, k] = x
	add[a, k] = x - ($3 == "lan" ? curlan : curbase)
	ref[a, k] = $3 == "lan" ? curlan : curbase
}
$1 == "load" { load[a, $2 "/" $3] = $4 }
$1 == "mem" { mem[a, $2 "/" $3] = $4 + $5 }
# One cell per architecture: the added instructions, and in brackets the
# share of that architecture's own baseline.
function addrow(name, k,    i, s) {
	s = "| " name
	for (i = 1; i <= narch; i++)
		s = s " | " (have(i, k) ? sprintf("%s (%.1f%%)", signed(add[i, k]), add[i, k] / ref[i, k] * 100) : "–")
	print s " |"
}
# How many times iot_egress's figure @k the other filter's @o is.
function ratiorow(name, o, k,    i, s) {
	s = "| " name
	for (i = 1; i <= narch; i++)
		s = s " | " (have(i, o) && have(i, k) && add[i, k] > 0 ? sprintf("%.1f×", add[i, o] / add[i, k]) : "–")
	print s " |"
}
END {
	big = 0
	for (kk in load) { split(kk, p, SUBSEP); split(p[2], q, "/"); if (q[2] + 0 > big) big = q[2] + 0 }
	if (!big) big = 100000
	print "## amd64 and arm64 side by side"
	print ""
	print "The same `bench/guest`, once in the amd64 (x86_64) guest above and once in an arm64"
	print "one (`make bench ARCH=arm64`): `qemu-system-aarch64 -M virt -cpu cortex-a72`"
	print "under the same icount clock, booting Debian's arm64 kernel with the"
	print "cross-built module and the arm64 root file system of `scripts/cross`. An"
	print "instruction is not the same work on both, so compare the percentages and"
	print "the ratios, not the raw counts across a row."
	print ""
	s = "| N = " commas(big) ", instructions per packet"
	t = "|---"
	for (i = 1; i <= narch; i++) {
		s = s " | " name[i] " (" info[i, "kernel"] ")"
		t = t "|---:"
	}
	print s " |"
	print t "|"
	s = "| forwarded LAN to WAN, no filter (the baseline)"
	for (i = 1; i <= narch; i++)
		s = s " | " commas(round(info[i, "base"]))
	print s " |"
	addrow("any FORWARD hook doing nothing (`bench/nullhook`)", "nullhook/accept/0")
	addrow("iot\\_egress, sender not in the table", "iot_egress/notin/" big)
	addrow("iot\\_egress, sender allowed", "iot_egress/allowed/" big)
	addrow("iot\\_egress, LAN to LAN, sender denied", "iot_egress/lan/" big)
	addrow("nftables `ether saddr @set` + `oifname`", "nft/notin/" big)
	addrow("ipset `hash:mac` + iptables `-m set`", "ipset/notin/" big)
	ratiorow("nftables against iot\\_egress, not in the table", "nft/notin/" big, "iot_egress/notin/" big)
	ratiorow("ipset against iot\\_egress, not in the table", "ipset/notin/" big, "iot_egress/notin/" big)
	s = "| a packet iot\\_egress drops, share of the unfiltered path"
	for (i = 1; i <= narch; i++) {
		k = "iot_egress/denied/" big
		s = s " | " (have(i, k) ? sprintf("%.0f%%", v[i, k] / ref[i, k] * 100) : "–")
	}
	print s " |"
	s = "| a packet iot\\_egress drops before conntrack (early drop on), share of the unfiltered path"
	for (i = 1; i <= narch; i++) {
		k = "iot_egress/early/" big
		s = s " | " (have(i, k) ? sprintf("%.0f%%", v[i, k] / ref[i, k] * 100) : "–")
	}
	print s " |"
	s = "| loading " commas(big) " devices, `ipset restore` against `iotctl load`"
	for (i = 1; i <= narch; i++) {
		k = "iotctl/" big; o = "ipset/" big
		s = s " | " (((i SUBSEP k) in load) && ((i SUBSEP o) in load) && load[i, k] > 0 ? sprintf("%.1f×", load[i, o] / load[i, k]) : "–")
	}
	print s " |"
	s = "| kernel memory per device, bytes"
	for (i = 1; i <= narch; i++)
		s = s " | " (((i SUBSEP "iotctl/" big) in mem) ? sprintf("%.1f", mem[i, "iotctl/" big] / big) : "–")
	print s " |"
	print ""
	s = "Measured:"
	for (i = 1; i <= narch; i++)
		s = s (i > 1 ? ";" : "") " " name[i] " " info[i, "tree"]
	print s "."
}
