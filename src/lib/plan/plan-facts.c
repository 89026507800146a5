/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the planner asks of a snapshot, and of a driver's habits. */
#include "driver-facts.h"
#include "plan.h"

const vfctl_netdev *netdev_find(const vfctl_host *h, const char *name)
{
	for (size_t i = 0; name && i < h->n_devices; i++)
		for (size_t j = 0; j < h->devices[i].n_netdevs; j++)
			if (streq(h->devices[i].netdevs[j].name, name))
				return &h->devices[i].netdevs[j];
	return NULL;
}

bool netdev_has_altname(const vfctl_host *h, const char *name, const char *alt)
{
	const vfctl_netdev *nd = netdev_find(h, name);
	for (size_t i = 0; nd && i < nd->n_altnames; i++)
		if (streq(nd->altnames[i], alt))
			return true;
	return false;
}

/* Is the device's /dev/vfio node already owned as asked (-1: that half not asked)? */
bool vfio_owned(const vfctl_device *d, int uid, int gid)
{
	return d && d->vfio_uid >= 0 && (uid < 0 || d->vfio_uid == uid) && (gid < 0 || d->vfio_gid == gid);
}

const char *vfio_pick(const char *driver, const char *variant, int want, const char *override)
{
	return driver && variant && want != 0 && !override && streq(driver, "vfio-pci") ? variant : driver;
}

eswitch_order eswitch_order_of(const char *driver)
{
	const driver_fact *f = driver_fact_eswitch(driver);
	return f && f->kind == FACT_ESWITCH_THROUGH_ZERO ? ESWITCH_THROUGH_ZERO : ESWITCH_VFS_FIRST;
}
