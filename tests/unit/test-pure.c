// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the parts of iotctl that need no kernel: the MAC
 * parser and formatter, the label and interface name checks, the JSON
 * writer, and how times, sizes, protocols, addresses and tables are
 * shown. Table-driven; prints TAP, one test per table row.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "exception.h"
#include "format.h"
#include "iot_egress.h"
#include "json.h"
#include "mac.h"
#include "validate.h"
#include "tap.h"

static const struct {
	const char *in;
	const char *want;	/* canonical form, or NULL: refused */
} mac_cases[] = {
	{ "02:00:00:00:00:0c", "02:00:00:00:00:0c" },
	{ "aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff" },
	{ "AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff" },
	{ "aA:Bb:cC:Dd:eE:Ff", "aa:bb:cc:dd:ee:ff" },
	{ "AA-BB-CC-DD-EE-FF", "aa:bb:cc:dd:ee:ff" },
	{ "01-23-45-67-89-ab", "01:23:45:67:89:ab" },
	{ "aabb.ccdd.eeff", "aa:bb:cc:dd:ee:ff" },
	{ "0123.4567.89AB", "01:23:45:67:89:ab" },
	{ "aabbccddeeff", "aa:bb:cc:dd:ee:ff" },
	{ "0A1b2C3d4E5f", "0a:1b:2c:3d:4e:5f" },
	{ "00:00:00:00:00:00", "00:00:00:00:00:00" },
	{ "ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff" },
	{ "98:76:54:32:10:fe", "98:76:54:32:10:fe" },
	{ "", NULL },
	{ "aa:bb:cc:dd:ee", NULL },
	{ "aa:bb:cc:dd:ee:ff:00", NULL },
	{ "aa:bb:cc:dd:ee:f", NULL },
	{ "a:bb:cc:dd:ee:ff", NULL },
	{ "a:b:c:d:e:f", NULL },
	{ "aa:bb:cc:dd:ee:fff", NULL },
	{ "aa:bb-cc:dd:ee:ff", NULL },
	{ "aa-bb-cc-dd-ee:ff", NULL },
	{ "aa.bb.cc.dd.ee.ff", NULL },
	{ "aa_bb_cc_dd_ee_ff", NULL },
	{ "aa bb cc dd ee ff", NULL },
	{ "aa:bb:cc:dd:ee:fg", NULL },
	{ "gg:bb:cc:dd:ee:ff", NULL },
	{ "aa::bb:cc:dd:eef", NULL },
	{ "aabb.ccdd.eef", NULL },
	{ "aabb.ccdd.eeff0", NULL },
	{ "aabb:ccdd:eeff", NULL },
	{ "aabb-ccdd-eeff", NULL },
	{ "aab.bccd.deeff", NULL },
	{ "aabbc.cddeeff", NULL },
	{ "aabbccddeef", NULL },
	{ "aabbccddeeff0", NULL },
	{ "aabbccddeefg", NULL },
	{ "0xaabbccddee", NULL },
	{ " aa:bb:cc:dd:ee:ff", NULL },
	{ "aa:bb:cc:dd:ee:ff ", NULL },
	{ "aa:bb:cc:dd:ee:ff\n", NULL },
	{ "+a:bb:cc:dd:ee:ff", NULL },
	{ "aa:bb:cc:dd:ee:-f", NULL },
	{ "aa:bb:cc:dd:ee: f", NULL },
	{ "\xaa:bb:cc:dd:ee:ff", NULL },
	/* near misses: lengths around the three spellings' */
	{ "02:00:00:00:00:0", NULL },		/* 16 */
	{ "02:00:00:00:00:0cc", NULL },		/* 18 */
	{ "02:00:00:00:00:0c:", NULL },		/* 18 */
	{ ":02:00:00:00:00:0c", NULL },		/* 18 */
	{ "02:00:00:00:000c", NULL },		/* 16 */
	{ "0200.0000.000", NULL },		/* 13 */
	{ "0200.0000.000cc", NULL },		/* 15 */
	{ "0200.0000.000c.", NULL },		/* 15 */
	{ "02000000000", NULL },		/* 11 */
	{ "02000000000cc", NULL },		/* 13 */
	{ "0", NULL },
	{ ":", NULL },
	{ "0200000000000c0200000000000c", NULL },
	/* separators: mixed, misplaced, or of another spelling */
	{ "02:00-00:00:00:0c", NULL },
	{ "02-00:00:00:00:0c", NULL },
	{ "02:00:00:00:00-0c", NULL },
	{ "02-00-00-00-00:0c", NULL },
	{ "02:00:00:00:000:c", NULL },
	{ "020:00:00:00:00:c", NULL },
	{ "02.00.00.00.00.0c", NULL },
	{ "02:00:00:00:00.0c", NULL },
	{ "0200.0000:000c", NULL },
	{ "0200:0000.000c", NULL },
	{ "0200-0000-000c", NULL },
	{ "0200.00000.00c", NULL },
	{ "020.00000.000c", NULL },
	{ "0200..000.000c", NULL },
	{ "0200000.00000c", NULL },
	{ "02:00:00:00:0c", NULL },		/* 14, colons */
	{ "0200000000:c", NULL },		/* 12, a colon */
	{ "02000000000.", NULL },		/* 12, a dot */
	/* blanks and bytes that are not hex digits */
	{ "02:00:00:00:00:0c ", NULL },
	{ "0200.0000.000c ", NULL },
	{ "0200000000 c", NULL },
	{ "02000000000c ", NULL },
	{ "\t02000000000c", NULL },
	{ "02:00:00:00:00:0\xc3", NULL },
	{ "0x:00:00:00:00:0c", NULL },
	{ "02:00:00:00:00:0/", NULL },		/* '0' - 1 */
	{ "02:00:00:00:00:0@", NULL },		/* 'A' - 1 */
	{ "02:00:00:00:00:0`", NULL },		/* 'a' - 1 */
	{ "02:00:00:00:00:0G", NULL },		/* 'F' + 1 */
	{ "02:00:00:00:00:0g", NULL },		/* 'f' + 1 */
};

