/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The requests about devices: the table, and the unknown devices. See
 * nl_devices.c.
 */
#ifndef _IOT_NL_DEVICES_H
#define _IOT_NL_DEVICES_H

#include <net/genetlink.h>

int iot_nl_set_device(struct sk_buff *skb, struct genl_info *info);
int iot_nl_del_device(struct sk_buff *skb, struct genl_info *info);
int iot_nl_flush(struct sk_buff *skb, struct genl_info *info);
int iot_nl_get_device(struct sk_buff *skb, struct genl_info *info);
int iot_nl_dump_devices(struct sk_buff *skb, struct netlink_callback *cb);
int iot_nl_dump_unknown(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _IOT_NL_DEVICES_H */
