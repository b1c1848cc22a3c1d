// SPDX-License-Identifier: GPL-2.0
/*
 * What devices tried to reach: the recorder, and the monitor's events.
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
 * A destination seen for the first time is a NEW event for the monitor;
 * repeats are summed up every summary_interval seconds as REPEAT events.
 * Events are rate limited to events_per_device and events_per_sec in each
 * one-second window; what the limits hold back is counted as suppressed.
 * Nothing is built for the monitor while nobody listens.
 *
 * Only denied, audited and unknown-denied packets come here: a device that
 * is allowed costs nothing. One spinlock per netns guards it all.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/netfilter.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "iot_egress.h"

#define IOT_DHASH_BITS	10
#define IOT_SHASH_BITS	8

/* A MAC the recorder knows: a device of the table, or an unknown one. */
struct iot_src {
	struct hlist_node hnode;
	/* In the unknown list, for unknown devices. */
	struct list_head lru;
	/* Its destinations, most recently seen first. */
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
	u64 suppressed;
	unsigned long ev_window;
	unsigned int ev_count;
};

struct iot_dest {
	struct hlist_node hnode;
	struct list_head lru;
	struct list_head sib;
	struct iot_src *owner;
	struct iot_dest_info info;
	/* The count when the monitor was last told. */
	u64 reported;
	u8 policy;
};

/* A packet's destination, as the recorder keys it. */
struct iot_flow {
	u8 family;
	u8 proto;
	u16 dport;
	union iot_addr src;
	union iot_addr dst;
};

static struct kmem_cache *iot_src_cache __read_mostly;
static struct kmem_cache *iot_dest_cache __read_mostly;

static void iot_summary_work(struct work_struct *work);

int iot_rec_cache_init(void)
{
	iot_src_cache = KMEM_CACHE(iot_src, 0);
	iot_dest_cache = KMEM_CACHE(iot_dest, 0);
	if (iot_src_cache && iot_dest_cache)
		return 0;
	iot_rec_cache_destroy();
	return -ENOMEM;
}

void iot_rec_cache_destroy(void)
{
	kmem_cache_destroy(iot_dest_cache);
	kmem_cache_destroy(iot_src_cache);
}

int iot_rec_init(struct iot_net *in)
{
	struct iot_rec *r = &in->rec;
	unsigned int i;

	r->dhash = kvcalloc(1U << IOT_DHASH_BITS, sizeof(*r->dhash),
			    GFP_KERNEL);
	r->shash = kvcalloc(1U << IOT_SHASH_BITS, sizeof(*r->shash),
			    GFP_KERNEL);
	if (!r->dhash || !r->shash) {
		kvfree(r->dhash);
		kvfree(r->shash);
		return -ENOMEM;
	}
	for (i = 0; i < 1U << IOT_DHASH_BITS; i++)
		INIT_HLIST_HEAD(&r->dhash[i]);
	for (i = 0; i < 1U << IOT_SHASH_BITS; i++)
		INIT_HLIST_HEAD(&r->shash[i]);
	spin_lock_init(&r->lock);
	r->seed = get_random_u32();
	INIT_LIST_HEAD(&r->dlru);
	INIT_LIST_HEAD(&r->ulru);
	INIT_DELAYED_WORK(&r->summary, iot_summary_work);
	return 0;
}

/* The hooks are gone: nothing can add to the recorder any more. */
void iot_rec_exit(struct iot_net *in)
{
	struct iot_rec *r = &in->rec;
	struct iot_dest *d, *dtmp;
	struct iot_src *s;
	struct hlist_node *tmp;
	unsigned int i;

	cancel_delayed_work_sync(&r->summary);
	list_for_each_entry_safe(d, dtmp, &r->dlru, lru)
		kmem_cache_free(iot_dest_cache, d);
	for (i = 0; i < 1U << IOT_SHASH_BITS; i++)
		hlist_for_each_entry_safe(s, tmp, &r->shash[i], hnode)
			kmem_cache_free(iot_src_cache, s);
	kvfree(r->dhash);
	kvfree(r->shash);
}

static u32 iot_dest_hash(const struct iot_rec *r, u64 key,
			 const struct iot_flow *f)
{
	u32 h = jhash_2words((u32)key, (u32)(key >> 32), r->seed);

	h = jhash_3words(f->family, f->proto, f->dport, h);
	if (f->family == AF_INET)
		h = jhash_1word((__force u32)f->dst.ip, h);
	else
		h = jhash2((const u32 *)&f->dst.in6, 4, h);
	return h >> (32 - IOT_DHASH_BITS);
}

static struct hlist_head *iot_src_bucket(struct iot_rec *r, u64 key)
{
	return &r->shash[jhash_2words((u32)key, (u32)(key >> 32), r->seed) >>
			 (32 - IOT_SHASH_BITS)];
}

