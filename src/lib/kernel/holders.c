/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <sys/socket.h>

#include "holders.h"
#include "pci.h"

int vfio_group_holder(vfctl_ctx *ctx, int group, int *ret_pid, char **ret_comm)
{
	open_node *v = NULL;
	size_t n = 0;
	char want[32];
	int r = open_nodes(ctx, &v, &n);
	if (r < 0)
		return r;
	snprintf(want, sizeof(want), "/dev/vfio/%d", group);
	r = open_node_holder(ctx, v, n, want, ret_pid, ret_comm);
	open_nodes_free(v, n);
	return r;
}

struct addr_state {
	int *v;
	size_t n, alloc;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_state *st = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type != RTM_NEWADDR || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return MNL_CB_OK;
	/* IPv6 link-local addresses come with every up interface: they hold nothing. */
	if (ifa->ifa_scope == RT_SCOPE_LINK)
		return MNL_CB_OK;
	if (GROW(st->v, st->alloc, st->n + 1) < 0)
		return MNL_CB_ERROR;
	st->v[st->n++] = (int)ifa->ifa_index;
	return MNL_CB_OK;
}

int holders_addresses(vfctl_ctx *ctx, int **ret, size_t *ret_n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct addr_state st = {0};
	nl_sock *nl;
	int r = ctx_rtnl(ctx, &nl);
	if (r < 0)
		return r;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	r = nl_transact(nl, nlh, addr_cb, &st);
	if (r == -EINTR) {
		free(st.v);
		st = (struct addr_state){0};
		r = nl_transact(nl, nlh, addr_cb, &st);
	}
	if (r < 0) {
		free(st.v);
		return ctx_error(ctx, r, "RTM_GETADDR dump");
	}
	*ret = st.v;
	*ret_n = st.n;
	return 0;
}

int representor_holder(vfctl_ctx *ctx, const char *rep, const int *addrs, size_t n_addrs, char **ret)
{
	char path[PATH_MAX];
	_cleanup_free_ char *master = NULL;
	*ret = NULL;
	snprintf(path, sizeof(path), "class/net/%s/master", rep);
	if (sysfs_link_name(ctx->fs, path, &master) >= 0)
		return asprintf(ret, "representor %s is a port of %s", rep, master) < 0 ? -ENOMEM : 0;
	int ifindex = sysfs_int(ctx->fs, "class/net/%s/ifindex", rep);
	for (size_t k = 0; ifindex > 0 && k < n_addrs; k++)
		if (addrs[k] == ifindex)
			return asprintf(ret, "representor %s is up with addresses", rep) < 0 ? -ENOMEM : 0;
	return 0;
}
