// SPDX-License-Identifier: GPL-2.0
/*
 * The iot_egress generic netlink family. docs/netlink/iot_egress.yaml
 * specifies the messages. Every command needs CAP_NET_ADMIN in the user namespace that
 * owns the netns, and every error carries an extack message.
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "iot_egress.h"

static struct genl_family iot_genl_family;

static const struct nla_policy iot_mac_policy[IOT_EGRESS_A_MAC + 1] = {
	[IOT_EGRESS_A_MAC]	= NLA_POLICY_ETH_ADDR,
};

static const struct nla_policy iot_set_device_policy[IOT_EGRESS_A_NAME + 1] = {
	[IOT_EGRESS_A_MAC]	= NLA_POLICY_ETH_ADDR,
	[IOT_EGRESS_A_POLICY]	= NLA_POLICY_RANGE(NLA_U8,
						   IOT_EGRESS_POLICY_ALLOW,
						   IOT_EGRESS_POLICY_AUDIT),
	[IOT_EGRESS_A_NAME]	= { .type = NLA_NUL_STRING,
				    .len = IOT_EGRESS_NAME_MAX },
};

static const struct nla_policy iot_wan_policy[IOT_EGRESS_A_IFNAME + 1] = {
	[IOT_EGRESS_A_IFNAME]	= { .type = NLA_NUL_STRING,
				    .len = IFNAMSIZ - 1 },
};

static const struct nla_policy iot_default_attrs[IOT_EGRESS_A_DEFAULT_POLICY + 1] = {
	[IOT_EGRESS_A_DEFAULT_POLICY] = NLA_POLICY_RANGE(NLA_U8,
							 IOT_EGRESS_POLICY_ALLOW,
							 IOT_EGRESS_POLICY_DENY),
};

static const struct nla_policy iot_load_devices_attrs[IOT_EGRESS_A_DEVICE_LIST + 1] = {
	[IOT_EGRESS_A_DEVICE_LIST] = NLA_POLICY_NESTED_ARRAY(iot_set_device_policy),
};

static const struct nla_policy iot_load_commit_attrs[IOT_EGRESS_A_WAN_LIST + 1] = {
	[IOT_EGRESS_A_DEFAULT_POLICY] = NLA_POLICY_RANGE(NLA_U8,
							 IOT_EGRESS_POLICY_ALLOW,
							 IOT_EGRESS_POLICY_DENY),
	[IOT_EGRESS_A_WAN_LIST] = NLA_POLICY_NESTED_ARRAY(iot_wan_policy),
};

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

static int iot_check_mac(const struct nlattr *attr,
			 struct netlink_ext_ack *extack)
{
	if (!is_valid_ether_addr(nla_data(attr))) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "MAC address must be unicast and not all-zero");
		return -EINVAL;
	}
	return 0;
}

static int iot_get_mac(struct genl_info *info, const u8 **mac)
{
	struct nlattr *attr;
	int err;

	if (IOT_REQUIRE(info, IOT_EGRESS_A_MAC, "MAC address missing"))
		return -EINVAL;
	attr = info->attrs[IOT_EGRESS_A_MAC];
	err = iot_check_mac(attr, info->extack);
	if (!err)
		*mac = nla_data(attr);
	return err;
}

static int iot_check_label(const struct nlattr *attr,
			   struct netlink_ext_ack *extack)
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

/* After every write: bump the generation that dumps check, and drop the
 * hooks if the policy can no longer drop anything.
 */
static void iot_changed(struct iot_net *in, int err)
{
	lockdep_assert_held(&in->lock);
	if (!err)
		in->generation++;
	iot_hooks_trim(in);
}

static struct iot_net *iot_info_net(struct genl_info *info)
{
	return iot_net(genl_info_net(info));
}

/* A reply of @size bytes of attributes, or NULL with the error set. */
static struct sk_buff *iot_reply_new(struct genl_info *info, size_t size,
				     u8 cmd, void **hdr)
{
	struct sk_buff *msg;

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg) {
		GENL_SET_ERR_MSG(info, "out of memory");
		return NULL;
	}
	*hdr = genlmsg_put_reply(msg, info, &iot_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		GENL_SET_ERR_MSG(info, "reply does not fit in a message");
		return NULL;
	}
	return msg;
}

