/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What leaves vfctl as text another program reads: UTF-8 for JSON and terminals, shell words for
 * pasted commands, QEMU option values. Names come from the kernel and config files, and a netdev
 * name may hold almost any byte ('$', ';', '`', quotes): none may change what a command does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

size_t utf8_char_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool utf8_valid(const char *s)
{
	for (size_t n; *s; s += n)
		if (!(n = utf8_char_len(s)))
			return false;
	return true;
}

char *shell_quote(const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-";
	if (*s && strspn(s, safe) == strlen(s))
		return strdup(s);
	size_t n = 3;
	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	char *q = malloc(n), *o = q;
	if (!q)
		return NULL;
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else
			*o++ = *p;
	}
	*o++ = '\'';
	*o = 0;
	return q;
}

char *qemu_escape(const char *s)
{
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',' ? 2 : 1;
	char *q = malloc(n), *o = q;
	if (!q)
		return NULL;
	for (const char *p = s; *p; p++) {
		*o++ = *p;
		if (*p == ',')
			*o++ = ',';
	}
	*o = 0;
	return q;
}

/* A control character of either set: C0, DEL, or C1 (U+0080..U+009F, which some terminals obey). */
static bool control_at(const unsigned char *s, size_t n)
{
	return (n == 1 && (s[0] < 0x20 || s[0] == 0x7f)) || (n == 2 && s[0] == 0xc2 && s[1] <= 0x9f);
}

bool text_plain(const char *s)
{
	for (size_t n; *s; s += n)
		if (!(n = utf8_char_len(s)) || control_at((const unsigned char *)s, n))
			return false;
	return true;
}

char *text_escape(const char *s)
{
	char *q = malloc(strlen(s) * 8 + 1), *o = q;
	if (!q)
		return NULL;
	for (size_t n; *s; s += n) {
		n = utf8_char_len(s);
		if (n && !control_at((const unsigned char *)s, n)) {
			memcpy(o, s, n);
			o += n;
			continue;
		}
		for (size_t i = 0; i < (n ? n : 1); i++)
			o += sprintf(o, "\\x%02x", (unsigned char)s[i]);
		n = n ? n : 1;
	}
	*o = 0;
	return q;
}
