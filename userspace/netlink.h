/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_NETLINK_H
#define IOTCTL_NETLINK_H

/*
 * The iot_egress generic netlink family, as the commands see it. This is
 * the only interface to the kernel; netlink.c is the only file that knows
 * about libnl.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/if_ether.h>
#include <net/if.h>

#include "iot_egress.h"

struct iot_device {
	uint8_t mac[ETH_ALEN];
	uint8_t policy;			/* enum iot_egress_policy */
	bool has_name;
	char name[IOT_EGRESS_NAME_MAX + 1];
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
};

enum iot_nl_failure {
	IOT_NL_OK,
	IOT_NL_KERNEL,		/* the kernel said no: errnum, msg (extack) */
	IOT_NL_NO_FAMILY,	/* the module is not loaded */
	IOT_NL_DUMP_INTR,	/* the table kept changing during dumps */
	IOT_NL_BAD_REPLY,	/* a reply we cannot make sense of: msg */
	IOT_NL_LOCAL,		/* socket, memory or libnl failure: msg */
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
int iot_nl_set_default(struct iot_nl *nl, uint8_t policy,
		       struct iot_nl_error *err);

int iot_nl_set_device(struct iot_nl *nl, const struct iot_device *dev,
		      struct iot_nl_error *err);
int iot_nl_del_device(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
		      struct iot_nl_error *err);
int iot_nl_get_device(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
		      struct iot_device *dev, struct iot_nl_error *err);
/* Fills list (emptied first) with every device, in kernel order. */
int iot_nl_dump_devices(struct iot_nl *nl, struct iot_device_list *list,
			struct iot_nl_error *err);
int iot_nl_flush(struct iot_nl *nl, struct iot_nl_error *err);

int iot_nl_add_wan(struct iot_nl *nl, const char *ifname,
		   struct iot_nl_error *err);
int iot_nl_del_wan(struct iot_nl *nl, const char *ifname,
		   struct iot_nl_error *err);
int iot_nl_dump_wan(struct iot_nl *nl, struct iot_wan_list *list,
		    struct iot_nl_error *err);

/*
 * Replacing the whole policy at once: begin, the devices (in as many
 * messages as it takes), then commit; abort drops what was staged. A
 * refused device sets *failed to its index in v, else *failed is n.
 */
int iot_nl_load_begin(struct iot_nl *nl, struct iot_nl_error *err);
int iot_nl_load_devices(struct iot_nl *nl, const struct iot_device *v,
			size_t n, size_t *failed, struct iot_nl_error *err);
int iot_nl_load_commit(struct iot_nl *nl, uint8_t default_policy,
		       const char (*wan)[IFNAMSIZ], size_t nwan,
		       struct iot_nl_error *err);
int iot_nl_load_abort(struct iot_nl *nl, struct iot_nl_error *err);

void iot_device_list_free(struct iot_device_list *list);
void iot_wan_list_free(struct iot_wan_list *list);

#endif
