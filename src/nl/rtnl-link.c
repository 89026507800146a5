/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RTM_*LINK messages as vfctl needs them: the VF list decoder and the requests, without sockets. */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "rtnl-link.h"
#include "vf-flags.h"

void link_info_done(link_info *li)
{
	free(li->vfs);
	li->vfs = NULL;
	free(li->vf_stats);
	li->vf_stats = NULL;
}

void counters_init(vfctl_counters *c)
{
	*c = (vfctl_counters){
		.rx_packets = -1,
		.tx_packets = -1,
		.rx_bytes = -1,
		.tx_bytes = -1,
		.rx_broadcast = -1,
		.rx_multicast = -1,
		.rx_dropped = -1,
		.tx_dropped = -1,
	};
}

/* The words net/core/net-sysfs.c prints for IF_OPER_*. */
static const char *operstate_str(uint8_t v)
{
	static const char *const names[] = {"unknown", "notpresent", "down", "lowerlayerdown",
					    "testing", "dormant",    "up"};
	return v < ELEMENTSOF(names) ? names[v] : "unknown";
}

/* "aa:bb:..." as sysfs's address file has it; nothing for an empty or oversized address. */
static void format_hwaddr(const uint8_t *p, size_t len, char *buf, size_t n)
{
	buf[0] = 0;
	if (len == 0 || len * 3 > n)
		return;
	for (size_t i = 0; i < len; i++)
		snprintf(buf + i * 3, n - i * 3, "%02x%s", p[i], i + 1 < len ? ":" : "");
}

static void decode_vf_stats(const struct nlattr *nest, vfctl_counters *c)
{
	const struct nlattr *a;
	counters_init(c);
	mnl_attr_for_each_nested (a, nest) {
		if (mnl_attr_get_payload_len(a) < sizeof(uint64_t))
			continue;
		int64_t v = (int64_t)mnl_attr_get_u64(a);
		switch (mnl_attr_get_type(a)) {
		case IFLA_VF_STATS_RX_PACKETS:
			c->rx_packets = v;
			break;
		case IFLA_VF_STATS_TX_PACKETS:
			c->tx_packets = v;
			break;
		case IFLA_VF_STATS_RX_BYTES:
			c->rx_bytes = v;
			break;
		case IFLA_VF_STATS_TX_BYTES:
			c->tx_bytes = v;
			break;
		case IFLA_VF_STATS_BROADCAST:
			c->rx_broadcast = v;
			break;
		case IFLA_VF_STATS_MULTICAST:
			c->rx_multicast = v;
			break;
		case IFLA_VF_STATS_RX_DROPPED:
			c->rx_dropped = v;
			break;
		case IFLA_VF_STATS_TX_DROPPED:
			c->tx_dropped = v;
			break;
		default:
			continue;
		}
		c->valid = true;
	}
}

static void decode_stats64(const struct nlattr *a, vfctl_counters *c)
{
	struct rtnl_link_stats64 st = {0};
	size_t len = mnl_attr_get_payload_len(a);
	/* Older kernels send a shorter struct: what they send is a prefix of today's. */
	memcpy(&st, mnl_attr_get_payload(a), len < sizeof(st) ? len : sizeof(st));
	if (len < offsetof(struct rtnl_link_stats64, multicast) + sizeof(st.multicast))
		return;
	*c = (vfctl_counters){
		.valid = true,
		.rx_packets = (int64_t)st.rx_packets,
		.tx_packets = (int64_t)st.tx_packets,
		.rx_bytes = (int64_t)st.rx_bytes,
		.tx_bytes = (int64_t)st.tx_bytes,
		.rx_broadcast = -1,
		.rx_multicast = (int64_t)st.multicast,
		.rx_dropped = (int64_t)st.rx_dropped,
		.tx_dropped = (int64_t)st.tx_dropped,
	};
}

void vf_settings_init(vfctl_vf_settings *s)
{
	*s = (vfctl_vf_settings){
		.vlan = -1,
		.qos = -1,
		.vlan_proto = -1,
		.min_tx_rate = -1,
		.max_tx_rate = -1,
	};
	for (vf_flag f = 0; f < _VF_FLAG_MAX; f++)
		vf_flag_set(s, f, -1);
}

/* The kernel reports "driver does not implement this" as (u32)-1. */
static int knob(uint32_t v)
{
	return v == UINT32_MAX ? -1 : (int)v;
}

