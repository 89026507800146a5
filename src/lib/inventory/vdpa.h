/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* vdpa over generic netlink (the family iproute2's `vdpa` uses). A management device is
 * "bus/dev" ("pci/0000:06:00.2") or just "dev" ("vdpasim_net"). */
int vdpa_scan(vfctl_ctx *ctx, vfctl_host *h);

typedef struct vdpa_new {
	const char *name, *mgmtdev;
	uint8_t mac[6];
	bool has_mac;
	int mtu, max_vqp; /* -1: the device's default */
} vdpa_new;

int vdpa_dev_add(vfctl_ctx *ctx, const vdpa_new *n);
int vdpa_dev_del(vfctl_ctx *ctx, const char *name);
