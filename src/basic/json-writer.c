/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "escape.h"
#include "json-writer.h"
#include "util.h"

static void put(json_writer *w, const char *s, size_t n)
{
	if (w->error)
		return;
	if (w->len + n + 1 > w->alloc) {
		size_t a = w->alloc ? w->alloc : 4096;
		while (w->len + n + 1 > a)
			a *= 2;
		char *b = realloc(w->buf, a);
		if (!b) {
			w->error = -ENOMEM;
			return;
		}
		w->buf = b;
		w->alloc = a;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

static void puts_(json_writer *w, const char *s) { put(w, s, strlen(s)); }

/* Always valid UTF-8 and free of raw control bytes: a name from the kernel may hold any byte but
 * '/' and NUL. A byte that is not UTF-8 becomes \u00XX (its Latin-1 reading), so strict parsers
 * accept the document and nothing is lost. */
static void quoted(json_writer *w, const char *s)
{
	puts_(w, "\"");
	for (const char *p = s; *p;) {
		const char *run = p;
		size_t n;
		while (*p && (unsigned char)*p >= 0x20 && *p != 0x7f && *p != '"' && *p != '\\' && (n = utf8_char_len(p)))
			p += n;
		put(w, run, (size_t)(p - run));
		if (!*p)
			break;
		unsigned char c = (unsigned char)*p++;
		char esc[8];
		switch (c) {
		case '"':
			puts_(w, "\\\"");
			break;
		case '\\':
			puts_(w, "\\\\");
			break;
		case '\n':
			puts_(w, "\\n");
			break;
		case '\t':
			puts_(w, "\\t");
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			puts_(w, esc);
		}
	}
	puts_(w, "\"");
}

/* Comma, newline and indentation before a value, then its key. */
static void lead(json_writer *w, const char *key)
{
	static const char spaces[] = "                                                                ";
	if (w->depth > 0) {
		puts_(w, w->need_comma[w->depth] ? ",\n" : "\n");
		w->need_comma[w->depth] = true;
		size_t n = (size_t)w->depth * 2;
		put(w, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
	}
	if (key) {
		quoted(w, key);
		puts_(w, ": ");
	}
}

static void open_(json_writer *w, const char *key, const char *tok)
{
	lead(w, key);
	puts_(w, tok);
	if (w->depth + 1 >= (int)ELEMENTSOF(w->need_comma)) {
		w->error = -E2BIG;
		return;
	}
	w->need_comma[++w->depth] = false;
}

static void close_(json_writer *w, const char *tok)
{
	static const char spaces[] = "                                                                ";
	bool had = w->need_comma[w->depth];
	w->depth--;
	if (had) {
		puts_(w, "\n");
		size_t n = (size_t)w->depth * 2;
		put(w, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
	}
	puts_(w, tok);
}

void json_open_object(json_writer *w, const char *key) { open_(w, key, "{"); }
void json_close_object(json_writer *w) { close_(w, "}"); }
void json_open_array(json_writer *w, const char *key) { open_(w, key, "["); }
void json_close_array(json_writer *w) { close_(w, "]"); }

void json_string(json_writer *w, const char *key, const char *s)
{
	lead(w, key);
	if (s)
		quoted(w, s);
	else
		puts_(w, "null");
}

void json_int(json_writer *w, const char *key, int64_t v)
{
	char b[24];
	lead(w, key);
	snprintf(b, sizeof(b), "%" PRId64, v);
	puts_(w, b);
}

void json_bool(json_writer *w, const char *key, bool v)
{
	lead(w, key);
	puts_(w, v ? "true" : "false");
}

void json_null(json_writer *w, const char *key)
{
	lead(w, key);
	puts_(w, "null");
}

void json_int_or_null(json_writer *w, const char *key, int64_t v)
{
	if (v < 0)
		json_null(w, key);
	else
		json_int(w, key, v);
}

void json_tristate(json_writer *w, const char *key, int v)
{
	if (v < 0)
		json_null(w, key);
	else
		json_bool(w, key, v);
}

void json_hex(json_writer *w, const char *key, int v, int width)
{
	char b[16];
	if (v < 0) {
		json_null(w, key);
		return;
	}
	snprintf(b, sizeof(b), "%0*x", width, (unsigned)v);
	json_string(w, key, b);
}

int json_finish(json_writer *w, char **ret)
{
	if (!w->error && w->depth != 0)
		w->error = -EINVAL;
	puts_(w, "\n");
	if (w->error) {
		int r = w->error;
		free(w->buf);
		*w = (json_writer){0};
		return r;
	}
	*ret = w->buf;
	*w = (json_writer){0};
	return 0;
}
