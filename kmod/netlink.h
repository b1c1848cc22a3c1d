/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iot_egress generic netlink family. See netlink.c.
 */
#ifndef _IOT_NETLINK_H
#define _IOT_NETLINK_H

int iot_genl_register(void);
void iot_genl_unregister(void);

#endif /* _IOT_NETLINK_H */
