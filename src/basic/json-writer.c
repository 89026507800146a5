/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "escape.h"
#include "json-writer.h"
#include "util.h"

/* Grows the buffer by doubling: 2,000 devices make a few megabytes, written in one pass. The
 * terminating NUL is added by json_finish(). */
static bool grow(json_writer *w, size_t n)
{
	if (w->error)
		return false;
	if (w->len + n + 1 <= w->alloc)
		return true;
	size_t a = w->alloc ? w->alloc : 4096;
	while (w->len + n + 1 > a)
		a *= 2;
	char *b = realloc(w->buf, a);
	if (!b) {
		w->error = -ENOMEM;
		return false;
	}
	w->buf = b;
	w->alloc = a;
	return true;
}

static void put(json_writer *w, const char *s, size_t n)
{
	if (!grow(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void puts_(json_writer *w, const char *s)
{
	put(w, s, strlen(s));
}

static bool plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* Always valid UTF-8 and free of raw control bytes: a name from the kernel may hold any byte but
 * '/' and NUL. A byte that is not UTF-8 becomes \u00XX (its Latin-1 reading), so strict parsers
 * accept the document and nothing is lost. */
static void quoted(json_writer *w, const char *s)
{
	puts_(w, "\"");
	for (const char *p = s; *p;) {
		const char *run = p;
		size_t n;
		for (;;) {
			if (plain_ascii((unsigned char)*p))
				p++;
			else if ((unsigned char)*p >= 0x80 && (n = utf8_char_len(p)))
				p += n;
			else
				break;
		}
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
	if (w->depth > 0 && w->compact) {
		puts_(w, w->need_comma[w->depth] ? ", " : "");
		w->need_comma[w->depth] = true;
	} else if (w->depth > 0) {
		puts_(w, w->need_comma[w->depth] ? ",\n" : "\n");
		w->need_comma[w->depth] = true;
		size_t n = (size_t)w->depth * 2;
		put(w, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
	}
	/* Keys are the library's own literals: nothing in them to escape. */
	if (key) {
		size_t n = strlen(key);
		if (grow(w, n + 4)) {
			char *b = w->buf + w->len;
			b[0] = '"';
			memcpy(b + 1, key, n);
			memcpy(b + 1 + n, "\": ", 3);
			w->len += n + 4;
		}
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
	if (had && !w->compact) {
		puts_(w, "\n");
		size_t n = (size_t)w->depth * 2;
		put(w, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
	}
	puts_(w, tok);
}

void json_open_object(json_writer *w, const char *key)
{
	open_(w, key, "{");
}
void json_close_object(json_writer *w)
{
	close_(w, "}");
}
void json_open_array(json_writer *w, const char *key)
{
	open_(w, key, "[");
}
void json_close_array(json_writer *w)
{
	close_(w, "]");
}

void json_str(json_writer *w, const char *key, const char *s)
{
	lead(w, key);
	if (s)
		quoted(w, s);
	else
		puts_(w, "null");
}

void json_int(json_writer *w, const char *key, int64_t v)
{
	char b[24], *e = b + sizeof(b), *p = e;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	lead(w, key);
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(e - p));
}

void json_bool(json_writer *w, const char *key, bool v)
{
	lead(w, key);
	puts_(w, v ? "true" : "false");
}

void json_put_null(json_writer *w, const char *key)
{
	lead(w, key);
	puts_(w, "null");
}

void json_int_or_null(json_writer *w, const char *key, int64_t v)
{
	if (v < 0)
		json_put_null(w, key);
	else
		json_int(w, key, v);
}

void json_tristate(json_writer *w, const char *key, int v)
{
	if (v < 0)
		json_put_null(w, key);
	else
		json_bool(w, key, v);
}

void json_hex(json_writer *w, const char *key, int v, int width)
{
	static const char digits[] = "0123456789abcdef";
	char b[16], *e = b + sizeof(b) - 1, *p = e;
	if (v < 0) {
		json_put_null(w, key);
		return;
	}
	*e = '"';
	unsigned u = (unsigned)v;
	do
		*--p = digits[u & 15];
	while ((u >>= 4) && p > b + 1);
	while (e - p < width && p > b + 1)
		*--p = '0';
	*--p = '"';
	lead(w, key);
	put(w, p, (size_t)(e - p + 1));
}

int json_finish(json_writer *w, char **ret)
{
	if (!w->error && w->depth != 0)
		w->error = -EINVAL;
	put(w, "\n", 1);
	if (!w->error)
		w->buf[w->len] = 0; /* grow() always leaves room for it */
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
