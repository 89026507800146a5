/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ethtool netlink features: replies laid out as the kernel's ethnl_put_bitset32() writes a verbose
 * bitset (a list of named bits; NOMASK: the listed bits are the set ones), decoded for one name. */
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <string.h>

#include "ethtool-msg.h"
#include "genl.h"
#include "tap.h"

static struct nlmsghdr *genl_reply(char *buf)
{
	return genl_msg(buf, 30, ETHTOOL_MSG_FEATURES_GET_REPLY, 0);
}

static void put_bit(struct nlmsghdr *nlh, uint32_t index, const char *name, bool value)
{
	struct nlattr *bit = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS_BIT);
	mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_BIT_INDEX, index);
	mnl_attr_put_strz(nlh, ETHTOOL_A_BITSET_BIT_NAME, name);
	if (value)
		mnl_attr_put(nlh, ETHTOOL_A_BITSET_BIT_VALUE, 0, NULL);
	mnl_attr_nest_end(nlh, bit);
}

/* ACTIVE as a list (nomask: the bits listed are on), or with a mask (each bit's VALUE flag). */
static struct nlmsghdr *reply(char *buf, bool nomask, bool tc_on)
{
	struct nlmsghdr *nlh = genl_reply(buf);
	struct nlattr *wanted = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_WANTED);
	struct nlattr *bits = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS);
	put_bit(nlh, 50, "hw-tc-offload", true); /* wanted on: must not be read as active */
	mnl_attr_nest_end(nlh, bits);
	mnl_attr_nest_end(nlh, wanted);
	struct nlattr *active = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_ACTIVE);
	if (nomask)
		mnl_attr_put(nlh, ETHTOOL_A_BITSET_NOMASK, 0, NULL);
	mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_SIZE, 64);
	bits = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS);
	put_bit(nlh, 0, "tx-scatter-gather", true);
	if (!nomask || tc_on)
		put_bit(nlh, 50, "hw-tc-offload", tc_on);
	mnl_attr_nest_end(nlh, bits);
	mnl_attr_nest_end(nlh, active);
	return nlh;
}

int main(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	for (int nomask = 0; nomask <= 1; nomask++)
		for (int on = 0; on <= 1; on++) {
			ethtool_feature f = {.name = "hw-tc-offload", .active = -1};
			CHECK_EQ_INT(ethtool_features_cb(reply(buf, nomask, on), &f), MNL_CB_OK);
			CHECK(f.active == on, "nomask %d, on %d: read %d", nomask, on, f.active);
		}
	ethtool_feature f = {.name = "hw-tc-offload", .active = -1};
	struct nlmsghdr *nlh = genl_reply(buf);
	CHECK_EQ_INT(ethtool_features_cb(nlh, &f), MNL_CB_OK);
	CHECK_EQ_INT(f.active, -1); /* no ACTIVE bitset: not known, not "off" */
	nlh = ethtool_features_msg(buf, 30, "eth1");
	const struct nlattr *a, *b;
	int names = 0;
	mnl_attr_for_each (a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == ETHTOOL_A_FEATURES_HEADER)
			mnl_attr_for_each_nested (b, a)
				names += mnl_attr_get_type(b) == ETHTOOL_A_HEADER_DEV_NAME &&
					 !strcmp(mnl_attr_get_str(b), "eth1");
	CHECK_EQ_INT(names, 1);
	CHECK_EQ_INT(((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd, ETHTOOL_MSG_FEATURES_GET);
	return tap_finish("test-ethtool");
}