/*
 * The bytes each spelling gives, checked as bytes: the six bytes are
 * distinct and not symmetric, so any mixed-up pair or nibble shows.
 */
static const struct {
	const char *in;
	uint8_t mac[ETH_ALEN];
} mac_bytes_cases[] = {
	{ "01:23:45:67:89:ab", { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab } },
	{ "01-23-45-67-89-AB", { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab } },
	{ "0123.4567.89ab", { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab } },
	{ "0123456789AB", { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab } },
	{ "fE:dC:bA:98:76:54", { 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54 } },
	{ "Fe-Dc-Ba-98-76-54", { 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54 } },
	{ "FEDC.ba98.7654", { 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54 } },
	{ "fedcBA987654", { 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54 } },
	{ "a0:b1:c2:d3:e4:f5", { 0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5 } },
	{ "A0B1.C2D3.E4F5", { 0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5 } },
	{ "0f:1e:2d:3c:4b:5a", { 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a } },
	{ "0F1E2D3C4B5A", { 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a } },
};

/* The three templates: 'x' a hex digit, '?' ':' or '-', '.' a dot. */
static const char *const mac_spellings[] = {
	"xx?xx?xx?xx?xx?xx",
	"xxxx.xxxx.xxxx",
	"xxxxxxxxxxxx",
};

static const char hex_upper[] = "0123456789ABCDEF";
static const char hex_lower[] = "0123456789abcdef";

static void test_mac_parse(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mac_cases); i++) {
		uint8_t mac[ETH_ALEN];
		char got[MAC_STR_SIZE] = "";
		int r = mac_parse(mac_cases[i].in, mac);

		if (r == 0)
			mac_format(mac, got);
		if (mac_cases[i].want) {
			if (!check(r == 0 && !strcmp(got, mac_cases[i].want),
				   "mac_parse accepts '%s'",
				   visible(mac_cases[i].in)))
				printf("# want %s, got r=%d '%s'\n",
				       mac_cases[i].want, r, got);
		} else {
			if (!check(r == -1, "mac_parse refuses '%s'",
				   visible(mac_cases[i].in)))
				printf("# want -1, got r=%d '%s'\n", r, got);
		}
	}
}

/* mac as spelled by tpl, with sep for '?' and the digits in digits. */
static void mac_spell(char *out, const char *tpl, char sep,
		      const uint8_t mac[ETH_ALEN], const char *digits)
{
	unsigned int nibble = 0;

	for (; *tpl; tpl++, out++) {
		if (*tpl == 'x') {
			uint8_t b = mac[nibble / 2];

			*out = digits[nibble % 2 ? b & 0xf : b >> 4];
			nibble++;
		} else {
			*out = *tpl == '?' ? sep : *tpl;
		}
	}
	*out = '\0';
}

static bool is_hex_digit(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static const uint8_t untouched[ETH_ALEN] = {
	0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a
};

static void test_mac_parse_bytes(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mac_bytes_cases); i++) {
		uint8_t mac[ETH_ALEN];
		int r = mac_parse(mac_bytes_cases[i].in, mac);

		if (!check(r == 0 && !memcmp(mac, mac_bytes_cases[i].mac,
					     ETH_ALEN),
			   "mac_parse '%s' gives its six bytes",
			   mac_bytes_cases[i].in))
			printf("# r=%d %02x %02x %02x %02x %02x %02x\n", r,
			       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	}

	/* a refused MAC leaves mac as it was, even when most of it parsed */
	for (i = 0; i < ARRAY_SIZE(mac_cases); i++) {
		uint8_t mac[ETH_ALEN];

		if (mac_cases[i].want)
			continue;
		memcpy(mac, untouched, ETH_ALEN);
		mac_parse(mac_cases[i].in, mac);
		if (memcmp(mac, untouched, ETH_ALEN)) {
			printf("# '%s' wrote into it\n",
			       visible(mac_cases[i].in));
			break;
		}
	}
	check(i == ARRAY_SIZE(mac_cases),
	      "mac_parse leaves mac alone when it refuses");
}

/*
 * Digit value d (both cases: 0 to 31) at nibble nib of tpl spelled with
 * sep, on a background of other values: the bytes come out exactly.
 */
static bool mac_digit_reads(const char *tpl, char sep, unsigned int nib,
			    unsigned int d)
{
	uint8_t want[ETH_ALEN], got[ETH_ALEN];
	uint8_t v = (uint8_t)(d % 16);
	char s[32];

	memset(want, 0x5a, ETH_ALEN);
	want[nib / 2] = nib % 2 ? (uint8_t)(0x50 | v) : (uint8_t)(v << 4 | 0xa);
	mac_spell(s, tpl, sep, want, d < 16 ? hex_lower : hex_upper);
	if (mac_parse(s, got) == 0 && !memcmp(got, want, ETH_ALEN))
		return true;
	printf("# '%s' misread\n", s);
	return false;
}

