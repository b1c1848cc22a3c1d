// SPDX-License-Identifier: GPL-2.0
/*
 * Exceptions as people write them, on the command line and in the policy
 * file alike:
 *
 *	<PREFIX> [proto tcp|udp|icmp] [port <N>[-<M>]]
 *
 * The kernel refuses what its ABI does not allow (host bits beyond the
 * prefix, a port without TCP or UDP); here it is refused first, with the
 * offending word, so that nothing half-valid is ever sent. No libnl here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "exception.h"
#include "mac.h"

__attribute__((format(printf, 5, 6)))
static int refuse(struct except_error *err, bool usage, int word,
		  const char *reason, const char *fmt, ...)
{
	va_list ap;

	err->usage = usage;
	err->word = word;
	snprintf(err->reason, sizeof(err->reason), "%s", reason);
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return -1;
}

/* Decimal digits only, at most max, into *v. */
static bool number(const char *s, size_t len, unsigned long max,
		   unsigned long *v)
{
	size_t i;

	*v = 0;
	if (len == 0 || len > 6)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned long)(s[i] - '0');
	}
	return *v <= max;
}

static int parse_prefix(struct iot_except *e, const char *s,
			struct except_error *err)
{
	char addr[ADDR_SIZE];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long len, max;
	struct iot_except masked;
	bool host_bits = false;
	unsigned int i;

	if (alen == 0 || alen >= sizeof(addr))
		return refuse(err, false, 0, "invalid prefix", "%s", "");
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	memset(&e->addr, 0, sizeof(e->addr));
	if (inet_pton(AF_INET, addr, e->addr.a) == 1) {
		e->addr.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, e->addr.a) == 1) {
		e->addr.family = AF_INET6;
		max = 128;
	} else {
		return refuse(err, false, 0, "invalid prefix", "%s", "");
	}
	len = max;
	if (slash && !number(slash + 1, strlen(slash + 1), 255, &len))
		return refuse(err, false, 0, "invalid prefix", "%s", "");
	if (len > max)
		return refuse(err, false, 0, "invalid prefix",
			      "an %s prefix is 0 to %lu bits long",
			      max == 32 ? "IPv4" : "IPv6", max);
	e->prefix_len = (uint8_t)len;

	/* As "ip route" does: an address with host bits is no prefix. */
	masked = *e;
	for (i = (unsigned int)len; i < max; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		host_bits |= (masked.addr.a[i / 8] & bit) != 0;
		masked.addr.a[i / 8] &= (uint8_t)~bit;
	}
	if (host_bits) {
		char net[PREFIX_SIZE];

		return refuse(err, false, 0, "invalid prefix",
			      "host bits set, the prefix is %s",
			      except_prefix(net, &masked));
	}
	return 0;
}

static int parse_proto(struct iot_except *e, const char *s, int word,
		       struct except_error *err)
{
	if (!strcmp(s, "tcp"))
		e->proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		e->proto = IPPROTO_UDP;
	else if (!strcmp(s, "icmp"))
		e->proto = IPPROTO_ICMP;	/* ICMPv6 for IPv6, below */
	else
		return refuse(err, false, word, "invalid protocol",
			      "tcp, udp or icmp");
	return 0;
}

static int parse_port(struct iot_except *e, const char *s, int word,
		      struct except_error *err)
{
	const char *dash = strchr(s, '-');
	unsigned long lo, hi;

	if (!number(s, dash ? (size_t)(dash - s) : strlen(s), 65535, &lo) ||
	    (dash && !number(dash + 1, strlen(dash + 1), 65535, &hi)) ||
	    lo == 0 || (dash && hi == 0))
		return refuse(err, false, word,
			      dash ? "invalid port range" : "invalid port",
			      "ports are 1 to 65535");
	if (!dash)
		hi = lo;
	if (hi < lo)
		return refuse(err, false, word, "invalid port range",
			      "it runs backwards");
	e->port_min = (uint16_t)lo;
	e->port_max = (uint16_t)hi;
	return 0;
}

int except_parse(struct iot_except *e, const char *const *words, size_t n,
		 const char *cmd, struct except_error *err)
{
	char reason[sizeof(err->reason)];
	int proto_at = -1, port_at = -1;
	size_t i;

	e->proto = 0;
	e->port_min = e->port_max = 0;
	if (n == 0) {
		snprintf(reason, sizeof(reason), "%s: missing prefix", cmd);
		return refuse(err, true, -1, reason, "%s", "");
	}
	if (parse_prefix(e, words[0], err) < 0)
		return -1;
	for (i = 1; i < n; i += 2) {
		bool proto = !strcmp(words[i], "proto");
		bool port = !strcmp(words[i], "port");

		if ((!proto && !port) || (proto && proto_at >= 0) ||
		    (port && port_at >= 0)) {
			snprintf(reason, sizeof(reason),
				 "%s: unexpected argument", cmd);
			return refuse(err, true, (int)i, reason, "%s", "");
		}
		if (i + 1 == n) {
			snprintf(reason, sizeof(reason),
				 "%s: missing %s after '%s'", cmd,
				 proto ? "protocol" : "port", words[i]);
			return refuse(err, true, -1, reason, "%s", "");
		}
		if (proto) {
			proto_at = (int)i + 1;
			if (parse_proto(e, words[i + 1], proto_at, err) < 0)
				return -1;
		} else {
			port_at = (int)i + 1;
			if (parse_port(e, words[i + 1], port_at, err) < 0)
				return -1;
		}
	}
	if (port_at >= 0 && e->proto != IPPROTO_TCP &&
	    e->proto != IPPROTO_UDP)
		return refuse(err, false, port_at, "invalid port",
			      "only with proto tcp or udp");
	if (e->proto == IPPROTO_ICMP && e->addr.family == AF_INET6)
		e->proto = IPPROTO_ICMPV6;
	return 0;
}

