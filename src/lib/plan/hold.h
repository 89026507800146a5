/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"

/* What vfctl bind holds for a VM, through the apply engine (hold.c). The caller holds the host
 * lock (run_lock) and passes the host as it scanned it; *h is the host as the call leaves it. */

/* c's [Device] units (validated here against *h) applied unit by unit, after the undo of any
 * interrupted run; each unit that changed its device keeps its prior state as the device's record
 * under RUN_HOLD_DIR (journal_hold). On a failure every unit of the call goes back and the records
 * it created go with them. */
int hold_apply(vfctl_ctx *ctx, vfctl_config *c, vfctl_host **h, const vfctl_apply_opts *o);
/* The undo of the runs that died half-way (an apply's, a bind's), as apply does first. */
int hold_recover(vfctl_ctx *ctx, vfctl_host **h, const vfctl_apply_opts *o);
/* Gives dev back: its record rolled back by the engine (the guard asked first: a VM holding the
 * device keeps it unless o->force), the record removed once the device is as it says. */
int hold_restore(vfctl_ctx *ctx, const char *dev, vfctl_host **h, const vfctl_apply_opts *o);
/* The devices held: their records' names. */
int hold_list(vfctl_ctx *ctx, char ***ret, size_t *ret_n);