/* Byte c in place of the one at pos of tpl spelled with sep: refused? */
static bool mac_byte_refused(const char *tpl, char sep, size_t pos,
			     unsigned int c)
{
	static const uint8_t some[ETH_ALEN] = {
		0x02, 0x13, 0x24, 0x35, 0x46, 0x57
	};
	uint8_t got[ETH_ALEN];
	char s[32];

	mac_spell(s, tpl, sep, some, hex_lower);
	s[pos] = (char)c;
	memcpy(got, untouched, ETH_ALEN);
	if (mac_parse(s, got) == -1 && !memcmp(got, untouched, ETH_ALEN))
		return true;
	printf("# '%s' accepted\n", visible(s));
	return false;
}

/* Whether c belongs at pos of tpl spelled with sep. */
static bool mac_byte_fits(const char *tpl, char sep, size_t pos,
			  unsigned int c)
{
	if (tpl[pos] == 'x')
		return is_hex_digit((int)c);
	if (tpl[pos] == '?')
		return c == (unsigned char)sep;
	return c == (unsigned char)tpl[pos];
}

/* tpl spelled with sep, one byte cut or one '0' added at each place. */
static bool mac_one_off_refused(const char *tpl, char sep)
{
	static const uint8_t some[ETH_ALEN] = {
		0x02, 0x13, 0x24, 0x35, 0x46, 0x57
	};
	size_t len = strlen(tpl), pos;
	uint8_t got[ETH_ALEN];
	char s[32], t[32];

	mac_spell(s, tpl, sep, some, hex_lower);
	for (pos = 0; pos < len; pos++) {
		memcpy(t, s, pos);
		memcpy(t + pos, s + pos + 1, len - pos);
		if (mac_parse(t, got) != -1) {
			printf("# '%s' accepted\n", t);
			return false;
		}
	}
	for (pos = 0; pos <= len; pos++) {
		memcpy(t, s, pos);
		t[pos] = '0';
		memcpy(t + pos + 1, s + pos, len - pos + 1);
		if (mac_parse(t, got) != -1) {
			printf("# '%s' accepted\n", t);
			return false;
		}
	}
	return true;
}

/* Each spelling, every way one byte of it can be right or wrong. */
static void test_mac_spellings(void)
{
	size_t t;

	for (t = 0; t < ARRAY_SIZE(mac_spellings); t++) {
		const char *tpl = mac_spellings[t];
		const char *seps = strchr(tpl, '?') ? ":-" : ".";
		size_t len = strlen(tpl), pos;
		unsigned int nib, c;
		const char *sep;
		bool ok = true;

		for (sep = seps; *sep && ok; sep++)
			for (nib = 0; nib < 2 * ETH_ALEN && ok; nib++)
				for (c = 0; c < 32 && ok; c++)
					ok = mac_digit_reads(tpl, *sep, nib, c);
		check(ok, "mac_parse '%s': each digit, each place, both cases",
		      tpl);

		/* mixed separators are among these */
		ok = true;
		for (sep = seps; *sep && ok; sep++)
			for (pos = 0; pos < len && ok; pos++)
				for (c = 1; c < 256 && ok; c++)
					if (!mac_byte_fits(tpl, *sep, pos, c))
						ok = mac_byte_refused(tpl, *sep,
								      pos, c);
		check(ok, "mac_parse '%s': any other byte anywhere is refused",
		      tpl);

		ok = true;
		for (sep = seps; *sep && ok; sep++)
			ok = mac_one_off_refused(tpl, *sep);
		check(ok, "mac_parse '%s': a byte more or less is refused",
		      tpl);
	}
}

/* mac_parse_len reads len bytes, whatever follows them. */
static void test_mac_parse_len(void)
{
	static const uint8_t want[ETH_ALEN] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x0c
	};
	uint8_t mac[ETH_ALEN];

	memset(mac, 0, sizeof(mac));
	check(mac_parse_len("02:00:00:00:00:0c name cam", 17, mac) == 0 &&
	      !memcmp(mac, want, ETH_ALEN),
	      "mac_parse_len: the colon form, followed by more text");
	memset(mac, 0, sizeof(mac));
	check(mac_parse_len("0200.0000.000c\r\n", 14, mac) == 0 &&
	      !memcmp(mac, want, ETH_ALEN),
	      "mac_parse_len: the dot form, followed by more text");
	memset(mac, 0, sizeof(mac));
	check(mac_parse_len("02000000000cff", 12, mac) == 0 &&
	      !memcmp(mac, want, ETH_ALEN),
	      "mac_parse_len: the bare form, followed by more digits");
	check(mac_parse_len("02:00:00:00:00:0c", 16, mac) == -1 &&
	      mac_parse_len("02:00:00:00:00:0cc", 18, mac) == -1 &&
	      mac_parse_len("02:00:00:00:00:0c", 0, mac) == -1 &&
	      mac_parse_len("02:00:00:00:00\0000c", 17, mac) == -1 &&
	      mac_parse_len("02000000000\0", 12, mac) == -1,
	      "mac_parse_len: other lengths and NUL bytes are refused");
}

static const struct {
	uint8_t mac[ETH_ALEN];
	enum mac_kind kind;
	const char *text;
} kind_cases[] = {
	{ { 0x02, 0, 0, 0, 0, 0x0c }, MAC_UNICAST, "02:00:00:00:00:0c" },
	{ { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff }, MAC_UNICAST,
	  "fe:ff:ff:ff:ff:ff" },
	{ { 0, 0, 0, 0, 0, 1 }, MAC_UNICAST, "00:00:00:00:00:01" },
	{ { 0, 0, 0, 0, 0, 0 }, MAC_ZERO, "00:00:00:00:00:00" },
	{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, MAC_BROADCAST,
	  "ff:ff:ff:ff:ff:ff" },
	{ { 0x01, 0, 0x5e, 0, 0, 0x01 }, MAC_MULTICAST, "01:00:5e:00:00:01" },
	{ { 0x33, 0x33, 0, 0, 0, 0x01 }, MAC_MULTICAST, "33:33:00:00:00:01" },
	{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe }, MAC_MULTICAST,
	  "ff:ff:ff:ff:ff:fe" },
	{ { 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45 }, MAC_MULTICAST,
	  "ab:cd:ef:01:23:45" },
	{ { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff }, MAC_UNICAST,
	  "aa:bb:cc:dd:ee:ff" },
};

