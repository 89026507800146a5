/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "vfctl/vfctl.h"

/* The PF's permanent MAC as its netdev reports it, NULL when none is reported or it is all-zero. */
const char *pf_perm_mac(const vfctl_device *pf);
/* A PF named so that a firmware update or a card added elsewhere, which renumber PCI addresses and
 * IOMMU groups, do not rename it: "mac:PERMANENT-MAC" (it follows the card to another slot), else
 * "path:pci-ADDRESS" (udev's ID_PATH: the slot). The forms Match= takes, so a reference can be
 * pasted into a configuration. */
void pf_stable_id(const vfctl_device *pf, char *buf, size_t size);
/* The PF a stable id names, NULL when none (or when it is not one of the two forms). */
const vfctl_device *pf_by_stable_id(const vfctl_host *h, const char *id);
