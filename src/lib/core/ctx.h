/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "nl.h"
#include "sysfs.h"
#include "util.h"
#include "vfctl/vfctl.h"

struct pci_access;

struct vfctl_ctx {
	sysfs *fs;
	bool use_netlink, names;
	nl_sock *rtnl; /* opened on first use */
	nl_sock *genl; /* generic netlink: devlink, vdpa */
	uint16_t devlink_family, vdpa_family;
	struct pci_access *pacc;
	char error[1024];
};

/* Records the failure's detail for vfctl_ctx_error() and returns r, so callers can
 * `return ctx_error(ctx, r, "...")`. */
int ctx_error(vfctl_ctx *ctx, int r, const char *fmt, ...) _printf_(3, 4);
/* The same, naming the sysfs path that failed. */
int ctx_error_fs(vfctl_ctx *ctx, int r, const char *what);
int ctx_rtnl(vfctl_ctx *ctx, nl_sock **ret);
/* The generic netlink socket and the id of family, looked up once into *cache. */
int ctx_genl(vfctl_ctx *ctx, const char *family, uint16_t *cache, nl_sock **ret, uint16_t *ret_family);
