/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Writes value to a sysfs attribute, giving up waiting after timeout_ms: some drivers block in
 * sriov_numvfs for a minute (i40e), and a wedged one must not hang vfctl. A write that times out
 * may still complete in the kernel; the caller re-reads. -ETIMEDOUT then. */
int sysfs_write_bounded(vfctl_ctx *ctx, const char *rel, const char *value, unsigned timeout_ms);
/* An attribute the kernel stores without calling into a driver (driver_override,
 * sriov_drivers_autoprobe): written directly, no writer thread. A write that makes a driver
 * probe, remove or create VFs goes through sysfs_write_bounded or _progress. */
int sysfs_set(vfctl_ctx *ctx, const char *rel, const char *value);
/* The same, calling tick(userdata, seconds) every 5 s while the kernel has not answered. */
int sysfs_write_progress(vfctl_ctx *ctx, const char *rel, const char *value, unsigned timeout_ms,
			 void (*tick)(void *userdata, unsigned seconds), void *userdata);

/* Loads a module by name (libkmod; nothing if loaded or built in). */
int module_load(vfctl_ctx *ctx, const char *release, const char *name);

/* driver_override + drivers_probe (never new_id): binds dev to driver and waits for the driver
 * link. keep_override false clears driver_override afterwards. */
int pci_bind(vfctl_ctx *ctx, const char *dev, const char *driver, bool keep_override);
int pci_unbind(vfctl_ctx *ctx, const char *dev);
/* drivers_probe alone: the kernel picks the driver, as at hotplug. */
int pci_probe(vfctl_ctx *ctx, const char *dev);
/* Current driver of dev, NULL for none. */
char *pci_driver_of(vfctl_ctx *ctx, const char *dev);
/* Binds a vDPA device to vhost_vdpa or virtio_vdpa (driver_override + drivers_probe on the vdpa bus). */
int vdpa_bind(vfctl_ctx *ctx, const char *name, const char *driver);
