/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the host's policy does to passthrough: kernel lockdown, huge pages for vDPA users
 * (vhost-vdpa guests want shared huge pages), and NetworkManager taking VF netdevs meant for VMs. */
#include <stdio.h>

#include "checker.h"
#include "files.h"

static void check_lockdown(checker *c)
{
	_cleanup_free_ char *s = NULL;
	if (sysfs_read(c->ctx->fs, "kernel/security/lockdown", &s) < 0)
		return;
	/* "none [integrity] confidentiality": the mode in force is in brackets. */
	const char *a = strchr(s, '['), *b = a ? strchr(a, ']') : NULL;
	if (!a || !b || (b - a == 5 && strncmp(a + 1, "none", 4) == 0))
		return;
	_cleanup_free_ char *sum = NULL;
	if (asprintf(&sum,
		     "kernel lockdown is in force (%.*s): firmware tools that write to devices (mlxconfig, "
		     "mstconfig) and unsigned out-of-tree drivers (vendor OFED stacks) are refused",
		     (int)(b - a - 1), a + 1) < 0)
		sum = NULL;
	add(c, "kernel.lockdown", VFCTL_SEV_INFO, NULL, sum, s,
	    "use the distribution's signed in-tree drivers; to change NIC firmware settings, boot once with Secure "
	    "Boot "
	    "off, or sign the modules with an enrolled key (mokutil --import)");
}

static long meminfo(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void check_hugepages(checker *c)
{
	const vfctl_host *h = c->h;
	if (!h->vdpa || h->vdpa->n_devs == 0)
		return;
	_cleanup_free_ char *mi = NULL, *ev = NULL;
	if (procfs_read(c->ctx->fs, "meminfo", &mi) < 0)
		return;
	long total = meminfo(mi, "HugePages_Total:"), size = meminfo(mi, "Hugepagesize:");
	if (asprintf(&ev, "%zu vDPA device(s); HugePages_Total %ld of %ld kB", h->vdpa->n_devs, total, size) < 0)
		ev = NULL;
	if (total > 0)
		add(c, "vdpa.hugepages", VFCTL_SEV_OK, NULL, "huge pages reserved for vDPA guests", ev, NULL);
	else if (total == 0)
		add(c, "vdpa.hugepages", VFCTL_SEV_INFO, NULL,
		    "vDPA devices exist but no huge pages are reserved: guests on vhost-vdpa (and OVS-DPDK next to "
		    "them) "
		    "want their memory in shared huge pages",
		    ev,
		    "reserve them at boot (kernel arguments default_hugepagesz=1G hugepagesz=1G hugepages=N) or now "
		    "(echo N > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages); QEMU: -object "
		    "memory-backend-file,mem-path=/dev/hugepages,share=on");
}

/* NetworkManager keeps its per-device state in /run/NetworkManager/devices/IFINDEX ("managed=true"
 * under [device]): readable without D-Bus. A VF netdev it manages gets DHCP and a connection
 * profile, which fights the VM the VF is meant for. */
static void check_networkmanager(checker *c)
{
	const vfctl_host *h = c->h;
	/* The running host's NetworkManager says nothing about a fake tree (a test names its own). */
	if (c->ctx->fs->read_only && !(c->ctx->set.test && c->ctx->set.test->run_dir))
		return;
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *d = &h->devices[i];
		if (!d->physfn || !doctor_selected(c, d))
			continue;
		for (size_t k = 0; k < d->n_netdevs; k++) {
			char path[PATH_MAX];
			_cleanup_free_ char *st = NULL, *sum = NULL, *fix = NULL;
			/* Without netlink the snapshot has no ifindex: sysfs has it too. */
			int ifindex = d->netdevs[k].ifindex > 0
					      ? d->netdevs[k].ifindex
					      : sysfs_int(c->ctx->fs, "class/net/%s/ifindex", d->netdevs[k].name);
			if (ifindex <= 0)
				continue;
			snprintf(path, sizeof(path), "%s/NetworkManager/devices/%d", ctx_run_dir(c->ctx), ifindex);
			if (file_read_text(path, &st) < 0 || !strstr(st, "managed=true"))
				continue;
			if (asprintf(&sum,
				     "NetworkManager manages the VF netdev %s: it runs DHCP on it and may hold it",
				     d->netdevs[k].name) < 0)
				sum = NULL;
			if (asprintf(&fix,
				     "Unmanaged=yes in [VF:%d] (or [VF] for every VF) of %s's section, then vfctl "
				     "apply: "
				     "vfctl's udev rule sets NM_UNMANAGED for it (nmcli device set %s managed no lasts "
				     "until NetworkManager restarts)",
				     d->vf_index, d->physfn, d->netdevs[k].name) < 0)
				fix = NULL;
			add(c, "vf.networkmanager", VFCTL_SEV_WARN, d, sum, path, fix);
		}
	}
}

void check_host_policy(checker *c)
{
	check_lockdown(c);
	check_hugepages(c);
	check_networkmanager(c);
}
