/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_NL_SOCK_H
#define IOTCTL_NL_SOCK_H

/*
 * The transport, for the message codecs (nl_*.c) only: the socket, one
 * request and its replies, dumps, errors and extended ACKs. It knows no
 * attribute of the family: each reply is parsed with the policy it is
 * given and handed to a reply_fn.
 */

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "netlink.h"

/* One reply's attributes, parsed and length-checked by the policy. */
typedef int (*reply_fn)(struct nlattr **tb, void *arg,
			struct iot_nl_error *err);

void tx_clear_error(struct iot_nl_error *err);
__attribute__((format(printf, 3, 4)))
void tx_error(struct iot_nl_error *err, enum iot_nl_failure failure,
	      const char *fmt, ...);

/*
 * A socket to the family; replies are parsed with policy. With monitor,
 * subscribed to the monitor group instead of matching replies.
 */
struct iot_nl *tx_open(bool monitor, const struct nla_policy *policy,
		       struct iot_nl_error *err);

/* A request for cmd with flags; size 0 is libnl's default size. */
struct nl_msg *tx_request(struct iot_nl *nl, uint8_t cmd, int flags,
			  size_t size, struct iot_nl_error *err);
/* Frees msg, whose attributes did not fit; returns -1. */
int tx_put_failed(struct nl_msg *msg, struct iot_nl_error *err);

/*
 * Sends msg (and frees it), then feeds every reply to parse until the
 * ACK, the end of the dump, or an error. parse may be NULL.
 */
int tx_transact(struct iot_nl *nl, struct nl_msg *msg, reply_fn parse,
		void *arg, struct iot_nl_error *err);

/*
 * A dump of cmd, started again (after reset) while the kernel flags it
 * interrupted, up to a few times.
 */
int tx_dump(struct iot_nl *nl, uint8_t cmd, reply_fn parse, void *arg,
	    void (*reset)(void *arg), struct iot_nl_error *err);

/* Adds a request's attributes; returns -1 if they do not fit. */
typedef int (*put_fn)(struct nl_msg *msg, const void *arg);

/* The same, with attributes put by put (a filter) in each request. */
int tx_dump_filtered(struct iot_nl *nl, uint8_t cmd, put_fn put,
		     const void *put_arg, reply_fn parse, void *arg,
		     void (*reset)(void *arg), struct iot_nl_error *err);

/* Where in the last request the kernel's error pointed, if it did. */
bool tx_bad_offset(const struct iot_nl *nl, uint32_t *offset);

int tx_fd(const struct iot_nl *nl);

/*
 * The monitor socket: waits with sigmask (ppoll), then hands each message
 * of cmd to parse, parsed with policy; a message the policy refuses goes
 * to skip, with why, instead. Returns 0 (also when a signal came), 1 when
 * the kernel dropped messages the socket had no room for, -1 on failure.
 */
int tx_listen(struct iot_nl *nl, const sigset_t *sigmask,
	      const struct nla_policy *policy, uint8_t cmd,
	      int (*skip)(void *arg, const char *why), reply_fn parse,
	      void *arg, struct iot_nl_error *err);

#endif
