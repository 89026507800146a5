/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Word-wraps text at 80 columns, the first line after label, the rest under it. */
static void print_wrapped(const char *label, const char *text)
{
	const int width = 80, indent = 12;
	int col = printf("      %-6s", label);
	const char *p = text;
	while (*p) {
		/* A newline in the text (one kernel log line each) starts a line of its own. */
		if (*p == '\n') {
			printf("\n%*s", indent, "");
			col = indent;
			p++;
			continue;
		}
		size_t word = strcspn(p, " \n");
		if (col > indent && col + 1 + (int)word > width) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			putchar(' ');
			col++;
		}
		col += printf("%.*s", (int)word, p);
		p += word;
		while (*p == ' ')
			p++;
	}
	putchar('\n');
}

static void print_finding(const vfctl_finding *f)
{
	static const char *const tag[] = {"  ok ", "info ", "WARN ", "ERROR"};
	char head[160];
	const char *dev = f->device ? cli_short_addr(f->device) : "";
	/* Short findings stay on one line; long summaries wrap below the header. */
	snprintf(head, sizeof(head), "%s %-26s %s%s", tag[f->severity], f->id, dev, *dev ? " " : "");
	if (strlen(head) + strlen(f->summary) <= 80)
		printf("%s%s\n", head, f->summary);
	else {
		for (size_t n = strlen(head); n > 0 && head[n - 1] == ' ';)
			head[--n] = 0;
		printf("%s\n", head);
		print_wrapped("", f->summary);
	}
	if (f->evidence && f->severity != VFCTL_SEV_OK)
		print_wrapped("seen:", f->evidence);
	if (f->fix)
		print_wrapped("fix:", f->fix);
}

void cli_print_report(const vfctl_report *rep, bool json)
{
	if (json) {
		char *s;
		if (vfctl_report_json(rep, &s) >= 0) {
			fputs(s, stdout);
			free(s);
		}
		return;
	}
	size_t count[4] = {0};
	for (size_t i = 0; i < rep->n; i++) {
		print_finding(&rep->findings[i]);
		count[rep->findings[i].severity]++;
	}
	printf("\n%zu ok, %zu info, %zu warnings, %zu errors\n", count[0], count[1], count[2], count[3]);
}

int cmd_doctor(const cli_global *g, int argc, char **argv)
{
	enum { OPT_PROBE_INTX = 256 };
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"probe-intx", no_argument, NULL, OPT_PROBE_INTX},
		{},
	};
	vfctl_doctor_opts dopts = VFCTL_OPTS(vfctl_doctor_opts);
	bool json = g->json;
	int c;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			puts("Usage: vfctl doctor [--json] [--probe-intx] [DEVICE...]");
			return EXIT_OK;
		case OPT_PROBE_INTX:
			dopts.probe_intx = true;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (dopts.probe_intx && optind >= argc) {
		fprintf(stderr, "vfctl: --probe-intx writes to config space: name the DEVICE(s) to probe\n");
		return EXIT_USAGE;
	}

	vfctl_ctx *ctx;
	vfctl_host *h;
	vfctl_report *rep = NULL;
	vfctl_select sel;
	int r = cli_scan(g, &ctx, &h);
	if (r)
		return r;
	r = cli_select(h, argv + optind, argc - optind, &sel);
	if (r)
		goto out;
	if (dopts.probe_intx && !h->is_root) {
		fprintf(stderr, "vfctl: --probe-intx writes PCI config space: root only\n");
		r = EXIT_FAIL;
		goto out;
	}
	dopts.select = sel;
	if (vfctl_doctor_run(ctx, h, &dopts, &rep) < 0) {
		fprintf(stderr, "vfctl: doctor failed: out of memory\n");
		r = EXIT_FAIL;
		goto out;
	}
	cli_print_report(rep, json);
	r = vfctl_report_worst(rep) == VFCTL_SEV_ERROR ? EXIT_FAIL : EXIT_OK;
out:
	vfctl_report_free(rep);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
