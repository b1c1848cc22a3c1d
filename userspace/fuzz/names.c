// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the label and interface name checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iot_egress.h"
#include "../validate.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	char why[128];
	size_t len;

	if (!s)
		return 0;
	len = strlen(s);

	if (label_valid(s, why, sizeof(why))) {
		size_t i;

		if (len < 1 || len > IOT_EGRESS_NAME_MAX)
			abort();
		for (i = 0; i < len; i++) {
			if (s[i] < 0x21 || s[i] > 0x7e || strchr("\"'\\#", s[i]))
				abort();
		}
	} else if (why[0] == '\0') {
		abort();
	}
	if (ifname_valid(s) && (len < 1 || len > 15 || strchr(s, '/') ||
				strchr(s, ':') || strchr(s, ' ')))
		abort();
	free(s);
	return 0;
}
