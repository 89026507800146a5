/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "json-writer.h"

/* --json: each event one line of JSON (JSON Lines), for Ansible, a web page, a test. */
static void print_event(void *userdata, const vfctl_event *e)
{
	static const char *const kinds[] = {"message", "step", "step-done", "unit-done"};
	json_writer w = {.compact = true};
	char *out = NULL;
	(void)userdata;
	json_open_object(&w, NULL);
	json_str(&w, "event", kinds[e->kind]);
	json_str(&w, "unit", e->unit);
	json_str(&w, "text", e->text);
	if (e->kind == VFCTL_EVENT_UNIT_DONE)
		json_str(&w, "outcome", vfctl_unit_outcome_str(e->outcome));
	else if (e->kind != VFCTL_EVENT_MESSAGE) {
		json_int(&w, "step", (int64_t)e->step);
		json_int(&w, "steps", (int64_t)e->n_steps);
		json_str(&w, "action", e->action);
		json_int_or_null(&w, "vf", e->vf);
		json_bool(&w, "undo", e->undo);
	}
	if (e->kind == VFCTL_EVENT_STEP_DONE) {
		json_bool(&w, "ok", e->result >= 0);
		json_str(&w, "errno", e->result < 0 ? strerrorname_np(-e->result) : NULL);
		json_str(&w, "error", e->error);
		json_int(&w, "ms", (int64_t)(e->seconds * 1000 + 0.5));
	}
	json_close_object(&w);
	if (json_finish(&w, &out) >= 0) {
		fputs(out, stdout);
		fflush(stdout);
	}
	free(out);
}

/* --json's last line: how the run ended. */
static void print_result(int exit_code, const char *error, const char *const *errs, size_t n_errs)
{
	json_writer w = {.compact = true};
	char *out = NULL;
	json_open_object(&w, NULL);
	json_str(&w, "event", "result");
	json_bool(&w, "ok", exit_code == EXIT_OK);
	json_int(&w, "exit", exit_code);
	json_str(&w, "error", error);
	json_open_array(&w, "config_errors");
	for (size_t i = 0; i < n_errs; i++)
		json_str(&w, NULL, errs[i]);
	json_close_array(&w);
	json_close_object(&w);
	if (json_finish(&w, &out) >= 0)
		fputs(out, stdout);
	free(out);
}

int cmd_apply(const cli_global *g, int argc, char **argv)
{
	enum { OPT_FORCE = 256, OPT_BOOT, OPT_PRUNE };
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"force", no_argument, NULL, OPT_FORCE},
		{"boot", no_argument, NULL, OPT_BOOT},
		{"json", no_argument, NULL, 'j'},
		{"prune", no_argument, NULL, OPT_PRUNE},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	vfctl_apply_opts ao = VFCTL_OPTS(vfctl_apply_opts, .report = cli_report_line, .cancel = &cli_stop_requested);
	const char *config = NULL;
	bool json = g->json;
	int c;
	while ((c = getopt_long(argc, argv, "c:jh", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			config = optarg;
			break;
		case OPT_FORCE:
			ao.force = true;
			break;
		case OPT_BOOT:
			ao.boot = true;
			break;
		case OPT_PRUNE:
			ao.prune = true;
			break;
		case 'h':
			puts("Usage: vfctl apply [-c FILE|DIR] [--force] [--boot] [--prune] [--json] [DEVICE]");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "vfctl: apply takes at most one DEVICE\n");
		return EXIT_USAGE;
	}
	ao.select = (vfctl_select){argv + optind, optind < argc ? 1 : 0};
	if (json) {
		ao.report = NULL; /* stdout is the event stream; errors still go to stderr */
		ao.event = print_event;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "vfctl: apply changes sysfs and VF settings: root only (try vfctl plan)\n");
		return EXIT_FAIL;
	}

	vfctl_ctx *ctx = NULL;
	vfctl_config *conf = NULL;
	int r = cli_ctx_new(&g->ctx, &ctx);
	if (r < 0) {
		fprintf(stderr, "vfctl: %s\n", ctx ? vfctl_ctx_error(ctx) : strerror(-r));
		vfctl_ctx_free(ctx);
		return EXIT_FAIL;
	}
	/* Parsed here, validated once by apply against the host it scans under the lock. */
	r = cli_load_config(config, ctx, NULL, &conf);
	if (r)
		goto out;
	cli_catch_stop_signals();
	int k = vfctl_apply(ctx, conf, &ao);
	const char *const *errs = NULL;
	size_t n_errs = vfctl_config_errors(conf, &errs);
	/* At boot the sections without errors were applied: say which were not, whatever else failed. */
	for (size_t i = 0; k < 0 && ao.boot && i < n_errs; i++)
		fprintf(stderr, "%s\n", errs[i]);
	if (k == -EINVAL && ao.boot && n_errs) {
		fprintf(stderr, "vfctl: %s\n", vfctl_ctx_error(ctx));
		r = EXIT_USAGE;
	} else if (k == -EINVAL && n_errs)
		r = cli_config_errors(ctx, conf);
	else if (k == -ENXIO) {
		/* At boot a device named by udev may belong to another file set: nothing to do. */
		fprintf(stderr, "vfctl: %s\n", vfctl_ctx_error(ctx));
		r = ao.boot ? EXIT_OK : EXIT_USAGE;
	} else if (k < 0) {
		fprintf(stderr, "vfctl: apply failed: %s\n", vfctl_ctx_error(ctx));
		r = EXIT_FAIL;
	}
	if (json)
		print_result(r, k < 0 ? vfctl_ctx_error(ctx) : NULL, errs, n_errs);
	json = false;
out:
	if (json) /* the configuration could not be read: its errors are on stderr */
		print_result(r, vfctl_ctx_error(ctx), NULL, 0);
	vfctl_config_free(conf);
	vfctl_ctx_free(ctx);
	return r;
}
