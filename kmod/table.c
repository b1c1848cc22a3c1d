// SPDX-License-Identifier: GPL-2.0
/*
 * The device table: MAC -> policy and label, one per network namespace.
 *
 * The packet path looks devices up in an rhashtable under RCU. Writers hold
 * the netns's lock and also keep every device in an rbtree sorted by MAC,
 * so a dump that spans many messages resumes from the last MAC it sent.
 */
#include <linux/slab.h>

#include "iot_egress.h"

static struct kmem_cache *iot_dev_cache __read_mostly;

int iot_dev_cache_init(void)
{
	iot_dev_cache = KMEM_CACHE(iot_dev, 0);
	return iot_dev_cache ? 0 : -ENOMEM;
}

void iot_dev_cache_destroy(void)
{
	kmem_cache_destroy(iot_dev_cache);
}

static void iot_dev_free(struct iot_dev *dev)
{
	kfree(rcu_access_pointer(dev->label));
	kmem_cache_free(iot_dev_cache, dev);
}

static void iot_dev_free_rcu(struct rcu_head *rcu)
{
	iot_dev_free(container_of(rcu, struct iot_dev, rcu));
}

static void iot_dev_free_now(void *ptr, void *arg)
{
	iot_dev_free(ptr);
}

struct iot_table *iot_table_new(struct mutex *lock)
{
	struct iot_table *t;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	if (rhashtable_init(&t->ht, &iot_dev_params)) {
		kfree(t);
		return NULL;
	}
	t->sorted = RB_ROOT;
	t->lock = lock;
	return t;
}

/* No reader is left: the table was never published, or a grace period has
 * passed since it was replaced, or the hooks are gone.
 */
void iot_table_free(struct iot_table *t)
{
	rhashtable_free_and_destroy(&t->ht, iot_dev_free_now, NULL);
	kfree(t);
}

struct iot_dev *iot_dev_find(struct iot_table *t, const u8 *mac)
{
	lockdep_assert_held(t->lock);
	return rhashtable_lookup_fast(&t->ht, mac, iot_dev_params);
}

const char *iot_dev_label(struct iot_table *t, const struct iot_dev *dev)
{
	const struct iot_label *label;

	label = rcu_dereference_protected(dev->label, lockdep_is_held(t->lock));
	return label ? label->str : NULL;
}

/* The first device whose MAC sorts after @key, or the very first if @any. */
struct iot_dev *iot_dev_first_after(struct iot_table *t, u64 key, bool any)
{
	struct rb_node *node = t->sorted.rb_node;
	struct iot_dev *found = NULL;

	lockdep_assert_held(t->lock);
	while (node) {
		struct iot_dev *dev = rb_entry(node, struct iot_dev, sorted);

		if (any || iot_mac_key(dev->mac) > key) {
			found = dev;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return found;
}

struct iot_dev *iot_dev_next(struct iot_dev *dev)
{
	struct rb_node *node = rb_next(&dev->sorted);

	return node ? rb_entry(node, struct iot_dev, sorted) : NULL;
}

static void iot_sorted_insert(struct iot_table *t, struct iot_dev *new)
{
	struct rb_node **link = &t->sorted.rb_node, *parent = NULL;
	u64 key = iot_mac_key(new->mac);

	while (*link) {
		struct iot_dev *dev = rb_entry(*link, struct iot_dev, sorted);

		parent = *link;
		if (key < iot_mac_key(dev->mac))
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&new->sorted, parent, link);
	rb_insert_color(&new->sorted, &t->sorted);
}

static struct iot_label *iot_label_new(const char *str)
{
	size_t len = strlen(str) + 1;
	struct iot_label *label;

	label = kmalloc(struct_size(label, str, len), GFP_KERNEL);
	if (label)
		memcpy(label->str, str, len);
	return label;
}

int iot_dev_set(struct iot_table *t, const u8 *mac, u8 policy,
		const char *label, struct netlink_ext_ack *extack)
{
	struct iot_label *new_label = NULL, *old;
	struct iot_dev *dev;
	int err;

	lockdep_assert_held(t->lock);
	if (label) {
		new_label = iot_label_new(label);
		if (!new_label) {
			NL_SET_ERR_MSG(extack, "out of memory for the label");
			return -ENOMEM;
		}
	}

	dev = iot_dev_find(t, mac);
	if (dev) {
		WRITE_ONCE(dev->policy, policy);
		if (new_label) {
			old = rcu_replace_pointer(dev->label, new_label,
						  lockdep_is_held(t->lock));
			if (old)
				kfree_rcu(old, rcu);
		}
		return 0;
	}

	if (t->ndevices >= READ_ONCE(iot_max_devices)) {
		NL_SET_ERR_MSG(extack, "device table is full (max_devices)");
		err = -ENOSPC;
		goto err_label;
	}
	dev = kmem_cache_zalloc(iot_dev_cache, GFP_KERNEL);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "out of memory for the device");
		err = -ENOMEM;
		goto err_label;
	}
	ether_addr_copy(dev->mac, mac);
	dev->policy = policy;
	RCU_INIT_POINTER(dev->label, new_label);
	err = rhashtable_insert_fast(&t->ht, &dev->node, iot_dev_params);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot grow the device table");
		kmem_cache_free(iot_dev_cache, dev);
		goto err_label;
	}
	iot_sorted_insert(t, dev);
	t->ndevices++;
	return 0;

err_label:
	kfree(new_label);
	return err;
}

static void iot_dev_unlink(struct iot_table *t, struct iot_dev *dev)
{
	rhashtable_remove_fast(&t->ht, &dev->node, iot_dev_params);
	call_rcu(&dev->rcu, iot_dev_free_rcu);
}

int iot_dev_del(struct iot_table *t, const u8 *mac,
		struct netlink_ext_ack *extack)
{
	struct iot_dev *dev;

	dev = iot_dev_find(t, mac);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "device not in the table");
		return -ENOENT;
	}
	rb_erase(&dev->sorted, &t->sorted);
	iot_dev_unlink(t, dev);
	t->ndevices--;
	return 0;
}

void iot_dev_flush(struct iot_table *t)
{
	struct iot_dev *dev, *tmp;

	lockdep_assert_held(t->lock);
	rbtree_postorder_for_each_entry_safe(dev, tmp, &t->sorted, sorted)
		iot_dev_unlink(t, dev);
	t->sorted = RB_ROOT;
	t->ndevices = 0;
}
