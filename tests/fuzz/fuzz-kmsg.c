/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel log as /dev/kmsg (or a --kmsg file someone handed over) gives it → records → the
 * device each is about → doctor's signature findings, against an igb PF with 2 VFs. */
#include <stdint.h>
#include <stdlib.h>

#include "checker.h"
#include "igb-host.h"
#include "report.h"

static vfctl_ctx *ctx;
static vfctl_host *host;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[] = "/tmp/vfctl-fuzz-XXXXXX";
	if (!(ctx = test_empty_ctx(dir)) || !(host = test_igb_host(2)))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vfctl_doctor_opts opts = VFCTL_OPTS(vfctl_doctor_opts);
	checker c = {.ctx = ctx, .h = host, .opts = &opts};
	if (size > 1 << 20 || kmsg_parse((const char *)data, size, &c.log) < 0)
		return 0;
	c.rep = calloc(1, sizeof(*c.rep));
	if (c.rep && log_index(&c) >= 0) {
		check_kernel_log(&c);
		check_interrupt_remapping(&c);
		for (size_t i = 0; i < host->n_devices; i++) {
			strbuf b = {0};
			log_lines_for(&c, host->devices[i].id, 4, &b);
			free(b.s);
		}
	}
	vfctl_report_free(c.rep);
	kmsg_log_done(&c.log);
	free(c.log_bdf);
	return 0;
}
