// SPDX-License-Identifier: GPL-2.0
/*
 * A fake netlink layer for the command line fuzzer (args.c): every
 * function of ../netlink.h, and nothing that talks to a kernel. Requests
 * fail as the mode says, or succeed with empty results: no device in the
 * table, no WAN name, a status of zeros. What a query about one device
 * (or the unknown devices) returns, and the monitor, hold one canned
 * entry each, so that their printing runs too. Nothing waits: the
 * monitor hands out one event, then fails, so no command can block or
 * loop here.
 *
 * The nftables fallback table (nft.h) is faked here too: with the module
 * "not loaded" it is there, so that status prints it; with EPERM, reading
 * it is refused; otherwise there is none.
 *
 * When netlink.h or nft.h gains a function, add it here: the args target
 * does not link until every function the commands call exists.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../mac.h"
#include "../netlink.h"
#include "../nft.h"
#include "fake_netlink.h"

struct iot_nl {
	int requests;
	int waits;		/* monitor_wait calls */
};

static enum fake_nl_mode mode;
static int open_count;

void fake_nl_set_mode(enum fake_nl_mode m)
{
	mode = m;
}

int fake_nl_open_count(void)
{
	return open_count;
}

static void set_error(struct iot_nl_error *err, enum iot_nl_failure failure,
		      int errnum, const char *msg)
{
	err->failure = failure;
	err->errnum = errnum;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

/*
 * Every request: -1 with err filled in as the mode says, or 0. Also
 * checks that the caller passed a socket it opened.
 */
static int request(struct iot_nl *nl, struct iot_nl_error *err)
{
	if (!nl || !err)
		abort();	/* a command used a socket it never opened */
	nl->requests++;
	switch (mode) {
	case FAKE_NL_NO_FAMILY:
		abort();	/* iot_nl_open() failed: nothing to send on */
	case FAKE_NL_EPERM:
		set_error(err, IOT_NL_KERNEL, EPERM, "");
		return -1;
	case FAKE_NL_EXTACK:
		set_error(err, IOT_NL_KERNEL, EINVAL,
			  "fake: refused by the test double");
		return -1;
	case FAKE_NL_ENOENT:
		set_error(err, IOT_NL_KERNEL, ENOENT, "");
		return -1;
	case FAKE_NL_DUMP_INTR:
		set_error(err, IOT_NL_DUMP_INTR, 0, "");
		return -1;
	case FAKE_NL_BAD_REPLY:
		set_error(err, IOT_NL_BAD_REPLY, 0, "fake: no attributes");
		return -1;
	case FAKE_NL_LOCAL:
		set_error(err, IOT_NL_LOCAL, 0, "fake: out of memory");
		return -1;
	case FAKE_NL_EMPTY:
	case FAKE_NL_MODES:
		break;
	}
	set_error(err, IOT_NL_OK, 0, "");
	return 0;
}

struct iot_nl *iot_nl_open(struct iot_nl_error *err)
{
	struct iot_nl *nl;

	if (mode == FAKE_NL_NO_FAMILY) {
		set_error(err, IOT_NL_NO_FAMILY, 0, "");
		return NULL;
	}
	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		set_error(err, IOT_NL_LOCAL, 0, "out of memory");
		return NULL;
	}
	open_count++;
	return nl;
}

void iot_nl_close(struct iot_nl *nl)
{
	if (!nl)
		return;
	open_count--;
	free(nl);
}

