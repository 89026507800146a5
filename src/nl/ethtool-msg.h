/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libmnl/libmnl.h>
#include <stdint.h>

/* One netdev feature as ETHTOOL_MSG_FEATURES_GET reports it: name ("hw-tc-offload") asked, active
 * 1 or 0 from the reply, -1 while the reply has not said. */
typedef struct ethtool_feature {
	const char *name;
	int active;
} ethtool_feature;

/* ETHTOOL_MSG_FEATURES_GET for ifname, verbose bitsets (each bit with its name: no string set to
 * look the index up in). */
struct nlmsghdr *ethtool_features_msg(char *buf, uint16_t family, const char *ifname);
/* Reply decoder (libmnl callback), data an ethtool_feature. */
int ethtool_features_cb(const struct nlmsghdr *nlh, void *data);
