/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A consumer of the installed API: only <vfctl/vfctl.h>, linked against the shared library, on
 * this machine's own /sys. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vfctl/vfctl.h>

#include "tap.h"

static size_t count_pci(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	size_t n = 0;
	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int main(void)
{
	vfctl_ctx_opts o = VFCTL_OPTS(vfctl_ctx_opts, .netlink = 0, .names = false);
	vfctl_ctx *ctx = NULL;
	vfctl_host *h = NULL;
	char *json = NULL;

	CHECK(vfctl_ctx_new(&o, &ctx) == 0, "context on /sys");
	CHECK(vfctl_host_scan(ctx, &h) == 0, "scan: %s", vfctl_ctx_error(ctx));
	if (h) {
		size_t pci = 0;
		for (size_t i = 0; i < h->n_devices; i++)
			pci += strcmp(h->devices[i].bus, "pci") == 0;
		CHECK_EQ_INT(pci, count_pci());
		CHECK(h->kernel_release && *h->kernel_release, "kernel release");
		CHECK(vfctl_host_json(h, NULL, &json) == 0 && json && strstr(json, "\"devices\""), "JSON");
		const vfctl_device *d;
		int vf;
		CHECK(vfctl_host_resolve(h, "nosuch0", &d, &vf) == -ENODEV, "unknown device");
		if (h->n_devices) {
			CHECK(vfctl_host_resolve(h, h->devices[0].id, &d, &vf) == 0 && d == &h->devices[0] && vf == -1,
			      "resolve by address");
			/* One selection type for every call: the DEVICE arguments, resolved by the library. */
			char *args[] = {h->devices[0].id, "nosuch0"};
			size_t bad = 9;
			CHECK(vfctl_select_check(h, &(vfctl_select){args, 2}, &bad) == -ENODEV && bad == 1,
			      "a selection naming nothing: -ENODEV, its index");
			CHECK(vfctl_select_names(h, &(vfctl_select){args, 1}, &h->devices[0]) &&
				      vfctl_select_names(h, NULL, &h->devices[h->n_devices - 1]),
			      "names: the device given; every device without a selection");
			CHECK(h->n_devices < 2 || !vfctl_select_names(h, &(vfctl_select){args, 1}, &h->devices[1]),
			      "names: not another device");
			char *one = NULL;
			CHECK(vfctl_host_json(h, &(vfctl_select){args, 2}, &one) == -ENODEV, "JSON of a bad selection");
			CHECK(vfctl_host_json(h, &(vfctl_select){args, 1}, &one) == 0 && one && strstr(one, args[0]) &&
				      strlen(one) <= strlen(json),
			      "JSON of one device: it, and no more than the whole host");
			free(one);
		}
	}
	free(json);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);

	o.sys_root = "/nonexistent";
	CHECK(vfctl_ctx_new(&o, &ctx) == -ENOENT, "missing root");
	CHECK(ctx && strstr(vfctl_ctx_error(ctx), "/nonexistent"), "error names the path");
	vfctl_ctx_free(ctx);

	/* Options carry their size: one without it, a newer program's with a field this library does
	 * not know set (refused) or left zero (taken), an older program's without the last field. */
	vfctl_ctx_opts unsized = {.netlink = 0};
	CHECK(vfctl_ctx_new(&unsized, &ctx) == -EINVAL && strstr(vfctl_ctx_error(ctx), "VFCTL_OPTS"),
	      "options without a size: -EINVAL naming VFCTL_OPTS");
	vfctl_ctx_free(ctx);
	struct {
		vfctl_ctx_opts o;
		uint64_t newer;
	} big = {VFCTL_OPTS(vfctl_ctx_opts, .netlink = 0), 1};
	big.o.size = sizeof(big);
	CHECK(vfctl_ctx_new(&big.o, &ctx) == -E2BIG && strstr(vfctl_ctx_error(ctx), "does not know"),
	      "a newer program's field set: -E2BIG");
	vfctl_ctx_free(ctx);
	big.newer = 0;
	CHECK(vfctl_ctx_new(&big.o, &ctx) == 0, "a newer program's unknown field left zero: taken");
	vfctl_ctx_free(ctx);
	vfctl_ctx_opts old = VFCTL_OPTS(vfctl_ctx_opts, .netlink = 0, .sys_root = "/nonexistent", .stats = true);
	old.size = offsetof(vfctl_ctx_opts, stats);
	CHECK(vfctl_ctx_new(&old, &ctx) == -ENOENT, "an older program's struct: the fields it has are read");
	vfctl_ctx_free(ctx);
	return tap_finish("test-api");
}
