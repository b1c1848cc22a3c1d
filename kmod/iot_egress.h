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
#include <linux/rhashtable.h>
#include <linux/if.h>
#include <linux/jhash.h>
#include <asm/unaligned.h>

#include "uapi/iot_egress.h"

struct iot_label {
	struct rcu_head rcu;
	char str[];
};

/* One LAN device. Readers find it through @node under RCU; writers also
 * keep it in @sorted, in MAC order, so dumps can resume by key.
 */
struct iot_dev {
	struct rhash_head node;
	u8 mac[ETH_ALEN];
	u8 policy;
	struct iot_label __rcu *label;
	struct rb_node sorted;
	struct rcu_head rcu;
};

/* A set of devices. The packet path reads @ht under RCU; @sorted holds the
 * same devices in MAC order, for writers and dumps only.
 */
struct iot_table {
	struct rhashtable ht;
	struct rb_root sorted;
	unsigned int ndevices;
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
};

/* The table is filled by the admin, but the lookup key comes from any LAN
 * host, so buckets are chosen by a hash keyed with the table's random seed.
 */
static inline u32 iot_mac_hashfn(const void *data, u32 len, u32 seed)
{
	const u8 *mac = data;

	return jhash_2words(get_unaligned((const u32 *)mac),
			    get_unaligned((const u16 *)(mac + 4)), seed);
}

static inline int iot_dev_cmpfn(struct rhashtable_compare_arg *arg,
				const void *obj)
{
	const struct iot_dev *dev = obj;

	return !ether_addr_equal_unaligned(dev->mac, arg->key);
}

static const struct rhashtable_params iot_dev_params = {
	.head_offset = offsetof(struct iot_dev, node),
	.key_offset = offsetof(struct iot_dev, mac),
	.key_len = ETH_ALEN,
	.hashfn = iot_mac_hashfn,
	.obj_cmpfn = iot_dev_cmpfn,
	.automatic_shrinking = true,
};

/* Caller holds rcu_read_lock(). */
static inline struct iot_dev *iot_dev_lookup_rcu(struct iot_table *t,
						 const u8 *mac)
{
	return rhashtable_lookup(&t->ht, mac, iot_dev_params);
}

extern unsigned int iot_max_devices;
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
int iot_dev_cache_init(void);
void iot_dev_cache_destroy(void);

static inline u64 iot_mac_key(const u8 *mac)
{
	return ether_addr_to_u64(mac);
}

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
int iot_load_commit(struct iot_net *in, u32 portid, u8 default_policy,
		    const struct iot_wan_names *names,
		    struct netlink_ext_ack *extack);
int iot_load_notifier_register(void);
void iot_load_notifier_unregister(void);

/* hook.c */
int iot_hooks_register(struct iot_net *in);
void iot_hooks_unregister(struct iot_net *in);

/* netlink.c */
int __init iot_genl_register(void);
void iot_genl_unregister(void);

#endif /* _IOT_EGRESS_H */
