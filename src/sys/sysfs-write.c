/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A sysfs write that gives up waiting: the write runs in its own thread, which may stay blocked in
 * the kernel after the caller has moved on. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "sysfs-write.h"
#include "util.h"

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

/* On CLOCK_MONOTONIC, as the condition variable waits: an NTP step at boot (the clock set from
 * the network minutes or years away) must not cut a 180 s count change short or stretch it. */
static struct timespec after_ms(unsigned ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

int sysfs_write_timed(sysfs *fs, const char *rel, const char *value, unsigned timeout_ms,
		      void (*tick)(void *userdata, unsigned seconds), void *userdata)
{
	struct write_job *j = calloc(1, sizeof(*j));
	pthread_t t;
	int r;

	if (!j)
		return -ENOMEM;
	/* The writer gets its own seam: the shared one's cached directory is not thread-safe. */
	r = sysfs_new(fs->sys_root, fs->proc_root, fs->modules_root, &j->fs);
	if (r < 0) {
		snprintf(fs->err_path, sizeof(fs->err_path), "%s", fs->sys_root);
		sysfs_free(j->fs);
		free(j);
		return r;
	}
	j->fs->write_hook = fs->write_hook;
	j->fs->write_data = fs->write_data;
	snprintf(j->rel, sizeof(j->rel), "%s", rel);
	snprintf(j->value, sizeof(j->value), "%s", value);
	pthread_mutex_init(&j->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cond, &ca);
	pthread_condattr_destroy(&ca);
	j->refs = 2;
	if ((r = -pthread_create(&t, NULL, writer, j)) < 0) {
		sysfs_free(j->fs);
		pthread_mutex_destroy(&j->lock);
		pthread_cond_destroy(&j->cond);
		free(j);
		snprintf(fs->err_path, sizeof(fs->err_path), "%s/%s", fs->sys_root, rel);
		return r;
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
	if (done && r < 0)
		snprintf(fs->err_path, sizeof(fs->err_path), "%s", j->fs->err_path);
	else if (!done)
		snprintf(fs->err_path, sizeof(fs->err_path), "%s/%s", fs->sys_root, rel);
	pthread_mutex_unlock(&j->lock);
	/* A writer still blocked in the kernel keeps the job (and its sysfs handle) until it returns. */
	job_unref(j);
	return done ? r : -ETIMEDOUT;
}
