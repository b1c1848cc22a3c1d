/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API differences between 5.10 and 7.3, all in one place.
 *
 * kmod/Kbuild force-includes this file into every file of the module and
 * passes -DIOT_HAVE_<what> for each API the kernel's own headers declare.
 * The headers decide, not the version number: stable and distribution
 * kernels backport changes, and a version check would then lie. The rest
 * of the module is written against the newest API.
 *
 * Each shim says which kernel changed the API.
 */
#ifndef _IOT_COMPAT_H
#define _IOT_COMPAT_H

#include <linux/kernel.h>

/* 6.12 moved <asm/unaligned.h> to <linux/unaligned.h>. */
#ifdef IOT_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 5.11 renamed nla_strlcpy() to nla_strscpy(), which also says when it
 * had to truncate.
 */
#ifndef IOT_HAVE_NLA_STRSCPY
#include <net/netlink.h>

static inline ssize_t iot_compat_nla_strscpy(char *dst,
					     const struct nlattr *nla,
					     size_t dstsize)
{
	size_t len = nla_strlcpy(dst, nla, dstsize);

	return len >= dstsize ? -E2BIG : (ssize_t)len;
}

#define nla_strscpy iot_compat_nla_strscpy
#endif

/* 6.1 added GENL_REQ_ATTR_CHECK(), which also reports the missing
 * attribute's type in the extack; older kernels have no field for it.
 */
#ifndef IOT_HAVE_GENL_REQ_ATTR_CHECK
#define GENL_REQ_ATTR_CHECK(info, attr) (!(info)->attrs[(attr)])
#endif

/* Who may subscribe to a multicast group: 6.7 added the group flag
 * GENL_MCAST_CAP_NET_ADMIN (backported to 6.1.y). 5.10.y instead got a
 * cap_sys_admin bit when drop_monitor needed one. A kernel with neither
 * lets anyone subscribe, so the monitor then sends nothing at all.
 */
#if defined(IOT_HAVE_GENL_MCAST_CAP_NET_ADMIN)
#define IOT_MCGRP_ADMIN_ONLY		.flags = GENL_MCAST_CAP_NET_ADMIN
#define IOT_MCGRP_RESTRICTED		true
#elif defined(IOT_HAVE_GENL_MCGRP_CAP_SYS_ADMIN)
#define IOT_MCGRP_ADMIN_ONLY		.cap_sys_admin = 1
#define IOT_MCGRP_RESTRICTED		true
#else
#define IOT_MCGRP_ADMIN_ONLY		.flags = 0
#define IOT_MCGRP_RESTRICTED		false
#endif

/* 5.19 folded the netns, data, portid and report arguments of
 * nf_ct_iterate_cleanup_net() into one struct nf_ct_iter_data. The cut
 * calls it through a pointer from symbol_get(): @fn.
 */
#ifdef IOT_HAVE_NF_CT_ITER_DATA
#define iot_ct_iterate(fn, iter, netns, priv)				\
	fn((iter), &(const struct nf_ct_iter_data){			\
		.net = (netns), .data = (priv) })
#else
#define iot_ct_iterate(fn, iter, netns, priv)				\
	fn((netns), (iter), (priv), 0, 0)
#endif

#endif /* _IOT_COMPAT_H */
