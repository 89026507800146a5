/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/devlink.h>
#include <stdarg.h>
#include <stdio.h>

#include "devlink.h"
#include "genl.h"

static int devlink_sock(vfctl_ctx *ctx, nl_sock **ret, uint16_t *family)
{
	return ctx_genl(ctx, DEVLINK_GENL_NAME, &ctx->devlink_family, ret, family);
}

void devlink_handle(const vfctl_device *d, const char **bus, const char **dev)
{
	*bus = d->bus;
	*dev = d->id;
}

int devlink_eswitch_get(vfctl_ctx *ctx, const char *bus, const char *dev, devlink_eswitch *ret)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	devlink_eswitch e = {-1, -1, -1};
	nl_sock *nl;
	uint16_t fam;
	int r = devlink_sock(ctx, &nl, &fam);
	if (r < 0)
		return r;
	r = nl_transact(nl, devlink_msg(buf, fam, DEVLINK_CMD_ESWITCH_GET, bus, dev), devlink_eswitch_cb, &e);
	if (r < 0)
		return ctx_error(ctx, r, "devlink eswitch show %s/%s%s%s", bus, dev, nl->ext_ack[0] ? ": " : "",
				 nl->ext_ack);
	*ret = e;
	return 0;
}

/* A devlink request without a reply to read; what names it in an error as devlink(8) would, with
 * the kernel's extended ack after it. */
_printf_(4, 5) static int devlink_send(vfctl_ctx *ctx, nl_sock *nl, struct nlmsghdr *nlh, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	int r = nl_transact(nl, nlh, NULL, NULL);
	if (r >= 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ctx_error(ctx, r, "%s%s%s", what, nl->ext_ack[0] ? ": " : "", nl->ext_ack);
}

int devlink_eswitch_set(vfctl_ctx *ctx, const char *bus, const char *dev, int mode)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nl_sock *nl;
	uint16_t fam;
	int r = devlink_sock(ctx, &nl, &fam);
	if (r < 0)
		return r;
	struct nlmsghdr *nlh = devlink_msg(buf, fam, DEVLINK_CMD_ESWITCH_SET, bus, dev);
	mnl_attr_put_u16(nlh, DEVLINK_ATTR_ESWITCH_MODE, (uint16_t)mode);
	return devlink_send(ctx, nl, nlh, "devlink eswitch set %s/%s mode %s", bus, dev,
			    vfctl_eswitch_mode_str((vfctl_eswitch_mode)mode));
}

int devlink_port_fn_caps_set(vfctl_ctx *ctx, const char *bus, const char *dev, uint32_t port, uint32_t mask,
			     uint32_t value, const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nl_sock *nl;
	uint16_t fam;
	int r = devlink_sock(ctx, &nl, &fam);
	if (r < 0)
		return r;
	return devlink_send(ctx, nl, devlink_port_fn_caps_msg(buf, fam, bus, dev, port, mask, value),
			    "devlink port function set %s/%s/%u %s", bus, dev, port, what);
}

