/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ethtool generic netlink messages (the interface ethtool(8) itself uses since Linux 5.6): requests
 * and reply decoders, without sockets. */
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <string.h>

#include "attr.h"
#include "ethtool-msg.h"
#include "genl.h"

struct nlmsghdr *ethtool_features_msg(char *buf, uint16_t fam, const char *ifname)
{
	struct nlmsghdr *nlh = genl_msg(buf, fam, ETHTOOL_MSG_FEATURES_GET, 0);
	struct nlattr *hdr = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_HEADER);
	mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, ifname);
	mnl_attr_nest_end(nlh, hdr);
	return nlh;
}

/* A verbose bitset: each listed bit has its name; with NOMASK a listed bit is set, otherwise its
 * VALUE flag says. */
static void bitset_find(const struct nlattr *set, ethtool_feature *f)
{
	const struct nlattr *a, *bit, *b;
	bool nomask = false;
	mnl_attr_for_each_nested (a, set)
		nomask |= mnl_attr_get_type(a) == ETHTOOL_A_BITSET_NOMASK;
	f->active = 0;
	mnl_attr_for_each_nested (a, set) {
		if (mnl_attr_get_type(a) != ETHTOOL_A_BITSET_BITS)
			continue;
		mnl_attr_for_each_nested (bit, a) {
			char name[64] = "";
			bool value = false;
			if (mnl_attr_get_type(bit) != ETHTOOL_A_BITSET_BITS_BIT)
				continue;
			mnl_attr_for_each_nested (b, bit) {
				if (mnl_attr_get_type(b) == ETHTOOL_A_BITSET_BIT_NAME)
					(void)attr_str(b, name, sizeof(name));
				else if (mnl_attr_get_type(b) == ETHTOOL_A_BITSET_BIT_VALUE)
					value = true;
			}
			if (strcmp(name, f->name) == 0)
				f->active = nomask || value;
		}
	}
}

int ethtool_features_cb(const struct nlmsghdr *nlh, void *data)
{
	ethtool_feature *f = data;
	const struct nlattr *a;
	mnl_attr_for_each (a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == ETHTOOL_A_FEATURES_ACTIVE)
			bitset_find(a, f);
	return MNL_CB_OK;
}
