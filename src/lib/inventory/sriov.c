/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdio.h>

#include <linux/devlink.h>

#include "devlink.h"
#include "link.h"
#include "parse.h"
#include "pci.h"
#include "sriov.h"
#include "vf-flags.h"

static vfctl_device *find_dev(vfctl_host *h, const char *id)
{
	return (vfctl_device *)vfctl_host_find(h, id);
}

static int alloc_vfs(vfctl_device *pf, size_t n)
{
	pf->vfs = n ? calloc(n, sizeof(*pf->vfs)) : NULL;
	if (n && !pf->vfs)
		return -ENOMEM;
	pf->n_vfs = n;
	for (size_t i = 0; i < n; i++) {
		pf->vfs[i].index = (unsigned)i;
		pf->vfs[i].iommu_group = -1;
		pf->vfs[i].nvme_scid = pf->vfs[i].nvme_online = pf->vfs[i].nvme_vq = pf->vfs[i].nvme_vi = -1;
		vf_settings_init(&pf->vfs[i].settings);
		counters_init(&pf->vfs[i].stats);
	}
	return 0;
}

bool sriov_rid_addr(const vfctl_device *pf, uint32_t idx, char *buf, size_t size)
{
	if (!pf->has_sriov_cap || pf->vf_offset <= 0 || pf->vf_stride < 0 || pf->addr.domain < 0)
		return false;
	int rid = (pf->addr.bus << 8) + (pf->addr.slot << 3) + pf->addr.function + pf->vf_offset +
		  (int)idx * pf->vf_stride;
	if (rid > 0xffff)
		return false;
	snprintf(buf, size, "%04x:%02x:%02x.%d", pf->addr.domain, rid >> 8, (rid >> 3) & 0x1f, rid & 7);
	return true;
}

bool sriov_vf_addr(const vfctl_device *pf, uint32_t idx, char *buf, size_t size)
{
	return pf->cap_num_vfs == pf->num_vfs && sriov_rid_addr(pf, idx, buf, size);
}

/* VF idx's device, by the address sriov_vf_addr() computes. NULL when the capability was not read
 * (not root) or no such function was scanned: the virtfn link decides then. Saves a readlink per
 * VF. */
static vfctl_device *vf_by_rid(vfctl_host *h, const vfctl_device *pf, uint32_t idx)
{
	char id[32];
	if (!sriov_vf_addr(pf, idx, id, sizeof(id)))
		return NULL;
	vfctl_device *d = find_dev(h, id);
	return d && !d->has_sriov_cap && d != pf ? d : NULL;
}

static void link_vf(vfctl_device *pf, vfctl_vf *vf, vfctl_device *vd, uint32_t idx)
{
	vd->vf_index = (int)idx;
	if (!vd->physfn)
		vd->physfn = strdup(pf->id);
	vf->driver = strdup_or_null(vd->driver);
	vf->netdev = vd->n_netdevs ? strdup(vd->netdevs[0].name) : NULL;
	vf->iommu_group = vd->iommu_group;
}

/* Every VF where the SR-IOV capability puts it: no virtfn link listed or read. False (nothing
 * linked) when one of them was not scanned; the links decide then. */
static bool link_by_rid(vfctl_host *h, vfctl_device *pf, int *r)
{
	if (pf->num_vfs <= 0)
		return false;
	for (uint32_t i = 0; i < (uint32_t)pf->num_vfs; i++)
		if (!vf_by_rid(h, pf, i))
			return false;
	if ((*r = alloc_vfs(pf, (size_t)pf->num_vfs)) < 0)
		return true;
	for (uint32_t i = 0; i < (uint32_t)pf->num_vfs; i++) {
		vfctl_device *vd = vf_by_rid(h, pf, i);
		if (!(pf->vfs[i].id = strdup(vd->id))) {
			*r = -ENOMEM;
			return true;
		}
		link_vf(pf, &pf->vfs[i], vd, i);
	}
	return true;
}

