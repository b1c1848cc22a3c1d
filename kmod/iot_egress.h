/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal declarations shared by the parts of iot_egress.
 */
#ifndef _IOT_EGRESS_H
#define _IOT_EGRESS_H

#include <linux/etherdevice.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/rbtree.h>
#include <linux/if.h>
#include <linux/in6.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "uapi/iot_egress.h"

struct iot_label {
	struct rcu_head rcu;
	char str[];
};

/* A device's counters on one CPU: updated by the packet path only. */
struct iot_pcpu_stats {
	u64_stats_t deny_pkts;
	u64_stats_t deny_bytes;
	u64_stats_t wan_pkts;
	u64_stats_t wan_bytes;
	struct u64_stats_sync syncp;
	time64_t last_deny;
	time64_t last_wan;
};

struct iot_stats {
	u64 deny_pkts;
	u64 deny_bytes;
	u64 wan_pkts;
	u64 wan_bytes;
	time64_t last_deny;
	time64_t last_wan;
};

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
	/* Made by the first packet counted (iot_dev_stats_get()). */
	struct iot_pcpu_stats __percpu *stats;
	struct rb_node sorted;
	struct rcu_head rcu;
};

/* Power-of-two hash buckets. @seed is odd and random: the bucket of a key
 * is the top bits of key * seed (multiply-shift), so which MACs collide is
 * a secret of this array.
 */
struct iot_buckets {
	u64 seed;
	u8 shift;
	/* Which iot_dev.node[] links devices into these buckets. */
	u8 idx;
	struct hlist_head head[];
};

/* A set of devices. The packet path reads @buckets under RCU; @sorted holds
 * the same devices in MAC order, for writers and dumps only.
 */
struct iot_table {
	struct iot_buckets __rcu *buckets;
	struct rb_root sorted;
	unsigned int ndevices;
	/* How many of them are denied. */
	unsigned int ndeny;
	/* Readers may see it: resizes must wait for them. */
	bool published;
	/* Held by every writer: the netns's lock. */
	struct mutex *lock;
};

/* All the packet path reads. Never changed once published, except through
 * the table it points to: writers build a new one and swap the pointer, so
 * a whole policy can be replaced at once.
 */
struct iot_cfg {
	struct rcu_head rcu;
	struct iot_table *table;
	u8 default_policy;
	/* No WAN name is configured: every egress counts as WAN. */
	bool all_wan;
	u8 nifindex;
	int ifindex[IOT_EGRESS_WAN_MAX];
};

union iot_addr {
	__be32 ip;
	struct in6_addr in6;
};

/* What the monitor is told, copied out of the recorder's lock. */
struct iot_event {
	u8 type;
	u8 policy;
	u8 family;
	u8 proto;
	bool unknown;
	u8 mac[ETH_ALEN];
	u16 dport;
	union iot_addr src;
	union iot_addr dst;
	u64 count;
	time64_t time;
	char label[IOT_EGRESS_NAME_MAX + 1];
};

/* One recorded destination, as dumps copy it out. */
struct iot_dest_info {
	u8 family;
	u8 proto;
	u16 dport;
	union iot_addr src;
	union iot_addr dst;
	u64 count;
	time64_t first;
	time64_t last;
};

/* The destinations devices tried to reach, and the unknown devices seen
 * under default deny. See rec.c.
 */
struct iot_rec {
	/* Guards all of it: taken by the packet path too. */
	spinlock_t lock;
	u32 seed;
	struct hlist_head *dhash;
	struct hlist_head *shash;
	/* Destinations, least recently seen first. */
	struct list_head dlru;
	/* Unknown devices, least recently seen first. */
	struct list_head ulru;
	unsigned int ndests;
	unsigned int nunknown;
	/* Bumped when the unknown list gains or loses a device. */
	u32 ugen;
	/* The global event rate limit: events in the second from @ev_window. */
	unsigned long ev_window;
	unsigned int ev_count;
	u64 events;
	u64 suppressed;
	struct delayed_work summary;
};

struct iot_wan_names {
	unsigned int n;
	char name[IOT_EGRESS_WAN_MAX][IFNAMSIZ];
};

struct iot_net {
	struct net *net;
	/* Serialises every writer of this netns. */
	struct mutex lock;
	struct iot_cfg __rcu *cfg;
	/* The table @cfg points to, for writers. */
	struct iot_table *table;
	/* The hooks are registered only while there is something to drop. */
	bool hooks_on;
	/* A policy being loaded, never seen by the packet path, and the
	 * netlink socket loading it.
	 */
	struct iot_table *staged;
	u32 staged_portid;
	/* Bumped under @lock on every change; never 0, for dump checks. */
	u64 generation;
	struct iot_wan_names wan;
	u64 __percpu *dropped;
	struct nf_hook_ops ops[2];
	struct iot_rec rec;
};

/* A MAC as a hash key: cheap to build from a packet, not meant to sort. */
static inline u64 iot_mac_key(const u8 *mac)
{
	return get_unaligned((const u32 *)mac) |
	       (u64)get_unaligned((const u16 *)(mac + 4)) << 32;
}

/* A MAC as a number that sorts like the MAC: for the rbtree and dumps. */
static inline u64 iot_sort_key(const u8 *mac)
{
	return ether_addr_to_u64(mac);
}

