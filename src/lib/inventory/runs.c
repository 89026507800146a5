/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs of vfctl apply that ended half-way: the journals under <rundir>/vfctl/journal whose process
 * is gone (apply's journal.c writes them; only their progress lines are read here). */
#include <limits.h>
#include <signal.h>
#include <stdio.h>

#include "files.h"
#include "parse.h"
#include "runs.h"

int run_progress_key(vfctl_interrupted_run *run, const char *key, const char *value)
{
	uint64_t t;
	int r;
	if (streq(key, "pid"))
		return parse_int(value, &run->pid) < 0 ? -EINVAL : 1;
	if (streq(key, "started")) {
		if ((r = parse_u64(value, &t)) < 0)
			return -EINVAL;
		run->started = (int64_t)t;
		return 1;
	}
	if (streq(key, "steps"))
		return parse_u32(value, &run->steps_total) < 0 ? -EINVAL : 1;
	if (streq(key, "done"))
		return parse_u32(value, &run->steps_done) < 0 ? -EINVAL : 1;
	if (streq(key, "last")) {
		free(run->last_step);
		return (run->last_step = strdup(value)) ? 1 : -ENOMEM;
	}
	return 0;
}

static int read_run(const char *path, vfctl_interrupted_run *run)
{
	_cleanup_free_ char *text = NULL;
	char *cur, *key, *value;
	int r = file_read_text(path, &text);
	if (r < 0)
		return r;
	kv_complete(text);
	cur = text;
	while ((r = kv_next(&cur, &key, &value)) > 0) {
		if (streq(key, "device") && !run->device && !(run->device = strdup(value)))
			r = -ENOMEM;
		else
			r = run_progress_key(run, key, value);
		if (r < 0)
			return r;
	}
	return run->device ? 0 : -EINVAL;
}

/* Alive: the run holds the lock and is still working (kill() tells without signalling). */
static bool pid_alive(int pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

int runs_scan(vfctl_ctx *ctx, vfctl_host *h)
{
	char dir[PATH_MAX], path[PATH_MAX];
	char **names = NULL;
	size_t n = 0, alloc = 0;
	/* A fake tree's runs are in a test's run directory, never the running host's /run. */
	if (ctx->fs->read_only && !(ctx->test && ctx->test->run_dir))
		return 0;
	snprintf(dir, sizeof(dir), "%s/vfctl/journal", ctx_run_dir(ctx));
	int r = dir_list(dir, NULL, &names, &n);
	if (r == -ENOENT)
		r = 0;
	if (r < 0) /* not root: /run/vfctl is 0700; unknown, not "none" */
		return r == -EACCES ? 0 : ctx_error(ctx, r, "cannot list %s", dir);
	h->runs_known = true;
	for (size_t i = 0; r >= 0 && i < n; i++) {
		vfctl_interrupted_run run = {.pid = -1};
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (read_run(path, &run) < 0 || pid_alive(run.pid)) {
			/* unreadable, or a run still going: not interrupted */
			free(run.device);
			free(run.last_step);
			continue;
		}
		if ((r = GROW(h->runs, alloc, h->n_runs + 1)) >= 0)
			h->runs[h->n_runs++] = run;
		else {
			free(run.device);
			free(run.last_step);
		}
	}
	strv_free_n(names, n);
	return r;
}

void runs_free(vfctl_host *h)
{
	for (size_t i = 0; i < h->n_runs; i++) {
		free(h->runs[i].device);
		free(h->runs[i].last_step);
	}
	free(h->runs);
}
