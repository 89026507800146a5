/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "files.h"
#include "iommu.h"
#include "modalias.h"
#include "nvme-pool.h"
#include "parse.h"
#include "pci.h"
#include "relations.h"
#include "runs.h"
#include "sriov.h"
#include "vdpa.h"
#include "vdpa-msg.h"

static int cmp_dev(const void *a, const void *b)
{
	return device_cmp(a, b);
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
	free(h->arg_intremap);
	free(h->arg_vfio_pci_ids);
	if (h->vdpa) {
		vdpa_clear(h->vdpa);
		free(h->vdpa);
	}
	runs_free(h);
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

/* Who may open /dev/vfio/N of each device on vfio-pci: what Owner=/Group= compare with. */
static void vfio_owners(vfctl_host *h)
{
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		char path[64];
		uid_t u;
		gid_t g;
		mode_t m;
		if (d->iommu_group < 0 || !streq_ptr(d->driver, "vfio-pci"))
			continue;
		snprintf(path, sizeof(path), "/dev/vfio/%d", d->iommu_group);
		if (file_owner(path, &u, &g, &m) >= 0) {
			d->vfio_uid = (int)u;
			d->vfio_gid = (int)g;
		}
	}
}

static int host_scan(vfctl_ctx *ctx, vfctl_host **ret)
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
	if (r >= 0)
		r = vf_default_drivers(ctx, h);
	if (r >= 0)
		r = nvme_pools_scan(ctx, h);
	if (r >= 0)
		vfio_owners(h);
	if (r >= 0 && ctx->use_netlink)
		r = vdpa_scan(ctx, h);
	if (r >= 0)
		r = runs_scan(ctx, h);
	if (r < 0) {
		vfctl_host_free(h);
		return r;
	}
	*ret = h;
	return 0;
}

int vfctl_host_scan(vfctl_ctx *ctx, vfctl_host **ret)
{
	unsigned since = ctx->n_errors;
	return ctx_ensure_error(ctx, since, host_scan(ctx, ret), "scanning the host");
}
