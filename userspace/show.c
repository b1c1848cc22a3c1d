// SPDX-License-Identifier: GPL-2.0
/* show: the device table, one device, or the unknown devices. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include "format.h"
#include "iotctl.h"
#include "json.h"
#include "mac.h"

static uint64_t now_seconds(void)
{
	time_t t = time(NULL);

	return t < 0 ? 0 : (uint64_t)t;
}

static void json_counters(struct json *j, const struct iot_counters *c)
{
	json_member_uint(j, "denied_packets", c->denied_packets);
	json_member_uint(j, "denied_bytes", c->denied_bytes);
	json_member_uint(j, "wan_packets", c->wan_packets);
	json_member_uint(j, "wan_bytes", c->wan_bytes);
	json_member_maybe(j, "last_denied", c->has_last_denied, c->last_denied);
	json_member_maybe(j, "last_wan", c->has_last_wan, c->last_wan);
}

/* mac, policy, name and the counters, in an object already open. */
static void json_device(struct json *j, const struct iot_device *d)
{
	char mac[MAC_STR_SIZE];

	mac_format(d->mac, mac);
	json_member_string(j, "mac", mac);
	json_member_string(j, "policy", policy_name(d->policy));
	json_member_string(j, "name", d->has_name ? d->name : NULL);
	json_counters(j, &d->c);
}

static int print_devices(struct iot_device *v, size_t n,
			 const struct options *opt)
{
	static const char *const columns[] = {
		"MAC", "POLICY", "NAME", ">DENIED PKTS", ">DENIED BYTES",
		">WAN PKTS", ">WAN BYTES", "LAST DENIED", "LAST WAN",
	};
	uint64_t now = now_seconds();
	struct table t;
	struct json j;
	size_t i;
	int ret;

	devices_sort(v, n);

	if (opt->json) {
		json_init(&j, stdout);
		json_array_begin(&j);
		for (i = 0; i < n; i++) {
			json_object_begin(&j);
			json_device(&j, &v[i]);
			json_object_end(&j);
		}
		json_array_end(&j);
		return json_done(&j);
	}

	/* An empty table prints nothing, not even the header. */
	if (n == 0)
		return 0;
	table_init(&t, sizeof(columns) / sizeof(columns[0]), columns);
	for (i = 0; i < n; i++) {
		const struct iot_counters *c = &v[i].c;
		char mac[MAC_STR_SIZE], dp[24], wp[24];
		char db[BYTES_SIZE], wb[BYTES_SIZE], ld[AGO_SIZE], lw[AGO_SIZE];
		const char *row[] = {
			mac, policy_name(v[i].policy),
			v[i].has_name ? v[i].name : "-", dp,
			format_bytes(db, c->denied_bytes), wp,
			format_bytes(wb, c->wan_bytes),
			format_ago(ld, c->has_last_denied, c->last_denied, now),
			format_ago(lw, c->has_last_wan, c->last_wan, now),
		};

		mac_format(v[i].mac, mac);
		snprintf(dp, sizeof(dp), "%" PRIu64, c->denied_packets);
		snprintf(wp, sizeof(wp), "%" PRIu64, c->wan_packets);
		table_row(&t, row);
	}
	ret = table_print(&t, stdout, "");
	table_free(&t);
	return ret < 0 ? runtime_error("show: out of memory") : 0;
}

static void json_dests(struct json *j, const struct iot_dest_list *l)
{
	char addr[ADDR_SIZE], proto[PROTO_SIZE];
	size_t i;

	json_key(j, "destinations");
	json_array_begin(j);
	for (i = 0; i < l->n; i++) {
		const struct iot_dest *d = &l->v[i];

		json_object_begin(j);
		json_member_string(j, "family", family_name(d->dst.family));
		json_member_string(j, "dst", format_addr(addr, &d->dst));
		json_member_string(j, "src",
				   d->has_src ? format_addr(addr, &d->src) : NULL);
		json_member_string(j, "proto", proto_name(proto, d->proto));
		json_member_uint(j, "dport", d->dport);
		json_member_uint(j, "count", d->count);
		json_member_uint(j, "first_seen", d->first_seen);
		json_member_uint(j, "last_seen", d->last_seen);
		json_object_end(j);
	}
	json_array_end(j);
}

