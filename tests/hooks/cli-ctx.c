/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl-test: the running kernel, plus the test hooks (fault injection, run directory). The lab's
 * fault-injection tests run it; the installed vfctl is built from src/cli/ctx-new.c instead. */
#include "cli.h"
#include "test-hooks.h"

int cli_ctx_new(const vfctl_ctx_opts *opts, vfctl_ctx **ret)
{
	int r = vfctl_ctx_new(opts, ret);
	if (r >= 0)
		test_hooks_attach(*ret);
	return r;
}
