/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sysfs.h"

/* Writes value to a sysfs attribute, giving up waiting after timeout_ms: some drivers block in
 * sriov_numvfs for a minute (i40e), and a wedged one must not hang the caller. tick(userdata, s)
 * runs every 5 s while the kernel has not answered. A write that times out may still complete in
 * the kernel (the caller re-reads): -ETIMEDOUT then. On failure fs->err_path names the file. */
int sysfs_write_timed(sysfs *fs, const char *rel, const char *value, unsigned timeout_ms,
		      void (*tick)(void *userdata, unsigned seconds), void *userdata);
