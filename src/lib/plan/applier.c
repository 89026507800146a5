/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every part of an apply run uses: its report line. */
#include <stdarg.h>
#include <stdio.h>

#include "applier.h"
#include "report.h"
#include "runs.h"

void applier_init(applier *a, vfctl_ctx *ctx, const vfctl_apply_opts *o, char **boot_id)
{
	*a = (applier){.ctx = ctx, .o = o, .rundir = ctx_run_dir(ctx)};
	if (run_boot_id(ctx, boot_id) >= 0)
		a->boot_id = *boot_id;
	a->fail_at = ctx->set.test ? ctx->set.test->fail_step : 0;
}

void applier_event(applier *a, const vfctl_event *e)
{
	if (!a->o->event)
		return;
	vfctl_event copy = *e;
	if (!copy.unit)
		copy.unit = a->unit;
	a->o->event(a->o->userdata, &copy);
}

void applier_step_line(applier *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_linev(a->o->report, a->o->userdata, fmt, ap);
	va_end(ap);
}

void applier_say(applier *a, const char *fmt, ...)
{
	char *line = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (a->o->report)
		a->o->report(a->o->userdata, line);
	/* A line that names its unit first ("0000:01:00.0: up to date") is that unit's. */
	const char *text = line;
	size_t ul = a->unit ? strlen(a->unit) : 0;
	if (ul && strncmp(line, a->unit, ul) == 0 && line[ul] == ':' && line[ul + 1] == ' ')
		text = line + ul + 2;
	applier_event(a, &(vfctl_event){.kind = VFCTL_EVENT_MESSAGE, .text = text, .vf = -1});
	free(line);
}

const char *vfctl_unit_outcome_str(vfctl_unit_outcome o)
{
	static const char *const names[] = {
		[VFCTL_UNIT_CHANGED] = "changed",
		[VFCTL_UNIT_UP_TO_DATE] = "up-to-date",
		[VFCTL_UNIT_FAILED] = "failed",
		[VFCTL_UNIT_ROLLED_BACK] = "rolled-back",
		[VFCTL_UNIT_ROLLBACK_INCOMPLETE] = "rollback-incomplete",
		[VFCTL_UNIT_SKIPPED] = "skipped",
		[VFCTL_UNIT_LATER] = "later",
	};
	return (size_t)o < ELEMENTSOF(names) ? names[o] : NULL;
}

void applier_unit_done(applier *a, const char *unit, vfctl_unit_outcome o, const char *where)
{
	applier_event(
		a, &(vfctl_event){.kind = VFCTL_EVENT_UNIT_DONE, .unit = unit, .text = where, .vf = -1, .outcome = o});
}

void applier_step_event(applier *a, vfctl_event_kind kind, const plan_step *s, size_t i, size_t n, bool undo, int r,
			const char *error, double seconds)
{
	applier_event(a, &(vfctl_event){.kind = kind,
					.text = s->text,
					.step = i + 1,
					.n_steps = n,
					.action = plan_step_action(s),
					.vf = s->vf,
					.undo = undo,
					.result = kind == VFCTL_EVENT_STEP_DONE ? r : 0,
					.error = kind == VFCTL_EVENT_STEP_DONE && r < 0 ? error : NULL,
					.seconds = seconds});
}
