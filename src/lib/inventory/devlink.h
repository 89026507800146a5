/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"
#include "devlink-msg.h"

/* devlink over generic netlink: eswitch mode and ports. A devlink instance is bus/dev:
 * "pci"/"0000:06:00.0" or "netdevsim"/"netdevsim10". */
int devlink_eswitch_get(vfctl_ctx *ctx, const char *bus, const char *dev, devlink_eswitch *ret);
int devlink_eswitch_set(vfctl_ctx *ctx, const char *bus, const char *dev, int mode);

/* Sets the capabilities in mask (DEVLINK_PORT_FN_CAP_*) of port's function to value's bits; what
 * says it in errors as devlink(8) would ("migratable enable"). */
int devlink_port_fn_caps_set(vfctl_ctx *ctx, const char *bus, const char *dev, uint32_t port, uint32_t mask,
			     uint32_t value, const char *what);
/* Sets the MAC of port's function (the VF's, as its driver will see it). */
int devlink_port_fn_hw_addr_set(vfctl_ctx *ctx, const char *bus, const char *dev, uint32_t port, const uint8_t mac[6]);
/* Sets the rate leaf of port: guaranteed (tx_share) and maximum (tx_max) in Mbit/s, 0 for none. */
int devlink_rate_leaf_set(vfctl_ctx *ctx, const char *bus, const char *dev, uint32_t port, uint32_t share_mbit,
			  uint32_t max_mbit);
/* Rate node name: DEVLINK_CMD_RATE_NEW, _SET (tx_share, tx_max in Mbit/s, 0 none) or _DEL. */
int devlink_rate_node(vfctl_ctx *ctx, uint8_t cmd, const char *bus, const char *dev, const char *name,
		      uint32_t share_mbit, uint32_t max_mbit);
/* Port's leaf under node parent ("" none). */
int devlink_rate_parent_set(vfctl_ctx *ctx, const char *bus, const char *dev, uint32_t port, const char *parent);
/* Every rate object of every instance (one dump). */
int devlink_rates(vfctl_ctx *ctx, devlink_rate **ret, size_t *ret_n);
#define DEVLINK_BYTES_PER_MBIT (1000 * 1000 / 8)
/* Every devlink port of every instance (one dump). */
int devlink_ports(vfctl_ctx *ctx, devlink_port **ret, size_t *ret_n);
/* The devlink instance of a device: ("pci", id) or (bus, id). */
void devlink_handle(const vfctl_device *d, const char **bus, const char **dev);
