/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <stdio.h>

#include "devlink.h"
#include "genl.h"

static int devlink_sock(vfctl_ctx *ctx, nl_sock **ret, uint16_t *family)
{
	return ctx_genl(ctx, DEVLINK_GENL_NAME, &ctx->devlink_family, ret, family);
}

/* A request addressed to one devlink instance. */
static struct nlmsghdr *devlink_msg(char *buf, uint16_t fam, uint8_t cmd, const char *bus, const char *dev)
{
	struct nlmsghdr *nlh = genl_msg(buf, fam, cmd, 0);
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, bus);
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, dev);
	return nlh;
}

void devlink_handle(const vfctl_device *d, const char **bus, const char **dev)
{
	*bus = d->bus;
	*dev = d->id;
}

static int eswitch_cb(const struct nlmsghdr *nlh, void *data)
{
	devlink_eswitch *e = data;
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
	{
		switch (mnl_attr_get_type(a)) {
		case DEVLINK_ATTR_ESWITCH_MODE:
			e->mode = mnl_attr_get_u16(a);
			break;
		case DEVLINK_ATTR_ESWITCH_INLINE_MODE:
			e->inline_mode = mnl_attr_get_u8(a);
			break;
		case DEVLINK_ATTR_ESWITCH_ENCAP_MODE:
			e->encap_mode = mnl_attr_get_u8(a);
			break;
		}
	}
	return MNL_CB_OK;
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
	r = nl_transact(nl, devlink_msg(buf, fam, DEVLINK_CMD_ESWITCH_GET, bus, dev), eswitch_cb, &e);
	if (r < 0)
		return ctx_error(ctx, r, "devlink eswitch show %s/%s%s%s", bus, dev, nl->ext_ack[0] ? ": " : "",
				 nl->ext_ack);
	*ret = e;
	return 0;
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
	r = nl_transact(nl, nlh, NULL, NULL);
	if (r < 0)
		return ctx_error(ctx, r, "devlink eswitch set %s/%s mode %s%s%s", bus, dev,
				 mode == DEVLINK_ESWITCH_MODE_SWITCHDEV ? "switchdev" : "legacy", nl->ext_ack[0] ? ": " : "",
				 nl->ext_ack);
	return 0;
}

struct ports {
	devlink_port *v;
	size_t n, alloc;
};

static int port_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ports *ps = data;
	devlink_port p = {.flavour = -1, .pfnum = -1, .vfnum = -1, .controller = 0};
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
	{
		switch (mnl_attr_get_type(a)) {
		case DEVLINK_ATTR_BUS_NAME:
			snprintf(p.bus, sizeof(p.bus), "%s", mnl_attr_get_str(a));
			break;
		case DEVLINK_ATTR_DEV_NAME:
			snprintf(p.dev, sizeof(p.dev), "%s", mnl_attr_get_str(a));
			break;
		case DEVLINK_ATTR_PORT_INDEX:
			p.index = mnl_attr_get_u32(a);
			break;
		case DEVLINK_ATTR_PORT_FLAVOUR:
			p.flavour = mnl_attr_get_u16(a);
			break;
		case DEVLINK_ATTR_PORT_PCI_PF_NUMBER:
			p.pfnum = mnl_attr_get_u16(a);
			break;
		case DEVLINK_ATTR_PORT_PCI_VF_NUMBER:
			p.vfnum = mnl_attr_get_u16(a);
			break;
		case DEVLINK_ATTR_PORT_CONTROLLER_NUMBER:
			p.controller = (int)mnl_attr_get_u32(a);
			break;
		case DEVLINK_ATTR_PORT_EXTERNAL:
			p.external = mnl_attr_get_u8(a);
			break;
		case DEVLINK_ATTR_PORT_NETDEV_NAME:
			snprintf(p.netdev, sizeof(p.netdev), "%s", mnl_attr_get_str(a));
			break;
		}
	}
	if (GROW(ps->v, ps->alloc, ps->n + 1) < 0)
		return MNL_CB_ERROR;
	ps->v[ps->n++] = p;
	return MNL_CB_OK;
}

int devlink_ports(vfctl_ctx *ctx, devlink_port **ret, size_t *ret_n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ports ps = {0};
	nl_sock *nl;
	uint16_t fam;
	int r = devlink_sock(ctx, &nl, &fam);
	if (r < 0)
		return r;
	r = nl_transact(nl, genl_msg(buf, fam, DEVLINK_CMD_PORT_GET, NLM_F_DUMP), port_cb, &ps);
	if (r < 0) {
		free(ps.v);
		return ctx_error(ctx, r, "devlink port dump");
	}
	*ret = ps.v;
	*ret_n = ps.n;
	return 0;
}
