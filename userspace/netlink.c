// SPDX-License-Identifier: GPL-2.0
/*
 * The transport: everything that speaks netlink, on libnl-genl-3. The
 * commands see plain structs and an error saying what went wrong.
 */
#define _GNU_SOURCE	/* ppoll() */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netlink.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "netlink.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* How often a dump the kernel flagged as interrupted is started again. */
#define DUMP_TRIES 4
/* Room for bursts of monitor events before the kernel drops some. */
#define MONITOR_RCVBUF (1024 * 1024)

typedef int (*parse_fn)(struct nlattr **tb, void *arg,
			struct iot_nl_error *err);

struct iot_nl {
	struct nl_sock *sk;
	struct nl_cb *cb;
	int family;

	/* The request in flight. */
	uint32_t seq;
	const struct nla_policy *policy;	/* for the replies */
	uint8_t want_cmd;			/* 0: any command */
	/* If set, a reply the policy refuses is reported here and skipped. */
	int (*skip_bad)(void *arg, const char *why);
	parse_fn parse;
	void *arg;
	struct iot_nl_error *err;
	bool done;
	bool intr;
	/* Where in the request the kernel's error points, if it does. */
	bool has_bad_offset;
	uint32_t bad_offset;
};

/*
 * Lengths are checked here, so the parsers below can read what is
 * present: integers must have exactly their size. Strings are taken as
 * bytes and copied with a bound, whether or not the kernel NUL-terminates
 * them. Addresses are 4 or 16 bytes; which one the family says is
 * checked by parse_addr().
 */
#define P_U8		{ .type = NLA_U8, .maxlen = 1 }
#define P_U16		{ .type = NLA_U16, .maxlen = 2 }
#define P_U32		{ .type = NLA_U32, .maxlen = 4 }
#define P_U64		{ .type = NLA_U64, .maxlen = 8 }
#define P_MAC		{ .minlen = ETH_ALEN, .maxlen = ETH_ALEN }
#define P_NAME		{ .maxlen = IOT_EGRESS_NAME_MAX + 1 }
#define P_IP		{ .minlen = 4, .maxlen = 16 }
#define P_NEST		{ .type = NLA_NESTED }

/* Replies to requests: status, devices, WAN names, unknown devices. */
static struct nla_policy attr_policy[IOT_EGRESS_A_MAX + 1] = {
	[IOT_EGRESS_A_MAC]		= P_MAC,
	[IOT_EGRESS_A_POLICY]		= P_U8,
	[IOT_EGRESS_A_NAME]		= P_NAME,
	[IOT_EGRESS_A_IFNAME]		= { .minlen = 1, .maxlen = IFNAMSIZ },
	[IOT_EGRESS_A_IFINDEX]		= P_U32,
	[IOT_EGRESS_A_DEFAULT_POLICY]	= P_U8,
	[IOT_EGRESS_A_PROTO_VERSION]	= P_U32,
	[IOT_EGRESS_A_MODULE_VERSION]	= { .minlen = 1 },
	[IOT_EGRESS_A_DEVICES]		= P_U32,
	[IOT_EGRESS_A_MAX_DEVICES]	= P_U32,
	[IOT_EGRESS_A_WAN_NAMES]	= P_U32,
	[IOT_EGRESS_A_DROPPED]		= P_U64,
	[IOT_EGRESS_A_GENERATION]	= P_U64,
	[IOT_EGRESS_A_DENIED_PACKETS]	= P_U64,
	[IOT_EGRESS_A_DENIED_BYTES]	= P_U64,
	[IOT_EGRESS_A_WAN_PACKETS]	= P_U64,
	[IOT_EGRESS_A_WAN_BYTES]	= P_U64,
	[IOT_EGRESS_A_LAST_DENIED]	= P_U64,
	[IOT_EGRESS_A_LAST_WAN]		= P_U64,
	[IOT_EGRESS_A_SUPPRESSED]	= P_U64,
	[IOT_EGRESS_A_DEST_LIST]	= P_NEST,
	[IOT_EGRESS_A_ADDR_LIST]	= P_NEST,
	[IOT_EGRESS_A_FIRST_SEEN]	= P_U64,
	[IOT_EGRESS_A_CUT]		= P_U32,
	[IOT_EGRESS_A_DESTS]		= P_U32,
	[IOT_EGRESS_A_MAX_DESTS]	= P_U32,
	[IOT_EGRESS_A_DESTS_PER_DEVICE]	= P_U32,
	[IOT_EGRESS_A_UNKNOWN]		= P_U32,	/* a count, in status */
	[IOT_EGRESS_A_MAX_UNKNOWN]	= P_U32,
	[IOT_EGRESS_A_EVENTS]		= P_U64,
};

/* An entry of IOT_EGRESS_A_DEST_LIST or IOT_EGRESS_A_ADDR_LIST. */
static struct nla_policy entry_policy[IOT_EGRESS_A_MAX + 1] = {
	[IOT_EGRESS_A_FAMILY]		= P_U8,
	[IOT_EGRESS_A_ADDR]		= P_IP,
	[IOT_EGRESS_A_DST]		= P_IP,
	[IOT_EGRESS_A_SRC]		= P_IP,
	[IOT_EGRESS_A_PROTO]		= P_U8,
	[IOT_EGRESS_A_DPORT]		= P_U16,
	[IOT_EGRESS_A_COUNT]		= P_U64,
	[IOT_EGRESS_A_FIRST_SEEN]	= P_U64,
	[IOT_EGRESS_A_LAST_SEEN]	= P_U64,
};

/* IOT_EGRESS_CMD_EVENT, from the monitor group. */
static struct nla_policy event_policy[IOT_EGRESS_A_MAX + 1] = {
	[IOT_EGRESS_A_EVENT]		= P_U8,
	[IOT_EGRESS_A_TIME]		= P_U64,
	[IOT_EGRESS_A_MAC]		= P_MAC,
	[IOT_EGRESS_A_NAME]		= P_NAME,
	[IOT_EGRESS_A_POLICY]		= P_U8,
	[IOT_EGRESS_A_UNKNOWN_DEVICE]	= { .type = NLA_FLAG },
	[IOT_EGRESS_A_FAMILY]		= P_U8,
	[IOT_EGRESS_A_SRC]		= P_IP,
	[IOT_EGRESS_A_DST]		= P_IP,
	[IOT_EGRESS_A_PROTO]		= P_U8,
	[IOT_EGRESS_A_DPORT]		= P_U16,
	[IOT_EGRESS_A_COUNT]		= P_U64,
	[IOT_EGRESS_A_SUPPRESSED]	= P_U64,
};

static struct nla_policy extack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG]		= { .type = NLA_STRING },
	[NLMSGERR_ATTR_OFFS]		= { .type = NLA_U32 },
};