static int iot_reply_send(struct genl_info *info, struct sk_buff *msg,
			  void *hdr, bool failed)
{
	if (failed) {
		nlmsg_free(msg);
		GENL_SET_ERR_MSG(info, "reply does not fit in a message");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int iot_put_time(struct sk_buff *skb, int type, time64_t t)
{
	if (!t)
		return 0;
	return nla_put_u64_64bit(skb, type, t, IOT_EGRESS_A_PAD);
}

static int iot_put_stats(struct sk_buff *skb, const struct iot_stats *st)
{
	if (nla_put_u64_64bit(skb, IOT_EGRESS_A_DENIED_PACKETS, st->deny_pkts,
			      IOT_EGRESS_A_PAD) ||
	    nla_put_u64_64bit(skb, IOT_EGRESS_A_DENIED_BYTES, st->deny_bytes,
			      IOT_EGRESS_A_PAD) ||
	    nla_put_u64_64bit(skb, IOT_EGRESS_A_WAN_PACKETS, st->wan_pkts,
			      IOT_EGRESS_A_PAD) ||
	    nla_put_u64_64bit(skb, IOT_EGRESS_A_WAN_BYTES, st->wan_bytes,
			      IOT_EGRESS_A_PAD) ||
	    iot_put_time(skb, IOT_EGRESS_A_LAST_DENIED, st->last_deny) ||
	    iot_put_time(skb, IOT_EGRESS_A_LAST_WAN, st->last_wan))
		return -EMSGSIZE;
	return 0;
}

static int iot_put_addr(struct sk_buff *skb, int type, u8 family,
			const union iot_addr *a)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, type, a->ip);
	return nla_put_in6_addr(skb, type, &a->in6);
}

static int iot_put_dests(struct sk_buff *skb, const struct iot_dest_info *v,
			 unsigned int n)
{
	struct nlattr *list, *entry;
	unsigned int i;

	list = nla_nest_start(skb, IOT_EGRESS_A_DEST_LIST);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		entry = nla_nest_start(skb, i + 1);
		if (!entry ||
		    nla_put_u8(skb, IOT_EGRESS_A_FAMILY, v[i].family) ||
		    iot_put_addr(skb, IOT_EGRESS_A_DST, v[i].family,
				 &v[i].dst) ||
		    iot_put_addr(skb, IOT_EGRESS_A_SRC, v[i].family,
				 &v[i].src) ||
		    nla_put_u8(skb, IOT_EGRESS_A_PROTO, v[i].proto) ||
		    nla_put_u16(skb, IOT_EGRESS_A_DPORT, v[i].dport) ||
		    nla_put_u64_64bit(skb, IOT_EGRESS_A_COUNT, v[i].count,
				      IOT_EGRESS_A_PAD) ||
		    nla_put_u64_64bit(skb, IOT_EGRESS_A_FIRST_SEEN,
				      v[i].first, IOT_EGRESS_A_PAD) ||
		    nla_put_u64_64bit(skb, IOT_EGRESS_A_LAST_SEEN, v[i].last,
				      IOT_EGRESS_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, entry);
	}
	nla_nest_end(skb, list);
	return 0;
}

/* Room for a destination nest. */
#define IOT_DEST_SIZE	200