static int link_pci_pf(vfctl_ctx *ctx, vfctl_host *h, vfctl_device *pf)
{
	char **links = NULL;
	size_t n = 0, max = 0;
	int r = 0;

	if (link_by_rid(h, pf, &r))
		return r;
	/* No virtfn links just means no VFs enabled. */
	if (sysfs_list(ctx->fs, pf->syspath, "virtfn", &links, &n) < 0)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t idx;
		if (parse_u32(links[i] + strlen("virtfn"), &idx) >= 0 && idx + 1 > max)
			max = idx + 1;
	}
	/* A VF whose link is missing still counts: sriov_numvfs says how many exist. */
	if (pf->num_vfs > 0 && (size_t)pf->num_vfs > max)
		max = (size_t)pf->num_vfs;
	r = alloc_vfs(pf, max);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		uint32_t idx;
		char path[PATH_MAX];
		if (parse_u32(links[i] + strlen("virtfn"), &idx) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", pf->syspath, links[i]);
		vfctl_vf *vf = &pf->vfs[idx];
		vfctl_device *vd = vf_by_rid(h, pf, idx);
		if (vd)
			vf->id = strdup(vd->id);
		else if (sysfs_link_name(ctx->fs, path, &vf->id) < 0)
			continue;
		else
			vd = find_dev(h, vf->id);
		if (!vd)
			continue; /* vanished between the listing and now */
		link_vf(pf, vf, vd, idx);
	}
	strv_free_n(links, n);
	return r;
}

int sriov_link_vfs(vfctl_ctx *ctx, vfctl_host *h)
{
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		int r;
		if (d->total_vfs < 0 && d->num_vfs < 0)
			continue;
		if (streq(d->bus, "pci"))
			r = link_pci_pf(ctx, h, d);
		else
			r = alloc_vfs(d, d->num_vfs > 0 ? (size_t)d->num_vfs : 0);
		if (r < 0)
			return r;
	}
	return 0;
}

int sriov_scan_nonpci(vfctl_ctx *ctx, vfctl_host *h, const netdev_map *nets)
{
	size_t alloc = h->n_devices;
	int r = 0;

	for (size_t i = 0; i < nets->n && r >= 0; i++) {
		char path[PATH_MAX];
		const netdev_ref *ref = &nets->v[i];
		/* A PCI function's netdevs are known already; lo, bridges and veths have no device. */
		if (vfctl_host_find(h, ref->parent) || strstr(ref->target, "/devices/virtual/"))
			continue;
		snprintf(path, sizeof(path), "class/net/%s/device/sriov_numvfs", ref->name);
		if (!sysfs_exists(ctx->fs, path))
			continue;
		snprintf(path, sizeof(path), "class/net/%s/device/subsystem", ref->name);
		_cleanup_free_ char *bus = NULL, *devname = NULL;
		if (sysfs_link_name(ctx->fs, path, &bus) < 0 || streq(bus, "pci"))
			continue;
		snprintf(path, sizeof(path), "class/net/%s/device", ref->name);
		if (sysfs_link_name(ctx->fs, path, &devname) < 0 || vfctl_host_find(h, devname))
			continue; /* a second port of a device already found */

		if ((r = GROW(h->devices, alloc, h->n_devices + 1)) < 0)
			break;
		vfctl_device *d = &h->devices[h->n_devices++];
		pci_device_init(d);
		d->id = TAKE_PTR(devname);
		d->bus = TAKE_PTR(bus);
		d->syspath = strdup(path);
		if (!d->id || !d->bus || !d->syspath) {
			r = -ENOMEM;
			break;
		}
		snprintf(path, sizeof(path), "class/net/%s/device/driver", ref->name);
		(void)sysfs_link_name(ctx->fs, path, &d->driver);
		d->num_vfs = sysfs_int(ctx->fs, "%s/sriov_numvfs", d->syspath);
		d->total_vfs = sysfs_int(ctx->fs, "%s/sriov_totalvfs", d->syspath);
		d->autoprobe = sysfs_int(ctx->fs, "%s/sriov_drivers_autoprobe", d->syspath);
		r = netdevs_of(ctx, nets, d->id, d->syspath, &d->netdevs, &d->n_netdevs);
	}
	return r;
}

static int perm_cb(const link_info *li, void *data)
{
	vfctl_host *h = data;
	for (size_t i = 0; i < h->n_devices; i++)
		for (size_t j = 0; j < h->devices[i].n_netdevs; j++) {
			vfctl_netdev *nd = &h->devices[i].netdevs[j];
			if (!streq(nd->name, li->ifname))
				continue;
			nd->ifindex = li->ifindex;
			nd->mtu = li->mtu;
			nd->flags = (int)li->flags;
			nd->stats = li->stats;
			if (!nd->mac && li->mac[0])
				nd->mac = strdup(li->mac);
			if (!nd->operstate && li->operstate[0])
				nd->operstate = strdup(li->operstate);
			if (!nd->perm_mac && li->perm_mac[0])
				nd->perm_mac = strdup(li->perm_mac);
			if (!nd->altnames && li->n_altnames && (nd->altnames = calloc(li->n_altnames, sizeof(char *))))
				for (size_t k = 0; k < li->n_altnames; k++)
					if ((nd->altnames[nd->n_altnames] = strdup(li->altnames[k])))
						nd->n_altnames++;
		}
	return 0;
}

