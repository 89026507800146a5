/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* The host-wide lock <rundir>/vfctl.lock (flock): every vfctl run that changes the host takes it.
 * Waits up to 60 s for another run, saying so through report. Returns the fd to close. */
/* How long a run waits for another one: a command at a terminal gives up after a minute; a boot
 * run waits almost as long as vfctl.service lets it start (TimeoutStartSec=15min), since a boot
 * run that gives up leaves the host unconfigured. */
#define RUN_LOCK_WAIT_S      60
#define RUN_LOCK_WAIT_BOOT_S (14 * 60)
int run_lock(vfctl_ctx *ctx, const char *rundir, int wait_s, void (*report)(void *, const char *), void *userdata);
