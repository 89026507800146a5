/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plan steps: names, construction, ownership. */
#include <stdarg.h>
#include <stdio.h>

#include "plan.h"

/* Each step kind once: its name (plan --json's action, verify's knob), which member of the union
 * holds what it owns and acts on, and whether the bind pool may run it beside others. The executor
 * for each is exec.c's table, the host's current value for verify drift.c's. */
typedef enum step_payload {
	PAYLOAD_NONE,
	PAYLOAD_DRV,     /* u.drv: function and driver owned, function acted on */
	PAYLOAD_OWNER,   /* u.owner */
	PAYLOAD_ALTNAME, /* u.altname owned */
	PAYLOAD_VDPA,    /* u.vdpa: name, mgmtdev and driver owned, name acted on */
	PAYLOAD_OVS,     /* u.ovs: bridge, del and drop owned */
	PAYLOAD_NODE,    /* u.node: name owned */
	PAYLOAD_RULE,    /* u.rule: all three owned */
} step_payload;

static const struct {
	const char *name;
	step_payload payload;
	bool poolable; /* a driver bind that waits on the kernel: concurrent across VFs */
} kinds[_STEP_MAX] = {
	[STEP_PF_MTU] = {"pf-mtu"},
	[STEP_PF_UP] = {"pf-up"},
	[STEP_AUTOPROBE] = {"autoprobe"},
	[STEP_NUMVFS] = {"numvfs"},
	[STEP_VF_MAC] = {"vf-mac"},
	[STEP_VF_HW_ADDR] = {"vf-mac"}, /* the same knob, through devlink */
	[STEP_VF_VLAN] = {"vf-vlan"},
	[STEP_VF_RATE] = {"vf-rate"},
	[STEP_VF_FLAG] = {"vf-flag"}, /* named by its flag: plan_step_action */
	[STEP_UNBIND] = {"unbind", PAYLOAD_DRV},
	[STEP_BIND] = {"bind", PAYLOAD_DRV, true},
	[STEP_PROBE] = {"probe", PAYLOAD_DRV, true},
	[STEP_VF_MTU] = {"vf-mtu"},
	[STEP_VFIO_OWNER] = {"vfio-owner", PAYLOAD_OWNER},
	[STEP_PF_DOWN] = {"pf-down"},
	[STEP_ESWITCH] = {"eswitch"},
	[STEP_REP_ALTNAME] = {"representor-altname", PAYLOAD_ALTNAME},
	[STEP_VDPA_ADD] = {"vdpa-add", PAYLOAD_VDPA},
	[STEP_VDPA_BIND] = {"vdpa-bind", PAYLOAD_VDPA},
	[STEP_VDPA_DEL] = {"vdpa-del", PAYLOAD_VDPA},
	[STEP_NVME_OFFLINE] = {"nvme-offline"},
	[STEP_NVME_ASSIGN] = {"nvme-assign"},
	[STEP_NVME_ONLINE] = {"nvme-online"},
	[STEP_OVSDB] = {"ovsdb", PAYLOAD_OVS},
	[STEP_RATE_NODE_ADD] = {"rate-group-add", PAYLOAD_NODE},
	[STEP_RATE_NODE_SET] = {"rate-group-set", PAYLOAD_NODE},
	[STEP_RATE_NODE_DEL] = {"rate-group-del", PAYLOAD_NODE},
	[STEP_VF_RATE_PARENT] = {"vf-rate-group", PAYLOAD_NODE},
	[STEP_REP_LINK] = {"representor-link"},
	[STEP_UDEV_RULE] = {"udev-rule", PAYLOAD_RULE},
	[STEP_NETWORKD_FILE] = {"networkd-file", PAYLOAD_RULE},
};

const char *step_kind_str(step_kind k)
{
	return k < _STEP_MAX && kinds[k].name ? kinds[k].name : "?";
}

const char *plan_step_action(const plan_step *s)
{
	return s->kind == STEP_VF_FLAG && s->u.flag.which < _VF_FLAG_MAX ? vf_flags[s->u.flag.which].action
									 : step_kind_str(s->kind);
}

bool step_poolable(const plan_step *s)
{
	return s->kind < _STEP_MAX && kinds[s->kind].poolable;
}

void plan_step_done(plan_step *s)
{
	free(s->dev);
	free(s->text);
	switch (s->kind < _STEP_MAX ? kinds[s->kind].payload : PAYLOAD_NONE) {
	case PAYLOAD_DRV:
		free(s->u.drv.function);
		free(s->u.drv.driver);
		break;
	case PAYLOAD_OWNER:
		free(s->u.owner.function);
		break;
	case PAYLOAD_ALTNAME:
		free(s->u.altname);
		break;
	case PAYLOAD_VDPA:
		free(s->u.vdpa.name);
		free(s->u.vdpa.mgmtdev);
		free(s->u.vdpa.driver);
		break;
	case PAYLOAD_NODE:
		free(s->u.node.name);
		break;
	case PAYLOAD_RULE:
		free(s->u.rule.text);
		free(s->u.rule.pattern);
		free(s->u.rule.pf_name);
		break;
	case PAYLOAD_OVS:
		free(s->u.ovs.bridge);
		free(s->u.ovs.drop);
		strv_free_n(s->u.ovs.del, s->u.ovs.n_del);
		break;
	case PAYLOAD_NONE:
		break;
	}
	*s = (plan_step){0};
}

const char *plan_step_target(const plan_step *s)
{
	switch (s->kind < _STEP_MAX ? kinds[s->kind].payload : PAYLOAD_NONE) {
	case PAYLOAD_DRV:
		return s->u.drv.function;
	case PAYLOAD_OWNER:
		return s->u.owner.function;
	case PAYLOAD_VDPA:
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
	for (size_t i = 0; i < p->n_notes; i++)
		free(p->notes[i]);
	free(p->notes);
	p->notes = NULL;
	p->n_notes = p->alloc_notes = 0;
}

int plan_note(vfctl_plan *p, const char *dev, const char *fmt, ...)
{
	va_list ap;
	char *body = NULL, *n = NULL;
	if (GROW(p->notes, p->alloc_notes, p->n_notes + 1) < 0)
		return -ENOMEM;
	va_start(ap, fmt);
	int r = vasprintf(&body, fmt, ap);
	va_end(ap);
	if (r < 0 || asprintf(&n, "%s: %s", dev, body) < 0) {
		free(body);
		return -ENOMEM;
	}
	free(body);
	p->notes[p->n_notes++] = n;
	return 0;
}

/* Appends a step with its text; the caller fills the kind's member of the union. */
plan_step *plan_add(vfctl_plan *p, step_kind kind, size_t unit, const char *dev, int vf, const char *fmt, ...)
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
