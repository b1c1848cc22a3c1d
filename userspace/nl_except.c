// SPDX-License-Identifier: GPL-2.0
/* Exceptions: add, delete, and the dump of them all or of one owner. */
#include <stdlib.h>
#include <string.h>

#include "nl_attr.h"

/* A request naming the exception e by its owner and key. */
static struct nl_msg *except_request(struct iot_nl *nl, uint8_t cmd,
				     const struct iot_except *e,
				     struct iot_nl_error *err)
{
	struct nl_msg *msg = tx_request(nl, cmd, NLM_F_ACK, 0, err);

	if (msg && put_except_key(msg, e, true) < 0) {
		tx_put_failed(msg, err);
		return NULL;
	}
	return msg;
}

int iot_nl_add_except(struct iot_nl *nl, const struct iot_except *e,
		      struct iot_nl_error *err)
{
	struct nl_msg *msg;

	msg = except_request(nl, IOT_EGRESS_CMD_ADD_EXCEPT, e, err);
	return msg ? tx_transact(nl, msg, NULL, NULL, err) : -1;
}

int iot_nl_del_except(struct iot_nl *nl, const struct iot_except *e,
		      uint32_t *cut, struct iot_nl_error *err)
{
	struct cut_reply reply = { 0 };
	struct nl_msg *msg;

	if (cut)
		*cut = 0;
	msg = except_request(nl, IOT_EGRESS_CMD_DEL_EXCEPT, e, err);
	if (!msg || tx_transact(nl, msg, parse_cut, &reply, err) < 0)
		return -1;
	if (cut)
		*cut = reply.cut;
	return 0;
}

struct dump_filter {
	bool any;
	const uint8_t *mac;
};

static int put_filter(struct nl_msg *msg, const void *arg)
{
	const struct dump_filter *f = arg;

	if (f->any)
		return nla_put_flag(msg, IOT_EGRESS_A_ANY);
	if (f->mac)
		return nla_put(msg, IOT_EGRESS_A_MAC, ETH_ALEN, f->mac);
	return 0;
}

static void reset_excepts(void *arg)
{
	((struct except_append *)arg)->list->n = 0;
}

int iot_nl_dump_excepts(struct iot_nl *nl, bool any, const uint8_t *mac,
			struct iot_except_list *list,
			struct iot_nl_error *err)
{
	struct dump_filter filter = { .any = any, .mac = mac };
	struct except_append a = { .list = list };

	return tx_dump_filtered(nl, IOT_EGRESS_CMD_GET_EXCEPT, put_filter,
				&filter, append_except, &a, reset_excepts,
				err);
}

void iot_except_list_free(struct iot_except_list *list)
{
	free(list->v);
	*list = (struct iot_except_list){ 0 };
}
