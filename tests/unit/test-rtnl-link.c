/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rtnetlink VF info: messages encoded the way the kernel's rtnl_fill_vfinfo() lays them out,
 * decoded by link_vf_decode(). */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "nl.h"
#include "rtnl-link.h"
#include "tap.h"

static void put_vf(struct nlmsghdr *nlh, uint32_t vf, bool stats)
{
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
	struct ifla_vf_mac mac = {.vf = vf, .mac = {0x02, 0, 0, 0, (uint8_t)(vf >> 8), (uint8_t)vf}};
	struct ifla_vf_vlan vlan = {.vf = vf, .vlan = vf % 4095, .qos = vf % 8};
	struct ifla_vf_vlan_info vi = {
		.vf = vf, .vlan = vf % 4095, .qos = vf % 8, .vlan_proto = htons(vf % 2 ? 0x88a8 : 0x8100)};
	struct ifla_vf_tx_rate txr = {.vf = vf, .rate = 1000};
	struct ifla_vf_rate rate = {.vf = vf, .min_tx_rate = vf, .max_tx_rate = 1000 + vf};
	struct ifla_vf_spoofchk sp = {.vf = vf, .setting = vf % 3 == 2 ? UINT32_MAX : vf % 2};
	struct ifla_vf_link_state ls = {.vf = vf, .link_state = vf % 3};
	struct ifla_vf_rss_query_en rss = {.vf = vf, .setting = UINT32_MAX};
	struct ifla_vf_trust tr = {.vf = vf, .setting = 1};

	mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(mac), &mac);
	mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(vlan), &vlan);
	struct nlattr *vl = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
	mnl_attr_put(nlh, IFLA_VF_VLAN_INFO, sizeof(vi), &vi);
	mnl_attr_nest_end(nlh, vl);
	mnl_attr_put(nlh, IFLA_VF_TX_RATE, sizeof(txr), &txr);
	mnl_attr_put(nlh, IFLA_VF_RATE, sizeof(rate), &rate);
	mnl_attr_put(nlh, IFLA_VF_SPOOFCHK, sizeof(sp), &sp);
	mnl_attr_put(nlh, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
	mnl_attr_put(nlh, IFLA_VF_RSS_QUERY_EN, sizeof(rss), &rss);
	mnl_attr_put(nlh, IFLA_VF_TRUST, sizeof(tr), &tr);
	mnl_attr_put_u32(nlh, 200, 7); /* an attribute from a future kernel */
	if (stats) {
		struct nlattr *st = mnl_attr_nest_start(nlh, IFLA_VF_STATS);
		for (int i = IFLA_VF_STATS_RX_PACKETS; i <= IFLA_VF_STATS_TX_DROPPED; i++)
			if (i != IFLA_VF_STATS_PAD)
				mnl_attr_put_u64(nlh, (uint16_t)i, 1000u * vf + (unsigned)i);
		mnl_attr_nest_end(nlh, st);
	}
	mnl_attr_nest_end(nlh, info);
}

/* num_vf announced, listed entries, stats on; the kernel's nla_nest_end() stores the length in
 * 16 bits, and so does libmnl's: past 64 KiB it wraps exactly as on a real host. */
static struct nlmsghdr *build(char *buf, uint32_t num_vf, uint32_t listed, bool stats)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 7;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth3");
	uint8_t addr[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, addr);
	struct rtnl_link_stats64 st = {.rx_packets = 11,
				       .tx_packets = 22,
				       .rx_bytes = 33,
				       .tx_bytes = 44,
				       .multicast = 55,
				       .rx_dropped = 66,
				       .tx_dropped = 77};
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(st), &st);
	mnl_attr_put_u32(nlh, IFLA_NUM_VF, num_vf);
	struct nlattr *list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
	for (uint32_t i = 0; i < listed; i++)
		put_vf(nlh, i, stats);
	mnl_attr_nest_end(nlh, list);
	uint8_t perm[6] = {0xb8, 0x59, 0x9f, 0xa0, 0, 0x11};
	mnl_attr_put(nlh, IFLA_PERM_ADDRESS, 6, perm);
	return nlh;
}

