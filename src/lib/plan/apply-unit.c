/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One unit of an apply run: its plan carried out step by step (journaled), the re-read that
 * verifies it, and the rollback to its prior state. Used by the run (apply.c) and by the PF
 * workers (apply-workers.c). */
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "applier.h"
#include "scan.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int applier_rescan(applier *a, vfctl_host **h)
{
	vfctl_host_free(*h);
	*h = NULL;
	return vfctl_host_scan(a->ctx, h);
}

/* What a plan of u reads: a [PF] section's PF and its VFs, the whole host for the others (a
 * [Device] section's IOMMU group peers, a [VDPA] section's parent). */
static int rescan_unit(applier *a, const conf_unit *u, vfctl_host **h)
{
	if (u->kind != UNIT_PF || !u->dev_id)
		return applier_rescan(a, h);
	vfctl_host_free(*h);
	*h = NULL;
	return host_scan_pf(a->ctx, u->dev_id, h);
}

static bool aborted(const applier *a)
{
	return a->abort && __atomic_load_n(a->abort, __ATOMIC_ACQUIRE);
}

/* The caller's flag is set by a signal handler and read here from every PF worker: an atomic load
 * (lock-free for sig_atomic_t, so the handler's store may be a plain one). */
bool applier_cancelled(const applier *a)
{
	return (a->o->cancel && __atomic_load_n(a->o->cancel, __ATOMIC_RELAXED)) || aborted(a);
}

/* Why a run stops between two steps: a signal, or another PF of the run that failed. */
static int stop_error(applier *a, const char *where)
{
	if (aborted(a))
		return ctx_error(a->ctx, -ECANCELED, "stopped %s: another PF of this run failed", where);
	return ctx_error(a->ctx, -EINTR, "interrupted by a signal %s", where);
}

/* A unit's run as its journal records it: the prior state, the progress, the open file. */
typedef struct unit_journal {
	journal_run run;
	const conf_unit *prior;
	char ids[16]; /* the device's vendor:device, "" for a vDPA unit */
	journal_handle h;
} unit_journal;

/* Steps done so far, into the journal (none when rolling back: uj NULL). */
static int record(applier *a, unit_journal *uj, size_t done, char *last)
{
	if (!uj)
		return 0;
	uj->run.steps_done = (uint32_t)done;
	uj->run.last_step = last;
	return journal_update(a, &uj->run, uj->prior, uj->ids[0] ? uj->ids : NULL, &uj->h);
}

/* Runs a plan; counts steps for the fault hook unless rolling back, and records each step done in
 * the unit's journal (uj, NULL when rolling back). Returns the first error. */
static int run_steps(applier *a, const vfctl_host *h, const vfctl_plan *p, unit_journal *uj)
{
	bool rollback = !uj;
	int first = 0;
	for (size_t i = 0; i < p->n; i++) {
		const plan_step *s = &p->steps[i];
		double t0 = now();
		int r;
		if (!rollback && a->ctx->set.test && a->ctx->set.test->kill_step == a->counter + 1)
			raise(a->ctx->set.test->kill_signal); /* a test build's crash or stop at a chosen moment */
		/* A signal stops a run between two kernel changes, never inside one; a rollback is
		 * never cut short (a second signal waits for it). */
		if (!rollback && applier_cancelled(a)) {
			char where[64];
			snprintf(where, sizeof(where), "before step %zu of %zu", i + 1, p->n);
			return stop_error(a, where);
		}
		/* Binds of several VFs in a row: a few at a time (not in a rollback, which goes one by one). */
		size_t k = 0;
		while (!rollback && i + k < p->n && step_poolable(&p->steps[i + k]))
			k++;
		if (k >= 2) {
			/* A test build's kill lands before the batch that holds its step. */
			for (size_t m = 0; a->ctx->set.test && m < k; m++)
				if (a->ctx->set.test->kill_step == a->counter + 1 + (int)m)
					raise(a->ctx->set.test->kill_signal);
			r = bind_pool_run(a, h, &p->steps[i], k, i, p->n);
			if (r >= 0)
				r = record(a, uj, i + k, p->steps[i + k - 1].text);
			if (r < 0)
				return r;
			if (now() - t0 >= 0.5)
				applier_step_line(a, "      %zu done in %.1f s", k, now() - t0);
			i += k - 1;
			continue;
		}
		applier_step_line(a, "%s[%zu/%zu] %s", rollback ? "  undo " : "", i + 1, p->n, s->text);
		applier_step_event(a, VFCTL_EVENT_STEP, s, i, p->n, rollback, 0, NULL, 0);
		if (!rollback && ++a->counter == a->fail_at)
			r = ctx_error(a->ctx, -EIO, "injected failure at step %d (a test build's VFCTL_TEST_FAIL_STEP)",
				      a->counter);
		else
			r = exec_step(a, h, s);
		double dt = now() - t0;
		applier_step_event(a, VFCTL_EVENT_STEP_DONE, s, i, p->n, rollback, r,
				   r < 0 ? vfctl_ctx_error(a->ctx) : NULL, dt);
		if (r >= 0)
			r = record(a, uj, i + 1, s->text);
		if (r < 0) {
			applier_step_line(a, "      failed: %s", vfctl_ctx_error(a->ctx));
			if (!rollback)
				return r;
			if (!first)
				first = r;
			continue; /* a rollback goes as far as it can */
		}
		if (dt >= 0.5)
			applier_step_line(a, "      done in %.1f s", dt);
	}
	return first;
}