static struct iot_src *iot_src_find(struct iot_rec *r, u64 key)
{
	struct iot_src *s;

	hlist_for_each_entry(s, iot_src_bucket(r, key), hnode)
		if (s->key == key)
			return s;
	return NULL;
}

static bool iot_dest_match(const struct iot_dest *d, const struct iot_src *s,
			   const struct iot_flow *f)
{
	if (d->owner != s || d->info.family != f->family ||
	    d->info.proto != f->proto || d->info.dport != f->dport)
		return false;
	if (f->family == AF_INET)
		return d->info.dst.ip == f->dst.ip;
	return ipv6_addr_equal(&d->info.dst.in6, &f->dst.in6);
}

static void iot_src_free(struct iot_rec *r, struct iot_src *s)
{
	hlist_del(&s->hnode);
	if (s->unknown) {
		list_del(&s->lru);
		r->nunknown--;
		r->ugen++;
	}
	kmem_cache_free(iot_src_cache, s);
}

/* Unlink a destination, and its device's record if that kept nothing else
 * (unknown devices keep their counters until evicted as a whole).
 */
static void iot_dest_unlink(struct iot_rec *r, struct iot_dest *d)
{
	struct iot_src *s = d->owner;

	hlist_del(&d->hnode);
	list_del(&d->lru);
	list_del(&d->sib);
	r->ndests--;
	s->ndests--;
	if (!s->ndests && !s->unknown)
		iot_src_free(r, s);
}

/* Drop an unknown device and all it recorded, to make room. */
static void iot_src_evict(struct iot_rec *r, struct iot_src *s)
{
	struct iot_dest *d, *tmp;

	list_del(&s->lru);
	r->nunknown--;
	r->ugen++;
	s->unknown = false;
	/* Held, so that unlinking its last destination does not free it. */
	s->ndests++;
	list_for_each_entry_safe(d, tmp, &s->dests, sib) {
		iot_dest_unlink(r, d);
		kmem_cache_free(iot_dest_cache, d);
	}
	hlist_del(&s->hnode);
	kmem_cache_free(iot_src_cache, s);
}

static struct iot_src *iot_src_get(struct iot_rec *r, const u8 *mac, u64 key,
				   bool unknown, time64_t now)
{
	struct iot_src *s = iot_src_find(r, key);

	if (s && (s->unknown || !unknown))
		return s;
	if (unknown && r->nunknown >= max(READ_ONCE(iot_max_unknown), 1U))
		iot_src_evict(r, list_first_entry(&r->ulru, struct iot_src,
						  lru));
	if (!s) {
		s = kmem_cache_zalloc(iot_src_cache, GFP_ATOMIC);
		if (!s)
			return NULL;
		s->key = key;
		ether_addr_copy(s->mac, mac);
		INIT_LIST_HEAD(&s->dests);
		INIT_LIST_HEAD(&s->lru);
		hlist_add_head(&s->hnode, iot_src_bucket(r, key));
	}
	if (unknown) {
		/* New, or known before and deleted since: counted afresh. */
		s->unknown = true;
		s->first = now;
		s->pkts = 0;
		s->bytes = 0;
		list_add_tail(&s->lru, &r->ulru);
		r->nunknown++;
		r->ugen++;
	}
	return s;
}

/* One second windows: @limit events in each. */
static bool iot_ratelimit(unsigned long *window, unsigned int *count,
			  unsigned int limit)
{
	unsigned long now = jiffies;

	if (time_after_eq(now, *window + HZ)) {
		*window = now;
		*count = 0;
	}
	if (*count >= limit)
		return false;
	(*count)++;
	return true;
}

static void iot_parse(struct sk_buff *skb, u8 pf, struct iot_flow *f)
{
	unsigned int thoff;
	__be16 _port, *port;
	int proto;

	memset(f, 0, sizeof(*f));
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		f->family = AF_INET;
		f->src.ip = iph->saddr;
		f->dst.ip = iph->daddr;
		proto = iph->protocol;
		if (ip_is_fragment(iph) && (iph->frag_off & htons(IP_OFFSET)))
			goto done;
		thoff = skb_network_offset(skb) + iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		__be16 frag_off;
		u8 nexthdr = ip6h->nexthdr;
		int off;

		f->family = AF_INET6;
		f->src.in6 = ip6h->saddr;
		f->dst.in6 = ip6h->daddr;
		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				       sizeof(*ip6h), &nexthdr, &frag_off);
		proto = nexthdr;
		if (off < 0 || (frag_off & htons(IP6_OFFSET)))
			goto done;
		thoff = off;
	}
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		/* The destination port follows the source port. */
		port = skb_header_pointer(skb, thoff + 2, sizeof(_port),
					  &_port);
		if (port)
			f->dport = ntohs(*port);
		break;
	}
