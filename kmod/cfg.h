/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The config the packet path reads, and the WAN names it comes from. See
 * cfg.c.
 */
#ifndef _IOT_CFG_H
#define _IOT_CFG_H

#include <linux/bits.h>
#include <linux/if.h>
#include <net/netlink.h>

#include "table.h"

struct iot_net;

/* The WAN interface names, as configured: they need not exist. */
struct iot_wan_names {
	unsigned int n;
	char name[IOT_EGRESS_WAN_MAX][IFNAMSIZ];
};

/* The interfaces the WAN names resolve to. */
struct iot_wan_ifs {
	/* Bit i: interface i is a WAN, for the ifindexes under 64 (most
	 * routers have no other); every bit when every egress counts as WAN.
	 */
	u64 low;
	/* No WAN name is configured: every egress counts as WAN. */
	bool all;
	u8 n;
	int ifindex[IOT_EGRESS_WAN_MAX];
};

#define IOT_WAN_LOW	64

/* All the packet path reads. Never changed once published, except through
 * the table it points to: writers build a new one and swap the pointer, so
 * a whole policy can be replaced at once.
 */
struct iot_cfg {
	struct rcu_head rcu;
	struct iot_table *table;
	u8 default_policy;
	struct iot_wan_ifs wan;
};

/* Is the interface @ifindex a WAN interface? One bit test in the packet
 * path of a router whose interfaces were made at boot.
 */
static inline bool iot_is_wan(const struct iot_wan_ifs *wan, int ifindex)
{
	unsigned int i;

	if (likely((unsigned int)ifindex < IOT_WAN_LOW))
		return wan->low & BIT_ULL(ifindex);
	if (wan->all)
		return true;
	for (i = 0; i < wan->n; i++)
		if (wan->ifindex[i] == ifindex)
			return true;
	return false;
}

/* The policy of a device: its own if it is in the table (@dev), else the
 * default. Caller holds rcu_read_lock().
 */
static inline u8 iot_policy(const struct iot_cfg *cfg,
			    const struct iot_dev *dev)
{
	return dev ? READ_ONCE(dev->policy) : cfg->default_policy;
}

int iot_wan_names_add(struct iot_wan_names *names, const struct nlattr *attr,
		      struct netlink_ext_ack *extack);
int iot_wan_ifindex(struct net *net, const char *name);

/* The caller of each of these holds the netns's lock. */
int iot_cfg_init(struct iot_net *in, struct iot_table *table,
		 u8 default_policy);
void iot_cfg_destroy(struct iot_net *in);
u8 iot_default_policy(struct iot_net *in);
int iot_set_default(struct iot_net *in, u8 policy,
		    struct netlink_ext_ack *extack);
int iot_wan_add(struct iot_net *in, const struct nlattr *attr,
		struct netlink_ext_ack *extack);
int iot_wan_del(struct iot_net *in, const struct nlattr *attr,
		struct netlink_ext_ack *extack);
struct iot_table *iot_cfg_replace(struct iot_net *in, struct iot_table *table,
				  u8 default_policy,
				  const struct iot_wan_names *names);
void iot_cfg_refresh(struct iot_net *in, const struct net_device *dev);

#endif /* _IOT_CFG_H */