/* Decodes one IFLA_VF_INFO nest; returns the VF number or -EINVAL. */
static int decode_vf_info(const struct nlattr *info, vfctl_vf_settings *s, vfctl_counters *st)
{
	const struct nlattr *a;
	int vf = -1;

	vf_settings_init(s);
	counters_init(st);
	mnl_attr_for_each_nested (a, info) {
		uint16_t t = mnl_attr_get_type(a);
		const void *p = mnl_attr_get_payload(a);
		uint16_t len = mnl_attr_get_payload_len(a);
		switch (t) {
		case IFLA_VF_MAC: {
			const struct ifla_vf_mac *m = p;
			if (len < sizeof(*m))
				return -EINVAL;
			vf = (int)m->vf;
			format_mac(m->mac, s->mac);
			break;
		}
		case IFLA_VF_VLAN: {
			const struct ifla_vf_vlan *v = p;
			if (len < sizeof(*v))
				return -EINVAL;
			s->vlan = (int)v->vlan;
			s->qos = (int)v->qos;
			if (s->vlan_proto < 0)
				s->vlan_proto = VFCTL_VLAN_PROTO_8021Q;
			break;
		}
		case IFLA_VF_VLAN_LIST: {
			const struct nlattr *vi;
			/* The first entry is the VF's port VLAN; it carries the protocol. */
			mnl_attr_for_each_nested (vi, a) {
				const struct ifla_vf_vlan_info *v = mnl_attr_get_payload(vi);
				if (mnl_attr_get_type(vi) != IFLA_VF_VLAN_INFO ||
				    mnl_attr_get_payload_len(vi) < sizeof(*v))
					continue;
				s->vlan_proto = ntohs(v->vlan_proto);
				break;
			}
			break;
		}
		case IFLA_VF_RATE: {
			const struct ifla_vf_rate *r = p;
			if (len < sizeof(*r))
				return -EINVAL;
			s->min_tx_rate = r->min_tx_rate;
			s->max_tx_rate = r->max_tx_rate;
			break;
		}
		case IFLA_VF_STATS:
			decode_vf_stats(a, st);
			break;
		case IFLA_VF_TX_RATE:
			/* Superseded by IFLA_VF_RATE, which the kernel always sends alongside. */
			break;
		default:
			/* A flag ({__u32 vf; __u32 value}); anything else unknown is not an error. */
			for (vf_flag f = 0; f < _VF_FLAG_MAX; f++)
				if (vf_flags[f].ifla && t == vf_flags[f].ifla && len >= sizeof(struct ifla_vf_trust))
					vf_flag_set(s, f, knob(((const struct ifla_vf_trust *)p)->setting));
			break;
		}
	}
	if (vf < 0)
		return -EINVAL;
	s->valid = true;
	return vf;
}

static bool attr_fits(const struct nlattr *a, const char *end)
{
	return (const char *)a + sizeof(*a) <= end && a->nla_len >= sizeof(*a) && (const char *)a + a->nla_len <= end;
}

/* Walks IFLA_VF_INFO entries from the list's first entry. The nest length is 16 bits: past 64 KiB
 * it wraps (iproute2 then prints "Truncated VF list"), though every byte was sent. So when the nest
 * ends before IFLA_NUM_VF entries were seen, keep reading entries past its end while they are
 * IFLA_VF_INFO nests for the next VF in order. Returns where the top-level walk resumes. */
static const char *decode_vf_list(const struct nlattr *list, const char *msg_end, link_info *li)
{
	const char *nest_end = (const char *)list + MNL_ALIGN(list->nla_len);
	const struct nlattr *a = mnl_attr_get_payload(list);
	const char *resume = nest_end;

	while (attr_fits(a, msg_end)) {
		bool inside = (const char *)a + a->nla_len <= nest_end;
		if (!inside && (li->num_vf < 0 || li->n_listed >= li->num_vf))
			break;
		if (mnl_attr_get_type(a) != IFLA_VF_INFO)
			break;
		vfctl_vf_settings s;
		vfctl_counters st;
		int vf = decode_vf_info(a, &s, &st);
		if (vf < 0 || (!inside && vf != li->n_listed))
			break;
		if (!inside)
			li->len_wrapped = true;
		if (vf < li->num_vf) {
			li->vfs[vf] = s;
			li->vf_stats[vf] = st;
		}
		li->n_listed++;
		a = (const struct nlattr *)((const char *)a + MNL_ALIGN(a->nla_len));
		if ((const char *)a > resume)
			resume = (const char *)a;
	}
	return resume;
}

