/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 (Aumasson and Bernstein): a keyed hash whose output says nothing of the key, so a
 * value derived from a secret (the machine id) can be shown without revealing it. */
uint64_t siphash24(const void *in, size_t len, const uint8_t key[16]);