static void clear_error(struct iot_nl_error *err)
{
	err->failure = IOT_NL_OK;
	err->errnum = 0;
	err->msg[0] = '\0';
}

__attribute__((format(printf, 3, 4)))
static void set_error(struct iot_nl_error *err, enum iot_nl_failure failure,
		      const char *fmt, ...)
{
	va_list ap;

	err->failure = failure;
	err->errnum = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/*
 * The kernel refused. Its reason, if it gave one, is an extended ACK
 * message among the TLVs that follow tlv_offset bytes of payload.
 */
static void kernel_error(struct iot_nl *nl, int errnum,
			 const struct nlmsghdr *nlh, size_t tlv_offset)
{
	struct iot_nl_error *err = nl->err;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len = nlmsg_datalen(nlh);

	err->failure = IOT_NL_KERNEL;
	err->errnum = errnum;
	err->msg[0] = '\0';

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || len <= 0 ||
	    tlv_offset >= (size_t)len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + tlv_offset),
		      len - (int)tlv_offset, extack_policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(err->msg, tb[NLMSGERR_ATTR_MSG], sizeof(err->msg));
	if (tb[NLMSGERR_ATTR_OFFS]) {
		nl->has_bad_offset = true;
		nl->bad_offset = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	}
}

static int on_seq_check(struct nl_msg *msg, void *arg)
{
	struct iot_nl *nl = arg;

	/* Leftovers of an earlier request are not ours to interpret. */
	return nlmsg_hdr(msg)->nlmsg_seq == nl->seq ? NL_OK : NL_SKIP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct iot_nl *nl = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[IOT_EGRESS_A_MAX + 1];
	int r;

	if (nlh->nlmsg_type != nl->family || !nl->parse)
		return NL_SKIP;
	r = genlmsg_parse(nlh, 0, tb, IOT_EGRESS_A_MAX,
			  nl->policy ? nl->policy : attr_policy);
	if (r < 0 && nl->skip_bad) {
		char why[128];

		snprintf(why, sizeof(why), "skipped a malformed event: %s",
			 nl_geterror(r));
		return nl->skip_bad(nl->arg, why) < 0 ? NL_STOP : NL_SKIP;
	}
	if (r < 0) {
		set_error(nl->err, IOT_NL_BAD_REPLY, "%s", nl_geterror(r));
		return NL_STOP;
	}
	if (nl->want_cmd && genlmsg_hdr(nlh)->cmd != nl->want_cmd)
		return NL_SKIP;
	return nl->parse(tb, nl->arg, nl->err) < 0 ? NL_STOP : NL_OK;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct iot_nl *nl = arg;

	(void)msg;
	nl->intr = true;
	return NL_OK;	/* read on to NLMSG_DONE, then start again */
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct iot_nl *nl = arg;

	(void)msg;
	nl->done = true;
	return NL_STOP;
}

/* A dump that fails after it started ends with an errno in NLMSG_DONE. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct iot_nl *nl = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int error;

	nl->done = true;
	if (nlmsg_datalen(nlh) >= (int)sizeof(error)) {
		memcpy(&error, nlmsg_data(nlh), sizeof(error));
		if (error < 0)
			kernel_error(nl, -error, nlh, NLMSG_ALIGN(sizeof(error)));
	}
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct iot_nl *nl = arg;
	/* libnl hands us the payload; the header is right before it. */
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	size_t offset = sizeof(*e);

	(void)who;
	/* Unless capped, the whole request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > NLMSG_HDRLEN)
		offset += e->msg.nlmsg_len - NLMSG_HDRLEN;
	kernel_error(nl, -e->error, nlh, NLMSG_ALIGN(offset));
	nl->done = true;
	return NL_STOP;
}

/*
 * Joins the monitor group. libnl's own callbacks must still be in place:
 * resolving the group is a request of its own.
 */
static int subscribe(struct iot_nl *nl, struct iot_nl_error *err)
{
	int grp, r;

	grp = genl_ctrl_resolve_grp(nl->sk, IOT_EGRESS_GENL_NAME,
				    IOT_EGRESS_MCGRP_MONITOR);
	if (grp == -NLE_OBJ_NOTFOUND) {
		set_error(err, IOT_NL_NO_GROUP,
			  "the %s module has no %s multicast group",
			  IOT_EGRESS_GENL_NAME, IOT_EGRESS_MCGRP_MONITOR);
		return -1;
	}
	if (grp < 0) {
		set_error(err, IOT_NL_LOCAL,
			  "cannot resolve the %s multicast group: %s",
			  IOT_EGRESS_MCGRP_MONITOR, nl_geterror(grp));
		return -1;
	}
	r = nl_socket_add_membership(nl->sk, grp);
	if (r == -NLE_PERM || r == -NLE_NOACCESS) {
		set_error(err, IOT_NL_KERNEL, "%s", "");
		err->errnum = r == -NLE_PERM ? EPERM : EACCES;
		return -1;
	}
	if (r < 0) {
		set_error(err, IOT_NL_LOCAL,
			  "cannot subscribe to the %s multicast group: %s",
			  IOT_EGRESS_MCGRP_MONITOR, nl_geterror(r));
		return -1;
	}
	/* Events are not replies: no sequence numbers to match. */
	nl_socket_disable_seq_check(nl->sk);
	if (nl_socket_set_buffer_size(nl->sk, MONITOR_RCVBUF, 0) < 0 ||
	    nl_socket_set_nonblocking(nl->sk) < 0) {
		set_error(err, IOT_NL_LOCAL, "cannot set up the socket: %s",
			  strerror(errno));
		return -1;
	}
	return 0;
}

static struct iot_nl *open_socket(bool monitor, struct iot_nl_error *err)
{
	struct iot_nl *nl;
	int one = 1;
	int r;

