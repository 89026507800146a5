/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Under the run directory: apply's journals while a run goes on (one left behind is an interrupted
 * run), and the prior states of the devices vfctl bind holds until vfctl restore (same format,
 * same checks). */
#define RUN_JOURNAL_DIR "vfctl/journal"
#define RUN_HOLD_DIR    "vfctl/bind"

/* Fills h->runs with the apply runs that stopped half-way (h->runs_known: the directory could be
 * read). */
int runs_scan(vfctl_ctx *ctx, vfctl_host *h);
void runs_free(vfctl_host *h);
/* One progress line of a journal (pid, started, steps, done, last) into run: 1 when key is one of
 * them, 0 when not, -EINVAL for a malformed value. The journal's writer and both readers (status
 * here, apply's recovery) share the format. */
int run_progress_key(vfctl_interrupted_run *run, const char *key, const char *value);
/* Reads the journal name under rundir/subdir (RUN_JOURNAL_DIR, RUN_HOLD_DIR) into *ret (and its text, when ret_text is
 * not NULL): progress, and in ret->unusable why it must not be replayed (empty, malformed, another boot, another device
 * or kind, a value vfctl never writes, a device= that is not its file name), checked against h when given. -errno (no
 * context error) when it cannot be read. */
int run_journal_read(vfctl_ctx *ctx, const vfctl_host *h, const char *rundir, const char *subdir, const char *name,
		     char **ret_text, vfctl_interrupted_run *ret);
void run_done(vfctl_interrupted_run *run);
/* This boot's id (/proc/sys/kernel/random/boot_id), which each journal records. */
int run_boot_id(vfctl_ctx *ctx, char **ret);
