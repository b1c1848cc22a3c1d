/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_FUZZ_FAKE_NETLINK_H
#define IOTCTL_FUZZ_FAKE_NETLINK_H

/*
 * A test double of netlink.h for the command line fuzzer: no socket, no
 * kernel. Every request fails in the way the mode says, or succeeds with
 * empty results.
 */

enum fake_nl_mode {
	FAKE_NL_NO_FAMILY,	/* iot_nl_open() fails: module not loaded */
	FAKE_NL_EPERM,		/* every request: the kernel says EPERM */
	FAKE_NL_EXTACK,		/* ... EINVAL with an extack message */
	FAKE_NL_ENOENT,		/* ... ENOENT, no message */
	FAKE_NL_DUMP_INTR,	/* ... the table kept changing */
	FAKE_NL_BAD_REPLY,	/* ... a reply that makes no sense */
	FAKE_NL_LOCAL,		/* ... out of memory, socket failure */
	FAKE_NL_EMPTY,		/* every request succeeds; nothing in tables */
	FAKE_NL_MODES
};

void fake_nl_set_mode(enum fake_nl_mode mode);

/* Sockets opened and not closed yet: must be 0 after each command. */
int fake_nl_open_count(void);

#endif
