// SPDX-License-Identifier: GPL-2.0
/*
 * iotctl: configure the iot_egress kernel module, which keeps chosen LAN
 * devices from sending through the WAN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotctl.h"

#ifndef IOTCTL_VERSION
#error "IOTCTL_VERSION must be defined (the Makefile takes it from VERSION)"
#endif

static int help_main(int argc, char *argv[], const struct options *opt);

static const struct command {
	const char *name;
	command_fn fn;
	const char *usage;
	const char *summary;	/* one line, for --help */
	const char *help;	/* for help <command> */
} commands[] = {
	{ "deny", deny_main, "iotctl deny <MAC> [name <LABEL>]",
	  "deny a device: its packets never leave through a WAN interface",
	  "Adds the device to the table with the deny policy, or changes an\n"
	  "existing entry to deny. Forwarded packets from this source MAC are\n"
	  "dropped when they leave through a WAN interface, and its live\n"
	  "connections through a WAN are cut; it prints how many. name sets\n"
	  "the label; without it, a device already in the table keeps its\n"
	  "label.\n" },
	{ "allow", allow_main, "iotctl allow <MAC> [name <LABEL>]",
	  "allow a device: its packets may leave through a WAN interface",
	  "Adds the device to the table with the allow policy, or changes an\n"
	  "existing entry to allow, whatever the default policy is. name sets\n"
	  "the label; without it, a device already in the table keeps its\n"
	  "label.\n" },
	{ "audit", audit_main, "iotctl audit <MAC> [name <LABEL>]",
	  "audit a device: it may use the WAN, every destination is recorded",
	  "Adds the device to the table with the audit policy, or changes an\n"
	  "existing entry to audit. Its packets may leave through a WAN\n"
	  "interface, but every WAN destination is recorded (show <MAC>) and\n"
	  "reported to monitor. name sets the label; without it, a device\n"
	  "already in the table keeps its label.\n" },
	{ "del", del_main, "iotctl del <MAC>",
	  "remove a device from the table",
	  "Removes the device from the table: the default policy applies to\n"
	  "it again.\n" },
	{ "show", show_main, "iotctl show [<MAC> | --unknown]",
	  "list the devices in the table (the default command)",
	  "Prints every device in the table, sorted by MAC address: the MAC,\n"
	  "its policy, its label and its counters. With a MAC, that device\n"
	  "with its addresses and the WAN destinations it tried. With\n"
	  "--unknown, the devices not in the table that the default deny\n"
	  "kept off the WAN, and their destinations.\n" },
	{ "flush", flush_main, "iotctl flush",
	  "remove every device from the table",
	  "Removes every device and its exceptions. The WAN names, the default\n"
	  "policy and the exceptions for any stay.\n" },
	{ "except", except_main,
	  "iotctl except [add|del <MAC|any> <PREFIX> [proto tcp|udp|icmp] [port <N>[-<M>]] | show [<MAC|any>]]",
	  "let a device that would be dropped reach some destinations",
	  "add lets the WAN-bound packets of a device in the table that would\n"
	  "be dropped through when they go to PREFIX (an IPv4 or IPv6 address\n"
	  "with an optional /length, 0.0.0.0/0 and ::/0 for all), with the\n"
	  "protocol and destination port (or range) given, if given; with any,\n"
	  "those of every device that would be dropped. icmp is ICMPv6 for an\n"
	  "IPv6 prefix; a port needs tcp or udp. del removes one, named as add\n"
	  "names it, and prints how many connections it alone let through were\n"
	  "cut. show (also except alone) lists them, any first then by MAC,\n"
	  "with the packets and bytes each let through and when it last did.\n" },
	{ "lock", lock_main, "iotctl lock <MAC> [min-count <N>] [dry-run]",
	  "deny a device, but for the destinations it was recorded using",
	  "Denies the device, with an exception for each WAN destination it was\n"
	  "recorded trying (audit it first) at least N times (min-count,\n"
	  "default 1): its exact address, with its protocol and, for tcp and\n"
	  "udp, its port, in one step. Destinations of other protocols are\n"
	  "skipped. It prints how many were kept and skipped, how many the\n"
	  "recorder forgot to make room (evicted), and the connections cut.\n"
	  "dry-run prints the policy lines instead, and changes nothing.\n" },
	{ "wan", wan_main, "iotctl wan [add <IFNAME> | del <IFNAME> | show]",
	  "add, remove or list WAN interface names",
	  "Packets are only checked when they leave through an interface with\n"
	  "one of these names; the interface need not exist yet. With no name\n"
	  "configured, every forwarded packet counts as WAN-bound. wan alone\n"
	  "is wan show, which prints each name and its ifindex, or absent.\n" },
	{ "default", default_main, "iotctl default [allow|deny]",
	  "show or set the policy of devices not in the table",
	  "Sets the policy of devices that are not in the table, or prints it\n"
	  "when no policy is given. default deny cuts the live WAN\n"
	  "connections of the devices it denies, and prints how many.\n" },
	{ "status", status_main, "iotctl status",
	  "show the module's version, settings and counters",
	  "Prints the module and protocol version, the default policy, the\n"
	  "number of devices and the limit, the WAN names, the number of\n"
	  "packets dropped, the destinations and unknown devices recorded, the\n"
	  "monitor events sent and suppressed, and the generation, which\n"
	  "changes on every change to the configuration; and whether the\n"
	  "nftables fallback is in force. Without the module, but with the\n"
	  "fallback, it prints why, and what the fallback enforces.\n" },
	{ "load", load_main, "iotctl load <FILE|->",
	  "replace the whole policy with a policy file",
	  "Reads a policy file (see iot-egress.conf(5)), or standard input\n"
	  "for -, and makes the devices, the WAN names and the default policy\n"
	  "exactly what it says, in one step. The whole file is checked\n"
	  "first: if any line is wrong, or the kernel refuses anything,\n"
	  "nothing changes. It prints how many live connections were cut.\n" },
	{ "apply", apply_main, "iotctl apply <FILE|->",
	  "enforce a policy file: with the module, or else with nftables",
	  "What iot-egress.service runs. Loads the module if it is not loaded\n"
	  "(modprobe), then loads the policy file into it as load does, and\n"
	  "then removes the nftables fallback table if there is one: the\n"
	  "policy is in force all along. If the module cannot be loaded, it\n"
	  "says why and enforces the file with the nftables fallback instead\n"
	  "(see fallback), replacing the fallback table in one transaction.\n"
	  "Either way, a file with any wrong line changes nothing.\n" },
	{ "fallback", fallback_main, "iotctl fallback <FILE|->",
	  "print the nftables ruleset that enforces a policy file",
	  "Prints, for nft -f, the table inet iot_egress_fallback that gives\n"
	  "every forwarded packet the verdict the module would give it under\n"
	  "the policy file: the deny and allow (and audit) MACs, the WAN names\n"
	  "and the default, in the forward hook at the module's priority. The\n"
	  "file is checked as load checks it.\n" },
	{ "save", save_main, "iotctl save",
	  "print the whole policy as a policy file",
	  "Prints the default policy, the WAN names and the devices, sorted\n"
	  "by MAC address, in the format load reads back; with --json, the\n"
	  "same as one JSON object.\n" },
	{ "monitor", monitor_main, "iotctl monitor [--count <N>]",
	  "print the module's events as they happen",
	  "Prints one line for each event of the module: a denied or audited\n"
	  "device trying a new WAN destination, and every summary interval\n"
	  "the destinations tried again. Runs until interrupted (SIGINT or\n"
	  "SIGTERM, exit status 0), or until N events were printed.\n" },
	{ "help", help_main, "iotctl help [<command>]",
	  "show the usage of a command",
	  "Prints the usage of a command, or the list of commands.\n" },
};

