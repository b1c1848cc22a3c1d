// SPDX-License-Identifier: GPL-2.0
/*
 * The policy file: iotctl command lines without the program name.
 *
 *	# comment
 *	default allow|deny
 *	wan add <IFNAME>
 *	deny <MAC> [name <LABEL>]
 *	allow <MAC> [name <LABEL>]
 *	audit <MAC> [name <LABEL>]
 *	except <MAC|any> <PREFIX> [proto tcp|udp|icmp] [port <N>[-<M>]]
 *
 * The whole file is checked before anything is sent, with the same rules
 * as the commands. Errors name the first line that is wrong; that an
 * except line's device has a line of its own, anywhere in the file, and
 * that no exception is given twice can only be known at the end, so
 * those come after every other error. No libnl
 * here: the unit tests and the fuzzer link this file as it is.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exception.h"
#include "format.h"
#include "mac.h"
#include "policy.h"
#include "validate.h"

/* No valid word is longer: MACs are 17 bytes, labels 32. */
#define WORD_MAX 64
/* A line has at most 7 words; one more is enough to refuse it. */
#define WORDS_MAX 8
/* Offending text is shown up to this many bytes. */
#define SHOWN_MAX 128

struct word {
	const char *s;
	size_t len;
};

struct line {
	size_t no;
	struct word text;		/* without comment and outer blanks */
	struct word w[WORDS_MAX];
	size_t n;			/* words, up to WORDS_MAX */
};

void policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->default_policy = IOT_EGRESS_POLICY_ALLOW;
}

void policy_free(struct policy *p)
{
	free(p->dev);
	free(p->dev_line);
	free(p->slot);
	free(p->exc);
	free(p->exc_line);
	policy_init(p);
}

