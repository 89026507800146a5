/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* devlink generic netlink messages: requests and reply decoders, without sockets. */
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>

#include "attr.h"
#include "devlink-msg.h"
#include "genl.h"
#include "util.h"

/* A request addressed to one devlink instance. */
struct nlmsghdr *devlink_msg(char *buf, uint16_t fam, uint8_t cmd, const char *bus, const char *dev)
{
	struct nlmsghdr *nlh = genl_msg(buf, fam, cmd, 0);
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, bus);
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, dev);
	return nlh;
}

struct nlmsghdr *devlink_port_fn_caps_msg(char *buf, uint16_t fam, const char *bus, const char *dev, uint32_t port,
					  uint32_t mask, uint32_t value)
{
	struct nlmsghdr *nlh = devlink_msg(buf, fam, DEVLINK_CMD_PORT_SET, bus, dev);
	struct nla_bitfield32 caps = {.value = value & mask, .selector = mask};
	mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, port);
	struct nlattr *fn = mnl_attr_nest_start(nlh, DEVLINK_ATTR_PORT_FUNCTION);
	mnl_attr_put(nlh, DEVLINK_PORT_FN_ATTR_CAPS, sizeof(caps), &caps);
	mnl_attr_nest_end(nlh, fn);
	return nlh;
}

struct nlmsghdr *devlink_port_fn_hw_addr_msg(char *buf, uint16_t fam, const char *bus, const char *dev, uint32_t port,
					     const uint8_t mac[6])
{
	struct nlmsghdr *nlh = devlink_msg(buf, fam, DEVLINK_CMD_PORT_SET, bus, dev);
	mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, port);
	struct nlattr *fn = mnl_attr_nest_start(nlh, DEVLINK_ATTR_PORT_FUNCTION);
	mnl_attr_put(nlh, DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, 6, mac);
	mnl_attr_nest_end(nlh, fn);
	return nlh;
}

struct nlmsghdr *devlink_rate_leaf_msg(char *buf, uint16_t fam, const char *bus, const char *dev, uint32_t port,
				       uint64_t tx_share, uint64_t tx_max)
{
	struct nlmsghdr *nlh = devlink_msg(buf, fam, DEVLINK_CMD_RATE_SET, bus, dev);
	mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, port);
	mnl_attr_put_u64(nlh, DEVLINK_ATTR_RATE_TX_SHARE, tx_share);
	mnl_attr_put_u64(nlh, DEVLINK_ATTR_RATE_TX_MAX, tx_max);
	return nlh;
}

struct nlmsghdr *devlink_rate_node_msg(char *buf, uint16_t fam, uint8_t cmd, const char *bus, const char *dev,
				       const char *name, uint64_t tx_share, uint64_t tx_max)
{
	struct nlmsghdr *nlh = devlink_msg(buf, fam, cmd, bus, dev);
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_RATE_NODE_NAME, name);
	if (cmd != DEVLINK_CMD_RATE_DEL) {
		mnl_attr_put_u64(nlh, DEVLINK_ATTR_RATE_TX_SHARE, tx_share);
		mnl_attr_put_u64(nlh, DEVLINK_ATTR_RATE_TX_MAX, tx_max);
	}
	return nlh;
}

struct nlmsghdr *devlink_rate_parent_msg(char *buf, uint16_t fam, const char *bus, const char *dev, uint32_t port,
					 const char *parent)
{
	struct nlmsghdr *nlh = devlink_msg(buf, fam, DEVLINK_CMD_RATE_SET, bus, dev);
	mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, port);
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_RATE_PARENT_NODE_NAME, parent);
	return nlh;
}

int devlink_rate_cb(const struct nlmsghdr *nlh, void *data)
{
	devlink_rates_list *rs = data;
	devlink_rate r = {.type = -1};
	const struct nlattr *a;
	mnl_attr_for_each (a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case DEVLINK_ATTR_BUS_NAME:
			(void)attr_str(a, r.bus, sizeof(r.bus));
			break;
		case DEVLINK_ATTR_DEV_NAME:
			(void)attr_str(a, r.dev, sizeof(r.dev));
			break;
		case DEVLINK_ATTR_PORT_INDEX:
			r.port = (uint32_t)attr_uint(a, MNL_TYPE_U32, r.port);
			break;
		case DEVLINK_ATTR_RATE_TYPE:
			r.type = (int)attr_uint(a, MNL_TYPE_U16, r.type);
			break;
		case DEVLINK_ATTR_RATE_NODE_NAME:
			(void)attr_str(a, r.name, sizeof(r.name));
			break;
		case DEVLINK_ATTR_RATE_PARENT_NODE_NAME:
			(void)attr_str(a, r.parent, sizeof(r.parent));
			break;
		case DEVLINK_ATTR_RATE_TX_SHARE:
			r.tx_share = (uint64_t)attr_uint(a, MNL_TYPE_U64, 0);
			break;
		case DEVLINK_ATTR_RATE_TX_MAX:
			r.tx_max = (uint64_t)attr_uint(a, MNL_TYPE_U64, 0);
			break;
		}
	}
	if (GROW(rs->v, rs->alloc, rs->n + 1) < 0)
		return MNL_CB_ERROR;
	rs->v[rs->n++] = r;
	return MNL_CB_OK;
}

