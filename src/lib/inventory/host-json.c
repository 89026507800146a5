/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "json-writer.h"
#include "relations.h"
#include "util.h"
#include "vf-flags.h"
#include "vfctl/vfctl.h"

/* Document version: bump on incompatible changes (docs/json.md). */
#define VFCTL_JSON_SCHEMA 1

static void host_json(json_writer *w, const vfctl_host *h)
{
	json_open_object(w, "host");
	json_str(w, "kernel", h->kernel_release);
	json_str(w, "cpu_vendor", h->cpu_vendor);
	json_bool(w, "root", h->is_root);
	json_open_object(w, "iommu");
	json_bool(w, "active", h->iommu_active);
	json_str(w, "kind", h->iommu_kind);
	json_int(w, "units", (int64_t)h->n_iommus);
	json_int(w, "groups", h->n_iommu_groups);
	json_tristate(w, "interrupt_remapping", h->irq_remapping);
	json_int_or_null(w, "units_with_interrupt_remapping", h->iommu_ir_units);
	json_tristate(w, "allow_unsafe_interrupts", h->vfio_unsafe_interrupts);
	json_close_object(w);
	json_str(w, "cmdline", h->cmdline);
	json_open_object(w, "kernel_args");
	json_str(w, "intel_iommu", h->arg_intel_iommu);
	json_str(w, "amd_iommu", h->arg_amd_iommu);
	json_str(w, "iommu", h->arg_iommu);
	json_str(w, "pci", h->arg_pci);
	json_str(w, "pcie_acs_override", h->arg_pcie_acs_override);
	json_str(w, "vfio-pci.ids", h->arg_vfio_pci_ids);
	json_str(w, "intremap", h->arg_intremap);
	json_close_object(w);
	json_open_object(w, "modules");
	json_str(w, "vfio", vfctl_module_state_str(h->mod_vfio));
	json_str(w, "vfio_pci", vfctl_module_state_str(h->mod_vfio_pci));
	json_str(w, "vfio_iommu_type1", vfctl_module_state_str(h->mod_vfio_iommu_type1));
	json_close_object(w);
	json_close_object(w);
}

/* Counters as their source gives them (docs/json.md): null when not read. */
static void counters_json(json_writer *w, const char *key, const vfctl_counters *c)
{
	if (!c->valid) {
		json_put_null(w, key);
		return;
	}
	json_open_object(w, key);
	json_int_or_null(w, "rx_packets", c->rx_packets);
	json_int_or_null(w, "tx_packets", c->tx_packets);
	json_int_or_null(w, "rx_bytes", c->rx_bytes);
	json_int_or_null(w, "tx_bytes", c->tx_bytes);
	json_int_or_null(w, "rx_broadcast", c->rx_broadcast);
	json_int_or_null(w, "rx_multicast", c->rx_multicast);
	json_int_or_null(w, "rx_dropped", c->rx_dropped);
	json_int_or_null(w, "tx_dropped", c->tx_dropped);
	json_close_object(w);
}

/* Who holds it: null when nobody (or, with holders_known false, when it could not be read). */
static void holder_json(json_writer *w, const vfctl_holder *hd)
{
	if (!hd->pid) {
		json_put_null(w, "held_by");
		return;
	}
	json_open_object(w, "held_by");
	json_int(w, "pid", hd->pid);
	json_str(w, "comm", hd->comm);
	json_str(w, "vm", hd->vm);
	json_int_or_null(w, "vmid", hd->vmid);
	json_close_object(w);
}

