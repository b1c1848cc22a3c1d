// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the policy file parser and writer (policy.c): what
 * "iotctl load" accepts, what it refuses with which message on which
 * line, and that what "iotctl save" writes reads back the same.
 * Table-driven; prints TAP, one test per table row.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"
#include "tap.h"

static void diag(const char *label, const char *s)
{
	printf("# %s: %s\n", label, visible(s));
}

/* The file p makes, as save would write it, in memory. */
static char *written(struct policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		perror("open_memstream");
		exit(1);
	}
	if (policy_sort(p) < 0 || policy_file_write(f, p, "TEST") < 0) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

#define HEADER "# iot-egress policy, saved by iotctl TEST\n"

static const struct {
	const char *name;
	const char *in;
	const char *want;	/* as written back */
} valid_cases[] = {
	{ "an empty file is default allow and nothing else", "",
	  HEADER "default allow\n" },
	{ "blank lines and comments only",
	  "\n   \n\t\n# a comment\n   # an indented comment\n#\n",
	  HEADER "default allow\n" },
	{ "every kind of line",
	  "default deny\nwan add wan0\nwan add ppp0\n"
	  "deny 02:00:00:00:00:0c name dvr-front\nallow 02:00:00:00:00:1a\n",
	  HEADER "default deny\nwan add wan0\nwan add ppp0\n"
	  "deny 02:00:00:00:00:0c name dvr-front\nallow 02:00:00:00:00:1a\n" },
	{ "default allow said explicitly", "default allow\n",
	  HEADER "default allow\n" },
	{ "devices come out sorted by MAC, WAN names in file order",
	  "allow 02:00:00:00:01:00\ndeny 02:00:00:00:00:0d\n"
	  "wan add z9\ndeny 02:00:00:00:00:0c\nwan add a1\n",
	  HEADER "default allow\nwan add z9\nwan add a1\n"
	  "deny 02:00:00:00:00:0c\ndeny 02:00:00:00:00:0d\n"
	  "allow 02:00:00:00:01:00\n" },
	{ "every MAC spelling, written canonical",
	  "deny AA-BB-CC-DD-EE-F0\ndeny aabb.ccdd.eef2\ndeny AABBCCDDEEF4\n"
	  "deny aA:bB:cC:dD:eE:f6\n",
	  HEADER "default allow\ndeny aa:bb:cc:dd:ee:f0\n"
	  "deny aa:bb:cc:dd:ee:f2\ndeny aa:bb:cc:dd:ee:f4\n"
	  "deny aa:bb:cc:dd:ee:f6\n" },
	{ "blanks: tabs, runs of spaces, leading and trailing",
	  "\t deny\t02:00:00:00:00:0c   name \tcam  \t\n  default   deny  \n",
	  HEADER "default deny\ndeny 02:00:00:00:00:0c name cam\n" },
	{ "trailing comments after a blank",
	  "default deny # fail closed\nwan add wan0\t# uplink\n"
	  "deny 02:00:00:00:00:0c name cam #2\n",
	  HEADER "default deny\nwan add wan0\n"
	  "deny 02:00:00:00:00:0c name cam\n" },
	{ "CRLF line endings",
	  "default deny\r\nwan add wan0\r\n\r\n# c\r\n"
	  "deny 02:00:00:00:00:0c name cam\r\n",
	  HEADER "default deny\nwan add wan0\n"
	  "deny 02:00:00:00:00:0c name cam\n" },
	{ "no newline at the end", "default deny\ndeny 02:00:00:00:00:0c",
	  HEADER "default deny\ndeny 02:00:00:00:00:0c\n" },
	{ "a CR at the very end", "deny 02:00:00:00:00:0c\r",
	  HEADER "default allow\ndeny 02:00:00:00:00:0c\n" },
	{ "labels of every allowed character, 1 and 32 bytes",
	  "deny 02:00:00:00:00:01 name !$%&()*+,-./:;<=>?@[]^_`{|}~\n"
	  "deny 02:00:00:00:00:02 name x\n"
	  "deny 02:00:00:00:00:03 name 0123456789abcdef0123456789abcdef\n"
	  "allow 02:00:00:00:00:04 name -j\n",
	  HEADER "default allow\n"
	  "deny 02:00:00:00:00:01 name !$%&()*+,-./:;<=>?@[]^_`{|}~\n"
	  "deny 02:00:00:00:00:02 name x\n"
	  "deny 02:00:00:00:00:03 name 0123456789abcdef0123456789abcdef\n"
	  "allow 02:00:00:00:00:04 name -j\n" },
	{ "a label may be a keyword",
	  "deny 02:00:00:00:00:01 name name\nallow 02:00:00:00:00:02 name deny\n",
	  HEADER "default allow\ndeny 02:00:00:00:00:01 name name\n"
	  "allow 02:00:00:00:00:02 name deny\n" },
	{ "the same label on two devices",
	  "deny 02:00:00:00:00:01 name cam\ndeny 02:00:00:00:00:02 name cam\n",
	  HEADER "default allow\ndeny 02:00:00:00:00:01 name cam\n"
	  "deny 02:00:00:00:00:02 name cam\n" },
	{ "interface names at the limits",
	  "wan add abcdefghijklmno\nwan add eth0.100\nwan add -\nwan add ...\n",
	  HEADER "default allow\nwan add abcdefghijklmno\nwan add eth0.100\n"
	  "wan add -\nwan add ...\n" },
	{ "a '#' inside a word is not a comment",
	  "wan add eth#1\n",
	  HEADER "default allow\nwan add eth#1\n" },
	{ "the header save writes is a comment",
	  HEADER "default deny\n",
	  HEADER "default deny\n" },
	{ "unicast MACs with the locally administered bit, and 00:...:01",
	  "deny fe:ff:ff:ff:ff:ff\nallow 00:00:00:00:00:01\n",
	  HEADER "default allow\nallow 00:00:00:00:00:01\n"
	  "deny fe:ff:ff:ff:ff:ff\n" },
	{ "audit lines, with and without a label, sorted among the others",
	  "default deny\naudit 02:00:00:00:00:0e name nvr\n"
	  "deny 02:00:00:00:00:0c\naudit 02-00-00-00-00-0A\n"
	  "allow 02:00:00:00:00:0d name laptop\n",
	  HEADER "default deny\naudit 02:00:00:00:00:0a\n"
	  "deny 02:00:00:00:00:0c\nallow 02:00:00:00:00:0d name laptop\n"
	  "audit 02:00:00:00:00:0e name nvr\n" },
	{ "except lines: after the devices, any first, then by MAC, canonical",
	  "except 02:00:00:00:00:0d 10.0.0.0/8\n"
	  "deny 02:00:00:00:00:0d\naudit 02-00-00-00-00-0C name cam\n"
	  "except 02-00-00-00-00-0C 0.0.0.0/0 proto udp port 123\n"
	  "except any ::/0 proto udp port 123\n"
	  "except 02:00:00:00:00:0c 2001:DB8::/32   proto icmp\n"
	  "except any 192.0.2.7 # one host\n",
	  HEADER "default allow\naudit 02:00:00:00:00:0c name cam\n"
	  "deny 02:00:00:00:00:0d\n"
	  "except any ::/0 proto udp port 123\n"
	  "except any 192.0.2.7/32\n"
	  "except 02:00:00:00:00:0c 0.0.0.0/0 proto udp port 123\n"
	  "except 02:00:00:00:00:0c 2001:db8::/32 proto icmp\n"
	  "except 02:00:00:00:00:0d 10.0.0.0/8\n" },
	{ "except: port ranges, keywords in either order, /128 and no length",
	  "deny 02:00:00:00:00:0c\n"
	  "except 02:00:00:00:00:0c 10.1.0.0/16 port 1000-2000 proto tcp\n"
	  "except 02:00:00:00:00:0c 10.1.0.0/16 proto tcp port 1-65535\n"
	  "except 02:00:00:00:00:0c 10.1.0.0/16 proto tcp port 80-80\n"
	  "except 02:00:00:00:00:0c 10.1.0.0/16 proto tcp\n"
	  "except 02:00:00:00:00:0c 2001:db8::1\n"
	  "except 02:00:00:00:00:0c 2001:db8::2/128 proto udp port 53\n"
	  "except 02:00:00:00:00:0c 0.0.0.0/0\n",
	  HEADER "default allow\ndeny 02:00:00:00:00:0c\n"
	  "except 02:00:00:00:00:0c 10.1.0.0/16 proto tcp port 1000-2000\n"
	  "except 02:00:00:00:00:0c 10.1.0.0/16 proto tcp port 1-65535\n"
	  "except 02:00:00:00:00:0c 10.1.0.0/16 proto tcp port 80\n"
	  "except 02:00:00:00:00:0c 10.1.0.0/16 proto tcp\n"
	  "except 02:00:00:00:00:0c 2001:db8::1/128\n"
	  "except 02:00:00:00:00:0c 2001:db8::2/128 proto udp port 53\n"
	  "except 02:00:00:00:00:0c 0.0.0.0/0\n" },
	{ "any exceptions need no device",
	  "except any 0.0.0.0/0 proto icmp\nexcept any ::/0 proto icmp\n",
	  HEADER "default allow\nexcept any 0.0.0.0/0 proto icmp\n"
	  "except any ::/0 proto icmp\n" },
	{ "audit as a label is a label",
	  "deny 02:00:00:00:00:01 name audit\naudit 02:00:00:00:00:02 name deny\n",
	  HEADER "default allow\ndeny 02:00:00:00:00:01 name audit\n"
	  "audit 02:00:00:00:00:02 name deny\n" },
};

