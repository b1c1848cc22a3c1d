// SPDX-License-Identifier: GPL-2.0
/* What the codecs share: the reply policy and the common decoders. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nl_attr.h"

/*
 * Lengths are checked here, so the decoders can read what is present:
 * integers must have exactly their size. Strings are taken as bytes and
 * copied with a bound, whether or not the kernel NUL-terminates them.
 * Addresses are 4 or 16 bytes; which one the family says is checked by
 * dec_addr().
 */
struct nla_policy reply_policy[IOT_EGRESS_A_MAX + 1] = {
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
	/* Exceptions: get-except's replies are flat, get-device's a list. */
	[IOT_EGRESS_A_ANY]		= P_FLAG,
	[IOT_EGRESS_A_FAMILY]		= P_U8,
	[IOT_EGRESS_A_ADDR]		= P_IP,
	[IOT_EGRESS_A_PREFIX_LEN]	= P_U8,
	[IOT_EGRESS_A_PROTO]		= P_U8,
	[IOT_EGRESS_A_PORT_MIN]		= P_U16,
	[IOT_EGRESS_A_PORT_MAX]		= P_U16,
	[IOT_EGRESS_A_MATCHED_PACKETS]	= P_U64,
	[IOT_EGRESS_A_MATCHED_BYTES]	= P_U64,
	[IOT_EGRESS_A_LAST_MATCHED]	= P_U64,
	[IOT_EGRESS_A_EXCEPT_LIST]	= P_NEST,
	[IOT_EGRESS_A_EXCEPTIONS]	= P_U32,
	[IOT_EGRESS_A_MAX_EXCEPTIONS]	= P_U32,
	[IOT_EGRESS_A_EXCEPTIONS_PER_DEVICE] = P_U32,
	[IOT_EGRESS_A_EVICTED]		= P_U64,
	[IOT_EGRESS_A_DROPPED_EARLY]	= P_U64,
	[IOT_EGRESS_A_EARLY_DROP]	= P_U8,
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
	[IOT_EGRESS_A_MAC]		= P_MAC,
	[IOT_EGRESS_A_ANY]		= P_FLAG,
	[IOT_EGRESS_A_PREFIX_LEN]	= P_U8,
	[IOT_EGRESS_A_PORT_MIN]		= P_U16,
	[IOT_EGRESS_A_PORT_MAX]		= P_U16,
	[IOT_EGRESS_A_MATCHED_PACKETS]	= P_U64,
	[IOT_EGRESS_A_MATCHED_BYTES]	= P_U64,
	[IOT_EGRESS_A_LAST_MATCHED]	= P_U64,
};

uint64_t dec_u64(struct nlattr *attr)
{
	return attr ? nla_get_u64(attr) : 0;
}

void dec_string(char *dst, size_t size, const struct nlattr *attr)
{
	nla_strlcpy(dst, attr, size);
}

int dec_device(struct nlattr **tb, struct iot_device *dev,
	       struct iot_nl_error *err)
{
	if (!tb[IOT_EGRESS_A_MAC] || !tb[IOT_EGRESS_A_POLICY]) {
		tx_error(err, IOT_NL_BAD_REPLY,
			 "a device without MAC address or policy");
		return -1;
	}
	memset(dev, 0, sizeof(*dev));
	memcpy(dev->mac, nla_data(tb[IOT_EGRESS_A_MAC]), ETH_ALEN);
	dev->policy = nla_get_u8(tb[IOT_EGRESS_A_POLICY]);
	if (tb[IOT_EGRESS_A_NAME])
		dec_string(dev->name, sizeof(dev->name),
			   tb[IOT_EGRESS_A_NAME]);
	dev->has_name = dev->name[0] != '\0';
	dev->c.denied_packets = dec_u64(tb[IOT_EGRESS_A_DENIED_PACKETS]);
	dev->c.denied_bytes = dec_u64(tb[IOT_EGRESS_A_DENIED_BYTES]);
	dev->c.wan_packets = dec_u64(tb[IOT_EGRESS_A_WAN_PACKETS]);
	dev->c.wan_bytes = dec_u64(tb[IOT_EGRESS_A_WAN_BYTES]);
	dev->c.has_last_denied = tb[IOT_EGRESS_A_LAST_DENIED] != NULL;
	dev->c.last_denied = dec_u64(tb[IOT_EGRESS_A_LAST_DENIED]);
	dev->c.has_last_wan = tb[IOT_EGRESS_A_LAST_WAN] != NULL;
	dev->c.last_wan = dec_u64(tb[IOT_EGRESS_A_LAST_WAN]);
	return 0;
}

void *grow(void *v, size_t *cap, size_t n, size_t size,
	   struct iot_nl_error *err)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 64;
	nv = ncap > SIZE_MAX / size ? NULL : realloc(v, ncap * size);
	if (!nv) {
		tx_error(err, IOT_NL_LOCAL, "%s", strerror(ENOMEM));
		return NULL;
	}
	*cap = ncap;
	return nv;
}

