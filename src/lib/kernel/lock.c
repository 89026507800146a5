/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "files.h"
#include "lock.h"

int run_lock(vfctl_ctx *ctx, const char *rundir, int wait_s, void (*report)(void *, const char *), void *userdata)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/vfctl.lock", rundir);
	for (int waited = 0;; waited++) {
		int holder = 0, fd = file_lock(path, &holder);
		if (fd >= 0)
			return fd;
		if (fd != -EWOULDBLOCK)
			return ctx_error(ctx, fd, "cannot open the lock %s", path);
		if (waited >= wait_s * 10)
			return ctx_error(ctx, -EBUSY, "%s: another vfctl run (pid %d) held it for %d s", path, holder,
					 wait_s);
		if (waited % 50 == 0 && report) {
			char line[160];
			snprintf(line, sizeof(line), "waiting for another vfctl run (pid %d) to finish (up to %d s)",
				 holder, wait_s);
			report(userdata, line);
		}
		usleep(100 * 1000);
	}
}