static void test_mac_classify_format(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kind_cases); i++) {
		char got[MAC_STR_SIZE];
		enum mac_kind kind = mac_classify(kind_cases[i].mac);

		mac_format(kind_cases[i].mac, got);
		if (!check(kind == kind_cases[i].kind &&
			   !strcmp(got, kind_cases[i].text),
			   "mac_classify and mac_format on %s",
			   kind_cases[i].text))
			printf("# want kind %d '%s', got kind %d '%s'\n",
			       kind_cases[i].kind, kind_cases[i].text, kind,
			       got);
	}

	{
		uint8_t a[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x0c };
		uint8_t b[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x00 };

		check(mac_compare(a, b) < 0 && mac_compare(b, a) > 0 &&
		      mac_compare(a, a) == 0,
		      "mac_compare orders by bytes, first byte first");
	}
}

static const struct {
	const char *in;
	const char *why;	/* NULL: valid */
} label_cases[] = {
	{ "dvr-front", NULL },
	{ "a", NULL },
	{ "Kitchen_Cam.2", NULL },
	{ "0123456789abcdef0123456789abcdef", NULL },	/* 32 bytes */
	{ "!$%&()*+,-./:;<=>?@[]^_`{|}~", NULL },
	{ "-j", NULL },
	{ "", "empty" },
	{ "0123456789abcdef0123456789abcdef0", "longer than 32 bytes" },
	{ "a b", "contains a space" },
	{ " ", "contains a space" },
	{ "a\"b", "contains a double quote" },
	{ "it's", "contains a single quote" },
	{ "a\\b", "contains a backslash" },
	{ "#1", "contains '#'" },
	{ "a\tb", "contains byte 0x09, only printable ASCII is allowed" },
	{ "a\nb", "contains byte 0x0a, only printable ASCII is allowed" },
	{ "\x01", "contains byte 0x01, only printable ASCII is allowed" },
	{ "del\x7f", "contains byte 0x7f, only printable ASCII is allowed" },
	{ "caf\xc3\xa9", "contains byte 0xc3, only printable ASCII is allowed" },
	{ "\xff", "contains byte 0xff, only printable ASCII is allowed" },
};

static void test_labels(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(label_cases); i++) {
		char why[128] = "";
		bool valid = label_valid(label_cases[i].in, why, sizeof(why));
		const char *want = label_cases[i].why;

		if (!want) {
			if (!check(valid, "label '%s' is valid",
				   visible(label_cases[i].in)))
				printf("# refused: %s\n", why);
		} else {
			if (!check(!valid && !strcmp(why, want),
				   "label '%s' is refused: %s",
				   visible(label_cases[i].in), want))
				printf("# got valid=%d '%s'\n", valid, why);
		}
	}
}

static const struct {
	const char *in;
	bool valid;
} ifname_cases[] = {
	{ "wan0", true },
	{ "ppp0", true },
	{ "eth0.100", true },
	{ "br-lan", true },
	{ "wg_home", true },
	{ "abcdefghijklmno", true },	/* 15 bytes */
	{ "...", true },
	{ "a..b", true },
	{ "-", true },
	{ "", false },
	{ "abcdefghijklmnop", false },	/* 16 bytes */
	{ ".", false },
	{ "..", false },
	{ "/", false },
	{ "a/b", false },
	{ "eth0:1", false },
	{ "a b", false },
	{ "a\tb", false },
	{ "a\nb", false },
	{ "wan\r", false },
	{ "x\x7f", false },
	{ "\x1b[0m", false },
};

static void test_ifnames(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ifname_cases); i++)
		check(ifname_valid(ifname_cases[i].in) == ifname_cases[i].valid,
		      "interface name '%s' is %s", visible(ifname_cases[i].in),
		      ifname_cases[i].valid ? "valid" : "refused");
}

#define NOW 1795775462ULL	/* 2026-11-27T10:31:02Z */

static const struct {
	bool has;
	uint64_t t, now;
	const char *want;
} ago_cases[] = {
	{ false, 0, NOW, "never" },
	{ false, NOW, NOW, "never" },
	{ true, NOW, NOW, "0 s ago" },
	{ true, NOW - 1, NOW, "1 s ago" },
	{ true, NOW - 59, NOW, "59 s ago" },
	{ true, NOW - 60, NOW, "1 min ago" },
	{ true, NOW - 180, NOW, "3 min ago" },
	{ true, NOW - 239, NOW, "3 min ago" },
	{ true, NOW - 3599, NOW, "59 min ago" },
	{ true, NOW - 3600, NOW, "1 h ago" },
	{ true, NOW - 86399, NOW, "23 h ago" },
	{ true, NOW - 86400, NOW, "1 day ago" },
	{ true, NOW - 172799, NOW, "1 day ago" },
	{ true, NOW - 172800, NOW, "2 days ago" },
	{ true, 0, NOW, "20784 days ago" },
	{ true, NOW + 1, NOW, "in the future" },
	{ true, UINT64_MAX, NOW, "in the future" },
	{ true, 0, UINT64_MAX, "213503982334601 days ago" },
};

