/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Drift: the plan from the host as it is, one entry per knob apply would change, with the host's
 * value beside the configuration's. */
#include <stdio.h>

#include "verify.h"

static const vfctl_vf *step_vf(const vfctl_host *h, const plan_step *s)
{
	const vfctl_device *d = s->dev ? vfctl_host_find(h, s->dev) : NULL;
	return d && s->vf >= 0 && (size_t)s->vf < d->n_vfs ? &d->vfs[s->vf] : NULL;
}

static const char *onoff(int v)
{
	return v < 0 ? "unknown" : v ? "on" : "off";
}

/* The host's side of a step, in the words of the step's text; NULL when there is none to give
 * (a vDPA device, an altname: the step's text already says what is missing). */
static char *have_text(const vfctl_host *h, const plan_step *s)
{
	const vfctl_device *d = s->dev ? vfctl_host_find(h, s->dev) : NULL;
	const vfctl_vf *vf = step_vf(h, s);
	const vfctl_vf_settings *vs = vf ? &vf->settings : NULL;
	const char *target = plan_step_target(s);
	char *r = NULL;
	int n = -1;

	switch (s->kind) {
	case STEP_NUMVFS:
		if (d)
			n = asprintf(&r, "%d VFs", d->num_vfs);
		break;
	case STEP_AUTOPROBE:
		if (d)
			n = asprintf(&r, "autoprobe %s", onoff(d->autoprobe));
		break;
	case STEP_PF_MTU:
		if (d && d->n_netdevs)
			n = asprintf(&r, "mtu %d", d->netdevs[0].mtu);
		break;
	case STEP_PF_UP:
	case STEP_PF_DOWN:
		if (d && d->n_netdevs && d->netdevs[0].flags >= 0)
			n = asprintf(&r, "%s", d->netdevs[0].flags & 1 ? "up" : "down");
		break;
	case STEP_UDEV_RULE:
		if (d)
			n = asprintf(&r, "%s", d->udev_rule ? "another udev rule" : "no udev rule");
		break;
	case STEP_NETWORKD_FILE:
		if (d)
			n = asprintf(&r, "%s", d->networkd_file ? "another .network file" : "no .network file");
		break;
	case STEP_ESWITCH:
		if (d)
			n = asprintf(&r, "eswitch %s", vfctl_eswitch_mode_str(d->eswitch_mode));
		break;
	case STEP_VF_MAC:
	case STEP_VF_HW_ADDR:
		if (vs && vs->valid)
			n = asprintf(&r, "mac %s", vs->mac);
		break;
	case STEP_VF_VLAN:
		if (vs && vs->valid)
			n = asprintf(&r, "vlan %d qos %d%s", vs->vlan, vs->qos,
				     vs->vlan_proto == VFCTL_VLAN_PROTO_8021AD ? " 802.1ad" : "");
		break;
	case STEP_VF_RATE:
		if (vs && vs->valid)
			n = asprintf(&r, "min_tx_rate %lld max_tx_rate %lld", (long long)vs->min_tx_rate,
				     (long long)vs->max_tx_rate);
		break;
	case STEP_VF_FLAG: {
		vf_flag f = s->u.flag.which;
		const char *v = vs && vs->valid ? vf_flag_value_str(f, vf_flag_get(vs, f)) : NULL;
		if (vs && vs->valid)
			n = asprintf(&r, "%s %s", vf_flags[f].have_word, v ? v : "unknown");
		break;
	}
	case STEP_UNBIND:
	case STEP_BIND:
	case STEP_PROBE: {
		const vfctl_device *f = target         ? vfctl_host_find(h, target)
					: vf && vf->id ? vfctl_host_find(h, vf->id)
						       : NULL;
		if (f)
			n = asprintf(&r, "driver %s", f->driver ? f->driver : "none");
		else if (vf)
			n = asprintf(&r, "driver %s", vf->driver ? vf->driver : "none");
		break;
	}
	default:
		break;
	}
	return n < 0 ? NULL : r;
}

int verify_drift(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, const bool *units, vfctl_verify_result *v)
{
	vfctl_plan p = {0};
	int r = 0;
	for (size_t i = 0; i < c->n_units && r >= 0; i++)
		if (units[i])
			r = plan_unit(ctx, c, i, h, &p);
	if (r >= 0 && p.n && !(v->drift = calloc(p.n, sizeof(*v->drift))))
		r = -ENOMEM;
	for (size_t i = 0; r >= 0 && i < p.n; i++) {
		const plan_step *s = &p.steps[i];
		vfctl_drift *d = &v->drift[v->n_drift++];
		const char *dev = plan_step_target(s) ? plan_step_target(s) : s->dev;
		d->knob = plan_step_action(s);
		d->vf = s->vf;
		d->device = dev ? strdup(dev) : NULL;
		d->want = strdup(s->text);
		d->have = have_text(h, s);
		if ((dev && !d->device) || !d->want)
			r = -ENOMEM;
	}
	/* The plan's notes move over as they are. */
	if (r >= 0 && p.n_notes) {
		v->notes = TAKE_PTR(p.notes);
		v->n_notes = p.n_notes;
		p.n_notes = p.alloc_notes = 0;
	}
	plan_clear(&p);
	return r;
}
