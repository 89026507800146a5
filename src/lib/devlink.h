/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* devlink over generic netlink: eswitch mode and ports. A devlink instance is bus/dev:
 * "pci"/"0000:06:00.0" or "netdevsim"/"netdevsim10". */
typedef struct devlink_eswitch {
	int mode;        /* DEVLINK_ESWITCH_MODE_LEGACY 0, _SWITCHDEV 1; -1 unknown */
	int inline_mode; /* DEVLINK_ESWITCH_INLINE_MODE_*; -1 not reported */
	int encap_mode;  /* DEVLINK_ESWITCH_ENCAP_MODE_*; -1 not reported */
} devlink_eswitch;

int devlink_eswitch_get(vfctl_ctx *ctx, const char *bus, const char *dev, devlink_eswitch *ret);
int devlink_eswitch_set(vfctl_ctx *ctx, const char *bus, const char *dev, int mode);

typedef struct devlink_port {
	char bus[32], dev[64];
	uint32_t index;
	int flavour, pfnum, vfnum, controller;
	bool external;
	char netdev[64];
} devlink_port;

/* Every devlink port of every instance (one dump). */
int devlink_ports(vfctl_ctx *ctx, devlink_port **ret, size_t *ret_n);
/* The devlink instance of a device: ("pci", id) or (bus, id). */
void devlink_handle(const vfctl_device *d, const char **bus, const char **dev);
