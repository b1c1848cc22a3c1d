// SPDX-License-Identifier: GPL-2.0
/*
 * The transport: the socket, one request and its replies, dumps, errors
 * and extended ACKs, on libnl-genl-3. The codecs (nl_*.c) build the
 * requests and read the replies: the messages' attributes are theirs.
 */
#define _GNU_SOURCE	/* ppoll() */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "nl_sock.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* How often a dump the kernel flagged as interrupted is started again. */
#define DUMP_TRIES 4
/* Room for bursts of monitor events before the kernel drops some. */
#define MONITOR_RCVBUF (1024 * 1024)

struct iot_nl {
	struct nl_sock *sk;
	struct nl_cb *cb;
	int family;
	const struct nla_policy *reply_policy;	/* for replies to requests */

	/* The request in flight. */
	uint32_t seq;
	const struct nla_policy *policy;	/* for the replies */
	uint8_t want_cmd;			/* 0: any command */
	/* If set, a reply the policy refuses is reported here and skipped. */
	int (*skip_bad)(void *arg, const char *why);
	reply_fn parse;
	void *arg;
	struct iot_nl_error *err;
	bool done;
	bool intr;
	/* Where in the request the kernel's error points, if it does. */
	bool has_bad_offset;
	uint32_t bad_offset;
};

static struct nla_policy extack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG]		= { .type = NLA_STRING },
	[NLMSGERR_ATTR_OFFS]		= { .type = NLA_U32 },
};

void tx_clear_error(struct iot_nl_error *err)
{
	err->failure = IOT_NL_OK;
	err->errnum = 0;
	err->msg[0] = '\0';
}