static void test_ago(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ago_cases); i++) {
		char got[AGO_SIZE];

		format_ago(got, ago_cases[i].has, ago_cases[i].t,
			   ago_cases[i].now);
		check_str(got, ago_cases[i].want, "format_ago");
	}
}

static const struct {
	uint64_t t;
	const char *want;
} iso_cases[] = {
	{ 0, "1970-01-01T00:00:00Z" },
	{ NOW, "2026-11-27T10:31:02Z" },
	{ 951782400, "2000-02-29T00:00:00Z" },
	{ 2147483648ULL, "2038-01-19T03:14:08Z" },
	{ 253402300799ULL, "9999-12-31T23:59:59Z" },
	/* no 4-digit year: the number itself */
	{ 253402300800ULL, "253402300800" },
	{ UINT64_MAX, "18446744073709551615" },
};

static void test_iso_time(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(iso_cases); i++) {
		char got[ISO_TIME_SIZE];

		format_iso_time(got, iso_cases[i].t);
		check_str(got, iso_cases[i].want, "format_iso_time");
	}
}

static const struct {
	uint64_t n;
	const char *want;
} bytes_cases[] = {
	{ 0, "0 B" },
	{ 1, "1 B" },
	{ 1023, "1023 B" },
	{ 1024, "1.0 KiB" },
	{ 1536, "1.5 KiB" },
	{ 1023 * 1024, "1023.0 KiB" },
	{ 1048524, "1023.9 KiB" },
	/* what would print as 1024.0 KiB is 1.0 MiB */
	{ 1048525, "1.0 MiB" },
	{ 1048576, "1.0 MiB" },
	{ 10ULL << 30, "10.0 GiB" },
	{ 3ULL << 40, "3.0 TiB" },
	{ 5ULL << 50, "5.0 PiB" },
	{ UINT64_MAX, "16.0 EiB" },
};

static void test_bytes(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bytes_cases); i++) {
		char got[BYTES_SIZE];

		format_bytes(got, bytes_cases[i].n);
		check_str(got, bytes_cases[i].want, "format_bytes");
	}
}

static const struct {
	uint8_t proto;
	uint16_t dport;
	const char *name;	/* proto_name() */
	const char *service;	/* format_service() */
} proto_cases[] = {
	{ IPPROTO_TCP, 25, "tcp", "tcp/25" },
	{ IPPROTO_TCP, 0, "tcp", "tcp/0" },
	{ IPPROTO_UDP, 53, "udp", "udp/53" },
	{ IPPROTO_UDP, 65535, "udp", "udp/65535" },
	{ IPPROTO_ICMP, 0, "icmp", "icmp" },
	{ IPPROTO_ICMPV6, 0, "icmpv6", "icmpv6" },
	{ 47, 0, "47", "47" },
	{ 132, 443, "132", "132/443" },
	{ 0, 0, "0", "0" },
	{ 255, 65535, "255", "255/65535" },
};

static void test_protocols(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proto_cases); i++) {
		char buf[PROTO_SIZE], svc[SERVICE_SIZE];
		const char *name = proto_name(buf, proto_cases[i].proto);

		format_service(svc, proto_cases[i].proto, proto_cases[i].dport);
		if (!check(!strcmp(name, proto_cases[i].name) &&
			   !strcmp(svc, proto_cases[i].service),
			   "protocol %u port %u is %s, %s",
			   proto_cases[i].proto, proto_cases[i].dport,
			   proto_cases[i].name, proto_cases[i].service))
			printf("# got '%s', '%s'\n", name, svc);
	}
}

static const struct {
	struct iot_addr a;
	const char *want;
} addr_cases[] = {
	{ { AF_INET, { 203, 0, 113, 25 } }, "203.0.113.25" },
	{ { AF_INET, { 0 } }, "0.0.0.0" },
	{ { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } }, "2001:db8::1" },
	{ { AF_INET6, { 0xfe, 0x80, [8] = 0x02, [15] = 0x0c } },
	  "fe80::200:0:0:c" },
	{ { AF_INET6, { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 } },
	  "::ffff:192.0.2.1" },
	{ { 0, { 1, 2, 3, 4 } }, "?" },
	{ { 99, { 1, 2, 3, 4 } }, "?" },
};

static void test_addresses(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(addr_cases); i++) {
		char got[ADDR_SIZE];

		format_addr(got, &addr_cases[i].a);
		check_str(got, addr_cases[i].want, "format_addr");
	}
	check(!strcmp(family_name(AF_INET), "ipv4") &&
	      !strcmp(family_name(AF_INET6), "ipv6") && !family_name(0) &&
	      !family_name(AF_PACKET),
	      "family_name: ipv4, ipv6, NULL for others");
}

static void test_names(void)
{
	check(!strcmp(verdict_name(IOT_EGRESS_POLICY_DENY), "denied") &&
	      !strcmp(verdict_name(IOT_EGRESS_POLICY_AUDIT), "audited") &&
	      !verdict_name(IOT_EGRESS_POLICY_ALLOW) &&
	      !verdict_name(IOT_EGRESS_POLICY_UNSPEC) && !verdict_name(200),
	      "verdict_name: denied, audited, NULL for others");
	check(!strcmp(event_name(IOT_EGRESS_EVENT_NEW), "new") &&
	      !strcmp(event_name(IOT_EGRESS_EVENT_REPEAT), "repeat") &&
	      !event_name(IOT_EGRESS_EVENT_UNSPEC) && !event_name(3),
	      "event_name: new, repeat, NULL for others");
}

