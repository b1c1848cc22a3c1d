// SPDX-License-Identifier: GPL-2.0
/*
 * The nftables fallback ruleset, written from a parsed policy file.
 *
 * The module (kmod/hook.c) lets a forwarded packet through unless it
 * leaves through a WAN interface (any interface when no WAN name is set),
 * came in on an Ethernet device with its Ethernet header in front of it,
 * and its source MAC is denied, or unknown under default deny. The chain
 * asks the same questions in the same order, at the same hook and
 * priority. A packet whose Ethernet header nft cannot load breaks the
 * rules that read it and so falls through to accept, as the module lets
 * a packet without a MAC header through.
 *
 * An exception lets a packet that would be dropped through: the chain
 * accepts what one matches before the rules that drop. Those of a device
 * are written only if it is denied (an allowed or audited device's
 * packets are accepted anyway); those of any for every source, since a
 * packet they accept that would not be dropped is accepted all the same.
 *
 * "nft -f" applies a file as one transaction: the table is created if it
 * is missing, deleted, and made anew, or, if anything in the file is
 * refused, the table that was there stays as it was.
 */
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "exception.h"
#include "fallback.h"
#include "mac.h"

/* Why nft cannot write name so that it matches exactly that name. */
static const char *unwritable(const char *name)
{
	size_t len = strlen(name);

	if (strchr(name, '"'))
		return "it has a double quote";
	if (len && name[len - 1] == '*') {
		/* "\*" keeps a final '*' literal, but nft then drops every
		 * backslash in the name, and counts the escape in the length.
		 */
		if (strchr(name, '\\'))
			return "it ends in '*' and has a backslash";
		if (len + 1 >= IFNAMSIZ)
			return "it ends in '*' and is 15 bytes long";
	}
	return NULL;
}

int fallback_check(const struct policy *p, struct policy_error *err)
{
	char name[4 * IFNAMSIZ];
	const unsigned char *c;
	size_t i, n;

	for (i = 0; i < p->nwan; i++) {
		const char *why = unwritable(p->wan[i]);

		if (!why)
			continue;
		/* Quoted as policy_file_parse() quotes: \xHH if not ASCII. */
		for (n = 0, c = (const unsigned char *)p->wan[i]; *c; c++) {
			if (*c >= 0x7f)
				n += (size_t)snprintf(name + n, 5, "\\x%02x", *c);
			else
				name[n++] = (char)*c;
		}
		name[n] = '\0';
		err->line = p->wan_line[i];
		snprintf(err->msg, sizeof(err->msg),
			 "the nftables fallback cannot match this interface name (%s): '%s'",
			 why, name);
		return -1;
	}
	return 0;
}

void fallback_comment(char out[FALLBACK_COMMENT_MAX + 1], const char *text)
{
	size_t n = 0, len = strlen(text);
	const unsigned char *s = (const unsigned char *)text;

	for (; *s && n < FALLBACK_COMMENT_MAX; s++) {
		if (len > FALLBACK_COMMENT_MAX && n == FALLBACK_COMMENT_MAX - 3) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (*s == '"')
			out[n++] = '\'';
		else if (*s < 0x20 || *s >= 0x7f)
			out[n++] = '?';
		else
			out[n++] = (char)*s;
	}
	out[n] = '\0';
}

/* The elements of the devices whose policy is in [a, b], one a line. */
static void write_elements(FILE *out, const struct policy *p, uint8_t a,
			   uint8_t b)
{
	char mac[MAC_STR_SIZE];
	bool any = false;
	size_t i;

	for (i = 0; i < p->ndev; i++) {
		const struct iot_device *d = &p->dev[i];

		if (d->policy != a && d->policy != b)
			continue;
		if (!any)
			fputs("\t\telements = {\n", out);
		any = true;
		mac_format(d->mac, mac);
		fprintf(out, "\t\t\t%s", mac);
		/* Labels are printable words without quotes (label_valid). */
		if (d->policy == IOT_EGRESS_POLICY_AUDIT)
			fprintf(out, " comment \"audit%s%s\"",
				d->has_name ? " " : "",
				d->has_name ? d->name : "");
		else if (d->has_name)
			fprintf(out, " comment \"%s\"", d->name);
		fputs(",\n", out);
	}
	if (any)
		fputs("\t\t}\n", out);
}

static void write_wan(FILE *out, const struct policy *p)
{
	size_t i;

	if (!p->nwan)
		return;
	fputs("\t\telements = {", out);
	for (i = 0; i < p->nwan; i++) {
		size_t len = strlen(p->wan[i]);

		/* A final '*' would make the name a prefix: escape it. */
		if (len && p->wan[i][len - 1] == '*')
			fprintf(out, " \"%.*s\\*\",", (int)(len - 1), p->wan[i]);
		else
			fprintf(out, " \"%s\",", p->wan[i]);
	}
	fputs(" }\n", out);
}