/* The guard on a plan's disruptive steps (check_holders): what the host needs is refused even with
 * --force, what a VM or a process holds unless --force. what: "change", "undo ...". */
static int guard_plan(applier *a, const vfctl_host *h, const vfctl_plan *p, const char *dev, const char *what)
{
	_cleanup_free_ char *holder = NULL;
	guard_level level;
	int r = check_holders(a, h, p, &level, &holder);
	if (r < 0 || !holder)
		return r;
	if (level == GUARD_HOST_NEEDS)
		r = ctx_error(a->ctx, -EPERM, "refusing to %s %s: %s (not even with --force: move it off first)", what,
			      dev, holder);
	else if (a->no_force)
		r = ctx_error(a->ctx, -EBUSY, "refusing to %s %s: %s (never in use, --force or not)", what, dev,
			      holder);
	else if (!a->o->force)
		r = ctx_error(a->ctx, -EBUSY, "refusing to %s %s: %s (use --force to go ahead anyway)", what, dev,
			      holder);
	else {
		applier_say(a, "%s: in use, going ahead (--force): %s", dev, holder);
		return 0;
	}
	applier_say(a, "%s", vfctl_ctx_error(a->ctx));
	return r;
}

int units_guard(applier *a, const vfctl_config *c, const vfctl_host *h)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < c->n_units; i++) {
		vfctl_plan p = {0};
		if ((r = plan_unit(a->ctx, c, i, h, &p)) >= 0)
			r = guard_plan(a, h, &p, c->units[i].dev_id, "change");
		plan_clear(&p);
	}
	return r;
}

/* Brings a unit back to its journaled state: a plan from the host as it is now. An interrupted
 * run's undo and a prune (guarded: what the guard is told the change is) first ask the guard: the
 * host may have put the device to use since. */
static int rollback(applier *a, conf_unit *prior, const char *guarded)
{
	vfctl_config one = {.units = prior, .n_units = 1};
	vfctl_plan p = {0};
	vfctl_host *h = NULL;
	int r = rescan_unit(a, prior, &h);
	if (r >= 0)
		r = plan_unit(a->ctx, &one, 0, h, &p);
	if (r >= 0 && guarded && (r = guard_plan(a, h, &p, prior->dev_id, guarded)) < 0) {
		plan_clear(&p);
		vfctl_host_free(h);
		return r;
	}
	if (r >= 0) {
		applier_say(a, "%s: rolling back (%zu step%s)", prior->dev_id, p.n, p.n == 1 ? "" : "s");
		r = run_steps(a, h, &p, NULL); /* a rollback writes no journal */
		plan_clear(&p);
	}
	if (r >= 0 && (r = rescan_unit(a, prior, &h)) >= 0 && (r = plan_unit(a->ctx, &one, 0, h, &p)) >= 0) {
		if (p.n) {
			applier_say(a,
				    "%s: rollback incomplete, %zu difference%s remain (journal kept):", prior->dev_id,
				    p.n, p.n == 1 ? "" : "s");
			for (size_t i = 0; i < p.n; i++)
				applier_say(a, "      %s", p.steps[i].text);
			applier_unit_done(a, prior->dev_id, VFCTL_UNIT_ROLLBACK_INCOMPLETE, NULL);
			r = -EIO;
		} else {
			applier_unit_done(a, prior->dev_id, VFCTL_UNIT_ROLLED_BACK, NULL);
			if (!a->journal_dir) /* restore names what the device went back to itself */
				applier_say(a, "%s: restored to its state before this run", prior->dev_id);
			journal_remove(a, prior->dev_id);
		}
		plan_clear(&p);
	}
	vfctl_host_free(h);
	return r;
}

