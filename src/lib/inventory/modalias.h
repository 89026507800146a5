/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Fills vf_default_driver and vf_vfio_variant of every SR-IOV PF and vfio_variant of its VFs, and
 * of other devices when a plan may bind them to vfio-pci or they are on a VFIO driver (NULL when
 * the module index has none). */
int vf_default_drivers(vfctl_ctx *ctx, vfctl_host *h);

/* The first module modules.alias gives for d's modalias that is loaded now: the driver that
 * should have bound it. 0 and *ret NULL when none is. */
int modalias_loaded_driver(vfctl_ctx *ctx, const vfctl_host *h, const vfctl_device *d, char **ret);
/* Whether the module of a driver ("igbvf", "vfio-pci") is loaded. */
bool driver_module_loaded(vfctl_ctx *ctx, const char *driver);