static int iot_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);
	unsigned int ndests, nunknown;
	u64 events, suppressed;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		GENL_SET_ERR_MSG(info, "out of memory");
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &iot_genl_family, 0,
				IOT_EGRESS_CMD_GET_STATUS);
	if (!hdr)
		goto err_size;

	iot_rec_counts(in, &ndests, &nunknown, &events, &suppressed);
	mutex_lock(&in->lock);
	if (nla_put_u32(msg, IOT_EGRESS_A_PROTO_VERSION,
			IOT_EGRESS_PROTO_VERSION) ||
	    nla_put_string(msg, IOT_EGRESS_A_MODULE_VERSION,
			   IOT_EGRESS_VERSION) ||
	    nla_put_u8(msg, IOT_EGRESS_A_DEFAULT_POLICY,
		       iot_default_policy(in)) ||
	    nla_put_u32(msg, IOT_EGRESS_A_DEVICES, in->table->ndevices) ||
	    nla_put_u32(msg, IOT_EGRESS_A_MAX_DEVICES,
			READ_ONCE(iot_max_devices)) ||
	    nla_put_u32(msg, IOT_EGRESS_A_WAN_NAMES, in->wan.n) ||
	    nla_put_u64_64bit(msg, IOT_EGRESS_A_DROPPED, iot_dropped(in),
			      IOT_EGRESS_A_PAD) ||
	    nla_put_u64_64bit(msg, IOT_EGRESS_A_GENERATION, in->generation,
			      IOT_EGRESS_A_PAD) ||
	    nla_put_u32(msg, IOT_EGRESS_A_DESTS, ndests) ||
	    nla_put_u32(msg, IOT_EGRESS_A_MAX_DESTS, READ_ONCE(iot_max_dests)) ||
	    nla_put_u32(msg, IOT_EGRESS_A_DESTS_PER_DEVICE,
			READ_ONCE(iot_dests_per_device)) ||
	    nla_put_u32(msg, IOT_EGRESS_A_UNKNOWN, nunknown) ||
	    nla_put_u32(msg, IOT_EGRESS_A_MAX_UNKNOWN,
			READ_ONCE(iot_max_unknown)) ||
	    nla_put_u64_64bit(msg, IOT_EGRESS_A_EVENTS, events,
			      IOT_EGRESS_A_PAD) ||
	    nla_put_u64_64bit(msg, IOT_EGRESS_A_SUPPRESSED, suppressed,
			      IOT_EGRESS_A_PAD)) {
		mutex_unlock(&in->lock);
		goto err_size;
	}
	mutex_unlock(&in->lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_size:
	nlmsg_free(msg);
	GENL_SET_ERR_MSG(info, "reply does not fit in a message");
	return -EMSGSIZE;
}

static int iot_nl_set_device(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);
	const char *label = NULL;
	unsigned int cut = 0;
	struct sk_buff *msg;
	struct nlattr *attr;
	const u8 *mac;
	void *hdr;
	u8 policy;
	int err;

	err = iot_get_mac(info, &mac);
	if (err)
		return err;
	if (IOT_REQUIRE(info, IOT_EGRESS_A_POLICY, "policy missing"))
		return -EINVAL;
	attr = info->attrs[IOT_EGRESS_A_POLICY];
	policy = nla_get_u8(attr);
	if (info->attrs[IOT_EGRESS_A_NAME]) {
		err = iot_check_label(info->attrs[IOT_EGRESS_A_NAME],
				      info->extack);
		if (err)
			return err;
		label = nla_data(info->attrs[IOT_EGRESS_A_NAME]);
	}
	msg = iot_reply_new(info, NLMSG_DEFAULT_SIZE, IOT_EGRESS_CMD_SET_DEVICE,
			    &hdr);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&in->lock);
	err = iot_hooks_get(in, info->extack);
	if (!err)
		err = iot_dev_set(in->table, mac, policy, label, info->extack);
	iot_changed(in, err);
	if (!err && policy == IOT_EGRESS_POLICY_DENY)
		cut = iot_cut_mac(in, mac);
	mutex_unlock(&in->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return iot_reply_send(info, msg, hdr,
			      nla_put(msg, IOT_EGRESS_A_MAC, ETH_ALEN, mac) ||
			      nla_put_u8(msg, IOT_EGRESS_A_POLICY, policy) ||
			      nla_put_u32(msg, IOT_EGRESS_A_CUT, cut));
}

