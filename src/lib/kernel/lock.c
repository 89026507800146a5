/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "files.h"
#include "lock.h"

int run_lock(vfctl_ctx *ctx, const char *rundir, void (*report)(void *, const char *), void *userdata)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/vfctl.lock", rundir);
	for (int waited = 0;; waited++) {
		int holder = 0, fd = file_lock(path, &holder);
		if (fd >= 0)
			return fd;
		if (fd != -EWOULDBLOCK)
			return ctx_error(ctx, fd, "cannot open the lock %s", path);
		if (waited >= 600)
			return ctx_error(ctx, -EBUSY, "%s: another vfctl run (pid %d) holds it", path, holder);
		if (waited % 50 == 0 && report) {
			char line[128];
			snprintf(line, sizeof(line), "waiting for another vfctl run (pid %d) to finish", holder);
			report(userdata, line);
		}
		usleep(100 * 1000);
	}
}