static const struct {
	const char *in;
	uint64_t want;		/* 0: refused */
} count_cases[] = {
	{ "1", 1 },
	{ "42", 42 },
	{ "007", 7 },
	{ "18446744073709551615", UINT64_MAX },
	{ "18446744073709551616", 0 },
	{ "99999999999999999999", 0 },
	{ "0", 0 },
	{ "000", 0 },
	{ "", 0 },
	{ "-1", 0 },
	{ "+1", 0 },
	{ " 1", 0 },
	{ "1 ", 0 },
	{ "1e3", 0 },
	{ "0x10", 0 },
	{ "ten", 0 },
};

static void test_counts(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(count_cases); i++) {
		uint64_t n = 12345;
		bool ok = count_parse(count_cases[i].in, &n);

		if (count_cases[i].want)
			check(ok && n == count_cases[i].want,
			      "count_parse accepts '%s'",
			      visible(count_cases[i].in));
		else
			check(!ok && n == 12345, "count_parse refuses '%s'",
			      visible(count_cases[i].in));
	}
}

/* Prints t into memory; NULL if table_print() failed. */
static char *table_run(const struct table *t, const char *indent)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f) {
		perror("open_memstream");
		exit(1);
	}
	r = table_print(t, f, indent);
	fclose(f);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void test_tables(void)
{
	static const char *const columns[] = { "A", ">N", "LAST" };
	static const char *const r1[] = { "x", "1", "a b" };
	static const char *const r2[] = { "long", "123", "" };
	static const char *const r3[] = { "", "", "z" };
	static const char *const many[TABLE_MAX_COLS + 1] = { "" };
	struct table t;
	char *got;

	table_init(&t, 3, columns);
	got = table_run(&t, "");
	if (!check(got && !strcmp(got, "A  N  LAST\n"),
		   "table: the header alone, '>' not printed"))
		printf("# got %s\n", got ? visible(got) : "(failed)");
	free(got);

	table_row(&t, r1);
	table_row(&t, r2);
	table_row(&t, r3);
	got = table_run(&t, "");
	if (!check(got && !strcmp(got, "A       N  LAST\n"
				       "x       1  a b\n"
				       "long  123\n"
				       "           z\n"),
		   "table: aligned columns, numbers right, no trailing spaces"))
		printf("# got %s\n", got ? visible(got) : "(failed)");
	free(got);
	got = table_run(&t, "    ");
	check(got && !strncmp(got, "    A       N  LAST\n    x", 25),
	      "table: every line indented");
	free(got);
	table_free(&t);

	table_init(&t, TABLE_MAX_COLS + 1, many);
	table_row(&t, many);
	check(!table_run(&t, ""), "table: more than %d columns is refused",
	      TABLE_MAX_COLS);
	table_free(&t);
}

/* Runs a writer script into memory; returns the output, or NULL if
 * json_end() failed. */
static char *json_run(void (*script)(struct json *j))
{
	struct json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f) {
		perror("open_memstream");
		exit(1);
	}
	json_init(&j, f);
	script(&j);
	r = json_end(&j);
	fclose(f);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void js_empty_array(struct json *j)
{
	json_array_begin(j);
	json_array_end(j);
}

static void js_empty_object(struct json *j)
{
	json_object_begin(j);
	json_object_end(j);
}

static void js_scalars(struct json *j)
{
	json_object_begin(j);
	json_key(j, "s");
	json_string(j, "dvr-front");
	json_key(j, "n");
	json_uint(j, 42);
	json_key(j, "zero");
	json_uint(j, 0);
	json_key(j, "big");
	json_uint(j, UINT64_MAX);
	json_key(j, "t");
	json_bool(j, true);
	json_key(j, "f");
	json_bool(j, false);
	json_key(j, "z");
	json_null(j);
	json_object_end(j);
}

static void js_nested(struct json *j)
{
	json_array_begin(j);
	json_object_begin(j);
	json_key(j, "wan");
	json_array_begin(j);
	json_string(j, "wan0");
	json_string(j, "ppp0");
	json_array_end(j);
	json_key(j, "empty");
	json_array_begin(j);
	json_array_end(j);
	json_object_end(j);
	json_object_begin(j);
	json_object_end(j);
	json_uint(j, 1);
	json_array_end(j);
}

static void js_top_string(struct json *j)
{
	json_string(j, "x");
}

