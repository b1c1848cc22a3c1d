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

#include "load.h"
#include "net.h"
#include "txn.h"

int iot_load_begin(struct iot_net *in, u32 portid, unsigned int ndevices,
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
	iot_table_reserve(t, ndevices);
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

struct iot_load_commit {
	u32 portid;
	u8 default_policy;
	const struct iot_wan_names *names;
	/* Out: the table that was live. */
	struct iot_table **old;
};

static int iot_load_apply(struct iot_net *in, const void *arg,
			  struct netlink_ext_ack *extack)
{
	const struct iot_load_commit *c = arg;
	struct iot_table *staged = iot_load_staged(in, c->portid, extack);
	struct iot_table *old;

	if (!staged)
		return -ENOENT;
	/* A load that said it brought more devices than it did. */
	iot_table_fit(staged);
	old = iot_cfg_replace(in, staged, c->default_policy, c->names);
	if (IS_ERR(old)) {
		NL_SET_ERR_MSG(extack, "out of memory");
		iot_load_drop(in);
		return PTR_ERR(old);
	}
	in->staged = NULL;
	*c->old = old;
	return 0;
}

int iot_load_commit(struct iot_net *in, u32 portid, u8 default_policy,
		    const struct iot_wan_names *names,
		    struct iot_load_done *done, struct netlink_ext_ack *extack)
{
	struct iot_table *old = NULL;
	struct iot_load_commit c = {
		.portid = portid, .default_policy = default_policy,
		.names = names, .old = &old,
	};
	/* The hooks go in first: the old policy stays in force if they
	 * cannot, and the staged one is dropped.
	 */
	struct iot_txn t = {
		.change = iot_load_apply, .arg = &c,
		.drops = true, .policy = true, .cut = true,
	};
	int err;

	err = iot_txn(in, &t, extack);
	done->generation = t.generation;
	done->cut = t.ncut;
	if (old) {
		/* Packets may still be walking the old table. */
		synchronize_rcu();
		iot_table_free(old);
	}
	return err;
}
