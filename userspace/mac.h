/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_MAC_H
#define IOTCTL_MAC_H

#include <stddef.h>
#include <stdint.h>
#include <linux/if_ether.h>

/* "aa:bb:cc:dd:ee:ff" and its NUL */
#define MAC_STR_SIZE 18

enum mac_kind {
	MAC_UNICAST,
	MAC_MULTICAST,
	MAC_BROADCAST,
	MAC_ZERO,
};

/*
 * Returns 0 and fills mac if s is "xx:xx:xx:xx:xx:xx", the same with
 * dashes, "xxxx.xxxx.xxxx" or "xxxxxxxxxxxx" (hex digits of either case);
 * else -1, and mac is left as it was.
 */
int mac_parse(const char *s, uint8_t mac[ETH_ALEN]);
/* The same for the len bytes at s, which need not end in a NUL. */
int mac_parse_len(const char *s, size_t len, uint8_t mac[ETH_ALEN]);
enum mac_kind mac_classify(const uint8_t mac[ETH_ALEN]);
/*
 * Why mac can be no device's, the one wording the command line and the
 * policy file both use: "the broadcast address", "a multicast address",
 * "the all-zero address"; NULL when it is a unicast address.
 */
const char *mac_not_device(const uint8_t mac[ETH_ALEN]);
void mac_format(const uint8_t mac[ETH_ALEN], char buf[MAC_STR_SIZE]);
int mac_compare(const uint8_t a[ETH_ALEN], const uint8_t b[ETH_ALEN]);

#endif
