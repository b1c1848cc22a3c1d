// SPDX-License-Identifier: GPL-2.0
/* Replacing the whole policy at once: begin, devices, commit or abort. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "nl_attr.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/*
 * Replacing the whole policy: LOAD_BEGIN, the devices in LOAD_DEVICES
 * messages of LOAD_BATCH_BYTES or so, then the exceptions the same way
 * (each names a device staged before it), then LOAD_COMMIT. Every nest
 * says NLA_F_NESTED: the kernel validates strictly.
 *
 * A module that takes device-pack gets each device without a label as
 * one (4,000 a message), then the others as the nests of a list (1,000 to
 * 2,000 a message); an older one gets them all as nests.
 */
#define LOAD_BATCH_BYTES	(48 * 1024)
/* A device-pack attribute, the smallest entry. */
#define PACK_SIZE		(NLA_HDRLEN + IOT_EGRESS_DEVICE_PACK_SIZE)
#define LOAD_ENTRIES_MAX	(LOAD_BATCH_BYTES / PACK_SIZE + 1)

/* The module's reply to LOAD_BEGIN: it takes device-pack. */
static int parse_begin(struct nlattr **tb, void *arg, struct iot_nl_error *err)
{
	(void)tb;
	(void)err;
	*(bool *)arg = true;
	return 0;
}

int iot_nl_load_begin(struct iot_nl *nl, size_t ndev, bool *pack,
		      struct iot_nl_error *err)
{
	int fd = tx_fd(nl);
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

	*pack = false;
	msg = tx_request(nl, IOT_EGRESS_CMD_LOAD_BEGIN, NLM_F_ACK, 0, err);
	if (!msg)
		return -1;
	/* A sizing hint: the module holds no more than a u32 of devices. */
	if (nla_put_u32(msg, IOT_EGRESS_A_DEVICES,
			ndev > UINT32_MAX ? UINT32_MAX : (uint32_t)ndev) < 0)
		return tx_put_failed(msg, err);
	return tx_transact(nl, msg, parse_begin, pack, err);
}

/*
 * Each kind of entry: its size as a nest (an upper bound), and how it is
 * put; whether it can go in a pack, and how it is packed.
 */
struct entry_kind {
	int list_attr;
	size_t (*size)(const void *v, size_t i);
	int (*put)(struct nl_msg *msg, int index, const void *v, size_t i);
	bool (*packable)(const void *v, size_t i);
	void (*pack)(uint8_t *dst, const void *v, size_t i);
};

/* The smallest device entry: a nest holding a MAC and a policy. */
#define DEVICE_ENTRY_MIN	(NLA_HDRLEN + NLA_ALIGN(NLA_HDRLEN + ETH_ALEN) + \
				 NLA_ALIGN(NLA_HDRLEN + 1))

static size_t device_entry_size(const void *v, size_t i)
{
	const struct iot_device *dev = &((const struct iot_device *)v)[i];
	size_t size = DEVICE_ENTRY_MIN;

	if (dev->has_name)
		size += (size_t)nla_total_size((int)strlen(dev->name) + 1);
	return size;
}

static bool device_packable(const void *v, size_t i)
{
	return !((const struct iot_device *)v)[i].has_name;
}

static void pack_device(uint8_t *dst, const void *v, size_t i)
{
	const struct iot_device *dev = &((const struct iot_device *)v)[i];

	memcpy(dst, dev->mac, ETH_ALEN);
	dst[ETH_ALEN] = dev->policy;
	dst[ETH_ALEN + 1] = 0;
}

