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
 * messages of LOAD_BATCH_BYTES or so (1000 to 2000 devices each), then
 * the exceptions the same way (each names a device staged before it),
 * then LOAD_COMMIT. Every nest says NLA_F_NESTED: the kernel validates
 * strictly.
 */
#define LOAD_BATCH_BYTES	(48 * 1024)
/* The smallest device entry: a nest holding a MAC and a policy. */
#define LOAD_ENTRY_MIN		(NLA_HDRLEN + NLA_ALIGN(NLA_HDRLEN + ETH_ALEN) + \
				 NLA_ALIGN(NLA_HDRLEN + 1))
#define LOAD_ENTRIES_MAX	(LOAD_BATCH_BYTES / LOAD_ENTRY_MIN + 1)

int iot_nl_load_begin(struct iot_nl *nl, struct iot_nl_error *err)
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

	msg = tx_request(nl, IOT_EGRESS_CMD_LOAD_BEGIN, NLM_F_ACK, 0, err);
	return msg ? tx_transact(nl, msg, NULL, NULL, err) : -1;
}

/* Each kind of entry: its size (an upper bound), and how it is put. */
struct entry_kind {
	int list_attr;
	size_t (*size)(const void *v, size_t i);
	int (*put)(struct nl_msg *msg, int index, const void *v, size_t i);
};

static size_t device_entry_size(const void *v, size_t i)
{
	const struct iot_device *dev = &((const struct iot_device *)v)[i];
	size_t size = LOAD_ENTRY_MIN;

	if (dev->has_name)
		size += (size_t)nla_total_size((int)strlen(dev->name) + 1);
	return size;
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
};

static const struct entry_kind excepts_kind = {
	IOT_EGRESS_A_EXCEPT_LIST, except_entry_size, put_except,
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

/* v[0..n) in LOAD_DEVICES messages of LOAD_BATCH_BYTES or so. */
static int load_entries(struct iot_nl *nl, const struct entry_kind *kind,
			const void *v, size_t n, size_t *failed,
			struct iot_nl_error *err)
{
	uint32_t *offs = malloc(LOAD_ENTRIES_MAX * sizeof(*offs));
	size_t first = 0;
	int ret = -1;

	*failed = n;
	tx_clear_error(err);
	if (!offs) {
		tx_error(err, IOT_NL_LOCAL, "%s", strerror(ENOMEM));
		return -1;
	}
	while (first < n) {
		struct nl_msg *msg;
		struct nlattr *list;
		size_t count = 0, used = 0, at;
		uint32_t msg_len, bad;

		msg = tx_request(nl, IOT_EGRESS_CMD_LOAD_DEVICES, NLM_F_ACK,
				 LOAD_BATCH_BYTES + 4096, err);
		if (!msg)
			goto out;
		list = nla_nest_start(msg, NLA_F_NESTED | kind->list_attr);
		if (!list) {
			tx_put_failed(msg, err);
			goto out;
		}
		while (first + count < n && count < LOAD_ENTRIES_MAX) {
			size_t size = kind->size(v, first + count);

			if (count && used + size > LOAD_BATCH_BYTES)
				break;
			offs[count] = (uint32_t)((char *)nlmsg_tail(nlmsg_hdr(msg)) -
						 (char *)nlmsg_hdr(msg));
			/* Entries are numbered from 1 within each message. */
			if (kind->put(msg, (int)count + 1, v, first + count) < 0) {
				tx_put_failed(msg, err);
				goto out;
			}
			used += size;
			count++;
		}
		if (nla_nest_end(msg, list) < 0) {
			tx_put_failed(msg, err);
			goto out;
		}
		msg_len = nlmsg_hdr(msg)->nlmsg_len;
		if (tx_transact(nl, msg, NULL, NULL, err) < 0) {
			if (tx_bad_offset(nl, &bad)) {
				at = entry_at(offs, count, msg_len, bad);
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

int iot_nl_load_devices(struct iot_nl *nl, const struct iot_device *v,
			size_t n, size_t *failed, struct iot_nl_error *err)
{
	return load_entries(nl, &devices_kind, v, n, failed, err);
}

int iot_nl_load_excepts(struct iot_nl *nl, const struct iot_except *v,
			size_t n, size_t *failed, struct iot_nl_error *err)
{
	return load_entries(nl, &excepts_kind, v, n, failed, err);
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

