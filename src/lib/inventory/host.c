/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "files.h"
#include "handoff.h"
#include "iommu.h"
#include "modalias.h"
#include "nvme-pool.h"
#include "ovs.h"
#include "parse.h"
#include "pci.h"
#include "relations.h"
#include "runs.h"
#include "scan.h"
#include "sriov.h"
#include "vdpa-msg.h"
#include "vdpa.h"
#include "vm-holders.h"

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
	free(h->machine_id);
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
	ovs_free(h->ovs);
	free(h);
	return NULL;
}

/* One worker's share of bus/pci/devices: names[lo, hi) into its own array. */
typedef struct scan_part {
	vfctl_ctx *ctx;
	const netdev_map *nets;
	char **names;
	vfctl_device *devs;
	size_t n, alloc;
	int r;
} scan_part;

static int scan_part_run(vfctl_ctx *ctx, void *arg, size_t lo, size_t hi)
{
	scan_part *p = arg;
	p->ctx = ctx;
	p->r = 0;
	for (size_t i = lo; i < hi; i++) {
		if ((p->r = GROW(p->devs, p->alloc, p->n + 1)) < 0)
			break;
		vfctl_device *d = &p->devs[p->n];
		p->r = pci_device_scan(p->ctx, p->nets, p->names[i], d);
		if (p->r == -ENODEV) {
			/* Vanished between listing and reading (VFs being removed): not an error. */
			pci_device_done(d);
			p->r = 0;
			continue;
		}
		p->n++;
		if (p->r < 0)
			break;
	}
	return p->r;
}

/* Below this many functions a second thread costs more than it saves. */
#define SCAN_PARALLEL_MIN 256

/* Reads the functions named (appended to h, then sorted). Past SCAN_PARALLEL_MIN the reads are
 * split between two threads, the second with its own context (ctx_clone: the directories the seam
 * holds are per seam); it reads files only (no netlink, no libpci: names come after). */
static int scan_names(vfctl_ctx *ctx, vfctl_host *h, const netdev_map *nets, char **names, size_t n)
{
	scan_part parts[2] = {{.nets = nets, .names = names}, {.nets = nets, .names = names}};
	size_t n_parts;
	int r = ctx_split(ctx, n, SCAN_PARALLEL_MIN, scan_part_run, (void *const[]){&parts[0], &parts[1]}, &n_parts);
	size_t total = h->n_devices + parts[0].n + parts[1].n;
	vfctl_device *all = total ? realloc(h->devices, total * sizeof(*h->devices)) : h->devices;
	if (total && !all)
		r = -ENOMEM;
	else
		h->devices = all;
	for (size_t k = 0; k < n_parts; k++) {
		for (size_t i = 0; i < parts[k].n; i++) {
			if (all)
				h->devices[h->n_devices++] = parts[k].devs[i];
			else
				pci_device_done(&parts[k].devs[i]);
		}
		free(parts[k].devs);
	}
	if (r < 0)
		return r;
	if (h->n_devices)
		qsort(h->devices, h->n_devices, sizeof(*h->devices), cmp_dev);
	return 0;
}

/* Every PCI function. */
static int scan_pci(vfctl_ctx *ctx, vfctl_host *h, const netdev_map *nets)
{
	char **names = NULL;
	size_t n = 0;
	int r = sysfs_list(ctx->fs, "bus/pci/devices", NULL, &names, &n);
	if (r == -ENOENT)
		return 0; /* a machine without PCI (or a fake tree with only netdevsim) */
	if (r < 0)
		return ctx_error_fs(ctx, r, "cannot list PCI devices");
	r = scan_names(ctx, h, nets, names, n);
	strv_free_n(names, n);
	return r;
}

/* One PCI PF and its VFs: their addresses from its SR-IOV capability, or its virtfnN links when
 * that was not readable. A PF that is gone leaves h empty: the plan says so. */
static int scan_pci_pf(vfctl_ctx *ctx, vfctl_host *h, const netdev_map *nets, const char *id)
{
	char *one[] = {(char *)id};
	char **names = NULL;
	size_t n = 0;
	int r = scan_names(ctx, h, nets, one, 1);
	if (r < 0 || h->n_devices == 0 || h->devices[0].num_vfs <= 0)
		return r;
	const vfctl_device *pf = &h->devices[0];
	char addr[32];
	if (sriov_vf_addr(pf, 0, addr, sizeof(addr))) {
		n = (size_t)pf->num_vfs;
		if (!(names = calloc(n, sizeof(*names))))
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			if (!sriov_vf_addr(pf, (uint32_t)i, addr, sizeof(addr))) {
				n = i; /* past the last bus number: no such function */
				break;
			}
			if (!(names[i] = strdup(addr))) {
				strv_free_n(names, i);
				return -ENOMEM;
			}
		}
	} else {
		char **links = NULL;
		size_t nl = 0;
		(void)sysfs_list(ctx->fs, pf->syspath, "virtfn", &links, &nl);
		names = nl ? calloc(nl, sizeof(*names)) : NULL;
		for (size_t i = 0; names && i < nl; i++) {
			char path[PATH_MAX];
			snprintf(path, sizeof(path), "%s/%s", pf->syspath, links[i]);
			if (sysfs_link_name(ctx->fs, path, &names[n]) >= 0)
				n++;
		}
		strv_free_n(links, nl);
		if (nl && !names)
			return -ENOMEM;
	}
	r = scan_names(ctx, h, nets, names, n);
	strv_free_n(names, n);
	return r;
}

