// SPDX-License-Identifier: GPL-2.0
/*
 * Exceptions: a WAN-bound packet that would be dropped, of a denied device
 * or of an unknown one under default deny, is let through when its
 * destination is in an exception's prefix, with the exception's protocol
 * and destination port where it gives them. "Every camera may reach NTP":
 * 0.0.0.0/0, UDP, port 123, for any device.
 *
 * The exceptions of a device are a short list, walked in the order they
 * were added, and only by packets that would otherwise be dropped: an
 * allowed device pays nothing for them. Lists are replaced, never changed:
 * a writer publishes a new list and the old one goes after a grace
 * period. Each exception's counters live apart from the lists, so a new
 * list takes them over.
 */
#include <linux/inetdevice.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "exc.h"
#include "msg.h"

unsigned int iot_max_exceptions __read_mostly = 4096;
module_param_named(max_exceptions, iot_max_exceptions, uint, 0644);
MODULE_PARM_DESC(max_exceptions, "Most exceptions in one network namespace (default 4096)");

static unsigned int iot_exceptions_per_device __read_mostly = IOT_EXC_LIST_MAX;
module_param_named(exceptions_per_device, iot_exceptions_per_device, uint, 0644);
MODULE_PARM_DESC(exceptions_per_device, "Most exceptions of one device, and for any device (default and at most 64)");

unsigned int iot_exc_list_max(void)
{
	return min(READ_ONCE(iot_exceptions_per_device), IOT_EXC_LIST_MAX);
}

static struct iot_exc_stats *iot_exc_stats_new(void)
{
	struct iot_exc_stats *st;
	int cpu;

	st = kzalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return NULL;
	st->pcpu = alloc_percpu_gfp(struct iot_exc_pcpu, GFP_KERNEL_ACCOUNT);
	if (!st->pcpu) {
		kfree(st);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(st->pcpu, cpu)->syncp);
	return st;
}

static void iot_exc_stats_free(struct iot_exc_stats *st)
{
	if (st) {
		free_percpu(st->pcpu);
		kfree(st);
	}
}

static void iot_exc_stats_free_rcu(struct rcu_head *rcu)
{
	iot_exc_stats_free(container_of(rcu, struct iot_exc_stats, rcu));
}

/* @plen leading one bits of @family's address size. */
static void iot_prefix_mask(union iot_addr *mask, u8 family, u8 plen)
{
	struct in6_addr ones;

	memset(mask, 0, sizeof(*mask));
	if (family == AF_INET) {
		mask->ip = inet_make_mask(plen);
	} else {
		memset(&ones, 0xff, sizeof(ones));
		ipv6_addr_prefix(&mask->in6, &ones, plen);
	}
}

static bool iot_port_proto(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/*
 * The key the attributes in @tb give (FAMILY, ADDR, PREFIX_LEN, PROTO,
 * PORT_MIN and PORT_MAX), their types and ranges already checked by the
 * netlink policy. Missing attributes are reported against @where.
 */
int iot_exc_key_parse(struct iot_exc_key *k, struct nlattr **tb,
		      const struct nlattr *where,
		      struct netlink_ext_ack *extack)
{
	const struct nlattr *addr = tb[IOT_EGRESS_A_ADDR];
	const struct nlattr *pmin = tb[IOT_EGRESS_A_PORT_MIN];
	const struct nlattr *pmax = tb[IOT_EGRESS_A_PORT_MAX];
	unsigned int bits;
	union iot_addr a;

	memset(k, 0, sizeof(*k));
	if (!tb[IOT_EGRESS_A_FAMILY] || !addr || !tb[IOT_EGRESS_A_PREFIX_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, where,
				    "exception needs a family, an address and a prefix length");
		return -EINVAL;
	}
	k->family = nla_get_u8(tb[IOT_EGRESS_A_FAMILY]);
	if (k->family != AF_INET && k->family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IOT_EGRESS_A_FAMILY],
				    "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	bits = k->family == AF_INET ? 32 : 128;
	if (nla_len(addr) != bits / 8) {
		NL_SET_ERR_MSG_ATTR(extack, addr,
				    "address length does not match the family");
		return -EINVAL;
	}
	k->plen = nla_get_u8(tb[IOT_EGRESS_A_PREFIX_LEN]);
	if (k->plen > bits) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IOT_EGRESS_A_PREFIX_LEN],
				    "prefix length exceeds the address");
		return -EINVAL;
	}
	memset(&a, 0, sizeof(a));
	nla_memcpy(&a, addr, sizeof(a));
	iot_prefix_mask(&k->mask, k->family, k->plen);
	if (k->family == AF_INET) {
		k->addr.ip = a.ip & k->mask.ip;
		if (k->addr.ip != a.ip)
			goto host_bits;
	} else {
		ipv6_addr_prefix(&k->addr.in6, &a.in6, k->plen);
		if (!ipv6_addr_equal(&k->addr.in6, &a.in6))
			goto host_bits;
	}

	if (tb[IOT_EGRESS_A_PROTO]) {
		k->proto = nla_get_u8(tb[IOT_EGRESS_A_PROTO]);
		if (!iot_port_proto(k->proto) &&
		    k->proto != (k->family == AF_INET ? IPPROTO_ICMP :
						       IPPROTO_ICMPV6)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOT_EGRESS_A_PROTO],
					    "protocol must be TCP, UDP, or the family's ICMP");
			return -EPROTONOSUPPORT;
		}
	}
	if (!pmin != !pmax) {
		NL_SET_ERR_MSG_ATTR(extack, pmin ?: pmax,
				    "port-min and port-max go together");
		return -EINVAL;
	}
	if (pmin) {
		if (!iot_port_proto(k->proto)) {
			NL_SET_ERR_MSG_ATTR(extack, pmin, "ports need TCP or UDP");
			return -EINVAL;
		}
		k->port_min = nla_get_u16(pmin);
		k->port_max = nla_get_u16(pmax);
		if (k->port_min > k->port_max) {
			NL_SET_ERR_MSG_ATTR(extack, pmax,
					    "port range runs backwards");
			return -EINVAL;
		}
	}
	return 0;

