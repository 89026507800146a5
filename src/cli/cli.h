/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "util.h"

#include "vfctl/vfctl.h"

/* Exit codes: 0 fine, 1 a runtime failure (or doctor found an error), 2 usage or unknown device. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef struct cli_global {
	vfctl_ctx_opts ctx;
	bool json;
} cli_global;

int cmd_status(const cli_global *g, int argc, char **argv);
int cmd_doctor(const cli_global *g, int argc, char **argv);
int cmd_plan(const cli_global *g, int argc, char **argv);
int cmd_apply(const cli_global *g, int argc, char **argv);
int cmd_bind(const cli_global *g, int argc, char **argv); /* bind, unbind, restore */
int cmd_vfio_check(const cli_global *g, int argc, char **argv);
int cmd_emit(const cli_global *g, int argc, char **argv);
int cmd_eswitch(const cli_global *g, int argc, char **argv);
int cmd_vdpa(const cli_global *g, int argc, char **argv);
int cmd_export(const cli_global *g, int argc, char **argv);
int cmd_verify(const cli_global *g, int argc, char **argv);
int cmd_metrics(const cli_global *g, int argc, char **argv);
/* doctor's and vfio-check's output: text wrapped at 80 columns, or JSON. */
void cli_print_report(const vfctl_report *rep, bool json);
/* Loads and, unless h is NULL, validates; prints every error as FILE:LINE: message and returns 2
 * on any. */
int cli_load_config(const char *path, vfctl_ctx *ctx, const vfctl_host *h, vfctl_config **ret);
/* Prints a configuration's errors (or the context's) and returns 2. */
int cli_config_errors(vfctl_ctx *ctx, const vfctl_config *c);

/* Opens the context and scans the host; prints the error and returns non-zero on failure. */
/* vfctl_ctx_new, or in a test build the same with a fake kernel behind it (tests/fakekernel). */
int cli_ctx_new(const vfctl_ctx_opts *opts, vfctl_ctx **ret);
int cli_scan(const cli_global *g, vfctl_ctx **ret_ctx, vfctl_host **ret_host);
/* cli_scan, cli_select on args and the not-root warning: what read commands start with. */
int cli_scan_select(const cli_global *g, char **args, int n, vfctl_ctx **ret_ctx, vfctl_host **ret_host,
		    vfctl_select *ret_sel);
/* The devices args name, as the library takes them (every device when none); exit code 2 with a
 * message on one that names nothing here. */
int cli_select(const vfctl_host *h, char **args, int n, vfctl_select *ret);
/* "0000:01:00.0" → "01:00.0", as lspci shows domain 0. */
const char *cli_short_addr(const char *id);
void cli_warn_not_root(const vfctl_host *h);
/* The report callback of apply, bind and friends: one line, flushed. */
void cli_report_line(void *userdata, const char *line);
/* The stop signals set cli_stop_requested (a vfctl_*_opts.cancel). */
extern volatile sig_atomic_t cli_stop_requested;
void cli_catch_stop_signals(void);
/* stdout and stderr from here on neutralise terminal control bytes (safe-output.c). */
void cli_safe_output(void);
/* DIR/NAME written whole (a temporary file in DIR, fsync, rename), mode 0644: readers never see
 * half a file. Prints the error; -errno. */
int cli_write_file(const char *dir, const char *name, const char *text);
/* Applies a configuration a command line built (vfctl_config_new/_set; built: the first error
 * they returned, 0 for none) and frees it: exit code. */
int cli_apply_built(vfctl_ctx *ctx, vfctl_config *conf, int built, bool force);
