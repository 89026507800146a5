/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>

#include "util.h"
#include "vfctl/vfctl.h"

/* One RTM_NEWLINK as far as vfctl needs it. */
typedef struct link_info {
	int ifindex;
	unsigned flags; /* ifi_flags */
	int mtu;        /* IFLA_MTU, -1 if absent */
	char ifname[IF_NAMESIZE];
	char perm_mac[18];        /* "" when the kernel gave none */
	char mac[64];             /* IFLA_ADDRESS as sysfs writes it ("" when none; InfiniBand's is 20 bytes) */
	char operstate[16];       /* IFLA_OPERSTATE in sysfs's words ("up", "down", ...), "" when none */
	int num_vf;               /* IFLA_NUM_VF, -1 if absent */
	vfctl_vf_settings *vfs;   /* indexed by VF number, num_vf entries, .valid where listed */
	vfctl_counters *vf_stats; /* the same, IFLA_VF_STATS when the kernel sent them */
	vfctl_counters stats;     /* IFLA_STATS64 */
	int n_listed;             /* how many IFLA_VF_INFO entries decoded */
	bool len_wrapped;         /* the list outgrew its 16-bit nest length and was recovered */
	char altnames[8][128];    /* IFLA_PROP_LIST / IFLA_ALT_IFNAME, the first 8 */
	size_t n_altnames;
} link_info;

void link_info_done(link_info *li);
/* Every knob unknown (-1), not valid. */
void vf_settings_init(vfctl_vf_settings *s);

/* Pure decoder of an RTM_NEWLINK; unknown attributes are skipped. */
int link_vf_decode(const struct nlmsghdr *nlh, link_info *ret);

/* Every counter -1, not valid. */
void counters_init(vfctl_counters *c);

/* Builds the request into buf (at least MNL_SOCKET_BUFFER_SIZE); exposed for tests. stats: let
 * the kernel add IFLA_VF_STATS (the list then outgrows its nest length sooner: decoded anyway). */
struct nlmsghdr *link_vf_build_getlink(char *buf, const char *ifname, bool stats);

/* Builds the RTM_SETLINK for link_vf_set into buf; exposed for tests. */
struct nlmsghdr *link_vf_build_set(char *buf, int ifindex, uint16_t type, const void *payload, size_t len);

/* nlmsghdr + ifinfomsg for one link (ifindex 0: all, or named by IFLA_IFNAME). */
struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, int ifindex, struct ifinfomsg **ret_ifi);
/* RTM_NEWLINK changing IFF_UP, or the MTU; RTM_NEWLINKPROP adding an altname. */
struct nlmsghdr *link_build_up(char *buf, int ifindex, bool up);
struct nlmsghdr *link_build_mtu(char *buf, int ifindex, uint32_t mtu);
struct nlmsghdr *link_build_altname(char *buf, const char *ifname, const char *alt);
