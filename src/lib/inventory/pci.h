/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pthread.h>

#include "ctx.h"
#include "netdevs.h"

/* Fills d from bus/pci/devices/<name>: ids, driver, IOMMU group, NUMA node, netdevs, interrupts,
 * config-space capabilities and the PF's SR-IOV files. VF lists are linked later (host.c). */
int pci_device_scan(vfctl_ctx *ctx, const netdev_map *nets, const char *name, vfctl_device *d);
/* Parses pci.ids on a thread of its own while the scan reads sysfs: 1 when *ret was started
 * (join it before any other use of libpci or ctx->names), 0 when there is nothing to do. */
int pci_names_prefetch(vfctl_ctx *ctx, pthread_t *ret);
/* pci.ids names (libpci; not thread-safe: after the scan). */
void pci_lookup_names(vfctl_ctx *ctx, vfctl_device *d);
/* The kernel's ids of a device whose ids came from config space: its PF's for a VF (pf), else
 * uevent's. -ENODEV: the device went away since its config space was read. */
int pci_fix_ids(vfctl_ctx *ctx, vfctl_device *d, const vfctl_device *pf);
void pci_read_numa(vfctl_ctx *ctx, vfctl_device *d);
/* Every field unknown (-1 / NULL), as the snapshot's conventions want. */
void pci_device_init(vfctl_device *d);
void pci_device_done(vfctl_device *d);
