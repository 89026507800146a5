/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdio.h>

#include "files.h"
#include "handoff.h"
#include "sysfs.h"

static const struct {
	const char *dir, *prefix, *suffix;
} files[_HANDOFF_MAX] = {
	[HANDOFF_UDEV_RULE] = {"udev/rules.d", "79-vfctl-", ".rules"},
	[HANDOFF_NETWORKD] = {"systemd/network", "10-vfctl-", ".network"},
};

void handoff_name(handoff_kind kind, const char *pf, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", files[kind].prefix, pf, files[kind].suffix);
}

void handoff_path(const vfctl_ctx *ctx, handoff_kind kind, const char *pf, char *buf, size_t size)
{
	char name[128], rel[256];
	handoff_name(kind, pf, name, sizeof(name));
	snprintf(rel, sizeof(rel), "%s/%s", files[kind].dir, name);
	ctx_etc_path(ctx, rel, buf, size);
}

char **handoff_text(vfctl_device *pf, handoff_kind kind)
{
	return kind == HANDOFF_UDEV_RULE ? &pf->udev_rule : &pf->networkd_file;
}

const char *handoff_text_of(const vfctl_device *pf, handoff_kind kind)
{
	return *handoff_text((vfctl_device *)pf, kind);
}

int handoff_scan(vfctl_ctx *ctx, vfctl_host *h)
{
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		if (d->physfn || d->total_vfs < 0 || !d->id || strchr(d->id, '/'))
			continue;
		for (handoff_kind k = 0; k < _HANDOFF_MAX; k++) {
			char path[PATH_MAX];
			handoff_path(ctx, k, d->id, path, sizeof(path));
			/* Unreadable (not root): as if absent, and apply, which is root, reads it again. */
			if (file_read_text(path, handoff_text(d, k)) == -ENOMEM)
				return -ENOMEM;
		}
	}
	return 0;
}

bool handoff_rule_unmanaged(const vfctl_device *pf, const char *vf_addr)
{
	char line[96];
	if (!pf->udev_rule || !vf_addr)
		return false;
	snprintf(line, sizeof(line), HANDOFF_RULE_UNMANAGED, vf_addr);
	return strstr(pf->udev_rule, line) != NULL;
}

char *handoff_rule_name(const vfctl_device *pf, const char *vf_addr)
{
	char key[96];
	if (!pf->udev_rule || !vf_addr)
		return NULL;
	snprintf(key, sizeof(key), HANDOFF_RULE_NAME, vf_addr);
	const char *p = strstr(pf->udev_rule, key);
	const char *e = p ? strchr(p + strlen(key), '"') : NULL;
	return e ? strndup(p + strlen(key), (size_t)(e - p - strlen(key))) : NULL;
}

static bool run_file(const vfctl_ctx *ctx, const char *rel)
{
	char path[PATH_MAX];
	if (ctx->fs->read_only)
		return false;
	snprintf(path, sizeof(path), "%s/%s", ctx_run_dir(ctx), rel);
	return file_exists(path) == 0;
}

bool udevd_running(const vfctl_ctx *ctx)
{
	return run_file(ctx, "udev/control");
}

bool networkd_running(const vfctl_ctx *ctx)
{
	return run_file(ctx, "systemd/netif/state");
}

bool udev_netdev_named(vfctl_ctx *ctx, const vfctl_device *pf)
{
	char path[PATH_MAX];
	if (!udevd_running(ctx) || !pf->n_netdevs)
		return true;
	/* A netdev renamed between the scan's sysfs listing and its rtnetlink dump has no ifindex in
	 * the snapshot; one renamed since is not under its old name: either way, not settled. */
	int ifindex = sysfs_int(ctx->fs, "%s/net/%s/ifindex", pf->syspath, pf->netdevs[0].name);
	if (ifindex <= 0)
		return false;
	snprintf(path, sizeof(path), "%s/udev/data/n%d", ctx_run_dir(ctx), ifindex);
	return file_exists(path) == 0;
}