/* One exception as a rule: "[ether saddr M] ip daddr P [proto] accept". */
static void write_except(FILE *out, const struct iot_except *e)
{
	char prefix[PREFIX_SIZE];
	const char *l4 = NULL;

	fputs("\t\t", out);
	if (!e->any) {
		char mac[MAC_STR_SIZE];

		mac_format(e->mac, mac);
		fprintf(out, "ether saddr %s ", mac);
	}
	fprintf(out, "%s daddr %s ", e->addr.family == AF_INET ? "ip" : "ip6",
		except_prefix(prefix, e));
	switch (e->proto) {
	case IPPROTO_TCP:
		l4 = "tcp";
		break;
	case IPPROTO_UDP:
		l4 = "udp";
		break;
	case IPPROTO_ICMP:
		l4 = "icmp";
		break;
	case IPPROTO_ICMPV6:
		l4 = "ipv6-icmp";
		break;
	}
	if (e->port_min == e->port_max && e->port_min)
		fprintf(out, "%s dport %u ", l4, e->port_min);
	else if (e->port_min)
		fprintf(out, "%s dport %u-%u ", l4, e->port_min, e->port_max);
	else if (l4)
		fprintf(out, "meta l4proto %s ", l4);
	fputs("accept\n", out);
}

/* The exceptions that matter: those of any, and of denied devices. */
static void write_excepts(FILE *out, const struct policy *p)
{
	bool any = false;
	size_t i;

	for (i = 0; i < p->nexc; i++) {
		const struct iot_except *e = &p->exc[i];

		if (!e->any) {
			const struct iot_device *d = policy_find_device(p, e->mac);
			if (!d || d->policy != IOT_EGRESS_POLICY_DENY)
				continue;
		}
		if (!any)
			fputs("\t\t# exceptions: what would be dropped, let through\n",
			      out);
		any = true;
		write_except(out, e);
	}
}

int fallback_write(FILE *out, const struct policy *p, const char *reason,
		   const char *version)
{
	char comment[FALLBACK_COMMENT_MAX + 1];
	bool deny = p->default_policy == IOT_EGRESS_POLICY_DENY;

	fallback_comment(comment, reason);
	fprintf(out,
		"# The iot-egress policy as nftables rules, for when the\n"
		"# iot_egress module is not loaded; written by iotctl %s.\n"
		"# One transaction: the table is made sure to exist, deleted,\n"
		"# and made anew, or nothing changes.\n"
		"table %s %s\n"
		"delete table %s %s\n"
		"table %s %s {\n"
		"\tcomment \"%s\"\n\n",
		version, FALLBACK_FAMILY, FALLBACK_TABLE, FALLBACK_FAMILY,
		FALLBACK_TABLE, FALLBACK_FAMILY, FALLBACK_TABLE, comment);

	fprintf(out, "\tset %s {\n\t\ttype ether_addr\n", FALLBACK_SET_DENY);
	write_elements(out, p, IOT_EGRESS_POLICY_DENY, IOT_EGRESS_POLICY_DENY);
	fputs("\t}\n\n", out);
	fprintf(out, "\t# audited devices are allowed\n"
		"\tset %s {\n\t\ttype ether_addr\n", FALLBACK_SET_ALLOW);
	write_elements(out, p, IOT_EGRESS_POLICY_ALLOW,
		       IOT_EGRESS_POLICY_AUDIT);
	fputs("\t}\n\n", out);
	fprintf(out, "\tset %s {\n\t\ttype ifname\n", FALLBACK_SET_WAN);
	write_wan(out, p);
	fputs("\t}\n\n", out);
	fprintf(out, "\tcounter %s {\n\t}\n\n", FALLBACK_COUNTER);

	fprintf(out,
		"\tchain %s {\n"
		"\t\ttype filter hook forward priority %d; policy accept;\n"
		"\t\tcomment \"default %s\"\n"
		"\t\t# the module matches frames from Ethernet devices only\n"
		"\t\tmeta iiftype != ether accept\n",
		FALLBACK_CHAIN, FALLBACK_PRIORITY, deny ? "deny" : "allow");
	if (p->nwan)
		fprintf(out, "\t\toifname != @%s accept\n", FALLBACK_SET_WAN);
	else
		fputs("\t\t# no WAN name: every forwarded packet counts as WAN-bound\n",
		      out);
	write_excepts(out, p);
	fprintf(out, "\t\tether saddr @%s counter name %s drop\n",
		FALLBACK_SET_DENY, FALLBACK_COUNTER);
	if (deny)
		fprintf(out, "\t\tether saddr != @%s counter name %s drop\n",
			FALLBACK_SET_ALLOW, FALLBACK_COUNTER);
	fputs("\t}\n}\n", out);
	return ferror(out) ? -1 : 0;
}