const char *except_prefix(char buf[PREFIX_SIZE], const struct iot_except *e)
{
	char addr[ADDR_SIZE];

	snprintf(buf, PREFIX_SIZE, "%s/%u", format_addr(addr, &e->addr),
		 e->prefix_len);
	return buf;
}

const char *except_proto_name(const struct iot_except *e)
{
	switch (e->proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return "icmp";
	}
	return NULL;
}

const char *except_format(char buf[EXCEPT_TEXT_SIZE],
			  const struct iot_except *e)
{
	char owner[MAC_STR_SIZE], prefix[PREFIX_SIZE];
	const char *name = except_proto_name(e);
	int n;

	if (e->any)
		snprintf(owner, sizeof(owner), "any");
	else
		mac_format(e->mac, owner);
	n = snprintf(buf, EXCEPT_TEXT_SIZE, "%s %s", owner,
		     except_prefix(prefix, e));
	if (e->proto && n > 0 && n < EXCEPT_TEXT_SIZE) {
		char proto[PROTO_SIZE];

		n += snprintf(buf + n, EXCEPT_TEXT_SIZE - (size_t)n,
			      " proto %s",
			      name ? name : proto_name(proto, e->proto));
	}
	if (e->port_min && n > 0 && n < EXCEPT_TEXT_SIZE) {
		if (e->port_min == e->port_max)
			snprintf(buf + n, EXCEPT_TEXT_SIZE - (size_t)n,
				 " port %u", e->port_min);
		else
			snprintf(buf + n, EXCEPT_TEXT_SIZE - (size_t)n,
				 " port %u-%u", e->port_min, e->port_max);
	}
	return buf;
}

static int owner_compare(const struct iot_except *a,
			 const struct iot_except *b)
{
	if (a->any != b->any)
		return a->any ? -1 : 1;
	return a->any ? 0 : mac_compare(a->mac, b->mac);
}

int except_compare(const struct iot_except *a, const struct iot_except *b)
{
	int r = owner_compare(a, b);

	if (r)
		return r;
	if (a->addr.family != b->addr.family)
		return a->addr.family < b->addr.family ? -1 : 1;
	r = memcmp(a->addr.a, b->addr.a, sizeof(a->addr.a));
	if (r)
		return r;
	if (a->prefix_len != b->prefix_len)
		return a->prefix_len < b->prefix_len ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->port_min != b->port_min)
		return a->port_min < b->port_min ? -1 : 1;
	if (a->port_max != b->port_max)
		return a->port_max < b->port_max ? -1 : 1;
	return 0;
}

bool except_same(const struct iot_except *a, const struct iot_except *b)
{
	return except_compare(a, b) == 0;
}

struct ranked {
	struct iot_except e;
	size_t at;
};

static int by_owner_then_place(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int r = owner_compare(&x->e, &y->e);

	if (r)
		return r;
	return x->at < y->at ? -1 : x->at > y->at;
}

int except_sort(struct iot_except *v, size_t n)
{
	struct ranked *r;
	size_t i;

	if (n < 2)
		return 0;
	r = calloc(n, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		r[i] = (struct ranked){ v[i], i };
	qsort(r, n, sizeof(*r), by_owner_then_place);
	for (i = 0; i < n; i++)
		v[i] = r[i].e;
	free(r);
	return 0;
}

/* The exception for destination d, or false if none can name it. */
static bool dest_except(const struct iot_dest *d, struct iot_except *e)
{
	bool v4 = d->dst.family == AF_INET;

	if (d->dst.family != AF_INET && d->dst.family != AF_INET6)
		return false;
	e->addr = d->dst;
	e->prefix_len = v4 ? 32 : 128;
	e->proto = d->proto;
	switch (d->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		/* a port 0 cannot be named: no exception */
		if (!d->dport)
			return false;
		e->port_min = e->port_max = d->dport;
		return true;
	case IPPROTO_ICMP:
		return v4;
	case IPPROTO_ICMPV6:
		return !v4;
	}
	return false;
}

int lock_plan_make(struct lock_plan *plan, const uint8_t mac[ETH_ALEN],
		   const struct iot_dest_list *dests, uint64_t min_count)
{
	struct iot_except_list *keep = &plan->keep;
	size_t i, j;

	memset(plan, 0, sizeof(*plan));
	plan->recorded = dests->n;
	for (i = 0; i < dests->n; i++) {
		struct iot_except e = { 0 };
		bool dup = false;

		if (dests->v[i].count < min_count) {
			plan->below++;
			continue;
		}
		memcpy(e.mac, mac, ETH_ALEN);
		if (!dest_except(&dests->v[i], &e)) {
			plan->skipped++;
			continue;
		}
		/* A device records a few dozen destinations: no hash. */
		for (j = 0; j < keep->n && !dup; j++)
			dup = except_same(&keep->v[j], &e);
		if (dup) {
			plan->duplicates++;
			continue;
		}
		if (keep->n == keep->cap) {
			size_t cap = keep->cap ? keep->cap * 2 : 16;
			struct iot_except *v = realloc(keep->v,
						       cap * sizeof(*v));

			if (!v)
				return -1;
			keep->v = v;
			keep->cap = cap;
		}
		keep->v[keep->n++] = e;
	}
	return 0;
}

void lock_plan_free(struct lock_plan *plan)
{
	free(plan->keep.v);
	memset(plan, 0, sizeof(*plan));
}
