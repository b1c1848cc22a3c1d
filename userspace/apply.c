// SPDX-License-Identifier: GPL-2.0
/*
 * apply and fallback: the policy file enforced by the module when it can
 * be loaded, by the nftables fallback (fallback.c) when it cannot.
 *
 * apply is what iot-egress.service runs, at start and on reload:
 *
 *   module there, or modprobe loads it:
 *	load the file into it, as load does; then, if the fallback table
 *	is there, delete it. Until the module has the policy the table
 *	still drops, afterwards the module does: no window in between.
 *   module not there, and modprobe fails:
 *	say why, and replace the fallback table with the file's, in one
 *	"nft -f" transaction, with modprobe's message as its comment.
 *
 * Either way a file that does not parse changes nothing: it is refused
 * before anything is sent, with the message load gives.
 */
#define _GNU_SOURCE	/* memfd_create() */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "fallback.h"
#include "format.h"
#include "iotctl.h"
#include "json.h"
#include "nft.h"

#ifndef IOTCTL_VERSION
#error "IOTCTL_VERSION must be defined (the Makefile takes it from VERSION)"
#endif

/* What a program says: modprobe's and nft's messages are one line or a
 * few. Longer output is cut.
 */
#define OUTPUT_MAX 1024

/*
 * Runs argv[0] from PATH, with stdin from in_fd (-1: /dev/null), and its
 * stdout and stderr into out. Returns the wait status; if it could not be
 * started, 127 << 8 with the reason in out.
 */
static int run(char *const argv[], int in_fd, char out[OUTPUT_MAX])
{
	size_t n = 0;
	int pipefd[2], status = 0, devnull;
	ssize_t r;
	pid_t pid;
	char skip[256];

	out[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(out, OUTPUT_MAX, "cannot run %s: %s", argv[0],
			 strerror(errno));
		return 127 << 8;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(out, OUTPUT_MAX, "cannot run %s: %s", argv[0],
			 strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return 127 << 8;
	}
	if (pid == 0) {
		devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (in_fd < 0)
			in_fd = devnull;
		if (dup2(in_fd, 0) < 0 || dup2(pipefd[1], 1) < 0 ||
		    dup2(pipefd[1], 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		if (n < OUTPUT_MAX - 1)
			r = read(pipefd[0], out + n, OUTPUT_MAX - 1 - n);
		else
			r = read(pipefd[0], skip, sizeof(skip));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n < OUTPUT_MAX - 1)
			n += (size_t)r;
	}
	out[n] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = 127 << 8;
			break;
		}
	}
	return status;
}

/* out without trailing blanks, and its last non-empty line only. */
static const char *last_line(char *out)
{
	size_t n = strlen(out);
	char *nl;

	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	nl = strrchr(out, '\n');
	return nl ? nl + 1 : out;
}

/* What a failed program said, else how it ended. */
static void failure(char *out, int status, const char *what, char *why,
		    size_t size)
{
	const char *said = last_line(out);

	if (*said)
		snprintf(why, size, "%s", said);
	else if (WIFSIGNALED(status))
		snprintf(why, size, "%s was killed by signal %d", what,
			 WTERMSIG(status));
	else
		snprintf(why, size, "%s exited with status %d", what,
			 WEXITSTATUS(status));
}

/* modprobe iot_egress: true if it says it is loaded, else why not. */
static bool modprobe(char *why, size_t size)
{
	char *argv[] = { "modprobe", IOT_EGRESS_GENL_NAME, NULL };
	char out[OUTPUT_MAX];
	int status = run(argv, -1, out);

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	failure(out, status, "modprobe " IOT_EGRESS_GENL_NAME, why, size);
	return false;
}

/* nft -f - with the ruleset in a memory file; 0, or -1 with why. */
static int nft_apply(const char *ruleset, size_t len, char *why, size_t size)
{
	char *argv[] = { "nft", "-f", "-", NULL };
	char out[OUTPUT_MAX];
	size_t off = 0;
	ssize_t r;
	int fd, status;

	fd = memfd_create("iot-egress-fallback", MFD_CLOEXEC);
	if (fd < 0) {
		snprintf(why, size, "memfd_create: %s", strerror(errno));
		return -1;
	}
	while (off < len) {
		r = write(fd, ruleset + off, len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, size, "memfd: %s", strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)r;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		snprintf(why, size, "memfd: %s", strerror(errno));
		close(fd);
		return -1;
	}
	status = run(argv, fd, out);
	close(fd);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	failure(out, status, "nft", why, size);
	return -1;
}

static int nft_delete_table(char *why, size_t size)
{
	char *argv[] = { "nft", "delete", "table", FALLBACK_FAMILY,
			 FALLBACK_TABLE, NULL };
	char out[OUTPUT_MAX];
	int status = run(argv, -1, out);

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	failure(out, status, "nft", why, size);
	return -1;
}

