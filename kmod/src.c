// SPDX-License-Identifier: GPL-2.0
/*
 * The devices the recorder knows, by MAC: the devices of the table it
 * holds destinations of, and the unknown devices seen under default deny.
 *
 * An unknown device is counted here (packets, bytes, first and last seen),
 * since it has no entry of the table to count on. There are at most
 * max_unknown of them: the least recently seen one goes first. The
 * recorder's lock guards it all.
 */
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "src.h"

unsigned int iot_max_unknown __read_mostly = 256;
module_param_named(max_unknown, iot_max_unknown, uint, 0644);
MODULE_PARM_DESC(max_unknown, "Most unknown devices recorded under default deny in one network namespace (default 256)");

static struct kmem_cache *iot_src_cache __read_mostly;

int iot_src_cache_init(void)
{
	iot_src_cache = KMEM_CACHE(iot_src, 0);
	return iot_src_cache ? 0 : -ENOMEM;
}

void iot_src_cache_destroy(void)
{
	kmem_cache_destroy(iot_src_cache);
}

int iot_srcs_init(struct iot_srcs *ss)
{
	unsigned int i;

	ss->hash = kvcalloc(1U << IOT_SHASH_BITS, sizeof(*ss->hash),
			    GFP_KERNEL);
	if (!ss->hash)
		return -ENOMEM;
	for (i = 0; i < 1U << IOT_SHASH_BITS; i++)
		INIT_HLIST_HEAD(&ss->hash[i]);
	ss->seed = get_random_u32();
	INIT_LIST_HEAD(&ss->ulru);
	return 0;
}

/* Nobody can add to them any more. */
void iot_srcs_destroy(struct iot_srcs *ss)
{
	struct hlist_node *tmp;
	struct iot_src *s;
	unsigned int i;

	for (i = 0; i < 1U << IOT_SHASH_BITS; i++)
		hlist_for_each_entry_safe(s, tmp, &ss->hash[i], hnode)
			kmem_cache_free(iot_src_cache, s);
	kvfree(ss->hash);
}

/*
 * The record of @mac: @s, what iot_src_find() found, or a new one. With
 * @unknown, it becomes an unknown device, counted afresh: iot_src_victim()
 * first, to make room.
 */
struct iot_src *iot_src_get(struct iot_srcs *ss, struct iot_src *s,
			    const u8 *mac, u64 key, bool unknown,
			    time64_t now)
{
	if (!s) {
		s = kmem_cache_zalloc(iot_src_cache, GFP_ATOMIC);
		if (!s)
			return NULL;
		s->key = key;
		ether_addr_copy(s->mac, mac);
		INIT_LIST_HEAD(&s->dests);
		INIT_LIST_HEAD(&s->lru);
		hlist_add_head(&s->hnode, iot_src_bucket(ss, key));
	}
	if (unknown && !s->unknown) {
		/* New, or known before and deleted since. */
		s->unknown = true;
		s->first = now;
		s->pkts = 0;
		s->bytes = 0;
		list_add_tail(&s->lru, &ss->ulru);
		ss->nunknown++;
		ss->ugen++;
	}
	return s;
}

void iot_src_free(struct iot_srcs *ss, struct iot_src *s)
{
	hlist_del(&s->hnode);
	if (s->unknown) {
		list_del(&s->lru);
		ss->nunknown--;
		ss->ugen++;
	}
	kmem_cache_free(iot_src_cache, s);
}

/* The unknown device to drop before another is added, if they are full. */
struct iot_src *iot_src_victim(struct iot_srcs *ss)
{
	if (ss->nunknown < max(READ_ONCE(iot_max_unknown), 1U))
		return NULL;
	return list_first_entry(&ss->ulru, struct iot_src, lru);
}

/* A packet of @len bytes from the unknown device @s. */
void iot_src_seen(struct iot_srcs *ss, struct iot_src *s, unsigned int len,
		  time64_t now)
{
	s->pkts++;
	s->bytes += len;
	s->last = now;
	list_move_tail(&s->lru, &ss->ulru);
}

/* The @nth most recently seen unknown device that is not in @live. */
struct iot_src *iot_src_unknown_nth(struct iot_srcs *ss, unsigned int nth,
				    const struct iot_table *live)
{
	struct iot_src *s;

	list_for_each_entry_reverse(s, &ss->ulru, lru) {
		if (iot_dev_lookup_rcu(live, s->key))
			continue;
		if (!nth--)
			return s;
	}
	return NULL;
}