	clear_error(err);
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		goto nomem;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		goto nomem;
	r = genl_connect(nl->sk);
	if (r < 0) {
		set_error(err, IOT_NL_LOCAL,
			  "cannot open a generic netlink socket: %s",
			  nl_geterror(r));
		goto fail;
	}
	/*
	 * libnl 3.7 has no nl_socket_set_ext_ack(). A kernel without
	 * extended ACKs refuses the option; then errors come without a
	 * message and strerror() has to do.
	 */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));

	/* Resolve with libnl's own callbacks, before ours are installed. */
	r = genl_ctrl_resolve(nl->sk, IOT_EGRESS_GENL_NAME);
	if (r == -NLE_OBJ_NOTFOUND) {
		set_error(err, IOT_NL_NO_FAMILY, "no generic netlink family %s",
			  IOT_EGRESS_GENL_NAME);
		goto fail;
	}
	if (r < 0) {
		set_error(err, IOT_NL_LOCAL,
			  "cannot resolve the %s netlink family: %s",
			  IOT_EGRESS_GENL_NAME, nl_geterror(r));
		goto fail;
	}
	nl->family = r;
	if (monitor && subscribe(nl, err) < 0)
		goto fail;

	/* Requests ask for ACKs themselves; on_seq_check matches replies. */
	nl_socket_disable_auto_ack(nl->sk);
	nl_socket_enable_msg_peek(nl->sk);
	if ((!monitor &&
	     nl_socket_modify_cb(nl->sk, NL_CB_SEQ_CHECK, NL_CB_CUSTOM,
				 on_seq_check, nl) < 0) ||
	    nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM,
				on_valid, nl) < 0 ||
	    nl_socket_modify_cb(nl->sk, NL_CB_DUMP_INTR, NL_CB_CUSTOM,
				on_dump_intr, nl) < 0 ||
	    nl_socket_modify_cb(nl->sk, NL_CB_ACK, NL_CB_CUSTOM,
				on_ack, nl) < 0 ||
	    nl_socket_modify_cb(nl->sk, NL_CB_FINISH, NL_CB_CUSTOM,
				on_finish, nl) < 0 ||
	    nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, on_error, nl) < 0) {
		set_error(err, IOT_NL_LOCAL, "cannot set netlink callbacks");
		goto fail;
	}
	nl->cb = nl_socket_get_cb(nl->sk);
	if (!nl->cb)
		goto nomem;
	return nl;

nomem:
	set_error(err, IOT_NL_LOCAL, "%s", strerror(ENOMEM));
fail:
	iot_nl_close(nl);
	return NULL;
}

static int check_protocol(struct iot_nl *nl, struct iot_nl_error *err);

struct iot_nl *iot_nl_open(struct iot_nl_error *err)
{
	struct iot_nl *nl = open_socket(false, err);

	if (nl && check_protocol(nl, err) < 0) {
		iot_nl_close(nl);
		return NULL;
	}
	return nl;
}

struct iot_nl *iot_nl_open_monitor(struct iot_nl_error *err)
{
	/* A socket that gets events takes no replies: ask on another. */
	struct iot_nl *nl = iot_nl_open(err);

	if (!nl)
		return NULL;
	iot_nl_close(nl);
	return open_socket(true, err);
}

void iot_nl_close(struct iot_nl *nl)
{
	if (!nl)
		return;
	if (nl->cb)
		nl_cb_put(nl->cb);
	nl_socket_free(nl->sk);
	free(nl);
}

static struct nl_msg *new_request(struct iot_nl *nl, uint8_t cmd, int flags,
				  struct iot_nl_error *err)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			       flags, cmd, IOT_EGRESS_GENL_VERSION))
		return msg;
	nlmsg_free(msg);
	set_error(err, IOT_NL_LOCAL, "%s", strerror(ENOMEM));
	return NULL;
}

static int put_failed(struct nl_msg *msg, struct iot_nl_error *err)
{
	nlmsg_free(msg);
	set_error(err, IOT_NL_LOCAL, "cannot build the request: %s",
		  strerror(ENOMEM));
	return -1;
}

/*
 * Sends msg (and frees it), then feeds every reply to parse until the
 * ACK, the end of the dump, or an error.
 */
static int transact(struct iot_nl *nl, struct nl_msg *msg, parse_fn parse,
		    void *arg, struct iot_nl_error *err)
{
	int r;

	clear_error(err);
	nl->policy = attr_policy;
	nl->parse = parse;
	nl->arg = arg;
	nl->err = err;
	nl->done = false;
	nl->intr = false;
	nl->has_bad_offset = false;

	r = nl_send_auto(nl->sk, msg);
	nl->seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (r < 0) {
		set_error(err, IOT_NL_LOCAL, "cannot send to the kernel: %s",
			  nl_geterror(r));
		goto out;
	}
	while (!nl->done) {
		r = nl_recvmsgs(nl->sk, nl->cb);
		/* What the kernel said, the callbacks wrote to err. */
		if (err->failure != IOT_NL_OK)
			break;
		if (r < 0) {
			set_error(err, IOT_NL_LOCAL,
				  "cannot receive from the kernel: %s",
				  nl_geterror(r));
			break;
		}
	}
out:
	nl->policy = NULL;
	nl->parse = NULL;
	nl->arg = NULL;
	nl->err = NULL;
	return err->failure == IOT_NL_OK ? 0 : -1;
}

static int doit(struct iot_nl *nl, struct nl_msg *msg,
		struct iot_nl_error *err)
{
	return transact(nl, msg, NULL, NULL, err);
}

/* A dump is only good if no part of it was flagged NLM_F_DUMP_INTR. */
static int dump(struct iot_nl *nl, uint8_t cmd, parse_fn parse, void *arg,
		void (*reset)(void *arg), struct iot_nl_error *err)
{
	int tries;

	for (tries = 0; tries < DUMP_TRIES; tries++) {
		struct nl_msg *msg = new_request(nl, cmd, NLM_F_DUMP, err);

		if (!msg)
			return -1;
		reset(arg);
		if (transact(nl, msg, parse, arg, err) < 0)
			return -1;
		if (!nl->intr)
			return 0;
	}
	set_error(err, IOT_NL_DUMP_INTR, "the table changed during the dump");
	return -1;
}

static void copy_string(char *dst, size_t size, const struct nlattr *attr)
{
	nla_strlcpy(dst, attr, size);
}

struct protocol_reply {
	uint32_t version;
	char module_version[64];
	bool found;
};

static int parse_protocol(struct nlattr **tb, void *arg,
			  struct iot_nl_error *err)
{
	struct protocol_reply *reply = arg;

	if (!tb[IOT_EGRESS_A_PROTO_VERSION]) {
		set_error(err, IOT_NL_BAD_REPLY,
			  "the status reply lacks the protocol version");
		return -1;
	}
	reply->version = nla_get_u32(tb[IOT_EGRESS_A_PROTO_VERSION]);
	if (tb[IOT_EGRESS_A_MODULE_VERSION])
		copy_string(reply->module_version,
			    sizeof(reply->module_version),
			    tb[IOT_EGRESS_A_MODULE_VERSION]);
	reply->found = true;
	return 0;
}

/*
 * iotctl speaks one major version of the protocol, IOT_EGRESS_PROTO_VERSION:
 * it refuses a module of an older or a newer one, which it would misread.
 */
