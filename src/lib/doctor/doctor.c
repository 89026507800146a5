/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "checker.h"
#include "ctx.h"
#include "escape.h"
#include "files.h"
#include "iommu.h"
#include "pci.h"
#include "relations.h"
#include "report.h"
#include "strbuf.h"
#include "vm-holders.h"

static bool is_amd(const vfctl_host *h)
{
	return h->cpu_vendor && streq(h->cpu_vendor, "AuthenticAMD");
}

static void check_iommu(checker *c)
{
	const vfctl_host *h = c->h;
	_cleanup_free_ char *ev = NULL, *fix = NULL;

	if (asprintf(&ev, "/sys/class/iommu: %zu unit(s); /sys/kernel/iommu_groups: %d group(s); cmdline: %s%s%s%s",
		     h->n_iommus, h->n_iommu_groups, h->arg_intel_iommu ? "intel_iommu=" : "",
		     h->arg_intel_iommu ? h->arg_intel_iommu : "", h->arg_amd_iommu ? " amd_iommu=" : "",
		     h->arg_amd_iommu ? h->arg_amd_iommu : "") < 0)
		ev = NULL;
	if (h->iommu_active) {
		add(c, "iommu.active", VFCTL_SEV_OK, NULL,
		    h->iommu_kind && streq(h->iommu_kind, "intel-vt-d") ? "IOMMU active (Intel VT-d)"
		    : h->iommu_kind && streq(h->iommu_kind, "amd-vi")   ? "IOMMU active (AMD-Vi)"
									: "IOMMU active",
		    ev, NULL);
	} else {
		const char *arg = is_amd(h) ? "amd_iommu=on iommu=pt" : "intel_iommu=on iommu=pt";
		bool arg_set = is_amd(h) ? true /* on by default on AMD */
					 : (h->arg_intel_iommu && streq(h->arg_intel_iommu, "on"));
		/* An IOMMU turned off on the command line wins over anything the firmware does. */
		const char *off = h->arg_intel_iommu && streq(h->arg_intel_iommu, "off") ? "intel_iommu=off"
				  : h->arg_amd_iommu && streq(h->arg_amd_iommu, "off")   ? "amd_iommu=off"
											 : NULL;
		if (off) {
			if (asprintf(&fix, "remove \"%s\" from the kernel command line (and add \"%s\"): %s", off, arg,
				     grub_hint()) < 0)
				fix = NULL;
		} else if (arg_set)
			fix = strdup(is_amd(h) ? "enable IOMMU / AMD-Vi (and SVM) in the firmware setup and reboot; "
						 "check dmesg for AMD-Vi errors"
					       : "intel_iommu=on is set but no IOMMU registered: enable VT-d in the "
						 "firmware setup and reboot; check dmesg | grep -e DMAR -e IOMMU");
		else if (asprintf(&fix, "add the kernel arguments \"%s\": %s; enable %s in the firmware setup", arg,
				  grub_hint(), is_amd(h) ? "AMD-Vi/IOMMU" : "VT-d") < 0)
			fix = NULL;
		add(c, "iommu.inactive", VFCTL_SEV_ERROR, NULL,
		    "IOMMU not active: no VFIO passthrough, no device isolation", ev, fix);
	}

	if (h->iommu_active && !(h->arg_iommu && streq(h->arg_iommu, "pt"))) {
		_cleanup_free_ char *f = NULL;
		if (asprintf(&f, "add the kernel argument \"iommu=pt\": %s", grub_hint()) < 0)
			f = NULL;
		add(c, "iommu.no-passthrough-mode", VFCTL_SEV_INFO, NULL,
		    "host DMA goes through IOMMU translation (iommu=pt not set); pass-through mode keeps host "
		    "devices at full speed and still isolates VFIO devices",
		    h->cmdline, f);
	}

	if (h->arg_pcie_acs_override) {
		_cleanup_free_ char *e = NULL;
		if (asprintf(&e, "pcie_acs_override=%s on the kernel command line", h->arg_pcie_acs_override) < 0)
			e = NULL;
		add(c, "acs.override", VFCTL_SEV_WARN, NULL,
		    "pcie_acs_override is in use: IOMMU groups are split without hardware isolation, a passed-through "
		    "device can reach its former group peers by peer-to-peer DMA",
		    e,
		    "remove pcie_acs_override from the kernel command line; move the card to a slot whose root "
		    "port has ACS, or pass the whole group to one VM");
	}
}

