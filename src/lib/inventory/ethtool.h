/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Whether netdev feature (ethtool -k's name: "hw-tc-offload") is active on ifname: 1 or 0, or a
 * negative errno (with the error in ctx) when the kernel did not say. */
int netdev_feature_active(vfctl_ctx *ctx, const char *ifname, const char *feature);
