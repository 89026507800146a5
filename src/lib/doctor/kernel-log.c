/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* doctor reads the kernel's own words: the failures admins grep dmesg for, each a
 * signature with the device the line names, a check id, a severity and a fix. */
#include <stdio.h>

#include "checker.h"

typedef enum scope {
	HOST,      /* about the machine: no device */
	DEVICE,    /* about the device the line names, while it is still there */
	CANDIDATE, /* the same, only for a passthrough candidate (a NIC, storage, GPU...) or a VF */
} scope;

/* A line matches when it holds both strings of one of the alternatives (the second may be NULL). */
#define MAX_ALTS 3

typedef struct signature {
	const char *id;
	vfctl_severity sev;
	scope scope;
	const char *match[MAX_ALTS][2];
	const char *summary;
	const char *fix;
	/* The state that makes an old line moot (the driver bound since, VFs exist now). */
	bool (*settled)(const vfctl_device *d);
} signature;

static bool has_driver(const vfctl_device *d)
{
	return d->driver != NULL;
}
static bool has_vfs(const vfctl_device *d)
{
	return d->num_vfs > 0;
}

static const signature signatures[] = {
	{"kernel.missing-uar",
	 VFCTL_SEV_ERROR,
	 DEVICE,
	 {{"Missing UAR, aborting"}},
	 "mlx4_core refused the card: its UAR BAR has no usable address (ConnectX-3)",
	 "add the kernel argument \"pci=realloc=off\" (the firmware's BAR layout is what mlx4 expects); on some "
	 "boards also enable ASPM in the firmware setup; then reboot",
	 has_driver},
	{"kernel.sriov-no-mmio",
	 VFCTL_SEV_ERROR,
	 DEVICE,
	 {{"not enough MMIO resources for SR-IOV"}, {"Failed to enable SR-IOV", "err = -12"}},
	 "the kernel found no address space for the VFs' BARs: VFs cannot be created",
	 "let the kernel size the bridge windows: add \"pci=realloc\" (remove pci=realloc=off, unless mlx4's Missing "
	 "UAR needs it), enable \"Above 4G Decoding\" and SR-IOV in the firmware setup, or use a slot whose bridge "
	 "has a larger window",
	 has_vfs},
	{"kernel.bar-no-space",
	 VFCTL_SEV_WARN,
	 CANDIDATE,
	 {{": can't assign; no space"}, {": no space for"}, {": can't reserve"}},
	 "a BAR of this device got no address space, or collides with another: the device (or its VFs) cannot work",
	 "add \"pci=realloc\" to the kernel command line, enable \"Above 4G Decoding\" in the firmware setup, or move "
	 "the card to another slot; for \"can't reserve\", update the firmware",
	 NULL},
	{"kernel.acs-override",
	 VFCTL_SEV_WARN,
	 HOST,
	 {{"PCIe ACS overrides enabled"}},
	 "the kernel splits IOMMU groups without hardware isolation (ACS override patch in use)",
	 "remove pcie_acs_override from the kernel command line; pass whole groups to one VM instead",
	 NULL},
	{"iommu.feature-inconsistent",
	 VFCTL_SEV_INFO,
	 HOST,
	 {{"DMAR: IOMMU feature", "inconsistent"}},
	 "the IOMMU units differ in a feature: the kernel uses only what all of them have (for pass_through: "
	 "iommu=pt is done with identity tables instead of hardware pass-through)",
	 "update the system firmware (BIOS); harmless for VFIO isolation",
	 NULL},
	{"iommu.amd-vi-disabled",
	 VFCTL_SEV_ERROR,
	 HOST,
	 {{"AMD-Vi", "isabl"}},
	 "the AMD IOMMU (AMD-Vi) or a part of it is disabled: check the line",
	 "enable IOMMU/AMD-Vi in the firmware setup, update the firmware, and do not pass amd_iommu=off",
	 NULL},
	{"vfio.intx-busy",
	 VFCTL_SEV_ERROR,
	 DEVICE,
	 {{"Flags mismatch irq", "vfio-intx("}},
	 "vfio-pci could not take the device's INTx line: another device holds it without sharing (QEMU: "
	 "\"VFIO_DEVICE_SET_IRQS failure: Device or resource busy\")",
	 "put the card in a slot on another interrupt line, pass the devices sharing the IRQ to the same VM, or check "
	 "INTx masking with vfctl doctor --probe-intx",
	 NULL},
	{"sriov.msix-exhausted",
	 VFCTL_SEV_ERROR,
	 DEVICE,
	 {{"MSI-X interrupts available for SR-IOV"}},
	 "the PF has too few MSI-X vectors left for the VFs requested (ice/E810)",
	 "ask for fewer VFs, or give the PF fewer queues first (ethtool -L PF combined N), or update the NIC's NVM",
	 has_vfs},
	{"sriov.operation-pending",
	 VFCTL_SEV_WARN,
	 DEVICE,
	 {{"Unable to configure VFs, other operation is pending"}},
	 "i40e refused a VF change while a previous one (a PF reset) was still running",
	 "wait a few seconds and run vfctl apply again; if it persists, reload i40e",
	 NULL},
	{"vf.not-trusted",
	 VFCTL_SEV_INFO,
	 DEVICE,
	 {{"is not trusted"}},
	 "a VF asked for something only a trusted VF may do (promiscuous mode, more MACs or VLANs) and was refused",
	 "if that VM needs it, set Trust=yes in its [VF:N] section (it weakens the isolation between VFs)",
	 NULL},
	{"vf.mac-needs-reload",
	 VFCTL_SEV_INFO,
	 DEVICE,
	 {{"Reload the VF driver to make this change effective"}},
	 "the PF driver (igb/ixgbe) set a VF's MAC that takes effect only when the VF's driver loads again",
	 "vfctl apply sets MACs before it binds; after a change by hand, rebind the VF's driver (vfctl bind)",
	 NULL},
	{"nvme.not-ready",
	 VFCTL_SEV_WARN,
	 DEVICE,
	 {{"Device not ready; aborting initialisation"}},
	 "the nvme driver gave up on the controller: an NVMe VF's secondary controller is offline or has no "
	 "queues (see nvme.secondary-offline)",
	 "give the VF's secondary controller resources and bring it online: NVMeQueues=/NVMeInterrupts= in its [VF] "
	 "section and vfctl apply",
	 has_driver},
	/* "probe with driver X failed with error N" since 5.18, "X: probe of ADDR failed with error N" before */
	{"driver.probe-failed",
	 VFCTL_SEV_WARN,
	 DEVICE,
	 {{"probe with driver", "failed with error"}, {"probe of ", "failed with error"}},
	 "the driver's probe failed: the device has no driver",
	 "the lines above say why; after fixing it: vfctl bind",
	 has_driver},
};

