/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl vfio-check */
/* vfctl bind / unbind / restore / vfio-check / emit */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_vfio_check(const cli_global *g, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {}};
	bool json = g->json;
	int c;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) >= 0) {
		if (c == 'j')
			json = true;
		else if (c == 'h') {
			puts("Usage: vfctl vfio-check [--json] DEVICE...");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "vfctl: vfio-check needs a DEVICE\n");
		return EXIT_USAGE;
	}
	vfctl_ctx *ctx;
	vfctl_host *h;
	vfctl_report *rep = NULL;
	vfctl_select sel;
	int r = cli_scan(g, &ctx, &h);
	if (r)
		return r;
	if ((r = cli_select(h, argv + optind, argc - optind, &sel)))
		goto out;
	if (vfctl_vfio_check(ctx, h, &sel, &rep) < 0) {
		fprintf(stderr, "vfctl: vfio-check: %s\n", vfctl_ctx_error(ctx));
		r = EXIT_FAIL;
		goto out;
	}
	cli_print_report(rep, json);
	r = vfctl_report_worst(rep) == VFCTL_SEV_ERROR ? EXIT_FAIL : EXIT_OK;
out:
	vfctl_report_free(rep);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