static int iot_nl_del_device(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);
	const u8 *mac;
	int err;

	err = iot_get_mac(info, &mac);
	if (err)
		return err;
	mutex_lock(&in->lock);
	err = iot_dev_del(in->table, mac, info->extack);
	iot_changed(in, err);
	mutex_unlock(&in->lock);
	return err;
}

static int iot_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);

	mutex_lock(&in->lock);
	iot_dev_flush(in->table);
	iot_changed(in, 0);
	mutex_unlock(&in->lock);
	return 0;
}

static int iot_fill_dev(struct sk_buff *skb, struct iot_table *t,
			const struct iot_dev *dev, u32 portid, u32 seq,
			int flags, struct netlink_callback *cb)
{
	struct iot_stats st;
	const char *label;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &iot_genl_family, flags,
			  IOT_EGRESS_CMD_GET_DEVICE);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	label = iot_dev_label(t, dev);
	iot_dev_stats(dev, &st);
	if (nla_put(skb, IOT_EGRESS_A_MAC, ETH_ALEN, dev->mac) ||
	    nla_put_u8(skb, IOT_EGRESS_A_POLICY, dev->policy) ||
	    (label && nla_put_string(skb, IOT_EGRESS_A_NAME, label)) ||
	    iot_put_stats(skb, &st)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* The details of one device, after its table entry in the same message. */
static int iot_fill_details(struct sk_buff *msg, struct iot_net *in,
			    const u8 *mac)
{
	unsigned int max = READ_ONCE(iot_dests_per_device), n, i;
	struct iot_dest_info *dests;
	struct iot_addr_ent *addrs;
	struct nlattr *list, *entry;
	u64 suppressed;
	int err = -EMSGSIZE;

	dests = kvmalloc_array(max ?: 1, sizeof(*dests), GFP_KERNEL);
	addrs = kmalloc_array(IOT_ADDRS_MAX, sizeof(*addrs), GFP_KERNEL);
	if (!dests || !addrs) {
		err = -ENOMEM;
		goto out;
	}
	n = iot_rec_dests(in, mac, false, dests, max, &suppressed);
	if (nla_put_u64_64bit(msg, IOT_EGRESS_A_SUPPRESSED, suppressed,
			      IOT_EGRESS_A_PAD) ||
	    iot_put_dests(msg, dests, n))
		goto out;

	n = iot_dev_addrs(in->net, mac, addrs, IOT_ADDRS_MAX);
	list = nla_nest_start(msg, IOT_EGRESS_A_ADDR_LIST);
	if (!list)
		goto out;
	for (i = 0; i < n; i++) {
		entry = nla_nest_start(msg, i + 1);
		if (!entry ||
		    nla_put_u8(msg, IOT_EGRESS_A_FAMILY, addrs[i].family) ||
		    iot_put_addr(msg, IOT_EGRESS_A_ADDR, addrs[i].family,
				 &addrs[i].a))
			goto out;
		nla_nest_end(msg, entry);
	}
	nla_nest_end(msg, list);
	err = 0;
out:
	kvfree(dests);
	kfree(addrs);
	return err;
}

static int iot_nl_get_device(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);
	struct nlmsghdr *nlh;
	struct iot_dev *dev;
	struct sk_buff *msg;
	const u8 *mac;
	int err;

	err = iot_get_mac(info, &mac);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE + IOT_ADDRS_MAX * 32 +
			  READ_ONCE(iot_dests_per_device) * IOT_DEST_SIZE,
			  GFP_KERNEL);
	if (!msg) {
		GENL_SET_ERR_MSG(info, "out of memory");
		return -ENOMEM;
	}

	mutex_lock(&in->lock);
	dev = iot_dev_find(in->table, mac);
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[IOT_EGRESS_A_MAC],
				    "device not in the table");
		err = -ENOENT;
	} else {
		err = iot_fill_dev(msg, in->table, dev, info->snd_portid,
				   info->snd_seq, 0, NULL);
	}
	mutex_unlock(&in->lock);
	if (!err) {
		/* Reopen the message that iot_fill_dev() ended. */
		nlh = nlmsg_hdr(msg);
		err = iot_fill_details(msg, in, mac);
		nlh->nlmsg_len = skb_tail_pointer(msg) - (unsigned char *)nlh;
	}
	if (err) {
		if (err == -EMSGSIZE)
			GENL_SET_ERR_MSG(info, "reply does not fit in a message");
		else if (err != -ENOENT)
			GENL_SET_ERR_MSG(info, "out of memory");
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args: [0] set once a device was sent, [1] and [2] the high and low
 * halves of its MAC, so the next part resumes after it even if the table
 * changed in between (which NLM_F_DUMP_INTR then reports).
 */
static int iot_nl_dump_devices(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iot_net *in = iot_net(sock_net(skb->sk));
	struct iot_dev *dev;
	u64 key;

	key = (u64)cb->args[1] << 32 | (u32)cb->args[2];
	mutex_lock(&in->lock);
	cb->seq = in->generation;
	for (dev = iot_dev_first_after(in->table, key, !cb->args[0]); dev;
	     dev = iot_dev_next(dev)) {
		if (iot_fill_dev(skb, in->table, dev, NETLINK_CB(cb->skb).portid,
				 cb->nlh->nlmsg_seq, NLM_F_MULTI, cb))
			break;
		key = iot_sort_key(dev->mac);
		cb->args[0] = 1;
		cb->args[1] = key >> 32;
		cb->args[2] = (u32)key;
	}
	mutex_unlock(&in->lock);
	return skb->len;
}

static int iot_check_ifname(const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	if (!dev_valid_name(nla_data(attr))) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "invalid interface name");
		return -EINVAL;
	}
	return 0;
}

