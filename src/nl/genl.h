/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "nl.h"

/* The id of a generic netlink family ("devlink", "vdpa"): -ENOENT when the kernel has none (the
 * module is not loaded, or the kernel predates it). */
int genl_family(nl_sock *s, const char *name, uint16_t *ret);
/* nlmsghdr + genlmsghdr for family/cmd; flags besides NLM_F_REQUEST. */
struct nlmsghdr *genl_msg(char *buf, uint16_t family, uint8_t cmd, uint16_t flags);