static void vf_json(json_writer *w, const vfctl_host *h, const vfctl_device *pf, const vfctl_vf *vf)
{
	const vfctl_netdev *nd = vfctl_vf_netdev(h, vf);
	const vfctl_vf_settings *s = &vf->settings;
	json_open_object(w, NULL);
	json_int(w, "index", vf->index);
	json_str(w, "id", vf->id);
	json_str(w, "driver", vf->driver);
	json_str(w, "netdev", vf->netdev);
	json_int_or_null(w, "iommu_group", vf->iommu_group);
	const vfctl_device *vd = vf->id ? vfctl_host_find(h, vf->id) : NULL;
	holder_json(w, vd ? &vd->held_by : &(vfctl_holder){0});
	json_str(w, "rate_group", vf->rate_group);
	json_str(w, "mac", s->valid ? s->mac : NULL);
	json_int_or_null(w, "vlan", s->vlan);
	json_int_or_null(w, "qos", s->qos);
	json_str(w, "vlan_proto", vfctl_vlan_proto_str(s->vlan_proto));
	json_int_or_null(w, "min_tx_rate", s->min_tx_rate);
	json_int_or_null(w, "max_tx_rate", s->max_tx_rate);
	for (vf_flag f = 0; f < _VF_FLAG_MAX; f++)
		if (vf_flags[f].link_state)
			json_str(w, vf_flags[f].key, vf_flag_value_str(f, vf_flag_get(s, f)));
		else
			json_tristate(w, vf_flags[f].key, vf_flag_get(s, f));
	json_str(w, "representor", vf->representor);
	if (pf->nvme_known && vf->nvme_scid >= 0) {
		json_open_object(w, "nvme");
		json_int(w, "controller_id", vf->nvme_scid);
		json_bool(w, "online", vf->nvme_online == 1);
		json_int(w, "vq", vf->nvme_vq);
		json_int(w, "vi", vf->nvme_vi);
		json_close_object(w);
	} else
		json_put_null(w, "nvme");
	json_bool(w, "settings_known", s->valid);
	/* Distinguishes "the kernel cut the list" from "vfctl did not ask" (no netlink). */
	json_bool(w, "attrs_truncated", !s->valid && pf->vf_list_truncated);
	/* Two views of one VF's traffic, which differ on some NICs: the PF's and the VF driver's. */
	counters_json(w, "stats", &vf->stats);
	if (nd)
		counters_json(w, "netdev_stats", &nd->stats);
	else
		json_put_null(w, "netdev_stats");
	json_close_object(w);
}

static void pool_json(json_writer *w, const char *key, const vfctl_nvme_pool *p)
{
	json_open_object(w, key);
	json_int(w, "total", p->total);
	json_int(w, "primary", p->primary);
	json_int(w, "assigned", p->secondaries);
	json_int(w, "free", p->total - p->primary - p->secondaries);
	json_int(w, "max_per_vf", p->max_per_vf);
	json_int(w, "granularity", p->granularity);
	json_close_object(w);
}

/* An NVMe PF's controller and flexible pools (docs/json.md). */
static void nvme_json(json_writer *w, const vfctl_device *d)
{
	if (!d->nvme_ctrl) {
		json_put_null(w, "nvme");
		return;
	}
	json_open_object(w, "nvme");
	json_str(w, "controller", d->nvme_ctrl);
	json_bool(w, "pools_known", d->nvme_known);
	if (d->nvme_known) {
		pool_json(w, "vq", &d->nvme_vq);
		pool_json(w, "vi", &d->nvme_vi);
	} else {
		json_put_null(w, "vq");
		json_put_null(w, "vi");
	}
	json_close_object(w);
}

