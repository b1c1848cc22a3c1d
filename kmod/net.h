/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state of one network namespace. See net.c.
 */
#ifndef _IOT_NET_H
#define _IOT_NET_H

#include <linux/mutex.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "cfg.h"
#include "early.h"
#include "hook.h"

struct iot_monitor;
struct iot_rec;

struct iot_net {
	struct net *net;
	/* Serialises every writer of this netns: see txn.c. */
	struct mutex lock;
	/* What the packet path reads. */
	struct iot_cfg __rcu *cfg;
	/* What @cfg was built from, for writers. */
	struct iot_table *table;
	struct iot_wan_names wan;
	/* Bumped on every change to the policy; never 0, for dump checks. */
	u64 generation;
	/* A policy being loaded, never seen by the packet path, and the
	 * netlink socket loading it: see load.c.
	 */
	struct iot_table *staged;
	u32 staged_portid;
	struct iot_hooks hooks;
	struct iot_early early;
	struct iot_monitor *mon;
	struct iot_rec *rec;
};

extern unsigned int iot_net_id;

static inline struct iot_net *iot_net(const struct net *net)
{
	return net_generic(net, iot_net_id);
}

/* The netns a request acts on. */
static inline struct iot_net *iot_info_net(struct genl_info *info)
{
	return iot_net(genl_info_net(info));
}

int iot_net_register(void);
void iot_net_unregister(void);

#endif /* _IOT_NET_H */
