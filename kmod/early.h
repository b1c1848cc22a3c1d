/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dropping a denied device's flood before conntrack. See early.c.
 */
#ifndef _IOT_EARLY_H
#define _IOT_EARLY_H

#include <linux/netfilter.h>
#include <linux/workqueue.h>

struct iot_cfg;
struct iot_net;
struct iot_memo;

extern unsigned int iot_early_drop_rate;

/* The PRE_ROUTING hooks of one netns, on only while denied packets flood. */
struct iot_early {
	struct nf_hook_ops ops[2];
	/* What the packet path compares a memo with: moved by every change
	 * to the netns (iot_early_forget()).
	 */
	u32 gen;
	/* Bit 0: the work is queued, or will queue itself again. */
	unsigned long armed;
	/* The rest is the work's, under the netns's lock. */
	bool on;
	unsigned int quiet;
	unsigned long last_time;
	u64 last_drops;
	struct delayed_work work;
	/* Set while @on: what FORWARD dropped, per CPU. */
	struct iot_memo __rcu *memo;
};

/* @hook: the PRE_ROUTING hook (hook.c), which asks iot_early_seen(). */
void iot_early_init(struct iot_net *in, nf_hookfn *hook);
/* The forward hooks are gone: nothing arms the work any more. */
void iot_early_exit(struct iot_net *in);
/* Under the netns's lock, by every change: no memo holds after it. */
void iot_early_forget(struct iot_net *in);
/* In the forward hook: it dropped @skb of @dev, which is denied. */
void iot_early_note(struct iot_net *in, struct sk_buff *skb,
		    const struct nf_hook_state *state);
/* In the PRE_ROUTING hook, for a denied device's packet: did the forward
 * hook drop its twin on this CPU, so that it may be dropped now?
 */
bool iot_early_seen(struct iot_net *in, const struct iot_cfg *cfg,
		    struct sk_buff *skb, const struct nf_hook_state *state,
		    u64 mac);
bool iot_early_on(struct iot_net *in);
/* The netns's drops (hook.h's counters): their rate decides the hooks. */
void iot_drops_read(const struct iot_net *in, u64 *all, u64 *early);

#endif /* _IOT_EARLY_H */
