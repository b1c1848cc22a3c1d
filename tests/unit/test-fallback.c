// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the nftables fallback ruleset (fallback.c): the
 * whole ruleset of small policies, the WAN names nft cannot match and the
 * message for each, and the table's comment. Whether nft accepts the
 * ruleset, tests/unit/fallback.bats checks with nft itself.
 * Table-driven; prints TAP, one test per table row.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fallback.h"
#include "tap.h"

/* The ruleset for the policy file in, as a string (NULL: not parsed). */
static char *ruleset(const char *in, const char *reason)
{
	struct policy_error err = { 0 };
	struct policy p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	policy_init(&p);
	if (policy_file_parse(&p, in, strlen(in), &err) < 0 ||
	    fallback_check(&p, &err) < 0) {
		printf("# refused: line %zu: %s\n", err.line, visible(err.msg));
		policy_free(&p);
		return NULL;
	}
	f = open_memstream(&buf, &len);
	if (!f) {
		perror("open_memstream");
		exit(1);
	}
	if (fallback_write(f, &p, reason, "TEST") < 0) {
		fclose(f);
		free(buf);
		policy_free(&p);
		return NULL;
	}
	fclose(f);
	policy_free(&p);
	return buf;
}

#define HEADER \
	"# The iot-egress policy as nftables rules, for when the\n" \
	"# iot_egress module is not loaded; written by iotctl TEST.\n" \
	"# One transaction: the table is made sure to exist, deleted,\n" \
	"# and made anew, or nothing changes.\n" \
	"table inet iot_egress_fallback\n" \
	"delete table inet iot_egress_fallback\n" \
	"table inet iot_egress_fallback {\n" \
	"\tcomment \"why\"\n\n"

#define CHAIN(def) \
	"\tcounter dropped {\n\t}\n\n" \
	"\tchain forward {\n" \
	"\t\ttype filter hook forward priority -300; policy accept;\n" \
	"\t\tcomment \"default " def "\"\n" \
	"\t\t# the module matches frames from Ethernet devices only\n" \
	"\t\tmeta iiftype != ether accept\n"

