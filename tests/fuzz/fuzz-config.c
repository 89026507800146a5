/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl.conf text → parse → validate against an igb PF with 3 VFs → plan: what a hostile or broken
 * file in /etc/vfctl reaches. */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"
#include "igb-host.h"

static vfctl_ctx *ctx;
static vfctl_host *host;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* An empty tree behind the context: validation's reads (link speed) find nothing. */
	static char dir[] = "/tmp/vfctl-fuzz-XXXXXX";
	if (!(ctx = test_empty_ctx(dir)) || !(host = test_igb_host(3)))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vfctl_config *c = NULL;
	vfctl_plan *p = NULL;
	if (size > 65536)
		return 0;
	/* NUL bytes included, as a file on disk can hold them */
	if (config_parse_mem(ctx, "fuzz.conf", data, size, &c) >= 0 && vfctl_config_validate(ctx, c, host) >= 0)
		(void)vfctl_plan_build(ctx, c, host, NULL, &p);
	vfctl_plan_free(p);
	vfctl_config_free(c);
	return 0;
}
