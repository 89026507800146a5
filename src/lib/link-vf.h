/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/netlink.h>
#include <net/if.h>

#include "ctx.h"

/* One RTM_NEWLINK as far as vfctl needs it. */
typedef struct link_info {
	int ifindex;
	char ifname[IF_NAMESIZE];
	char perm_mac[18]; /* "" when the kernel gave none */
	int num_vf;        /* IFLA_NUM_VF, -1 if absent */
	vfctl_vf_settings *vfs; /* indexed by VF number, num_vf entries, .valid where listed */
	int n_listed;      /* how many IFLA_VF_INFO entries decoded */
	bool len_wrapped;  /* the list outgrew its 16-bit nest length and was recovered */
	char altnames[8][128]; /* IFLA_PROP_LIST / IFLA_ALT_IFNAME, the first 8 */
	size_t n_altnames;
} link_info;

void link_info_done(link_info *li);
/* Every knob unknown (-1), not valid. */
void vf_settings_init(vfctl_vf_settings *s);

/* Pure decoder of an RTM_NEWLINK; unknown attributes are skipped. */
int link_vf_decode(const struct nlmsghdr *nlh, link_info *ret);

/* RTM_GETLINK for one interface with IFLA_EXT_MASK RTEXT_FILTER_VF|RTEXT_FILTER_SKIP_STATS:
 * stats are what overflows the VF list's 16-bit nest length first (~78 VFs with stats,
 * 300+ without). */
int link_vf_get(vfctl_ctx *ctx, const char *ifname, link_info *ret);

/* Builds the request into buf (at least MNL_SOCKET_BUFFER_SIZE); exposed for tests. */
struct nlmsghdr *link_vf_build_getlink(char *buf, const char *ifname);

/* One RTM_GETLINK dump of every link without VF info or stats; cb sees each decoded link. */
int link_dump(vfctl_ctx *ctx, int (*cb)(const link_info *li, void *data), void *data);

/* One IFLA_VF_* attribute in its own RTM_SETLINK on the PF (ifindex), so a knob the driver lacks
 * fails alone. payload is the attribute's struct (ifla_vf_mac, ifla_vf_rate, ...). For
 * IFLA_VF_VLAN_LIST, payload is one ifla_vf_vlan_info, nested as the kernel wants it. */
int link_vf_set(vfctl_ctx *ctx, int ifindex, uint16_t type, const void *payload, size_t len);
/* RTM_SETLINK of the link itself: IFF_UP on or off, or the MTU. */
int link_set_up(vfctl_ctx *ctx, int ifindex, bool up);
int link_set_mtu(vfctl_ctx *ctx, int ifindex, uint32_t mtu);
/* Builds the RTM_SETLINK for link_vf_set into buf; exposed for tests. */
struct nlmsghdr *link_vf_build_set(char *buf, int ifindex, uint16_t type, const void *payload, size_t len);

/* RTM_NEWLINKPROP: adds an alternative name (IFLA_ALT_IFNAME); the netdev keeps its name. */
int link_add_altname(vfctl_ctx *ctx, const char *ifname, const char *alt);
