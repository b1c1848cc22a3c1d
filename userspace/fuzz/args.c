// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the whole command line: iotctl's own main()
 * (main.c, built with -Dmain=iotctl_main), the dispatch, the global
 * options and every command's argument parsing, over fake_netlink.c
 * instead of a kernel.
 *
 * Input: one byte, then the arguments, separated by NUL bytes.
 *   bits 0-2 of the byte: how the fake kernel answers (enum fake_nl_mode)
 *   bit 7: the last argument is not one, it is the content of the file
 *          "load" reads, whatever its name, and of standard input
 *
 * The command runs in a sandbox, so that no input can hang or harm the
 * fuzzer:
 * - standard input is that content, or /dev/null: "load -" cannot block;
 * - open() and fopen() are wrapped (-Wl,--wrap, see Makefile) while a
 *   command runs: a read gets that content, or ENOENT; a write, EACCES.
 *   No file on the host is read or written;
 * - stdout and stderr go to /dev/null (IOTCTL_FUZZ_VERBOSE=1 keeps them);
 * - signal dispositions, the signal mask and alarm() are restored after
 *   each command, and getopt's optind reset before it.
 * - exit() is wrapped too: a command must return its status to main(),
 *   which checks that stdout was written (iotctl.h). exit() from inside a
 *   command is reported as a crash, since it would skip that check.
 * - fork() fails while a command runs: apply's modprobe and nft would
 *   reach the host. apply is told it cannot run them.
 *
 * What is checked: the sanitizers, the exit status (0, 1 or 2), that each
 * socket the command opened was closed, and that each file it opened was
 * closed; fake_netlink.c checks what reaches the kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_netlink.h"

#define MAX_ARGS 32
#define MAX_FDS 16

int iotctl_main(int argc, char *argv[]);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The wrapped functions, and what they wrap (ld --wrap). */
int __real_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __real_openat(int dirfd, const char *path, int flags, ...);
int __real_openat64(int dirfd, const char *path, int flags, ...);
int __real_creat(const char *path, mode_t mode);
int __real_creat64(const char *path, mode_t mode);
FILE *__real_fopen(const char *path, const char *mode);
FILE *__real_fopen64(const char *path, const char *mode);
void __real_exit(int status) __attribute__((noreturn));
pid_t __real_fork(void);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __wrap_openat(int dirfd, const char *path, int flags, ...);
int __wrap_openat64(int dirfd, const char *path, int flags, ...);
int __wrap_creat(const char *path, mode_t mode);
int __wrap_creat64(const char *path, mode_t mode);
FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__wrap_fopen64(const char *path, const char *mode);
void __wrap_exit(int status) __attribute__((noreturn));
pid_t __wrap_fork(void);

/* While a command runs, the sandbox is on. */
static bool in_command;
static const char *content;	/* file and stdin content, or NULL */
static size_t content_len;
static int opened[MAX_FDS];	/* fds handed out to the command */
static size_t nopened;
static FILE *null_out;
static int null_fd = -1;

static const int saved_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1,
	SIGUSR2, SIGCHLD,
};

#define NSIG_SAVED (sizeof(saved_signals) / sizeof(saved_signals[0]))

