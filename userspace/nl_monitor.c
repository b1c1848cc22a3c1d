// SPDX-License-Identifier: GPL-2.0
/* The monitor: a socket subscribed to the events, and the events. */
#include <stdio.h>
#include <string.h>

#include "nl_attr.h"

/* IOT_EGRESS_CMD_EVENT, from the monitor group. */
static struct nla_policy event_policy[IOT_EGRESS_A_MAX + 1] = {
	[IOT_EGRESS_A_EVENT]		= P_U8,
	[IOT_EGRESS_A_TIME]		= P_U64,
	[IOT_EGRESS_A_MAC]		= P_MAC,
	[IOT_EGRESS_A_NAME]		= P_NAME,
	[IOT_EGRESS_A_POLICY]		= P_U8,
	[IOT_EGRESS_A_UNKNOWN_DEVICE]	= { .type = NLA_FLAG },
	[IOT_EGRESS_A_FAMILY]		= P_U8,
	[IOT_EGRESS_A_SRC]		= P_IP,
	[IOT_EGRESS_A_DST]		= P_IP,
	[IOT_EGRESS_A_PROTO]		= P_U8,
	[IOT_EGRESS_A_DPORT]		= P_U16,
	[IOT_EGRESS_A_COUNT]		= P_U64,
	[IOT_EGRESS_A_SUPPRESSED]	= P_U64,
};

struct iot_nl *iot_nl_open_monitor(struct iot_nl_error *err)
{
	/* A socket that gets events takes no replies: ask on another. */
	struct iot_nl *nl = iot_nl_open(err);

	if (!nl)
		return NULL;
	iot_nl_close(nl);
	return tx_open(true, reply_policy, err);
}

/* The monitor: what iot_nl_monitor_wait() hands on. */
struct monitor {
	iot_event_fn fn;
	void *arg;
	bool stop;
};

static int parse_event(struct nlattr **tb, struct iot_event *ev,
		       struct iot_nl_error *err)
{
	static const struct {
		int attr;
		const char *name;
	} required[] = {
		{ IOT_EGRESS_A_EVENT, "event type" },
		{ IOT_EGRESS_A_TIME, "time" },
		{ IOT_EGRESS_A_MAC, "MAC address" },
		{ IOT_EGRESS_A_POLICY, "policy" },
	};
	size_t i;

	memset(ev, 0, sizeof(*ev));
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!tb[required[i].attr]) {
			tx_error(err, IOT_NL_BAD_REPLY, "an event without %s",
				 required[i].name);
			return -1;
		}
	}
	if (dec_dest(tb, &ev->dest, err) < 0)
		return -1;
	ev->event = nla_get_u8(tb[IOT_EGRESS_A_EVENT]);
	ev->time = nla_get_u64(tb[IOT_EGRESS_A_TIME]);
	memcpy(ev->mac, nla_data(tb[IOT_EGRESS_A_MAC]), ETH_ALEN);
	if (tb[IOT_EGRESS_A_NAME])
		dec_string(ev->name, sizeof(ev->name), tb[IOT_EGRESS_A_NAME]);
	ev->has_name = ev->name[0] != '\0';
	ev->policy = nla_get_u8(tb[IOT_EGRESS_A_POLICY]);
	ev->unknown = tb[IOT_EGRESS_A_UNKNOWN_DEVICE] != NULL;
	ev->suppressed = dec_u64(tb[IOT_EGRESS_A_SUPPRESSED]);
	return 0;
}

static int skip_event(void *arg, const char *why)
{
	struct monitor *m = arg;

	if (m->stop)
		return -1;
	if (m->fn(NULL, why, m->arg)) {
		m->stop = true;
		return -1;
	}
	return 0;
}

/* A malformed event is skipped and reported: the monitor goes on. */
static int take_event(struct nlattr **tb, void *arg, struct iot_nl_error *err)
{
	struct monitor *m = arg;
	struct iot_nl_error bad;
	struct iot_event ev;
	int r;

	(void)err;
	if (m->stop)
		return -1;
	tx_clear_error(&bad);
	if (parse_event(tb, &ev, &bad) < 0) {
		char why[sizeof(bad.msg) + 32];

		snprintf(why, sizeof(why), "skipped a malformed event: %s",
			 bad.msg);
		r = m->fn(NULL, why, m->arg);
	} else {
		r = m->fn(&ev, NULL, m->arg);
	}
	if (r) {
		m->stop = true;
		return -1;
	}
	return 0;
}

int iot_nl_monitor_wait(struct iot_nl *nl, const sigset_t *sigmask,
			iot_event_fn fn, void *arg, struct iot_nl_error *err)
{
	struct monitor m = { .fn = fn, .arg = arg };
	int r;

	r = tx_listen(nl, sigmask, event_policy, IOT_EGRESS_CMD_EVENT,
		      skip_event, take_event, &m, err);
	if (m.stop)
		return 1;
	if (r == 1)
		return fn(NULL, "events were lost: the socket's receive buffer overflowed",
			  arg) ? 1 : 0;
	return r;
}
