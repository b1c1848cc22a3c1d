/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_H
#define IOTCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "netlink.h"
#include "policy.h"

#define EXIT_RUNTIME	1	/* the kernel refused, or could not be asked */
#define EXIT_USAGE	2	/* bad command line; nothing was sent */

struct options {
	bool json;
};

/*
 * Every command gets argv[0] = its own name and the arguments after it,
 * with the global options already taken out, and returns an exit code.
 */
typedef int (*command_fn)(int argc, char *argv[], const struct options *opt);

int deny_main(int argc, char *argv[], const struct options *opt);
int allow_main(int argc, char *argv[], const struct options *opt);
int audit_main(int argc, char *argv[], const struct options *opt);
int del_main(int argc, char *argv[], const struct options *opt);
int show_main(int argc, char *argv[], const struct options *opt);
int flush_main(int argc, char *argv[], const struct options *opt);
int wan_main(int argc, char *argv[], const struct options *opt);
int default_main(int argc, char *argv[], const struct options *opt);
int status_main(int argc, char *argv[], const struct options *opt);
int load_main(int argc, char *argv[], const struct options *opt);
int save_main(int argc, char *argv[], const struct options *opt);
int monitor_main(int argc, char *argv[], const struct options *opt);

int except_main(int argc, char *argv[], const struct options *opt);
int lock_main(int argc, char *argv[], const struct options *opt);

int apply_main(int argc, char *argv[], const struct options *opt);
int fallback_main(int argc, char *argv[], const struct options *opt);

/* load.c: what load shares with apply. */
/* Reads and parses path ("-": stdin), shown as shown_path; prints what is
 * wrong and returns an exit code. */
int read_policy(const char *path, const char *shown_path, struct policy *p);
/* Loads p into the module in one step; prints what the kernel refused
 * and returns an exit code. */
int load_policy(struct iot_nl *nl, const struct policy *p, const char *file,
		struct iot_commit *res);

/* cli.c */
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
/* What usage_error() prints after its message: main() sets it. */
void set_usage(const char *usage);
int usage_error(const char *fmt, ...) PRINTF(1, 2);
int input_error(const char *fmt, ...) PRINTF(1, 2);
int runtime_error(const char *fmt, ...) PRINTF(1, 2);
void warning(const char *fmt, ...) PRINTF(1, 2);
int nl_failed(const struct iot_nl_error *err, const char *fmt, ...)
	PRINTF(2, 3);
const char *shown(const char *arg);
int file_arg(int argc, char *argv[], char **file);
int mac_arg(const char *arg, uint8_t mac[ETH_ALEN]);
struct json;
int json_done(struct json *j);
/*
 * An exception's members, in an object already open: "device" (a MAC or
 * "any"), "family", "prefix", "proto" and "port_min", "port_max" (null:
 * any), and with counters the "matched_packets", "matched_bytes",
 * "last_matched" the kernel counted.
 */
void json_except(struct json *j, const struct iot_except *e);
void json_except_counters(struct json *j, const struct iot_except *e);

/* except.c: what show and lock share with except. */
/* An aligned table of l under a header, with a DEVICE column if owner. */
int print_except_table(const struct iot_except_list *l, const char *indent,
		       bool owner);
/* l as a JSON array of exceptions with their counters. */
void json_except_list(struct json *j, const struct iot_except_list *l);

#endif
