// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor: what denied, audited and unknown devices try, told as it
 * happens to the multicast group "monitor".
 *
 * The recorder tells the monitor of every destination it sees for the
 * first time: a NEW event. Repeats are summed up every summary_interval
 * seconds, by a delayed work that asks the recorder for the pairs seen
 * again since their last event: REPEAT events. Events are rate limited to
 * events_per_device and events_per_sec in each one-second window; what the
 * limits hold back is counted as suppressed. Nothing is built while nobody
 * listens.
 */
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "monitor.h"
#include "msg.h"

static unsigned int iot_events_per_device __read_mostly = 10;
module_param_named(events_per_device, iot_events_per_device, uint, 0644);
MODULE_PARM_DESC(events_per_device, "Most monitor events per second for one device (default 10)");

static unsigned int iot_events_per_sec __read_mostly = 100;
module_param_named(events_per_sec, iot_events_per_sec, uint, 0644);
MODULE_PARM_DESC(events_per_sec, "Most monitor events per second in one network namespace (default 100)");

static unsigned int iot_summary_interval __read_mostly = 10;
module_param_named(summary_interval, iot_summary_interval, uint, 0644);
MODULE_PARM_DESC(summary_interval, "Seconds between summaries of repeated destinations (default 10)");

#define IOT_SUMMARY_BATCH 16

/* The monitor of one netns. */
struct iot_monitor {
	struct net *net;
	/* Guards @limit, @events and @suppressed: taken inside the
	 * recorder's lock.
	 */
	spinlock_t lock;
	struct iot_evlimit limit;
	u64 events;
	u64 suppressed;
	struct delayed_work summary;
	/* The recorder, for the summaries. */
	iot_monitor_collect_t collect;
	void *collect_arg;
};

const struct genl_multicast_group iot_monitor_mcgrps[1] = {
	{
		.name	= IOT_EGRESS_MCGRP_MONITOR,
		IOT_MCGRP_ADMIN_ONLY,
	},
};

static const struct genl_family *iot_monitor_family __ro_after_init;

/* Cleared, and waited for, before the family goes: the packet path and
 * the summary work may still be telling the monitor while the module
 * unloads.
 */
static bool iot_monitor_up __read_mostly;

/* The family is registered, with iot_monitor_mcgrps. */
void iot_monitor_start(const struct genl_family *family)
{
	iot_monitor_family = family;
	if (!IOT_MCGRP_RESTRICTED)
		pr_warn("iot_egress: this kernel cannot keep the monitor to CAP_NET_ADMIN, so it sends no events\n");
	WRITE_ONCE(iot_monitor_up, true);
}

void iot_monitor_stop(void)
{
	WRITE_ONCE(iot_monitor_up, false);
	/* Whoever saw it set has sent its event. */
	synchronize_rcu();
}

/* From the packet path: is anyone subscribed in @net? */
bool iot_monitor_listening(struct net *net)
{
	return IOT_MCGRP_RESTRICTED && READ_ONCE(iot_monitor_up) &&
	       genl_has_listeners(iot_monitor_family, net, 0);
}

/* From the packet path too. */
static void iot_monitor_send(struct iot_monitor *mon,
			     const struct iot_event *ev, u64 suppressed,
			     gfp_t gfp)
{
	const struct iot_flow *f = &ev->flow;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, iot_monitor_family, 0,
			  IOT_EGRESS_CMD_EVENT);
	if (!hdr)
		goto err;
	if (nla_put_u8(skb, IOT_EGRESS_A_EVENT, ev->type) ||
	    nla_put_u64_64bit(skb, IOT_EGRESS_A_TIME, ev->time,
			      IOT_EGRESS_A_PAD) ||
	    nla_put(skb, IOT_EGRESS_A_MAC, ETH_ALEN, ev->mac) ||
	    (ev->label[0] &&
	     nla_put_string(skb, IOT_EGRESS_A_NAME, ev->label)) ||
	    nla_put_u8(skb, IOT_EGRESS_A_POLICY, ev->policy) ||
	    (ev->unknown && nla_put_flag(skb, IOT_EGRESS_A_UNKNOWN_DEVICE)) ||
	    nla_put_u8(skb, IOT_EGRESS_A_FAMILY, f->family) ||
	    iot_put_addr(skb, IOT_EGRESS_A_SRC, f->family, &f->src) ||
	    iot_put_addr(skb, IOT_EGRESS_A_DST, f->family, &f->dst) ||
	    nla_put_u8(skb, IOT_EGRESS_A_PROTO, f->proto) ||
	    nla_put_u16(skb, IOT_EGRESS_A_DPORT, f->dport) ||
	    nla_put_u64_64bit(skb, IOT_EGRESS_A_COUNT, ev->count,
			      IOT_EGRESS_A_PAD) ||
	    nla_put_u64_64bit(skb, IOT_EGRESS_A_SUPPRESSED, suppressed,
			      IOT_EGRESS_A_PAD))
		goto err;
	genlmsg_end(skb, hdr);
	rcu_read_lock();
	if (READ_ONCE(iot_monitor_up)) {
		genlmsg_multicast_netns(iot_monitor_family, mon->net, skb, 0,
					0, GFP_ATOMIC);
		skb = NULL;
	}
	rcu_read_unlock();
	if (!skb)
		return;
