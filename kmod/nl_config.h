/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The requests about the rest of the policy: WAN names, the default, and
 * loading a whole policy. See nl_config.c.
 */
#ifndef _IOT_NL_CONFIG_H
#define _IOT_NL_CONFIG_H

#include <net/genetlink.h>

int iot_nl_add_wan(struct sk_buff *skb, struct genl_info *info);
int iot_nl_del_wan(struct sk_buff *skb, struct genl_info *info);
int iot_nl_dump_wan(struct sk_buff *skb, struct netlink_callback *cb);
int iot_nl_set_default(struct sk_buff *skb, struct genl_info *info);
int iot_nl_load_begin(struct sk_buff *skb, struct genl_info *info);
int iot_nl_load_devices(struct sk_buff *skb, struct genl_info *info);
int iot_nl_load_commit(struct sk_buff *skb, struct genl_info *info);
int iot_nl_load_abort(struct sk_buff *skb, struct genl_info *info);

#endif /* _IOT_NL_CONFIG_H */
