// SPDX-License-Identifier: GPL-2.0
/*
 * The addresses of LAN devices, from the neighbour tables (ARP and NDP):
 * every address the router has talked to a device on, global, temporary
 * and link-local alike. "iotctl show" lists them, and cutting a device off
 * destroys the connections from them.
 */
#include <linux/etherdevice.h>
#include <net/arp.h>
#include <net/ndisc.h>
#include <net/neighbour.h>

#include "neigh.h"

struct iot_neigh_walk {
	struct net *net;
	iot_neigh_want_t want;
	const void *arg;
	struct iot_addr_ent *v;
	unsigned int n;
	unsigned int max;
};

static void iot_neigh_one(struct neighbour *n, void *cookie)
{
	struct iot_neigh_walk *w = cookie;
	struct iot_addr_ent *e;
	u8 ha[ETH_ALEN];

	if (!net_eq(dev_net(n->dev), w->net) || n->dev->addr_len != ETH_ALEN ||
	    !(READ_ONCE(n->nud_state) & NUD_VALID) || w->n == w->max)
		return;
	neigh_ha_snapshot(ha, n, n->dev);
	if (!is_valid_ether_addr(ha) || !w->want(ha, w->arg))
		return;
	e = &w->v[w->n++];
	memset(e, 0, sizeof(*e));
	e->family = n->tbl->family;
	memcpy(&e->a, n->primary_key, n->tbl->key_len);
	ether_addr_copy(e->mac, ha);
}

unsigned int iot_neigh_max(void)
{
	unsigned int max = atomic_read(&arp_tbl.entries) + 16;

	if (ipv6_mod_enabled())
		max += atomic_read(&nd_tbl.entries);
	return max;
}

/* The addresses of the MACs @want takes in @net: at most @max. */
unsigned int iot_neigh_addrs(struct net *net, iot_neigh_want_t want,
			     const void *arg, struct iot_addr_ent *v,
			     unsigned int max)
{
	struct iot_neigh_walk w = {
		.net = net, .want = want, .arg = arg, .v = v, .max = max,
	};

	neigh_for_each(&arp_tbl, iot_neigh_one, &w);
	if (ipv6_mod_enabled())
		neigh_for_each(&nd_tbl, iot_neigh_one, &w);
	return w.n;
}

static bool iot_neigh_is(const u8 *ha, const void *mac)
{
	return ether_addr_equal(ha, mac);
}

unsigned int iot_neigh_addrs_of(struct net *net, const u8 *mac,
				struct iot_addr_ent *v, unsigned int max)
{
	return iot_neigh_addrs(net, iot_neigh_is, mac, v, max);
}
