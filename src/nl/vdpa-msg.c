/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vdpa generic netlink messages: reply decoders and request attributes, without sockets. */
#include <linux/genetlink.h>
#include <linux/vdpa.h>
#include <stdio.h>

#include "attr.h"
#include "vdpa-msg.h"

static char *mgmt_name(const char *bus, const char *dev)
{
	char *s = NULL;
	if (bus && *bus)
		return asprintf(&s, "%s/%s", bus, dev) < 0 ? NULL : s;
	return strdup(dev);
}

int vdpa_mgmtdev_cb(const struct nlmsghdr *nlh, void *data)
{
	vfctl_vdpa *v = data;
	const struct nlattr *a;
	char bus[64] = "", dev[64] = "";
	vfctl_vdpa_mgmtdev m = {.max_vqs = -1};
	mnl_attr_for_each (a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case VDPA_ATTR_MGMTDEV_BUS_NAME:
			(void)attr_str(a, bus, sizeof(bus));
			break;
		case VDPA_ATTR_MGMTDEV_DEV_NAME:
			(void)attr_str(a, dev, sizeof(dev));
			break;
		case VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES:
			m.classes = (uint64_t)attr_uint(a, MNL_TYPE_U64, 0);
			break;
		case VDPA_ATTR_DEV_MGMTDEV_MAX_VQS:
			m.max_vqs = (int)attr_uint(a, MNL_TYPE_U32, -1);
			break;
		case VDPA_ATTR_DEV_SUPPORTED_FEATURES:
			m.features = (uint64_t)attr_uint(a, MNL_TYPE_U64, 0);
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

int vdpa_dev_cb(const struct nlmsghdr *nlh, void *data)
{
	vfctl_vdpa *v = data;
	const struct nlattr *a;
	char bus[64] = "", dev[64] = "", name[64] = "";
	vfctl_vdpa_dev d = {.device_id = -1};
	mnl_attr_for_each (a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case VDPA_ATTR_MGMTDEV_BUS_NAME:
			(void)attr_str(a, bus, sizeof(bus));
			break;
		case VDPA_ATTR_MGMTDEV_DEV_NAME:
			(void)attr_str(a, dev, sizeof(dev));
			break;
		case VDPA_ATTR_DEV_NAME:
			(void)attr_str(a, name, sizeof(name));
			break;
		case VDPA_ATTR_DEV_ID:
			d.device_id = (int)attr_uint(a, MNL_TYPE_U32, -1);
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

void vdpa_put_mgmtdev(struct nlmsghdr *nlh, const char *mgmtdev)
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

void vdpa_clear(vfctl_vdpa *v)
{
	for (size_t i = 0; i < v->n_mgmtdevs; i++)
		free(v->mgmtdevs[i].name);
	for (size_t i = 0; i < v->n_devs; i++) {
		vfctl_vdpa_dev *d = &v->devs[i];
		free(d->name);
		free(d->mgmtdev);
		free(d->driver);
		free(d->vhost);
		free(d->netdev);
		free(d->held_by.comm);
		free(d->held_by.vm);
	}
	free(v->mgmtdevs);
	free(v->devs);
	*v = (vfctl_vdpa){0};
}
