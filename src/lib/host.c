/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "iommu.h"
#include "parse.h"
#include "pci.h"
#include "sriov.h"
#include "vdpa.h"

static int cmp_dev(const void *a, const void *b)
{
	const vfctl_device *x = a, *y = b;
	pci_addr pa, pb;
	if (parse_pci_addr(x->id, &pa) < 0 || parse_pci_addr(y->id, &pb) < 0)
		return strcmp(x->id, y->id);
	return pci_addr_cmp(&pa, &pb);
}

vfctl_host *vfctl_host_free(vfctl_host *h)
{
	if (!h)
		return NULL;
	for (size_t i = 0; i < h->n_devices; i++)
		pci_device_done(&h->devices[i]);
	free(h->devices);
	free(h->kernel_release);
	free(h->cpu_vendor);
	free(h->cmdline);
	free(h->iommu_kind);
	free(h->arg_intel_iommu);
	free(h->arg_amd_iommu);
	free(h->arg_iommu);
	free(h->arg_pci);
	free(h->arg_pcie_acs_override);
	free(h->arg_vfio_pci_ids);
	if (h->vdpa) {
		for (size_t i = 0; i < h->vdpa->n_mgmtdevs; i++)
			free(h->vdpa->mgmtdevs[i].name);
		for (size_t i = 0; i < h->vdpa->n_devs; i++) {
			vfctl_vdpa_dev *d = &h->vdpa->devs[i];
			free(d->name);
			free(d->mgmtdev);
			free(d->driver);
			free(d->vhost);
			free(d->netdev);
		}
		free(h->vdpa->mgmtdevs);
		free(h->vdpa->devs);
		free(h->vdpa);
	}
	free(h);
	return NULL;
}

static int scan_pci(vfctl_ctx *ctx, vfctl_host *h)
{
	char **names = NULL;
	size_t n = 0, alloc = 0;
	int r;

	r = sysfs_list(ctx->fs, "bus/pci/devices", NULL, &names, &n);
	if (r == -ENOENT)
		return 0; /* a machine without PCI (or a fake tree with only netdevsim) */
	if (r < 0)
		return ctx_error_fs(ctx, r, "cannot list PCI devices");
	for (size_t i = 0; i < n; i++) {
		if ((r = GROW(h->devices, alloc, h->n_devices + 1)) < 0)
			break;
		vfctl_device *d = &h->devices[h->n_devices];
		r = pci_device_scan(ctx, names[i], d);
		if (r == -ENODEV) {
			/* Vanished between listing and reading (VFs being removed): not an error. */
			pci_device_done(d);
			r = 0;
			continue;
		}
		h->n_devices++;
		if (r < 0)
			break;
	}
	strv_free_n(names, n);
	if (r < 0)
		return r;
	if (h->n_devices)
		qsort(h->devices, h->n_devices, sizeof(*h->devices), cmp_dev);
	return 0;
}

int vfctl_host_scan(vfctl_ctx *ctx, vfctl_host **ret)
{
	vfctl_host *h = calloc(1, sizeof(*h));
	int r;
	if (!h)
		return -ENOMEM;
	r = host_info_scan(ctx, h);
	if (r >= 0)
		r = scan_pci(ctx, h);
	if (r >= 0)
		r = sriov_scan_nonpci(ctx, h);
	if (r >= 0)
		r = sriov_link_vfs(ctx, h);
	if (r >= 0)
		r = sriov_read_settings(ctx, h);
	if (r >= 0 && ctx->use_netlink)
		r = vdpa_scan(ctx, h);
	if (r < 0) {
		vfctl_host_free(h);
		return r;
	}
	*ret = h;
	return 0;
}

const vfctl_device *vfctl_host_find(const vfctl_host *h, const char *id)
{
	pci_addr a;
	if (parse_pci_addr(id, &a) >= 0) {
		char canon[PCI_ADDR_STRLEN];
		format_pci_addr(&a, canon);
		/* PCI devices are sorted by address at the front of the array. */
		size_t lo = 0, hi = h->n_devices;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			const vfctl_device *d = &h->devices[mid];
			pci_addr b;
			/* non-PCI devices sort after every PCI address */
			int c = parse_pci_addr(d->id, &b) < 0 ? -1 : pci_addr_cmp(&a, &b);
			if (c == 0)
				return d;
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		return NULL;
	}
	for (size_t i = 0; i < h->n_devices; i++)
		if (streq(h->devices[i].id, id))
			return &h->devices[i];
	return NULL;
}

static const vfctl_device *find_netdev(const vfctl_host *h, const char *name)
{
	for (size_t i = 0; i < h->n_devices; i++)
		for (size_t j = 0; j < h->devices[i].n_netdevs; j++)
			if (streq(h->devices[i].netdevs[j].name, name))
				return &h->devices[i];
	return NULL;
}

int vfctl_host_resolve(const vfctl_host *h, const char *arg, const vfctl_device **ret_dev, int *ret_vf)
{
	const vfctl_device *d;
	_cleanup_free_ char *pf = NULL;
	unsigned vf;

	if ((d = vfctl_host_find(h, arg)) || (d = find_netdev(h, arg))) {
		*ret_dev = d;
		*ret_vf = -1;
		return 0;
	}
	if (parse_pf_vf(arg, &pf, &vf) >= 0) {
		d = vfctl_host_find(h, pf);
		if (!d)
			d = find_netdev(h, pf);
		if (!d)
			return -ENODEV;
		if (vf >= d->n_vfs)
			return -ERANGE;
		/* A PCI VF is a device of its own: hand that back when it exists. */
		const vfctl_device *vd = d->vfs[vf].id ? vfctl_host_find(h, d->vfs[vf].id) : NULL;
		*ret_dev = vd ? vd : d;
		*ret_vf = vd ? -1 : (int)vf;
		return 0;
	}
	return -ENODEV;
}
