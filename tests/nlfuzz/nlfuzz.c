// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: a fuzzer for the iot_egress generic netlink family.
 *
 * Sends a stream of random, malformed and mutated messages to the family,
 * over raw netlink sockets, and checks what comes back:
 *
 *  - every message built to be invalid gets an error (NLMSG_ERROR < 0), or,
 *    for a netlink header too short to be a message, nothing at all;
 *  - every valid message gets exactly the answer a model of the table
 *    predicts (0, or the errno the documented semantics give), and a reply
 *    that matches the model;
 *  - the model (devices, WAN names, default, the staged load) follows only
 *    the messages the kernel acked with 0, and the table dumped at the end
 *    (and every --check-every messages) equals it;
 *  - the kernel keeps answering.
 *
 * Modes:
 *   (default)          as root in a netns of its own
 *   --unprivileged     drops to uid/gid 65534 if it is root (unless
 *                      --no-drop), then expects EPERM for every command
 *                      and a refused monitor subscription
 *   --dump-race N      N dumps of a big table while a child process keeps
 *                      changing it: every dump sorted and without losing a
 *                      device that was there throughout; dumps the fuzzer
 *                      interleaves with a change by hand must carry
 *                      NLM_F_DUMP_INTR
 *
 * Prints one summary line on stdout; exits 1 if any assertion failed, 2 on
 * usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "iot_egress.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define BUFSZ		(64 * 1024)
#define RXSZ		(1024 * 1024)
#define POOL		64
#define WANPOOL		40
#define MAXENT		48
#define MAXDEVS		70000
#define NCMDS		(IOT_EGRESS_CMD_MAX + 2)	/* last: unknown */

/* ---- options and counters ---- */

static uint64_t opt_seed = 1;
static unsigned long opt_count = 200000;
static bool opt_unpriv, opt_nodrop;
static int opt_verbose;
static unsigned long opt_dump_race;
static unsigned long opt_check_every = 5000;

static uint16_t family;
static uint32_t mcgrp_monitor;

static unsigned long n_sent, n_err, n_ack, n_noreply, n_replies, n_dumps,
		     n_intr, n_forced, n_forced_intr, n_abandoned, n_mutated,
		     n_mut_ok, n_invalid, n_checks, n_violations;
static unsigned long per_cmd[NCMDS];
static double per_cmd_time[NCMDS];

static void violation(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void violation(const char *fmt, ...)
{
	va_list ap;

	n_violations++;
	if (n_violations > 200)
		return;
	fprintf(stderr, "nlfuzz: VIOLATION (seed %" PRIu64 ", message %lu): ",
		opt_seed, n_sent);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nlfuzz: fatal (seed %" PRIu64 ", message %lu): ",
		opt_seed, n_sent);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- random numbers: xorshift64*, reproducible from the seed ---- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return rnd(100) < percent;
}

/* ---- building messages ---- */

struct buf {
	uint8_t d[BUFSZ];
	size_t len;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > BUFSZ)
		die("message buffer overflow");
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

static void pad4(struct buf *b)
{
	static const uint8_t zero[4];

	put(b, zero, NLA_ALIGN(b->len) - b->len);
}

/* An attribute whose header says @hlen bytes of payload, followed by @n. */
static void attr_raw(struct buf *b, uint16_t type, uint16_t hlen,
		     const void *p, size_t n)
{
	struct nlattr a = { .nla_len = hlen, .nla_type = type };

	put(b, &a, sizeof(a));
	if (n)
		put(b, p, n);
	pad4(b);
}

static void attr(struct buf *b, uint16_t type, const void *p, size_t n)
{
	attr_raw(b, type, (uint16_t)(NLA_HDRLEN + n), p, n);
}

static void attr_u8(struct buf *b, uint16_t type, uint8_t v)
{
	attr(b, type, &v, 1);
}

static void attr_str(struct buf *b, uint16_t type, const char *s)
{
	attr(b, type, s, strlen(s) + 1);
}

static size_t nest_begin(struct buf *b, uint16_t type)
{
	size_t off = b->len;
	struct nlattr a = { .nla_len = 0, .nla_type = type };

	put(b, &a, sizeof(a));
	return off;
}

static void nest_end(struct buf *b, size_t off)
{
	struct nlattr *a = (struct nlattr *)(b->d + off);

	a->nla_len = (uint16_t)(b->len - off);
}

static uint32_t seq_no = 1;

static void msg_begin(struct buf *b, uint16_t type, uint16_t flags,
		      uint8_t cmd)
{
	struct nlmsghdr h = {
		.nlmsg_type = type,
		.nlmsg_flags = flags,
		.nlmsg_seq = ++seq_no,
	};
	struct genlmsghdr g = { .cmd = cmd, .version = IOT_EGRESS_GENL_VERSION };

	b->len = 0;
	put(b, &h, sizeof(h));
	put(b, &g, sizeof(g));
}

static void msg_end(struct buf *b)
{
	((struct nlmsghdr *)b->d)->nlmsg_len = (uint32_t)b->len;
}

static uint32_t msg_seq(const struct buf *b)
{
	return ((const struct nlmsghdr *)b->d)->nlmsg_seq;
}

/* ---- sockets ---- */

static int nl_open(int rcvbuf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 60 };
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind: %s", strerror(errno));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void nl_send(int fd, const void *p, size_t n)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(fd, p, n, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("sendto: %s", strerror(errno));
	n_sent++;
}

/* ---- what came back ---- */

struct gdev {
	uint8_t mac[6];
	uint8_t policy;
	bool has_label;
	char label[IOT_EGRESS_NAME_MAX + 1];
};

struct resp {
	bool done;		/* an error/ack or NLMSG_DONE ended it */
	int err;		/* the error (0: ack or dump done) */
	bool is_done;		/* ended by NLMSG_DONE */
	bool intr;		/* some message had NLM_F_DUMP_INTR */
	unsigned int nmsgs;	/* family messages */
	unsigned int parts;	/* recv() calls that returned data */
	char extack[128];
	/* parsed family messages */
	unsigned int ndevs;
	struct gdev *devs;
	unsigned int nwan;
	char wan[IOT_EGRESS_WAN_MAX + 8][IFNAMSIZ];
	bool wan_overflow;
	bool status;
	uint32_t st_devices, st_wan, st_proto;
	uint8_t st_default;
	unsigned int nunknown;
	bool other_cmd;
};

static struct gdev devbuf[MAXDEVS];
static uint8_t rx[RXSZ];

static void parse_attrs(const struct nlattr *a, int len,
			const struct nlattr **tb, int max)
{
	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const uint8_t *)a +
					    NLA_ALIGN(a->nla_len));
	}
}

static const void *nla_payload(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}

static int nla_plen(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static void parse_family_msg(struct resp *r, const struct nlmsghdr *h)
{
	const struct genlmsghdr *g = NLMSG_DATA(h);
	const struct nlattr *tb[IOT_EGRESS_A_MAX + 1];
	int len = (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	if (len < 0) {
		violation("a reply shorter than its genl header");
		return;
	}
	parse_attrs((const struct nlattr *)((const uint8_t *)g + GENL_HDRLEN),
		    len, tb, IOT_EGRESS_A_MAX);
	switch (g->cmd) {
	case IOT_EGRESS_CMD_GET_DEVICE:
	case IOT_EGRESS_CMD_SET_DEVICE: {
		struct gdev *d;

		if (g->cmd == IOT_EGRESS_CMD_SET_DEVICE)
			return;
		if (!tb[IOT_EGRESS_A_MAC] || nla_plen(tb[IOT_EGRESS_A_MAC]) != 6 ||
		    !tb[IOT_EGRESS_A_POLICY]) {
			violation("a device message without MAC or policy");
			return;
		}
		if (r->ndevs >= MAXDEVS)
			die("more than %d devices in a dump", MAXDEVS);
		d = &r->devs[r->ndevs++];
		memcpy(d->mac, nla_payload(tb[IOT_EGRESS_A_MAC]), 6);
		d->policy = *(const uint8_t *)nla_payload(tb[IOT_EGRESS_A_POLICY]);
		d->has_label = tb[IOT_EGRESS_A_NAME] != NULL;
		d->label[0] = 0;
		if (d->has_label) {
			int n = nla_plen(tb[IOT_EGRESS_A_NAME]);

			if (n < 1 || n > IOT_EGRESS_NAME_MAX + 1)
				violation("a label of %d bytes in a reply", n);
			else
				memcpy(d->label, nla_payload(tb[IOT_EGRESS_A_NAME]), n);
			d->label[IOT_EGRESS_NAME_MAX] = 0;
		}
		return;
	}
	case IOT_EGRESS_CMD_GET_WAN:
		if (!tb[IOT_EGRESS_A_IFNAME] || !tb[IOT_EGRESS_A_IFINDEX]) {
			violation("a WAN message without name or index");
			return;
		}
		if (r->nwan >= sizeof(r->wan) / sizeof(r->wan[0])) {
			r->wan_overflow = true;
			return;
		}
		snprintf(r->wan[r->nwan++], IFNAMSIZ, "%.*s",
			 nla_plen(tb[IOT_EGRESS_A_IFNAME]),
			 (const char *)nla_payload(tb[IOT_EGRESS_A_IFNAME]));
		return;
	case IOT_EGRESS_CMD_GET_STATUS:
		if (!tb[IOT_EGRESS_A_DEVICES] || !tb[IOT_EGRESS_A_WAN_NAMES] ||
		    !tb[IOT_EGRESS_A_DEFAULT_POLICY] ||
		    !tb[IOT_EGRESS_A_PROTO_VERSION] ||
		    !tb[IOT_EGRESS_A_GENERATION]) {
			violation("a status reply without its fields");
			return;
		}
		r->status = true;
		memcpy(&r->st_devices, nla_payload(tb[IOT_EGRESS_A_DEVICES]), 4);
		memcpy(&r->st_wan, nla_payload(tb[IOT_EGRESS_A_WAN_NAMES]), 4);
		memcpy(&r->st_proto, nla_payload(tb[IOT_EGRESS_A_PROTO_VERSION]), 4);
		r->st_default = *(const uint8_t *)nla_payload(tb[IOT_EGRESS_A_DEFAULT_POLICY]);
		return;
	case IOT_EGRESS_CMD_GET_UNKNOWN:
		r->nunknown++;
		return;
	case IOT_EGRESS_CMD_SET_DEFAULT:
	case IOT_EGRESS_CMD_LOAD_COMMIT:
		return;
	default:
		r->other_cmd = true;
		return;
	}
}

static void read_extack(struct resp *r, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || h->nlmsg_len <= off)
		return;
	parse_attrs((const struct nlattr *)((const uint8_t *)h + off),
		    (int)(h->nlmsg_len - off), tb, NLMSGERR_ATTR_MAX);
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(r->extack, sizeof(r->extack), "%.*s",
			 nla_plen(tb[NLMSGERR_ATTR_MSG]),
			 (const char *)nla_payload(tb[NLMSGERR_ATTR_MSG]));
}

/*
 * Read what answers @seq, until an error/ack or NLMSG_DONE. @between runs
 * after every recv() but the last, for interleaving a change with a dump.
 */
static void receive(int fd, uint32_t seq, struct resp *r,
		    void (*between)(unsigned int part))
{
	memset(r, 0, offsetof(struct resp, devs));
	r->devs = devbuf;
	r->ndevs = 0;
	r->nwan = 0;
	r->wan_overflow = r->status = r->other_cmd = false;
	r->nunknown = 0;

	while (!r->done) {
		ssize_t n = recv(fd, rx, sizeof(rx), 0);
		const struct nlmsghdr *h;
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recv (seq %u): %s", seq, strerror(errno));
		}
		if (n == 0)
			die("recv: end of file");
		r->parts++;
		len = (int)n;
		for (h = (const struct nlmsghdr *)rx; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq) {
				violation("a stray message, type %u seq %u, while waiting for seq %u",
					  h->nlmsg_type, h->nlmsg_seq, seq);
				continue;
			}
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				r->intr = true;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				r->err = e->error;
				r->done = true;
				read_extack(r, h);
			} else if (h->nlmsg_type == NLMSG_DONE) {
				r->is_done = true;
				r->done = true;
				if (h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
					memcpy(&r->err, NLMSG_DATA(h), sizeof(int));
				if (r->err)
					read_extack(r, h);
			} else if (h->nlmsg_type == family) {
				r->nmsgs++;
				parse_family_msg(r, h);
			} else {
				violation("a message of type %u in a reply",
					  h->nlmsg_type);
			}
		}
		if (len)
			violation("%d bytes of a truncated message in a reply", len);
		if (!r->done && between)
			between(r->parts);
	}
	if (r->err > 0)
		violation("a positive error %d", r->err);
	if (r->err < 0)
		n_err++;
	else
		n_ack++;
	n_replies += r->nmsgs;
}

