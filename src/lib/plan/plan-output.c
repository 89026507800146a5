/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "applier.h"
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

int vfctl_plan_prune(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, vfctl_plan *p)
{
	unsigned since = ctx->n_errors;
	char **names = NULL;
	size_t n = 0;
	int r = records_unnamed(ctx, c, &names, &n);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		conf_unit prior = {0};
		if ((r = record_load(ctx, h, names[i], &prior)) < 0)
			break;
		vfctl_config one = {.units = &prior, .n_units = 1};
		size_t before = p->n;
		if (!vfctl_host_find(h, names[i]))
			r = plan_note(p, names[i], "has a record, and is not on this host: nothing to prune");
		else if ((r = plan_unit(ctx, &one, 0, h, p)) >= 0 && p->n > before)
			r = plan_note(p, names[i],
				      "no configuration names it: --prune returns it to what it had before vfctl first "
				      "configured it (%zu step%s)",
				      p->n - before, p->n - before == 1 ? "" : "s");
		else if (r >= 0)
			r = plan_note(p, names[i],
				      "no configuration names it, and it is as it was before vfctl: --prune only "
				      "drops its record");
		conf_unit_done(&prior);
	}
	strv_free_n(names, n);
	return ctx_ensure_error(ctx, since, r, "planning the prune");
}

size_t vfctl_plan_n_notes(const vfctl_plan *p)
{
	return p->n_notes;
}

const char *vfctl_plan_note(const vfctl_plan *p, size_t i)
{
	return i < p->n_notes ? p->notes[i] : NULL;
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
	json_open_array(&w, "notes");
	for (size_t i = 0; i < p->n_notes; i++)
		json_str(&w, NULL, p->notes[i]);
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
