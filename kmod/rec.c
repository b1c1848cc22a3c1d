// SPDX-License-Identifier: GPL-2.0
/*
 * The recorder: what devices tried to reach.
 *
 * For every packet of a denied or audited device towards a WAN, and of an
 * unknown device under default deny, the recorder keeps the destination
 * (family, address, protocol, port) with a count and the times it was
 * first and last seen. Everything is bounded by module parameters:
 *
 *   dests_per_device  destinations of one device; the device's least
 *                     recently seen one makes room for a new one
 *   max_dests         destinations in the netns; the least recently seen
 *                     of all makes room
 *   max_unknown       unknown devices; the least recently seen one goes,
 *                     with its destinations
 *
 * A destination seen for the first time is told to the monitor at once;
 * repeats are for its summaries, which collect them from here.
 *
 * Only denied, audited and unknown-denied packets come here: a device that
 * is allowed costs nothing. One spinlock per netns guards the lists and
 * every change to them. A packet of a device in the table to a destination
 * already recorded takes no lock: it finds the destination under RCU and
 * counts it on its CPU (struct iot_dest_pcpu). Only a new destination, an
 * unknown device's packet and a change of verdict take the lock.
 */
#include <linux/jhash.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "rec.h"
#include "src.h"

unsigned int iot_max_dests __read_mostly = 4096;
module_param_named(max_dests, iot_max_dests, uint, 0644);
MODULE_PARM_DESC(max_dests, "Most destinations recorded in one network namespace (default 4096)");

unsigned int iot_dests_per_device __read_mostly = 32;
module_param_named(dests_per_device, iot_dests_per_device, uint, 0644);
MODULE_PARM_DESC(dests_per_device, "Most destinations recorded for one device; 0 records none (default 32)");

#define IOT_DHASH_BITS	10

/* The recorder of one netns. */
struct iot_rec {
	/* Guards all of it: taken by the packet path too. */
	spinlock_t lock;
	u32 seed;
	struct hlist_head *dhash;
	/* Destinations, least recently seen first. */
	struct list_head dlru;
	unsigned int ndests;
	struct iot_srcs srcs;
	struct net *net;
	struct iot_monitor *mon;
	/* The live config: which devices are in the table now. */
	struct iot_cfg __rcu **live;
};

/* A destination as one CPU saw it: written by that CPU's packets only. */
struct iot_dest_pcpu {
	seqcount_t seq;
	u64 count;
	time64_t last;
	union iot_addr src;
};

struct iot_dest {
	/* In r->dhash: the packet path walks it under RCU. */
	struct hlist_node hnode;
	/* Writers only, under the lock: where the locked path last put it. */
	struct list_head lru;
	struct list_head sib;
	struct iot_src *owner;
	/* When it was last put at the recent end of both lists. */
	time64_t moved;
	/* The count when the monitor was last told. */
	u64 reported;
	/* What the packet path compares: the owner's MAC key, and the
	 * destination (its source address is in @pc).
	 */
	u64 key;
	struct iot_flow flow;
	u8 policy;
	time64_t first;
	struct iot_dest_pcpu __percpu *pc;
	struct rcu_head rcu;
};

/* Looked at from the least recent end for a destination to forget. */
#define IOT_VICTIM_TRIES	8

static struct kmem_cache *iot_dest_cache __read_mostly;

int iot_rec_cache_init(void)
{
	int err = iot_src_cache_init();

	if (err)
		return err;
	iot_dest_cache = KMEM_CACHE(iot_dest, 0);
	if (iot_dest_cache)
		return 0;
	iot_src_cache_destroy();
	return -ENOMEM;
}

void iot_rec_cache_destroy(void)
{
	/* Destinations are freed by call_rcu() callbacks in this module. */
	rcu_barrier();
	kmem_cache_destroy(iot_dest_cache);
	iot_src_cache_destroy();
}

static struct hlist_head *iot_dest_bucket(struct iot_rec *r, u64 key,
					  const struct iot_flow *f)
{
	u32 h = jhash_2words((u32)key, (u32)(key >> 32), r->seed);

	return &r->dhash[iot_flow_dest_hash(f, h) >> (32 - IOT_DHASH_BITS)];
}

static struct iot_dest *iot_dest_new(void)
{
	struct iot_dest *d = kmem_cache_zalloc(iot_dest_cache, GFP_ATOMIC);
	int cpu;

