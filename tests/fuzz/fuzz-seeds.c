/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writes the netlink seeds of tests/fuzz/corpus/fuzz-netlink: one well-formed reply per decoder,
 * laid out as the kernel fills them, so the fuzzer starts from real structure. Run by
 * tests/fuzz/run.sh --seeds; the output is committed. */
#include <linux/devlink.h>
#include <linux/ethtool_netlink.h>
#include <linux/gen_stats.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <linux/vdpa.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>

static char buf[8192];

static void save(const char *dir, const char *name, uint8_t selector, const struct nlmsghdr *nlh)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	fputc(selector, f);
	fwrite(nlh, 1, nlh->nlmsg_len, f);
	fclose(f);
}

static struct nlmsghdr *genl(uint16_t type, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static void rtnl_seed(const char *dir)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 2;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "enp1s0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	uint8_t mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
	mnl_attr_put(nlh, IFLA_PERM_ADDRESS, 6, mac);
	struct nlattr *pl = mnl_attr_nest_start(nlh, IFLA_PROP_LIST);
	mnl_attr_put_strz(nlh, IFLA_ALT_IFNAME, "uplink0");
	mnl_attr_nest_end(nlh, pl);
	mnl_attr_put_u32(nlh, IFLA_NUM_VF, 2);
	struct nlattr *list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
	for (uint32_t vf = 0; vf < 2; vf++) {
		struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
		struct ifla_vf_mac m = {.vf = vf, .mac = {2, 0, 0, 0, 0, (uint8_t)vf}};
		struct ifla_vf_vlan v = {.vf = vf, .vlan = 42, .qos = 3};
		struct ifla_vf_rate r = {.vf = vf, .min_tx_rate = 0, .max_tx_rate = 100};
		struct ifla_vf_spoofchk sp = {.vf = vf, .setting = 1};
		struct ifla_vf_trust tr = {.vf = vf, .setting = 0};
		struct ifla_vf_link_state ls = {.vf = vf, .link_state = 0};
		mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(m), &m);
		mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(v), &v);
		mnl_attr_put(nlh, IFLA_VF_RATE, sizeof(r), &r);
		mnl_attr_put(nlh, IFLA_VF_SPOOFCHK, sizeof(sp), &sp);
		mnl_attr_put(nlh, IFLA_VF_TRUST, sizeof(tr), &tr);
		mnl_attr_put(nlh, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
		mnl_attr_nest_end(nlh, info);
	}
	mnl_attr_nest_end(nlh, list);
	save(dir, "rtnl-newlink-2vfs", 0, nlh);
}

static void devlink_seeds(const char *dir)
{
	struct nlmsghdr *nlh = genl(20, DEVLINK_CMD_PORT_NEW);
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "pci");
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, "0000:06:00.0");
	mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, 2);
	mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_FLAVOUR, DEVLINK_PORT_FLAVOUR_PCI_VF);
	mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_PCI_PF_NUMBER, 0);
	mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_PCI_VF_NUMBER, 1);
	mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_CONTROLLER_NUMBER, 0);
	mnl_attr_put_u8(nlh, DEVLINK_ATTR_PORT_EXTERNAL, 0);
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_PORT_NETDEV_NAME, "eth0_1");
	save(dir, "devlink-port-vf", 1, nlh);
	nlh = genl(20, DEVLINK_CMD_ESWITCH_GET);
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "pci");
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, "0000:06:00.0");
	mnl_attr_put_u16(nlh, DEVLINK_ATTR_ESWITCH_MODE, DEVLINK_ESWITCH_MODE_SWITCHDEV);
	mnl_attr_put_u8(nlh, DEVLINK_ATTR_ESWITCH_INLINE_MODE, 0);
	mnl_attr_put_u8(nlh, DEVLINK_ATTR_ESWITCH_ENCAP_MODE, 1);
	save(dir, "devlink-eswitch", 2, nlh);
}

static void vdpa_seeds(const char *dir)
{
	struct nlmsghdr *nlh = genl(21, VDPA_CMD_MGMTDEV_NEW);
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_BUS_NAME, "pci");
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "0000:06:00.2");
	mnl_attr_put_u64(nlh, VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES, 2);
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_MGMTDEV_MAX_VQS, 16);
	mnl_attr_put_u64(nlh, VDPA_ATTR_DEV_SUPPORTED_FEATURES, 0x300000000ull);
	save(dir, "vdpa-mgmtdev", 3, nlh);
	nlh = genl(21, VDPA_CMD_DEV_NEW);
	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
	mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "vdpasim_net");
	mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
	save(dir, "vdpa-dev", 4, nlh);
}

static void tc_ethtool_seeds(const char *dir)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWTFILTER;
	struct tcmsg *t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_ifindex = 5;
	t->tcm_handle = 1;
	t->tcm_info = (1u << 16) | 0x0008;
	mnl_attr_put_strz(nlh, TCA_KIND, "flower");
	mnl_attr_put_u32(nlh, TCA_CHAIN, 0);
	struct nlattr *opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_FLOWER_FLAGS, TCA_CLS_FLAGS_IN_HW);
	mnl_attr_put_u32(nlh, TCA_FLOWER_IN_HW_COUNT, 1);
	struct nlattr *acts = mnl_attr_nest_start(nlh, TCA_FLOWER_ACT);
	struct nlattr *act = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
	struct nlattr *st = mnl_attr_nest_start(nlh, TCA_ACT_STATS);
	struct gnet_stats_basic b = {.bytes = 6000, .packets = 60}, hw = {.bytes = 5000, .packets = 50};
	mnl_attr_put(nlh, TCA_STATS_BASIC, sizeof(b), &b);
	mnl_attr_put(nlh, TCA_STATS_BASIC_HW, sizeof(hw), &hw);
	mnl_attr_nest_end(nlh, st);
	mnl_attr_nest_end(nlh, act);
	mnl_attr_nest_end(nlh, acts);
	mnl_attr_nest_end(nlh, opts);
	save(dir, "tc-flower-in-hw", 5, nlh);
	nlh = genl(22, ETHTOOL_MSG_FEATURES_GET_REPLY);
	struct nlattr *active = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_ACTIVE);
	mnl_attr_put(nlh, ETHTOOL_A_BITSET_NOMASK, 0, NULL);
	mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_SIZE, 64);
	struct nlattr *bits = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS);
	struct nlattr *bit = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS_BIT);
	mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_BIT_INDEX, 50);
	mnl_attr_put_strz(nlh, ETHTOOL_A_BITSET_BIT_NAME, "hw-tc-offload");
	mnl_attr_nest_end(nlh, bit);
	mnl_attr_nest_end(nlh, bits);
	mnl_attr_nest_end(nlh, active);
	save(dir, "ethtool-features", 6, nlh);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz-seeds DIR\n");
		return 2;
	}
	rtnl_seed(argv[1]);
	devlink_seeds(argv[1]);
	vdpa_seeds(argv[1]);
	tc_ethtool_seeds(argv[1]);
	return 0;
}
