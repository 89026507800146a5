/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding devices in a snapshot, and the relations between them that several commands ask about. */
#include <stdio.h>

#include "parse.h"
#include "relations.h"
#include "util.h"
#include "vfctl/vfctl.h"

const vfctl_device *vfctl_host_find(const vfctl_host *h, const char *id)
{
	pci_addr a;
	if (parse_pci_addr(id, &a) >= 0) {
		char canon[PCI_ADDR_STRLEN];
		format_pci_addr(&a, canon);
		/* PCI devices are sorted by address at the front of the array. */
		size_t lo = 0, hi = h->n_devices;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			const vfctl_device *d = &h->devices[mid];
			pci_addr b;
			/* non-PCI devices sort after every PCI address */
			int c = parse_pci_addr(d->id, &b) < 0 ? -1 : pci_addr_cmp(&a, &b);
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

	if ((d = vfctl_host_find(h, arg)) || (d = find_netdev(h, arg))) {
		*ret_dev = d;
		*ret_vf = -1;
		return 0;
	}
	if (parse_pf_vf(arg, &pf, &vf) >= 0) {
		d = vfctl_host_find(h, pf);
		if (!d)
			d = find_netdev(h, pf);
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

const char *vfctl_vlan_proto_str(int proto)
{
	return proto == 0x8100 ? "802.1Q" : proto == 0x88a8 ? "802.1ad" : NULL;
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

bool intx_holds_line(const vfctl_device *d, const vfctl_device *p)
{
	return p != d && p->int_pin && p->irq == d->irq && p->driver && !p->msi_enabled && !p->msix_enabled;
}

/* Appends "ID (driver)" to a comma-separated list; the list is dropped on OOM. */
static char *list_add(char *list, const vfctl_device *p)
{
	char *n = NULL;
	if (asprintf(&n, "%s%s%s (%s)", list ? list : "", list ? ", " : "", p->id, p->driver ? p->driver : "no driver") < 0)
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
		if (p != d && p->iommu_group == d->iommu_group && !p->is_bridge && p->driver && !streq(p->driver, "vfio-pci"))
			s = list_add(s, p);
	}
	return s;
}
