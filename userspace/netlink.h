/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_NETLINK_H
#define IOTCTL_NETLINK_H

/*
 * The iot_egress generic netlink family, as the commands see it. This is
 * the only interface to the kernel. The nl_*.c files implement it, and
 * only they know about libnl: nl_sock.c is the transport (socket,
 * transaction, errors), the others encode and decode the messages.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <linux/if_ether.h>
#include <net/if.h>

#include "iot_egress.h"

/* Unix times in seconds; a has_ flag false means never. */
struct iot_counters {
	uint64_t denied_packets;
	uint64_t denied_bytes;
	uint64_t wan_packets;
	uint64_t wan_bytes;
	uint64_t last_denied;
	uint64_t last_wan;
	bool has_last_denied;
	bool has_last_wan;
};

struct iot_device {
	uint8_t mac[ETH_ALEN];
	uint8_t policy;			/* enum iot_egress_policy */
	bool has_name;
	char name[IOT_EGRESS_NAME_MAX + 1];
	struct iot_counters c;		/* from the kernel; unused in requests */
};

/* An IPv4 (4 bytes used) or IPv6 address. */
struct iot_addr {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t a[16];
};

struct iot_addr_list {
	struct iot_addr *v;
	size_t n, cap;
};

/* A WAN destination a device tried, as the kernel recorded it. */
struct iot_dest {
	struct iot_addr dst;
	bool has_src;
	struct iot_addr src;		/* the source address last seen */
	uint8_t proto;			/* IPPROTO_* */
	uint16_t dport;			/* 0 for protocols without ports */
	uint64_t count;			/* packets */
	uint64_t first_seen;
	uint64_t last_seen;
};

struct iot_dest_list {
	struct iot_dest *v;
	size_t n, cap;
};

/*
 * An exception: a WAN-bound packet that would be dropped goes through
 * when its destination is in the prefix, and its protocol and port are
 * those given. For one device in the table, or for any device whose
 * packets would be dropped.
 */
struct iot_except {
	bool any;			/* else for the device mac */
	uint8_t mac[ETH_ALEN];
	struct iot_addr addr;		/* no bit set beyond prefix_len */
	uint8_t prefix_len;
	uint8_t proto;			/* IPPROTO_*; 0: any protocol */
	uint16_t port_min, port_max;	/* 0: any port (TCP, UDP only) */
	/* From the kernel; unused in requests. */
	uint64_t matched_packets;
	uint64_t matched_bytes;
	bool has_last_matched;
	uint64_t last_matched;
};

struct iot_except_list {
	struct iot_except *v;
	size_t n, cap;
};

/* One device in the table, with what only a single-device query gives. */
struct iot_device_info {
	struct iot_device dev;
	bool has_suppressed;
	uint64_t suppressed;		/* monitor events of it suppressed */
	struct iot_addr_list addrs;	/* its addresses (neighbour tables) */
	struct iot_dest_list dests;	/* newest first */
	struct iot_except_list excepts;	/* its exceptions, mac set */
	bool has_evicted;		/* absent from older modules */
	uint64_t evicted;		/* destinations the recorder forgot */
};

/* A device not in the table, denied by the default policy. */
struct iot_unknown {
	uint8_t mac[ETH_ALEN];
	uint64_t denied_packets;
	uint64_t denied_bytes;
	uint64_t first_seen;		/* 0: not given */
	bool has_last_denied;
	uint64_t last_denied;
	struct iot_dest_list dests;	/* newest first */
};

struct iot_unknown_list {
	struct iot_unknown *v;		/* most recent first */
	size_t n, cap;
};

/* One IOT_EGRESS_CMD_EVENT of the monitor group. */
struct iot_event {
	uint8_t event;			/* enum iot_egress_event */
	uint64_t time;			/* Unix time in seconds */
	uint8_t mac[ETH_ALEN];
	bool has_name;
	char name[IOT_EGRESS_NAME_MAX + 1];
	uint8_t policy;			/* DENY or AUDIT: what was done */
	bool unknown;			/* not in the table */
	struct iot_dest dest;		/* family, src, dst, proto, dport;
					 * count: 1 for NEW, the packets
					 * since the last event for REPEAT;
					 * first_seen and last_seen unused */
	uint64_t suppressed;		/* events of the netns suppressed */
};