static void test_valid(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(valid_cases); i++) {
		struct policy_error err;
		struct policy p;
		char *out = NULL;
		int r;

		policy_init(&p);
		r = policy_file_parse(&p, valid_cases[i].in,
				      strlen(valid_cases[i].in), &err);
		if (r == 0)
			out = written(&p);
		if (!check(r == 0 && out && !strcmp(out, valid_cases[i].want),
			   "valid: %s", visible(valid_cases[i].name))) {
			if (r)
				printf("# refused, line %zu: %s\n", err.line,
				       err.msg);
			else
				diag("got", out ? out : "(write failed)");
			diag("want", valid_cases[i].want);
		}
		free(out);
		policy_free(&p);
	}
}

static const struct {
	const char *in;
	size_t line;
	const char *msg;
} error_cases[] = {
	/* commands */
	{ "frob\n", 1, "unknown command: 'frob'" },
	{ "\n\n  Deny 02:00:00:00:00:0c\n", 3, "unknown command: 'Deny'" },
	{ "del 02:00:00:00:00:0c\n", 1, "unknown command: 'del'" },
	{ "flush\n", 1, "unknown command: 'flush'" },
	{ "iotctl deny 02:00:00:00:00:0c\n", 1, "unknown command: 'iotctl'" },
	{ "deny#x 02:00:00:00:00:0c\n", 1, "unknown command: 'deny#x'" },
	{ "\xef\xbb\xbf" "default deny\n", 1,
	  "unknown command: '\\xef\\xbb\\xbf" "default'" },
	{ "deny\xc2\xa0" "02:00:00:00:00:0c\n", 1,
	  "unknown command: 'deny\\xc2\\xa0" "02:00:00:00:00:0c'" },
	/* default */
	{ "default\n", 1, "default: missing policy: 'default'" },
	{ "default # deny\n", 1, "default: missing policy: 'default'" },
	{ "default block\n", 1, "default: unknown policy: 'block'" },
	{ "default DENY\n", 1, "default: unknown policy: 'DENY'" },
	{ "default deny now\n", 1, "default: unexpected argument: 'now'" },
	{ "default allow deny\n", 1, "default: unexpected argument: 'deny'" },
	{ "default deny\n#\ndefault allow\n", 3,
	  "default given twice, first on line 1: 'default allow'" },
	{ "default deny\ndefault deny\n", 2,
	  "default given twice, first on line 1: 'default deny'" },
	/* wan */
	{ "wan\n", 1, "wan: missing 'add': 'wan'" },
	{ "wan del wan0\n", 1, "wan: only 'add' belongs in a policy file: 'del'" },
	{ "wan show\n", 1, "wan: only 'add' belongs in a policy file: 'show'" },
	{ "wan wan0\n", 1, "wan: only 'add' belongs in a policy file: 'wan0'" },
	{ "wan add\n", 1, "wan add: missing interface name: 'wan add'" },
	{ "wan add  # wan0\n", 1, "wan add: missing interface name: 'wan add'" },
	{ "wan add wan0 ppp0\n", 1, "wan add: unexpected argument: 'ppp0'" },
	{ "wan add eth0:1\n", 1, "invalid interface name: 'eth0:1'" },
	{ "wan add abcdefghijklmnop\n", 1,
	  "invalid interface name: 'abcdefghijklmnop'" },
	{ "wan add .\n", 1, "invalid interface name: '.'" },
	{ "wan add ..\n", 1, "invalid interface name: '..'" },
	{ "wan add a/b\n", 1, "invalid interface name: 'a/b'" },
	{ "wan add wan\x01\n", 1, "invalid interface name: 'wan\\x01'" },
	{ "wan add wan0\r\r\n", 1, "invalid interface name: 'wan0\\x0d'" },
	{ "wan add wan0\nwan add ppp0\n\nwan add wan0\n", 4,
	  "WAN name given twice, first on line 1: 'wan0'" },
	/* deny and allow */
	{ "deny\n", 1, "deny: missing MAC address: 'deny'" },
	{ "allow   # later\n", 1, "allow: missing MAC address: 'allow'" },
	{ "deny 02:00:00:00:00\n", 1, "invalid MAC address: '02:00:00:00:00'" },
	{ "deny 02:00:00:00:00:0g\n", 1,
	  "invalid MAC address: '02:00:00:00:00:0g'" },
	{ "deny 02:00-00:00:00:0c\n", 1,
	  "invalid MAC address: '02:00-00:00:00:0c'" },
	{ "deny 02:00:00:00:00:0c#cam\n", 1,
	  "invalid MAC address: '02:00:00:00:00:0c#cam'" },
	{ "allow name cam\n", 1, "invalid MAC address: 'name'" },
	{ "deny ff:ff:ff:ff:ff:ff\n", 1,
	  "the broadcast address is not a device: 'ff:ff:ff:ff:ff:ff'" },
	{ "deny 01:00:5e:00:00:01\n", 1,
	  "a multicast address is not a device: '01:00:5e:00:00:01'" },
	{ "allow 33-33-00-00-00-01\n", 1,
	  "a multicast address is not a device: '33-33-00-00-00-01'" },
	{ "deny 000000000000\n", 1,
	  "the all-zero address is not a device: '000000000000'" },
	{ "deny 02:00:00:00:00:0c cam\n", 1, "deny: unexpected argument: 'cam'" },
	{ "allow 02:00:00:00:00:0c label cam\n", 1,
	  "allow: unexpected argument: 'label'" },
	{ "deny 02:00:00:00:00:0c name\n", 1,
	  "deny: missing label after 'name': 'deny 02:00:00:00:00:0c name'" },
	{ "deny 02:00:00:00:00:0c name # cam\n", 1,
	  "deny: missing label after 'name': 'deny 02:00:00:00:00:0c name'" },
	{ "deny 02:00:00:00:00:0c name cam extra\n", 1,
	  "deny: unexpected argument: 'extra'" },
	{ "deny 02:00:00:00:00:0c name cam name cam2\n", 1,
	  "deny: unexpected argument: 'name'" },
	{ "deny 02:00:00:00:00:0c name 0123456789abcdef0123456789abcdef0\n", 1,
	  "invalid name (longer than 32 bytes): "
	  "'0123456789abcdef0123456789abcdef0'" },
	{ "deny 02:00:00:00:00:0c name cam#2\n", 1,
	  "invalid name (contains '#'): 'cam#2'" },
	{ "deny 02:00:00:00:00:0c name \"cam\"\n", 1,
	  "invalid name (contains a double quote): '\"cam\"'" },
	{ "deny 02:00:00:00:00:0c name bob's\n", 1,
	  "invalid name (contains a single quote): 'bob's'" },
	{ "deny 02:00:00:00:00:0c name a\\b\n", 1,
	  "invalid name (contains a backslash): 'a\\b'" },
	{ "deny 02:00:00:00:00:0c name caf\xc3\xa9\n", 1,
	  "invalid name (contains byte 0xc3, only printable ASCII is allowed): "
	  "'caf\\xc3\\xa9'" },
	{ "deny 02:00:00:00:00:0c name a\x0b" "b\n", 1,
	  "invalid name (contains byte 0x0b, only printable ASCII is allowed): "
	  "'a\\x0bb'" },
	{ "deny 02:00:00:00:00:0c name cam\r\r\n", 1,
	  "invalid name (contains byte 0x0d, only printable ASCII is allowed): "
	  "'cam\\x0d'" },
	/* audit, as deny and allow */
	{ "audit\n", 1, "audit: missing MAC address: 'audit'" },
	{ "audit 02:00:00:00:00:0g\n", 1,
	  "invalid MAC address: '02:00:00:00:00:0g'" },
	{ "audit ff:ff:ff:ff:ff:ff\n", 1,
	  "the broadcast address is not a device: 'ff:ff:ff:ff:ff:ff'" },
	{ "audit 02:00:00:00:00:0c cam\n", 1,
	  "audit: unexpected argument: 'cam'" },
	{ "audit 02:00:00:00:00:0c name\n", 1,
	  "audit: missing label after 'name': 'audit 02:00:00:00:00:0c name'" },
	{ "audit 02:00:00:00:00:0c name a b\n", 1,
	  "audit: unexpected argument: 'b'" },
	{ "audit 02:00:00:00:00:0c name cam#2\n", 1,
	  "invalid name (contains '#'): 'cam#2'" },
	{ "Audit 02:00:00:00:00:0c\n", 1, "unknown command: 'Audit'" },
	{ "deny 02:00:00:00:00:0c\naudit 02:00:00:00:00:0C\n", 2,
	  "device given twice, first on line 1: '02:00:00:00:00:0C'" },
	/* the default is allow or deny: audit is for devices only */
	{ "default audit\n", 1,
	  "default: the default policy is allow or deny: 'audit'" },
	/* duplicates name both lines, whatever the spelling and policy */
	{ "deny 02:00:00:00:00:0c\nallow 02:00:00:00:00:1a\n"
	  "allow 02-00-00-00-00-0C name cam\n", 3,
	  "device given twice, first on line 1: '02-00-00-00-00-0C'" },
	{ "deny 02:00:00:00:00:0c\ndeny 02:00:00:00:00:0c\n", 2,
	  "device given twice, first on line 1: '02:00:00:00:00:0c'" },
	/* the first error wins */
	{ "deny 02:00:00:00:00:0c\nfrob\ndeny 02:00:00:00:00:0c\n", 2,
	  "unknown command: 'frob'" },
	{ "deny 02:00:00:00:00:0c\ndeny 02:00:00:00:00:0c\nfrob\n", 2,
	  "device given twice, first on line 1: '02:00:00:00:00:0c'" },
	/* except */
	{ "except\n", 1, "except: missing MAC address or 'any': 'except'" },
	{ "except any\n", 1, "except: missing prefix: 'except any'" },
	{ "except ANY 1.2.3.4\n", 1, "invalid MAC address: 'ANY'" },
	{ "except ff:ff:ff:ff:ff:ff 1.2.3.4\n", 1,
	  "the broadcast address is not a device: 'ff:ff:ff:ff:ff:ff'" },
	{ "except any 1.2.3\n", 1, "invalid prefix: '1.2.3'" },
	{ "except any 1.2.3.4/\n", 1, "invalid prefix: '1.2.3.4/'" },
	{ "except any 1.2.3.4/33\n", 1,
	  "invalid prefix (an IPv4 prefix is 0 to 32 bits long): '1.2.3.4/33'" },
	{ "except any ::/129\n", 1,
	  "invalid prefix (an IPv6 prefix is 0 to 128 bits long): '::/129'" },
	{ "except any 10.0.0.1/24\n", 1,
	  "invalid prefix (host bits set, the prefix is 10.0.0.0/24): '10.0.0.1/24'" },
	{ "except any 2001:db8::1/32\n", 1,
	  "invalid prefix (host bits set, the prefix is 2001:db8::/32): '2001:db8::1/32'" },
	{ "except any 1.2.3.4/0\n", 1,
	  "invalid prefix (host bits set, the prefix is 0.0.0.0/0): '1.2.3.4/0'" },
	{ "except any 1.2.3.4 proto\n", 1,
	  "except: missing protocol after 'proto': 'except any 1.2.3.4 proto'" },
	{ "except any 1.2.3.4 proto sctp\n", 1,
	  "invalid protocol (tcp, udp or icmp): 'sctp'" },
	{ "except any 1.2.3.4 proto TCP\n", 1,
	  "invalid protocol (tcp, udp or icmp): 'TCP'" },
	{ "except any 1.2.3.4 proto tcp port\n", 1,
	  "except: missing port after 'port': 'except any 1.2.3.4 proto tcp port'" },
	{ "except any 1.2.3.4 proto tcp port 0\n", 1,
	  "invalid port (ports are 1 to 65535): '0'" },
	{ "except any 1.2.3.4 proto tcp port 65536\n", 1,
	  "invalid port (ports are 1 to 65535): '65536'" },
	{ "except any 1.2.3.4 proto tcp port 0-5\n", 1,
	  "invalid port range (ports are 1 to 65535): '0-5'" },
	{ "except any 1.2.3.4 proto tcp port 5-\n", 1,
	  "invalid port range (ports are 1 to 65535): '5-'" },
	{ "except any 1.2.3.4 proto tcp port 2000-1000\n", 1,
	  "invalid port range (it runs backwards): '2000-1000'" },
	{ "except any 1.2.3.4 port 53\n", 1,
	  "invalid port (only with proto tcp or udp): '53'" },
	{ "except any 1.2.3.4 proto icmp port 53\n", 1,
	  "invalid port (only with proto tcp or udp): '53'" },
	{ "except any 1.2.3.4 proto tcp proto udp\n", 1,
	  "except: unexpected argument: 'proto'" },
	{ "except any 1.2.3.4 dport 53\n", 1,
	  "except: unexpected argument: 'dport'" },
	{ "except any 1.2.3.4 proto tcp port 1 port 2 x\n", 1,
	  "except: unexpected argument: 'port'" },
	/* what only the whole file tells, named by line */
	{ "deny 02:00:00:00:00:0c\nexcept 02:00:00:00:00:0d 1.2.3.4\n", 2,
	  "except: no deny, allow or audit line for this device: '02:00:00:00:00:0d'" },
	{ "except any 1.2.3.4\n\nexcept any 1.2.3.4/32\n", 3,
	  "exception given twice, first on line 1: 'except any 1.2.3.4/32'" },
	{ "deny 02:00:00:00:00:0c\n"
	  "except 02:00:00:00:00:0c ::/0 proto icmp port 0\n", 2,
	  "invalid port (ports are 1 to 65535): '0'" },
	{ "except 02:00:00:00:00:0c 1.2.3.4\ndeny 02:00:00:00:00:0c\n"
	  "except 02-00-00-00-00-0C 1.2.3.4 proto tcp\n"
	  "except 02-00-00-00-00-0C 1.2.3.4/32\n", 4,
	  "exception given twice, first on line 1: 'except 02:00:00:00:00:0c 1.2.3.4/32'" },
	{ "except 02:00:00:00:00:0e 1.2.3.4\nexcept any 1.2.3.4\n"
	  "except any 1.2.3.4\n", 1,
	  "except: no deny, allow or audit line for this device: '02:00:00:00:00:0e'" },
	/* bytes a text file should not have */
	{ "deny\f02:00:00:00:00:0c\n", 1,
	  "unknown command: 'deny\\x0c02:00:00:00:00:0c'" },
};