int iot_nl_get_status(struct iot_nl *nl, struct iot_status *st,
		      struct iot_nl_error *err)
{
	if (request(nl, err) < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	st->proto_version = IOT_EGRESS_PROTO_VERSION;
	snprintf(st->module_version, sizeof(st->module_version), "fake");
	st->default_policy = IOT_EGRESS_POLICY_ALLOW;
	st->max_devices = 4096;
	st->has_exceptions = true;
	st->max_exceptions = 1024;
	st->exceptions_per_device = 64;
	st->has_early = true;
	return 0;
}

int iot_nl_set_default(struct iot_nl *nl, uint8_t policy, uint32_t *cut,
		       struct iot_nl_error *err)
{
	if (policy != IOT_EGRESS_POLICY_ALLOW &&
	    policy != IOT_EGRESS_POLICY_DENY)
		abort();	/* the command line let a bad policy through */
	if (request(nl, err) < 0)
		return -1;
	if (cut)
		*cut = 0;
	return 0;
}

int iot_nl_set_device(struct iot_nl *nl, const struct iot_device *dev,
		      uint32_t *cut, struct iot_nl_error *err)
{
	if (dev->policy == IOT_EGRESS_POLICY_UNSPEC ||
	    dev->policy > IOT_EGRESS_POLICY_MAX ||
	    (dev->has_name && !memchr(dev->name, '\0', sizeof(dev->name))))
		abort();
	if (request(nl, err) < 0)
		return -1;
	if (cut)
		*cut = 0;
	return 0;
}

/* What the command line must never let through to the kernel. */
static void check_except(const struct iot_except *e, bool owner)
{
	unsigned int max = e->addr.family == AF_INET ? 32 : 128, i;
	bool ports = e->proto == 6 || e->proto == 17;	/* TCP, UDP */

	if ((e->addr.family != AF_INET && e->addr.family != AF_INET6) ||
	    e->prefix_len > max || (!ports && e->port_min) ||
	    (e->port_min > e->port_max) || (!e->port_min && e->port_max) ||
	    (e->proto && e->proto != 6 && e->proto != 17 &&
	     e->proto != (e->addr.family == AF_INET ? 1 : 58)))
		abort();
	for (i = e->prefix_len; i < max; i++) {
		if (e->addr.a[i / 8] & (0x80 >> (i % 8)))
			abort();	/* host bits set */
	}
	if (owner && !e->any && mac_not_device(e->mac))
		abort();
}

int iot_nl_set_device_except(struct iot_nl *nl, const struct iot_device *dev,
			     const struct iot_except *v, size_t n,
			     uint32_t *cut, struct iot_nl_error *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_except(&v[i], false);
	return iot_nl_set_device(nl, dev, cut, err);
}

int iot_nl_add_except(struct iot_nl *nl, const struct iot_except *e,
		      struct iot_nl_error *err)
{
	check_except(e, true);
	return request(nl, err);
}

int iot_nl_del_except(struct iot_nl *nl, const struct iot_except *e,
		      uint32_t *cut, struct iot_nl_error *err)
{
	check_except(e, true);
	if (cut)
		*cut = 0;
	return request(nl, err);
}

/* One canned exception, so that show prints one. */
static int canned_excepts(struct iot_except_list *list, bool any,
			  const uint8_t *mac, struct iot_nl_error *err)
{
	struct iot_except *e = calloc(1, sizeof(*e));

	if (!e) {
		set_error(err, IOT_NL_LOCAL, 0, "out of memory");
		return -1;
	}
	e->any = any || !mac;
	if (mac)
		memcpy(e->mac, mac, ETH_ALEN);
	e->addr.family = AF_INET;
	e->prefix_len = 0;
	e->proto = 17;
	e->port_min = e->port_max = 123;
	e->matched_packets = 4;
	e->matched_bytes = 304;
	e->has_last_matched = true;
	e->last_matched = 1700000060;
	list->v = e;
	list->n = list->cap = 1;
	return 0;
}

int iot_nl_dump_excepts(struct iot_nl *nl, bool any, const uint8_t *mac,
			struct iot_except_list *list,
			struct iot_nl_error *err)
{
	iot_except_list_free(list);
	if (request(nl, err) < 0)
		return -1;
	return canned_excepts(list, any, mac, err);
}

void iot_except_list_free(struct iot_except_list *list)
{
	free(list->v);
	memset(list, 0, sizeof(*list));
}

int iot_nl_load_excepts(struct iot_nl *nl, const struct iot_except *v,
			size_t n, size_t *failed, struct iot_nl_error *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_except(&v[i], true);
	if (request(nl, err) < 0) {
		*failed = 0;
		return -1;
	}
	*failed = n;
	return 0;
}

int iot_nl_del_device(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
		      struct iot_nl_error *err)
{
	(void)mac;
	return request(nl, err);
}

int iot_nl_get_device(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
		      struct iot_device *dev, struct iot_nl_error *err)
{
	if (request(nl, err) < 0)
		return -1;
	/* the device the command asked for, and nothing known about it */
	memset(dev, 0, sizeof(*dev));
	memcpy(dev->mac, mac, ETH_ALEN);
	dev->policy = IOT_EGRESS_POLICY_DENY;
	dev->c.denied_packets = 5;
	dev->c.denied_bytes = 300;
	dev->c.has_last_denied = true;
	dev->c.last_denied = 1700000060;
	return 0;
}

/* One destination, in one of the two families. */
static void canned_dest(struct iot_dest *d, bool v6)
{
	memset(d, 0, sizeof(*d));
	d->dst.family = v6 ? AF_INET6 : AF_INET;
	d->dst.a[0] = v6 ? 0x20 : 192;
	d->dst.a[1] = v6 ? 0x01 : 0;
	d->dst.a[2] = v6 ? 0x0d : 2;
	d->dst.a[3] = v6 ? 0xb8 : 1;
	d->has_src = true;
	d->src.family = d->dst.family;
	d->src.a[0] = v6 ? 0xfd : 10;
	d->src.a[3] = 7;
	d->proto = 6;		/* IPPROTO_TCP */
	d->dport = 443;
	d->count = 3;
	d->first_seen = 1700000000;
	d->last_seen = 1700000060;
}

int iot_nl_get_device_info(struct iot_nl *nl, const uint8_t mac[ETH_ALEN],
			   struct iot_device_info *info,
			   struct iot_nl_error *err)
{
	memset(info, 0, sizeof(*info));
	if (iot_nl_get_device(nl, mac, &info->dev, err) < 0)
		return -1;
	info->addrs.v = calloc(1, sizeof(*info->addrs.v));
	info->dests.v = calloc(2, sizeof(*info->dests.v));
	if (!info->addrs.v || !info->dests.v) {
		set_error(err, IOT_NL_LOCAL, 0, "out of memory");
		return -1;
	}
	info->addrs.v[0].family = AF_INET;
	info->addrs.v[0].a[0] = 10;
	info->addrs.v[0].a[3] = 7;
	info->addrs.n = info->addrs.cap = 1;
	canned_dest(&info->dests.v[0], false);
	canned_dest(&info->dests.v[1], true);
	info->dests.n = info->dests.cap = 2;
	info->has_evicted = true;
	info->evicted = 7;
	return canned_excepts(&info->excepts, false, mac, err);
}

int iot_nl_dump_unknown(struct iot_nl *nl, struct iot_unknown_list *list,
			struct iot_nl_error *err)
{
	struct iot_unknown *u;

