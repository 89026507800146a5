/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void strbuf_add(strbuf *b, const char *fmt, ...)
{
	char *part = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&part, fmt, ap);
	va_end(ap);
	char *ns = n < 0 || b->error ? NULL : realloc(b->s, b->len + (size_t)n + 1);
	if (!ns) {
		b->error = b->error ? b->error : -ENOMEM;
		free(part);
		return;
	}
	memcpy(ns + b->len, part, (size_t)n + 1);
	b->s = ns;
	b->len += (size_t)n;
	free(part);
}
