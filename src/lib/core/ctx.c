/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libkmod.h>
#include <linux/netlink.h>
#include <pci/pci.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "ctx.h"
#include "genl.h"

int opts_copy(void *dst, size_t dst_size, const void *src)
{
	size_t n;
	memcpy(&n, src, sizeof(n));
	if (n < sizeof(size_t))
		return -EINVAL;
	memset(dst, 0, dst_size);
	memcpy(dst, src, n < dst_size ? n : dst_size);
	for (size_t i = dst_size; i < n; i++)
		if (((const uint8_t *)src)[i])
			return -E2BIG;
	return 0;
}

int ctx_opts(vfctl_ctx *ctx, void *dst, size_t dst_size, const void *src, const char *fn)
{
	int r = opts_copy(dst, dst_size, src);
	if (r == -EINVAL)
		return ctx_error(ctx, r, "%s: options without their size (build them with VFCTL_OPTS)", fn);
	if (r < 0)
		return ctx_error(ctx, r,
				 "%s: options set a field this libvfctl does not know (it is older than the program)",
				 fn);
	return 0;
}

int vfctl_ctx_new(const vfctl_ctx_opts *opts, vfctl_ctx **ret)
{
	vfctl_ctx_opts o = {.netlink = -1, .names = true};
	vfctl_ctx *ctx;
	int r;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	if (opts && (r = ctx_opts(ctx, &o, sizeof(o), opts, "vfctl_ctx_new")) < 0) {
		*ret = ctx; /* so the caller can print the error; it must free ctx */
		return r;
	}
	opts = &o;
	r = sysfs_new(opts->sys_root, opts->proc_root, opts->modules_root, &ctx->fs);
	if (r < 0) {
		ctx_error(ctx, r, "cannot open %s", ctx->fs ? ctx->fs->err_path : "sysfs root");
		*ret = ctx; /* so the caller can print the error; it must free ctx */
		return r;
	}
	r = sysfs_set_kmsg(ctx->fs, opts->kmsg_path);
	if (r < 0) {
		*ret = ctx;
		return ctx_error(ctx, r, "kernel log");
	}
	/* Netlink speaks to the running kernel: never next to a fake tree, whose writes must not
	 * reach the real host. */
	ctx->set.use_netlink = !ctx->fs->read_only && opts->netlink != 0;
	ctx->set.names = opts->names;
	ctx->set.stats = opts->stats;
	*ret = ctx;
	return 0;
}

int ctx_clone(const vfctl_ctx *ctx, vfctl_ctx **ret)
{
	vfctl_ctx *c = calloc(1, sizeof(*c));
	int r;
	if (!c)
		return -ENOMEM;
	r = sysfs_new(ctx->fs->sys_root, ctx->fs->proc_root, ctx->fs->modules_root, &c->fs);
	if (r >= 0)
		r = sysfs_set_kmsg(c->fs, ctx->fs->read_only ? ctx->fs->kmsg_path : NULL);
	if (r < 0) {
		vfctl_ctx_free(c);
		return r;
	}
	c->fs->read_only = ctx->fs->read_only;
	c->fs->write_hook = ctx->fs->write_hook;
	c->fs->write_data = ctx->fs->write_data;
	c->set = ctx->set;
	c->set.names = false; /* pci.ids is parsed once, by the scan that joins its loader */
	c->devlink_family = ctx->devlink_family;
	c->vdpa_family = ctx->vdpa_family;
	c->ethtool_family = ctx->ethtool_family;
	*ret = c;
	return 0;
}

vfctl_ctx *vfctl_ctx_free(vfctl_ctx *ctx)
{
	if (!ctx)
		return NULL;
	sysfs_free(ctx->fs);
	nl_close(ctx->rtnl);
	nl_close(ctx->genl);
	if (ctx->pacc)
		pci_cleanup(ctx->pacc);
	kmod_unref(ctx->kmod);
	free(ctx->mod_dep);
	free(ctx->mod_builtin);
	free(ctx);
	return NULL;
}

const char *vfctl_ctx_error(const vfctl_ctx *ctx)
{
	return ctx->error;
}

const char *ctx_run_dir(const vfctl_ctx *ctx)
{
	return ctx->set.test && ctx->set.test->run_dir ? ctx->set.test->run_dir : "/run";
}

const char *ctx_state_dir(const vfctl_ctx *ctx)
{
	return ctx->set.test && ctx->set.test->run_dir ? ctx->set.test->run_dir : "/var/lib";
}

void ctx_vfio_node(const vfctl_ctx *ctx, const char *group, char *buf, size_t size)
{
	if (ctx->fs->read_only)
		snprintf(buf, size, "%s/../dev/vfio/%s", ctx->fs->sys_root, group);
	else
		snprintf(buf, size, "/dev/vfio/%s", group);
}

