/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"
#include "vm-holders.h"

/* The first process holding /dev/vfio/<group> open (a VM), 0 if none; ret_comm gets its name. */
int vfio_group_holder(vfctl_ctx *ctx, int group, int *ret_pid, char **ret_comm);

/* The ifindexes that have an IPv4 or IPv6 address (one RTM_GETADDR dump). */
int holders_addresses(vfctl_ctx *ctx, int **ret, size_t *ret_n);
/* A representor netdev in use: enslaved (bridge, OVS, bond) or up with addresses. */
int representor_holder(vfctl_ctx *ctx, const char *rep, const int *addrs, size_t n_addrs, char **ret);