done:
	f->proto = proto;
}

static void iot_event_fill(struct iot_event *ev, u8 type,
			   const struct iot_src *s, const struct iot_dest *d,
			   u64 count)
{
	ev->type = type;
	ev->policy = d->policy;
	ev->family = d->info.family;
	ev->proto = d->info.proto;
	ev->unknown = s->unknown;
	ether_addr_copy(ev->mac, s->mac);
	ev->dport = d->info.dport;
	ev->src = d->info.src;
	ev->dst = d->info.dst;
	ev->count = count;
	ev->time = d->info.last;
	ev->label[0] = '\0';
}

/* The label of a device of the live table, for an event. */
static void iot_event_label(struct iot_net *in, struct iot_event *ev)
{
	const struct iot_label *label;
	const struct iot_dev *dev;
	const struct iot_cfg *cfg;

	if (ev->unknown)
		return;
	rcu_read_lock();
	cfg = rcu_dereference(in->cfg);
	dev = iot_dev_lookup_rcu(cfg->table, iot_mac_key(ev->mac));
	label = dev ? rcu_dereference(dev->label) : NULL;
	if (label)
		strscpy(ev->label, label->str, sizeof(ev->label));
	rcu_read_unlock();
}

/* In the packet path: @dev is NULL for an unknown device. */
void iot_rec_packet(struct iot_net *in, const u8 *mac, struct iot_dev *dev,
		    u8 verdict, struct sk_buff *skb, u8 pf)
{
	unsigned int per_dev = READ_ONCE(iot_dests_per_device);
	struct iot_rec *r = &in->rec;
	bool listening, tell = false;
	u64 key = iot_mac_key(mac);
	struct iot_event ev;
	struct iot_dest *d;
	struct iot_src *s;
	struct iot_flow f;
	time64_t now;
	u32 h;

	if (dev && !per_dev)
		return;
	iot_parse(skb, pf, &f);
	now = ktime_get_real_seconds();
	listening = iot_nl_monitored(in->net);

	spin_lock(&r->lock);
	s = iot_src_get(r, mac, key, !dev, now);
	if (!s)
		goto out;
	if (!dev) {
		s->pkts++;
		s->bytes += skb->len;
		s->last = now;
		list_move_tail(&s->lru, &r->ulru);
	}
	if (!per_dev)
		goto out;

	h = iot_dest_hash(r, key, &f);
	hlist_for_each_entry(d, &r->dhash[h], hnode) {
		if (iot_dest_match(d, s, &f)) {
			d->info.count++;
			d->info.last = now;
			d->info.src = f.src;
			d->policy = verdict;
			list_move(&d->sib, &s->dests);
			list_move_tail(&d->lru, &r->dlru);
			if (listening)
				queue_delayed_work(system_wq, &r->summary,
						   READ_ONCE(iot_summary_interval) *
						   HZ);
			goto out;
		}
	}

	/* A new destination: make room for it, reusing what goes. */
	d = NULL;
	if (s->ndests >= per_dev)
		d = list_last_entry(&s->dests, struct iot_dest, sib);
	else if (r->ndests >= max(READ_ONCE(iot_max_dests), 1U))
		d = list_first_entry(&r->dlru, struct iot_dest, lru);
	if (d) {
		/* s keeps a destination when its own oldest goes. */
		if (d->owner == s)
			s->ndests++;
		iot_dest_unlink(r, d);
		if (d->owner == s)
			s->ndests--;
	} else {
		d = kmem_cache_alloc(iot_dest_cache, GFP_ATOMIC);
		if (!d) {
			if (!s->ndests && !s->unknown)
				iot_src_free(r, s);
			goto out;
		}
	}
	memset(d, 0, sizeof(*d));
	d->owner = s;
	d->policy = verdict;
	d->info.family = f.family;
	d->info.proto = f.proto;
	d->info.dport = f.dport;
	d->info.src = f.src;
	d->info.dst = f.dst;
	d->info.count = 1;
	d->reported = 1;
	d->info.first = now;
	d->info.last = now;
	hlist_add_head(&d->hnode, &r->dhash[h]);
	list_add(&d->sib, &s->dests);
	list_add_tail(&d->lru, &r->dlru);
	s->ndests++;
	r->ndests++;

	if (!listening)
		goto out;
	if (iot_ratelimit(&s->ev_window, &s->ev_count,
			  READ_ONCE(iot_events_per_device)) &&
	    iot_ratelimit(&r->ev_window, &r->ev_count,
			  READ_ONCE(iot_events_per_sec))) {
		iot_event_fill(&ev, IOT_EGRESS_EVENT_NEW, s, d, 1);
		r->events++;
		tell = true;
	} else {
		s->suppressed++;
		r->suppressed++;
	}
out:
	spin_unlock(&r->lock);
	if (!tell)
		return;
	if (dev) {
		const struct iot_label *label = rcu_dereference(dev->label);

		if (label)
			strscpy(ev.label, label->str, sizeof(ev.label));
	}
	iot_nl_event(in->net, &ev, READ_ONCE(r->suppressed), GFP_ATOMIC);
}