/* One finding per signature and device, quoting its last lines. */
typedef struct hit {
	const signature *sig;
	const vfctl_device *d;
	size_t lines[3], n_lines, count;
} hit;

static bool matches(const signature *s, const char *text)
{
	for (size_t i = 0; i < MAX_ALTS && s->match[i][0]; i++)
		if (strstr(text, s->match[i][0]) && (!s->match[i][1] || strstr(text, s->match[i][1])))
			return true;
	return false;
}

/* pci=realloc=off cures mlx4's Missing UAR and causes "not enough MMIO resources" (one host can
 * show both): a fix that is already in force must not be given again. */
static const char *fix_for(const checker *c, const signature *s)
{
	const char *pci = c->h->arg_pci;
	bool realloc_off = pci && strstr(pci, "realloc=off");
	if (realloc_off && streq(s->id, "kernel.missing-uar"))
		return "pci=realloc=off is already set and the card still failed this boot: enable ASPM in the "
		       "firmware "
		       "setup (some boards need it for mlx4), update the system firmware, or try another slot";
	if (realloc_off && streq(s->id, "kernel.sriov-no-mmio"))
		return "pci=realloc=off is set on this host's command line, so the kernel may not resize bridge "
		       "windows for "
		       "the VF BARs: drop it (if mlx4's Missing UAR needs it, the two cannot both be had on this "
		       "board), or "
		       "enable \"Above 4G Decoding\" and SR-IOV in the firmware setup so the firmware sizes the "
		       "windows";
	return s->fix;
}

static void report_hit(checker *c, const hit *x)
{
	strbuf ev = {0};
	if (x->count > x->n_lines)
		strbuf_add(&ev, "%zu lines, the last %zu:", x->count, x->n_lines);
	for (size_t i = 0; i < x->n_lines; i++)
		quote_record(&ev, &c->log.records[x->lines[i]]);
	add(c, x->sig->id, x->sig->sev, x->d, x->sig->summary, ev.s, fix_for(c, x->sig));
	free(ev.s);
}

