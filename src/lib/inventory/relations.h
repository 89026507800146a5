/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vfctl/vfctl.h"

/* Relations between devices that several commands ask about, each decided here once. */

/* A selection (vfctl_select) as one flag per h->devices entry: *ret NULL for every device. -ENODEV
 * or -ERANGE (vfctl_host_resolve) with *ret_bad (optional) the argument's index. */
int select_mask(const vfctl_host *h, const vfctl_select *sel, bool **ret, size_t *ret_bad);

/* Are a and b functions of one PCI slot (domain, bus, device)? False for non-PCI devices. */
bool same_slot(const vfctl_device *a, const vfctl_device *b);
/* Address order; non-PCI devices after every PCI one, by name. */
int device_cmp(const vfctl_device *a, const vfctl_device *b);

/* Does p hold d's INTx line: another device with a pin on the same IRQ and a driver bound
 * (vfio-pci included) that has not switched it to MSI or MSI-X. QEMU's VFIO_DEVICE_SET_IRQS fails
 * with EBUSY on such a line unless d can mask INTx. */
bool intx_holds_line(const vfctl_device *d, const vfctl_device *p);
/* p has a driver on d's INTx line, but whether it switched to MSI/MSI-X cannot be read (a 64-byte
 * config read: not root). Never counted as a holder: unknown is not yes. */
bool intx_line_unknown(const vfctl_device *d, const vfctl_device *p);
/* Those holders as "ID (driver), ...", NULL when none (or out of memory). */
char *intx_line_holders(const vfctl_host *h, const vfctl_device *d);
/* The other endpoints of d's IOMMU group still on a host driver (bound, not to vfio-pci; bridges
 * do not count): what makes the group not viable for VFIO. "ID (driver), ...", NULL when none. */
char *group_host_members(const vfctl_host *h, const vfctl_device *d);
