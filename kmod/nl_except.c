// SPDX-License-Identifier: GPL-2.0
/*
 * The requests about exceptions: adding one, removing one (which cuts the
 * connections it alone let through), and listing them; and the exception
 * lists that set-device, load-devices and get-device carry.
 */
#include <net/sock.h>

#include "except.h"
#include "msg.h"
#include "net.h"
#include "nl_except.h"
#include "txn.h"

const struct nla_policy iot_except_policy[IOT_EGRESS_A_PORT_MAX + 1] = {
	[IOT_EGRESS_A_MAC]		= NLA_POLICY_ETH_ADDR,
	[IOT_EGRESS_A_ANY]		= { .type = NLA_FLAG },
	[IOT_EGRESS_A_FAMILY]		= { .type = NLA_U8 },
	[IOT_EGRESS_A_ADDR]		= { .type = NLA_BINARY,
					    .len = sizeof(struct in6_addr) },
	[IOT_EGRESS_A_PREFIX_LEN]	= NLA_POLICY_MAX(NLA_U8, 128),
	[IOT_EGRESS_A_PROTO]		= { .type = NLA_U8 },
	[IOT_EGRESS_A_PORT_MIN]		= NLA_POLICY_MIN(NLA_U16, 1),
	[IOT_EGRESS_A_PORT_MAX]		= NLA_POLICY_MIN(NLA_U16, 1),
};

const struct nla_policy iot_except_filter_policy[IOT_EGRESS_A_ANY + 1] = {
	[IOT_EGRESS_A_MAC]	= NLA_POLICY_ETH_ADDR,
	[IOT_EGRESS_A_ANY]	= { .type = NLA_FLAG },
};

/* Whose exception @tb names: a device's (*@mac), or any (*@mac NULL). */
static int iot_except_whose(struct nlattr **tb, const struct nlattr *where,
			    const u8 **mac, struct netlink_ext_ack *extack)
{
	const struct nlattr *m = tb[IOT_EGRESS_A_MAC];
	int err;

	*mac = NULL;
	if (m && tb[IOT_EGRESS_A_ANY]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IOT_EGRESS_A_ANY],
				    "a MAC address and any: give one");
		return -EINVAL;
	}
	if (!m && !tb[IOT_EGRESS_A_ANY]) {
		NL_SET_ERR_MSG_ATTR(extack, where,
				    "exception needs a MAC address or any");
		return -EINVAL;
	}
	if (!m)
		return 0;
	err = iot_check_mac(m, extack);
	if (!err)
		*mac = nla_data(m);
	return err;
}

struct iot_except_req {
	const u8 *mac;
	struct iot_exc_key key;
};

static int iot_except_req(struct genl_info *info, struct iot_except_req *r)
{
	int err;

	err = iot_except_whose(info->attrs, NULL, &r->mac, info->extack);
	if (!err)
		err = iot_exc_key_parse(&r->key, info->attrs, NULL,
					info->extack);
	return err;
}

static int iot_add_except(struct iot_net *in, const void *arg,
			  struct netlink_ext_ack *extack)
{
	const struct iot_except_req *r = arg;

	return iot_except_add(in->table, r->mac, &r->key, 1, false, extack);
}

int iot_nl_add_except(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_except_req r;
	struct iot_txn t = { .change = iot_add_except, .arg = &r,
			     .policy = true };
	int err;

	err = iot_except_req(info, &r);
	if (err)
		return err;
	return iot_txn(iot_info_net(info), &t, info->extack);
}

static int iot_del_except(struct iot_net *in, const void *arg,
			  struct netlink_ext_ack *extack)
{
	const struct iot_except_req *r = arg;

	return iot_except_del(in->table, r->mac, &r->key, extack);
}

int iot_nl_del_except(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_except_req r;
	/* What the exception let through and no other does is cut: of its
	 * device, or of every device the policy drops.
	 */
	struct iot_txn t = { .change = iot_del_except, .arg = &r,
			     .policy = true, .cut = true };
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = iot_except_req(info, &r);
	if (err)
		return err;
	t.cut_mac = r.mac;
	msg = iot_reply_new(info, NLMSG_DEFAULT_SIZE, IOT_EGRESS_CMD_DEL_EXCEPT,
			    &hdr);
	if (!msg)
		return -ENOMEM;
	err = iot_txn(iot_info_net(info), &t, info->extack);
	return iot_reply_send(info, msg, hdr, err,
			      nla_put_u32(msg, IOT_EGRESS_A_CUT, t.ncut));
}

/* The exceptions of @x, each with its counters, as an except-list. */
int iot_nl_put_excs(struct sk_buff *skb, const struct iot_excs *x)
{
	struct nlattr *list, *entry;
	unsigned int i;

	list = nla_nest_start(skb, IOT_EGRESS_A_EXCEPT_LIST);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < iot_excs_count(x); i++) {
		entry = nla_nest_start(skb, i + 1);
		if (!entry || iot_exc_put(skb, &x->v[i]))
			return -EMSGSIZE;
		nla_nest_end(skb, entry);
	}
	nla_nest_end(skb, list);
	return 0;
}

/*
 * The keys of the except-list @list of a set-device request, whose entries
 * name no device of their own: a kmalloc()ed array of *@n, or an ERR_PTR.
 */
