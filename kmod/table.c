// SPDX-License-Identifier: GPL-2.0
/*
 * The device table: MAC -> policy and label, one per network namespace.
 *
 * The packet path looks a MAC up in power-of-two hash buckets under RCU:
 * a multiply, a shift and a short chain walk. Writers hold the netns's lock
 * and also keep every device in an rbtree sorted by MAC, so a dump that
 * spans many messages resumes from the last MAC it sent.
 *
 * The buckets grow and shrink with the table. A resize links every device
 * into a new array through its other hlist node, publishes the new array
 * and waits for readers of the old one before freeing it, so the next
 * resize may reuse those links.
 */
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "table.h"

#define IOT_MIN_BITS	4
#define IOT_MAX_BITS	24

unsigned int iot_max_devices __read_mostly = 65536;
module_param_named(max_devices, iot_max_devices, uint, 0644);
MODULE_PARM_DESC(max_devices, "Most devices the table of one network namespace may hold (default 65536)");

struct iot_label {
	struct rcu_head rcu;
	char str[];
};

static struct kmem_cache *iot_dev_cache __read_mostly;

int iot_dev_cache_init(void)
{
	BUILD_BUG_ON(offsetof(struct iot_dev, node) != 0);
	iot_dev_cache = KMEM_CACHE(iot_dev, SLAB_ACCOUNT);
	return iot_dev_cache ? 0 : -ENOMEM;
}

void iot_dev_cache_destroy(void)
{
	/* Devices are freed by call_rcu() callbacks in this module. */
	rcu_barrier();
	kmem_cache_destroy(iot_dev_cache);
}

static void iot_dev_free(struct iot_dev *dev)
{
	iot_excs_free(rcu_access_pointer(dev->excs));
	free_percpu(dev->stats);
	kfree(rcu_access_pointer(dev->label));
	kmem_cache_free(iot_dev_cache, dev);
}

static void iot_dev_free_rcu(struct rcu_head *rcu)
{
	iot_dev_free(container_of(rcu, struct iot_dev, rcu));
}

/*
 * A device's counters, made when its first packet is counted: a table
 * of devices that never talk costs no per-CPU memory, and a load of many
 * devices allocates nothing but the devices. If there is no memory left,
 * that packet goes uncounted.
 */
void iot_dev_count_first(struct iot_dev *dev, unsigned int len, bool denied)
{
	struct iot_pcpu_stats __percpu *stats, *old;
	int cpu;

	stats = alloc_percpu_gfp(struct iot_pcpu_stats, GFP_ATOMIC);
	if (!stats)
		return;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	old = cmpxchg(&dev->stats, NULL, stats);
	if (old) {
		free_percpu(stats);
		stats = old;
	}
	iot_pcpu_count(this_cpu_ptr(stats), len, denied);
}

/* A stamp in seconds since the epoch; 0 stays 0 (never). A wall clock
 * set since then (NTP at boot, on a board without a clock) moves it along.
 */
time64_t iot_stamp_time(u64 stamp)
{
	u64 now = iot_stamp();

	if (!stamp)
		return 0;
	return ktime_get_real_seconds() -
	       div_u64(now - min(stamp, now), HZ);
}

