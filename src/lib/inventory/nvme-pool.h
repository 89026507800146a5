/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Fills nvme_ctrl, the pools and each VF's secondary controller of every NVMe PF (after the VFs
 * are linked to their PFs). */
int nvme_pools_scan(vfctl_ctx *ctx, vfctl_host *h);