static void pf_settings(vfctl_ctx *ctx, vfctl_device *pf)
{
	link_info li = {.num_vf = -1};
	int r = -ENODEV;

	/* Only network PFs have VF settings: an NVMe PF's VFs are its secondary controllers. */
	if ((pf->class_code >> 16) != 0x02 && pf->addr.domain >= 0)
		return;
	if (pf->n_netdevs == 0) {
		pf->vf_settings_error = strdup("PF has no netdev in this network namespace");
		return;
	}
	/* Dual-port PFs (mlx4) report VFs on each port: the first that answers is enough. */
	for (size_t i = 0; i < pf->n_netdevs; i++) {
		link_info_done(&li);
		r = link_vf_get(ctx, pf->netdevs[i].name, &li);
		if (r >= 0 && li.num_vf > 0)
			break;
	}
	if (r < 0) {
		pf->vf_settings_error = strdup(vfctl_ctx_error(ctx));
		return;
	}
	pf->vf_settings_known = true;
	pf->reported_num_vf = li.num_vf;
	pf->vf_list_truncated = li.num_vf >= 0 && li.n_listed < li.num_vf;
	for (size_t i = 0; i < pf->n_vfs && (int)i < li.num_vf; i++) {
		pf->vfs[i].settings = li.vfs[i];
		pf->vfs[i].stats = li.vf_stats[i];
	}
	link_info_done(&li);
}

/* The capabilities a VF's port function reports (those a driver has no port_fn_*_get for stay
 * -1), into the flag knobs that are devlink capabilities. */
static void port_fn_caps(vfctl_vf_settings *s, const devlink_port *p)
{
	for (vf_flag f = 0; f < _VF_FLAG_MAX; f++)
		if (vf_flags[f].devlink_cap && (p->caps_known & vf_flags[f].devlink_cap))
			vf_flag_set(s, f, (p->caps & vf_flags[f].devlink_cap) != 0);
}

/* The rate nodes of each switchdev PF's devlink instance, and which node each VF's leaf is under
 * (the leaf found by its port index). A driver without rate objects answers the dump with nothing. */
static void rate_groups_read(vfctl_ctx *ctx, vfctl_host *h, const devlink_port *ports, size_t np)
{
	devlink_rate *rates = NULL;
	size_t nr = 0;
	if (devlink_rates(ctx, &rates, &nr) < 0)
		return;
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		const char *bus, *dev;
		if (d->eswitch_mode != VFCTL_ESWITCH_SWITCHDEV)
			continue;
		devlink_handle(d, &bus, &dev);
		for (size_t k = 0; k < nr; k++) {
			const devlink_rate *r = &rates[k];
			if (!streq(r->bus, bus) || !streq(r->dev, dev))
				continue;
			vfctl_rate_group *gs = r->type == DEVLINK_RATE_TYPE_NODE && r->name[0]
						       ? realloc(d->rate_groups, (d->n_rate_groups + 1) * sizeof(*gs))
						       : NULL;
			if (gs) {
				d->rate_groups = gs;
				vfctl_rate_group *g = &gs[d->n_rate_groups++];
				*g = (vfctl_rate_group){.name = strdup(r->name),
							.min_tx_rate = (int64_t)(r->tx_share / DEVLINK_BYTES_PER_MBIT),
							.max_tx_rate = (int64_t)(r->tx_max / DEVLINK_BYTES_PER_MBIT),
							.parent = r->parent[0] ? strdup(r->parent) : NULL};
				continue;
			}
			for (size_t j = 0; r->type == DEVLINK_RATE_TYPE_LEAF && r->parent[0] && j < np; j++) {
				const devlink_port *p = &ports[j];
				if (p->index == r->port && streq(p->bus, bus) && streq(p->dev, dev) &&
				    p->flavour == DEVLINK_PORT_FLAVOUR_PCI_VF && p->vfnum >= 0 &&
				    (size_t)p->vfnum < d->n_vfs) {
					free(d->vfs[p->vfnum].rate_group);
					d->vfs[p->vfnum].rate_group = strdup(r->parent);
				}
			}
		}
	}
	free(rates);
}

