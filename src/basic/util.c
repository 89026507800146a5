/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int grow_array(void **array, size_t *allocated, size_t need, size_t elem_size)
{
	if (need <= *allocated)
		return 0;
	size_t n = *allocated ? *allocated * 2 : 8;
	while (n < need)
		n *= 2;
	if (n > SIZE_MAX / elem_size)
		return -ENOMEM;
	void *p = realloc(*array, n * elem_size);
	if (!p)
		return -ENOMEM;
	memset((char *)p + *allocated * elem_size, 0, (n - *allocated) * elem_size);
	*array = p;
	*allocated = n;
	return 0;
}

char *strdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *strstrip_end(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

static uint64_t monotonic_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

int poll_until(unsigned timeout_ms, unsigned interval_ms, int (*check)(void *userdata), void *userdata)
{
	uint64_t deadline = monotonic_ms() + timeout_ms;
	for (;;) {
		int r = check(userdata);
		if (r != 0)
			return r;
		if (monotonic_ms() >= deadline)
			return 0;
		usleep(interval_ms * 1000);
	}
}
