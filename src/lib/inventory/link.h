/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"
#include "rtnl-link.h"

/* RTM_GETLINK for one interface with IFLA_EXT_MASK RTEXT_FILTER_VF, and RTEXT_FILTER_SKIP_STATS
 * unless the context asks for counters: stats are what overflows the VF list's 16-bit nest length
 * first (~78 VFs with stats, 300+ without); the decoder reads past the wrap. */
int link_vf_get(vfctl_ctx *ctx, const char *ifname, link_info *ret);

/* One RTM_GETLINK dump of every link without VF info or stats; cb sees each decoded link. */
int link_dump(vfctl_ctx *ctx, int (*cb)(const link_info *li, void *data), void *data);

/* One IFLA_VF_* attribute in its own RTM_SETLINK on the PF (ifindex), so a knob the driver lacks
 * fails alone. payload is the attribute's struct (ifla_vf_mac, ifla_vf_rate, ...). For
 * IFLA_VF_VLAN_LIST, payload is one ifla_vf_vlan_info, nested as the kernel wants it. */
int link_vf_set(vfctl_ctx *ctx, int ifindex, uint16_t type, const void *payload, size_t len);
/* RTM_SETLINK of the link itself: IFF_UP on or off, or the MTU. */
int link_set_up(vfctl_ctx *ctx, int ifindex, bool up);
int link_set_mtu(vfctl_ctx *ctx, int ifindex, uint32_t mtu);
/* RTM_NEWLINKPROP: adds an alternative name (IFLA_ALT_IFNAME); the netdev keeps its name. */
int link_add_altname(vfctl_ctx *ctx, const char *ifname, const char *alt);
