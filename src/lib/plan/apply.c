/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apply: one host-wide lock, one scan and one validation, then per unit a plan from the snapshot,
 * the prior state kept (and journaled under /run/vfctl), each step one kernel change, a re-read
 * after the last step (verify), and on any failure a rollback that plans from the host as it is
 * back to the prior state. Two [PF] sections or more run at once, one worker each
 * (apply-workers.c); [Device] and [VDPA] sections follow one by one. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "applier.h"
#include "handoff.h"
#include "lock.h"
#include "ovs.h"
#include "runs.h"

/* A PCI PF whose driver has not bound, or a network PF without its netdev: nothing to configure
 * yet (sriov_numvfs needs the driver, VF settings the netdev). With a pattern made from the PF's
 * netdev name (%p in VFNetdevName= or RepresentorAltName=), also one udevd has not named yet. */
static bool pf_not_ready(vfctl_ctx *ctx, const vfctl_config *c, size_t ui, const vfctl_host *h)
{
	const conf_unit *u = &c->units[ui];
	const vfctl_device *d = u->kind == UNIT_PF && u->dev_id ? vfctl_host_find(h, u->dev_id) : NULL;
	bool by_name = (u->vf_netdev_name && strstr(u->vf_netdev_name, "%p")) ||
		       (u->rep_altname && strstr(u->rep_altname, "%p"));
	return d && d->addr.domain >= 0 &&
	       (!d->driver || ((d->class_code >> 16) == 0x02 && !d->n_netdevs) ||
		(by_name && !udev_netdev_named(ctx, d)));
}

/* How long a boot run waits for PFs whose driver has not bound yet, before leaving them to the rule. */
#define BOOT_WAIT_MS 30000

static bool any_pf_not_ready(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, const vfctl_select *only)
{
	for (size_t i = 0; i < c->n_units; i++)
		if (unit_selected(&c->units[i], h, only) && pf_not_ready(ctx, c, i, h))
			return true;
	return false;
}

