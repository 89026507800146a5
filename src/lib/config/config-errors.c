/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration's errors, each "FILE:LINE: message", as the parser, the key table and
 * validation find them. */
#include <stdarg.h>
#include <stdio.h>

#include "config.h"

int config_error(vfctl_config *c, conf_loc loc, const char *fmt, ...)
{
	char *msg = NULL, *line = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (loc.line)
		r = asprintf(&line, "%s:%u: %s", loc.file, loc.line, msg);
	else
		r = asprintf(&line, "%s: %s", loc.file ? loc.file : "vfctl", msg);
	free(msg);
	if (r < 0)
		return -ENOMEM;
	char **n = realloc(c->errors, (c->n_errors + 1) * sizeof(*n));
	if (!n) {
		free(line);
		return -ENOMEM;
	}
	c->errors = n;
	c->errors[c->n_errors++] = line;
	return 0;
}
