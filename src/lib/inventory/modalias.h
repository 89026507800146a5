/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Fills vf_default_driver of every SR-IOV PF (NULL when the module index has none). */
int vf_default_drivers(vfctl_ctx *ctx, vfctl_host *h);
