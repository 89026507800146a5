/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "guard.h"
#include "plan.h"

/* One apply run: what its parts (apply.c, exec.c, journal.c) share. */
typedef struct applier {
	vfctl_ctx *ctx;
	const vfctl_apply_opts *o;
	const char *rundir;
	int fail_at;         /* a test build's fault hook (test_hooks), 0 off */
	int counter;         /* steps run so far (rollback steps not counted); a PF worker starts at the
			      * number its steps would have had in a run one PF after the other */
	const int *abort;    /* PF workers of one run: set when another PF failed (not at boot) */
	const char *boot_id; /* this boot's, written into each journal; NULL when unknown */
	char **blocked;      /* devices whose interrupted run could not be undone (the guard refused) */
	size_t n_blocked;
	const char *unit;        /* the device of the unit being applied, for events; NULL between units */
	const char *journal_dir; /* under rundir: NULL for RUN_JOURNAL_DIR; restore reads RUN_HOLD_DIR */
	bool hold;               /* vfctl bind: a unit done keeps its journal as the device's record */
	bool no_force;           /* apply --prune: what is in use is refused, --force or not */
} applier;

/* A run's applier: the run directory, this boot's id (into *boot_id, the caller frees it) and a
 * test build's fault hook. */
void applier_init(applier *a, vfctl_ctx *ctx, const vfctl_apply_opts *o, char **boot_id);
/* A report line about a step, which its STEP/STEP_DONE events describe: no MESSAGE event. */
void applier_step_line(applier *a, const char *fmt, ...) _printf_(2, 3);
/* An event to the caller's opts->event, with the applier's unit when e names none. */
void applier_event(applier *a, const vfctl_event *e);
/* How a unit ended, as an event (its prose line is said separately); where: its section's FILE:LINE
 * when it has no device (skipped at boot), else NULL. */
void applier_unit_done(applier *a, const char *unit, vfctl_unit_outcome o, const char *where);
/* A step's start (r and error ignored) or end, as an event. */
void applier_step_event(applier *a, vfctl_event_kind kind, const plan_step *s, size_t i, size_t n, bool undo, int r,
			const char *error, double seconds);

/* The undo of every run that died mid-way and left its journal (apply.c), under the lock, before
 * anything else changes the host: *h read again after each. A journal that must not be replayed is
 * reported and left; a device whose undo the guard refused is listed in a->blocked. */
int applier_recover(applier *a, vfctl_host **h);
/* dev when its interrupted run could not be undone (applier_recover): nothing may change it. */
const char *applier_blocked(const applier *a, const char *dev);
/* The host read again into *h (freed first). */
int applier_rescan(applier *a, vfctl_host **h);
/* A signal asked the run to stop, or another PF of the run failed. */
bool applier_cancelled(const applier *a);
/* Plans unit ui from h, runs it step by step (journaled) and re-reads the host to verify: the whole
 * host into *after, or (after NULL) only what the unit touched (apply-unit.c). */
int apply_unit(applier *a, const vfctl_config *c, size_t ui, const vfctl_host *h, vfctl_plan *planned,
	       vfctl_host **after, conf_unit *ret_prior, bool *ret_changed);
/* The guard on every unit's plan from h, before any runs: for units that touch different devices
 * (vfctl bind's), so a refusal of the last changes nothing, not the first and back. */
int units_guard(applier *a, const vfctl_config *c, const vfctl_host *h);
/* Brings a unit back to prior: a plan from the host as it is now (for a [PF] section, its PF and
 * VFs read again). */
int unit_rollback(applier *a, conf_unit *prior);
/* The same for the undo of an interrupted run's journal: the guard is asked first (-EBUSY, -EPERM
 * with the holder named, nothing changed). */
int unit_recover(applier *a, conf_unit *prior);
/* The same for apply --prune, prior a PF's record (under the applier's journal_dir, which the
 * success removes). */
int unit_prune(applier *a, conf_unit *prior);

/* What one PF worker did (apply-workers.c): ran is false for units it did not take. */
typedef struct pf_outcome {
	bool ran, changed;
	int r;           /* -ECANCELED: stopped because another PF failed */
	conf_unit prior; /* owned by the caller after the run */
	char error[1024];
} pf_outcome;

size_t pf_units_count(const vfctl_config *c, const bool *selected);
/* Runs every selected [PF] unit in its own thread, planned from h (read-only, shared), each with its
 * own context; progress lines prefixed with the PF and serialized. Outside boot mode the first
 * failure stops the others between two steps. Returns -errno only when the workers could not be
 * started (nothing changed then); the units' own results are in out[unit]. */
