/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl eswitch DEVICE [legacy|switchdev]: show, or change through apply (ordering, holders,
 * rollback and verify included). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

int cmd_eswitch(const cli_global *g, int argc, char **argv)
{
	enum { OPT_FORCE = 256 };
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"force", no_argument, NULL, OPT_FORCE},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	bool json = g->json, force = false;
	int c;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) >= 0) {
		if (c == 'j')
			json = true;
		else if (c == OPT_FORCE)
			force = true;
		else if (c == 'h') {
			puts("Usage: vfctl eswitch [--json] DEVICE\n       vfctl eswitch [--force] DEVICE "
			     "legacy|switchdev");
			return EXIT_OK;
		} else
			return EXIT_USAGE;
	}
	if (argc - optind < 1 || argc - optind > 2) {
		fprintf(stderr, "vfctl: eswitch takes DEVICE and an optional mode\n");
		return EXIT_USAGE;
	}
	const char *mode = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (mode && !streq(mode, "legacy") && !streq(mode, "switchdev")) {
		fprintf(stderr, "vfctl: eswitch mode %s: legacy or switchdev\n", mode);
		return EXIT_USAGE;
	}
	vfctl_ctx *ctx;
	vfctl_host *h;
	const vfctl_device *d;
	int vf, r = cli_scan(g, &ctx, &h);
	if (r)
		return r;
	if (vfctl_host_resolve(h, argv[optind], &d, &vf) < 0 || vf >= 0 || (d->total_vfs < 0 && d->num_vfs < 0)) {
		fprintf(stderr, "vfctl: %s: not an SR-IOV PF on this host\n", argv[optind]);
		r = EXIT_USAGE;
		goto out;
	}
	if (!mode) {
		if (json) {
			char *s = NULL;
			if (vfctl_host_json(h, &(vfctl_select){&argv[optind], 1}, &s) >= 0)
				fputs(s, stdout);
			free(s);
		} else if (d->eswitch_mode < 0)
			printf("%s: no devlink eswitch (driver %s)\n", d->id, d->driver ? d->driver : "none");
		else {
			printf("%s: eswitch mode %s\n", d->id, vfctl_eswitch_mode_str(d->eswitch_mode));
			for (size_t i = 0; i < d->n_vfs; i++)
				printf("  vf%-3zu %-12s representor %s\n", i, d->vfs[i].id ? d->vfs[i].id : "-",
				       d->vfs[i].representor ? d->vfs[i].representor : "-");
		}
		goto out;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "vfctl: changing the eswitch mode: root only\n");
		r = EXIT_FAIL;
		goto out;
	}
	/* The same path as a file with EswitchMode=: one ordering, one set of safety checks. */
	if (!streq(d->bus, "pci") && !d->n_netdevs) {
		fprintf(stderr, "vfctl: %s has no netdev to name it by\n", d->id);
		r = EXIT_FAIL;
		goto out;
	}
	char match[128];
	snprintf(match, sizeof(match), "%s:%s", streq(d->bus, "pci") ? "pci" : "name",
		 streq(d->bus, "pci") ? d->id : d->netdevs[0].name);
	vfctl_config *conf = NULL;
	int b = vfctl_config_new("(command line)", &conf);
	if (b >= 0)
		b = vfctl_config_add_unit(conf, "PF");
	if (b >= 0)
		b = vfctl_config_set(conf, "Match", match);
	if (b >= 0)
		b = vfctl_config_set(conf, "EswitchMode", mode);
	r = cli_apply_built(ctx, conf, b, force);
out:
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
