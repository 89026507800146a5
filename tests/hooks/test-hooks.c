/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test build's hooks, read from the environment: only binaries linked with this file (vfctl-test,
 * vfctl-fake, never installed) honour VFCTL_TEST_FAIL_STEP, VFCTL_TEST_KILL_STEP and VFCTL_RUNDIR. */
#include <stdlib.h>
#include <string.h>

#include "test-hooks.h"

void test_hooks_attach(vfctl_ctx *ctx)
{
	static test_hooks hooks;
	const char *f = getenv("VFCTL_TEST_FAIL_STEP");
	hooks.fail_step = f ? atoi(f) : 0;
	/* N or N:SIGNAL (default SIGKILL): the signal the process sends itself before step N. */
	f = getenv("VFCTL_TEST_KILL_STEP");
	hooks.kill_step = f ? atoi(f) : 0;
	hooks.kill_signal = f && strchr(f, ':') ? atoi(strchr(f, ':') + 1) : 9;
	hooks.run_dir = getenv("VFCTL_RUNDIR");
	ctx->set.test = &hooks;
}