	iot_unknown_list_free(list);
	if (request(nl, err) < 0)
		return -1;
	u = calloc(1, sizeof(*u));
	if (!u) {
		set_error(err, IOT_NL_LOCAL, 0, "out of memory");
		return -1;
	}
	list->v = u;
	list->n = list->cap = 1;
	memcpy(u->mac, "\x02\x00\x00\x00\x00\x0d", ETH_ALEN);
	u->denied_packets = 5;
	u->denied_bytes = 300;
	u->first_seen = 1700000000;
	u->has_last_denied = true;
	u->last_denied = 1700000060;
	u->dests.v = calloc(1, sizeof(*u->dests.v));
	if (!u->dests.v) {
		set_error(err, IOT_NL_LOCAL, 0, "out of memory");
		return -1;
	}
	canned_dest(&u->dests.v[0], false);
	u->dests.n = u->dests.cap = 1;
	return 0;
}

int iot_nl_dump_devices(struct iot_nl *nl, struct iot_device_list *list,
			struct iot_nl_error *err)
{
	list->n = 0;
	return request(nl, err);
}

int iot_nl_flush(struct iot_nl *nl, struct iot_nl_error *err)
{
	return request(nl, err);
}

int iot_nl_add_wan(struct iot_nl *nl, const char *ifname,
		   struct iot_nl_error *err)
{
	if (strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
		abort();
	return request(nl, err);
}

int iot_nl_del_wan(struct iot_nl *nl, const char *ifname,
		   struct iot_nl_error *err)
{
	if (strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
		abort();
	return request(nl, err);
}

int iot_nl_dump_wan(struct iot_nl *nl, struct iot_wan_list *list,
		    struct iot_nl_error *err)
{
	list->n = 0;
	return request(nl, err);
}

int iot_nl_load_begin(struct iot_nl *nl, size_t ndev, bool *pack,
		      struct iot_nl_error *err)
{
	(void)ndev;
	*pack = true;
	return request(nl, err);
}

int iot_nl_load_devices(struct iot_nl *nl, const struct iot_device *v,
			size_t n, bool pack, size_t *failed,
			struct iot_nl_error *err)
{
	(void)v;
	(void)pack;
	if (request(nl, err) < 0) {
		/* the kernel names the first device as the refused one */
		*failed = 0;
		return -1;
	}
	*failed = n;
	return 0;
}

int iot_nl_load_commit(struct iot_nl *nl, uint8_t default_policy,
		       const char (*wan)[IFNAMSIZ], size_t nwan,
		       struct iot_commit *res, struct iot_nl_error *err)
{
	(void)wan;
	if ((default_policy != IOT_EGRESS_POLICY_ALLOW &&
	     default_policy != IOT_EGRESS_POLICY_DENY) ||
	    nwan > IOT_EGRESS_WAN_MAX)
		abort();
	if (request(nl, err) < 0)
		return -1;
	if (res) {
		memset(res, 0, sizeof(*res));
		res->has_generation = true;
		res->generation = 1;
	}
	return 0;
}

int iot_nl_load_abort(struct iot_nl *nl, struct iot_nl_error *err)
{
	return request(nl, err);
}

struct iot_nl *iot_nl_open_monitor(struct iot_nl_error *err)
{
	struct iot_nl probe = { 0 };

