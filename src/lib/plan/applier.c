/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every part of an apply run uses: its report line. */
#include <stdarg.h>
#include <stdio.h>

#include "applier.h"
#include "report.h"

void applier_say(applier *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_linev(a->o->report, a->o->userdata, fmt, ap);
	va_end(ap);
}
