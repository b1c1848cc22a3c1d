// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: every netns gets its own table, WAN names,
 * default policy, hooks, recorder and monitor, set up when the netns (or
 * the module) comes and freed when it goes, and kept in step with its
 * interfaces as they come, go and are renamed, and with the netlink
 * sockets that go while they load a policy.
 */
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>

#include "load.h"
#include "monitor.h"
#include "net.h"
#include "rec.h"
#include "txn.h"

unsigned int iot_net_id __read_mostly;

/* The default of every netns from the moment it (or the module) appears:
 * "deny" keeps unknown devices off the WAN until the policy is loaded.
 */
static u8 iot_boot_default __read_mostly = IOT_EGRESS_POLICY_ALLOW;

static int iot_default_param_set(const char *val,
				 const struct kernel_param *kp)
{
	if (sysfs_streq(val, "allow"))
		iot_boot_default = IOT_EGRESS_POLICY_ALLOW;
	else if (sysfs_streq(val, "deny"))
		iot_boot_default = IOT_EGRESS_POLICY_DENY;
	else
		return -EINVAL;
	return 0;
}

static int iot_default_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", iot_boot_default ==
			  IOT_EGRESS_POLICY_DENY ? "deny" : "allow");
}

static const struct kernel_param_ops iot_default_param_ops = {
	.set = iot_default_param_set,
	.get = iot_default_param_get,
};

module_param_cb(default_policy, &iot_default_param_ops, NULL, 0444);
MODULE_PARM_DESC(default_policy, "Policy of devices not in the table until one is set: allow (default) or deny");

static int __net_init iot_net_init(struct net *net)
{
	struct iot_net *in = iot_net(net);
	struct iot_txn boot = { };
	struct iot_table *table;
	int err;

	in->net = net;
	mutex_init(&in->lock);
	in->generation = 1;
	err = iot_hooks_init(in);
	if (err)
		return err;
	err = -ENOMEM;
	table = iot_table_new(&in->lock);
	if (!table)
		goto err_hooks;
	err = iot_cfg_init(in, table, iot_boot_default);
	if (err)
		goto err_table;
	err = -ENOMEM;
	in->mon = iot_monitor_new(net);
	if (!in->mon)
		goto err_cfg;
	in->rec = iot_rec_new(net, in->mon, &in->cfg);
	if (!in->rec)
		goto err_mon;
	/* Under "deny", unknown devices are dropped from the start. */
	boot.drops = iot_boot_default == IOT_EGRESS_POLICY_DENY;
	err = iot_txn(in, &boot, NULL);
	if (err)
		goto err_rec;
	return 0;

err_rec:
	iot_rec_free(in->rec);
err_mon:
	iot_monitor_free(in->mon);
err_cfg:
	iot_cfg_destroy(in);
err_table:
	iot_table_free(table);
err_hooks:
	iot_hooks_exit(in);
	return err;
}

static void __net_exit iot_net_exit(struct net *net)
{
	struct iot_net *in = iot_net(net);

	/* Unregistering waits for packets still in the hooks. */
	iot_hooks_exit(in);
	iot_rec_free(in->rec);
	iot_monitor_free(in->mon);
	iot_load_drop(in);
	iot_table_free(in->table);
	iot_cfg_destroy(in);
	mutex_destroy(&in->lock);
}

static struct pernet_operations iot_net_ops = {
	.init = iot_net_init,
	.exit = iot_net_exit,
	.id = &iot_net_id,
	.size = sizeof(struct iot_net),
};

static int iot_follow(struct iot_net *in, const void *dev,
		      struct netlink_ext_ack *extack)
{
	iot_cfg_refresh(in, dev);
	return 0;
}

/* Under RTNL: an interface came, went (or moved to another netns) or was
 * renamed, so the WAN names resolve to other interfaces.
 */
static int iot_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct iot_txn t = { .change = iot_follow, .arg = dev };

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_UNREGISTER:
	case NETDEV_CHANGENAME:
		break;
	default:
		return NOTIFY_DONE;
	}

	iot_txn(iot_net(dev_net(dev)), &t, NULL);
	return NOTIFY_DONE;
}

static struct notifier_block iot_netdev_notifier = {
	.notifier_call = iot_netdev_event,
};

static int iot_release(struct iot_net *in, const void *portid,
		       struct netlink_ext_ack *extack)
{
	iot_load_release(in, *(const u32 *)portid);
	return 0;
}

/* A netlink socket closed: a load it began will never be committed. */
static int iot_netlink_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct netlink_notify *n = ptr;
	struct iot_txn t = { .change = iot_release, .arg = &n->portid };

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	iot_txn(iot_net(n->net), &t, NULL);
	return NOTIFY_DONE;
}

static struct notifier_block iot_netlink_notifier = {
	.notifier_call = iot_netlink_event,
};

/* Every netns has its state before anything can look for it. */
int iot_net_register(void)
{
	int err = register_pernet_subsys(&iot_net_ops);

	if (err)
		return err;
	err = register_netdevice_notifier(&iot_netdev_notifier);
	if (err)
		goto err_pernet;
	err = netlink_register_notifier(&iot_netlink_notifier);
	if (err)
		goto err_netdev;
	return 0;

err_netdev:
	unregister_netdevice_notifier(&iot_netdev_notifier);
err_pernet:
	unregister_pernet_subsys(&iot_net_ops);
	return err;
}

void iot_net_unregister(void)
{
	netlink_unregister_notifier(&iot_netlink_notifier);
	unregister_netdevice_notifier(&iot_netdev_notifier);
	unregister_pernet_subsys(&iot_net_ops);
}
