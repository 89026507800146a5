/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NVMe PFs: the controller of each (its sysfs nvme/ directory) and, for root on the running
 * kernel, the flexible resource pools and each VF's secondary controller, asked of the primary
 * controller with Identify (CNS 14h and 15h) through /dev/nvmeN. */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "nvme-pool.h"
#include "nvme.h"

static bool is_nvme(const vfctl_device *d)
{
	return (d->class_code >> 8) == 0x0108 && d->total_vfs >= 0;
}

static void pool(vfctl_nvme_pool *p, uint32_t total, uint32_t primary, uint16_t max, uint16_t gran)
{
	*p = (vfctl_nvme_pool){.total = (int)total, .primary = (int)primary, .max_per_vf = max, .granularity = gran};
}

/* The pools and the secondaries of one primary controller. Errors leave nvme_known false: a
 * drive that does not do Virtualization Management is still listed. */
static void query(vfctl_device *d, int fd)
{
	nvme_primary_caps caps;
	nvme_secondary sec[NVME_SECONDARY_MAX];
	size_t n = 0;
	if (nvme_identify_primary(fd, &caps) != 0 || nvme_identify_secondaries(fd, sec, NVME_SECONDARY_MAX, &n) != 0)
		return;
	/* VQRFA counts what the secondaries hold, VQRFAP what the primary holds (QEMU: VQRFA went
	 * 0 -> 4 as two VFs got 2 each). */
	pool(&d->nvme_vq, caps.vqfrt, caps.vqrfap, caps.vqfrsm, caps.vqgran);
	pool(&d->nvme_vi, caps.vifrt, caps.virfap, caps.vifrsm, caps.vigran);
	for (size_t i = 0; i < n; i++) {
		d->nvme_vq.secondaries += sec[i].nvq;
		d->nvme_vi.secondaries += sec[i].nvi;
		/* VFN is the VF number plus one; 0 is a secondary that is not a VF */
		if (sec[i].vfn == 0 || sec[i].vfn > d->n_vfs)
			continue;
		vfctl_vf *v = &d->vfs[sec[i].vfn - 1];
		v->nvme_scid = sec[i].scid;
		v->nvme_online = sec[i].online;
		v->nvme_vq = sec[i].nvq;
		v->nvme_vi = sec[i].nvi;
	}
	d->nvme_known = true;
}

int nvme_pools_scan(vfctl_ctx *ctx, vfctl_host *h)
{
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		char path[PATH_MAX], **names = NULL;
		size_t n = 0;
		if (!is_nvme(d))
			continue;
		snprintf(path, sizeof(path), "%s/nvme", d->syspath);
		if (sysfs_list(ctx->fs, path, "nvme", &names, &n) >= 0 && n > 0)
			d->nvme_ctrl = strdup(names[0]);
		strv_free_n(names, n);
		/* Identify needs CAP_SYS_ADMIN and the real device node: never for a fake tree. */
		if (!d->nvme_ctrl || ctx->fs->read_only || !h->is_root)
			continue;
		int fd = nvme_open(d->nvme_ctrl);
		if (fd < 0)
			continue;
		query(d, fd);
		close(fd);
	}
	return 0;
}
