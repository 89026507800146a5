/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libmnl/libmnl.h>

#include "util.h"
#include "vfctl/vfctl.h"

/* Reply decoders for VDPA_CMD_MGMTDEV_GET and VDPA_CMD_DEV_GET dumps, as libmnl callbacks: data is
 * the vfctl_vdpa each message's entry is appended to. */
int vdpa_mgmtdev_cb(const struct nlmsghdr *nlh, void *data);
int vdpa_dev_cb(const struct nlmsghdr *nlh, void *data);
/* Frees what the decoders (and the scan) put in v, and empties it. */
void vdpa_clear(vfctl_vdpa *v);
/* VDPA_ATTR_MGMTDEV_BUS_NAME/DEV_NAME from "bus/dev" or "dev". */
void vdpa_put_mgmtdev(struct nlmsghdr *nlh, const char *mgmtdev);
