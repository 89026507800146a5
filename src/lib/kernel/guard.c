/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guard: what the host and its VMs need from a device, asked before any step takes it away.
 * Everything it reads comes from /proc and /sys once per guard (guard_load), so a PF with 64 VFs is
 * 64 look-ups in memory, not 64 walks of every process's fds. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "guard.h"
#include "holders.h"
#include "pci.h"

void guard_init(guard *g, vfctl_ctx *ctx, const vfctl_host *h)
{
	*g = (guard){.ctx = ctx, .h = h};
}

void guard_done(guard *g)
{
	free(g->mountinfo);
	free(g->swaps);
	free(g->route4);
	free(g->route6);
	open_nodes_free(g->open, g->n_open);
	free(g->addrs);
	*g = (guard){0};
}

/* Each file that cannot be read leaves its check with nothing to find: a fake tree has no swaps,
 * a container may hide routes. */
static void load_files(guard *g)
{
	if (g->files_loaded)
		return;
	g->files_loaded = true;
	(void)procfs_read(g->ctx->fs, "self/mountinfo", &g->mountinfo);
	(void)procfs_read(g->ctx->fs, "swaps", &g->swaps);
	(void)procfs_read(g->ctx->fs, "net/route", &g->route4);
	(void)procfs_read(g->ctx->fs, "net/ipv6_route", &g->route6);
}

/* The process scan and the address dump: what only the holders' checks need. */
static int guard_load(guard *g)
{
	load_files(g);
	if (g->loaded)
		return 0;
	g->loaded = true;
	int r = open_nodes(g->ctx, &g->open, &g->n_open);
	if (r >= 0 && g->ctx->set.use_netlink)
		(void)holders_addresses(g->ctx, &g->addrs, &g->n_addrs); /* without it, addresses are not checked */
	return r;
}

int guard_fd_holder(guard *g, const char *path, int *ret_pid, char **ret_comm)
{
	int r = guard_load(g);
	return r < 0 ? r : open_node_holder(g->ctx, g->open, g->n_open, path, ret_pid, ret_comm);
}

/* --- what the host runs on ----------------------------------------------------------------------- */

static bool path_has_device(const char *path, const char *id)
{
	char pat[40];
	snprintf(pat, sizeof(pat), "/%s/", id);
	return strstr(path, pat) != NULL;
}

/* Does the block device at rel (dev/block/MAJ:MIN or class/block/NAME), or a device it is built
 * on (dm, md: its slaves), sit behind PCI device id? */
static bool block_behind(vfctl_ctx *ctx, const char *rel, const char *id, int depth)
{
	_cleanup_free_ char *t = NULL;
	char path[PATH_MAX], **slaves = NULL;
	size_t n = 0;
	bool hit = false;
	if (depth > 4 || sysfs_link_target(ctx->fs, rel, &t) < 0)
		return false;
	if (path_has_device(t, id))
		return true;
	snprintf(path, sizeof(path), "%s/slaves", rel);
	if (sysfs_list(ctx->fs, path, NULL, &slaves, &n) < 0)
		return false;
	for (size_t i = 0; i < n && !hit; i++) {
		snprintf(path, sizeof(path), "class/block/%s", slaves[i]);
		hit = block_behind(ctx, path, id, depth + 1);
	}
	strv_free_n(slaves, n);
	return hit;
}

/* The mount point of a file system on a disk behind d, NULL when none. */
static char *mounted_behind(guard *g, const vfctl_device *d)
{
	for (const char *l = g->mountinfo; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned maj, min;
		char mnt[512];
		/* id parent maj:min root mountpoint ... */
		if (sscanf(l, "%*u %*u %u:%u %*s %511s", &maj, &min, mnt) == 3 && maj != 0) {
			char rel[64];
			snprintf(rel, sizeof(rel), "dev/block/%u:%u", maj, min);
			if (block_behind(g->ctx, rel, d->id, 0))
				return strdup(mnt);
		}
	}
	return NULL;
}

/* A swap partition behind d (a swap file lives on a mounted file system, found above). */
static char *swap_behind(guard *g, const vfctl_device *d)
{
	const char *l = g->swaps ? strchr(g->swaps, '\n') : NULL; /* the first line is a header */
	for (; l && *++l; l = strchr(l, '\n')) {
		char dev[256], type[32];
		if (sscanf(l, "%255s %31s", dev, type) != 2 || !streq(type, "partition") ||
		    strncmp(dev, "/dev/", 5) != 0)
			continue;
		char rel[300];
		snprintf(rel, sizeof(rel), "class/block/%s", strrchr(dev, '/') + 1);
		if (block_behind(g->ctx, rel, d->id, 0))
			return strdup(dev);
	}
	return NULL;
}

/* Is netdev name one of names, or does it sit on one of them (bridge port, bond slave, VLAN or
 * macvlan lower, through its lower_* links)? */
static bool netdev_on(vfctl_ctx *ctx, const char *const *names, size_t n, const char *name, int depth)
{
	char path[PATH_MAX], **low = NULL;
	size_t nl = 0;
	bool hit = false;
	for (size_t i = 0; i < n; i++)
		if (streq(names[i], name))
			return true;
	if (depth > 4)
		return false;
	snprintf(path, sizeof(path), "class/net/%s", name);
	if (sysfs_list(ctx->fs, path, "lower_", &low, &nl) < 0)
		return false;
	for (size_t i = 0; i < nl && !hit; i++)
		hit = netdev_on(ctx, names, n, low[i] + strlen("lower_"), depth + 1);
	strv_free_n(low, nl);
	return hit;
}

