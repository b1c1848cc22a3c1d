// SPDX-License-Identifier: GPL-2.0
/*
 * iot_egress: keep chosen LAN devices off the WAN.
 *
 * This file only orders module init and exit. docs/design.md draws how the
 * other files stand on each other.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "net.h"
#include "netlink.h"
#include "rec.h"
#include "table.h"

/* The parts of the module, in the order they come up: every netns has its
 * state before anything can look for it, and the family comes last.
 */
static const struct {
	int (*init)(void);
	void (*exit)(void);
} iot_parts[] = {
	{ iot_dev_cache_init,		iot_dev_cache_destroy },
	{ iot_rec_cache_init,		iot_rec_cache_destroy },
	{ iot_net_register,		iot_net_unregister },
	{ iot_genl_register,		iot_genl_unregister },
};

static void iot_down(unsigned int n)
{
	while (n--)
		iot_parts[n].exit();
}

static int __init iot_init(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(iot_parts); i++) {
		err = iot_parts[i].init();
		if (err) {
			iot_down(i);
			return err;
		}
	}
	return 0;
}

static void __exit iot_exit(void)
{
	iot_down(ARRAY_SIZE(iot_parts));
}

module_init(iot_init);
module_exit(iot_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Keep chosen LAN devices, by MAC address, off the WAN");
MODULE_AUTHOR("iot-egress developers");
MODULE_VERSION(IOT_EGRESS_VERSION);
MODULE_ALIAS_GENL_FAMILY(IOT_EGRESS_GENL_NAME);
