/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The monitor: events about what devices try, to the multicast group. See
 * monitor.c.
 */
#ifndef _IOT_MONITOR_H
#define _IOT_MONITOR_H

#include <net/genetlink.h>

#include "flow.h"
#include "uapi/iot_egress.h"

/* What the monitor is told about one (device, destination) pair. */
struct iot_event {
	u8 type;
	u8 policy;
	bool unknown;
	u8 mac[ETH_ALEN];
	struct iot_flow flow;
	u64 count;
	time64_t time;
	char label[IOT_EGRESS_NAME_MAX + 1];
};

/* One device's share of the rate limit: events in the second from @window. */
struct iot_evlimit {
	unsigned long window;
	unsigned int count;
};

struct iot_monitor;

/* Fills @ev (room for @max) with the REPEAT events due, admitting each with
 * iot_monitor_admit(); returns how many it filled.
 */
typedef unsigned int (*iot_monitor_collect_t)(void *arg, struct iot_event *ev,
					      unsigned int max);

extern const struct genl_multicast_group iot_monitor_mcgrps[1];
void iot_monitor_start(const struct genl_family *family);
void iot_monitor_stop(void);

struct iot_monitor *iot_monitor_new(struct net *net);
void iot_monitor_free(struct iot_monitor *mon);
void iot_monitor_attach(struct iot_monitor *mon, iot_monitor_collect_t collect,
			void *arg);
void iot_monitor_detach(struct iot_monitor *mon);

bool iot_monitor_listening(struct net *net);
bool iot_monitor_admit(struct iot_monitor *mon, struct iot_evlimit *dev,
		       bool room);
void iot_monitor_tell(struct iot_monitor *mon, const struct iot_event *ev);
void iot_monitor_kick(struct iot_monitor *mon);
void iot_monitor_counts(struct iot_monitor *mon, u64 *events, u64 *suppressed);

#endif /* _IOT_MONITOR_H */