static void sriov_json(json_writer *w, const vfctl_device *d)
{
	if (d->total_vfs < 0 && d->num_vfs < 0 && !d->has_sriov_cap) {
		json_put_null(w, "sriov");
		return;
	}
	json_open_object(w, "sriov");
	json_int_or_null(w, "total_vfs", d->total_vfs);
	json_int_or_null(w, "num_vfs", d->num_vfs);
	json_tristate(w, "autoprobe", d->autoprobe);
	json_bool(w, "vf_settings_known", d->vf_settings_known);
	json_str(w, "vf_settings_error", d->vf_settings_error);
	json_int_or_null(w, "reported_num_vf", d->reported_num_vf);
	json_bool(w, "vf_list_truncated", d->vf_list_truncated);
	json_str(w, "udev_rule", d->udev_rule);
	json_str(w, "networkd_file", d->networkd_file);
	if (d->eswitch_mode >= 0) {
		static const char *const inl[] = {"none", "link", "network", "transport"};
		json_open_object(w, "eswitch");
		json_str(w, "mode", vfctl_eswitch_mode_str(d->eswitch_mode));
		json_str(w, "inline_mode",
			 d->eswitch_inline_mode >= 0 && d->eswitch_inline_mode < 4 ? inl[d->eswitch_inline_mode]
										   : NULL);
		json_str(w, "encap_mode",
			 d->eswitch_encap_mode == 0   ? "none"
			 : d->eswitch_encap_mode == 1 ? "basic"
						      : NULL);
		json_open_array(w, "rate_groups");
		for (size_t i = 0; i < d->n_rate_groups; i++) {
			const vfctl_rate_group *g = &d->rate_groups[i];
			json_open_object(w, NULL);
			json_str(w, "name", g->name);
			json_int(w, "min_tx_rate", g->min_tx_rate);
			json_int(w, "max_tx_rate", g->max_tx_rate);
			json_str(w, "parent", g->parent);
			json_close_object(w);
		}
		json_close_array(w);
		json_close_object(w);
	} else
		json_put_null(w, "eswitch");
	if (d->has_sriov_cap) {
		json_open_object(w, "capability");
		json_int(w, "total_vfs", d->cap_total_vfs);
		json_int(w, "initial_vfs", d->cap_initial_vfs);
		json_int(w, "num_vfs", d->cap_num_vfs);
		json_int(w, "vf_offset", d->vf_offset);
		json_int(w, "vf_stride", d->vf_stride);
		json_hex(w, "vf_device_id", d->vf_device_id, 4);
		json_open_array(w, "vf_bars");
		for (int i = 0; i < 6; i++) {
			const vfctl_bar *b = &d->vf_bars[i];
			if (!b->declared)
				continue;
			json_open_object(w, NULL);
			json_int(w, "index", i);
			json_bool(w, "assigned", b->assigned);
			json_int(w, "start", (int64_t)b->start);
			json_int(w, "size", (int64_t)b->size);
			json_close_object(w);
		}
		json_close_array(w);
		json_close_object(w);
	} else
		json_put_null(w, "capability");
	json_close_object(w);
}

/* Device indices in IOMMU group order (address order within a group): each device's peers are
 * then a run found by binary search, not a walk over every device (2,000 VFs made it 4 million
 * comparisons). */
static int cmp_group(const void *a, const void *b, void *data)
{
	const vfctl_host *h = data;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int gx = h->devices[x].iommu_group, gy = h->devices[y].iommu_group;
	return gx != gy ? (gx < gy ? -1 : 1) : (x > y) - (x < y);
}

static size_t *group_index(const vfctl_host *h)
{
	size_t *v = h->n_devices ? malloc(h->n_devices * sizeof(*v)) : NULL;
	if (!v)
		return NULL;
	for (size_t i = 0; i < h->n_devices; i++)
		v[i] = i;
	qsort_r(v, h->n_devices, sizeof(*v), cmp_group, (void *)h);
	return v;
}

static void group_peers_json(json_writer *w, const vfctl_host *h, const size_t *groups, const vfctl_device *d)
{
	size_t lo = 0, hi = h->n_devices;
	if (d->iommu_group < 0)
		return;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (h->devices[groups[mid]].iommu_group < d->iommu_group)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < h->n_devices && h->devices[groups[i]].iommu_group == d->iommu_group; i++)
		if (&h->devices[groups[i]] != d)
			json_str(w, NULL, h->devices[groups[i]].id);
}

