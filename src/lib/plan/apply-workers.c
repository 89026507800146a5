/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PF sections of one apply run at once. Each worker has its own context (sysfs seam, netlink
 * sockets, error text), plans from the run's snapshot (read-only, shared) and re-reads the host
 * on its own to verify. Shared: the report callback (serialized, each line prefixed with the PF
 * unless it names it already) and one flag that stops the others when a PF fails outside boot
 * mode. Fault injection stays deterministic: a worker counts its steps from where they would
 * have been numbered had the PFs run one after the other. */
#include <pthread.h>
#include <stdio.h>

#include "applier.h"

typedef struct pf_job {
	applier a;
	vfctl_apply_opts o; /* the run's options, reporting through job_report */
	const vfctl_apply_opts *outer;
	pthread_mutex_t *lock;
	const vfctl_config *c;
	size_t ui;
	const vfctl_host *h;
	int *abort;
	pf_outcome *out;
	vfctl_plan plan; /* made once, before the workers start: it numbers the steps too */
	pthread_t th;
	bool started;
} pf_job;

size_t pf_units_count(const vfctl_config *c, const bool *selected)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_units; i++)
		n += selected[i] && c->units[i].kind == UNIT_PF;
	return n;
}

static void job_report(void *userdata, const char *line)
{
	pf_job *j = userdata;
	const char *dev = j->c->units[j->ui].dev_id;
	size_t n = strlen(dev);
	pthread_mutex_lock(j->lock);
	if (strncmp(line, dev, n) == 0 && line[n] == ':')
		j->outer->report(j->outer->userdata, line);
	else {
		char buf[2048];
		snprintf(buf, sizeof(buf), "%s: %s", dev, line);
		j->outer->report(j->outer->userdata, buf);
	}
	pthread_mutex_unlock(j->lock);
}

static void job_event(void *userdata, const vfctl_event *e)
{
	pf_job *j = userdata;
	pthread_mutex_lock(j->lock);
	j->outer->event(j->outer->userdata, e);
	pthread_mutex_unlock(j->lock);
}

static void *job_run(void *arg)
{
	pf_job *j = arg;
	pf_outcome *o = j->out;
	o->r = apply_unit(&j->a, j->c, j->ui, j->h, &j->plan, NULL, &o->prior, &o->changed);
	if (o->r < 0) {
		snprintf(o->error, sizeof(o->error), "%s", vfctl_ctx_error(j->a.ctx));
		if (!j->a.o->boot && o->r != -ECANCELED)
			__atomic_store_n(j->abort, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

int pf_workers_run(applier *a, const vfctl_config *c, const bool *selected, const vfctl_host *h, pf_outcome *out)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int abort_flag = 0, r = 0, offset = a->counter;
	size_t n = pf_units_count(c, selected), k = 0;
	pf_job *jobs = calloc(n, sizeof(*jobs));
	if (!jobs)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_units && r >= 0; i++) {
		if (!selected[i] || c->units[i].kind != UNIT_PF)
			continue;
		pf_job *j = &jobs[k++];
		vfctl_plan p = {0};
		/* Where this PF's steps start in the one-after-the-other numbering. */
		if ((r = plan_unit(a->ctx, c, i, h, &p)) < 0)
			break;
		*j = (pf_job){.a = *a,
			      .o = *a->o,
			      .outer = a->o,
			      .lock = &lock,
			      .c = c,
			      .ui = i,
			      .h = h,
			      .abort = &abort_flag,
			      .out = &out[i]};
		j->a.counter = offset;
		offset += (int)p.n;
		j->plan = p; /* the worker's apply_unit takes it over */
		j->a.abort = &abort_flag;
		j->a.o = &j->o;
		if (a->o->report || a->o->event) {
			j->o.report = a->o->report ? job_report : NULL;
			j->o.event = a->o->event ? job_event : NULL;
			j->o.userdata = j;
		}
		if ((r = ctx_clone(a->ctx, &j->a.ctx)) < 0) {
			j->a.ctx = NULL;
			r = ctx_error(a->ctx, r, "a context for %s's worker", c->units[i].dev_id);
		}
	}
	for (size_t i = 0; i < k && r >= 0; i++) {
		int e = pthread_create(&jobs[i].th, NULL, job_run, &jobs[i]);
		if (e) {
			/* The workers started so far finish (and are reported); the rest never ran. */
			r = ctx_error(a->ctx, -e, "starting a worker for %s", c->units[jobs[i].ui].dev_id);
			__atomic_store_n(&abort_flag, 1, __ATOMIC_RELEASE);
			break;
		}
		jobs[i].started = true;
		out[jobs[i].ui].ran = true;
	}
	for (size_t i = 0; i < k; i++) {
		if (jobs[i].started)
			pthread_join(jobs[i].th, NULL);
		plan_clear(&jobs[i].plan); /* a job that never started still holds its plan */
		vfctl_ctx_free(jobs[i].a.ctx);
	}
	free(jobs);
	a->counter = offset;
	return r;
}
