// SPDX-License-Identifier: GPL-2.0
/*
 * Dropping a denied device's flood before conntrack.
 *
 * A packet the forward hook drops has already been received, given a
 * conntrack entry (and a NAT binding) and routed: a flood from a denied
 * device costs the router nearly what forwarding it would. Deciding
 * earlier means predicting what conntrack, NAT, the mangle table and the
 * routing decision will make of the packet, which only they know.
 *
 * So the decision is not predicted but remembered, as the nftables
 * flowtable remembers a flow's route. When the forward hook drops a
 * packet of a denied device, this CPU keeps its headers: source MAC,
 * input interface, addresses, protocol, ports, TCP flags, and the IPv4
 * TOS or the IPv6 traffic class and flow label. A later packet with the
 * same headers meets a PRE_ROUTING hook ahead of conntrack, and is
 * dropped there, counted as the forward hook counts it, if:
 *
 *   - its device is in the table and denied now;
 *   - the forward hook dropped its twin on this CPU less than a second
 *     ago, with no change to the netns's policy since (iot_early_forget());
 *   - that twin went out of an interface that is still a WAN one;
 *   - it is no longer than its twin, its TTL or hop limit is above 1, it
 *     is TCP or UDP with no IPv4 options or IPv6 extension headers: the
 *     forward path would not have answered it with an ICMP error instead.
 *
 * A twin conntrack had translated (DNAT, or any NAT binding) is never
 * kept: what FORWARD saw of it is not what PRE_ROUTING sees. Anything else
 * takes the whole path as before, so DNAT, policy routing and a packet to
 * the router are decided by the stack, and a change to routes or NAT rules
 * is seen within a second. What this cannot see is a rule that treats two
 * packets with the same headers differently (by chance, by rate, by
 * payload): for a second, the second follows the first.
 *
 * The hooks cost every forwarded packet something, so they are there only
 * while denied packets flood: a work item, armed by the forward hook's
 * drops, measures the netns's drops each second, registers the hooks
 * above early_drop_rate a second and removes them after IOT_EARLY_QUIET
 * seconds below it. The memory of what was dropped exists only with them.
 */
#include <linux/jhash.h>
#include <linux/moduleparam.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/netfilter/nf_conntrack.h>

#include "early.h"
#include "flow.h"
#include "net.h"

unsigned int iot_early_drop_rate __read_mostly = 1000;
module_param_named(early_drop_rate, iot_early_drop_rate, uint, 0644);
MODULE_PARM_DESC(early_drop_rate, "Denied packets a second in a network namespace from which they are dropped before conntrack; 0 never (default 1000)");

/* After conntrack's defragmentation and the raw table, before conntrack. */
#define IOT_EARLY_PRIORITY	(NF_IP_PRI_CONNTRACK - 50)
/* Seconds below the rate before the hooks go. */
#define IOT_EARLY_QUIET		10

/* The headers a decision is remembered by: no padding, compared whole. */
struct iot_memo_key {
	u64 mac;
	union iot_addr src;
	union iot_addr dst;
	/* IPv4: the TOS; IPv6: the traffic class and flow label. */
	__be32 hdr;
	__be16 sport;
	__be16 dport;
	int iif;
	u8 family;
	u8 proto;
	u8 tcp_flags;
	u8 pad;
};

/* A packet the forward hook dropped. */
struct iot_memo_ent {
	struct iot_memo_key key;
	/* iot_early.gen then. */
	u32 gen;
	u32 len;
	int oif;
	unsigned long stamp;
};

#define IOT_MEMO_SETS	32
#define IOT_MEMO_WAYS	2

/* One CPU's: written and read by that CPU's packets only. */
struct iot_memo_cpu {
	struct iot_memo_ent ent[IOT_MEMO_SETS][IOT_MEMO_WAYS];
};

struct iot_memo {
	struct iot_memo_cpu __percpu *cpu;
	u32 seed;
};

/* The headers of @skb, if a decision about it may be remembered. */
static bool iot_memo_key_fill(struct sk_buff *skb, u8 pf, int iif, u64 mac,
			      struct iot_memo_key *k)
{
	unsigned int thoff;

