// SPDX-License-Identifier: GPL-2.0
/*
 * What the commands share: error reporting, and the arguments and output
 * every command group reads and writes the same way.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exception.h"
#include "format.h"
#include "iotctl.h"
#include "json.h"
#include "mac.h"

/* The usage of the command running, set by main() before it runs. */
static const char *usage;

void set_usage(const char *command_usage)
{
	usage = command_usage;
}

PRINTF(1, 0)
static void vreport(const char *fmt, va_list ap)
{
	fputs("iotctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* A malformed command line: say what is wrong, then how it should look. */
int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	if (usage)
		fprintf(stderr, "usage: %s\n", usage);
	return EXIT_USAGE;
}

/* A well-formed command line with a value we refuse. */
int input_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int runtime_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return EXIT_RUNTIME;
}

/*
 * Is stderr systemd's journal stream (JOURNAL_STREAM, systemd.exec(5))?
 * There a "<4>" prefix makes the line a warning, not mere output.
 */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(2, &st) < 0)
		return false;
	return st.st_dev == (dev_t)dev && st.st_ino == (ino_t)ino;
}

/* Not a failure, but what an administrator must see. */
void warning(const char *fmt, ...)
{
	va_list ap;

	if (stderr_is_journal())
		fputs("<4>", stderr);
	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

/*
 * fmt and what follows spell the command as the kernel saw it, with
 * canonical arguments: "del 02:00:00:00:00:0c".
 */
int nl_failed(const struct iot_nl_error *err, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	switch (err->failure) {
	case IOT_NL_NO_FAMILY:
		return runtime_error("the %s kernel module is not loaded (load it with: modprobe %s)",
				     IOT_EGRESS_GENL_NAME,
				     IOT_EGRESS_GENL_NAME);
	case IOT_NL_KERNEL:
		if (err->errnum == EPERM || err->errnum == EACCES)
			return runtime_error("permission denied: CAP_NET_ADMIN is needed");
		return runtime_error("%s: %s", what,
				     err->msg[0] ? err->msg :
						   strerror(err->errnum));
	case IOT_NL_DUMP_INTR:
		return runtime_error("the table changed during the dump, try again");
	case IOT_NL_NO_GROUP:
		return runtime_error("%s: %s (is the module older than iotctl?)",
				     what, err->msg);
	case IOT_NL_BAD_REPLY:
		return runtime_error("%s: unexpected reply from the kernel: %s",
				     what, err->msg);
	case IOT_NL_LOCAL:
	case IOT_NL_OK:
		break;
	}
	return runtime_error("%s: %s", what,
			     err->msg[0] ? err->msg : "unknown failure");
}

/*
 * Arguments are echoed in error messages; control characters in them
 * would garble the terminal, so those are shown as \xHH.
 */
const char *shown(const char *arg)
{
	static char buf[1024];

	/* The user's terminal shows what the user typed: UTF-8 stays. */
	return format_shown(buf, sizeof(buf), arg, strlen(arg), false);
}

/*
 * <cmd> <FILE|->: the one argument, and *file the name to show for it
 * ("-" is standard input, shown as <stdin>), for free(). Returns 0, or an
 * exit code when it refused.
 */
int file_arg(int argc, char *argv[], char **file)
{
	const char *arg = argv[1];

	if (argc < 2)
		return usage_error("%s: missing file name", argv[0]);
	if (argc > 2)
		return usage_error("%s: unexpected argument '%s'", argv[0],
				   shown(argv[2]));
	*file = strdup(strcmp(arg, "-") ? shown(arg) : "<stdin>");
	if (!*file)
		return runtime_error("%s", strerror(ENOMEM));
	return 0;
}

/* Parses a MAC given on the command line; refuses what is not a device. */
int mac_arg(const char *arg, uint8_t mac[ETH_ALEN])
{
	const char *what;

	if (mac_parse(arg, mac) < 0)
		return input_error("invalid MAC address '%s'", shown(arg));
	what = mac_not_device(mac);
	if (what)
		return input_error("'%s' is %s, not a device", shown(arg), what);
	return 0;
}

/* Ends the JSON output of a command. */
int json_done(struct json *j)
{
	if (json_end(j) < 0)
		return runtime_error("internal error: malformed JSON output");
	return 0;
}

void json_except(struct json *j, const struct iot_except *e)
{
	char owner[MAC_STR_SIZE], prefix[PREFIX_SIZE];

	if (e->any)
		snprintf(owner, sizeof(owner), "any");
	else
		mac_format(e->mac, owner);
	json_member_string(j, "device", owner);
	json_member_string(j, "family", family_name(e->addr.family));
	json_member_string(j, "prefix", except_prefix(prefix, e));
	json_member_string(j, "proto", except_proto_name(e));
	json_member_maybe(j, "port_min", e->port_min != 0, e->port_min);
	json_member_maybe(j, "port_max", e->port_min != 0, e->port_max);
}

void json_except_counters(struct json *j, const struct iot_except *e)
{
	json_member_uint(j, "matched_packets", e->matched_packets);
	json_member_uint(j, "matched_bytes", e->matched_bytes);
	json_member_maybe(j, "last_matched", e->has_last_matched,
			  e->last_matched);
}