static int check_protocol(struct iot_nl *nl, struct iot_nl_error *err)
{
	struct protocol_reply reply = { .module_version = "?" };
	struct nl_msg *msg;

	msg = new_request(nl, IOT_EGRESS_CMD_GET_STATUS, NLM_F_ACK, err);
	if (!msg || transact(nl, msg, parse_protocol, &reply, err) < 0)
		return -1;
	if (!reply.found) {
		set_error(err, IOT_NL_BAD_REPLY, "no status in the reply");
		return -1;
	}
	if (reply.version != IOT_EGRESS_PROTO_VERSION) {
		set_error(err, IOT_NL_LOCAL,
			  "the %s module %s speaks protocol %" PRIu32 ", this iotctl protocol %d: install an iotctl and a module of the same release",
			  IOT_EGRESS_GENL_NAME, reply.module_version,
			  reply.version, IOT_EGRESS_PROTO_VERSION);
		return -1;
	}
	return 0;
}

/* An optional counter: absent is 0. The policy checked the length. */
static uint64_t get_u64(struct nlattr *attr)
{
	return attr ? nla_get_u64(attr) : 0;
}

struct status_reply {
	struct iot_status *st;
	bool found;
};

static int parse_status(struct nlattr **tb, void *arg,
			struct iot_nl_error *err)
{
	static const int required[] = {
		IOT_EGRESS_A_PROTO_VERSION, IOT_EGRESS_A_MODULE_VERSION,
		IOT_EGRESS_A_DEFAULT_POLICY, IOT_EGRESS_A_DEVICES,
		IOT_EGRESS_A_MAX_DEVICES, IOT_EGRESS_A_WAN_NAMES,
		IOT_EGRESS_A_DROPPED, IOT_EGRESS_A_GENERATION,
	};
	static const int recording[] = {
		IOT_EGRESS_A_DESTS, IOT_EGRESS_A_MAX_DESTS,
		IOT_EGRESS_A_DESTS_PER_DEVICE, IOT_EGRESS_A_UNKNOWN,
		IOT_EGRESS_A_MAX_UNKNOWN, IOT_EGRESS_A_EVENTS,
		IOT_EGRESS_A_SUPPRESSED,
	};
	struct status_reply *reply = arg;
	struct iot_status *st = reply->st;
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!tb[required[i]]) {
			set_error(err, IOT_NL_BAD_REPLY,
				  "the status reply lacks attribute %d",
				  required[i]);
			return -1;
		}
	}
	st->proto_version = nla_get_u32(tb[IOT_EGRESS_A_PROTO_VERSION]);
	copy_string(st->module_version, sizeof(st->module_version),
		    tb[IOT_EGRESS_A_MODULE_VERSION]);
	st->default_policy = nla_get_u8(tb[IOT_EGRESS_A_DEFAULT_POLICY]);
	st->devices = nla_get_u32(tb[IOT_EGRESS_A_DEVICES]);
	st->max_devices = nla_get_u32(tb[IOT_EGRESS_A_MAX_DEVICES]);
	st->wan_names = nla_get_u32(tb[IOT_EGRESS_A_WAN_NAMES]);
	st->dropped = nla_get_u64(tb[IOT_EGRESS_A_DROPPED]);
	st->generation = nla_get_u64(tb[IOT_EGRESS_A_GENERATION]);
	/* Older modules record nothing: all of these, or none. */
	st->has_recording = true;
	for (i = 0; i < sizeof(recording) / sizeof(recording[0]); i++)
		st->has_recording &= tb[recording[i]] != NULL;
	if (st->has_recording) {
		st->dests = nla_get_u32(tb[IOT_EGRESS_A_DESTS]);
		st->max_dests = nla_get_u32(tb[IOT_EGRESS_A_MAX_DESTS]);
		st->dests_per_device =
			nla_get_u32(tb[IOT_EGRESS_A_DESTS_PER_DEVICE]);
		st->unknown = nla_get_u32(tb[IOT_EGRESS_A_UNKNOWN]);
		st->max_unknown = nla_get_u32(tb[IOT_EGRESS_A_MAX_UNKNOWN]);
		st->events = nla_get_u64(tb[IOT_EGRESS_A_EVENTS]);
		st->suppressed = nla_get_u64(tb[IOT_EGRESS_A_SUPPRESSED]);
	}
	reply->found = true;
	return 0;
}

int iot_nl_get_status(struct iot_nl *nl, struct iot_status *st,
		      struct iot_nl_error *err)
{
	struct status_reply reply = { .st = st };
	struct nl_msg *msg;

	memset(st, 0, sizeof(*st));
	msg = new_request(nl, IOT_EGRESS_CMD_GET_STATUS, NLM_F_ACK, err);
	if (!msg || transact(nl, msg, parse_status, &reply, err) < 0)
		return -1;
	if (!reply.found) {
		set_error(err, IOT_NL_BAD_REPLY, "no status in the reply");
		return -1;
	}
	return 0;
}

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

static int parse_cut(struct nlattr **tb, void *arg, struct iot_nl_error *err)
{
	struct cut_reply *reply = arg;

	if (reply->found) {
		set_error(err, IOT_NL_BAD_REPLY, "more than one reply");
		return -1;
	}
	reply->found = true;
	if (tb[IOT_EGRESS_A_CUT])
		reply->cut = nla_get_u32(tb[IOT_EGRESS_A_CUT]);
	if (tb[IOT_EGRESS_A_GENERATION]) {
		reply->has_generation = true;
		reply->generation = nla_get_u64(tb[IOT_EGRESS_A_GENERATION]);
	}
	return 0;
}

int iot_nl_set_default(struct iot_nl *nl, uint8_t policy, uint32_t *cut,
		       struct iot_nl_error *err)
{
	struct cut_reply reply = { 0 };
	struct nl_msg *msg;

	if (cut)
		*cut = 0;
	msg = new_request(nl, IOT_EGRESS_CMD_SET_DEFAULT, NLM_F_ACK, err);
	if (!msg)
		return -1;
	if (nla_put_u8(msg, IOT_EGRESS_A_DEFAULT_POLICY, policy) < 0)
		return put_failed(msg, err);
	if (transact(nl, msg, parse_cut, &reply, err) < 0)
		return -1;
	if (cut)
		*cut = reply.cut;
	return 0;
}