void ctx_etc_path(const vfctl_ctx *ctx, const char *rel, char *buf, size_t size)
{
	if (ctx->fs->read_only)
		snprintf(buf, size, "%s/../etc/%s", ctx->fs->sys_root, rel);
	else
		snprintf(buf, size, "/etc/%s", rel);
}

int ctx_check_writable(vfctl_ctx *ctx, const char *what)
{
	if (ctx->set.kernel || !ctx->fs->read_only)
		return 0;
	return ctx_error(ctx, -EROFS,
			 "%s: a tree given with --sysfs, --procfs, --modules or --kmsg is only read, never changed",
			 what);
}

int ctx_ensure_error(vfctl_ctx *ctx, unsigned since, int r, const char *what)
{
	if (r < 0 && ctx->n_errors == since)
		ctx_error(ctx, r, "%s", what);
	return r;
}

int ctx_error(vfctl_ctx *ctx, int r, const char *fmt, ...)
{
	va_list ap;
	ctx->n_errors++;
	va_start(ap, fmt);
	int n = vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(ctx->error))
		snprintf(ctx->error + n, sizeof(ctx->error) - (size_t)n, ": %s", strerror(r < 0 ? -r : r));
	return r;
}

int ctx_error_fs(vfctl_ctx *ctx, int r, const char *what)
{
	return ctx_error(ctx, r, "%s: %s", what, ctx->fs->err_path);
}

void ctx_attach_kernel(vfctl_ctx *ctx, const kernel_hooks *k)
{
	ctx->set.kernel = k;
	ctx->fs->write_hook = k->write;
	ctx->fs->write_data = k->data;
	ctx->set.use_netlink = true;
}

static int open_sock(vfctl_ctx *ctx, int bus, nl_sock **ret)
{
	if (ctx->set.kernel)
		return nl_open_fake(bus, ctx->set.kernel->transact, ctx->set.kernel->data, ret);
	return nl_open(bus, ret);
}

int ctx_rtnl(vfctl_ctx *ctx, nl_sock **ret)
{
	if (!ctx->rtnl) {
		int r = open_sock(ctx, NETLINK_ROUTE, &ctx->rtnl);
		if (r < 0)
			return ctx_error(ctx, r, "cannot open rtnetlink socket");
	}
	*ret = ctx->rtnl;
	return 0;
}

int ctx_genl(vfctl_ctx *ctx, const char *family, uint16_t *cache, nl_sock **ret, uint16_t *ret_family)
{
	int r;
	if (!ctx->genl && (r = open_sock(ctx, NETLINK_GENERIC, &ctx->genl)) < 0)
		return ctx_error(ctx, r, "cannot open a generic netlink socket");
	if (!*cache && (r = genl_family(ctx->genl, family, cache)) < 0)
		return ctx_error(ctx, r, "the kernel has no %s netlink family", family);
	*ret = ctx->genl;
	*ret_family = *cache;
	return 0;
}

typedef struct split_job {
	vfctl_ctx *ctx;
	ctx_part_fn *fn;
	void *part;
	size_t lo, hi;
	int r;
} split_job;

static void *split_run(void *arg)
{
	split_job *j = arg;
	j->r = j->fn(j->ctx, j->part, j->lo, j->hi);
	return NULL;
}

int ctx_split(vfctl_ctx *ctx, size_t n, size_t min, ctx_part_fn *fn, void *const parts[2], size_t *ret_parts)
{
	split_job jobs[2] = {{.ctx = ctx, .fn = fn, .part = parts[0], .lo = 0, .hi = n}};
	vfctl_ctx *side = NULL;
	pthread_t th;
	bool two = n >= min && sysconf(_SC_NPROCESSORS_ONLN) > 1 && ctx_clone(ctx, &side) >= 0;
	if (two) {
		jobs[0].hi = n / 2;
		jobs[1] = (split_job){.ctx = side, .fn = fn, .part = parts[1], .lo = n / 2, .hi = n};
		two = pthread_create(&th, NULL, split_run, &jobs[1]) == 0;
		if (!two)
			jobs[0].hi = n;
	}
	split_run(&jobs[0]);
	if (two) {
		pthread_join(th, NULL);
		if (jobs[0].r >= 0 && jobs[1].r < 0)
			snprintf(ctx->error, sizeof(ctx->error), "%s", side->error);
	}
	vfctl_ctx_free(side);
	*ret_parts = two ? 2 : 1;
	return jobs[0].r < 0 ? jobs[0].r : two ? jobs[1].r : 0;
}
