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

#include "except.h"
#include "hook.h"
#include "net.h"
#include "rec.h"

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

static unsigned int iot_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct iot_net *in = priv;
	const struct iot_cfg *cfg = rcu_dereference(in->cfg);
	struct iot_drops *drops;
	struct iot_dev *dev;
	const u8 *mac;
	u8 policy;

	if (!iot_is_wan(&cfg->wan, state->out->ifindex))
		return NF_ACCEPT;
	mac = iot_src_mac(skb, state->in);
	if (!mac)
		return NF_ACCEPT;

	dev = iot_dev_lookup_rcu(cfg->table, iot_mac_key(mac));
	policy = iot_policy(cfg, dev);
	if (!dev) {
		if (likely(policy != IOT_EGRESS_POLICY_DENY))
			return NF_ACCEPT;
		if (iot_excepted(cfg->table, NULL, skb, state->pf))
			return NF_ACCEPT;
		iot_rec_packet(in->rec, mac, NULL, policy, skb, state->pf);
		goto drop;
	}

	if (policy == IOT_EGRESS_POLICY_DENY) {
		if (iot_excepted(cfg->table, dev, skb, state->pf)) {
			iot_dev_count(dev, skb->len, false);
			return NF_ACCEPT;
		}
		iot_dev_count(dev, skb->len, true);
		iot_rec_packet(in->rec, mac, dev, policy, skb, state->pf);
		goto drop;
	}
	iot_dev_count(dev, skb->len, false);
	if (unlikely(policy == IOT_EGRESS_POLICY_AUDIT))
		iot_rec_packet(in->rec, mac, dev, policy, skb, state->pf);
	return NF_ACCEPT;

drop:
	drops = this_cpu_ptr(in->hooks.dropped);
	u64_stats_update_begin(&drops->syncp);
	u64_stats_inc(&drops->n);
	u64_stats_update_end(&drops->syncp);
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

u64 iot_hooks_dropped(const struct iot_net *in)
{
	const struct iot_drops *d;
	unsigned int start;
	u64 sum = 0, n;
	int cpu;

	for_each_possible_cpu(cpu) {
		d = per_cpu_ptr(in->hooks.dropped, cpu);
		do {
			start = u64_stats_fetch_begin(&d->syncp);
			n = u64_stats_read(&d->n);
		} while (u64_stats_fetch_retry(&d->syncp, start));
		sum += n;
	}
	return sum;
}
