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
	char text[512];
	/* The arguments become a configuration's lines: a control character (a newline) would add
	 * keys or sections of its own. */
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
	} else if (streq(argv[1], "add") && argc >= 4 && argc <= 6) {
		if ((size_t)snprintf(text, sizeof(text), "[VDPA]\nName=%s\nMgmtDev=%s\nDriver=%s\n%s%s%s", argv[2],
				     argv[3], argc >= 5 ? argv[4] : "vhost", argc == 6 ? "MACAddress=" : "",
				     argc == 6 ? argv[5] : "", argc == 6 ? "\n" : "") >= sizeof(text)) {
			fprintf(stderr, "vfctl: vdpa add: the arguments are too long\n");
			r = EXIT_USAGE;
			goto out;
		}
	} else if (streq(argv[1], "del") && argc == 3)
		snprintf(text, sizeof(text), "[VDPA]\nName=%s\nPresent=no\n", argv[2]);
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
	r = cli_apply_text(ctx, text, false);
out:
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
