/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cutting the open connections of denied devices. See cut.c.
 */
#ifndef _IOT_CUT_H
#define _IOT_CUT_H

#include "cfg.h"

unsigned int iot_cut(struct net *net, struct iot_cfg __rcu **live,
		     const u8 *mac);

#endif /* _IOT_CUT_H */