/* Nothing queued on @fd: the kernel answered nothing. */
static bool nothing_queued(int fd)
{
	ssize_t n = recv(fd, rx, sizeof(rx), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return true;
	return false;
}

/* ---- the family ---- */

static void resolve_family(int fd)
{
	struct buf *b = calloc(1, sizeof(*b));
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct nlmsghdr *h;
	ssize_t n;
	int len;

	if (!b)
		die("out of memory");
	msg_begin(b, GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY);
	attr_str(b, CTRL_ATTR_FAMILY_NAME, IOT_EGRESS_GENL_NAME);
	msg_end(b);
	nl_send(fd, b->d, b->len);
	n_sent--;
	n = recv(fd, rx, sizeof(rx), 0);
	if (n < 0)
		die("recv: %s", strerror(errno));
	len = (int)n;
	h = (const struct nlmsghdr *)rx;
	if (!NLMSG_OK(h, len))
		die("a truncated reply to CTRL_CMD_GETFAMILY");
	if (h->nlmsg_type == NLMSG_ERROR)
		die("family %s not found: %s (is the module loaded?)",
		    IOT_EGRESS_GENL_NAME,
		    strerror(-((const struct nlmsgerr *)NLMSG_DATA(h))->error));
	parse_attrs((const struct nlattr *)((const uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN),
		    (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, tb, CTRL_ATTR_MAX);
	if (!tb[CTRL_ATTR_FAMILY_ID])
		die("no family id in the reply");
	memcpy(&family, nla_payload(tb[CTRL_ATTR_FAMILY_ID]), 2);
	if (tb[CTRL_ATTR_MCAST_GROUPS]) {
		const struct nlattr *g = nla_payload(tb[CTRL_ATTR_MCAST_GROUPS]);
		int glen = nla_plen(tb[CTRL_ATTR_MCAST_GROUPS]);

		while (glen >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN &&
		       g->nla_len <= glen) {
			const struct nlattr *gt[CTRL_ATTR_MCAST_GRP_MAX + 1];

			parse_attrs(nla_payload(g), nla_plen(g), gt,
				    CTRL_ATTR_MCAST_GRP_MAX);
			if (gt[CTRL_ATTR_MCAST_GRP_NAME] && gt[CTRL_ATTR_MCAST_GRP_ID] &&
			    !strcmp(nla_payload(gt[CTRL_ATTR_MCAST_GRP_NAME]),
				    IOT_EGRESS_MCGRP_MONITOR))
				memcpy(&mcgrp_monitor,
				       nla_payload(gt[CTRL_ATTR_MCAST_GRP_ID]), 4);
			glen -= NLA_ALIGN(g->nla_len);
			g = (const struct nlattr *)((const uint8_t *)g +
						    NLA_ALIGN(g->nla_len));
		}
	}
	if (!mcgrp_monitor)
		die("no '%s' multicast group", IOT_EGRESS_MCGRP_MONITOR);
	/* the ack */
	n = recv(fd, rx, sizeof(rx), MSG_DONTWAIT);
	(void)n;
	free(b);
}

/* ---- the model ---- */

struct mdev {
	bool present;
	uint8_t policy;
	bool has_label;
	char label[IOT_EGRESS_NAME_MAX + 1];
};

struct model {
	struct mdev dev[POOL];
	unsigned int ndev;
	char wan[IOT_EGRESS_WAN_MAX][IFNAMSIZ];
	unsigned int nwan;
	uint8_t def;
	bool staged;
	struct mdev stage[POOL];
};

static struct model M;

static void pool_mac(int i, uint8_t *mac)
{
	static const uint8_t base[6] = { 0x02, 0x6e, 0x6c, 0x66, 0x7a, 0x00 };

	memcpy(mac, base, 6);
	mac[5] = (uint8_t)i;
}

static int pool_index(const uint8_t *mac)
{
	uint8_t m[6];

	pool_mac(0, m);
	if (memcmp(m, mac, 5) || mac[5] >= POOL)
		return -1;
	return mac[5];
}

static const char *wan_pool[WANPOOL];

static void init_wan_pool(void)
{
	static char names[WANPOOL][IFNAMSIZ];
	int i;

	for (i = 0; i < WANPOOL; i++) {
		switch (i) {
		case 0: strcpy(names[i], "wan0"); break;
		case 1: strcpy(names[i], "ppp0"); break;
		case 2: strcpy(names[i], "wg0"); break;
		case 3: strcpy(names[i], "abcdefghijklmno"); break; /* 15 */
		case 4: strcpy(names[i], "e"); break;
		case 5: strcpy(names[i], "a.b-c_d@e+f%g"); break;
		default: snprintf(names[i], IFNAMSIZ, "up%d", i); break;
		}
		wan_pool[i] = names[i];
	}
}

static int model_wan_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < M.nwan; i++)
		if (!strcmp(M.wan[i], name))
			return (int)i;
	return -1;
}

static const char label_chars[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	"!$%&()*+,-./:;<=>?@[]^_`{|}~";

static void random_label(char *s)
{
	int n = chance(10) ? IOT_EGRESS_NAME_MAX : 1 + (int)rnd(IOT_EGRESS_NAME_MAX);
	int i;

	for (i = 0; i < n; i++)
		s[i] = label_chars[rnd(sizeof(label_chars) - 1)];
	s[n] = 0;
}

/* ---- expectations ---- */

enum exp_kind {
	EXP_EXACT,	/* this error (0: success) */
	EXP_ANYERR,	/* some error < 0 */
	EXP_NOREPLY,	/* nothing at all */
	EXP_MUTATED,	/* unknown: a mutation; resync the model after a 0 */
};

enum op {
	OP_NONE, OP_SETDEV, OP_DELDEV, OP_FLUSH, OP_ADDWAN, OP_DELWAN,
	OP_SETDEF, OP_BEGIN, OP_STAGE, OP_COMMIT, OP_ABORT,
};

enum check {
	CK_NONE, CK_STATUS, CK_DEV, CK_DUMP_DEV, CK_DUMP_WAN, CK_DUMP_UNKNOWN,
};

struct ent {
	int idx;
	uint8_t policy;
	bool has_label;
	char label[IOT_EGRESS_NAME_MAX + 1];
};

struct exp {
	enum exp_kind kind;
	int err;
	int err_also;	/* EXP_EXACT: this one is right too (0: none) */
	enum op op;
	enum check check;
	bool drop_staged_on_err;	/* refused inside the doit */
	const char *what;
	int idx;
	uint8_t policy;
	bool has_label;
	char label[IOT_EGRESS_NAME_MAX + 1];
	char ifname[IFNAMSIZ];
	int nent;
	struct ent ent[MAXENT];
	int nwan;
	char wans[IOT_EGRESS_WAN_MAX + 2][IFNAMSIZ];
};

static struct exp E;
static struct buf B;
static int fd_main;

static void exp_reset(const char *what)
{
	E.kind = EXP_EXACT;
	E.err = 0;
	E.err_also = 0;
	E.op = OP_NONE;
	E.check = CK_NONE;
	E.drop_staged_on_err = false;
	E.what = what;
	E.nent = 0;
	E.nwan = 0;
	E.has_label = false;
}

static void invalid(const char *what)
{
	exp_reset(what);
	E.kind = EXP_ANYERR;
	n_invalid++;
}

static void apply_devs(struct mdev *t, unsigned int *count, int idx,
		       uint8_t policy, bool has_label, const char *label)
{
	struct mdev *d = &t[idx];

	if (!d->present) {
		d->present = true;
		d->has_label = false;
		if (count)
			(*count)++;
	}
	d->policy = policy;
	if (has_label) {
		d->has_label = true;
		snprintf(d->label, sizeof(d->label), "%s", label);
	}
}

static void apply(void)
{
	int i, w;

	switch (E.op) {
	case OP_NONE:
		break;
	case OP_SETDEV:
		apply_devs(M.dev, &M.ndev, E.idx, E.policy, E.has_label, E.label);
		break;
	case OP_DELDEV:
		M.dev[E.idx].present = false;
		M.ndev--;
		break;
	case OP_FLUSH:
		memset(M.dev, 0, sizeof(M.dev));
		M.ndev = 0;
		break;
	case OP_ADDWAN:
		snprintf(M.wan[M.nwan++], IFNAMSIZ, "%s", E.ifname);
		break;
	case OP_DELWAN:
		w = model_wan_index(E.ifname);
		memmove(M.wan[w], M.wan[w + 1], (M.nwan - w - 1) * IFNAMSIZ);
		M.nwan--;
		break;
	case OP_SETDEF:
		M.def = E.policy;
		break;
	case OP_BEGIN:
		M.staged = true;
		memset(M.stage, 0, sizeof(M.stage));
		break;
	case OP_STAGE:
		for (i = 0; i < E.nent; i++)
			apply_devs(M.stage, NULL, E.ent[i].idx, E.ent[i].policy,
				   E.ent[i].has_label, E.ent[i].label);
		break;
	case OP_COMMIT:
		memcpy(M.dev, M.stage, sizeof(M.dev));
		M.ndev = 0;
		for (i = 0; i < POOL; i++)
			M.ndev += M.dev[i].present;
		for (i = 0; i < E.nwan; i++)
			snprintf(M.wan[i], IFNAMSIZ, "%s", E.wans[i]);
		M.nwan = (unsigned int)E.nwan;
		M.def = E.policy;
		M.staged = false;
		break;
	case OP_ABORT:
		M.staged = false;
		break;
	}
}

static const char *mac_str(const uint8_t *m)
{
	static char s[4][18];
	static int k;

	k = (k + 1) % 4;
	snprintf(s[k], sizeof(s[k]), "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	return s[k];
}

static int mac_cmp(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 6);
}

/* The dumped devices against the model. */
static bool compare_devs(const struct resp *r, const char *when)
{
	unsigned int i, k = 0;
	bool ok = true;

	for (i = 0; i < r->ndevs; i++) {
		const struct gdev *g = &r->devs[i];
		int idx = pool_index(g->mac);

		if (i && mac_cmp(r->devs[i - 1].mac, g->mac) >= 0) {
			violation("%s: dump not sorted: %s after %s", when,
				  mac_str(g->mac), mac_str(r->devs[i - 1].mac));
			ok = false;
		}
		if (idx < 0 || !M.dev[idx].present) {
			violation("%s: %s in the kernel, not in the model", when,
				  mac_str(g->mac));
			ok = false;
			continue;
		}
		k++;
		if (g->policy != M.dev[idx].policy ||
		    g->has_label != M.dev[idx].has_label ||
		    (g->has_label && strcmp(g->label, M.dev[idx].label))) {
			violation("%s: %s is policy %u label '%s' in the kernel, policy %u label '%s' in the model",
				  when, mac_str(g->mac), g->policy,
				  g->has_label ? g->label : "(none)",
				  M.dev[idx].policy,
				  M.dev[idx].has_label ? M.dev[idx].label : "(none)");
			ok = false;
		}
	}
	if (k != M.ndev) {
		violation("%s: %u devices in the kernel, %u in the model", when,
			  r->ndevs, M.ndev);
		ok = false;
	}
	return ok;
}

static bool compare_wan(const struct resp *r, const char *when)
{
	unsigned int i;

	if (r->wan_overflow || r->nwan != M.nwan) {
		violation("%s: %u WAN names in the kernel, %u in the model",
			  when, r->nwan, M.nwan);
		return false;
	}
	for (i = 0; i < M.nwan; i++)
		if (strcmp(r->wan[i], M.wan[i])) {
			violation("%s: WAN name %u is '%s' in the kernel, '%s' in the model",
				  when, i, r->wan[i], M.wan[i]);
			return false;
		}
	return true;
}

static bool compare_status(const struct resp *r, const char *when)
{
	if (!r->status) {
		violation("%s: no status in the reply", when);
		return false;
	}
	if (r->st_devices != M.ndev || r->st_wan != M.nwan ||
	    r->st_default != M.def || r->st_proto != IOT_EGRESS_PROTO_VERSION) {
		violation("%s: status says %u devices, %u WAN names, default %u; the model %u, %u, %u",
			  when, r->st_devices, r->st_wan, r->st_default,
			  M.ndev, M.nwan, M.def);
		return false;
	}
	return true;
}

static void do_check(const struct resp *r)
{
	switch (E.check) {
	case CK_NONE:
		break;
	case CK_STATUS:
		compare_status(r, E.what);
		break;
	case CK_DEV: {
		struct mdev *d = &M.dev[E.idx];
		uint8_t mac[6];

		pool_mac(E.idx, mac);
		if (r->ndevs != 1 || mac_cmp(r->devs[0].mac, mac) ||
		    r->devs[0].policy != d->policy ||
		    r->devs[0].has_label != d->has_label ||
		    (d->has_label && strcmp(r->devs[0].label, d->label)))
			violation("%s: the reply for %s does not match the model",
				  E.what, mac_str(mac));
		break;
	}
	case CK_DUMP_DEV:
		compare_devs(r, E.what);
		break;
	case CK_DUMP_WAN:
		compare_wan(r, E.what);
		break;
	case CK_DUMP_UNKNOWN:
		if (r->nunknown)
			violation("%s: %u unknown devices in a netns without traffic",
				  E.what, r->nunknown);
		break;
	}
}

/* ---- one exchange ---- */

static void resync(void);

static void count_cmd(const struct buf *b)
{
	uint8_t cmd;

	if (b->len < NLMSG_HDRLEN + 1) {
		per_cmd[NCMDS - 1]++;
		return;
	}
	cmd = b->d[NLMSG_HDRLEN];
	per_cmd[cmd <= IOT_EGRESS_CMD_MAX ? cmd : NCMDS - 1]++;
}

static void exchange(void)
{
	struct resp r;
	uint32_t seq = msg_seq(&B);

	struct timespec t0, t1;
	uint8_t cmd = B.len > NLMSG_HDRLEN ? B.d[NLMSG_HDRLEN] : 255;

	count_cmd(&B);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	nl_send(fd_main, B.d, B.len);
	if (E.kind == EXP_NOREPLY) {
		if (!nothing_queued(fd_main))
			violation("%s: the kernel answered a message it cannot have parsed",
				  E.what);
		n_noreply++;
		return;
	}
	receive(fd_main, seq, &r, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	per_cmd_time[cmd <= IOT_EGRESS_CMD_MAX ? cmd : NCMDS - 1] +=
		(double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (opt_verbose > 1)
		fprintf(stderr, "%lu %s: %d %s\n", n_sent, E.what, r.err, r.extack);
	switch (E.kind) {
	case EXP_EXACT:
		if (r.err != E.err && (!E.err_also || r.err != E.err_also)) {
			violation("%s: expected %d (%s), got %d (%s) %s", E.what,
				  E.err, strerror(-E.err), r.err,
				  strerror(-r.err), r.extack);
			/* the kernel is the truth from here on */
			resync();
			return;
		}
		if (!r.err) {
			apply();
			do_check(&r);
		} else if (E.drop_staged_on_err) {
			M.staged = false;
		}
		break;
	case EXP_ANYERR:
		if (r.err >= 0) {
			violation("%s: an invalid message was accepted", E.what);
			resync();
			return;
		}
		if (E.drop_staged_on_err)
			M.staged = false;
		break;
	case EXP_MUTATED:
		if (!r.err) {
			n_mut_ok++;
			resync();
		}
		break;
	case EXP_NOREPLY:
		break;
	}
}

/* ---- reading the whole state back ---- */

static void dump_req(struct buf *b, uint8_t cmd)
{
	msg_begin(b, family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, cmd);
	msg_end(b);
}

static void read_state(int fd, struct resp *devs, struct resp *wan,
		       struct resp *st)
{
	static struct buf b;

	dump_req(&b, IOT_EGRESS_CMD_GET_WAN);
	nl_send(fd, b.d, b.len);
	receive(fd, msg_seq(&b), wan, NULL);
	msg_begin(&b, family, NLM_F_REQUEST | NLM_F_ACK, IOT_EGRESS_CMD_GET_STATUS);
	msg_end(&b);
	nl_send(fd, b.d, b.len);
	receive(fd, msg_seq(&b), st, NULL);
	dump_req(&b, IOT_EGRESS_CMD_GET_DEVICE);
	nl_send(fd, b.d, b.len);
	receive(fd, msg_seq(&b), devs, NULL);
}

/* Make the model what the kernel has; devices outside the pool go. */
static void resync(void)
{
	static struct resp d, w, s;
	static uint8_t foreign[256][6];
	unsigned int i, nf = 0;

	read_state(fd_main, &d, &w, &s);
	if (d.err || w.err || s.err || d.intr)
		die("cannot read the state back: %d %d %d", d.err, w.err, s.err);
	memset(M.dev, 0, sizeof(M.dev));
	M.ndev = 0;
	for (i = 0; i < d.ndevs; i++) {
		int idx = pool_index(d.devs[i].mac);

		if (idx < 0) {
			if (nf < 256)
				memcpy(foreign[nf++], d.devs[i].mac, 6);
			continue;
		}
		M.dev[idx].present = true;
		M.dev[idx].policy = d.devs[i].policy;
		M.dev[idx].has_label = d.devs[i].has_label;
		strcpy(M.dev[idx].label, d.devs[i].label);
		M.ndev++;
	}
	M.nwan = w.nwan;
	for (i = 0; i < w.nwan && i < IOT_EGRESS_WAN_MAX; i++)
		strcpy(M.wan[i], w.wan[i]);
	M.def = s.st_default;
	for (i = 0; i < nf; i++) {
		static struct buf b;
		struct resp r;

		msg_begin(&b, family, NLM_F_REQUEST | NLM_F_ACK,
			  IOT_EGRESS_CMD_DEL_DEVICE);
		attr(&b, IOT_EGRESS_A_MAC, foreign[i], 6);
		msg_end(&b);
		nl_send(fd_main, b.d, b.len);
		receive(fd_main, msg_seq(&b), &r, NULL);
		if (r.err)
			violation("cannot delete %s: %d", mac_str(foreign[i]), r.err);
	}
}

static void full_check(const char *when)
{
	static struct resp d, w, s;

	n_checks++;
	read_state(fd_main, &d, &w, &s);
	if (d.err || w.err || s.err) {
		violation("%s: reading the state failed: %d %d %d", when,
			  d.err, w.err, s.err);
		return;
	}
	if (d.intr || w.intr)
		violation("%s: a dump with nothing else running was flagged inconsistent",
			  when);
	compare_devs(&d, when);
	compare_wan(&w, when);
	compare_status(&s, when);
}

/* ---- generators: valid messages ---- */

static uint16_t FL = NLM_F_REQUEST | NLM_F_ACK;

static void begin(uint8_t cmd)
{
	msg_begin(&B, family, FL, cmd);
}

static void put_mac_idx(int idx)
{
	uint8_t mac[6];

	pool_mac(idx, mac);
	attr(&B, IOT_EGRESS_A_MAC, mac, 6);
}

static void gen_status(void)
{
	exp_reset("GET_STATUS");
	begin(IOT_EGRESS_CMD_GET_STATUS);
	E.check = CK_STATUS;
	/* attributes of a command without a policy are not parsed */
	if (chance(20)) {
		/* even a command without a policy parses strictly */
		uint8_t junk[40];
		size_t i, n = rnd(sizeof(junk));

		invalid("GET_STATUS with garbage attributes");
		attr(&B, (uint16_t)(chance(50) ? 0 : 1 + rnd(IOT_EGRESS_A_MAX + 5)),
		     "\0\0\0\0", rnd(5));
		for (i = 0; i < n; i++)
			junk[i] = (uint8_t)rnd64();
		put(&B, junk, n);
	}
	msg_end(&B);
}

static void gen_set_device(void)
{
	int idx = (int)rnd(POOL);

	exp_reset("SET_DEVICE");
	begin(IOT_EGRESS_CMD_SET_DEVICE);
	E.op = OP_SETDEV;
	E.idx = idx;
	E.policy = (uint8_t)(IOT_EGRESS_POLICY_ALLOW + rnd(3));
	if (chance(15)) {
		/* duplicates: the last one counts */
		put_mac_idx((int)rnd(POOL));
		attr_u8(&B, IOT_EGRESS_A_POLICY, (uint8_t)(1 + rnd(3)));
		E.what = "SET_DEVICE with duplicate attributes";
	}
	if (chance(50)) {
		E.has_label = true;
		random_label(E.label);
		if (chance(10)) {
			/* bytes after the NUL are ignored */
			attr(&B, IOT_EGRESS_A_NAME, "x\0yz", 4);
			E.what = "SET_DEVICE with a label and junk after its NUL";
		}
	}
	if (chance(50)) {
		put_mac_idx(idx);
		attr_u8(&B, IOT_EGRESS_A_POLICY, E.policy);
	} else {
		attr_u8(&B, IOT_EGRESS_A_POLICY, E.policy);
		put_mac_idx(idx);
	}
	if (E.has_label)
		attr_str(&B, IOT_EGRESS_A_NAME, E.label);
	msg_end(&B);
	if (!M.dev[idx].present && M.ndev >= 65536)
		E.err = -ENOSPC;
}

static void gen_del_device(void)
{
	int idx = (int)rnd(POOL);

	exp_reset("DEL_DEVICE");
	begin(IOT_EGRESS_CMD_DEL_DEVICE);
	put_mac_idx(idx);
	msg_end(&B);
	E.idx = idx;
	if (M.dev[idx].present)
		E.op = OP_DELDEV;
	else
		E.err = -ENOENT;
}

static void gen_get_device(void)
{
	int idx = (int)rnd(POOL);

	exp_reset("GET_DEVICE");
	begin(IOT_EGRESS_CMD_GET_DEVICE);
	put_mac_idx(idx);
	msg_end(&B);
	E.idx = idx;
	if (M.dev[idx].present)
		E.check = CK_DEV;
	else
		E.err = -ENOENT;
}

static void gen_dump(void)
{
	static const uint8_t cmds[] = { IOT_EGRESS_CMD_GET_DEVICE,
					IOT_EGRESS_CMD_GET_WAN,
					IOT_EGRESS_CMD_GET_UNKNOWN };
	uint8_t cmd = cmds[rnd(3)];

	exp_reset("dump");
	msg_begin(&B, family, FL | NLM_F_DUMP, cmd);
	switch (cmd) {
	case IOT_EGRESS_CMD_GET_DEVICE:
		E.what = "GET_DEVICE dump";
		E.check = CK_DUMP_DEV;
		/* the policy applies to a dump's attributes too */
		if (chance(20))
			put_mac_idx((int)rnd(POOL));
		break;
	case IOT_EGRESS_CMD_GET_WAN:
		E.what = "GET_WAN dump";
		E.check = CK_DUMP_WAN;
		break;
	default:
		E.what = "GET_UNKNOWN dump";
		E.check = CK_DUMP_UNKNOWN;
		break;
	}
	msg_end(&B);
	n_dumps++;
}

static void gen_flush(void)
{
	exp_reset("FLUSH");
	begin(IOT_EGRESS_CMD_FLUSH);
	msg_end(&B);
	E.op = OP_FLUSH;
}

static void gen_wan(bool add)
{
	const char *name = wan_pool[rnd(WANPOOL)];

	exp_reset(add ? "ADD_WAN" : "DEL_WAN");
	begin(add ? IOT_EGRESS_CMD_ADD_WAN : IOT_EGRESS_CMD_DEL_WAN);
	attr_str(&B, IOT_EGRESS_A_IFNAME, name);
	msg_end(&B);
	snprintf(E.ifname, IFNAMSIZ, "%s", name);
	if (add) {
		if (model_wan_index(name) >= 0)
			E.err = -EEXIST;
		else if (M.nwan >= IOT_EGRESS_WAN_MAX)
			E.err = -ENOSPC;
		else
			E.op = OP_ADDWAN;
	} else {
		if (model_wan_index(name) < 0)
			E.err = -ENOENT;
		else
			E.op = OP_DELWAN;
	}
}

static void gen_set_default(void)
{
	exp_reset("SET_DEFAULT");
	begin(IOT_EGRESS_CMD_SET_DEFAULT);
	E.policy = (uint8_t)(chance(50) ? IOT_EGRESS_POLICY_ALLOW :
					  IOT_EGRESS_POLICY_DENY);
	attr_u8(&B, IOT_EGRESS_A_DEFAULT_POLICY, E.policy);
	msg_end(&B);
	E.op = OP_SETDEF;
}

static void gen_load_begin(void)
{
	exp_reset("LOAD_BEGIN");
	begin(IOT_EGRESS_CMD_LOAD_BEGIN);
	msg_end(&B);
	E.op = OP_BEGIN;
}

static void gen_load_abort(void)
{
	exp_reset("LOAD_ABORT");
	begin(IOT_EGRESS_CMD_LOAD_ABORT);
	msg_end(&B);
	if (M.staged)
		E.op = OP_ABORT;
	else
		E.err = -ENOENT;
}

static void put_entry(const struct ent *e)
{
	size_t n = nest_begin(&B, NLA_F_NESTED | (uint16_t)(1 + rnd(100)));
	uint8_t mac[6];

	pool_mac(e->idx, mac);
	attr(&B, IOT_EGRESS_A_MAC, mac, 6);
	attr_u8(&B, IOT_EGRESS_A_POLICY, e->policy);
	if (e->has_label)
		attr_str(&B, IOT_EGRESS_A_NAME, e->label);
	nest_end(&B, n);
}

static void random_entries(void)
{
	int i;

	E.nent = (int)rnd(MAXENT / 2 + 1);
	for (i = 0; i < E.nent; i++) {
		struct ent *e = &E.ent[i];

		/* repeats within a message, on purpose */
		e->idx = (int)rnd(POOL);
		e->policy = (uint8_t)(1 + rnd(3));
		e->has_label = chance(50);
		if (e->has_label)
			random_label(e->label);
	}
}

static void gen_load_devices(void)
{
	size_t list;
	int i;

	exp_reset("LOAD_DEVICES");
	begin(IOT_EGRESS_CMD_LOAD_DEVICES);
	random_entries();
	list = nest_begin(&B, NLA_F_NESTED | IOT_EGRESS_A_DEVICE_LIST);
	for (i = 0; i < E.nent; i++)
		put_entry(&E.ent[i]);
	nest_end(&B, list);
	msg_end(&B);
	if (M.staged)
		E.op = OP_STAGE;
	else
		E.err = -ENOENT;
}

static void gen_load_commit(void)
{
	bool used[WANPOOL] = { false };
	int i;

	exp_reset("LOAD_COMMIT");
	begin(IOT_EGRESS_CMD_LOAD_COMMIT);
	E.policy = (uint8_t)(1 + rnd(2));
	attr_u8(&B, IOT_EGRESS_A_DEFAULT_POLICY, E.policy);
	E.nwan = chance(20) ? 0 : (int)rnd(6);
	if (chance(50) || E.nwan) {
		size_t list = nest_begin(&B, NLA_F_NESTED | IOT_EGRESS_A_WAN_LIST);

		for (i = 0; i < E.nwan; i++) {
			size_t n;
			int k;

			do
				k = (int)rnd(WANPOOL);
			while (used[k]);
			used[k] = true;
			snprintf(E.wans[i], IFNAMSIZ, "%s", wan_pool[k]);
			n = nest_begin(&B, NLA_F_NESTED | (uint16_t)rnd(8));
			attr_str(&B, IOT_EGRESS_A_IFNAME, E.wans[i]);
			nest_end(&B, n);
		}
		nest_end(&B, list);
	}
	msg_end(&B);
	if (M.staged)
		E.op = OP_COMMIT;
	else
		E.err = -ENOENT;
}

/* A valid message without NLM_F_REQUEST, or of a control type: acked with
 * 0 and not acted upon.
 */
static void gen_not_request(void)
{
	uint16_t t = (uint16_t)rnd(NLMSG_MIN_TYPE);

	if (chance(50)) {
		gen_set_default();
		((struct nlmsghdr *)B.d)->nlmsg_flags = NLM_F_ACK;
		E.what = "SET_DEFAULT without NLM_F_REQUEST";
	} else {
		gen_flush();
		((struct nlmsghdr *)B.d)->nlmsg_type = t;
		E.what = "a control message type";
	}
	E.op = OP_NONE;
	E.check = CK_NONE;
	E.err = 0;
}

/* ---- generators: invalid messages ---- */

static void bad_mac(uint8_t *mac, int *len, const char **what)
{
	uint8_t m[8];

	pool_mac((int)rnd(POOL), m);
	m[6] = m[7] = 0;
	*len = 6;
	switch (rnd(6)) {
	case 0:
		m[0] |= 1;
		*what = "multicast MAC";
		break;
	case 1:
		memset(m, 0, 6);
		*what = "all-zero MAC";
		break;
	case 2:
		memset(m, 0xff, 6);
		*what = "broadcast MAC";
		break;
	case 3:
		memcpy(m, "\x33\x33\x00\x00\x00\x01", 6);
		*what = "IPv6 multicast MAC";
		break;
	default: {
		static const int lens[] = { 0, 1, 5, 7, 8 };

		*len = lens[rnd(5)];
		*what = "MAC of the wrong length";
		break;
	}
	}
	memcpy(mac, m, 8);
}

static void bad_label(struct buf *b, const char **what)
{
	char s[300];
	int n, i;

	switch (rnd(6)) {
	case 0:
		n = IOT_EGRESS_NAME_MAX + 1 + (int)rnd(200);
		for (i = 0; i < n; i++)
			s[i] = label_chars[rnd(sizeof(label_chars) - 1)];
		s[n] = 0;
		attr_str(b, IOT_EGRESS_A_NAME, s);
		*what = "oversize label";
		break;
	case 1:
		attr(b, IOT_EGRESS_A_NAME, "abc", 3);
		*what = "label without NUL";
		break;
	case 2:
		attr(b, IOT_EGRESS_A_NAME, "", 1);
		*what = "empty label";
		break;
	case 3: {
		static const char bad[] = " \"'\\#\x7f\x80\xff\t\n\x01";

		random_label(s);
		s[rnd((uint32_t)strlen(s))] = bad[rnd(sizeof(bad) - 1)];
		attr_str(b, IOT_EGRESS_A_NAME, s);
		*what = "label with a forbidden character";
		break;
	}
	case 4:
		attr(b, IOT_EGRESS_A_NAME, "", 0);
		*what = "label of no bytes";
		break;
	default:
		/* 33 bytes and no NUL in them */
		memset(s, 'a', 40);
		attr(b, IOT_EGRESS_A_NAME, s, IOT_EGRESS_NAME_MAX + 1 + rnd(8));
		*what = "long label without NUL";
		break;
	}
}

/* An attribute the command's policy rejects. */
static void bad_attr(struct buf *b, int maxattr, const int *allowed,
		     const char **what)
{
	uint16_t type;
	uint32_t v = 0;
	int k, i;

	switch (rnd(5)) {
	case 0:
		type = 0;
		*what = "attribute type 0";
		break;
	case 1:
		type = (uint16_t)(maxattr + 1 + rnd(IOT_EGRESS_A_MAX + 10 - maxattr));
		*what = "attribute beyond the command's policy";
		break;
	case 2:
		type = (uint16_t)(IOT_EGRESS_A_MAX + 1 + rnd(NLA_TYPE_MASK - IOT_EGRESS_A_MAX));
		*what = "unknown attribute type";
		break;
	case 3:
		/* a type inside the policy's range that it does not accept */
		for (k = 0; k < 100; k++) {
			type = (uint16_t)(1 + rnd((uint32_t)maxattr));
			for (i = 0; allowed[i]; i++)
				if (allowed[i] == type)
					break;
			if (!allowed[i])
				break;
		}
		if (k == 100)
			type = 0;
		*what = "attribute the command does not take";
		break;
	default:
		/* a header claiming more than there is, or less than itself */
		if (chance(50))
			attr_raw(b, IOT_EGRESS_A_MAC, (uint16_t)(8 + rnd(1000)),
				 "\x02\0\0\0", 4);
		else
			attr_raw(b, IOT_EGRESS_A_MAC, (uint16_t)rnd(NLA_HDRLEN), NULL, 0);
		*what = "attribute with a bad length";
		return;
	}
	attr(b, type, &v, rnd(5));
}

static void trailing(struct buf *b)
{
	static const uint8_t junk[3] = { 1, 2, 3 };

	/* not aligned: 1 to 3 bytes that are not an attribute */
	b->len = NLA_ALIGN(b->len);
	put(b, junk, 1 + rnd(3));
}

/* SET_DEVICE's attributes; a device-list entry's are the same but the
 * except-list.
 */
static const int set_allowed[] = { IOT_EGRESS_A_MAC, IOT_EGRESS_A_POLICY,
				   IOT_EGRESS_A_NAME, IOT_EGRESS_A_EXCEPT_LIST,
				   0 };
static const int entry_allowed[] = { IOT_EGRESS_A_MAC, IOT_EGRESS_A_POLICY,
				     IOT_EGRESS_A_NAME, 0 };
static const int mac_allowed[] = { IOT_EGRESS_A_MAC, 0 };
static const int wan_allowed[] = { IOT_EGRESS_A_IFNAME, 0 };
static const int def_allowed[] = { IOT_EGRESS_A_DEFAULT_POLICY, 0 };
static const int ld_allowed[] = { IOT_EGRESS_A_DEVICE_LIST,
				  IOT_EGRESS_A_EXCEPT_LIST, 0 };
static const int lc_allowed[] = { IOT_EGRESS_A_DEFAULT_POLICY,
				  IOT_EGRESS_A_WAN_LIST, 0 };

static void gen_bad_set_device(void)
{
	const char *what = "bad SET_DEVICE";
	uint8_t mac[8];
	int len;

	invalid("SET_DEVICE");
	begin(IOT_EGRESS_CMD_SET_DEVICE);
	switch (rnd(9)) {
	case 0:
		bad_mac(mac, &len, &what);
		attr(&B, IOT_EGRESS_A_MAC, mac, (size_t)len);
		attr_u8(&B, IOT_EGRESS_A_POLICY, IOT_EGRESS_POLICY_DENY);
		break;
	case 1:
		attr_u8(&B, IOT_EGRESS_A_POLICY, IOT_EGRESS_POLICY_DENY);
		what = "SET_DEVICE without MAC";
		break;
	case 2:
		put_mac_idx((int)rnd(POOL));
		what = "SET_DEVICE without policy";
		if (chance(50))
			attr_str(&B, IOT_EGRESS_A_NAME, "cam");
		break;
	case 3: {
		uint8_t p = (uint8_t)(chance(30) ? 0 : 4 + rnd(252));

		put_mac_idx((int)rnd(POOL));
		attr_u8(&B, IOT_EGRESS_A_POLICY, p);
		what = "policy out of range";
		break;
	}
	case 4: {
		uint32_t p = IOT_EGRESS_POLICY_DENY;
		static const int lens[] = { 0, 2, 4 };

		put_mac_idx((int)rnd(POOL));
		attr(&B, IOT_EGRESS_A_POLICY, &p, (size_t)lens[rnd(3)]);
		what = "policy of the wrong length";
		break;
	}
	case 5:
		put_mac_idx((int)rnd(POOL));
		attr_u8(&B, IOT_EGRESS_A_POLICY, IOT_EGRESS_POLICY_ALLOW);
		bad_label(&B, &what);
		break;
	case 6:
		put_mac_idx((int)rnd(POOL));
		attr_u8(&B, IOT_EGRESS_A_POLICY, IOT_EGRESS_POLICY_ALLOW);
		bad_attr(&B, IOT_EGRESS_A_EXCEPT_LIST, set_allowed, &what);
		break;
	case 7:
		put_mac_idx((int)rnd(POOL));
		attr_u8(&B, IOT_EGRESS_A_POLICY, IOT_EGRESS_POLICY_ALLOW);
		trailing(&B);
		what = "bytes after the attributes";
		break;
	default: {
		uint8_t m[6];

		pool_mac((int)rnd(POOL), m);
		attr(&B, NLA_F_NESTED | IOT_EGRESS_A_MAC, m, 6);
		attr_u8(&B, IOT_EGRESS_A_POLICY, IOT_EGRESS_POLICY_ALLOW);
		what = "MAC flagged NLA_F_NESTED";
		break;
	}
	}
	msg_end(&B);
	E.what = what;
}

static void gen_bad_mac_cmd(void)
{
	const char *what;
	uint8_t cmd = chance(50) ? IOT_EGRESS_CMD_DEL_DEVICE :
				   IOT_EGRESS_CMD_GET_DEVICE;
	uint8_t mac[8];
	int len;

	invalid("DEL/GET_DEVICE");
	begin(cmd);
	switch (rnd(4)) {
	case 0:
		bad_mac(mac, &len, &what);
		attr(&B, IOT_EGRESS_A_MAC, mac, (size_t)len);
		break;
	case 1:
		what = "no MAC";
		break;
	case 2:
		put_mac_idx((int)rnd(POOL));
		bad_attr(&B, IOT_EGRESS_A_MAC, mac_allowed, &what);
		break;
	default:
		put_mac_idx((int)rnd(POOL));
		trailing(&B);
		what = "bytes after the attributes";
		break;
	}
	msg_end(&B);
	E.what = what;
}

static void gen_bad_wan(void)
{
	static const char *const names[] = { ".", "..", "a/b", "eth0:1",
					      "a b", "a\tb", "a\nb", "" };
	const char *what = "bad WAN name";
	char s[64];

	invalid("ADD/DEL_WAN");
	begin(chance(50) ? IOT_EGRESS_CMD_ADD_WAN : IOT_EGRESS_CMD_DEL_WAN);
	switch (rnd(5)) {
	case 0:
		attr_str(&B, IOT_EGRESS_A_IFNAME, names[rnd(8)]);
		what = "invalid interface name";
		break;
	case 1:
		memset(s, 'w', sizeof(s));
		s[IFNAMSIZ + rnd(40)] = 0;
		attr_str(&B, IOT_EGRESS_A_IFNAME, s);
		what = "interface name too long";
		break;
	case 2:
		attr(&B, IOT_EGRESS_A_IFNAME, "wan0", 4);
		what = "interface name without NUL";
		break;
	case 3:
		what = "no interface name";
		break;
	default:
		attr_str(&B, IOT_EGRESS_A_IFNAME, "wan0");
		bad_attr(&B, IOT_EGRESS_A_IFNAME, wan_allowed, &what);
		break;
	}
	msg_end(&B);
	E.what = what;
}

static void gen_bad_default(void)
{
	const char *what = "bad default";
	uint32_t v = IOT_EGRESS_POLICY_DENY;

	invalid("SET_DEFAULT");
	begin(IOT_EGRESS_CMD_SET_DEFAULT);
	switch (rnd(4)) {
	case 0: {
		uint8_t p = (uint8_t)(chance(30) ? 0 : chance(40) ?
				      IOT_EGRESS_POLICY_AUDIT : 4 + rnd(252));

		attr_u8(&B, IOT_EGRESS_A_DEFAULT_POLICY, p);
		what = "default policy out of range";
		break;
	}
	case 1:
		attr(&B, IOT_EGRESS_A_DEFAULT_POLICY, &v, chance(50) ? 0 : 2 + 2 * rnd(2));
		what = "default policy of the wrong length";
		break;
	case 2:
		what = "no default policy";
		break;
	default:
		attr_u8(&B, IOT_EGRESS_A_DEFAULT_POLICY, IOT_EGRESS_POLICY_DENY);
		bad_attr(&B, IOT_EGRESS_A_DEFAULT_POLICY, def_allowed, &what);
		break;
	}
	msg_end(&B);
	E.what = what;
}

/* Nests inside nests, @depth deep, ending in garbage. */
static void deep_nest(int depth)
{
	size_t off[64];
	int i;

	for (i = 0; i < depth; i++)
		off[i] = nest_begin(&B, NLA_F_NESTED | (uint16_t)(1 + rnd(20)));
	attr(&B, (uint16_t)rnd(50), "\x5a\x5a\x5a\x5a\x5a", rnd(6));
	for (i = depth - 1; i >= 0; i--)
		nest_end(&B, off[i]);
}

/*
 * A LOAD_DEVICES the kernel must refuse. Refusals by the policy leave the
 * staged load alone; refusals by the command itself drop it.
 */
static void gen_bad_load_devices(void)
{
	const char *what = "bad LOAD_DEVICES";
	bool doit = false;
	size_t list, n;
	struct ent ok;
	uint8_t mac[8];
	int len, i, pre;

	invalid("LOAD_DEVICES");
	begin(IOT_EGRESS_CMD_LOAD_DEVICES);
	if (chance(5)) {
		msg_end(&B);
		E.what = "LOAD_DEVICES without a list";
		return;
	}
	if (chance(5)) {
		/* the list must say NLA_F_NESTED */
		list = nest_begin(&B, IOT_EGRESS_A_DEVICE_LIST);
		ok.idx = 1;
		ok.policy = 1;
		ok.has_label = false;
		put_entry(&ok);
		nest_end(&B, list);
		msg_end(&B);
		E.what = "device list without NLA_F_NESTED";
		return;
	}
	if (chance(5)) {
		attr(&B, NLA_F_NESTED | IOT_EGRESS_A_DEVICE_LIST, NULL, 0);
		bad_attr(&B, IOT_EGRESS_A_EXCEPT_LIST, ld_allowed, &what);
		msg_end(&B);
		E.what = what;
		return;
	}
	list = nest_begin(&B, NLA_F_NESTED | IOT_EGRESS_A_DEVICE_LIST);
	/* some good entries first */
	pre = (int)rnd(4);
	for (i = 0; i < pre; i++) {
		ok.idx = (int)rnd(POOL);
		ok.policy = (uint8_t)(1 + rnd(3));
		ok.has_label = false;
		put_entry(&ok);
	}
	n = nest_begin(&B, NLA_F_NESTED | (uint16_t)rnd(10));
	switch (rnd(12)) {
	case 0:
		bad_mac(mac, &len, &what);
		attr(&B, IOT_EGRESS_A_MAC, mac, (size_t)len);
		attr_u8(&B, IOT_EGRESS_A_POLICY, 2);
		/* the policy checks the length, the command the address */
		doit = len == 6;
		break;
	case 1:
		put_mac_idx((int)rnd(POOL));
		what = "entry without policy";
		doit = true;
		break;
	case 2:
		attr_u8(&B, IOT_EGRESS_A_POLICY, 2);
		what = "entry without MAC";
		doit = true;
		break;
	case 3:
		put_mac_idx((int)rnd(POOL));
		attr_u8(&B, IOT_EGRESS_A_POLICY, (uint8_t)(chance(30) ? 0 : 4 + rnd(252)));
		what = "entry policy out of range";
		break;
	case 4:
		put_mac_idx((int)rnd(POOL));
		attr_u8(&B, IOT_EGRESS_A_POLICY, 1);
		bad_label(&B, &what);
		/* the policy checks lengths and the NUL, the command the
		 * characters and emptiness
		 */
		doit = !strcmp(what, "label with a forbidden character") ||
		       !strcmp(what, "empty label");
		break;
	case 5:
		put_mac_idx((int)rnd(POOL));
		attr_u8(&B, IOT_EGRESS_A_POLICY, 1);
		bad_attr(&B, IOT_EGRESS_A_NAME, entry_allowed, &what);
		what = "bad attribute in an entry";
		break;
	case 6:
		/* an empty entry is skipped by the policy, refused by the
		 * command
		 */
		what = "empty entry";
		doit = true;
		break;
	case 7:
		B.len = n;
		attr_raw(&B, (uint16_t)rnd(10), (uint16_t)(NLA_HDRLEN + 1 + rnd(3)),
			 "\1\2\3", 3);
		what = "entry too short";
		goto close_list;
	case 8:
		deep_nest(1 + (int)rnd(40));
		what = "deep nest in an entry";
		break;
	case 9:
		put_mac_idx((int)rnd(POOL));
		attr_u8(&B, IOT_EGRESS_A_POLICY, 1);
		trailing(&B);
		what = "bytes after an entry's attributes";
		break;
	case 10: {
		uint8_t junk[64];
		size_t k, jn = 1 + rnd(sizeof(junk));

		/* an invalid attribute, then garbage */
		attr(&B, 0, NULL, 0);
		for (k = 0; k < jn; k++)
			junk[k] = (uint8_t)rnd64();
		put(&B, junk, jn);
		pad4(&B);
		what = "garbage entry";
		break;
	}
	default:
		put_mac_idx((int)rnd(POOL));
		attr(&B, IOT_EGRESS_A_POLICY, "\1\0", 2);
		what = "entry policy of the wrong length";
		break;
	}
	nest_end(&B, n);
close_list:
	nest_end(&B, list);
	msg_end(&B);
	E.what = what;
	E.drop_staged_on_err = doit;
}

static void gen_bad_load_commit(void)
{
	const char *what = "bad LOAD_COMMIT";
	bool doit = false;
	size_t list, n;
	int i, k;

	invalid("LOAD_COMMIT");
	begin(IOT_EGRESS_CMD_LOAD_COMMIT);
	switch (rnd(10)) {
	case 0:
		what = "commit without default";
		doit = true;
		if (chance(50)) {
			list = nest_begin(&B, NLA_F_NESTED | IOT_EGRESS_A_WAN_LIST);
			nest_end(&B, list);
		}
		break;
	case 1:
		attr_u8(&B, IOT_EGRESS_A_DEFAULT_POLICY,
			(uint8_t)(chance(50) ? IOT_EGRESS_POLICY_AUDIT : rnd(2) ? 0 : 4 + rnd(250)));
		what = "commit default out of range";
		break;
	case 2:
		attr_u8(&B, IOT_EGRESS_A_DEFAULT_POLICY, 1);
		bad_attr(&B, IOT_EGRESS_A_WAN_LIST, lc_allowed, &what);
		break;
	case 3:
		attr_u8(&B, IOT_EGRESS_A_DEFAULT_POLICY, 1);
		list = nest_begin(&B, IOT_EGRESS_A_WAN_LIST);
		n = nest_begin(&B, NLA_F_NESTED | 1);
		attr_str(&B, IOT_EGRESS_A_IFNAME, "wan0");
		nest_end(&B, n);
		nest_end(&B, list);
		what = "WAN list without NLA_F_NESTED";
		break;
	default:
		attr_u8(&B, IOT_EGRESS_A_DEFAULT_POLICY, 1);
		list = nest_begin(&B, NLA_F_NESTED | IOT_EGRESS_A_WAN_LIST);
		k = (int)rnd(3);
		for (i = 0; i < k; i++) {
			n = nest_begin(&B, NLA_F_NESTED | (uint16_t)(i + 1));
			attr_str(&B, IOT_EGRESS_A_IFNAME, wan_pool[10 + i]);
			nest_end(&B, n);
		}
		switch (rnd(8)) {
		case 0:
			n = nest_begin(&B, NLA_F_NESTED | 9);
			attr_str(&B, IOT_EGRESS_A_IFNAME, chance(50) ? ".." : "a b");
			nest_end(&B, n);
			what = "invalid name in the WAN list";
			doit = true;
			break;
		case 1:
			n = nest_begin(&B, NLA_F_NESTED | 9);
			attr_str(&B, IOT_EGRESS_A_IFNAME, "abcdefghijklmnopq");
			nest_end(&B, n);
			what = "name too long in the WAN list";
			break;
		case 2:
			n = nest_begin(&B, NLA_F_NESTED | 9);
			nest_end(&B, n);
			if (chance(50)) {
				B.len = n;
				n = nest_begin(&B, NLA_F_NESTED | 9);
				attr_u8(&B, IOT_EGRESS_A_IFINDEX + 10, 1);
				nest_end(&B, n);
				what = "unknown attribute in a WAN entry";
			} else {
				what = "WAN entry without a name";
				doit = true;
			}
			break;
		case 3:
			for (i = 0; i < 2; i++) {
				n = nest_begin(&B, NLA_F_NESTED | 9);
				attr_str(&B, IOT_EGRESS_A_IFNAME, "dup0");
				nest_end(&B, n);
			}
			what = "a WAN name twice";
			doit = true;
			break;
		case 4:
			for (i = k; i < IOT_EGRESS_WAN_MAX + 1; i++) {
				char s[IFNAMSIZ];

				snprintf(s, sizeof(s), "many%d", i);
				n = nest_begin(&B, NLA_F_NESTED | 9);
				attr_str(&B, IOT_EGRESS_A_IFNAME, s);
				nest_end(&B, n);
			}
			what = "33 WAN names";
			doit = true;
			break;
		case 5:
			deep_nest(1 + (int)rnd(40));
			what = "deep nest in the WAN list";
			break;
		case 6:
			attr_raw(&B, 3, (uint16_t)(NLA_HDRLEN + 1 + rnd(3)), "\1\2\3", 3);
			what = "WAN entry too short";
			break;
		default:
			n = nest_begin(&B, NLA_F_NESTED | 9);
			attr(&B, IOT_EGRESS_A_IFNAME, "wan", 3);
			nest_end(&B, n);
			what = "WAN name without NUL";
			break;
		}
		nest_end(&B, list);
		break;
	}
	msg_end(&B);
	E.what = what;
	E.drop_staged_on_err = doit;
}

static void gen_bad_cmd(void)
{
	uint8_t cmd;

	invalid("unknown command");
	switch (rnd(3)) {
	case 0:
		cmd = chance(50) ? 0 : IOT_EGRESS_CMD_EVENT;
		begin(cmd);
		E.what = "command without an operation";
		break;
	case 1:
		cmd = (uint8_t)(IOT_EGRESS_CMD_MAX + 1 + rnd(255 - IOT_EGRESS_CMD_MAX));
		begin(cmd);
		E.what = "unknown command number";
		break;
	default: {
		/* the doit/dumpit each command lacks */
		static const uint8_t nodump[] = {
			IOT_EGRESS_CMD_GET_STATUS, IOT_EGRESS_CMD_SET_DEVICE,
			IOT_EGRESS_CMD_DEL_DEVICE, IOT_EGRESS_CMD_FLUSH,
			IOT_EGRESS_CMD_ADD_WAN, IOT_EGRESS_CMD_DEL_WAN,
			IOT_EGRESS_CMD_SET_DEFAULT, IOT_EGRESS_CMD_LOAD_BEGIN,
			IOT_EGRESS_CMD_LOAD_DEVICES, IOT_EGRESS_CMD_LOAD_COMMIT,
			IOT_EGRESS_CMD_LOAD_ABORT, IOT_EGRESS_CMD_ADD_EXCEPT,
			IOT_EGRESS_CMD_DEL_EXCEPT,
		};

		if (chance(30)) {
			static const uint8_t dumponly[] = {
				IOT_EGRESS_CMD_GET_WAN,
				IOT_EGRESS_CMD_GET_UNKNOWN,
				IOT_EGRESS_CMD_GET_EXCEPT,
			};

			begin(dumponly[rnd(sizeof(dumponly))]);
			E.what = "a dump-only command without NLM_F_DUMP";
		} else {
			msg_begin(&B, family, FL | NLM_F_DUMP,
				  nodump[rnd(sizeof(nodump))]);
			E.what = "NLM_F_DUMP on a command without a dump";
		}
		break;
	}
	}
	E.err = -EOPNOTSUPP;
	E.kind = EXP_EXACT;
	msg_end(&B);
}

/* A genl header cut short: the netlink header is whole. */
static void gen_short_genl(void)
{
	invalid("truncated genl header");
	begin((uint8_t)rnd(IOT_EGRESS_CMD_MAX + 1));
	B.len = NLMSG_HDRLEN + rnd(GENL_HDRLEN);
	msg_end(&B);
	E.kind = EXP_EXACT;
	E.err = -EINVAL;
}

/* A netlink header cut short, or claiming more than was sent: af_netlink
 * drops it without an answer.
 */
static void gen_short_nl(void)
{
	exp_reset("truncated netlink header");
	E.kind = EXP_NOREPLY;
	gen_set_device();
	E.kind = EXP_NOREPLY;
	E.op = OP_NONE;
	switch (rnd(3)) {
	case 0:
		B.len = 1 + rnd(NLMSG_HDRLEN - 1);
		E.what = "truncated netlink header";
		break;
	case 1:
		((struct nlmsghdr *)B.d)->nlmsg_len = (uint32_t)(B.len + 1 + rnd(100));
		E.what = "netlink length beyond the datagram";
		break;
	default:
		((struct nlmsghdr *)B.d)->nlmsg_len = rnd(NLMSG_HDRLEN);
		E.what = "netlink length below its header";
		break;
	}
	n_invalid++;
}

/* A valid state-changing message with random bytes changed: unknown
 * outcome, so the model is read back from the kernel if it took it.
 */
static void gen_mutated(void)
{
	int i, n;

	switch (rnd(4)) {
	case 0:
		gen_set_device();
		break;
	case 1:
		gen_wan(true);
		break;
	case 2:
		gen_set_default();
		break;
	default:
		gen_del_device();
		break;
	}
	n = 1 + (int)rnd(4);
	for (i = 0; i < n; i++) {
		size_t at = NLMSG_HDRLEN + GENL_HDRLEN +
			    rnd((uint32_t)(B.len - NLMSG_HDRLEN - GENL_HDRLEN));

		if (at < B.len)
			B.d[at] ^= (uint8_t)(1 + rnd(255));
	}
	if (chance(20))
		B.len -= rnd((uint32_t)(B.len - NLMSG_HDRLEN - GENL_HDRLEN) + 1);
	msg_end(&B);
	E.kind = EXP_MUTATED;
	E.what = "mutated";
	n_mutated++;
}

/* ---- other sockets: abandoned dumps and loads ---- */

static void abandoned_dump(void)
{
	static const uint8_t cmds[] = { IOT_EGRESS_CMD_GET_DEVICE,
					IOT_EGRESS_CMD_GET_WAN,
					IOT_EGRESS_CMD_GET_UNKNOWN };
	static struct buf b;
	int fd = nl_open(4096);
	char small[512];

	dump_req(&b, cmds[rnd(3)]);
	count_cmd(&b);
	nl_send(fd, b.d, b.len);
	/* a first part, or nothing at all, then away */
	if (chance(50) && recv(fd, small, sizeof(small), MSG_DONTWAIT) < 0 &&
	    errno != EAGAIN)
		violation("recv on an abandoned dump: %s", strerror(errno));
	close(fd);
	n_abandoned++;
	n_dumps++;
}

static void abandoned_load(void)
{
	static struct buf b;
	struct resp r;
	int fd = nl_open(65536), i, k = (int)rnd(4);

	msg_begin(&b, family, FL, IOT_EGRESS_CMD_LOAD_BEGIN);
	msg_end(&b);
	count_cmd(&b);
	nl_send(fd, b.d, b.len);
	receive(fd, msg_seq(&b), &r, NULL);
	/* one load per netns: ours, if staged, keeps the other out */
	if (r.err != (M.staged ? -EBUSY : 0))
		violation("LOAD_BEGIN on a second socket: %d, expected %d",
			  r.err, M.staged ? -EBUSY : 0);
	for (i = 0; i < k && !r.err; i++) {
		size_t list;
		struct ent e = { .idx = (int)rnd(POOL), .policy = 2 };

		msg_begin(&b, family, FL, IOT_EGRESS_CMD_LOAD_DEVICES);
		list = nest_begin(&b, NLA_F_NESTED | IOT_EGRESS_A_DEVICE_LIST);
		{
			size_t n = nest_begin(&b, NLA_F_NESTED | 1);
			uint8_t mac[6];

			pool_mac(e.idx, mac);
			attr(&b, IOT_EGRESS_A_MAC, mac, 6);
			attr_u8(&b, IOT_EGRESS_A_POLICY, e.policy);
			nest_end(&b, n);
		}
		nest_end(&b, list);
		msg_end(&b);
		count_cmd(&b);
		nl_send(fd, b.d, b.len);
		receive(fd, msg_seq(&b), &r, NULL);
		if (r.err)
			violation("LOAD_DEVICES on a second socket: %d", r.err);
	}
	close(fd);
	n_abandoned++;
}

/* ---- the monitor group ---- */

static void check_monitor(bool allowed)
{
	int fd = nl_open(65536), err = 0;

	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &mcgrp_monitor,
		       sizeof(mcgrp_monitor)) < 0)
		err = errno;
	if (allowed && err)
		violation("joining the monitor group: %s", strerror(err));
	if (!allowed && err != EPERM)
		violation("joining the monitor group: %s, expected EPERM",
			  err ? strerror(err) : "allowed");
	close(fd);
}

/* ---- the stream ---- */

static void one_message(void)
{
	unsigned int k = rnd(1000);

	/* valid: about 55% */
	if (k < 40) gen_status();
	else if (k < 170) gen_set_device();
	else if (k < 230) gen_del_device();
	else if (k < 260) gen_get_device();
	else if (k < 290) gen_dump();
	else if (k < 295) gen_flush();
	else if (k < 345) gen_wan(true);
	else if (k < 385) gen_wan(false);
	else if (k < 405) gen_set_default();
	else if (k < 430) gen_load_begin();
	else if (k < 480) gen_load_devices();
	else if (k < 495) gen_load_commit();
	else if (k < 505) gen_load_abort();
	else if (k < 520) gen_not_request();
	/* invalid */
	else if (k < 610) gen_bad_set_device();
	else if (k < 650) gen_bad_mac_cmd();
	else if (k < 690) gen_bad_wan();
	else if (k < 720) gen_bad_default();
	else if (k < 800) gen_bad_load_devices();
	else if (k < 850) gen_bad_load_commit();
	else if (k < 880) gen_bad_cmd();
	else if (k < 900) gen_short_genl();
	else if (k < 920) gen_short_nl();
	else if (k < 970) gen_mutated();
	else if (k < 990) {
		abandoned_dump();
		return;
	} else {
		abandoned_load();
		return;
	}
	exchange();
}

/* Unprivileged: everything the family knows is EPERM. */
static void one_unprivileged(void)
{
	uint8_t cmd;

	one_message_build:
	switch (rnd(10)) {
	case 0:
		gen_short_nl();
		break;
	case 1:
		gen_short_genl();
		break;
	case 2:
		gen_bad_cmd();
		/*
		 * A command that lacks the doit or dumpit asked for: up to
		 * 6.1 genetlink checks the permission first (EPERM); from
		 * 6.2 it looks up the doit or dumpit first (EOPNOTSUPP).
		 * Either way it is refused.
		 */
		if (((struct nlmsghdr *)B.d)->nlmsg_flags & NLM_F_DUMP ||
		    B.d[NLMSG_HDRLEN] == IOT_EGRESS_CMD_GET_WAN ||
		    B.d[NLMSG_HDRLEN] == IOT_EGRESS_CMD_GET_UNKNOWN ||
		    B.d[NLMSG_HDRLEN] == IOT_EGRESS_CMD_GET_EXCEPT) {
			E.err = -EPERM;
			E.err_also = -EOPNOTSUPP;
		}
		break;
	default: {
		unsigned int k = rnd(1000);

		if (k < 100) gen_status();
		else if (k < 200) gen_set_device();
		else if (k < 250) gen_del_device();
		else if (k < 300) gen_get_device();
		else if (k < 400) gen_dump();
		else if (k < 420) gen_flush();
		else if (k < 470) gen_wan(true);
		else if (k < 500) gen_wan(false);
		else if (k < 550) gen_set_default();
		else if (k < 580) gen_load_begin();
		else if (k < 620) gen_load_devices();
		else if (k < 650) gen_load_commit();
		else if (k < 670) gen_load_abort();
		else if (k < 760) gen_bad_set_device();
		else if (k < 820) gen_bad_load_devices();
		else if (k < 870) gen_bad_load_commit();
		else if (k < 900) gen_bad_wan();
		else if (k < 930) gen_bad_default();
		else if (k < 960) gen_bad_mac_cmd();
		else if (k < 990) gen_mutated();
		else {
			abandoned_dump();
			return;
		}
		cmd = B.d[NLMSG_HDRLEN];
		if (cmd == 0 || cmd > IOT_EGRESS_CMD_LOAD_ABORT + 1 ||
		    B.len < NLMSG_HDRLEN + GENL_HDRLEN)
			goto one_message_build;
		E.kind = EXP_EXACT;
		E.err = -EPERM;
		E.op = OP_NONE;
		E.check = CK_NONE;
		E.drop_staged_on_err = false;
		break;
	}
	}
	exchange();
}

/* ---- the dump race ---- */

static struct gdev base[MAXDEVS];
static unsigned int nbase;
static int fd_writer;
static uint8_t writer_mac[6] = { 0x02, 0x77, 0x72, 0x69, 0x74, 0x00 };

static void writer_toggle(int fd, unsigned int last, bool set)
{
	static struct buf b;
	struct resp r;

	writer_mac[5] = (uint8_t)last;
	msg_begin(&b, family, FL, set ? IOT_EGRESS_CMD_SET_DEVICE :
					IOT_EGRESS_CMD_DEL_DEVICE);
	attr(&b, IOT_EGRESS_A_MAC, writer_mac, 6);
	if (set)
		attr_u8(&b, IOT_EGRESS_A_POLICY, IOT_EGRESS_POLICY_ALLOW);
	msg_end(&b);
	nl_send(fd, b.d, b.len);
	receive(fd, msg_seq(&b), &r, NULL);
	if (r.err && r.err != -ENOENT)
		violation("writer: %d %s", r.err, r.extack);
}

static unsigned int forced_toggles;

static void force_change(unsigned int part)
{
	/* after the first part: the next ones must be flagged */
	if (part == 1)
		writer_toggle(fd_writer, 16 + forced_toggles++ % 16, true);
}

static void check_race_dump(const struct resp *r, unsigned long i)
{
	unsigned int a, k = 0;

	for (a = 0; a < r->ndevs; a++) {
		const struct gdev *g = &r->devs[a];

		if (a && mac_cmp(r->devs[a - 1].mac, g->mac) >= 0) {
			violation("dump %lu: not sorted or a device twice: %s after %s%s",
				  i, mac_str(g->mac), mac_str(r->devs[a - 1].mac),
				  r->intr ? " (flagged)" : "");
			return;
		}
		if (!memcmp(g->mac, writer_mac, 5))
			continue;
		if (k >= nbase || mac_cmp(g->mac, base[k].mac) ||
		    g->policy != base[k].policy ||
		    strcmp(g->label, base[k].label)) {
			violation("dump %lu: %s where %s was expected%s", i,
				  mac_str(g->mac),
				  k < nbase ? mac_str(base[k].mac) : "the end",
				  r->intr ? " (flagged)" : "");
			return;
		}
		k++;
	}
	if (k != nbase)
		violation("dump %lu: %u of the %u stable devices%s", i, k, nbase,
			  r->intr ? " (flagged)" : "");
}

static int dump_race(void)
{
	static struct resp r;
	static struct buf b;
	unsigned long i;
	unsigned int a;
	pid_t child;
	int fd = nl_open(4 << 20);

	fd_writer = nl_open(65536);
	dump_req(&b, IOT_EGRESS_CMD_GET_DEVICE);
	nl_send(fd, b.d, b.len);
	receive(fd, msg_seq(&b), &r, NULL);
	if (r.err || r.intr)
		die("the first dump failed: %d", r.err);
	nbase = 0;
	for (a = 0; a < r.ndevs; a++)
		if (memcmp(r.devs[a].mac, writer_mac, 5))
			base[nbase++] = r.devs[a];
	if (nbase < 1000)
		die("--dump-race needs a big table: %u devices", nbase);

	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		int wfd = nl_open(65536);
		unsigned int t;

		for (t = 0;; t++)
			writer_toggle(wfd, t % 16, t / 16 % 2 == 0);
	}
	for (i = 0; i < opt_dump_race; i++) {
		bool forced = i % 2;

		dump_req(&b, IOT_EGRESS_CMD_GET_DEVICE);
		count_cmd(&b);
		nl_send(fd, b.d, b.len);
		receive(fd, msg_seq(&b), &r, forced ? force_change : NULL);
		n_dumps++;
		if (r.err) {
			violation("dump %lu: %d %s", i, r.err, r.extack);
			continue;
		}
		if (r.parts < 3)
			violation("dump %lu came in %u parts: too few to race",
				  i, r.parts);
		if (r.intr)
			n_intr++;
		if (forced) {
			n_forced++;
			if (r.intr)
				n_forced_intr++;
			else
				violation("dump %lu: changed between its parts, not flagged",
					  i);
		}
		check_race_dump(&r, i);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	/* the writer's devices go */
	for (a = 0; a < 32; a++) {
		static struct buf d;
		struct resp rr;

		writer_mac[5] = (uint8_t)a;
		msg_begin(&d, family, FL, IOT_EGRESS_CMD_DEL_DEVICE);
		attr(&d, IOT_EGRESS_A_MAC, writer_mac, 6);
		msg_end(&d);
		nl_send(fd_writer, d.d, d.len);
		receive(fd_writer, msg_seq(&d), &rr, NULL);
	}
	return 0;
}

/* ---- main ---- */

static const char *const cmd_names[NCMDS] = {
	"UNSPEC", "GET_STATUS", "SET_DEVICE", "DEL_DEVICE", "GET_DEVICE",
	"FLUSH", "ADD_WAN", "DEL_WAN", "GET_WAN", "SET_DEFAULT", "LOAD_BEGIN",
	"LOAD_DEVICES", "LOAD_COMMIT", "LOAD_ABORT", "GET_UNKNOWN", "EVENT",
	"other",
};

static void summary(const char *mode, double secs)
{
	int i;

	printf("nlfuzz: mode=%s seed=%" PRIu64 " sent=%lu errors=%lu acks=%lu noreply=%lu invalid=%lu replies=%lu dumps=%lu abandoned=%lu dump_intr=%lu forced=%lu forced_intr=%lu mutated=%lu mutated_accepted=%lu checks=%lu violations=%lu seconds=%.1f msgs_per_sec=%.0f",
	       mode, opt_seed, n_sent, n_err, n_ack, n_noreply, n_invalid,
	       n_replies, n_dumps, n_abandoned, n_intr, n_forced,
	       n_forced_intr, n_mutated, n_mut_ok, n_checks, n_violations,
	       secs, secs > 0 ? n_sent / secs : 0);
	for (i = 0; i < NCMDS; i++)
		printf(" %s=%lu", cmd_names[i], per_cmd[i]);
	printf("\n");
	fflush(stdout);
	if (opt_verbose)
		for (i = 0; i < NCMDS; i++)
			fprintf(stderr, "nlfuzz: %s: %.2f s\n", cmd_names[i],
				per_cmd_time[i]);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nlfuzz [--seed N] [--count N] [--check-every N] [--verbose]\n"
		"       nlfuzz --unprivileged [--no-drop] [--seed N] [--count N]\n"
		"       nlfuzz --dump-race N\n");
}

static void drop_privileges(void)
{
	if (geteuid() != 0 || opt_nodrop)
		return;
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		die("dropping to uid 65534: %s", strerror(errno));
	if (setuid(0) == 0)
		die("could get root back after dropping it");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "check-every", required_argument, NULL, 'c' },
		{ "unprivileged", no_argument, NULL, 'u' },
		{ "no-drop", no_argument, NULL, 'D' },
		{ "dump-race", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct timespec t0, t1;
	const char *mode = "root";
	unsigned long i;
	double secs;
	int c;

	while ((c = getopt_long(argc, argv, "s:n:c:uDr:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'n': opt_count = strtoul(optarg, NULL, 0); break;
		case 'c': opt_check_every = strtoul(optarg, NULL, 0); break;
		case 'u': opt_unpriv = true; break;
		case 'D': opt_nodrop = true; break;
		case 'r': opt_dump_race = strtoul(optarg, NULL, 0); break;
		case 'v': opt_verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	rng_state = opt_seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
	if (!rng_state)
		rng_state = 1;
	init_wan_pool();
	signal(SIGPIPE, SIG_IGN);

	if (opt_unpriv)
		drop_privileges();
	fd_main = nl_open(4 << 20);
	resolve_family(fd_main);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	if (opt_dump_race) {
		mode = "dump-race";
		dump_race();
		if (!n_intr)
			violation("no dump was flagged NLM_F_DUMP_INTR");
	} else if (opt_unpriv) {
		mode = "unprivileged";
		check_monitor(false);
		for (i = 0; i < opt_count;)
			{ unsigned long before = n_sent;

			one_unprivileged();
			i += n_sent - before;
		}
		check_monitor(false);
	} else {
		check_monitor(true);
		resync();
		full_check("start");
		for (i = 0; i < opt_count;) {
			unsigned long before = n_sent, last = i;

			one_message();
			i += n_sent - before;
			if (opt_check_every && i / opt_check_every !=
			    last / opt_check_every)
				full_check("periodic check");
		}
		/* whatever is staged goes with the socket; say so first */
		full_check("end");
		if (M.staged) {
			gen_load_abort();
			exchange();
		}
		check_monitor(true);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	summary(mode, secs);
	if (n_violations)
		fprintf(stderr, "nlfuzz: %lu violations (seed %" PRIu64 ")\n",
			n_violations, opt_seed);
	return n_violations ? 1 : 0;
}
