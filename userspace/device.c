// SPDX-License-Identifier: GPL-2.0
/* deny, allow, audit, del, flush: changes to the device table. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "iotctl.h"
#include "json.h"
#include "mac.h"
#include "validate.h"

/*
 * What a write that can deny prints: deny "<MAC> denied, cut N
 * connections"; allow and audit nothing. With --json, every one of them
 * prints {"mac", "policy", "cut_connections"}.
 */
static int print_set(const char *mac, uint8_t policy, uint32_t cut,
		     const struct options *opt)
{
	struct json j;

	if (!opt->json) {
		if (policy == IOT_EGRESS_POLICY_DENY)
			printf("%s denied, cut %" PRIu32 " connection%s\n", mac,
			       cut, plural(cut));
		return 0;
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_string(&j, "mac", mac);
	json_member_string(&j, "policy", policy_name(policy));
	json_member_uint(&j, "cut_connections", cut);
	json_object_end(&j);
	return json_done(&j);
}

/* deny|allow|audit <MAC> [name <LABEL>] */
static int set_main(int argc, char *argv[], uint8_t policy,
		    const struct options *opt)
{
	const char *cmd = argv[0];
	struct iot_device dev = { .policy = policy };
	struct iot_nl_error err;
	struct iot_nl *nl;
	char mac[MAC_STR_SIZE];
	char why[128];
	uint32_t cut = 0;
	int i, ret;

	if (argc < 2)
		return usage_error("%s: missing MAC address", cmd);
	ret = mac_arg(argv[1], dev.mac);
	if (ret)
		return ret;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "name") || dev.has_name)
			return usage_error("%s: unexpected argument '%s'",
					   cmd, shown(argv[i]));
		if (++i == argc)
			return usage_error("%s: missing label after 'name'",
					   cmd);
		if (!label_valid(argv[i], why, sizeof(why)))
			return input_error("invalid name '%s': %s",
					   shown(argv[i]), why);
		snprintf(dev.name, sizeof(dev.name), "%s", argv[i]);
		dev.has_name = true;
	}

	mac_format(dev.mac, mac);
	nl = iot_nl_open(&err);
	if (!nl || iot_nl_set_device(nl, &dev, &cut, &err) < 0)
		ret = nl_failed(&err, "%s %s%s%s", cmd, mac,
				dev.has_name ? " name " : "",
				dev.has_name ? dev.name : "");
	else
		ret = print_set(mac, policy, cut, opt);
	iot_nl_close(nl);
	return ret;
}

int deny_main(int argc, char *argv[], const struct options *opt)
{
	return set_main(argc, argv, IOT_EGRESS_POLICY_DENY, opt);
}

int allow_main(int argc, char *argv[], const struct options *opt)
{
	return set_main(argc, argv, IOT_EGRESS_POLICY_ALLOW, opt);
}

int audit_main(int argc, char *argv[], const struct options *opt)
{
	return set_main(argc, argv, IOT_EGRESS_POLICY_AUDIT, opt);
}

int del_main(int argc, char *argv[], const struct options *opt)
{
	struct iot_nl_error err;
	struct iot_nl *nl;
	uint8_t mac[ETH_ALEN];
	char macstr[MAC_STR_SIZE];
	int ret;

	(void)opt;
	if (argc < 2)
		return usage_error("del: missing MAC address");
	if (argc > 2)
		return usage_error("del: unexpected argument '%s'",
				   shown(argv[2]));
	ret = mac_arg(argv[1], mac);
	if (ret)
		return ret;

	mac_format(mac, macstr);
	nl = iot_nl_open(&err);
	if (!nl || iot_nl_del_device(nl, mac, &err) < 0)
		ret = nl_failed(&err, "del %s", macstr);
	iot_nl_close(nl);
	return ret;
}

int flush_main(int argc, char *argv[], const struct options *opt)
{
	struct iot_nl_error err;
	struct iot_nl *nl;
	int ret = 0;

	(void)opt;
	if (argc > 1)
		return usage_error("flush: unexpected argument '%s'",
				   shown(argv[1]));

	nl = iot_nl_open(&err);
	if (!nl || iot_nl_flush(nl, &err) < 0)
		ret = nl_failed(&err, "flush");
	iot_nl_close(nl);
	return ret;
}

