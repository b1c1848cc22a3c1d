/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recorder: what devices tried to reach. See rec.c.
 */
#ifndef _IOT_REC_H
#define _IOT_REC_H

#include <linux/skbuff.h>

#include "cfg.h"
#include "flow.h"
#include "monitor.h"
#include "table.h"

extern unsigned int iot_max_dests;
extern unsigned int iot_dests_per_device;

/* One recorded destination, as dumps copy it out. */
struct iot_dest_info {
	/* The source address is the one last seen. */
	struct iot_flow flow;
	u64 count;
	time64_t first;
	time64_t last;
};

struct iot_rec;

int iot_rec_cache_init(void);
void iot_rec_cache_destroy(void);
struct iot_rec *iot_rec_new(struct net *net, struct iot_monitor *mon,
			    struct iot_cfg __rcu **live);
void iot_rec_free(struct iot_rec *r);

void iot_rec_packet(struct iot_rec *r, const u8 *mac,
		    const struct iot_dev *dev, u8 verdict,
		    struct sk_buff *skb, u8 pf);
/* What the recorder held back of a device. */
struct iot_rec_tally {
	/* Monitor events the rate limits suppressed. */
	u64 suppressed;
	/* Destinations forgotten to make room. */
	u64 evicted;
};

int iot_rec_dests(struct iot_rec *r, const u8 *mac, bool unknown,
		  struct iot_dest_info *v, unsigned int max,
		  struct iot_rec_tally *tally);
int iot_rec_unknown_nth(struct iot_rec *r, unsigned int nth, u8 *mac,
			struct iot_stats *sum, time64_t *first, u32 *gen);
void iot_rec_counts(struct iot_rec *r, unsigned int *ndests,
		    unsigned int *nunknown);

#endif /* _IOT_REC_H */
