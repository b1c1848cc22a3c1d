// SPDX-License-Identifier: GPL-2.0
/* deny, allow, del, show, flush: the device table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotctl.h"
#include "json.h"
#include "mac.h"
#include "validate.h"

/* Parses a MAC given on the command line; refuses what is not a device. */
static int parse_device_mac(const char *arg, uint8_t mac[ETH_ALEN])
{
	if (mac_parse(arg, mac) < 0)
		return input_error("invalid MAC address '%s'", shown(arg));
	switch (mac_classify(mac)) {
	case MAC_BROADCAST:
		return input_error("'%s' is the broadcast address, not a device",
				   shown(arg));
	case MAC_MULTICAST:
		return input_error("'%s' is a multicast address, not a device",
				   shown(arg));
	case MAC_ZERO:
		return input_error("'%s' is the all-zero address, not a device",
				   shown(arg));
	case MAC_UNICAST:
		break;
	}
	return 0;
}

/* deny|allow <MAC> [name <LABEL>] */
static int set_main(int argc, char *argv[], uint8_t policy)
{
	const char *cmd = argv[0];
	struct iot_device dev = { .policy = policy };
	struct iot_nl_error err;
	struct iot_nl *nl;
	char mac[MAC_STR_SIZE];
	char why[128];
	int i, ret;

	if (argc < 2)
		return usage_error(cmd, "%s: missing MAC address", cmd);
	ret = parse_device_mac(argv[1], dev.mac);
	if (ret)
		return ret;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "name") || dev.has_name)
			return usage_error(cmd, "%s: unexpected argument '%s'",
					   cmd, shown(argv[i]));
		if (++i == argc)
			return usage_error(cmd, "%s: missing label after 'name'",
					   cmd);
		if (!label_valid(argv[i], why, sizeof(why)))
			return input_error("invalid name '%s': %s",
					   shown(argv[i]), why);
		snprintf(dev.name, sizeof(dev.name), "%s", argv[i]);
		dev.has_name = true;
	}

	mac_format(dev.mac, mac);
	nl = iot_nl_open(&err);
	if (!nl || iot_nl_set_device(nl, &dev, &err) < 0)
		ret = nl_failed(&err, "%s %s%s%s", cmd, mac,
				dev.has_name ? " name " : "",
				dev.has_name ? dev.name : "");
	iot_nl_close(nl);
	return ret;
}

int deny_main(int argc, char *argv[], const struct options *opt)
{
	(void)opt;
	return set_main(argc, argv, IOT_EGRESS_POLICY_DENY);
}

int allow_main(int argc, char *argv[], const struct options *opt)
{
	(void)opt;
	return set_main(argc, argv, IOT_EGRESS_POLICY_ALLOW);
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
		return usage_error(argv[0], "del: missing MAC address");
	if (argc > 2)
		return usage_error(argv[0], "del: unexpected argument '%s'",
				   shown(argv[2]));
	ret = parse_device_mac(argv[1], mac);
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
		return usage_error(argv[0], "flush: unexpected argument '%s'",
				   shown(argv[1]));

	nl = iot_nl_open(&err);
	if (!nl || iot_nl_flush(nl, &err) < 0)
		ret = nl_failed(&err, "flush");
	iot_nl_close(nl);
	return ret;
}

static int by_mac(const void *a, const void *b)
{
	const struct iot_device *x = a, *y = b;

	return mac_compare(x->mac, y->mac);
}

static int print_devices(struct iot_device *v, size_t n,
			 const struct options *opt)
{
	char mac[MAC_STR_SIZE];
	struct json j;
	size_t i;

	if (n > 1)
		qsort(v, n, sizeof(*v), by_mac);

	if (!opt->json) {
		for (i = 0; i < n; i++) {
			mac_format(v[i].mac, mac);
			if (v[i].has_name)
				printf("%s  %-5s  %s\n", mac,
				       policy_name(v[i].policy), v[i].name);
			else
				printf("%s  %s\n", mac,
				       policy_name(v[i].policy));
		}
		return 0;
	}

	json_init(&j, stdout);
	json_array_begin(&j);
	for (i = 0; i < n; i++) {
		mac_format(v[i].mac, mac);
		json_object_begin(&j);
		json_key(&j, "mac");
		json_string(&j, mac);
		json_key(&j, "policy");
		json_string(&j, policy_name(v[i].policy));
		json_key(&j, "name");
		if (v[i].has_name)
			json_string(&j, v[i].name);
		else
			json_null(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	if (json_end(&j) < 0)
		return runtime_error("internal error: malformed JSON output");
	return 0;
}

/* show [<MAC>] */
int show_main(int argc, char *argv[], const struct options *opt)
{
	struct iot_device_list list = { 0 };
	struct iot_device dev;
	struct iot_nl_error err;
	struct iot_nl *nl;
	uint8_t mac[ETH_ALEN];
	char macstr[MAC_STR_SIZE];
	int ret;

	if (argc > 2)
		return usage_error(argv[0], "show: unexpected argument '%s'",
				   shown(argv[2]));
	if (argc == 2) {
		ret = parse_device_mac(argv[1], mac);
		if (ret)
			return ret;
		mac_format(mac, macstr);
	}

	nl = iot_nl_open(&err);
	if (!nl) {
		ret = argc == 2 ? nl_failed(&err, "show %s", macstr) :
				  nl_failed(&err, "show");
	} else if (argc == 2) {
		if (iot_nl_get_device(nl, mac, &dev, &err) < 0)
			ret = nl_failed(&err, "show %s", macstr);
		else
			ret = print_devices(&dev, 1, opt);
	} else {
		if (iot_nl_dump_devices(nl, &list, &err) < 0)
			ret = nl_failed(&err, "show");
		else
			ret = print_devices(list.v, list.n, opt);
	}
	iot_nl_close(nl);
	iot_device_list_free(&list);
	return ret;
}
