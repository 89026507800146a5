/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One tc filter as RTM_NEWTFILTER reports it (tc -s filter show). */
typedef struct tc_filter {
	uint32_t pref, handle, chain;
	uint16_t protocol;            /* ETH_P_*, host order */
	char kind[16];                /* "flower", "matchall", ... */
	int flags;                    /* TCA_CLS_FLAGS_* (flower, matchall, u32), -1 not reported */
	int in_hw_count;              /* how many devices hold it in hardware, -1 not reported */
	int64_t packets, bytes;       /* its first action's counters, -1 not reported */
	int64_t hw_packets, hw_bytes; /* of those, what the hardware counted, -1 not reported */
} tc_filter;

typedef struct tc_filter_list {
	tc_filter *v;
	size_t n, alloc;
} tc_filter_list;

/* RTM_GETTFILTER dump of the filters under parent (ingress: 0xFFFFFFF2) of ifindex, every chain. */
struct nlmsghdr *tc_filter_dump_msg(char *buf, int ifindex, uint32_t parent);
/* Reply decoder (libmnl callback), data a tc_filter_list: one filter appended per message. */
int tc_filter_cb(const struct nlmsghdr *nlh, void *data);
