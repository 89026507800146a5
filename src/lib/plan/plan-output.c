/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json-writer.h"
#include "plan.h"

bool unit_selected(const conf_unit *u, const vfctl_host *h, const vfctl_select *sel)
{
	const vfctl_device *d = u->kind != UNIT_VDPA && u->dev_id ? vfctl_host_find(h, u->dev_id) : NULL, *want;
	int vf;
	if (!sel || !sel->n)
		return true;
	for (size_t i = 0; i < sel->n; i++)
		if (u->kind == UNIT_VDPA ? u->dev_id && streq(u->dev_id, sel->devices[i])
					 : d && vfctl_host_resolve(h, sel->devices[i], &want, &vf) >= 0 && want == d)
			return true;
	return false;
}

static int plan_build(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, const vfctl_select *only,
		      vfctl_plan **ret)
{
	vfctl_plan *p = calloc(1, sizeof(*p));
	int r = 0;
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_units && r >= 0; i++)
		if (unit_selected(&c->units[i], h, only))
			r = plan_unit(ctx, c, i, h, p);
	if (r < 0) {
		vfctl_plan_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

vfctl_plan *vfctl_plan_free(vfctl_plan *p)
{
	if (!p)
		return NULL;
	plan_clear(p);
	free(p);
	return NULL;
}

size_t vfctl_plan_n_steps(const vfctl_plan *p)
{
	return p->n;
}

const char *vfctl_plan_step_text(const vfctl_plan *p, size_t i)
{
	return i < p->n ? p->steps[i].text : NULL;
}

int vfctl_plan_json(const vfctl_plan *p, char **ret)
{
	json_writer w = {0};
	json_open_object(&w, NULL);
	json_int(&w, "schema", 1);
	json_open_array(&w, "steps");
	for (size_t i = 0; i < p->n; i++) {
		const plan_step *s = &p->steps[i];
		json_open_object(&w, NULL);
		json_str(&w, "action", plan_step_action(s));
		json_str(&w, "device", plan_step_target(s) ? plan_step_target(s) : s->dev);
		json_int_or_null(&w, "vf", s->vf);
		json_bool(&w, "disruptive", s->disruptive);
		json_str(&w, "text", s->text);
		json_close_object(&w);
	}
	json_close_array(&w);
	json_close_object(&w);
	return json_finish(&w, ret);
}

int vfctl_plan_build(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, const vfctl_select *only,
		     vfctl_plan **ret)
{
	unsigned since = ctx->n_errors;
	return ctx_ensure_error(ctx, since, plan_build(ctx, c, h, only, ret), "planning");
}
