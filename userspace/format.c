// SPDX-License-Identifier: GPL-2.0
/*
 * How iotctl shows numbers, times, addresses and protocols to people. No
 * libnl here: the unit tests link this file as it is.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "format.h"

const char *format_ago(char buf[AGO_SIZE], bool has, uint64_t t,
		       uint64_t now)
{
	uint64_t d;

	if (!has) {
		snprintf(buf, AGO_SIZE, "never");
		return buf;
	}
	if (t > now) {
		snprintf(buf, AGO_SIZE, "in the future");
		return buf;
	}
	d = now - t;
	if (d < 60)
		snprintf(buf, AGO_SIZE, "%" PRIu64 " s ago", d);
	else if (d < 3600)
		snprintf(buf, AGO_SIZE, "%" PRIu64 " min ago", d / 60);
	else if (d < 86400)
		snprintf(buf, AGO_SIZE, "%" PRIu64 " h ago", d / 3600);
	else if (d < 2 * 86400)
		snprintf(buf, AGO_SIZE, "1 day ago");
	else
		snprintf(buf, AGO_SIZE, "%" PRIu64 " days ago", d / 86400);
	return buf;
}

const char *format_iso_time(char buf[ISO_TIME_SIZE], uint64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	/* Years past 9999 are no ISO 8601 date without an agreement. */
	if (t > 253402300799ULL || (uint64_t)tt != t ||
	    !gmtime_r(&tt, &tm) ||
	    !strftime(buf, ISO_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, ISO_TIME_SIZE, "%" PRIu64, t);
	return buf;
}

const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

const char *format_shown(char *out, size_t size, const char *s, size_t len,
			 bool ascii_only)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Room for one more escape, "..." and the NUL. */
		if (n + sizeof("\\xff...") > size) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f || (ascii_only && c >= 0x80))
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

const char *format_bytes(char buf[BYTES_SIZE], uint64_t n)
{
	static const char *const unit[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		snprintf(buf, BYTES_SIZE, "%" PRIu64 " B", n);
		return buf;
	}
	v /= 1024;
	/* What would round up to 1024.0 is shown in the next unit. */
	while (v >= 1023.95 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, BYTES_SIZE, "%.1f %s", v, unit[u]);
	return buf;
}

const char *proto_name(char buf[PROTO_SIZE], uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	}
	snprintf(buf, PROTO_SIZE, "%u", proto);
	return buf;
}

const char *format_service(char buf[SERVICE_SIZE], uint8_t proto,
			   uint16_t dport)
{
	char name[PROTO_SIZE];
	bool ports = proto == IPPROTO_TCP || proto == IPPROTO_UDP;

	if (ports || dport)
		snprintf(buf, SERVICE_SIZE, "%s/%u", proto_name(name, proto),
			 dport);
	else
		snprintf(buf, SERVICE_SIZE, "%s", proto_name(name, proto));
	return buf;
}

const char *family_name(uint8_t family)
{
	switch (family) {
	case AF_INET:
		return "ipv4";
	case AF_INET6:
		return "ipv6";
	}
	return NULL;
}

const char *format_addr(char buf[ADDR_SIZE], const struct iot_addr *a)
{
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->a, buf, ADDR_SIZE))
		snprintf(buf, ADDR_SIZE, "?");
	return buf;
}

const char *verdict_name(uint8_t policy)
{
	switch (policy) {
	case IOT_EGRESS_POLICY_DENY:
		return "denied";
	case IOT_EGRESS_POLICY_AUDIT:
		return "audited";
	}
	return NULL;
}

const char *event_name(uint8_t event)
{
	switch (event) {
	case IOT_EGRESS_EVENT_NEW:
		return "new";
	case IOT_EGRESS_EVENT_REPEAT:
		return "repeat";
	}
	return NULL;
}

void table_init(struct table *t, size_t ncols, const char *const *columns)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if (ncols > TABLE_MAX_COLS) {
		t->failed = true;
		return;
	}
	t->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		t->right[i] = columns[i][0] == '>';
		t->head[i] = columns[i] + t->right[i];
	}
}

void table_row(struct table *t, const char *const *cells)
{
	size_t i, base;

	if (t->failed)
		return;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **cell = cap > SIZE_MAX / sizeof(*cell) / t->ncols ? NULL :
			      realloc(t->cell, cap * t->ncols * sizeof(*cell));

		if (!cell) {
			t->failed = true;
			return;
		}
		t->cell = cell;
		t->cap = cap;
	}
	base = t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		t->cell[base + i] = strdup(cells[i]);
		if (!t->cell[base + i]) {
			while (i--)
				free(t->cell[base + i]);
			t->failed = true;
			return;
		}
	}
	t->nrows++;
}

static void print_line(const struct table *t, FILE *out, const char *indent,
		       const char *const *cells, const size_t *width)
{
	size_t i;

	fputs(indent, out);
	for (i = 0; i < t->ncols; i++) {
		int w = (int)width[i];
		bool last = i + 1 == t->ncols;

		/* An empty last cell: no trailing spaces either. */
		if (last && !t->right[i] && !cells[i][0])
			break;
		if (i)
			fputs("  ", out);
		if (t->right[i])
			fprintf(out, "%*s", w, cells[i]);
		else if (last)
			fputs(cells[i], out);
		else
			fprintf(out, "%-*s", w, cells[i]);
	}
	fputc('\n', out);
}

int table_print(const struct table *t, FILE *out, const char *indent)
{
	size_t width[TABLE_MAX_COLS];
	size_t r, i;

	if (t->failed)
		return -1;
	for (i = 0; i < t->ncols; i++)
		width[i] = strlen(t->head[i]);
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			size_t len = strlen(t->cell[r * t->ncols + i]);

			if (len > width[i])
				width[i] = len;
		}
	}
	print_line(t, out, indent, t->head, width);
	for (r = 0; r < t->nrows; r++)
		print_line(t, out, indent,
			   (const char *const *)&t->cell[r * t->ncols], width);
	return ferror(out) ? -1 : 0;
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cell[i]);
	free(t->cell);
	memset(t, 0, sizeof(*t));
}