static int parse_device(struct nlattr **tb, struct iot_device *dev,
			struct iot_nl_error *err)
{
	if (!tb[IOT_EGRESS_A_MAC] || !tb[IOT_EGRESS_A_POLICY]) {
		set_error(err, IOT_NL_BAD_REPLY,
			  "a device without MAC address or policy");
		return -1;
	}
	memset(dev, 0, sizeof(*dev));
	memcpy(dev->mac, nla_data(tb[IOT_EGRESS_A_MAC]), ETH_ALEN);
	dev->policy = nla_get_u8(tb[IOT_EGRESS_A_POLICY]);
	if (tb[IOT_EGRESS_A_NAME])
		copy_string(dev->name, sizeof(dev->name),
			    tb[IOT_EGRESS_A_NAME]);
	dev->has_name = dev->name[0] != '\0';
	dev->c.denied_packets = get_u64(tb[IOT_EGRESS_A_DENIED_PACKETS]);
	dev->c.denied_bytes = get_u64(tb[IOT_EGRESS_A_DENIED_BYTES]);
	dev->c.wan_packets = get_u64(tb[IOT_EGRESS_A_WAN_PACKETS]);
	dev->c.wan_bytes = get_u64(tb[IOT_EGRESS_A_WAN_BYTES]);
	dev->c.has_last_denied = tb[IOT_EGRESS_A_LAST_DENIED] != NULL;
	dev->c.last_denied = get_u64(tb[IOT_EGRESS_A_LAST_DENIED]);
	dev->c.has_last_wan = tb[IOT_EGRESS_A_LAST_WAN] != NULL;
	dev->c.last_wan = get_u64(tb[IOT_EGRESS_A_LAST_WAN]);
	return 0;
}

/* Returns v grown to hold at least n + 1 elements of size bytes. */
static void *grow(void *v, size_t *cap, size_t n, size_t size,
		  struct iot_nl_error *err)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 64;
	nv = ncap > SIZE_MAX / size ? NULL : realloc(v, ncap * size);
	if (!nv) {
		set_error(err, IOT_NL_LOCAL, "%s", strerror(ENOMEM));
		return NULL;
	}
	*cap = ncap;
	return nv;
}

static void reset_devices(void *arg)
{
	((struct iot_device_list *)arg)->n = 0;
}

static int append_device(struct nlattr **tb, void *arg,
			 struct iot_nl_error *err)
{
	struct iot_device_list *list = arg;
	struct iot_device *v;

	v = grow(list->v, &list->cap, list->n, sizeof(*v), err);
	if (!v)
		return -1;
	list->v = v;
	if (parse_device(tb, &v[list->n], err) < 0)
		return -1;
	list->n++;
	return 0;
}

int iot_nl_dump_devices(struct iot_nl *nl, struct iot_device_list *list,
			struct iot_nl_error *err)
{
	return dump(nl, IOT_EGRESS_CMD_GET_DEVICE, append_device, list,
		    reset_devices, err);
}

struct one_device {
	struct iot_device *dev;
	bool found;
};

static int take_device(struct nlattr **tb, void *arg,
		       struct iot_nl_error *err)
{
	struct one_device *one = arg;

	if (one->found) {
		set_error(err, IOT_NL_BAD_REPLY, "more than one device");
		return -1;
	}
	if (parse_device(tb, one->dev, err) < 0)
		return -1;
	one->found = true;
	return 0;
}

static struct nl_msg *mac_request(struct iot_nl *nl, uint8_t cmd,
				  const uint8_t mac[ETH_ALEN],
				  struct iot_nl_error *err)
{
	struct nl_msg *msg = new_request(nl, cmd, NLM_F_ACK, err);

	if (msg && nla_put(msg, IOT_EGRESS_A_MAC, ETH_ALEN, mac) < 0) {
		put_failed(msg, err);
		return NULL;
	}
	return msg;
}

int iot_nl_get_device(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
		      struct iot_device *dev, struct iot_nl_error *err)
{
	struct one_device one = { .dev = dev };
	struct nl_msg *msg;

	msg = mac_request(nl, IOT_EGRESS_CMD_GET_DEVICE, mac, err);
	if (!msg || transact(nl, msg, take_device, &one, err) < 0)
		return -1;
	if (!one.found) {
		set_error(err, IOT_NL_BAD_REPLY, "no device in the reply");
		return -1;
	}
	return 0;
}

int iot_nl_set_device(struct iot_nl *nl, const struct iot_device *dev,
		      uint32_t *cut, struct iot_nl_error *err)
{
	struct cut_reply reply = { 0 };
	struct nl_msg *msg;

	if (cut)
		*cut = 0;
	msg = mac_request(nl, IOT_EGRESS_CMD_SET_DEVICE, dev->mac, err);
	if (!msg)
		return -1;
	if (nla_put_u8(msg, IOT_EGRESS_A_POLICY, dev->policy) < 0 ||
	    (dev->has_name &&
	     nla_put_string(msg, IOT_EGRESS_A_NAME, dev->name) < 0))
		return put_failed(msg, err);
	if (transact(nl, msg, parse_cut, &reply, err) < 0)
		return -1;
	if (cut)
		*cut = reply.cut;
	return 0;
}

int iot_nl_del_device(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
		      struct iot_nl_error *err)
{
	struct nl_msg *msg;

	msg = mac_request(nl, IOT_EGRESS_CMD_DEL_DEVICE, mac, err);
	return msg ? doit(nl, msg, err) : -1;
}

int iot_nl_flush(struct iot_nl *nl, struct iot_nl_error *err)
{
	struct nl_msg *msg;

	msg = new_request(nl, IOT_EGRESS_CMD_FLUSH, NLM_F_ACK, err);
	return msg ? doit(nl, msg, err) : -1;
}

static int wan_request(struct iot_nl *nl, uint8_t cmd, const char *ifname,
		       struct iot_nl_error *err)
{
	struct nl_msg *msg = new_request(nl, cmd, NLM_F_ACK, err);

	if (!msg)
		return -1;
	if (nla_put_string(msg, IOT_EGRESS_A_IFNAME, ifname) < 0)
		return put_failed(msg, err);
	return doit(nl, msg, err);
}

int iot_nl_add_wan(struct iot_nl *nl, const char *ifname,
		   struct iot_nl_error *err)
{
	return wan_request(nl, IOT_EGRESS_CMD_ADD_WAN, ifname, err);
}

int iot_nl_del_wan(struct iot_nl *nl, const char *ifname,
		   struct iot_nl_error *err)
{
	return wan_request(nl, IOT_EGRESS_CMD_DEL_WAN, ifname, err);
}

static void reset_wans(void *arg)
{
	((struct iot_wan_list *)arg)->n = 0;
}

static int append_wan(struct nlattr **tb, void *arg, struct iot_nl_error *err)
{
	struct iot_wan_list *list = arg;
	struct iot_wan *v, *wan;

	if (!tb[IOT_EGRESS_A_IFNAME]) {
		set_error(err, IOT_NL_BAD_REPLY, "a WAN entry without a name");
		return -1;
	}
	v = grow(list->v, &list->cap, list->n, sizeof(*v), err);
	if (!v)
		return -1;
	list->v = v;
	wan = &v[list->n];
	copy_string(wan->ifname, sizeof(wan->ifname), tb[IOT_EGRESS_A_IFNAME]);
	wan->ifindex = tb[IOT_EGRESS_A_IFINDEX] ?
		       nla_get_u32(tb[IOT_EGRESS_A_IFINDEX]) : 0;
	list->n++;
	return 0;
}

