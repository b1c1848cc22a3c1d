// SPDX-License-Identifier: GPL-2.0
/*
 * Cutting a device off: when a device becomes denied, its connections that
 * are already open stop too.
 *
 * Conntrack entries carry no MAC. The device's addresses come from the
 * neighbour tables (neigh.c). The entries whose original source is one of
 * them and whose destination is routed out of a WAN interface are
 * destroyed. A flow offloaded to a flowtable is looked up only while its
 * entry lives, so it stops at once too, and its next packet meets the
 * forward hook, which drops it.
 *
 * A connection an exception lets through (except.c) is kept: a denied
 * device keeps its NTP, and removing an exception cuts only what no other
 * one lets through.
 *
 * A cut runs after the change that denied the device is published, and
 * holds no lock of ours: the netdevice notifier, which runs under RTNL,
 * never waits for a walk of the whole conntrack table. What it cuts is
 * decided by the config live when it starts.
 *
 * Conntrack is a soft dependency: its iterator is looked up at run time.
 * If nf_conntrack is not loaded there is no connection to cut.
 */
#include <linux/bsearch.h>
#include <linux/module.h>
#include <linux/sort.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>

#include "cut.h"
#include "except.h"
#include "neigh.h"

struct iot_cut {
	struct net *net;
	struct iot_cfg __rcu **live;
	/* The WAN interfaces, copied: the walk may sleep. */
	struct iot_wan_ifs wan;
	const struct iot_addr_ent *v;
	unsigned int n;
	unsigned int cut;
};

/* Which devices to cut: those @cfg denies, or only @mac among them. */
struct iot_cut_who {
	const struct iot_cfg *cfg;
	const u8 *mac;
};

static bool iot_cut_wants(const u8 *ha, const void *arg)
{
	const struct iot_cut_who *who = arg;

	if (who->mac && !ether_addr_equal(ha, who->mac))
		return false;
	return iot_policy(who->cfg, iot_dev_lookup_rcu(who->cfg->table,
						       iot_mac_key(ha))) ==
	       IOT_EGRESS_POLICY_DENY;
}

/* By address: one address has one device. */
static int iot_addr_cmp(const void *a, const void *b)
{
	const struct iot_addr_ent *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(&x->a, &y->a, sizeof(x->a));
}

static bool iot_dev_is_wan(const struct iot_cut *c,
			   const struct net_device *dev)
{
	return !(dev->flags & IFF_LOOPBACK) && iot_is_wan(&c->wan, dev->ifindex);
}

/* Is @dst routed out of a WAN interface? */
static bool iot_routed_to_wan(const struct iot_cut *c, u8 family,
			      const union nf_inet_addr *dst)
{
	bool wan = false;

	if (family == AF_INET) {
		struct flowi4 fl4 = { .daddr = dst->ip };
		struct rtable *rt;

		rt = ip_route_output_key(c->net, &fl4);
		if (IS_ERR(rt))
			return false;
		wan = rt->rt_type == RTN_UNICAST &&
		      iot_dev_is_wan(c, rt->dst.dev);
		ip_rt_put(rt);
	} else {
		struct flowi6 fl6 = { .daddr = dst->in6 };
		struct dst_entry *d;

		d = ip6_route_output(c->net, NULL, &fl6);
		if (!d->error)
			wan = iot_dev_is_wan(c, d->dev);
		dst_release(d);
	}
	return wan;
}

/* Does a live exception of the device @mac, or one for any, let the
 * connection of the tuple @t through?
 */
static bool iot_ct_excepted(const struct iot_cut *c, const u8 *mac,
			    const struct nf_conntrack_tuple *t)
{
	const struct iot_cfg *cfg;
	const struct iot_dev *dev;
	struct iot_flow f = {
		.family = t->src.l3num,
		.proto = t->dst.protonum,
	};
	bool excepted;

	if (f.family == AF_INET)
		f.dst.ip = t->dst.u3.ip;
	else
		f.dst.in6 = t->dst.u3.in6;
	if (f.proto == IPPROTO_TCP || f.proto == IPPROTO_UDP)
		f.dport = ntohs(t->dst.u.all);

	rcu_read_lock();
	cfg = rcu_dereference(*c->live);
	dev = iot_dev_lookup_rcu(cfg->table, iot_mac_key(mac));
	excepted = (dev && iot_excs_match(rcu_dereference(dev->excs), &f)) ||
		   iot_excs_match(rcu_dereference(cfg->table->any), &f);
	rcu_read_unlock();
	return excepted;
}

/* Called by conntrack for each entry of the netns: 1 destroys it. */
static int iot_ct_match(struct nf_conn *ct, void *data)
{
	const struct nf_conntrack_tuple *t;
	const struct iot_addr_ent *dev;
	struct iot_cut *c = data;
	struct iot_addr_ent key;

	if (nf_ct_is_dying(ct))
		return 0;
	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	memset(&key, 0, sizeof(key));
	key.family = t->src.l3num;
	if (key.family == AF_INET)
		key.a.ip = t->src.u3.ip;
	else if (key.family == AF_INET6)
		key.a.in6 = t->src.u3.in6;
	else
		return 0;
	dev = bsearch(&key, c->v, c->n, sizeof(key), iot_addr_cmp);
	if (!dev)
		return 0;
	if (!iot_routed_to_wan(c, key.family, &t->dst.u3))
		return 0;
	if (iot_ct_excepted(c, dev->mac, t))
		return 0;
	c->cut++;
	return 1;
}

/*
 * Cuts the connections of the devices the config @live points to denies
 * (@mac: of that device only), and returns how many. It may sleep, and
 * takes no lock of ours.
 */
unsigned int iot_cut(struct net *net, struct iot_cfg __rcu **live,
		     const u8 *mac)
{
	typeof(nf_ct_iterate_cleanup_net) *iterate;
	struct iot_cut_who who = { .mac = mac };
	struct iot_cut c = { .net = net, .live = live };
	struct iot_addr_ent *v;
	unsigned int max;

	/* No conntrack, nothing to cut: and nothing to load it for. */
	iterate = symbol_get(nf_ct_iterate_cleanup_net);
	if (!iterate)
		return 0;
	max = iot_neigh_max();
	v = kvmalloc_array(max, sizeof(*v), GFP_KERNEL);
	if (!v)
		goto out;

	rcu_read_lock();
	who.cfg = rcu_dereference(*live);
	c.wan = who.cfg->wan;
	c.n = iot_neigh_addrs(net, iot_cut_wants, &who, v, max);
	rcu_read_unlock();
	if (!c.n)
		goto out;
	sort(v, c.n, sizeof(*v), iot_addr_cmp, NULL);
	c.v = v;

	/* A packet that saw the old policy could still confirm a new entry. */
	synchronize_rcu();
	iot_ct_iterate(iterate, iot_ct_match, net, &c);
out:
	kvfree(v);
	symbol_put(nf_ct_iterate_cleanup_net);
	return c.cut;
}