/* The destinations of one device, as an indented table, newest first. */
static int print_dests(const struct iot_dest_list *l, uint64_t now)
{
	static const char *const columns[] = {
		"DESTINATION", "PROTO", ">PORT", ">PACKETS", "FIRST SEEN",
		"LAST SEEN", "SOURCE",
	};
	struct table t;
	size_t i;
	int ret;

	if (l->n == 0) {
		printf("  destinations: none\n");
		return 0;
	}
	printf("  destinations:\n");
	table_init(&t, sizeof(columns) / sizeof(columns[0]), columns);
	for (i = 0; i < l->n; i++) {
		const struct iot_dest *d = &l->v[i];
		char dst[ADDR_SIZE], src[ADDR_SIZE], proto[PROTO_SIZE];
		char port[8], count[24], first[AGO_SIZE], last[AGO_SIZE];
		const char *row[] = {
			format_addr(dst, &d->dst), proto_name(proto, d->proto),
			port, count, format_ago(first, true, d->first_seen, now),
			format_ago(last, true, d->last_seen, now),
			d->has_src ? format_addr(src, &d->src) : "-",
		};

		if (d->dport || d->proto == IPPROTO_TCP ||
		    d->proto == IPPROTO_UDP)
			snprintf(port, sizeof(port), "%u", d->dport);
		else
			snprintf(port, sizeof(port), "-");
		snprintf(count, sizeof(count), "%" PRIu64, d->count);
		table_row(&t, row);
	}
	ret = table_print(&t, stdout, "    ");
	table_free(&t);
	return ret;
}

/* "denied: 12 packets, 1.5 KiB, last 3 min ago" */
static void print_traffic(const char *what, uint64_t packets, uint64_t bytes,
			  bool has_last, uint64_t last, uint64_t now)
{
	char b[BYTES_SIZE], ago[AGO_SIZE];

	printf("  %s: %" PRIu64 " packet%s, %s, last %s\n", what, packets,
	       plural(packets), format_bytes(b, bytes),
	       format_ago(ago, has_last, last, now));
}

static int print_device_info(const struct iot_device_info *info,
			     const struct options *opt)
{
	const struct iot_device *d = &info->dev;
	char mac[MAC_STR_SIZE], addr[ADDR_SIZE];
	uint64_t now = now_seconds();
	struct json j;
	size_t i;

	if (opt->json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_device(&j, d);
		json_member_maybe(&j, "suppressed", info->has_suppressed,
				  info->suppressed);
		json_key(&j, "addresses");
		json_array_begin(&j);
		for (i = 0; i < info->addrs.n; i++)
			json_string(&j, format_addr(addr, &info->addrs.v[i]));
		json_array_end(&j);
		json_dests(&j, &info->dests);
		json_key(&j, "exceptions");
		json_except_list(&j, &info->excepts);
		json_member_maybe(&j, "evicted", info->has_evicted,
				  info->evicted);
		json_object_end(&j);
		return json_done(&j);
	}

	mac_format(d->mac, mac);
	if (d->has_name)
		printf("%s  %-5s  %s\n", mac, policy_name(d->policy), d->name);
	else
		printf("%s  %s\n", mac, policy_name(d->policy));
	print_traffic("denied", d->c.denied_packets, d->c.denied_bytes,
		      d->c.has_last_denied, d->c.last_denied, now);
	print_traffic("wan", d->c.wan_packets, d->c.wan_bytes,
		      d->c.has_last_wan, d->c.last_wan, now);
	if (info->has_suppressed)
		printf("  suppressed events: %" PRIu64 "\n", info->suppressed);
	printf("  addresses:");
	if (info->addrs.n == 0)
		printf(" none");
	for (i = 0; i < info->addrs.n; i++)
		printf(" %s", format_addr(addr, &info->addrs.v[i]));
	printf("\n");
	if (print_dests(&info->dests, now) < 0)
		return runtime_error("show %s: out of memory", mac);
	if (info->has_evicted)
		printf("  evicted destinations: %" PRIu64 "\n", info->evicted);
	if (info->excepts.n == 0) {
		printf("  exceptions: none\n");
		return 0;
	}
	printf("  exceptions:\n");
	if (print_except_table(&info->excepts, "    ", false) < 0)
		return runtime_error("show %s: out of memory", mac);
	return 0;
}

