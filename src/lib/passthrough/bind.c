/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl bind / unbind / restore: which devices (the IOMMU group's rules, a PF's VFs), then a
 * [Device] unit per device applied by the engine (hold.c): driver_override + unbind +
 * drivers_probe (never new_id), guarded, journaled, rolled back on failure, and the device's prior
 * state (driver, a VF's settings on its PF) kept as its record until restore. */
#include <stdarg.h>
#include <stdio.h>

#include "config.h"
#include "hold.h"
#include "lock.h"
#include "pci.h"
#include "relations.h"
#include "report.h"

typedef struct binder {
	vfctl_ctx *ctx;
	const vfctl_bind_opts *o;
	vfctl_host *h;
	const vfctl_device **set;
	size_t n;
} binder;

_printf_(2, 3) static void say(binder *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_linev(b->o->report, b->o->userdata, fmt, ap);
	va_end(ap);
}

/* --- who must not be taken from the host ------------------------------------------------------- */

/* bind's own rule on top of the guard: a PF whose VFs have any driver is not handed over (its
 * driver's removal destroys them), even when nothing else holds them. */
static int vfs_bound(const vfctl_device *d, char **ret)
{
	*ret = NULL;
	for (size_t i = 0; i < d->n_vfs; i++)
		if (d->vfs[i].driver)
			return asprintf(ret, "%s is a PF whose VFs are in use (VF %zu is bound to %s)", d->id, i,
					d->vfs[i].driver) < 0
				       ? -ENOMEM
				       : 0;
	return 0;
}

/* --- the set of devices ------------------------------------------------------------------------ */

static bool in_set(binder *b, const vfctl_device *d)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->set[i] == d)
			return true;
	return false;
}

static int set_add(binder *b, const vfctl_device *d)
{
	if (in_set(b, d))
		return 0;
	const vfctl_device **n = realloc(b->set, (b->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	b->set = n;
	n[b->n++] = d;
	return 0;
}

static int resolve_set(binder *b, char *const *devices, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const vfctl_device *d;
		int vf, r = vfctl_host_resolve(b->h, devices[i], &d, &vf);
		if (r < 0 || vf >= 0 || !streq(d->bus, "pci"))
			return ctx_error(b->ctx, -ENODEV, "%s: no such PCI device", devices[i]);
		if ((r = set_add(b, d)) < 0)
			return r;
	}
	if (b->o->all_functions)
		for (size_t i = 0, n0 = b->n; i < n0; i++) {
			for (size_t k = 0; k < b->h->n_devices; k++) {
				const vfctl_device *f = &b->h->devices[k];
				if (same_slot(f, b->set[i]) && set_add(b, f) < 0)
					return -ENOMEM;
			}
		}
	return 0;
}

/* Every endpoint of each device's IOMMU group is in the set, or --group adds it; bridges stay. */
static int check_groups(binder *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const vfctl_device *d = b->set[i];
		size_t *idx = NULL, np = 0;
		char others[512] = "";
		if (d->iommu_group < 0)
			return ctx_error(b->ctx, -ENXIO,
					 "%s has no IOMMU group: the IOMMU is off (vfctl doctor says how "
					 "to turn it on); vfctl never falls back to no-IOMMU mode",
					 d->id);
		if (vfctl_host_group_peers(b->h, d, &idx, &np) < 0)
			return -ENOMEM;
		for (size_t k = 0; k < np; k++) {
			const vfctl_device *p = &b->h->devices[idx[k]];
			if (p->is_bridge || in_set(b, p))
				continue;
			if (b->o->group) {
				if (set_add(b, p) < 0) {
					free(idx);
					return -ENOMEM;
				}
				continue;
			}
			size_t l = strlen(others);
			snprintf(others + l, sizeof(others) - l, "%s%s (%s)", l ? ", " : "", p->id,
				 p->driver ? p->driver : "no driver");
		}
		free(idx);
		if (others[0])
			return ctx_error(b->ctx, -EPERM,
					 "%s shares IOMMU group %d with %s: VFIO takes a group whole; "
					 "bind them too with --group, or move the card to a slot with its own group",
					 d->id, d->iommu_group, others);
	}
	return 0;
}

/* bind's own rule on top of the engine's guard: a PF whose VFs have drivers stays. */
static int check_safety(binder *b)
{
	int r = 0;
	for (size_t i = 0; i < b->n && r >= 0; i++) {
		_cleanup_free_ char *why = NULL;
		if ((r = vfs_bound(b->set[i], &why)) >= 0 && why)
			r = ctx_error(b->ctx, -EPERM, "refusing: %s", why);
	}
	return r;
}

/* --- the units --------------------------------------------------------------------------------- */

static int set_int(vfctl_config *c, const char *key, int v)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%d", v);
	return vfctl_config_set(c, key, buf);
}

/* One [Device] section per device not yet as asked, built through the key table as a file's would
 * be: Match=pci:, Driver= (none to unbind), the /dev/vfio node's owner for vfio-pci. */
