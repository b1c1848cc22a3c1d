// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the MAC parser: whatever it accepts must format
 * to the canonical form and parse back to the same address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../mac.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mac[ETH_ALEN];
	char *s = fuzz_string(data, size);
	size_t len;

	if (!s)
		return 0;
	len = strlen(s);
	if (mac_parse(s, mac) == 0) {
		uint8_t again[ETH_ALEN];
		char text[MAC_STR_SIZE];

		if (len != 12 && len != 14 && len != 17)
			abort();
		mac_format(mac, text);
		if (strlen(text) != 17 || mac_parse(text, again) != 0 ||
		    memcmp(mac, again, ETH_ALEN))
			abort();
		(void)mac_classify(mac);
	}
	free(s);
	return 0;
}