int iot_nl_dump_wan(struct iot_nl *nl, struct iot_wan_list *list,
		    struct iot_nl_error *err)
{
	return dump(nl, IOT_EGRESS_CMD_GET_WAN, append_wan, list, reset_wans,
		    err);
}

/*
 * An address: the family attribute, and an address attribute whose
 * length must be the family's (4 bytes for IPv4, 16 for IPv6).
 */
static int parse_addr(struct nlattr *family, struct nlattr *attr,
		      const char *what, struct iot_addr *a,
		      struct iot_nl_error *err)
{
	int len;

	if (!family || !attr) {
		set_error(err, IOT_NL_BAD_REPLY, "%s without %s", what,
			  family ? "an address" : "a family");
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->family = nla_get_u8(family);
	len = nla_len(attr);
	if (!(a->family == AF_INET && len == 4) &&
	    !(a->family == AF_INET6 && len == 16)) {
		set_error(err, IOT_NL_BAD_REPLY,
			  "%s: a %d-byte address of family %u", what, len,
			  a->family);
		return -1;
	}
	memcpy(a->a, nla_data(attr), (size_t)len);
	return 0;
}

/* A destination nest, or the same attributes in an event. */
static int parse_dest(struct nlattr **tb, struct iot_dest *d,
		      struct iot_nl_error *err)
{
	memset(d, 0, sizeof(*d));
	if (parse_addr(tb[IOT_EGRESS_A_FAMILY], tb[IOT_EGRESS_A_DST],
		       "a destination", &d->dst, err) < 0)
		return -1;
	if (tb[IOT_EGRESS_A_SRC]) {
		if (parse_addr(tb[IOT_EGRESS_A_FAMILY], tb[IOT_EGRESS_A_SRC],
			       "a source", &d->src, err) < 0)
			return -1;
		d->has_src = true;
	}
	if (!tb[IOT_EGRESS_A_PROTO]) {
		set_error(err, IOT_NL_BAD_REPLY, "a destination without protocol");
		return -1;
	}
	d->proto = nla_get_u8(tb[IOT_EGRESS_A_PROTO]);
	d->dport = tb[IOT_EGRESS_A_DPORT] ?
		   nla_get_u16(tb[IOT_EGRESS_A_DPORT]) : 0;
	d->count = get_u64(tb[IOT_EGRESS_A_COUNT]);
	d->first_seen = get_u64(tb[IOT_EGRESS_A_FIRST_SEEN]);
	d->last_seen = get_u64(tb[IOT_EGRESS_A_LAST_SEEN]);
	return 0;
}

/* Each entry of a list nest, parsed with entry_policy, to fn. */
static int parse_list(struct nlattr *list, const char *what,
		      int (*fn)(struct nlattr **etb, void *arg,
				struct iot_nl_error *err),
		      void *arg, struct iot_nl_error *err)
{
	struct nlattr *pos;
	int rem;

	nla_for_each_nested(pos, list, rem) {
		struct nlattr *etb[IOT_EGRESS_A_MAX + 1];
		int r;

		r = nla_parse_nested(etb, IOT_EGRESS_A_MAX, pos, entry_policy);
		if (r < 0) {
			set_error(err, IOT_NL_BAD_REPLY, "%s: %s", what,
				  nl_geterror(r));
			return -1;
		}
		if (fn(etb, arg, err) < 0)
			return -1;
	}
	if (rem != 0) {
		set_error(err, IOT_NL_BAD_REPLY, "%s: %d trailing bytes", what,
			  rem);
		return -1;
	}
	return 0;
}

static int append_dest(struct nlattr **etb, void *arg,
		       struct iot_nl_error *err)
{
	struct iot_dest_list *list = arg;
	struct iot_dest *v;

	v = grow(list->v, &list->cap, list->n, sizeof(*v), err);
	if (!v)
		return -1;
	list->v = v;
	if (parse_dest(etb, &v[list->n], err) < 0)
		return -1;
	list->n++;
	return 0;
}

static int append_addr(struct nlattr **etb, void *arg,
		       struct iot_nl_error *err)
{
	struct iot_addr_list *list = arg;
	struct iot_addr *v;

	v = grow(list->v, &list->cap, list->n, sizeof(*v), err);
	if (!v)
		return -1;
	list->v = v;
	if (parse_addr(etb[IOT_EGRESS_A_FAMILY], etb[IOT_EGRESS_A_ADDR],
		       "a device address", &v[list->n], err) < 0)
		return -1;
	list->n++;
	return 0;
}

struct one_info {
	struct iot_device_info *info;
	bool found;
};

static int take_device_info(struct nlattr **tb, void *arg,
			    struct iot_nl_error *err)
{
	struct one_info *one = arg;
	struct iot_device_info *info = one->info;

	if (one->found) {
		set_error(err, IOT_NL_BAD_REPLY, "more than one device");
		return -1;
	}
	one->found = true;
	if (parse_device(tb, &info->dev, err) < 0)
		return -1;
	info->has_suppressed = tb[IOT_EGRESS_A_SUPPRESSED] != NULL;
	info->suppressed = get_u64(tb[IOT_EGRESS_A_SUPPRESSED]);
	if (tb[IOT_EGRESS_A_ADDR_LIST] &&
	    parse_list(tb[IOT_EGRESS_A_ADDR_LIST], "the address list",
		       append_addr, &info->addrs, err) < 0)
		return -1;
	if (tb[IOT_EGRESS_A_DEST_LIST] &&
	    parse_list(tb[IOT_EGRESS_A_DEST_LIST], "the destination list",
		       append_dest, &info->dests, err) < 0)
		return -1;
	return 0;
}

int iot_nl_get_device_info(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
			   struct iot_device_info *info,
			   struct iot_nl_error *err)
{
	struct one_info one = { .info = info };
	struct nl_msg *msg;

	memset(info, 0, sizeof(*info));
	msg = mac_request(nl, IOT_EGRESS_CMD_GET_DEVICE, mac, err);
	if (!msg || transact(nl, msg, take_device_info, &one, err) < 0)
		return -1;
	if (!one.found) {
		set_error(err, IOT_NL_BAD_REPLY, "no device in the reply");
		return -1;
	}
	return 0;
}

void iot_device_info_free(struct iot_device_info *info)
{
	free(info->addrs.v);
	free(info->dests.v);
	memset(info, 0, sizeof(*info));
}

static void reset_unknown(void *arg)
{
	struct iot_unknown_list *list = arg;
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->v[i].dests.v);
	list->n = 0;
}

static int append_unknown(struct nlattr **tb, void *arg,
			  struct iot_nl_error *err)
{
	struct iot_unknown_list *list = arg;
	struct iot_unknown *v, *u;

