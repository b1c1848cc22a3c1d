// SPDX-License-Identifier: GPL-2.0
/*
 * WAN interfaces, by name, and the small configuration the packet path
 * reads besides the device table.
 *
 * Names are what the admin configures: a PPPoE or WireGuard link may not
 * exist yet, may be renamed, or may move to another netns. A netdevice
 * notifier re-resolves the names to ifindexes whenever an interface appears,
 * disappears or is renamed, so the packet path compares integers only.
 */
#include <linux/netdevice.h>
#include <linux/slab.h>

#include "iot_egress.h"

static struct iot_cfg *iot_cfg_cur(struct iot_net *in)
{
	return rcu_dereference_protected(in->cfg, lockdep_is_held(&in->lock));
}

/* A config for @table and @default_policy with the WAN @names, but @skip
 * (-1 for none), resolved to ifindexes.
 */
static struct iot_cfg *iot_cfg_build(struct iot_net *in,
				     struct iot_table *table, u8 default_policy,
				     const struct iot_wan_names *names,
				     int skip)
{
	struct net_device *dev;
	struct iot_cfg *cfg;
	unsigned int i;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return NULL;
	cfg->table = table;
	cfg->default_policy = default_policy;
	cfg->all_wan = names->n == (skip >= 0 ? 1 : 0);

	rcu_read_lock();
	for (i = 0; i < names->n; i++) {
		if (i == skip)
			continue;
		dev = dev_get_by_name_rcu(in->net, names->name[i]);
		if (dev)
			cfg->ifindex[cfg->nifindex++] = dev->ifindex;
	}
	rcu_read_unlock();
	return cfg;
}

/* The current config, with the names re-resolved and @skip left out. */
static struct iot_cfg *iot_cfg_rebuild(struct iot_net *in, int skip)
{
	return iot_cfg_build(in, in->table, iot_default_policy(in), &in->wan,
			     skip);
}

static void iot_cfg_publish(struct iot_net *in, struct iot_cfg *cfg)
{
	struct iot_cfg *old;

	old = rcu_replace_pointer(in->cfg, cfg, lockdep_is_held(&in->lock));
	if (old)
		kfree_rcu(old, rcu);
}

int iot_cfg_init(struct iot_net *in, struct iot_table *table,
		 u8 default_policy)
{
	struct iot_cfg *cfg;

	in->table = table;
	table->published = true;
	in->wan.n = 0;
	cfg = iot_cfg_build(in, table, default_policy, &in->wan, -1);
	if (!cfg)
		return -ENOMEM;
	RCU_INIT_POINTER(in->cfg, cfg);
	return 0;
}

/* The hooks are gone and no reader is left. */
void iot_cfg_destroy(struct iot_net *in)
{
	kfree(rcu_dereference_protected(in->cfg, true));
	RCU_INIT_POINTER(in->cfg, NULL);
}

u8 iot_default_policy(struct iot_net *in)
{
	return iot_cfg_cur(in)->default_policy;
}

int iot_set_default(struct iot_net *in, u8 policy,
		    struct netlink_ext_ack *extack)
{
	struct iot_cfg *cfg;

	lockdep_assert_held(&in->lock);
	cfg = kmemdup(iot_cfg_cur(in), sizeof(*cfg), GFP_KERNEL);
	if (!cfg) {
		NL_SET_ERR_MSG(extack, "out of memory");
		return -ENOMEM;
	}
	cfg->default_policy = policy;
	iot_cfg_publish(in, cfg);
	return 0;
}

static int iot_wan_index(struct iot_net *in, const char *name)
{
	unsigned int i;

	for (i = 0; i < in->wan.n; i++)
		if (!strcmp(in->wan.name[i], name))
			return i;
	return -1;
}

int iot_wan_add(struct iot_net *in, const char *name,
		struct netlink_ext_ack *extack)
{
	struct iot_cfg *cfg;

	lockdep_assert_held(&in->lock);
	if (iot_wan_index(in, name) >= 0) {
		NL_SET_ERR_MSG(extack, "WAN interface name already configured");
		return -EEXIST;
	}
	if (in->wan.n >= IOT_EGRESS_WAN_MAX) {
		NL_SET_ERR_MSG(extack, "too many WAN interface names");
		return -ENOSPC;
	}

	strscpy(in->wan.name[in->wan.n++], name, IFNAMSIZ);
	cfg = iot_cfg_rebuild(in, -1);
	if (!cfg) {
		in->wan.n--;
		NL_SET_ERR_MSG(extack, "out of memory");
		return -ENOMEM;
	}
	iot_cfg_publish(in, cfg);
	return 0;
}

int iot_wan_del(struct iot_net *in, const char *name,
		struct netlink_ext_ack *extack)
{
	struct iot_cfg *cfg;
	int i;

	lockdep_assert_held(&in->lock);
	i = iot_wan_index(in, name);
	if (i < 0) {
		NL_SET_ERR_MSG(extack, "WAN interface name not configured");
		return -ENOENT;
	}
	cfg = iot_cfg_rebuild(in, i);
	if (!cfg) {
		NL_SET_ERR_MSG(extack, "out of memory");
		return -ENOMEM;
	}
	memmove(in->wan.name[i], in->wan.name[i + 1],
		(in->wan.n - i - 1) * sizeof(in->wan.name[0]));
	in->wan.n--;
	iot_cfg_publish(in, cfg);
	return 0;
}

/* Make @table, @default_policy and the WAN @names the live policy, all in
 * one pointer swap. Returns the table that was live, for the
 * caller to free once no reader can see it.
 */
struct iot_table *iot_cfg_replace(struct iot_net *in, struct iot_table *table,
				  u8 default_policy,
				  const struct iot_wan_names *names)
{
	struct iot_table *old = in->table;
	struct iot_cfg *cfg;

	lockdep_assert_held(&in->lock);
	cfg = iot_cfg_build(in, table, default_policy, names, -1);
	if (!cfg)
		return ERR_PTR(-ENOMEM);
	iot_table_take_stats(table, old);
	in->wan = *names;
	in->table = table;
	table->published = true;
	iot_cfg_publish(in, cfg);
	return old;
}

static int iot_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct iot_net *in;
	struct iot_cfg *cfg;

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_UNREGISTER:
	case NETDEV_CHANGENAME:
		break;
	default:
		return NOTIFY_DONE;
	}

	in = iot_net(dev_net(dev));
	mutex_lock(&in->lock);
	if (in->wan.n) {
		cfg = iot_cfg_rebuild(in, -1);
		if (cfg)
			iot_cfg_publish(in, cfg);
		else
			net_warn_ratelimited("iot_egress: cannot follow interface %s: out of memory\n",
					     dev->name);
	}
	mutex_unlock(&in->lock);
	return NOTIFY_DONE;
}

static struct notifier_block iot_netdev_notifier = {
	.notifier_call = iot_netdev_event,
};

int iot_wan_notifier_register(void)
{
	return register_netdevice_notifier(&iot_netdev_notifier);
}

void iot_wan_notifier_unregister(void)
{
	unregister_netdevice_notifier(&iot_netdev_notifier);
}