struct iot_device_list {
	struct iot_device *v;
	size_t n, cap;
};

struct iot_wan {
	char ifname[IFNAMSIZ];
	uint32_t ifindex;		/* 0: no interface of that name */
};

struct iot_wan_list {
	struct iot_wan *v;
	size_t n, cap;
};

struct iot_status {
	uint32_t proto_version;
	char module_version[64];
	uint8_t default_policy;		/* enum iot_egress_policy */
	uint32_t devices;
	uint32_t max_devices;
	uint32_t wan_names;
	uint64_t dropped;
	uint64_t generation;
	/* Recording and monitor: absent from older modules. */
	bool has_recording;
	uint32_t dests;
	uint32_t max_dests;
	uint32_t dests_per_device;
	uint32_t unknown;
	uint32_t max_unknown;
	uint64_t events;
	uint64_t suppressed;
	/* Exceptions: absent from older modules. */
	bool has_exceptions;
	uint32_t exceptions;
	uint32_t max_exceptions;
	uint32_t exceptions_per_device;
	/* Early drop: absent from older modules. */
	bool has_early;
	uint64_t dropped_early;		/* the part of dropped */
	bool early_drop;		/* the early hooks are registered */
};

enum iot_nl_failure {
	IOT_NL_OK,
	IOT_NL_KERNEL,		/* the kernel said no: errnum, msg (extack) */
	IOT_NL_NO_FAMILY,	/* the module is not loaded */
	IOT_NL_DUMP_INTR,	/* the table kept changing during dumps */
	IOT_NL_BAD_REPLY,	/* a reply we cannot make sense of: msg */
	IOT_NL_LOCAL,		/* socket, memory or libnl failure, or a
				 * module of another protocol: msg */
	IOT_NL_NO_GROUP,	/* the module has no monitor group */
};

struct iot_nl_error {
	enum iot_nl_failure failure;
	int errnum;		/* positive errno, IOT_NL_KERNEL only */
	char msg[256];		/* may be empty for IOT_NL_KERNEL */
};

struct iot_nl;

/* Each returns NULL or -1 on failure, with err filled in. */
struct iot_nl *iot_nl_open(struct iot_nl_error *err);
void iot_nl_close(struct iot_nl *nl);

int iot_nl_get_status(struct iot_nl *nl, struct iot_status *st,
		      struct iot_nl_error *err);
/*
 * The writes that can deny set *cut (if cut is not NULL) to the live
 * connections the kernel cut; 0 from a module that does not say.
 */
int iot_nl_set_default(struct iot_nl *nl, uint8_t policy, uint32_t *cut,
		       struct iot_nl_error *err);

int iot_nl_set_device(struct iot_nl *nl, const struct iot_device *dev,
		      uint32_t *cut, struct iot_nl_error *err);
/*
 * The same, and the device's exceptions v[0..n) (their owner is not
 * read) added in the same step: lock. Exceptions it has already are fine.
 */
int iot_nl_set_device_except(struct iot_nl *nl, const struct iot_device *dev,
			     const struct iot_except *v, size_t n,
			     uint32_t *cut, struct iot_nl_error *err);
int iot_nl_del_device(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
		      struct iot_nl_error *err);
/* The device with its counters only. */
int iot_nl_get_device(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
		      struct iot_device *dev, struct iot_nl_error *err);
/*
 * The device with its counters, addresses and destinations; info is
 * overwritten (not freed) first, and is for iot_device_info_free() even
 * on failure.
 */
int iot_nl_get_device_info(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
			   struct iot_device_info *info,
			   struct iot_nl_error *err);
/* Fills list (emptied first) with every device, in kernel order. */
int iot_nl_dump_devices(struct iot_nl *nl, struct iot_device_list *list,
			struct iot_nl_error *err);
