/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl bind, unbind and restore as apply runs: a bind is a [Device] unit the engine applies
 * (guarded, journaled, verified, rolled back on failure), and what the device was before it is the
 * unit's journal, kept under RUN_HOLD_DIR until restore rolls the device back to it. An interrupted
 * bind is undone by the next run like any interrupted apply. */
#include <stdio.h>

#include "applier.h"
#include "files.h"
#include "hold.h"
#include "runs.h"

static void hold_init(applier *a, vfctl_ctx *ctx, const vfctl_apply_opts *o, char **boot_id)
{
	applier_init(a, ctx, o, boot_id);
	a->hold = true;
}

static void hold_drop(applier *a, const char *dev)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" RUN_HOLD_DIR "/%s", a->rundir, dev);
	(void)file_remove(path);
}

int hold_apply(vfctl_ctx *ctx, vfctl_config *c, vfctl_host **h, const vfctl_apply_opts *o)
{
	_cleanup_free_ char *boot_id = NULL;
	applier a;
	hold_init(&a, ctx, o, &boot_id);
	conf_unit *priors = calloc(c->n_units ? c->n_units : 1, sizeof(*priors));
	bool *created = calloc(c->n_units ? c->n_units : 1, sizeof(*created));
	size_t n_done = 0, *done = calloc(c->n_units ? c->n_units : 1, sizeof(*done));
	int r = priors && created && done ? 0 : -ENOMEM;
	if (r >= 0)
		r = applier_recover(&a, h);
	if (r >= 0 && (r = vfctl_config_validate(ctx, c, *h)) == -EINVAL)
		r = ctx_error(ctx, r, "%s", c->n_errors ? c->errors[0] : "the devices cannot be bound");
	for (size_t i = 0; r >= 0 && i < c->n_units; i++)
		if (applier_blocked(&a, c->units[i].dev_id))
			r = ctx_error(ctx, -EBUSY, "%s: an interrupted run's journal could not be undone safely",
				      c->units[i].dev_id);
	if (r >= 0)
		r = units_guard(&a, c, *h);
	for (size_t i = 0; r >= 0 && i < c->n_units; i++) {
		bool changed;
		vfctl_host *after = NULL;
		r = apply_unit(&a, c, i, *h, NULL, &after, &priors[n_done], &changed);
		if (after) {
			vfctl_host_free(*h);
			*h = after;
		}
		if (changed)
			done[n_done++] = i;
		if (r >= 0 && changed && (r = journal_hold(&a, c->units[i].dev_id)) >= 0)
			created[i] = r == 1;
	}
	if (r < 0 && n_done) {
		/* Never leave a group half taken: what this call bound goes back, newest first. */
		char err[sizeof(ctx->error)];
		snprintf(err, sizeof(err), "%s", ctx->error);
		applier_say(&a, "failed: %s; putting back what this run changed", err);
		for (size_t k = n_done; k-- > 0;) {
			(void)unit_rollback(&a, &priors[k]);
			if (created[done[k]])
				hold_drop(&a, c->units[done[k]].dev_id);
		}
		(void)applier_rescan(&a, h);                         /* NULL when it fails: the caller frees either */
		snprintf(ctx->error, sizeof(ctx->error), "%s", err); /* the rescan's tolerated errors are not it */
	}
	strv_free_n(a.blocked, a.n_blocked);
	for (size_t k = 0; priors && k < c->n_units; k++)
		conf_unit_done(&priors[k]);
	free(priors);
	free(created);
	free(done);
	return r;
}

int hold_recover(vfctl_ctx *ctx, vfctl_host **h, const vfctl_apply_opts *o)
{
	_cleanup_free_ char *boot_id = NULL;
	applier a;
	hold_init(&a, ctx, o, &boot_id);
	int r = applier_recover(&a, h);
	strv_free_n(a.blocked, a.n_blocked);
	return r;
}

int hold_restore(vfctl_ctx *ctx, const char *dev, vfctl_host **h, const vfctl_apply_opts *o)
{
	_cleanup_free_ char *boot_id = NULL;
	applier a;
	conf_unit prior = {0};
	journal_run j;
	hold_init(&a, ctx, o, &boot_id);
	a.hold = false;
	a.journal_dir = RUN_HOLD_DIR;
	int r = journal_load(&a, *h, dev, &prior, &j);
	if (r == -ENOENT)
		return ctx_error(ctx, r, "%s: vfctl has no record of it (it did not bind it)", dev);
	if (r < 0)
		return r;
	if (j.unusable)
		r = ctx_error(ctx, -EINVAL,
			      "the record %s/" RUN_HOLD_DIR "/%s is not replayed: %s (remove it once checked)",
			      a.rundir, dev, j.unusable);
	else if ((r = unit_recover(&a, &prior)) >= 0)
		applier_say(&a, "%s: restored to %s", dev,
			    streq_ptr(prior.driver, "none") ? "no driver" : prior.driver);
	if (!j.unusable)
		conf_unit_done(&prior);
	run_done(&j);
	/* The next device is restored from the host as this one left it (after a failure there is
	 * no next: the error stays the one to report). */
	return r < 0 ? r : applier_rescan(&a, h);
}

int hold_list(vfctl_ctx *ctx, char ***ret, size_t *ret_n)
{
	return record_names(ctx, ctx_run_dir(ctx), RUN_HOLD_DIR, ret, ret_n);
}
