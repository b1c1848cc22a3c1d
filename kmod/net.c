// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: every netns gets its own table, WAN names,
 * default policy and hooks, set up when the netns (or the module) comes and
 * freed when it goes.
 */
#include <linux/percpu.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "iot_egress.h"

unsigned int iot_net_id __read_mostly;

struct iot_net *iot_net(const struct net *net)
{
	return net_generic(net, iot_net_id);
}

u64 iot_dropped(const struct iot_net *in)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(in->dropped, cpu));
	return sum;
}

static int __net_init iot_net_init(struct net *net)
{
	struct iot_net *in = iot_net(net);
	struct iot_table *table;
	int err;

	in->net = net;
	mutex_init(&in->lock);
	in->generation = 1;
	in->dropped = alloc_percpu(u64);
	if (!in->dropped)
		return -ENOMEM;
	table = iot_table_new(&in->lock);
	if (!table) {
		err = -ENOMEM;
		goto err_dropped;
	}
	err = iot_cfg_init(in, table, iot_boot_default);
	if (err)
		goto err_table;
	err = iot_rec_init(in);
	if (err)
		goto err_cfg;
	iot_hooks_init(in);
	mutex_lock(&in->lock);
	if (iot_boot_default == IOT_EGRESS_POLICY_DENY)
		err = iot_hooks_get(in, NULL);
	mutex_unlock(&in->lock);
	if (err)
		goto err_rec;
	return 0;

err_rec:
	iot_rec_exit(in);
err_cfg:
	iot_cfg_destroy(in);
err_table:
	iot_table_free(table);
err_dropped:
	free_percpu(in->dropped);
	return err;
}

static void __net_exit iot_net_exit(struct net *net)
{
	struct iot_net *in = iot_net(net);

	/* Unregistering waits for packets still in the hooks. */
	iot_hooks_exit(in);
	iot_rec_exit(in);
	iot_load_drop(in);
	iot_table_free(in->table);
	iot_cfg_destroy(in);
	free_percpu(in->dropped);
	mutex_destroy(&in->lock);
}

static struct pernet_operations iot_net_ops = {
	.init = iot_net_init,
	.exit = iot_net_exit,
	.id = &iot_net_id,
	.size = sizeof(struct iot_net),
};

int iot_net_register(void)
{
	return register_pernet_subsys(&iot_net_ops);
}

void iot_net_unregister(void)
{
	unregister_pernet_subsys(&iot_net_ops);
}
