/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libkmod.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "driver.h"

struct write_job {
	sysfs *fs;
	char rel[PATH_MAX];
	char value[128];
	int result;
	bool done;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs; /* the waiter and the writer: whoever leaves last frees */
};

static void job_unref(struct write_job *j)
{
	pthread_mutex_lock(&j->lock);
	bool last = --j->refs == 0;
	pthread_mutex_unlock(&j->lock);
	if (last) {
		sysfs_free(j->fs);
		pthread_mutex_destroy(&j->lock);
		pthread_cond_destroy(&j->cond);
		free(j);
	}
}

static void *writer(void *arg)
{
	struct write_job *j = arg;
	int r = sysfs_write_bin(j->fs, j->rel, j->value, strlen(j->value), 0);
	pthread_mutex_lock(&j->lock);
	j->result = r;
	j->done = true;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	job_unref(j);
	return NULL;
}

int sysfs_write_bounded(vfctl_ctx *ctx, const char *rel, const char *value, unsigned timeout_ms)
{
	return sysfs_write_progress(ctx, rel, value, timeout_ms, NULL, NULL);
}

static struct timespec after_ms(unsigned ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

int sysfs_write_progress(vfctl_ctx *ctx, const char *rel, const char *value, unsigned timeout_ms,
			 void (*tick)(void *userdata, unsigned seconds), void *userdata)
{
	struct write_job *j = calloc(1, sizeof(*j));
	pthread_t t;
	int r;

	if (!j)
		return -ENOMEM;
	/* The writer gets its own seam: the shared one's cached directory is not thread-safe. */
	r = sysfs_new(ctx->fs->sys_root, ctx->fs->proc_root, ctx->fs->modules_root, &j->fs);
	if (r < 0) {
		sysfs_free(j->fs);
		free(j);
		return ctx_error(ctx, r, "cannot open %s", ctx->fs->sys_root);
	}
	snprintf(j->rel, sizeof(j->rel), "%s", rel);
	snprintf(j->value, sizeof(j->value), "%s", value);
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	j->refs = 2;
	if ((r = -pthread_create(&t, NULL, writer, j)) < 0) {
		sysfs_free(j->fs);
		pthread_mutex_destroy(&j->lock);
		pthread_cond_destroy(&j->cond);
		free(j);
		return ctx_error(ctx, r, "cannot start a writer thread");
	}
	pthread_detach(t);
	pthread_mutex_lock(&j->lock);
	for (unsigned waited = 0; !j->done && waited < timeout_ms;) {
		unsigned slice = timeout_ms - waited < 5000 ? timeout_ms - waited : 5000;
		struct timespec deadline = after_ms(slice);
		while (!j->done)
			if (pthread_cond_timedwait(&j->cond, &j->lock, &deadline) == ETIMEDOUT)
				break;
		waited += slice;
		if (!j->done && tick && waited < timeout_ms) {
			pthread_mutex_unlock(&j->lock);
			tick(userdata, waited / 1000);
			pthread_mutex_lock(&j->lock);
		}
	}
	bool done = j->done;
	r = j->result;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", j->fs->err_path);
	pthread_mutex_unlock(&j->lock);
	/* A writer still blocked in the kernel keeps the job (and its sysfs handle) until it returns. */
	job_unref(j);
	if (!done)
		return ctx_error(ctx, -ETIMEDOUT, "writing \"%s\" to %s/%s: no answer after %u s", value,
				 ctx->fs->sys_root, rel, timeout_ms / 1000);
	if (r < 0)
		return ctx_error(ctx, r, "writing \"%s\" to %s", value, path);
	return 0;
}

int module_load(vfctl_ctx *ctx, const char *release, const char *name)
{
	char dir[PATH_MAX];
	struct kmod_module *m = NULL;
	int r;
	snprintf(dir, sizeof(dir), "%s/%s", ctx->fs->modules_root, release ? release : "");
	struct kmod_ctx *k = kmod_new(release ? dir : NULL, NULL);
	if (!k)
		return ctx_error(ctx, -ENOMEM, "libkmod");
	r = kmod_module_new_from_name(k, name, &m);
	if (r >= 0) {
		int state = kmod_module_get_initstate(m);
		if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_BUILTIN)
			r = 0;
		else
			r = kmod_module_probe_insert_module(m, KMOD_PROBE_IGNORE_LOADED, NULL, NULL, NULL, NULL);
	}
	kmod_module_unref(m);
	kmod_unref(k);
	/* A driver that is not a module (built in, or named unlike its module) is found at bind. */
	if (r == -ENOENT)
		return 0;
	return r < 0 ? ctx_error(ctx, r, "loading module %s", name) : 0;
}

char *pci_driver_of(vfctl_ctx *ctx, const char *dev)
{
	char path[PATH_MAX], *d = NULL;
	snprintf(path, sizeof(path), "bus/pci/devices/%s/driver", dev);
	if (sysfs_link_name(ctx->fs, path, &d) < 0)
		return NULL;
	return d;
}

static int wait_driver(vfctl_ctx *ctx, const char *dev, const char *want, unsigned timeout_ms)
{
	for (unsigned waited = 0;; waited += 20) {
		_cleanup_free_ char *d = pci_driver_of(ctx, dev);
		if (want ? streq_ptr(d, want) : !d)
			return 0;
		if (waited >= timeout_ms)
			return ctx_error(ctx, -ETIMEDOUT, "%s: driver is %s, not %s, after %u ms", dev, d ? d : "none",
					 want ? want : "none", timeout_ms);
		usleep(20 * 1000);
	}
}

int pci_unbind(vfctl_ctx *ctx, const char *dev)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "bus/pci/devices/%s/driver/unbind", dev);
	int r = sysfs_write_bounded(ctx, path, dev, 30000);
	if (r == -ENOENT)
		return 0; /* no driver: unbound already */
	return r < 0 ? r : wait_driver(ctx, dev, NULL, 5000);
}

int pci_probe(vfctl_ctx *ctx, const char *dev)
{
	int r = sysfs_write_bounded(ctx, "bus/pci/drivers_probe", dev, 30000);
	/* drivers_probe answers ENODEV when no driver wants the device: not an error here. */
	return r == -ENODEV ? 0 : r;
}

int pci_bind(vfctl_ctx *ctx, const char *dev, const char *driver, bool keep_override)
{
	char path[PATH_MAX];
	int r;
	snprintf(path, sizeof(path), "bus/pci/devices/%s/driver_override", dev);
	r = sysfs_write_bounded(ctx, path, driver, 5000);
	if (r >= 0)
		r = sysfs_write_bounded(ctx, "bus/pci/drivers_probe", dev, 30000);
	if (r >= 0)
		r = wait_driver(ctx, dev, driver, 10000);
	if (!keep_override) {
		/* A newline clears driver_override. */
		int k = sysfs_write_bounded(ctx, path, "\n", 5000);
		if (r >= 0)
			r = k;
	}
	return r;
}
