// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: IPv4 and IPv6 FORWARD hooks.
 *
 * They sit at the RAW priority (-300), before iptables' mangle and filter
 * tables and before any nftables forward chain of a higher priority (the
 * usual "filter" chain is 0), so no accept rule there can reopen a denied
 * device. Conntrack has no forward hook: a packet dropped here leaves an
 * unconfirmed entry that is never inserted.
 *
 * A packet that would be dropped is let through if an exception of its
 * device, or one for any device, matches it (except.h).
 *
 * A netns with nothing to drop or count (an empty table, default allow)
 * has no hooks at all: forwarding there costs nothing extra.
 */
#include <linux/if_arp.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/percpu.h>

#include "early.h"
#include "except.h"
#include "hook.h"
#include "net.h"
#include "rec.h"

/*
 * Did the packet arrive with an Ethernet header? One test finds the header
 * both set and whole: an unset one is at the offset ~0 from skb->head,
 * past skb->data, which is at the network header here and so within
 * 64 KiB of skb->head.
 */
static bool iot_has_eth(const struct sk_buff *skb,
			const struct net_device *in)
{
	return in->type == ARPHRD_ETHER && skb_mac_offset(skb) <= -ETH_HLEN;
}

/* Drop @skb of @dev (NULL: not in the table), counting it. */
static unsigned int iot_hook_drop(struct iot_net *in, struct iot_dev *dev,
				  u8 policy, struct sk_buff *skb, u8 pf,
				  bool early)
{
	struct iot_drops *drops = this_cpu_ptr(in->hooks.dropped);

	if (dev)
		iot_dev_count(dev, skb->len, true);
	iot_rec_packet(in->rec, eth_hdr(skb)->h_source, dev, policy, skb, pf);
	u64_stats_update_begin(&drops->syncp);
	u64_stats_inc(&drops->n);
	if (early)
		u64_stats_inc(&drops->early);
	u64_stats_update_end(&drops->syncp);
	return NF_DROP;
}

/*
 * A packet of a denied or audited device, or of one not in the table under
 * default deny (@dev NULL). Out of line: the hook reaches it last, and
 * the path of a packet it lets straight through then needs no stack frame.
 */
static noinline unsigned int iot_hook_slow(struct iot_net *in,
					   const struct iot_cfg *cfg,
					   struct iot_dev *dev, u8 policy,
					   struct sk_buff *skb,
					   const struct nf_hook_state *state)
{
	if (policy == IOT_EGRESS_POLICY_AUDIT) {
		iot_dev_count(dev, skb->len, false);
		iot_rec_packet(in->rec, eth_hdr(skb)->h_source, dev, policy,
			       skb, state->pf);
		return NF_ACCEPT;
	}
	if (iot_excepted(cfg->table, dev, skb, state->pf)) {
		if (dev)
			iot_dev_count(dev, skb->len, false);
		return NF_ACCEPT;
	}
	/* A device in the table may be dropped before conntrack next time. */
	if (dev)
		iot_early_note(in, skb, state);
	return iot_hook_drop(in, dev, policy, skb, state->pf, false);
}

static unsigned int iot_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct iot_net *in = priv;
	const struct iot_cfg *cfg = rcu_dereference(in->cfg);
	struct iot_dev *dev;
	u8 policy;

	if (!iot_is_wan(&cfg->wan, state->out->ifindex) ||
	    !iot_has_eth(skb, state->in))
		return NF_ACCEPT;

	dev = iot_dev_lookup_rcu(cfg->table,
				 iot_mac_key(eth_hdr(skb)->h_source));
	policy = iot_policy(cfg, dev);
	if (likely(policy == IOT_EGRESS_POLICY_ALLOW)) {
		if (dev)
			iot_dev_count(dev, skb->len, false);
		return NF_ACCEPT;
	}
	/* Only a deny applies to a device not in the table. */
	if (!dev && policy != IOT_EGRESS_POLICY_DENY)
		return NF_ACCEPT;
	return iot_hook_slow(in, cfg, dev, policy, skb, state);
}

/*
 * PRE_ROUTING, ahead of conntrack, registered only while denied packets
 * flood (early.c): a denied device's packet whose twin the forward hook
 * just dropped.
 */
static unsigned int iot_early_hook(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct iot_net *in = priv;
	const struct iot_cfg *cfg = rcu_dereference(in->cfg);
	struct iot_dev *dev;
	u64 mac;

	if (!iot_has_eth(skb, state->in))
		return NF_ACCEPT;
	mac = iot_mac_key(eth_hdr(skb)->h_source);
	dev = iot_dev_lookup_rcu(cfg->table, mac);
	if (!dev || READ_ONCE(dev->policy) != IOT_EGRESS_POLICY_DENY ||
	    !iot_early_seen(in, cfg, skb, state, mac))
		return NF_ACCEPT;
	return iot_hook_drop(in, dev, IOT_EGRESS_POLICY_DENY, skb, state->pf,
			     true);
}

static const struct nf_hook_ops iot_hook_ops[] = {
	{
		.hook		= iot_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP_PRI_RAW,
	},
	{
		.hook		= iot_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP6_PRI_RAW,
	},
};

int iot_hooks_init(struct iot_net *in)
{
	struct iot_hooks *h = &in->hooks;
	unsigned int i;
	int cpu;

	BUILD_BUG_ON(ARRAY_SIZE(iot_hook_ops) != ARRAY_SIZE(h->ops));
	h->dropped = alloc_percpu(struct iot_drops);
	if (!h->dropped)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(h->dropped, cpu)->syncp);
	for (i = 0; i < ARRAY_SIZE(h->ops); i++) {
		h->ops[i] = iot_hook_ops[i];
		h->ops[i].priv = in;
	}
	h->on = false;
	iot_early_init(in, iot_early_hook);
	return 0;
}

/* The netns is going away: nothing else can be holding the lock.
 * Unregistering waits for packets still in the hooks.
 */
void iot_hooks_exit(struct iot_net *in)
{
	struct iot_hooks *h = &in->hooks;

	if (h->on)
		nf_unregister_net_hooks(in->net, h->ops, ARRAY_SIZE(h->ops));
	h->on = false;
	iot_early_exit(in);
	free_percpu(h->dropped);
}

/* Make sure the hooks are in place, before a change that may need them:
 * if this fails, the change is not made.
 */
int iot_hooks_get(struct iot_net *in, struct netlink_ext_ack *extack)
{
	struct iot_hooks *h = &in->hooks;
	int err;

	lockdep_assert_held(&in->lock);
	if (h->on)
		return 0;
	err = nf_register_net_hooks(in->net, h->ops, ARRAY_SIZE(h->ops));
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot register the netfilter hooks");
		return err;
	}
	h->on = true;
	return 0;
}

/* After a change: remove the hooks if there is nothing to drop or count. */
void iot_hooks_trim(struct iot_net *in)
{
	struct iot_hooks *h = &in->hooks;

	lockdep_assert_held(&in->lock);
	if (!h->on || in->table->ndevices ||
	    iot_default_policy(in) == IOT_EGRESS_POLICY_DENY)
		return;
	nf_unregister_net_hooks(in->net, h->ops, ARRAY_SIZE(h->ops));
	h->on = false;
}
