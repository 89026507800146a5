/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs of vfctl apply that ended half-way: the journals under <rundir>/vfctl/journal whose process
 * is gone (apply's journal.c writes them), each checked here before anyone replays it: status,
 * doctor and metrics report what apply's recovery will do with it. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

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

int run_boot_id(vfctl_ctx *ctx, char **ret)
{
	int r = procfs_read(ctx->fs, "sys/kernel/random/boot_id", ret);
	if (r >= 0)
		(*ret)[strcspn(*ret, "\n")] = 0;
	return r;
}

/* A value the writer could have written under key: a driver name that stays inside sysfs, a MAC,
 * an eswitch mode, a vDPA name without a path in it. Numbers are left to the full parser. */
static bool value_valid(const char *key, const char *v)
{
	const char *k = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
	uint8_t mac[6];
	if (streq(k, "driver") || streq(k, "vdpa_driver"))
		return driver_name_valid(v);
	if (streq(k, "override"))
		return !*v || driver_name_valid(v);
	if (streq(k, "mac"))
		return parse_mac(v, mac) >= 0;
	if (streq(k, "eswitch_mode"))
		return streq(v, "legacy") || streq(v, "switchdev");
	if (streq(k, "vdpa_name"))
		return *v && !strchr(v, '/') && v[0] != '.';
	if (streq(k, "vdpa_mgmtdev"))
		return *v && !strstr(v, "..") && strchr(v, '/') == strrchr(v, '/');
	return true;
}

/* The first reason why the journal text (named name) must not be replayed, NULL when it may: it is
 * checked before anything is undone, so a journal from another boot, for another device, or
 * planted with values vfctl never writes changes nothing. */
static int journal_verdict(vfctl_ctx *ctx, const vfctl_host *h, const char *name, char *text,
			   vfctl_interrupted_run *run, char **ret_why)
{
	_cleanup_free_ char *boot = NULL, *kind = NULL, *ids = NULL, *now = NULL;
	char *cur = text, *key, *value;
	int r;
	*ret_why = NULL;
	if (!*text)
		return asprintf(ret_why, "empty (its run died before the first write completed)") < 0 ? -ENOMEM : 0;
	while ((r = kv_next(&cur, &key, &value)) > 0) {
		if (streq(key, "device")) {
			if (run->device)
				return asprintf(ret_why, "it names two devices") < 0 ? -ENOMEM : 0;
			if (!(run->device = strdup(value)))
				return -ENOMEM;
		} else if (streq(key, "boot") || streq(key, "kind") || streq(key, "ids")) {
			char **slot = streq(key, "boot") ? &boot : streq(key, "kind") ? &kind : &ids;
			free(*slot);
			if (!(*slot = strdup(value)))
				return -ENOMEM;
		} else if ((r = run_progress_key(run, key, value)) < 0)
			return r == -ENOMEM ? r : asprintf(ret_why, "malformed %s=", key) < 0 ? -ENOMEM : 0;
		else if (r == 0 && !value_valid(key, value))
			return asprintf(ret_why, "%s=%s is not a value vfctl writes", key, value) < 0 ? -ENOMEM : 0;
	}
	if (r < 0)
		return asprintf(ret_why, "malformed (not key=value lines)") < 0 ? -ENOMEM : 0;
	if (!run->device)
		return asprintf(ret_why, "it names no device") < 0 ? -ENOMEM : 0;
	if (!streq(run->device, name))
		return asprintf(ret_why, "its file name and its device=%s differ", run->device) < 0 ? -ENOMEM : 0;
	if (!kind || !(streq(kind, "pf") || streq(kind, "device") || streq(kind, "vdpa")))
		return asprintf(ret_why, "kind=%s is not one vfctl writes", kind ? kind : "(none)") < 0 ? -ENOMEM : 0;
	/* /run is emptied at boot, but a container's or a persistent run directory is not: a journal
	 * of another boot describes devices that have been re-created since. */
	if (run_boot_id(ctx, &now) >= 0 && !streq_ptr(boot, now))
		return asprintf(ret_why, "written during another boot (%s, this one is %s)",
				boot ? boot : "none recorded", now) < 0
			       ? -ENOMEM
			       : 0;
	const vfctl_device *d = streq(kind, "vdpa") || !h ? NULL : vfctl_host_find(h, run->device);
	if (d && d->addr.domain >= 0) {
		char have[16];
		snprintf(have, sizeof(have), "%04x:%04x", d->vendor_id, d->device_id);
		if (!ids || !streq(ids, have))
			return asprintf(ret_why, "%s is %s now, the journal was written for %s", d->id, have,
					ids ? ids : "an unrecorded device") < 0
				       ? -ENOMEM
				       : 0;
	}
	if (d && streq(kind, "pf") && d->total_vfs < 0)
		return asprintf(ret_why, "%s is no SR-IOV PF now, the journal was written for one", d->id) < 0 ? -ENOMEM
													       : 0;
	return 0;
}

int run_journal_read(vfctl_ctx *ctx, const vfctl_host *h, const char *rundir, const char *subdir, const char *name,
		     char **ret_text, vfctl_interrupted_run *ret)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL, *copy = NULL;
	vfctl_interrupted_run run = {.pid = -1};
	snprintf(path, sizeof(path), "%s/%s/%s", rundir, subdir, name);
	int r = file_read_text(path, &text);
	if (r < 0)
		return r;
	kv_complete(text);
	if (!(copy = strdup(text)))
		return -ENOMEM;
	if ((r = journal_verdict(ctx, h, name, copy, &run, &run.unusable)) < 0) {
		run_done(&run);
		return r;
	}
	/* An unusable journal is reported under its file name, whatever it says inside. */
	if (run.unusable) {
		free(run.device);
		if (!(run.device = strdup(name))) {
			run_done(&run);
			return -ENOMEM;
		}
	}
	if (ret_text)
		*ret_text = TAKE_PTR(text);
	*ret = run;
	return 0;
}

