/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Standard output and error through a filter: names from the kernel and values from config files
 * reach the terminal in messages, and a netdev named "\e]0;...\a" or "\e[2J" must not drive it.
 * C0 controls (but newline and tab), DEL and C1 controls are written as \xNN. JSON output already
 * escapes them all, so it passes unchanged. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct safe_out {
	int fd;
	bool lead; /* the last byte was 0xc2, which starts a C1 control (U+0080..U+009F) or a letter */
} safe_out;

static int write_all(int fd, const char *b, size_t n)
{
	while (n) {
		ssize_t k = write(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Bytes that pass unchanged: printable ASCII, newline, tab, and UTF-8 other than a lead 0xc2. */
static bool plain(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || (c >= 0x80 && c != 0xc2);
}

static ssize_t safe_write(void *cookie, const char *buf, size_t n)
{
	safe_out *o = cookie;
	char out[65536];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		/* A run of plain bytes is copied whole (megabytes of JSON are nearly all plain). */
		if (!o->lead && plain(c)) {
			if (len >= sizeof(out) - 16) {
				if (write_all(o->fd, out, len) < 0)
					return 0;
				len = 0;
			}
			size_t k = i;
			while (k < n && plain((unsigned char)buf[k]) && len + (k - i) < sizeof(out) - 16)
				k++;
			memcpy(out + len, buf + i, k - i);
			len += k - i;
			i = k - 1; /* k > i: buf[i] is plain and there is room */
			continue;
		}
		if (len > sizeof(out) - 16) {
			if (write_all(o->fd, out, len) < 0)
				return 0;
			len = 0;
		}
		if (o->lead) {
			o->lead = false;
			if (c >= 0x80 && c <= 0x9f) {
				len += (size_t)snprintf(out + len, 16, "\\xc2\\x%02x", c);
				continue;
			}
			out[len++] = (char)0xc2;
		}
		if (c == 0xc2)
			o->lead = true;
		else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			len += (size_t)snprintf(out + len, 16, "\\x%02x", c);
		else
			out[len++] = (char)c;
	}
	return write_all(o->fd, out, len) < 0 ? 0 : (ssize_t)n;
}

static int safe_close(void *cookie)
{
	safe_out *o = cookie;
	if (o->lead)
		(void)write_all(o->fd, "\xc2", 1);
	return 0;
}

/* The states live as long as the process: the streams are flushed at exit, never closed. */
static safe_out out_state = {.fd = STDOUT_FILENO}, err_state = {.fd = STDERR_FILENO};

static FILE *wrap(FILE *f, safe_out *o, int mode)
{
	cookie_io_functions_t io = {.write = safe_write, .close = safe_close};
	FILE *w = fopencookie(o, "w", io);
	if (!w)
		return f;
	(void)setvbuf(w, NULL, mode, mode == _IOFBF ? 65536 : 0);
	return w;
}

void cli_safe_output(void)
{
	fflush(stdout);
	fflush(stderr);
	stdout = wrap(stdout, &out_state, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
	stderr = wrap(stderr, &err_state, _IOLBF);
}
