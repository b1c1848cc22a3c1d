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
 * A netns with nothing to drop or count (an empty table, default allow)
 * has no hooks at all: forwarding there costs nothing extra.
 */
#include <linux/if_arp.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>

#include "iot_egress.h"

static bool iot_is_wan(const struct iot_cfg *cfg, int ifindex)
{
	unsigned int i;

	if (cfg->all_wan)
		return true;
	for (i = 0; i < cfg->nifindex; i++)
		if (cfg->ifindex[i] == ifindex)
			return true;
	return false;
}

/* The source MAC of the Ethernet header the packet arrived with, if any. */
static const u8 *iot_src_mac(const struct sk_buff *skb,
			     const struct net_device *in)
{
	if (in->type != ARPHRD_ETHER || !skb_mac_header_was_set(skb))
		return NULL;
	if (skb_mac_header(skb) < skb->head ||
	    skb_mac_header(skb) + ETH_HLEN > skb->data)
		return NULL;
	return eth_hdr(skb)->h_source;
}

/* Per-CPU counters: the packet path of one device never shares a cache
 * line between CPUs.
 */
static void iot_count(struct iot_dev *dev, const struct sk_buff *skb,
		      bool denied)
{
	struct iot_pcpu_stats __percpu *stats = iot_dev_stats_get(dev);
	time64_t now = ktime_get_real_seconds();
	struct iot_pcpu_stats *s;

	if (unlikely(!stats))
		return;
	s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	if (denied) {
		u64_stats_inc(&s->deny_pkts);
		u64_stats_add(&s->deny_bytes, skb->len);
		s->last_deny = now;
	} else {
		u64_stats_inc(&s->wan_pkts);
		u64_stats_add(&s->wan_bytes, skb->len);
		s->last_wan = now;
	}
	u64_stats_update_end(&s->syncp);
}

static unsigned int iot_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct iot_net *in = priv;
	const struct iot_cfg *cfg = rcu_dereference(in->cfg);
	struct iot_dev *dev;
	const u8 *mac;
	u8 policy;

	if (!iot_is_wan(cfg, state->out->ifindex))
		return NF_ACCEPT;
	mac = iot_src_mac(skb, state->in);
	if (!mac)
		return NF_ACCEPT;

	dev = iot_dev_lookup_rcu(cfg->table, iot_mac_key(mac));
	if (!dev) {
		if (likely(cfg->default_policy != IOT_EGRESS_POLICY_DENY))
			return NF_ACCEPT;
		iot_rec_packet(in, mac, NULL, IOT_EGRESS_POLICY_DENY, skb,
			       state->pf);
		goto drop;
	}

	policy = READ_ONCE(dev->policy);
	if (policy == IOT_EGRESS_POLICY_DENY) {
		iot_count(dev, skb, true);
		iot_rec_packet(in, mac, dev, policy, skb, state->pf);
		goto drop;
	}
	iot_count(dev, skb, false);
	if (unlikely(policy == IOT_EGRESS_POLICY_AUDIT))
		iot_rec_packet(in, mac, dev, policy, skb, state->pf);
	return NF_ACCEPT;

drop:
	this_cpu_inc(*in->dropped);
	return NF_DROP;
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

void iot_hooks_init(struct iot_net *in)
{
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(iot_hook_ops) != ARRAY_SIZE(in->ops));
	for (i = 0; i < ARRAY_SIZE(in->ops); i++) {
		in->ops[i] = iot_hook_ops[i];
		in->ops[i].priv = in;
	}
	in->hooks_on = false;
}

/* Make sure the hooks are in place, before a change that may need them:
 * if this fails, the change is not made.
 */
int iot_hooks_get(struct iot_net *in, struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&in->lock);
	if (in->hooks_on)
		return 0;
	err = nf_register_net_hooks(in->net, in->ops, ARRAY_SIZE(in->ops));
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot register the netfilter hooks");
		return err;
	}
	in->hooks_on = true;
	return 0;
}

/* After a change: remove the hooks if there is nothing to drop or count. */
void iot_hooks_trim(struct iot_net *in)
{
	lockdep_assert_held(&in->lock);
	if (!in->hooks_on || in->table->ndevices ||
	    iot_default_policy(in) == IOT_EGRESS_POLICY_DENY)
		return;
	nf_unregister_net_hooks(in->net, in->ops, ARRAY_SIZE(in->ops));
	in->hooks_on = false;
}

/* The netns is going away: nothing else can be holding the lock. */
void iot_hooks_exit(struct iot_net *in)
{
	if (in->hooks_on)
		nf_unregister_net_hooks(in->net, in->ops, ARRAY_SIZE(in->ops));
	in->hooks_on = false;
}
