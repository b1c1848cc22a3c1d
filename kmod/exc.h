/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exceptions: the destinations a device whose packets would be dropped may
 * still reach, and the lists that hold them. See exc.c.
 */
#ifndef _IOT_EXC_H
#define _IOT_EXC_H

#include <linux/ktime.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/timekeeping.h>
#include <linux/u64_stats_sync.h>
#include <net/netlink.h>

#include "flow.h"
#include "uapi/iot_egress.h"

/* The most exceptions one list may hold: a device's exceptions, with
 * their counters, fit in one netlink message.
 */
#define IOT_EXC_LIST_MAX	64

extern unsigned int iot_max_exceptions;

/* What an exception matches: a destination in the prefix @addr/@plen,
 * and the protocol and destination ports where given.
 */
struct iot_exc_key {
	u8 family;
	u8 plen;
	/* IPPROTO_*, or 0 for any protocol. */
	u8 proto;
	/* Host order, @port_min <= @port_max; 0 and 0 for any port. */
	u16 port_min;
	u16 port_max;
	/* No bit set beyond @plen. */
	union iot_addr addr;
	/* @plen leading ones, for the packet path. */
	union iot_addr mask;
};

/* An exception's counters on one CPU: updated by the packet path only. */
struct iot_exc_pcpu {
	u64_stats_t pkts;
	u64_stats_t bytes;
	struct u64_stats_sync syncp;
	time64_t last;
};

/* An exception's counters. They belong to the exception, not to a list:
 * a new list made from an old one takes them over.
 */
struct iot_exc_stats {
	struct rcu_head rcu;
	struct iot_exc_pcpu __percpu *pcpu;
};

struct iot_exc {
	struct iot_exc_key key;
	struct iot_exc_stats *stats;
};

/* The exceptions of one device, or those for any device, in the order they
 * were added. Never changed once published but for the counters a load
 * moves over: writers publish a new list.
 */
struct iot_excs {
	struct rcu_head rcu;
	unsigned int n;
	struct iot_exc v[];
};

/* An exception's counters, summed over every CPU. */
struct iot_exc_sum {
	u64 pkts;
	u64 bytes;
	time64_t last;
};

static inline unsigned int iot_excs_count(const struct iot_excs *x)
{
	return x ? x->n : 0;
}

/* The most exceptions a list may hold now: the module parameter
 * exceptions_per_device, which cannot exceed IOT_EXC_LIST_MAX.
 */
unsigned int iot_exc_list_max(void);

static inline bool iot_exc_match(const struct iot_exc_key *k,
				 const struct iot_flow *f)
{
	if (k->family != f->family || (k->proto && k->proto != f->proto))
		return false;
	if (k->port_min && (f->dport < k->port_min || f->dport > k->port_max))
		return false;
	if (k->family == AF_INET)
		return !((f->dst.ip ^ k->addr.ip) & k->mask.ip);
	return !ipv6_masked_addr_cmp(&f->dst.in6, &k->mask.in6, &k->addr.in6);
}

/* The first exception of @x (may be NULL) that @f matches, or NULL.
 * Caller holds rcu_read_lock().
 */
static inline struct iot_exc *iot_excs_match(const struct iot_excs *x,
					     const struct iot_flow *f)
{
	unsigned int i;

	if (!x)
		return NULL;
	for (i = 0; i < x->n; i++)
		if (iot_exc_match(&x->v[i].key, f))
			return (struct iot_exc *)&x->v[i];
	return NULL;
}

/* Counts a packet of @len bytes that @e let through, on this CPU. */
static inline void iot_exc_count(struct iot_exc *e, unsigned int len)
{
	struct iot_exc_stats *stats = READ_ONCE(e->stats);
	struct iot_exc_pcpu *s = this_cpu_ptr(stats->pcpu);
	time64_t now = ktime_get_real_seconds();

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->pkts);
	u64_stats_add(&s->bytes, len);
	s->last = now;
	u64_stats_update_end(&s->syncp);
}

int iot_exc_key_parse(struct iot_exc_key *k, struct nlattr **tb,
		      const struct nlattr *where,
		      struct netlink_ext_ack *extack);
int iot_excs_find(const struct iot_excs *x, const struct iot_exc_key *k);
struct iot_excs *iot_excs_with(const struct iot_excs *x,
			       const struct iot_exc_key *keys, unsigned int n,
			       unsigned int room, unsigned int *added,
			       struct netlink_ext_ack *extack);
struct iot_excs *iot_excs_without(const struct iot_excs *x, unsigned int i);
void iot_excs_take_stats(struct iot_excs *x, struct iot_excs *old);
void iot_excs_free(struct iot_excs *x);
void iot_excs_retire(struct iot_excs *x, struct iot_exc_stats *gone);
void iot_exc_stats(const struct iot_exc *e, struct iot_exc_sum *sum);
int iot_exc_put(struct sk_buff *skb, const struct iot_exc *e);

#endif /* _IOT_EXC_H */