/* The function nest of a port: its capabilities. */
static void port_function(const struct nlattr *nest, devlink_port *p)
{
	const struct nlattr *a;
	mnl_attr_for_each_nested (a, nest) {
		if (mnl_attr_get_type(a) == DEVLINK_PORT_FN_ATTR_CAPS &&
		    mnl_attr_get_payload_len(a) >= sizeof(struct nla_bitfield32)) {
			const struct nla_bitfield32 *b = mnl_attr_get_payload(a);
			p->caps = b->value & b->selector;
			p->caps_known = b->selector;
		} else if (mnl_attr_get_type(a) == DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR &&
			   mnl_attr_get_payload_len(a) == sizeof(p->hw_addr)) {
			memcpy(p->hw_addr, mnl_attr_get_payload(a), sizeof(p->hw_addr));
			p->has_hw_addr = true;
		}
	}
}

int devlink_eswitch_cb(const struct nlmsghdr *nlh, void *data)
{
	devlink_eswitch *e = data;
	const struct nlattr *a;
	mnl_attr_for_each (a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case DEVLINK_ATTR_ESWITCH_MODE:
			e->mode = (int)attr_uint(a, MNL_TYPE_U16, e->mode);
			break;
		case DEVLINK_ATTR_ESWITCH_INLINE_MODE:
			e->inline_mode = (int)attr_uint(a, MNL_TYPE_U8, e->inline_mode);
			break;
		case DEVLINK_ATTR_ESWITCH_ENCAP_MODE:
			e->encap_mode = (int)attr_uint(a, MNL_TYPE_U8, e->encap_mode);
			break;
		}
	}
	return MNL_CB_OK;
}

int devlink_port_cb(const struct nlmsghdr *nlh, void *data)
{
	devlink_ports_list *ps = data;
	devlink_port p = {.flavour = -1, .pfnum = -1, .vfnum = -1, .controller = 0};
	const struct nlattr *a;
	mnl_attr_for_each (a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case DEVLINK_ATTR_BUS_NAME:
			(void)attr_str(a, p.bus, sizeof(p.bus));
			break;
		case DEVLINK_ATTR_DEV_NAME:
			(void)attr_str(a, p.dev, sizeof(p.dev));
			break;
		case DEVLINK_ATTR_PORT_INDEX:
			p.index = (uint32_t)attr_uint(a, MNL_TYPE_U32, p.index);
			break;
		case DEVLINK_ATTR_PORT_FLAVOUR:
			p.flavour = (int)attr_uint(a, MNL_TYPE_U16, p.flavour);
			break;
		case DEVLINK_ATTR_PORT_PCI_PF_NUMBER:
			p.pfnum = (int)attr_uint(a, MNL_TYPE_U16, p.pfnum);
			break;
		case DEVLINK_ATTR_PORT_PCI_VF_NUMBER:
			p.vfnum = (int)attr_uint(a, MNL_TYPE_U16, p.vfnum);
			break;
		case DEVLINK_ATTR_PORT_CONTROLLER_NUMBER:
			p.controller = (int)attr_uint(a, MNL_TYPE_U32, p.controller);
			break;
		case DEVLINK_ATTR_PORT_EXTERNAL:
			p.external = attr_uint(a, MNL_TYPE_U8, p.external);
			break;
		case DEVLINK_ATTR_PORT_NETDEV_NAME:
			(void)attr_str(a, p.netdev, sizeof(p.netdev));
			break;
		case DEVLINK_ATTR_PORT_FUNCTION:
			port_function(a, &p);
			break;
		}
	}
	if (GROW(ps->v, ps->alloc, ps->n + 1) < 0)
		return MNL_CB_ERROR;
	ps->v[ps->n++] = p;
	return MNL_CB_OK;
}