static const struct {
	const char *name;
	const char *in;
	const char *want;
} rulesets[] = {
	{ "an empty file: empty sets, every packet WAN-bound, nothing dropped",
	  "",
	  HEADER
	  "\tset deny {\n\t\ttype ether_addr\n\t}\n\n"
	  "\t# audited devices are allowed\n"
	  "\tset allow {\n\t\ttype ether_addr\n\t}\n\n"
	  "\tset wan {\n\t\ttype ifname\n\t}\n\n"
	  CHAIN("allow")
	  "\t\t# no WAN name: every forwarded packet counts as WAN-bound\n"
	  "\t\tether saddr @deny counter name dropped drop\n"
	  "\t}\n}\n" },
	{ "default deny with WAN names: the WAN rule and the default rule",
	  "default deny\nwan add wan0\nwan add ppp*\n"
	  "deny 02-00-00-00-00-0C name dvr-front\n"
	  "audit 0200.0000.0010\nallow 02:00:00:00:00:1a name laptop\n"
	  "audit 02:00:00:00:00:11 name cam\n",
	  HEADER
	  "\tset deny {\n\t\ttype ether_addr\n"
	  "\t\telements = {\n"
	  "\t\t\t02:00:00:00:00:0c comment \"dvr-front\",\n"
	  "\t\t}\n\t}\n\n"
	  "\t# audited devices are allowed\n"
	  "\tset allow {\n\t\ttype ether_addr\n"
	  "\t\telements = {\n"
	  "\t\t\t02:00:00:00:00:10 comment \"audit\",\n"
	  "\t\t\t02:00:00:00:00:1a comment \"laptop\",\n"
	  "\t\t\t02:00:00:00:00:11 comment \"audit cam\",\n"
	  "\t\t}\n\t}\n\n"
	  "\tset wan {\n\t\ttype ifname\n"
	  "\t\telements = { \"wan0\", \"ppp\\*\", }\n\t}\n\n"
	  CHAIN("deny")
	  "\t\toifname != @wan accept\n"
	  "\t\tether saddr @deny counter name dropped drop\n"
	  "\t\tether saddr != @allow counter name dropped drop\n"
	  "\t}\n}\n" },
	{ "exceptions: any's for every source, a denied device's, no allowed one's",
	  "default deny\nwan add wan0\n"
	  "deny 02:00:00:00:00:0c\nallow 02:00:00:00:00:0d\n"
	  "except 02:00:00:00:00:0d 10.0.0.0/8\n"
	  "except any 0.0.0.0/0 proto udp port 123\n"
	  "except any ::/0 proto udp port 123\n"
	  "except 02:00:00:00:00:0c 10.0.0.0/8 proto tcp port 1000-2000\n"
	  "except 02:00:00:00:00:0c 2001:db8::/32 proto icmp\n"
	  "except 02:00:00:00:00:0c 192.0.2.0/24 proto tcp\n"
	  "except 02:00:00:00:00:0c 0.0.0.0/0 proto icmp\n"
	  "except 02:00:00:00:00:0c 192.0.2.7\n",
	  HEADER
	  "\tset deny {\n\t\ttype ether_addr\n"
	  "\t\telements = {\n"
	  "\t\t\t02:00:00:00:00:0c,\n"
	  "\t\t}\n\t}\n\n"
	  "\t# audited devices are allowed\n"
	  "\tset allow {\n\t\ttype ether_addr\n"
	  "\t\telements = {\n"
	  "\t\t\t02:00:00:00:00:0d,\n"
	  "\t\t}\n\t}\n\n"
	  "\tset wan {\n\t\ttype ifname\n"
	  "\t\telements = { \"wan0\", }\n\t}\n\n"
	  CHAIN("deny")
	  "\t\toifname != @wan accept\n"
	  "\t\t# exceptions: what would be dropped, let through\n"
	  "\t\tip daddr 0.0.0.0/0 udp dport 123 accept\n"
	  "\t\tip6 daddr ::/0 udp dport 123 accept\n"
	  "\t\tether saddr 02:00:00:00:00:0c ip daddr 10.0.0.0/8 tcp dport 1000-2000 accept\n"
	  "\t\tether saddr 02:00:00:00:00:0c ip6 daddr 2001:db8::/32 meta l4proto ipv6-icmp accept\n"
	  "\t\tether saddr 02:00:00:00:00:0c ip daddr 192.0.2.0/24 meta l4proto tcp accept\n"
	  "\t\tether saddr 02:00:00:00:00:0c ip daddr 0.0.0.0/0 meta l4proto icmp accept\n"
	  "\t\tether saddr 02:00:00:00:00:0c ip daddr 192.0.2.7/32 accept\n"
	  "\t\tether saddr @deny counter name dropped drop\n"
	  "\t\tether saddr != @allow counter name dropped drop\n"
	  "\t}\n}\n" },
	{ "exceptions of allowed and audited devices only: no exception rule",
	  "allow 02:00:00:00:00:0d\naudit 02:00:00:00:00:0e\n"
	  "except 02:00:00:00:00:0d 10.0.0.0/8\n"
	  "except 02:00:00:00:00:0e 10.0.0.0/8\n",
	  HEADER
	  "\tset deny {\n\t\ttype ether_addr\n\t}\n\n"
	  "\t# audited devices are allowed\n"
	  "\tset allow {\n\t\ttype ether_addr\n"
	  "\t\telements = {\n"
	  "\t\t\t02:00:00:00:00:0d,\n"
	  "\t\t\t02:00:00:00:00:0e comment \"audit\",\n"
	  "\t\t}\n\t}\n\n"
	  "\tset wan {\n\t\ttype ifname\n\t}\n\n"
	  CHAIN("allow")
	  "\t\t# no WAN name: every forwarded packet counts as WAN-bound\n"
	  "\t\tether saddr @deny counter name dropped drop\n"
	  "\t}\n}\n" },
};

