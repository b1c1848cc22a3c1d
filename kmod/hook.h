/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet path. See hook.c.
 */
#ifndef _IOT_HOOK_H
#define _IOT_HOOK_H

#include <linux/netfilter.h>
#include <linux/u64_stats_sync.h>
#include <net/netlink.h>

struct iot_net;

/* Packets dropped on one CPU, and how many of them before conntrack
 * (early.c): whole when read on a 32-bit CPU too.
 */
struct iot_drops {
	u64_stats_t n;
	u64_stats_t early;
	struct u64_stats_sync syncp;
};

/* The forward hooks of one netns. */
struct iot_hooks {
	struct nf_hook_ops ops[2];
	/* Registered only while there is something to drop or count. */
	bool on;
	struct iot_drops __percpu *dropped;
};

int iot_hooks_init(struct iot_net *in);
void iot_hooks_exit(struct iot_net *in);
/* The caller of each of these holds the netns's lock: see txn.c. */
int iot_hooks_get(struct iot_net *in, struct netlink_ext_ack *extack);
void iot_hooks_trim(struct iot_net *in);

#endif /* _IOT_HOOK_H */
