/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "nl.h"
#include "sysfs.h"
#include "util.h"
#include "vfctl/vfctl.h"

struct pci_access;
struct kmod_ctx;

/* A kernel other than the running one behind every seam: sysfs writes, netlink and module loading.
 * Only tests attach one (tests/fakekernel); the installed library and command never do. */
typedef struct kernel_hooks {
	sysfs_write_fn write;
	nl_transact_fn transact;
	int (*module_load)(void *data, const char *name);
	void *data;
} kernel_hooks;

/* What only a test build sets (tests/hooks/test-hooks.c): the installed command never reads them
 * from its environment. */
typedef struct test_hooks {
	int fail_step; /* the N-th step of an apply fails (fault injection) */
	int kill_step; /* the process sends itself kill_signal before the N-th step */
	int kill_signal;
	const char *run_dir; /* instead of /run: the lock, the journal and bind records */
} test_hooks;

/* What a context is told rather than what it finds: a clone (ctx_clone) copies it whole. */
typedef struct ctx_settings {
	bool use_netlink, names, stats;
	/* apply's own scans: what no plan reads is left out (the vfio modules' states, which read
	 * modules.dep; the VFs' default drivers, which cost libkmod's index) unless a section asks
	 * for Driver=auto or Driver=vfio-pci (plan_default_drivers). */
	bool plan_only, plan_default_drivers;
	const kernel_hooks *kernel; /* NULL: the running kernel */
	const test_hooks *test;     /* NULL in the installed command */
} ctx_settings;

struct vfctl_ctx {
	sysfs *fs;
	ctx_settings set;
	nl_sock *rtnl; /* opened on first use */
	nl_sock *genl; /* generic netlink: devlink, vdpa */
	uint16_t devlink_family, vdpa_family, ethtool_family;
	struct pci_access *pacc;
	/* What does not change while a context lives, read once for all its scans (an apply scans
	 * twice or more): libkmod's index, modules.dep and modules.builtin. */
	struct kmod_ctx *kmod;
	char *mod_dep, *mod_builtin;
	bool mod_dep_read, mod_builtin_read;
	unsigned n_errors; /* how many times error was set: a public call that fails without setting it
			    * gets a generic text, never the previous call's */
	char error[1024];
};

/* A context for another thread: its own sysfs seam (the cached directory is per seam), its own
 * netlink sockets (opened on first use) and error text; the same roots, kernel and test hooks. No
 * pci.ids names. Freed with vfctl_ctx_free. */
int ctx_clone(const vfctl_ctx *ctx, vfctl_ctx **ret);
/* fn over [0, n), in parts[0] and, with n >= min and more than one CPU, in parts[1] on a second
 * thread with its own context (ctx_clone: a seam's cached directories are its own): the lower
 * half here, the upper half there. The second's error text becomes ctx's when only it failed.
 * *ret_parts: how many parts ran (1 or 2). Returns the first part's error, else the second's. */
typedef int ctx_part_fn(vfctl_ctx *ctx, void *part, size_t lo, size_t hi);
int ctx_split(vfctl_ctx *ctx, size_t n, size_t min, ctx_part_fn *fn, void *const parts[2], size_t *ret_parts);

/* Puts k behind the context's seams; netlink is then on whatever the sysfs root. */
void ctx_attach_kernel(vfctl_ctx *ctx, const kernel_hooks *k);

/* Where the lock, journal and bind records live: /run, or a test's directory. */
const char *ctx_run_dir(const vfctl_ctx *ctx);
/* Where what must outlive a reboot lives (the PF records of apply --prune): /var/lib, or a test's
 * run directory. */
const char *ctx_state_dir(const vfctl_ctx *ctx);
/* 0 when this context may change the host: the running kernel behind every root, or a fake kernel
 * attached; otherwise -EROFS with "WHAT: ..." (a --sysfs, --procfs or --modules tree is only read). */
int ctx_check_writable(vfctl_ctx *ctx, const char *what);
/* A VFIO group's node: /dev/vfio/N on the running host, <tree>/dev/vfio/N beside a fake tree's
 * sys/ (a fake kernel's tests chown that one, never the host's). */
void ctx_vfio_node(const vfctl_ctx *ctx, const char *group, char *buf, size_t size);
/* A file under /etc on the running host, under <tree>/etc beside a fake tree's sys/: the machine
 * id, libvirt's and Proxmox's VM definitions. */
void ctx_etc_path(const vfctl_ctx *ctx, const char *rel, char *buf, size_t size);

/* Records the failure's detail for vfctl_ctx_error() and returns r, so callers can
 * `return ctx_error(ctx, r, "...")`. */
int ctx_error(vfctl_ctx *ctx, int r, const char *fmt, ...) _printf_(3, 4);
/* For public entry points: r unchanged; when r < 0 and nothing since `since` (ctx->n_errors at
 * entry) said why, what the call was doing and strerror. */
int ctx_ensure_error(vfctl_ctx *ctx, unsigned since, int r, const char *what);
/* A caller's options struct (src, its size first: VFCTL_OPTS) into the library's own (dst, zeroed
 * past what the caller's has); -EINVAL for size 0, -E2BIG for a set field this library does not
 * know. fn names the entry point in the error. */
int ctx_opts(vfctl_ctx *ctx, void *dst, size_t dst_size, const void *src, const char *fn);
/* The same without a context (the pure calls: emit): -EINVAL, -E2BIG. */
int opts_copy(void *dst, size_t dst_size, const void *src);
/* The same, naming the sysfs path that failed. */
int ctx_error_fs(vfctl_ctx *ctx, int r, const char *what);
int ctx_rtnl(vfctl_ctx *ctx, nl_sock **ret);
/* The generic netlink socket and the id of family, looked up once into *cache. */
int ctx_genl(vfctl_ctx *ctx, const char *family, uint16_t *cache, nl_sock **ret, uint16_t *ret_family);
