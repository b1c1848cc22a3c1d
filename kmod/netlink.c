// SPDX-License-Identifier: GPL-2.0
/*
 * The iot_egress generic netlink family: its operations, their policies,
 * and the status. docs/netlink/iot_egress.yaml specifies every message.
 * Every command needs CAP_NET_ADMIN in the user namespace that owns the
 * netns, and every error carries an extack message. The requests are
 * served by nl_devices.c and nl_config.c.
 */
#include <linux/module.h>

#include "monitor.h"
#include "msg.h"
#include "net.h"
#include "netlink.h"
#include "nl_config.h"
#include "nl_devices.h"
#include "nl_except.h"
#include "rec.h"
#include "src.h"

static const struct nla_policy iot_mac_policy[IOT_EGRESS_A_MAC + 1] = {
	[IOT_EGRESS_A_MAC]	= NLA_POLICY_ETH_ADDR,
};

/* A device: of set-device, and of a load's device-list. */
#define IOT_DEVICE_POLICY						\
	[IOT_EGRESS_A_MAC]	= NLA_POLICY_ETH_ADDR,			\
	[IOT_EGRESS_A_POLICY]	= NLA_POLICY_RANGE(NLA_U8,		\
						   IOT_EGRESS_POLICY_ALLOW, \
						   IOT_EGRESS_POLICY_AUDIT), \
	[IOT_EGRESS_A_NAME]	= { .type = NLA_NUL_STRING,		\
				    .len = IOT_EGRESS_NAME_MAX }

static const struct nla_policy iot_device_policy[IOT_EGRESS_A_NAME + 1] = {
	IOT_DEVICE_POLICY,
};

