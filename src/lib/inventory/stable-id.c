/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <strings.h>

#include "parse.h"
#include "stable-id.h"
#include "util.h"

const char *pf_perm_mac(const vfctl_device *d)
{
	uint8_t m[6];
	const char *p = d->n_netdevs ? d->netdevs[0].perm_mac : NULL;
	return p && parse_mac(p, m) >= 0 && !mac_is_zero(m) ? p : NULL;
}

void pf_stable_id(const vfctl_device *pf, char *buf, size_t size)
{
	const char *m = pf_perm_mac(pf);
	if (m)
		snprintf(buf, size, "mac:%s", m);
	else
		snprintf(buf, size, "path:pci-%s", pf->id);
}

const vfctl_device *pf_by_stable_id(const vfctl_host *h, const char *id)
{
	bool path = startswith(id, "path:pci-");
	if (!path && !startswith(id, "mac:"))
		return NULL;
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *d = &h->devices[i];
		if (d->physfn)
			continue;
		const char *m = path ? NULL : pf_perm_mac(d);
		if (path ? strcasecmp(d->id, id + 9) == 0 : m && strcasecmp(m, id + 4) == 0)
			return d;
	}
	return NULL;
}