static int iot_nl_wan(struct genl_info *info,
		      int (*op)(struct iot_net *, const char *,
				struct netlink_ext_ack *))
{
	struct iot_net *in = iot_info_net(info);
	struct nlattr *attr;
	const char *name;
	int err;

	if (IOT_REQUIRE(info, IOT_EGRESS_A_IFNAME, "interface name missing"))
		return -EINVAL;
	attr = info->attrs[IOT_EGRESS_A_IFNAME];
	err = iot_check_ifname(attr, info->extack);
	if (err)
		return err;
	name = nla_data(attr);
	mutex_lock(&in->lock);
	err = op(in, name, info->extack);
	iot_changed(in, err);
	mutex_unlock(&in->lock);
	return err;
}

static int iot_nl_add_wan(struct sk_buff *skb, struct genl_info *info)
{
	return iot_nl_wan(info, iot_wan_add);
}

static int iot_nl_del_wan(struct sk_buff *skb, struct genl_info *info)
{
	return iot_nl_wan(info, iot_wan_del);
}

/* cb->args[0]: how many names were sent. */
static int iot_nl_dump_wan(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iot_net *in = iot_net(sock_net(skb->sk));
	struct net_device *dev;
	unsigned int i;
	void *hdr;
	int ifindex;

	mutex_lock(&in->lock);
	cb->seq = in->generation;
	for (i = cb->args[0]; i < in->wan.n; i++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &iot_genl_family,
				  NLM_F_MULTI, IOT_EGRESS_CMD_GET_WAN);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		rcu_read_lock();
		dev = dev_get_by_name_rcu(in->net, in->wan.name[i]);
		ifindex = dev ? dev->ifindex : 0;
		rcu_read_unlock();
		if (nla_put_string(skb, IOT_EGRESS_A_IFNAME, in->wan.name[i]) ||
		    nla_put_u32(skb, IOT_EGRESS_A_IFINDEX, ifindex)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = i;
	mutex_unlock(&in->lock);
	return skb->len;
}

static int iot_nl_set_default(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);
	unsigned int cut = 0;
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
	mutex_lock(&in->lock);
	err = iot_hooks_get(in, info->extack);
	if (!err)
		err = iot_set_default(in, policy, info->extack);
	iot_changed(in, err);
	if (!err && policy == IOT_EGRESS_POLICY_DENY)
		cut = iot_cut_denied(in);
	mutex_unlock(&in->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return iot_reply_send(info, msg, hdr,
			      nla_put_u8(msg, IOT_EGRESS_A_DEFAULT_POLICY,
					 policy) ||
			      nla_put_u32(msg, IOT_EGRESS_A_CUT, cut));
}

static int iot_nl_load_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);
	int err;

	mutex_lock(&in->lock);
	err = iot_load_begin(in, info->snd_portid, info->extack);
	mutex_unlock(&in->lock);
	return err;
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

