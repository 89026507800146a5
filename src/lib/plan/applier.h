/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plan.h"

/* One apply run: what its parts (apply.c, exec.c, journal.c) share. */
typedef struct applier {
	vfctl_ctx *ctx;
	const vfctl_apply_opts *o;
	const char *rundir;
	int fail_at; /* a test build's fault hook (test_hooks), 0 off */
	int counter; /* steps run so far (rollback steps not counted) */
} applier;

/* One progress line through the caller's report callback. */
void applier_say(applier *a, const char *fmt, ...) _printf_(2, 3);

/* Carries out one step against the host the plan was made from. */
int exec_step(applier *a, const vfctl_host *h, const plan_step *s);
/* Who uses what a disruptive step of p would destroy or unbind: *ret describes the first holder,
 * NULL when nobody. */
int check_holders(applier *a, const vfctl_host *h, const vfctl_plan *p, char **ret);

/* How far a run got with a unit, as its journal records it: the public vfctl_interrupted_run
 * (device unused: the unit names it). The writer's last_step points at the step's text. */
typedef vfctl_interrupted_run journal_run;

/* The prior state of a unit and the run's progress, written (atomically, durably) before its first
 * change and after each step: the next run restores it if this one dies (rollback within a run
 * uses the copy in memory). */
int journal_write(applier *a, const journal_run *j, const conf_unit *prior);
void journal_remove(applier *a, const char *dev);
/* The journals left under the run directory (file names, one per device). */
int journal_list(applier *a, char ***ret, size_t *ret_n);
int journal_load(applier *a, const char *name, conf_unit *ret, journal_run *ret_run);
/* Parses a journal's text (consumed); -EINVAL when it names no device or a value is malformed. */
int journal_parse(char *text, conf_unit *ret, journal_run *ret_run);
