/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An interrupted run's journal as the next run finds it in /run/vfctl/journal/ (cut by a crash,
 * truncated by a full disk, planted by someone): read, judged (journal_verdict) and, when usable,
 * parsed into the prior state recovery would restore, against an igb PF with 2 VFs. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applier.h"
#include "igb-host.h"
#include "runs.h"

static vfctl_ctx *ctx;
static vfctl_host *host;
static char dir[] = "/tmp/vfctl-fuzz-XXXXXX";
static char path[256];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char cmd[300];
	if (!(ctx = test_empty_ctx(dir)) || !(host = test_igb_host(2)))
		abort();
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/vfctl/journal", dir);
	if (system(cmd) != 0)
		abort();
	snprintf(path, sizeof(path), "%s/vfctl/journal/0000:01:00.0", dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	vfctl_apply_opts ao = VFCTL_OPTS(vfctl_apply_opts);
	applier a = {.ctx = ctx, .o = &ao, .rundir = dir};
	conf_unit u = {0};
	journal_run j = {0};
	int r = journal_load(&a, host, "0000:01:00.0", &u, &j);
	/* What recovery relies on: a usable journal is this device's, with a prior state it parsed. */
	if (r == 0 && !j.unusable && (!u.dev_id || strcmp(u.dev_id, "0000:01:00.0") != 0))
		abort();
	if (r == 0 && j.unusable && (!j.device || strcmp(j.device, "0000:01:00.0") != 0))
		abort();
	if (r == 0)
		conf_unit_done(&u);
	run_done(&j);
	return 0;
}