static void test_rulesets(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rulesets); i++) {
		char *got = ruleset(rulesets[i].in, "why");

		if (!check(got && !strcmp(got, rulesets[i].want), "%s",
			   rulesets[i].name) && got)
			printf("# got:\n%s", got);
		free(got);
	}
}

static const struct {
	const char *in;
	size_t line;
	const char *msg;
} unwritable[] = {
	{ "wan add wan0\nwan add a\"b\n", 2,
	  "the nftables fallback cannot match this interface name (it has a double quote): 'a\"b'" },
	{ "default deny\n\nwan add a\\b*\n", 3,
	  "the nftables fallback cannot match this interface name (it ends in '*' and has a backslash): 'a\\b*'" },
	{ "wan add abcdefghijklmn*\n", 1,
	  "the nftables fallback cannot match this interface name (it ends in '*' and is 15 bytes long): 'abcdefghijklmn*'" },
	{ "wan add \xc3\xa9\"\n", 1,
	  "the nftables fallback cannot match this interface name (it has a double quote): '\\xc3\\xa9\"'" },
};

static void test_unwritable(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unwritable); i++) {
		struct policy_error err = { 0 };
		struct policy p;
		int r;

		policy_init(&p);
		r = policy_file_parse(&p, unwritable[i].in,
				      strlen(unwritable[i].in), &err);
		if (r == 0)
			r = fallback_check(&p, &err);
		if (!check(r == -1 && err.line == unwritable[i].line &&
			   !strcmp(err.msg, unwritable[i].msg),
			   "refused: line %zu: %s", unwritable[i].line,
			   visible(unwritable[i].msg)))
			printf("# got r=%d line %zu: %s\n", r, err.line,
			       visible(err.msg));
		policy_free(&p);
	}

	/* What nft can write, with its escape where one is needed. */
	static const char *const fine[] = {
		"wan add abcdefghijklm*\n", "wan add *\n", "wan add a\\b\n",
		"wan add a*b\n", "wan add q$w{}'%;@\n", "wan add \xc3\xa9\n",
	};
	for (i = 0; i < ARRAY_SIZE(fine); i++) {
		char *got = ruleset(fine[i], "why");

		check(got != NULL, "accepted: %s", visible(fine[i]));
		free(got);
	}
}

static void test_comment(void)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "modprobe: FATAL: Module iot_egress not found",
		  "modprobe: FATAL: Module iot_egress not found" },
		{ "say \"no\"", "say 'no'" },
		{ "tab\there\nnl \xc3\xa9", "tab?here?nl ??" },
		{ "", "" },
	};
	char out[FALLBACK_COMMENT_MAX + 1], in[300];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		fallback_comment(out, cases[i].in);
		check_str(out, cases[i].want, "comment");
	}

	/* At most 128 bytes, as nft takes them; cut with "...". */
	memset(in, 'a', 128);
	in[128] = '\0';
	fallback_comment(out, in);
	check(!strcmp(out, in), "a comment of 128 bytes is kept whole");
	in[128] = 'b';
	in[129] = '\0';
	fallback_comment(out, in);
	check(strlen(out) == 128 && !strcmp(out + 125, "...") &&
	      !strncmp(out, in, 125), "a longer one is cut to 128, with ...");
}

static void test_write_error(void)
{
	FILE *f = fopen("/dev/full", "w");
	struct policy p;

	if (!f) {
		check(false, "/dev/full opens");
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	policy_init(&p);
	check(fallback_write(f, &p, "why", "TEST") < 0,
	      "a write error is reported");
	fclose(f);
}

int main(void)
{
	test_rulesets();
	test_unwritable();
	test_comment();
	test_write_error();
	return tap_done();
}
