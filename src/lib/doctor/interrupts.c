/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interrupt remapping: without it vfio_iommu_type1 refuses every group ("No interrupt remapping
 * support"), since a device could write MSIs that the host takes as its own interrupts. */
#include <stdio.h>

#include "checker.h"

static const char *yes_no_unknown(int v)
{
	return v < 0 ? "unknown" : v ? "yes" : "no";
}

static void evidence(checker *c, strbuf *ev, const kmsg_record *line)
{
	const vfctl_host *h = c->h;
	strbuf_add(ev, "/proc/interrupts: remapped (IR-) interrupt chips: %s", yes_no_unknown(h->irq_remapping));
	if (h->iommu_ir_units >= 0)
		strbuf_add(ev, "; VT-d units with IR in their extended capability: %d of %zu", h->iommu_ir_units,
			   h->n_iommus);
	if (h->arg_intremap)
		strbuf_add(ev, "; intremap=%s on the command line", h->arg_intremap);
	strbuf_add(ev, "; vfio_iommu_type1 allow_unsafe_interrupts: %s",
		   h->vfio_unsafe_interrupts < 0 ? "module not loaded"
		   : h->vfio_unsafe_interrupts   ? "Y"
						 : "N");
	if (line)
		quote_record(ev, line);
}

static char *fix_text(const vfctl_host *h)
{
	char *f = NULL;
	const char *why;
	if (h->arg_intremap && (streq(h->arg_intremap, "off") || streq(h->arg_intremap, "nosid")))
		why = "remove intremap= from the kernel command line and reboot";
	else if (h->iommu_ir_units == 0)
		why = "the IOMMU does not offer interrupt remapping: enable it (and x2APIC) in the firmware setup's "
		      "VT-d "
		      "options or update the firmware; in a VM, give its virtual IOMMU remapping (QEMU: -device "
		      "intel-iommu,intremap=on with -M q35,kernel-irqchip=split)";
	else
		why = "enable x2APIC and interrupt remapping in the firmware setup (VT-d / AMD-Vi options) and reboot";
	if (asprintf(&f,
		     "%s. The module parameter allow_unsafe_interrupts=1 of vfio_iommu_type1 makes VFIO accept "
		     "devices anyway, but then a passed-through device can inject interrupts into the host: only on a "
		     "host "
		     "whose VMs are all trusted",
		     why) < 0)
		return NULL;
	return f;
}

void check_interrupt_remapping(checker *c)
{
	const vfctl_host *h = c->h;
	if (!h->iommu_active)
		return; /* iommu.inactive says what matters first */
	const kmsg_record *refused = log_find(c, "No interrupt remapping support");
	const kmsg_record *enabled = log_find(c, "Enabled IRQ remapping");
	if (!enabled)
		enabled = log_find(c, "Interrupt remapping enabled"); /* AMD-Vi */
	int ir = h->irq_remapping;
	if (ir < 0)
		ir = h->iommu_ir_units == 0 || refused ? 0 : enabled ? 1 : -1;
	strbuf ev = {0};
	evidence(c, &ev, ir == 0 ? refused : enabled);
	if (ir == 1) {
		add(c, "iommu.interrupt-remapping", VFCTL_SEV_OK, NULL, "interrupt remapping enabled", ev.s, NULL);
		if (h->vfio_unsafe_interrupts == 1)
			add(c, "vfio.unsafe-interrupts", VFCTL_SEV_WARN, NULL,
			    "vfio_iommu_type1 allow_unsafe_interrupts=1 is set: VFIO would accept devices even without "
			    "interrupt remapping, where they can inject interrupts into the host",
			    ev.s,
			    "remove allow_unsafe_interrupts from /etc/modprobe.d/*.conf and the kernel command line");
	} else if (ir == 0 && h->vfio_unsafe_interrupts == 1) {
		add(c, "vfio.unsafe-interrupts", VFCTL_SEV_WARN, NULL,
		    "no interrupt remapping, and VFIO accepts devices anyway (allow_unsafe_interrupts=1): a "
		    "passed-through "
		    "device can send forged MSIs to the host",
		    ev.s, "enable interrupt remapping, then remove allow_unsafe_interrupts");
	} else if (ir == 0) {
		_cleanup_free_ char *fix = fix_text(h);
		add(c, "iommu.no-interrupt-remapping", VFCTL_SEV_ERROR, NULL,
		    "the IOMMU is on but interrupts are not remapped: VFIO refuses every device (QEMU and vfio-check "
		    "fail "
		    "at VFIO_SET_IOMMU with \"Operation not permitted\")",
		    ev.s, fix);
	} else
		add(c, "iommu.interrupt-remapping", VFCTL_SEV_INFO, NULL,
		    "unknown whether interrupts are remapped (no /proc/interrupts, no IOMMU capability, no log line)",
		    ev.s, NULL);
	free(ev.s);
}
