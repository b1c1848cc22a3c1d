// SPDX-License-Identifier: GPL-2.0
/*
 * The requests about the rest of the policy: the WAN names, the default
 * policy, and loading a whole policy at once (load.c).
 */
#include <linux/slab.h>
#include <net/sock.h>

#include "load.h"
#include "msg.h"
#include "net.h"
#include "nl_config.h"
#include "nl_except.h"
#include "txn.h"

static int iot_add_wan(struct iot_net *in, const void *attr,
		       struct netlink_ext_ack *extack)
{
	return iot_wan_add(in, attr, extack);
}

static int iot_del_wan(struct iot_net *in, const void *attr,
		       struct netlink_ext_ack *extack)
{
	return iot_wan_del(in, attr, extack);
}

static int iot_nl_wan(struct genl_info *info, struct iot_txn *t)
{
	if (IOT_REQUIRE(info, IOT_EGRESS_A_IFNAME, "interface name missing"))
		return -EINVAL;
	t->arg = info->attrs[IOT_EGRESS_A_IFNAME];
	t->policy = true;
	return iot_txn(iot_info_net(info), t, info->extack);
}

int iot_nl_add_wan(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_txn t = { .change = iot_add_wan };

	return iot_nl_wan(info, &t);
}

int iot_nl_del_wan(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_txn t = { .change = iot_del_wan };

	return iot_nl_wan(info, &t);
}

/* cb->args[0]: how many names were sent. */
int iot_nl_dump_wan(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iot_net *in = iot_net(sock_net(skb->sk));
	unsigned int i;
	void *hdr;

	mutex_lock(&in->lock);
	cb->seq = in->generation;
	for (i = cb->args[0]; i < in->wan.n; i++) {
		hdr = iot_msg_dump_put(skb, cb, IOT_EGRESS_CMD_GET_WAN);
		if (!hdr)
			break;
		if (nla_put_string(skb, IOT_EGRESS_A_IFNAME, in->wan.name[i]) ||
		    nla_put_u32(skb, IOT_EGRESS_A_IFINDEX,
				iot_wan_ifindex(in->net, in->wan.name[i]))) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = i;
	mutex_unlock(&in->lock);
	return skb->len;
}

static int iot_set_default_policy(struct iot_net *in, const void *policy,
				  struct netlink_ext_ack *extack)
{
	return iot_set_default(in, *(const u8 *)policy, extack);
}

int iot_nl_set_default(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_txn t = {
		.change = iot_set_default_policy, .drops = true, .policy = true,
	};
	struct sk_buff *msg;
	u8 policy;
	void *hdr;
	int err;

	if (IOT_REQUIRE(info, IOT_EGRESS_A_DEFAULT_POLICY,
			"default policy missing"))
		return -EINVAL;
	policy = nla_get_u8(info->attrs[IOT_EGRESS_A_DEFAULT_POLICY]);
	msg = iot_reply_new(info, NLMSG_DEFAULT_SIZE,
			    IOT_EGRESS_CMD_SET_DEFAULT, &hdr);
	if (!msg)
		return -ENOMEM;
	t.arg = &policy;
	t.cut = policy == IOT_EGRESS_POLICY_DENY;
	err = iot_txn(iot_info_net(info), &t, info->extack);
	return iot_reply_send(info, msg, hdr, err,
			      nla_put_u8(msg, IOT_EGRESS_A_DEFAULT_POLICY,
					 policy) ||
			      nla_put_u32(msg, IOT_EGRESS_A_CUT, t.ncut));
}

static int iot_load_begin_change(struct iot_net *in, const void *arg,
				 struct netlink_ext_ack *extack)
{
	const struct genl_info *info = arg;
	const struct nlattr *n = info->attrs[IOT_EGRESS_A_DEVICES];

	return iot_load_begin(in, info->snd_portid, n ? nla_get_u32(n) : 0,
			      extack);
}

/* The reply tells iotctl that this module takes IOT_EGRESS_A_DEVICE_PACK. */
int iot_nl_load_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_txn t = { .change = iot_load_begin_change, .arg = info };
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = iot_reply_new(info, NLMSG_DEFAULT_SIZE, IOT_EGRESS_CMD_LOAD_BEGIN,
			    &hdr);
	if (!msg)
		return -ENOMEM;
	err = iot_txn(iot_info_net(info), &t, info->extack);
	return iot_reply_send(info, msg, hdr, err,
			      nla_put_u32(msg, IOT_EGRESS_A_MAX_DEVICES,
					  READ_ONCE(iot_max_devices)));
}

