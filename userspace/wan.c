// SPDX-License-Identifier: GPL-2.0
/* wan add|del|show: the interface names that count as the WAN. */
#include <stdio.h>
#include <string.h>

#include "iotctl.h"
#include "json.h"
#include "validate.h"

static int wan_show(const struct options *opt)
{
	struct iot_wan_list list = { 0 };
	struct iot_nl_error err;
	struct iot_nl *nl;
	struct json j;
	size_t i;
	int ret = 0;

	nl = iot_nl_open(&err);
	if (!nl || iot_nl_dump_wan(nl, &list, &err) < 0) {
		ret = nl_failed(&err, "wan show");
		goto out;
	}

	if (!opt->json) {
		for (i = 0; i < list.n; i++) {
			if (list.v[i].ifindex)
				printf("%s  ifindex %u\n", list.v[i].ifname,
				       list.v[i].ifindex);
			else
				printf("%s  absent\n", list.v[i].ifname);
		}
		goto out;
	}

	json_init(&j, stdout);
	json_array_begin(&j);
	for (i = 0; i < list.n; i++) {
		json_object_begin(&j);
		json_member_string(&j, "ifname", list.v[i].ifname);
		json_key(&j, "present");
		json_bool(&j, list.v[i].ifindex != 0);
		json_member_maybe(&j, "ifindex", list.v[i].ifindex,
				  list.v[i].ifindex);
		json_object_end(&j);
	}
	json_array_end(&j);
	ret = json_done(&j);
out:
	iot_nl_close(nl);
	iot_wan_list_free(&list);
	return ret;
}

static int wan_change(int argc, char *argv[])
{
	const char *sub = argv[1];
	const char *ifname = argv[2];
	struct iot_nl_error err;
	struct iot_nl *nl;
	int ret = 0;

	if (argc < 3)
		return usage_error("wan %s: missing interface name",
				   sub);
	if (argc > 3)
		return usage_error("wan %s: unexpected argument '%s'",
				   sub, shown(argv[3]));
	if (!ifname_valid(ifname))
		return input_error("invalid interface name '%s'",
				   shown(ifname));

	nl = iot_nl_open(&err);
	if (!nl)
		ret = nl_failed(&err, "wan %s %s", sub, ifname);
	else if ((!strcmp(sub, "add") ? iot_nl_add_wan(nl, ifname, &err) :
					iot_nl_del_wan(nl, ifname, &err)) < 0)
		ret = nl_failed(&err, "wan %s %s", sub, ifname);
	iot_nl_close(nl);
	return ret;
}

/* wan [add <IFNAME> | del <IFNAME> | show] */
int wan_main(int argc, char *argv[], const struct options *opt)
{
	if (argc == 1)
		return wan_show(opt);
	if (!strcmp(argv[1], "show")) {
		if (argc > 2)
			return usage_error("wan show: unexpected argument '%s'",
					   shown(argv[2]));
		return wan_show(opt);
	}
	if (!strcmp(argv[1], "add") || !strcmp(argv[1], "del"))
		return wan_change(argc, argv);
	return usage_error("wan: unknown keyword '%s'",
			   shown(argv[1]));
}