int pf_workers_run(applier *a, const vfctl_config *c, const bool *selected, const vfctl_host *h, pf_outcome *out);

/* One progress line through the caller's report callback. */
void applier_say(applier *a, const char *fmt, ...) _printf_(2, 3);

/* Carries out one step against the host the plan was made from. */
int exec_step(applier *a, const vfctl_host *h, const plan_step *s);
/* What a step needs done first, alone: a bind's module loaded. */
int exec_preload(applier *a, const vfctl_host *h, const plan_step *s);

/* Binds and probes of many VFs, a few at a time (bind-pool.c; step_poolable says which): runs
 * steps[0, n) (numbered first+1.. of total) concurrently; counts them in
 * a->counter (and fails the one a test build names). Returns the first failure in step order. */
int bind_pool_run(applier *a, const vfctl_host *h, const plan_step *steps, size_t n, size_t first, size_t total);
/* Who uses what a disruptive step of p would destroy or unbind (the guard, guard.h): *ret describes
 * the first holder, NULL when nobody; *ret_level says whether --force may override it. */
int check_holders(applier *a, const vfctl_host *h, const vfctl_plan *p, guard_level *ret_level, char **ret);

/* How far a run got with a unit, as its journal records it: the public vfctl_interrupted_run
 * (device unused: the unit names it). The writer's last_step points at the step's text. */
typedef vfctl_interrupted_run journal_run;

/* The prior state of a unit and the run's progress, written (atomically, durably) before its first
 * change and after each step: the next run restores it if this one dies (rollback within a run
 * uses the copy in memory). */
int journal_write(applier *a, const journal_run *j, const conf_unit *prior, const char *ids);
/* A unit's journal while its run goes on: the file, open for appending after the first write. */
typedef struct journal_handle {
	int fd;
} journal_handle;
#define JOURNAL_HANDLE_INIT  \
	{                    \
		.fd = -EBADF \
	}
/* The same for a unit's run: the first call writes the prior state and the progress; each later
 * call appends only the progress, which replaces the earlier on reading (300 VFs: 20 KB written
 * once, not after each of 300 steps). */
int journal_update(applier *a, const journal_run *j, const conf_unit *prior, const char *ids, journal_handle *jh);
void journal_handle_done(journal_handle *jh);
void journal_remove(applier *a, const char *dev);
/* vfctl bind's unit done: its journal becomes the device's record under RUN_HOLD_DIR, which lives
 * until vfctl restore. 1 when moved there, 0 when the device was held already (the older record,
 * what it had before vfctl first took it, stays; this journal is dropped). */
int journal_hold(applier *a, const char *dev);
/* The files of directory base/sub (one per device), none when it does not exist. */
int record_names(vfctl_ctx *ctx, const char *base, const char *sub, char ***ret, size_t *ret_n);
/* The journals left under the run directory (file names, one per device). */
int journal_list(applier *a, char ***ret, size_t *ret_n);
/* Reads journal name, checked (runs.h) against h: its run into *ret_run, and, when ret_run->unusable
 * is NULL, the prior state into *ret; with unusable set, *ret is untouched and nothing may be
 * replayed. */
int journal_load(applier *a, const vfctl_host *h, const char *name, conf_unit *ret, journal_run *ret_run);
/* Parses a journal's text (consumed); -EINVAL when it names no device or a value is malformed. */
int journal_parse(char *text, conf_unit *ret, journal_run *ret_run);

/* The PF records of apply --prune (record.c): what a PF had before vfctl first changed it, its first
 * changed unit's prior state in a journal's form under ctx_state_dir()/RECORD_DIR, written once and
 * kept across reboots (the journals' boot check does not apply: a PF's state before vfctl is what
 * its driver gives it at every boot). */
#define RECORD_DIR "vfctl/pf"
/* Writes prior (a [PF] unit's) as its PF's record unless one exists; h: for the PF's ids. */
int record_keep(applier *a, const conf_unit *prior, const vfctl_host *h);
/* The PFs with a record (file names: their PCI addresses). */
int record_list(vfctl_ctx *ctx, char ***ret, size_t *ret_n);
/* Record name as a unit; -ESTALE (said in ctx) when the device at that address is not the one it
 * was written for. */
int record_load(vfctl_ctx *ctx, const vfctl_host *h, const char *name, conf_unit *ret);
/* Records whose PF no unit of c names (c validated): what --prune returns. */
int records_unnamed(vfctl_ctx *ctx, const vfctl_config *c, char ***ret, size_t *ret_n);
