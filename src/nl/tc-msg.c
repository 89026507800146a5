/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tc filters over rtnetlink (what tc -s filter show reads): requests and reply decoders, without
 * sockets. */
#include <arpa/inet.h>
#include <linux/gen_stats.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "attr.h"
#include "tc-msg.h"
#include "util.h"

struct nlmsghdr *tc_filter_dump_msg(char *buf, int ifindex, uint32_t parent)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	struct tcmsg *t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = parent;
	return nlh;
}

/* An action's TCA_ACT_STATS: all packets (TCA_STATS_BASIC, or TCA_STATS_PKT64 where the count
 * outgrew 32 bits) and the hardware's share (TCA_STATS_BASIC_HW). */
static void action_stats(const struct nlattr *stats, tc_filter *f)
{
	const struct nlattr *a;
	mnl_attr_for_each_nested (a, stats) {
		/* Copied out: the kernel pads the attribute to 8 bytes (TCA_STATS_PAD), a reply cut or
		 * crafted otherwise need not be (the fuzzer's misaligned u64). */
		struct gnet_stats_basic b;
		bool basic = mnl_attr_get_payload_len(a) >= sizeof(b);
		if (basic)
			memcpy(&b, mnl_attr_get_payload(a), sizeof(b));
		switch (mnl_attr_get_type(a)) {
		case TCA_STATS_BASIC:
			if (basic) {
				f->bytes = (int64_t)b.bytes;
				if (f->packets < 0)
					f->packets = b.packets;
			}
			break;
		case TCA_STATS_PKT64:
			f->packets = (int64_t)attr_uint(a, MNL_TYPE_U64, (uint64_t)f->packets);
			break;
		case TCA_STATS_BASIC_HW:
			if (basic) {
				f->hw_bytes = (int64_t)b.bytes;
				f->hw_packets = b.packets;
			}
			break;
		}
	}
}

/* The first action of a filter's action list (TCA_FLOWER_ACT and its kin: nests 1..N). */
static void first_action(const struct nlattr *list, tc_filter *f)
{
	const struct nlattr *act, *a;
	mnl_attr_for_each_nested (act, list) {
		mnl_attr_for_each_nested (a, act)
			if (mnl_attr_get_type(a) == TCA_ACT_STATS)
				action_stats(a, f);
		return;
	}
}

/* Flower's options; other classifiers keep their flags and stats where flower has them too. */
static void flower_options(const struct nlattr *opts, tc_filter *f)
{
	const struct nlattr *a;
	mnl_attr_for_each_nested (a, opts) {
		switch (mnl_attr_get_type(a)) {
		case TCA_FLOWER_FLAGS:
			f->flags = (int)attr_uint(a, MNL_TYPE_U32, 0);
			break;
		case TCA_FLOWER_IN_HW_COUNT:
			f->in_hw_count = (int)attr_uint(a, MNL_TYPE_U32, 0);
			break;
		case TCA_FLOWER_ACT:
			first_action(a, f);
			break;
		}
	}
}

int tc_filter_cb(const struct nlmsghdr *nlh, void *data)
{
	tc_filter_list *l = data;
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *opts = NULL;
	if (nlh->nlmsg_type != RTM_NEWTFILTER || mnl_nlmsg_get_payload_len(nlh) < sizeof(*t))
		return MNL_CB_OK;
	tc_filter f = {.pref = t->tcm_info >> 16,
		       .protocol = ntohs((uint16_t)(t->tcm_info & 0xffff)),
		       .handle = t->tcm_handle,
		       .flags = -1,
		       .in_hw_count = -1,
		       .packets = -1,
		       .bytes = -1,
		       .hw_packets = -1,
		       .hw_bytes = -1};
	mnl_attr_for_each (a, nlh, sizeof(*t)) {
		switch (mnl_attr_get_type(a)) {
		case TCA_KIND:
			(void)attr_str(a, f.kind, sizeof(f.kind));
			break;
		case TCA_CHAIN:
			f.chain = (uint32_t)attr_uint(a, MNL_TYPE_U32, 0);
			break;
		case TCA_OPTIONS:
			opts = a;
			break;
		}
	}
	/* A dump lists each chain's classifier once without a handle (its template): not a filter. */
	if (!f.handle)
		return MNL_CB_OK;
	if (opts && strcmp(f.kind, "flower") == 0)
		flower_options(opts, &f);
	if (GROW(l->v, l->alloc, l->n + 1) < 0)
		return MNL_CB_ERROR;
	l->v[l->n++] = f;
	return MNL_CB_OK;
}