static void js_escapes(struct json *j)
{
	json_object_begin(j);
	json_key(j, "q\"k");
	json_string(j, "say \"hi\" \\ back/slash");
	json_key(j, "ctl");
	json_string(j, "\n\t\r\b\f\x01\x1f\x7f");
	json_key(j, "utf8");
	json_string(j, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x93\xb7");
	json_key(j, "bad");
	json_string(j, "\xff|\xc0\xaf|\xed\xa0\x80|\xe6\x97|\xf4\x90\x80\x80|\x80");
	json_object_end(j);
}

static void js_deep(struct json *j)
{
	int i;

	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_begin(j);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_end(j);
}

static void js_too_deep(struct json *j)
{
	int i;

	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		json_array_begin(j);
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		json_array_end(j);
}

static void js_value_without_key(struct json *j)
{
	json_object_begin(j);
	json_string(j, "orphan");
	json_object_end(j);
}

static void js_key_without_value(struct json *j)
{
	json_object_begin(j);
	json_key(j, "a");
	json_object_end(j);
}

static void js_two_keys(struct json *j)
{
	json_object_begin(j);
	json_key(j, "a");
	json_key(j, "b");
	json_null(j);
	json_object_end(j);
}

static void js_key_in_array(struct json *j)
{
	json_array_begin(j);
	json_key(j, "a");
	json_null(j);
	json_array_end(j);
}

static void js_two_documents(struct json *j)
{
	json_null(j);
	json_null(j);
}

static void js_unclosed(struct json *j)
{
	json_array_begin(j);
	json_null(j);
}

static void js_mismatched(struct json *j)
{
	json_array_begin(j);
	json_object_end(j);
}

static void js_nothing(struct json *j)
{
	(void)j;
}

static const struct {
	const char *name;
	void (*script)(struct json *j);
	const char *want;	/* NULL: json_end() must fail */
} json_cases[] = {
	{ "empty array", js_empty_array, "[]\n" },
	{ "empty object", js_empty_object, "{}\n" },
	{ "scalars", js_scalars,
	  "{\"s\":\"dvr-front\",\"n\":42,\"zero\":0,"
	  "\"big\":18446744073709551615,\"t\":true,\"f\":false,"
	  "\"z\":null}\n" },
	{ "nesting", js_nested,
	  "[{\"wan\":[\"wan0\",\"ppp0\"],\"empty\":[]},{},1]\n" },
	{ "top-level string", js_top_string, "\"x\"\n" },
	{ "escapes", js_escapes,
	  "{\"q\\\"k\":\"say \\\"hi\\\" \\\\ back/slash\","
	  "\"ctl\":\"\\u000a\\u0009\\u000d\\u0008\\u000c\\u0001\\u001f"
	  "\\u007f\","
	  "\"utf8\":\"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x93\xb7\","
	  "\"bad\":\"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
	  "\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd\\ufffd|\\ufffd\"}\n" },
	{ "deepest nesting", js_deep, "[[[[[[[[]]]]]]]]\n" },
	{ "nesting too deep", js_too_deep, NULL },
	{ "value without a key", js_value_without_key, NULL },
	{ "key without a value", js_key_without_value, NULL },
	{ "two keys in a row", js_two_keys, NULL },
	{ "key in an array", js_key_in_array, NULL },
	{ "two documents", js_two_documents, NULL },
	{ "unclosed array", js_unclosed, NULL },
	{ "mismatched end", js_mismatched, NULL },
	{ "no document", js_nothing, NULL },
};

static void test_json(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(json_cases); i++) {
		char *got = json_run(json_cases[i].script);
		const char *want = json_cases[i].want;

		if (want) {
			if (!check(got && !strcmp(got, want), "json: %s",
				   json_cases[i].name))
				printf("# want %s\n# got  %s\n", visible(want),
				       got ? visible(got) : "(json_end failed)");
		} else {
			check(!got, "json: %s is refused", json_cases[i].name);
		}
		free(got);
	}
}

static void js_all_bytes(struct json *j)
{
	char s[256];
	int i;

	for (i = 1; i < 256; i++)
		s[i - 1] = (char)i;
	s[255] = '\0';
	json_object_begin(j);
	json_key(j, "bytes");
	json_string(j, s);
	json_object_end(j);
}

/*
 * For json.bats: the documents the writer makes, one per line, so that
 * jq can judge them independently of the expectations above.
 */
static int print_json_samples(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(json_cases); i++) {
		char *doc;

		if (!json_cases[i].want)
			continue;
		doc = json_run(json_cases[i].script);
		if (!doc)
			return 1;
		fputs(doc, stdout);
		free(doc);
	}
	{
		char *doc = json_run(js_all_bytes);

		if (!doc)
			return 1;
		fputs(doc, stdout);
		free(doc);
	}
	return 0;
}

static struct iot_dest dest(const char *dst, uint8_t proto, uint16_t dport,
			   uint64_t count)
{
	struct iot_dest d = { .proto = proto, .dport = dport, .count = count };

	d.dst.family = strchr(dst, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(d.dst.family, dst, d.dst.a) != 1)
		exit(1);
	return d;
}

/* What lock keeps of recorded destinations, as dry-run writes it. */
static void test_lock_plan(void)
{
	static const uint8_t mac[ETH_ALEN] = { 2, 0, 0, 0, 0, 0x0c };
	struct iot_dest v[] = {
		dest("203.0.113.5", IPPROTO_TCP, 443, 5),
		dest("2001:db8::53", IPPROTO_UDP, 53, 2),
		dest("198.51.100.1", 47, 0, 9),		/* GRE: no exception */
		dest("198.51.100.2", IPPROTO_TCP, 0, 9),	/* port 0 */
		dest("192.0.2.1", IPPROTO_ICMP, 0, 3),
		dest("192.0.2.1", IPPROTO_ICMP, 8, 3),	/* the same */
		dest("2001:db8::1", IPPROTO_ICMPV6, 0, 2),
		dest("2001:db8::2", IPPROTO_ICMP, 0, 2),	/* v4 ICMP in v6 */
		dest("203.0.113.9", IPPROTO_UDP, 123, 1),	/* below 2 */
	};
	static const char *const want[] = {
		"02:00:00:00:00:0c 203.0.113.5/32 proto tcp port 443",
		"02:00:00:00:00:0c 2001:db8::53/128 proto udp port 53",
		"02:00:00:00:00:0c 192.0.2.1/32 proto icmp",
		"02:00:00:00:00:0c 2001:db8::1/128 proto icmp",
	};
	struct iot_dest_list l = { v, ARRAY_SIZE(v), ARRAY_SIZE(v) };
	char text[EXCEPT_TEXT_SIZE];
	struct lock_plan plan;
	bool same = true;
	size_t i;

	check(lock_plan_make(&plan, mac, &l, 2) == 0, "lock plan made");
	for (i = 0; i < ARRAY_SIZE(want) && i < plan.keep.n; i++) {
		except_format(text, &plan.keep.v[i]);
		if (strcmp(text, want[i])) {
			printf("# got %s, want %s\n", text, want[i]);
			same = false;
		}
	}
	check(same && plan.keep.n == ARRAY_SIZE(want),
	      "lock keeps each destination's exact address, protocol and port, once");
	check(plan.recorded == 9 && plan.below == 1 && plan.skipped == 3 &&
	      plan.duplicates == 1,
	      "lock counts what it skipped and what was below min-count");
	check(plan.keep.v[2].proto == IPPROTO_ICMP &&
	      plan.keep.v[3].proto == IPPROTO_ICMPV6,
	      "lock: ICMP for IPv4, ICMPv6 for IPv6");
	lock_plan_free(&plan);
	check(lock_plan_make(&plan, mac, &l, 10) == 0 && plan.keep.n == 0 &&
	      plan.below == 9, "lock: min-count above every count keeps none");
	lock_plan_free(&plan);
}

