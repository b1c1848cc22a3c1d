// SPDX-License-Identifier: GPL-2.0
/*
 * MAC address parsing and formatting. No libnl here: this file is linked
 * into the host unit tests as it is.
 */
#include <stdio.h>
#include <string.h>

#include "mac.h"

/*
 * A hex digit's value, with HEX set; 0 for every other byte. The flag
 * lets the parser check all twelve digits with one AND, and sits above
 * the bits of the byte two digits spell.
 */
#define HEX 0x100
#define D(c, v) [c] = HEX | (v)

static const uint16_t hex_value[256] = {
	D('0', 0), D('1', 1), D('2', 2), D('3', 3), D('4', 4),
	D('5', 5), D('6', 6), D('7', 7), D('8', 8), D('9', 9),
	D('a', 10), D('b', 11), D('c', 12), D('d', 13), D('e', 14), D('f', 15),
	D('A', 10), D('B', 11), D('C', 12), D('D', 13), D('E', 14), D('F', 15),
};

#undef D

/*
 * Every accepted spelling has its own length, so the length alone says
 * where the six pairs of hex digits are, and the separators between
 * them are checked apart: "xx:xx:xx:xx:xx:xx" or the same with dashes
 * (the first separator decides, the others must be the same),
 * "xxxx.xxxx.xxxx" and "xxxxxxxxxxxx".
 */
static const uint8_t pairs_17[ETH_ALEN] = { 0, 3, 6, 9, 12, 15 };
static const uint8_t pairs_14[ETH_ALEN] = { 0, 2, 5, 7, 10, 12 };
static const uint8_t pairs_12[ETH_ALEN] = { 0, 2, 4, 6, 8, 10 };

/* The byte the two hex digits at u spell; HEX in the result if they are. */
static inline unsigned int hex_pair(const unsigned char *u, uint8_t *byte)
{
	unsigned int hi = hex_value[u[0]], lo = hex_value[u[1]];

	*byte = (uint8_t)(hi << 4 | lo);
	return hi & lo;
}

/*
 * The six bytes whose digits are at s + at[i], into mac if all twelve
 * are hex digits. Inlined with at one of the tables above, the offsets
 * are constants.
 */
static inline __attribute__((always_inline))
int hex_pairs(const char *s, const uint8_t at[ETH_ALEN], uint8_t mac[ETH_ALEN])
{
	const unsigned char *u = (const unsigned char *)s;
	uint8_t tmp[ETH_ALEN];

	if (!(hex_pair(u + at[0], &tmp[0]) & hex_pair(u + at[1], &tmp[1]) &
	      hex_pair(u + at[2], &tmp[2]) & hex_pair(u + at[3], &tmp[3]) &
	      hex_pair(u + at[4], &tmp[4]) & hex_pair(u + at[5], &tmp[5]) &
	      HEX))
		return -1;
	memcpy(mac, tmp, ETH_ALEN);
	return 0;
}

int mac_parse_len(const char *s, size_t len, uint8_t mac[ETH_ALEN])
{
	char sep;

	switch (len) {
	case 17:
		sep = s[2];
		if (sep != ':' && sep != '-')
			return -1;
		if (s[5] != sep || s[8] != sep || s[11] != sep || s[14] != sep)
			return -1;
		return hex_pairs(s, pairs_17, mac);
	case 14:
		if (s[4] != '.' || s[9] != '.')
			return -1;
		return hex_pairs(s, pairs_14, mac);
	case 12:
		return hex_pairs(s, pairs_12, mac);
	}
	return -1;
}

/* Returns 0 and fills mac, or -1 if s is not one of the accepted forms. */
int mac_parse(const char *s, uint8_t mac[ETH_ALEN])
{
	/* no spelling is longer than 17: that many bytes tell */
	return mac_parse_len(s, strnlen(s, MAC_STR_SIZE), mac);
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
