/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages of the generic netlink family: replies, attributes, and the
 * checks of what requests carry. See msg.c.
 */
#ifndef _IOT_MSG_H
#define _IOT_MSG_H

#include <net/genetlink.h>

#include "flow.h"
#include "uapi/iot_egress.h"

/* A missing attribute is reported by type and with a message. The local
 * must not be called __info: GENL_REQ_ATTR_CHECK() has one of its own.
 */
#define IOT_REQUIRE(info, type, msg) ({				\
	struct genl_info *__iot_info = (info);				\
	bool __missing = GENL_REQ_ATTR_CHECK(__iot_info, type);	\
									\
	if (__missing)							\
		GENL_SET_ERR_MSG(__iot_info, msg);			\
	__missing;							\
})

void iot_msg_init(const struct genl_family *family);
void *iot_msg_put(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		  u8 cmd);
void *iot_msg_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
		       u8 cmd);

struct sk_buff *iot_reply_new(struct genl_info *info, size_t size, u8 cmd,
			      void **hdr);
int iot_reply_send(struct genl_info *info, struct sk_buff *msg, void *hdr,
		   int err, bool failed);

int iot_put_addr(struct sk_buff *skb, int type, u8 family,
		 const union iot_addr *a);

int iot_check_mac(const struct nlattr *attr, struct netlink_ext_ack *extack);
int iot_check_label(const struct nlattr *attr, struct netlink_ext_ack *extack);

#endif /* _IOT_MSG_H */