/* Inputs with NUL bytes in them: their length is the literal's. */
#define NUL_CASE(s, line, msg) { s, sizeof(s) - 1, line, msg }

static const struct {
	const char *in;
	size_t len;
	size_t line;
	const char *msg;
} nul_cases[] = {
	NUL_CASE("default deny\nde\0ny 02:00:00:00:00:0c\n", 2,
		 "contains a NUL byte: 'de\\x00ny 02:00:00:00:00:0c'"),
	NUL_CASE("# a comment with a \0\n", 1,
		 "contains a NUL byte: '# a comment with a \\x00'"),
	NUL_CASE("deny 02:00:00:00:00:0c\0", 1,
		 "contains a NUL byte: 'deny 02:00:00:00:00:0c\\x00'"),
	NUL_CASE("\0", 1, "contains a NUL byte: '\\x00'"),
	/* an earlier error still comes first, a later line is named */
	NUL_CASE("frob\nde\0ny\n", 1, "unknown command: 'frob'"),
	NUL_CASE("deny 02:00:00:00:00:0c\n\r\n"
		 "allow 02:00:00:00:00:0d name a\0b\r\nfrob\n", 3,
		 "contains a NUL byte: 'allow 02:00:00:00:00:0d name a\\x00b'"),
	NUL_CASE("default deny\ndeny x\r\0\n", 2,
		 "contains a NUL byte: 'deny x\\x0d\\x00'"),
	NUL_CASE("default deny\n\0\0\n\0", 2,
		 "contains a NUL byte: '\\x00\\x00'"),
};

