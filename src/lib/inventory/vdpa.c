/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/vdpa.h>
#include <stdio.h>

#include "genl.h"
#include "vdpa-msg.h"
#include "vdpa.h"

static int vdpa_sock(vfctl_ctx *ctx, nl_sock **ret, uint16_t *family)
{
	return ctx_genl(ctx, VDPA_GENL_NAME, &ctx->vdpa_family, ret, family);
}

/* What the vdpa bus says of a device: its driver, the vhost char device or the virtio netdev. */
static void dev_sysfs(vfctl_ctx *ctx, vfctl_vdpa_dev *d)
{
	char path[PATH_MAX], **ents = NULL;
	size_t n = 0;
	snprintf(path, sizeof(path), "bus/vdpa/devices/%s/driver", d->name);
	(void)sysfs_link_name(ctx->fs, path, &d->driver);
	snprintf(path, sizeof(path), "bus/vdpa/devices/%s", d->name);
	if (sysfs_list(ctx->fs, path, NULL, &ents, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (startswith(ents[i], "vhost-vdpa-") && !d->vhost && asprintf(&d->vhost, "/dev/%s", ents[i]) < 0)
			d->vhost = NULL;
		if (startswith(ents[i], "virtio") && !d->netdev) {
			char **nets = NULL;
			size_t nn = 0;
			snprintf(path, sizeof(path), "bus/vdpa/devices/%s/%s/net", d->name, ents[i]);
			if (sysfs_list(ctx->fs, path, NULL, &nets, &nn) >= 0 && nn)
				d->netdev = strdup(nets[0]);
			strv_free_n(nets, nn);
		}
	}
	strv_free_n(ents, n);
}

int vdpa_scan(vfctl_ctx *ctx, vfctl_host *h)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nl_sock *nl;
	uint16_t fam;
	vfctl_vdpa *v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	h->vdpa = v;
	/* Without the vdpa bus there is nothing to list; asking genetlink for an unknown family would
	 * make the kernel run modprobe for it on every scan. No vdpa family is not an error either. */
	if (!sysfs_exists(ctx->fs, "bus/vdpa") || vdpa_sock(ctx, &nl, &fam) < 0)
		return 0;
	v->available = true;
	(void)nl_transact(nl, genl_msg(buf, fam, VDPA_CMD_MGMTDEV_GET, NLM_F_DUMP), vdpa_mgmtdev_cb, v);
	(void)nl_transact(nl, genl_msg(buf, fam, VDPA_CMD_DEV_GET, NLM_F_DUMP), vdpa_dev_cb, v);
	for (size_t i = 0; i < v->n_devs; i++)
		dev_sysfs(ctx, &v->devs[i]);
	return 0;
}

int vdpa_dev_add(vfctl_ctx *ctx, const vdpa_new *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nl_sock *nl;
	uint16_t fam;
	int r = vdpa_sock(ctx, &nl, &fam);
	if (r < 0)
		return r;
	struct nlmsghdr *nlh = genl_msg(buf, fam, VDPA_CMD_DEV_NEW, 0);
	vdpa_put_mgmtdev(nlh, n->mgmtdev);
	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, n->name);
	if (n->has_mac)
		mnl_attr_put(nlh, VDPA_ATTR_DEV_NET_CFG_MACADDR, 6, n->mac);
	if (n->mtu >= 0)
		mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_NET_CFG_MTU, (uint16_t)n->mtu);
	if (n->max_vqp >= 0)
		mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_NET_CFG_MAX_VQP, (uint16_t)n->max_vqp);
	r = nl_transact(nl, nlh, NULL, NULL);
	if (r < 0)
		return ctx_error(ctx, r, "vdpa dev add name %s mgmtdev %s%s%s", n->name, n->mgmtdev,
				 nl->ext_ack[0] ? ": " : "", nl->ext_ack);
	return 0;
}

int vdpa_dev_del(vfctl_ctx *ctx, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	nl_sock *nl;
	uint16_t fam;
	int r = vdpa_sock(ctx, &nl, &fam);
	if (r < 0)
		return r;
	struct nlmsghdr *nlh = genl_msg(buf, fam, VDPA_CMD_DEV_DEL, 0);
	mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, name);
	r = nl_transact(nl, nlh, NULL, NULL);
	return r < 0 ? ctx_error(ctx, r, "vdpa dev del %s%s%s", name, nl->ext_ack[0] ? ": " : "", nl->ext_ack) : 0;
}