struct iot_exc_key *iot_nl_except_keys(const struct nlattr *list,
				       unsigned int *n,
				       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IOT_EGRESS_A_PORT_MAX + 1];
	const struct nlattr *entry;
	struct iot_exc_key *keys;
	unsigned int count = 0;
	int rem, err;

	nla_for_each_nested(entry, list, rem)
		count++;
	if (count > IOT_EXC_LIST_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, list,
				    "too many exceptions for one device (exceptions_per_device)");
		return ERR_PTR(-ENOSPC);
	}
	keys = kcalloc(max(count, 1U), sizeof(*keys), GFP_KERNEL);
	if (!keys) {
		NL_SET_ERR_MSG(extack, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	*n = 0;
	nla_for_each_nested(entry, list, rem) {
		err = nla_parse_nested(tb, IOT_EGRESS_A_PORT_MAX, entry,
				       iot_except_policy, extack);
		if (!err && (tb[IOT_EGRESS_A_MAC] || tb[IOT_EGRESS_A_ANY])) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "these exceptions are the device's: no MAC address or any");
			err = -EINVAL;
		}
		if (!err)
			err = iot_exc_key_parse(&keys[*n], tb, entry, extack);
		if (err) {
			kfree(keys);
			return ERR_PTR(err);
		}
		(*n)++;
	}
	return keys;
}

/* One entry of a load's except-list, into the staged table @t. */
int iot_nl_except_stage(struct iot_table *t, const struct nlattr *entry,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IOT_EGRESS_A_PORT_MAX + 1];
	struct iot_except_req r;
	int err;

	err = nla_parse_nested(tb, IOT_EGRESS_A_PORT_MAX, entry,
			       iot_except_policy, extack);
	if (!err)
		err = iot_except_whose(tb, entry, &r.mac, extack);
	if (!err)
		err = iot_exc_key_parse(&r.key, tb, entry, extack);
	if (!err)
		err = iot_except_add(t, r.mac, &r.key, 1, true, extack);
	/* Name the entry, for iotctl to give its line. */
	if (err)
		NL_SET_BAD_ATTR(extack, entry);
	return err;
}

/* One get-except message per exception of @x from cb->args[4] on, for
 * @mac (NULL: any).
 */
static int iot_dump_excs(struct sk_buff *skb, struct netlink_callback *cb,
			 const u8 *mac, const struct iot_excs *x)
{
	void *hdr;

	for (; cb->args[4] < iot_excs_count(x); cb->args[4]++) {
		hdr = iot_msg_dump_put(skb, cb, IOT_EGRESS_CMD_GET_EXCEPT);
		if (!hdr)
			return -EMSGSIZE;
		if ((mac ? nla_put(skb, IOT_EGRESS_A_MAC, ETH_ALEN, mac) :
			   nla_put_flag(skb, IOT_EGRESS_A_ANY)) ||
		    iot_exc_put(skb, &x->v[cb->args[4]])) {
			genlmsg_cancel(skb, hdr);
			return -EMSGSIZE;
		}
		genlmsg_end(skb, hdr);
	}
	return 0;
}

/*
 * cb->args: [0] set once the exceptions for any are sent; [1] 1 while in
 * the list of the device whose MAC's halves are [2] and [3], 2 once that
 * list is sent; [4] the next exception of the list being sent. A part
 * resumes in that device's list, or after it if the device is gone.
 */
int iot_nl_dump_excepts(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iot_net *in = iot_net(sock_net(skb->sk));
	struct nlattr *tb[IOT_EGRESS_A_ANY + 1];
	const u8 *only = NULL;
	struct iot_table *t;
	struct iot_dev *dev;
	u64 key;
	int err;

	err = nlmsg_parse(cb->nlh, GENL_HDRLEN, tb, IOT_EGRESS_A_ANY,
			  iot_except_filter_policy, cb->extack);
	if (!err && tb[IOT_EGRESS_A_MAC])
		err = iot_except_whose(tb, NULL, &only, cb->extack);
	if (err)
		return err;

	mutex_lock(&in->lock);
	t = in->table;
	cb->seq = in->generation;
	if (only && !cb->args[0] && !iot_dev_find(t, only)) {
		NL_SET_ERR_MSG(cb->extack, "device not in the table");
		err = -ENOENT;
		goto out;
	}
	if (!cb->args[0]) {
		if (!only && iot_dump_excs(skb, cb, NULL, iot_except_list(t, NULL)))
			goto out;
		cb->args[0] = 1;
		cb->args[4] = 0;
	}
	if (tb[IOT_EGRESS_A_ANY])
		goto out;

	key = (u64)cb->args[2] << 32 | (u32)cb->args[3];
	if (only)
		dev = cb->args[1] == 2 ? NULL : iot_dev_find(t, only);
	else if (cb->args[1] == 1)
		dev = iot_dev_first_after(t, key - 1, false);
	else
		dev = iot_dev_first_after(t, key, !cb->args[1]);
	for (; dev; dev = only ? NULL : iot_dev_next(dev)) {
		if (cb->args[1] != 1 || iot_sort_key(dev->mac) != key)
			cb->args[4] = 0;
		key = iot_sort_key(dev->mac);
		cb->args[1] = 1;
		cb->args[2] = key >> 32;
		cb->args[3] = (u32)key;
		if (iot_dump_excs(skb, cb, dev->mac,
				  rcu_dereference_protected(dev->excs,
							    lockdep_is_held(&in->lock))))
			break;
		cb->args[1] = 2;
	}
out:
	mutex_unlock(&in->lock);
	return err ?: skb->len;
}