void tx_error(struct iot_nl_error *err, enum iot_nl_failure failure,
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
			  nl->policy);
	if (r < 0 && nl->skip_bad) {
		char why[128];

		snprintf(why, sizeof(why), "skipped a malformed event: %s",
			 nl_geterror(r));
		return nl->skip_bad(nl->arg, why) < 0 ? NL_STOP : NL_SKIP;
	}
	if (r < 0) {
		tx_error(nl->err, IOT_NL_BAD_REPLY, "%s", nl_geterror(r));
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
		tx_error(err, IOT_NL_NO_GROUP,
			 "the %s module has no %s multicast group",
			 IOT_EGRESS_GENL_NAME, IOT_EGRESS_MCGRP_MONITOR);
		return -1;
	}
	if (grp < 0) {
		tx_error(err, IOT_NL_LOCAL,
			 "cannot resolve the %s multicast group: %s",
			 IOT_EGRESS_MCGRP_MONITOR, nl_geterror(grp));
		return -1;
	}
	r = nl_socket_add_membership(nl->sk, grp);
	if (r == -NLE_PERM || r == -NLE_NOACCESS) {
		tx_error(err, IOT_NL_KERNEL, "%s", "");
		err->errnum = r == -NLE_PERM ? EPERM : EACCES;
		return -1;
	}
	if (r < 0) {
		tx_error(err, IOT_NL_LOCAL,
			 "cannot subscribe to the %s multicast group: %s",
			 IOT_EGRESS_MCGRP_MONITOR, nl_geterror(r));
		return -1;
	}
	/* Events are not replies: no sequence numbers to match. */
	nl_socket_disable_seq_check(nl->sk);
	if (nl_socket_set_buffer_size(nl->sk, MONITOR_RCVBUF, 0) < 0 ||
	    nl_socket_set_nonblocking(nl->sk) < 0) {
		tx_error(err, IOT_NL_LOCAL, "cannot set up the socket: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

struct iot_nl *tx_open(bool monitor, const struct nla_policy *policy,
		       struct iot_nl_error *err)
{
	struct iot_nl *nl;
	int one = 1;
	int r;

	tx_clear_error(err);
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		goto nomem;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		goto nomem;
	r = genl_connect(nl->sk);
	if (r < 0) {
		tx_error(err, IOT_NL_LOCAL,
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
		tx_error(err, IOT_NL_NO_FAMILY, "no generic netlink family %s",
			 IOT_EGRESS_GENL_NAME);
		goto fail;
	}
	if (r < 0) {
		tx_error(err, IOT_NL_LOCAL,
			 "cannot resolve the %s netlink family: %s",
			 IOT_EGRESS_GENL_NAME, nl_geterror(r));
		goto fail;
	}
	nl->family = r;
	nl->reply_policy = policy;
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
		tx_error(err, IOT_NL_LOCAL, "cannot set netlink callbacks");
		goto fail;
	}
	nl->cb = nl_socket_get_cb(nl->sk);
	if (!nl->cb)
		goto nomem;
	return nl;

nomem:
	tx_error(err, IOT_NL_LOCAL, "%s", strerror(ENOMEM));
fail:
	iot_nl_close(nl);
	return NULL;
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

struct nl_msg *tx_request(struct iot_nl *nl, uint8_t cmd, int flags,
			  size_t size, struct iot_nl_error *err)
{
	struct nl_msg *msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();

	if (msg && genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			       flags, cmd, IOT_EGRESS_GENL_VERSION))
		return msg;
	nlmsg_free(msg);
	tx_error(err, IOT_NL_LOCAL, "%s", strerror(ENOMEM));
	return NULL;
}

int tx_put_failed(struct nl_msg *msg, struct iot_nl_error *err)
{
	nlmsg_free(msg);
	tx_error(err, IOT_NL_LOCAL, "cannot build the request: %s",
		 strerror(ENOMEM));
	return -1;
}

int tx_transact(struct iot_nl *nl, struct nl_msg *msg, reply_fn parse,
		void *arg, struct iot_nl_error *err)
{
	int r;

	tx_clear_error(err);
	nl->policy = nl->reply_policy;
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
		tx_error(err, IOT_NL_LOCAL, "cannot send to the kernel: %s",
			 nl_geterror(r));
		goto out;
	}
	while (!nl->done) {
		r = nl_recvmsgs(nl->sk, nl->cb);
		/* What the kernel said, the callbacks wrote to err. */
		if (err->failure != IOT_NL_OK)
			break;
		if (r < 0) {
			tx_error(err, IOT_NL_LOCAL,
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

/* A dump is only good if no part of it was flagged NLM_F_DUMP_INTR. */
int tx_dump(struct iot_nl *nl, uint8_t cmd, reply_fn parse, void *arg,
	    void (*reset)(void *arg), struct iot_nl_error *err)
{
	return tx_dump_filtered(nl, cmd, NULL, NULL, parse, arg, reset, err);
}

int tx_dump_filtered(struct iot_nl *nl, uint8_t cmd, put_fn put,
		     const void *put_arg, reply_fn parse, void *arg,
		     void (*reset)(void *arg), struct iot_nl_error *err)
{
	int tries;

	for (tries = 0; tries < DUMP_TRIES; tries++) {
		struct nl_msg *msg = tx_request(nl, cmd, NLM_F_DUMP, 0, err);

		if (!msg)
			return -1;
		if (put && put(msg, put_arg) < 0)
			return tx_put_failed(msg, err);
		reset(arg);
		if (tx_transact(nl, msg, parse, arg, err) < 0)
			return -1;
		if (!nl->intr)
			return 0;
	}
	tx_error(err, IOT_NL_DUMP_INTR, "the table changed during the dump");
	return -1;
}

bool tx_bad_offset(const struct iot_nl *nl, uint32_t *offset)
{
	*offset = nl->bad_offset;
	return nl->has_bad_offset;
}

int tx_fd(const struct iot_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

int tx_listen(struct iot_nl *nl, const sigset_t *sigmask,
	      const struct nla_policy *policy, uint8_t cmd,
	      int (*skip)(void *arg, const char *why), reply_fn parse,
	      void *arg, struct iot_nl_error *err)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	int r;

	tx_clear_error(err);
	r = ppoll(&pfd, 1, NULL, sigmask);
	if (r < 0 && errno == EINTR)
		return 0;
	if (r < 0) {
		tx_error(err, IOT_NL_LOCAL, "cannot wait for events: %s",
			 strerror(errno));
		return -1;
	}

	nl->policy = policy;
	nl->want_cmd = cmd;
	nl->skip_bad = skip;
	nl->parse = parse;
	nl->arg = arg;
	nl->err = err;
	r = nl_recvmsgs(nl->sk, nl->cb);
	nl->policy = NULL;
	nl->parse = NULL;
	nl->arg = NULL;
	nl->err = NULL;
	nl->want_cmd = 0;
	nl->skip_bad = NULL;

	if (r == -NLE_AGAIN || r == -NLE_INTR)
		return 0;
	/* ENOBUFS: the kernel dropped events the socket had no room for. */
	if (r == -NLE_NOMEM)
		return 1;
	if (r < 0) {
		tx_error(err, IOT_NL_LOCAL, "cannot receive events: %s",
			 nl_geterror(r));
		return -1;
	}
	return 0;
}