void run_done(vfctl_interrupted_run *run)
{
	free(run->device);
	free(run->last_step);
	free(run->unusable);
	*run = (vfctl_interrupted_run){.pid = -1};
}

/* Alive: the run holds the lock and is still working (kill() tells without signalling). */
static bool pid_alive(int pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int runs_scan(vfctl_ctx *ctx, vfctl_host *h)
{
	char dir[PATH_MAX];
	char **names = NULL;
	size_t n = 0, alloc = 0;
	/* A fake tree's runs are in a test's run directory, never the running host's /run. */
	if (ctx->fs->read_only && !(ctx->set.test && ctx->set.test->run_dir))
		return 0;
	snprintf(dir, sizeof(dir), "%s/" RUN_JOURNAL_DIR, ctx_run_dir(ctx));
	int r = dir_list(dir, NULL, &names, &n);
	if (r == -ENOENT)
		r = 0;
	if (r < 0) /* not root: /run/vfctl is 0700; unknown, not "none" */
		return r == -EACCES ? 0 : ctx_error(ctx, r, "cannot list %s", dir);
	h->runs_known = true;
	for (size_t i = 0; r >= 0 && i < n; i++) {
		vfctl_interrupted_run run;
		int k = run_journal_read(ctx, h, ctx_run_dir(ctx), RUN_JOURNAL_DIR, names[i], NULL, &run);
		if (k == -ENOMEM)
			r = k;
		if (k < 0) /* gone meanwhile (the run finished), or not ours to read */
			continue;
		if (!run.unusable && pid_alive(run.pid)) { /* a run still going: not interrupted */
			run_done(&run);
			continue;
		}
		if ((r = GROW(h->runs, alloc, h->n_runs + 1)) >= 0)
			h->runs[h->n_runs++] = run;
		else
			run_done(&run);
	}
	strv_free_n(names, n);
	return r;
}

void runs_free(vfctl_host *h)
{
	for (size_t i = 0; i < h->n_runs; i++)
		run_done(&h->runs[i]);
	free(h->runs);
}
