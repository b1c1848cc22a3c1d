/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_NFT_H
#define IOTCTL_NFT_H

/*
 * The nftables fallback table as the kernel holds it, read over
 * nfnetlink: whether it is there, why (its comment), and what it
 * enforces. Writing it is nft's job (apply.c runs "nft -f").
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fallback.h"
#include "netlink.h"

struct nft_fallback {
	bool present;			/* the rest is only read if it is */
	char reason[FALLBACK_COMMENT_MAX + 1];	/* the table's comment */
	bool has_default;		/* the chain says "default allow|deny" */
	uint8_t default_policy;
	uint32_t deny, allow;		/* elements of the two MAC sets */
	char wan[IOT_EGRESS_WAN_MAX][IFNAMSIZ];
	size_t nwan;			/* more than IOT_EGRESS_WAN_MAX: cut */
	bool has_dropped;
	uint64_t dropped;		/* packets of the counter "dropped" */
};

/*
 * Reads the fallback table of the current network namespace; only
 * whether it is there and its comment unless full. Returns 0 whether or
 * not it is there, or -1 with err: IOT_NL_KERNEL with EPERM without
 * CAP_NET_ADMIN (nfnetlink refuses even reads without it).
 */
int nft_fallback_read(struct nft_fallback *fb, bool full,
		      struct iot_nl_error *err);

#endif
