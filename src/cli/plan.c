/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int cli_config_errors(vfctl_ctx *ctx, const vfctl_config *c)
{
	const char *const *errs;
	size_t n = vfctl_config_errors(c, &errs);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s\n", errs[i]);
	if (n == 0)
		fprintf(stderr, "vfctl: %s\n", vfctl_ctx_error(ctx));
	else
		fprintf(stderr, "vfctl: %zu error%s in the configuration; nothing was changed\n", n, n == 1 ? "" : "s");
	return EXIT_USAGE;
}

int cli_load_config(const char *path, vfctl_ctx *ctx, const vfctl_host *h, vfctl_config **ret)
{
	vfctl_config *c = NULL;
	int r = vfctl_config_load(ctx, path, &c);
	if (r < 0) {
		fprintf(stderr, "vfctl: %s\n", vfctl_ctx_error(ctx));
		return EXIT_USAGE;
	}
	if (h && vfctl_config_validate(ctx, c, h) < 0) {
		r = cli_config_errors(ctx, c);
		vfctl_config_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

int cmd_plan(const cli_global *g, int argc, char **argv)
{
	enum { OPT_PRUNE = 256 };
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"config", required_argument, NULL, 'c'},
		{"prune", no_argument, NULL, OPT_PRUNE},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	const char *config = NULL;
	bool json = g->json, prune = false;
	int c;
	while ((c = getopt_long(argc, argv, "jc:h", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			config = optarg;
			break;
		case OPT_PRUNE:
			prune = true;
			break;
		case 'h':
			puts("Usage: vfctl plan [--json] [-c FILE|DIR] [--prune] [DEVICE]");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "vfctl: plan takes at most one DEVICE\n");
		return EXIT_USAGE;
	}
	vfctl_ctx *ctx;
	vfctl_host *h;
	vfctl_config *conf = NULL;
	vfctl_plan *p = NULL;
	int r = cli_scan(g, &ctx, &h);
	if (r)
		return r;
	vfctl_select sel;
	if ((r = cli_select(h, argv + optind, argc - optind, &sel)))
		goto out;
	r = cli_load_config(config, ctx, h, &conf);
	if (r)
		goto out;
	if (prune && sel.n) {
		fprintf(stderr, "vfctl: --prune looks at every file's sections: no DEVICE with it\n");
		r = EXIT_USAGE;
		goto out;
	}
	if (vfctl_plan_build(ctx, conf, h, &sel, &p) < 0 || (prune && vfctl_plan_prune(ctx, conf, h, p) < 0)) {
		fprintf(stderr, "vfctl: planning failed: %s\n", vfctl_ctx_error(ctx));
		r = EXIT_FAIL;
		goto out;
	}
	/* What apply does before this plan: undo an interrupted run, or leave a journal it cannot use. */
	for (size_t i = 0; !json && i < h->n_runs; i++)
		fprintf(stderr,
			h->runs[i].unusable ? "vfctl: the journal of %s is not replayed: %s\n"
					    : "vfctl: first, apply restores %s from an interrupted run's journal%s\n",
			h->runs[i].device, h->runs[i].unusable ? h->runs[i].unusable : "");
	if (json) {
		char *s;
		if (vfctl_plan_json(p, &s) < 0) {
			r = EXIT_FAIL;
			goto out;
		}
		fputs(s, stdout);
		free(s);
	} else {
		if (vfctl_plan_n_steps(p) == 0)
			puts("nothing to do: the host matches the configuration");
		for (size_t i = 0; i < vfctl_plan_n_steps(p); i++)
			printf("%3zu. %s\n", i + 1, vfctl_plan_step_text(p, i));
		for (size_t i = 0; i < vfctl_plan_n_notes(p); i++)
			printf("  note: %s\n", vfctl_plan_note(p, i));
	}
out:
	vfctl_plan_free(p);
	vfctl_config_free(conf);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
