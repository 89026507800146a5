/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <limits.h>
#include <pci/pci.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "netdevs.h"
#include "parse.h"
#include "pci.h"
#include "pcicfg.h"

static char *link_name(vfctl_ctx *ctx, const char *dev, const char *link)
{
	char path[PATH_MAX];
	char *v = NULL;
	snprintf(path, sizeof(path), "%s/%s", dev, link);
	if (sysfs_link_name(ctx->fs, path, &v) < 0)
		return NULL;
	return v;
}

void pci_device_init(vfctl_device *d)
{
	*d = (vfctl_device){
		.vendor_id = -1,
		.device_id = -1,
		.subsystem_vendor_id = -1,
		.subsystem_device_id = -1,
		.class_code = -1,
		.iommu_group = -1,
		.numa_node = -1,
		.irq = -1,
		.msi_vectors = -1,
		.msix_vectors = -1,
		.pcie_type = -1,
		.acs_cap = -1,
		.acs_ctrl = -1,
		.cap_total_vfs = -1,
		.cap_initial_vfs = -1,
		.cap_num_vfs = -1,
		.vf_offset = -1,
		.vf_stride = -1,
		.vf_device_id = -1,
		.total_vfs = -1,
		.num_vfs = -1,
		.autoprobe = -1,
		.reported_num_vf = -1,
		.vf_index = -1,
		.eswitch_mode = -1,
		.eswitch_inline_mode = -1,
		.eswitch_encap_mode = -1,
		.vfio_uid = -1,
		.vfio_gid = -1,
		.addr = {-1, -1, -1, -1},
	};
}

void pci_device_done(vfctl_device *d)
{
	free(d->id);
	free(d->bus);
	free(d->syspath);
	free(d->vendor_name);
	free(d->device_name);
	free(d->class_name);
	free(d->driver);
	free(d->driver_override);
	free(d->held_by.comm);
	free(d->held_by.vm);
	for (size_t i = 0; i < d->n_netdevs; i++) {
		free(d->netdevs[i].name);
		free(d->netdevs[i].mac);
		free(d->netdevs[i].perm_mac);
		free(d->netdevs[i].operstate);
		strv_free_n(d->netdevs[i].altnames, d->netdevs[i].n_altnames);
	}
	free(d->netdevs);
	for (size_t i = 0; i < d->n_vfs; i++) {
		free(d->vfs[i].id);
		free(d->vfs[i].driver);
		free(d->vfs[i].netdev);
		free(d->vfs[i].representor);
		free(d->vfs[i].rate_group);
	}
	free(d->vfs);
	for (size_t i = 0; i < d->n_rate_groups; i++) {
		free(d->rate_groups[i].name);
		free(d->rate_groups[i].parent);
	}
	free(d->rate_groups);
	free(d->vf_settings_error);
	free(d->vf_default_driver);
	free(d->vfio_variant);
	free(d->vf_vfio_variant);
	free(d->nvme_ctrl);
	free(d->physfn);
	free(d->udev_rule);
	free(d->networkd_file);
	*d = (vfctl_device){0};
}

/* SR-IOV BARs are resources 7..12 in the "resource" file (PCI_IOV_RESOURCES). A BAR the
 * device declares but whose start is 0 got no address space: the kernel's
 * "not enough MMIO resources for SR-IOV". */
