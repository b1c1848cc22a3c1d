/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_FORMAT_H
#define IOTCTL_FORMAT_H

/*
 * How numbers, times, addresses and protocols are shown to people, and
 * the aligned tables they are shown in. Pure functions, no libnl: the
 * unit tests link this file as it is.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netlink.h"

#define AGO_SIZE	32	/* "in the future", "213503982334601 days ago" */
#define ISO_TIME_SIZE	32	/* "2026-11-27T10:31:02Z", or the raw number */
#define BYTES_SIZE	16	/* "1023 B", "1.5 KiB", "16.0 EiB" */
#define PROTO_SIZE	8	/* "icmpv6", "255" */
#define SERVICE_SIZE	16	/* "icmpv6", "tcp/65535", "255/65535" */
#define ADDR_SIZE	48	/* INET6_ADDRSTRLEN, and room to spare */

/*
 * How long ago Unix time t was, at now: "never" unless has, "N s ago",
 * "N min ago", "N h ago", "1 day ago", "N days ago" (rounded down), or
 * "in the future" when t is after now.
 */
const char *format_ago(char buf[AGO_SIZE], bool has, uint64_t t,
		       uint64_t now);

/* "2026-11-27T10:31:02Z" (UTC); the number itself if it is no date. */
const char *format_iso_time(char buf[ISO_TIME_SIZE], uint64_t t);

/* "" for 1, "s" for any other count: "1 connection", "2 connections". */
const char *plural(uint64_t n);

/*
 * s[0..len) as it can be quoted in a message, into out (size bytes, at
 * least 8): control bytes (below 0x20, and 0x7f) as \xHH, and with
 * ascii_only every byte from 0x80 up too; cut short with "..." where the
 * rest would not fit. Returns out.
 */
const char *format_shown(char *out, size_t size, const char *s, size_t len,
			 bool ascii_only);

/* "0 B" to "1023 B", then "1.0 KiB", "1.5 MiB"... up to EiB. */
const char *format_bytes(char buf[BYTES_SIZE], uint64_t n);

/* "tcp", "udp", "icmp", "icmpv6", or the number: "47". */
const char *proto_name(char buf[PROTO_SIZE], uint8_t proto);

/*
 * The protocol and port: "tcp/25", "udp/53"; for other protocols the
 * port only if it is not 0: "icmp", "47".
 */
const char *format_service(char buf[SERVICE_SIZE], uint8_t proto,
			   uint16_t dport);

/* "ipv4", "ipv6", or NULL. */
const char *family_name(uint8_t family);

/* "203.0.113.25", "2001:db8::1"; "?" for another family. */
const char *format_addr(char buf[ADDR_SIZE], const struct iot_addr *a);

/* What a monitor event says was done: "denied", "audited", or NULL. */
const char *verdict_name(uint8_t policy);

/* "new", "repeat", or NULL. */
const char *event_name(uint8_t event);

/*
 * A table printed with aligned columns, two spaces apart, under a header
 * line; cells are copied. Left-aligned last cells have no trailing
 * spaces. An allocation failure is remembered and table_print() fails.
 */
#define TABLE_MAX_COLS 10

struct table {
	size_t ncols;
	const char *head[TABLE_MAX_COLS];
	bool right[TABLE_MAX_COLS];	/* right-aligned: numbers */
	char **cell;			/* nrows * ncols */
	size_t nrows, cap;
	bool failed;
};

/*
 * columns: the headers, a column right-aligned when its header starts
 * with '>' (which is not printed). At most TABLE_MAX_COLS.
 */
void table_init(struct table *t, size_t ncols, const char *const *columns);
/* Adds a row of ncols cells. */
void table_row(struct table *t, const char *const *cells);
/* Every line begins with indent. Returns 0, or -1 (memory, output). */
int table_print(const struct table *t, FILE *out, const char *indent);
void table_free(struct table *t);

#endif