static void check_modules(checker *c)
{
	const vfctl_host *h = c->h;
	struct {
		const char *name;
		vfctl_module_state st;
	} mods[] = {
		{"vfio", h->mod_vfio},
		{"vfio_pci", h->mod_vfio_pci},
		{"vfio_iommu_type1", h->mod_vfio_iommu_type1},
	};
	strbuf ev = {0}, missing = {0}, unloaded = {0};
	for (size_t i = 0; i < ELEMENTSOF(mods); i++) {
		strbuf_add(&ev, "%s%s: %s", i ? ", " : "", mods[i].name, vfctl_module_state_str(mods[i].st));
		if (mods[i].st == VFCTL_MODULE_ABSENT)
			strbuf_add(&missing, " %s", mods[i].name);
		else if (mods[i].st == VFCTL_MODULE_AVAILABLE)
			strbuf_add(&unloaded, " %s", mods[i].name);
	}
	if (missing.s) {
		_cleanup_free_ char *fix = NULL;
		if (asprintf(&fix,
			     "this kernel (%s) was built without%s: install a kernel with CONFIG_VFIO and "
			     "CONFIG_VFIO_PCI (Debian's and Proxmox's stock kernels have them)",
			     h->kernel_release ? h->kernel_release : "?", missing.s) < 0)
			fix = NULL;
		add(c, "vfio.modules-absent", VFCTL_SEV_ERROR, NULL, "VFIO modules missing from this kernel", ev.s,
		    fix);
	} else if (unloaded.s) {
		_cleanup_free_ char *fix = NULL;
		if (asprintf(&fix,
			     "load now: modprobe -a%s; at boot: list them in /etc/modules-load.d/vfio.conf "
			     "(Proxmox: /etc/modules)",
			     unloaded.s) < 0)
			fix = NULL;
		add(c, "vfio.modules-not-loaded", VFCTL_SEV_WARN, NULL, "VFIO modules available but not loaded", ev.s,
		    fix);
	} else
		add(c, "vfio.modules", VFCTL_SEV_OK, NULL, "VFIO modules loaded", ev.s, NULL);
	free(ev.s);
	free(missing.s);
	free(unloaded.s);
}

static void check_group(checker *c, const vfctl_device *d)
{
	size_t *idx = NULL, n = 0;
	strbuf ev = {0};
	int others = 0;

	if (d->iommu_group < 0 || vfctl_host_group_peers(c->h, d, &idx, &n) < 0)
		return;
	strbuf_add(&ev, "IOMMU group %d:", d->iommu_group);
	for (size_t i = 0; i < n; i++) {
		const vfctl_device *p = &c->h->devices[idx[i]];
		strbuf_add(&ev, " %s%s%s%s", p->id, p->is_bridge ? " (bridge)" : "", p->driver ? " driver=" : "",
			   p->driver ? p->driver : "");
		if (!p->is_bridge)
			others++;
	}
	if (others > 0) {
		_cleanup_free_ char *fix = NULL, *sum = NULL;
		if (asprintf(
			    &fix,
			    "pass every endpoint of group %d to the same VM (vfctl bind --group), or move the card "
			    "to a slot behind a root port with ACS (a CPU-attached slot); pcie_acs_override only hides "
			    "the sharing",
			    d->iommu_group) < 0)
			fix = NULL;
		if (asprintf(&sum,
			     "IOMMU group %d is shared with %d other endpoint(s): they can only be passed through "
			     "together",
			     d->iommu_group, others) < 0)
			sum = NULL;
		add(c, "iommu.group-shared", VFCTL_SEV_WARN, d, sum ? sum : "IOMMU group shared", ev.s, fix);
	}
	free(ev.s);
	free(idx);
}

static bool is_mellanox_pf(const vfctl_device *d)
{
	int cls = d->class_code >> 16;
	return d->vendor_id == 0x15b3 && !d->physfn && (cls == 0x02 || d->class_code >> 8 == 0x0207);
}

