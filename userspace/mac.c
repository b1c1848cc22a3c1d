// SPDX-License-Identifier: GPL-2.0
/*
 * MAC address parsing and formatting. No libnl here: this file is linked
 * into the host unit tests as it is.
 */
#include <stdio.h>
#include <string.h>

#include "mac.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Every accepted spelling is 12 hex digits with separators at fixed
 * places, so one template per spelling says it all: 'x' is a hex digit,
 * anything else must be matched literally. The colon and dash forms share
 * a template whose separator is taken from the first one seen.
 */
static const char *const templates[] = {
	"xx?xx?xx?xx?xx?xx",
	"xxxx.xxxx.xxxx",
	"xxxxxxxxxxxx",
};

static int parse_template(const char *s, const char *tpl,
			  uint8_t mac[ETH_ALEN])
{
	char sep = 0;
	unsigned int nibbles = 0;

	if (strlen(s) != strlen(tpl))
		return -1;

	for (; *tpl; tpl++, s++) {
		int v;

		if (*tpl == '?') {
			if (!sep) {
				if (*s != ':' && *s != '-')
					return -1;
				sep = *s;
			} else if (*s != sep) {
				return -1;
			}
			continue;
		}
		if (*tpl != 'x') {
			if (*s != *tpl)
				return -1;
			continue;
		}
		v = hex_digit(*s);
		if (v < 0)
			return -1;
		if (nibbles % 2 == 0)
			mac[nibbles / 2] = (uint8_t)(v << 4);
		else
			mac[nibbles / 2] |= (uint8_t)v;
		nibbles++;
	}
	return nibbles == 2 * ETH_ALEN ? 0 : -1;
}

/* Returns 0 and fills mac, or -1 if s is not one of the accepted forms. */
int mac_parse(const char *s, uint8_t mac[ETH_ALEN])
{
	uint8_t tmp[ETH_ALEN];
	size_t i;

	for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
		if (parse_template(s, templates[i], tmp) == 0) {
			memcpy(mac, tmp, ETH_ALEN);
			return 0;
		}
	}
	return -1;
}

enum mac_kind mac_classify(const uint8_t mac[ETH_ALEN])
{
	static const uint8_t zero[ETH_ALEN];
	static const uint8_t bcast[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};

	if (!memcmp(mac, bcast, ETH_ALEN))
		return MAC_BROADCAST;
	if (mac[0] & 0x01)
		return MAC_MULTICAST;
	if (!memcmp(mac, zero, ETH_ALEN))
		return MAC_ZERO;
	return MAC_UNICAST;
}

const char *mac_not_device(const uint8_t mac[ETH_ALEN])
{
	switch (mac_classify(mac)) {
	case MAC_BROADCAST:
		return "the broadcast address";
	case MAC_MULTICAST:
		return "a multicast address";
	case MAC_ZERO:
		return "the all-zero address";
	case MAC_UNICAST:
		break;
	}
	return NULL;
}

void mac_format(const uint8_t mac[ETH_ALEN], char buf[MAC_STR_SIZE])
{
	snprintf(buf, MAC_STR_SIZE, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

int mac_compare(const uint8_t a[ETH_ALEN], const uint8_t b[ETH_ALEN])
{
	return memcmp(a, b, ETH_ALEN);
}