static const struct nla_policy iot_set_device_policy[IOT_EGRESS_A_EXCEPT_LIST + 1] = {
	IOT_DEVICE_POLICY,
	[IOT_EGRESS_A_EXCEPT_LIST] = NLA_POLICY_NESTED_ARRAY(iot_except_policy),
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

static const struct nla_policy iot_load_begin_attrs[IOT_EGRESS_A_DEVICES + 1] = {
	[IOT_EGRESS_A_DEVICES]	= { .type = NLA_U32 },
};

static const struct nla_policy iot_load_devices_attrs[IOT_EGRESS_A_DEVICE_PACK + 1] = {
	[IOT_EGRESS_A_DEVICE_LIST] = NLA_POLICY_NESTED_ARRAY(iot_device_policy),
	[IOT_EGRESS_A_EXCEPT_LIST] = NLA_POLICY_NESTED_ARRAY(iot_except_policy),
	/* What is in it is checked as it is staged (iot_load_pack()). */
	[IOT_EGRESS_A_DEVICE_PACK] = NLA_POLICY_EXACT_LEN(IOT_EGRESS_DEVICE_PACK_SIZE),
};

static const struct nla_policy iot_load_commit_attrs[IOT_EGRESS_A_WAN_LIST + 1] = {
	[IOT_EGRESS_A_DEFAULT_POLICY] = NLA_POLICY_RANGE(NLA_U8,
							 IOT_EGRESS_POLICY_ALLOW,
							 IOT_EGRESS_POLICY_DENY),
	[IOT_EGRESS_A_WAN_LIST] = NLA_POLICY_NESTED_ARRAY(iot_wan_policy),
};

static int iot_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_net *in = iot_info_net(info);
	unsigned int ndests, nunknown;
	u64 events, suppressed, dropped, early;
	struct sk_buff *msg;
	void *hdr;
	bool failed;

	msg = iot_reply_new(info, NLMSG_DEFAULT_SIZE, IOT_EGRESS_CMD_GET_STATUS,
			    &hdr);
	if (!msg)
		return -ENOMEM;

	iot_rec_counts(in->rec, &ndests, &nunknown);
	iot_monitor_counts(in->mon, &events, &suppressed);
	mutex_lock(&in->lock);
	iot_drops_read(in, &dropped, &early);
	failed = nla_put_u32(msg, IOT_EGRESS_A_PROTO_VERSION,
			     IOT_EGRESS_PROTO_VERSION) ||
		 nla_put_string(msg, IOT_EGRESS_A_MODULE_VERSION,
				IOT_EGRESS_VERSION) ||
		 nla_put_u8(msg, IOT_EGRESS_A_DEFAULT_POLICY,
			    iot_default_policy(in)) ||
		 nla_put_u32(msg, IOT_EGRESS_A_DEVICES, in->table->ndevices) ||
		 nla_put_u32(msg, IOT_EGRESS_A_MAX_DEVICES,
			     READ_ONCE(iot_max_devices)) ||
		 nla_put_u32(msg, IOT_EGRESS_A_WAN_NAMES, in->wan.n) ||
		 nla_put_u64_64bit(msg, IOT_EGRESS_A_DROPPED, dropped,
				   IOT_EGRESS_A_PAD) ||
		 nla_put_u64_64bit(msg, IOT_EGRESS_A_DROPPED_EARLY, early,
				   IOT_EGRESS_A_PAD) ||
		 nla_put_u8(msg, IOT_EGRESS_A_EARLY_DROP, iot_early_on(in)) ||
		 nla_put_u64_64bit(msg, IOT_EGRESS_A_GENERATION,
				   in->generation, IOT_EGRESS_A_PAD) ||
		 nla_put_u32(msg, IOT_EGRESS_A_DESTS, ndests) ||
		 nla_put_u32(msg, IOT_EGRESS_A_MAX_DESTS,
			     READ_ONCE(iot_max_dests)) ||
		 nla_put_u32(msg, IOT_EGRESS_A_DESTS_PER_DEVICE,
			     READ_ONCE(iot_dests_per_device)) ||
		 nla_put_u32(msg, IOT_EGRESS_A_UNKNOWN, nunknown) ||
		 nla_put_u32(msg, IOT_EGRESS_A_MAX_UNKNOWN,
			     READ_ONCE(iot_max_unknown)) ||
		 nla_put_u64_64bit(msg, IOT_EGRESS_A_EVENTS, events,
				   IOT_EGRESS_A_PAD) ||
		 nla_put_u64_64bit(msg, IOT_EGRESS_A_SUPPRESSED, suppressed,
				   IOT_EGRESS_A_PAD) ||
		 nla_put_u32(msg, IOT_EGRESS_A_EXCEPTIONS, in->table->nexc) ||
		 nla_put_u32(msg, IOT_EGRESS_A_MAX_EXCEPTIONS,
			     READ_ONCE(iot_max_exceptions)) ||
		 nla_put_u32(msg, IOT_EGRESS_A_EXCEPTIONS_PER_DEVICE,
			     iot_exc_list_max());
	mutex_unlock(&in->lock);
	return iot_reply_send(info, msg, hdr, 0, failed);
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
		.policy	= iot_load_begin_attrs,
		.maxattr = ARRAY_SIZE(iot_load_begin_attrs) - 1,
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
	{
		.cmd	= IOT_EGRESS_CMD_ADD_EXCEPT,
		.doit	= iot_nl_add_except,
		.policy	= iot_except_policy,
		.maxattr = ARRAY_SIZE(iot_except_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_DEL_EXCEPT,
		.doit	= iot_nl_del_except,
		.policy	= iot_except_policy,
		.maxattr = ARRAY_SIZE(iot_except_policy) - 1,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= IOT_EGRESS_CMD_GET_EXCEPT,
		.dumpit	= iot_nl_dump_excepts,
		.policy	= iot_except_filter_policy,
		.maxattr = ARRAY_SIZE(iot_except_filter_policy) - 1,
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
	.mcgrps		= iot_monitor_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(iot_monitor_mcgrps),
};

int iot_genl_register(void)
{
	int err;

	iot_msg_init(&iot_genl_family);
	err = genl_register_family(&iot_genl_family);
	if (err)
		return err;
	iot_monitor_start(&iot_genl_family);
	return 0;
}

void iot_genl_unregister(void)
{
	iot_monitor_stop();
	genl_unregister_family(&iot_genl_family);
}
