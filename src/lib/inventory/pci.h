/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <pthread.h>

#include "ctx.h"
#include "netdevs.h"

/* Fills d from bus/pci/devices/<name>: ids, driver, IOMMU group, NUMA node, netdevs, interrupts,
 * config-space capabilities and the PF's SR-IOV files. VF lists are linked later (host.c). */
int pci_device_scan(vfctl_ctx *ctx, const netdev_map *nets, const char *name, vfctl_device *d);
/* pci.ids parsed on a thread of its own while the scan reads sysfs: the thread owns np, nothing
 * of the context; pci_names_join hands its libpci handle to the context (or turns names off). */
typedef struct names_prefetch {
	pthread_t thread;
	bool started;
	struct pci_access *pacc; /* the thread's result, read after the join */
} names_prefetch;
void pci_names_prefetch(const vfctl_ctx *ctx, names_prefetch *np);
void pci_names_join(vfctl_ctx *ctx, names_prefetch *np);
/* pci.ids names (libpci; not thread-safe: after the scan). */
void pci_lookup_names(vfctl_ctx *ctx, vfctl_device *d);
/* The kernel's ids of a device whose ids came from config space: its PF's for a VF (pf), else
 * uevent's. -ENODEV: the device went away since its config space was read. */
int pci_fix_ids(vfctl_ctx *ctx, vfctl_device *d, const vfctl_device *pf);
void pci_read_numa(vfctl_ctx *ctx, vfctl_device *d);
/* Every field unknown (-1 / NULL), as the snapshot's conventions want. */
void pci_device_init(vfctl_device *d);
void pci_device_done(vfctl_device *d);

/* Whether a driver is vfio-pci or one of its variants (the device is then a VFIO device). */
bool driver_is_vfio(const char *driver);