static void device_json(json_writer *w, const vfctl_host *h, const size_t *groups, const vfctl_device *d)
{
	json_open_object(w, NULL);
	json_str(w, "id", d->id);
	json_str(w, "bus", d->bus);
	json_hex(w, "vendor_id", d->vendor_id, 4);
	json_hex(w, "device_id", d->device_id, 4);
	json_hex(w, "subsystem_vendor_id", d->subsystem_vendor_id, 4);
	json_hex(w, "subsystem_device_id", d->subsystem_device_id, 4);
	json_hex(w, "class", d->class_code, 6);
	json_str(w, "vendor_name", d->vendor_name);
	json_str(w, "device_name", d->device_name);
	json_str(w, "class_name", d->class_name);
	json_str(w, "driver", d->driver);
	json_str(w, "driver_override", d->driver_override);
	json_str(w, "vfio_variant", d->vfio_variant);
	json_int_or_null(w, "iommu_group", d->iommu_group);
	holder_json(w, &d->held_by);

	json_open_array(w, "iommu_group_peers");
	group_peers_json(w, h, groups, d);
	json_close_array(w);
	json_int_or_null(w, "numa_node", d->numa_node);

	json_open_array(w, "netdevs");
	for (size_t i = 0; i < d->n_netdevs; i++) {
		const vfctl_netdev *nd = &d->netdevs[i];
		json_open_object(w, NULL);
		json_str(w, "name", nd->name);
		json_str(w, "mac", nd->mac);
		json_str(w, "perm_mac", nd->perm_mac);
		json_str(w, "operstate", nd->operstate);
		json_int_or_null(w, "ifindex", nd->ifindex);
		json_int_or_null(w, "speed", nd->speed > 0 ? nd->speed : -1);
		counters_json(w, "stats", &nd->stats);
		json_close_object(w);
	}
	json_close_array(w);

	char pin[2] = {(char)('A' + d->int_pin - 1), 0};
	json_open_object(w, "interrupts");
	json_str(w, "pin", d->int_pin >= 1 && d->int_pin <= 4 && !d->not_responding ? pin : NULL);
	json_int_or_null(w, "irq", d->irq > 0 ? d->irq : -1);
	/* null, never false, for what the bytes read cannot tell (docs/json.md) */
	json_tristate(w, "msi", d->caps_known ? d->has_msi : -1);
	json_tristate(w, "msi_enabled", d->caps_known ? d->msi_enabled : -1);
	json_int_or_null(w, "msi_vectors", d->msi_vectors);
	json_tristate(w, "msix", d->caps_known ? d->has_msix : -1);
	json_tristate(w, "msix_enabled", d->caps_known ? d->msix_enabled : -1);
	json_int_or_null(w, "msix_vectors", d->msix_vectors);
	/* config space that reads all ones says nothing about the command register */
	json_tristate(w, "intx_disabled", d->config_len && !d->not_responding ? d->intx_disabled : -1);
	json_close_object(w);
	json_int_or_null(w, "config_len", d->config_len ? d->config_len : -1);
	json_bool(w, "config_responding", !d->not_responding);
	json_tristate(w, "pcie", d->caps_known ? d->is_pcie : -1);
	json_tristate(w, "bridge", d->config_len && !d->not_responding ? d->is_bridge : -1);
	if (d->has_acs) {
		json_open_object(w, "acs");
		json_hex(w, "cap", d->acs_cap, 4);
		json_hex(w, "ctrl", d->acs_ctrl, 4);
		json_close_object(w);
	} else if (d->ext_caps_known)
		json_bool(w, "acs", false);
	else
		json_put_null(w, "acs");
	json_tristate(w, "ari", d->ext_caps_known ? d->has_ari : -1);
	json_str(w, "physfn", d->physfn);
	json_int_or_null(w, "vf_index", d->vf_index);
	sriov_json(w, d);
	nvme_json(w, d);
	json_open_array(w, "vfs");
	for (size_t i = 0; i < d->n_vfs; i++)
		vf_json(w, h, d, &d->vfs[i]);
	json_close_array(w);
	json_close_object(w);
}

