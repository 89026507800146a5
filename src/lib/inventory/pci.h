/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Fills d from bus/pci/devices/<name>: ids, driver, IOMMU group, NUMA node, netdevs, interrupts,
 * config-space capabilities and the PF's SR-IOV files. VF lists are linked later (host.c). */
int pci_device_scan(vfctl_ctx *ctx, const char *name, vfctl_device *d);
/* The netdevs below <devpath>/net. */
int netdevs_scan(vfctl_ctx *ctx, const char *devpath, vfctl_netdev **ret, size_t *ret_n);
/* A netdev's address and operstate from sysfs, where the rtnetlink dump did not give them. */
void netdev_read_sysfs(vfctl_ctx *ctx, const char *devpath, vfctl_netdev *nd);
/* pci.ids names (libpci; not thread-safe: after the scan). */
void pci_lookup_names(vfctl_ctx *ctx, vfctl_device *d);
void pci_read_numa(vfctl_ctx *ctx, vfctl_device *d);
/* Every field unknown (-1 / NULL), as the snapshot's conventions want. */
void pci_device_init(vfctl_device *d);
void pci_device_done(vfctl_device *d);