	if (!tb[IOT_EGRESS_A_MAC]) {
		set_error(err, IOT_NL_BAD_REPLY,
			  "an unknown device without MAC address");
		return -1;
	}
	v = grow(list->v, &list->cap, list->n, sizeof(*v), err);
	if (!v)
		return -1;
	list->v = v;
	u = &v[list->n];
	memset(u, 0, sizeof(*u));
	/* Counted now, so that reset_unknown() frees its destinations. */
	list->n++;
	memcpy(u->mac, nla_data(tb[IOT_EGRESS_A_MAC]), ETH_ALEN);
	u->denied_packets = get_u64(tb[IOT_EGRESS_A_DENIED_PACKETS]);
	u->denied_bytes = get_u64(tb[IOT_EGRESS_A_DENIED_BYTES]);
	u->first_seen = get_u64(tb[IOT_EGRESS_A_FIRST_SEEN]);
	u->has_last_denied = tb[IOT_EGRESS_A_LAST_DENIED] != NULL;
	u->last_denied = get_u64(tb[IOT_EGRESS_A_LAST_DENIED]);
	if (tb[IOT_EGRESS_A_DEST_LIST] &&
	    parse_list(tb[IOT_EGRESS_A_DEST_LIST], "the destination list",
		       append_dest, &u->dests, err) < 0)
		return -1;
	return 0;
}

int iot_nl_dump_unknown(struct iot_nl *nl, struct iot_unknown_list *list,
			struct iot_nl_error *err)
{
	return dump(nl, IOT_EGRESS_CMD_GET_UNKNOWN, append_unknown, list,
		    reset_unknown, err);
}

void iot_unknown_list_free(struct iot_unknown_list *list)
{
	reset_unknown(list);
	free(list->v);
	*list = (struct iot_unknown_list){ 0 };
}

void iot_device_list_free(struct iot_device_list *list)
{
	free(list->v);
	*list = (struct iot_device_list){ 0 };
}

void iot_wan_list_free(struct iot_wan_list *list)
{
	free(list->v);
	*list = (struct iot_wan_list){ 0 };
}

/*
 * Replacing the whole policy: LOAD_BEGIN, the devices in LOAD_DEVICES
 * messages of LOAD_BATCH_BYTES or so (1000 to 2000 devices each), then
 * LOAD_COMMIT. Every nest says NLA_F_NESTED: the kernel validates
 * strictly.
 */
#define LOAD_BATCH_BYTES	(48 * 1024)
/* The smallest device entry: a nest holding a MAC and a policy. */
#define LOAD_ENTRY_MIN		(NLA_HDRLEN + NLA_ALIGN(NLA_HDRLEN + ETH_ALEN) + \
				 NLA_ALIGN(NLA_HDRLEN + 1))
#define LOAD_ENTRIES_MAX	(LOAD_BATCH_BYTES / LOAD_ENTRY_MIN + 1)

int iot_nl_load_begin(struct iot_nl *nl, struct iot_nl_error *err)
{
	int fd = nl_socket_get_fd(nl->sk);
	int sndbuf = 4 * LOAD_BATCH_BYTES;
	int one = 1;
	struct nl_msg *msg;

	/*
	 * A batch must fit the send buffer, which libnl keeps small. And a
	 * refused batch need not come back whole with the error: the offset
	 * of the attribute at fault is all we use.
	 */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	msg = new_request(nl, IOT_EGRESS_CMD_LOAD_BEGIN, NLM_F_ACK, err);
	return msg ? doit(nl, msg, err) : -1;
}

static size_t device_entry_size(const struct iot_device *dev)
{
	size_t size = LOAD_ENTRY_MIN;

	if (dev->has_name)
		size += (size_t)nla_total_size((int)strlen(dev->name) + 1);
	return size;
}

static int put_device_entry(struct nl_msg *msg, int index,
			    const struct iot_device *dev)
{
	struct nlattr *entry = nla_nest_start(msg, NLA_F_NESTED | index);

	if (!entry ||
	    nla_put(msg, IOT_EGRESS_A_MAC, ETH_ALEN, dev->mac) < 0 ||
	    nla_put_u8(msg, IOT_EGRESS_A_POLICY, dev->policy) < 0 ||
	    (dev->has_name &&
	     nla_put_string(msg, IOT_EGRESS_A_NAME, dev->name) < 0))
		return -1;
	nla_nest_end(msg, entry);
	return 0;
}

