/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

int cmd_apply(const cli_global *g, int argc, char **argv)
{
	enum { OPT_FORCE = 256, OPT_BOOT };
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"force", no_argument, NULL, OPT_FORCE},
		{"boot", no_argument, NULL, OPT_BOOT},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	vfctl_apply_opts ao = {.report = cli_report_line};
	const char *config = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) >= 0) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case OPT_FORCE:
			ao.force = true;
			break;
		case OPT_BOOT:
			ao.boot = true;
			break;
		case 'h':
			puts("Usage: vfctl apply [-c FILE|DIR] [--force] [--boot] [DEVICE]");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "vfctl: apply takes at most one DEVICE\n");
		return EXIT_USAGE;
	}
	ao.only = optind < argc ? argv[optind] : NULL;
	if (geteuid() != 0) {
		fprintf(stderr, "vfctl: apply changes sysfs and VF settings: root only (try vfctl plan)\n");
		return EXIT_FAIL;
	}

	vfctl_ctx *ctx;
	vfctl_host *h;
	vfctl_config *conf = NULL;
	int r = cli_scan(g, &ctx, &h);
	if (r)
		return r;
	const vfctl_device *d;
	int vf;
	if (ao.only && vfctl_host_resolve(h, ao.only, &d, &vf) < 0) {
		/* At boot a device named by udev may belong to another file set: nothing to do. */
		fprintf(stderr, "vfctl: %s: no such device\n", ao.only);
		r = ao.boot ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	r = cli_load_config(config, ctx, h, &conf);
	if (r)
		goto out;
	vfctl_host_free(h);
	h = NULL;
	int k = vfctl_apply(ctx, conf, &ao);
	const char *const *errs;
	size_t n = vfctl_config_errors(conf, &errs);
	if (k < 0 && n) {
		/* The host changed between validation here and in apply: report as a config error. */
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s\n", errs[i]);
		r = EXIT_USAGE;
	} else if (k < 0) {
		fprintf(stderr, "vfctl: apply failed: %s\n", vfctl_ctx_error(ctx));
		r = EXIT_FAIL;
	}
out:
	vfctl_config_free(conf);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
