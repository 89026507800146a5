/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libkmod.h>
#include <limits.h>
#include <stdio.h>

#include "driver.h"
#include "sysfs-write.h"

int sysfs_write_progress(vfctl_ctx *ctx, const char *rel, const char *value, unsigned timeout_ms,
			 void (*tick)(void *userdata, unsigned seconds), void *userdata)
{
	int r = sysfs_write_timed(ctx->fs, rel, value, timeout_ms, tick, userdata);
	if (r == -ETIMEDOUT)
		return ctx_error(ctx, r, "writing \"%s\" to %s: no answer after %u s", value, ctx->fs->err_path,
				 timeout_ms / 1000);
	if (r < 0)
		return ctx_error(ctx, r, "writing \"%s\" to %s", value, ctx->fs->err_path);
	return 0;
}

int sysfs_write_bounded(vfctl_ctx *ctx, const char *rel, const char *value, unsigned timeout_ms)
{
	return sysfs_write_progress(ctx, rel, value, timeout_ms, NULL, NULL);
}

int sysfs_set(vfctl_ctx *ctx, const char *rel, const char *value)
{
	int r = sysfs_write_bin(ctx->fs, rel, value, strlen(value), 0);
	return r < 0 ? ctx_error(ctx, r, "writing \"%s\" to %s", value, ctx->fs->err_path) : 0;
}

int module_load(vfctl_ctx *ctx, const char *release, const char *name)
{
	char dir[PATH_MAX];
	struct kmod_module *m = NULL;
	int r;
	if (ctx->set.kernel) {
		r = ctx->set.kernel->module_load(ctx->set.kernel->data, name);
		return r < 0 ? ctx_error(ctx, r, "loading module %s", name) : 0;
	}
	if ((r = ctx_check_writable(ctx, name)) < 0)
		return r;
	snprintf(dir, sizeof(dir), "%s/%s", ctx->fs->modules_root, release ? release : "");
	struct kmod_ctx *k = kmod_new(release ? dir : NULL, NULL);
	if (!k)
		return ctx_error(ctx, -ENOMEM, "libkmod");
	r = kmod_module_new_from_name(k, name, &m);
	if (r >= 0) {
		int state = kmod_module_get_initstate(m);
		if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_BUILTIN)
			r = 0;
		else
			r = kmod_module_probe_insert_module(m, KMOD_PROBE_IGNORE_LOADED, NULL, NULL, NULL, NULL);
	}
	kmod_module_unref(m);
	kmod_unref(k);
	/* A driver that is not a module (built in, or named unlike its module) is found at bind. */
	if (r == -ENOENT)
		return 0;
	return r < 0 ? ctx_error(ctx, r, "loading module %s", name) : 0;
}

char *pci_driver_of(vfctl_ctx *ctx, const char *dev)
{
	char path[PATH_MAX], *d = NULL;
	snprintf(path, sizeof(path), "bus/pci/devices/%s/driver", dev);
	if (sysfs_link_name(ctx->fs, path, &d) < 0)
		return NULL;
	return d;
}

typedef struct driver_wait {
	vfctl_ctx *ctx;
	const char *dev, *want; /* want NULL: no driver */
	const char *link;       /* vDPA: the device's driver link */
} driver_wait;

static int driver_is(void *data)
{
	driver_wait *w = data;
	_cleanup_free_ char *d = NULL;
	if (w->link)
		(void)sysfs_link_name(w->ctx->fs, w->link, &d);
	else
		d = pci_driver_of(w->ctx, w->dev);
	return w->want ? streq_ptr(d, w->want) : !d;
}

static int wait_driver(vfctl_ctx *ctx, const char *dev, const char *want, unsigned timeout_ms)
{
	driver_wait w = {ctx, dev, want, NULL};
	if (poll_until(timeout_ms, 20, driver_is, &w) > 0)
		return 0;
	_cleanup_free_ char *d = pci_driver_of(ctx, dev);
	return ctx_error(ctx, -ETIMEDOUT, "%s: driver is %s, not %s, after %u ms", dev, d ? d : "none",
			 want ? want : "none", timeout_ms);
}

int pci_unbind(vfctl_ctx *ctx, const char *dev)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "bus/pci/devices/%s/driver/unbind", dev);
	int r = sysfs_write_bounded(ctx, path, dev, 30000);
	if (r == -ENOENT)
		return 0; /* no driver: unbound already */
	return r < 0 ? r : wait_driver(ctx, dev, NULL, 5000);
}

int pci_probe(vfctl_ctx *ctx, const char *dev)
{
	int r = sysfs_write_bounded(ctx, "bus/pci/drivers_probe", dev, 30000);
	/* drivers_probe answers ENODEV when no driver wants the device: not an error here. */
	return r == -ENODEV ? 0 : r;
}

int pci_bind(vfctl_ctx *ctx, const char *dev, const char *driver, bool keep_override)
{
	char path[PATH_MAX];
	int r;
	snprintf(path, sizeof(path), "bus/pci/devices/%s/driver_override", dev);
	r = sysfs_set(ctx, path, driver);
	if (r >= 0)
		r = sysfs_write_bounded(ctx, "bus/pci/drivers_probe", dev, 30000);
	if (r >= 0)
		r = wait_driver(ctx, dev, driver, 10000);
	if (!keep_override) {
		/* A newline clears driver_override. */
		int k = sysfs_set(ctx, path, "\n");
		if (r >= 0)
			r = k;
	}
	return r;
}

int vdpa_bind(vfctl_ctx *ctx, const char *name, const char *driver)
{
	char path[PATH_MAX], *cur = NULL;
	int r;
	if ((r = module_load(ctx, NULL, driver)) < 0)
		return r;
	/* virtio_vdpa makes a virtio device; its netdev needs virtio_net, which udev would load on
	 * the virtio uevent, and hosts without udev (containers, initramfs) would not. */
	if (streq(driver, "virtio_vdpa") && (r = module_load(ctx, NULL, "virtio_net")) < 0)
		return r;
	snprintf(path, sizeof(path), "bus/vdpa/devices/%s/driver", name);
	if (sysfs_link_name(ctx->fs, path, &cur) >= 0) {
		bool same = streq(cur, driver);
		free(cur);
		if (same)
			return 0;
		snprintf(path, sizeof(path), "bus/vdpa/devices/%s/driver/unbind", name);
		if ((r = sysfs_write_bounded(ctx, path, name, 10000)) < 0)
			return r;
	}
	snprintf(path, sizeof(path), "bus/vdpa/devices/%s/driver_override", name);
	if ((r = sysfs_set(ctx, path, driver)) < 0 ||
	    (r = sysfs_write_bounded(ctx, "bus/vdpa/drivers_probe", name, 10000)) < 0)
		return r;
	snprintf(path, sizeof(path), "bus/vdpa/devices/%s/driver", name);
	driver_wait w = {ctx, name, driver, path};
	if (poll_until(5000, 50, driver_is, &w) > 0)
		return 0;
	return ctx_error(ctx, -ETIMEDOUT, "vDPA device %s did not bind to %s", name, driver);
}
