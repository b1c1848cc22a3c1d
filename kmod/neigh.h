/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The addresses of LAN devices, from the neighbour tables. See neigh.c.
 */
#ifndef _IOT_NEIGH_H
#define _IOT_NEIGH_H

#include <linux/if_ether.h>
#include <net/net_namespace.h>

#include "flow.h"

/* Most addresses of one device a reply lists. */
#define IOT_ADDRS_MAX	64

struct iot_addr_ent {
	u8 family;
	union iot_addr a;
	/* The device's. */
	u8 mac[ETH_ALEN];
};

/* Whether to take the addresses of the valid unicast MAC @ha. Called with
 * a neighbour table's lock held: it must not sleep.
 */
typedef bool (*iot_neigh_want_t)(const u8 *ha, const void *arg);

/* A bound on what iot_neigh_addrs() can find, for sizing its array. */
unsigned int iot_neigh_max(void);
unsigned int iot_neigh_addrs(struct net *net, iot_neigh_want_t want,
			     const void *arg, struct iot_addr_ent *v,
			     unsigned int max);
unsigned int iot_neigh_addrs_of(struct net *net, const u8 *mac,
				struct iot_addr_ent *v, unsigned int max);

#endif /* _IOT_NEIGH_H */
