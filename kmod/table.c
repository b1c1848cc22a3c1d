// SPDX-License-Identifier: GPL-2.0
/*
 * The device table: MAC -> policy and label, one per network namespace.
 *
 * The packet path looks devices up in an rhashtable under RCU. Writers hold
 * iot_net->lock and also keep every device in an rbtree sorted by MAC, so a
 * dump that spans many messages resumes from the last MAC it sent.
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

int iot_table_init(struct iot_net *in)
{
	in->sorted = RB_ROOT;
	in->ndevices = 0;
	return rhashtable_init(&in->devices, &iot_dev_params);
}

/* The hooks are gone and no reader is left. */
void iot_table_destroy(struct iot_net *in)
{
	rhashtable_free_and_destroy(&in->devices, iot_dev_free_now, NULL);
	in->sorted = RB_ROOT;
	in->ndevices = 0;
}

struct iot_dev *iot_dev_find(struct iot_net *in, const u8 *mac)
{
	lockdep_assert_held(&in->lock);
	return rhashtable_lookup_fast(&in->devices, mac, iot_dev_params);
}

/* The first device whose MAC sorts after @key, or the very first if @any. */
struct iot_dev *iot_dev_first_after(struct iot_net *in, u64 key, bool any)
{
	struct rb_node *node = in->sorted.rb_node;
	struct iot_dev *found = NULL;

	lockdep_assert_held(&in->lock);
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

static void iot_sorted_insert(struct iot_net *in, struct iot_dev *new)
{
	struct rb_node **link = &in->sorted.rb_node, *parent = NULL;
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
	rb_insert_color(&new->sorted, &in->sorted);
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

int iot_dev_set(struct iot_net *in, const u8 *mac, u8 policy,
		const char *label, struct netlink_ext_ack *extack)
{
	struct iot_label *new_label = NULL, *old;
	struct iot_dev *dev;
	int err;

	lockdep_assert_held(&in->lock);
	if (label) {
		new_label = iot_label_new(label);
		if (!new_label) {
			NL_SET_ERR_MSG(extack, "out of memory for the label");
			return -ENOMEM;
		}
	}

	dev = iot_dev_find(in, mac);
	if (dev) {
		WRITE_ONCE(dev->policy, policy);
		if (new_label) {
			old = rcu_replace_pointer(dev->label, new_label,
						  lockdep_is_held(&in->lock));
			if (old)
				kfree_rcu(old, rcu);
		}
		in->generation++;
		return 0;
	}

	if (in->ndevices >= READ_ONCE(iot_max_devices)) {
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
	err = rhashtable_insert_fast(&in->devices, &dev->node, iot_dev_params);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot grow the device table");
		kmem_cache_free(iot_dev_cache, dev);
		goto err_label;
	}
	iot_sorted_insert(in, dev);
	in->ndevices++;
	in->generation++;
	return 0;

err_label:
	kfree(new_label);
	return err;
}

static void iot_dev_unlink(struct iot_net *in, struct iot_dev *dev)
{
	rhashtable_remove_fast(&in->devices, &dev->node, iot_dev_params);
	call_rcu(&dev->rcu, iot_dev_free_rcu);
}

int iot_dev_del(struct iot_net *in, const u8 *mac,
		struct netlink_ext_ack *extack)
{
	struct iot_dev *dev;

	lockdep_assert_held(&in->lock);
	dev = iot_dev_find(in, mac);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "device not in the table");
		return -ENOENT;
	}
	rb_erase(&dev->sorted, &in->sorted);
	iot_dev_unlink(in, dev);
	in->ndevices--;
	in->generation++;
	return 0;
}

void iot_dev_flush(struct iot_net *in)
{
	struct iot_dev *dev, *tmp;

	lockdep_assert_held(&in->lock);
	rbtree_postorder_for_each_entry_safe(dev, tmp, &in->sorted, sorted)
		iot_dev_unlink(in, dev);
	in->sorted = RB_ROOT;
	in->ndevices = 0;
	in->generation++;
}