int link_vf_decode(const struct nlmsghdr *nlh, link_info *ret)
{
	link_info li = {.num_vf = -1, .mtu = -1};
	counters_init(&li.stats);
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const struct nlattr *list = NULL;

	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -EBADMSG;
	li.ifindex = ifi->ifi_index;
	li.flags = ifi->ifi_flags;

	/* IFLA_NUM_VF precedes the list in the kernel's fill order, but do not rely on it:
	 * find it in a first pass so the list can be sized and bounded. */
	const struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh, sizeof(*ifi));
	for (; attr_fits(a, end); a = (const struct nlattr *)((const char *)a + MNL_ALIGN(a->nla_len))) {
		uint16_t t = mnl_attr_get_type(a);
		if (t == IFLA_NUM_VF && mnl_attr_get_payload_len(a) >= 4)
			li.num_vf = (int)mnl_attr_get_u32(a);
		else if (t == IFLA_VFINFO_LIST) {
			list = a;
			break; /* what follows may be the wrapped rest of the list */
		}
	}
	/* SR-IOV counts VFs in 16 bits (TotalVFs): a larger count is a broken message, and sizing an
	 * array from it would ask for gigabytes (found by tests/fuzz). */
	if (li.num_vf > 65535)
		return -EBADMSG;
	if (li.num_vf > 0) {
		li.vfs = calloc((size_t)li.num_vf, sizeof(*li.vfs));
		li.vf_stats = calloc((size_t)li.num_vf, sizeof(*li.vf_stats));
		if (!li.vfs || !li.vf_stats) {
			link_info_done(&li);
			return -ENOMEM;
		}
		for (int i = 0; i < li.num_vf; i++) {
			vf_settings_init(&li.vfs[i]);
			counters_init(&li.vf_stats[i]);
		}
	}

	a = mnl_nlmsg_get_payload_offset(nlh, sizeof(*ifi));
	while (attr_fits(a, end)) {
		uint16_t t = mnl_attr_get_type(a);
		const char *next = (const char *)a + MNL_ALIGN(a->nla_len);
		if (a == list)
			next = decode_vf_list(a, end, &li);
		else if (t == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(li.ifname, sizeof(li.ifname), "%s", mnl_attr_get_str(a));
		else if (t == IFLA_MTU && mnl_attr_get_payload_len(a) >= 4)
			li.mtu = (int)mnl_attr_get_u32(a);
		else if (t == IFLA_STATS64)
			decode_stats64(a, &li.stats);
		else if (t == IFLA_ADDRESS)
			format_hwaddr(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), li.mac, sizeof(li.mac));
		else if (t == IFLA_OPERSTATE && mnl_attr_get_payload_len(a) >= 1)
			snprintf(li.operstate, sizeof(li.operstate), "%s", operstate_str(mnl_attr_get_u8(a)));
		else if (t == IFLA_PERM_ADDRESS && mnl_attr_get_payload_len(a) == 6)
			format_mac(mnl_attr_get_payload(a), li.perm_mac);
		else if (t == IFLA_PROP_LIST) {
			const struct nlattr *p;
			mnl_attr_for_each_nested (p, a)
				if (mnl_attr_get_type(p) == IFLA_ALT_IFNAME &&
				    mnl_attr_validate(p, MNL_TYPE_NUL_STRING) >= 0 &&
				    li.n_altnames < ELEMENTSOF(li.altnames))
					snprintf(li.altnames[li.n_altnames++], sizeof(li.altnames[0]), "%s",
						 mnl_attr_get_str(p));
		}
		a = (const struct nlattr *)next;
	}
	*ret = li;
	return 0;
}

/* nlmsghdr + ifinfomsg for one link (ifindex 0: all, or named by IFLA_IFNAME). */
struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, int ifindex, struct ifinfomsg **ret_ifi)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (ret_ifi)
		*ret_ifi = ifi;
	return nlh;
}

struct nlmsghdr *link_vf_build_getlink(char *buf, const char *ifname, bool stats)
{
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0, NULL);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_VF | (stats ? 0 : RTEXT_FILTER_SKIP_STATS));
	return nlh;
}

struct nlmsghdr *link_vf_build_set(char *buf, int ifindex, uint16_t type, const void *payload, size_t len)
{
	struct nlmsghdr *nlh = link_msg(buf, RTM_SETLINK, 0, ifindex, NULL);
	struct nlattr *list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
	if (type == IFLA_VF_VLAN_LIST) {
		struct nlattr *vl = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
		mnl_attr_put(nlh, IFLA_VF_VLAN_INFO, len, payload);
		mnl_attr_nest_end(nlh, vl);
	} else
		mnl_attr_put(nlh, type, len, payload);
	mnl_attr_nest_end(nlh, info);
	mnl_attr_nest_end(nlh, list);
	return nlh;
}

struct nlmsghdr *link_build_up(char *buf, int ifindex, bool up)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex, &ifi);
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return nlh;
}

struct nlmsghdr *link_build_mtu(char *buf, int ifindex, uint32_t mtu)
{
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex, NULL);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nlh;
}

struct nlmsghdr *link_build_altname(char *buf, const char *ifname, const char *alt)
{
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINKPROP, NLM_F_CREATE | NLM_F_EXCL, 0, NULL);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	struct nlattr *list = mnl_attr_nest_start(nlh, IFLA_PROP_LIST);
	mnl_attr_put_strz(nlh, IFLA_ALT_IFNAME, alt);
	mnl_attr_nest_end(nlh, list);
	return nlh;
}