	if (!d)
		return NULL;
	d->pc = alloc_percpu_gfp(struct iot_dest_pcpu, GFP_ATOMIC);
	if (!d->pc) {
		kmem_cache_free(iot_dest_cache, d);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		seqcount_init(&per_cpu_ptr(d->pc, cpu)->seq);
	return d;
}

static void iot_dest_free(struct iot_dest *d)
{
	free_percpu(d->pc);
	kmem_cache_free(iot_dest_cache, d);
}

static void iot_dest_free_rcu(struct rcu_head *rcu)
{
	iot_dest_free(container_of(rcu, struct iot_dest, rcu));
}

/* A packet to @d, counted on this CPU. */
static void iot_dest_hit(struct iot_dest *d, const struct iot_flow *f,
			 time64_t now)
{
	struct iot_dest_pcpu *pc = this_cpu_ptr(d->pc);

	write_seqcount_begin(&pc->seq);
	pc->count++;
	pc->last = now;
	pc->src = f->src;
	write_seqcount_end(&pc->seq);
}

/* @d summed over every CPU: the source address is the one last seen. */
static void iot_dest_read(const struct iot_dest *d, struct iot_dest_info *info)
{
	const struct iot_dest_pcpu *pc;
	union iot_addr src;
	unsigned int seq;
	time64_t last;
	u64 count;
	int cpu;

	info->flow = d->flow;
	info->first = d->first;
	info->last = 0;
	info->count = 0;
	for_each_possible_cpu(cpu) {
		pc = per_cpu_ptr(d->pc, cpu);
		do {
			seq = read_seqcount_begin(&pc->seq);
			count = pc->count;
			last = pc->last;
			src = pc->src;
		} while (read_seqcount_retry(&pc->seq, seq));
		if (!count)
			continue;
		info->count += count;
		if (last >= info->last) {
			info->last = last;
			info->flow.src = src;
		}
	}
}

/* Caller holds rcu_read_lock(): the packet path always does, under the
 * lock or not.
 */
static struct iot_dest *iot_dest_find_rcu(struct hlist_head *bucket, u64 key,
					  const struct iot_flow *f)
{
	struct iot_dest *d;

	hlist_for_each_entry_rcu(d, bucket, hnode)
		if (d->key == key && iot_flow_same_dest(&d->flow, f))
			return d;
	return NULL;
}

/* Put @d at the recent end of its device's list and of the recorder's. */
static void iot_dest_touch(struct iot_rec *r, struct iot_dest *d,
			   time64_t now)
{
	list_move(&d->sib, &d->owner->dests);
	list_move_tail(&d->lru, &r->dlru);
	d->moved = now;
}

/*
 * The destination to forget: the least recently seen of @s, or of all if
 * @s is NULL. Packets seen again move nothing, so one seen since the
 * locked path last moved it goes to the recent end instead, and the next
 * is looked at, a few times at most.
 */
static struct iot_dest *iot_dest_victim(struct iot_rec *r, struct iot_src *s)
{
	struct iot_dest_info info;
	struct iot_dest *d;
	unsigned int i;

	for (i = 0;; i++) {
		d = s ? list_last_entry(&s->dests, struct iot_dest, sib) :
			list_first_entry(&r->dlru, struct iot_dest, lru);
		if (i == IOT_VICTIM_TRIES)
			return d;
		iot_dest_read(d, &info);
		if (info.last <= d->moved)
			return d;
		iot_dest_touch(r, d, info.last);
	}
}

/* Unlink a destination, and its device's record if that kept nothing else
 * (unknown devices keep their counters until evicted as a whole). The
 * caller frees it after a grace period.
 */
static void iot_dest_unlink(struct iot_rec *r, struct iot_dest *d)
{
	struct iot_src *s = d->owner;

	hlist_del_rcu(&d->hnode);
	list_del(&d->lru);
	list_del(&d->sib);
	r->ndests--;
	s->ndests--;
	if (!s->ndests && !s->unknown)
		iot_src_free(&r->srcs, s);
}

/* The record of @mac; for an @unknown device, one of the unknown devices,
 * made room for by dropping the least recently seen with all it recorded.
 */
static struct iot_src *iot_rec_src(struct iot_rec *r, const u8 *mac, u64 key,
				   bool unknown, time64_t now)
{
	struct iot_src *s = iot_src_find(&r->srcs, key), *old;
	struct iot_dest *d, *tmp;

	if (s && (s->unknown || !unknown))
		return s;
	old = unknown ? iot_src_victim(&r->srcs) : NULL;
	if (old) {
		/* Held, so that unlinking its last destination keeps it. */
		old->ndests++;
		list_for_each_entry_safe(d, tmp, &old->dests, sib) {
			iot_dest_unlink(r, d);
			call_rcu(&d->rcu, iot_dest_free_rcu);
		}
		iot_src_free(&r->srcs, old);
	}
	return iot_src_get(&r->srcs, s, mac, key, unknown, now);
}

/* A new destination of @s, once one has made room if there is none. */
static struct iot_dest *iot_dest_room(struct iot_rec *r, struct iot_src *s,
				      unsigned int per_dev)
{
	struct iot_dest *d = NULL;

	if (s->ndests >= per_dev)
		d = iot_dest_victim(r, s);
	else if (r->ndests >= max(READ_ONCE(iot_max_dests), 1U))
		d = iot_dest_victim(r, NULL);
	if (d) {
		d->owner->evicted++;
		/* s keeps a destination when its own oldest goes. */
		if (d->owner == s)
			s->ndests++;
		iot_dest_unlink(r, d);
		if (d->owner == s)
			s->ndests--;
		call_rcu(&d->rcu, iot_dest_free_rcu);
	}
	return iot_dest_new();
}

static void iot_event_fill(struct iot_event *ev, u8 type,
			   const struct iot_src *s, const struct iot_dest *d,
			   const struct iot_dest_info *info, u64 count)
{
	ev->type = type;
	ev->policy = d->policy;
	ev->unknown = s->unknown;
	ether_addr_copy(ev->mac, s->mac);
	ev->flow = info->flow;
	ev->count = count;
	ev->time = info->last;
	ev->label[0] = '\0';
}

/* In the packet path: @dev is NULL for an unknown device. */
void iot_rec_packet(struct iot_rec *r, const u8 *mac,
		    const struct iot_dev *dev, u8 verdict,
		    struct sk_buff *skb, u8 pf)
{
	unsigned int per_dev = READ_ONCE(iot_dests_per_device);
	bool listening, tell = false;
	u64 key = iot_mac_key(mac);
	struct iot_dest_info info;
	struct hlist_head *bucket;
	struct iot_event ev;
	struct iot_dest *d;
	struct iot_src *s;
	struct iot_flow f;
	time64_t now;