static inline unsigned int iot_bucket(const struct iot_buckets *b, u64 key)
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
		dev = container_of(node - b->idx, struct iot_dev, node[0]);
		if (dev->key == key)
			return dev;
	}
	return NULL;
}

extern unsigned int iot_max_devices;
extern unsigned int iot_max_dests;
extern unsigned int iot_dests_per_device;
extern unsigned int iot_max_unknown;
extern unsigned int iot_events_per_device;
extern unsigned int iot_events_per_sec;
extern unsigned int iot_summary_interval;
extern u8 iot_boot_default;
extern unsigned int iot_net_id;

/* net.c */
struct iot_net *iot_net(const struct net *net);
u64 iot_dropped(const struct iot_net *in);
int iot_net_register(void);
void iot_net_unregister(void);

/* table.c: the caller of each holds t->lock */
struct iot_table *iot_table_new(struct mutex *lock);
void iot_table_free(struct iot_table *t);
struct iot_dev *iot_dev_find(struct iot_table *t, const u8 *mac);
struct iot_dev *iot_dev_first_after(struct iot_table *t, u64 key, bool any);
struct iot_dev *iot_dev_next(struct iot_dev *dev);
const char *iot_dev_label(struct iot_table *t, const struct iot_dev *dev);
int iot_dev_set(struct iot_table *t, const u8 *mac, u8 policy,
		const char *label, struct netlink_ext_ack *extack);
int iot_dev_del(struct iot_table *t, const u8 *mac,
		struct netlink_ext_ack *extack);
void iot_dev_flush(struct iot_table *t);
void iot_dev_stats(const struct iot_dev *dev, struct iot_stats *sum);
void iot_table_take_stats(struct iot_table *t, struct iot_table *old);
struct iot_pcpu_stats __percpu *iot_dev_stats_get(struct iot_dev *dev);
int iot_dev_cache_init(void);
void iot_dev_cache_destroy(void);

/* wan.c */
int iot_cfg_init(struct iot_net *in, struct iot_table *table,
		 u8 default_policy);
void iot_cfg_destroy(struct iot_net *in);
u8 iot_default_policy(struct iot_net *in);
int iot_set_default(struct iot_net *in, u8 policy,
		    struct netlink_ext_ack *extack);
int iot_wan_add(struct iot_net *in, const char *name,
		struct netlink_ext_ack *extack);
int iot_wan_del(struct iot_net *in, const char *name,
		struct netlink_ext_ack *extack);
struct iot_table *iot_cfg_replace(struct iot_net *in, struct iot_table *table,
				  u8 default_policy,
				  const struct iot_wan_names *names);
int iot_wan_notifier_register(void);
void iot_wan_notifier_unregister(void);

/* load.c */
int iot_load_begin(struct iot_net *in, u32 portid,
		   struct netlink_ext_ack *extack);
struct iot_table *iot_load_staged(struct iot_net *in, u32 portid,
				  struct netlink_ext_ack *extack);
void iot_load_drop(struct iot_net *in);
void iot_load_release(struct iot_net *in, u32 portid);
int iot_load_commit(struct iot_net *in, u32 portid, u8 default_policy,
		    const struct iot_wan_names *names, u64 *generation,
		    unsigned int *cut, struct netlink_ext_ack *extack);
int iot_load_notifier_register(void);
void iot_load_notifier_unregister(void);

/* rec.c */
int iot_rec_cache_init(void);
void iot_rec_cache_destroy(void);
int iot_rec_init(struct iot_net *in);
void iot_rec_exit(struct iot_net *in);
void iot_rec_packet(struct iot_net *in, const u8 *mac, struct iot_dev *dev,
		    u8 verdict, struct sk_buff *skb, u8 pf);
int iot_rec_dests(struct iot_net *in, const u8 *mac, bool unknown,
		  struct iot_dest_info *v, unsigned int max, u64 *suppressed);
int iot_rec_unknown_nth(struct iot_net *in, unsigned int nth, u8 *mac,
			struct iot_stats *sum, time64_t *first, u32 *gen);
void iot_rec_counts(struct iot_net *in, unsigned int *ndests,
		    unsigned int *nunknown, u64 *events, u64 *suppressed);

/* cut.c */
#define IOT_ADDRS_MAX	64
struct iot_addr_ent {
	u8 family;
	union iot_addr a;
};

int iot_dev_addrs(struct net *net, const u8 *mac, struct iot_addr_ent *v,
		  unsigned int max);
unsigned int iot_cut_mac(struct iot_net *in, const u8 *mac);
unsigned int iot_cut_denied(struct iot_net *in);

/* hook.c */
int iot_hooks_get(struct iot_net *in, struct netlink_ext_ack *extack);
void iot_hooks_trim(struct iot_net *in);
void iot_hooks_init(struct iot_net *in);
void iot_hooks_exit(struct iot_net *in);

/* netlink.c */
void iot_nl_event(struct net *net, const struct iot_event *ev, u64 suppressed,
		  gfp_t gfp);
bool iot_nl_monitored(struct net *net);
int __init iot_genl_register(void);
void iot_genl_unregister(void);

#endif /* _IOT_EGRESS_H */