/* One entry of IOT_EGRESS_A_DEVICE_LIST, already checked by the policy. */
static int iot_load_device(struct iot_table *t, const struct nlattr *entry,
			   struct netlink_ext_ack *extack)
{
	const struct nlattr *attr, *mac = NULL, *policy = NULL, *name = NULL;
	int rem, err;

	nla_for_each_nested(attr, entry, rem) {
		switch (nla_type(attr)) {
		case IOT_EGRESS_A_MAC:
			mac = attr;
			break;
		case IOT_EGRESS_A_POLICY:
			policy = attr;
			break;
		case IOT_EGRESS_A_NAME:
			name = attr;
			break;
		}
	}
	if (!mac || !policy) {
		NL_SET_ERR_MSG_ATTR(extack, entry,
				    "device needs a MAC address and a policy");
		return -EINVAL;
	}
	err = iot_check_mac(mac, extack);
	if (!err && name)
		err = iot_check_label(name, extack);
	if (err)
		return err;
	err = iot_dev_set(t, nla_data(mac), nla_get_u8(policy),
			  name ? nla_data(name) : NULL, extack);
	/* Full, or out of memory: name the entry, for iotctl to give its line. */
	if (err)
		NL_SET_BAD_ATTR(extack, entry);
	return err;
}

/* One IOT_EGRESS_A_DEVICE_PACK: a MAC, a policy and a zero byte. */
static int iot_load_pack(struct iot_table *t, const struct nlattr *pack,
			 struct netlink_ext_ack *extack)
{
	const u8 *e = nla_data(pack);
	u8 policy = e[ETH_ALEN];
	int err;

	if (!is_valid_ether_addr(e)) {
		NL_SET_ERR_MSG_ATTR(extack, pack,
				    "MAC address must be unicast and not all-zero");
		return -EINVAL;
	}
	if (policy < IOT_EGRESS_POLICY_ALLOW || policy > IOT_EGRESS_POLICY_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, pack,
				    "policy must be allow, deny or audit");
		return -EINVAL;
	}
	if (e[ETH_ALEN + 1]) {
		NL_SET_ERR_MSG_ATTR(extack, pack,
				    "the last byte of a device pack must be 0");
		return -EINVAL;
	}
	err = iot_dev_set(t, e, policy, NULL, extack);
	/* Full, or out of memory: name the pack, for iotctl to give its line. */
	if (err)
		NL_SET_BAD_ATTR(extack, pack);
	return err;
}

static int iot_load_devices(struct iot_net *in, const void *arg,
			    struct netlink_ext_ack *extack)
{
	const struct genl_info *info = arg;
	const struct nlattr *entry, *devices, *excepts;
	struct iot_table *t;
	int rem, err;

	t = iot_load_staged(in, info->snd_portid, extack);
	if (!t)
		return -ENOENT;
	/* The devices first: an exception names a device staged before it. */
	if (info->attrs[IOT_EGRESS_A_DEVICE_PACK]) {
		nlmsg_for_each_attr(entry, info->nlhdr, GENL_HDRLEN, rem) {
			if (nla_type(entry) != IOT_EGRESS_A_DEVICE_PACK)
				continue;
			err = iot_load_pack(t, entry, extack);
			if (err)
				goto drop;
		}
	}
	devices = info->attrs[IOT_EGRESS_A_DEVICE_LIST];
	excepts = info->attrs[IOT_EGRESS_A_EXCEPT_LIST];
	if (devices) {
		nla_for_each_nested(entry, devices, rem) {
			err = iot_load_device(t, entry, extack);
			if (err)
				goto drop;
		}
	}
	if (excepts) {
		nla_for_each_nested(entry, excepts, rem) {
			err = iot_nl_except_stage(t, entry, extack);
			if (err)
				goto drop;
		}
	}
	return 0;

drop:
	/* Nothing half-staged survives a refusal. */
	iot_load_drop(in);
	return err;
}

