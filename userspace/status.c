// SPDX-License-Identifier: GPL-2.0
/* status, and default: the module-wide settings. */
#include <inttypes.h>
#include <stdio.h>

#include "iotctl.h"
#include "json.h"

/* default [allow|deny] */
int default_main(int argc, char *argv[], const struct options *opt)
{
	struct iot_nl_error err;
	struct iot_status st;
	struct iot_nl *nl;
	struct json j;
	int policy = 0;
	int ret = 0;

	if (argc > 2)
		return usage_error(argv[0], "default: unexpected argument '%s'",
				   shown(argv[2]));
	if (argc == 2) {
		policy = policy_parse(argv[1]);
		if (policy < 0)
			return usage_error(argv[0],
					   "default: unknown policy '%s'",
					   shown(argv[1]));
	}

	nl = iot_nl_open(&err);
	if (argc == 2) {
		if (!nl || iot_nl_set_default(nl, (uint8_t)policy, &err) < 0)
			ret = nl_failed(&err, "default %s", argv[1]);
		goto out;
	}
	if (!nl || iot_nl_get_status(nl, &st, &err) < 0) {
		ret = nl_failed(&err, "default");
		goto out;
	}
	if (!opt->json) {
		printf("%s\n", policy_name(st.default_policy));
		goto out;
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "default");
	json_string(&j, policy_name(st.default_policy));
	json_object_end(&j);
	if (json_end(&j) < 0)
		ret = runtime_error("internal error: malformed JSON output");
out:
	iot_nl_close(nl);
	return ret;
}

static void print_status(const struct iot_status *st,
			 const struct iot_wan_list *wans)
{
	printf("module: %s %s (protocol %" PRIu32 ")\n", IOT_EGRESS_GENL_NAME,
	       st->module_version, st->proto_version);
	printf("default: %s\n", policy_name(st->default_policy));
	printf("devices: %" PRIu32 " (max %" PRIu32 ")\n", st->devices,
	       st->max_devices);
	if (wans->n == 0) {
		printf("wan: none (every forwarded packet counts as WAN-bound)\n");
	} else {
		size_t i;

		printf("wan:");
		for (i = 0; i < wans->n; i++)
			printf(" %s", wans->v[i].ifname);
		printf("\n");
	}
	printf("dropped: %" PRIu64 "\n", st->dropped);
	printf("generation: %" PRIu64 "\n", st->generation);
}

static int print_status_json(const struct iot_status *st,
			     const struct iot_wan_list *wans)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "module_version");
	json_string(&j, st->module_version);
	json_key(&j, "protocol");
	json_uint(&j, st->proto_version);
	json_key(&j, "default");
	json_string(&j, policy_name(st->default_policy));
	json_key(&j, "devices");
	json_uint(&j, st->devices);
	json_key(&j, "max_devices");
	json_uint(&j, st->max_devices);
	json_key(&j, "wan");
	json_array_begin(&j);
	for (i = 0; i < wans->n; i++)
		json_string(&j, wans->v[i].ifname);
	json_array_end(&j);
	json_key(&j, "dropped");
	json_uint(&j, st->dropped);
	json_key(&j, "generation");
	json_uint(&j, st->generation);
	json_object_end(&j);
	if (json_end(&j) < 0)
		return runtime_error("internal error: malformed JSON output");
	return 0;
}

int status_main(int argc, char *argv[], const struct options *opt)
{
	struct iot_wan_list wans = { 0 };
	struct iot_nl_error err;
	struct iot_status st;
	struct iot_nl *nl;
	int ret = 0;

	if (argc > 1)
		return usage_error(argv[0], "status: unexpected argument '%s'",
				   shown(argv[1]));

	nl = iot_nl_open(&err);
	if (!nl || iot_nl_get_status(nl, &st, &err) < 0 ||
	    iot_nl_dump_wan(nl, &wans, &err) < 0)
		ret = nl_failed(&err, "status");
	else if (opt->json)
		ret = print_status_json(&st, &wans);
	else
		print_status(&st, &wans);
	iot_nl_close(nl);
	iot_wan_list_free(&wans);
	return ret;
}
