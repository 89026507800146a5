/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int cli_scan(const cli_global *g, vfctl_ctx **ret_ctx, vfctl_host **ret_host)
{
	vfctl_ctx *ctx = NULL;
	vfctl_host *h = NULL;
	int r = cli_ctx_new(&g->ctx, &ctx);
	if (r < 0) {
		fprintf(stderr, "vfctl: %s\n", ctx ? vfctl_ctx_error(ctx) : strerror(-r));
		vfctl_ctx_free(ctx);
		return EXIT_FAIL;
	}
	r = vfctl_host_scan(ctx, &h);
	if (r < 0) {
		fprintf(stderr, "vfctl: scanning the host failed: %s\n", vfctl_ctx_error(ctx));
		vfctl_ctx_free(ctx);
		return EXIT_FAIL;
	}
	*ret_ctx = ctx;
	*ret_host = h;
	return 0;
}

int cli_scan_select(const cli_global *g, char **args, int n, vfctl_ctx **ret_ctx, vfctl_host **ret_host,
		    vfctl_select *ret_sel)
{
	int r = cli_scan(g, ret_ctx, ret_host);
	if (r)
		return r;
	r = cli_select(*ret_host, args, n, ret_sel);
	if (r) {
		vfctl_host_free(*ret_host);
		vfctl_ctx_free(*ret_ctx);
		return r;
	}
	cli_warn_not_root(*ret_host);
	return 0;
}

int cli_select(const vfctl_host *h, char **args, int n, vfctl_select *ret)
{
	size_t bad = 0;
	*ret = (vfctl_select){args, (size_t)n};
	int r = vfctl_select_check(h, ret, &bad);
	if (r == -ERANGE)
		fprintf(stderr, "vfctl: %s: no such VF (the PF has fewer VFs)\n", args[bad]);
	else if (r < 0)
		fprintf(stderr, "vfctl: %s: no such device (not a PCI address, netdev or PF:vfN on this host)\n",
			args[bad]);
	return r < 0 ? EXIT_USAGE : 0;
}

const char *cli_short_addr(const char *id)
{
	return id && strncmp(id, "0000:", 5) == 0 && strlen(id) == 12 ? id + 5 : id;
}

void cli_warn_not_root(const vfctl_host *h)
{
	if (!h->is_root)
		fprintf(stderr, "vfctl: note: not root: PCI config space past 64 bytes is unreadable, so SR-IOV, "
				"ACS and MSI details are missing; run as root for all of them\n");
}

volatile sig_atomic_t cli_stop_requested;

static void on_stop_signal(int sig)
{
	__atomic_store_n(&cli_stop_requested, sig, __ATOMIC_RELAXED);
}

/* SIGTERM (systemctl stop), SIGINT (^C), SIGHUP (a closed terminal) stop a run at its next safe
 * point (apply: between two kernel changes, then rolled back; verify: its VF netdevs set down
 * again); the library checks the flag, the handler does nothing else. SA_RESTART: a sysfs write
 * in progress is not cut short (poll, which the probes wait in, returns EINTR all the same). */
void cli_catch_stop_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
}

void cli_report_line(void *userdata, const char *line)
{
	(void)userdata;
	puts(line);
	fflush(stdout); /* progress is only progress if it shows as it happens */
}

int cli_apply_built(vfctl_ctx *ctx, vfctl_config *conf, int built, bool force)
{
	vfctl_apply_opts ao = VFCTL_OPTS(vfctl_apply_opts, .force = force, .report = cli_report_line);
	int r = 0;
	if (built == -ENOMEM || !conf) {
		fprintf(stderr, "vfctl: %s\n", strerror(ENOMEM));
		r = EXIT_FAIL;
	} else if (built < 0 || vfctl_apply(ctx, conf, &ao) < 0) {
		const char *const *errs;
		size_t n = conf ? vfctl_config_errors(conf, &errs) : 0;
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s\n", errs[i]);
		if (!n)
			fprintf(stderr, "vfctl: %s\n", vfctl_ctx_error(ctx));
		r = n ? EXIT_USAGE : EXIT_FAIL;
	}
	vfctl_config_free(conf);
	return r;
}

/* Writes dir/name whole or not at all, for a reader (node_exporter, an admin's cp) that must never
 * see half a file, and safely in a directory someone else could reach: the directory is opened
 * without following a symlink and must be writable by its owner alone (root or the caller), the
 * temporary file has an unpredictable name and is created exclusively (a planted file, symlink
 * or FIFO under that name is never opened), and it is renamed over the final name. */
int cli_write_file(const char *dir, const char *name, const char *text)
{
	struct stat st;
	char tmp[96];
	int r = 0, fd = -1;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		fprintf(stderr, "vfctl: %s: %s%s\n", dir, strerror(-r),
			r == -ENOTDIR || r == -ELOOP ? " (a symlink is not followed)" : "");
		return r;
	}
	if (fstat(dfd, &st) < 0)
		r = -errno;
	else if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		fprintf(stderr,
			"vfctl: %s: owned by uid %u with mode %04o: only a directory that root or you alone can "
			"write is written into (another user could replace the files)\n",
			dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(dfd);
		return -EPERM;
	}
	for (int tries = 0; r == 0 && fd < 0; tries++) {
		unsigned long long rnd;
		if (getentropy(&rnd, sizeof(rnd)) < 0)
			rnd = (unsigned long long)getpid() * 2654435761ULL ^ (unsigned long long)time(NULL);
		/* A dot name ending in .tmp: what a reader globbing *.conf or *.prom never picks up. */
		snprintf(tmp, sizeof(tmp), ".vfctl-%016llx.tmp", rnd);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && (errno != EEXIST || tries >= 8))
			r = -errno;
	}
	if (r == 0) {
		size_t len = strlen(text);
		ssize_t k = write(fd, text, len);
		r = k == (ssize_t)len && fchmod(fd, 0644) == 0 && fsync(fd) == 0 ? 0 : errno ? -errno : -EIO;
		close(fd);
		if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
			r = -errno;
		if (r == 0)
			(void)fsync(dfd); /* the rename itself durable */
		else
			(void)unlinkat(dfd, tmp, 0);
	}
	if (r < 0)
		fprintf(stderr, "vfctl: %s/%s: %s\n", dir, name, strerror(-r));
	close(dfd);
	return r;
}