static int put_device_entry(struct nl_msg *msg, int index, const void *v,
			    size_t i)
{
	const struct iot_device *dev = &((const struct iot_device *)v)[i];
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

/* The largest: a MAC, a 16-byte address, and every optional attribute. */
static size_t except_entry_size(const void *v, size_t i)
{
	(void)v;
	(void)i;
	return NLA_HDRLEN + NLA_ALIGN(NLA_HDRLEN + ETH_ALEN) +
	       NLA_ALIGN(NLA_HDRLEN + 16) + 3 * NLA_ALIGN(NLA_HDRLEN + 1) +
	       2 * NLA_ALIGN(NLA_HDRLEN + 2);
}

static int put_except(struct nl_msg *msg, int index, const void *v, size_t i)
{
	return put_except_entry(msg, index,
				&((const struct iot_except *)v)[i], true);
}

static const struct entry_kind devices_kind = {
	IOT_EGRESS_A_DEVICE_LIST, device_entry_size, put_device_entry,
	device_packable, pack_device,
};

static const struct entry_kind excepts_kind = {
	IOT_EGRESS_A_EXCEPT_LIST, except_entry_size, put_except, NULL, NULL,
};

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

/* The offset of the end of msg, where the next attribute goes. */
static uint32_t tail_offset(struct nl_msg *msg)
{
	return (uint32_t)((char *)nlmsg_tail(nlmsg_hdr(msg)) -
			  (char *)nlmsg_hdr(msg));
}

/* Where each entry of a message went, in message order. */
struct batch {
	size_t count;
	uint32_t *offs;		/* its offset in the message */
	size_t *index;		/* its index in v */
};

/* Those of the entries first..first+count of v that can be, packed. */
static int put_packs(struct nl_msg *msg, const struct entry_kind *kind,
		     const void *v, size_t first, size_t count,
		     struct batch *b)
{
	uint8_t pack[IOT_EGRESS_DEVICE_PACK_SIZE];
	size_t i;

	for (i = first; i < first + count; i++) {
		if (!kind->packable(v, i))
			continue;
		kind->pack(pack, v, i);
		b->offs[b->count] = tail_offset(msg);
		b->index[b->count++] = i;
		if (nla_put(msg, IOT_EGRESS_A_DEVICE_PACK, sizeof(pack),
			    pack) < 0)
			return -1;
	}
	return 0;
}

/* The entries first..first+count of v not packed, as nests of a list. */
static int put_list(struct nl_msg *msg, const struct entry_kind *kind,
		    const void *v, size_t first, size_t count, bool pack,
		    struct batch *b)
{
	struct nlattr *list;
	size_t i;
	int index = 1;	/* entries are numbered from 1 within each message */

	list = nla_nest_start(msg, NLA_F_NESTED | kind->list_attr);
	if (!list)
		return -1;
	for (i = first; i < first + count; i++) {
		if (pack && kind->packable(v, i))
			continue;
		b->offs[b->count] = tail_offset(msg);
		b->index[b->count++] = i;
		if (kind->put(msg, index++, v, i) < 0)
			return -1;
	}
	return nla_nest_end(msg, list);
}

/*
 * v[0..n) in LOAD_DEVICES messages of LOAD_BATCH_BYTES or so: with pack,
 * those the kind can pack, packed, then the rest as a list.
 */
static int load_entries(struct iot_nl *nl, const struct entry_kind *kind,
			const void *v, size_t n, bool pack, size_t *failed,
			struct iot_nl_error *err)
{
	struct batch b;
	size_t first = 0;
	int ret = -1;

	*failed = n;
	tx_clear_error(err);
	pack = pack && kind->packable;
	b.offs = malloc(LOAD_ENTRIES_MAX * sizeof(*b.offs));
	b.index = malloc(LOAD_ENTRIES_MAX * sizeof(*b.index));
	if (!b.offs || !b.index) {
		tx_error(err, IOT_NL_LOCAL, "%s", strerror(ENOMEM));
		goto out;
	}
	while (first < n) {
		struct nl_msg *msg;
		size_t count = 0, npack = 0, used = 0, at;
		uint32_t msg_len, bad;

		/* Which entries go in this message. */
		while (first + count < n && count < LOAD_ENTRIES_MAX) {
			bool packed = pack && kind->packable(v, first + count);
			size_t size = packed ? PACK_SIZE :
					       kind->size(v, first + count);

			if (count && used + size > LOAD_BATCH_BYTES)
				break;
			used += size;
			npack += packed;
			count++;
		}
		msg = tx_request(nl, IOT_EGRESS_CMD_LOAD_DEVICES, NLM_F_ACK,
				 LOAD_BATCH_BYTES + 4096, err);
		if (!msg)
			goto out;
		b.count = 0;
		if ((npack && put_packs(msg, kind, v, first, count, &b) < 0) ||
		    (count > npack &&
		     put_list(msg, kind, v, first, count, pack, &b) < 0)) {
			tx_put_failed(msg, err);
			goto out;
		}
		msg_len = nlmsg_hdr(msg)->nlmsg_len;
		if (tx_transact(nl, msg, NULL, NULL, err) < 0) {
			if (tx_bad_offset(nl, &bad)) {
				at = entry_at(b.offs, b.count, msg_len, bad);
				if (at < b.count)
					*failed = b.index[at];
			}
			goto out;
		}
		first += count;
	}
	ret = 0;
out:
	free(b.offs);
	free(b.index);
	return ret;
}

int iot_nl_load_devices(struct iot_nl *nl, const struct iot_device *v,
			size_t n, bool pack, size_t *failed,
			struct iot_nl_error *err)
{
	return load_entries(nl, &devices_kind, v, n, pack, failed, err);
}

int iot_nl_load_excepts(struct iot_nl *nl, const struct iot_except *v,
			size_t n, size_t *failed, struct iot_nl_error *err)
{
	return load_entries(nl, &excepts_kind, v, n, false, failed, err);
}

int iot_nl_load_commit(struct iot_nl *nl, uint8_t default_policy,
		       const char (*wan)[IFNAMSIZ], size_t nwan,
		       struct iot_commit *res, struct iot_nl_error *err)
{
	struct cut_reply reply = { 0 };
	struct nl_msg *msg;

	if (res)
		*res = (struct iot_commit){ 0 };

	msg = tx_request(nl, IOT_EGRESS_CMD_LOAD_COMMIT, NLM_F_ACK, 0, err);
	if (!msg)
		return -1;
	if (nla_put_u8(msg, IOT_EGRESS_A_DEFAULT_POLICY, default_policy) < 0)
		return tx_put_failed(msg, err);
	/* No list at all is no WAN name: every forwarded packet counts. */
	if (nwan) {
		struct nlattr *list;
		size_t i;

		list = nla_nest_start(msg, NLA_F_NESTED | IOT_EGRESS_A_WAN_LIST);
		if (!list)
			return tx_put_failed(msg, err);
		for (i = 0; i < nwan; i++) {
			struct nlattr *entry = nla_nest_start(msg, NLA_F_NESTED | (int)(i + 1));
			if (!entry ||
			    nla_put_string(msg, IOT_EGRESS_A_IFNAME, wan[i]) < 0)
				return tx_put_failed(msg, err);
			nla_nest_end(msg, entry);
		}
		if (nla_nest_end(msg, list) < 0)
			return tx_put_failed(msg, err);
	}
	if (tx_transact(nl, msg, parse_cut, &reply, err) < 0)
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

	msg = tx_request(nl, IOT_EGRESS_CMD_LOAD_ABORT, NLM_F_ACK, 0, err);
	return msg ? tx_transact(nl, msg, NULL, NULL, err) : -1;
}

