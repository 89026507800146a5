/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <jansson.h>
#include <stdio.h>

#include "util.h"
#include "vfctl/vfctl.h"

/* Document version: bump on incompatible changes (docs/json.md). */
#define VFCTL_JSON_SCHEMA 1

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

static json_t *jint(int v) { return v < 0 ? json_null() : json_integer(v); }
static json_t *jint64(int64_t v) { return v < 0 ? json_null() : json_integer(v); }
static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }
static json_t *jtri(int v) { return v < 0 ? json_null() : json_boolean(v); }
static json_t *jhex(int v, int width)
{
	char buf[16];
	if (v < 0)
		return json_null();
	snprintf(buf, sizeof(buf), "%0*x", width, (unsigned)v);
	return json_string(buf);
}

static json_t *host_json(const vfctl_host *h)
{
	return json_pack("{s:o, s:o, s:b, s:{s:b, s:o, s:I, s:i}, s:o, s:{s:o, s:o, s:o, s:o, s:o, s:o}, s:{s:s, s:s, s:s}}",
			 "kernel", jstr(h->kernel_release), "cpu_vendor", jstr(h->cpu_vendor), "root", h->is_root,
			 "iommu", "active", h->iommu_active, "kind", jstr(h->iommu_kind), "units", (json_int_t)h->n_iommus,
			 "groups", h->n_iommu_groups, "cmdline", jstr(h->cmdline), "kernel_args", "intel_iommu",
			 jstr(h->arg_intel_iommu), "amd_iommu", jstr(h->arg_amd_iommu), "iommu", jstr(h->arg_iommu),
			 "pci", jstr(h->arg_pci), "pcie_acs_override", jstr(h->arg_pcie_acs_override), "vfio-pci.ids",
			 jstr(h->arg_vfio_pci_ids), "modules", "vfio", vfctl_module_state_str(h->mod_vfio), "vfio_pci",
			 vfctl_module_state_str(h->mod_vfio_pci), "vfio_iommu_type1",
			 vfctl_module_state_str(h->mod_vfio_iommu_type1));
}

static json_t *vf_json(const vfctl_device *pf, const vfctl_vf *vf)
{
	const vfctl_vf_settings *s = &vf->settings;
	bool have = s->valid;
	json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:o}", "index", (json_int_t)vf->index, "id", jstr(vf->id),
			      "driver", jstr(vf->driver), "netdev", jstr(vf->netdev), "iommu_group",
			      jint(vf->iommu_group));
	json_object_set_new(o, "mac", have ? jstr(s->mac) : json_null());
	json_object_set_new(o, "vlan", jint(s->vlan));
	json_object_set_new(o, "qos", jint(s->qos));
	json_object_set_new(o, "vlan_proto", jstr(vfctl_vlan_proto_str(s->vlan_proto)));
	json_object_set_new(o, "spoofchk", jtri(s->spoofchk));
	json_object_set_new(o, "trust", jtri(s->trust));
	json_object_set_new(o, "link_state", jstr(vfctl_link_state_str(s->link_state)));
	json_object_set_new(o, "min_tx_rate", jint64(s->min_tx_rate));
	json_object_set_new(o, "max_tx_rate", jint64(s->max_tx_rate));
	json_object_set_new(o, "query_rss", jtri(s->rss_query));
	json_object_set_new(o, "settings_known", json_boolean(have));
	/* Distinguishes "the kernel cut the list" from "vfctl did not ask" (no netlink). */
	json_object_set_new(o, "attrs_truncated", json_boolean(!have && pf->vf_list_truncated));
	return o;
}

static json_t *sriov_json(const vfctl_device *d)
{
	if (d->total_vfs < 0 && d->num_vfs < 0 && !d->has_sriov_cap)
		return json_null();
	json_t *o = json_pack("{s:o, s:o, s:o}", "total_vfs", jint(d->total_vfs), "num_vfs", jint(d->num_vfs),
			      "autoprobe", jtri(d->autoprobe));
	json_object_set_new(o, "vf_settings_known", json_boolean(d->vf_settings_known));
	json_object_set_new(o, "vf_settings_error", jstr(d->vf_settings_error));
	json_object_set_new(o, "reported_num_vf", jint(d->reported_num_vf));
	json_object_set_new(o, "vf_list_truncated", json_boolean(d->vf_list_truncated));
	if (d->has_sriov_cap) {
		json_t *bars = json_array();
		for (int i = 0; i < 6; i++) {
			const vfctl_bar *b = &d->vf_bars[i];
			if (b->declared)
				json_array_append_new(bars, json_pack("{s:i, s:b, s:I, s:I}", "index", i, "assigned",
								      b->assigned, "start", (json_int_t)b->start,
								      "size", (json_int_t)b->size));
		}
		json_object_set_new(o, "capability",
				    json_pack("{s:i, s:i, s:i, s:i, s:i, s:o, s:o}", "total_vfs", d->cap_total_vfs,
					      "initial_vfs", d->cap_initial_vfs, "num_vfs", d->cap_num_vfs, "vf_offset",
					      d->vf_offset, "vf_stride", d->vf_stride, "vf_device_id",
					      jhex(d->vf_device_id, 4), "vf_bars", bars));
	} else
		json_object_set_new(o, "capability", json_null());
	return o;
}

