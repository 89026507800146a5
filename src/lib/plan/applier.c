/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every part of an apply run uses: its report line. */
#include <stdarg.h>
#include <stdio.h>

#include "applier.h"

void applier_say(applier *a, const char *fmt, ...)
{
	char *line = NULL;
	va_list ap;
	if (!a->o->report)
		return;
	va_start(ap, fmt);
	int r = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (r >= 0)
		a->o->report(a->o->userdata, line);
	free(line);
}
