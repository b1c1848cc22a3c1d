// SPDX-License-Identifier: GPL-2.0
/*
 * The exceptions of a device table: each device in the table may have a
 * list of its own, and the table has one list for any device whose packets
 * would be dropped. A change publishes a new list in one pointer store, so
 * the packet path sees a list before or after it, never half of it, and
 * every list of the table goes with the table when a load replaces it.
 *
 * Limits: iot_exc_list_max() per list, max_exceptions per table.
 */
#include "except.h"

/* iot_excepted() for a packet with lists to try: its own, then any's. */
bool iot_excepted_flow(const struct iot_excs *mine,
		       const struct iot_excs *any, struct sk_buff *skb, u8 pf)
{
	struct iot_exc *e;
	struct iot_flow f;

	iot_flow_parse(skb, pf, &f);
	e = iot_excs_match(mine, &f) ?: iot_excs_match(any, &f);
	if (!e)
		return false;
	iot_exc_count(e, skb->len);
	return true;
}

/* Where the list of @mac (NULL: any) is kept; NULL if @mac is not in the
 * table.
 */
static struct iot_excs __rcu **iot_except_slot(struct iot_table *t,
					       const u8 *mac,
					       struct netlink_ext_ack *extack)
{
	struct iot_dev *dev;

	if (!mac)
		return &t->any;
	dev = iot_dev_find(t, mac);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "device not in the table");
		return NULL;
	}
	return &dev->excs;
}

static struct iot_excs *iot_except_cur(struct iot_table *t,
				       struct iot_excs __rcu **slot)
{
	return rcu_dereference_protected(*slot, lockdep_is_held(t->lock));
}

/* The list of @mac (NULL: any), or NULL if it has none. */
struct iot_excs *iot_except_list(struct iot_table *t, const u8 *mac)
{
	struct iot_excs __rcu **slot = iot_except_slot(t, mac, NULL);

	return slot ? iot_except_cur(t, slot) : NULL;
}

/* Replace the list in @slot, @old, by @new. */
static void iot_except_publish(struct iot_table *t,
			       struct iot_excs __rcu **slot,
			       struct iot_excs *old, struct iot_excs *new,
			       struct iot_exc_stats *gone)
{
	rcu_assign_pointer(*slot, new);
	if (t->published) {
		iot_excs_retire(old, gone);
	} else {
		/* A staged table: nobody reads it yet. */
		kfree(old);
		if (gone) {
			free_percpu(gone->pcpu);
			kfree(gone);
		}
	}
}

static int iot_except_add_slot(struct iot_table *t,
			       struct iot_excs __rcu **slot,
			       const struct iot_exc_key *keys, unsigned int n,
			       struct netlink_ext_ack *extack)
{
	unsigned int max = READ_ONCE(iot_max_exceptions), added;
	struct iot_excs *old = iot_except_cur(t, slot), *new;

	new = iot_excs_with(old, keys, n, t->nexc < max ? max - t->nexc : 0,
			    &added, extack);
	if (IS_ERR(new))
		return PTR_ERR(new);
	if (!added) {
		/* Nothing new: the list stays, and no list is ever empty. */
		kfree(new);
		return 0;
	}
	iot_except_publish(t, slot, old, new, NULL);
	t->nexc += added;
	return 0;
}

/*
 * Add the @n exceptions @keys to those of @mac (NULL: any): all of them or,
 * if one is refused, none. One that is there already is an error unless
 * @exist_ok.
 */
int iot_except_add(struct iot_table *t, const u8 *mac,
		   const struct iot_exc_key *keys, unsigned int n,
		   bool exist_ok, struct netlink_ext_ack *extack)
{
	struct iot_excs __rcu **slot;
	unsigned int i;

	lockdep_assert_held(t->lock);
	slot = iot_except_slot(t, mac, extack);
	if (!slot)
		return -ENOENT;
	for (i = 0; !exist_ok && i < n; i++) {
		if (iot_excs_find(iot_except_cur(t, slot), &keys[i]) >= 0) {
			NL_SET_ERR_MSG(extack, "exception exists");
			return -EEXIST;
		}
	}
	return iot_except_add_slot(t, slot, keys, n, extack);
}

int iot_except_del(struct iot_table *t, const u8 *mac,
		   const struct iot_exc_key *k, struct netlink_ext_ack *extack)
{
	struct iot_excs __rcu **slot;
	struct iot_excs *old, *new;
	int i;

	lockdep_assert_held(t->lock);
	slot = iot_except_slot(t, mac, extack);
	if (!slot)
		return -ENOENT;
	old = iot_except_cur(t, slot);
	i = iot_excs_find(old, k);
	if (i < 0) {
		NL_SET_ERR_MSG(extack, "no such exception");
		return -ENOENT;
	}
	new = iot_excs_without(old, i);
	if (IS_ERR(new)) {
		NL_SET_ERR_MSG(extack, "out of memory");
		return PTR_ERR(new);
	}
	iot_except_publish(t, slot, old, new, old->v[i].stats);
	t->nexc--;
	return 0;
}

/*
 * Set the policy of @mac, which must be in the table, and add the @n
 * exceptions @keys to its own in the same step: the packet path never sees
 * the new policy without them (iotctl lock). Its label stays.
 */
int iot_except_lock(struct iot_table *t, const u8 *mac, u8 policy,
		    const struct iot_exc_key *keys, unsigned int n,
		    struct netlink_ext_ack *extack)
{
	struct iot_excs __rcu **slot;
	int err;

	lockdep_assert_held(t->lock);
	slot = iot_except_slot(t, mac, extack);
	if (!slot)
		return -ENOENT;
	err = iot_except_add_slot(t, slot, keys, n, extack);
	if (err)
		return err;
	/* The list before the policy: iot_excepted() reads them the other
	 * way round.
	 */
	smp_wmb();
	/* Changes the device in place, with no label: cannot fail. */
	return iot_dev_set(t, mac, policy, NULL, extack);
}
