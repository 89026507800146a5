/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "json-writer.h"
#include "report.h"

int report_add(vfctl_report *r, const char *id, vfctl_severity sev, const char *device, const char *summary,
	       const char *evidence, const char *fix)
{
	vfctl_finding *n = realloc(r->findings, (r->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	r->findings = n;
	vfctl_finding *f = &n[r->n];
	*f = (vfctl_finding){.severity = sev};
	f->id = strdup(id);
	f->device = strdup_or_null(device);
	f->summary = strdup(summary);
	f->evidence = strdup_or_null(evidence);
	f->fix = strdup_or_null(fix);
	r->n++;
	if (!f->id || !f->summary || (device && !f->device) || (evidence && !f->evidence) || (fix && !f->fix))
		return -ENOMEM;
	return 0;
}

vfctl_report *vfctl_report_free(vfctl_report *r)
{
	if (!r)
		return NULL;
	for (size_t i = 0; i < r->n; i++) {
		vfctl_finding *f = &r->findings[i];
		free(f->id);
		free(f->device);
		free(f->summary);
		free(f->evidence);
		free(f->fix);
	}
	free(r->findings);
	free(r);
	return NULL;
}

vfctl_severity vfctl_report_worst(const vfctl_report *r)
{
	vfctl_severity w = VFCTL_SEV_OK;
	for (size_t i = 0; i < r->n; i++)
		if (r->findings[i].severity > w)
			w = r->findings[i].severity;
	return w;
}

const char *vfctl_severity_str(vfctl_severity s)
{
	static const char *const names[] = {"ok", "info", "warn", "error"};
	return s <= VFCTL_SEV_ERROR ? names[s] : "?";
}

int vfctl_report_json(const vfctl_report *r, char **ret)
{
	json_writer w = {0};
	json_open_object(&w, NULL);
	json_int(&w, "schema", 1);
	json_str(&w, "worst", vfctl_severity_str(vfctl_report_worst(r)));
	json_open_array(&w, "findings");
	for (size_t i = 0; i < r->n; i++) {
		const vfctl_finding *f = &r->findings[i];
		json_open_object(&w, NULL);
		json_str(&w, "id", f->id);
		json_str(&w, "severity", vfctl_severity_str(f->severity));
		json_str(&w, "device", f->device);
		json_str(&w, "summary", f->summary);
		json_str(&w, "evidence", f->evidence);
		json_str(&w, "fix", f->fix);
		json_close_object(&w);
	}
	json_close_array(&w);
	json_close_object(&w);
	return json_finish(&w, ret);
}

void report_linev(report_fn cb, void *userdata, const char *fmt, va_list ap)
{
	char *line = NULL;
	if (!cb)
		return;
	if (vasprintf(&line, fmt, ap) >= 0)
		cb(userdata, line);
	free(line);
}