int iot_nl_load_devices(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_txn t = { .change = iot_load_devices, .arg = info };

	if (!info->attrs[IOT_EGRESS_A_EXCEPT_LIST] &&
	    !info->attrs[IOT_EGRESS_A_DEVICE_PACK] &&
	    IOT_REQUIRE(info, IOT_EGRESS_A_DEVICE_LIST, "device list missing"))
		return -EINVAL;
	return iot_txn(iot_info_net(info), &t, info->extack);
}

/* The WAN names of IOT_EGRESS_A_WAN_LIST, by the rules of iot_wan_add(). */
static int iot_load_wan_names(struct genl_info *info,
			      struct iot_wan_names *names)
{
	const struct nlattr *entry, *attr;
	int rem, err;

	if (!info->attrs[IOT_EGRESS_A_WAN_LIST])
		return 0;
	nla_for_each_nested(entry, info->attrs[IOT_EGRESS_A_WAN_LIST], rem) {
		attr = nla_find_nested(entry, IOT_EGRESS_A_IFNAME);
		if (!attr) {
			NL_SET_ERR_MSG_ATTR(info->extack, entry,
					    "WAN entry needs an interface name");
			return -EINVAL;
		}
		err = iot_wan_names_add(names, attr, info->extack);
		if (err)
			return err;
	}
	return 0;
}

static int iot_load_release_change(struct iot_net *in, const void *info,
				   struct netlink_ext_ack *extack)
{
	iot_load_release(in, ((const struct genl_info *)info)->snd_portid);
	return 0;
}

int iot_nl_load_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);
	struct iot_wan_names *names = NULL;
	struct iot_txn release = {
		.change = iot_load_release_change, .arg = info,
	};
	struct iot_load_done done = { };
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (IOT_REQUIRE(info, IOT_EGRESS_A_DEFAULT_POLICY,
			"default policy missing")) {
		err = -EINVAL;
		goto out;
	}
	names = kzalloc(sizeof(*names), GFP_KERNEL);
	if (!names) {
		GENL_SET_ERR_MSG(info, "out of memory");
		err = -ENOMEM;
		goto out;
	}
	err = iot_load_wan_names(info, names);
	if (err)
		goto out;
	msg = iot_reply_new(info, NLMSG_DEFAULT_SIZE,
			    IOT_EGRESS_CMD_LOAD_COMMIT, &hdr);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = iot_load_commit(in, info->snd_portid,
			      nla_get_u8(info->attrs[IOT_EGRESS_A_DEFAULT_POLICY]),
			      names, &done, info->extack);
	err = iot_reply_send(info, msg, hdr, err,
			     nla_put_u64_64bit(msg, IOT_EGRESS_A_GENERATION,
					       done.generation,
					       IOT_EGRESS_A_PAD) ||
			     nla_put_u32(msg, IOT_EGRESS_A_CUT, done.cut));
out:
	/* Nothing half-staged survives a refusal. */
	if (err && err != -ENOENT)
		iot_txn(in, &release, NULL);
	kfree(names);
	return err;
}

static int iot_load_abort(struct iot_net *in, const void *info,
			  struct netlink_ext_ack *extack)
{
	if (!iot_load_staged(in, ((const struct genl_info *)info)->snd_portid,
			     extack))
		return -ENOENT;
	iot_load_drop(in);
	return 0;
}

int iot_nl_load_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_txn t = { .change = iot_load_abort, .arg = info };

	return iot_txn(iot_info_net(info), &t, info->extack);
}
