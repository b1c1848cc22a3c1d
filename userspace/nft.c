// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the nftables fallback table over nfnetlink, with libnl: a few
 * GET requests, no libnftnl. Comments are nftables "userdata", a list of
 * type-length-value records; type 0 is the comment of a table, a chain or
 * an element alike.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "nft.h"

/* libnftnl's NFTNL_UDATA_{TABLE,CHAIN}_COMMENT. */
#define UDATA_COMMENT 0

/* Returns 1 when the object asked for does not exist, 0 when read. */
#define ABSENT 1

typedef int (*nft_parse_fn)(struct nlmsghdr *nlh, void *arg);

struct request {
	nft_parse_fn parse;
	void *arg;
	int error;		/* positive errno the kernel replied */
	bool done;
	bool bad;		/* parse refused a reply */
};

static void set_error(struct iot_nl_error *err, enum iot_nl_failure failure,
		      int errnum, const char *msg)
{
	err->failure = failure;
	err->errnum = errnum;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;

	if (r->parse(nlmsg_hdr(msg), r->arg) < 0) {
		r->bad = true;
		return NL_STOP;
	}
	return NL_OK;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct request *r = arg;

	(void)who;
	r->error = -e->error;
	r->done = true;
	return NL_STOP;
}

static struct nl_msg *new_request(uint8_t type, int flags)
{
	struct nfgenmsg nfg = {
		.nfgen_family = NFPROTO_INET,
		.version = NFNETLINK_V0,
	};
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple((NFNL_SUBSYS_NFTABLES << 8) | type, flags);
	if (msg && nlmsg_append(msg, &nfg, sizeof(nfg), NLMSG_ALIGNTO) == 0)
		return msg;
	nlmsg_free(msg);
	return NULL;
}

/*
 * Sends msg (NULL: building it failed) and frees it, then hands every
 * reply to parse. Returns 0, ABSENT for ENOENT, or -1 with err.
 */
static int transact(struct nl_sock *sk, struct nl_msg *msg, nft_parse_fn parse,
		    void *arg, struct iot_nl_error *err)
{
	struct request r = { .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int rc = -1;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		set_error(err, IOT_NL_LOCAL, 0, strerror(ENOMEM));
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);

	rc = nl_send_auto(sk, msg);
	if (rc < 0) {
		set_error(err, IOT_NL_LOCAL, 0, nl_geterror(rc));
		rc = -1;
		goto out;
	}
	/* The callbacks set r.done, r.bad or r.error. */
	for (;;) {
		rc = nl_recvmsgs(sk, cb);
		if (r.done || r.bad || r.error)
			break;
		if (rc < 0) {
			set_error(err, IOT_NL_LOCAL, 0, nl_geterror(rc));
			rc = -1;
			goto out;
		}
	}
	if (r.bad) {
		set_error(err, IOT_NL_BAD_REPLY, 0,
			  "a malformed nftables reply");
		rc = -1;
	} else if (r.error == ENOENT) {
		rc = ABSENT;
	} else if (r.error) {
		set_error(err, IOT_NL_KERNEL, r.error, "");
		rc = -1;
	} else {
		rc = 0;
	}
out:
	nlmsg_free(msg);
	nl_cb_put(cb);
	return rc;
}

