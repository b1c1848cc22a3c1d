// SPDX-License-Identifier: GPL-2.0
/* The device table: one device, every device, the unknown devices. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nl_attr.h"

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
	if (dec_device(tb, &v[list->n], err) < 0)
		return -1;
	list->n++;
	return 0;
}

int iot_nl_dump_devices(struct iot_nl *nl, struct iot_device_list *list,
			struct iot_nl_error *err)
{
	return tx_dump(nl, IOT_EGRESS_CMD_GET_DEVICE, append_device, list,
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
		tx_error(err, IOT_NL_BAD_REPLY, "more than one device");
		return -1;
	}
	if (dec_device(tb, one->dev, err) < 0)
		return -1;
	one->found = true;
	return 0;
}

int iot_nl_get_device(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
		      struct iot_device *dev, struct iot_nl_error *err)
{
	struct one_device one = { .dev = dev };
	struct nl_msg *msg;

	msg = mac_request(nl, IOT_EGRESS_CMD_GET_DEVICE, mac, err);
	if (!msg || tx_transact(nl, msg, take_device, &one, err) < 0)
		return -1;
	if (!one.found) {
		tx_error(err, IOT_NL_BAD_REPLY, "no device in the reply");
		return -1;
	}
	return 0;
}

int iot_nl_set_device(struct iot_nl *nl, const struct iot_device *dev,
		      uint32_t *cut, struct iot_nl_error *err)
{
	return iot_nl_set_device_except(nl, dev, NULL, 0, cut, err);
}

/* Room for an exception entry: a nest of six attributes, 16-byte address. */
#define EXCEPT_ENTRY_MAX	96

int iot_nl_set_device_except(struct iot_nl *nl, const struct iot_device *dev,
			     const struct iot_except *v, size_t n,
			     uint32_t *cut, struct iot_nl_error *err)
{
	size_t size = 4096 + n * EXCEPT_ENTRY_MAX;
	struct cut_reply reply = { 0 };
	struct nl_msg *msg;

	if (cut)
		*cut = 0;
	/* One message however many there are: the send buffer must fit it. */
	if (size > 32 * 1024) {
		int sndbuf = (int)(2 * size);

		setsockopt(tx_fd(nl), SOL_SOCKET, SO_SNDBUF, &sndbuf,
			   sizeof(sndbuf));
	}
	msg = tx_request(nl, IOT_EGRESS_CMD_SET_DEVICE, NLM_F_ACK, size, err);
	if (!msg)
		return -1;
	if (nla_put(msg, IOT_EGRESS_A_MAC, ETH_ALEN, dev->mac) < 0 ||
	    nla_put_u8(msg, IOT_EGRESS_A_POLICY, dev->policy) < 0 ||
	    (dev->has_name &&
	     nla_put_string(msg, IOT_EGRESS_A_NAME, dev->name) < 0))
		return tx_put_failed(msg, err);
	if (n) {
		struct nlattr *list;
		size_t i;

		list = nla_nest_start(msg, NLA_F_NESTED |
					   IOT_EGRESS_A_EXCEPT_LIST);
		if (!list)
			return tx_put_failed(msg, err);
		for (i = 0; i < n; i++) {
			if (put_except_entry(msg, (int)i + 1, &v[i], false) < 0)
				return tx_put_failed(msg, err);
		}
		if (nla_nest_end(msg, list) < 0)
			return tx_put_failed(msg, err);
	}
	if (tx_transact(nl, msg, parse_cut, &reply, err) < 0)
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
	return msg ? tx_transact(nl, msg, NULL, NULL, err) : -1;
}

int iot_nl_flush(struct iot_nl *nl, struct iot_nl_error *err)
{
	struct nl_msg *msg;

	msg = tx_request(nl, IOT_EGRESS_CMD_FLUSH, NLM_F_ACK, 0, err);
	return msg ? tx_transact(nl, msg, NULL, NULL, err) : -1;
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
		tx_error(err, IOT_NL_BAD_REPLY, "more than one device");
		return -1;
	}
	one->found = true;
	if (dec_device(tb, &info->dev, err) < 0)
		return -1;
	info->has_suppressed = tb[IOT_EGRESS_A_SUPPRESSED] != NULL;
	info->suppressed = dec_u64(tb[IOT_EGRESS_A_SUPPRESSED]);
	if (tb[IOT_EGRESS_A_ADDR_LIST] &&
	    dec_list(tb[IOT_EGRESS_A_ADDR_LIST], "the address list",
		     append_addr, &info->addrs, err) < 0)
		return -1;
	if (tb[IOT_EGRESS_A_DEST_LIST] &&
	    dec_list(tb[IOT_EGRESS_A_DEST_LIST], "the destination list",
		     append_dest, &info->dests, err) < 0)
		return -1;
	if (tb[IOT_EGRESS_A_EXCEPT_LIST]) {
		struct except_append a = {
			.list = &info->excepts, .owner = info->dev.mac,
		};

		if (dec_list(tb[IOT_EGRESS_A_EXCEPT_LIST],
			     "the exception list", append_except, &a, err) < 0)
			return -1;
	}
	info->has_evicted = tb[IOT_EGRESS_A_EVICTED] != NULL;
	info->evicted = dec_u64(tb[IOT_EGRESS_A_EVICTED]);
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
	if (!msg || tx_transact(nl, msg, take_device_info, &one, err) < 0)
		return -1;
	if (!one.found) {
		tx_error(err, IOT_NL_BAD_REPLY, "no device in the reply");
		return -1;
	}
	return 0;
}

void iot_device_info_free(struct iot_device_info *info)
{
	free(info->addrs.v);
	free(info->dests.v);
	free(info->excepts.v);
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
		tx_error(err, IOT_NL_BAD_REPLY,
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
	u->denied_packets = dec_u64(tb[IOT_EGRESS_A_DENIED_PACKETS]);
	u->denied_bytes = dec_u64(tb[IOT_EGRESS_A_DENIED_BYTES]);
	u->first_seen = dec_u64(tb[IOT_EGRESS_A_FIRST_SEEN]);
	u->has_last_denied = tb[IOT_EGRESS_A_LAST_DENIED] != NULL;
	u->last_denied = dec_u64(tb[IOT_EGRESS_A_LAST_DENIED]);
	if (tb[IOT_EGRESS_A_DEST_LIST] &&
	    dec_list(tb[IOT_EGRESS_A_DEST_LIST], "the destination list",
		     append_dest, &u->dests, err) < 0)
		return -1;
	return 0;
}

int iot_nl_dump_unknown(struct iot_nl *nl, struct iot_unknown_list *list,
			struct iot_nl_error *err)
{
	return tx_dump(nl, IOT_EGRESS_CMD_GET_UNKNOWN, append_unknown, list,
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