	if (dev && !per_dev)
		return;
	iot_flow_parse(skb, pf, &f);
	now = ktime_get_real_seconds();
	listening = iot_monitor_listening(r->net);
	bucket = iot_dest_bucket(r, key, &f);

	/* Seen before with the same verdict: counted without the lock. An
	 * unknown device's own counters are under the lock.
	 */
	if (dev) {
		d = iot_dest_find_rcu(bucket, key, &f);
		if (d && READ_ONCE(d->policy) == verdict) {
			iot_dest_hit(d, &f, now);
			if (listening)
				iot_monitor_kick(r->mon);
			return;
		}
	}

	spin_lock(&r->lock);
	s = iot_rec_src(r, mac, key, !dev, now);
	if (!s)
		goto out;
	if (!dev)
		iot_src_seen(&r->srcs, s, skb->len, now);
	if (!per_dev)
		goto out;

	d = iot_dest_find_rcu(bucket, key, &f);
	if (d) {
		WRITE_ONCE(d->policy, verdict);
		iot_dest_hit(d, &f, now);
		iot_dest_touch(r, d, now);
		if (listening)
			iot_monitor_kick(r->mon);
		goto out;
	}

	d = iot_dest_room(r, s, per_dev);
	if (!d) {
		if (!s->ndests && !s->unknown)
			iot_src_free(&r->srcs, s);
		goto out;
	}
	d->owner = s;
	d->key = key;
	d->policy = verdict;
	d->flow = f;
	d->reported = 1;
	d->first = now;
	d->moved = now;
	iot_dest_hit(d, &f, now);
	hlist_add_head_rcu(&d->hnode, bucket);
	list_add(&d->sib, &s->dests);
	list_add_tail(&d->lru, &r->dlru);
	s->ndests++;
	r->ndests++;

