/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_FUZZ_INPUT_H
#define IOTCTL_FUZZ_INPUT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The input as a C string, for free(); NULL when out of memory. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
