/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A device whose driver should have bound but did not: its probe failed, and the kernel's lines
 * for that address say why (an NVMe VF offline, mlx4's Missing UAR, a BAR without space). */
#include <stdio.h>

#include "checker.h"
#include "modalias.h"
#include "relations.h"

/* The driver the kernel would have bound, NULL when none is loaded or none is expected; *ret_why
 * says how it was chosen. */
static char *expected_driver(checker *c, const vfctl_device *d, const char **ret_why)
{
	char *drv = NULL;
	/* driver_override names the only driver that may bind. */
	if (d->driver_override) {
		*ret_why = "its driver_override names it";
		return driver_module_loaded(c->ctx, d->driver_override) ? strdup(d->driver_override) : NULL;
	}
	if (d->physfn) {
		const vfctl_device *pf = vfctl_host_find(c->h, d->physfn);
		/* With autoprobe off VFs stay unbound on purpose, until vfctl or libvirt binds them. */
		if (!pf || pf->autoprobe == 0 || !pf->vf_default_driver)
			return NULL;
		*ret_why = "the VF driver of its PF, autoprobe on";
		return driver_module_loaded(c->ctx, pf->vf_default_driver) ? strdup(pf->vf_default_driver) : NULL;
	}
	*ret_why = "it matches the device's modalias";
	(void)modalias_loaded_driver(c->ctx, c->h, d, &drv);
	return drv;
}

void check_unbound(checker *c, const vfctl_device *d)
{
	if (d->driver || d->is_bridge || !streq(d->bus, "pci") || log_explains_unbound(c, d))
		return;
	const char *why = NULL;
	_cleanup_free_ char *drv = expected_driver(c, d, &why);
	if (!drv)
		return;
	_cleanup_free_ char *sum = NULL, *fix = NULL;
	strbuf ev = {0};
	if (asprintf(&sum,
		     "no driver bound, though %s is loaded and should take it (%s): its probe failed or was "
		     "refused",
		     drv, why) < 0)
		sum = NULL;
	if (c->log_error == 0) {
		log_lines_for(c, d->id, 4, &ev);
		if (!ev.s)
			strbuf_add(&ev, "the kernel log has no line about %s", d->id);
	} else
		strbuf_add(&ev, "the kernel log is unreadable (see kernel.log)");
	const vfctl_device *pf = d->physfn ? vfctl_host_find(c->h, d->physfn) : NULL;
	if (pf && pf->nvme_ctrl)
		fix = strdup("an NVMe VF's secondary controller must be online with queues and interrupts before nvme "
			     "binds: NVMeQueues=/NVMeInterrupts= in its [VF] section and vfctl apply "
			     "(nvme.secondary-offline)");
	else if (asprintf(&fix, "the lines above say why; then bind it again: vfctl bind %s %s", d->id, drv) < 0)
		fix = NULL;
	add(c, "driver.not-bound", VFCTL_SEV_WARN, d, sum ? sum : "no driver bound", ev.s, fix);
	free(ev.s);
}