/* Fills list (emptied first) with the unknown devices, in kernel order. */
int iot_nl_dump_unknown(struct iot_nl *nl, struct iot_unknown_list *list,
			struct iot_nl_error *err);
int iot_nl_flush(struct iot_nl *nl, struct iot_nl_error *err);

int iot_nl_add_wan(struct iot_nl *nl, const char *ifname,
		   struct iot_nl_error *err);
int iot_nl_del_wan(struct iot_nl *nl, const char *ifname,
		   struct iot_nl_error *err);
int iot_nl_dump_wan(struct iot_nl *nl, struct iot_wan_list *list,
		    struct iot_nl_error *err);

/* What LOAD_COMMIT replies; zeros from a module that does not say. */
struct iot_commit {
	uint32_t cut;			/* live connections cut */
	bool has_generation;
	uint64_t generation;
};

/*
 * Replacing the whole policy at once: begin, the devices (in as many
 * messages as it takes), then commit; abort drops what was staged. A
 * refused device sets *failed to its index in v, else *failed is n.
 * Begin says how many devices follow, and sets *pack if the module takes
 * devices without a label packed (device-pack), which load_devices then
 * uses for them.
 */
int iot_nl_load_begin(struct iot_nl *nl, size_t ndev, bool *pack,
		      struct iot_nl_error *err);
int iot_nl_load_devices(struct iot_nl *nl, const struct iot_device *v,
			size_t n, bool pack, size_t *failed,
			struct iot_nl_error *err);
/* Then the exceptions, after every device they name. */
int iot_nl_load_excepts(struct iot_nl *nl, const struct iot_except *v,
			size_t n, size_t *failed, struct iot_nl_error *err);
int iot_nl_load_commit(struct iot_nl *nl, uint8_t default_policy,
		       const char (*wan)[IFNAMSIZ], size_t nwan,
		       struct iot_commit *res, struct iot_nl_error *err);
int iot_nl_load_abort(struct iot_nl *nl, struct iot_nl_error *err);

/* Exceptions, named by their owner and key; counters are not sent. */
int iot_nl_add_except(struct iot_nl *nl, const struct iot_except *e,
		      struct iot_nl_error *err);
/* *cut: the connections only this exception let through, now cut. */
int iot_nl_del_except(struct iot_nl *nl, const struct iot_except *e,
		      uint32_t *cut, struct iot_nl_error *err);
/*
 * Fills list (emptied first) with the exceptions, in kernel order (any
 * first, then by MAC); only those of any if any, else of mac if not NULL.
 */
int iot_nl_dump_excepts(struct iot_nl *nl, bool any, const uint8_t *mac,
			struct iot_except_list *list,
			struct iot_nl_error *err);

/*
 * The monitor: a socket of its own, subscribed to IOT_EGRESS_MCGRP_MONITOR.
 * Subscribing without CAP_NET_ADMIN fails with IOT_NL_KERNEL and EPERM;
 * a module without the group, with IOT_NL_NO_GROUP.
 */
struct iot_nl *iot_nl_open_monitor(struct iot_nl_error *err);

/*
 * fn gets each event; or ev NULL and problem saying what was lost (a
 * malformed event skipped, or events dropped because the socket buffer
 * overflowed). It returns 0 to go on, non-zero to stop.
 */
typedef int (*iot_event_fn)(const struct iot_event *ev, const char *problem,
			    void *arg);

/*
 * Waits for events with sigmask as the signal mask (ppoll), then hands
 * every event that arrived to fn. Returns 1 when fn asked to stop, 0 when
 * events were handled or a signal interrupted the wait, -1 on failure.
 */
int iot_nl_monitor_wait(struct iot_nl *nl, const sigset_t *sigmask,
			iot_event_fn fn, void *arg, struct iot_nl_error *err);

void iot_device_list_free(struct iot_device_list *list);
void iot_wan_list_free(struct iot_wan_list *list);
void iot_device_info_free(struct iot_device_info *info);
void iot_unknown_list_free(struct iot_unknown_list *list);
void iot_except_list_free(struct iot_except_list *list);

#endif
