// SPDX-License-Identifier: GPL-2.0
/*
 * The transport: everything that speaks netlink, on libnl-genl-3. The
 * commands see plain structs and an error saying what went wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

typedef int (*parse_fn)(struct nlattr **tb, void *arg,
			struct iot_nl_error *err);

struct iot_nl {
	struct nl_sock *sk;
	struct nl_cb *cb;
	int family;

	/* The request in flight. */
	uint32_t seq;
	parse_fn parse;
	void *arg;
	struct iot_nl_error *err;
	bool done;
	bool intr;
};

/*
 * Lengths are checked here, so the parsers below can read what is
 * present. Strings are taken as bytes and copied with a bound, whether
 * or not the kernel NUL-terminates them.
 */
static struct nla_policy attr_policy[IOT_EGRESS_A_MAX + 1] = {
	[IOT_EGRESS_A_MAC]		= { .minlen = ETH_ALEN,
					    .maxlen = ETH_ALEN },
	[IOT_EGRESS_A_POLICY]		= { .type = NLA_U8 },
	[IOT_EGRESS_A_NAME]		= { .maxlen = IOT_EGRESS_NAME_MAX + 1 },
	[IOT_EGRESS_A_IFNAME]		= { .minlen = 1, .maxlen = IFNAMSIZ },
	[IOT_EGRESS_A_IFINDEX]		= { .type = NLA_U32 },
	[IOT_EGRESS_A_DEFAULT_POLICY]	= { .type = NLA_U8 },
	[IOT_EGRESS_A_PROTO_VERSION]	= { .type = NLA_U32 },
	[IOT_EGRESS_A_MODULE_VERSION]	= { .minlen = 1 },
	[IOT_EGRESS_A_DEVICES]		= { .type = NLA_U32 },
	[IOT_EGRESS_A_MAX_DEVICES]	= { .type = NLA_U32 },
	[IOT_EGRESS_A_WAN_NAMES]	= { .type = NLA_U32 },
	[IOT_EGRESS_A_DROPPED]		= { .type = NLA_U64 },
	[IOT_EGRESS_A_GENERATION]	= { .type = NLA_U64 },
};

static struct nla_policy extack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG]		= { .type = NLA_STRING },
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
	r = genlmsg_parse(nlh, 0, tb, IOT_EGRESS_A_MAX, attr_policy);
	if (r < 0) {
		set_error(nl->err, IOT_NL_BAD_REPLY, "%s", nl_geterror(r));
		return NL_STOP;
	}
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

struct iot_nl *iot_nl_open(struct iot_nl_error *err)
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

	/* Requests ask for ACKs themselves; on_seq_check matches replies. */
	nl_socket_disable_auto_ack(nl->sk);
	nl_socket_enable_msg_peek(nl->sk);
	if (nl_socket_modify_cb(nl->sk, NL_CB_SEQ_CHECK, NL_CB_CUSTOM,
				on_seq_check, nl) < 0 ||
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
	nl->parse = parse;
	nl->arg = arg;
	nl->err = err;
	nl->done = false;
	nl->intr = false;

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

int iot_nl_set_default(struct iot_nl *nl, uint8_t policy,
		       struct iot_nl_error *err)
{
	struct nl_msg *msg;

	msg = new_request(nl, IOT_EGRESS_CMD_SET_DEFAULT, NLM_F_ACK, err);
	if (!msg)
		return -1;
	if (nla_put_u8(msg, IOT_EGRESS_A_DEFAULT_POLICY, policy) < 0)
		return put_failed(msg, err);
	return doit(nl, msg, err);
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
		      struct iot_nl_error *err)
{
	struct nl_msg *msg;

	msg = mac_request(nl, IOT_EGRESS_CMD_SET_DEVICE, dev->mac, err);
	if (!msg)
		return -1;
	if (nla_put_u8(msg, IOT_EGRESS_A_POLICY, dev->policy) < 0 ||
	    (dev->has_name &&
	     nla_put_string(msg, IOT_EGRESS_A_NAME, dev->name) < 0))
		return put_failed(msg, err);
	return doit(nl, msg, err);
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