	if (!listening)
		goto out;
	tell = iot_monitor_admit(r->mon, &s->limit, true);
	if (tell) {
		iot_dest_read(d, &info);
		iot_event_fill(&ev, IOT_EGRESS_EVENT_NEW, s, d, &info, 1);
	} else {
		s->suppressed++;
	}
out:
	spin_unlock(&r->lock);
	if (!tell)
		return;
	if (dev)
		iot_dev_label_copy(dev, ev.label, sizeof(ev.label));
	iot_monitor_tell(r->mon, &ev);
}

/* For the monitor's summaries: a REPEAT event for each destination seen
 * again since its last event, into @ev (room for @max).
 */
static unsigned int iot_rec_repeats(void *arg, struct iot_event *ev,
				    unsigned int max)
{
	struct iot_rec *r = arg;
	struct iot_dest_info info;
	const struct iot_dev *dev;
	const struct iot_cfg *cfg;
	unsigned int n = 0, i;
	struct iot_dest *d;

	spin_lock_bh(&r->lock);
	list_for_each_entry(d, &r->dlru, lru) {
		iot_dest_read(d, &info);
		if (info.count == d->reported)
			continue;
		if (iot_monitor_admit(r->mon, NULL, n < max))
			iot_event_fill(&ev[n++], IOT_EGRESS_EVENT_REPEAT,
				       d->owner, d, &info,
				       info.count - d->reported);
		else
			d->owner->suppressed++;
		d->reported = info.count;
	}
	spin_unlock_bh(&r->lock);

	/* The labels of the devices of the live table. */
	rcu_read_lock();
	cfg = rcu_dereference(*r->live);
	for (i = 0; i < n; i++) {
		if (ev[i].unknown)
			continue;
		dev = iot_dev_lookup_rcu(cfg->table, iot_mac_key(ev[i].mac));
		if (dev)
			iot_dev_label_copy(dev, ev[i].label,
					   sizeof(ev[i].label));
	}
	rcu_read_unlock();
	return n;
}

/*
 * Copies the destinations of @mac, newest first, into @v (at most @max)
 * and returns how many; @unknown: only if it was seen as an unknown device.
 */
int iot_rec_dests(struct iot_rec *r, const u8 *mac, bool unknown,
		  struct iot_dest_info *v, unsigned int max,
		  struct iot_rec_tally *tally)
{
	struct iot_dest_info info;
	unsigned int n = 0, i;
	struct iot_dest *d;
	struct iot_src *s;

	memset(tally, 0, sizeof(*tally));
	spin_lock_bh(&r->lock);
	s = iot_src_find(&r->srcs, iot_mac_key(mac));
	if (s && (!unknown || s->unknown)) {
		tally->suppressed = s->suppressed;
		tally->evicted = s->evicted;
		list_for_each_entry(d, &s->dests, sib) {
			if (n == max)
				break;
			/* Newest first, by when each was last seen: the
			 * list is in the order the locked path saw them.
			 */
			iot_dest_read(d, &info);
			for (i = n++; i && v[i - 1].last < info.last; i--)
				v[i] = v[i - 1];
			v[i] = info;
		}
	}
	spin_unlock_bh(&r->lock);
	return n;
}

/*
 * The @nth most recently seen unknown device that is still not in the
 * table; -ENOENT past the last. @gen changes whenever the list does.
 */
int iot_rec_unknown_nth(struct iot_rec *r, unsigned int nth, u8 *mac,
			struct iot_stats *sum, time64_t *first, u32 *gen)
{
	const struct iot_cfg *cfg;
	struct iot_src *s;
	int err = -ENOENT;

	rcu_read_lock();
	cfg = rcu_dereference(*r->live);
	spin_lock_bh(&r->lock);
	*gen = r->srcs.ugen;
	s = iot_src_unknown_nth(&r->srcs, nth, cfg->table);
	if (s) {
		ether_addr_copy(mac, s->mac);
		memset(sum, 0, sizeof(*sum));
		sum->deny_pkts = s->pkts;
		sum->deny_bytes = s->bytes;
		sum->last_deny = s->last;
		*first = s->first;
		err = 0;
	}
	spin_unlock_bh(&r->lock);
	rcu_read_unlock();
	return err;
}

void iot_rec_counts(struct iot_rec *r, unsigned int *ndests,
		    unsigned int *nunknown)
{
	spin_lock_bh(&r->lock);
	*ndests = r->ndests;
	*nunknown = r->srcs.nunknown;
	spin_unlock_bh(&r->lock);
}

struct iot_rec *iot_rec_new(struct net *net, struct iot_monitor *mon,
			    struct iot_cfg __rcu **live)
{
	struct iot_rec *r;
	unsigned int i;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	r->dhash = kvcalloc(1U << IOT_DHASH_BITS, sizeof(*r->dhash),
			    GFP_KERNEL);
	if (!r->dhash || iot_srcs_init(&r->srcs)) {
		kvfree(r->dhash);
		kfree(r);
		return NULL;
	}
	for (i = 0; i < 1U << IOT_DHASH_BITS; i++)
		INIT_HLIST_HEAD(&r->dhash[i]);
	spin_lock_init(&r->lock);
	r->seed = get_random_u32();
	INIT_LIST_HEAD(&r->dlru);
	r->net = net;
	r->mon = mon;
	r->live = live;
	iot_monitor_attach(mon, iot_rec_repeats, r);
	return r;
}

/* The hooks are gone: nothing can add to the recorder any more. */
void iot_rec_free(struct iot_rec *r)
{
	struct iot_dest *d, *tmp;

	iot_monitor_detach(r->mon);
	list_for_each_entry_safe(d, tmp, &r->dlru, lru)
		iot_dest_free(d);
	iot_srcs_destroy(&r->srcs);
	kvfree(r->dhash);
	kfree(r);
}
