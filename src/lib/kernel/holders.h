/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* The first process holding /dev/vfio/<group> open (a VM), 0 if none; ret_comm gets its name. */
int vfio_group_holder(vfctl_ctx *ctx, int group, int *ret_pid, char **ret_comm);

/* A VFIO group or vhost-vdpa node some process holds open (what a VM holds). */
typedef struct open_node {
	char *path; /* /dev/vfio/22, /dev/vhost-vdpa-0 */
	int pid;
} open_node;
/* Every process's open /dev/vfio/N and /dev/vhost-vdpa-N, in one pass over /proc; a process that
 * exits meanwhile, or whose fds are not ours to read, is passed over. */
int open_nodes(vfctl_ctx *ctx, open_node **ret, size_t *ret_n);
void open_nodes_free(open_node *v, size_t n);
/* The process holding path among v (0 when none), its name into *ret_comm. */
int open_node_holder(vfctl_ctx *ctx, const open_node *v, size_t n, const char *path, int *ret_pid, char **ret_comm);

/* The ifindexes that have an IPv4 or IPv6 address (one RTM_GETADDR dump). */
int holders_addresses(vfctl_ctx *ctx, int **ret, size_t *ret_n);
/* A representor netdev in use: enslaved (bridge, OVS, bond) or up with addresses. */
int representor_holder(vfctl_ctx *ctx, const char *rep, const int *addrs, size_t n_addrs, char **ret);
