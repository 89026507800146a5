/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl vfio-check: the ioctls QEMU's vfio-pci makes when a VM starts, made now, so a VM that
 * would fail at start fails here first, with the cause named. */
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdio.h>

#include "holders.h"
#include "pci.h"
#include "relations.h"
#include "report.h"
#include "vfio.h"

#define VFIO_DIR "/dev/vfio"

typedef struct checker {
	vfctl_report *rep;
	const vfctl_device *d;
	int error;
} checker;

_printf_(5, 6) static bool step(checker *c, const char *id, int r, const char *fix, const char *fmt, ...)
{
	char *summary = NULL, *ev = NULL;
	va_list ap;
	va_start(ap, fmt);
	int k = vasprintf(&summary, fmt, ap);
	va_end(ap);
	if (k < 0)
		return false;
	if (r < 0 && asprintf(&ev, "the kernel answered: %s", strerror(-r)) < 0)
		ev = NULL;
	if (!c->error)
		c->error = report_add(c->rep, id, r < 0 ? VFCTL_SEV_ERROR : VFCTL_SEV_OK, c->d->id, summary, ev,
				      r < 0 ? fix : NULL);
	free(summary);
	free(ev);
	return r >= 0;
}

/* vfio_iommu_type1 answers EPERM when it attaches a group on a host without interrupt remapping
 * (and logs "No interrupt remapping support"); no type1 at all is a missing module. */
static const char *set_iommu_fix(const vfctl_host *h, int r)
{
	bool no_ir = h->irq_remapping == 0 || (h->irq_remapping < 0 && h->iommu_ir_units == 0);
	if (r == -EPERM && no_ir && h->vfio_unsafe_interrupts != 1)
		return "the IOMMU does not remap interrupts, and VFIO refuses devices without it: enable interrupt "
		       "remapping (vfctl doctor: iommu.no-interrupt-remapping)";
	if (r == -EPERM)
		return "vfio_iommu_type1 refused the group: vfctl doctor quotes the kernel's reason from its log";
	return "modprobe vfio_iommu_type1";
}