static void check_sriov(checker *c, const vfctl_device *d)
{
	_cleanup_free_ char *ev = NULL, *fix = NULL, *sum = NULL;

	/* Mellanox ships SR-IOV disabled in firmware: the capability is then absent altogether. */
	if (!d->has_sriov_cap && d->total_vfs < 0 && is_mellanox_pf(d) && d->config_len >= 4096) {
		if (asprintf(&fix,
			     "enable SR-IOV in the NIC firmware: mlxconfig -d %s set SRIOV_EN=1 NUM_OF_VFS=8 "
			     "(or mstconfig, Debian's mstflint package, same arguments), then reboot or mlxfwreset; "
			     "mlx4 also needs num_vfs= in /etc/modprobe.d/mlx4.conf",
			     d->id) < 0)
			fix = NULL;
		add(c, "sriov.firmware-disabled", VFCTL_SEV_WARN, d,
		    "Mellanox NIC without an SR-IOV capability: SR-IOV is off in its firmware",
		    "no SR-IOV extended capability in config space", fix);
		return;
	}
	if (d->total_vfs < 0 && !d->has_sriov_cap)
		return;

	if (d->has_sriov_cap) {
		strbuf bars = {0};
		int unassigned = 0;
		for (int i = 0; i < 6; i++) {
			const vfctl_bar *b = &d->vf_bars[i];
			if (!b->declared)
				continue;
			strbuf_add(&bars, "%sVF BAR%d %s", bars.s ? ", " : "", i,
				   b->assigned ? "assigned" : "unassigned");
			if (!b->assigned)
				unassigned++;
		}
		if (unassigned) {
			if (asprintf(&fix,
				     "add the kernel argument \"pci=realloc\" (or pci=realloc=on): %s; enable "
				     "\"Above 4G Decoding\" and SR-IOV in the firmware setup",
				     grub_hint()) < 0)
				fix = NULL;
			add(c, "sriov.vf-bars-unassigned", VFCTL_SEV_ERROR, d,
			    "VF BARs got no address space (\"not enough MMIO resources for SR-IOV\"): VFs cannot be "
			    "created",
			    bars.s, fix);
			free(bars.s);
			return;
		}
		free(bars.s);
	}

	if (d->total_vfs == 0) {
		if (asprintf(&ev, "sriov_totalvfs 0; SR-IOV capability TotalVFs %d", d->cap_total_vfs) < 0)
			ev = NULL;
		add(c, "sriov.totalvfs-zero", VFCTL_SEV_ERROR, d, "SR-IOV capable device allows 0 VFs", ev,
		    "enable SR-IOV in the firmware setup (and per device in the NIC's option ROM), add "
		    "pci=realloc if dmesg shows \"not enough MMIO resources\"; for Mellanox set NUM_OF_VFS with "
		    "mlxconfig");
		return;
	}

	if (asprintf(&ev, "sriov_numvfs %d of sriov_totalvfs %d, sriov_drivers_autoprobe %d", d->num_vfs, d->total_vfs,
		     d->autoprobe) < 0)
		ev = NULL;
	if (d->total_vfs >= 0 && d->num_vfs > d->total_vfs)
		add(c, "sriov.numvfs-over-total", VFCTL_SEV_ERROR, d, "more VFs enabled than TotalVFs", ev,
		    "report this to the driver's maintainers; recreate VFs through 0");
	else {
		if (asprintf(&sum, "%d of %d VFs enabled", d->num_vfs, d->total_vfs) < 0)
			sum = NULL;
		add(c, "sriov.vf-count", d->num_vfs > 0 ? VFCTL_SEV_OK : VFCTL_SEV_INFO, d, sum ? sum : "VFs", ev,
		    d->num_vfs > 0
			    ? NULL
			    : "declare NumVFs= for this PF in /etc/vfctl/*.conf and run vfctl apply (vfctl.conf(5))");
	}

	if (d->num_vfs > 0 && d->autoprobe == 1) {
		size_t bound = 0;
		for (size_t i = 0; i < d->n_vfs; i++)
			bound += d->vfs[i].driver && !driver_is_vfio(d->vfs[i].driver);
		if (bound)
			add(c, "sriov.autoprobe", VFCTL_SEV_INFO, d,
			    "VFs bind to a host driver as soon as they are created (sriov_drivers_autoprobe=1)", ev,
			    "for VFs meant for VMs, write 0 to sriov_drivers_autoprobe before creating VFs so MACs and "
			    "VLANs are set before any driver binds");
	}

	for (size_t i = 0; d->num_vfs > 0 && i < d->n_netdevs; i++) {
		const vfctl_netdev *nd = &d->netdevs[i];
		if (!nd->operstate || (!streq(nd->operstate, "down") && !streq(nd->operstate, "lowerlayerdown")))
			continue;
		_cleanup_free_ char *e = NULL, *f = NULL, *q = shell_quote(nd->name);
		if (asprintf(&e, "%s operstate %s with %d VFs", nd->name, nd->operstate, d->num_vfs) < 0)
			e = NULL;
		if (!q || asprintf(&f,
				   "bring the PF up (ip link set dev %s up) and check its cable; many PF drivers take "
				   "their VFs' links down with it and reject VF rate limits",
				   q) < 0)
			f = NULL;
		add(c, "sriov.pf-link-down", VFCTL_SEV_WARN, d, "PF link is down while VFs exist", e, f);
	}

	/* mlx5, ice and others give a new VF 00:00:00:00:00:00: its driver then picks a random MAC at
	 * each load (a new DHCP lease, a guest's new NIC), and RoCE on it does not come up. */
	strbuf zero = {0};
	size_t n_zero = 0;
	for (size_t i = 0; i < d->n_vfs; i++) {
		const vfctl_vf_settings *s = &d->vfs[i].settings;
		if (s->valid && streq(s->mac, "00:00:00:00:00:00"))
			strbuf_add(&zero, "%s%u", n_zero++ ? ", " : "VF ", d->vfs[i].index);
	}
	if (n_zero) {
		_cleanup_free_ char *sm = NULL;
		if (asprintf(&sm,
			     "%zu VF(s) without a MAC (00:00:00:00:00:00): their drivers make up a random one at "
			     "each load, and RoCE on them does not come up",
			     n_zero) < 0)
			sm = NULL;
		add(c, "vf.zero-mac", VFCTL_SEV_WARN, d, sm, zero.s,
		    "MACAddress=persistent in a [VF] section of this PF's vfctl.conf: every VF a MAC of its own, the "
		    "same after every reboot (vfctl.conf(5))");
		free(zero.s);
	}

	if (d->vf_list_truncated) {
		_cleanup_free_ char *e = NULL;
		if (asprintf(&e, "IFLA_NUM_VF %d", d->reported_num_vf) < 0)
			e = NULL;
		add(c, "sriov.vf-list-truncated", VFCTL_SEV_WARN, d,
		    "the kernel truncated the VF list: some VFs' settings are unknown", e,
		    "upgrade the kernel; VFs past the cut are still listed from sysfs");
	}
}