static bool refused(const char *in, size_t len, size_t line, const char *msg);

static void test_errors(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(error_cases); i++) {
		struct policy_error err = { 0 };
		struct policy p;
		int r;

		policy_init(&p);
		r = policy_file_parse(&p, error_cases[i].in,
				      strlen(error_cases[i].in), &err);
		if (!check(r == -EINVAL && err.line == error_cases[i].line &&
			   !strcmp(err.msg, error_cases[i].msg),
			   "refused: line %zu: %s", error_cases[i].line,
			   visible(error_cases[i].msg))) {
			printf("# got r=%d line %zu\n", r, err.line);
			diag("got", err.msg);
		}
		policy_free(&p);
	}
	for (i = 0; i < ARRAY_SIZE(nul_cases); i++)
		check(refused(nul_cases[i].in, nul_cases[i].len,
			      nul_cases[i].line, nul_cases[i].msg),
		      "refused: line %zu: %s", nul_cases[i].line,
		      visible(nul_cases[i].msg));
}

/* Parses in, expecting a refusal on line with exactly msg. */
static bool refused(const char *in, size_t len, size_t line, const char *msg)
{
	struct policy_error err = { 0 };
	struct policy p;
	int r;

	policy_init(&p);
	r = policy_file_parse(&p, in, len, &err);
	policy_free(&p);
	if (r == -EINVAL && err.line == line && !strcmp(err.msg, msg))
		return true;
	printf("# got r=%d line %zu, want line %zu\n", r, err.line, line);
	diag("got", err.msg);
	diag("want", msg);
	return false;
}

