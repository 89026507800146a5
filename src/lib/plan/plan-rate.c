/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rate groups: a switchdev PF's devlink rate nodes ([RateGroup]) and the VF leafs under them
 * (RateGroup=). A leaf can go under a node only once the node exists, and a node that still has
 * leafs cannot be deleted (the kernel's devlink_nl_rate_del_doit() answers EBUSY): nodes first,
 * then leafs, then the nodes a rollback removes. */
#include <stdio.h>

#include "plan.h"

static const vfctl_rate_group *node_find(const vfctl_device *pf, const char *name, bool cur_known)
{
	for (size_t i = 0; cur_known && i < pf->n_rate_groups; i++)
		if (streq(pf->rate_groups[i].name, name))
			return &pf->rate_groups[i];
	return NULL;
}

static int add_node_step(vfctl_plan *p, size_t ui, const vfctl_device *pf, step_kind kind, const char *name,
			 int64_t min, int64_t max)
{
	plan_step *s = kind == STEP_RATE_NODE_DEL
			       ? plan_add(p, kind, ui, pf->id, -1, "%s: devlink rate node %s: delete", pf->id, name)
			       : plan_add(p, kind, ui, pf->id, -1,
					  "%s: devlink rate node %s: %s tx_share %lld tx_max %lld Mbit/s", pf->id, name,
					  kind == STEP_RATE_NODE_ADD ? "add" : "set", (long long)min, (long long)max);
	if (!s)
		return -ENOMEM;
	s->u.node.min = (uint32_t)min;
	s->u.node.max = (uint32_t)max;
	return plan_own(&s->u.node.name, name) ? 0 : -ENOMEM;
}

int plan_rate_groups(vfctl_plan *p, size_t ui, const conf_unit *u, const vfctl_device *pf, int want_n, bool cur_known)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < u->n_rate_groups; i++) {
		const rate_group_target *g = &u->rate_groups[i];
		const vfctl_rate_group *cur = node_find(pf, g->name, cur_known);
		if (!g->present)
			continue;
		int64_t min = g->min_tx_rate >= 0 ? g->min_tx_rate : cur ? cur->min_tx_rate : 0;
		int64_t max = g->max_tx_rate >= 0 ? g->max_tx_rate : cur ? cur->max_tx_rate : 0;
		if (!cur)
			r = add_node_step(p, ui, pf, STEP_RATE_NODE_ADD, g->name, min, max);
		else if (cur->min_tx_rate != min || cur->max_tx_rate != max)
			r = add_node_step(p, ui, pf, STEP_RATE_NODE_SET, g->name, min, max);
	}
	for (int i = 0; r >= 0 && i < want_n && (size_t)i < u->n_vfs; i++) {
		const char *want = u->vfs[i].rate_group;
		const char *cur = cur_known && (size_t)i < pf->n_vfs ? pf->vfs[i].rate_group : NULL;
		if (!want || streq(want, cur ? cur : ""))
			continue;
		plan_step *s = *want ? plan_add(p, STEP_VF_RATE_PARENT, ui, pf->id, i,
						"%s vf %d: devlink rate leaf under node %s", pf->id, i, want)
				     : plan_add(p, STEP_VF_RATE_PARENT, ui, pf->id, i,
						"%s vf %d: devlink rate leaf under no node (was %s)", pf->id, i, cur);
		if (!s || !plan_own(&s->u.node.name, want))
			r = -ENOMEM;
	}
	for (size_t i = 0; r >= 0 && i < u->n_rate_groups; i++) {
		const rate_group_target *g = &u->rate_groups[i];
		if (!g->present && node_find(pf, g->name, cur_known))
			r = add_node_step(p, ui, pf, STEP_RATE_NODE_DEL, g->name, 0, 0);
	}
	return r;
}
