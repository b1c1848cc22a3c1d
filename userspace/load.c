// SPDX-License-Identifier: GPL-2.0
/*
 * load and save: the whole policy at once, as a policy file (policy.c).
 *
 * load checks the whole file before it asks the kernel anything, then
 * stages the new policy and commits it in one step: the packet path sees
 * either the old policy or the new one, never a mix.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exception.h"
#include "format.h"
#include "iotctl.h"
#include "json.h"
#include "mac.h"
#include "policy.h"
#include "validate.h"

#ifndef IOTCTL_VERSION
#error "IOTCTL_VERSION must be defined (the Makefile takes it from VERSION)"
#endif

/* How often save reads the policy again when it changed while being read. */
#define SAVE_TRIES 4

/* Reads all of fd into *buf (freed by the caller); -1 with errno set. */
static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *b = malloc(cap), *nb;
	ssize_t r;

	if (!b)
		return -1;
	for (;;) {
		if (n == cap) {
			nb = cap > SIZE_MAX / 2 ? NULL : realloc(b, cap * 2);
			if (!nb) {
				free(b);
				errno = ENOMEM;
				return -1;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* Parses the file, or stdin for "-"; prints what is wrong. */
int read_policy(const char *path, const char *shown_path,
		       struct policy *p)
{
	struct policy_error perr;
	char *buf = NULL;
	size_t len = 0;
	int fd = 0, r;

	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return runtime_error("cannot open %s: %s", shown_path,
					     strerror(errno));
	}
	r = read_all(fd, &buf, &len);
	if (r < 0)
		r = runtime_error("cannot read %s: %s", shown_path,
				  strerror(errno));
	if (fd > 0)
		close(fd);
	if (r)
		return r;

	r = policy_file_parse(p, buf, len, &perr);
	free(buf);
	if (r == -ENOMEM)
		return runtime_error("%s: %s", shown_path, strerror(ENOMEM));
	if (r)
		return input_error("%s:%zu: %s", shown_path, perr.line,
				   perr.msg);
	return 0;
}

/* A device as its line in a file reads, canonical: for messages. */
static void device_line(const struct iot_device *d, char *buf, size_t size)
{
	char mac[MAC_STR_SIZE];

	mac_format(d->mac, mac);
	snprintf(buf, size, "%s %s%s%s", policy_name(d->policy), mac,
		 d->has_name ? " name " : "", d->has_name ? d->name : "");
}

/* Stages p and commits it. On a refusal, drops what was staged. */
static int send_policy(struct iot_nl *nl, const struct policy *p,
		       const char *file, struct iot_commit *res)
{
	struct iot_nl_error err, abort_err;
	size_t failed = p->ndev;
	char what[128], text[EXCEPT_TEXT_SIZE];
	bool pack;

	if (iot_nl_load_begin(nl, p->ndev, &pack, &err) < 0)
		return nl_failed(&err, "%s", file);
	if (iot_nl_load_devices(nl, p->dev, p->ndev, pack, &failed, &err) < 0) {
		/* The kernel said which device, or at least which message. */
		iot_nl_load_abort(nl, &abort_err);
		if (failed < p->ndev) {
			device_line(&p->dev[failed], what, sizeof(what));
			return nl_failed(&err, "%s:%zu: %s", file,
					 p->dev_line[failed], what);
		}
		return nl_failed(&err, "%s", file);
	}
	failed = p->nexc;
	if (iot_nl_load_excepts(nl, p->exc, p->nexc, &failed, &err) < 0) {
		iot_nl_load_abort(nl, &abort_err);
		if (failed < p->nexc && p->exc_line) {
			except_format(text, &p->exc[failed]);
			return nl_failed(&err, "%s:%zu: except %s", file,
					 p->exc_line[failed], text);
		}
		return nl_failed(&err, "%s", file);
	}
	if (iot_nl_load_commit(nl, p->default_policy, p->wan, p->nwan, res,
			       &err) < 0) {
		iot_nl_load_abort(nl, &abort_err);
		return nl_failed(&err, "%s", file);
	}
	return 0;
}

int load_policy(struct iot_nl *nl, const struct policy *p, const char *file,
		struct iot_commit *res)
{
	struct iot_nl_error err;
	struct iot_status st;

	if (iot_nl_get_status(nl, &st, &err) < 0)
		return nl_failed(&err, "%s", file);
	if (p->ndev > st.max_devices)
		return runtime_error("%s: %zu devices, more than the table holds (max_devices %" PRIu32 ")",
				     file, p->ndev, st.max_devices);
	if (st.has_exceptions && p->nexc > st.max_exceptions)
		return runtime_error("%s: %zu exceptions, more than the module holds (max_exceptions %" PRIu32 ")",
				     file, p->nexc, st.max_exceptions);
	return send_policy(nl, p, file, res);
}

/*
 * "loaded FILE, cut N connections", or {"generation", "cut_connections"}
 * with the generation null if the module did not say.
 */
static int print_loaded(const char *file, const struct iot_commit *res,
			const struct options *opt)
{
	struct json j;

	if (!opt->json) {
		printf("loaded %s, cut %" PRIu32 " connection%s\n", file,
		       res->cut, plural(res->cut));
		return 0;
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_maybe(&j, "generation", res->has_generation,
			  res->generation);
	json_member_uint(&j, "cut_connections", res->cut);
	json_object_end(&j);
	return json_done(&j);
}

/* load <FILE|-> */
int load_main(int argc, char *argv[], const struct options *opt)
{
	struct iot_commit res = { 0 };
	struct iot_nl_error err;
	struct policy p;
	struct iot_nl *nl;
	char *file;
	int ret;

	ret = file_arg(argc, argv, &file);
	if (ret)
		return ret;

	policy_init(&p);
	ret = read_policy(argv[1], file, &p);
	if (ret)
		goto out;

	nl = iot_nl_open(&err);
	if (!nl) {
		ret = nl_failed(&err, "%s", file);
	} else {
		ret = load_policy(nl, &p, file, &res);
		if (!ret)
			ret = print_loaded(file, &res, opt);
	}
	iot_nl_close(nl);
out:
	policy_free(&p);
	free(file);
	return ret;
}

/*
 * Reads the live policy. Four requests cannot be one snapshot, so the
 * generation is read before and after: if it moved, read everything again.
 */
static int read_live(struct iot_nl *nl, struct policy *p,
		     struct iot_nl_error *err)
{
	struct iot_device_list devices = { 0 };
	struct iot_except_list excepts = { 0 };
	struct iot_wan_list wans = { 0 };
	struct iot_status before, after;
	int tries, ret = -1;
	size_t i;

	for (tries = 0; tries < SAVE_TRIES; tries++) {
		if (iot_nl_get_status(nl, &before, err) < 0 ||
		    iot_nl_dump_wan(nl, &wans, err) < 0 ||
		    iot_nl_dump_devices(nl, &devices, err) < 0 ||
		    (before.has_exceptions &&
		     iot_nl_dump_excepts(nl, false, NULL, &excepts, err) < 0) ||
		    iot_nl_get_status(nl, &after, err) < 0)
			goto out;
		if (before.generation == after.generation)
			break;
	}
	if (tries == SAVE_TRIES) {
		err->failure = IOT_NL_DUMP_INTR;
		goto out;
	}
	if (wans.n > IOT_EGRESS_WAN_MAX) {
		err->failure = IOT_NL_BAD_REPLY;
		snprintf(err->msg, sizeof(err->msg), "%zu WAN names", wans.n);
		goto out;
	}

	p->default_policy = after.default_policy;
	for (i = 0; i < wans.n; i++)
		snprintf(p->wan[i], sizeof(p->wan[i]), "%s", wans.v[i].ifname);
	p->nwan = wans.n;
	policy_take_devices(p, &devices);
	policy_take_excepts(p, &excepts);
	ret = 0;
out:
	iot_device_list_free(&devices);
	iot_except_list_free(&excepts);
	iot_wan_list_free(&wans);
	return ret;
}

/*
 * The kernel checks names as load does, but other tools may have set
 * what a file cannot hold: better to fail now than to write a file that
 * load refuses.
 */
static int check_writable(const struct policy *p)
{
	char why[128], mac[MAC_STR_SIZE];
	size_t i;

	for (i = 0; i < p->nwan; i++) {
		if (!ifname_valid(p->wan[i]))
			return runtime_error("save: WAN name '%s' cannot be written to a policy file",
					     shown(p->wan[i]));
	}
	for (i = 0; i < p->ndev; i++) {
		if (p->dev[i].has_name &&
		    !label_valid(p->dev[i].name, why, sizeof(why))) {
			mac_format(p->dev[i].mac, mac);
			return runtime_error("save: the name of %s cannot be written to a policy file: %s",
					     mac, why);
		}
	}
	return 0;
}

/*
 * {"default", "wan": [...], "devices": [{"mac", "policy", "name"}],
 *  "exceptions": [{"device", "prefix", "proto", "port_min", "port_max"}]}
 */
static int write_json(const struct policy *p)
{
	char mac[MAC_STR_SIZE];
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_string(&j, "default", policy_name(p->default_policy));
	json_key(&j, "wan");
	json_array_begin(&j);
	for (i = 0; i < p->nwan; i++)
		json_string(&j, p->wan[i]);
	json_array_end(&j);
	json_key(&j, "devices");
	json_array_begin(&j);
	for (i = 0; i < p->ndev; i++) {
		const struct iot_device *d = &p->dev[i];

		mac_format(d->mac, mac);
		json_object_begin(&j);
		json_member_string(&j, "mac", mac);
		json_member_string(&j, "policy", policy_name(d->policy));
		json_member_string(&j, "name", d->has_name ? d->name : NULL);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "exceptions");
	json_array_begin(&j);
	for (i = 0; i < p->nexc; i++) {
		json_object_begin(&j);
		json_except(&j, &p->exc[i]);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	return json_done(&j);
}

/* save: the live policy, in the format load reads, or as JSON. */
int save_main(int argc, char *argv[], const struct options *opt)
{
	struct iot_nl_error err;
	struct policy p;
	struct iot_nl *nl;
	int ret = 0;

	if (argc > 1)
		return usage_error("save: unexpected argument '%s'",
				   shown(argv[1]));

	policy_init(&p);
	nl = iot_nl_open(&err);
	if (!nl || read_live(nl, &p, &err) < 0) {
		ret = nl_failed(&err, "save");
		goto out;
	}
	if (policy_sort(&p) < 0) {
		ret = runtime_error("save: %s", strerror(ENOMEM));
		goto out;
	}
	if (opt->json) {
		/* JSON holds any name: nothing to check. */
		ret = write_json(&p);
		goto out;
	}
	ret = check_writable(&p);
	if (!ret && policy_file_write(stdout, &p, IOTCTL_VERSION) < 0)
		ret = runtime_error("save: cannot write the output");
out:
	iot_nl_close(nl);
	policy_free(&p);
	return ret;
}
