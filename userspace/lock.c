// SPDX-License-Identifier: GPL-2.0
/*
 * lock: deny a device, but for the destinations it was recorded using
 * (audit it first). The device's new policy and its exceptions are one
 * set-device request: the packet path never sees it denied without them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "exception.h"
#include "format.h"
#include "iotctl.h"
#include "json.h"
#include "mac.h"
#include "validate.h"

struct lock_args {
	uint8_t mac[ETH_ALEN];
	uint64_t min_count;
	bool dry_run;
};

/* lock <MAC> [min-count <N>] [dry-run] */
static int lock_parse(int argc, char *argv[], struct lock_args *a)
{
	bool have_min = false;
	int i, ret;

	a->min_count = 1;
	a->dry_run = false;
	if (argc < 2)
		return usage_error("lock: missing MAC address");
	ret = mac_arg(argv[1], a->mac);
	if (ret)
		return ret;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "dry-run") && !a->dry_run) {
			a->dry_run = true;
		} else if (!strcmp(argv[i], "min-count") && !have_min) {
			if (++i == argc)
				return usage_error("lock: missing number after 'min-count'");
			if (!count_parse(argv[i], &a->min_count))
				return input_error("invalid count '%s': a whole number, 1 or more, is needed",
						   shown(argv[i]));
			have_min = true;
		} else {
			return usage_error("lock: unexpected argument '%s'",
					   shown(argv[i]));
		}
	}
	return 0;
}

/* The exceptions of plan the device does not have yet. */
static size_t new_excepts(const struct lock_plan *plan,
			  const struct iot_except_list *have)
{
	size_t i, j, n = 0;

	for (i = 0; i < plan->keep.n; i++) {
		bool found = false;

		for (j = 0; j < have->n && !found; j++)
			found = except_same(&plan->keep.v[i], &have->v[j]);
		n += !found;
	}
	return n;
}

/* What dry-run prints: the lines save would write, under a summary. */
static void print_plan_lines(const struct iot_device *d,
			     const struct lock_plan *plan)
{
	char mac[MAC_STR_SIZE], text[EXCEPT_TEXT_SIZE];
	size_t i;

	mac_format(d->mac, mac);
	printf("deny %s%s%s\n", mac, d->has_name ? " name " : "",
	       d->has_name ? d->name : "");
	for (i = 0; i < plan->keep.n; i++)
		printf("except %s\n", except_format(text, &plan->keep.v[i]));
}

/* With dry-run, as comments: what it prints stays a policy file. */
static void print_counts(const struct lock_plan *plan,
			 const struct lock_args *a,
			 const struct iot_device_info *info)
{
	const char *pre = a->dry_run ? "# " : "";

	printf("%sdestinations: %zu recorded, %zu kept, %zu skipped (a protocol or port no exception can name), %zu below min-count %" PRIu64 "\n",
	       pre, plan->recorded, plan->keep.n, plan->skipped, plan->below,
	       a->min_count);
	if (!info->has_evicted)
		printf("%sevicted: unknown (the module does not report it)\n",
		       pre);
	else if (info->evicted == 0)
		printf("%sevicted: 0\n", pre);
	else
		printf("%sevicted: %" PRIu64 " destination%s the recorder forgot to make room, not kept (audit longer, or raise dests_per_device)\n",
		       pre, info->evicted, plural(info->evicted));
}

static int print_json(const struct iot_device_info *info,
		      const struct lock_plan *plan, const struct lock_args *a,
		      uint32_t cut)
{
	char mac[MAC_STR_SIZE];
	size_t i;
	struct json j;

	mac_format(info->dev.mac, mac);
	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_string(&j, "mac", mac);
	json_member_string(&j, "policy", "deny");
	json_key(&j, "dry_run");
	json_bool(&j, a->dry_run);
	json_member_uint(&j, "min_count", a->min_count);
	json_member_uint(&j, "recorded", plan->recorded);
	json_member_uint(&j, "kept", plan->keep.n);
	json_member_uint(&j, "skipped", plan->skipped);
	json_member_uint(&j, "below_min_count", plan->below);
	json_member_maybe(&j, "evicted", info->has_evicted, info->evicted);
	json_member_maybe(&j, "cut_connections", !a->dry_run, cut);
	json_key(&j, "exceptions");
	json_array_begin(&j);
	for (i = 0; i < plan->keep.n; i++) {
		json_object_begin(&j);
		json_except(&j, &plan->keep.v[i]);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	return json_done(&j);
}

/* The device, its plan, and a check of the module's limit. */
static int lock_run(struct iot_nl *nl, const struct lock_args *a,
		    const struct options *opt)
{
	struct iot_device_info info = { 0 };
	struct lock_plan plan = { 0 };
	struct iot_device dev = { .policy = IOT_EGRESS_POLICY_DENY };
	struct iot_nl_error err;
	struct iot_status st;
	char mac[MAC_STR_SIZE];
	uint32_t cut = 0;
	size_t total;
	int ret = 0;

	mac_format(a->mac, mac);
	if (iot_nl_get_device_info(nl, a->mac, &info, &err) < 0) {
		if (err.failure == IOT_NL_KERNEL && err.errnum == ENOENT)
			ret = runtime_error("lock %s: the device is not in the table (audit it first, so that its destinations are recorded)",
					    mac);
		else
			ret = nl_failed(&err, "lock %s", mac);
		goto out;
	}
	if (lock_plan_make(&plan, a->mac, &info.dests, a->min_count) < 0) {
		ret = runtime_error("lock %s: %s", mac, strerror(ENOMEM));
		goto out;
	}
	if (iot_nl_get_status(nl, &st, &err) < 0) {
		ret = nl_failed(&err, "lock %s", mac);
		goto out;
	}
	total = info.excepts.n + new_excepts(&plan, &info.excepts);
	if (st.has_exceptions && total > st.exceptions_per_device) {
		ret = runtime_error("lock %s: %zu exceptions, more than a device may have (exceptions_per_device %" PRIu32 "): nothing changed; raise it, or use min-count",
				    mac, total, st.exceptions_per_device);
		goto out;
	}
	if (a->dry_run) {
		if (opt->json) {
			ret = print_json(&info, &plan, a, 0);
		} else {
			print_plan_lines(&info.dev, &plan);
			print_counts(&plan, a, &info);
		}
		goto out;
	}

	memcpy(dev.mac, a->mac, ETH_ALEN);	/* no name: the label stays */
	if (iot_nl_set_device_except(nl, &dev, plan.keep.v, plan.keep.n,
				     &cut, &err) < 0) {
		ret = nl_failed(&err, "lock %s", mac);
		goto out;
	}
	if (opt->json) {
		ret = print_json(&info, &plan, a, cut);
		goto out;
	}
	printf("%s denied, with %zu exception%s, cut %" PRIu32 " connection%s\n",
	       mac, plan.keep.n, plural(plan.keep.n), cut, plural(cut));
	print_counts(&plan, a, &info);
out:
	lock_plan_free(&plan);
	iot_device_info_free(&info);
	return ret;
}

int lock_main(int argc, char *argv[], const struct options *opt)
{
	struct iot_nl_error err;
	struct lock_args a;
	struct iot_nl *nl;
	int ret;

	ret = lock_parse(argc, argv, &a);
	if (ret)
		return ret;
	nl = iot_nl_open(&err);
	if (!nl) {
		char mac[MAC_STR_SIZE];

		mac_format(a.mac, mac);
		return nl_failed(&err, "lock %s", mac);
	}
	ret = lock_run(nl, &a, opt);
	iot_nl_close(nl);
	return ret;
}
