// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under any netfilter filter: an IPv4 FORWARD hook at the same
 * priority as iot_egress that accepts every packet and reads nothing.
 * The benchmark loads it for one measurement and unloads it again.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/net_namespace.h>

static unsigned int nullhook_accept(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static const struct nf_hook_ops nullhook_ops = {
	.hook		= nullhook_accept,
	.pf		= NFPROTO_IPV4,
	.hooknum	= NF_INET_FORWARD,
	.priority	= NF_IP_PRI_RAW,
};

static int __net_init nullhook_net_init(struct net *net)
{
	return nf_register_net_hook(net, &nullhook_ops);
}

static void __net_exit nullhook_net_exit(struct net *net)
{
	nf_unregister_net_hook(net, &nullhook_ops);
}

static struct pernet_operations nullhook_net_ops = {
	.init	= nullhook_net_init,
	.exit	= nullhook_net_exit,
};

static int __init nullhook_init(void)
{
	return register_pernet_subsys(&nullhook_net_ops);
}

static void __exit nullhook_exit(void)
{
	unregister_pernet_subsys(&nullhook_net_ops);
}

module_init(nullhook_init);
module_exit(nullhook_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Benchmark only: a FORWARD hook that accepts everything");
