// SPDX-License-Identifier: GPL-2.0
/*
 * except: what a device that would be dropped may still reach, for one
 * device in the table or for any. The words are parsed by exception.c,
 * as the policy file's except lines are.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exception.h"
#include "format.h"
#include "iotctl.h"
#include "json.h"
#include "mac.h"

/* What except_parse() refused, as the command line says it. */
static int except_refused(const struct except_error *xerr, char *const *words)
{
	const char *word = xerr->word < 0 ? NULL : words[xerr->word];

	if (!word)
		return usage_error("%s", xerr->reason);
	if (xerr->usage)
		return usage_error("%s '%s'", xerr->reason, shown(word));
	if (xerr->detail[0])
		return input_error("%s '%s': %s", xerr->reason, shown(word),
				   xerr->detail);
	return input_error("%s '%s'", xerr->reason, shown(word));
}

/* <MAC|any>, as every except command and lock names an owner. */
static int owner_arg(const char *arg, struct iot_except *e)
{
	if (!strcmp(arg, "any")) {
		e->any = true;
		return 0;
	}
	return mac_arg(arg, e->mac);
}

/* <MAC|any> <PREFIX> [proto ...] [port ...]: argv[0] is "except add". */
static int key_args(int argc, char *argv[], const char *cmd,
		    struct iot_except *e)
{
	struct except_error xerr;
	int ret;

	if (argc < 1)
		return usage_error("%s: missing MAC address or 'any'", cmd);
	ret = owner_arg(argv[0], e);
	if (ret)
		return ret;
	if (except_parse(e, (const char *const *)argv + 1, (size_t)argc - 1,
			 cmd, &xerr) < 0)
		return except_refused(&xerr, argv + 1);
	return 0;
}

static uint64_t now_seconds(void)
{
	time_t t = time(NULL);

	return t < 0 ? 0 : (uint64_t)t;
}

int print_except_table(const struct iot_except_list *l, const char *indent,
		       bool owner)
{
	static const char *const columns[] = {
		"DEVICE", "PREFIX", "PROTO", ">PORT", ">PACKETS", ">BYTES",
		"LAST MATCH",
	};
	uint64_t now = now_seconds();
	struct table t;
	size_t i, skip = owner ? 0 : 1;
	int ret;

	table_init(&t, sizeof(columns) / sizeof(columns[0]) - skip,
		   columns + skip);
	for (i = 0; i < l->n; i++) {
		const struct iot_except *e = &l->v[i];
		char mac[MAC_STR_SIZE], prefix[PREFIX_SIZE], port[16];
		char packets[24], bytes[BYTES_SIZE], last[AGO_SIZE];
		const char *proto = except_proto_name(e);
		const char *row[] = {
			e->any ? "any" : mac, except_prefix(prefix, e),
			proto ? proto : "any", port, packets,
			format_bytes(bytes, e->matched_bytes),
			format_ago(last, e->has_last_matched, e->last_matched,
				   now),
		};

		mac_format(e->mac, mac);
		if (!e->port_min)
			snprintf(port, sizeof(port), "any");
		else if (e->port_min == e->port_max)
			snprintf(port, sizeof(port), "%u", e->port_min);
		else
			snprintf(port, sizeof(port), "%u-%u", e->port_min,
				 e->port_max);
		snprintf(packets, sizeof(packets), "%" PRIu64,
			 e->matched_packets);
		table_row(&t, row + skip);
	}
	ret = table_print(&t, stdout, indent);
	table_free(&t);
	return ret;
}

void json_except_list(struct json *j, const struct iot_except_list *l)
{
	size_t i;

	json_array_begin(j);
	for (i = 0; i < l->n; i++) {
		json_object_begin(j);
		json_except(j, &l->v[i]);
		json_except_counters(j, &l->v[i]);
		json_object_end(j);
	}
	json_array_end(j);
}

/* except add|del <MAC|any> <PREFIX> [proto P] [port N[-M]] */
static int except_change(int argc, char *argv[], bool add,
			 const struct options *opt)
{
	const char *cmd = add ? "except add" : "except del";
	char text[EXCEPT_TEXT_SIZE];
	struct iot_except e = { 0 };
	struct iot_nl_error err;
	struct iot_nl *nl;
	uint32_t cut = 0;
	struct json j;
	int ret;

	ret = key_args(argc - 2, argv + 2, cmd, &e);
	if (ret)
		return ret;

	except_format(text, &e);
	nl = iot_nl_open(&err);
	if (!nl || (add ? iot_nl_add_except(nl, &e, &err) :
			  iot_nl_del_except(nl, &e, &cut, &err)) < 0) {
		ret = nl_failed(&err, "%s %s", cmd, text);
		goto out;
	}
	if (add)
		goto out;
	if (!opt->json) {
		printf("except %s deleted, cut %" PRIu32 " connection%s\n",
		       text, cut, plural(cut));
		goto out;
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_except(&j, &e);
	json_member_uint(&j, "cut_connections", cut);
	json_object_end(&j);
	ret = json_done(&j);
out:
	iot_nl_close(nl);
	return ret;
}

/* except [show [<MAC|any>]] */
static int except_show(int argc, char *argv[], const struct options *opt)
{
	struct iot_except_list list = { 0 };
	struct iot_except owner = { 0 };
	struct iot_nl_error err;
	struct iot_nl *nl;
	struct json j;
	int ret = 0;

	if (argc > 3)
		return usage_error("except show: unexpected argument '%s'",
				   shown(argv[3]));
	if (argc == 3) {
		ret = owner_arg(argv[2], &owner);
		if (ret)
			return ret;
	}

	nl = iot_nl_open(&err);
	if (!nl || iot_nl_dump_excepts(nl, owner.any,
				       argc == 3 && !owner.any ? owner.mac :
								 NULL,
				       &list, &err) < 0) {
		ret = nl_failed(&err, "except show");
	} else if (opt->json) {
		json_init(&j, stdout);
		json_except_list(&j, &list);
		ret = json_done(&j);
	} else if (list.n && print_except_table(&list, "", true) < 0) {
		/* An empty list prints nothing, not even the header. */
		ret = runtime_error("except show: out of memory");
	}
	iot_nl_close(nl);
	iot_except_list_free(&list);
	return ret;
}

int except_main(int argc, char *argv[], const struct options *opt)
{
	if (argc < 2 || !strcmp(argv[1], "show"))
		return except_show(argc < 2 ? 2 : argc, argv, opt);
	if (!strcmp(argv[1], "add"))
		return except_change(argc, argv, true, opt);
	if (!strcmp(argv[1], "del"))
		return except_change(argc, argv, false, opt);
	return usage_error("except: unknown keyword '%s'", shown(argv[1]));
}
