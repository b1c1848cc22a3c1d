// SPDX-License-Identifier: GPL-2.0
/* The WAN names. */
#include <stdlib.h>

#include "nl_attr.h"

static int wan_request(struct iot_nl *nl, uint8_t cmd, const char *ifname,
		       struct iot_nl_error *err)
{
	struct nl_msg *msg = tx_request(nl, cmd, NLM_F_ACK, 0, err);

	if (!msg)
		return -1;
	if (nla_put_string(msg, IOT_EGRESS_A_IFNAME, ifname) < 0)
		return tx_put_failed(msg, err);
	return tx_transact(nl, msg, NULL, NULL, err);
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
		tx_error(err, IOT_NL_BAD_REPLY, "a WAN entry without a name");
		return -1;
	}
	v = grow(list->v, &list->cap, list->n, sizeof(*v), err);
	if (!v)
		return -1;
	list->v = v;
	wan = &v[list->n];
	dec_string(wan->ifname, sizeof(wan->ifname), tb[IOT_EGRESS_A_IFNAME]);
	wan->ifindex = tb[IOT_EGRESS_A_IFINDEX] ?
		       nla_get_u32(tb[IOT_EGRESS_A_IFINDEX]) : 0;
	list->n++;
	return 0;
}

int iot_nl_dump_wan(struct iot_nl *nl, struct iot_wan_list *list,
		    struct iot_nl_error *err)
{
	return tx_dump(nl, IOT_EGRESS_CMD_GET_WAN, append_wan, list, reset_wans,
		       err);
}

void iot_wan_list_free(struct iot_wan_list *list)
{
	free(list->v);
	*list = (struct iot_wan_list){ 0 };
}
