/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "kmsg.h"
#include "util.h"

/* The ring buffer is at most 32 MiB (log_buf_len); anything larger is not a kernel log. */
#define KMSG_MAX (32u << 20)

/* A decimal field ending in ',' within [*p, end): the buffer is not NUL-terminated. */
static bool field(const char **p, const char *end, uint64_t *ret)
{
	uint64_t v = 0;
	const char *s = *p;
	if (s >= end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (s >= end || *s != ',')
		return false;
	*p = s + 1;
	*ret = v;
	return true;
}

static int record_head(const char *line, size_t len, kmsg_record *r)
{
	/* "PRI,SEQ,USEC,FLAGS[,more];" — later kernels may add fields before the ';'. */
	const char *semi = memchr(line, ';', len), *p = line;
	uint64_t pri, seq, usec;
	if (!semi || !field(&p, semi, &pri) || !field(&p, semi, &seq) || !field(&p, semi, &usec))
		return -EINVAL;
	r->level = (int)(pri & 7);
	r->seq = seq;
	r->usec = usec;
	r->text = strndup(semi + 1, (size_t)(line + len - semi - 1));
	return r->text ? 0 : -ENOMEM;
}

void kmsg_log_done(kmsg_log *log)
{
	for (size_t i = 0; i < log->n; i++) {
		free(log->records[i].text);
		free(log->records[i].device);
	}
	free(log->records);
	*log = (kmsg_log){0};
}

int kmsg_parse(const char *buf, size_t len, kmsg_log *ret)
{
	kmsg_log log = {0};
	size_t alloc = 0;
	for (size_t pos = 0; pos < len;) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl ? 1 : 0);
		if (n == 0)
			continue;
		if (line[0] == ' ') {
			/* The dictionary of the record above it. */
			kmsg_record *last = log.n ? &log.records[log.n - 1] : NULL;
			if (last && !last->device && n > 8 && strncmp(line + 1, "DEVICE=", 7) == 0 &&
			    !(last->device = strndup(line + 8, n - 8)))
				goto oom;
			continue;
		}
		if (log.n == alloc) {
			size_t na = alloc ? alloc * 2 : 256;
			kmsg_record *nr = realloc(log.records, na * sizeof(*nr));
			if (!nr)
				goto oom;
			log.records = nr;
			alloc = na;
		}
		kmsg_record r = {0};
		int k = record_head(line, n, &r);
		if (k == -ENOMEM)
			goto oom;
		if (k < 0) {
			log.skipped++;
			continue;
		}
		log.records[log.n++] = r;
	}
	*ret = log;
	return 0;
oom:
	kmsg_log_done(&log);
	return -ENOMEM;
}

int kmsg_read(sysfs *s, kmsg_log *ret)
{
	if (!s->kmsg_path)
		return -ENOENT;
	/* Non-blocking: at the end of the ring /dev/kmsg answers EAGAIN instead of waiting for the
	 * next message. Each read of /dev/kmsg returns one whole record; a file reads in chunks. */
	_cleanup_close_ int fd = open(s->kmsg_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(s->err_path, sizeof(s->err_path), "%s", s->kmsg_path);
		return -errno;
	}
	size_t alloc = 64 * 1024, len = 0;
	_cleanup_free_ char *buf = malloc(alloc);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (alloc - len < 8192 + 1) {
			if (alloc >= KMSG_MAX)
				break;
			char *nb = realloc(buf, alloc * 2);
			if (!nb)
				return -ENOMEM;
			buf = nb;
			alloc *= 2;
		}
		ssize_t k = read(fd, buf + len, alloc - len - 1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			/* EPIPE: the ring overwrote the record we were at; the next read goes on with the
			 * oldest one left. */
			if (errno == EPIPE)
				continue;
			if (errno == EAGAIN)
				break;
			snprintf(s->err_path, sizeof(s->err_path), "%s", s->kmsg_path);
			return -errno;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	buf[len] = 0;
	return kmsg_parse(buf, len, ret);
}

const char *kmsg_pci_device(const kmsg_record *rec)
{
	return rec->device && startswith(rec->device, "+pci:") ? rec->device + 5 : NULL;
}