/*
 * A word of wlen bytes after lead blanks, then byte e and "zz ": a blank
 * ends the word, any other byte is in it, and the message quotes it.
 */
static bool word_end_case(size_t lead, size_t wlen, char e)
{
	char in[64], want[160], word[40];
	size_t n = 0, i;

	for (i = 0; i < lead; i++)
		in[n++] = i % 3 ? ' ' : '\t';
	for (i = 0; i < wlen; i++)
		word[i] = (char)('a' + i);
	word[wlen] = '\0';
	n += (size_t)sprintf(in + n, "%s%czz \n", word, e);
	if (e == ' ' || e == '\t')
		snprintf(want, sizeof(want), "unknown command: '%s'", word);
	else if (e == '#')
		snprintf(want, sizeof(want), "unknown command: '%s#zz'", word);
	else
		snprintf(want, sizeof(want), "unknown command: '%s\\x%02xzz'",
			 word, (unsigned char)e);
	if (refused(in, n, 1, want))
		return true;
	diag("in", in);
	return false;
}

/*
 * Words of every length up to past two 8-byte blocks, ended by each
 * blank or by a byte that is not one, at every offset in the line.
 */
static void test_word_ends(void)
{
	static const char ends[] = { ' ', '\t', '\f', '\v', '\r', '\xa0', '#' };
	size_t lead, wlen, e;
	bool ok = true;

	for (lead = 0; lead < 10 && ok; lead++)
		for (wlen = 1; wlen <= 20 && ok; wlen++)
			for (e = 0; e < ARRAY_SIZE(ends) && ok; e++)
				ok = word_end_case(lead, wlen, ends[e]);
	check(ok, "words end at a blank only, at any length and offset");
}

