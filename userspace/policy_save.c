// SPDX-License-Identifier: GPL-2.0
/*
 * The policy file as save writes it: policies by name, a policy taken
 * from the kernel's dumps, sorted and written in the file format that
 * policy.c reads back. No libnl here.
 */
#include <stdlib.h>
#include <string.h>

#include "exception.h"
#include "mac.h"
#include "policy.h"

const char *policy_name(uint8_t policy)
{
	switch (policy) {
	case IOT_EGRESS_POLICY_ALLOW:
		return "allow";
	case IOT_EGRESS_POLICY_DENY:
		return "deny";
	case IOT_EGRESS_POLICY_AUDIT:
		return "audit";
	}
	return "unknown";
}

int policy_parse(const char *s)
{
	if (!strcmp(s, "allow"))
		return IOT_EGRESS_POLICY_ALLOW;
	if (!strcmp(s, "deny"))
		return IOT_EGRESS_POLICY_DENY;
	if (!strcmp(s, "audit"))
		return IOT_EGRESS_POLICY_AUDIT;
	return -1;
}

void policy_take_devices(struct policy *p, struct iot_device_list *list)
{
	free(p->dev);
	free(p->dev_line);
	free(p->slot);
	p->dev = list->v;
	p->ndev = list->n;
	p->cap = list->cap;
	p->dev_line = NULL;
	p->slot = NULL;
	p->nslot = 0;
	*list = (struct iot_device_list){ 0 };
}

void policy_take_excepts(struct policy *p, struct iot_except_list *list)
{
	free(p->exc);
	free(p->exc_line);
	p->exc = list->v;
	p->nexc = list->n;
	p->exc_cap = list->cap;
	p->exc_line = NULL;
	*list = (struct iot_except_list){ 0 };
}

static int by_mac(const void *a, const void *b)
{
	const struct iot_device *x = a, *y = b;

	return mac_compare(x->mac, y->mac);
}

void devices_sort(struct iot_device *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), by_mac);
}

int policy_sort(struct policy *p)
{
	devices_sort(p->dev, p->ndev);
	/* Lines and slots point at the old order. */
	free(p->dev_line);
	free(p->slot);
	free(p->exc_line);
	p->dev_line = NULL;
	p->slot = NULL;
	p->nslot = 0;
	p->exc_line = NULL;
	return except_sort(p->exc, p->nexc);
}

int policy_file_write(FILE *out, const struct policy *p, const char *version)
{
	char mac[MAC_STR_SIZE];
	size_t i;

	fprintf(out, "# iot-egress policy, saved by iotctl %s\n", version);
	fprintf(out, "default %s\n", policy_name(p->default_policy));
	for (i = 0; i < p->nwan; i++)
		fprintf(out, "wan add %s\n", p->wan[i]);
	for (i = 0; i < p->ndev; i++) {
		const struct iot_device *d = &p->dev[i];

		mac_format(d->mac, mac);
		fprintf(out, "%s %s%s%s\n", policy_name(d->policy),
			mac, d->has_name ? " name " : "",
			d->has_name ? d->name : "");
	}
	for (i = 0; i < p->nexc; i++) {
		char text[EXCEPT_TEXT_SIZE];

		fprintf(out, "except %s\n", except_format(text, &p->exc[i]));
	}
	return ferror(out) ? -1 : 0;
}
