/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices the recorder knows, by MAC. See src.c.
 */
#ifndef _IOT_SRC_H
#define _IOT_SRC_H

#include <linux/jhash.h>
#include <linux/list.h>

#include "monitor.h"
#include "table.h"

extern unsigned int iot_max_unknown;

#define IOT_SHASH_BITS	8

/* A MAC the recorder knows: a device of the table, or an unknown one. */
struct iot_src {
	struct hlist_node hnode;
	/* In the unknown list, for unknown devices. */
	struct list_head lru;
	/* Its destinations (the recorder's), most recently seen first. */
	struct list_head dests;
	unsigned int ndests;
	u64 key;
	u8 mac[ETH_ALEN];
	bool unknown;
	/* Unknown devices only: they have no counters of their own. */
	u64 pkts;
	u64 bytes;
	time64_t first;
	time64_t last;
	/* Its monitor events suppressed, and its share of the limit. */
	u64 suppressed;
	/* Its destinations forgotten to make room for newer ones (while it
	 * keeps at least one: a record left empty goes, and its count too).
	 */
	u64 evicted;
	struct iot_evlimit limit;
};

/* The devices of one recorder, under its lock. */
struct iot_srcs {
	struct hlist_head *hash;
	u32 seed;
	/* Unknown devices, least recently seen first. */
	struct list_head ulru;
	unsigned int nunknown;
	/* Bumped when the unknown list gains or loses a device. */
	u32 ugen;
};

int iot_src_cache_init(void);
void iot_src_cache_destroy(void);
int iot_srcs_init(struct iot_srcs *ss);
void iot_srcs_destroy(struct iot_srcs *ss);

static inline struct hlist_head *iot_src_bucket(struct iot_srcs *ss, u64 key)
{
	return &ss->hash[jhash_2words((u32)key, (u32)(key >> 32), ss->seed) >>
			 (32 - IOT_SHASH_BITS)];
}

/* Inline: the packet path finds the device of every packet it records. */
static inline struct iot_src *iot_src_find(struct iot_srcs *ss, u64 key)
{
	struct iot_src *s;

	hlist_for_each_entry(s, iot_src_bucket(ss, key), hnode)
		if (s->key == key)
			return s;
	return NULL;
}

struct iot_src *iot_src_get(struct iot_srcs *ss, struct iot_src *s,
			    const u8 *mac, u64 key, bool unknown,
			    time64_t now);
void iot_src_free(struct iot_srcs *ss, struct iot_src *s);
struct iot_src *iot_src_victim(struct iot_srcs *ss);
void iot_src_seen(struct iot_srcs *ss, struct iot_src *s, unsigned int len,
		  time64_t now);
struct iot_src *iot_src_unknown_nth(struct iot_srcs *ss, unsigned int nth,
				    const struct iot_table *live);

#endif /* _IOT_SRC_H */
