/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plan steps: names, construction, ownership. */
#include <stdarg.h>
#include <stdio.h>

#include "plan.h"

const char *step_kind_str(step_kind k)
{
	static const char *const names[_STEP_MAX] = {
		[STEP_PF_MTU] = "pf-mtu",
		[STEP_PF_UP] = "pf-up",
		[STEP_AUTOPROBE] = "autoprobe",
		[STEP_NUMVFS] = "numvfs",
		[STEP_VF_MAC] = "vf-mac",
		[STEP_VF_VLAN] = "vf-vlan",
		[STEP_VF_RATE] = "vf-rate",
		[STEP_VF_FLAG] = "vf-flag",
		[STEP_UNBIND] = "unbind",
		[STEP_BIND] = "bind",
		[STEP_PROBE] = "probe",
		[STEP_VF_MTU] = "vf-mtu",
		[STEP_VFIO_OWNER] = "vfio-owner",
		[STEP_PF_DOWN] = "pf-down",
		[STEP_ESWITCH] = "eswitch",
		[STEP_REP_ALTNAME] = "representor-altname",
		[STEP_VDPA_ADD] = "vdpa-add",
		[STEP_VDPA_BIND] = "vdpa-bind",
		[STEP_VDPA_DEL] = "vdpa-del",
		[STEP_NVME_OFFLINE] = "nvme-offline",
		[STEP_NVME_ASSIGN] = "nvme-assign",
		[STEP_NVME_ONLINE] = "nvme-online",
	};
	return k < _STEP_MAX && names[k] ? names[k] : "?";
}

const char *plan_step_action(const plan_step *s)
{
	return s->kind == STEP_VF_FLAG && s->u.flag.which < _VF_FLAG_MAX ? vf_flags[s->u.flag.which].action
									 : step_kind_str(s->kind);
}

void plan_step_done(plan_step *s)
{
	free(s->dev);
	free(s->text);
	switch (s->kind) {
	case STEP_UNBIND:
	case STEP_BIND:
	case STEP_PROBE:
		free(s->u.drv.function);
		free(s->u.drv.driver);
		break;
	case STEP_VFIO_OWNER:
		free(s->u.owner.function);
		break;
	case STEP_REP_ALTNAME:
		free(s->u.altname);
		break;
	case STEP_VDPA_ADD:
	case STEP_VDPA_BIND:
	case STEP_VDPA_DEL:
		free(s->u.vdpa.name);
		free(s->u.vdpa.mgmtdev);
		free(s->u.vdpa.driver);
		break;
	default:
		break;
	}
	*s = (plan_step){0};
}

const char *plan_step_target(const plan_step *s)
{
	switch (s->kind) {
	case STEP_UNBIND:
	case STEP_BIND:
	case STEP_PROBE:
		return s->u.drv.function;
	case STEP_VFIO_OWNER:
		return s->u.owner.function;
	case STEP_VDPA_ADD:
	case STEP_VDPA_BIND:
	case STEP_VDPA_DEL:
		return s->u.vdpa.name;
	default:
		return NULL;
	}
}

void plan_clear(vfctl_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		plan_step_done(&p->steps[i]);
	free(p->steps);
	p->steps = NULL;
	p->n = p->alloc = 0;
}

/* Appends a step with its text; the caller fills the kind's member of the union. */
plan_step *plan_add(vfctl_plan *p, step_kind kind, size_t unit, const char *dev, int vf,
				      const char *fmt, ...)
{
	va_list ap;
	if (GROW(p->steps, p->alloc, p->n + 1) < 0)
		return NULL;
	plan_step *s = &p->steps[p->n];
	*s = (plan_step){.kind = kind, .unit = unit, .vf = vf};
	s->dev = strdup(dev);
	va_start(ap, fmt);
	int r = vasprintf(&s->text, fmt, ap);
	va_end(ap);
	if (!s->dev || r < 0) {
		free(s->dev);
		return NULL;
	}
	p->n++;
	return s;
}

/* Takes ownership of a string for a step; false (and the step's own string freed later) on OOM. */
bool plan_own(char **field, const char *v)
{
	return !v || (*field = strdup(v)) != NULL;
}
