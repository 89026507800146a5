/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl emit */
/* vfctl bind / unbind / restore / vfio-check / emit */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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
						    "       vfctl emit proxmox --mapping NAME [--node NODE] PF|VF...\n"
						    "       vfctl emit libvirt --failover VF...\n"
						    "       vfctl emit libvirt --network NAME PF|VF...\n"
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
	vfctl_emit_opts eo = VFCTL_OPTS(vfctl_emit_opts, .kind = kind);
	/* Options after the target: --mapping NAME, --node NODE (proxmox). */
	int first = 2;
	for (;;) {
		if (first < argc && streq(argv[first], "--failover")) {
			eo.failover = true;
			first++;
		} else if (first + 1 < argc && (streq(argv[first], "--mapping") || streq(argv[first], "--node") ||
						streq(argv[first], "--network"))) {
			*(streq(argv[first], "--mapping") ? &eo.mapping
			  : streq(argv[first], "--node")  ? &eo.node
							  : &eo.network) = argv[first + 1];
			first += 2;
		} else
			break;
	}
	if ((eo.failover || eo.network) && kind != VFCTL_EMIT_LIBVIRT) {
		fprintf(stderr, "vfctl: emit %s: --failover and --network are for libvirt\n", argv[1]);
		return EXIT_USAGE;
	}
	if ((eo.mapping || eo.node) && kind != VFCTL_EMIT_PROXMOX) {
		fprintf(stderr, "vfctl: emit %s: --mapping and --node are for proxmox\n", argv[1]);
		return EXIT_USAGE;
	}
	if (first >= argc) {
		fprintf(stderr, "vfctl: emit %s: which DEVICE?\n", argv[1]);
		return EXIT_USAGE;
	}
	vfctl_ctx *ctx;
	vfctl_host *h;
	vfctl_select sel = {0};
	char *s = NULL, *sv = NULL;
	char **vdpa = calloc((size_t)argc, sizeof(char *)), **pci = calloc((size_t)argc, sizeof(char *));
	size_t nv = 0, np = 0;
	int r = cli_scan(g, &ctx, &h);
	if (r) {
		free(vdpa);
		free(pci);
		return r;
	}
	for (int i = first; i < argc; i++) {
		if (is_vdpa(h, argv[i]))
			vdpa[nv++] = argv[i];
		else
			pci[np++] = argv[i];
	}
	if (np && (r = cli_select(h, pci, (int)np, &sel)))
		goto out;
	for (size_t i = 0; sel.n && i < h->n_devices; i++)
		if (vfctl_select_names(h, &sel, &h->devices[i]) && !streq(h->devices[i].bus, "pci") &&
		    kind != VFCTL_EMIT_OVS) {
			fprintf(stderr, "vfctl: %s is not a PCI device: nothing to pass through\n", h->devices[i].id);
			r = EXIT_USAGE;
			goto out;
		}
	int k = np ? vfctl_emit(h, &sel, &eo, &s) : 0;
	/* What each option refuses, said once. */
	const char *why = !(k == -EINVAL) ? NULL
			  : eo.network  ? "--network: the pool takes VFs (or PFs, for their VFs) without a port VLAN, "
					  "not with --failover; its name is letters, digits, - and _"
			  : eo.failover ? "--failover: each device must be a VF with a MAC (MACAddress= in its [VF] "
					  "section) and no VLAN (the virtio side would not carry it)"
			  : eo.mapping  ? "--mapping: a mapping takes VFs (or PFs, for their VFs), and its name starts "
					  "with a letter, then letters, digits, - and _"
					: NULL;
	if (why) {
		fprintf(stderr, "vfctl: emit %s %s\n", argv[1], why);
		r = EXIT_USAGE;
		goto out;
	}
	if (k == -EINVAL && kind == VFCTL_EMIT_OVS) {
		fprintf(stderr, "vfctl: the PF is not in switchdev mode: OVS offload needs VF representors "
				"(EswitchMode=switchdev, or vfctl eswitch PF switchdev)\n");
		r = EXIT_FAIL;
		goto out;
	}
	if (k >= 0 && nv)
		k = vfctl_emit_vdpa(h, &(vfctl_select){vdpa, nv}, kind, &sv);
	if (k < 0) {
		fprintf(stderr, "vfctl: emit: %s\n",
			k == -EMEDIUMTYPE  ? "a vDPA device on virtio_vdpa is a host netdev, not "
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
	/* A Proxmox mapping's devices are bound by qemu-server at VM start: no note. */
	for (size_t i = 0; kind != VFCTL_EMIT_OVS && !eo.mapping && !eo.network && sel.n && i < h->n_devices; i++)
		if (vfctl_select_names(h, &sel, &h->devices[i]) && !streq_ptr(h->devices[i].driver, "vfio-pci"))
			fprintf(stderr,
				"vfctl: note: %s is bound to %s, not vfio-pci: vfctl bind %s first (libvirt's "
				"managed='yes' does it itself)\n",
				h->devices[i].id, h->devices[i].driver ? h->devices[i].driver : "no driver",
				h->devices[i].id);
out:
	free(s);
	free(sv);
	free(vdpa);
	free(pci);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