	switch (mode) {
	case FAKE_NL_DUMP_INTR:
		/* no dumps on this socket: stands for a module without group */
		set_error(err, IOT_NL_NO_GROUP, 0, "");
		return NULL;
	case FAKE_NL_EMPTY:
	case FAKE_NL_NO_FAMILY:
	case FAKE_NL_MODES:
		return iot_nl_open(err);
	default:
		break;
	}
	/* subscribing is the request that fails */
	request(&probe, err);
	return NULL;
}

/*
 * The first wait hands out one event, and one lost-events problem; any
 * later wait fails: a monitor loop ends after the first round.
 */
int iot_nl_monitor_wait(struct iot_nl *nl, const sigset_t *sigmask,
			iot_event_fn fn, void *arg, struct iot_nl_error *err)
{
	struct iot_event ev;

	(void)sigmask;
	if (request(nl, err) < 0)
		return -1;
	if (nl->waits++) {
		set_error(err, IOT_NL_LOCAL, 0, "fake: no more events");
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.event = IOT_EGRESS_EVENT_NEW;
	ev.time = 1700000000;
	memcpy(ev.mac, "\x02\x00\x00\x00\x00\x0c", ETH_ALEN);
	ev.has_name = true;
	snprintf(ev.name, sizeof(ev.name), "cam");
	ev.policy = IOT_EGRESS_POLICY_DENY;
	canned_dest(&ev.dest, false);
	ev.dest.count = 1;
	ev.dest.first_seen = ev.dest.last_seen = 0;
	ev.suppressed = 2;
	if (fn(&ev, NULL, arg))
		return 1;
	if (fn(NULL, "fake: 3 events lost", arg))
		return 1;
	return 0;
}

void iot_device_list_free(struct iot_device_list *list)
{
	free(list->v);
	memset(list, 0, sizeof(*list));
}

void iot_wan_list_free(struct iot_wan_list *list)
{
	free(list->v);
	memset(list, 0, sizeof(*list));
}

void iot_device_info_free(struct iot_device_info *info)
{
	free(info->addrs.v);
	free(info->dests.v);
	free(info->excepts.v);
	memset(&info->addrs, 0, sizeof(info->addrs));
	memset(&info->dests, 0, sizeof(info->dests));
	memset(&info->excepts, 0, sizeof(info->excepts));
}

void iot_unknown_list_free(struct iot_unknown_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->v[i].dests.v);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

int nft_fallback_read(struct nft_fallback *fb, bool full,
		      struct iot_nl_error *err)
{
	memset(fb, 0, sizeof(*fb));
	switch (mode) {
	case FAKE_NL_NO_FAMILY:
		fb->present = true;
		snprintf(fb->reason, sizeof(fb->reason),
			 "modprobe: FATAL: Module iot_egress not found");
		if (!full)
			return 0;
		fb->has_default = true;
		fb->default_policy = IOT_EGRESS_POLICY_DENY;
		fb->deny = 1;
		fb->allow = 2;
		snprintf(fb->wan[0], sizeof(fb->wan[0]), "wan0");
		fb->nwan = 1;
		fb->has_dropped = true;
		fb->dropped = 7;
		return 0;
	case FAKE_NL_EPERM:
		set_error(err, IOT_NL_KERNEL, EPERM, "");
		return -1;
	default:
		return 0;
	}
}
