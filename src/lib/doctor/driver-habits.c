/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a PF driver's own habits leave behind (driver-facts.h), with the source that says so. */
#include <stdio.h>

#include "checker.h"
#include "driver-facts.h"
#include "pci.h"

/* igb and ixgbe give a VF the MAC its PF set only in the reply to the VF driver's reset at load:
 * a MAC set while the VF's driver ran (ip link set PF vf N mac, by hand) waits for its next load,
 * and until then the VF sends with the old one, which spoof checking drops. A trusted VF may have
 * chosen its own: not reported. */
static void check_mac_not_loaded(checker *c, const vfctl_device *pf)
{
	const driver_fact *f = driver_fact_find(pf->driver, FACT_VF_RELOAD, "MACAddress");
	for (size_t i = 0; f && i < pf->n_vfs; i++) {
		const vfctl_vf *v = &pf->vfs[i];
		const vfctl_device *vd = v->id ? vfctl_host_find(c->h, v->id) : NULL;
		const vfctl_vf_settings *s = &v->settings;
		if (!vd || !vd->driver || driver_is_vfio(vd->driver) || !vd->n_netdevs || !vd->netdevs[0].mac ||
		    !s->valid || s->trust == 1 || streq(s->mac, "00:00:00:00:00:00") ||
		    !strcasecmp(s->mac, vd->netdevs[0].mac))
			continue;
		_cleanup_free_ char *sum = NULL, *ev = NULL, *fix = NULL;
		if (asprintf(&sum, "VF %u's driver %s has not loaded since its PF set its MAC: %s (%s)", v->index,
			     vd->driver, f->why, f->source) < 0)
			sum = NULL;
		if (asprintf(&ev, "IFLA_VF_MAC %s; %s has %s", s->mac, vd->netdevs[0].name, vd->netdevs[0].mac) < 0)
			ev = NULL;
		if (asprintf(&fix,
			     "reload the VF's driver: echo %s > /sys/bus/pci/drivers/%s/unbind; echo %s > "
			     "/sys/bus/pci/drivers_probe (vfctl apply does it after a MAC it sets)",
			     vd->id, vd->driver, vd->id) < 0)
			fix = NULL;
		add(c, "vf.mac-not-loaded", VFCTL_SEV_WARN, vd, sum, ev, fix);
	}
}

void check_driver_habits(checker *c)
{
	for (size_t i = 0; i < c->h->n_devices; i++) {
		const vfctl_device *d = &c->h->devices[i];
		if (!d->physfn && d->n_vfs && doctor_selected(c, d))
			check_mac_not_loaded(c, d);
	}
}
