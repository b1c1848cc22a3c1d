/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_FALLBACK_H
#define IOTCTL_FALLBACK_H

/*
 * The nftables fallback: the policy file (policy.c) as one nftables
 * table, for when the iot_egress module cannot be loaded. No libnl and no
 * kernel here: the unit tests and the fuzzer link this file as it is.
 *
 * The table gives every packet the verdict the module would:
 *
 *	table inet iot_egress_fallback		comment: why it is in force
 *	    set deny, set allow			ether_addr; audit is in allow
 *	    set wan				ifname, the WAN names
 *	    counter dropped
 *	    chain forward			forward hook, priority -300;
 *						comment: "default allow|deny"
 */

#include <stdio.h>

#include "policy.h"

#define FALLBACK_FAMILY		"inet"
#define FALLBACK_TABLE		"iot_egress_fallback"
#define FALLBACK_CHAIN		"forward"
#define FALLBACK_SET_DENY	"deny"
#define FALLBACK_SET_ALLOW	"allow"
#define FALLBACK_SET_WAN	"wan"
#define FALLBACK_COUNTER	"dropped"
/* The module's hooks: NF_INET_FORWARD at NF_IP_PRI_RAW (kmod/hook.c). */
#define FALLBACK_PRIORITY	(-300)

/* nft refuses a comment longer than this. */
#define FALLBACK_COMMENT_MAX	128

/*
 * Checks that nftables can match every WAN name of p exactly: nft's
 * syntax has no way to write a double quote in a name, and reads a name
 * that ends in '*' as a prefix unless it is escaped, which a backslash
 * elsewhere in the name or a 15-byte name does not allow. Returns 0, or
 * -1 with err naming the line of the first name it cannot write.
 */
int fallback_check(const struct policy *p, struct policy_error *err);

/*
 * text as an nftables comment: at most FALLBACK_COMMENT_MAX bytes (cut
 * with "..."), a double quote as a single one, any other byte that is not
 * printable ASCII as '?'. out has room for FALLBACK_COMMENT_MAX + 1.
 */
void fallback_comment(char out[FALLBACK_COMMENT_MAX + 1], const char *text);

/*
 * Writes the ruleset for p, which fallback_check() accepted, as one
 * "nft -f" transaction that replaces the whole table, with reason as the
 * table's comment. Returns 0, or -1 if out failed.
 */
int fallback_write(FILE *out, const struct policy *p, const char *reason,
		   const char *version);

#endif
