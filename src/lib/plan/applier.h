/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plan.h"

/* One apply run: what its parts (apply.c, exec.c, journal.c) share. */
typedef struct applier {
	vfctl_ctx *ctx;
	const vfctl_apply_opts *o;
	const char *rundir;
	int fail_at; /* VFCTL_TEST_FAIL_STEP: the test-only fault hook, 0 off */
	int counter; /* steps run so far (rollback steps not counted) */
} applier;

/* One progress line through the caller's report callback. */
void applier_say(applier *a, const char *fmt, ...) _printf_(2, 3);

/* Carries out one step against the host the plan was made from. */
int exec_step(applier *a, const vfctl_host *h, const plan_step *s);
/* Who uses what a disruptive step of p would destroy or unbind: *ret describes the first holder,
 * NULL when nobody. */
int check_holders(applier *a, const vfctl_host *h, const vfctl_plan *p, char **ret);

/* The prior state of a unit, written before its first change for an admin to read if vfctl dies
 * mid-run (rollback itself uses the copy in memory). */
int journal_write(applier *a, const conf_unit *prior);
void journal_remove(applier *a, const char *dev);