static int iot_nl_load_devices(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);
	const struct nlattr *entry;
	struct iot_table *t;
	int rem, err = 0;

	if (IOT_REQUIRE(info, IOT_EGRESS_A_DEVICE_LIST, "device list missing"))
		return -EINVAL;
	mutex_lock(&in->lock);
	t = iot_load_staged(in, info->snd_portid, info->extack);
	if (!t) {
		err = -ENOENT;
		goto out;
	}
	nla_for_each_nested(entry, info->attrs[IOT_EGRESS_A_DEVICE_LIST], rem) {
		err = iot_load_device(t, entry, info->extack);
		if (err) {
			/* Nothing half-staged survives a refusal. */
			iot_load_drop(in);
			break;
		}
	}
out:
	mutex_unlock(&in->lock);
	return err;
}

static int iot_nl_load_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);
	const struct nlattr *entry, *attr;
	struct iot_wan_names *names;
	unsigned int i, cut = 0;
	struct sk_buff *msg;
	u64 generation = 0;
	int rem, err;
	void *hdr;

	if (IOT_REQUIRE(info, IOT_EGRESS_A_DEFAULT_POLICY,
			"default policy missing")) {
		names = NULL;
		err = -EINVAL;
		goto out;
	}
	names = kzalloc(sizeof(*names), GFP_KERNEL);
	if (!names) {
		GENL_SET_ERR_MSG(info, "out of memory");
		err = -ENOMEM;
		goto out;
	}
	if (!info->attrs[IOT_EGRESS_A_WAN_LIST])
		goto commit;
	nla_for_each_nested(entry, info->attrs[IOT_EGRESS_A_WAN_LIST], rem) {
		attr = nla_find_nested(entry, IOT_EGRESS_A_IFNAME);
		if (!attr) {
			NL_SET_ERR_MSG_ATTR(info->extack, entry,
					    "WAN entry needs an interface name");
			err = -EINVAL;
			goto out;
		}
		err = iot_check_ifname(attr, info->extack);
		if (err)
			goto out;
		for (i = 0; i < names->n; i++) {
			if (!strcmp(names->name[i], nla_data(attr))) {
				NL_SET_ERR_MSG_ATTR(info->extack, attr,
						    "WAN interface name given twice");
				err = -EINVAL;
				goto out;
			}
		}
		if (names->n == IOT_EGRESS_WAN_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "too many WAN interface names");
			err = -ENOSPC;
			goto out;
		}
		nla_strscpy(names->name[names->n++], attr, IFNAMSIZ);
	}
commit:
	msg = iot_reply_new(info, NLMSG_DEFAULT_SIZE,
			    IOT_EGRESS_CMD_LOAD_COMMIT, &hdr);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = iot_load_commit(in, info->snd_portid,
			      nla_get_u8(info->attrs[IOT_EGRESS_A_DEFAULT_POLICY]),
			      names, &generation, &cut, info->extack);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = iot_reply_send(info, msg, hdr,
			     nla_put_u64_64bit(msg, IOT_EGRESS_A_GENERATION,
					       generation, IOT_EGRESS_A_PAD) ||
			     nla_put_u32(msg, IOT_EGRESS_A_CUT, cut));
out:
	/* Nothing half-staged survives a refusal. */
	if (err && err != -ENOENT) {
		mutex_lock(&in->lock);
		iot_load_release(in, info->snd_portid);
		mutex_unlock(&in->lock);
	}
	kfree(names);
	return err;
}

