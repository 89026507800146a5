/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>

#include "lock.h"

const char *run_dir(void) { return getenv("VFCTL_RUNDIR") ? getenv("VFCTL_RUNDIR") : "/run"; }

int run_lock(vfctl_ctx *ctx, const char *rundir, void (*report)(void *, const char *), void *userdata)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/vfctl.lock", rundir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return ctx_error(ctx, -errno, "cannot open %s", path);
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited++) {
		if (errno != EWOULDBLOCK || waited >= 600) {
			int r = errno == EWOULDBLOCK ? -EBUSY : -errno;
			close(fd);
			return ctx_error(ctx, r, "%s: another vfctl run holds it", path);
		}
		if (waited % 50 == 0 && report) {
			char pid[32] = "", line[128];
			ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = 0;
			snprintf(line, sizeof(line), "waiting for another vfctl run (pid %s) to finish", strstrip_end(pid));
			report(userdata, line);
		}
		usleep(100 * 1000);
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	/* The pid is only a courtesy for whoever waits: a failure to write it changes nothing. */
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0)
		(void)0;
	return fd;
}
