/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding devices in a snapshot, and the relations between them that several commands ask about. */
#include <stdio.h>
#include <strings.h>

#include "parse.h"
#include "pci.h"
#include "relations.h"
#include "stable-id.h"
#include "util.h"
#include "vfctl/vfctl.h"

const vfctl_netdev *vfctl_vf_netdev(const vfctl_host *h, const vfctl_vf *vf)
{
	const vfctl_device *d = vf->id && vf->netdev ? vfctl_host_find(h, vf->id) : NULL;
	for (size_t i = 0; d && i < d->n_netdevs; i++)
		if (streq(d->netdevs[i].name, vf->netdev))
			return &d->netdevs[i];
	return NULL;
}

const vfctl_device *vfctl_host_find(const vfctl_host *h, const char *id)
{
	pci_addr a;
	if (parse_pci_addr(id, &a) >= 0) {
		const vfctl_device key = {.id = (char *)id, .addr = {a.domain, a.bus, a.dev, a.fn}};
		/* PCI devices are sorted by address at the front of the array. */
		size_t lo = 0, hi = h->n_devices;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			const vfctl_device *d = &h->devices[mid];
			int c = device_cmp(&key, d);
			if (c == 0)
				return d;
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		return NULL;
	}
	for (size_t i = 0; i < h->n_devices; i++)
		if (streq(h->devices[i].id, id))
			return &h->devices[i];
	return NULL;
}

static const vfctl_device *find_netdev(const vfctl_host *h, const char *name)
{
	for (size_t i = 0; i < h->n_devices; i++)
		for (size_t j = 0; j < h->devices[i].n_netdevs; j++)
			if (streq(h->devices[i].netdevs[j].name, name))
				return &h->devices[i];
	return NULL;
}

int vfctl_host_resolve(const vfctl_host *h, const char *arg, const vfctl_device **ret_dev, int *ret_vf)
{
	const vfctl_device *d;
	_cleanup_free_ char *pf = NULL;
	unsigned vf;

	if ((d = vfctl_host_find(h, arg)) || (d = find_netdev(h, arg)) || (d = pf_by_stable_id(h, arg))) {
		*ret_dev = d;
		*ret_vf = -1;
		return 0;
	}
	if (parse_pf_vf(arg, &pf, &vf) >= 0) {
		d = vfctl_host_find(h, pf);
		if (!d)
			d = find_netdev(h, pf);
		if (!d)
			d = pf_by_stable_id(h, pf);
		if (!d)
			return -ENODEV;
		if (vf >= d->n_vfs)
			return -ERANGE;
		/* A PCI VF is a device of its own: hand that back when it exists. */
		const vfctl_device *vd = d->vfs[vf].id ? vfctl_host_find(h, d->vfs[vf].id) : NULL;
		*ret_dev = vd ? vd : d;
		*ret_vf = vd ? -1 : (int)vf;
		return 0;
	}
	return -ENODEV;
}

int select_mask(const vfctl_host *h, const vfctl_select *sel, bool **ret, size_t *ret_bad)
{
	*ret = NULL;
	if (!sel || !sel->n)
		return 0;
	bool *m = calloc(h->n_devices ? h->n_devices : 1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < sel->n; i++) {
		const vfctl_device *d;
		int vf, r = vfctl_host_resolve(h, sel->devices[i], &d, &vf);
		if (r < 0) {
			free(m);
			if (ret_bad)
				*ret_bad = i;
			return r;
		}
		m[d - h->devices] = true;
	}
	*ret = m;
	return 0;
}

bool vfctl_select_names(const vfctl_host *h, const vfctl_select *sel, const vfctl_device *d)
{
	const vfctl_device *x;
	int vf;
	for (size_t i = 0; sel && i < sel->n; i++)
		if (vfctl_host_resolve(h, sel->devices[i], &x, &vf) >= 0 && x == d)
			return true;
	return !sel || !sel->n;
}

int vfctl_select_check(const vfctl_host *h, const vfctl_select *sel, size_t *ret_bad)
{
	_cleanup_free_ bool *m = NULL;
	return select_mask(h, sel, &m, ret_bad);
}

const char *vfctl_vlan_proto_str(int proto)
{
	return proto == VFCTL_VLAN_PROTO_8021Q ? "802.1Q" : proto == VFCTL_VLAN_PROTO_8021AD ? "802.1ad" : NULL;
}

