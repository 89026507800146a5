/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "verify.h"
#include "json-writer.h"

static int verify_run(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, const vfctl_verify_opts *opts,
		      vfctl_verify_result **ret)
{
	vfctl_verify_opts o = opts ? *opts : (vfctl_verify_opts){0};
	vfctl_verify_result *v = calloc(1, sizeof(*v));
	bool *units = calloc(c->n_units ? c->n_units : 1, sizeof(*units));
	int r = 0;
	if (!v || !units) {
		r = -ENOMEM;
		goto out;
	}
	if (o.wait_ms <= 0)
		o.wait_ms = 1000;
	for (size_t i = 0; i < c->n_units; i++) {
		units[i] = unit_selected(&c->units[i], h, &o.select);
	}
	r = verify_drift(ctx, c, h, units, v);
	if (r >= 0 && o.datapath)
		r = verify_datapath(ctx, c, h, units, &o, v);
out:
	free(units);
	if (r < 0)
		vfctl_verify_free(v);
	else
		*ret = v;
	return r;
}

int vfctl_verify(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, const vfctl_verify_opts *o,
		 vfctl_verify_result **ret)
{
	unsigned since = ctx->n_errors;
	vfctl_verify_opts mine = {0};
	int r = o ? ctx_opts(ctx, &mine, sizeof(mine), o, "vfctl_verify") : 0;
	return ctx_ensure_error(ctx, since, r < 0 ? r : verify_run(ctx, c, h, &mine, ret), "verifying");
}

vfctl_verify_result *vfctl_verify_free(vfctl_verify_result *v)
{
	if (!v)
		return NULL;
	for (size_t i = 0; i < v->n_drift; i++) {
		free(v->drift[i].device);
		free(v->drift[i].want);
		free(v->drift[i].have);
	}
	free(v->drift);
	for (size_t i = 0; i < v->n_checks; i++) {
		vfctl_datapath_check *c = &v->checks[i];
		free(c->from);
		free(c->to);
		free(c->from_netdev);
		free(c->to_netdev);
		free(c->sent);
		strv_free_n(c->seen, c->n_seen);
		free(c->hint);
	}
	free(v->checks);
	for (size_t i = 0; i < v->n_skipped; i++) {
		free(v->skipped[i].device);
		free(v->skipped[i].why);
	}
	free(v->skipped);
	strv_free_n(v->restored, v->n_restored);
	strv_free_n(v->notes, v->n_notes);
	free(v);
	return NULL;
}

bool vfctl_verify_ok(const vfctl_verify_result *v)
{
	if (v->n_drift)
		return false;
	for (size_t i = 0; i < v->n_checks; i++)
		if (!v->checks[i].ok)
			return false;
	return true;
}

int vfctl_verify_json(const vfctl_verify_result *v, char **ret)
{
	json_writer w = {0};
	json_open_object(&w, NULL);
	json_int(&w, "schema", 1);
	json_bool(&w, "ok", vfctl_verify_ok(v));
	json_open_array(&w, "drift");
	for (size_t i = 0; i < v->n_drift; i++) {
		const vfctl_drift *d = &v->drift[i];
		json_open_object(&w, NULL);
		json_str(&w, "knob", d->knob);
		json_str(&w, "device", d->device);
		json_int_or_null(&w, "vf", d->vf);
		json_str(&w, "want", d->want);
		json_str(&w, "have", d->have);
		json_close_object(&w);
	}
	json_close_array(&w);
	json_bool(&w, "datapath", v->datapath);
	json_open_array(&w, "checks");
	for (size_t i = 0; i < v->n_checks; i++) {
		const vfctl_datapath_check *c = &v->checks[i];
		json_open_object(&w, NULL);
		json_str(&w, "kind", c->kind);
		json_str(&w, "from", c->from);
		json_str(&w, "to", c->to);
		json_str(&w, "from_netdev", c->from_netdev);
		json_str(&w, "to_netdev", c->to_netdev);
		json_int(&w, "vlan", c->vlan);
		json_str(&w, "sent", c->sent);
		json_str(&w, "expected", c->expected ? c->to_netdev : NULL);
		json_open_array(&w, "seen");
		for (size_t k = 0; k < c->n_seen; k++)
			json_str(&w, NULL, c->seen[k]);
		json_close_array(&w);
		json_bool(&w, "ok", c->ok);
		json_str(&w, "hint", c->hint);
		json_close_object(&w);
	}
	json_close_array(&w);
	json_open_array(&w, "skipped");
	for (size_t i = 0; i < v->n_skipped; i++) {
		json_open_object(&w, NULL);
		json_str(&w, "device", v->skipped[i].device);
		json_str(&w, "why", v->skipped[i].why);
		json_close_object(&w);
	}
	json_close_array(&w);
	json_open_array(&w, "restored");
	for (size_t i = 0; i < v->n_restored; i++)
		json_str(&w, NULL, v->restored[i]);
	json_close_array(&w);
	json_open_array(&w, "notes");
	for (size_t i = 0; i < v->n_notes; i++)
		json_str(&w, NULL, v->notes[i]);
	json_close_array(&w);
	json_close_object(&w);
	return json_finish(&w, ret);
}
