/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The length (1..4) of the well-formed UTF-8 character at s, 0 when s starts an invalid sequence
 * (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, a cut sequence). */
size_t utf8_char_len(const char *s);
bool utf8_valid(const char *s);

/* s as one shell word for a command meant to be pasted: unchanged when it holds only characters
 * no shell treats specially, else in single quotes (each ' as '\''). The caller frees. */
char *shell_quote(const char *s);
/* s as a QEMU option value: every ',' doubled (QEMU's own escape). The caller frees. */
char *qemu_escape(const char *s);
/* Text for a file a person reads and another program parses (vfctl.conf comments): every byte
 * that is not well-formed UTF-8 and every control character as \xNN. text_plain: nothing to escape. */
bool text_plain(const char *s);
char *text_escape(const char *s);