/* The ruleset for p in memory, or NULL (out of memory). */
static char *ruleset(const struct policy *p, const char *reason,
		     size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int r;

	if (!f)
		return NULL;
	r = fallback_write(f, p, reason, IOTCTL_VERSION);
	if (fclose(f) != 0 || r < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "eth1 ppp0", or "none". */
static const char *wan_names(const struct policy *p, char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < p->nwan && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : "",
				      p->wan[i]);
	return p->nwan ? buf : "none";
}

/* The module is missing: the file, enforced by nftables instead. */
static int apply_fallback(const struct policy *p, const char *file,
			  const char *reason, const struct options *opt)
{
	char why[OUTPUT_MAX], wan[IOT_EGRESS_WAN_MAX * IFNAMSIZ];
	struct policy_error perr;
	struct json j;
	size_t len;
	char *rules;
	int r;

	if (fallback_check(p, &perr) < 0)
		return input_error("%s:%zu: %s", file, perr.line, perr.msg);
	rules = ruleset(p, reason, &len);
	if (!rules)
		return runtime_error("%s: %s", file, strerror(ENOMEM));
	r = nft_apply(rules, len, why, sizeof(why));
	free(rules);
	if (r < 0)
		return runtime_error("%s: the nftables fallback was not applied, nothing changed: %s",
				     file, why);

	warning("the nftables fallback enforces %s instead (table %s %s): %zu device%s, default %s, WAN %s",
		file, FALLBACK_FAMILY, FALLBACK_TABLE, p->ndev,
		plural(p->ndev), policy_name(p->default_policy),
		wan_names(p, wan, sizeof(wan)));
	if (!opt->json)
		return 0;
	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_string(&j, "enforced_by", "nftables");
	json_member_string(&j, "reason", reason);
	json_member_uint(&j, "devices", p->ndev);
	json_member_string(&j, "default", policy_name(p->default_policy));
	json_object_end(&j);
	return json_done(&j);
}

/*
 * The module has the file: now the fallback table, if there is one,
 * can go. Until now it went on dropping what it dropped.
 */
static int apply_module(struct iot_nl *nl, const struct policy *p,
			const char *file, const struct options *opt)
{
	struct iot_commit res = { 0 };
	struct iot_nl_error err;
	struct nft_fallback fb;
	char why[OUTPUT_MAX];
	struct json j;
	int ret;

	ret = load_policy(nl, p, file, &res);
	if (ret)
		return ret;
	if (!opt->json)
		printf("loaded %s, cut %" PRIu32 " connection%s\n", file,
		       res.cut, plural(res.cut));

	if (nft_fallback_read(&fb, false, &err) < 0)
		ret = nl_failed(&err, "%s: loaded, but the nftables fallback cannot be checked",
				file);
	else if (fb.present && nft_delete_table(why, sizeof(why)) < 0)
		ret = runtime_error("%s: loaded, but the nftables fallback (table %s %s) is still in force too: %s",
				    file, FALLBACK_FAMILY, FALLBACK_TABLE, why);
	else if (fb.present && !opt->json)
		printf("removed the nftables fallback (table %s %s): the module enforces the policy\n",
		       FALLBACK_FAMILY, FALLBACK_TABLE);
	if (!opt->json)
		return ret;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_member_string(&j, "enforced_by", "module");
	json_member_maybe(&j, "generation", res.has_generation, res.generation);
	json_member_uint(&j, "cut_connections", res.cut);
	json_key(&j, "fallback_removed");
	json_bool(&j, fb.present && ret == 0);
	json_object_end(&j);
	return json_done(&j) ? EXIT_RUNTIME : ret;
}

/* apply <FILE|-> */
int apply_main(int argc, char *argv[], const struct options *opt)
{
	const char *said = "modprobe " IOT_EGRESS_GENL_NAME
			   " succeeded, but the kernel has no "
			   IOT_EGRESS_GENL_NAME " netlink family";
	char reason[FALLBACK_COMMENT_MAX + 1];
	char why[OUTPUT_MAX];
	struct iot_nl_error err;
	struct iot_nl *nl;
	struct policy p;
	char *file;
	int ret;

	ret = file_arg(argc, argv, &file);
	if (ret)
		return ret;

	/* The module may be loaded already, or load on this request. */
	nl = iot_nl_open(&err);
	if (!nl && err.failure == IOT_NL_NO_FAMILY) {
		if (modprobe(why, sizeof(why)))
			nl = iot_nl_open(&err);
		else
			said = why;
		if (!nl && err.failure == IOT_NL_NO_FAMILY) {
			fallback_comment(reason, said);
			warning("the %s module is not loaded: %s",
				IOT_EGRESS_GENL_NAME, said);
		}
	}

	policy_init(&p);
	ret = read_policy(argv[1], file, &p);
	if (ret)
		goto out;
	if (nl)
		ret = apply_module(nl, &p, file, opt);
	else if (err.failure == IOT_NL_NO_FAMILY)
		ret = apply_fallback(&p, file, reason, opt);
	else
		ret = nl_failed(&err, "%s", file);
out:
	iot_nl_close(nl);
	policy_free(&p);
	free(file);
	return ret;
}

/* fallback <FILE|-> */
int fallback_main(int argc, char *argv[], const struct options *opt)
{
	char reason[PATH_MAX + 64];
	struct policy_error perr;
	struct policy p;
	char *file;
	int ret;

	ret = file_arg(argc, argv, &file);
	if (ret)
		return ret;
	if (opt->json) {
		free(file);
		return usage_error("fallback: the ruleset is nftables syntax, there is no --json");
	}

	policy_init(&p);
	ret = read_policy(argv[1], file, &p);
	if (ret)
		goto out;
	if (fallback_check(&p, &perr) < 0) {
		ret = input_error("%s:%zu: %s", file, perr.line, perr.msg);
		goto out;
	}
	snprintf(reason, sizeof(reason), "written by iotctl fallback from %s",
		 file);
	if (fallback_write(stdout, &p, reason, IOTCTL_VERSION) < 0)
		ret = runtime_error("fallback: cannot write the output");
out:
	policy_free(&p);
	free(file);
	return ret;
}
