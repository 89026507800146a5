/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdio.h>

#include "netdevs.h"
#include "parse.h"
#include "rtnl-link.h"
#include "util.h"

static int cmp_ref(const void *a, const void *b)
{
	const netdev_ref *x = a, *y = b;
	int c = strcmp(x->parent, y->parent);
	return c ? c : strcmp(x->name, y->name);
}

void netdev_map_done(netdev_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].parent);
		free(m->v[i].name);
		free(m->v[i].target);
	}
	free(m->v);
	*m = (netdev_map){0};
}

/* "../../devices/pci0000:00/0000:01:00.0/net/eth0" → "0000:01:00.0": the directory above net/.
 * A target of another shape (not a netdev's) gives NULL. */
static char *parent_of(const char *target, const char *name)
{
	size_t tn = strlen(target), nn = strlen(name);
	if (tn < nn + 6 || !streq(target + tn - nn, name) || strncmp(target + tn - nn - 5, "/net/", 5) != 0)
		return NULL;
	const char *end = target + tn - nn - 5, *start = end;
	while (start > target && start[-1] != '/')
		start--;
	return end > start ? strndup(start, (size_t)(end - start)) : NULL;
}

/* One thread's share of the listing: names[lo, hi) into v[lo, hi); a netdev gone since the listing
 * (renamed, unregistered) leaves its slot empty, as if it had not been listed. */
typedef struct map_part {
	char **names;
	netdev_ref *v;
} map_part;

static int map_part_run(vfctl_ctx *ctx, void *arg, size_t lo, size_t hi)
{
	map_part *p = arg;
	for (size_t i = lo; i < hi; i++) {
		char path[PATH_MAX];
		char *target = NULL;
		snprintf(path, sizeof(path), "class/net/%s", p->names[i]);
		if (sysfs_link_target(ctx->fs, path, &target) < 0)
			continue;
		char *parent = parent_of(target, p->names[i]);
		if (!parent) {
			free(target);
			continue;
		}
		p->v[i].parent = parent;
		p->v[i].target = target;
		p->v[i].name = p->names[i];
		p->names[i] = NULL; /* the map's now */
	}
	return 0;
}

/* Past this many netdevs the readlinks are split between two threads, as the PCI scan is. */
#define MAP_PARALLEL_MIN 256

int netdev_map_build(vfctl_ctx *ctx, netdev_map *m)
{
	char **names = NULL;
	size_t n = 0;

	*m = (netdev_map){0};
	if (sysfs_list(ctx->fs, "class/net", NULL, &names, &n) < 0 || n == 0) {
		strv_free_n(names, n);
		return 0; /* no net class (no networking, or a fake tree without netdevs) */
	}
	m->v = calloc(n, sizeof(*m->v));
	if (!m->v) {
		strv_free_n(names, n);
		return -ENOMEM;
	}
	/* Both parts write their own slots of one array: names[lo, hi) into v[lo, hi). */
	map_part part = {.names = names, .v = m->v};
	size_t n_parts;
	(void)ctx_split(ctx, n, MAP_PARALLEL_MIN, map_part_run, (void *const[]){&part, &part}, &n_parts);
	strv_free_n(names, n);
	for (size_t i = 0; i < n; i++)
		if (m->v[i].name)
			m->v[m->n++] = m->v[i];
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), cmp_ref);
	return 0;
}

void netdev_read_sysfs(vfctl_ctx *ctx, const char *devpath, vfctl_netdev *nd)
{
	char path[PATH_MAX];
	if (!nd->mac) {
		snprintf(path, sizeof(path), "%s/net/%s/address", devpath, nd->name);
		(void)sysfs_read(ctx->fs, path, &nd->mac);
	}
	if (!nd->operstate) {
		snprintf(path, sizeof(path), "%s/net/%s/operstate", devpath, nd->name);
		(void)sysfs_read(ctx->fs, path, &nd->operstate);
	}
}

int netdevs_of(vfctl_ctx *ctx, const netdev_map *m, const char *parent, const char *devpath, vfctl_netdev **ret,
	       size_t *ret_n)
{
	size_t lo = 0, hi = m->n;
	*ret = NULL;
	*ret_n = 0;
	while (lo < hi) { /* the first entry of parent */
		size_t mid = (lo + hi) / 2;
		if (strcmp(m->v[mid].parent, parent) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < m->n && streq(m->v[end].parent, parent))
		end++;
	if (end == lo)
		return 0;
	vfctl_netdev *nd = calloc(end - lo, sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	for (size_t i = 0; i < end - lo; i++) {
		nd[i] = (vfctl_netdev){
			.name = strdup(m->v[lo + i].name), .ifindex = -1, .mtu = -1, .flags = -1, .speed = -1};
		counters_init(&nd[i].stats);
		if (!nd[i].name) {
			for (size_t k = 0; k < i; k++) {
				free(nd[k].name);
				free(nd[k].mac);
				free(nd[k].operstate);
			}
			free(nd);
			return -ENOMEM;
		}
		/* With rtnetlink, one dump gives every netdev's address and operstate (sriov.c): two
		 * opens per netdev saved. A fake tree has only these files. */
		if (!ctx->set.use_netlink)
			netdev_read_sysfs(ctx, devpath, &nd[i]);
	}
	*ret = nd;
	*ret_n = end - lo;
	return 0;
}