/* A read-only fd on the content: a memfd, so nothing touches a disk. */
static int content_fd(void)
{
	int fd = memfd_create("iotctl-fuzz", MFD_CLOEXEC);
	size_t off = 0;

	if (fd < 0)
		abort();
	while (off < content_len) {
		ssize_t r = write(fd, content + off, content_len - off);

		if (r <= 0)
			abort();
		off += (size_t)r;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

static int sandbox_open(const char *path, int flags)
{
	int fd;

	if (!path)
		abort();
	if ((flags & O_ACCMODE) != O_RDONLY ||
	    (flags & (O_CREAT | O_TRUNC | O_APPEND | O_TMPFILE))) {
		errno = EACCES;
		return -1;
	}
	if (!content) {
		errno = ENOENT;
		return -1;
	}
	if (nopened == MAX_FDS)
		abort();	/* a command opening this many files leaks */
	fd = content_fd();
	opened[nopened++] = fd;
	return fd;
}

static FILE *sandbox_fopen(const char *path, const char *mode)
{
	FILE *f;
	int fd;

	if (strpbrk(mode, "wax+")) {
		errno = EACCES;
		return NULL;
	}
	fd = sandbox_open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f)
		abort();
	return f;
}

static mode_t open_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

/*
 * open() and openat(), and their 64-bit twins: the sandbox's answer while
 * a command runs, else the real call, with the mode if the flags say one
 * was passed.
 */
#define WRAP_OPEN(fn, params, args)					\
int __wrap_##fn(params, int flags, ...)					\
{									\
	va_list ap;							\
	mode_t m;							\
									\
	if (in_command)							\
		return sandbox_open(path, flags);			\
	va_start(ap, flags);						\
	m = open_mode(flags, ap);					\
	va_end(ap);							\
	return __real_##fn(args, flags, m);				\
}

/* Macros, so that their commas are not taken for WRAP_OPEN's. */
#define PATH_PARAMS	const char *path
#define AT_PARAMS	int dirfd, const char *path
#define AT_ARGS		dirfd, path

WRAP_OPEN(open, PATH_PARAMS, path)
WRAP_OPEN(open64, PATH_PARAMS, path)
WRAP_OPEN(openat, AT_PARAMS, AT_ARGS)
WRAP_OPEN(openat64, AT_PARAMS, AT_ARGS)

int __wrap_creat(const char *path, mode_t mode)
{
	if (in_command)
		return sandbox_open(path, O_WRONLY | O_CREAT | O_TRUNC);
	return __real_creat(path, mode);
}

int __wrap_creat64(const char *path, mode_t mode)
{
	if (in_command)
		return sandbox_open(path, O_WRONLY | O_CREAT | O_TRUNC);
	return __real_creat64(path, mode);
}

FILE *__wrap_fopen(const char *path, const char *mode)
{
	return in_command ? sandbox_fopen(path, mode) : __real_fopen(path, mode);
}

FILE *__wrap_fopen64(const char *path, const char *mode)
{
	return in_command ? sandbox_fopen(path, mode) :
			    __real_fopen64(path, mode);
}

void __wrap_exit(int status)
{
	if (in_command) {
		static const char msg[] =
			"iotctl-fuzz: a command called exit() instead of returning its status to main()\n";

		/* to the fuzzer's own stderr: ours is /dev/null */
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
			abort();
		abort();
	}
	__real_exit(status);
}

pid_t __wrap_fork(void)
{
	if (in_command) {
		errno = EPERM;
		return -1;
	}
	return __real_fork();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *verbose = getenv("IOTCTL_FUZZ_VERBOSE");

	(void)argc;
	(void)argv;
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0)
		abort();
	if (!verbose || strcmp(verbose, "1")) {
		null_out = fdopen(null_fd, "w");
		if (!null_out)
			abort();
	}
	return 0;
}

/* Standard input: the content, or /dev/null; its FILE starts over too. */
static void set_stdin(void)
{
	int fd = content ? content_fd() : null_fd;

	if (dup2(fd, STDIN_FILENO) < 0)
		abort();
	if (fd != null_fd)
		close(fd);
	__fpurge(stdin);
	clearerr(stdin);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sigaction old_act[NSIG_SAVED];
	char *argv[MAX_ARGS + 2];
	FILE *out = stdout, *err = stderr;
	sigset_t old_mask;
	size_t i, start, nargs = 0;
	uint8_t control = size ? data[0] : 0;
	int ret;

	/* data[1..] split at each NUL: "" is an argument like any other */
	argv[nargs++] = strdup("iotctl");
	if (!argv[0])
		abort();
	for (start = i = 1; size > 1 && i <= size && nargs <= MAX_ARGS; i++) {
		if (i == size || data[i] == '\0') {
			argv[nargs] = strndup((const char *)data + start,
					      i - start);
			if (!argv[nargs])
				abort();
			nargs++;
			start = i + 1;
		}
	}
	content = NULL;
	content_len = 0;
	if ((control & 0x80) && nargs > 1) {
		nargs--;
		content = argv[nargs];
		content_len = strlen(content);
	}
	argv[nargs] = NULL;
	fake_nl_set_mode((enum fake_nl_mode)(control & 7));

	set_stdin();
	for (i = 0; i < NSIG_SAVED; i++)
		sigaction(saved_signals[i], NULL, &old_act[i]);
	sigprocmask(SIG_SETMASK, NULL, &old_mask);
	optind = 0;
	if (null_out) {
		stdout = null_out;
		stderr = null_out;
	}
	nopened = 0;

	in_command = true;
	ret = iotctl_main((int)nargs, argv);
	in_command = false;

	fflush(stdout);
	clearerr(stdout);
	stdout = out;
	stderr = err;
	alarm(0);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	for (i = 0; i < NSIG_SAVED; i++)
		sigaction(saved_signals[i], &old_act[i], NULL);

	if (ret < 0 || ret > 2)
		abort();	/* iotctl exits 0, 1 (runtime) or 2 (usage) */
	if (fake_nl_open_count() != 0)
		abort();	/* a netlink socket was not closed */
	for (i = 0; i < nopened; i++) {
		if (fcntl(opened[i], F_GETFD) != -1)
			abort();	/* a file the command opened is still open */
	}
	for (i = 0; i < nargs; i++)
		free(argv[i]);
	free((char *)content);
	return 0;
}