#define IOT_SUMMARY_BATCH 16

/* Every summary_interval while repeats come: one REPEAT event for each
 * destination seen again since its last event, within the global limit.
 */
static void iot_summary_work(struct work_struct *work)
{
	struct iot_rec *r = container_of(to_delayed_work(work), struct iot_rec,
					 summary);
	struct iot_net *in = container_of(r, struct iot_net, rec);
	struct iot_event *ev;
	struct iot_dest *d;
	unsigned int n = 0, i;
	u64 suppressed;

	if (!iot_nl_monitored(in->net))
		return;
	ev = kmalloc_array(IOT_SUMMARY_BATCH, sizeof(*ev), GFP_KERNEL);
	if (!ev)
		return;

	spin_lock_bh(&r->lock);
	list_for_each_entry(d, &r->dlru, lru) {
		if (d->info.count == d->reported)
			continue;
		if (n < IOT_SUMMARY_BATCH &&
		    iot_ratelimit(&r->ev_window, &r->ev_count,
				  READ_ONCE(iot_events_per_sec))) {
			iot_event_fill(&ev[n++], IOT_EGRESS_EVENT_REPEAT,
				       d->owner, d, d->info.count - d->reported);
			r->events++;
		} else {
			d->owner->suppressed++;
			r->suppressed++;
		}
		d->reported = d->info.count;
	}
	suppressed = r->suppressed;
	spin_unlock_bh(&r->lock);

	for (i = 0; i < n; i++) {
		iot_event_label(in, &ev[i]);
		iot_nl_event(in->net, &ev[i], suppressed, GFP_KERNEL);
	}
	kfree(ev);
}

/*
 * Copies the destinations of @mac, newest first, into @v (at most @max)
 * and returns how many; @unknown: only if it was seen as an unknown device.
 */
int iot_rec_dests(struct iot_net *in, const u8 *mac, bool unknown,
		  struct iot_dest_info *v, unsigned int max, u64 *suppressed)
{
	struct iot_rec *r = &in->rec;
	struct iot_dest *d;
	struct iot_src *s;
	unsigned int n = 0;

	*suppressed = 0;
	spin_lock_bh(&r->lock);
	s = iot_src_find(r, iot_mac_key(mac));
	if (s && (!unknown || s->unknown)) {
		*suppressed = s->suppressed;
		list_for_each_entry(d, &s->dests, sib) {
			if (n == max)
				break;
			v[n++] = d->info;
		}
	}
	spin_unlock_bh(&r->lock);
	return n;
}

/*
 * The @nth most recently seen unknown device that is still not in the
 * table; -ENOENT past the last. @gen changes whenever the list does.
 */
int iot_rec_unknown_nth(struct iot_net *in, unsigned int nth, u8 *mac,
			struct iot_stats *sum, time64_t *first, u32 *gen)
{
	struct iot_rec *r = &in->rec;
	const struct iot_cfg *cfg;
	struct iot_src *s;
	int err = -ENOENT;

	rcu_read_lock();
	cfg = rcu_dereference(in->cfg);
	spin_lock_bh(&r->lock);
	*gen = r->ugen;
	list_for_each_entry_reverse(s, &r->ulru, lru) {
		if (iot_dev_lookup_rcu(cfg->table, s->key))
			continue;
		if (nth--)
			continue;
		ether_addr_copy(mac, s->mac);
		memset(sum, 0, sizeof(*sum));
		sum->deny_pkts = s->pkts;
		sum->deny_bytes = s->bytes;
		sum->last_deny = s->last;
		*first = s->first;
		err = 0;
		break;
	}
	spin_unlock_bh(&r->lock);
	rcu_read_unlock();
	return err;
}

void iot_rec_counts(struct iot_net *in, unsigned int *ndests,
		    unsigned int *nunknown, u64 *events, u64 *suppressed)
{
	struct iot_rec *r = &in->rec;

	spin_lock_bh(&r->lock);
	*ndests = r->ndests;
	*nunknown = r->nunknown;
	*events = r->events;
	*suppressed = r->suppressed;
	spin_unlock_bh(&r->lock);
}