err:
	nlmsg_free(skb);
}

/*
 * One-second windows: @limit events in each. A window that seems to start
 * in the future is one jiffies wrapped past: the zeroed window of a new
 * limit (jiffies start 5 minutes short of wrapping, so on a 32-bit CPU
 * "0" stays ahead of them for those 5 minutes), or one left unused for
 * 2^31 jiffies. Either starts anew, or no event would go out until
 * jiffies caught up with it.
 */
static bool iot_ratelimit(struct iot_evlimit *l, unsigned int limit)
{
	unsigned long now = jiffies;

	if (time_after_eq(now, l->window + HZ) || time_before(now, l->window)) {
		l->window = now;
		l->count = 0;
	}
	if (l->count >= limit)
		return false;
	l->count++;
	return true;
}

/*
 * May an event go out? Only if the caller has @room for it, and within
 * the device's limit (@dev, NULL for none) and the netns's. Counts it as
 * sent, or as suppressed. The caller holds the recorder's lock, which
 * guards @dev.
 */
bool iot_monitor_admit(struct iot_monitor *mon, struct iot_evlimit *dev,
		       bool room)
{
	bool ok;

	spin_lock(&mon->lock);
	ok = room &&
	     (!dev || iot_ratelimit(dev, READ_ONCE(iot_events_per_device))) &&
	     iot_ratelimit(&mon->limit, READ_ONCE(iot_events_per_sec));
	if (ok)
		mon->events++;
	else
		mon->suppressed++;
	spin_unlock(&mon->lock);
	return ok;
}

/* Under the lock: a u64 is two loads on a 32-bit CPU, and could tear. */
static u64 iot_monitor_suppressed(struct iot_monitor *mon)
{
	u64 n;

	spin_lock_bh(&mon->lock);
	n = mon->suppressed;
	spin_unlock_bh(&mon->lock);
	return n;
}

/* From the packet path: an event iot_monitor_admit() let through. */
void iot_monitor_tell(struct iot_monitor *mon, const struct iot_event *ev)
{
	iot_monitor_send(mon, ev, iot_monitor_suppressed(mon), GFP_ATOMIC);
}

/* A pair was seen again: summarise in summary_interval seconds. Once one
 * is due, the packets of a flood only read that it is: queueing would
 * write the work's pending bit from every CPU.
 */
void iot_monitor_kick(struct iot_monitor *mon)
{
	if (delayed_work_pending(&mon->summary))
		return;
	schedule_delayed_work(&mon->summary,
			      READ_ONCE(iot_summary_interval) * HZ);
}

/* Every summary_interval while repeats come: one REPEAT event for each
 * pair seen again since its last event, within the netns's limit.
 */
static void iot_monitor_summary(struct work_struct *work)
{
	struct iot_monitor *mon = container_of(to_delayed_work(work),
					       struct iot_monitor, summary);
	struct iot_event *ev;
	unsigned int n, i;
	u64 suppressed;

	if (!iot_monitor_listening(mon->net))
		return;
	ev = kmalloc_array(IOT_SUMMARY_BATCH, sizeof(*ev), GFP_KERNEL);
	if (!ev)
		return;
	n = mon->collect(mon->collect_arg, ev, IOT_SUMMARY_BATCH);
	suppressed = iot_monitor_suppressed(mon);
	for (i = 0; i < n; i++)
		iot_monitor_send(mon, &ev[i], suppressed, GFP_KERNEL);
	kfree(ev);
}

void iot_monitor_counts(struct iot_monitor *mon, u64 *events, u64 *suppressed)
{
	spin_lock_bh(&mon->lock);
	*events = mon->events;
	*suppressed = mon->suppressed;
	spin_unlock_bh(&mon->lock);
}

struct iot_monitor *iot_monitor_new(struct net *net)
{
	struct iot_monitor *mon = kzalloc(sizeof(*mon), GFP_KERNEL);

	if (!mon)
		return NULL;
	mon->net = net;
	spin_lock_init(&mon->lock);
	INIT_DELAYED_WORK(&mon->summary, iot_monitor_summary);
	return mon;
}

/* The summaries ask @collect, from now on. */
void iot_monitor_attach(struct iot_monitor *mon, iot_monitor_collect_t collect,
			void *arg)
{
	mon->collect_arg = arg;
	mon->collect = collect;
}

/* Nothing can kick the summaries any more (the hooks are gone): wait for
 * the last one, and forget the recorder.
 */
void iot_monitor_detach(struct iot_monitor *mon)
{
	cancel_delayed_work_sync(&mon->summary);
	mon->collect = NULL;
}

void iot_monitor_free(struct iot_monitor *mon)
{
	kfree(mon);
}
