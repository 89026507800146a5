/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"
#include "netdevs.h"

/* Builds every PF's VF list from its virtfnN links (PCI) or sriov_numvfs (other buses) and
 * marks each VF device with its PF and index. */
int sriov_link_vfs(vfctl_ctx *ctx, vfctl_host *h);
/* VF idx's address as the kernel numbers it (pci_iov_virtfn_bus/devfn): the PF's routing ID plus
 * First VF Offset plus idx times VF Stride, from config space. False when the capability was not
 * read (not root) or does not match sriov_numvfs (changing). */
bool sriov_vf_addr(const vfctl_device *pf, uint32_t idx, char *buf, size_t size);
/* The same for a VF that does not exist yet (a plan's): from the capability as read, whatever the
 * count. False when the capability was not read. */
bool sriov_rid_addr(const vfctl_device *pf, uint32_t idx, char *buf, size_t size);
/* Non-PCI PFs: net devices whose device directory has sriov_numvfs (netdevsim). Appended. */
int sriov_scan_nonpci(vfctl_ctx *ctx, vfctl_host *h, const netdev_map *nets);
/* Fills each PF's VF settings from one RTM_GETLINK per PF, and every netdev's ifindex and
 * permanent MAC from one RTM_GETLINK dump. */
int sriov_read_settings(vfctl_ctx *ctx, vfctl_host *h);
