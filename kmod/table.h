/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device table: MAC -> policy, label and counters. See table.c.
 */
#ifndef _IOT_TABLE_H
#define _IOT_TABLE_H

#include <linux/etherdevice.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/timekeeping.h>
#include <linux/u64_stats_sync.h>
#include <net/netlink.h>

#include "exc.h"
#include "uapi/iot_egress.h"

extern unsigned int iot_max_devices;

/* A device's counters on one CPU: updated by the packet path only. The
 * times are stamps (iot_stamp()), read inside @syncp like the counters: on
 * a 32-bit CPU they are two words too.
 */
struct iot_pcpu_stats {
	u64_stats_t deny_pkts;
	u64_stats_t deny_bytes;
	u64_stats_t wan_pkts;
	u64_stats_t wan_bytes;
	struct u64_stats_sync syncp;
	u64 last_deny;
	u64 last_wan;
};

/* A device's counters summed over every CPU. */
struct iot_stats {
	u64 deny_pkts;
	u64 deny_bytes;
	u64 wan_pkts;
	u64 wan_bytes;
	time64_t last_deny;
	time64_t last_wan;
};

struct iot_label;

/* One LAN device. Readers find it by @key in the hash buckets under RCU;
 * writers also keep it in @sorted, in MAC order, so dumps resume by MAC.
 */
struct iot_dev {
	/* One link per generation of bucket array: a resize links every
	 * device into the new array through the link the old one does not
	 * use, while readers may still walk the old one.
	 */
	struct hlist_node node[2];
	u64 key;
	u8 mac[ETH_ALEN];
	u8 policy;
	struct iot_label __rcu *label;
	/* Its exceptions; NULL for none. */
	struct iot_excs __rcu *excs;
	/* Made by the first packet counted (iot_dev_count_first()). */
	struct iot_pcpu_stats __percpu *stats;
	/* Only writers, under the lock, walk @sorted; a device leaves it
	 * before it is handed to call_rcu(), so the two share their room.
	 */
	union {
		struct rb_node sorted;
		struct rcu_head rcu;
	};
};

/* Power-of-two hash buckets. @seed is odd and random: the bucket of a key
 * is the top bits of key * seed (multiply-shift), so which MACs collide is
 * a secret of this array.
 */
struct iot_buckets {
	u64 seed;
	u8 shift;
	/* Which iot_dev.node[] links devices into these buckets, and where
	 * that link is in the device (the lookup's container_of()).
	 */
	u8 idx;
	unsigned long off;
	struct hlist_head head[];
};

/* A set of devices. The packet path reads @buckets under RCU; @sorted holds
 * the same devices in MAC order, for writers and dumps only.
 */
struct iot_table {
	struct iot_buckets __rcu *buckets;
	struct rb_root sorted;
	/* The last node of @sorted, NULL when empty: a load in MAC order
	 * (what save writes) appends at it without walking down the tree.
	 */
	struct rb_node *last;
	unsigned int ndevices;
	/* How many of them are denied. */
	unsigned int ndeny;
	/* The exceptions for any device (NULL for none), and how many
	 * exceptions the table holds in all, the devices' included.
	 */
	struct iot_excs __rcu *any;
	unsigned int nexc;
	/* Readers may see it: resizes must wait for them. */
	bool published;
	/* Held by every writer: the netns's lock. */
	struct mutex *lock;
};

/* A MAC as a hash key: cheap to build from a packet, not meant to sort. */
static inline u64 iot_mac_key(const u8 *mac)
{
	return get_unaligned((const u32 *)mac) |
	       (u64)get_unaligned((const u16 *)(mac + 4)) << 32;
}

/* A MAC as a number that sorts like the MAC: for the rbtree and dumps.
 * Two big-endian loads, not ether_addr_to_u64()'s byte loop: a load's
 * rbtree insert computes it at every level.
 */
static inline u64 iot_sort_key(const u8 *mac)
{
	return (u64)get_unaligned_be16(mac) << 32 |
	       get_unaligned_be32(mac + 2);
}