/* Events of what runs below name this unit; the caller's unit is given back after. */
static int rollback_as(applier *a, conf_unit *prior, const char *guarded)
{
	const char *outer = a->unit;
	a->unit = prior->dev_id;
	int r = rollback(a, prior, guarded);
	a->unit = outer;
	return r;
}

int unit_rollback(applier *a, conf_unit *prior)
{
	return rollback_as(a, prior, NULL);
}

int unit_recover(applier *a, conf_unit *prior)
{
	return rollback_as(a, prior, "undo the interrupted run on");
}

int unit_prune(applier *a, conf_unit *prior)
{
	return rollback_as(a, prior, "prune");
}

/* Plans unit ui from the snapshot h (the host as the previous unit left it, or as the run found
 * it for concurrent PFs) unless planned holds that plan already (taken over), runs it, and re-reads
 * the host to verify: the whole host into *after (NULL when nothing was changed or the re-read
 * failed), or, with after NULL, only what the unit touched. */
int apply_unit(applier *a, const vfctl_config *c, size_t ui, const vfctl_host *h, vfctl_plan *planned,
	       vfctl_host **after, conf_unit *ret_prior, bool *ret_changed)
{
	const conf_unit *u = &c->units[ui];
	vfctl_plan p = {0};
	unit_journal uj = {.prior = ret_prior, .h = JOURNAL_HANDLE_INIT};
	vfctl_host *mine = NULL;
	int r = 0;

	if (planned) {
		p = *planned;
		*planned = (vfctl_plan){0};
	}
	*ret_changed = false;
	if (after)
		*after = NULL;
	if (applier_cancelled(a)) {
		char where[128];
		snprintf(where, sizeof(where), "before %s", u->dev_id);
		plan_clear(&p);
		return stop_error(a, where);
	}
	a->unit = u->dev_id;
	if (!planned && (r = plan_unit(a->ctx, c, ui, h, &p)) < 0)
		goto out;
	for (size_t i = 0; i < p.n_notes; i++)
		applier_say(a, "%s", p.notes[i]);
	if (p.n == 0) {
		applier_say(a, "%s: up to date", u->dev_id);
		applier_unit_done(a, u->dev_id, VFCTL_UNIT_UP_TO_DATE, NULL);
		goto out;
	}
	if ((r = guard_plan(a, h, &p, u->dev_id, "change")) < 0)
		goto out;
	uj.run = (journal_run){.pid = getpid(), .started = time(NULL), .steps_total = (uint32_t)p.n};
	const vfctl_device *d = u->kind != UNIT_VDPA && u->dev_id ? vfctl_host_find(h, u->dev_id) : NULL;
	if (d && d->addr.domain >= 0)
		snprintf(uj.ids, sizeof(uj.ids), "%04x:%04x", d->vendor_id, d->device_id);
	if ((r = unit_from_host(a->ctx, u, h, ret_prior)) < 0 || (r = record(a, &uj, 0, NULL)) < 0)
		goto out;
	applier_say(a, "%s: %zu step%s", u->dev_id, p.n, p.n == 1 ? "" : "s");
	*ret_changed = true;
	r = run_steps(a, h, &p, &uj);
	if (r >= 0) {
		/* Verify: the host, read again, must need nothing more. Only what the unit touched
		 * is read, unless the caller goes on from the whole host. */
		plan_clear(&p);
		vfctl_host **v = after ? after : &mine;
		r = after ? applier_rescan(a, after) : rescan_unit(a, u, &mine);
		if (r >= 0 && (r = plan_unit(a->ctx, c, ui, *v, &p)) >= 0 && p.n) {
			for (size_t i = 0; i < p.n; i++)
				applier_say(a, "      still differs: %s", p.steps[i].text);
			r = ctx_error(a->ctx, -EIO, "%s did not reach its configuration (%zu difference%s after apply)",
				      u->dev_id, p.n, p.n == 1 ? "" : "s");
		}
	}
	if (r >= 0) {
		applier_say(a, "%s: done", u->dev_id);
		applier_unit_done(a, u->dev_id, VFCTL_UNIT_CHANGED, NULL);
		/* vfctl bind keeps it (journal_hold): a crash before then leaves it here, and the next
		 * run undoes a bind that never said it was done. */
		if (!a->hold)
			journal_remove(a, u->dev_id);
	}
out:
	journal_handle_done(&uj.h);
	plan_clear(&p);
	vfctl_host_free(mine);
	a->unit = NULL;
	return r;
}