static int iot_nl_load_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);
	int err = 0;

	mutex_lock(&in->lock);
	if (iot_load_staged(in, info->snd_portid, info->extack))
		iot_load_drop(in);
	else
		err = -ENOENT;
	mutex_unlock(&in->lock);
	return err;
}

/* cb->args: [0] how many unknown devices were sent. */
static int iot_nl_dump_unknown(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	struct iot_net *in = iot_net(sock_net(skb->sk));
	unsigned int max = READ_ONCE(iot_dests_per_device), n;
	struct iot_dest_info *dests;
	struct iot_stats st;
	time64_t first;
	u8 mac[ETH_ALEN];
	u64 suppressed;
	void *hdr;
	u32 gen;

	dests = kvmalloc_array(max ?: 1, sizeof(*dests), GFP_KERNEL);
	if (!dests)
		return -ENOMEM;
	while (!iot_rec_unknown_nth(in, cb->args[0], mac, &st, &first, &gen)) {
		cb->seq = gen ?: 1;
		n = iot_rec_dests(in, mac, true, dests, max, &suppressed);
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &iot_genl_family,
				  NLM_F_MULTI, IOT_EGRESS_CMD_GET_UNKNOWN);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (nla_put(skb, IOT_EGRESS_A_MAC, ETH_ALEN, mac) ||
		    nla_put_u64_64bit(skb, IOT_EGRESS_A_DENIED_PACKETS,
				      st.deny_pkts, IOT_EGRESS_A_PAD) ||
		    nla_put_u64_64bit(skb, IOT_EGRESS_A_DENIED_BYTES,
				      st.deny_bytes, IOT_EGRESS_A_PAD) ||
		    iot_put_time(skb, IOT_EGRESS_A_FIRST_SEEN, first) ||
		    iot_put_time(skb, IOT_EGRESS_A_LAST_DENIED, st.last_deny) ||
		    nla_put_u64_64bit(skb, IOT_EGRESS_A_SUPPRESSED, suppressed,
				      IOT_EGRESS_A_PAD) ||
		    iot_put_dests(skb, dests, n)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0]++;
	}
	kvfree(dests);
	return skb->len;
}

static const struct genl_multicast_group iot_mcgrps[] = {
	{
		.name	= IOT_EGRESS_MCGRP_MONITOR,
		IOT_MCGRP_ADMIN_ONLY,
	},
};

/* Cleared, and waited for, before the family goes: the packet path and
 * the summary work may still be telling the monitor while the module
 * unloads.
 */
static bool iot_nl_up __read_mostly;

bool iot_nl_monitored(struct net *net)
{
	return IOT_MCGRP_RESTRICTED && READ_ONCE(iot_nl_up) &&
	       genl_has_listeners(&iot_genl_family, net, 0);
}

/* Tell the monitor of @net: from the packet path too. */
void iot_nl_event(struct net *net, const struct iot_event *ev, u64 suppressed,
		  gfp_t gfp)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &iot_genl_family, 0, IOT_EGRESS_CMD_EVENT);
	if (!hdr)
		goto err;
	if (nla_put_u8(skb, IOT_EGRESS_A_EVENT, ev->type) ||
	    nla_put_u64_64bit(skb, IOT_EGRESS_A_TIME, ev->time,
			      IOT_EGRESS_A_PAD) ||
	    nla_put(skb, IOT_EGRESS_A_MAC, ETH_ALEN, ev->mac) ||
	    (ev->label[0] &&
	     nla_put_string(skb, IOT_EGRESS_A_NAME, ev->label)) ||
	    nla_put_u8(skb, IOT_EGRESS_A_POLICY, ev->policy) ||
	    (ev->unknown && nla_put_flag(skb, IOT_EGRESS_A_UNKNOWN_DEVICE)) ||
	    nla_put_u8(skb, IOT_EGRESS_A_FAMILY, ev->family) ||
	    iot_put_addr(skb, IOT_EGRESS_A_SRC, ev->family, &ev->src) ||
	    iot_put_addr(skb, IOT_EGRESS_A_DST, ev->family, &ev->dst) ||
	    nla_put_u8(skb, IOT_EGRESS_A_PROTO, ev->proto) ||
	    nla_put_u16(skb, IOT_EGRESS_A_DPORT, ev->dport) ||
	    nla_put_u64_64bit(skb, IOT_EGRESS_A_COUNT, ev->count,
			      IOT_EGRESS_A_PAD) ||
	    nla_put_u64_64bit(skb, IOT_EGRESS_A_SUPPRESSED, suppressed,
			      IOT_EGRESS_A_PAD))
		goto err;
	genlmsg_end(skb, hdr);
	rcu_read_lock();
	if (READ_ONCE(iot_nl_up)) {
		genlmsg_multicast_netns(&iot_genl_family, net, skb, 0, 0,
					GFP_ATOMIC);
		skb = NULL;
	}
	rcu_read_unlock();
	if (!skb)
		return;
