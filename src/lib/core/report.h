/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Appends a finding (strings copied; evidence and fix may be NULL). -ENOMEM on failure. */
int report_add(vfctl_report *r, const char *id, vfctl_severity sev, const char *device, const char *summary,
	       const char *evidence, const char *fix);
