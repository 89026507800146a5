/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test build of vfctl's context: the fake kernel behind every seam (build/tests/fakekernel/vfctl-fake). */
#include <stdio.h>

#include "cli.h"
#include "fakekernel.h"
#include "test-hooks.h"

int cli_ctx_new(const vfctl_ctx_opts *opts, vfctl_ctx **ret)
{
	int r = vfctl_ctx_new(opts, ret);
	if (r < 0)
		return r;
	test_hooks_attach(*ret);
	r = fakekernel_attach(*ret);
	return r < 0 ? ctx_error(*ret, r, "cannot attach the fake kernel to %s", (*ret)->fs->sys_root) : 0;
}
