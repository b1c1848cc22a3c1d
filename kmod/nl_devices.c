// SPDX-License-Identifier: GPL-2.0
/*
 * The requests about devices: setting, deleting and flushing devices of
 * the table, reading them back with their counters, destinations and
 * addresses, and listing the unknown devices.
 */
#include <net/sock.h>

#include "except.h"
#include "msg.h"
#include "neigh.h"
#include "net.h"
#include "nl_devices.h"
#include "nl_except.h"
#include "rec.h"
#include "txn.h"

/* Room for a destination nest. */
#define IOT_DEST_SIZE	200

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

static int iot_put_dests(struct sk_buff *skb, const struct iot_dest_info *v,
			 unsigned int n)
{
	struct nlattr *list, *entry;
	unsigned int i;

	list = nla_nest_start(skb, IOT_EGRESS_A_DEST_LIST);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		const struct iot_flow *f = &v[i].flow;

		entry = nla_nest_start(skb, i + 1);
		if (!entry ||
		    nla_put_u8(skb, IOT_EGRESS_A_FAMILY, f->family) ||
		    iot_put_addr(skb, IOT_EGRESS_A_DST, f->family, &f->dst) ||
		    iot_put_addr(skb, IOT_EGRESS_A_SRC, f->family, &f->src) ||
		    nla_put_u8(skb, IOT_EGRESS_A_PROTO, f->proto) ||
		    nla_put_u16(skb, IOT_EGRESS_A_DPORT, f->dport) ||
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

struct iot_set_device {
	const u8 *mac;
	u8 policy;
	const char *label;
	/* With an except-list: its keys, added in the same step. */
	struct iot_exc_key *keys;
	unsigned int nkeys;
};

static int iot_set_device(struct iot_net *in, const void *arg,
			  struct netlink_ext_ack *extack)
{
	const struct iot_set_device *set = arg;

	if (set->keys)
		return iot_except_lock(in->table, set->mac, set->policy,
				       set->keys, set->nkeys, extack);
	return iot_dev_set(in->table, set->mac, set->policy, set->label,
			   extack);
}

int iot_nl_set_device(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_set_device set = { };
	struct iot_txn t = {
		.change = iot_set_device, .arg = &set,
		.drops = true, .policy = true,
	};
	struct nlattr *label = info->attrs[IOT_EGRESS_A_NAME];
	struct nlattr *excs = info->attrs[IOT_EGRESS_A_EXCEPT_LIST];
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = iot_get_mac(info, &set.mac);
	if (err)
		return err;
	if (IOT_REQUIRE(info, IOT_EGRESS_A_POLICY, "policy missing"))
		return -EINVAL;
	set.policy = nla_get_u8(info->attrs[IOT_EGRESS_A_POLICY]);
	if (label && excs) {
		NL_SET_ERR_MSG_ATTR(info->extack, label,
				    "a name and an exception list: not in one request");
		return -EINVAL;
	}
	if (label) {
		err = iot_check_label(label, info->extack);
		if (err)
			return err;
		set.label = nla_data(label);
	}
	if (excs) {
		set.keys = iot_nl_except_keys(excs, &set.nkeys, info->extack);
		if (IS_ERR(set.keys))
			return PTR_ERR(set.keys);
	}
	msg = iot_reply_new(info, NLMSG_DEFAULT_SIZE, IOT_EGRESS_CMD_SET_DEVICE,
			    &hdr);
	if (!msg) {
		kfree(set.keys);
		return -ENOMEM;
	}
	t.cut = set.policy == IOT_EGRESS_POLICY_DENY;
	t.cut_mac = set.mac;
	err = iot_txn(iot_info_net(info), &t, info->extack);
	kfree(set.keys);
	return iot_reply_send(info, msg, hdr, err,
			      nla_put(msg, IOT_EGRESS_A_MAC, ETH_ALEN, set.mac) ||
			      nla_put_u8(msg, IOT_EGRESS_A_POLICY, set.policy) ||
			      nla_put_u32(msg, IOT_EGRESS_A_CUT, t.ncut));
}

static int iot_del_device(struct iot_net *in, const void *mac,
			  struct netlink_ext_ack *extack)
{
	return iot_dev_del(in->table, mac, extack);
}

int iot_nl_del_device(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_txn t = { .change = iot_del_device, .policy = true };
	const u8 *mac;
	int err;

	err = iot_get_mac(info, &mac);
	if (err)
		return err;
	t.arg = mac;
	return iot_txn(iot_info_net(info), &t, info->extack);
}

static int iot_flush(struct iot_net *in, const void *arg,
		     struct netlink_ext_ack *extack)
{
	iot_dev_flush(in->table);
	return 0;
}

int iot_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct iot_txn t = { .change = iot_flush, .policy = true };

	return iot_txn(iot_info_net(info), &t, info->extack);
}

/* A device message, its header @hdr already put (NULL if it did not fit). */
static int iot_fill_dev(struct sk_buff *skb, void *hdr, struct iot_table *t,
			const struct iot_dev *dev)
{
	struct iot_stats st;
	const char *label;

	if (!hdr)
		return -EMSGSIZE;
	label = iot_dev_label(t, dev);
	iot_dev_stats(dev, &st);
	if (nla_put(skb, IOT_EGRESS_A_MAC, ETH_ALEN, dev->mac) ||
	    nla_put_u8(skb, IOT_EGRESS_A_POLICY, dev->policy) ||
	    (label && nla_put_string(skb, IOT_EGRESS_A_NAME, label)) ||
	    iot_put_stats(skb, &st) ||
	    iot_nl_put_excs(skb, rcu_dereference_protected(dev->excs,
							   lockdep_is_held(t->lock)))) {
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
	struct iot_rec_tally tally;
	int err = -EMSGSIZE;

	dests = kvmalloc_array(max ?: 1, sizeof(*dests), GFP_KERNEL);
	addrs = kmalloc_array(IOT_ADDRS_MAX, sizeof(*addrs), GFP_KERNEL);
	if (!dests || !addrs) {
		err = -ENOMEM;
		goto out;
	}
	n = iot_rec_dests(in->rec, mac, false, dests, max, &tally);
	if (nla_put_u64_64bit(msg, IOT_EGRESS_A_SUPPRESSED, tally.suppressed,
			      IOT_EGRESS_A_PAD) ||
	    nla_put_u64_64bit(msg, IOT_EGRESS_A_EVICTED, tally.evicted,
			      IOT_EGRESS_A_PAD) ||
	    iot_put_dests(msg, dests, n))
		goto out;

	n = iot_neigh_addrs_of(in->net, mac, addrs, IOT_ADDRS_MAX);
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

int iot_nl_get_device(struct sk_buff *skb, struct genl_info *info)
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
			  READ_ONCE(iot_dests_per_device) * IOT_DEST_SIZE +
			  IOT_EXC_LIST_MAX * IOT_EXC_NEST_SIZE, GFP_KERNEL);
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
		err = iot_fill_dev(msg, iot_msg_put(msg, info->snd_portid,
						    info->snd_seq, 0,
						    IOT_EGRESS_CMD_GET_DEVICE),
				   in->table, dev);
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
int iot_nl_dump_devices(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iot_net *in = iot_net(sock_net(skb->sk));
	struct iot_dev *dev;
	u64 key;

	key = (u64)cb->args[1] << 32 | (u32)cb->args[2];
	mutex_lock(&in->lock);
	cb->seq = in->generation;
	for (dev = iot_dev_first_after(in->table, key, !cb->args[0]); dev;
	     dev = iot_dev_next(dev)) {
		if (iot_fill_dev(skb, iot_msg_dump_put(skb, cb,
						       IOT_EGRESS_CMD_GET_DEVICE),
				 in->table, dev))
			break;
		key = iot_sort_key(dev->mac);
		cb->args[0] = 1;
		cb->args[1] = key >> 32;
		cb->args[2] = (u32)key;
	}
	mutex_unlock(&in->lock);
	return skb->len;
}

/* cb->args: [0] how many unknown devices were sent. */
int iot_nl_dump_unknown(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iot_net *in = iot_net(sock_net(skb->sk));
	unsigned int max = READ_ONCE(iot_dests_per_device), n;
	struct iot_dest_info *dests;
	struct iot_stats st;
	struct iot_rec_tally tally;
	time64_t first;
	u8 mac[ETH_ALEN];
	void *hdr;
	u32 gen;

	dests = kvmalloc_array(max ?: 1, sizeof(*dests), GFP_KERNEL);
	if (!dests)
		return -ENOMEM;
	while (!iot_rec_unknown_nth(in->rec, cb->args[0], mac, &st, &first,
				    &gen)) {
		cb->seq = gen ?: 1;
		n = iot_rec_dests(in->rec, mac, true, dests, max, &tally);
		hdr = iot_msg_dump_put(skb, cb, IOT_EGRESS_CMD_GET_UNKNOWN);
		if (!hdr)
			break;
		if (nla_put(skb, IOT_EGRESS_A_MAC, ETH_ALEN, mac) ||
		    nla_put_u64_64bit(skb, IOT_EGRESS_A_DENIED_PACKETS,
				      st.deny_pkts, IOT_EGRESS_A_PAD) ||
		    nla_put_u64_64bit(skb, IOT_EGRESS_A_DENIED_BYTES,
				      st.deny_bytes, IOT_EGRESS_A_PAD) ||
		    iot_put_time(skb, IOT_EGRESS_A_FIRST_SEEN, first) ||
		    iot_put_time(skb, IOT_EGRESS_A_LAST_DENIED, st.last_deny) ||
		    nla_put_u64_64bit(skb, IOT_EGRESS_A_SUPPRESSED,
				      tally.suppressed, IOT_EGRESS_A_PAD) ||
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
