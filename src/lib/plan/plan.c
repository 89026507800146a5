/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan is the oracle: the diff between what the host reports and what the configuration
 * says, as ordered steps, each one kernel change. A function of (configuration, snapshot): it reads
 * nothing itself, so what it decides is what the snapshot shows. */
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>

#include "parse.h"
#include "plan.h"
#include "relations.h"

static int plan_device(vfctl_ctx *ctx, const vfctl_config *c, size_t ui, const vfctl_host *h, vfctl_plan *p)
{
	const conf_unit *u = &c->units[ui];
	const vfctl_device *d = vfctl_host_find(h, u->dev_id);
	if (!d)
		return ctx_error(ctx, -ENODEV, "%s: gone", u->dev_id);
	if (d->addr.domain < 0)
		return ctx_error(ctx, -EINVAL, "%s: [Device] needs a PCI device", d->id);
	/* A VF's settings on its PF first (some PF drivers apply a MAC only when the VF's driver
	 * loads): only a rollback target has them, the prior state of a VF vfctl bind took. */
	const vfctl_device *pf = d->physfn ? vfctl_host_find(h, d->physfn) : NULL;
	if (u->all_functions != 1 && u->n_vfs == 1 && pf && d->vf_index >= 0) {
		const vfctl_vf *cur = (size_t)d->vf_index < pf->n_vfs ? &pf->vfs[d->vf_index] : NULL;
		int r = plan_vf_settings(p, ui, pf, pf->n_netdevs ? pf->netdevs[0].name : pf->id, d->vf_index,
					 &u->vfs[0], cur ? &cur->settings : NULL, pf->eswitch_mode);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *f = &h->devices[i];
		if (f != d && (u->all_functions != 1 || !same_slot(f, d)))
			continue;
		/* A rollback target lists each function's own prior driver (a GPU and its audio function
		 * have different ones); a configuration names one for all. */
		const char *want = u->driver;
		if (u->n_vfs == 8 && f->addr.function >= 0 && u->vfs[f->addr.function].driver)
			want = u->vfs[f->addr.function].driver;
		want = vfio_pick(want, f->vfio_variant, u->vfio_variant, u->override);
		bool none = streq(want, "none");
		if (none ? !f->driver : streq_ptr(f->driver, want))
			continue;
		plan_step *s;
		if (f->driver) {
			s = plan_add(p, STEP_UNBIND, ui, d->id, -1, "%s: unbind %s", f->id, f->driver);
			if (!s || !plan_own(&s->u.drv.function, f->id))
				return -ENOMEM;
			s->disruptive = true;
		}
		if (none)
			continue;
		s = plan_add(p, STEP_BIND, ui, d->id, -1, "%s: bind %s%s", f->id, want,
			     want != u->driver && f->vfio_variant == want ? VFIO_VARIANT_WHY : "");
		if (!s || !plan_own(&s->u.drv.function, f->id) || !plan_own(&s->u.drv.driver, want))
			return -ENOMEM;
		/* driver_override stays set, so a reset or reprobe does not hand the device back; a
		 * rollback to a device that had none leaves none. */
		s->u.drv.keep_override = !u->override || *u->override;
	}
	if ((u->owner >= 0 || u->group >= 0) && !vfio_owned(d, u->owner, u->group)) {
		plan_step *s = plan_add(p, STEP_VFIO_OWNER, ui, d->id, -1, "%s: /dev/vfio/N owner %d group %d", d->id,
					u->owner, u->group);
		if (!s || !plan_own(&s->u.owner.function, d->id))
			return -ENOMEM;
		s->u.owner.uid = u->owner;
		s->u.owner.gid = u->group;
	}
	return 0;
}

int plan_unit(vfctl_ctx *ctx, const vfctl_config *c, size_t u, const vfctl_host *h, vfctl_plan *p)
{
	if (!c->units[u].dev_id)
		return ctx_error(ctx, -EINVAL, "unit %zu was not validated", u);
	switch (c->units[u].kind) {
	case UNIT_PF:
		return plan_pf(ctx, c, u, h, p);
	case UNIT_DEVICE:
		return plan_device(ctx, c, u, h, p);
	default:
		return plan_vdpa(c, u, h, p);
	}
}
