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
	/* Where in the request the kernel's error points, if it does. */
	bool has_bad_offset;
	uint32_t bad_offset;
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
		       struct iot_nl_error *err)
{
	struct nl_msg *msg;

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
	return doit(nl, msg, err);
}

int iot_nl_load_abort(struct iot_nl *nl, struct iot_nl_error *err)
{
	struct nl_msg *msg;

	msg = new_request(nl, IOT_EGRESS_CMD_LOAD_ABORT, NLM_F_ACK, err);
	return msg ? doit(nl, msg, err) : -1;
}