static inline unsigned long iot_bucket(const struct iot_buckets *b, u64 key)
{
	return (key * b->seed) >> b->shift;
}

/* Caller holds rcu_read_lock(). */
static inline struct iot_dev *iot_dev_lookup_rcu(const struct iot_table *t,
						 u64 key)
{
	const struct iot_buckets *b = rcu_dereference(t->buckets);
	struct hlist_node *node;
	struct iot_dev *dev;

	node = rcu_dereference(hlist_first_rcu(&b->head[iot_bucket(b, key)]));
	for (; node; node = rcu_dereference(hlist_next_rcu(node))) {
		dev = (struct iot_dev *)((char *)node - b->off);
		if (dev->key == key)
			return dev;
	}
	return NULL;
}

/*
 * When a packet was seen, as the packet path stamps it: the 64-bit jiffies,
 * one load on a 64-bit CPU, never 0 and never wrapping. iot_stamp_time()
 * turns it into seconds since the epoch when it is read; the wall clock
 * costs the packet path a call.
 */
static inline u64 iot_stamp(void)
{
	return get_jiffies_64();
}

time64_t iot_stamp_time(u64 stamp);

static inline void iot_pcpu_count(struct iot_pcpu_stats *s, unsigned int len,
				  bool denied)
{
	u64 now = iot_stamp();

	u64_stats_update_begin(&s->syncp);
	if (denied) {
		u64_stats_inc(&s->deny_pkts);
		u64_stats_add(&s->deny_bytes, len);
		WRITE_ONCE(s->last_deny, now);
	} else {
		u64_stats_inc(&s->wan_pkts);
		u64_stats_add(&s->wan_bytes, len);
		WRITE_ONCE(s->last_wan, now);
	}
	u64_stats_update_end(&s->syncp);
}

void iot_dev_count_first(struct iot_dev *dev, unsigned int len, bool denied);

/* Counts a packet of @len bytes, denied or forwarded to a WAN, on this CPU:
 * the packet path of one device never shares a cache line between CPUs.
 * Inline and without a call once the device has its counters, so that the
 * hook of an allowed device needs no stack frame.
 */
static inline void iot_dev_count(struct iot_dev *dev, unsigned int len,
				 bool denied)
{
	struct iot_pcpu_stats __percpu *stats = READ_ONCE(dev->stats);

	if (unlikely(!stats))
		iot_dev_count_first(dev, len, denied);
	else
		iot_pcpu_count(this_cpu_ptr(stats), len, denied);
}

int iot_dev_cache_init(void);
void iot_dev_cache_destroy(void);

/* The caller of each of these holds t->lock. */
struct iot_table *iot_table_new(struct mutex *lock);
void iot_table_free(struct iot_table *t);
void iot_table_reserve(struct iot_table *t, unsigned int n);
void iot_table_fit(struct iot_table *t);
struct iot_dev *iot_dev_find(struct iot_table *t, const u8 *mac);
struct iot_dev *iot_dev_first_after(struct iot_table *t, u64 key, bool any);
struct iot_dev *iot_dev_next(struct iot_dev *dev);
const char *iot_dev_label(struct iot_table *t, const struct iot_dev *dev);
int iot_dev_set(struct iot_table *t, const u8 *mac, u8 policy,
		const char *label, struct netlink_ext_ack *extack);
int iot_dev_del(struct iot_table *t, const u8 *mac,
		struct netlink_ext_ack *extack);
void iot_dev_flush(struct iot_table *t);
void iot_table_take_stats(struct iot_table *t, struct iot_table *old);

/* A writer or an RCU reader. */
void iot_dev_stats(const struct iot_dev *dev, struct iot_stats *sum);
/* Caller holds rcu_read_lock(): the label, or "" if it has none. */
void iot_dev_label_copy(const struct iot_dev *dev, char *buf, size_t size);

#endif /* _IOT_TABLE_H */