/* QEMU's vfio-pci requests a device's INTx line when the VM starts, MSI-X or not. It shares the
 * line only if the device can mask INTx (DisINTx); otherwise any other holder of the line makes it
 * fail with EBUSY. A peer holds the line when a driver (vfio-pci included) is bound and has not
 * switched the device to MSI/MSI-X. */
static void check_intx(checker *c, const vfctl_device *d)
{
	strbuf peers = {0}, unknown = {0};
	if (d->int_pin == 0 || d->irq <= 0)
		return;
	for (size_t i = 0; i < c->h->n_devices; i++) {
		const vfctl_device *p = &c->h->devices[i];
		if (intx_line_unknown(d, p))
			strbuf_add(&unknown, "%s%s", unknown.s ? ", " : "", p->id);
		if (!intx_holds_line(d, p))
			continue;
		strbuf_add(&peers, "%s%s%s%s", peers.s ? ", " : "", p->id, p->driver ? " driver=" : "",
			   p->driver ? p->driver : "");
	}
	/* Not root: whether the peers use MSI is unknown, and unknown is never reported as shared. */
	if (unknown.s && !peers.s && !c->opts->probe_intx) {
		_cleanup_free_ char *ev = NULL;
		if (asprintf(&ev,
			     "IRQ %d (INT%c) also assigned to %s; their MSI/MSI-X state is past the 64 bytes of config "
			     "space a non-root reader sees",
			     d->irq, 'A' + d->int_pin - 1, unknown.s) < 0)
			ev = NULL;
		add(c, "intx.shared-irq", VFCTL_SEV_INFO, d, "INTx line sharing unknown without root", ev,
		    "run vfctl doctor as root");
		free(unknown.s);
		return;
	}
	free(unknown.s);
	if (!peers.s && !c->opts->probe_intx)
		return;

	int masking = -1;
	_cleanup_free_ char *probe_err = NULL;
	if (c->opts->probe_intx) {
		int r = vfctl_intx_probe(c->ctx, d, &masking);
		if (r < 0) {
			probe_err = strdup(vfctl_ctx_error(c->ctx));
			masking = -1;
		}
	}
	_cleanup_free_ char *ev = NULL, *fix = NULL;
	if (asprintf(&ev, "IRQ %d (INT%c)%s%s; MSI %s, MSI-X %s; INTx masking: %s%s%s", d->irq, 'A' + d->int_pin - 1,
		     peers.s ? " shared with " : " not shared", peers.s ? peers.s : "",
		     !d->caps_known ? "?"
		     : d->has_msi   ? "yes"
				    : "no",
		     !d->caps_known ? "?"
		     : d->has_msix  ? "yes"
				    : "no",
		     masking == 1   ? "works"
		     : masking == 0 ? "NOT supported"
				    : "not probed",
		     probe_err ? " — " : "", probe_err ? probe_err : "") < 0)
		ev = NULL;
	if (c->opts->probe_intx && masking >= 0)
		add(c, "intx.masking", masking ? VFCTL_SEV_OK : VFCTL_SEV_WARN, d,
		    masking ? "INTx masking (DisINTx) works" : "INTx masking (DisINTx) is not supported", ev,
		    masking ? NULL : "vfio-pci needs an IRQ line of its own for this device");
	if (!peers.s)
		return;
	if (asprintf(&fix,
		     "put the card in a slot on another interrupt line, pass the devices sharing IRQ %d to the "
		     "same VM, or remove the other device before starting the VM (echo 1 > "
		     "/sys/bus/pci/devices/<other>/remove); check masking with vfctl doctor --probe-intx %s",
		     d->irq, d->id) < 0)
		fix = NULL;
	add(c, "intx.shared-irq",
	    masking == 0   ? VFCTL_SEV_ERROR
	    : masking == 1 ? VFCTL_SEV_INFO
			   : VFCTL_SEV_WARN,
	    d,
	    masking == 1 ? "INTx line shared, but masking works: vfio-pci can share it"
			 : "INTx line shared: vfio-pci may fail with \"VFIO_DEVICE_SET_IRQS failure: Device or "
			   "resource busy\"",
	    ev, masking == 1 ? NULL : fix);
	free(peers.s);
}

