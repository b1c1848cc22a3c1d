/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Write transactions on the state of a netns. See txn.c.
 */
#ifndef _IOT_TXN_H
#define _IOT_TXN_H

#include <net/netlink.h>

struct iot_net;

/* A change to the state of a netns, and what it takes. */
struct iot_txn {
	/* Makes the change, in the transaction; NULL for none. */
	int (*change)(struct iot_net *in, const void *arg,
		      struct netlink_ext_ack *extack);
	const void *arg;
	/* The change can make packets drop: the hooks go in first. */
	bool drops;
	/* It changes the policy: the generation moves on. */
	bool policy;
	/* Once it is made, cut the connections of the devices the policy
	 * denies: of @cut_mac only, if set.
	 */
	bool cut;
	const u8 *cut_mac;
	/* Out: the generation it ended at, and the connections cut. */
	u64 generation;
	unsigned int ncut;
};

int iot_txn(struct iot_net *in, struct iot_txn *t,
	    struct netlink_ext_ack *extack);

#endif /* _IOT_TXN_H */
