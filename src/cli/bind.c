/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl bind | unbind | restore */
/* vfctl bind / unbind / restore / vfio-check / emit */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int parse_owner(const char *s, bool group, int *ret)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0) {
		*ret = (int)v;
		return 0;
	}
	if (group) {
		struct group *g = getgrnam(s);
		if (g) {
			*ret = (int)g->gr_gid;
			return 0;
		}
	} else {
		struct passwd *p = getpwnam(s);
		if (p) {
			*ret = (int)p->pw_uid;
			return 0;
		}
	}
	fprintf(stderr, "vfctl: %s: no such %s\n", s, group ? "group" : "user");
	return EXIT_USAGE;
}

/* op: "bind", "unbind", "restore" */
int cmd_bind(const cli_global *g, int argc, char **argv)
{
	enum { OPT_GROUP = 256, OPT_ALLFN, OPT_FORCE, OPT_OWNER, OPT_GROUP_OWNER };
	static const struct option opts[] = {
		{"group", no_argument, NULL, OPT_GROUP},
		{"all-functions", no_argument, NULL, OPT_ALLFN},
		{"force", no_argument, NULL, OPT_FORCE},
		{"owner", required_argument, NULL, OPT_OWNER},
		{"group-owner", required_argument, NULL, OPT_GROUP_OWNER},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	const char *op = argv[0];
	vfctl_bind_opts o = VFCTL_OPTS(vfctl_bind_opts, .owner = -1, .group_id = -1, .report = cli_report_line);
	int c, r;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		switch (c) {
		case OPT_GROUP:
			o.group = true;
			break;
		case OPT_ALLFN:
			o.all_functions = true;
			break;
		case OPT_FORCE:
			o.force = true;
			break;
		case OPT_OWNER:
			if ((r = parse_owner(optarg, false, &o.owner)))
				return r;
			break;
		case OPT_GROUP_OWNER:
			if ((r = parse_owner(optarg, true, &o.group_id)))
				return r;
			break;
		case 'h':
			printf("Usage: vfctl bind [--group] [--all-functions] [--force] [--owner USER] [--group-owner "
			       "GROUP] "
			       "DEVICE [DRIVER]\n       vfctl unbind [--group] [--all-functions] [--force] DEVICE...\n"
			       "       vfctl restore [--force] [DEVICE...]\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	char **devs = argv + optind;
	size_t n = (size_t)(argc - optind);
	if (streq_ptr(op, "bind")) {
		if (n < 1 || n > 2) {
			fprintf(stderr, "vfctl: bind takes one DEVICE and an optional DRIVER (default vfio-pci)\n");
			return EXIT_USAGE;
		}
		if (n == 2)
			o.driver = devs[1];
		n = 1;
	} else if (streq_ptr(op, "unbind") && n == 0) {
		fprintf(stderr, "vfctl: unbind needs a DEVICE\n");
		return EXIT_USAGE;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "vfctl: %s changes which driver owns a device: root only\n", op);
		return EXIT_FAIL;
	}
	vfctl_ctx *ctx = NULL;
	r = cli_ctx_new(&g->ctx, &ctx);
	if (r >= 0)
		r = streq_ptr(op, "bind")     ? vfctl_bind(ctx, &(vfctl_select){devs, n}, &o)
		    : streq_ptr(op, "unbind") ? vfctl_unbind(ctx, &(vfctl_select){devs, n}, &o)
					      : vfctl_restore(ctx, &(vfctl_select){devs, n}, &o);
	if (r < 0)
		fprintf(stderr, "vfctl: %s\n", ctx ? vfctl_ctx_error(ctx) : strerror(-r));
	vfctl_ctx_free(ctx);
	return r == -ENODEV ? EXIT_USAGE : r < 0 ? EXIT_FAIL : EXIT_OK;
}