static bool same_ids(const vfctl_device *a, const vfctl_device *b)
{
	return a->vendor_id == b->vendor_id && a->device_id == b->device_id && a->class_code == b->class_code;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* What the scan left for after the VFs are known: the kernel's ids (a VF's from its PF); a VF's
 * NUMA node is its PF's (the kernel sets it from the PF), the others' are read; pci.ids names
 * (libpci is not thread-safe). */
static int scan_pci_finish(vfctl_ctx *ctx, vfctl_host *h)
{
	const vfctl_device *prev = NULL;
	size_t kept = 0;
	int r = 0;
	/* Ids: the PFs' (and every other function's) first, a VF's come from its PF. A device gone
	 * since its config space was read (hot unplug) is left out, as if it had not been listed. */
	_cleanup_free_ bool *gone = h->n_devices ? calloc(h->n_devices, sizeof(bool)) : NULL;
	if (h->n_devices && !gone)
		return -ENOMEM;
	for (int vfs = 0; vfs < 2 && r >= 0; vfs++)
		for (size_t i = 0; i < h->n_devices && r >= 0; i++) {
			vfctl_device *d = &h->devices[i];
			if (!!d->physfn != vfs)
				continue;
			r = pci_fix_ids(ctx, d, d->physfn ? vfctl_host_find(h, d->physfn) : NULL);
			if (r == -ENODEV) {
				gone[i] = true;
				r = 0;
			}
		}
	if (r < 0)
		return r;
	for (size_t i = 0; i < h->n_devices; i++) {
		if (gone[i])
			pci_device_done(&h->devices[i]);
		else
			h->devices[kept++] = h->devices[i];
	}
	h->n_devices = kept;
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		if (d->addr.domain < 0)
			continue;
		if (!d->physfn)
			pci_read_numa(ctx, d);
		/* A PF's VFs come in a row with the same ids: one pci.ids lookup for all of them. */
		if (prev && same_ids(prev, d) && ctx->set.names) {
			d->vendor_name = dup_or_null(prev->vendor_name);
			d->device_name = dup_or_null(prev->device_name);
			d->class_name = dup_or_null(prev->class_name);
		} else
			pci_lookup_names(ctx, d);
		prev = d;
	}
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		const vfctl_device *pf = d->physfn && d->addr.domain >= 0 ? vfctl_host_find(h, d->physfn) : NULL;
		if (pf)
			d->numa_node = pf->numa_node;
	}
	return 0;
}

/* Who may open /dev/vfio/N of each device on vfio-pci: what Owner=/Group= compare with. */
static void vfio_owners(const vfctl_ctx *ctx, vfctl_host *h)
{
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		char path[PATH_MAX], grp[16];
		uid_t u;
		gid_t g;
		mode_t m;
		if (d->iommu_group < 0 || !driver_is_vfio(d->driver))
			continue;
		snprintf(grp, sizeof(grp), "%d", d->iommu_group);
		ctx_vfio_node(ctx, grp, path, sizeof(path));
		if (file_owner(path, &u, &g, &m) >= 0) {
			d->vfio_uid = (int)u;
			d->vfio_gid = (int)g;
		}
	}
}

/* The whole host, or (pf non-NULL) one PF and its VFs with what a plan of its [PF] section reads:
 * the same snapshot, restricted to them. */
static int host_scan(vfctl_ctx *ctx, const char *pf, vfctl_host **ret)
{
	vfctl_host *h = calloc(1, sizeof(*h));
	netdev_map nets = {0};
	int r;
	if (!h)
		return -ENOMEM;
	names_prefetch names;
	pci_names_prefetch(ctx, &names);
	r = host_info_scan(ctx, h);
	if (r >= 0)
		r = netdev_map_build(ctx, &nets);
	pci_addr a;
	bool pci_pf = pf && parse_pci_addr(pf, &a) >= 0;
	if (r >= 0)
		r = pci_pf ? scan_pci_pf(ctx, h, &nets, pf) : pf ? 0 : scan_pci(ctx, h, &nets);
	if (r >= 0 && !pci_pf)
		r = sriov_scan_nonpci(ctx, h, &nets);
	netdev_map_done(&nets);
	pci_names_join(ctx, &names);
	if (r >= 0)
		r = sriov_link_vfs(ctx, h);
	if (r >= 0)
		r = scan_pci_finish(ctx, h);
	if (r >= 0)
		r = sriov_read_settings(ctx, h);
	if (r >= 0)
		r = vf_default_drivers(ctx, h);
	if (r >= 0)
		r = nvme_pools_scan(ctx, h);
	if (r >= 0)
		vfio_owners(ctx, h);
	if (r >= 0)
		r = handoff_scan(ctx, h);
	if (r >= 0 && ctx->set.use_netlink)
		r = vdpa_scan(ctx, h);
	if (r >= 0)
		r = runs_scan(ctx, h);
	if (r >= 0 && ctx->set.use_netlink)
		r = ovs_scan(ctx, h);
	/* Who holds what: for status, doctor and metrics; apply's own scans leave it to the guard. */
	if (r >= 0 && !pf && !ctx->set.plan_only)
		r = holders_scan(ctx, h);
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
	return ctx_ensure_error(ctx, since, host_scan(ctx, NULL, ret), "scanning the host");
}

int host_scan_pf(vfctl_ctx *ctx, const char *pf, vfctl_host **ret)
{
	unsigned since = ctx->n_errors;
	return ctx_ensure_error(ctx, since, host_scan(ctx, pf, ret), "reading the PF again");
}