static void report_log_state(checker *c)
{
	const char *path = c->ctx->fs->kmsg_path;
	if (c->log_error == -ENOENT && !path)
		add(c, "kernel.log", VFCTL_SEV_INFO, NULL,
		    "no kernel log for a tree given with --sysfs: its findings are "
		    "missing",
		    NULL, "pass the host's log with --kmsg FILE (a copy of /dev/kmsg records)");
	else if (c->log_error == -EPERM || c->log_error == -EACCES)
		add(c, "kernel.log", VFCTL_SEV_INFO, NULL,
		    "the kernel log is unreadable for this user (kernel.dmesg_restrict=1): "
		    "the findings it would give are missing",
		    path, "run vfctl doctor as root");
	else if (c->log_error < 0) {
		_cleanup_free_ char *ev = NULL;
		if (asprintf(&ev, "%s: %s", path ? path : "/dev/kmsg", strerror(-c->log_error)) < 0)
			ev = NULL;
		add(c, "kernel.log", VFCTL_SEV_INFO, NULL,
		    "the kernel log could not be read: the findings it would give are "
		    "missing",
		    ev, NULL);
	} else {
		_cleanup_free_ char *sum = NULL, *ev = NULL;
		const kmsg_record *first = c->log.n ? &c->log.records[0] : NULL;
		if (asprintf(&sum, "kernel log read: %zu records", c->log.n) < 0)
			sum = NULL;
		/* The ring is finite: on a long-running host the boot lines may be gone. */
		if (first && first->seq > 0 &&
		    asprintf(&ev, "%s: the oldest %llu records were overwritten; the log starts at %llu.%06llu s", path,
			     (unsigned long long)first->seq, (unsigned long long)(first->usec / 1000000),
			     (unsigned long long)(first->usec % 1000000)) < 0)
			ev = NULL;
		add(c, "kernel.log", VFCTL_SEV_OK, NULL, sum ? sum : "kernel log read", ev ? ev : path, NULL);
	}
}

void check_kernel_log(checker *c)
{
	report_log_state(c);
	if (c->log_error < 0)
		return;
	hit *hits = NULL;
	size_t n_hits = 0;
	for (size_t i = 0; i < c->log.n; i++) {
		const char *text = c->log.records[i].text;
		for (size_t k = 0; k < ELEMENTSOF(signatures); k++) {
			const signature *s = &signatures[k];
			if (!matches(s, text))
				continue;
			const vfctl_device *d = NULL;
			if (s->scope != HOST) {
				/* Lines about a device that is gone (VFs removed since) or not asked about. */
				d = c->log_bdf[i][0] ? vfctl_host_find(c->h, c->log_bdf[i]) : NULL;
				if (!d || !doctor_selected(c, d) ||
				    (s->scope == CANDIDATE && !doctor_candidate(c, d)) || (s->settled && s->settled(d)))
					break;
			} else if (c->select)
				break;
			/* The command line check already reports an ACS override. */
			if (streq(s->id, "kernel.acs-override") && c->h->arg_pcie_acs_override)
				break;
			hit *x = NULL;
			for (size_t j = 0; j < n_hits && !x; j++)
				if (streq(hits[j].sig->id, s->id) && hits[j].d == d)
					x = &hits[j];
			if (!x) {
				hit *nh = realloc(hits, (n_hits + 1) * sizeof(*nh));
				if (!nh) {
					c->error = -ENOMEM;
					break;
				}
				hits = nh;
				x = &hits[n_hits++];
				*x = (hit){.sig = s, .d = d};
			}
			if (x->n_lines == ELEMENTSOF(x->lines))
				memmove(x->lines, x->lines + 1, --x->n_lines * sizeof(*x->lines));
			x->lines[x->n_lines++] = i;
			x->count++;
			break;
		}
	}
	for (size_t j = 0; j < n_hits; j++)
		report_hit(c, &hits[j]);
	free(hits);
}

bool log_explains_unbound(const checker *c, const vfctl_device *d)
{
	for (size_t i = 0; c->log_error == 0 && i < c->log.n; i++) {
		if (!streq(c->log_bdf[i], d->id))
			continue;
		for (size_t k = 0; k < ELEMENTSOF(signatures); k++)
			if (signatures[k].settled == has_driver && matches(&signatures[k], c->log.records[i].text))
				return true;
	}
	return false;
}