const char *vfctl_link_state_str(int state)
{
	switch (state) {
	case 0:
		return "auto";
	case 1:
		return "enable";
	case 2:
		return "disable";
	default:
		return NULL;
	}
}

int vfctl_host_group_peers(const vfctl_host *h, const vfctl_device *d, size_t **ret, size_t *ret_n)
{
	size_t *v = NULL, n = 0, alloc = 0;
	if (d->iommu_group >= 0)
		for (size_t i = 0; i < h->n_devices; i++) {
			if (&h->devices[i] == d || h->devices[i].iommu_group != d->iommu_group)
				continue;
			if (GROW(v, alloc, n + 1) < 0) {
				free(v);
				return -ENOMEM;
			}
			v[n++] = i;
		}
	*ret = v;
	*ret_n = n;
	return 0;
}

static bool shares_line(const vfctl_device *d, const vfctl_device *p)
{
	return p != d && p->int_pin && p->irq == d->irq && p->driver;
}

bool intx_holds_line(const vfctl_device *d, const vfctl_device *p)
{
	return shares_line(d, p) && p->caps_known && !p->msi_enabled && !p->msix_enabled;
}

bool intx_line_unknown(const vfctl_device *d, const vfctl_device *p)
{
	return shares_line(d, p) && !p->caps_known;
}

/* Appends "ID (driver)" to a comma-separated list; the list is dropped on OOM. */
static char *list_add(char *list, const vfctl_device *p)
{
	char *n = NULL;
	if (asprintf(&n, "%s%s%s (%s)", list ? list : "", list ? ", " : "", p->id,
		     p->driver ? p->driver : "no driver") < 0)
		n = NULL;
	free(list);
	return n;
}

char *intx_line_holders(const vfctl_host *h, const vfctl_device *d)
{
	char *s = NULL;
	for (size_t i = 0; i < h->n_devices; i++)
		if (intx_holds_line(d, &h->devices[i]))
			s = list_add(s, &h->devices[i]);
	return s;
}

char *group_host_members(const vfctl_host *h, const vfctl_device *d)
{
	char *s = NULL;
	for (size_t i = 0; d->iommu_group >= 0 && i < h->n_devices; i++) {
		const vfctl_device *p = &h->devices[i];
		if (p != d && p->iommu_group == d->iommu_group && !p->is_bridge && p->driver &&
		    !driver_is_vfio(p->driver))
			s = list_add(s, p);
	}
	return s;
}

bool same_slot(const vfctl_device *a, const vfctl_device *b)
{
	return a->addr.domain >= 0 && b->addr.domain >= 0 && a->addr.domain == b->addr.domain &&
	       a->addr.bus == b->addr.bus && a->addr.slot == b->addr.slot;
}

int device_cmp(const vfctl_device *a, const vfctl_device *b)
{
	const vfctl_pci_addr *x = &a->addr, *y = &b->addr;
	if ((x->domain < 0) != (y->domain < 0))
		return x->domain < 0 ? 1 : -1;
	if (x->domain < 0)
		return strcmp(a->id, b->id);
	int c = x->domain != y->domain ? x->domain - y->domain
		: x->bus != y->bus     ? x->bus - y->bus
		: x->slot != y->slot   ? x->slot - y->slot
				       : x->function - y->function;
	return c;
}

const char *vfctl_eswitch_mode_str(vfctl_eswitch_mode m)
{
	return m == VFCTL_ESWITCH_LEGACY ? "legacy" : m == VFCTL_ESWITCH_SWITCHDEV ? "switchdev" : "unknown";
}

int vfctl_eswitch_mode_from_str(const char *s, vfctl_eswitch_mode *ret)
{
	if (streq(s, "legacy"))
		*ret = VFCTL_ESWITCH_LEGACY;
	else if (streq(s, "switchdev"))
		*ret = VFCTL_ESWITCH_SWITCHDEV;
	else
		return -EINVAL;
	return 0;
}

int vfctl_vlan_proto_from_str(const char *s, int *ret)
{
	if (strcasecmp(s, "802.1Q") == 0)
		*ret = VFCTL_VLAN_PROTO_8021Q;
	else if (strcasecmp(s, "802.1ad") == 0)
		*ret = VFCTL_VLAN_PROTO_8021AD;
	else
		return -EINVAL;
	return 0;
}
