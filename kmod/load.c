// SPDX-License-Identifier: GPL-2.0
/*
 * Replacing a whole policy at once.
 *
 * A load stages a new device table off to the side, bound to the netlink
 * socket that began it, over as many messages as it takes. The commit then
 * publishes it with the WAN names and default in one config swap, so the
 * packet path never sees a mix of the old and the new policy: a device
 * denied in both stays blocked throughout. If the socket closes first, the
 * staged table is dropped.
 */
#include <linux/netlink.h>
#include <net/net_namespace.h>

#include "iot_egress.h"

int iot_load_begin(struct iot_net *in, u32 portid,
		   struct netlink_ext_ack *extack)
{
	struct iot_table *t;

	lockdep_assert_held(&in->lock);
	if (in->staged && in->staged_portid != portid) {
		NL_SET_ERR_MSG(extack, "another load is in progress in this netns");
		return -EBUSY;
	}
	t = iot_table_new(&in->lock);
	if (!t) {
		NL_SET_ERR_MSG(extack, "out of memory");
		return -ENOMEM;
	}
	iot_load_drop(in);
	in->staged = t;
	in->staged_portid = portid;
	return 0;
}

struct iot_table *iot_load_staged(struct iot_net *in, u32 portid,
				  struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&in->lock);
	if (!in->staged || in->staged_portid != portid) {
		NL_SET_ERR_MSG(extack, "no load in progress on this socket");
		return NULL;
	}
	return in->staged;
}

/* The staged table was never published: no reader can hold it. */
void iot_load_drop(struct iot_net *in)
{
	if (in->staged) {
		iot_table_free(in->staged);
		in->staged = NULL;
	}
}

/* Drop what @portid staged, if it staged anything. */
void iot_load_release(struct iot_net *in, u32 portid)
{
	lockdep_assert_held(&in->lock);
	if (in->staged && in->staged_portid == portid)
		iot_load_drop(in);
}

int iot_load_commit(struct iot_net *in, u32 portid, u8 default_policy,
		    const struct iot_wan_names *names, u64 *generation,
		    unsigned int *cut, struct netlink_ext_ack *extack)
{
	struct iot_table *staged, *old;
	int err;

	mutex_lock(&in->lock);
	staged = iot_load_staged(in, portid, extack);
	if (!staged) {
		mutex_unlock(&in->lock);
		return -ENOENT;
	}
	/* Hooks first: the old policy stays in force if they fail. */
	err = iot_hooks_get(in, extack);
	if (err)
		goto err_drop;
	old = iot_cfg_replace(in, staged, default_policy, names);
	if (IS_ERR(old)) {
		NL_SET_ERR_MSG(extack, "out of memory");
		err = PTR_ERR(old);
		goto err_drop;
	}
	in->staged = NULL;
	in->generation++;
	*generation = in->generation;
	iot_hooks_trim(in);
	mutex_unlock(&in->lock);

	/* Packets may still be walking the old table. */
	synchronize_rcu();
	iot_table_free(old);

	mutex_lock(&in->lock);
	*cut = iot_cut_denied(in);
	mutex_unlock(&in->lock);
	return 0;

err_drop:
	iot_load_drop(in);
	iot_hooks_trim(in);
	mutex_unlock(&in->lock);
	return err;
}

static int iot_netlink_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct netlink_notify *n = ptr;
	struct iot_net *in;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	in = iot_net(n->net);
	mutex_lock(&in->lock);
	if (in->staged && in->staged_portid == n->portid)
		iot_load_drop(in);
	mutex_unlock(&in->lock);
	return NOTIFY_DONE;
}

static struct notifier_block iot_netlink_notifier = {
	.notifier_call = iot_netlink_event,
};

int iot_load_notifier_register(void)
{
	return netlink_register_notifier(&iot_netlink_notifier);
}

void iot_load_notifier_unregister(void)
{
	netlink_unregister_notifier(&iot_netlink_notifier);
}
