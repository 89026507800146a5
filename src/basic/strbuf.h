/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "util.h"

/* A growing string for texts built piece by piece (doctor's evidence, emitted configurations).
 * The first allocation failure sticks in error (-ENOMEM) and later appends do nothing, so a
 * builder checks once at the end. The caller frees s. */
typedef struct strbuf {
	char *s;
	size_t len;
	int error;
} strbuf;

void strbuf_add(strbuf *b, const char *fmt, ...) _printf_(2, 3);
