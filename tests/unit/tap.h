/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TAP output of the host unit tests: check() prints one result line,
 * tap_done() the plan, after the results, and the exit status.
 */
#ifndef IOT_UNIT_TAP_H
#define IOT_UNIT_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static unsigned int tests_run, tests_failed;

__attribute__((format(printf, 2, 3)))
static inline bool check(bool pass, const char *fmt, ...)
{
	va_list ap;

	tests_run++;
	if (!pass)
		tests_failed++;
	printf("%s %u - ", pass ? "ok" : "not ok", tests_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return pass;
}

/*
 * s as a test name or diagnostic can show it: on one line, '#' (a TAP
 * directive) and every byte that is not printable ASCII as \xNN, cut with
 * "..." where it is too long. Four buffers in turn: up to four results
 * may be in one printf.
 */
static inline const char *visible(const char *s)
{
	static char buf[4][1024];
	static unsigned int which;
	char *out = buf[which++ % 4];
	size_t n = 0;

	for (; *s && n < sizeof(buf[0]) - 8; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '#')
			n += (size_t)sprintf(out + n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	if (*s)
		n += (size_t)sprintf(out + n, "...");
	out[n] = '\0';
	return out;
}

/* check() that got is want, "what: want"; shows what it got if not. */
static inline bool check_str(const char *got, const char *want,
			     const char *what)
{
	if (check(!strcmp(got, want), "%s: %s", what, visible(want)))
		return true;
	printf("# got '%s'\n", visible(got));
	return false;
}

static inline int tap_done(void)
{
	printf("1..%u\n", tests_run);
	return tests_failed ? 1 : 0;
}

#endif