static void test_roundtrip(void)
{
	static char buf[1 << 20];
	link_info li;
	struct nlmsghdr *nlh = build(buf, 4, 4, false);

	CHECK(link_vf_decode(nlh, &li) == 0, "decode");
	CHECK_EQ_INT(li.ifindex, 7);
	CHECK_STREQ(li.ifname, "eth3");
	CHECK_STREQ(li.perm_mac, "b8:59:9f:a0:00:11");
	CHECK_EQ_INT(li.num_vf, 4);
	CHECK_EQ_INT(li.n_listed, 4);
	CHECK(!li.len_wrapped, "no wrap");
	const vfctl_vf_settings *v = &li.vfs[3];
	CHECK(v->valid, "valid");
	CHECK_STREQ(v->mac, "02:00:00:00:00:03");
	CHECK_EQ_INT(v->vlan, 3);
	CHECK_EQ_INT(v->qos, 3);
	CHECK_EQ_INT(v->vlan_proto, 0x88a8);
	CHECK_EQ_INT(li.vfs[2].vlan_proto, 0x8100);
	CHECK_EQ_INT(v->min_tx_rate, 3);
	CHECK_EQ_INT(v->max_tx_rate, 1003);
	CHECK_EQ_INT(v->spoofchk, 1);
	CHECK_EQ_INT(li.vfs[2].spoofchk, -1); /* (u32)-1: the driver does not report it */
	CHECK_EQ_INT(v->link_state, 0);
	CHECK_EQ_INT(li.vfs[2].link_state, 2);
	CHECK_EQ_INT(v->rss_query, -1);
	CHECK_EQ_INT(v->trust, 1);
	const vfctl_counters *c = &li.stats;
	CHECK(c->valid && c->rx_packets == 11 && c->tx_packets == 22 && c->rx_bytes == 33 && c->tx_bytes == 44 &&
		      c->rx_multicast == 55 && c->rx_dropped == 66 && c->tx_dropped == 77 && c->rx_broadcast == -1,
	      "IFLA_STATS64 decoded (a netdev counts no broadcasts)");
	link_info_done(&li);
}

static void test_wrapped_list(void)
{
	static char buf[1 << 20];
	link_info li;
	/* 300 VFs with stats: ~100 KB of list, more than a 16-bit nest length holds. */
	struct nlmsghdr *nlh = build(buf, 300, 300, true);
	const struct nlattr *a;
	size_t list_len = 0;
	mnl_attr_for_each (a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) == IFLA_VFINFO_LIST)
			list_len = a->nla_len;
	CHECK(nlh->nlmsg_len > 65535 && list_len < nlh->nlmsg_len - 65535, "the nest length wrapped (%zu)", list_len);

	CHECK(link_vf_decode(nlh, &li) == 0, "decode");
	CHECK_EQ_INT(li.n_listed, 300);
	CHECK(li.len_wrapped, "wrap detected");
	bool all = true;
	for (int i = 0; i < 300; i++) {
		char want[18];
		snprintf(want, sizeof(want), "02:00:00:00:%02x:%02x", i >> 8, i & 0xff);
		if (!li.vfs[i].valid || strcmp(li.vfs[i].mac, want) != 0 || li.vfs[i].max_tx_rate != 1000 + i)
			all = false;
	}
	CHECK(all, "all 300 VFs decoded with their own settings");
	bool stats = true;
	for (int i = 0; i < 300; i++) {
		const vfctl_counters *c = &li.vf_stats[i];
		int64_t b = 1000 * (int64_t)i;
		if (!c->valid || c->rx_packets != b + IFLA_VF_STATS_RX_PACKETS ||
		    c->tx_bytes != b + IFLA_VF_STATS_TX_BYTES || c->rx_broadcast != b + IFLA_VF_STATS_BROADCAST ||
		    c->rx_multicast != b + IFLA_VF_STATS_MULTICAST || c->rx_dropped != b + IFLA_VF_STATS_RX_DROPPED ||
		    c->tx_dropped != b + IFLA_VF_STATS_TX_DROPPED)
			stats = false;
	}
	CHECK(stats, "all 300 VFs' IFLA_VF_STATS decoded, each its own");
	CHECK_STREQ(li.perm_mac, "b8:59:9f:a0:00:11"); /* the attribute after the list is found again */
	link_info_done(&li);

	/* Without stats (RTEXT_FILTER_SKIP_STATS) the same 300 VFs fit. */
	nlh = build(buf, 300, 300, false);
	CHECK(link_vf_decode(nlh, &li) == 0 && li.n_listed == 300 && !li.len_wrapped, "300 VFs fit without stats");
	CHECK(!li.vf_stats[0].valid && li.vf_stats[0].rx_packets == -1, "no stats sent: none made up");
	link_info_done(&li);
}

