/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Host-wide facts: IOMMU units and groups, the kernel command line, CPU vendor, vfio modules. */
int host_info_scan(vfctl_ctx *ctx, vfctl_host *h);
/* State of a module by name (dashes and underscores are the same), for the kernel release given;
 * the module lists are read once per context. */
vfctl_module_state module_state(vfctl_ctx *ctx, const char *release, const char *name);
