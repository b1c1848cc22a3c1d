// SPDX-License-Identifier: GPL-2.0
/* status, and default: the module-wide settings. */
#include <inttypes.h>
#include <stdio.h>

#include "format.h"
#include "iotctl.h"
#include "json.h"
#include "nft.h"

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
			       cut, plural(cut));
		return 0;
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_string(&j, "default", policy_name(policy));
	json_member_uint(&j, "cut_connections", cut);
	json_object_end(&j);
	return json_done(&j);
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
		return usage_error("default: unexpected argument '%s'",
				   shown(argv[2]));
	if (argc == 2) {
		policy = policy_parse(argv[1]);
		if (policy == IOT_EGRESS_POLICY_AUDIT)
			return usage_error("default: the default policy is allow or deny, not '%s'",
					   argv[1]);
		if (policy < 0)
			return usage_error("default: unknown policy '%s'",
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
	json_member_string(&j, "default", policy_name(st.default_policy));
	json_object_end(&j);
	ret = json_done(&j);
out:
	iot_nl_close(nl);
	return ret;
}

/* The fallback line of a status with the module; fb NULL: unknown. */
static void print_fallback_line(const struct nft_fallback *fb)
{
	if (!fb)
		return;
	if (!fb->present) {
		printf("fallback: none\n");
		return;
	}
	printf("fallback: nftables, alongside the module\n");
	printf("reason: %s\n", fb->reason);
}

static void print_status(const struct iot_status *st,
			 const struct iot_wan_list *wans,
			 const struct nft_fallback *fb)
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
	print_fallback_line(fb);
	/* Last: scripts count on the lines above staying where they are. */
	if (st->has_exceptions)
		printf("exceptions: %" PRIu32 " (max %" PRIu32 ", %" PRIu32
		       " per device)\n", st->exceptions, st->max_exceptions,
		       st->exceptions_per_device);
	/* New lines go after the last. */
	if (st->has_early)
		printf("dropped early: %" PRIu64 " (early drop %s)\n",
		       st->dropped_early, st->early_drop ? "on" : "off");
}

/* "fallback": "none", "nftables", or null when it cannot be checked. */
static void json_fallback(struct json *j, const struct nft_fallback *fb)
{
	json_member_string(j, "fallback",
			   fb ? (fb->present ? "nftables" : "none") : NULL);
	json_member_string(j, "fallback_reason",
			   fb && fb->present ? fb->reason : NULL);
}

static int print_status_json(const struct iot_status *st,
			     const struct iot_wan_list *wans,
			     const struct nft_fallback *fb)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_string(&j, "module_version", st->module_version);
	json_member_uint(&j, "protocol", st->proto_version);
	json_member_string(&j, "default", policy_name(st->default_policy));
	json_member_uint(&j, "devices", st->devices);
	json_member_uint(&j, "max_devices", st->max_devices);
	json_key(&j, "wan");
	json_array_begin(&j);
	for (i = 0; i < wans->n; i++)
		json_string(&j, wans->v[i].ifname);
	json_array_end(&j);
	json_member_uint(&j, "dropped", st->dropped);
	json_member_maybe(&j, "dropped_early", st->has_early,
			  st->dropped_early);
	json_key(&j, "early_drop");
	if (st->has_early)
		json_bool(&j, st->early_drop);
	else
		json_null(&j);
	json_member_uint(&j, "generation", st->generation);
	json_member_maybe(&j, "dests", st->has_recording, st->dests);
	json_member_maybe(&j, "max_dests", st->has_recording, st->max_dests);
	json_member_maybe(&j, "dests_per_device", st->has_recording,
			  st->dests_per_device);
	json_member_maybe(&j, "unknown", st->has_recording, st->unknown);
	json_member_maybe(&j, "max_unknown", st->has_recording,
			  st->max_unknown);
	json_member_maybe(&j, "events", st->has_recording, st->events);
	json_member_maybe(&j, "suppressed", st->has_recording, st->suppressed);
	json_member_maybe(&j, "exceptions", st->has_exceptions,
			  st->exceptions);
	json_member_maybe(&j, "max_exceptions", st->has_exceptions,
			  st->max_exceptions);
	json_member_maybe(&j, "exceptions_per_device", st->has_exceptions,
			  st->exceptions_per_device);
	json_fallback(&j, fb);
	json_object_end(&j);
	return json_done(&j);
}

/* No module, but the nftables fallback: what it enforces. */
static int print_fallback(const struct nft_fallback *fb,
			  const struct options *opt)
{
	const char *def = fb->has_default ?
			  policy_name(fb->default_policy) : "unknown";
	struct json j;
	size_t i;

	if (!opt->json) {
		printf("module: not loaded\n");
		printf("fallback: nftables\n");
		printf("reason: %s\n", fb->reason);
		printf("table: %s %s\n", FALLBACK_FAMILY, FALLBACK_TABLE);
		printf("default: %s\n", def);
		printf("devices: %" PRIu32 " (%" PRIu32 " deny, %" PRIu32
		       " allow or audit)\n", fb->deny + fb->allow, fb->deny,
		       fb->allow);
		if (fb->nwan == 0) {
			printf("wan: none (every forwarded packet counts as WAN-bound)\n");
		} else {
			printf("wan:");
			for (i = 0; i < fb->nwan; i++)
				printf(" %s", fb->wan[i]);
			printf("\n");
		}
		if (fb->has_dropped)
			printf("dropped: %" PRIu64 "\n", fb->dropped);
		return 0;
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "module_version");
	json_null(&j);
	json_fallback(&j, fb);
	json_member_string(&j, "table", FALLBACK_FAMILY " " FALLBACK_TABLE);
	json_member_string(&j, "default", fb->has_default ? def : NULL);
	json_member_uint(&j, "devices", (uint64_t)fb->deny + fb->allow);
	json_member_uint(&j, "deny", fb->deny);
	json_member_uint(&j, "allow", fb->allow);
	json_key(&j, "wan");
	json_array_begin(&j);
	for (i = 0; i < fb->nwan; i++)
		json_string(&j, fb->wan[i]);
	json_array_end(&j);
	json_member_maybe(&j, "dropped", fb->has_dropped, fb->dropped);
	json_object_end(&j);
	return json_done(&j);
}

int status_main(int argc, char *argv[], const struct options *opt)
{
	struct iot_wan_list wans = { 0 };
	struct iot_nl_error err, nft_err;
	struct nft_fallback fb;
	struct iot_status st;
	struct iot_nl *nl;
	bool known;
	int ret = 0;

	if (argc > 1)
		return usage_error("status: unexpected argument '%s'",
				   shown(argv[1]));

	nl = iot_nl_open(&err);
	if (!nl && err.failure == IOT_NL_NO_FAMILY) {
		/* Reading nftables takes CAP_NET_ADMIN: without it, or
		 * without the table, the module is simply not loaded. */
		if (nft_fallback_read(&fb, true, &nft_err) == 0 && fb.present)
			ret = print_fallback(&fb, opt);
		else
			ret = nl_failed(&err, "status");
	} else if (!nl || iot_nl_get_status(nl, &st, &err) < 0 ||
		   iot_nl_dump_wan(nl, &wans, &err) < 0) {
		ret = nl_failed(&err, "status");
	} else {
		known = nft_fallback_read(&fb, false, &nft_err) == 0;
		if (opt->json)
			ret = print_status_json(&st, &wans, known ? &fb : NULL);
		else
			print_status(&st, &wans, known ? &fb : NULL);
	}
	iot_nl_close(nl);
	iot_wan_list_free(&wans);
	return ret;
}