/* err: "<reason>: '<text>'", for line no. */
__attribute__((format(printf, 4, 5)))
static int fail(struct policy_error *err, size_t no, struct word text,
		const char *fmt, ...)
{
	char quoted[SHOWN_MAX + 4];
	va_list ap;
	int n;

	err->line = no;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/*
	 * Every byte that is not printable ASCII is escaped: a file may hold
	 * what no terminal shows (a byte order mark, a no-break space).
	 */
	format_shown(quoted, sizeof(quoted), text.s, text.len, true);
	if (n >= 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": '%s'",
			 quoted);
	return -EINVAL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool word_is(struct word w, const char *s)
{
	return w.len == strlen(s) && !memcmp(w.s, s, w.len);
}

/* A word as a C string, if it can be a valid one at all. */
static bool word_str(struct word w, char buf[WORD_MAX + 1])
{
	if (w.len > WORD_MAX)
		return false;
	memcpy(buf, w.s, w.len);
	buf[w.len] = '\0';
	return true;
}

#define BYTES(c) (0x0101010101010101ULL * (uint8_t)(c))

/*
 * Where the word at s[i] ends: at the first blank from i on, or at len.
 * Eight bytes are looked at together while there are eight: x ^ BYTES(c)
 * has a zero byte where x has c, and in (y - BYTES(1)) & ~y & BYTES(0x80)
 * the lowest bit set is that of y's lowest zero byte (a borrow only runs
 * up from a zero byte, so the bits above it may lie, never those below).
 */
static size_t word_end(const char *s, size_t i, size_t len)
{
	while (len - i >= 8) {
		uint64_t x, sp, tab, hit;

		memcpy(&x, s + i, sizeof(x));
		x = le64toh(x);
		sp = x ^ BYTES(' ');
		tab = x ^ BYTES('\t');
		hit = ((sp - BYTES(1)) & ~sp) | ((tab - BYTES(1)) & ~tab);
		hit &= BYTES(0x80);
		if (hit)
			return i + (size_t)__builtin_ctzll(hit) / 8;
		i += 8;
	}
	while (i < len && !is_blank(s[i]))
		i++;
	return i;
}

/*
 * Splits s[0..len) (no newline) into words. A '#' that starts the line
 * or follows a blank starts a comment; any other '#' is part of a word.
 * Sets l's words and text; the words past l->n are left as they were.
 */
static void split(struct line *l, const char *s, size_t len)
{
	size_t i = 0, n = 0, first = 0, last = 0;

	for (;;) {
		size_t start;

		while (i < len && is_blank(s[i]))
			i++;
		if (i == len || s[i] == '#')
			break;
		start = i;
		i = word_end(s, i + 1, len);
		if (n == 0)
			first = start;
		if (n < WORDS_MAX)
			l->w[n] = (struct word){ s + start, i - start };
		n++;
		last = i;
	}
	/* the text runs from the first word to the end of the last */
	l->n = n < WORDS_MAX ? n : WORDS_MAX;
	l->text.s = s + first;
	l->text.len = last - first;
}

static int parse_default(struct policy *p, const struct line *l,
			 struct policy_error *err)
{
	uint8_t policy;

	if (l->n < 2)
		return fail(err, l->no, l->text, "default: missing policy");
	if (l->n > 2)
		return fail(err, l->no, l->w[2], "default: unexpected argument");
	if (word_is(l->w[1], "allow"))
		policy = IOT_EGRESS_POLICY_ALLOW;
	else if (word_is(l->w[1], "deny"))
		policy = IOT_EGRESS_POLICY_DENY;
	else if (word_is(l->w[1], "audit"))
		return fail(err, l->no, l->w[1],
			    "default: the default policy is allow or deny");
	else
		return fail(err, l->no, l->w[1], "default: unknown policy");
	if (p->default_line)
		return fail(err, l->no, l->text,
			    "default given twice, first on line %zu",
			    p->default_line);
	p->default_policy = policy;
	p->default_line = l->no;
	return 0;
}

static int parse_wan(struct policy *p, const struct line *l,
		     struct policy_error *err)
{
	char name[WORD_MAX + 1];
	size_t i;

	if (l->n < 2)
		return fail(err, l->no, l->text, "wan: missing 'add'");
	if (!word_is(l->w[1], "add"))
		return fail(err, l->no, l->w[1],
			    "wan: only 'add' belongs in a policy file");
	if (l->n < 3)
		return fail(err, l->no, l->text, "wan add: missing interface name");
	if (l->n > 3)
		return fail(err, l->no, l->w[3], "wan add: unexpected argument");
	if (!word_str(l->w[2], name) || !ifname_valid(name))
		return fail(err, l->no, l->w[2], "invalid interface name");
	for (i = 0; i < p->nwan; i++) {
		if (!strcmp(p->wan[i], name))
			return fail(err, l->no, l->w[2],
				    "WAN name given twice, first on line %zu",
				    p->wan_line[i]);
	}
	if (p->nwan == IOT_EGRESS_WAN_MAX)
		return fail(err, l->no, l->w[2], "more than %d WAN names",
			    IOT_EGRESS_WAN_MAX);
	memcpy(p->wan[p->nwan], name, strlen(name) + 1);
	p->wan_line[p->nwan++] = l->no;
	return 0;
}

/* The six bytes as one number, in the host's order: only hashed. */
static uint64_t mac_key(const uint8_t mac[ETH_ALEN])
{
	uint32_t hi;
	uint16_t lo;

	memcpy(&hi, mac, sizeof(hi));
	memcpy(&lo, mac + sizeof(hi), sizeof(lo));
	return (uint64_t)hi << 16 | lo;
}

/*
 * The file is the administrator's, not an attacker's: a fixed mix is
 * enough to spread MACs that differ in any bits (the kernel keys its
 * hash because LAN hosts pick the lookup keys; nobody picks these).
 */
static size_t mac_hash(const uint8_t mac[ETH_ALEN])
{
	uint64_t x = mac_key(mac);

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x;
}

/* The slot holding mac, or the empty one where it would go. */
static uint32_t *find_slot(const struct policy *p, const uint8_t mac[ETH_ALEN])
{
	size_t mask = p->nslot - 1, i = mac_hash(mac) & mask;

	while (p->slot[i] &&
	       memcmp(p->dev[p->slot[i] - 1].mac, mac, ETH_ALEN))
		i = (i + 1) & mask;
	return &p->slot[i];
}

/* Room for one more device, and a table at most half full. */
static int reserve_device(struct policy *p)
{
	if (p->ndev == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct iot_device *dev;
		size_t *line;

		if (cap > UINT32_MAX - 1)
			return -ENOMEM;
		dev = realloc(p->dev, cap * sizeof(*dev));
		if (!dev)
			return -ENOMEM;
		p->dev = dev;
		line = realloc(p->dev_line, cap * sizeof(*line));
		if (!line)
			return -ENOMEM;
		p->dev_line = line;
		p->cap = cap;
	}
	if (2 * (p->ndev + 1) > p->nslot) {
		size_t nslot = p->nslot ? p->nslot * 2 : 1024, i;
		uint32_t *slot = calloc(nslot, sizeof(*slot));

		if (!slot)
			return -ENOMEM;
		free(p->slot);
		p->slot = slot;
		p->nslot = nslot;
		/* the devices are distinct: each goes to the first free slot */
		for (i = 0; i < p->ndev; i++) {
			size_t j = mac_hash(p->dev[i].mac) & (nslot - 1);

			while (slot[j])
				j = (j + 1) & (nslot - 1);
			slot[j] = (uint32_t)(i + 1);
		}
	}
	return 0;
}

/* A MAC from a file is refused as the command line refuses it. */
static int parse_mac(const struct line *l, struct word w,
		     uint8_t mac[ETH_ALEN], struct policy_error *err)
{
	const char *what;

	/* a word holds no NUL (parse_line refused it) */
	if (mac_parse_len(w.s, w.len, mac) < 0)
		return fail(err, l->no, w, "invalid MAC address");
	what = mac_not_device(mac);
	if (what)
		return fail(err, l->no, w, "%s is not a device", what);
	return 0;
}

static int parse_device(struct policy *p, const struct line *l,
			uint8_t policy, struct policy_error *err)
{
	char label[WORD_MAX + 1];
	uint8_t mac[ETH_ALEN];
	struct iot_device *dev;
	uint32_t *slot;
	int r;

	if (l->n < 2)
		return fail(err, l->no, l->text, "%s: missing MAC address",
			    policy_name(policy));
	r = parse_mac(l, l->w[1], mac, err);
	if (r)
		return r;
	if (l->n > 2) {
		char why[128];

		if (!word_is(l->w[2], "name"))
			return fail(err, l->no, l->w[2],
				    "%s: unexpected argument",
				    policy_name(policy));
		if (l->n < 4)
			return fail(err, l->no, l->text,
				    "%s: missing label after 'name'",
				    policy_name(policy));
		if (l->n > 4)
			return fail(err, l->no, l->w[4],
				    "%s: unexpected argument",
				    policy_name(policy));
		if (!word_str(l->w[3], label))
			return fail(err, l->no, l->w[3],
				    "invalid name (longer than %d bytes)",
				    IOT_EGRESS_NAME_MAX);
		if (!label_valid(label, why, sizeof(why)))
			return fail(err, l->no, l->w[3], "invalid name (%s)", why);
	}

	r = reserve_device(p);
	if (r)
		return r;
	slot = find_slot(p, mac);
	if (*slot)
		return fail(err, l->no, l->w[1],
			    "device given twice, first on line %zu",
			    p->dev_line[*slot - 1]);
	/* built in place, as zeroed as a fresh one */
	dev = &p->dev[p->ndev];
	memset(dev, 0, sizeof(*dev));
	memcpy(dev->mac, mac, ETH_ALEN);
	dev->policy = policy;
	if (l->n > 2) {
		/* label_valid() took it: at most IOT_EGRESS_NAME_MAX bytes */
		memcpy(dev->name, label, l->w[3].len + 1);
		dev->has_name = true;
	}
	p->dev_line[p->ndev] = l->no;
	*slot = (uint32_t)++p->ndev;
	return 0;
}

static int reserve_except(struct policy *p)
{
	size_t cap, *line;
	struct iot_except *v;

	if (p->nexc < p->exc_cap)
		return 0;
	cap = p->exc_cap ? p->exc_cap * 2 : 64;
	v = realloc(p->exc, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	p->exc = v;
	line = realloc(p->exc_line, cap * sizeof(*line));
	if (!line)
		return -ENOMEM;
	p->exc_line = line;
	p->exc_cap = cap;
	return 0;
}

/* except <MAC|any> <PREFIX> [proto tcp|udp|icmp] [port <N>[-<M>]] */
static int parse_except(struct policy *p, const struct line *l,
			struct policy_error *err)
{
	/* a word too long to be valid is "", which nothing accepts */
	char buf[WORDS_MAX][WORD_MAX + 1];
	const char *words[WORDS_MAX];
	struct iot_except e = { 0 };
	struct except_error xerr;
	size_t i, n;
	int r;

	if (l->n < 2)
		return fail(err, l->no, l->text,
			    "except: missing MAC address or 'any'");
	n = l->n - 2;
	if (word_is(l->w[1], "any")) {
		e.any = true;
	} else {
		r = parse_mac(l, l->w[1], e.mac, err);
		if (r)
			return r;
	}
	for (i = 0; i < n; i++) {
		if (!word_str(l->w[i + 2], buf[i]))
			buf[i][0] = '\0';
		words[i] = buf[i];
	}
	if (except_parse(&e, words, n, "except", &xerr) < 0) {
		struct word w = xerr.word < 0 ? l->text : l->w[xerr.word + 2];

		if (xerr.detail[0])
			return fail(err, l->no, w, "%s (%s)", xerr.reason,
				    xerr.detail);
		return fail(err, l->no, w, "%s", xerr.reason);
	}
	r = reserve_except(p);
	if (r)
		return r;
	p->exc[p->nexc] = e;
	p->exc_line[p->nexc++] = l->no;
	return 0;
}

static const size_t *sort_lines;
static const struct iot_except *sort_exc;

static int by_key_then_line(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = except_compare(&sort_exc[x], &sort_exc[y]);

	if (r)
		return r;
	return sort_lines[x] < sort_lines[y] ? -1 : 1;
}

/*
 * What only the whole file tells: each exception's device has a line,
 * and no exception comes twice. The first line that is wrong is named.
 */
static int check_excepts(const struct policy *p, struct policy_error *err)
{
	size_t i, bad = 0, first = 0, *idx;
	bool dup = false;

	if (p->nexc == 0)
		return 0;
	idx = calloc(p->nexc, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < p->nexc; i++)
		idx[i] = i;
	sort_lines = p->exc_line;
	sort_exc = p->exc;
	qsort(idx, p->nexc, sizeof(*idx), by_key_then_line);
	for (i = 0; i < p->nexc; i++) {
		const struct iot_except *e = &p->exc[idx[i]];
		size_t line = p->exc_line[idx[i]];

		if (bad && line > p->exc_line[bad - 1])
			continue;
		if (i && except_same(e, &p->exc[idx[i - 1]])) {
			/* the first of the run is the earliest line */
			size_t j = i;

			while (j && except_same(e, &p->exc[idx[j - 1]]))
				j--;
			bad = idx[i] + 1;
			first = p->exc_line[idx[j]];
			dup = true;
		} else if (!e->any && !policy_find_device(p, e->mac)) {
			bad = idx[i] + 1;
			dup = false;
		}
	}
	free(idx);
	if (!bad)
		return 0;
	err->line = p->exc_line[bad - 1];
	if (dup) {
		char text[EXCEPT_TEXT_SIZE];

		snprintf(err->msg, sizeof(err->msg),
			 "exception given twice, first on line %zu: 'except %s'",
			 first, except_format(text, &p->exc[bad - 1]));
	} else {
		char mac[MAC_STR_SIZE];

		mac_format(p->exc[bad - 1].mac, mac);
		snprintf(err->msg, sizeof(err->msg),
			 "except: no deny, allow or audit line for this device: '%s'",
			 mac);
	}
	return -EINVAL;
}

/* s[0..len) holds no NUL: policy_file_parse() refused that line. */
static int parse_line(struct policy *p, const char *s, size_t len,
		      size_t no, struct policy_error *err)
{
	struct line l;

	l.no = no;
	split(&l, s, len);
	if (l.n == 0)
		return 0;
	if (word_is(l.w[0], "default"))
		return parse_default(p, &l, err);
	if (word_is(l.w[0], "wan"))
		return parse_wan(p, &l, err);
	if (word_is(l.w[0], "deny"))
		return parse_device(p, &l, IOT_EGRESS_POLICY_DENY, err);
	if (word_is(l.w[0], "allow"))
		return parse_device(p, &l, IOT_EGRESS_POLICY_ALLOW, err);
	if (word_is(l.w[0], "audit"))
		return parse_device(p, &l, IOT_EGRESS_POLICY_AUDIT, err);
	if (word_is(l.w[0], "except"))
		return parse_except(p, &l, err);
	return fail(err, no, l.w[0], "unknown command");
}

int policy_file_parse(struct policy *p, const char *data, size_t len,
		 struct policy_error *err)
{
	const char *s = data, *end = data + len;
	/* the first NUL of the file: the lines before it have none */
	const char *nul = memchr(data, '\0', len);
	size_t no = 0;
	int r;

	err->line = 0;
	err->msg[0] = '\0';
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		struct word line;

		/* CRLF files from other systems read as they look. */
		if (eol > s && eol[-1] == '\r')
			eol--;
		line = (struct word){ s, (size_t)(eol - s) };
		if (nul && nul < eol)
			r = fail(err, ++no, line, "contains a NUL byte");
		else
			r = parse_line(p, line.s, line.len, ++no, err);
		if (r == -ENOMEM) {
			err->line = no;
			snprintf(err->msg, sizeof(err->msg), "%s",
				 strerror(ENOMEM));
		}
		if (r)
			return r;
		s = nl ? nl + 1 : end;
	}
	r = check_excepts(p, err);
	if (r == -ENOMEM) {
		err->line = 0;
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(ENOMEM));
	}
	return r;
}

const struct iot_device *policy_find_device(const struct policy *p,
					    const uint8_t mac[ETH_ALEN])
{
	size_t i;

	if (p->nslot) {
		uint32_t at = *find_slot(p, mac);

		return at ? &p->dev[at - 1] : NULL;
	}
	for (i = 0; i < p->ndev; i++) {
		if (!mac_compare(p->dev[i].mac, mac))
			return &p->dev[i];
	}
	return NULL;
}
