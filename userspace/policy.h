/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_POLICY_H
#define IOTCTL_POLICY_H

/*
 * The policy file (iot-egress.conf(5)): parsed, checked and written here,
 * without the kernel, so that the unit tests and the fuzzer see exactly
 * what "iotctl load" and "iotctl save" do.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netlink.h"

/* A whole policy: what "load" sends and what "save" prints. */
struct policy {
	uint8_t default_policy;		/* allow when no default line */
	size_t default_line;		/* 0: the file has none */

	char wan[IOT_EGRESS_WAN_MAX][IFNAMSIZ];
	size_t wan_line[IOT_EGRESS_WAN_MAX];
	size_t nwan;

	struct iot_device *dev;
	size_t *dev_line;		/* the line of each device, or NULL */
	size_t ndev, cap;

	/* Open addressing over dev, for duplicates: index + 1, 0 = empty. */
	uint32_t *slot;
	size_t nslot;			/* a power of two, or 0 */

	/* Exceptions, each for a device above or for any. */
	struct iot_except *exc;
	size_t *exc_line;		/* the line of each, or NULL */
	size_t nexc, exc_cap;
};

/* Longest reason, with the offending text quoted after it. */
#define POLICY_ERROR_SIZE 384

struct policy_error {
	size_t line;			/* 0: not about one line */
	char msg[POLICY_ERROR_SIZE];	/* "<reason>: '<offending text>'" */
};

/* "allow", "deny", "audit", or "unknown" for any other value. */
const char *policy_name(uint8_t policy);
/* The policy a word names, or -1. */
int policy_parse(const char *s);

void policy_init(struct policy *p);
void policy_free(struct policy *p);

/*
 * Parses a whole file held in memory (it need not end in a newline nor
 * be NUL-terminated) into p, which policy_init() prepared. Returns 0, or
 * -1 with err naming the first line that is wrong; p is then incomplete,
 * but still for policy_free().
 */
int policy_file_parse(struct policy *p, const char *data, size_t len,
		 struct policy_error *err);

/* Takes list's devices into p, which is emptied first; list is left empty. */
void policy_take_devices(struct policy *p, struct iot_device_list *list);

/* Takes list's exceptions into p, which is emptied of its own first. */
void policy_take_excepts(struct policy *p, struct iot_except_list *list);

/* The device of p with that MAC, or NULL. */
const struct iot_device *policy_find_device(const struct policy *p,
					    const uint8_t mac[ETH_ALEN]);

/* Orders devices by MAC address, as show and save print them. */
void devices_sort(struct iot_device *v, size_t n);

/*
 * Orders the devices by MAC address, and the exceptions by owner (any
 * first, then by MAC, each owner's in the order they are in), as save
 * prints them. Forgets lines. Returns 0, or -ENOMEM.
 */
int policy_sort(struct policy *p);

/*
 * Writes p in the file format, devices then exceptions in the order they
 * are in, under a
 * header naming the iotctl version. Returns 0, or -1 if out failed.
 */
int policy_file_write(FILE *out, const struct policy *p, const char *version);

#endif