static void scan_vf_bars(vfctl_ctx *ctx, vfctl_device *d, const pci_config *cfg)
{
	_cleanup_free_ char *res = NULL;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/resource", d->syspath);
	(void)sysfs_read(ctx->fs, path, &res);

	uint64_t start[6] = {0}, end[6] = {0}, flags[6] = {0};
	char *line = res;
	for (int i = 0; line && i < 13; i++) {
		char *nl = strchr(line, '\n');
		if (i >= 7) {
			unsigned long long s, e, f;
			if (sscanf(line, "%llx %llx %llx", &s, &e, &f) == 3) {
				start[i - 7] = s;
				end[i - 7] = e;
				flags[i - 7] = f;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	for (unsigned i = 0; i < 6; i++) {
		vfctl_bar *b = &d->vf_bars[i];
		b->index = i;
		b->declared = flags[i] != 0 || pci_sriov_bar_declared(cfg->sriov.bar[i]);
		b->assigned = start[i] != 0;
		b->start = start[i];
		b->size = end[i] > start[i] ? end[i] - start[i] + 1 : 0;
		/* The upper half of a 64-bit BAR is not a BAR of its own. */
		if (i > 0 && (cfg->sriov.bar[i - 1] & 0x7) == 0x4 && d->vf_bars[i - 1].declared)
			b->declared = false;
	}
}

static void apply_config(vfctl_device *d, const pci_config *c)
{
	d->config_len = (int)c->len;
	d->int_pin = c->int_pin;
	d->intx_disabled = c->command & PCI_COMMAND_INTX_DISABLE;
	d->is_bridge = c->header_type == PCI_HEADER_TYPE_BRIDGE || c->header_type == PCI_HEADER_TYPE_CARDBUS;
	d->caps_known = c->caps_known;
	d->ext_caps_known = c->ext_caps_known;
	d->not_responding = c->dead;
	d->has_msi = c->has_msi;
	d->has_msix = c->has_msix;
	d->msi_enabled = c->has_msi && (c->msi_ctrl & 0x0001);    /* PCI_MSI_FLAGS_ENABLE */
	d->msix_enabled = c->has_msix && (c->msix_ctrl & 0x8000); /* PCI_MSIX_FLAGS_ENABLE */
	d->msi_vectors = c->has_msi ? (int)pci_msi_vectors(c) : -1;
	d->msix_vectors = c->has_msix ? (int)pci_msix_vectors(c) : -1;
	d->is_pcie = c->has_pcie;
	d->pcie_type = c->has_pcie ? c->pcie_type : -1;
	d->has_acs = c->has_acs;
	d->acs_cap = c->has_acs ? c->acs_cap : -1;
	d->acs_ctrl = c->has_acs ? c->acs_ctrl : -1;
	d->has_ari = c->has_ari;
	d->has_sriov_cap = c->has_sriov;
	if (c->has_sriov) {
		d->cap_total_vfs = c->sriov.total_vfs;
		d->cap_initial_vfs = c->sriov.initial_vfs;
		d->cap_num_vfs = c->sriov.num_vfs;
		d->vf_offset = c->sriov.vf_offset;
		d->vf_stride = c->sriov.vf_stride;
		d->vf_device_id = c->sriov.vf_device;
	}
}

/* libpci with pci.ids parsed, NULL when it cannot be had. */
static struct pci_access *names_load(void)
{
	char buf[256];
	struct pci_access *pacc = pci_alloc();
	if (!pacc)
		return NULL;
	pci_init(pacc);
	/* The first lookup parses all of pci.ids (about 8 ms): do it now. */
	(void)pci_lookup_name(pacc, buf, sizeof(buf), PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, 0x8086);
	return pacc;
}

static void *names_load_thread(void *arg)
{
	names_prefetch *np = arg;
	np->pacc = names_load();
	return NULL;
}

void pci_names_prefetch(const vfctl_ctx *ctx, names_prefetch *np)
{
	*np = (names_prefetch){0};
	if (ctx->set.names && !ctx->pacc && sysconf(_SC_NPROCESSORS_ONLN) >= 2)
		np->started = pthread_create(&np->thread, NULL, names_load_thread, np) == 0;
}

void pci_names_join(vfctl_ctx *ctx, names_prefetch *np)
{
	if (!np->started)
		return;
	pthread_join(np->thread, NULL);
	np->started = false;
	ctx->pacc = np->pacc;
	ctx->set.names = np->pacc != NULL;
}

void pci_lookup_names(vfctl_ctx *ctx, vfctl_device *d)
{
	char buf[256];
	if (!ctx->set.names || d->vendor_id < 0)
		return;
	if (!ctx->pacc && !(ctx->pacc = names_load())) {
		ctx->set.names = false;
		return;
	}
	if (pci_lookup_name(ctx->pacc, buf, sizeof(buf), PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, d->vendor_id))
		d->vendor_name = strdup(buf);
	if (d->device_id >= 0 && pci_lookup_name(ctx->pacc, buf, sizeof(buf), PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS,
						 d->vendor_id, d->device_id))
		d->device_name = strdup(buf);
	if (d->class_code >= 0 &&
	    pci_lookup_name(ctx->pacc, buf, sizeof(buf), PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS, d->class_code >> 8))
		d->class_name = strdup(buf);
}

/* uevent carries, in one read, what five attribute files and the driver link would: the kernel's
 * own dev->vendor/device/class/subsystem ids (quirks applied) and the bound driver. */
static bool parse_uevent(const char *ue, vfctl_device *d)
{
	unsigned v, dv, sv, sd, cls;
	bool ids = false;
	for (const char *l = ue; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (sscanf(l, "PCI_ID=%x:%x", &v, &dv) == 2) {
			d->vendor_id = (int)v;
			d->device_id = (int)dv;
			ids = true;
		} else if (sscanf(l, "PCI_SUBSYS_ID=%x:%x", &sv, &sd) == 2) {
			d->subsystem_vendor_id = (int)sv;
			d->subsystem_device_id = (int)sd;
		} else if (sscanf(l, "PCI_CLASS=%x", &cls) == 1)
			d->class_code = (int)cls;
		else if (startswith(l, "DRIVER=")) {
			free(d->driver); /* the last one counts, none leaks */
			d->driver = strndup(l + 7, strcspn(l + 7, "\n"));
		}
	}
	return ids && d->class_code >= 0;
}

/* The kernel's own ids and driver: uevent, or the attribute files when it has no ids (a device
 * going away mid-read). */
static int read_uevent(vfctl_ctx *ctx, vfctl_device *d)
{
	char path[PATH_MAX];
	_cleanup_free_ char *ue = NULL;
	snprintf(path, sizeof(path), "%s/uevent", d->syspath);
	int r = sysfs_read(ctx->fs, path, &ue);
	if (r == -ENOENT && !sysfs_exists(ctx->fs, d->syspath))
		return ctx_error_fs(ctx, -ENODEV, d->id);
	if (r >= 0 && parse_uevent(ue, d))
		return 0;
	free(d->driver);
	d->driver = NULL;
	d->vendor_id = sysfs_int(ctx->fs, "%s/vendor", d->syspath);
	if (d->vendor_id < 0)
		return ctx_error_fs(ctx, -ENODEV, d->id);
	d->device_id = sysfs_int(ctx->fs, "%s/device", d->syspath);
	d->subsystem_vendor_id = sysfs_int(ctx->fs, "%s/subsystem_vendor", d->syspath);
	d->subsystem_device_id = sysfs_int(ctx->fs, "%s/subsystem_device", d->syspath);
	d->class_code = sysfs_int(ctx->fs, "%s/class", d->syspath);
	d->driver = link_name(ctx, d->syspath, "driver");
	return 0;
}

/* Config space gave the ids as the function reports them. The kernel's may differ: a VF's vendor
 * and device read as ffff on hardware and the kernel takes its PF's vendor and the SR-IOV
 * capability's VF Device ID (pci_iov_add_virtfn), as here; any other function's ids and class
 * may be quirked, so uevent decides. Only VFs, thousands on a host, are spared the read. */
int pci_fix_ids(vfctl_ctx *ctx, vfctl_device *d, const vfctl_device *pf)
{
	if (d->addr.domain < 0 || !d->config_len)
		return 0; /* not PCI, or the ids came from uevent already */
	if (pf && pf->has_sriov_cap && pf->vendor_id >= 0 && pf->vf_device_id >= 0 && !d->not_responding) {
		d->vendor_id = pf->vendor_id;
		d->device_id = pf->vf_device_id;
		return 0;
	}
	return read_uevent(ctx, d);
}

int pci_device_scan(vfctl_ctx *ctx, const netdev_map *nets, const char *name, vfctl_device *d)
{
	char path[PATH_MAX];
	uint8_t cfgbuf[PCI_CFG_SPACE_EXP_SIZE];
	size_t cfglen = 0;
	pci_config cfg;
	bool have_cfg = false;
	int r;

	pci_device_init(d);
	d->id = strdup(name);
	d->bus = strdup("pci");
	pci_addr a;
	if (parse_pci_addr(name, &a) >= 0)
		d->addr = (vfctl_pci_addr){a.domain, a.bus, a.dev, a.fn};
	snprintf(path, sizeof(path), "bus/pci/devices/%s", name);
	d->syspath = strdup(path);
	if (!d->id || !d->bus || !d->syspath)
		return -ENOMEM;

	/* Config space first: it holds the ids and class as well, so a VF needs no uevent (its
	 * kernel ids are its PF's, pci_fix_ids()); without it, uevent or the attribute files. */
	snprintf(path, sizeof(path), "%s/config", d->syspath);
	r = sysfs_read_config(ctx->fs, path, cfgbuf, &cfglen);
	/* A device that vanished mid-scan (hot unplug, VFs removed) has no config either. */
	if (r == -ENOENT && !sysfs_exists(ctx->fs, d->syspath))
		return ctx_error_fs(ctx, -ENODEV, name);
	if (r >= 0 && pci_config_decode(cfgbuf, cfglen, &cfg) >= 0) {
		have_cfg = true;
		apply_config(d, &cfg);
		d->vendor_id = cfg.vendor;
		d->device_id = cfg.device;
		d->class_code = (int)cfg.class_code;
		if (cfg.has_subsystem) {
			d->subsystem_vendor_id = cfg.subsystem_vendor;
			d->subsystem_device_id = cfg.subsystem_device;
		}
		d->driver = link_name(ctx, d->syspath, "driver");
	} else if ((r = read_uevent(ctx, d)) < 0)
		return r;
	/* "(null)": none set. */
	if (sysfs_readf(ctx->fs, &d->driver_override, "%s/driver_override", d->syspath) >= 0 &&
	    (!*d->driver_override || streq(d->driver_override, "(null)"))) {
		free(d->driver_override);
		d->driver_override = NULL;
	}
	/* numa_node: a VF's is its PF's (the kernel copies it), so sriov_link_vfs() fills it and
	 * pci_read_numa() reads it for the others, after the VFs are known. */
	_cleanup_free_ char *grp = link_name(ctx, d->syspath, "iommu_group");
	if (grp && parse_int(grp, &r) >= 0)
		d->iommu_group = r;

	/* Config space tells which of the remaining files can exist: skip the ones that cannot
	 * (thousands of VFs make every avoided open count). Without it, read them all. */
	bool full_cfg = have_cfg && cfg.len >= PCI_CFG_SPACE_EXP_SIZE;
	if (!have_cfg || cfg.int_pin)
		d->irq = sysfs_int(ctx->fs, "%s/irq", d->syspath);
	/* physfn is not read here: the PF's virtfnN links name its VFs, and sriov_link_vfs() sets
	 * physfn from them (one readlink per VF instead of two). */
	if (!full_cfg || cfg.has_sriov) {
		if (have_cfg && cfg.has_sriov)
			scan_vf_bars(ctx, d, &cfg);
		d->total_vfs = sysfs_int(ctx->fs, "%s/sriov_totalvfs", d->syspath);
		if (d->total_vfs >= 0) {
			d->num_vfs = sysfs_int(ctx->fs, "%s/sriov_numvfs", d->syspath);
			d->autoprobe = sysfs_int(ctx->fs, "%s/sriov_drivers_autoprobe", d->syspath);
		}
	}
	r = netdevs_of(ctx, nets, name, d->syspath, &d->netdevs, &d->n_netdevs);
	return r < 0 ? r : 0;
}

void pci_read_numa(vfctl_ctx *ctx, vfctl_device *d)
{
	d->numa_node = sysfs_int(ctx->fs, "%s/numa_node", d->syspath);
}

bool driver_is_vfio(const char *driver)
{
	if (!driver)
		return false;
	/* vfio-pci and its variants: mlx5_vfio_pci, hisi_acc_vfio_pci, pds-vfio-pci, qat_vfio_pci,
	 * virtio_vfio_pci, nvgrace_gpu_vfio_pci (drivers/vfio/pci/). */
	size_t n = strlen(driver);
	return streq(driver, "vfio-pci") ||
	       (n >= 8 && (streq(driver + n - 8, "vfio_pci") || streq(driver + n - 8, "vfio-pci")));
}
