// SPDX-License-Identifier: GPL-2.0
/*
 * Messages of the iot_egress generic netlink family: building replies, and
 * checking what requests carry beyond what a policy can say.
 * The family itself is registered by netlink.c, which hands it over here.
 */
#include <linux/etherdevice.h>

#include "msg.h"

static const struct genl_family *iot_family __ro_after_init;

void iot_msg_init(const struct genl_family *family)
{
	iot_family = family;
}

void *iot_msg_put(struct sk_buff *skb, u32 portid, u32 seq, int flags, u8 cmd)
{
	return genlmsg_put(skb, portid, seq, iot_family, flags, cmd);
}

/* The next message of a dump, flagged if the state changed since its
 * first part (cb->seq, which the dump sets, moved on).
 */
void *iot_msg_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
		       u8 cmd)
{
	void *hdr = iot_msg_put(skb, NETLINK_CB(cb->skb).portid,
				cb->nlh->nlmsg_seq, NLM_F_MULTI, cmd);

	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

/* A reply of @size bytes of attributes, or NULL with the error set. */
struct sk_buff *iot_reply_new(struct genl_info *info, size_t size, u8 cmd,
			      void **hdr)
{
	struct sk_buff *msg;

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg) {
		GENL_SET_ERR_MSG(info, "out of memory");
		return NULL;
	}
	*hdr = genlmsg_put_reply(msg, info, iot_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		GENL_SET_ERR_MSG(info, "reply does not fit in a message");
		return NULL;
	}
	return msg;
}

/* Sends the reply, unless the request failed with @err or filling the
 * reply @failed.
 */
int iot_reply_send(struct genl_info *info, struct sk_buff *msg, void *hdr,
		   int err, bool failed)
{
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	if (failed) {
		nlmsg_free(msg);
		GENL_SET_ERR_MSG(info, "reply does not fit in a message");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int iot_put_addr(struct sk_buff *skb, int type, u8 family,
		 const union iot_addr *a)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, type, a->ip);
	return nla_put_in6_addr(skb, type, &a->in6);
}

int iot_check_mac(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	if (!is_valid_ether_addr(nla_data(attr))) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "MAC address must be unicast and not all-zero");
		return -EINVAL;
	}
	return 0;
}

int iot_check_label(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	const char *s = nla_data(attr);

	if (!*s)
		goto invalid;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e || strchr("\"'\\#", *s))
			goto invalid;
	return 0;

invalid:
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "name must be printable ASCII without spaces, quotes, backslash or #");
	return -EINVAL;
}
