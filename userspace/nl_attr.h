/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_NL_ATTR_H
#define IOTCTL_NL_ATTR_H

/*
 * What the codecs (nl_*.c) share: the policy replies are parsed with, and
 * the decoders of what several messages hold.
 */

#include "nl_sock.h"

/* Replies to requests: status, devices, WAN names, unknown devices. */
extern struct nla_policy reply_policy[IOT_EGRESS_A_MAX + 1];

/* Lengths the policies check: integers are exactly their size. */
#define P_U8		{ .type = NLA_U8, .maxlen = 1 }
#define P_U16		{ .type = NLA_U16, .maxlen = 2 }
#define P_U32		{ .type = NLA_U32, .maxlen = 4 }
#define P_U64		{ .type = NLA_U64, .maxlen = 8 }
#define P_MAC		{ .minlen = ETH_ALEN, .maxlen = ETH_ALEN }
#define P_NAME		{ .maxlen = IOT_EGRESS_NAME_MAX + 1 }
#define P_IP		{ .minlen = 4, .maxlen = 16 }
#define P_NEST		{ .type = NLA_NESTED }
#define P_FLAG		{ .type = NLA_FLAG }

/* An optional counter: absent is 0. The policy checked the length. */
uint64_t dec_u64(struct nlattr *attr);
/* A string attribute, bounded, whether or not the kernel ended it. */
void dec_string(char *dst, size_t size, const struct nlattr *attr);

/* A destination nest, or the same attributes in an event. */
int dec_dest(struct nlattr **tb, struct iot_dest *d, struct iot_nl_error *err);
/* A device with its counters. */
int dec_device(struct nlattr **tb, struct iot_device *dev,
	       struct iot_nl_error *err);
/* Each entry of a list nest (addresses, destinations) to fn. */
int dec_list(struct nlattr *list, const char *what, reply_fn fn, void *arg,
	     struct iot_nl_error *err);
/* An entry of an address list, appended to the struct iot_addr_list arg. */
int append_addr(struct nlattr **etb, void *arg, struct iot_nl_error *err);
/* An entry of a destination list, appended to the struct iot_dest_list arg. */
int append_dest(struct nlattr **etb, void *arg, struct iot_nl_error *err);

/* An exception; its owner from mac or any unless owned (a list entry). */
int dec_except(struct nlattr **tb, bool owned, struct iot_except *e,
	       struct iot_nl_error *err);

/* For append_except(): a device's list gives owner, a dump does not. */
struct except_append {
	struct iot_except_list *list;
	const uint8_t *owner;		/* NULL: from each message */
};

int append_except(struct nlattr **tb, void *arg, struct iot_nl_error *err);

/* Puts e's key, with its owner (mac or any) if owner. */
int put_except_key(struct nl_msg *msg, const struct iot_except *e,
		   bool owner);
/* The same in an entry, numbered index (from 1), of a list nest. */
int put_except_entry(struct nl_msg *msg, int index,
		     const struct iot_except *e, bool owner);

/* Returns v grown to hold at least n + 1 elements of size bytes. */
void *grow(void *v, size_t *cap, size_t n, size_t size,
	   struct iot_nl_error *err);

/* A request for cmd that names a device. */
struct nl_msg *mac_request(struct iot_nl *nl, uint8_t cmd,
			   const uint8_t mac[ETH_ALEN], struct iot_nl_error *err);

/*
 * The writes that can deny reply with the connections they cut before
 * the ACK. A module that sends no reply, or no count, cut nothing.
 */
struct cut_reply {
	uint32_t cut;
	bool has_generation;
	uint64_t generation;
	bool found;
};

int parse_cut(struct nlattr **tb, void *arg, struct iot_nl_error *err);

#endif
