/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Minimal checks for the unit tier: every CHECK counts, the program ends with "N passed, N failed". */
#pragma once

#include <stdio.h>

static int tap_passed, tap_failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond)                                                                          \
			tap_passed++;                                                              \
		else {                                                                             \
			tap_failed++;                                                              \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                     \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

#define CHECK_EQ_INT(a, b) CHECK((long long)(a) == (long long)(b), "%lld != %lld", (long long)(a), (long long)(b))
#define CHECK_STREQ(a, b)                                                                          \
	CHECK((a) && (b) && strcmp((a), (b)) == 0, "\"%s\" != \"%s\"", (a) ? (a) : "(null)",        \
	      (b) ? (b) : "(null)")

static inline int tap_finish(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, tap_passed, tap_failed);
	return tap_failed || !tap_passed ? 1 : 0;
}