/* Whether a VM holding a VFIO device can migrate: only a vfio-pci variant driver carries the
 * device's state across (VFIO migration); on plain vfio-pci QEMU blocks the migration. */
static void check_migration(checker *c, const vfctl_device *d)
{
	_cleanup_free_ char *sum = NULL, *fix = NULL, *ev = NULL;
	bool plain = streq(d->driver, "vfio-pci");
	const vfctl_device *pf = d->physfn ? vfctl_host_find(c->h, d->physfn) : NULL;
	bool vf_mac = pf && (size_t)d->vf_index < pf->n_vfs && pf->vfs[d->vf_index].settings.valid &&
		      !streq(pf->vfs[d->vf_index].settings.mac, "00:00:00:00:00:00");
	if (asprintf(&ev, "driver %s; modules.alias: %s", d->driver,
		     d->vfio_variant ? d->vfio_variant : "no vfio-pci variant for it") < 0)
		ev = NULL;
	if (!plain) {
		if (asprintf(&sum, "can migrate: %s carries the device's state (VFIO migration)", d->driver) < 0)
			sum = NULL;
		/* mlx5 offers migration only for a VF whose port function was made migratable, in
		 * switchdev mode, before the VF bound (Documentation/networking/device_drivers/ethernet/
		 * mellanox/mlx5/switchdev.rst). */
		if (streq(d->driver, "mlx5_vfio_pci"))
			fix = strdup("if QEMU says the device has no migration: Migratable=yes in its [VF] section "
				     "(devlink port function caps, set before the VF binds)");
	} else if (d->vfio_variant) {
		if (asprintf(&sum, "cannot migrate on plain vfio-pci: modules.alias gives it %s, which can",
			     d->vfio_variant) < 0)
			sum = NULL;
		if (asprintf(&fix, "Driver=vfio-pci in its configuration (or vfctl bind %s) binds %s", d->id,
			     d->vfio_variant) < 0)
			fix = NULL;
	} else {
		if (asprintf(&sum,
			     "cannot migrate: no vfio-pci variant driver knows %04x:%04x, and plain vfio-pci "
			     "carries no device state",
			     (unsigned)d->vendor_id, (unsigned)d->device_id) < 0)
			sum = NULL;
		if (vf_mac && asprintf(&fix,
				       "vfctl emit libvirt --failover %s: virtio-net failover unplugs the VF before a "
				       "migration and plugs it back after",
				       d->id) < 0)
			fix = NULL;
	}
	if (sum)
		add(c, "passthrough.migration", VFCTL_SEV_INFO, d, sum, ev, fix);
}

