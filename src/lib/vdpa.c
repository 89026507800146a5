/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/genetlink.h>
#include <linux/vdpa.h>
#include <stdio.h>

#include "driver.h"
#include "genl.h"
#include "vdpa.h"

static int vdpa_sock(vfctl_ctx *ctx, nl_sock **ret, uint16_t *family)
{
	return ctx_genl(ctx, VDPA_GENL_NAME, &ctx->vdpa_family, ret, family);
}

static char *mgmt_name(const char *bus, const char *dev)
{
	char *s = NULL;
	if (bus && *bus)
		return asprintf(&s, "%s/%s", bus, dev) < 0 ? NULL : s;
	return strdup(dev);
}

static int mgmt_cb(const struct nlmsghdr *nlh, void *data)
{
	vfctl_vdpa *v = data;
	const struct nlattr *a;
	char bus[64] = "", dev[64] = "";
	vfctl_vdpa_mgmtdev m = {.max_vqs = -1};
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
	{
		switch (mnl_attr_get_type(a)) {
		case VDPA_ATTR_MGMTDEV_BUS_NAME:
			snprintf(bus, sizeof(bus), "%s", mnl_attr_get_str(a));
			break;
		case VDPA_ATTR_MGMTDEV_DEV_NAME:
			snprintf(dev, sizeof(dev), "%s", mnl_attr_get_str(a));
			break;
		case VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES:
			m.classes = mnl_attr_get_u64(a);
			break;
		case VDPA_ATTR_DEV_MGMTDEV_MAX_VQS:
			m.max_vqs = (int)mnl_attr_get_u32(a);
			break;
		case VDPA_ATTR_DEV_SUPPORTED_FEATURES:
			m.features = mnl_attr_get_u64(a);
			break;
		}
	}
	vfctl_vdpa_mgmtdev *n = realloc(v->mgmtdevs, (v->n_mgmtdevs + 1) * sizeof(*n));
	if (!n)
		return MNL_CB_ERROR;
	v->mgmtdevs = n;
	m.name = mgmt_name(bus, dev);
	n[v->n_mgmtdevs++] = m;
	return MNL_CB_OK;
}

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	vfctl_vdpa *v = data;
	const struct nlattr *a;
	char bus[64] = "", dev[64] = "", name[64] = "";
	vfctl_vdpa_dev d = {.device_id = -1};
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
	{
		switch (mnl_attr_get_type(a)) {
		case VDPA_ATTR_MGMTDEV_BUS_NAME:
			snprintf(bus, sizeof(bus), "%s", mnl_attr_get_str(a));
			break;
		case VDPA_ATTR_MGMTDEV_DEV_NAME:
			snprintf(dev, sizeof(dev), "%s", mnl_attr_get_str(a));
			break;
		case VDPA_ATTR_DEV_NAME:
			snprintf(name, sizeof(name), "%s", mnl_attr_get_str(a));
			break;
		case VDPA_ATTR_DEV_ID:
			d.device_id = (int)mnl_attr_get_u32(a);
			break;
		}
	}
	vfctl_vdpa_dev *n = realloc(v->devs, (v->n_devs + 1) * sizeof(*n));
	if (!n)
		return MNL_CB_ERROR;
	v->devs = n;
	d.name = strdup(name);
	d.mgmtdev = mgmt_name(bus, dev);
	n[v->n_devs++] = d;
	return MNL_CB_OK;
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
	(void)nl_transact(nl, genl_msg(buf, fam, VDPA_CMD_MGMTDEV_GET, NLM_F_DUMP), mgmt_cb, v);
	(void)nl_transact(nl, genl_msg(buf, fam, VDPA_CMD_DEV_GET, NLM_F_DUMP), dev_cb, v);
	for (size_t i = 0; i < v->n_devs; i++)
		dev_sysfs(ctx, &v->devs[i]);
	return 0;
}

static void put_mgmtdev(struct nlmsghdr *nlh, const char *mgmtdev)
{
	const char *slash = strchr(mgmtdev, '/');
	if (slash) {
		char bus[64];
		snprintf(bus, sizeof(bus), "%.*s", (int)(slash - mgmtdev), mgmtdev);
		mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_BUS_NAME, bus);
		mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, slash + 1);
	} else
		mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, mgmtdev);
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
	put_mgmtdev(nlh, n->mgmtdev);
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

int vdpa_bind(vfctl_ctx *ctx, const char *name, const char *driver)
{
	char path[PATH_MAX], *cur = NULL;
	int r;
	if ((r = module_load(ctx, NULL, driver)) < 0)
		return r;
	/* virtio_vdpa makes a virtio device; its netdev needs virtio_net, which udev would load on
	 * the virtio uevent, and hosts without udev (containers, initramfs) would not. */
	if (streq(driver, "virtio_vdpa") && (r = module_load(ctx, NULL, "virtio_net")) < 0)
		return r;
	snprintf(path, sizeof(path), "bus/vdpa/devices/%s/driver", name);
	if (sysfs_link_name(ctx->fs, path, &cur) >= 0) {
		bool same = streq(cur, driver);
		free(cur);
		if (same)
			return 0;
		snprintf(path, sizeof(path), "bus/vdpa/devices/%s/driver/unbind", name);
		if ((r = sysfs_write_bounded(ctx, path, name, 10000)) < 0)
			return r;
	}
	snprintf(path, sizeof(path), "bus/vdpa/devices/%s/driver_override", name);
	if ((r = sysfs_write_bounded(ctx, path, driver, 5000)) < 0 ||
	    (r = sysfs_write_bounded(ctx, "bus/vdpa/drivers_probe", name, 10000)) < 0)
		return r;
	snprintf(path, sizeof(path), "bus/vdpa/devices/%s/driver", name);
	for (int waited = 0; waited < 5000; waited += 50) {
		char *d = NULL;
		if (sysfs_link_name(ctx->fs, path, &d) >= 0 && streq(d, driver)) {
			free(d);
			return 0;
		}
		free(d);
		usleep(50 * 1000);
	}
	return ctx_error(ctx, -ETIMEDOUT, "vDPA device %s did not bind to %s", name, driver);
}
