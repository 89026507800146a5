/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
	vfctl_bind_opts o = {.owner = -1, .group_id = -1, .report = cli_report_line};
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
			printf("Usage: vfctl bind [--group] [--all-functions] [--force] [--owner USER] [--group-owner GROUP] "
			       "DEVICE [DRIVER]\n       vfctl unbind [--group] [--all-functions] [--force] DEVICE...\n"
			       "       vfctl restore [DEVICE...]\n");
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
		r = streq_ptr(op, "bind")     ? vfctl_bind(ctx, devs, n, &o)
		    : streq_ptr(op, "unbind") ? vfctl_unbind(ctx, devs, n, &o)
					      : vfctl_restore(ctx, devs, n, &o);
	if (r < 0)
		fprintf(stderr, "vfctl: %s\n", ctx ? vfctl_ctx_error(ctx) : strerror(-r));
	vfctl_ctx_free(ctx);
	return r == -ENODEV ? EXIT_USAGE : r < 0 ? EXIT_FAIL : EXIT_OK;
}

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
	bool *sel = NULL;
	int r = cli_scan(g, &ctx, &h);
	if (r)
		return r;
	if ((r = cli_select(h, argv + optind, argc - optind, &sel)))
		goto out;
	if (vfctl_vfio_check(ctx, h, sel, &rep) < 0) {
		fprintf(stderr, "vfctl: vfio-check: %s\n", vfctl_ctx_error(ctx));
		r = EXIT_FAIL;
		goto out;
	}
	cli_print_report(rep, json);
	r = vfctl_report_worst(rep) == VFCTL_SEV_ERROR ? EXIT_FAIL : EXIT_OK;
out:
	vfctl_report_free(rep);
	free(sel);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}

static bool is_vdpa(const vfctl_host *h, const char *name)
{
	for (size_t i = 0; h->vdpa && i < h->vdpa->n_devs; i++)
		if (streq(h->vdpa->devs[i].name, name))
			return true;
	return false;
}

int cmd_emit(const cli_global *g, int argc, char **argv)
{
	if (argc < 3 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		fprintf(argc < 3 ? stderr : stdout, "Usage: vfctl emit qemu|libvirt|proxmox DEVICE...\n"
						    "       vfctl emit qemu|libvirt VDPA-DEVICE...\n"
						    "       vfctl emit ovs PF\n");
		return argc < 3 ? EXIT_USAGE : EXIT_OK;
	}
	vfctl_emit_kind kind;
	if (streq(argv[1], "qemu"))
		kind = VFCTL_EMIT_QEMU;
	else if (streq(argv[1], "libvirt"))
		kind = VFCTL_EMIT_LIBVIRT;
	else if (streq(argv[1], "proxmox"))
		kind = VFCTL_EMIT_PROXMOX;
	else if (streq(argv[1], "ovs"))
		kind = VFCTL_EMIT_OVS;
	else {
		fprintf(stderr, "vfctl: emit %s: expected qemu, libvirt, proxmox or ovs\n", argv[1]);
		return EXIT_USAGE;
	}
	vfctl_ctx *ctx;
	vfctl_host *h;
	bool *sel = NULL;
	char *s = NULL, *sv = NULL;
	char **vdpa = calloc((size_t)argc, sizeof(char *)), **pci = calloc((size_t)argc, sizeof(char *));
	size_t nv = 0, np = 0;
	int r = cli_scan(g, &ctx, &h);
	if (r) {
		free(vdpa);
		free(pci);
		return r;
	}
	for (int i = 2; i < argc; i++) {
		if (is_vdpa(h, argv[i]))
			vdpa[nv++] = argv[i];
		else
			pci[np++] = argv[i];
	}
	if (np && (r = cli_select(h, pci, (int)np, &sel)))
		goto out;
	for (size_t i = 0; sel && i < h->n_devices; i++)
		if (sel[i] && !streq(h->devices[i].bus, "pci") && kind != VFCTL_EMIT_OVS) {
			fprintf(stderr, "vfctl: %s is not a PCI device: nothing to pass through\n", h->devices[i].id);
			r = EXIT_USAGE;
			goto out;
		}
	int k = np ? vfctl_emit(h, sel, kind, &s) : 0;
	if (k == -EINVAL && kind == VFCTL_EMIT_OVS) {
		fprintf(stderr, "vfctl: the PF is not in switchdev mode: OVS offload needs VF representors "
				"(EswitchMode=switchdev, or vfctl eswitch PF switchdev)\n");
		r = EXIT_FAIL;
		goto out;
	}
	if (k >= 0 && nv)
		k = vfctl_emit_vdpa(h, vdpa, nv, kind, &sv);
	if (k < 0) {
		fprintf(stderr, "vfctl: emit: %s\n", k == -EMEDIUMTYPE ? "a vDPA device on virtio_vdpa is a host netdev, not "
							   "something to hand to a VM (bind it to vhost_vdpa)"
							   : k == -EOPNOTSUPP ? "vDPA devices go to qemu or libvirt"
									    : strerror(-k));
		r = EXIT_FAIL;
		goto out;
	}
	if (s)
		fputs(s, stdout);
	if (sv)
		fputs(sv, stdout);
	for (size_t i = 0; kind != VFCTL_EMIT_OVS && sel && i < h->n_devices; i++)
		if (sel[i] && !streq_ptr(h->devices[i].driver, "vfio-pci"))
			fprintf(stderr, "vfctl: note: %s is bound to %s, not vfio-pci: vfctl bind %s first (libvirt's "
					"managed='yes' does it itself)\n",
				h->devices[i].id, h->devices[i].driver ? h->devices[i].driver : "no driver", h->devices[i].id);
out:
	free(s);
	free(sv);
	free(sel);
	free(vdpa);
	free(pci);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