/* The words of an exception: what is kept of each, and the canonical form. */
static void test_except_parse(void)
{
	static const struct {
		const char *words[6];
		size_t n;
		const char *want;
	} ok[] = {
		{ { "10.0.0.0/8" }, 1, "any 10.0.0.0/8" },
		{ { "192.0.2.7" }, 1, "any 192.0.2.7/32" },
		{ { "0.0.0.0/0" }, 1, "any 0.0.0.0/0" },
		{ { "::/0" }, 1, "any ::/0" },
		{ { "2001:DB8:0:0::1" }, 1, "any 2001:db8::1/128" },
		{ { "::ffff:192.0.2.0/120" }, 1, "any ::ffff:192.0.2.0/120" },
		{ { "::/0", "proto", "icmp" }, 3, "any ::/0 proto icmp" },
		{ { "::/0", "port", "1-65535", "proto", "udp" }, 5,
		  "any ::/0 proto udp port 1-65535" },
		{ { "0.0.0.0/0", "proto", "udp", "port", "123-123" }, 5,
		  "any 0.0.0.0/0 proto udp port 123" },
		{ { "255.255.255.255/32", "proto", "tcp" }, 3,
		  "any 255.255.255.255/32 proto tcp" },
	};
	static const struct {
		const char *words[6];
		size_t n;
		int word;
		const char *reason, *detail;
	} bad[] = {
		{ { "" }, 1, 0, "invalid prefix", "" },
		{ { "10.0.0.0/8/8" }, 1, 0, "invalid prefix", "" },
		{ { "10.0.0.0/+8" }, 1, 0, "invalid prefix", "" },
		{ { "10.0.0.0/-1" }, 1, 0, "invalid prefix", "" },
		{ { "10.0.0.0 /8" }, 1, 0, "invalid prefix", "" },
		{ { "fe80::1%eth0" }, 1, 0, "invalid prefix", "" },
		{ { "10.0.0.128/25" }, 1, -2, "", "" },
		{ { "10.0.0.129/25" }, 1, 0, "invalid prefix",
		  "host bits set, the prefix is 10.0.0.128/25" },
		{ { "::1/127" }, 1, 0, "invalid prefix",
		  "host bits set, the prefix is ::/127" },
		{ { "1.2.3.4", "port", "1a" }, 3, 2, "invalid port",
		  "ports are 1 to 65535" },
		{ { "1.2.3.4", "proto", "udp", "port", "+1" }, 5, 4,
		  "invalid port", "ports are 1 to 65535" },
		{ { "1.2.3.4", "proto", "udp", "port", "1--2" }, 5, 4,
		  "invalid port range", "ports are 1 to 65535" },
		{ { "1.2.3.4", "proto", "udp", "port", "9-8" }, 5, 4,
		  "invalid port range", "it runs backwards" },
		{ { "1.2.3.4", "proto", "udp", "port" }, 4, -1,
		  "t: missing port after 'port'", "" },
		{ { "1.2.3.4", "proto", "6" }, 3, 2, "invalid protocol",
		  "tcp, udp or icmp" },
		{ { "1.2.3.4", "proto", "icmpv6" }, 3, 2, "invalid protocol",
		  "tcp, udp or icmp" },
	};
	char text[EXCEPT_TEXT_SIZE];
	struct except_error err;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		struct iot_except e = { .any = true };
		int r = except_parse(&e, ok[i].words, ok[i].n, "t", &err);

		check_str(r == 0 ? except_format(text, &e) : err.reason,
			  ok[i].want, "except words");
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct iot_except e = { .any = true };
		int r = except_parse(&e, bad[i].words, bad[i].n, "t", &err);

		if (bad[i].word == -2) {
			check(r == 0, "accepted: %s", bad[i].words[0]);
			continue;
		}
		if (!check(r == -1 && err.word == bad[i].word &&
			   !strcmp(err.reason, bad[i].reason) &&
			   !strcmp(err.detail, bad[i].detail),
			   "refused: %s ... (%s)", bad[i].words[0],
			   bad[i].reason))
			printf("# got r=%d word %d: %s (%s)\n", r, err.word,
			       err.reason, err.detail);
	}
}

int main(int argc, char *argv[])
{
	if (argc == 2 && !strcmp(argv[1], "--json-samples"))
		return print_json_samples();

	test_mac_parse();
	test_mac_parse_bytes();
	test_mac_spellings();
	test_mac_parse_len();
	test_mac_classify_format();
	test_labels();
	test_ifnames();
	test_json();
	test_ago();
	test_iso_time();
	test_bytes();
	test_protocols();
	test_addresses();
	test_names();
	test_counts();
	test_tables();
	test_except_parse();
	test_lock_plan();
	return tap_done();
}