static json_t *device_json(const vfctl_host *h, const vfctl_device *d)
{
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", d->id, "bus",
			      d->bus, "vendor_id", jhex(d->vendor_id, 4), "device_id", jhex(d->device_id, 4),
			      "subsystem_vendor_id", jhex(d->subsystem_vendor_id, 4), "subsystem_device_id",
			      jhex(d->subsystem_device_id, 4), "class", jhex(d->class_code, 6), "vendor_name",
			      jstr(d->vendor_name), "device_name", jstr(d->device_name), "driver", jstr(d->driver),
			      "iommu_group", jint(d->iommu_group), "numa_node", jint(d->numa_node));

	json_t *peers = json_array();
	size_t *idx = NULL, n = 0;
	if (vfctl_host_group_peers(h, d, &idx, &n) >= 0)
		for (size_t i = 0; i < n; i++)
			json_array_append_new(peers, json_string(h->devices[idx[i]].id));
	free(idx);
	json_object_set_new(o, "iommu_group_peers", peers);
	json_object_set_new(o, "class_name", jstr(d->class_name));

	json_t *nds = json_array();
	for (size_t i = 0; i < d->n_netdevs; i++) {
		const vfctl_netdev *nd = &d->netdevs[i];
		json_array_append_new(nds, json_pack("{s:s, s:o, s:o, s:o, s:o}", "name", nd->name, "mac",
						     jstr(nd->mac), "perm_mac", jstr(nd->perm_mac), "operstate",
						     jstr(nd->operstate), "ifindex", jint(nd->ifindex)));
	}
	json_object_set_new(o, "netdevs", nds);

	char pin[2] = {(char)('A' + d->int_pin - 1), 0};
	json_object_set_new(o, "interrupts",
			    json_pack("{s:o, s:o, s:b, s:b, s:o, s:b, s:b, s:o, s:b}", "pin",
				      d->int_pin >= 1 && d->int_pin <= 4 ? json_string(pin) : json_null(), "irq",
				      jint(d->irq > 0 ? d->irq : -1), "msi", d->has_msi, "msi_enabled", d->msi_enabled,
				      "msi_vectors", jint(d->msi_vectors), "msix", d->has_msix, "msix_enabled",
				      d->msix_enabled, "msix_vectors", jint(d->msix_vectors), "intx_disabled",
				      d->intx_disabled));
	json_object_set_new(o, "config_len", jint(d->config_len ? d->config_len : -1));
	json_object_set_new(o, "pcie", json_boolean(d->is_pcie));
	json_object_set_new(o, "bridge", json_boolean(d->is_bridge));
	json_object_set_new(o, "acs", d->has_acs ? json_pack("{s:o, s:o}", "cap", jhex(d->acs_cap, 4), "ctrl",
							     jhex(d->acs_ctrl, 4))
						 : json_null());
	json_object_set_new(o, "ari", json_boolean(d->has_ari));
	json_object_set_new(o, "physfn", jstr(d->physfn));
	json_object_set_new(o, "vf_index", jint(d->vf_index));
	json_object_set_new(o, "sriov", sriov_json(d));

	json_t *vfs = json_array();
	for (size_t i = 0; i < d->n_vfs; i++)
		json_array_append_new(vfs, vf_json(d, &d->vfs[i]));
	json_object_set_new(o, "vfs", vfs);
	return o;
}

int vfctl_host_json(const vfctl_host *h, const bool *select, char **ret)
{
	json_t *root = json_pack("{s:i, s:o}", "schema", VFCTL_JSON_SCHEMA, "host", host_json(h));
	json_t *devs = json_array();
	if (!root || !devs) {
		json_decref(root);
		json_decref(devs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *d = &h->devices[i];
		bool want = !select || select[i];
		/* A selected PF brings its VFs along. */
		if (!want && d->physfn) {
			const vfctl_device *pf = vfctl_host_find(h, d->physfn);
			want = pf && select[pf - h->devices];
		}
		if (want)
			json_array_append_new(devs, device_json(h, d));
	}
	json_object_set_new(root, "devices", devs);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}