/* For a device meant for a VM (named, or on vfio-pci already): can QEMU take it? */
static void check_passthrough(checker *c, const vfctl_device *d, bool named)
{
	bool on_vfio = driver_is_vfio(d->driver);
	_cleanup_free_ char *fix = NULL, *rm = NULL;
	if (named && !on_vfio && d->physfn == NULL && d->n_vfs == 0 && !d->is_bridge) {
		if (asprintf(&fix, "vfctl bind %s (or let libvirt's managed='yes' do it)", d->id) < 0)
			fix = NULL;
		add(c, "passthrough.not-vfio", VFCTL_SEV_INFO, d, "not bound to vfio-pci yet",
		    d->driver ? d->driver : "no driver", fix);
	} else if (named && !on_vfio && d->physfn) {
		if (asprintf(&fix, "vfctl bind %s", d->id) < 0)
			fix = NULL;
		add(c, "passthrough.not-vfio", VFCTL_SEV_INFO, d, "VF not bound to vfio-pci yet",
		    d->driver ? d->driver : "no driver", fix);
	}
	if (on_vfio && d->iommu_group >= 0) {
		_cleanup_free_ char *others = group_host_members(c->h, d);
		if (others) {
			_cleanup_free_ char *f = NULL;
			if (asprintf(&f, "vfctl bind --group %s", d->id) < 0)
				f = NULL;
			add(c, "passthrough.group-not-viable", VFCTL_SEV_ERROR, d,
			    "its IOMMU group is not viable: QEMU cannot open it while other members have host drivers",
			    others, f);
		}
	}
	if (on_vfio)
		check_migration(c, d);
	/* Which VM has it: what a change to it would disturb. */
	if (d->held_by.pid) {
		_cleanup_free_ char *who = holder_describe(&d->held_by), *ev = NULL;
		if (who && asprintf(&ev, "process %d (%s)", d->held_by.pid, who) < 0)
			ev = NULL;
		add(c, "passthrough.held", VFCTL_SEV_INFO, d,
		    d->held_by.vm ? "in use by a VM: its VFIO group is open" : "in use: its VFIO group is open", ev,
		    NULL);
	}
	/* reset_method (5.15+) lists how the kernel can reset the device between VMs; empty: none. */
	if ((named || on_vfio) && sysfs_readf(c->ctx->fs, &rm, "%s/reset_method", d->syspath) >= 0 && !*rm)
		add(c, "passthrough.no-reset", VFCTL_SEV_WARN, d,
		    "no reset method: the device cannot be reset between VMs (a VM may inherit the last one's state)",
		    "reset_method is empty",
		    "expect to power-cycle the host to reset it; prefer a device or slot with FLR or a bus reset");
}

/* An NVMe VF is a secondary controller that stays offline, with no queue (VQ) or interrupt (VI)
 * resources, until the primary controller gives it some: the nvme driver then times out ("Device
 * not ready; aborting initialisation, CSTS=0x2") and the VF is useless to a VM too. */
static void check_nvme(checker *c, const vfctl_device *d)
{
	if (!d->nvme_ctrl || !d->nvme_known)
		return;
	for (size_t i = 0; i < d->n_vfs; i++) {
		const vfctl_vf *v = &d->vfs[i];
		if (v->nvme_scid < 0 || (v->nvme_online == 1 && v->nvme_vq > 0 && v->nvme_vi > 0))
			continue;
		_cleanup_free_ char *ev = NULL, *fix = NULL, *sum = NULL;
		int vq = d->nvme_vq.max_per_vf < 2 ? d->nvme_vq.max_per_vf : 2, vi = d->nvme_vi.max_per_vf < 1 ? 0 : 1;
		if (asprintf(&sum, "VF %zu (%s): its secondary controller %d is %s", i, v->id ? v->id : "?",
			     v->nvme_scid, v->nvme_online == 1 ? "online without resources" : "offline") < 0)
			sum = NULL;
		if (asprintf(&ev,
			     "%s: secondary controller %d %s, VQ %d, VI %d; pool VQ %d free of %d, VI %d free of %d",
			     d->nvme_ctrl, v->nvme_scid, v->nvme_online == 1 ? "online" : "offline", v->nvme_vq,
			     v->nvme_vi, d->nvme_vq.total - d->nvme_vq.primary - d->nvme_vq.secondaries,
			     d->nvme_vq.total, d->nvme_vi.total - d->nvme_vi.primary - d->nvme_vi.secondaries,
			     d->nvme_vi.total) < 0)
			ev = NULL;
		/* nvme-cli's Virtualization Management, in the order the specification requires. */
		if (asprintf(&fix,
			     "assign it queues and interrupts, then bring it online, before its driver binds: "
			     "nvme virt-mgmt /dev/%s -c %d -a 7; nvme virt-mgmt /dev/%s -c %d -r 0 -a 8 -n %d; "
			     "nvme virt-mgmt /dev/%s -c %d -r 1 -a 8 -n %d; nvme virt-mgmt /dev/%s -c %d -a 9",
			     d->nvme_ctrl, v->nvme_scid, d->nvme_ctrl, v->nvme_scid, vq, d->nvme_ctrl, v->nvme_scid, vi,
			     d->nvme_ctrl, v->nvme_scid) < 0)
			fix = NULL;
		add(c, "nvme.secondary-offline", VFCTL_SEV_WARN, d, sum, ev, fix);
	}
}

/* A run that died half-way left a device neither as it was nor as configured (autoprobe off, VFs
 * without drivers); apply restores it first, but a VM started before that finds it broken. */