#define GLOBAL_USAGE "iotctl [-j|--json] <command> [<args>]"

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	}
	return NULL;
}

static void print_help(void)
{
	size_t i;

	printf("usage: %s\n\n", GLOBAL_USAGE);
	printf("Keep chosen LAN devices off the WAN with the %s kernel module.\n\n",
	       IOT_EGRESS_GENL_NAME);
	printf("Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].summary);
	printf("\nOptions:\n"
	       "  -j, --json     print JSON; also accepted after the command\n"
	       "  -h, --help     show this help\n"
	       "  -V, --version  show the version\n"
	       "\n"
	       "With no command, iotctl runs show. MAC addresses may be written\n"
	       "aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or\n"
	       "aabbccddeeff. Run 'iotctl help <command>' for more.\n");
}

static void print_command_help(const struct command *c)
{
	printf("usage: %s\n\n%s", c->usage, c->help);
}

/* help [<command>] */
static int help_main(int argc, char *argv[], const struct options *opt)
{
	const struct command *c;

	(void)opt;
	if (argc > 2)
		return usage_error("help: unexpected argument '%s'",
				   shown(argv[2]));
	if (argc == 1) {
		print_help();
		return 0;
	}
	c = find_command(argv[1]);
	if (!c)
		return usage_error("help: unknown command '%s'",
				   shown(argv[1]));
	print_command_help(c);
	return 0;
}

static bool is_json_option(const char *arg)
{
	return !strcmp(arg, "-j") || !strcmp(arg, "--json");
}

static bool is_help_option(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

static int run(int argc, char *argv[])
{
	static char default_command[] = "show";
	struct options opt = { 0 };
	const struct command *c;
	char **args;
	int i, n, ret;

	set_usage(GLOBAL_USAGE);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (is_json_option(argv[i])) {
			opt.json = true;
		} else if (is_help_option(argv[i])) {
			print_help();
			return 0;
		} else if (!strcmp(argv[i], "-V") ||
			   !strcmp(argv[i], "--version")) {
			printf("iotctl %s\n", IOTCTL_VERSION);
			return 0;
		} else {
			input_error("unknown option '%s'", shown(argv[i]));
			fprintf(stderr, "usage: %s\n", GLOBAL_USAGE);
			return EXIT_USAGE;
		}
	}

	if (i == argc) {
		char *show_argv[] = { default_command, NULL };

		set_usage(find_command(default_command)->usage);
		return show_main(1, show_argv, &opt);
	}

	c = find_command(argv[i]);
	if (!c) {
		input_error("unknown command '%s'", shown(argv[i]));
		fprintf(stderr, "usage: %s\n", GLOBAL_USAGE);
		return EXIT_USAGE;
	}

	/* -j may follow the command too: take it out wherever it is. */
	args = calloc((size_t)(argc - i) + 1, sizeof(*args));
	if (!args)
		return runtime_error("out of memory");
	for (n = 0; i < argc; i++) {
		if (n > 0 && is_json_option(argv[i]))
			opt.json = true;
		else
			args[n++] = argv[i];
	}

	if (n > 1 && is_help_option(args[1])) {
		print_command_help(c);
		ret = 0;
	} else {
		set_usage(c->usage);
		ret = c->fn(n, args, &opt);
	}
	free(args);
	return ret;
}

int main(int argc, char *argv[])
{
	int ret = run(argc, argv);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("iotctl: cannot write the output");
		return EXIT_RUNTIME;
	}
	return ret;
}