	memset(k, 0, sizeof(*k));
	k->mac = mac;
	k->iif = iif;
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->ihl != 5 || ip_is_fragment(iph) || iph->ttl <= 1)
			return false;
		k->family = AF_INET;
		k->src.ip = iph->saddr;
		k->dst.ip = iph->daddr;
		k->hdr = htonl(iph->tos);
		k->proto = iph->protocol;
		thoff = skb_network_offset(skb) + sizeof(*iph);
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		if (ip6h->hop_limit <= 1)
			return false;
		k->family = AF_INET6;
		k->src.in6 = ip6h->saddr;
		k->dst.in6 = ip6h->daddr;
		k->hdr = *(const __be32 *)ip6h & htonl(0x0fffffff);
		k->proto = ip6h->nexthdr;
		thoff = skb_network_offset(skb) + sizeof(*ip6h);
	}
	if (k->proto == IPPROTO_TCP) {
		const struct tcphdr *th;
		struct tcphdr _th;

		th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		if (!th)
			return false;
		k->sport = th->source;
		k->dport = th->dest;
		k->tcp_flags = tcp_flag_byte(th);
		return true;
	}
	if (k->proto == IPPROTO_UDP) {
		const struct udphdr *uh;
		struct udphdr _uh;

		uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);
		if (!uh)
			return false;
		k->sport = uh->source;
		k->dport = uh->dest;
		return true;
	}
	return false;
}

/* This CPU's set of entries @k may be in. */
static struct iot_memo_ent *iot_memo_set(struct iot_memo *m,
					 const struct iot_memo_key *k)
{
	u32 h = jhash2((const u32 *)k, sizeof(*k) / sizeof(u32), m->seed);

	return this_cpu_ptr(m->cpu)->ent[h % IOT_MEMO_SETS];
}

bool iot_early_seen(struct iot_net *in, const struct iot_cfg *cfg,
		    struct sk_buff *skb, const struct nf_hook_state *state,
		    u64 mac)
{
	struct iot_memo *m = rcu_dereference(in->early.memo);
	const struct iot_memo_ent *e;
	struct iot_memo_key k;
	unsigned int i;

	if (!m || !iot_memo_key_fill(skb, state->pf, state->in->ifindex, mac,
				     &k))
		return false;
	e = iot_memo_set(m, &k);
	for (i = 0; i < IOT_MEMO_WAYS; i++, e++)
		if (!memcmp(&e->key, &k, sizeof(k)))
			break;
	return i < IOT_MEMO_WAYS && e->gen == READ_ONCE(in->early.gen) &&
	       time_before(jiffies, e->stamp + HZ) && skb->len <= e->len &&
	       iot_is_wan(&cfg->wan, e->oif);
}

static void iot_early_arm(struct iot_early *e)
{
	if (!READ_ONCE(iot_early_drop_rate) || test_bit(0, &e->armed) ||
	    test_and_set_bit(0, &e->armed))
		return;
	schedule_delayed_work(&e->work, HZ);
}

void iot_early_note(struct iot_net *in, struct sk_buff *skb,
		    const struct nf_hook_state *state)
{
	struct iot_memo *m = rcu_dereference(in->early.memo);
	struct iot_memo_ent *e, *slot;
	struct iot_memo_key k;
	unsigned int i;

	if (!m) {
		iot_early_arm(&in->early);
		return;
	}
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	{
		enum ip_conntrack_info ctinfo;
		const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

		if (ct && (READ_ONCE(ct->status) & IPS_NAT_MASK))
			return;
	}
#endif
	if (!iot_memo_key_fill(skb, state->pf, state->in->ifindex,
			       iot_mac_key(eth_hdr(skb)->h_source), &k))
		return;

	/* Its own entry, or the set's oldest. */
	e = iot_memo_set(m, &k);
	slot = e;
	for (i = 0; i < IOT_MEMO_WAYS; i++) {
		if (!memcmp(&e[i].key, &k, sizeof(k))) {
			slot = &e[i];
			break;
		}
		if (time_before(e[i].stamp, slot->stamp))
			slot = &e[i];
	}
	slot->key = k;
	slot->gen = READ_ONCE(in->early.gen);
	slot->oif = state->out->ifindex;
	slot->len = skb->len;
	slot->stamp = jiffies;
}

static void iot_memo_free(struct iot_net *in)
{
	struct iot_memo *m;

	m = rcu_replace_pointer(in->early.memo, NULL,
				lockdep_is_held(&in->lock));
	if (!m)
		return;
	/* The forward hook may still be writing to it. */
	synchronize_rcu();
	free_percpu(m->cpu);
	kfree(m);
}