/* Eswitch mode per PF, and in switchdev mode each VF's representor from the devlink ports:
 * flavour pcivf, this PF's instance, its own controller, vfnum = the VF index. Never by name. */
static void read_eswitch(vfctl_ctx *ctx, vfctl_host *h)
{
	devlink_port *ports = NULL;
	size_t np = 0;
	bool any = false;
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		devlink_eswitch e;
		if (d->total_vfs < 0 && d->num_vfs < 0)
			continue;
		const char *bus, *dev;
		devlink_handle(d, &bus, &dev);
		/* Drivers without an eswitch (igb) answer EOPNOTSUPP: mode stays unknown. */
		if (devlink_eswitch_get(ctx, bus, dev, &e) < 0)
			continue;
		d->eswitch_mode = (vfctl_eswitch_mode)e.mode;
		d->eswitch_inline_mode = e.inline_mode;
		d->eswitch_encap_mode = e.encap_mode;
		any |= e.mode == DEVLINK_ESWITCH_MODE_SWITCHDEV;
	}
	if (!any || devlink_ports(ctx, &ports, &np) < 0)
		return;
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		const char *bus, *dev;
		if (d->eswitch_mode != VFCTL_ESWITCH_SWITCHDEV)
			continue;
		devlink_handle(d, &bus, &dev);
		for (size_t k = 0; k < np; k++) {
			const devlink_port *p = &ports[k];
			if (p->flavour != DEVLINK_PORT_FLAVOUR_PCI_VF || p->external || !streq(p->bus, bus) ||
			    !streq(p->dev, dev) || p->vfnum < 0 || (size_t)p->vfnum >= d->n_vfs || !p->netdev[0])
				continue;
			free(d->vfs[p->vfnum].representor);
			d->vfs[p->vfnum].representor = strdup(p->netdev);
			port_fn_caps(&d->vfs[p->vfnum].settings, p);
			d->vfs[p->vfnum].port_fn_hw_addr = p->has_hw_addr;
		}
	}
	rate_groups_read(ctx, h, ports, np);
	free(ports);
}

/* Without netlink (a fake tree read as it is), the PFs' link state and MTU come from sysfs: what
 * a plan needs; other netdevs stay unknown rather than cost two reads each. */
static void pf_links_from_sysfs(vfctl_ctx *ctx, vfctl_host *h)
{
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		if (d->total_vfs < 0 && d->num_vfs < 0)
			continue;
		for (size_t j = 0; j < d->n_netdevs; j++) {
			d->netdevs[j].mtu = sysfs_int(ctx->fs, "class/net/%s/mtu", d->netdevs[j].name);
			d->netdevs[j].flags = sysfs_int(ctx->fs, "class/net/%s/flags", d->netdevs[j].name);
		}
	}
}

/* A PF's link speed, which validation compares VF rates with (drivers refuse a rate above it):
 * read only for SR-IOV PFs whose link is up (the kernel answers EINVAL or -1 otherwise). */
static void pf_speeds(vfctl_ctx *ctx, vfctl_host *h)
{
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		if ((d->total_vfs >= 0 || d->num_vfs >= 0) && d->n_netdevs && streq_ptr(d->netdevs[0].operstate, "up"))
			d->netdevs[0].speed = sysfs_int(ctx->fs, "class/net/%s/speed", d->netdevs[0].name);
	}
}

int sriov_read_settings(vfctl_ctx *ctx, vfctl_host *h)
{
	if (!ctx->set.use_netlink) {
		pf_links_from_sysfs(ctx, h);
		pf_speeds(ctx, h);
		return 0;
	}
	(void)link_dump(ctx, perm_cb, h); /* permanent MACs are best effort */
	/* A netdev the dump missed (renamed or created in between, or the dump failed): sysfs. */
	for (size_t i = 0; i < h->n_devices; i++)
		for (size_t j = 0; j < h->devices[i].n_netdevs; j++)
			if (!h->devices[i].netdevs[j].mac || !h->devices[i].netdevs[j].operstate)
				netdev_read_sysfs(ctx, h->devices[i].syspath, &h->devices[i].netdevs[j]);
	for (size_t i = 0; i < h->n_devices; i++)
		if (h->devices[i].n_vfs > 0)
			pf_settings(ctx, &h->devices[i]);
	pf_speeds(ctx, h);
	read_eswitch(ctx, h);
	return 0;
}
