/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	vfctl_apply_opts ao = {.report = cli_report_line, .cancel = &cli_stop_requested};
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

	vfctl_ctx *ctx = NULL;
	vfctl_config *conf = NULL;
	int r = cli_ctx_new(&g->ctx, &ctx);
	if (r < 0) {
		fprintf(stderr, "vfctl: %s\n", ctx ? vfctl_ctx_error(ctx) : strerror(-r));
		vfctl_ctx_free(ctx);
		return EXIT_FAIL;
	}
	/* Parsed here, validated once by apply against the host it scans under the lock. */
	r = cli_load_config(config, ctx, NULL, &conf);
	if (r)
		goto out;
	cli_catch_stop_signals();
	int k = vfctl_apply(ctx, conf, &ao);
	const char *const *errs;
	size_t n_errs = vfctl_config_errors(conf, &errs);
	/* At boot the sections without errors were applied: say which were not, whatever else failed. */
	for (size_t i = 0; k < 0 && ao.boot && i < n_errs; i++)
		fprintf(stderr, "%s\n", errs[i]);
	if (k == -EINVAL && ao.boot && n_errs) {
		fprintf(stderr, "vfctl: %s\n", vfctl_ctx_error(ctx));
		r = EXIT_USAGE;
	} else if (k == -EINVAL && n_errs)
		r = cli_config_errors(ctx, conf);
	else if (k == -ENXIO) {
		/* At boot a device named by udev may belong to another file set: nothing to do. */
		fprintf(stderr, "vfctl: %s\n", vfctl_ctx_error(ctx));
		r = ao.boot ? EXIT_OK : EXIT_USAGE;
	} else if (k < 0) {
		fprintf(stderr, "vfctl: apply failed: %s\n", vfctl_ctx_error(ctx));
		r = EXIT_FAIL;
	}
out:
	vfctl_config_free(conf);
	vfctl_ctx_free(ctx);
	return r;
}
