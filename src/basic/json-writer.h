/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A streaming JSON writer into a growable buffer: no tree is built, so emitting 2,000 devices
 * costs one pass and one buffer. key is NULL inside arrays. Errors (ENOMEM, nesting too deep)
 * are sticky and reported once by json_finish(). No name here may be one of jansson's (json_string,
 * json_null): the library links jansson for OVSDB, and a same-named function of ours would be
 * called in its place. */
typedef struct json_writer {
	char *buf;
	size_t len, alloc;
	int depth;
	bool need_comma[32];
	int error;
	bool compact; /* one line (JSON Lines: an event stream), else indented */
} json_writer;

void json_open_object(json_writer *w, const char *key);
void json_close_object(json_writer *w);
void json_open_array(json_writer *w, const char *key);
void json_close_array(json_writer *w);
void json_str(json_writer *w, const char *key, const char *s); /* NULL → null */
void json_int(json_writer *w, const char *key, int64_t v);
void json_bool(json_writer *w, const char *key, bool v);
void json_put_null(json_writer *w, const char *key);
/* Conventions of the vfctl snapshot: negative means unknown → null. */
void json_int_or_null(json_writer *w, const char *key, int64_t v);
void json_tristate(json_writer *w, const char *key, int v);       /* -1 null, 0 false, else true */
void json_hex(json_writer *w, const char *key, int v, int width); /* "15b3"; negative → null */

/* Hands the document (NUL-terminated, with a final newline) to *ret. */
int json_finish(json_writer *w, char **ret);
