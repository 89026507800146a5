/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tc filter dumps: messages laid out as the kernel's tcf_fill_node() and the kernel's fl_dump() write them
 * (a chain's template without a handle, then each filter), decoded by tc_filter_cb. */
#include <arpa/inet.h>
#include <linux/gen_stats.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tc-msg.h"

static struct nlmsghdr *filter(char *buf, uint32_t handle, uint32_t flags, bool stats)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWTFILTER;
	struct tcmsg *t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_ifindex = 5;
	t->tcm_handle = handle;
	t->tcm_info = (7u << 16) | htons(ETH_P_IP);
	mnl_attr_put_strz(nlh, TCA_KIND, "flower");
	mnl_attr_put_u32(nlh, TCA_CHAIN, 3);
	if (!handle)
		return nlh;
	struct nlattr *opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_FLOWER_FLAGS, flags);
	mnl_attr_put_u32(nlh, TCA_FLOWER_IN_HW_COUNT, flags & TCA_CLS_FLAGS_IN_HW ? 1 : 0);
	struct nlattr *acts = mnl_attr_nest_start(nlh, TCA_FLOWER_ACT);
	for (uint16_t i = 1; i <= 2; i++) {
		struct nlattr *act = mnl_attr_nest_start(nlh, i);
		mnl_attr_put_strz(nlh, TCA_ACT_KIND, i == 1 ? "mirred" : "gact");
		if (stats) {
			struct nlattr *st = mnl_attr_nest_start(nlh, TCA_ACT_STATS);
			struct gnet_stats_basic all = {.bytes = 1000 * i, .packets = 10 * i},
						hw = {.bytes = 800, .packets = 8};
			mnl_attr_put(nlh, TCA_STATS_BASIC, sizeof(all), &all);
			mnl_attr_put(nlh, TCA_STATS_BASIC_HW, sizeof(hw), &hw);
			mnl_attr_nest_end(nlh, st);
		}
		mnl_attr_nest_end(nlh, act);
	}
	mnl_attr_nest_end(nlh, acts);
	mnl_attr_nest_end(nlh, opts);
	return nlh;
}

int main(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	tc_filter_list l = {0};
	CHECK_EQ_INT(tc_filter_cb(filter(buf, 0, 0, false), &l), MNL_CB_OK);
	CHECK_EQ_INT(l.n, 0); /* the chain's template: no filter */
	CHECK_EQ_INT(tc_filter_cb(filter(buf, 1, TCA_CLS_FLAGS_IN_HW | TCA_CLS_FLAGS_SKIP_SW, true), &l), MNL_CB_OK);
	CHECK_EQ_INT(tc_filter_cb(filter(buf, 2, TCA_CLS_FLAGS_NOT_IN_HW, false), &l), MNL_CB_OK);
	CHECK_EQ_INT(l.n, 2);
	if (l.n == 2) {
		const tc_filter *f = &l.v[0];
		CHECK(f->pref == 7 && f->protocol == ETH_P_IP && f->handle == 1 && f->chain == 3, "ids");
		CHECK_STREQ(f->kind, "flower");
		CHECK_EQ_INT(f->flags, TCA_CLS_FLAGS_IN_HW | TCA_CLS_FLAGS_SKIP_SW);
		CHECK_EQ_INT(f->in_hw_count, 1);
		CHECK(f->packets == 10 && f->bytes == 1000, "the first action's counters: %lld", (long long)f->packets);
		CHECK(f->hw_packets == 8 && f->hw_bytes == 800, "hardware's share");
		f = &l.v[1];
		CHECK(f->flags == TCA_CLS_FLAGS_NOT_IN_HW && f->in_hw_count == 0, "not in hardware");
		CHECK(f->packets == -1 && f->hw_packets == -1, "no stats: unknown, not 0");
	}
	free(l.v);
	struct nlmsghdr *nlh = tc_filter_dump_msg(buf, 9, 0xFFFFFFF2);
	const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
	CHECK(nlh->nlmsg_type == RTM_GETTFILTER && (nlh->nlmsg_flags & NLM_F_DUMP) && t->tcm_ifindex == 9 &&
		      t->tcm_parent == 0xFFFFFFF2,
	      "dump request");
	return tap_finish("test-tc");
}
