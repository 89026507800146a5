/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every netlink reply decoder vfctl has, fed a buffer of messages as a socket read hands them
 * over (libmnl checks each header, the decoders the attributes): RTM_NEWLINK with its VF list,
 * devlink port and eswitch replies, vdpa management device and device dumps, tc filters, ethtool
 * features. The first byte picks
 * the decoder, so one corpus covers them all and each seed says what it is. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devlink-msg.h"
#include "ethtool-msg.h"
#include "nl.h"
#include "rtnl-link.h"
#include "tc-msg.h"
#include "vdpa-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	link_info li;
	(void)data;
	if (link_vf_decode(nlh, &li) >= 0)
		link_info_done(&li);
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 20)
		return 0;
	/* aligned as a socket buffer is, exactly as long as the read */
	void *buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	devlink_eswitch es = {-1, -1, -1};
	devlink_ports_list ports = {0};
	vfctl_vdpa vdpa = {0};
	tc_filter_list filters = {0};
	ethtool_feature feature = {.name = "hw-tc-offload", .active = -1};
	devlink_rates_list rates = {0};
	static const mnl_cb_t cbs[] = {link_cb,     devlink_port_cb, devlink_eswitch_cb,  vdpa_mgmtdev_cb,
				       vdpa_dev_cb, tc_filter_cb,    ethtool_features_cb, devlink_rate_cb};
	void *const args[] = {NULL, &ports, &es, &vdpa, &vdpa, &filters, &feature, &rates};
	unsigned k = data[0] % 8;
	/* the walk nl_transact makes over a received buffer */
	const char *pos = buf;
	size_t left = size - 1;
	for (const struct nlmsghdr *h; (h = nl_msg_next(&pos, &left));)
		if (cbs[k](h, args[k]) == MNL_CB_ERROR)
			break;
	free(ports.v);
	free(filters.v);
	free(rates.v);
	vdpa_clear(&vdpa);
	free(buf);
	return 0;
}
