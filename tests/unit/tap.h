/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Minimal checks for the unit tier, as TAP: every CHECK is "ok N - cond" or "not ok N - cond" with
 * the detail as a "# " comment; the program ends with the plan "1..N" and "# NAME: N passed, N failed". */
#pragma once

#include <stdio.h>

static int tap_passed, tap_failed;

#define CHECK(cond, ...)                                                                                         \
	do {                                                                                                     \
		if (cond) {                                                                                      \
			tap_passed++;                                                                            \
			printf("ok %d - %s:%d\n", tap_passed + tap_failed, __FILE__, __LINE__);                  \
		} else {                                                                                         \
			tap_failed++;                                                                            \
			printf("not ok %d - %s:%d: %s\n# ", tap_passed + tap_failed, __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                                                                     \
			printf("\n");                                                                            \
		}                                                                                                \
	} while (0)

#define CHECK_EQ_INT(a, b) CHECK((long long)(a) == (long long)(b), "%lld != %lld", (long long)(a), (long long)(b))
#define CHECK_STREQ(a, b) \
	CHECK((a) && (b) && strcmp((a), (b)) == 0, "\"%s\" != \"%s\"", (a) ? (a) : "(null)", (b) ? (b) : "(null)")

static inline int tap_finish(const char *name)
{
	printf("1..%d\n# %s: %d passed, %d failed\n", tap_passed + tap_failed, name, tap_passed, tap_failed);
	return tap_failed || !tap_passed ? 1 : 0;
}
