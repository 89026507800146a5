/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-memory snapshot (and empty context) the planner's unit tests and the config fuzzer use. */
#include <linux/if_ether.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igb-host.h"

/* An igb PF with `n` VFs: up, MTU 1500, VF i with MAC 02:..:i, VLAN 0, spoof checking on. */
vfctl_host *test_igb_host(int n)
{
	vfctl_host *h = calloc(1, sizeof(*h));
	vfctl_device *d = calloc(1, sizeof(*d));
	h->devices = d;
	h->n_devices = 1;
	*d = (vfctl_device){.id = strdup("0000:01:00.0"),
			    .addr = {0, 1, 0, 0},
			    .bus = strdup("pci"),
			    .driver = strdup("igb"),
			    .syspath = strdup("bus/pci/devices/0000:01:00.0"),
			    .vendor_id = 0x8086,
			    .device_id = 0x10c9,
			    .iommu_group = 10,
			    .total_vfs = 7,
			    .num_vfs = n,
			    .autoprobe = 1,
			    .eswitch_mode = -1,
			    .vf_device_id = 0x10ca,
			    .vfio_uid = -1,
			    .vfio_gid = -1,
			    .vf_index = -1,
			    .vf_default_driver = strdup("igbvf")};
	d->netdevs = calloc(1, sizeof(*d->netdevs));
	d->n_netdevs = 1;
	d->netdevs[0] =
		(vfctl_netdev){.name = strdup("enp1s0"), .mtu = 1500, .flags = IFF_UP | IFF_BROADCAST, .ifindex = 2};
	d->vfs = calloc((size_t)n + 1, sizeof(*d->vfs));
	d->n_vfs = (size_t)n;
	for (int i = 0; i < n; i++) {
		vfctl_vf *v = &d->vfs[i];
		v->index = (unsigned)i;
		char id[16];
		snprintf(id, sizeof(id), "0000:01:10.%d", 2 * i);
		v->id = strdup(id);
		v->driver = strdup("igbvf");
		v->iommu_group = 20 + i;
		v->settings = (vfctl_vf_settings){.valid = true,
						  .vlan = 0,
						  .qos = 0,
						  .vlan_proto = ETH_P_8021Q,
						  .spoofchk = 1,
						  .trust = 0,
						  .rss_query = -1,
						  .link_state = -1,
						  .min_tx_rate = 0,
						  .max_tx_rate = 0};
		snprintf(v->settings.mac, sizeof(v->settings.mac), "02:00:00:00:00:%02x", i);
	}
	return h;
}

vfctl_ctx *test_empty_ctx(char *dir)
{
	vfctl_ctx_opts o = VFCTL_OPTS(vfctl_ctx_opts, .netlink = 0, .names = false);
	vfctl_ctx *ctx = NULL;
	if (!mkdtemp(dir))
		return NULL;
	o.sys_root = o.proc_root = o.modules_root = dir;
	if (vfctl_ctx_new(&o, &ctx) < 0)
		ctx = vfctl_ctx_free(ctx);
	return ctx;
}
