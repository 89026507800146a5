/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fputs("Usage: vfctl [OPTIONS] COMMAND [ARGS...]\n"
	      "\n"
	      "Commands:\n"
	      "  status [DEVICE...]   host IOMMU/VFIO state, PCI devices, PFs and their VFs\n"
	      "                       (--stats: per-VF traffic counters)\n"
	      "  doctor [DEVICE...]   check the host for SR-IOV / passthrough problems, with fixes\n"
	      "                       (--probe-intx: test INTx masking on idle devices; root)\n"
	      "  plan [DEVICE]        the steps that would bring the host to its configuration\n"
	      "  apply [DEVICE]       carry them out, with rollback on failure (root)\n"
	      "                       (-c FILE|DIR, default /etc/vfctl; --force, --boot)\n"
	      "  verify [DEVICE...]   the host against its configuration, per knob; --datapath: test\n"
	      "                       frames through the NIC's switch between PF and VFs (root)\n"
	      "  bind DEVICE [DRIVER] hand a device to vfio-pci (or DRIVER), group-aware (root)\n"
	      "  unbind DEVICE...     take devices from their driver (root)\n"
	      "  restore [DEVICE...]  give devices back to the drivers they had (root)\n"
	      "  vfio-check DEVICE... QEMU's VFIO open sequence, without a VM\n"
	      "  emit qemu|libvirt|proxmox DEVICE...  the VM side of the hand-off\n"
	      "  eswitch PF [MODE]    show or set legacy/switchdev, with VF representors\n"
	      "  vdpa list|add|del    vDPA management devices and devices (vhost or virtio)\n"
	      "  emit ovs PF          the Open vSwitch offload setup for a switchdev PF\n"
	      "  export [DEVICE...] [-o DIR]  the vfctl.conf files that describe the live host\n"
	      "  metrics [--textfile DIR]     Prometheus metrics: VFs, counters, doctor findings\n"
	      "\n"
	      "DEVICE is a PCI address (0000:06:00.1 or 06:00.1), a netdev name, or PF:vfN.\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json           machine-readable output (docs/json.md)\n"
	      "      --no-netlink     do not ask the kernel for VF settings over rtnetlink\n"
	      "      --sysfs DIR      read sysfs from DIR instead of /sys (tests, fixtures)\n"
	      "      --procfs DIR     read procfs from DIR instead of /proc\n"
	      "      --modules DIR    read module lists from DIR instead of /lib/modules\n"
	      "      --kmsg FILE      read the kernel log from FILE (/dev/kmsg records) instead of /dev/kmsg\n"
	      "  -h, --help           this text\n"
	      "      --version        print the version\n",
	      f);
}

/* Every verb: name and the function that parses its own options and runs it. */
static const struct {
	const char *name;
	int (*run)(const cli_global *g, int argc, char **argv);
} verbs[] = {
	{"status", cmd_status}, {"doctor", cmd_doctor},   {"plan", cmd_plan},    {"apply", cmd_apply},
	{"bind", cmd_bind},     {"unbind", cmd_bind},     {"restore", cmd_bind}, {"vfio-check", cmd_vfio_check},
	{"emit", cmd_emit},     {"eswitch", cmd_eswitch}, {"vdpa", cmd_vdpa},    {"export", cmd_export},
	{"verify", cmd_verify}, {"metrics", cmd_metrics},
};

int main(int argc, char **argv)
{
	enum { OPT_SYSFS = 256, OPT_PROCFS, OPT_MODULES, OPT_KMSG, OPT_NO_NETLINK, OPT_VERSION };
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"sysfs", required_argument, NULL, OPT_SYSFS},
		{"procfs", required_argument, NULL, OPT_PROCFS},
		{"modules", required_argument, NULL, OPT_MODULES},
		{"kmsg", required_argument, NULL, OPT_KMSG},
		{"no-netlink", no_argument, NULL, OPT_NO_NETLINK},
		{"version", no_argument, NULL, OPT_VERSION},
		{},
	};
	/* pci.ids names cost a parse of the whole file (55 ms in the lab): only status and export
	 * print them, and they ask. */
	cli_global g = {.ctx = VFCTL_OPTS(vfctl_ctx_opts, .netlink = -1, .names = false)};
	int c;

	cli_safe_output();
	/* '+': stop at the command, whose own options follow it. */
	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			g.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case OPT_SYSFS:
			g.ctx.sys_root = optarg;
			break;
		case OPT_PROCFS:
			g.ctx.proc_root = optarg;
			break;
		case OPT_MODULES:
			g.ctx.modules_root = optarg;
			break;
		case OPT_KMSG:
			g.ctx.kmsg_path = optarg;
			break;
		case OPT_NO_NETLINK:
			g.ctx.netlink = 0;
			break;
		case OPT_VERSION:
			puts("vfctl " VFCTL_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[optind];
	int sub_argc = argc - optind;
	char **sub_argv = argv + optind;
	optind = 0; /* 0, not 1: makes glibc's getopt start over, permuting again */
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (strcmp(cmd, verbs[i].name) == 0)
			return verbs[i].run(&g, sub_argc, sub_argv);
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "vfctl: unknown command '%s' (see vfctl --help)\n", cmd);
	return EXIT_USAGE;
}
