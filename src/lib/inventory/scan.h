/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* The snapshot vfctl_host_scan() gives, restricted to one PF (a PCI address, or a non-PCI PF's
 * device name) and its VFs: what a plan of its [PF] section reads, and nothing of the rest of the
 * host. A verify or a rollback re-reads only what the run touched. */
int host_scan_pf(vfctl_ctx *ctx, const char *pf, vfctl_host **ret);
