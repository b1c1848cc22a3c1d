// SPDX-License-Identifier: GPL-2.0
/*
 * Checks on the names users give us. Both are done before anything is
 * sent, so that a typo gets a precise message instead of a bare EINVAL.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "iot_egress.h"
#include "validate.h"

/* The rules the kernel applies to interface names (dev_valid_name()). */
bool ifname_valid(const char *s)
{
	size_t len = strlen(s);
	const unsigned char *p;

	if (len == 0 || len >= IFNAMSIZ)
		return false;
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '/' || *p == ':' || *p == ' ' || *p < 0x20 ||
		    *p == 0x7f)
			return false;
	}
	return true;
}

/*
 * Labels are single printable words: no quoting is ever needed to print
 * one on a command line or in a saved table, and '#' stays free to start
 * a comment there.
 */
bool label_valid(const char *s, char *why, size_t why_size)
{
	size_t len = strlen(s);
	const unsigned char *p;

	if (len == 0) {
		snprintf(why, why_size, "empty");
		return false;
	}
	if (len > IOT_EGRESS_NAME_MAX) {
		snprintf(why, why_size, "longer than %d bytes",
			 IOT_EGRESS_NAME_MAX);
		return false;
	}
	for (p = (const unsigned char *)s; *p; p++) {
		const char *what = NULL;

		switch (*p) {
		case ' ':
			what = "a space";
			break;
		case '"':
			what = "a double quote";
			break;
		case '\'':
			what = "a single quote";
			break;
		case '\\':
			what = "a backslash";
			break;
		case '#':
			what = "'#'";
			break;
		default:
			if (*p < 0x21 || *p > 0x7e) {
				snprintf(why, why_size,
					 "contains byte 0x%02x, only printable ASCII is allowed",
					 *p);
				return false;
			}
			break;
		}
		if (what) {
			snprintf(why, why_size, "contains %s", what);
			return false;
		}
	}
	return true;
}

/* A count given on the command line: 1 or more, decimal digits only. */
bool count_parse(const char *s, uint64_t *n)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (*s < '0' || *s > '9' || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v == 0)
		return false;
	*n = v;
	return true;
}
