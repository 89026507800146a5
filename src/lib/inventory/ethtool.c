/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Netdev features over ethtool's generic netlink family. */
#include <linux/ethtool_netlink.h>

#include "ethtool-msg.h"
#include "ethtool.h"
#include "genl.h"

int netdev_feature_active(vfctl_ctx *ctx, const char *ifname, const char *feature)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ethtool_feature f = {.name = feature, .active = -1};
	nl_sock *nl;
	uint16_t fam;
	int r = ctx_genl(ctx, ETHTOOL_GENL_NAME, &ctx->ethtool_family, &nl, &fam);
	if (r < 0)
		return r;
	r = nl_transact(nl, ethtool_features_msg(buf, fam, ifname), ethtool_features_cb, &f);
	if (r < 0)
		return ctx_error(ctx, r, "ethtool -k %s%s%s", ifname, nl->ext_ack[0] ? ": " : "", nl->ext_ack);
	return f.active >= 0 ? f.active
			     : ctx_error(ctx, -ENODATA, "ethtool -k %s: no active features in the reply", ifname);
}
