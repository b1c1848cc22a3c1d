/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_EXCEPTION_H
#define IOTCTL_EXCEPTION_H

/*
 * Exceptions as people write them: "<PREFIX> [proto tcp|udp|icmp]
 * [port <N>[-<M>]]" after "<MAC|any>", on the command line (except.c) and
 * in the policy file (policy.c), parsed, compared and written back here.
 * No libnl here: the unit tests and the fuzzers link this file as it is.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "netlink.h"

/* An address, "/" and a length of up to 3 digits. */
#define PREFIX_SIZE	(ADDR_SIZE + 4)
/* "any 2001:db8::/32 proto icmp port 65535-65535", with room. */
#define EXCEPT_TEXT_SIZE 96

/*
 * What is wrong with the words of an exception. The command line shows
 * it as "<reason> '<word>': <detail>", the policy file as
 * "<reason> (<detail>): '<word>'"; without a word (something is
 * missing), as the reason alone, or with the whole line quoted.
 */
struct except_error {
	bool usage;		/* the shape of the arguments, not a value */
	int word;		/* index of the offending word, or -1 */
	char reason[64];
	char detail[96];	/* "" when the reason says it all */
};

/*
 * Parses words[0..n): the prefix, then the proto and port keywords in
 * any order, into e's key (e->any and e->mac are left alone). cmd starts
 * the usage reasons ("except add: missing prefix"). Returns 0, or -1
 * with err filled in.
 */
int except_parse(struct iot_except *e, const char *const *words, size_t n,
		 const char *cmd, struct except_error *err);

/* "10.0.0.0/8", "2001:db8::/32": always with the length. */
const char *except_prefix(char buf[PREFIX_SIZE], const struct iot_except *e);

/*
 * The exception as the policy file and the commands write it, without
 * "except": "any 0.0.0.0/0 proto udp port 123", "02:00:00:00:00:0c
 * 10.0.0.0/8 proto tcp port 1000-2000". ICMPv6 is "proto icmp".
 */
const char *except_format(char buf[EXCEPT_TEXT_SIZE],
			  const struct iot_except *e);

/* "tcp", "udp", "icmp" (ICMPv6 too), or NULL for any protocol. */
const char *except_proto_name(const struct iot_except *e);

/* Orders by owner (any first, then by MAC), then by key. */
int except_compare(const struct iot_except *a, const struct iot_except *b);
/* The same key and owner: counters aside, the same exception. */
bool except_same(const struct iot_except *a, const struct iot_except *b);

/*
 * Orders v by owner, any first then by MAC, keeping the order within
 * each owner: what save writes.
 */
int except_sort(struct iot_except *v, size_t n);

/*
 * What lock keeps of a device's recorded destinations: an exception for
 * each destination seen at least min_count times, for its exact address
 * and protocol (and port for TCP and UDP), once each, owned by mac.
 */
struct lock_plan {
	struct iot_except_list keep;
	size_t recorded;	/* destinations in the list */
	size_t below;		/* seen fewer than min_count times */
	size_t skipped;		/* a protocol no exception can name */
	size_t duplicates;	/* the same exception as another one */
};

/* Returns 0, or -1 when out of memory. */
int lock_plan_make(struct lock_plan *plan, const uint8_t mac[ETH_ALEN],
		   const struct iot_dest_list *dests, uint64_t min_count);
void lock_plan_free(struct lock_plan *plan);

#endif
