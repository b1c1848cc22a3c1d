// SPDX-License-Identifier: GPL-2.0
/*
 * The config the packet path reads: the device table, the default policy
 * and the WAN interfaces, published together behind one RCU pointer.
 *
 * WAN interfaces are configured by name: a PPPoE or WireGuard link may not
 * exist yet, may be renamed, or may move to another netns. The names are
 * resolved to ifindexes whenever the config is built, and again whenever
 * an interface appears, disappears or is renamed (iot_cfg_refresh()), so
 * the packet path compares integers only.
 */
#include <linux/netdevice.h>
#include <linux/slab.h>

#include "cfg.h"
#include "net.h"

static struct iot_cfg *iot_cfg_cur(struct iot_net *in)
{
	return rcu_dereference_protected(in->cfg, lockdep_is_held(&in->lock));
}

static int iot_wan_names_find(const struct iot_wan_names *names,
			      const char *name)
{
	unsigned int i;

	for (i = 0; i < names->n; i++)
		if (!strcmp(names->name[i], name))
			return i;
	return -1;
}

/* A name the policy let through: at most IFNAMSIZ - 1 bytes, with a NUL. */
static int iot_wan_name_valid(const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	if (!dev_valid_name(nla_data(attr))) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "invalid interface name");
		return -EINVAL;
	}
	return 0;
}

/* Adds the name @attr carries to @names, by the rules of every list of
 * WAN names: a valid interface name, once, IOT_EGRESS_WAN_MAX at most.
 */
int iot_wan_names_add(struct iot_wan_names *names, const struct nlattr *attr,
		      struct netlink_ext_ack *extack)
{
	int err = iot_wan_name_valid(attr, extack);

	if (err)
		return err;
	if (iot_wan_names_find(names, nla_data(attr)) >= 0) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "WAN interface name already configured");
		return -EEXIST;
	}
	if (names->n >= IOT_EGRESS_WAN_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "too many WAN interface names");
		return -ENOSPC;
	}
	strscpy(names->name[names->n++], nla_data(attr), IFNAMSIZ);
	return 0;
}

/* The interface called @name in @net now, or 0. */
int iot_wan_ifindex(struct net *net, const char *name)
{
	struct net_device *dev;
	int ifindex;

	rcu_read_lock();
	dev = dev_get_by_name_rcu(net, name);
	ifindex = dev ? dev->ifindex : 0;
	rcu_read_unlock();
	return ifindex;
}

/* A config for @table and @default_policy with the WAN @names, but @skip
 * (-1 for none), resolved to ifindexes.
 */
static struct iot_cfg *iot_cfg_build(struct iot_net *in,
				     struct iot_table *table, u8 default_policy,
				     const struct iot_wan_names *names,
				     int skip)
{
	struct iot_cfg *cfg;
	unsigned int i;
	int ifindex;

	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return NULL;
	cfg->table = table;
	cfg->default_policy = default_policy;
	cfg->wan.all = names->n == (skip >= 0 ? 1 : 0);
	if (cfg->wan.all)
		cfg->wan.low = ~0ULL;
	for (i = 0; i < names->n; i++) {
		if (i == skip)
			continue;
		ifindex = iot_wan_ifindex(in->net, names->name[i]);
		if (!ifindex)
			continue;
		cfg->wan.ifindex[cfg->wan.n++] = ifindex;
		if (ifindex < IOT_WAN_LOW)
			cfg->wan.low |= BIT_ULL(ifindex);
	}
	return cfg;
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

/* Publishes the current config again, with the names re-resolved and
 * @skip (-1 for none) left out.
 */
static int iot_cfg_republish(struct iot_net *in, int skip,
			     struct netlink_ext_ack *extack)
{
	struct iot_cfg *cfg = iot_cfg_build(in, in->table,
					    iot_default_policy(in), &in->wan,
					    skip);

	if (!cfg) {
		NL_SET_ERR_MSG(extack, "out of memory");
		return -ENOMEM;
	}
	iot_cfg_publish(in, cfg);
	return 0;
}

int iot_wan_add(struct iot_net *in, const struct nlattr *attr,
		struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&in->lock);
	err = iot_wan_names_add(&in->wan, attr, extack);
	if (err)
		return err;
	err = iot_cfg_republish(in, -1, extack);
	if (err)
		in->wan.n--;
	return err;
}

int iot_wan_del(struct iot_net *in, const struct nlattr *attr,
		struct netlink_ext_ack *extack)
{
	int i, err;

	lockdep_assert_held(&in->lock);
	err = iot_wan_name_valid(attr, extack);
	if (err)
		return err;
	i = iot_wan_names_find(&in->wan, nla_data(attr));
	if (i < 0) {
		NL_SET_ERR_MSG(extack, "WAN interface name not configured");
		return -ENOENT;
	}
	err = iot_cfg_republish(in, i, extack);
	if (err)
		return err;
	memmove(in->wan.name[i], in->wan.name[i + 1],
		(in->wan.n - i - 1) * sizeof(in->wan.name[0]));
	in->wan.n--;
	return 0;
}

/* Make @table, @default_policy and the WAN @names the live policy, all in
 * one pointer swap. Returns the table that was live, for the caller to
 * free once no reader can see it.
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

/* An interface (@dev) appeared, went or was renamed: resolve the names
 * again.
 */
void iot_cfg_refresh(struct iot_net *in, const struct net_device *dev)
{
	lockdep_assert_held(&in->lock);
	if (in->wan.n && iot_cfg_republish(in, -1, NULL))
		net_warn_ratelimited("iot_egress: cannot follow interface %s: out of memory\n",
				     dev->name);
}
