/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exceptions of a device table: adding, removing, and the packet
 * path's test. See except.c.
 */
#ifndef _IOT_EXCEPT_H
#define _IOT_EXCEPT_H

#include "exc.h"
#include "table.h"

bool iot_excepted_flow(const struct iot_excs *mine,
		       const struct iot_excs *any, struct sk_buff *skb, u8 pf);

/*
 * Does an exception let the packet @skb through: one of @dev's (NULL: an
 * unknown device), or one for any device? Counts it if so. Only a packet
 * that would be dropped asks. Caller holds rcu_read_lock().
 *
 * Inline, the test for "no exceptions at all"; the packet is parsed out
 * of line, so that the drop of a device with none pays for two loads, not
 * for a zeroed struct iot_flow on the stack.
 */
static inline bool iot_excepted(const struct iot_table *t,
				const struct iot_dev *dev,
				struct sk_buff *skb, u8 pf)
{
	const struct iot_excs *mine, *any;

	/* Order the device's policy, read by the caller, before its list:
	 * a lock publishes the list first (iot_except_lock()).
	 */
	smp_rmb();
	mine = dev ? rcu_dereference(dev->excs) : NULL;
	any = rcu_dereference(t->any);
	if (likely(!mine && !any))
		return false;
	return iot_excepted_flow(mine, any, skb, pf);
}

/* The caller of each of these holds t->lock. @mac NULL means any. */
struct iot_excs *iot_except_list(struct iot_table *t, const u8 *mac);
int iot_except_add(struct iot_table *t, const u8 *mac,
		   const struct iot_exc_key *keys, unsigned int n,
		   bool exist_ok, struct netlink_ext_ack *extack);
int iot_except_del(struct iot_table *t, const u8 *mac,
		   const struct iot_exc_key *k, struct netlink_ext_ack *extack);
int iot_except_lock(struct iot_table *t, const u8 *mac, u8 policy,
		    const struct iot_exc_key *keys, unsigned int n,
		    struct netlink_ext_ack *extack);

#endif /* _IOT_EXCEPT_H */