/* Open vSwitch's bridges and their ports as ovsdb-server gave them; null when none answered. */
static void ovs_json(json_writer *w, const vfctl_ovs *o)
{
	if (!o) {
		json_put_null(w, "ovs");
		return;
	}
	json_open_object(w, "ovs");
	json_str(w, "socket", o->path);
	json_tristate(w, "hw_offload", o->hw_offload);
	json_open_array(w, "bridges");
	for (size_t i = 0; i < o->n_bridges; i++) {
		json_open_object(w, NULL);
		json_str(w, "name", o->bridges[i].name);
		json_open_array(w, "ports");
		for (size_t k = 0; k < o->n_ports; k++)
			if (streq_ptr(o->ports[k].bridge, o->bridges[i].name))
				json_str(w, NULL, o->ports[k].name);
		json_close_array(w);
		json_close_object(w);
	}
	json_close_array(w);
	json_close_object(w);
}

int vfctl_host_json(const vfctl_host *h, const vfctl_select *sel, char **ret)
{
	json_writer w = {0};
	_cleanup_free_ bool *select = NULL;
	int k = select_mask(h, sel, &select, NULL);
	if (k < 0)
		return k;
	_cleanup_free_ size_t *groups = group_index(h);
	if (h->n_devices && !groups)
		return -ENOMEM;
	json_open_object(&w, NULL);
	json_int(&w, "schema", VFCTL_JSON_SCHEMA);
	host_json(&w, h);
	json_open_array(&w, "devices");
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *d = &h->devices[i];
		bool want = !select || select[i];
		/* A selected PF brings its VFs along. */
		if (!want && d->physfn) {
			const vfctl_device *pf = vfctl_host_find(h, d->physfn);
			want = pf && select[pf - h->devices];
		}
		if (want)
			device_json(&w, h, groups, d);
	}
	json_close_array(&w);
	if (h->vdpa) {
		json_open_object(&w, "vdpa");
		json_bool(&w, "available", h->vdpa->available);
		json_open_array(&w, "mgmtdevs");
		for (size_t i = 0; i < h->vdpa->n_mgmtdevs; i++) {
			const vfctl_vdpa_mgmtdev *m = &h->vdpa->mgmtdevs[i];
			json_open_object(&w, NULL);
			json_str(&w, "name", m->name);
			json_open_array(&w, "classes");
			if (m->classes & (1u << 1))
				json_str(&w, NULL, "net");
			if (m->classes & (1u << 2))
				json_str(&w, NULL, "block");
			json_close_array(&w);
			json_int_or_null(&w, "max_vqs", m->max_vqs);
			json_int(&w, "supported_features", (int64_t)m->features);
			json_close_object(&w);
		}
		json_close_array(&w);
		json_open_array(&w, "devices");
		for (size_t i = 0; i < h->vdpa->n_devs; i++) {
			const vfctl_vdpa_dev *d = &h->vdpa->devs[i];
			json_open_object(&w, NULL);
			json_str(&w, "name", d->name);
			json_str(&w, "mgmtdev", d->mgmtdev);
			json_int_or_null(&w, "device_id", d->device_id);
			json_str(&w, "driver", d->driver);
			json_str(&w, "vhost", d->vhost);
			json_str(&w, "netdev", d->netdev);
			holder_json(&w, &d->held_by);
			json_close_object(&w);
		}
		json_close_array(&w);
		json_close_object(&w);
	} else
		json_put_null(&w, "vdpa");
	ovs_json(&w, h->ovs);
	json_bool(&w, "holders_known", h->holders_known);
	if (h->runs_known) {
		json_open_array(&w, "interrupted_runs");
		for (size_t i = 0; i < h->n_runs; i++) {
			const vfctl_interrupted_run *r = &h->runs[i];
			json_open_object(&w, NULL);
			json_str(&w, "device", r->device);
			json_int(&w, "pid", r->pid);
			json_int(&w, "started", r->started);
			json_int(&w, "steps_done", r->steps_done);
			json_int(&w, "steps_total", r->steps_total);
			json_str(&w, "last_step", r->last_step);
			json_str(&w, "unusable", r->unusable);
			json_close_object(&w);
		}
		json_close_array(&w);
	} else
		json_put_null(&w, "interrupted_runs");
	json_close_object(&w);
	return json_finish(&w, ret);
}
