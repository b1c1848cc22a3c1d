/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The requests about exceptions, and the exception lists other requests
 * carry. See nl_except.c.
 */
#ifndef _IOT_NL_EXCEPT_H
#define _IOT_NL_EXCEPT_H

#include <net/genetlink.h>

#include "exc.h"
#include "table.h"

/* An exception: its device (or any) and its key. */
extern const struct nla_policy iot_except_policy[IOT_EGRESS_A_PORT_MAX + 1];
/* What get-except may be asked for. */
extern const struct nla_policy iot_except_filter_policy[IOT_EGRESS_A_ANY + 1];

/* Room for one exception nest, with its counters. */
#define IOT_EXC_NEST_SIZE	128

int iot_nl_add_except(struct sk_buff *skb, struct genl_info *info);
int iot_nl_del_except(struct sk_buff *skb, struct genl_info *info);
int iot_nl_dump_excepts(struct sk_buff *skb, struct netlink_callback *cb);

struct iot_exc_key *iot_nl_except_keys(const struct nlattr *list,
				       unsigned int *n,
				       struct netlink_ext_ack *extack);
int iot_nl_except_stage(struct iot_table *t, const struct nlattr *entry,
			struct netlink_ext_ack *extack);
int iot_nl_put_excs(struct sk_buff *skb, const struct iot_excs *x);

#endif /* _IOT_NL_EXCEPT_H */
