// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the parts of iotctl that need no kernel: the MAC
 * parser and formatter, the label and interface name checks, and the JSON
 * writer. Table-driven; prints TAP, one test per table row.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iot_egress.h"
#include "json.h"
#include "mac.h"
#include "validate.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static unsigned int tests_run, tests_failed;

__attribute__((format(printf, 2, 3)))
static bool check(bool pass, const char *fmt, ...)
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

/* Test names and diagnostics must stay on one line. */
static const char *visible(const char *s)
{
	static char buf[4][1024];
	static unsigned int which;
	char *out = buf[which++ % 4];
	size_t n = 0;

	for (; *s && n < sizeof(buf[0]) - 5; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '#')
			n += (size_t)sprintf(out + n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

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
};

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

int main(int argc, char *argv[])
{
	if (argc == 2 && !strcmp(argv[1], "--json-samples"))
		return print_json_samples();

	test_mac_parse();
	test_mac_classify_format();
	test_labels();
	test_ifnames();
	test_json();
	printf("1..%u\n", tests_run);
	return tests_failed ? 1 : 0;
}