void iot_dev_stats(const struct iot_dev *dev, struct iot_stats *sum)
{
	struct iot_pcpu_stats __percpu *stats = READ_ONCE(dev->stats);
	const struct iot_pcpu_stats *s;
	u64 last_deny = 0, last_wan = 0;
	unsigned int start;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	if (!stats)
		return;
	for_each_possible_cpu(cpu) {
		u64 dp, db, wp, wb, ld, lw;

		s = per_cpu_ptr(stats, cpu);
		do {
			start = u64_stats_fetch_begin(&s->syncp);
			dp = u64_stats_read(&s->deny_pkts);
			db = u64_stats_read(&s->deny_bytes);
			wp = u64_stats_read(&s->wan_pkts);
			wb = u64_stats_read(&s->wan_bytes);
			ld = READ_ONCE(s->last_deny);
			lw = READ_ONCE(s->last_wan);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->deny_pkts += dp;
		sum->deny_bytes += db;
		sum->wan_pkts += wp;
		sum->wan_bytes += wb;
		last_deny = max(last_deny, ld);
		last_wan = max(last_wan, lw);
	}
	sum->last_deny = iot_stamp_time(last_deny);
	sum->last_wan = iot_stamp_time(last_wan);
}

/*
 * Before a staged table @t replaces @old: its devices that were in @old
 * carry on with their counters. The packet path may still count on the
 * old device, in the counters it has already looked up (now the new
 * device's), or in new ones it makes for the old device, which go with it.
 */
void iot_table_take_stats(struct iot_table *t, struct iot_table *old)
{
	struct iot_dev *dev, *prev;
	struct rb_node *rb;

	lockdep_assert_held(t->lock);
	for (rb = rb_first(&t->sorted); rb; rb = rb_next(rb)) {
		dev = rb_entry(rb, struct iot_dev, sorted);
		prev = iot_dev_find(old, dev->mac);
		if (!prev)
			continue;
		dev->stats = xchg(&prev->stats, NULL);
		iot_excs_take_stats(rcu_access_pointer(dev->excs),
				    rcu_access_pointer(prev->excs));
	}
	iot_excs_take_stats(rcu_access_pointer(t->any),
			    rcu_access_pointer(old->any));
}

static struct iot_buckets *iot_buckets_alloc(unsigned int bits, u8 idx)
{
	struct iot_buckets *b;

	b = kvzalloc(struct_size(b, head, 1U << bits), GFP_KERNEL_ACCOUNT);
	if (!b)
		return NULL;
	b->seed = get_random_u64() | 1;
	b->shift = 64 - bits;
	b->idx = idx;
	b->off = idx ? offsetof(struct iot_dev, node[1]) :
		       offsetof(struct iot_dev, node[0]);
	return b;
}

static struct iot_buckets *iot_buckets(struct iot_table *t)
{
	return rcu_dereference_protected(t->buckets, lockdep_is_held(t->lock));
}

static unsigned int iot_buckets_bits(const struct iot_buckets *b)
{
	return 64 - b->shift;
}

struct iot_table *iot_table_new(struct mutex *lock)
{
	struct iot_buckets *b;
	struct iot_table *t;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	b = iot_buckets_alloc(IOT_MIN_BITS, 0);
	if (!b) {
		kfree(t);
		return NULL;
	}
	RCU_INIT_POINTER(t->buckets, b);
	t->sorted = RB_ROOT;
	t->lock = lock;
	return t;
}

/* No reader is left: the table was never published, or a grace period has
 * passed since it was replaced, or the hooks are gone.
 */
void iot_table_free(struct iot_table *t)
{
	struct iot_dev *dev, *tmp;

	rbtree_postorder_for_each_entry_safe(dev, tmp, &t->sorted, sorted)
		iot_dev_free(dev);
	iot_excs_free(rcu_access_pointer(t->any));
	kvfree(rcu_access_pointer(t->buckets));
	kfree(t);
}

/* Move every device to a new array of 2^@bits buckets. On failure the old
 * array stays: lookups remain right, only chains get longer.
 */
static void iot_table_resize(struct iot_table *t, unsigned int bits)
{
	struct iot_buckets *old = iot_buckets(t), *new;
	unsigned int i, n = 1U << iot_buckets_bits(old);
	struct iot_dev *dev;

	new = iot_buckets_alloc(bits, !old->idx);
	if (!new)
		return;
	/* The old chains, not the rbtree: an array in order is cheaper to
	 * walk than a tree, and a load resizes all the way up.
	 */
	for (i = 0; i < n; i++)
		hlist_for_each_entry(dev, &old->head[i], node[old->idx])
			hlist_add_head_rcu(&dev->node[new->idx],
					   &new->head[iot_bucket(new, dev->key)]);
	rcu_assign_pointer(t->buckets, new);
	if (t->published)
		synchronize_rcu();
	kvfree(old);
}

/* Buckets for @n devices (at most max_devices) in a table not yet
 * published, so a load of @n does not resize on the way. Without the
 * memory, the table grows as it fills instead.
 */
void iot_table_reserve(struct iot_table *t, unsigned int n)
{
	unsigned int bits;

	lockdep_assert_held(t->lock);
	n = min(n, READ_ONCE(iot_max_devices));
	bits = clamp_t(unsigned int, order_base_2(n), IOT_MIN_BITS,
		       IOT_MAX_BITS);
	if (!t->published && bits > iot_buckets_bits(iot_buckets(t)))
		iot_table_resize(t, bits);
}

/* A table not yet published, sized for more devices than it got: down to
 * what a table that had shrunk on its own would have (iot_dev_del()).
 */
void iot_table_fit(struct iot_table *t)
{
	unsigned int bits, want;

	lockdep_assert_held(t->lock);
	bits = iot_buckets_bits(iot_buckets(t));
	want = bits;
	while (want > IOT_MIN_BITS && t->ndevices < 1U << (want - 2))
		want--;
	if (!t->published && want < bits)
		iot_table_resize(t, want);
}

struct iot_dev *iot_dev_find(struct iot_table *t, const u8 *mac)
{
	struct iot_dev *dev;

	lockdep_assert_held(t->lock);
	/* The lock, not RCU, keeps the device alive after the lookup. */
	rcu_read_lock();
	dev = iot_dev_lookup_rcu(t, iot_mac_key(mac));
	rcu_read_unlock();
	return dev;
}

const char *iot_dev_label(struct iot_table *t, const struct iot_dev *dev)
{
	const struct iot_label *label;

	label = rcu_dereference_protected(dev->label, lockdep_is_held(t->lock));
	return label ? label->str : NULL;
}

void iot_dev_label_copy(const struct iot_dev *dev, char *buf, size_t size)
{
	const struct iot_label *label = rcu_dereference(dev->label);

	strscpy(buf, label ? label->str : "", size);
}

/* The first device whose MAC sorts after @key, or the very first if @any. */
struct iot_dev *iot_dev_first_after(struct iot_table *t, u64 key, bool any)
{
	struct rb_node *node = t->sorted.rb_node;
	struct iot_dev *found = NULL;

	lockdep_assert_held(t->lock);
	while (node) {
		struct iot_dev *dev = rb_entry(node, struct iot_dev, sorted);

		if (any || iot_sort_key(dev->mac) > key) {
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

static u64 iot_node_key(const struct rb_node *node)
{
	return iot_sort_key(rb_entry(node, struct iot_dev, sorted)->mac);
}

static void iot_sorted_insert(struct iot_table *t, struct iot_dev *new)
{
	struct rb_node **link = &t->sorted.rb_node, *parent = NULL;
	u64 key = iot_sort_key(new->mac);
	bool last = true;

	/* After the last node: its right link is free, and a walk down
	 * would take the tree's longest path, rebalancing or not.
	 */
	if (t->last && key > iot_node_key(t->last)) {
		parent = t->last;
		link = &parent->rb_right;
	}
	while (*link) {
		parent = *link;
		if (key < iot_node_key(parent)) {
			link = &parent->rb_left;
			last = false;
		} else {
			link = &parent->rb_right;
		}
	}
	rb_link_node(&new->sorted, parent, link);
	rb_insert_color(&new->sorted, &t->sorted);
	if (last)
		t->last = &new->sorted;
}

static void iot_sorted_erase(struct iot_table *t, struct iot_dev *dev)
{
	if (t->last == &dev->sorted)
		t->last = rb_prev(&dev->sorted);
	rb_erase(&dev->sorted, &t->sorted);
}

static struct iot_label *iot_label_new(const char *str)
{
	size_t len = strlen(str) + 1;
	struct iot_label *label;

	label = kmalloc(struct_size(label, str, len), GFP_KERNEL_ACCOUNT);
	if (label)
		memcpy(label->str, str, len);
	return label;
}

int iot_dev_set(struct iot_table *t, const u8 *mac, u8 policy,
		const char *label, struct netlink_ext_ack *extack)
{
	struct iot_label *new_label = NULL, *old;
	struct iot_buckets *b;
	struct iot_dev *dev;
	unsigned int bits;

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
		t->ndeny += (policy == IOT_EGRESS_POLICY_DENY) -
			    (dev->policy == IOT_EGRESS_POLICY_DENY);
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
		kfree(new_label);
		return -ENOSPC;
	}
	dev = kmem_cache_zalloc(iot_dev_cache, GFP_KERNEL);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "out of memory for the device");
		kfree(new_label);
		return -ENOMEM;
	}
	dev->key = iot_mac_key(mac);
	ether_addr_copy(dev->mac, mac);
	dev->policy = policy;
	RCU_INIT_POINTER(dev->label, new_label);

	/* At most one device per bucket on average. */
	bits = iot_buckets_bits(iot_buckets(t));
	if (t->ndevices + 1 > 1U << bits && bits < IOT_MAX_BITS)
		iot_table_resize(t, bits + 1);
	b = iot_buckets(t);
	hlist_add_head_rcu(&dev->node[b->idx],
			   &b->head[iot_bucket(b, dev->key)]);
	iot_sorted_insert(t, dev);
	t->ndevices++;
	t->ndeny += policy == IOT_EGRESS_POLICY_DENY;
	return 0;
}

static void iot_dev_unlink(struct iot_table *t, struct iot_dev *dev)
{
	hlist_del_rcu(&dev->node[iot_buckets(t)->idx]);
	call_rcu(&dev->rcu, iot_dev_free_rcu);
}

int iot_dev_del(struct iot_table *t, const u8 *mac,
		struct netlink_ext_ack *extack)
{
	struct iot_dev *dev;
	unsigned int bits;

	dev = iot_dev_find(t, mac);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "device not in the table");
		return -ENOENT;
	}
	iot_sorted_erase(t, dev);
	t->nexc -= iot_excs_count(rcu_access_pointer(dev->excs));
	t->ndevices--;
	t->ndeny -= dev->policy == IOT_EGRESS_POLICY_DENY;
	iot_dev_unlink(t, dev);

	/* Shrink below one device per four buckets. */
	bits = iot_buckets_bits(iot_buckets(t));
	if (bits > IOT_MIN_BITS && t->ndevices < 1U << (bits - 2))
		iot_table_resize(t, bits - 1);
	return 0;
}

void iot_dev_flush(struct iot_table *t)
{
	struct iot_dev *dev, *tmp;

	lockdep_assert_held(t->lock);
	/* A post-order walk never goes back to a node it has passed, whose
	 * links call_rcu() now overwrites.
	 */
	rbtree_postorder_for_each_entry_safe(dev, tmp, &t->sorted, sorted)
		iot_dev_unlink(t, dev);
	t->sorted = RB_ROOT;
	t->last = NULL;
	t->ndevices = 0;
	t->ndeny = 0;
	t->nexc = iot_excs_count(rcu_access_pointer(t->any));
	if (iot_buckets_bits(iot_buckets(t)) > IOT_MIN_BITS)
		iot_table_resize(t, IOT_MIN_BITS);
}
