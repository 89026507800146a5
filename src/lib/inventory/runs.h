/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Fills h->runs with the apply runs that stopped half-way (h->runs_known: the directory could be
 * read). */
int runs_scan(vfctl_ctx *ctx, vfctl_host *h);
void runs_free(vfctl_host *h);