static void check_runs(checker *c)
{
	const vfctl_host *h = c->h;
	if (!h->runs_known) {
		if (!h->is_root)
			add(c, "apply.interrupted", VFCTL_SEV_INFO, NULL,
			    "unknown whether a vfctl apply was interrupted: its journal under /run/vfctl is root's",
			    NULL, "run vfctl doctor as root");
		return;
	}
	for (size_t i = 0; i < h->n_runs; i++) {
		const vfctl_interrupted_run *r = &h->runs[i];
		const vfctl_device *d = vfctl_host_find(h, r->device);
		_cleanup_free_ char *ev = NULL, *fix = NULL;
		if (r->unusable) {
			if (asprintf(&ev, "journal %s: %s", r->device, r->unusable) < 0)
				ev = NULL;
			if (asprintf(&fix,
				     "check the device by hand (vfctl status, vfctl plan), then remove the journal "
				     "%s/vfctl/journal/%s",
				     ctx_run_dir(c->ctx), r->device) < 0)
				fix = NULL;
			add(c, "apply.journal-unusable", VFCTL_SEV_WARN, d,
			    "a journal vfctl apply will not replay: not "
			    "this boot's, not this device's, or not written by vfctl",
			    ev, fix);
			continue;
		}
		if (asprintf(&ev,
			     "%s: journal of pid %d (no longer running), started at %lld (unix time): %u of %u steps "
			     "done%s%s",
			     r->device, r->pid, (long long)r->started, r->steps_done, r->steps_total,
			     r->last_step ? ", the last: " : "", r->last_step ? r->last_step : "") < 0)
			ev = NULL;
		add(c, "apply.interrupted", VFCTL_SEV_ERROR, d,
		    "a vfctl apply stopped half-way on this device (killed or "
		    "crashed): it is neither as before nor as configured",
		    ev, "run vfctl apply: it restores the state before that run, then applies the configuration");
	}
}

/* VFIO pins all guest memory (Red Hat's SR-IOV guide warns of it): an unprivileged QEMU needs a locked-memory limit of
 * at least its RAM. libvirt raises it itself; a hand-started QEMU inherits the shell's. */
static void check_memlock(checker *c)
{
	_cleanup_free_ char *lim = NULL;
	if (procfs_read(c->ctx->fs, "self/limits", &lim) < 0)
		return;
	const char *l = strstr(lim, "Max locked memory");
	char soft[32];
	if (!l || sscanf(l, "Max locked memory %31s", soft) != 1)
		return;
	if (streq(soft, "unlimited"))
		return;
	unsigned long long v = strtoull(soft, NULL, 10);
	if (v >= (1ULL << 30))
		return;
	_cleanup_free_ char *ev = NULL;
	if (asprintf(&ev, "RLIMIT_MEMLOCK %llu KiB for this session", v >> 10) < 0)
		ev = NULL;
	add(c, "passthrough.memlock", VFCTL_SEV_INFO, NULL,
	    "locked-memory limit below 1 GiB: a QEMU started from this session by a non-root user cannot pin a "
	    "VM's memory for VFIO",
	    ev,
	    "libvirt and Proxmox raise it for their QEMU; for a hand-started one: ulimit -l (or LimitMEMLOCK= in its "
	    "unit) at least the VM's RAM");
}

/* ConnectX parts whose VFs can do vDPA through mlx5_vdpa (ConnectX-6 Dx and later). */
static bool is_connectx_vdpa(const vfctl_device *d)
{
	static const int ids[] = {0x1017, 0x1019, 0x101b, 0x101d, 0x101f, 0x1021, 0x1023};
	for (size_t i = 0; d->vendor_id == 0x15b3 && !d->physfn && i < ELEMENTSOF(ids); i++)
		if (d->device_id == ids[i])
			return true;
	return false;
}

