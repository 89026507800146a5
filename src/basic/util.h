/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f)   __attribute__((cleanup(f)))
#define _unused_       __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define ELEMENTSOF(x)  (sizeof(x) / sizeof((x)[0]))

/* Hand ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p)                     \
	({                              \
		__typeof__(p) _p = (p); \
		(p) = NULL;             \
		_p;                     \
	})
#define TAKE_FD(fd)             \
	({                      \
		int _fd = (fd); \
		(fd) = -EBADF;  \
		_fd;            \
	})

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}
static inline bool streq_ptr(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return streq(a, b);
}
static inline bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Grow *array to hold at least need elements; doubling keeps appends amortised O(1). */
int grow_array(void **array, size_t *allocated, size_t need, size_t elem_size);
#define GROW(array, allocated, need) grow_array((void **)&(array), &(allocated), (need), sizeof(*(array)))

char *strdup_or_null(const char *s);
/* Strip trailing whitespace/newlines in place (sysfs values end with '\n'). */
char *strstrip_end(char *s);

/* Calls check every interval_ms until it returns non-zero (positive: done; negative: an error or a
 * stop to hand back), at most timeout_ms by CLOCK_MONOTONIC (the checks' own time counts, an NTP
 * step does not); 0 when time ran out. check runs at least once. */
int poll_until(unsigned timeout_ms, unsigned interval_ms, int (*check)(void *userdata), void *userdata);