static int iot_early_start(struct iot_net *in)
{
	struct iot_early *e = &in->early;
	struct iot_memo *m;
	int err;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->cpu = alloc_percpu(struct iot_memo_cpu);
	if (!m->cpu) {
		kfree(m);
		return -ENOMEM;
	}
	m->seed = get_random_u32();
	rcu_assign_pointer(e->memo, m);
	err = nf_register_net_hooks(in->net, e->ops, ARRAY_SIZE(e->ops));
	if (err) {
		iot_memo_free(in);
		return err;
	}
	e->on = true;
	return 0;
}

static void iot_early_stop(struct iot_net *in)
{
	struct iot_early *e = &in->early;

	/* Waits for packets still in the hooks. */
	nf_unregister_net_hooks(in->net, e->ops, ARRAY_SIZE(e->ops));
	e->on = false;
	iot_memo_free(in);
}

/*
 * Each second while armed: the netns's drops a second since the last run
 * decide whether the hooks are wanted. The first run after arming only
 * takes the count it measures from. Disarms when the hooks are off and
 * nothing was dropped; the forward hook's next drop arms it again.
 */
static void iot_early_work(struct work_struct *work)
{
	struct iot_early *e = container_of(to_delayed_work(work),
					   struct iot_early, work);
	struct iot_net *in = container_of(e, struct iot_net, early);
	unsigned int want = READ_ONCE(iot_early_drop_rate);
	unsigned long now = jiffies, elapsed;
	u64 drops, early, rate = 0;
	bool first;

	mutex_lock(&in->lock);
	first = !e->last_time;
	iot_drops_read(in, &drops, &early);
	elapsed = now - e->last_time;
	if (!first && elapsed)
		rate = div64_u64((drops - e->last_drops) * HZ, elapsed);
	e->last_drops = drops;
	e->last_time = now;

	if (want && rate >= want) {
		e->quiet = 0;
		if (!e->on)
			iot_early_start(in);
	} else if (e->on && (!want || ++e->quiet >= IOT_EARLY_QUIET)) {
		iot_early_stop(in);
	}
	if (e->on || rate || first) {
		schedule_delayed_work(&e->work, HZ);
	} else {
		e->last_time = 0;
		clear_bit(0, &e->armed);
	}
	mutex_unlock(&in->lock);
}

void iot_early_init(struct iot_net *in, nf_hookfn *hook)
{
	static const u8 pfs[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	struct iot_early *e = &in->early;
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(pfs) != ARRAY_SIZE(e->ops));
	BUILD_BUG_ON(sizeof(struct iot_memo_key) % sizeof(u32));
	for (i = 0; i < ARRAY_SIZE(e->ops); i++) {
		e->ops[i] = (struct nf_hook_ops){
			.hook		= hook,
			.priv		= in,
			.pf		= pfs[i],
			.hooknum	= NF_INET_PRE_ROUTING,
			.priority	= IOT_EARLY_PRIORITY,
		};
	}
	INIT_DELAYED_WORK(&e->work, iot_early_work);
}

void iot_early_exit(struct iot_net *in)
{
	cancel_delayed_work_sync(&in->early.work);
	mutex_lock(&in->lock);
	if (in->early.on)
		iot_early_stop(in);
	mutex_unlock(&in->lock);
}

void iot_early_forget(struct iot_net *in)
{
	lockdep_assert_held(&in->lock);
	WRITE_ONCE(in->early.gen, in->early.gen + 1);
}

void iot_drops_read(const struct iot_net *in, u64 *all, u64 *early)
{
	const struct iot_drops *d;
	unsigned int start;
	u64 n, e;
	int cpu;

	*all = 0;
	*early = 0;
	for_each_possible_cpu(cpu) {
		d = per_cpu_ptr(in->hooks.dropped, cpu);
		do {
			start = u64_stats_fetch_begin(&d->syncp);
			n = u64_stats_read(&d->n);
			e = u64_stats_read(&d->early);
		} while (u64_stats_fetch_retry(&d->syncp, start));
		*all += n;
		*early += e;
	}
}

bool iot_early_on(struct iot_net *in)
{
	lockdep_assert_held(&in->lock);
	return in->early.on;
}