static void test_truncated(void)
{
	static char buf[1 << 16];
	link_info li;
	/* The kernel announces 5 VFs but lists 3: the rest stay marked unknown. */
	struct nlmsghdr *nlh = build(buf, 5, 3, false);
	CHECK(link_vf_decode(nlh, &li) == 0, "decode");
	CHECK_EQ_INT(li.n_listed, 3);
	CHECK(li.vfs[2].valid && !li.vfs[3].valid && !li.vfs[4].valid, "unlisted VFs are not valid");
	CHECK_EQ_INT(li.vfs[4].vlan, -1);
	link_info_done(&li);

	/* A link without VFs: no list, num_vf 0. */
	nlh = build(buf, 0, 0, false);
	CHECK(link_vf_decode(nlh, &li) == 0 && li.num_vf == 0 && li.n_listed == 0 && !li.vfs, "no VFs");
	link_info_done(&li);

	/* Not an RTM_NEWLINK */
	nlh->nlmsg_type = RTM_NEWADDR;
	CHECK(link_vf_decode(nlh, &li) == -EBADMSG, "wrong type");
}

static void test_request(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_vf_build_getlink(buf, "enp6s0f1np1", false);
	const struct nlattr *a;
	uint32_t mask = 0;
	const char *name = NULL;
	CHECK_EQ_INT(nlh->nlmsg_type, RTM_GETLINK);
	mnl_attr_for_each (a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) == IFLA_EXT_MASK)
			mask = mnl_attr_get_u32(a);
		if (mnl_attr_get_type(a) == IFLA_IFNAME)
			name = mnl_attr_get_str(a);
	}
	CHECK_EQ_INT(mask, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
	CHECK_STREQ(name, "enp6s0f1np1");
	nlh = link_vf_build_getlink(buf, "enp6s0f1np1", true);
	mnl_attr_for_each (a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) == IFLA_EXT_MASK)
			mask = mnl_attr_get_u32(a);
	CHECK_EQ_INT(mask, RTEXT_FILTER_VF); /* counters asked for: the kernel adds IFLA_VF_STATS */
}

/* RTM_SETLINK as the kernel's do_setvfinfo() reads it: one IFLA_VF_INFO with one attribute. */
static void test_set_request(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifla_vf_mac m = {.vf = 7, .mac = {0x02, 0, 0, 0, 0, 0x10}};
	struct nlmsghdr *nlh = link_vf_build_set(buf, 42, IFLA_VF_MAC, &m, sizeof(m));
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *list = NULL;
	CHECK_EQ_INT(nlh->nlmsg_type, RTM_SETLINK);
	CHECK_EQ_INT(ifi->ifi_index, 42);
	mnl_attr_for_each (a, nlh, sizeof(*ifi))
		if (mnl_attr_get_type(a) == IFLA_VFINFO_LIST)
			list = a;
	CHECK(list != NULL, "IFLA_VFINFO_LIST");
	int infos = 0, attrs = 0;
	const struct ifla_vf_mac *got = NULL;
	mnl_attr_for_each_nested (a, list) {
		const struct nlattr *b;
		infos += mnl_attr_get_type(a) == IFLA_VF_INFO;
		mnl_attr_for_each_nested (b, a) {
			attrs++;
			if (mnl_attr_get_type(b) == IFLA_VF_MAC)
				got = mnl_attr_get_payload(b);
		}
	}
	CHECK(infos == 1 && attrs == 1, "one IFLA_VF_INFO with one attribute (%d, %d)", infos, attrs);
	CHECK(got && got->vf == 7 && got->mac[5] == 0x10, "the MAC and VF number");

	/* 802.1ad goes as IFLA_VF_VLAN_LIST { IFLA_VF_VLAN_INFO }, protocol in network order. */
	struct ifla_vf_vlan_info vi = {.vf = 3, .vlan = 100, .qos = 2, .vlan_proto = htons(0x88a8)};
	nlh = link_vf_build_set(buf, 42, IFLA_VF_VLAN_LIST, &vi, sizeof(vi));
	const struct ifla_vf_vlan_info *vg = NULL;
	mnl_attr_for_each (a, nlh, sizeof(*ifi))
		if (mnl_attr_get_type(a) == IFLA_VFINFO_LIST) {
			const struct nlattr *info, *vl, *v;
			mnl_attr_for_each_nested (info, a)
				mnl_attr_for_each_nested (vl, info)
					if (mnl_attr_get_type(vl) == IFLA_VF_VLAN_LIST)
						mnl_attr_for_each_nested (v, vl)
							if (mnl_attr_get_type(v) == IFLA_VF_VLAN_INFO)
								vg = mnl_attr_get_payload(v);
		}
	CHECK(vg && vg->vf == 3 && vg->vlan == 100 && vg->qos == 2 && ntohs(vg->vlan_proto) == 0x88a8,
	      "IFLA_VF_VLAN_LIST carries VLAN 100, QoS 2, 802.1ad");
}

