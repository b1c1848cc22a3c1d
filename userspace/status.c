// SPDX-License-Identifier: GPL-2.0
/* status, and default: the module-wide settings. */
#include <inttypes.h>
#include <stdio.h>

#include "iotctl.h"
#include "json.h"

/*
 * default deny prints "default deny, cut N connections"; default allow
 * nothing. With --json, both print {"default", "cut_connections"}.
 */
static int print_set_default(uint8_t policy, uint32_t cut,
			     const struct options *opt)
{
	struct json j;

	if (!opt->json) {
		if (policy == IOT_EGRESS_POLICY_DENY)
			printf("default deny, cut %" PRIu32 " connection%s\n",
			       cut, cut == 1 ? "" : "s");
		return 0;
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "default");
	json_string(&j, policy_name(policy));
	json_key(&j, "cut_connections");
	json_uint(&j, cut);
	json_object_end(&j);
	if (json_end(&j) < 0)
		return runtime_error("internal error: malformed JSON output");
	return 0;
}

/* default [allow|deny] */
int default_main(int argc, char *argv[], const struct options *opt)
{
	struct iot_nl_error err;
	struct iot_status st;
	struct iot_nl *nl;
	struct json j;
	uint32_t cut = 0;
	int policy = 0;
	int ret = 0;

	if (argc > 2)
		return usage_error(argv[0], "default: unexpected argument '%s'",
				   shown(argv[2]));
	if (argc == 2) {
		policy = policy_parse(argv[1]);
		if (policy == IOT_EGRESS_POLICY_AUDIT)
			return usage_error(argv[0],
					   "default: the default policy is allow or deny, not '%s'",
					   argv[1]);
		if (policy < 0)
			return usage_error(argv[0],
					   "default: unknown policy '%s'",
					   shown(argv[1]));
	}

	nl = iot_nl_open(&err);
	if (argc == 2) {
		if (!nl ||
		    iot_nl_set_default(nl, (uint8_t)policy, &cut, &err) < 0)
			ret = nl_failed(&err, "default %s", argv[1]);
		else
			ret = print_set_default((uint8_t)policy, cut, opt);
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
	if (st->has_recording) {
		printf("destinations: %" PRIu32 " (max %" PRIu32 ", %" PRIu32
		       " per device)\n", st->dests, st->max_dests,
		       st->dests_per_device);
		printf("unknown devices: %" PRIu32 " (max %" PRIu32 ")\n",
		       st->unknown, st->max_unknown);
		printf("events: %" PRIu64 " (%" PRIu64 " suppressed)\n",
		       st->events, st->suppressed);
	}
	printf("generation: %" PRIu64 "\n", st->generation);
}

/* A number a module older than the recording does not give: null. */
static void json_optional(struct json *j, const char *key, bool has,
			  uint64_t v)
{
	json_key(j, key);
	if (has)
		json_uint(j, v);
	else
		json_null(j);
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
	json_optional(&j, "dests", st->has_recording, st->dests);
	json_optional(&j, "max_dests", st->has_recording, st->max_dests);
	json_optional(&j, "dests_per_device", st->has_recording,
		      st->dests_per_device);
	json_optional(&j, "unknown", st->has_recording, st->unknown);
	json_optional(&j, "max_unknown", st->has_recording, st->max_unknown);
	json_optional(&j, "events", st->has_recording, st->events);
	json_optional(&j, "suppressed", st->has_recording, st->suppressed);
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