static void check_vdpa(checker *c)
{
	const vfctl_host *h = c->h;
	bool cx = false, wanted = h->vdpa && (h->vdpa->n_mgmtdevs || h->vdpa->n_devs);
	for (size_t i = 0; i < h->n_devices; i++)
		cx |= is_connectx_vdpa(&h->devices[i]) && h->devices[i].num_vfs > 0;
	if (!wanted && !cx)
		return;
	vfctl_module_state vh = module_state(c->ctx, h->kernel_release, "vhost_vdpa"),
			   vi = module_state(c->ctx, h->kernel_release, "virtio_vdpa");
	_cleanup_free_ char *ev = NULL;
	if (asprintf(&ev, "vhost_vdpa: %s, virtio_vdpa: %s; %zu management device(s), %zu vDPA device(s)",
		     vfctl_module_state_str(vh), vfctl_module_state_str(vi), h->vdpa ? h->vdpa->n_mgmtdevs : 0,
		     h->vdpa ? h->vdpa->n_devs : 0) < 0)
		ev = NULL;
	if (vh == VFCTL_MODULE_ABSENT)
		add(c, "vdpa.modules", VFCTL_SEV_WARN, NULL,
		    "vhost_vdpa is not in this kernel: no vDPA device for QEMU", ev,
		    "a kernel with CONFIG_VHOST_VDPA (Debian's has it)");
	else if (vh == VFCTL_MODULE_AVAILABLE)
		add(c, "vdpa.modules", VFCTL_SEV_INFO, NULL,
		    "vhost_vdpa is not loaded (vfctl loads it when it binds a "
		    "vDPA device)",
		    ev, "modprobe vhost_vdpa");
	else
		add(c, "vdpa.modules", VFCTL_SEV_OK, NULL, "vDPA modules present", ev, NULL);
	/* A ConnectX with VFs but no management device for them: mlx5_vdpa missing, or the
	 * firmware's DevX (UCTX_EN) off, which vendor guides have admins set with mlxconfig. */
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *d = &h->devices[i];
		if (!is_connectx_vdpa(d) || d->num_vfs <= 0)
			continue;
		bool any = false;
		for (size_t k = 0; h->vdpa && k < d->n_vfs; k++) {
			char name[64];
			snprintf(name, sizeof(name), "pci/%s", d->vfs[k].id ? d->vfs[k].id : "");
			for (size_t m = 0; m < h->vdpa->n_mgmtdevs; m++)
				any |= streq(h->vdpa->mgmtdevs[m].name, name);
		}
		if (any)
			continue;
		_cleanup_free_ char *fix = NULL;
		if (asprintf(&fix,
			     "modprobe mlx5_vdpa; if the VFs still have no management device, enable DevX in the "
			     "firmware: mlxconfig -d %s set UCTX_EN=1, then reboot",
			     d->id) < 0)
			fix = NULL;
		add(c, "vdpa.mlx5-no-mgmtdev", VFCTL_SEV_INFO, d,
		    "ConnectX VFs without a vDPA management device: VDPA= cannot use them", NULL, fix);
	}
}

static int doctor_run(vfctl_ctx *ctx, const vfctl_host *h, const vfctl_doctor_opts *opts, vfctl_report **ret)
{
	checker c = {.ctx = ctx, .h = h, .opts = opts};
	_cleanup_free_ bool *select = NULL;
	size_t bad;
	int r = select_mask(h, &opts->select, &select, &bad);
	if (r < 0)
		return ctx_error(ctx, r, "%s: no such device", opts->select.devices[bad]);
	c.select = select;
	c.rep = calloc(1, sizeof(*c.rep));
	if (!c.rep)
		return -ENOMEM;
	if (!h->is_root)
		add(&c, "host.not-root", VFCTL_SEV_INFO, NULL,
		    "not running as root: config space beyond 64 bytes is unreadable, SR-IOV, ACS and MSI details "
		    "are incomplete",
		    NULL, "run vfctl doctor as root");
	c.log_error = kmsg_read(ctx->fs, &c.log);
	if (c.log_error == 0)
		c.error = log_index(&c);
	check_iommu(&c);
	check_interrupt_remapping(&c);
	check_modules(&c);
	check_runs(&c);
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *d = &h->devices[i];
		if (!doctor_selected(&c, d))
			continue;
		check_sriov(&c, d);
		check_nvme(&c, d);
		check_unbound(&c, d);
		if (!doctor_candidate(&c, d))
			continue;
		if (h->iommu_active)
			check_group(&c, d);
		check_intx(&c, d);
		if (streq(d->bus, "pci"))
			check_passthrough(&c, d, c.select);
	}
	bool vfio_used = false;
	for (size_t i = 0; i < h->n_devices; i++)
		vfio_used |= driver_is_vfio(h->devices[i].driver);
	if (vfio_used || c.select)
		check_memlock(&c);
	check_vdpa(&c);
	check_ovs(&c);
	check_representors(&c);
	check_host_policy(&c);
	check_vm_refs(&c);
	check_driver_habits(&c);
	check_kernel_log(&c);
	kmsg_log_done(&c.log);
	free(c.log_bdf);
	if (c.error) {
		vfctl_report_free(c.rep);
		return c.error;
	}
	*ret = c.rep;
	return 0;
}

int vfctl_doctor_run(vfctl_ctx *ctx, const vfctl_host *h, const vfctl_doctor_opts *opts, vfctl_report **ret)
{
	unsigned since = ctx->n_errors;
	vfctl_doctor_opts o = {0};
	int r = opts ? ctx_opts(ctx, &o, sizeof(o), opts, "vfctl_doctor_run") : 0;
	return ctx_ensure_error(ctx, since, r < 0 ? r : doctor_run(ctx, h, &o, ret), "running the checks");
}