/* The entry the kernel's error points into: offs[i] <= off < offs[i + 1]. */
static size_t entry_at(const uint32_t *offs, size_t count, uint32_t msg_len,
		       uint32_t off)
{
	size_t lo = 0, hi = count;

	if (count == 0 || off < offs[0] || off >= msg_len)
		return count;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (offs[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int iot_nl_load_devices(struct iot_nl *nl, const struct iot_device *v,
			size_t n, size_t *failed, struct iot_nl_error *err)
{
	uint32_t *offs = malloc(LOAD_ENTRIES_MAX * sizeof(*offs));
	size_t first = 0;
	int ret = -1;

	*failed = n;
	clear_error(err);
	if (!offs) {
		set_error(err, IOT_NL_LOCAL, "%s", strerror(ENOMEM));
		return -1;
	}
	while (first < n) {
		struct nl_msg *msg;
		struct nlattr *list;
		size_t count = 0, used = 0, at;
		uint32_t msg_len;

		msg = nlmsg_alloc_size(LOAD_BATCH_BYTES + 4096);
		if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ,
					 nl->family, 0, NLM_F_ACK,
					 IOT_EGRESS_CMD_LOAD_DEVICES,
					 IOT_EGRESS_GENL_VERSION)) {
			nlmsg_free(msg);
			set_error(err, IOT_NL_LOCAL, "%s", strerror(ENOMEM));
			goto out;
		}
		list = nla_nest_start(msg, NLA_F_NESTED |
					   IOT_EGRESS_A_DEVICE_LIST);
		if (!list) {
			put_failed(msg, err);
			goto out;
		}
		while (first + count < n && count < LOAD_ENTRIES_MAX) {
			const struct iot_device *dev = &v[first + count];
			size_t size = device_entry_size(dev);

			if (count && used + size > LOAD_BATCH_BYTES)
				break;
			offs[count] = (uint32_t)((char *)nlmsg_tail(nlmsg_hdr(msg)) -
						 (char *)nlmsg_hdr(msg));
			/* Entries are numbered from 1 within each message. */
			if (put_device_entry(msg, (int)count + 1, dev) < 0) {
				put_failed(msg, err);
				goto out;
			}
			used += size;
			count++;
		}
		if (nla_nest_end(msg, list) < 0) {
			put_failed(msg, err);
			goto out;
		}
		msg_len = nlmsg_hdr(msg)->nlmsg_len;
		if (transact(nl, msg, NULL, NULL, err) < 0) {
			if (nl->has_bad_offset) {
				at = entry_at(offs, count, msg_len,
					      nl->bad_offset);
				if (at < count)
					*failed = first + at;
			}
			goto out;
		}
		first += count;
	}
	ret = 0;
out:
	free(offs);
	return ret;
}

int iot_nl_load_commit(struct iot_nl *nl, uint8_t default_policy,
		       const char (*wan)[IFNAMSIZ], size_t nwan,
		       struct iot_commit *res, struct iot_nl_error *err)
{
	struct cut_reply reply = { 0 };
	struct nl_msg *msg;

	if (res)
		*res = (struct iot_commit){ 0 };

	msg = new_request(nl, IOT_EGRESS_CMD_LOAD_COMMIT, NLM_F_ACK, err);
	if (!msg)
		return -1;
	if (nla_put_u8(msg, IOT_EGRESS_A_DEFAULT_POLICY, default_policy) < 0)
		return put_failed(msg, err);
	/* No list at all is no WAN name: every forwarded packet counts. */
	if (nwan) {
		struct nlattr *list;
		size_t i;

		list = nla_nest_start(msg, NLA_F_NESTED | IOT_EGRESS_A_WAN_LIST);
		if (!list)
			return put_failed(msg, err);
		for (i = 0; i < nwan; i++) {
			struct nlattr *entry = nla_nest_start(msg, NLA_F_NESTED | (int)(i + 1));
			if (!entry ||
			    nla_put_string(msg, IOT_EGRESS_A_IFNAME, wan[i]) < 0)
				return put_failed(msg, err);
			nla_nest_end(msg, entry);
		}
		if (nla_nest_end(msg, list) < 0)
			return put_failed(msg, err);
	}
	if (transact(nl, msg, parse_cut, &reply, err) < 0)
		return -1;
	if (res) {
		res->cut = reply.cut;
		res->has_generation = reply.has_generation;
		res->generation = reply.generation;
	}
	return 0;
}

int iot_nl_load_abort(struct iot_nl *nl, struct iot_nl_error *err)
{
	struct nl_msg *msg;

	msg = new_request(nl, IOT_EGRESS_CMD_LOAD_ABORT, NLM_F_ACK, err);
	return msg ? doit(nl, msg, err) : -1;
}

/* The monitor: what iot_nl_monitor_wait() hands on. */
struct monitor {
	iot_event_fn fn;
	void *arg;
	bool stop;
};

static int parse_event(struct nlattr **tb, struct iot_event *ev,
		       struct iot_nl_error *err)
{
	static const struct {
		int attr;
		const char *name;
	} required[] = {
		{ IOT_EGRESS_A_EVENT, "event type" },
		{ IOT_EGRESS_A_TIME, "time" },
		{ IOT_EGRESS_A_MAC, "MAC address" },
		{ IOT_EGRESS_A_POLICY, "policy" },
	};
	size_t i;

	memset(ev, 0, sizeof(*ev));
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!tb[required[i].attr]) {
			set_error(err, IOT_NL_BAD_REPLY, "an event without %s",
				  required[i].name);
			return -1;
		}
	}
	if (parse_dest(tb, &ev->dest, err) < 0)
		return -1;
	ev->event = nla_get_u8(tb[IOT_EGRESS_A_EVENT]);
	ev->time = nla_get_u64(tb[IOT_EGRESS_A_TIME]);
	memcpy(ev->mac, nla_data(tb[IOT_EGRESS_A_MAC]), ETH_ALEN);
	if (tb[IOT_EGRESS_A_NAME])
		copy_string(ev->name, sizeof(ev->name), tb[IOT_EGRESS_A_NAME]);
	ev->has_name = ev->name[0] != '\0';
	ev->policy = nla_get_u8(tb[IOT_EGRESS_A_POLICY]);
	ev->unknown = tb[IOT_EGRESS_A_UNKNOWN_DEVICE] != NULL;
	ev->suppressed = get_u64(tb[IOT_EGRESS_A_SUPPRESSED]);
	return 0;
}

static int skip_event(void *arg, const char *why)
{
	struct monitor *m = arg;

	if (m->stop)
		return -1;
	if (m->fn(NULL, why, m->arg)) {
		m->stop = true;
		return -1;
	}
	return 0;
}

/* A malformed event is skipped and reported: the monitor goes on. */
static int take_event(struct nlattr **tb, void *arg, struct iot_nl_error *err)
{
	struct monitor *m = arg;
	struct iot_nl_error bad;
	struct iot_event ev;
	int r;

	(void)err;
	if (m->stop)
		return -1;
	clear_error(&bad);
	if (parse_event(tb, &ev, &bad) < 0) {
		char why[sizeof(bad.msg) + 32];

		snprintf(why, sizeof(why), "skipped a malformed event: %s",
			 bad.msg);
		r = m->fn(NULL, why, m->arg);
	} else {
		r = m->fn(&ev, NULL, m->arg);
	}
	if (r) {
		m->stop = true;
		return -1;
	}
	return 0;
}

int iot_nl_monitor_wait(struct iot_nl *nl, const sigset_t *sigmask,
			iot_event_fn fn, void *arg, struct iot_nl_error *err)
{
	struct monitor m = { .fn = fn, .arg = arg };
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	int r;

	clear_error(err);
	r = ppoll(&pfd, 1, NULL, sigmask);
	if (r < 0 && errno == EINTR)
		return 0;
	if (r < 0) {
		set_error(err, IOT_NL_LOCAL, "cannot wait for events: %s",
			  strerror(errno));
		return -1;
	}

	nl->policy = event_policy;
	nl->want_cmd = IOT_EGRESS_CMD_EVENT;
	nl->skip_bad = skip_event;
	nl->parse = take_event;
	nl->arg = &m;
	nl->err = err;
	r = nl_recvmsgs(nl->sk, nl->cb);
	nl->policy = NULL;
	nl->parse = NULL;
	nl->arg = NULL;
	nl->err = NULL;
	nl->want_cmd = 0;
	nl->skip_bad = NULL;

	if (m.stop)
		return 1;
	if (r == -NLE_AGAIN || r == -NLE_INTR)
		return 0;
	/* ENOBUFS: the kernel dropped events the socket had no room for. */
	if (r == -NLE_NOMEM)
		return fn(NULL, "events were lost: the socket's receive buffer overflowed",
			  arg) ? 1 : 0;
	if (r < 0) {
		set_error(err, IOT_NL_LOCAL, "cannot receive events: %s",
			  nl_geterror(r));
		return -1;
	}
	return 0;
}