static void check_one(vfctl_ctx *ctx, const vfctl_host *h, checker *c)
{
	const vfctl_device *d = c->d;
	vfio_session s = VFIO_SESSION_INIT;
	char fix[512];
	int r, api, type;
	bool viable;

	snprintf(fix, sizeof(fix), "vfctl bind %s", d->id);
	if (!step(c, "vfio.driver", driver_is_vfio(d->driver) ? 0 : -ENODEV, fix,
		  "bound to vfio-pci or a variant of it (driver: %s)", d->driver ? d->driver : "none"))
		return;
	if (!step(c, "vfio.group", d->iommu_group >= 0 ? 0 : -ENXIO, "turn the IOMMU on: vfctl doctor",
		  "in IOMMU group %d", d->iommu_group))
		return;
	int pid = 0;
	_cleanup_free_ char *comm = NULL;
	(void)vfio_group_holder(ctx, d->iommu_group, &pid, &comm);
	if (pid > 0) {
		char msg[256];
		snprintf(msg, sizeof(msg), "/dev/vfio/%d is held by process %d (%s): busy, not probed", d->iommu_group,
			 pid, comm ? comm : "?");
		snprintf(fix, sizeof(fix),
			 "the group is in use (a running VM?): stop process %d, or check another device", pid);
		step(c, "vfio.busy", -EBUSY, fix, "%s", msg);
		return;
	}
	r = vfio_open_container(&s, VFIO_DIR, &api);
	if (!step(c, "vfio.container", r, "modprobe vfio vfio_iommu_type1 (vfctl doctor)",
		  "/dev/vfio/vfio opened, VFIO API %d", r < 0 ? -1 : api))
		goto out;
	r = vfio_open_group(&s, VFIO_DIR, d->iommu_group, &viable);
	if (!step(c, "vfio.group-open", r,
		  r == -EBUSY ? "another process holds the group" : "check /dev/vfio permissions",
		  "/dev/vfio/%d opened", d->iommu_group))
		goto out;
	if (!viable) {
		_cleanup_free_ char *members = group_host_members(h, d);
		snprintf(fix, sizeof(fix), "vfctl bind --group %s", d->id);
		step(c, "vfio.viable", -EPERM, fix, "group %d is not viable: %s still bound to host drivers",
		     d->iommu_group, members ? members : "a member");
		goto out;
	}
	step(c, "vfio.viable", 0, NULL, "group %d is viable", d->iommu_group);
	r = vfio_set_container(&s);
	if (!step(c, "vfio.set-container", r, "check dmesg for the IOMMU's message", "group attached to a container"))
		goto out;
	r = vfio_set_iommu(&s, &type);
	if (!step(c, "vfio.iommu", r, set_iommu_fix(h, r), "IOMMU type %s set",
		  r < 0                        ? "?"
		  : type == VFIO_TYPE1v2_IOMMU ? "1v2"
					       : "1"))
		goto out;
	r = vfio_get_device(&s, d->id);
	if (!step(c, "vfio.device", r, "check dmesg: the device may be in use or failed to reset", "device fd for %s",
		  d->id))
		goto out;
	vfio_device_summary info;
	r = vfio_device_info(&s, &info);
	if (!step(c, "vfio.info", r, NULL, "%u regions (BAR0 %llu KiB), IRQs: INTx %u, MSI %u, MSI-X %u; reset %s",
		  r < 0 ? 0 : info.num_regions, r < 0 ? 0ULL : (unsigned long long)(info.region_size[0] >> 10),
		  r < 0 ? 0 : info.irq_count[VFIO_PCI_INTX_IRQ_INDEX],
		  r < 0 ? 0 : info.irq_count[VFIO_PCI_MSI_IRQ_INDEX],
		  r < 0 ? 0 : info.irq_count[VFIO_PCI_MSIX_IRQ_INDEX],
		  r < 0                                  ? "?"
		  : info.flags & VFIO_DEVICE_FLAGS_RESET ? "yes"
							 : "no"))
		goto out;
	/* QEMU enables INTx at realize time for any device with a pin, MSI-X or not: a shared line
	 * that another driver holds makes the VM fail right there with EBUSY (VFIO_DEVICE_SET_IRQS). */
	if (info.irq_count[VFIO_PCI_INTX_IRQ_INDEX] > 0) {
		r = vfio_set_trigger(&s, VFIO_PCI_INTX_IRQ_INDEX);
		_cleanup_free_ char *holders = r == -EBUSY ? intx_line_holders(h, d) : NULL;
		snprintf(fix, sizeof(fix),
			 "IRQ %d is taken%s%s: put the card in a slot on another interrupt line, pass the "
			 "devices sharing it to the same VM, or remove the other device first (vfctl doctor "
			 "--probe-intx %s)",
			 d->irq, holders ? " by " : "", holders ? holders : "", d->id);
		if (step(c, "vfio.intx", r, fix, "INTx trigger (eventfd) on IRQ %d set up", d->irq))
			(void)vfio_clear_trigger(&s, VFIO_PCI_INTX_IRQ_INDEX);
	}
	unsigned msi = info.irq_count[VFIO_PCI_MSIX_IRQ_INDEX]  ? VFIO_PCI_MSIX_IRQ_INDEX
		       : info.irq_count[VFIO_PCI_MSI_IRQ_INDEX] ? VFIO_PCI_MSI_IRQ_INDEX
								: 0;
	if (msi) {
		r = vfio_set_trigger(&s, msi);
		if (step(c, msi == VFIO_PCI_MSIX_IRQ_INDEX ? "vfio.msix" : "vfio.msi", r,
			 "check dmesg for the interrupt-remapping message (intremap)", "%s vector 0 trigger set up",
			 msi == VFIO_PCI_MSIX_IRQ_INDEX ? "MSI-X" : "MSI"))
			(void)vfio_clear_trigger(&s, msi);
	}
out:
	vfio_session_close(&s);
}

static int vfio_check(vfctl_ctx *ctx, const vfctl_host *h, const vfctl_select *sel, vfctl_report **ret)
{
	checker c = {0};
	_cleanup_free_ bool *select = NULL;
	size_t bad;
	int r = select_mask(h, sel, &select, &bad);
	if (r < 0)
		return ctx_error(ctx, r, "%s: no such device", sel->devices[bad]);
	c.rep = calloc(1, sizeof(*c.rep));
	if (!c.rep)
		return -ENOMEM;
	for (size_t i = 0; i < h->n_devices && !c.error; i++) {
		if (select && !select[i])
			continue;
		c.d = &h->devices[i];
		check_one(ctx, h, &c);
	}
	if (c.error) {
		vfctl_report_free(c.rep);
		return c.error;
	}
	*ret = c.rep;
	return 0;
}

int vfctl_vfio_check(vfctl_ctx *ctx, const vfctl_host *h, const vfctl_select *sel, vfctl_report **ret)
{
	unsigned since = ctx->n_errors;
	return ctx_ensure_error(ctx, since, vfio_check(ctx, h, sel, ret), "checking VFIO");
}