host_bits:
	NL_SET_ERR_MSG_ATTR(extack, addr,
			    "address has bits set beyond the prefix length");
	return -EINVAL;
}

static bool iot_exc_key_equal(const struct iot_exc_key *a,
			      const struct iot_exc_key *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       a->proto == b->proto && a->port_min == b->port_min &&
	       a->port_max == b->port_max &&
	       !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

/* The index of the exception of @x with key @k, or -1. */
int iot_excs_find(const struct iot_excs *x, const struct iot_exc_key *k)
{
	unsigned int i;

	for (i = 0; x && i < x->n; i++)
		if (iot_exc_key_equal(&x->v[i].key, k))
			return i;
	return -1;
}

static struct iot_excs *iot_excs_alloc(unsigned int n)
{
	struct iot_excs *x;

	x = kmalloc(struct_size(x, v, n), GFP_KERNEL_ACCOUNT);
	if (x)
		x->n = 0;
	return x;
}

/*
 * A new list: @x (may be NULL) and the @n keys of @keys it does not hold
 * yet, each once, with new counters; *@added says how many those are. The
 * list may hold no more than iot_exc_list_max(), and the netns has room for
 * @room more. @x is not changed.
 */
struct iot_excs *iot_excs_with(const struct iot_excs *x,
			       const struct iot_exc_key *keys, unsigned int n,
			       unsigned int room, unsigned int *added,
			       struct netlink_ext_ack *extack)
{
	unsigned int have = x ? x->n : 0, i;
	struct iot_excs *new;
	int err = -ENOMEM;

	new = iot_excs_alloc(have + n);
	if (!new) {
		NL_SET_ERR_MSG(extack, "out of memory for the exceptions");
		return ERR_PTR(-ENOMEM);
	}
	if (have)
		memcpy(new->v, x->v, have * sizeof(x->v[0]));
	new->n = have;
	for (i = 0; i < n; i++) {
		if (iot_excs_find(new, &keys[i]) >= 0)
			continue;
		if (new->n >= iot_exc_list_max()) {
			NL_SET_ERR_MSG(extack,
				       "too many exceptions for one device (exceptions_per_device)");
			err = -ENOSPC;
			goto fail;
		}
		if (new->n - have >= room) {
			NL_SET_ERR_MSG(extack,
				       "too many exceptions in this netns (max_exceptions)");
			err = -ENOSPC;
			goto fail;
		}
		new->v[new->n].key = keys[i];
		new->v[new->n].stats = iot_exc_stats_new();
		if (!new->v[new->n].stats) {
			NL_SET_ERR_MSG(extack, "out of memory for the exceptions");
			goto fail;
		}
		new->n++;
	}
	*added = new->n - have;
	return new;

fail:
	for (i = have; i < new->n; i++)
		iot_exc_stats_free(new->v[i].stats);
	kfree(new);
	return ERR_PTR(err);
}

/* A new list: @x without its exception @i, or NULL if none is left. Its
 * counters stay with @x (see iot_excs_retire()).
 */
struct iot_excs *iot_excs_without(const struct iot_excs *x, unsigned int i)
{
	struct iot_excs *new;

	if (x->n == 1)
		return NULL;
	new = iot_excs_alloc(x->n - 1);
	if (!new)
		return ERR_PTR(-ENOMEM);
	memcpy(new->v, x->v, i * sizeof(x->v[0]));
	memcpy(new->v + i, x->v + i + 1, (x->n - i - 1) * sizeof(x->v[0]));
	new->n = x->n - 1;
	return new;
}

/*
 * Before the list @x of a staged table replaces @old (may be NULL): its
 * exceptions that were in @old carry on with their counters. As with the
 * devices' (iot_table_take_stats()), the packet path may still count a
 * packet or two on the old ones, which go with @old.
 */
void iot_excs_take_stats(struct iot_excs *x, struct iot_excs *old)
{
	struct iot_exc_stats *st;
	unsigned int i;
	int j;

	for (i = 0; x && old && i < x->n; i++) {
		j = iot_excs_find(old, &x->v[i].key);
		if (j < 0)
			continue;
		st = x->v[i].stats;
		x->v[i].stats = READ_ONCE(old->v[j].stats);
		WRITE_ONCE(old->v[j].stats, st);
	}
}

/* No reader is left: the list, and the counters of all it holds. */
void iot_excs_free(struct iot_excs *x)
{
	unsigned int i;

	if (!x)
		return;
	for (i = 0; i < x->n; i++)
		iot_exc_stats_free(x->v[i].stats);
	kfree(x);
}

/* @x (may be NULL) was replaced by a list that holds all of its exceptions
 * but the one whose counters are @gone (may be NULL): free both once the
 * readers of @x are done.
 */
void iot_excs_retire(struct iot_excs *x, struct iot_exc_stats *gone)
{
	if (gone)
		call_rcu(&gone->rcu, iot_exc_stats_free_rcu);
	if (x)
		kfree_rcu(x, rcu);
}

void iot_exc_stats(const struct iot_exc *e, struct iot_exc_sum *sum)
{
	const struct iot_exc_stats *stats = READ_ONCE(e->stats);
	const struct iot_exc_pcpu *s;
	unsigned int start;
	u64 pkts, bytes;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(stats->pcpu, cpu);
		do {
			start = u64_stats_fetch_begin(&s->syncp);
			pkts = u64_stats_read(&s->pkts);
			bytes = u64_stats_read(&s->bytes);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->pkts += pkts;
		sum->bytes += bytes;
		sum->last = max(sum->last, READ_ONCE(s->last));
	}
}

/* The key and the counters of @e, as attributes of the current nest. */
int iot_exc_put(struct sk_buff *skb, const struct iot_exc *e)
{
	const struct iot_exc_key *k = &e->key;
	struct iot_exc_sum sum;

	iot_exc_stats(e, &sum);
	if (nla_put_u8(skb, IOT_EGRESS_A_FAMILY, k->family) ||
	    iot_put_addr(skb, IOT_EGRESS_A_ADDR, k->family, &k->addr) ||
	    nla_put_u8(skb, IOT_EGRESS_A_PREFIX_LEN, k->plen) ||
	    (k->proto && nla_put_u8(skb, IOT_EGRESS_A_PROTO, k->proto)) ||
	    (k->port_min &&
	     (nla_put_u16(skb, IOT_EGRESS_A_PORT_MIN, k->port_min) ||
	      nla_put_u16(skb, IOT_EGRESS_A_PORT_MAX, k->port_max))) ||
	    nla_put_u64_64bit(skb, IOT_EGRESS_A_MATCHED_PACKETS, sum.pkts,
			      IOT_EGRESS_A_PAD) ||
	    nla_put_u64_64bit(skb, IOT_EGRESS_A_MATCHED_BYTES, sum.bytes,
			      IOT_EGRESS_A_PAD) ||
	    (sum.last && nla_put_u64_64bit(skb, IOT_EGRESS_A_LAST_MATCHED,
					   sum.last, IOT_EGRESS_A_PAD)))
		return -EMSGSIZE;
	return 0;
}
