# How bench/report.awk and bench/arch.awk write numbers: 12,345, and
# signed and rounded, +12 or -3 or ±0.
function commas(x,    s, neg, r) {
	neg = x < 0
	s = sprintf("%d", neg ? -x : x)
	r = ""
	while (length(s) > 3) {
		r = "," substr(s, length(s) - 2) r
		s = substr(s, 1, length(s) - 3)
	}
	return (neg ? "-" : "") s r
}
function round(x) { return x < 0 ? int(x - 0.5) : int(x + 0.5) }
function signed(x) { x = round(x); return (x > 0 ? "+" : x < 0 ? "" : "±") commas(x) }