static const struct {
	const char *mac;
	uint8_t bytes[ETH_ALEN];
} spellings[] = {
	{ "0A:1b:2C:3d:4E:5f", { 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f } },
	{ "0a-1B-2c-3D-4e-5F", { 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f } },
	{ "0A1b.2C3d.4E5f", { 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f } },
	{ "0a1B2c3D4e5F", { 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f } },
};

/*
 * A device line with spelling sp and a label of len bytes (none if 0),
 * blanks of a width that goes with len, on line 3: the device holds the
 * bytes, the policy, the label with zero bytes after it, zero counters.
 */
static bool device_case(size_t sp, size_t len)
{
	static const char *const cmds[] = { "deny", "allow", "audit" };
	static const uint8_t policies[] = {
		IOT_EGRESS_POLICY_DENY, IOT_EGRESS_POLICY_ALLOW,
		IOT_EGRESS_POLICY_AUDIT
	};
	char name[IOT_EGRESS_NAME_MAX + 1] = { 0 }, in[256];
	const struct iot_device *d;
	struct policy_error err;
	struct policy p;
	bool ok;
	size_t n, i;
	int r;

	for (i = 0; i < len; i++)
		name[i] = (char)('A' + (i * 7 + sp) % 26);
	n = (size_t)sprintf(in, "# %zu\n\n%*s%s%*s%s", len, (int)(len % 4),
			    "", cmds[len % 3], (int)(1 + len % 9), "\t",
			    spellings[sp].mac);
	if (len)
		sprintf(in + n, "%*sname%*s%s%*s#c\r\n", (int)(1 + len % 5),
			"", (int)(1 + len % 7), "", name, (int)(len % 3 + 1),
			"");
	else
		sprintf(in + n, "\n");
	policy_init(&p);
	r = policy_file_parse(&p, in, strlen(in), &err);
	d = r == 0 && p.ndev == 1 ? &p.dev[0] : NULL;
	ok = d && !memcmp(d->mac, spellings[sp].bytes, ETH_ALEN) &&
	     d->policy == policies[len % 3] && d->has_name == (len > 0) &&
	     !memcmp(d->name, name, sizeof(name)) &&
	     !d->c.denied_packets && !d->c.denied_bytes &&
	     !d->c.wan_packets && !d->c.wan_bytes && !d->c.last_denied &&
	     !d->c.last_wan && !d->c.has_last_denied && !d->c.has_last_wan &&
	     p.dev_line[0] == 3;
	if (!ok) {
		diag("in", in);
		printf("# r=%d ndev=%zu\n", r, p.ndev);
	}
	policy_free(&p);
	return ok;
}

