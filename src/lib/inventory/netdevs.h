/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Every netdev of this network namespace and the device directory it sits in, from one listing
 * of class/net and a readlink per netdev: no device's net/ directory is opened. */
typedef struct netdev_ref {
	char *parent; /* the device directory's name: "0000:01:00.0", "netdevsim1", "lo"'s "net" */
	char *name;
	char *target; /* the link's whole target, for what is not a PCI function */
} netdev_ref;

typedef struct netdev_map {
	netdev_ref *v; /* sorted by parent, then name */
	size_t n;
} netdev_map;

int netdev_map_build(vfctl_ctx *ctx, netdev_map *m);
void netdev_map_done(netdev_map *m);
/* The netdevs of the device named parent, whose directory is devpath (sorted by name); address
 * and operstate read from sysfs only without rtnetlink. Safe from several threads on one map. */
int netdevs_of(vfctl_ctx *ctx, const netdev_map *m, const char *parent, const char *devpath, vfctl_netdev **ret,
	       size_t *ret_n);
/* A netdev's address and operstate from sysfs, where the rtnetlink dump did not give them. */
void netdev_read_sysfs(vfctl_ctx *ctx, const char *devpath, vfctl_netdev *nd);