struct nl_msg *mac_request(struct iot_nl *nl, uint8_t cmd,
			   const uint8_t mac[ETH_ALEN],
			   struct iot_nl_error *err)
{
	struct nl_msg *msg = tx_request(nl, cmd, NLM_F_ACK, 0, err);

	if (msg && nla_put(msg, IOT_EGRESS_A_MAC, ETH_ALEN, mac) < 0) {
		tx_put_failed(msg, err);
		return NULL;
	}
	return msg;
}

int parse_cut(struct nlattr **tb, void *arg, struct iot_nl_error *err)
{
	struct cut_reply *reply = arg;

	if (reply->found) {
		tx_error(err, IOT_NL_BAD_REPLY, "more than one reply");
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

/*
 * An address: the family attribute, and an address attribute whose
 * length must be the family's (4 bytes for IPv4, 16 for IPv6).
 */
static int dec_addr(struct nlattr *family, struct nlattr *attr,
		    const char *what, struct iot_addr *a,
		    struct iot_nl_error *err)
{
	int len;

	if (!family || !attr) {
		tx_error(err, IOT_NL_BAD_REPLY, "%s without %s", what,
			 family ? "an address" : "a family");
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->family = nla_get_u8(family);
	len = nla_len(attr);
	if (!(a->family == AF_INET && len == 4) &&
	    !(a->family == AF_INET6 && len == 16)) {
		tx_error(err, IOT_NL_BAD_REPLY,
			 "%s: a %d-byte address of family %u", what, len,
			 a->family);
		return -1;
	}
	memcpy(a->a, nla_data(attr), (size_t)len);
	return 0;
}

/* A destination nest, or the same attributes in an event. */
int dec_dest(struct nlattr **tb, struct iot_dest *d,
	     struct iot_nl_error *err)
{
	memset(d, 0, sizeof(*d));
	if (dec_addr(tb[IOT_EGRESS_A_FAMILY], tb[IOT_EGRESS_A_DST],
		     "a destination", &d->dst, err) < 0)
		return -1;
	if (tb[IOT_EGRESS_A_SRC]) {
		if (dec_addr(tb[IOT_EGRESS_A_FAMILY], tb[IOT_EGRESS_A_SRC],
			     "a source", &d->src, err) < 0)
			return -1;
		d->has_src = true;
	}
	if (!tb[IOT_EGRESS_A_PROTO]) {
		tx_error(err, IOT_NL_BAD_REPLY, "a destination without protocol");
		return -1;
	}
	d->proto = nla_get_u8(tb[IOT_EGRESS_A_PROTO]);
	d->dport = tb[IOT_EGRESS_A_DPORT] ?
		   nla_get_u16(tb[IOT_EGRESS_A_DPORT]) : 0;
	d->count = dec_u64(tb[IOT_EGRESS_A_COUNT]);
	d->first_seen = dec_u64(tb[IOT_EGRESS_A_FIRST_SEEN]);
	d->last_seen = dec_u64(tb[IOT_EGRESS_A_LAST_SEEN]);
	return 0;
}

/* Each entry of a list nest, parsed with entry_policy, to fn. */
int dec_list(struct nlattr *list, const char *what, reply_fn fn, void *arg,
	     struct iot_nl_error *err)
{
	struct nlattr *pos;
	int rem;

	nla_for_each_nested(pos, list, rem) {
		struct nlattr *etb[IOT_EGRESS_A_MAX + 1];
		int r;

		r = nla_parse_nested(etb, IOT_EGRESS_A_MAX, pos, entry_policy);
		if (r < 0) {
			tx_error(err, IOT_NL_BAD_REPLY, "%s: %s", what,
				 nl_geterror(r));
			return -1;
		}
		if (fn(etb, arg, err) < 0)
			return -1;
	}
	if (rem != 0) {
		tx_error(err, IOT_NL_BAD_REPLY, "%s: %d trailing bytes", what,
			 rem);
		return -1;
	}
	return 0;
}

int append_dest(struct nlattr **etb, void *arg,
		struct iot_nl_error *err)
{
	struct iot_dest_list *list = arg;
	struct iot_dest *v;

	v = grow(list->v, &list->cap, list->n, sizeof(*v), err);
	if (!v)
		return -1;
	list->v = v;
	if (dec_dest(etb, &v[list->n], err) < 0)
		return -1;
	list->n++;
	return 0;
}

int append_addr(struct nlattr **etb, void *arg,
		struct iot_nl_error *err)
{
	struct iot_addr_list *list = arg;
	struct iot_addr *v;

	v = grow(list->v, &list->cap, list->n, sizeof(*v), err);
	if (!v)
		return -1;
	list->v = v;
	if (dec_addr(etb[IOT_EGRESS_A_FAMILY], etb[IOT_EGRESS_A_ADDR],
		     "a device address", &v[list->n], err) < 0)
		return -1;
	list->n++;
	return 0;
}

/*
 * An exception: its key, its counters, and its owner (mac or any) unless
 * it is an entry of a device's list, whose owner is that device.
 */
int dec_except(struct nlattr **tb, bool owned, struct iot_except *e,
	       struct iot_nl_error *err)
{
	unsigned int max;

	memset(e, 0, sizeof(*e));
	if (dec_addr(tb[IOT_EGRESS_A_FAMILY], tb[IOT_EGRESS_A_ADDR],
		     "an exception", &e->addr, err) < 0)
		return -1;
	max = e->addr.family == AF_INET ? 32 : 128;
	if (!tb[IOT_EGRESS_A_PREFIX_LEN] ||
	    nla_get_u8(tb[IOT_EGRESS_A_PREFIX_LEN]) > max) {
		tx_error(err, IOT_NL_BAD_REPLY,
			 "an exception without a valid prefix length");
		return -1;
	}
	e->prefix_len = nla_get_u8(tb[IOT_EGRESS_A_PREFIX_LEN]);
	if (tb[IOT_EGRESS_A_PROTO])
		e->proto = nla_get_u8(tb[IOT_EGRESS_A_PROTO]);
	if (!tb[IOT_EGRESS_A_PORT_MIN] != !tb[IOT_EGRESS_A_PORT_MAX]) {
		tx_error(err, IOT_NL_BAD_REPLY,
			 "an exception with only one end of its port range");
		return -1;
	}
	if (tb[IOT_EGRESS_A_PORT_MIN]) {
		e->port_min = nla_get_u16(tb[IOT_EGRESS_A_PORT_MIN]);
		e->port_max = nla_get_u16(tb[IOT_EGRESS_A_PORT_MAX]);
	}
	e->matched_packets = dec_u64(tb[IOT_EGRESS_A_MATCHED_PACKETS]);
	e->matched_bytes = dec_u64(tb[IOT_EGRESS_A_MATCHED_BYTES]);
	e->has_last_matched = tb[IOT_EGRESS_A_LAST_MATCHED] != NULL;
	e->last_matched = dec_u64(tb[IOT_EGRESS_A_LAST_MATCHED]);
	if (owned)
		return 0;
	e->any = tb[IOT_EGRESS_A_ANY] != NULL;
	if (e->any == (tb[IOT_EGRESS_A_MAC] != NULL)) {
		tx_error(err, IOT_NL_BAD_REPLY,
			 "an exception with %s", e->any ?
			 "both a MAC address and any" :
			 "neither a MAC address nor any");
		return -1;
	}
	if (!e->any)
		memcpy(e->mac, nla_data(tb[IOT_EGRESS_A_MAC]), ETH_ALEN);
	return 0;
}

/* Appends an exception to the struct except_append arg. */
int append_except(struct nlattr **tb, void *arg, struct iot_nl_error *err)
{
	struct except_append *a = arg;
	struct iot_except_list *list = a->list;
	struct iot_except *v;

	v = grow(list->v, &list->cap, list->n, sizeof(*v), err);
	if (!v)
		return -1;
	list->v = v;
	if (dec_except(tb, a->owner != NULL, &v[list->n], err) < 0)
		return -1;
	if (a->owner)
		memcpy(v[list->n].mac, a->owner, ETH_ALEN);
	list->n++;
	return 0;
}

/* The key of e, as add-except, del-except and lists take it. */
int put_except_key(struct nl_msg *msg, const struct iot_except *e,
		   bool owner)
{
	int len = e->addr.family == AF_INET ? 4 : 16;

	if (owner && e->any && nla_put_flag(msg, IOT_EGRESS_A_ANY) < 0)
		return -1;
	if (owner && !e->any &&
	    nla_put(msg, IOT_EGRESS_A_MAC, ETH_ALEN, e->mac) < 0)
		return -1;
	if (nla_put_u8(msg, IOT_EGRESS_A_FAMILY, e->addr.family) < 0 ||
	    nla_put(msg, IOT_EGRESS_A_ADDR, len, e->addr.a) < 0 ||
	    nla_put_u8(msg, IOT_EGRESS_A_PREFIX_LEN, e->prefix_len) < 0)
		return -1;
	if (e->proto && nla_put_u8(msg, IOT_EGRESS_A_PROTO, e->proto) < 0)
		return -1;
	if (e->port_min &&
	    (nla_put_u16(msg, IOT_EGRESS_A_PORT_MIN, e->port_min) < 0 ||
	     nla_put_u16(msg, IOT_EGRESS_A_PORT_MAX, e->port_max) < 0))
		return -1;
	return 0;
}

/* An indexed-array entry (from 1) holding the key of e. */
int put_except_entry(struct nl_msg *msg, int index,
		     const struct iot_except *e, bool owner)
{
	struct nlattr *entry = nla_nest_start(msg, NLA_F_NESTED | index);

	if (!entry || put_except_key(msg, e, owner) < 0)
		return -1;
	nla_nest_end(msg, entry);
	return 0;
}
