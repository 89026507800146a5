/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* The host-wide lock <rundir>/vfctl.lock (flock): every vfctl run that changes the host takes it.
 * Waits up to 60 s for another run, saying so through report. Returns the fd to close. */
int run_lock(vfctl_ctx *ctx, const char *rundir, void (*report)(void *, const char *), void *userdata);