err:
	nlmsg_free(skb);
}

static const struct genl_ops iot_genl_ops[] = {
	{
		.cmd	= IOT_EGRESS_CMD_GET_STATUS,
		.doit	= iot_nl_get_status,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_SET_DEVICE,
		.doit	= iot_nl_set_device,
		.policy	= iot_set_device_policy,
		.maxattr = ARRAY_SIZE(iot_set_device_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_DEL_DEVICE,
		.doit	= iot_nl_del_device,
		.policy	= iot_mac_policy,
		.maxattr = ARRAY_SIZE(iot_mac_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_GET_DEVICE,
		.doit	= iot_nl_get_device,
		.dumpit	= iot_nl_dump_devices,
		.policy	= iot_mac_policy,
		.maxattr = ARRAY_SIZE(iot_mac_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_FLUSH,
		.doit	= iot_nl_flush,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_ADD_WAN,
		.doit	= iot_nl_add_wan,
		.policy	= iot_wan_policy,
		.maxattr = ARRAY_SIZE(iot_wan_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_DEL_WAN,
		.doit	= iot_nl_del_wan,
		.policy	= iot_wan_policy,
		.maxattr = ARRAY_SIZE(iot_wan_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_GET_WAN,
		.dumpit	= iot_nl_dump_wan,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_SET_DEFAULT,
		.doit	= iot_nl_set_default,
		.policy	= iot_default_attrs,
		.maxattr = ARRAY_SIZE(iot_default_attrs) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_LOAD_BEGIN,
		.doit	= iot_nl_load_begin,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_LOAD_DEVICES,
		.doit	= iot_nl_load_devices,
		.policy	= iot_load_devices_attrs,
		.maxattr = ARRAY_SIZE(iot_load_devices_attrs) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_LOAD_COMMIT,
		.doit	= iot_nl_load_commit,
		.policy	= iot_load_commit_attrs,
		.maxattr = ARRAY_SIZE(iot_load_commit_attrs) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_LOAD_ABORT,
		.doit	= iot_nl_load_abort,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_GET_UNKNOWN,
		.dumpit	= iot_nl_dump_unknown,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family iot_genl_family __ro_after_init = {
	.name		= IOT_EGRESS_GENL_NAME,
	.version	= IOT_EGRESS_GENL_VERSION,
	.netnsok	= true,
	/* Writers serialise on their netns's own lock. */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= iot_genl_ops,
	.n_ops		= ARRAY_SIZE(iot_genl_ops),
	.mcgrps		= iot_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(iot_mcgrps),
};

int __init iot_genl_register(void)
{
	int err = genl_register_family(&iot_genl_family);

	if (err)
		return err;
	if (!IOT_MCGRP_RESTRICTED)
		pr_warn("iot_egress: this kernel cannot keep the monitor to CAP_NET_ADMIN, so it sends no events\n");
	WRITE_ONCE(iot_nl_up, true);
	return 0;
}

void iot_genl_unregister(void)
{
	WRITE_ONCE(iot_nl_up, false);
	/* Whoever saw it set has sent its event. */
	synchronize_rcu();
	genl_unregister_family(&iot_genl_family);
}
