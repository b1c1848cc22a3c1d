// SPDX-License-Identifier: GPL-2.0
/*
 * Every change to the state of a netns is one transaction, whoever makes
 * it: a netlink request, a load's commit, the netdevice notifier. The
 * transaction takes the netns's mutex, puts the hooks in first if the
 * change can make packets drop (if they cannot go in, nothing changes),
 * moves the generation that dumps check on if the policy changed, and
 * takes the hooks out again if nothing is left to drop or count.
 *
 * Writers serialise on the mutex; the packet path reads under RCU and
 * never waits for it. The netdevice notifier takes the mutex under RTNL,
 * so nothing slow runs inside a transaction: cutting the connections of
 * the devices a change denies (cut.c) runs after it, with no lock held.
 */
#include "cut.h"
#include "hook.h"
#include "net.h"
#include "txn.h"

int iot_txn(struct iot_net *in, struct iot_txn *t,
	    struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&in->lock);
	if (t->drops)
		err = iot_hooks_get(in, extack);
	if (!err && t->change)
		err = t->change(in, t->arg, extack);
	if (!err && t->policy)
		in->generation++;
	/* Whatever changed, no packet is dropped early on what came before. */
	iot_early_forget(in);
	t->generation = in->generation;
	iot_hooks_trim(in);
	mutex_unlock(&in->lock);

	t->ncut = 0;
	if (!err && t->cut)
		t->ncut = iot_cut(in->net, &in->cfg, t->cut_mac);
	return err;
}