static int build_units(binder *b, const char *drv, vfctl_config **ret)
{
	vfctl_config *c = NULL;
	char match[64];
	int r = vfctl_config_new(drv ? "(vfctl bind)" : "(vfctl unbind)", &c);
	for (size_t i = 0; r >= 0 && i < b->n; i++) {
		const vfctl_device *d = b->set[i];
		if (drv ? streq_ptr(d->driver, drv) : !d->driver) {
			say(b, "%s: already %s%s", d->id, drv ? "bound to " : "unbound", drv ? drv : "");
			continue;
		}
		snprintf(match, sizeof(match), "pci:%s", d->id);
		if ((r = vfctl_config_add_unit(c, "Device")) < 0 || (r = vfctl_config_set(c, "Match", match)) < 0 ||
		    (r = vfctl_config_set(c, "Driver", drv ? drv : "none")) < 0)
			break;
		if (driver_is_vfio(drv) && b->o->owner >= 0)
			r = set_int(c, "Owner", b->o->owner);
		if (r >= 0 && driver_is_vfio(drv) && b->o->group_id >= 0)
			r = set_int(c, "Group", b->o->group_id);
	}
	if (r == -EINVAL && c->n_errors)
		r = ctx_error(b->ctx, r, "%s", c->errors[0]);
	if (r < 0) {
		vfctl_config_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

static int do_bind(binder *b, bool unbind_only)
{
	const char *drv = unbind_only ? NULL : b->o->driver ? b->o->driver : "vfio-pci";
	vfctl_apply_opts ao = {.force = b->o->force, .report = b->o->report, .userdata = b->o->userdata};
	vfctl_config *c = NULL;
	/* The set points into the host the engine replaces: what the report names is copied first. */
	size_t n = b->n;
	char **ids = calloc(n + 1, sizeof(*ids)), **was = calloc(n + 1, sizeof(*was));
	int r = ids && was ? 0 : -ENOMEM;
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (!(ids[i] = strdup(b->set[i]->id)) ||
		    !(was[i] = strdup(b->set[i]->driver ? b->set[i]->driver : "no driver")))
			r = -ENOMEM;
	if (r >= 0 && (r = build_units(b, drv, &c)) >= 0)
		r = hold_apply(b->ctx, c, &b->h, &ao);
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (!streq(was[i], drv ? drv : "no driver"))
			say(b, "%s: %s -> %s", ids[i], was[i], drv ? drv : "no driver");
	strv_free_n(ids, n);
	strv_free_n(was, n);
	vfctl_config_free(c);
	return r;
}

/* Gives back each device named (all held ones when none is), one at a time, through the engine. */
static int restore(binder *b, char *const *devices, size_t n)
{
	vfctl_apply_opts ao = {.force = b->o->force, .report = b->o->report, .userdata = b->o->userdata};
	char **all = NULL;
	size_t na = 0;
	int r = hold_recover(b->ctx, &b->h, &ao);
	if (r >= 0 && !n)
		r = hold_list(b->ctx, &all, &na);
	if (r >= 0 && !n && !na)
		say(b, "nothing to restore: vfctl holds no device");
	for (size_t i = 0; r >= 0 && i < (n ? n : na); i++) {
		const vfctl_device *d;
		int vf;
		const char *arg = n ? devices[i] : all[i];
		_cleanup_free_ char *id = NULL;
		if (vfctl_host_resolve(b->h, arg, &d, &vf) < 0 || vf >= 0)
			r = ctx_error(b->ctx, -ENODEV, "%s: no such PCI device", arg);
		else if (!(id = strdup(d->id)))
			r = -ENOMEM;
		else
			r = hold_restore(b->ctx, id, &b->h, &ao);
	}
	strv_free_n(all, na);
	return r;
}

static int run_op(vfctl_ctx *ctx, char *const *devices, size_t n, const vfctl_bind_opts *o, int op)
{
	vfctl_bind_opts def = {.owner = -1, .group_id = -1};
	binder b = {.ctx = ctx, .o = o ? o : &def};
	if (!ctx->set.use_netlink)
		return ctx_error(ctx, -EOPNOTSUPP, "bind, unbind and restore need the running kernel (sysfs at /sys)");
	int lock = run_lock(ctx, ctx_run_dir(ctx), RUN_LOCK_WAIT_S, b.o->report, b.o->userdata), r;
	if (lock < 0)
		return lock;
	if ((r = vfctl_host_scan(ctx, &b.h)) < 0)
		goto out;
	if (op == 2)
		r = restore(&b, devices, n);
	else if ((r = resolve_set(&b, devices, n)) >= 0 && (r = check_groups(&b)) >= 0 && (r = check_safety(&b)) >= 0)
		r = do_bind(&b, op == 1);
out:
	free(b.set);
	vfctl_host_free(b.h);
	close(lock);
	return r;
}

static int run(vfctl_ctx *ctx, const vfctl_select *sel, const vfctl_bind_opts *o, int op)
{
	static const char *const what[] = {"binding", "unbinding", "restoring"};
	unsigned since = ctx->n_errors;
	vfctl_bind_opts mine = {.owner = -1, .group_id = -1};
	int r = o ? ctx_opts(ctx, &mine, sizeof(mine), o, what[op]) : 0;
	char *const *devices = sel ? sel->devices : NULL;
	size_t n = sel ? sel->n : 0;
	return ctx_ensure_error(ctx, since, r < 0 ? r : run_op(ctx, devices, n, &mine, op), what[op]);
}

int vfctl_bind(vfctl_ctx *ctx, const vfctl_select *devices, const vfctl_bind_opts *o)
{
	return run(ctx, devices, o, 0);
}

int vfctl_unbind(vfctl_ctx *ctx, const vfctl_select *devices, const vfctl_bind_opts *o)
{
	return run(ctx, devices, o, 1);
}

int vfctl_restore(vfctl_ctx *ctx, const vfctl_select *devices, const vfctl_bind_opts *o)
{
	return run(ctx, devices, o, 2);
}
