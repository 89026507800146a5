/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* devlink port function capabilities: the request vfctl sends for Migratable=/RoCE= carries the
 * one bit it changes in the selector (the kernel touches only selected bits and refuses a selected
 * bit its driver lacks), and the port dump's function nest reads back as capabilities. */
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

#include "devlink-msg.h"
#include "tap.h"
#include "util.h"

static void test_caps_request(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	/* value carries a bit outside the mask: it must not be sent */
	struct nlmsghdr *nlh =
		devlink_port_fn_caps_msg(buf, 21, "pci", "0000:06:00.0", 3, DEVLINK_PORT_FN_CAP_MIGRATABLE,
					 DEVLINK_PORT_FN_CAP_MIGRATABLE | DEVLINK_PORT_FN_CAP_ROCE);
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ_INT(nlh->nlmsg_type, 21);
	CHECK_EQ_INT(g->cmd, DEVLINK_CMD_PORT_SET);
	CHECK(nlh->nlmsg_flags & NLM_F_REQUEST, "a request");
	int nests = 0;
	const struct nlattr *a, *b;
	mnl_attr_for_each (a, nlh, sizeof(*g)) {
		if (mnl_attr_get_type(a) != DEVLINK_ATTR_PORT_FUNCTION)
			continue;
		mnl_attr_for_each_nested (b, a) {
			const struct nla_bitfield32 *bf = mnl_attr_get_payload(b);
			CHECK_EQ_INT(mnl_attr_get_type(b), DEVLINK_PORT_FN_ATTR_CAPS);
			CHECK_EQ_INT(mnl_attr_get_payload_len(b), sizeof(*bf));
			CHECK_EQ_INT(bf->selector, DEVLINK_PORT_FN_CAP_MIGRATABLE);
			CHECK_EQ_INT(bf->value, DEVLINK_PORT_FN_CAP_MIGRATABLE);
			nests++;
		}
	}
	CHECK_EQ_INT(nests, 1);
	/* The same attributes as a port dump reply: the decoder reads the port and its caps. */
	devlink_ports_list ps = {0};
	CHECK_EQ_INT(devlink_port_cb(nlh, &ps), MNL_CB_OK);
	CHECK_EQ_INT(ps.n, 1);
	if (ps.n == 1) {
		CHECK_STREQ(ps.v[0].dev, "0000:06:00.0");
		CHECK_EQ_INT(ps.v[0].index, 3);
		CHECK_EQ_INT(ps.v[0].caps_known, DEVLINK_PORT_FN_CAP_MIGRATABLE);
		CHECK_EQ_INT(ps.v[0].caps, DEVLINK_PORT_FN_CAP_MIGRATABLE);
	}
	free(ps.v);
	/* Disabling: the bit selected, its value 0. */
	nlh = devlink_port_fn_caps_msg(buf, 21, "pci", "0000:06:00.0", 3, DEVLINK_PORT_FN_CAP_ROCE, 0);
	ps = (devlink_ports_list){0};
	CHECK_EQ_INT(devlink_port_cb(nlh, &ps), MNL_CB_OK);
	CHECK(ps.n == 1 && ps.v[0].caps_known == DEVLINK_PORT_FN_CAP_ROCE && ps.v[0].caps == 0, "roce disable");
	free(ps.v);
}

/* A port without a function nest (netdevsim, legacy drivers): no capability known. */
static void test_no_function(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = devlink_msg(buf, 21, DEVLINK_CMD_PORT_NEW, "netdevsim", "netdevsim1");
	mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, 2);
	mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_FLAVOUR, DEVLINK_PORT_FLAVOUR_PCI_VF);
	devlink_ports_list ps = {0};
	CHECK_EQ_INT(devlink_port_cb(nlh, &ps), MNL_CB_OK);
	CHECK(ps.n == 1 && ps.v[0].caps_known == 0 && ps.v[0].flavour == DEVLINK_PORT_FLAVOUR_PCI_VF, "no caps");
	free(ps.v);
}

/* Rate nodes: NEW and SET carry the node's name and both rates, DEL the name alone; a leaf's
 * parent is the node's name ("" unsets it, as the kernel's devlink_nl_rate_parent_node_set()
 * reads an empty name). The same attributes as a rate dump reply decode back. */
static void test_rate_nodes(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = devlink_rate_node_msg(buf, 21, DEVLINK_CMD_RATE_NEW, "netdevsim", "netdevsim10", "g1",
						     125000, 62500000);
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ_INT(g->cmd, DEVLINK_CMD_RATE_NEW);
	mnl_attr_put_u16(nlh, DEVLINK_ATTR_RATE_TYPE, DEVLINK_RATE_TYPE_NODE);
	devlink_rates_list rs = {0};
	CHECK_EQ_INT(devlink_rate_cb(nlh, &rs), MNL_CB_OK);
	CHECK(rs.n == 1 && rs.v[0].type == DEVLINK_RATE_TYPE_NODE && streq(rs.v[0].name, "g1") &&
		      rs.v[0].tx_share == 125000 && rs.v[0].tx_max == 62500000 && streq(rs.v[0].dev, "netdevsim10"),
	      "a node with its rates");
	nlh = devlink_rate_node_msg(buf, 21, DEVLINK_CMD_RATE_DEL, "netdevsim", "netdevsim10", "g1", 1, 1);
	int rates = 0;
	const struct nlattr *a;
	mnl_attr_for_each (a, nlh, sizeof(*g))
		rates += mnl_attr_get_type(a) == DEVLINK_ATTR_RATE_TX_SHARE ||
			 mnl_attr_get_type(a) == DEVLINK_ATTR_RATE_TX_MAX;
	CHECK(rates == 0, "DEL carries no rates");
	nlh = devlink_rate_parent_msg(buf, 21, "netdevsim", "netdevsim10", 7, "");
	mnl_attr_put_u16(nlh, DEVLINK_ATTR_RATE_TYPE, DEVLINK_RATE_TYPE_LEAF);
	CHECK_EQ_INT(devlink_rate_cb(nlh, &rs), MNL_CB_OK);
	CHECK(rs.n == 2 && rs.v[1].type == DEVLINK_RATE_TYPE_LEAF && rs.v[1].port == 7 && rs.v[1].parent[0] == 0,
	      "noparent: an empty parent name");
	bool has_parent = false;
	mnl_attr_for_each (a, nlh, sizeof(*g))
		has_parent |= mnl_attr_get_type(a) == DEVLINK_ATTR_RATE_PARENT_NODE_NAME;
	CHECK(has_parent, "noparent still sends the attribute, empty");
	free(rs.v);
}

/* The port function's MAC: set as a 6-byte DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR in the function
 * nest, read back from a port dump that carries it (mlx5's ports do). */
static void test_hw_addr(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const uint8_t mac[6] = {0x02, 0, 0, 0, 0x3b, 0x01};
	struct nlmsghdr *nlh = devlink_port_fn_hw_addr_msg(buf, 21, "pci", "0000:3b:00.0", 1, mac);
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ_INT(g->cmd, DEVLINK_CMD_PORT_SET);
	devlink_ports_list ps = {0};
	CHECK_EQ_INT(devlink_port_cb(nlh, &ps), MNL_CB_OK);
	CHECK(ps.n == 1 && ps.v[0].has_hw_addr && memcmp(ps.v[0].hw_addr, mac, 6) == 0 && ps.v[0].index == 1,
	      "hw_addr read back");
	free(ps.v);
}

int main(void)
{
	test_caps_request();
	test_no_function();
	test_rate_nodes();
	test_hw_addr();
	return tap_finish("test-devlink");
}
