// SPDX-License-Identifier: GPL-2.0
/*
 * iot_egress: keep chosen LAN devices off the WAN.
 *
 * This file only orders module init and exit.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "iot_egress.h"

unsigned int iot_max_devices __read_mostly = 65536;
module_param_named(max_devices, iot_max_devices, uint, 0644);
MODULE_PARM_DESC(max_devices, "Most devices the table of one network namespace may hold (default 65536)");

unsigned int iot_max_dests __read_mostly = 4096;
module_param_named(max_dests, iot_max_dests, uint, 0644);
MODULE_PARM_DESC(max_dests, "Most destinations recorded in one network namespace (default 4096)");

unsigned int iot_dests_per_device __read_mostly = 32;
module_param_named(dests_per_device, iot_dests_per_device, uint, 0644);
MODULE_PARM_DESC(dests_per_device, "Most destinations recorded for one device; 0 records none (default 32)");

unsigned int iot_max_unknown __read_mostly = 256;
module_param_named(max_unknown, iot_max_unknown, uint, 0644);
MODULE_PARM_DESC(max_unknown, "Most unknown devices recorded under default deny in one network namespace (default 256)");

unsigned int iot_events_per_device __read_mostly = 10;
module_param_named(events_per_device, iot_events_per_device, uint, 0644);
MODULE_PARM_DESC(events_per_device, "Most monitor events per second for one device (default 10)");

unsigned int iot_events_per_sec __read_mostly = 100;
module_param_named(events_per_sec, iot_events_per_sec, uint, 0644);
MODULE_PARM_DESC(events_per_sec, "Most monitor events per second in one network namespace (default 100)");

unsigned int iot_summary_interval __read_mostly = 10;
module_param_named(summary_interval, iot_summary_interval, uint, 0644);
MODULE_PARM_DESC(summary_interval, "Seconds between summaries of repeated destinations (default 10)");

/* The default of every netns from the moment it (or the module) appears:
 * "deny" keeps unknown devices off the WAN until the policy is loaded.
 */
u8 iot_boot_default __read_mostly = IOT_EGRESS_POLICY_ALLOW;

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

static int __init iot_init(void)
{
	int err;

	err = iot_dev_cache_init();
	if (err)
		return err;
	err = iot_rec_cache_init();
	if (err)
		goto err_dev_cache;
	/* Every netns has its state before anything can look for it. */
	err = iot_net_register();
	if (err)
		goto err_cache;
	err = iot_wan_notifier_register();
	if (err)
		goto err_net;
	err = iot_load_notifier_register();
	if (err)
		goto err_wan_notifier;
	err = iot_genl_register();
	if (err)
		goto err_load_notifier;
	return 0;

err_load_notifier:
	iot_load_notifier_unregister();
err_wan_notifier:
	iot_wan_notifier_unregister();
err_net:
	iot_net_unregister();
err_cache:
	iot_rec_cache_destroy();
err_dev_cache:
	iot_dev_cache_destroy();
	return err;
}

static void __exit iot_exit(void)
{
	iot_genl_unregister();
	iot_load_notifier_unregister();
	iot_wan_notifier_unregister();
	iot_net_unregister();
	/* Devices are freed by call_rcu() callbacks in this module. */
	rcu_barrier();
	iot_rec_cache_destroy();
	iot_dev_cache_destroy();
}

module_init(iot_init);
module_exit(iot_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Keep chosen LAN devices, by MAC address, off the WAN");
MODULE_AUTHOR("iot-egress developers");
MODULE_VERSION(IOT_EGRESS_VERSION);
MODULE_ALIAS_GENL_FAMILY(IOT_EGRESS_GENL_NAME);
