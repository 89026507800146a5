/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* The file node_exporter's textfile collector reads (*.prom in its directory). */
#define TEXTFILE_NAME "vfctl.prom"

/* Each switchdev PF's offload state (status --offload) appended to text: a PF whose filters cannot
 * be read is left out, as a scrape must not fail for one netdev. */
static int offload_metrics(vfctl_ctx *ctx, const vfctl_host *h, char **text)
{
	vfctl_offload **o = calloc(h->n_devices + 1, sizeof(*o));
	size_t n = 0;
	char *more = NULL, *all = NULL;
	int r = o ? 0 : -ENOMEM;
	for (size_t i = 0; r >= 0 && i < h->n_devices; i++)
		if (h->devices[i].eswitch_mode == VFCTL_ESWITCH_SWITCHDEV &&
		    vfctl_offload_read(ctx, h, h->devices[i].id, &o[n]) >= 0)
			n++;
	if (r >= 0 && n && (r = vfctl_metrics_offload(o, n, &more)) >= 0) {
		if (asprintf(&all, "%s%s", *text, more) < 0)
			r = -ENOMEM;
		else {
			free(*text);
			*text = all;
		}
	}
	for (size_t i = 0; i < n; i++)
		vfctl_offload_free(o[i]);
	free(o);
	free(more);
	return r;
}

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
	if (vfctl_metrics(h, rep, &text) < 0 || offload_metrics(ctx, h, &text) < 0) {
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
