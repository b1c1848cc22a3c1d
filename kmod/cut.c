// SPDX-License-Identifier: GPL-2.0
/*
 * Cutting a device off: when a device becomes denied, its connections that
 * are already open stop too.
 *
 * Conntrack entries carry no MAC. The device's addresses come from the
 * neighbour tables (ARP and NDP), which hold every address the router has
 * talked to it on: global, temporary and link-local. The entries whose
 * original source is one of them and whose destination is routed out of a
 * WAN interface are destroyed. A flow offloaded to a flowtable is looked
 * up only while its entry lives, so it stops at once too, and its next
 * packet meets the forward hook, which drops it.
 *
 * Conntrack is a soft dependency: its iterator is looked up at run time.
 * If nf_conntrack is not loaded there is no connection to cut.
 */
#include <linux/inetdevice.h>
#include <linux/module.h>
#include <linux/sort.h>
#include <linux/bsearch.h>
#include <net/arp.h>
#include <net/ip6_route.h>
#include <net/ndisc.h>
#include <net/neighbour.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>

#include "iot_egress.h"

struct iot_neigh_walk {
	struct net *net;
	/* Collect the addresses of @mac, or else of every MAC @cfg denies. */
	const u8 *mac;
	const struct iot_cfg *cfg;
	struct iot_addr_ent *v;
	unsigned int n;
	unsigned int max;
};

static bool iot_cfg_denies(const struct iot_cfg *cfg, const u8 *mac)
{
	const struct iot_dev *dev;
	bool deny;

	rcu_read_lock();
	dev = iot_dev_lookup_rcu(cfg->table, iot_mac_key(mac));
	deny = (dev ? READ_ONCE(dev->policy) : cfg->default_policy) ==
	       IOT_EGRESS_POLICY_DENY;
	rcu_read_unlock();
	return deny;
}

static void iot_neigh_one(struct neighbour *n, void *cookie)
{
	struct iot_neigh_walk *w = cookie;
	struct iot_addr_ent *e;
	u8 ha[ETH_ALEN];

	if (!net_eq(dev_net(n->dev), w->net) || n->dev->addr_len != ETH_ALEN ||
	    !(READ_ONCE(n->nud_state) & NUD_VALID) || w->n == w->max)
		return;
	neigh_ha_snapshot(ha, n, n->dev);
	if (w->mac ? !ether_addr_equal(ha, w->mac) :
		     !is_valid_ether_addr(ha) || !iot_cfg_denies(w->cfg, ha))
		return;
	e = &w->v[w->n++];
	memset(e, 0, sizeof(*e));
	e->family = n->tbl->family;
	memcpy(&e->a, n->primary_key, n->tbl->key_len);
}

static void iot_neigh_walk(struct iot_neigh_walk *w)
{
	neigh_for_each(&arp_tbl, iot_neigh_one, w);
	if (ipv6_mod_enabled())
		neigh_for_each(&nd_tbl, iot_neigh_one, w);
}

/* The addresses of @mac in @net's neighbour tables: at most @max. */
int iot_dev_addrs(struct net *net, const u8 *mac, struct iot_addr_ent *v,
		  unsigned int max)
{
	struct iot_neigh_walk w = {
		.net = net, .mac = mac, .v = v, .max = max,
	};

	iot_neigh_walk(&w);
	return w.n;
}

static int iot_addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct iot_addr_ent));
}

struct iot_cut {
	struct net *net;
	const struct iot_cfg *cfg;
	const struct iot_addr_ent *v;
	unsigned int n;
	unsigned int cut;
};

static bool iot_dev_is_wan(const struct iot_cfg *cfg,
			   const struct net_device *dev)
{
	unsigned int i;

	if (dev->flags & IFF_LOOPBACK)
		return false;
	if (cfg->all_wan)
		return true;
	for (i = 0; i < cfg->nifindex; i++)
		if (cfg->ifindex[i] == dev->ifindex)
			return true;
	return false;
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
		      iot_dev_is_wan(c->cfg, rt->dst.dev);
		ip_rt_put(rt);
	} else {
		struct flowi6 fl6 = { .daddr = dst->in6 };
		struct dst_entry *d;

		d = ip6_route_output(c->net, NULL, &fl6);
		if (!d->error)
			wan = iot_dev_is_wan(c->cfg, d->dev);
		dst_release(d);
	}
	return wan;
}

/* Called by conntrack for each entry of the netns: 1 destroys it. */
static int iot_ct_match(struct nf_conn *ct, void *data)
{
	const struct nf_conntrack_tuple *t;
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
	if (!bsearch(&key, c->v, c->n, sizeof(key), iot_addr_cmp))
		return 0;
	if (!iot_routed_to_wan(c, key.family, &t->dst.u3))
		return 0;
	c->cut++;
	return 1;
}

/* The walk is set up: find the addresses and cut their connections. */
static unsigned int iot_cut(struct iot_net *in, struct iot_neigh_walk *w)
{
	struct iot_cut c = { .net = in->net };
	typeof(nf_ct_iterate_cleanup_net) *iterate;

	lockdep_assert_held(&in->lock);
	/* No conntrack, nothing to cut: and nothing to load it for. */
	iterate = symbol_get(nf_ct_iterate_cleanup_net);
	if (!iterate)
		return 0;

	w->net = in->net;
	w->cfg = rcu_dereference_protected(in->cfg, lockdep_is_held(&in->lock));
	w->max = atomic_read(&arp_tbl.entries) + 16;
	if (ipv6_mod_enabled())
		w->max += atomic_read(&nd_tbl.entries);
	w->v = kvmalloc_array(w->max, sizeof(*w->v), GFP_KERNEL);
	if (!w->v)
		goto out;
	iot_neigh_walk(w);
	if (!w->n)
		goto out;
	sort(w->v, w->n, sizeof(*w->v), iot_addr_cmp, NULL);

	/* A packet that saw the old policy could still confirm a new entry. */
	synchronize_rcu();
	c.cfg = w->cfg;
	c.v = w->v;
	c.n = w->n;
	iot_ct_iterate(iterate, iot_ct_match, in->net, &c);
out:
	kvfree(w->v);
	symbol_put(nf_ct_iterate_cleanup_net);
	return c.cut;
}

/* @mac was just denied. Returns how many connections were cut. */
unsigned int iot_cut_mac(struct iot_net *in, const u8 *mac)
{
	struct iot_neigh_walk w = { .mac = mac };

	return iot_cut(in, &w);
}

/* After the default or the whole policy changed: cut whoever it denies. */
unsigned int iot_cut_denied(struct iot_net *in)
{
	struct iot_neigh_walk w = { };

	return iot_cut(in, &w);
}
