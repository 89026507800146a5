/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl export: the live host as vfctl.conf files, on stdout or into a directory. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int write_file(const char *dir, const vfctl_export_file *f, bool force)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, f->name);
	if (!force && access(path, F_OK) == 0) {
		fprintf(stderr, "vfctl: %s exists (--force replaces it)\n", path);
		return -EEXIST;
	}
	int r = cli_write_file(dir, f->name, f->text);
	if (r < 0)
		return r;
	printf("wrote %s (%s)\n", path, f->device ? f->device : "vDPA");
	return 0;
}

static void print_json(const vfctl_export_file *files, size_t n)
{
	/* The texts are vfctl's own output (ASCII, no control bytes but newlines): escape \ " and \n. */
	printf("{\"files\": [");
	for (size_t i = 0; i < n; i++) {
		printf("%s\n  {\"name\": \"%s\", \"device\": ", i ? "," : "", files[i].name);
		printf(files[i].device ? "\"%s\"" : "%snull", files[i].device ? files[i].device : "");
		printf(", \"match\": ");
		printf(files[i].match ? "\"%s\"" : "%snull", files[i].match ? files[i].match : "");
		printf(", \"text\": \"");
		for (const char *p = files[i].text; *p; p++) {
			if (*p == '\n')
				fputs("\\n", stdout);
			else if (*p == '"' || *p == '\\')
				printf("\\%c", *p);
			else if ((unsigned char)*p < 0x20)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
		printf("\"}");
	}
	printf("%s]}\n", n ? "\n" : "");
}

int cmd_export(const cli_global *g, int argc, char **argv)
{
	enum { OPT_FORCE = 256 };
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, OPT_FORCE},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	const char *dir = NULL;
	bool json = g->json, force = false;
	int c;
	while ((c = getopt_long(argc, argv, "o:jh", opts, NULL)) >= 0) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			printf("Usage: vfctl export [DEVICE...] [-o DIR [--force]] [--json]\n"
			       "The vfctl.conf files that describe the live host: every PF with VFs, every other\n"
			       "device on vfio-pci, every vDPA device (docs/export.md).\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	vfctl_ctx *ctx;
	vfctl_host *h;
	bool *sel = NULL;
	cli_global gn = *g;
	gn.ctx.names = true; /* the files' comments name the card */
	int r = cli_scan_select(&gn, argv + optind, argc - optind, &ctx, &h, &sel);
	if (r)
		return r;
	vfctl_export_file *files = NULL;
	size_t n = 0;
	if (vfctl_export(h, sel, &files, &n) < 0) {
		fprintf(stderr, "vfctl: export: %s\n", strerror(ENOMEM));
		r = EXIT_FAIL;
		goto out;
	}
	if (json)
		print_json(files, n);
	else if (dir) {
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "vfctl: %s: %s\n", dir, strerror(errno));
			r = EXIT_FAIL;
		}
		for (size_t i = 0; i < n && r == 0; i++)
			if (write_file(dir, &files[i], force) < 0)
				r = EXIT_FAIL;
	} else
		for (size_t i = 0; i < n; i++)
			printf("%s%s%s%s%s", i ? "\n" : "", n > 1 ? "# ---- " : "", n > 1 ? files[i].name : "",
			       n > 1 ? " ----\n" : "", files[i].text);
	if (n == 0)
		fprintf(stderr, "vfctl: nothing to export: no PF with VFs, no device on vfio-pci, no vDPA device\n");
	vfctl_export_free(files, n);
out:
	free(sel);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
