// SPDX-License-Identifier: GPL-2.0
/*
 * monitor: the module's events, one line each, as they come. Each line
 * is flushed at once, so that whatever reads the output (a pipe, a file
 * being followed) sees every event when it happens.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "iotctl.h"
#include "json.h"
#include "mac.h"
#include "validate.h"

struct monitor {
	const struct options *opt;
	uint64_t count;			/* 0: until a signal */
	uint64_t seen;
	uint64_t suppressed;		/* the last total shown */
	bool write_failed;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/*
 * 2026-11-27T10:31:02Z dvr-front 02:00:00:00:00:0c -> 203.0.113.25 tcp/25 denied
 * then " (unknown device)", " (x42 since last)" for a repeat, and
 * " (17 events suppressed so far)" when that total grew.
 */
static void print_line(const struct iot_event *ev, struct monitor *m)
{
	char time[ISO_TIME_SIZE], mac[MAC_STR_SIZE], dst[ADDR_SIZE];
	char service[SERVICE_SIZE];
	const char *verdict = verdict_name(ev->policy);

	mac_format(ev->mac, mac);
	printf("%s %s %s -> %s %s ", format_iso_time(time, ev->time),
	       ev->has_name ? ev->name : "-", mac,
	       format_addr(dst, &ev->dest.dst),
	       format_service(service, ev->dest.proto, ev->dest.dport));
	if (verdict)
		printf("%s", verdict);
	else
		printf("verdict-%u", ev->policy);
	if (ev->unknown)
		printf(" (unknown device)");
	if (ev->event == IOT_EGRESS_EVENT_REPEAT)
		printf(" (x%" PRIu64 " since last)", ev->dest.count);
	else if (ev->event != IOT_EGRESS_EVENT_NEW)
		printf(" (event %u)", ev->event);
	if (ev->suppressed > m->suppressed)
		printf(" (%" PRIu64 " event%s suppressed so far)",
		       ev->suppressed, plural(ev->suppressed));
	printf("\n");
}

static void print_json(const struct iot_event *ev)
{
	char time[ISO_TIME_SIZE], mac[MAC_STR_SIZE], addr[ADDR_SIZE];
	char proto[PROTO_SIZE], other[16];
	const char *verdict = verdict_name(ev->policy);
	const char *event = event_name(ev->event);
	struct json j;

	mac_format(ev->mac, mac);
	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_string(&j, "time", format_iso_time(time, ev->time));
	json_key(&j, "event");
	if (!event) {
		snprintf(other, sizeof(other), "event-%u", ev->event);
		event = other;
	}
	json_string(&j, event);
	json_member_string(&j, "mac", mac);
	json_member_string(&j, "name", ev->has_name ? ev->name : NULL);
	json_key(&j, "verdict");
	if (!verdict) {
		snprintf(other, sizeof(other), "verdict-%u", ev->policy);
		verdict = other;
	}
	json_string(&j, verdict);
	json_key(&j, "unknown");
	json_bool(&j, ev->unknown);
	json_member_string(&j, "family", family_name(ev->dest.dst.family));
	json_member_string(&j, "src",
			   ev->dest.has_src ? format_addr(addr, &ev->dest.src) : NULL);
	json_member_string(&j, "dst", format_addr(addr, &ev->dest.dst));
	json_member_string(&j, "proto", proto_name(proto, ev->dest.proto));
	json_member_uint(&j, "dport", ev->dest.dport);
	json_member_uint(&j, "count", ev->dest.count);
	json_member_uint(&j, "suppressed", ev->suppressed);
	json_object_end(&j);
	/* Nothing above can be out of order: json_end() only adds '\n'. */
	json_end(&j);
}

static int on_event(const struct iot_event *ev, const char *problem,
		    void *arg)
{
	struct monitor *m = arg;

	if (!ev) {
		fprintf(stderr, "iotctl: monitor: %s\n", problem);
		return 0;
	}
	if (m->opt->json)
		print_json(ev);
	else
		print_line(ev, m);
	if (ev->suppressed > m->suppressed)
		m->suppressed = ev->suppressed;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		m->write_failed = true;
		return 1;
	}
	return m->count && ++m->seen >= m->count;
}

/* monitor [--count N] */
int monitor_main(int argc, char *argv[], const struct options *opt)
{
	struct monitor m = { .opt = opt };
	struct sigaction sa;
	sigset_t block, old, waitmask;
	struct iot_nl_error err;
	struct iot_nl *nl;
	int i, r, ret = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--count") || m.count)
			return usage_error("monitor: unexpected argument '%s'",
					   shown(argv[i]));
		if (++i == argc)
			return usage_error("monitor: missing number after '--count'");
		if (!count_parse(argv[i], &m.count))
			return input_error("invalid count '%s': a whole number, 1 or more, is needed",
					   shown(argv[i]));
	}

	/*
	 * SIGINT and SIGTERM end the monitor with status 0. They are blocked
	 * but while waiting, so none is lost between two waits.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	waitmask = old;
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);

	nl = iot_nl_open_monitor(&err);
	if (!nl) {
		if (err.failure == IOT_NL_KERNEL &&
		    (err.errnum == EPERM || err.errnum == EACCES))
			ret = runtime_error("monitor: permission denied: CAP_NET_ADMIN is needed to subscribe");
		else
			ret = nl_failed(&err, "monitor");
		goto out;
	}
	while (!stop_signal) {
		r = iot_nl_monitor_wait(nl, &waitmask, on_event, &m, &err);
		if (r < 0) {
			ret = nl_failed(&err, "monitor");
			break;
		}
		if (m.write_failed) {
			ret = runtime_error("monitor: cannot write the output: %s",
					    strerror(errno));
			break;
		}
		if (r > 0)
			break;
	}
out:
	iot_nl_close(nl);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
