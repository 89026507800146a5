/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/genetlink.h>

#include "genl.h"
#include "util.h"

struct nlmsghdr *genl_msg(char *buf, uint16_t family, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;
	mnl_attr_for_each (a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID && mnl_attr_get_payload_len(a) >= 2)
			*(uint16_t *)data = mnl_attr_get_u16(a);
	}
	return MNL_CB_OK;
}

int genl_family(nl_sock *s, const char *name, uint16_t *ret)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint16_t id = 0;
	struct nlmsghdr *nlh = genl_msg(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	int r = nl_transact(s, nlh, family_cb, &id);
	if (r < 0)
		return r;
	if (!id)
		return -ENOENT;
	*ret = id;
	return 0;
}
