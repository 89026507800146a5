/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl vdpa list | add NAME MGMTDEV [vhost|virtio] [MAC] | del NAME: add and del go through apply,
 * as a file with a [VDPA] section would. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

int cmd_vdpa(const cli_global *g, int argc, char **argv)
{
	if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		fprintf(argc < 2 ? stderr : stdout,
			"Usage: vfctl vdpa list\n       vfctl vdpa add NAME MGMTDEV [vhost|virtio] [MAC]\n"
			"       vfctl vdpa del NAME\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	vfctl_ctx *ctx;
	vfctl_host *h;
	int r = cli_scan(g, &ctx, &h);
	if (r)
		return r;
	/* The arguments become a configuration's values (vfctl_config_set refuses a control character
	 * too): said here with the argument's number. */
	for (int i = 2; i < argc; i++)
		for (const char *c = argv[i]; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f) {
				fprintf(stderr, "vfctl: vdpa: argument %d holds a control character: refused\n", i);
				r = EXIT_USAGE;
				goto out;
			}
	if (streq(argv[1], "list")) {
		for (size_t i = 0; h->vdpa && i < h->vdpa->n_mgmtdevs; i++)
			printf("mgmtdev %s%s%s\n", h->vdpa->mgmtdevs[i].name,
			       h->vdpa->mgmtdevs[i].classes & 2 ? " net" : "",
			       h->vdpa->mgmtdevs[i].classes & 4 ? " block" : "");
		for (size_t i = 0; h->vdpa && i < h->vdpa->n_devs; i++) {
			const vfctl_vdpa_dev *v = &h->vdpa->devs[i];
			printf("device %s on %s: %s %s\n", v->name, v->mgmtdev, v->driver ? v->driver : "(no driver)",
			       v->vhost    ? v->vhost
			       : v->netdev ? v->netdev
					   : "");
		}
		if (!h->vdpa || !h->vdpa->available)
			printf("(the kernel has no vdpa netlink family: modprobe vdpa)\n");
		goto out;
	}
	/* The keys a [VDPA] section would have, set one by one: an argument is one value. */
	const char *keys[4][2] = {{"Name", argv[2]}};
	size_t n_keys = 1;
	if (streq(argv[1], "add") && argc >= 4 && argc <= 6) {
		keys[n_keys][0] = "MgmtDev", keys[n_keys++][1] = argv[3];
		keys[n_keys][0] = "Driver", keys[n_keys++][1] = argc >= 5 ? argv[4] : "vhost";
		if (argc == 6)
			keys[n_keys][0] = "MACAddress", keys[n_keys++][1] = argv[5];
	} else if (streq(argv[1], "del") && argc == 3)
		keys[n_keys][0] = "Present", keys[n_keys++][1] = "no";
	else {
		fprintf(stderr, "vfctl: vdpa: list, add NAME MGMTDEV [vhost|virtio] [MAC], or del NAME\n");
		r = EXIT_USAGE;
		goto out;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "vfctl: vdpa %s: root only\n", argv[1]);
		r = EXIT_FAIL;
		goto out;
	}
	vfctl_config *conf = NULL;
	int b = vfctl_config_new("(command line)", &conf);
	if (b >= 0)
		b = vfctl_config_add_unit(conf, "VDPA");
	for (size_t i = 0; i < n_keys && b >= 0; i++)
		b = vfctl_config_set(conf, keys[i][0], keys[i][1]);
	r = cli_apply_built(ctx, conf, b, false);
out:
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
