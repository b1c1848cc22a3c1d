// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the policy file parser. A refused file names a
 * line of it with a reason and the offending text. An accepted one holds
 * only valid, distinct entries, and what save would write of it reads
 * back to the same policy. Its nftables fallback ruleset is written, or
 * refused by the line of a WAN name, and holds every device once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exception.h"
#include "../fallback.h"
#include "../mac.h"
#include "../policy.h"
#include "../validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *write_out(struct policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	if (policy_sort(p) < 0 || policy_file_write(f, p, "FUZZ") < 0)
		abort();
	fclose(f);
	return buf;
}

static void check_accepted(const struct policy *p)
{
	char why[128];
	size_t i, j;

	if (p->default_policy != IOT_EGRESS_POLICY_ALLOW &&
	    p->default_policy != IOT_EGRESS_POLICY_DENY)
		abort();
	if (p->nwan > IOT_EGRESS_WAN_MAX)
		abort();
	for (i = 0; i < p->nwan; i++) {
		if (!ifname_valid(p->wan[i]))
			abort();
		for (j = 0; j < i; j++)
			if (!strcmp(p->wan[i], p->wan[j]))
				abort();
	}
	for (i = 0; i < p->ndev; i++) {
		const struct iot_device *d = &p->dev[i];

		if (mac_classify(d->mac) != MAC_UNICAST)
			abort();
		if (d->policy != IOT_EGRESS_POLICY_ALLOW &&
		    d->policy != IOT_EGRESS_POLICY_DENY &&
		    d->policy != IOT_EGRESS_POLICY_AUDIT)
			abort();
		if (d->has_name && !label_valid(d->name, why, sizeof(why)))
			abort();
		/* sorted by now: equal MACs would be neighbours */
		if (i && !mac_compare(d->mac, p->dev[i - 1].mac))
			abort();
	}
	/* every exception's device has a line; any first, then by MAC */
	for (i = 0; i < p->nexc; i++) {
		const struct iot_except *e = &p->exc[i];

		if (!e->any && !policy_find_device(p, e->mac))
			abort();
		if (i && except_compare(&p->exc[i - 1], e) >= 0 &&
		    (p->exc[i - 1].any != e->any ||
		     mac_compare(p->exc[i - 1].mac, e->mac)))
			abort();
	}
}

/* Each device's element once in the ruleset, and the chain at the end. */
static void check_fallback(const struct policy *p, size_t lines)
{
	struct policy_error err = { 0 };
	char line[MAC_STR_SIZE + 4], *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if (fallback_check(p, &err) < 0) {
		if (err.line < 1 || err.line > lines ||
		    !strstr(err.msg, "the nftables fallback cannot match"))
			abort();
		return;
	}
	f = open_memstream(&buf, &len);
	if (!f || fallback_write(f, p, "fuzz \"reason\"\n", "FUZZ") < 0)
		abort();
	fclose(f);
	if (!strstr(buf, "comment \"fuzz 'reason'?\"\n") ||
	    !strstr(buf, "\tchain forward {\n") ||
	    strcmp(buf + len - 5, "\t}\n}\n"))
		abort();
	/* An element line; a label may look like a MAC, never like that. */
	for (i = 0; i < p->ndev; i++) {
		const char *at;

		memcpy(line, "\n\t\t\t", 4);
		mac_format(p->dev[i].mac, line + 4);
		at = strstr(buf, line);
		if (!at || strstr(at + 1, line))
			abort();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_error err;
	struct policy p, q;
	char *out, *again;
	size_t lines = 1, i, n;
	int r;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';

	policy_init(&p);
	r = policy_file_parse(&p, (const char *)data, size, &err);
	if (r == -ENOMEM)
		goto out;
	if (r) {
		n = strnlen(err.msg, sizeof(err.msg));
		if (r != -EINVAL || err.line < 1 || err.line > lines ||
		    n == sizeof(err.msg) || n < 4 || err.msg[n - 1] != '\'' ||
		    !strstr(err.msg, ": '"))
			abort();
		goto out;
	}

	check_fallback(&p, lines);
	out = write_out(&p);
	check_accepted(&p);
	policy_init(&q);
	if (policy_file_parse(&q, out, strlen(out), &err))
		abort();
	again = write_out(&q);
	if (strcmp(out, again) || q.ndev != p.ndev || q.nwan != p.nwan ||
	    q.nexc != p.nexc ||
	    q.default_policy != p.default_policy)
		abort();
	free(again);
	free(out);
	policy_free(&q);
out:
	policy_free(&p);
	return 0;
}
