/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The running kernel behind the context. A test build links tests/fakekernel/cli-ctx.c instead. */
#include "cli.h"

int cli_ctx_new(const vfctl_ctx_opts *opts, vfctl_ctx **ret)
{
	return vfctl_ctx_new(opts, ret);
}
