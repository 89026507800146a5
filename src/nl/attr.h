/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Reading attributes of a reply only after checking them: a string must end in its NUL, a number
 * must have its size. libmnl's getters read whatever is there, and an attribute cut short (a
 * kernel bug, a tampered fake) made devlink_port_cb read past the message (found by tests/fuzz). */

/* Copies a NUL-terminated string attribute into buf; false, buf untouched, when a is not one. */
static inline bool attr_str(const struct nlattr *a, char *buf, size_t n)
{
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return false;
	snprintf(buf, n, "%s", mnl_attr_get_str(a));
	return true;
}

/* The attribute as an unsigned number of type t (MNL_TYPE_U8 .. U64); dflt when it is too short. */
static inline int64_t attr_uint(const struct nlattr *a, enum mnl_attr_data_type t, int64_t dflt)
{
	if (mnl_attr_validate(a, t) < 0)
		return dflt;
	switch (t) {
	case MNL_TYPE_U8:
		return mnl_attr_get_u8(a);
	case MNL_TYPE_U16:
		return mnl_attr_get_u16(a);
	case MNL_TYPE_U32:
		return mnl_attr_get_u32(a);
	default:
		return (int64_t)mnl_attr_get_u64(a);
	}
}
