/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A run of driver binds and probes for many VFs, a few at a time: each VF's probe is its own
 * device (its own lock in the kernel), and a VF driver's probe waits on the PF's mailbox more
 * than it computes. The lines are reported in VF order before the batch, failures in VF order
 * after it; the first failure is the batch's. Modules are loaded first, once, in order: two
 * threads inserting the same module would race. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "applier.h"

/* How many binds at once: enough to overlap the mailbox waits, few enough not to queue on the
 * PF driver's own locks. */
#define BIND_POOL 4

typedef struct bind_task {
	const plan_step *s;
	int r;
	bool ran;
	double seconds;
	char error[1024];
} bind_task;

typedef struct bind_pool {
	applier *runner; /* the unit's applier: its counter numbers the steps */
	const vfctl_host *h;
	bind_task *t;
	size_t n, next;
	pthread_mutex_t lock;
} bind_pool;

typedef struct bind_worker {
	applier a; /* a copy with its own context */
	bind_pool *pool;
	pthread_t th;
	bool started;
} bind_worker;

static void *worker_run(void *arg)
{
	bind_worker *w = arg;
	bind_pool *p = w->pool;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		bind_task *t = &p->t[i];
		int step = p->runner->counter + (int)i + 1;
		if (step == p->runner->fail_at)
			t->r = ctx_error(w->a.ctx, -EIO,
					 "injected failure at step %d (a test build's VFCTL_TEST_FAIL_STEP)", step);
		else {
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			t->r = exec_step(&w->a, p->h, t->s);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			t->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		}
		t->ran = true;
		if (t->r < 0)
			snprintf(t->error, sizeof(t->error), "%s", vfctl_ctx_error(w->a.ctx));
	}
}

int bind_pool_run(applier *a, const vfctl_host *h, const plan_step *steps, size_t n, size_t first, size_t total)
{
	bind_pool p = {.runner = a, .h = h, .n = n, .lock = PTHREAD_MUTEX_INITIALIZER};
	size_t nw = n < BIND_POOL ? n : BIND_POOL;
	bind_worker w[BIND_POOL] = {0};
	int r = 0;
	if (!(p.t = calloc(n, sizeof(*p.t))))
		return -ENOMEM;
	for (size_t i = 0; i < n && r >= 0; i++) {
		p.t[i].s = &steps[i];
		applier_step_line(a, "[%zu/%zu] %s", first + i + 1, total, steps[i].text);
		applier_step_event(a, VFCTL_EVENT_STEP, &steps[i], first + i, total, false, 0, NULL, 0);
		r = exec_preload(a, h, &steps[i]);
	}
	for (size_t i = 0; i < nw && r >= 0; i++) {
		w[i].a = *a;
		w[i].pool = &p;
		if ((r = ctx_clone(a->ctx, &w[i].a.ctx)) < 0) {
			w[i].a.ctx = NULL;
			r = ctx_error(a->ctx, r, "a context for a bind worker");
			break;
		}
		int e = pthread_create(&w[i].th, NULL, worker_run, &w[i]);
		if (e) {
			r = ctx_error(a->ctx, -e, "starting a bind worker");
			break;
		}
		w[i].started = true;
	}
	/* The main thread takes tasks too when no worker could start: the steps run either way. */
	if (r >= 0 && !w[0].started) {
		bind_worker self = {.a = *a, .pool = &p};
		worker_run(&self);
	}
	for (size_t i = 0; i < nw; i++) {
		if (w[i].started)
			pthread_join(w[i].th, NULL);
		vfctl_ctx_free(w[i].a.ctx);
	}
	for (size_t i = 0; i < n; i++)
		if (p.t[i].s && (p.t[i].r < 0 || p.t[i].ran))
			applier_step_event(a, VFCTL_EVENT_STEP_DONE, p.t[i].s, first + i, total, false, p.t[i].r,
					   p.t[i].error, p.t[i].seconds);
	for (size_t i = 0; i < n && r >= 0; i++)
		if (p.t[i].r < 0) {
			applier_step_line(a, "      failed: [%zu/%zu] %s", first + i + 1, total, p.t[i].error);
			if (r >= 0) {
				r = p.t[i].r;
				snprintf(a->ctx->error, sizeof(a->ctx->error), "%s", p.t[i].error);
				a->ctx->n_errors++;
			}
		}
	a->counter += (int)n;
	free(p.t);
	return r;
}