/* The comment in a userdata attribute, made printable; false if none. */
static bool udata_comment(const struct nlattr *a, char *out, size_t size)
{
	const uint8_t *d = nla_data(a);
	int len = nla_len(a), pos = 0;
	size_t i, n;

	while (pos + 2 <= len) {
		uint8_t type = d[pos], l = d[pos + 1];

		if (pos + 2 + l > len)
			break;
		if (type == UDATA_COMMENT) {
			n = l < size - 1 ? l : size - 1;
			for (i = 0; i < n && d[pos + 2 + i]; i++) {
				uint8_t c = d[pos + 2 + i];

				out[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
			}
			out[i] = '\0';
			return true;
		}
		pos += 2 + l;
	}
	return false;
}

static int parse_table(struct nlmsghdr *nlh, void *arg)
{
	struct nft_fallback *fb = arg;
	struct nlattr *tb[NFTA_TABLE_MAX + 1];

	if (nlmsg_parse(nlh, sizeof(struct nfgenmsg), tb, NFTA_TABLE_MAX,
			NULL) < 0)
		return -1;
	fb->present = true;
	if (tb[NFTA_TABLE_USERDATA])
		udata_comment(tb[NFTA_TABLE_USERDATA], fb->reason,
			      sizeof(fb->reason));
	return 0;
}

static int parse_chain(struct nlmsghdr *nlh, void *arg)
{
	struct nft_fallback *fb = arg;
	struct nlattr *tb[NFTA_CHAIN_MAX + 1];
	char comment[FALLBACK_COMMENT_MAX + 1];

	if (nlmsg_parse(nlh, sizeof(struct nfgenmsg), tb, NFTA_CHAIN_MAX,
			NULL) < 0)
		return -1;
	if (!tb[NFTA_CHAIN_USERDATA] ||
	    !udata_comment(tb[NFTA_CHAIN_USERDATA], comment, sizeof(comment)))
		return 0;
	if (!strcmp(comment, "default deny")) {
		fb->has_default = true;
		fb->default_policy = IOT_EGRESS_POLICY_DENY;
	} else if (!strcmp(comment, "default allow")) {
		fb->has_default = true;
		fb->default_policy = IOT_EGRESS_POLICY_ALLOW;
	}
	return 0;
}

struct elements {
	uint32_t n;
	struct nft_fallback *names;	/* NULL: count only */
};

/* The key of a set element, as the bytes of an interface name. */
static void element_name(struct nlattr *e, struct nft_fallback *fb)
{
	struct nlattr *et[NFTA_SET_ELEM_MAX + 1], *kt[NFTA_DATA_MAX + 1];
	size_t len;

	if (nla_parse_nested(et, NFTA_SET_ELEM_MAX, e, NULL) < 0 ||
	    !et[NFTA_SET_ELEM_KEY] ||
	    nla_parse_nested(kt, NFTA_DATA_MAX, et[NFTA_SET_ELEM_KEY],
			     NULL) < 0 ||
	    !kt[NFTA_DATA_VALUE])
		return;
	if (fb->nwan == IOT_EGRESS_WAN_MAX)
		return;
	len = (size_t)nla_len(kt[NFTA_DATA_VALUE]);
	if (len > IFNAMSIZ - 1)
		len = IFNAMSIZ - 1;
	memcpy(fb->wan[fb->nwan], nla_data(kt[NFTA_DATA_VALUE]), len);
	fb->wan[fb->nwan][len] = '\0';
	fb->nwan++;
}

static int parse_elements(struct nlmsghdr *nlh, void *arg)
{
	struct elements *el = arg;
	struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1], *e;
	int rem;

	if (nlmsg_parse(nlh, sizeof(struct nfgenmsg), tb,
			NFTA_SET_ELEM_LIST_MAX, NULL) < 0)
		return -1;
	if (!tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		return 0;
	nla_for_each_nested(e, tb[NFTA_SET_ELEM_LIST_ELEMENTS], rem) {
		el->n++;
		if (el->names)
			element_name(e, el->names);
	}
	return 0;
}

static int parse_counter(struct nlmsghdr *nlh, void *arg)
{
	struct nft_fallback *fb = arg;
	struct nlattr *tb[NFTA_OBJ_MAX + 1], *ct[NFTA_COUNTER_MAX + 1];

	if (nlmsg_parse(nlh, sizeof(struct nfgenmsg), tb, NFTA_OBJ_MAX,
			NULL) < 0)
		return -1;
	if (!tb[NFTA_OBJ_DATA] ||
	    nla_parse_nested(ct, NFTA_COUNTER_MAX, tb[NFTA_OBJ_DATA],
			     NULL) < 0 ||
	    !ct[NFTA_COUNTER_PACKETS] ||
	    nla_len(ct[NFTA_COUNTER_PACKETS]) != sizeof(uint64_t))
		return 0;
	fb->dropped = be64toh(nla_get_u64(ct[NFTA_COUNTER_PACKETS]));
	fb->has_dropped = true;
	return 0;
}

/* A set's elements: into *n, and the names into fb if names. */
static int read_set(struct nl_sock *sk, const char *set, uint32_t *n,
		    struct nft_fallback *names, struct iot_nl_error *err)
{
	struct elements el = { .names = names };
	struct nl_msg *msg = new_request(NFT_MSG_GETSETELEM, NLM_F_DUMP);
	int rc;

	if (msg && (nla_put_string(msg, NFTA_SET_ELEM_LIST_TABLE,
				   FALLBACK_TABLE) < 0 ||
		    nla_put_string(msg, NFTA_SET_ELEM_LIST_SET, set) < 0)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	rc = transact(sk, msg, parse_elements, &el, err);
	if (rc == 0)
		*n = el.n;
	return rc < 0 ? -1 : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* What the table enforces; parts someone removed by hand stay unknown. */
static int read_policy_parts(struct nl_sock *sk, struct nft_fallback *fb,
			     struct iot_nl_error *err)
{
	uint32_t nwan = 0;
	struct nl_msg *msg;

	msg = new_request(NFT_MSG_GETCHAIN, 0);
	if (msg && (nla_put_string(msg, NFTA_CHAIN_TABLE, FALLBACK_TABLE) < 0 ||
		    nla_put_string(msg, NFTA_CHAIN_NAME, FALLBACK_CHAIN) < 0)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	if (transact(sk, msg, parse_chain, fb, err) < 0)
		return -1;

	if (read_set(sk, FALLBACK_SET_DENY, &fb->deny, NULL, err) < 0 ||
	    read_set(sk, FALLBACK_SET_ALLOW, &fb->allow, NULL, err) < 0 ||
	    read_set(sk, FALLBACK_SET_WAN, &nwan, fb, err) < 0)
		return -1;
	/* The kernel lists a hash set in its own order. */
	qsort(fb->wan, fb->nwan, sizeof(fb->wan[0]), by_name);

	msg = new_request(NFT_MSG_GETOBJ, 0);
	if (msg && (nla_put_string(msg, NFTA_OBJ_TABLE, FALLBACK_TABLE) < 0 ||
		    nla_put_string(msg, NFTA_OBJ_NAME, FALLBACK_COUNTER) < 0 ||
		    nla_put_u32(msg, NFTA_OBJ_TYPE,
				htonl(NFT_OBJECT_COUNTER)) < 0)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return transact(sk, msg, parse_counter, fb, err) < 0 ? -1 : 0;
}

int nft_fallback_read(struct nft_fallback *fb, bool full,
		      struct iot_nl_error *err)
{
	struct nl_sock *sk;
	struct nl_msg *msg;
	int rc;

	memset(fb, 0, sizeof(*fb));
	err->failure = IOT_NL_OK;
	err->errnum = 0;
	err->msg[0] = '\0';

	sk = nl_socket_alloc();
	if (!sk) {
		set_error(err, IOT_NL_LOCAL, 0, strerror(ENOMEM));
		return -1;
	}
	rc = nl_connect(sk, NETLINK_NETFILTER);
	if (rc < 0) {
		set_error(err, IOT_NL_LOCAL, 0, nl_geterror(rc));
		rc = -1;
		goto out;
	}

	msg = new_request(NFT_MSG_GETTABLE, 0);
	if (msg && nla_put_string(msg, NFTA_TABLE_NAME, FALLBACK_TABLE) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	rc = transact(sk, msg, parse_table, fb, err);
	if (rc == ABSENT) {
		rc = 0;
		goto out;
	}
	if (rc == 0 && full && fb->present)
		rc = read_policy_parts(sk, fb, err);
out:
	nl_socket_free(sk);
	return rc < 0 ? -1 : 0;
}
