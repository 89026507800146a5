/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Fills h->runs with the apply runs that stopped half-way (h->runs_known: the directory could be
 * read). */
int runs_scan(vfctl_ctx *ctx, vfctl_host *h);
void runs_free(vfctl_host *h);
/* One progress line of a journal (pid, started, steps, done, last) into run: 1 when key is one of
 * them, 0 when not, -EINVAL for a malformed value. The journal's writer and both readers (status
 * here, apply's recovery) share the format. */
int run_progress_key(vfctl_interrupted_run *run, const char *key, const char *value);