static int count_cb(const struct nlmsghdr *h, void *data)
{
	(void)h;
	++*(int *)data;
	return MNL_CB_OK;
}

/* A dump's messages as the kernel sends them, the i-th flagged NLM_F_DUMP_INTR when i == intr. */
static size_t put_dump(char *buf, nl_sock *s, int n, int intr, bool done)
{
	size_t off = 0;
	for (int i = 0; i < n + done; i++) {
		struct nlmsghdr *h = mnl_nlmsg_put_header(buf + off);
		h->nlmsg_type = i < n ? RTM_NEWLINK : NLMSG_DONE;
		h->nlmsg_flags = NLM_F_MULTI | (i == intr ? NLM_F_DUMP_INTR : 0);
		h->nlmsg_seq = s->seq;
		h->nlmsg_pid = s->portid;
		mnl_nlmsg_put_extra_header(h, i < n ? sizeof(struct ifinfomsg) : sizeof(int));
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return off;
}

/* nl_transact's reply loop: a dump the kernel flagged inconsistent is read to its end (every
 * message decoded) and reported -EINTR, also when the flag came in an earlier buffer. */
static void test_dump_interrupted(void)
{
	char buf[4096] __attribute__((aligned(4)));
	nl_sock s = {.seq = 7, .portid = 42};
	bool intr = false;
	int seen = 0;
	size_t n = put_dump(buf, &s, 3, -1, true);
	CHECK(nl_replies(&s, buf, n, count_cb, &seen, &intr) == 0 && seen == 3, "a whole dump: 0, 3 messages");
	intr = false, seen = 0;
	n = put_dump(buf, &s, 3, 1, true);
	CHECK(nl_replies(&s, buf, n, count_cb, &seen, &intr) == -EINTR && seen == 3,
	      "NLM_F_DUMP_INTR on the 2nd message: read to NLMSG_DONE, -EINTR");
	intr = false, seen = 0;
	n = put_dump(buf, &s, 2, 0, false);
	int r1 = nl_replies(&s, buf, n, count_cb, &seen, &intr);
	n = put_dump(buf, &s, 2, -1, true);
	CHECK(r1 == 1 && nl_replies(&s, buf, n, count_cb, &seen, &intr) == -EINTR && seen == 4,
	      "flagged in the first of two buffers: more wanted, then -EINTR at the end");
	intr = false, seen = 0;
	s.seq = 8; /* a late answer to the request before: skipped, not decoded */
	n = put_dump(buf, &s, 2, 0, false);
	s.seq = 9;
	CHECK(nl_replies(&s, buf, n, count_cb, &seen, &intr) == 1 && seen == 0 && !intr,
	      "another request's flagged dump: ignored");
}

int main(void)
{
	test_dump_interrupted();
	test_set_request();
	test_roundtrip();
	test_wrapped_list();
	test_truncated();
	test_request();
	return tap_finish("test-rtnl-link");
}
