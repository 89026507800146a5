/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"
#include "holders.h"

/* The one guard before a step that unbinds, destroys or re-creates a device: bind, unbind,
 * restore, every disruptive apply step and the undo of an interrupted run all ask it. */
typedef enum guard_level {
	GUARD_FREE,
	GUARD_IN_USE,     /* a VM or a process holds it: refused unless the admin forces it */
	GUARD_HOST_NEEDS, /* the host runs on it (a mounted file system, swap, the default route):
			   * refused even when forced; the admin moves it first */
} guard_level;

/* What the guard reads once per run, on first use: mounts, swaps, routes, the processes' open
 * VFIO and vhost-vdpa nodes, the interfaces with addresses. */
typedef struct guard {
	vfctl_ctx *ctx;
	const vfctl_host *h;
	bool files_loaded, loaded;
	char *mountinfo, *swaps, *route4, *route6;
	open_node *open; /* /dev/vfio/N and /dev/vhost-vdpa-N held by a process */
	size_t n_open;
	int *addrs; /* ifindexes with an address (not link-local) */
	size_t n_addrs;
} guard;

void guard_init(guard *g, vfctl_ctx *ctx, const vfctl_host *h);
void guard_done(guard *g);

/* Who needs device d, found in the host g was given: the host (its file systems, swap, default
 * route), a VM (its VFIO group, a vhost-vdpa device on it), or a process (its netdev in another
 * namespace or up with addresses). A PF's VFs count as its own: unbinding a PF destroys them.
 * *ret_why names the first holder found (NULL and GUARD_FREE when none). */
int guard_device(guard *g, const vfctl_device *d, guard_level *ret_level, char **ret_why);

/* The interface carrying a default route (IPv4 or IPv6) that is netdev or sits on it (a bridge,
 * bond, VLAN or macvlan above it), NULL when none. */
char *guard_default_route(guard *g, const char *netdev);

/* A representor netdev in use: enslaved (bridge, OVS, bond) or up with addresses. */
int guard_representor(guard *g, const char *rep, char **ret_why);

/* The process holding path open (/dev/vhost-vdpa-0), 0 when none; its name into *ret_comm. */
int guard_fd_holder(guard *g, const char *path, int *ret_pid, char **ret_comm);
