/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>

#include "ctx.h"

/* Progress lines: the library never prints, it hands each line to the caller's callback. */
typedef void (*report_fn)(void *userdata, const char *line);
/* Formats one line and hands it to cb (nothing when cb is NULL). */
void report_linev(report_fn cb, void *userdata, const char *fmt, va_list ap) _printf_(3, 0);

/* Appends a finding (strings copied; evidence and fix may be NULL). -ENOMEM on failure. */
int report_add(vfctl_report *r, const char *id, vfctl_severity sev, const char *device, const char *summary,
	       const char *evidence, const char *fix);