/* Every spelling, with labels of every length: each field exactly. */
static void test_device_fields(void)
{
	size_t sp, len;
	bool ok = true;

	for (sp = 0; sp < ARRAY_SIZE(spellings) && ok; sp++)
		for (len = 0; len <= IOT_EGRESS_NAME_MAX && ok; len++)
			ok = device_case(sp, len);
	check(ok, "devices: MAC bytes, policy, label and line, exactly");
}

static void test_wan_limit(void)
{
	char in[64 * 40] = "", want[64];
	struct policy_error err;
	struct policy p;
	int i, r;

	for (i = 0; i < 32; i++)
		sprintf(in + strlen(in), "wan add w%d\n", i);
	policy_init(&p);
	r = policy_file_parse(&p, in, strlen(in), &err);
	check(r == 0 && p.nwan == 32 && !strcmp(p.wan[31], "w31"),
	      "32 WAN names are accepted");
	policy_free(&p);

	strcat(in, "wan add w32\n");
	sprintf(want, "more than 32 WAN names: 'w32'");
	check(refused(in, strlen(in), 33, want),
	      "a 33rd WAN name is refused on its line");
}

static void test_long_lines(void)
{
	size_t big = 1024 * 1024, n;
	char *in = malloc(big + 64), *cut = malloc(200);
	struct policy_error err;
	struct policy p;
	int r;

	if (!in || !cut)
		exit(1);

	/* a 1 MiB comment, then a device */
	in[0] = '#';
	memset(in + 1, 'c', big);
	strcpy(in + 1 + big, "\ndeny 02:00:00:00:00:0c\n");
	policy_init(&p);
	r = policy_file_parse(&p, in, strlen(in), &err);
	check(r == 0 && p.ndev == 1 && p.dev_line[0] == 2,
	      "a 1 MiB comment line is read past");
	policy_free(&p);

	/* a 1 MiB word: shown cut short, with "..." */
	strcpy(in, "deny ");
	memset(in + 5, 'a', big);
	in[5 + big] = '\0';
	memset(cut, 'a', 125);
	strcpy(cut + 125, "...");
	sprintf(cut + 128 + 3, "%s", "");
	{
		char want[256];

		snprintf(want, sizeof(want), "invalid MAC address: '%s'", cut);
		check(refused(in, strlen(in), 1, want),
		      "a 1 MiB MAC address is refused and shown cut short");
		snprintf(want, sizeof(want), "unknown command: '%s'", cut);
		check(refused(in + 5, strlen(in + 5), 1, want),
		      "a 1 MiB command is refused and shown cut short");
		n = (size_t)sprintf(in, "allow 02:00:00:00:00:0c name ");
		memset(in + n, 'a', big);
		in[n + big] = '\0';
		snprintf(want, sizeof(want),
			 "invalid name (longer than 32 bytes): '%s'", cut);
		check(refused(in, strlen(in), 1, want),
		      "a 1 MiB label is refused and shown cut short");
		/* control characters take four columns each */
		n = (size_t)sprintf(in, "wan add ");
		memset(in + n, '\x01', 1000);
		in[n + 1000] = '\0';
		strcpy(want, "invalid interface name: '");
		for (n = 0; n < 32; n++)
			strcat(want, "\\x01");
		strcat(want, "...'");
		check(refused(in, strlen(in), 1, want),
		      "an escaped long word is cut short too");
	}
	free(in);
	free(cut);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n devices, every other one labelled, MACs in no particular order. */
static char *big_file(size_t n, size_t *len)
{
	char *buf = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		exit(1);
	fputs("# big\ndefault deny\nwan add wan0\n", f);
	for (i = 0; i < n; i++) {
		/* a bijection of 0..2^24-1, so no MAC comes twice */
		unsigned int k = (unsigned int)((i * 2654435761u) & 0xffffff);

		if (i % 2)
			fprintf(f, "deny 02:00:00:%02x:%02x:%02x name dev-%zu\n",
				k >> 16, (k >> 8) & 0xff, k & 0xff, i);
		else
			fprintf(f, "allow 02-00-00-%02X-%02X-%02X\n",
				k >> 16, (k >> 8) & 0xff, k & 0xff);
	}
	fclose(f);
	*len = size;
	return buf;
}

static void test_big(void)
{
	size_t n = 100000, len, i;
	char *in = big_file(n, &len);
	struct policy_error err;
	struct policy p, q;
	char *out, *again;
	bool lines_ok = true;
	double t;
	int r;

	policy_init(&p);
	t = now();
	r = policy_file_parse(&p, in, len, &err);
	t = now() - t;
	for (i = 0; r == 0 && i < p.ndev; i++)
		lines_ok &= p.dev_line[i] == i + 4;
	/* How long it took is shown, not judged: make bench measures. */
	if (!check(r == 0 && p.ndev == n && lines_ok,
		   "100k devices parse, lines kept"))
		printf("# r=%d ndev=%zu lines_ok=%d\n", r, p.ndev, lines_ok);
	printf("# parsed %zu lines (%zu bytes) in %.1f ms\n", n + 3, len,
	       t * 1e3);

	out = written(&p);
	policy_init(&q);
	r = out ? policy_file_parse(&q, out, strlen(out), &err) : -1;
	again = r == 0 ? written(&q) : NULL;
	check(out && again && !strcmp(out, again),
	      "100k devices: written, read back, written again: the same");
	free(again);
	policy_free(&q);
	free(out);
	policy_free(&p);

	/* the same MAC again, far down: both lines named */
	{
		char *dup = malloc(len + 64), want[128];

		if (!dup)
			exit(1);
		memcpy(dup, in, len);
		/* line 50004 is device 50000: k = 50000 * 2654435761 */
		i = 50000;
		{
			unsigned int k = (unsigned int)((i * 2654435761u) &
							0xffffff);

			sprintf(dup + len, "deny 02:00:00:%02x:%02x:%02x\n",
				k >> 16, (k >> 8) & 0xff, k & 0xff);
			sprintf(want,
				"device given twice, first on line 50004: '02:00:00:%02x:%02x:%02x'",
				k >> 16, (k >> 8) & 0xff, k & 0xff);
		}
		t = now();
		check(refused(dup, strlen(dup), n + 4, want),
		      "a duplicate after 100k devices names both lines");
		t = now() - t;
		printf("# found in %.1f ms\n", t * 1e3);
		free(dup);
	}
	free(in);
}

/* What save does: devices from the kernel, in kernel order. */
static void test_take_devices(void)
{
	struct iot_device_list list = { 0 };
	struct policy p;
	char *out;

	list.cap = list.n = 3;
	list.v = calloc(3, sizeof(*list.v));
	if (!list.v)
		exit(1);
	list.v[0] = (struct iot_device){ .mac = { 2, 0, 0, 0, 0, 0x1a },
					 .policy = IOT_EGRESS_POLICY_ALLOW };
	list.v[1] = (struct iot_device){ .mac = { 2, 0, 0, 0, 0, 0x0c },
					 .policy = IOT_EGRESS_POLICY_DENY,
					 .has_name = true,
					 .name = "dvr-front" };
	list.v[2] = (struct iot_device){ .mac = { 2, 0, 0, 0, 0, 0x0e },
					 .policy = IOT_EGRESS_POLICY_AUDIT };
	policy_init(&p);
	p.default_policy = IOT_EGRESS_POLICY_DENY;
	strcpy(p.wan[0], "wan0");
	p.nwan = 1;
	policy_take_devices(&p, &list);
	out = written(&p);
	check(out && list.v == NULL && list.n == 0 &&
	      !strcmp(out, HEADER "default deny\nwan add wan0\n"
			   "deny 02:00:00:00:00:0c name dvr-front\n"
			   "audit 02:00:00:00:00:0e\n"
			   "allow 02:00:00:00:00:1a\n"),
	      "devices taken from a dump are written sorted, with labels");
	free(out);
	policy_free(&p);
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
	check(policy_file_write(f, &p, "TEST") < 0,
	      "a write error is reported");
	fclose(f);
}

static void test_policy_names(void)
{
	static const struct {
		const char *name;
		int policy;
	} cases[] = {
		{ "allow", IOT_EGRESS_POLICY_ALLOW },
		{ "deny", IOT_EGRESS_POLICY_DENY },
		{ "audit", IOT_EGRESS_POLICY_AUDIT },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check(policy_parse(cases[i].name) == cases[i].policy &&
		      !strcmp(policy_name((uint8_t)cases[i].policy),
			      cases[i].name),
		      "policy_parse and policy_name agree on %s",
		      cases[i].name);
	check(policy_parse("Audit") == -1 && policy_parse("") == -1 &&
	      policy_parse("audit ") == -1 && policy_parse("unknown") == -1,
	      "policy_parse refuses other words");
	check(!strcmp(policy_name(IOT_EGRESS_POLICY_UNSPEC), "unknown") &&
	      !strcmp(policy_name(IOT_EGRESS_POLICY_MAX + 1), "unknown"),
	      "policy_name of other values is unknown");
}

int main(void)
{
	test_policy_names();
	test_valid();
	test_errors();
	test_word_ends();
	test_device_fields();
	test_wan_limit();
	test_long_lines();
	test_big();
	test_take_devices();
	test_write_error();
	return tap_done();
}