static char *default_route_on(guard *g, const char *const *names, size_t n)
{
	char ifname[64], dst[64], mask[64];
	if (!n)
		return NULL;
	for (const char *l = g->route4 ? strchr(g->route4, '\n') : NULL; l && *++l; l = strchr(l, '\n'))
		if (sscanf(l, "%63s %63s %*s %*s %*s %*s %*s %63s", ifname, dst, mask) == 3 && streq(dst, "00000000") &&
		    streq(mask, "00000000") && netdev_on(g->ctx, names, n, ifname, 0))
			return strdup(ifname);
	for (const char *l = g->route6; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char plen[8];
		/* dst plen src splen nexthop metric refcnt use flags iface */
		if (sscanf(l, "%63s %7s %*s %*s %*s %*s %*s %*s %*s %63s", dst, plen, ifname) == 3 &&
		    strspn(dst, "0") == 32 && streq(plen, "00") && !streq(ifname, "lo") &&
		    netdev_on(g->ctx, names, n, ifname, 0))
			return strdup(ifname);
	}
	return NULL;
}

char *guard_default_route(guard *g, const char *netdev)
{
	const char *names[] = {netdev};
	load_files(g);
	return default_route_on(g, names, 1);
}

/* --- what VMs and processes hold ----------------------------------------------------------------- */

static int in_use(guard *g, const vfctl_device *d, char **ret)
{
	int pid;
	_cleanup_free_ char *comm = NULL;
	if (driver_is_vfio(d->driver) && d->iommu_group >= 0) {
		char node[32];
		snprintf(node, sizeof(node), "/dev/vfio/%d", d->iommu_group);
		int r = guard_fd_holder(g, node, &pid, &comm);
		if (r < 0)
			return r;
		if (pid > 0)
			return asprintf(ret, "%s: %s is open in process %d (%s)", d->id, node, pid, comm ? comm : "?") <
					       0
				       ? -ENOMEM
				       : 0;
	}
	/* A vhost-vdpa device on d (its management device is d) open in a process: a VM's NIC. */
	for (size_t i = 0; g->h->vdpa && i < g->h->vdpa->n_devs; i++) {
		const vfctl_vdpa_dev *v = &g->h->vdpa->devs[i];
		if (!v->vhost || !v->mgmtdev || strncmp(v->mgmtdev, "pci/", 4) != 0 || !streq(v->mgmtdev + 4, d->id))
			continue;
		int r = guard_fd_holder(g, v->vhost, &pid, &comm);
		if (r < 0)
			return r;
		if (pid > 0)
			return asprintf(ret, "%s: vDPA device %s (%s) is open in process %d (%s)", d->id, v->name,
					v->vhost, pid, comm ? comm : "?") < 0
				       ? -ENOMEM
				       : 0;
	}
	/* A network driver bound, but no netdev here: it was moved to another namespace (a
	 * container or a VM's netns). */
	if (d->driver && (d->class_code >> 16) == 0x02 && d->n_netdevs == 0 && !driver_is_vfio(d->driver) &&
	    !streq(d->driver, "pci-stub"))
		return asprintf(ret, "%s: its netdev (driver %s) is in another network namespace", d->id, d->driver) < 0
			       ? -ENOMEM
			       : 0;
	for (size_t i = 0; i < d->n_netdevs; i++) {
		const vfctl_netdev *nd = &d->netdevs[i];
		if (!nd->operstate || streq(nd->operstate, "down"))
			continue;
		for (size_t k = 0; k < g->n_addrs; k++)
			if (g->addrs[k] == nd->ifindex)
				return asprintf(ret, "%s: its netdev %s is up with addresses", d->id, nd->name) < 0
					       ? -ENOMEM
					       : 0;
	}
	return 0;
}

static int host_needs(guard *g, const vfctl_device *d, char **ret)
{
	_cleanup_free_ char *mnt = NULL, *swap = NULL, *rt = NULL;
	const char *names[16];
	size_t n = 0;
	if ((mnt = mounted_behind(g, d)))
		return asprintf(ret, "%s controls the disk of the mounted file system %s", d->id, mnt) < 0 ? -ENOMEM
													   : 0;
	if ((swap = swap_behind(g, d)))
		return asprintf(ret, "%s controls the disk of the swap partition %s", d->id, swap) < 0 ? -ENOMEM : 0;
	for (size_t i = 0; i < d->n_netdevs && n < 16; i++)
		names[n++] = d->netdevs[i].name;
	if ((rt = default_route_on(g, names, n)))
		return asprintf(ret, "%s carries the default route (via %s)", d->id, rt) < 0 ? -ENOMEM : 0;
	return 0;
}

static int one_device(guard *g, const vfctl_device *d, guard_level *ret_level, char **ret_why)
{
	int r = host_needs(g, d, ret_why);
	if (r < 0 || *ret_why) {
		*ret_level = GUARD_HOST_NEEDS;
		return r;
	}
	r = in_use(g, d, ret_why);
	*ret_level = *ret_why ? GUARD_IN_USE : GUARD_FREE;
	return r;
}

int guard_device(guard *g, const vfctl_device *d, guard_level *ret_level, char **ret_why)
{
	int r = guard_load(g);
	*ret_level = GUARD_FREE;
	*ret_why = NULL;
	if (r < 0)
		return r;
	if ((r = one_device(g, d, ret_level, ret_why)) < 0 || *ret_why)
		return r;
	for (size_t i = 0; i < d->n_vfs; i++) {
		const vfctl_device *vf = d->vfs[i].id ? vfctl_host_find(g->h, d->vfs[i].id) : NULL;
		if (vf && ((r = one_device(g, vf, ret_level, ret_why)) < 0 || *ret_why))
			return r;
	}
	return 0;
}

int guard_representor(guard *g, const char *rep, char **ret_why)
{
	int r = guard_load(g);
	if (r < 0)
		return r;
	return representor_holder(g->ctx, rep, g->addrs, g->n_addrs, ret_why);
}