static int block_device(applier *a, const char *dev)
{
	char **n = realloc(a->blocked, (a->n_blocked + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	a->blocked = n;
	return (n[a->n_blocked++] = strdup(dev)) ? 0 : -ENOMEM;
}

const char *applier_blocked(const applier *a, const char *dev)
{
	for (size_t i = 0; dev && i < a->n_blocked; i++)
		if (streq(a->blocked[i], dev))
			return a->blocked[i];
	return NULL;
}

/* A journal under the run directory was left by a run that died mid-way (we hold the lock: no
 * live run owns it). Its unit goes back to the state it had before that run, so that what the dead
 * run changed and the configuration does not mention (autoprobe, the VF drivers it unbound) is as
 * before; the normal plan follows. Each journal is checked first (runs.c): one that is not this
 * boot's, not its device's, or not vfctl's is reported and left alone, never replayed and never
 * in the way. Its undo goes through the guard: a device a VM took since is not taken from it
 * (unless --force); such a device is left as it is, and the sections that name it fail. */
int applier_recover(applier *a, vfctl_host **h)
{
	char **names = NULL;
	size_t n = 0;
	int r = journal_list(a, &names, &n);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		conf_unit prior = {0};
		journal_run j;
		char when[64] = "?";
		if ((r = journal_load(a, *h, names[i], &prior, &j)) < 0) {
			if (r == -ENOMEM)
				break;
			applier_say(a, "%s", vfctl_ctx_error(a->ctx)); /* gone meanwhile, or unreadable */
			r = 0;
			continue;
		}
		time_t t = (time_t)j.started;
		struct tm tm;
		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		if (j.unusable)
			applier_say(
				a,
				"the journal %s/vfctl/journal/%s is not replayed: %s (vfctl status shows it; remove it "
				"once checked)",
				a->rundir, names[i], j.unusable);
		else if (prior.kind != UNIT_VDPA && !vfctl_host_find(*h, prior.dev_id)) {
			applier_say(a,
				    "a run interrupted at %s (pid %d) left a journal for %s, which is gone: journal "
				    "removed",
				    when, j.pid, names[i]);
			journal_remove(a, names[i]);
		} else {
			applier_say(a,
				    "a run interrupted at %s (pid %d, %u of %u steps done%s%s) left %s half-done: "
				    "restoring its state from before that run",
				    when, j.pid, j.steps_done, j.steps_total, j.last_step ? ", the last: " : "",
				    j.last_step ? j.last_step : "", names[i]);
			prior.loc.file = names[i];
			int k = unit_recover(a, &prior);
			if (k == -ENOMEM)
				r = k;
			else if (k < 0) {
				applier_say(a, "%s: not restored (journal kept in %s/vfctl/journal): %s", names[i],
					    a->rundir, vfctl_ctx_error(a->ctx));
				r = block_device(a, names[i]);
			}
		}
		if (!j.unusable)
			conf_unit_done(&prior);
		run_done(&j);
		if (r >= 0)
			r = applier_rescan(a, h);
	}
	strv_free_n(names, n);
	return r;
}

/* Does a section name a driver the module index decides: the kernel's own (Driver=auto) or
 * vfio-pci, whose variant for the device (mlx5_vfio_pci, ...) modules.alias gives? Read from the
 * sections as written: the per-VF targets come with validation, after the first scan. */
static bool wants_module_index(const vfctl_config *c)
{
	for (size_t i = 0; i < c->n_units; i++) {
		if (streq_ptr(c->units[i].driver, "vfio-pci"))
			return true;
		for (size_t k = 0; k < c->units[i].n_vf_sections; k++) {
			const char *drv = c->units[i].vf_sections[k].t.driver;
			if (streq_ptr(drv, "auto") || streq_ptr(drv, "vfio-pci"))
				return true;
		}
	}
	return false;
}

/* apply --prune: the PFs with a record that no section names go back to it, one by one, guarded
 * (never while a VM holds a VF of theirs, force or not); the record goes once the PF matches it. */
static int prune(applier *a, const vfctl_config *c, vfctl_host **h, size_t *ret_n)
{
	if (a->o->select.n) {
		applier_say(a,
			    "--prune: not with DEVICE arguments (the others' sections were not read): nothing pruned");
		return 0;
	}
	for (size_t i = 0; i < c->n_units; i++)
		if (c->units[i].kind != UNIT_VDPA && !c->units[i].dev_id) {
			applier_say(a, "--prune: %s:%u has errors, and may name a PF: nothing pruned",
				    c->units[i].loc.file, c->units[i].loc.line);
			return 0;
		}
	char **names = NULL;
	size_t n = 0;
	int r = records_unnamed(a->ctx, c, &names, &n), first = 0;
	const char *rundir = a->rundir, *dir = a->journal_dir;
	a->no_force = true;
	for (size_t i = 0; r >= 0 && i < n && !applier_cancelled(a); i++) {
		conf_unit prior = {0};
		if (!vfctl_host_find(*h, names[i])) {
			applier_say(a, "%s: has a record and is not on this host: left", names[i]);
			continue;
		}
		int k = record_load(a->ctx, *h, names[i], &prior);
		if (k >= 0) {
			applier_say(
				a,
				"%s: no configuration names it: back to what it had before vfctl first configured it",
				names[i]);
			a->rundir = ctx_state_dir(a->ctx);
			a->journal_dir = RECORD_DIR;
			k = unit_prune(a, &prior);
			a->rundir = rundir;
			a->journal_dir = dir;
			conf_unit_done(&prior);
		}
		if (k < 0) {
			applier_say(a, "%s: not pruned: %s", names[i], vfctl_ctx_error(a->ctx));
			first = first ? first : k;
		} else
			(*ret_n)++;
		r = applier_rescan(a, h);
	}
	a->no_force = false;
	strv_free_n(names, n);
	return r < 0 ? r : first;
}

static int apply_run(vfctl_ctx *ctx, vfctl_config *c, const vfctl_apply_opts *opts)
{
	vfctl_apply_opts def = {0};
	applier a;
	vfctl_host *h = NULL;
	conf_unit *priors = NULL;
	bool *selected = NULL;
	size_t n_done = 0;
	int lock = -1, r, result = 0;
	char first_error[sizeof(ctx->error)] = "";

	_cleanup_free_ char *boot_id = NULL;
	applier_init(&a, ctx, opts ? opts : &def, &boot_id);
	if (!ctx->set.use_netlink) {
		/* A tree with no kernel behind it: the configuration's errors still count first. */
		if ((r = vfctl_host_scan(ctx, &h)) >= 0)
			r = vfctl_config_validate(ctx, c, h);
		vfctl_host_free(h);
		return r < 0 ? r
			     : ctx_error(ctx, -EOPNOTSUPP,
					 "apply needs the running kernel (sysfs at /sys and rtnetlink)");
	}
	if ((lock = run_lock(ctx, a.rundir, a.o->boot ? RUN_LOCK_WAIT_BOOT_S : RUN_LOCK_WAIT_S, a.o->report,
			     a.o->userdata)) < 0)
		return lock;
	/* The one scan and the one validation of the run, under the lock: nobody else changes the
	 * host between them and the first step. */
	r = vfctl_host_scan(ctx, &h);
	if (r >= 0)
		r = applier_recover(&a, &h);
	if (r >= 0)
		r = vfctl_config_validate(ctx, c, h);
	/* At boot udev binds drivers asynchronously after its trigger, which vfctl.service follows:
	 * wait a little for the PFs this run configures, so VMs starting after it find their VFs. */
	for (int waited = 0; a.o->boot && r != -ENOMEM && !applier_cancelled(&a) && waited < BOOT_WAIT_MS &&
			     any_pf_not_ready(ctx, c, h, &a.o->select);
	     waited += 500) {
		if (waited == 0)
			applier_say(
				&a,
				"waiting up to %d s for PF drivers and netdevs (udev is still binding and naming them)",
				BOOT_WAIT_MS / 1000);
		usleep(500 * 1000);
		if ((r = applier_rescan(&a, &h)) >= 0)
			r = vfctl_config_validate(ctx, c, h);
	}
	/* At boot an error in one PF's section (a card that is gone, a typo) must not keep the others
	 * unconfigured: that PF is skipped and reported, the run fails at the end. An error outside
	 * every section still stops everything. */
	size_t n_global = 0, n_invalid = 0, n_unitless = 0;
	bool skip_invalid = false;
	if (r == -EINVAL && a.o->boot) {
		(void)config_unit_errors(c, SIZE_MAX, &n_global, &n_unitless);
		skip_invalid = n_global == 0;
		if (skip_invalid)
			r = 0;
	}
	if (r == -EINVAL)
		ctx_error(ctx, r, "the configuration has errors: nothing was changed");
	size_t bad;
	if (r >= 0 && vfctl_select_check(h, &a.o->select, &bad) < 0)
		r = ctx_error(ctx, -ENXIO, "%s: no such device", a.o->select.devices[bad]);
	priors = calloc(c->n_units ? c->n_units : 1, sizeof(*priors));
	selected = calloc(c->n_units ? c->n_units : 1, sizeof(*selected));
	if (r >= 0 && (!priors || !selected))
		r = -ENOMEM;
	/* Which units a DEVICE argument names, decided once on the host as validated. */
	for (size_t i = 0; r >= 0 && i < c->n_units; i++) {
		selected[i] = unit_selected(&c->units[i], h, &a.o->select);
		/* A PF that is not ready fails checks that need its driver or netdev (Up=, MTU=): at boot
		 * that is "later", not an error; the rule's run validates it again. */
		if (skip_invalid && config_unit_errors(c, i, NULL, NULL) &&
		    !(selected[i] && pf_not_ready(ctx, c, i, h))) {
			if (selected[i]) {
				n_invalid++;
				applier_say(&a, "%s:%u: skipped: this section has errors (vfctl plan -c %s shows them)",
					    c->units[i].loc.file, c->units[i].loc.line, c->units[i].loc.file);
				char where[PATH_MAX + 16];
				snprintf(where, sizeof(where), "%s:%u", c->units[i].loc.file, c->units[i].loc.line);
				applier_unit_done(&a, c->units[i].dev_id, VFCTL_UNIT_SKIPPED, where);
			}
			selected[i] = false;
		}
	}
	if (r < 0)
		goto out;
	for (size_t i = 0; !h->ovs && i < c->n_units; i++)
		if (selected[i] && (c->units[i].ovs_bridge || c->units[i].ovs_hw_offload >= 0)) {
			char path[PATH_MAX];
			ovs_socket_path(ctx, path, sizeof(path));
			applier_say(&a,
				    "%s: Open vSwitch does not answer at %s: OVSBridge= and OVSHardwareOffload= "
				    "are left to its own database (apply again once ovsdb-server runs)",
				    c->units[i].dev_id, path);
		}
	size_t n_ok = 0, n_same = 0, n_failed = 0, n_later = 0;
	/* A device whose interrupted run could not be undone is left as it is: a section naming it
	 * fails (the others go on), and status and doctor keep showing its journal. */
	for (size_t i = 0; i < c->n_units; i++)
		if (selected[i] && applier_blocked(&a, c->units[i].dev_id)) {
			selected[i] = false;
			n_failed++;
			applier_say(&a, "%s: failed: its interrupted run could not be undone (see above)",
				    c->units[i].dev_id);
			applier_unit_done(&a, c->units[i].dev_id, VFCTL_UNIT_FAILED, NULL);
			if (!result) {
				result = -EBUSY;
				snprintf(first_error, sizeof(first_error),
					 "%s: an interrupted run's journal could not be undone "
					 "safely; nothing was changed on it",
					 c->units[i].dev_id);
			}
		}
	for (size_t i = 0; i < c->n_units; i++)
		if (selected[i] && a.o->boot && pf_not_ready(ctx, c, i, h)) {
			/* At boot udev may not have bound the PF's driver yet (vfctl.service runs after the
			 * trigger, not after every driver): 90-vfctl.rules applies it when its netdev appears. */
			applier_say(
				&a,
				"%s: its driver or netdev is not there yet: 90-vfctl.rules applies this PF when its "
				"netdev appears",
				c->units[i].dev_id);
			applier_unit_done(&a, c->units[i].dev_id, VFCTL_UNIT_LATER, NULL);
			n_later++;
			selected[i] = false;
		}
	/* Two PF sections or more: each in its own worker, so the host is ready in the time of its
	 * slowest PF (VF creation waits on firmware, and each sriov_numvfs write holds only its own
	 * device's lock). [Device] and [VDPA] sections may need their VFs: they follow, one by one. */
	bool stop = false;
	if (pf_units_count(c, selected) >= 2) {
		pf_outcome *po = calloc(c->n_units, sizeof(*po));
		if (!po) {
			r = -ENOMEM;
			goto out;
		}
		r = pf_workers_run(&a, c, selected, h, po);
		bool any_failed = r < 0;
		if (r < 0) {
			/* Workers that could not start: those that did are handled below, then rolled back. */
			result = r;
			snprintf(first_error, sizeof(first_error), "%s", vfctl_ctx_error(ctx));
		}
		for (size_t i = 0; i < c->n_units; i++) {
			if (!po[i].ran)
				continue;
			selected[i] = false;
			if (po[i].changed)
				priors[n_done++] = po[i].prior;
			else
				conf_unit_done(&po[i].prior);
			if (po[i].r >= 0) {
				n_ok += po[i].changed;
				n_same += !po[i].changed;
				continue;
			}
			any_failed = true;
			applier_say(&a, "%s: %s%s", c->units[i].dev_id,
				    po[i].r == -ECANCELED ? "" : "failed: ", po[i].error);
			applier_unit_done(&a, c->units[i].dev_id, VFCTL_UNIT_FAILED, NULL);
			if (po[i].r == -ECANCELED)
				continue;
			n_failed++;
			if (!result) {
				result = po[i].r;
				snprintf(first_error, sizeof(first_error), "%s", po[i].error);
			}
			/* At boot every PF on its own: the failed one goes back, the others stay. */
			if (a.o->boot && po[i].changed)
				(void)unit_rollback(&a, &priors[n_done - 1]);
		}
		free(po);
		if (any_failed && (!a.o->boot || applier_cancelled(&a))) {
			if (!a.o->boot) {
				for (size_t k = n_done; k-- > 0;)
					(void)unit_rollback(&a, &priors[k]);
				n_ok = 0;
			}
			stop = true;
		}
		if ((r = applier_rescan(&a, &h)) < 0)
			goto out;
	}
	for (size_t i = 0; !stop && i < c->n_units; i++) {
		bool changed;
		vfctl_host *after = NULL;
		if (!selected[i])
			continue;
		conf_unit *prior = &priors[n_done];
		/* The next unit plans from the whole host as this one leaves it; the last one's verify
		 * reads only what it touched. */
		bool more = false;
		for (size_t k = i + 1; k < c->n_units && !more; k++)
			more = selected[k];
		r = apply_unit(&a, c, i, h, NULL, more ? &after : NULL, prior, &changed);
		if (after) {
			vfctl_host_free(h);
			h = after;
		}
		if (changed)
			n_done++;
		if (r >= 0) {
			if (changed)
				n_ok++;
			else
				n_same++;
			continue;
		}
		n_failed++;
		applier_say(&a, "%s: failed: %s", c->units[i].dev_id, vfctl_ctx_error(ctx));
		applier_unit_done(&a, c->units[i].dev_id, VFCTL_UNIT_FAILED, NULL);
		if (!result) {
			result = r;
			/* Rollback reads the host again and may leave its own (tolerated) errors behind:
			 * the run's error is the failing step's. */
			snprintf(first_error, sizeof(first_error), "%s", vfctl_ctx_error(ctx));
		}
		if (changed)
			(void)unit_rollback(&a, prior);
		/* The next unit plans from the host as the rollback left it. */
		if ((r = applier_rescan(&a, &h)) < 0)
			break;
		if (a.o->boot && !applier_cancelled(&a))
			continue; /* at boot every PF on its own (a signal stops after this PF's rollback) */
		if (a.o->boot)
			break;
		/* Otherwise the whole run is one change: undo the units already done, newest first. */
		for (size_t k = n_done - (changed ? 1 : 0); k-- > 0;)
			(void)unit_rollback(&a, &priors[k]);
		n_ok = 0;
		break;
	}
	/* What this run changed keeps a record of what it had before vfctl first configured it. */
	for (size_t k = 0; (result >= 0 || a.o->boot) && k < n_done; k++)
		if (record_keep(&a, &priors[k], h) < 0)
			applier_say(&a, "%s: %s: apply --prune cannot return it", priors[k].dev_id,
				    vfctl_ctx_error(ctx));
	size_t n_pruned = 0;
	if (a.o->prune && result >= 0 && !stop && (r = prune(&a, c, &h, &n_pruned)) < 0 && !result) {
		result = r;
		snprintf(first_error, sizeof(first_error), "%s", vfctl_ctx_error(ctx));
	}
	if (c->n_units)
		applier_say(&a, "summary: %zu changed, %zu up to date, %zu failed%s%s", n_ok, n_same,
			    n_failed + n_invalid, n_failed && !a.o->boot ? " (the run was rolled back)" : "",
			    n_later ? ", some left for their driver to bind" : "");
	if (n_pruned)
		applier_say(&a, "pruned: %zu PF%s back to what %s had before vfctl", n_pruned, n_pruned == 1 ? "" : "s",
			    n_pruned == 1 ? "it" : "they");
	r = result;
	/* A file with errors and no section cannot be said to configure the DEVICE udev named. */
	if (!skip_invalid || a.o->select.n)
		n_unitless = 0;
	if (r >= 0 && (n_invalid || n_unitless)) {
		r = -EINVAL;
		if (n_invalid)
			snprintf(first_error, sizeof(first_error),
				 "%zu section%s of the configuration skipped for errors", n_invalid,
				 n_invalid == 1 ? "" : "s");
		else
			snprintf(first_error, sizeof(first_error),
				 "a file of the configuration has errors and no section");
	}
	if (r < 0)
		snprintf(ctx->error, sizeof(ctx->error), "%s", first_error);
out:
	strv_free_n(a.blocked, a.n_blocked);
	for (size_t i = 0; priors && i < c->n_units; i++)
		conf_unit_done(&priors[i]);
	free(priors);
	free(selected);
	vfctl_host_free(h);
	if (lock >= 0)
		close(lock);
	return r;
}

int vfctl_apply(vfctl_ctx *ctx, vfctl_config *c, const vfctl_apply_opts *opts)
{
	unsigned since = ctx->n_errors;
	vfctl_apply_opts o = {0};
	int k = opts ? ctx_opts(ctx, &o, sizeof(o), opts, "vfctl_apply") : 0;
	if (k < 0)
		return k;
	bool po = ctx->set.plan_only, pd = ctx->set.plan_default_drivers;
	ctx->set.plan_only = true;
	ctx->set.plan_default_drivers = wants_module_index(c);
	int r = apply_run(ctx, c, &o);
	ctx->set.plan_only = po;
	ctx->set.plan_default_drivers = pd;
	return ctx_ensure_error(ctx, since, r, "applying the configuration");
}
