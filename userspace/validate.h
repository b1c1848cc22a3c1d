/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTCTL_VALIDATE_H
#define IOTCTL_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool ifname_valid(const char *s);
bool label_valid(const char *s, char *why, size_t why_size);
bool count_parse(const char *s, uint64_t *n);

#endif
