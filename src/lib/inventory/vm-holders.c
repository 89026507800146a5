/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who holds a device: one pass over /proc's fds for the VFIO group and vhost-vdpa nodes, and the
 * VM behind a QEMU process, named as libvirt (-name guest=web01,...) and Proxmox (-id 100 -name
 * web01,...) start it. */
#include <ctype.h>
#include <stdio.h>

#include "parse.h"
#include "vm-holders.h"

void open_nodes_free(open_node *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

static bool all_found(const open_node *v, size_t nv, char *const *wanted, size_t n_wanted)
{
	if (!wanted)
		return false;
	for (size_t w = 0; w < n_wanted; w++) {
		bool found = false;
		for (size_t k = 0; k < nv && !found; k++)
			found = streq(v[k].path, wanted[w]);
		if (!found)
			return false;
	}
	return true;
}

static int pid_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x < y) - (x > y);
}

/* One part of the walk (ctx_split): its pids' open nodes into its own list. */
typedef struct walk_part {
	const int *pids;
	char *const *wanted;
	size_t n_wanted;
	open_node *v;
	size_t nv, alloc;
} walk_part;

static int walk(vfctl_ctx *ctx, void *data, size_t lo, size_t hi)
{
	static const char *const nodes[] = {"/dev/vfio/", "/dev/vhost-vdpa-", NULL};
	walk_part *w = data;
	int r = 0;
	for (size_t i = lo; i < hi && r >= 0 && !all_found(w->v, w->nv, w->wanted, w->n_wanted); i++) {
		char **t = NULL;
		size_t nt = 0;
		if (procfs_fd_targets(ctx->fs, w->pids[i], nodes, &t, &nt) < 0)
			continue; /* exited, or not ours to read */
		for (size_t j = 0; j < nt && r >= 0; j++) {
			if (GROW(w->v, w->alloc, w->nv + 1) < 0)
				r = -ENOMEM;
			else
				w->v[w->nv++] = (open_node){.path = TAKE_PTR(t[j]), .pid = w->pids[i]};
		}
		strv_free_n(t, nt);
	}
	return r;
}

int open_nodes_of(vfctl_ctx *ctx, char *const *wanted, size_t n_wanted, open_node **ret, size_t *ret_n)
{
	char **names = NULL;
	size_t n = 0, np = 0, parts = 0;
	int r = procfs_list(ctx->fs, ".", &names, &n);
	if (r < 0)
		return ctx_error_fs(ctx, r, "cannot scan processes");
	_cleanup_free_ int *pids = calloc(n + 1, sizeof(*pids));
	for (size_t i = 0; pids && i < n; i++)
		if (isdigit((unsigned char)names[i][0]) && parse_int(names[i], &pids[np]) >= 0)
			np++;
	strv_free_n(names, n);
	if (!pids)
		return -ENOMEM;
	/* Newest first: VMs start after the host's daemons, and a part's walk ends once every node
	 * asked about has its holder. Past 256 processes two threads walk a half each. */
	qsort(pids, np, sizeof(*pids), pid_desc);
	walk_part w[2] = {{pids, wanted, n_wanted, NULL, 0, 0}, {pids, wanted, n_wanted, NULL, 0, 0}};
	r = ctx_split(ctx, np, 256, walk, (void *const[2]){&w[0], &w[1]}, &parts);
	/* The newer half's holders first, as one walk would have found them. */
	if (r >= 0 && w[1].nv && GROW(w[0].v, w[0].alloc, w[0].nv + w[1].nv) < 0)
		r = -ENOMEM;
	if (r >= 0 && w[1].nv) {
		memcpy(w[0].v + w[0].nv, w[1].v, w[1].nv * sizeof(*w[1].v));
		w[0].nv += w[1].nv;
		free(w[1].v);
		w[1] = (walk_part){0};
	}
	if (r < 0) {
		open_nodes_free(w[0].v, w[0].nv);
		open_nodes_free(w[1].v, w[1].nv);
		return r;
	}
	*ret = w[0].v;
	*ret_n = w[0].nv;
	return 0;
}

int open_nodes(vfctl_ctx *ctx, open_node **ret, size_t *ret_n)
{
	return open_nodes_of(ctx, NULL, 0, ret, ret_n);
}

void holder_done(vfctl_holder *hd)
{
	free(hd->comm);
	free(hd->vm);
	*hd = (vfctl_holder){.vmid = -1};
}

/* The first element of a QEMU option value (-name's): "guest=NAME" or a bare NAME, ",," an
 * escaped comma. */
static char *qemu_name(const char *v)
{
	if (startswith(v, "guest="))
		v += 6;
	else if (strchr(v, '=') && (!strchr(v, ',') || strchr(v, '=') < strchr(v, ',')))
		return NULL; /* another key first: no name given */
	char *out = malloc(strlen(v) + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = v; *p; p++) {
		if (*p == ',' && p[1] != ',')
			break;
		if (*p == ',')
			p++;
		*o++ = *p;
	}
	*o = 0;
	return out;
}

int holder_read(vfctl_ctx *ctx, int pid, vfctl_holder *ret)
{
	char p[48];
	_cleanup_free_ char *cmd = NULL;
	size_t len = 0;
	vfctl_holder hd = {.pid = pid, .vmid = -1};
	snprintf(p, sizeof(p), "%d/comm", pid);
	if (procfs_read(ctx->fs, p, &hd.comm) >= 0)
		hd.comm[strcspn(hd.comm, "\n")] = 0;
	snprintf(p, sizeof(p), "%d/cmdline", pid);
	/* NUL-separated arguments; a process that exited meanwhile keeps its pid and name only. */
	if (procfs_read_bin(ctx->fs, p, &cmd, &len) >= 0)
		for (size_t i = 0; i < len;) {
			const char *arg = cmd + i;
			size_t al = strnlen(arg, len - i);
			const char *next = i + al + 1 < len ? arg + al + 1 : NULL;
			if (next && streq(arg, "-name") && !hd.vm)
				hd.vm = qemu_name(next);
			else if (next && streq(arg, "-id") && parse_int(next, &hd.vmid) < 0)
				hd.vmid = -1;
			i += al + 1;
		}
	*ret = hd;
	return 0;
}