static int print_unknown(const struct iot_unknown_list *l,
			 const struct options *opt)
{
	char mac[MAC_STR_SIZE], ago[AGO_SIZE];
	uint64_t now = now_seconds();
	struct json j;
	size_t i;

	if (opt->json) {
		json_init(&j, stdout);
		json_array_begin(&j);
		for (i = 0; i < l->n; i++) {
			const struct iot_unknown *u = &l->v[i];

			mac_format(u->mac, mac);
			json_object_begin(&j);
			json_member_string(&j, "mac", mac);
			json_member_uint(&j, "denied_packets",
					 u->denied_packets);
			json_member_uint(&j, "denied_bytes", u->denied_bytes);
			json_member_uint(&j, "first_seen", u->first_seen);
			json_member_maybe(&j, "last_denied", u->has_last_denied,
					  u->last_denied);
			json_dests(&j, &u->dests);
			json_object_end(&j);
		}
		json_array_end(&j);
		return json_done(&j);
	}

	for (i = 0; i < l->n; i++) {
		const struct iot_unknown *u = &l->v[i];

		mac_format(u->mac, mac);
		if (i)
			printf("\n");
		printf("%s  unknown\n", mac);
		print_traffic("denied", u->denied_packets, u->denied_bytes,
			      u->has_last_denied, u->last_denied, now);
		printf("  first seen: %s\n",
		       format_ago(ago, true, u->first_seen, now));
		if (print_dests(&u->dests, now) < 0)
			return runtime_error("show --unknown: out of memory");
	}
	return 0;
}

static int show_unknown(const struct options *opt)
{
	struct iot_unknown_list list = { 0 };
	struct iot_nl_error err;
	struct iot_nl *nl;
	int ret;

	nl = iot_nl_open(&err);
	if (!nl || iot_nl_dump_unknown(nl, &list, &err) < 0)
		ret = nl_failed(&err, "show --unknown");
	else
		ret = print_unknown(&list, opt);
	iot_nl_close(nl);
	iot_unknown_list_free(&list);
	return ret;
}

static int show_one(const uint8_t mac[ETH_ALEN], const struct options *opt)
{
	struct iot_device_info info = { 0 };
	struct iot_nl_error err;
	struct iot_nl *nl;
	char macstr[MAC_STR_SIZE];
	int ret;

	mac_format(mac, macstr);
	nl = iot_nl_open(&err);
	if (!nl || iot_nl_get_device_info(nl, mac, &info, &err) < 0)
		ret = nl_failed(&err, "show %s", macstr);
	else
		ret = print_device_info(&info, opt);
	iot_nl_close(nl);
	iot_device_info_free(&info);
	return ret;
}

/* show [<MAC> | --unknown] */
int show_main(int argc, char *argv[], const struct options *opt)
{
	struct iot_device_list list = { 0 };
	struct iot_nl_error err;
	struct iot_nl *nl;
	const char *macarg = NULL;
	bool unknown = false;
	int i, ret;

	for (i = 1; i < argc; i++) {
		bool is_unknown = !strcmp(argv[i], "--unknown");

		if (!is_unknown && argv[i][0] == '-' && argv[i][1])
			return usage_error("show: unknown option '%s'",
					   shown(argv[i]));
		if (unknown || macarg)
			return usage_error("show: unexpected argument '%s'",
					   shown(argv[i]));
		if (is_unknown)
			unknown = true;
		else
			macarg = argv[i];
	}
	if (unknown)
		return show_unknown(opt);
	if (macarg) {
		uint8_t mac[ETH_ALEN];

		ret = mac_arg(macarg, mac);
		return ret ? ret : show_one(mac, opt);
	}

	nl = iot_nl_open(&err);
	if (!nl || iot_nl_dump_devices(nl, &list, &err) < 0)
		ret = nl_failed(&err, "show");
	else
		ret = print_devices(list.v, list.n, opt);
	iot_nl_close(nl);
	iot_device_list_free(&list);
	return ret;
}
