/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>

#include "link.h"
#include "parse.h"
#include "vf-flags.h"

static int getlink_cb(const struct nlmsghdr *nlh, void *data)
{
	link_info *li = data;
	link_info_done(li);
	int r = link_vf_decode(nlh, li);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int link_vf_get(vfctl_ctx *ctx, const char *ifname, link_info *ret)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	link_info li = {.num_vf = -1};
	nl_sock *nl;
	int r;

	r = ctx_rtnl(ctx, &nl);
	if (r < 0)
		return r;
	r = nl_transact(nl, link_vf_build_getlink(buf, ifname, ctx->set.stats), getlink_cb, &li);
	if (r < 0) {
		link_info_done(&li);
		return ctx_error(ctx, r, "RTM_GETLINK %s%s%s", ifname, nl->ext_ack[0] ? ": " : "", nl->ext_ack);
	}
	*ret = li;
	return 0;
}

struct dump_state {
	int (*cb)(const link_info *li, void *data);
	void *data;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_state *st = data;
	link_info li;
	if (link_vf_decode(nlh, &li) < 0)
		return MNL_CB_OK; /* one odd link must not hide the others */
	int r = st->cb(&li, st->data);
	link_info_done(&li);
	return r < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int link_dump(vfctl_ctx *ctx, int (*cb)(const link_info *li, void *data), void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_state st = {cb, data};
	nl_sock *nl;
	int r = ctx_rtnl(ctx, &nl);
	if (r < 0)
		return r;
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, NLM_F_DUMP, 0, NULL);
	/* SKIP_STATS leaves out VF and per-address-family counters; IFLA_STATS64 comes anyway. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = nl_transact(nl, nlh, dump_cb, &st);
	if (r == -EINTR) /* the callback keeps the last value of each number: a second pass is safe */
		r = nl_transact(nl, nlh, dump_cb, &st);
	return r < 0 ? ctx_error(ctx, r, "RTM_GETLINK dump") : 0;
}

/* The netdev name of ifindex for a message, through the sysfs seam (the name in the running
 * kernel's namespace would be another host's with a fake tree). */
static void netdev_name(vfctl_ctx *ctx, int ifindex, char *name, size_t n)
{
	char **names = NULL;
	size_t k = 0;
	snprintf(name, n, "ifindex %d", ifindex);
	if (sysfs_list(ctx->fs, "class/net", NULL, &names, &k) < 0)
		return;
	for (size_t i = 0; i < k; i++)
		if (sysfs_int(ctx->fs, "class/net/%s/ifindex", names[i]) == ifindex) {
			snprintf(name, n, "%s", names[i]);
			break;
		}
	strv_free_n(names, k);
}

/* ifindex 0: the request names its link (IFLA_IFNAME), and so does what. */
static int setlink(vfctl_ctx *ctx, struct nlmsghdr *nlh, const char *what, int ifindex)
{
	nl_sock *nl;
	int r = ctx_rtnl(ctx, &nl);
	if (r < 0)
		return r;
	r = nl_transact(nl, nlh, NULL, NULL);
	if (r < 0) {
		char name[64] = "";
		if (ifindex > 0)
			netdev_name(ctx, ifindex, name, sizeof(name));
		return ctx_error(ctx, r, "RTM_SETLINK %s%s%s%s%s", name, name[0] ? " " : "", what,
				 nl->ext_ack[0] ? ": " : "", nl->ext_ack);
	}
	return 0;
}

int link_vf_set(vfctl_ctx *ctx, int ifindex, uint16_t type, const void *payload, size_t len)
{
	static const char *const names[] = {
		[IFLA_VF_MAC] = "IFLA_VF_MAC",
		[IFLA_VF_VLAN] = "IFLA_VF_VLAN",
		[IFLA_VF_VLAN_LIST] = "IFLA_VF_VLAN_LIST",
		[IFLA_VF_RATE] = "IFLA_VF_RATE",
	};
	char buf[MNL_SOCKET_BUFFER_SIZE], what[64];
	uint32_t vf;
	const char *name = type < ELEMENTSOF(names) && names[type] ? names[type] : "?";
	for (vf_flag f = 0; f < _VF_FLAG_MAX; f++)
		if (vf_flags[f].ifla == type)
			name = vf_flags[f].ifla_name;
	memcpy(&vf, payload, sizeof(vf)); /* every IFLA_VF_* struct starts with the VF number */
	snprintf(what, sizeof(what), "vf %u %s", vf, name);
	return setlink(ctx, link_vf_build_set(buf, ifindex, type, payload, len), what, ifindex);
}

int link_set_up(vfctl_ctx *ctx, int ifindex, bool up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	return setlink(ctx, link_build_up(buf, ifindex, up), up ? "up" : "down", ifindex);
}

int link_set_mtu(vfctl_ctx *ctx, int ifindex, uint32_t mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[32];
	snprintf(what, sizeof(what), "mtu %u", mtu);
	return setlink(ctx, link_build_mtu(buf, ifindex, mtu), what, ifindex);
}

int link_add_altname(vfctl_ctx *ctx, const char *ifname, const char *alt)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[160];
	snprintf(what, sizeof(what), "%s altname %s", ifname, alt);
	return setlink(ctx, link_build_altname(buf, ifname, alt), what, 0);
}