char *holder_describe(const vfctl_holder *hd)
{
	char *s = NULL;
	int r;
	if (hd->vm && hd->vmid >= 0)
		r = asprintf(&s, "%s, vm %s, VMID %d", hd->comm ? hd->comm : "?", hd->vm, hd->vmid);
	else if (hd->vm)
		r = asprintf(&s, "%s, vm %s", hd->comm ? hd->comm : "?", hd->vm);
	else
		r = asprintf(&s, "%s", hd->comm ? hd->comm : "?");
	return r < 0 ? NULL : s;
}

int open_node_holder(vfctl_ctx *ctx, const open_node *v, size_t n, const char *path, int *ret_pid, char **ret_comm)
{
	*ret_pid = 0;
	if (ret_comm)
		*ret_comm = NULL;
	for (size_t i = 0; i < n; i++)
		if (streq(v[i].path, path)) {
			vfctl_holder hd;
			*ret_pid = v[i].pid;
			if (ret_comm && holder_read(ctx, v[i].pid, &hd) >= 0) {
				*ret_comm = holder_describe(&hd);
				holder_done(&hd);
			}
			break;
		}
	return 0;
}

static int holder_copy(vfctl_holder *dst, const vfctl_holder *src)
{
	*dst = (vfctl_holder){.pid = src->pid, .vmid = src->vmid};
	if ((src->comm && !(dst->comm = strdup(src->comm))) || (src->vm && !(dst->vm = strdup(src->vm))))
		return -ENOMEM;
	return 0;
}

/* Does node (a VFIO group or, with iommufd, a device's own /dev/vfio/devices/vfioN) belong to d? */
static bool node_is(vfctl_ctx *ctx, const vfctl_device *d, const char *node)
{
	int group;
	if (startswith(node, "/dev/vfio/devices/")) {
		char rel[PATH_MAX];
		snprintf(rel, sizeof(rel), "%s/vfio-dev/%s", d->syspath, node + 18);
		return sysfs_exists(ctx->fs, rel);
	}
	return d->iommu_group >= 0 && parse_int(node + 10, &group) >= 0 && group == d->iommu_group;
}

int holders_scan(vfctl_ctx *ctx, vfctl_host *h)
{
	bool any = false;
	for (size_t i = 0; i < h->n_devices; i++) {
		h->devices[i].held_by = (vfctl_holder){.vmid = -1};
		any |= h->devices[i].driver && startswith(h->devices[i].driver, "vfio");
	}
	for (size_t i = 0; h->vdpa && i < h->vdpa->n_devs; i++) {
		h->vdpa->devs[i].held_by = (vfctl_holder){.vmid = -1};
		any |= h->vdpa->devs[i].vhost != NULL;
	}
	/* Nothing on a VFIO driver, no vhost-vdpa node: nothing a VM can hold, /proc not walked. */
	h->holders_known = !any || h->is_root;
	if (!any || !h->is_root)
		return 0;
	/* The nodes that could be held: each VFIO group of a device on a VFIO driver, each vhost node. */
	char **wanted = calloc(h->n_devices + (h->vdpa ? h->vdpa->n_devs : 0) + 1, sizeof(*wanted));
	size_t nw = 0;
	int r = wanted ? 0 : -ENOMEM;
	for (size_t i = 0; i < h->n_devices && r >= 0; i++) {
		const vfctl_device *d = &h->devices[i];
		if (!d->driver || !startswith(d->driver, "vfio") || d->iommu_group < 0)
			continue;
		if (asprintf(&wanted[nw], "/dev/vfio/%d", d->iommu_group) < 0)
			r = -ENOMEM;
		else
			nw++;
	}
	for (size_t i = 0; h->vdpa && i < h->vdpa->n_devs && r >= 0; i++)
		if (h->vdpa->devs[i].vhost && !(wanted[nw++] = strdup(h->vdpa->devs[i].vhost)))
			r = -ENOMEM;
	open_node *v = NULL;
	size_t n = 0;
	if (r >= 0)
		r = open_nodes_of(ctx, wanted, nw, &v, &n);
	strv_free_n(wanted, nw);
	if (r < 0) {
		h->holders_known = false;
		return r == -ENOMEM ? r : 0;
	}
	for (size_t k = 0; k < n && r >= 0; k++) {
		vfctl_holder hd;
		if (holder_read(ctx, v[k].pid, &hd) < 0)
			continue;
		for (size_t i = 0; i < h->n_devices && r >= 0; i++) {
			vfctl_device *d = &h->devices[i];
			if (!d->held_by.pid && startswith(v[k].path, "/dev/vfio/") && node_is(ctx, d, v[k].path))
				r = holder_copy(&d->held_by, &hd);
		}
		for (size_t i = 0; h->vdpa && i < h->vdpa->n_devs && r >= 0; i++) {
			vfctl_vdpa_dev *vd = &h->vdpa->devs[i];
			if (!vd->held_by.pid && streq_ptr(vd->vhost, v[k].path))
				r = holder_copy(&vd->held_by, &hd);
		}
		holder_done(&hd);
	}
	open_nodes_free(v, n);
	return r;
}