int devlink_port_fn_hw_addr_set(vfctl_ctx *ctx, const char *bus, const char *dev, uint32_t port, const uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nl_sock *nl;
	uint16_t fam;
	int r = devlink_sock(ctx, &nl, &fam);
	if (r < 0)
		return r;
	return devlink_send(ctx, nl, devlink_port_fn_hw_addr_msg(buf, fam, bus, dev, port, mac),
			    "devlink port function set %s/%s/%u hw_addr %02x:%02x:%02x:%02x:%02x:%02x", bus, dev, port,
			    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

int devlink_rate_leaf_set(vfctl_ctx *ctx, const char *bus, const char *dev, uint32_t port, uint32_t share_mbit,
			  uint32_t max_mbit)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nl_sock *nl;
	uint16_t fam;
	int r = devlink_sock(ctx, &nl, &fam);
	if (r < 0)
		return r;
	/* devlink counts bytes per second; drivers take whole Mbit/s (netdevsim refuses the rest). */
	const uint64_t per_mbit = DEVLINK_BYTES_PER_MBIT;
	return devlink_send(ctx, nl,
			    devlink_rate_leaf_msg(buf, fam, bus, dev, port, share_mbit * per_mbit, max_mbit * per_mbit),
			    "devlink port function rate set %s/%s/%u tx_share %umbit tx_max %umbit", bus, dev, port,
			    share_mbit, max_mbit);
}

int devlink_rate_node(vfctl_ctx *ctx, uint8_t cmd, const char *bus, const char *dev, const char *name,
		      uint32_t share_mbit, uint32_t max_mbit)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nl_sock *nl;
	uint16_t fam;
	int r = devlink_sock(ctx, &nl, &fam);
	if (r < 0)
		return r;
	const uint64_t per_mbit = DEVLINK_BYTES_PER_MBIT;
	struct nlmsghdr *nlh =
		devlink_rate_node_msg(buf, fam, cmd, bus, dev, name, share_mbit * per_mbit, max_mbit * per_mbit);
	if (cmd == DEVLINK_CMD_RATE_DEL)
		return devlink_send(ctx, nl, nlh, "devlink port function rate del %s/%s/%s", bus, dev, name);
	return devlink_send(ctx, nl, nlh, "devlink port function rate %s %s/%s/%s tx_share %umbit tx_max %umbit",
			    cmd == DEVLINK_CMD_RATE_NEW ? "add" : "set", bus, dev, name, share_mbit, max_mbit);
}

int devlink_rate_parent_set(vfctl_ctx *ctx, const char *bus, const char *dev, uint32_t port, const char *parent)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nl_sock *nl;
	uint16_t fam;
	int r = devlink_sock(ctx, &nl, &fam);
	if (r < 0)
		return r;
	return devlink_send(ctx, nl, devlink_rate_parent_msg(buf, fam, bus, dev, port, parent),
			    "devlink port function rate set %s/%s/%u %s%s", bus, dev, port,
			    *parent ? "parent " : "noparent", parent);
}

/* One dump of cmd into list (size bytes, its array at *v), which cb appends to: freed and zeroed
 * first on a retry, as a dump the kernel marks interrupted (NLM_F_DUMP_INTR, -EINTR) is read once
 * more. */
static int devlink_dump(vfctl_ctx *ctx, uint8_t cmd, mnl_cb_t cb, void *list, void **v, size_t size, const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nl_sock *nl;
	uint16_t fam;
	int r = devlink_sock(ctx, &nl, &fam);
	for (int tries = 0; r >= 0 && tries < 2; tries++) {
		free(*v);
		memset(list, 0, size);
		if ((r = nl_transact(nl, genl_msg(buf, fam, cmd, NLM_F_DUMP), cb, list)) != -EINTR)
			break;
	}
	if (r < 0) {
		free(*v);
		memset(list, 0, size);
		return ctx_error(ctx, r, "%s", what);
	}
	return 0;
}

int devlink_rates(vfctl_ctx *ctx, devlink_rate **ret, size_t *ret_n)
{
	devlink_rates_list rs = {0};
	int r = devlink_dump(ctx, DEVLINK_CMD_RATE_GET, devlink_rate_cb, &rs, (void **)&rs.v, sizeof(rs),
			     "devlink rate dump");
	if (r < 0)
		return r;
	*ret = rs.v;
	*ret_n = rs.n;
	return 0;
}

int devlink_ports(vfctl_ctx *ctx, devlink_port **ret, size_t *ret_n)
{
	devlink_ports_list ps = {0};
	int r = devlink_dump(ctx, DEVLINK_CMD_PORT_GET, devlink_port_cb, &ps, (void **)&ps.v, sizeof(ps),
			     "devlink port dump");
	if (r < 0)
		return r;
	*ret = ps.v;
	*ret_n = ps.n;
	return 0;
}
