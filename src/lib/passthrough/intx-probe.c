/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>

#include "ctx.h"
#include "holders.h"
#include "lock.h"
#include "pci.h"
#include "pcicfg.h"

/* The seam reads from offset 0; the command word is at PCI_COMMAND. */
static int read_cmd(vfctl_ctx *ctx, const char *cfg, uint16_t *ret)
{
	uint8_t b[PCI_COMMAND + 2];
	size_t got;
	int r = sysfs_read_bin(ctx->fs, cfg, b, sizeof(b), &got);
	if (r >= 0 && got < sizeof(b))
		r = -EIO;
	if (r < 0)
		return r;
	*ret = (uint16_t)(b[PCI_COMMAND] | b[PCI_COMMAND + 1] << 8);
	return 0;
}

static int write_cmd(vfctl_ctx *ctx, const char *cfg, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v & 0xff), (uint8_t)(v >> 8)};
	return sysfs_write_bin(ctx->fs, cfg, b, 2, PCI_COMMAND);
}

static int intx_probe(vfctl_ctx *ctx, const vfctl_device *d, int *ret)
{
	char cfg[PATH_MAX];
	uint16_t orig, now, back;
	int r, pid;

	if (!streq(d->bus, "pci"))
		return ctx_error(ctx, -EINVAL, "%s: not a PCI device", d->id);
	if (d->driver && !driver_is_vfio(d->driver))
		return ctx_error(ctx, -EBUSY, "%s: in use by driver %s (unbind it to probe INTx masking)", d->id,
				 d->driver);
	if (d->driver && d->iommu_group >= 0) {
		r = vfio_group_holder(ctx, d->iommu_group, &pid, NULL);
		if (r < 0)
			return ctx_error_fs(ctx, r, "cannot scan processes");
		if (pid > 0)
			return ctx_error(ctx, -EBUSY, "%s: /dev/vfio/%d is open in process %d (a running VM?)", d->id,
					 d->iommu_group, pid);
	}
	snprintf(cfg, sizeof(cfg), "%s/config", d->syspath);
	r = read_cmd(ctx, cfg, &orig);
	if (r < 0)
		return ctx_error_fs(ctx, r, "cannot read config space");
	if (orig & PCI_COMMAND_INTX_DISABLE) {
		*ret = 1; /* already set: supported, and nothing to write */
		return 0;
	}
	r = write_cmd(ctx, cfg, orig | PCI_COMMAND_INTX_DISABLE);
	if (r < 0)
		return ctx_error_fs(ctx, r, "cannot write config space (root only)");
	if (read_cmd(ctx, cfg, &now) < 0)
		now = orig;
	/* Always restore, whatever the read-back said. */
	int rr = write_cmd(ctx, cfg, orig);
	if (read_cmd(ctx, cfg, &back) < 0)
		back = (uint16_t)~orig;
	if (rr < 0 || back != orig)
		return ctx_error(ctx, rr < 0 ? rr : -EIO, "%s: restoring PCI_COMMAND to %#06x failed (now %#06x)",
				 d->id, orig, back);
	*ret = !!(now & PCI_COMMAND_INTX_DISABLE);
	return 0;
}

int vfctl_intx_probe(vfctl_ctx *ctx, const vfctl_device *d, int *ret)
{
	unsigned since = ctx->n_errors;
	int r = ctx_check_writable(ctx, d->id);
	/* Under the host lock: a bind or apply running meanwhile could otherwise write PCI_COMMAND
	 * between our write and our restore, and lose its change to our restore. */
	int lock = r < 0 ? r : run_lock(ctx, ctx_run_dir(ctx), RUN_LOCK_WAIT_S, NULL, NULL);
	if (lock >= 0) {
		r = intx_probe(ctx, d, ret);
		close(lock);
	} else
		r = lock;
	return ctx_ensure_error(ctx, since, r, "probing INTx masking");
}
