/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replacing a whole policy at once. See load.c.
 */
#ifndef _IOT_LOAD_H
#define _IOT_LOAD_H

#include "cfg.h"

struct iot_net;

/* The caller of each of these is in a transaction (txn.h). */
/* @ndevices: how many devices the load says it brings, 0 if it does not. */
int iot_load_begin(struct iot_net *in, u32 portid, unsigned int ndevices,
		   struct netlink_ext_ack *extack);
struct iot_table *iot_load_staged(struct iot_net *in, u32 portid,
				  struct netlink_ext_ack *extack);
void iot_load_drop(struct iot_net *in);
/* The netlink socket @portid is gone: its load, if any, with it. */
void iot_load_release(struct iot_net *in, u32 portid);

/* What a commit did. */
struct iot_load_done {
	u64 generation;
	/* Connections cut. */
	unsigned int cut;
};

/* This one makes its own. */
int iot_load_commit(struct iot_net *in, u32 portid, u8 default_policy,
		    const struct iot_wan_names *names,
		    struct iot_load_done *done, struct netlink_ext_ack *extack);

#endif /* _IOT_LOAD_H */
