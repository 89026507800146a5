/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* The file node_exporter's textfile collector reads (*.prom in its directory). */
#define TEXTFILE_NAME "vfctl.prom"

int cmd_metrics(const cli_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"textfile", required_argument, NULL, 't'},
		{"no-doctor", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	const char *dir = NULL;
	bool doctor = true;
	cli_global gs = *g;
	int c;
	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) >= 0) {
		switch (c) {
		case 't':
			dir = optarg;
			break;
		case 'n':
			doctor = false;
			break;
		case 'h':
			puts("Usage: vfctl metrics [--textfile DIR] [--no-doctor]");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vfctl: metrics takes no DEVICE: it reports every PF\n");
		return EXIT_USAGE;
	}
	vfctl_ctx *ctx;
	vfctl_host *h;
	vfctl_report *rep = NULL;
	char *text = NULL;
	gs.ctx.stats = true;
	int r = cli_scan(&gs, &ctx, &h);
	if (r)
		return r;
	if (doctor && vfctl_doctor_run(ctx, h, &VFCTL_OPTS(vfctl_doctor_opts), &rep) < 0) {
		fprintf(stderr, "vfctl: doctor: %s\n", vfctl_ctx_error(ctx));
		r = EXIT_FAIL;
		goto out;
	}
	if (vfctl_metrics(h, rep, &text) < 0) {
		fprintf(stderr, "vfctl: out of memory\n");
		r = EXIT_FAIL;
		goto out;
	}
	if (dir)
		r = cli_write_file(dir, TEXTFILE_NAME, text) < 0 ? EXIT_FAIL : EXIT_OK;
	else
		fputs(text, stdout);
out:
	free(text);
	vfctl_report_free(rep);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
