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
#include "json-writer.h"

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

/* Through the one JSON writer: a name with a quote, a backslash, a control byte or a byte that is
 * not UTF-8 (an interface named by someone else) comes out as valid JSON. */
static int print_json(const vfctl_export_file *files, size_t n)
{
	json_writer w = {0};
	char *out = NULL;
	json_open_object(&w, NULL);
	json_open_array(&w, "files");
	for (size_t i = 0; i < n; i++) {
		json_open_object(&w, NULL);
		json_str(&w, "name", files[i].name);
		json_str(&w, "device", files[i].device);
		json_str(&w, "match", files[i].match);
		json_str(&w, "text", files[i].text);
		json_str(&w, "warning", files[i].warning);
		json_close_object(&w);
	}
	json_close_array(&w);
	json_close_object(&w);
	if (json_finish(&w, &out) < 0)
		return -ENOMEM;
	fputs(out, stdout);
	free(out);
	return 0;
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
	vfctl_select sel;
	cli_global gn = *g;
	gn.ctx.names = true; /* the files' comments name the card */
	int r = cli_scan_select(&gn, argv + optind, argc - optind, &ctx, &h, &sel);
	if (r)
		return r;
	vfctl_export_file *files = NULL;
	size_t n = 0;
	if (vfctl_export(h, &sel, &files, &n) < 0) {
		fprintf(stderr, "vfctl: export: %s\n", strerror(ENOMEM));
		r = EXIT_FAIL;
		goto out;
	}
	/* A file not exported leaves the set incomplete: said, and the exit status says it too. */
	size_t n_written = 0;
	for (size_t i = 0; i < n; i++) {
		if (files[i].warning)
			fprintf(stderr, "vfctl: %s%s%s: %s\n", files[i].name ? files[i].name : "",
				files[i].name && files[i].device ? " " : "", files[i].device ? files[i].device : "",
				files[i].warning);
		if (!files[i].text)
			r = EXIT_FAIL;
		else
			n_written++;
	}
	if (json)
		r = print_json(files, n) < 0 ? EXIT_FAIL : r;
	else if (dir) {
		bool failed = false;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "vfctl: %s: %s\n", dir, strerror(errno));
			failed = true, r = EXIT_FAIL;
		}
		for (size_t i = 0; i < n && !failed; i++)
			if (files[i].text && write_file(dir, &files[i], force) < 0)
				failed = true, r = EXIT_FAIL;
	} else
		for (size_t i = 0, k = 0; i < n; i++)
			if (files[i].text)
				printf("%s%s%s%s%s", k++ ? "\n" : "", n_written > 1 ? "# ---- " : "",
				       n_written > 1 ? files[i].name : "", n_written > 1 ? " ----\n" : "",
				       files[i].text);
	if (n == 0)
		fprintf(stderr, "vfctl: nothing to export: no PF with VFs, no device on vfio-pci, no vDPA device\n");
	vfctl_export_free(files, n);
out:
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
