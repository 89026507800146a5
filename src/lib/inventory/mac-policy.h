/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "vfctl/vfctl.h"

/* MACAddress=persistent: a VF's MAC derived from the machine id, its PF's identity and its index,
 * as systemd's MACAddressPolicy=persistent derives a netdev's from the machine id and its name:
 * the same after every reboot and re-creation of the VFs, different on another host, locally
 * administered and unicast. The PF's identity is its permanent MAC, which follows the card to
 * another slot; without one (no netdev, a driver that reports none), its PCI address.
 * -ENOKEY without a machine id (h->machine_id NULL). */
int persistent_mac(const vfctl_host *h, const vfctl_device *pf, int vf, char out[18]);
/* Whether mac is what persistent_mac gives that VF. */
bool is_persistent_mac(const vfctl_host *h, const vfctl_device *pf, int vf, const char *mac);
