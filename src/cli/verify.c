/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void progress(void *userdata, const char *line)
{
	(void)userdata;
	fprintf(stderr, "%s\n", line);
}

/* "eth1 (vf 0)" or "eth0 (PF)": the netdev an admin knows, and what it is. */
static void port_name(char *buf, size_t n, const char *netdev, const char *label)
{
	const char *vf = strstr(label, " vf ");
	snprintf(buf, n, "%s (%s)", netdev, vf ? vf + 1 : "PF");
}

static void print_result(const vfctl_verify_result *v)
{
	if (v->n_drift == 0)
		printf("configuration: the host matches it\n");
	else
		printf("configuration: %zu difference%s (vfctl apply would make these changes)\n", v->n_drift,
		       v->n_drift == 1 ? "" : "s");
	for (size_t i = 0; i < v->n_drift; i++) {
		const vfctl_drift *d = &v->drift[i];
		if (d->vf >= 0)
			printf("  DRIFT %-14s %s vf %d\n", d->knob, d->device ? d->device : "", d->vf);
		else
			printf("  DRIFT %-14s %s\n", d->knob, d->device ? d->device : "");
		if (d->have)
			printf("        host: %s\n", d->have);
		printf("        want: %s\n", d->want);
	}
	for (size_t i = 0; i < v->n_notes; i++)
		printf("  note: %s\n", v->notes[i]);
	if (!v->datapath)
		return;
	size_t bad = 0;
	for (size_t i = 0; i < v->n_checks; i++)
		bad += !v->checks[i].ok;
	printf("\ndatapath: %zu test frame%s, %zu as the configuration implies, %zu not\n", v->n_checks,
	       v->n_checks == 1 ? "" : "s", v->n_checks - bad, bad);
	if (v->n_checks)
		printf("  %-4s  %-10s  %-16s    %-16s  %-4s  %-10s  %s\n", "", "CHECK", "FROM", "TO", "VLAN",
		       "EXPECTED", "SEEN");
	for (size_t i = 0; i < v->n_checks; i++) {
		const vfctl_datapath_check *c = &v->checks[i];
		char from[64], to[64], seen[128] = "nowhere";
		port_name(from, sizeof(from), c->from_netdev, c->from);
		port_name(to, sizeof(to), c->to_netdev, c->to);
		size_t n = 0;
		for (size_t k = 0; k < c->n_seen && n < sizeof(seen); k++)
			n += (size_t)snprintf(seen + n, sizeof(seen) - n, "%s%s", k ? "," : "at ", c->seen[k]);
		char exp[40];
		snprintf(exp, sizeof(exp), c->expected ? "at %s" : "nowhere", c->to_netdev);
		printf("  %-4s  %-10s  %-16s -> %-16s  %-4d  %-10s  %s\n", c->ok ? "ok" : "FAIL", c->kind, from, to,
		       c->vlan, exp, seen);
		if (!c->ok)
			printf("        sent: %s\n        why:  %s\n", c->sent, c->hint ? c->hint : "?");
	}
	for (size_t i = 0; i < v->n_skipped; i++)
		printf("  skipped %s: %s\n", v->skipped[i].device, v->skipped[i].why);
}

int cmd_verify(const cli_global *g, int argc, char **argv)
{
	enum { OPT_WAIT = 256 };
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"config", required_argument, NULL, 'c'},
		{"datapath", no_argument, NULL, 'd'},
		{"force", no_argument, NULL, 'f'},
		{"wait", required_argument, NULL, OPT_WAIT},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	const char *config = NULL;
	bool json = g->json;
	vfctl_verify_opts o = VFCTL_OPTS(vfctl_verify_opts, .report = progress, .cancel = &cli_stop_requested);
	int c;
	while ((c = getopt_long(argc, argv, "jc:dfh", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			config = optarg;
			break;
		case 'd':
			o.datapath = true;
			break;
		case 'f':
			o.force = true;
			break;
		case OPT_WAIT: {
			char *end;
			long ms = strtol(optarg, &end, 10);
			if (*end || ms < 10 || ms > 60000) {
				fprintf(stderr, "vfctl: --wait %s: milliseconds, 10 to 60000\n", optarg);
				return EXIT_USAGE;
			}
			o.wait_ms = (int)ms;
			break;
		}
		case 'h':
			puts("Usage: vfctl verify [--json] [-c FILE|DIR] [--datapath [--force] [--wait MS]] "
			     "[DEVICE...]");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	vfctl_ctx *ctx;
	vfctl_host *h;
	vfctl_config *conf = NULL;
	vfctl_verify_result *v = NULL;
	vfctl_select sel;
	/* The units the DEVICE arguments name: cli_scan_select checks that each names something here. */
	int r = cli_scan_select(g, argv + optind, argc - optind, &ctx, &h, &sel);
	if (r)
		return r;
	if ((r = cli_load_config(config, ctx, h, &conf)))
		goto out;
	o.select = sel;
	cli_catch_stop_signals();
	if (vfctl_verify(ctx, conf, h, &o, &v) < 0) {
		fprintf(stderr, "vfctl: %s\n", vfctl_ctx_error(ctx));
		r = EXIT_FAIL;
		goto out;
	}
	if (json) {
		char *s;
		if (vfctl_verify_json(v, &s) < 0) {
			r = EXIT_FAIL;
			goto out;
		}
		fputs(s, stdout);
		free(s);
	} else
		print_result(v);
	r = vfctl_verify_ok(v) ? EXIT_OK : EXIT_FAIL;
out:
	vfctl_verify_free(v);
	vfctl_config_free(conf);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
