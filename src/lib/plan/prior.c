/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A unit's prior state as a target: what a rollback plans back to. Pure, like the planner. */
#include <net/if.h>
#include <stdio.h>

#include "ovs.h"
#include "parse.h"
#include "plan.h"
#include "relations.h"

/* Nothing given but what the unit is and how it takes its functions. present is left 0: a prior
 * state says it (prior_vdpa). */
static conf_unit empty_like(const conf_unit *u)
{
	conf_unit t;
	conf_unit_init(&t, u->kind, u->loc);
	t.all_functions = u->all_functions;
	t.present = 0;
	return t;
}

/* Back to what was: the vDPA device as it was, or no device. */
static int prior_vdpa(const conf_unit *u, const vfctl_host *h, conf_unit *t)
{
	const vfctl_vdpa_dev *cur = vdpa_find(h, u->vdpa_name);
	t->dev_id = strdup(u->dev_id);
	t->vdpa_name = strdup(u->vdpa_name);
	t->present = cur != NULL;
	if (cur) {
		t->vdpa_mgmtdev = strdup(cur->mgmtdev);
		t->vdpa_driver = strdup(cur->driver ? cur->driver : "vhost_vdpa");
	}
	return !t->dev_id || !t->vdpa_name || (cur && (!t->vdpa_mgmtdev || !t->vdpa_driver)) ? -ENOMEM : 0;
}

/* A VF's settings on its PF, every knob the PF reports: a VM's manager changes them while it holds
 * the VF (libvirt's <vlan>, trust='yes', a trusted guest's MAC), and giving the VF back puts them
 * back. Unknown knobs (-1) stay untouched. */
static int prior_vf_of(const vfctl_host *h, const vfctl_device *d, conf_unit *t)
{
	const vfctl_device *pf = d->physfn ? vfctl_host_find(h, d->physfn) : NULL;
	if (!pf || d->vf_index < 0 || (size_t)d->vf_index >= pf->n_vfs || !pf->vfs[d->vf_index].settings.valid)
		return 0;
	const vfctl_vf_settings *s = &pf->vfs[d->vf_index].settings;
	if (!(t->vfs = calloc(1, sizeof(*t->vfs))))
		return -ENOMEM;
	t->n_vfs = 1;
	vf_target *v = &t->vfs[0];
	vf_target_init(v);
	memcpy(v->mac, s->mac, sizeof(v->mac));
	v->vlan = s->vlan;
	v->qos = s->qos;
	v->vlan_proto = s->vlan > 0 ? s->vlan_proto : -1;
	for (vf_flag f = 0; f < _VF_FLAG_MAX; f++)
		v->flag[f] = vf_flag_get(s, f);
	v->min_tx_rate = s->min_tx_rate;
	v->max_tx_rate = s->max_tx_rate;
	return 0;
}

/* Each function's own driver; with AllFunctions every function of the slot, indexed by number; a
 * VF alone also its settings on the PF (device_vf_target). */
static int prior_device(const conf_unit *u, const vfctl_host *h, const vfctl_device *d, conf_unit *t)
{
	if (!(t->driver = strdup(d->driver ? d->driver : "none")) ||
	    !(t->override = strdup(d->driver_override ? d->driver_override : "")))
		return -ENOMEM;
	if (u->all_functions != 1)
		return prior_vf_of(h, d, t);
	if (!(t->vfs = calloc(8, sizeof(*t->vfs))))
		return -ENOMEM;
	t->n_vfs = 8;
	for (size_t i = 0; i < 8; i++)
		vf_target_init(&t->vfs[i]);
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *f = &h->devices[i];
		if (same_slot(f, d) && !(t->vfs[f->addr.function].driver = strdup(f->driver ? f->driver : "none")))
			return -ENOMEM;
	}
	return 0;
}

/* A knob is restored when this run may change it (the config sets it) or when its prior value is
 * not what a new VF starts with (a re-created VF would lose it). Restoring the others would ask
 * drivers for knobs they may not have (igb and link state). */
static void prior_vf(vf_target *v, const vfctl_vf_settings *s, const vf_target *c)
{
	if (!s->valid)
		return;
	if ((c && c->mac[0]) || strcmp(s->mac, "00:00:00:00:00:00") != 0)
		memcpy(v->mac, s->mac, sizeof(v->mac));
	if ((c && (c->vlan >= 0 || c->qos >= 0 || c->vlan_proto >= 0)) || s->vlan > 0 || s->qos > 0) {
		v->vlan = s->vlan;
		v->qos = s->qos;
		v->vlan_proto = s->vlan > 0 ? s->vlan_proto : -1;
	}
	for (vf_flag f = 0; f < _VF_FLAG_MAX; f++) {
		int have = vf_flag_get(s, f);
		if ((c && c->flag[f] >= 0) || (have >= 0 && have != vf_flags[f].fresh))
			v->flag[f] = have;
	}
	if ((c && (c->min_tx_rate >= 0 || c->max_tx_rate >= 0)) || s->min_tx_rate > 0 || s->max_tx_rate > 0) {
		v->min_tx_rate = s->min_tx_rate;
		v->max_tx_rate = s->max_tx_rate;
	}
}

/* Open vSwitch as it was, for what the unit sets: the uplink's bridge ("" none), a bridge the run
 * will create (to remove again), hw-offload (OVS_HW_OFFLOAD_UNSET: the key absent). */
static int prior_ovs(const conf_unit *u, const vfctl_host *h, const vfctl_device *d, conf_unit *t)
{
	const vfctl_ovs *o = h->ovs;
	if (!o)
		return 0;
	if (u->ovs_bridge && *u->ovs_bridge) {
		const vfctl_ovs_port *up = d->n_netdevs ? ovs_port_find(o, d->netdevs[0].name) : NULL;
		if (!(t->ovs_bridge = strdup(up && up->bridge ? up->bridge : "")))
			return -ENOMEM;
		if (!ovs_bridge_find(o, u->ovs_bridge) && !(t->ovs_drop = strdup(u->ovs_bridge)))
			return -ENOMEM;
	}
	if (u->ovs_hw_offload >= 0)
		t->ovs_hw_offload = o->hw_offload < 0 ? OVS_HW_OFFLOAD_UNSET : o->hw_offload;
	return 0;
}

/* The [RateGroup] nodes the unit names as they are (present 0: absent, so a rollback deletes
 * them), the node each VF's leaf is under where the unit sets RateGroup= ("" none), and with
 * OVSBridge= each representor's link. */
static int prior_rate_groups(const conf_unit *u, const vfctl_host *h, const vfctl_device *d, conf_unit *t)
{
	if (u->n_rate_groups && !(t->rate_groups = calloc(u->n_rate_groups, sizeof(*t->rate_groups))))
		return -ENOMEM;
	for (size_t i = 0; i < u->n_rate_groups; i++) {
		const vfctl_rate_group *cur = NULL;
		for (size_t k = 0; k < d->n_rate_groups && !cur; k++)
			if (streq(d->rate_groups[k].name, u->rate_groups[i].name))
				cur = &d->rate_groups[k];
		t->rate_groups[i] = (rate_group_target){.name = strdup(u->rate_groups[i].name),
							.min_tx_rate = cur ? cur->min_tx_rate : -1,
							.max_tx_rate = cur ? cur->max_tx_rate : -1,
							.present = cur != NULL,
							.loc = u->rate_groups[i].loc};
		t->n_rate_groups++;
		if (!t->rate_groups[i].name)
			return -ENOMEM;
	}
	for (size_t i = 0; u->ovs_bridge && *u->ovs_bridge && i < t->n_vfs; i++) {
		const vfctl_netdev *nd = netdev_find(h, d->vfs[i].representor);
		t->vfs[i].rep_up = nd && nd->flags >= 0 ? !!(nd->flags & IFF_UP) : -1;
	}
	for (size_t i = 0; i < t->n_vfs && i < u->n_vfs; i++)
		if (u->vfs[i].rate_group &&
		    !(t->vfs[i].rate_group = strdup(d->vfs[i].rate_group ? d->vfs[i].rate_group : "")))
			return -ENOMEM;
	return 0;
}

static int prior_pf(const conf_unit *u, const vfctl_host *h, const vfctl_device *d, conf_unit *t)
{
	int r = prior_ovs(u, h, d, t);
	if (r < 0)
		return r;
	/* vfctl's udev rule and networkd file as they were, "" none: a rollback writes them back or
	 * removes them. */
	if (!(t->udev_rule = strdup(d->udev_rule ? d->udev_rule : "")) ||
	    !(t->networkd_file = strdup(d->networkd_file ? d->networkd_file : "")))
		return -ENOMEM;
	t->num_vfs = d->num_vfs > 0 ? d->num_vfs : 0;
	t->autoprobe = d->autoprobe;
	if (u->eswitch_mode >= 0)
		t->eswitch_mode = d->eswitch_mode;
	if (d->n_netdevs) {
		int flags = d->netdevs[0].flags;
		t->up = flags >= 0 ? !!(flags & IFF_UP) : -1;
		t->mtu = d->netdevs[0].mtu;
	}
	if (d->n_vfs && !(t->vfs = calloc(d->n_vfs, sizeof(*t->vfs))))
		return -ENOMEM;
	t->n_vfs = d->n_vfs;
	for (size_t i = 0; i < t->n_vfs; i++) {
		vf_target_init(&t->vfs[i]);
		prior_vf(&t->vfs[i], &d->vfs[i].settings, i < u->n_vfs ? &u->vfs[i] : NULL);
		/* An NVMe VF that was online had its resources: they are part of what it was. */
		if (d->nvme_known && d->vfs[i].nvme_online == 1) {
			t->vfs[i].nvme_vq = d->vfs[i].nvme_vq;
			t->vfs[i].nvme_vi = d->vfs[i].nvme_vi;
		}
		const vfctl_device *f = d->vfs[i].id ? vfctl_host_find(h, d->vfs[i].id) : NULL;
		const char *ovr = f && f->driver_override ? f->driver_override : "";
		if (!(t->vfs[i].driver = strdup(d->vfs[i].driver ? d->vfs[i].driver : "none")) ||
		    !(t->vfs[i].override = strdup(ovr)))
			return -ENOMEM;
	}
	return prior_rate_groups(u, h, d, t);
}

int unit_from_host(vfctl_ctx *ctx, const conf_unit *u, const vfctl_host *h, conf_unit *ret)
{
	const vfctl_device *d = vfctl_host_find(h, u->dev_id);
	conf_unit t = empty_like(u);
	int r;
	if (u->kind != UNIT_VDPA && !d)
		return ctx_error(ctx, -ENODEV, "%s: gone", u->dev_id);
	if (u->kind == UNIT_VDPA)
		r = prior_vdpa(u, h, &t);
	else if (!(t.dev_id = strdup(d->id)))
		r = -ENOMEM;
	else
		r = u->kind == UNIT_DEVICE ? prior_device(u, h, d, &t) : prior_pf(u, h, d, &t);
	if (r < 0) {
		conf_unit_done(&t);
		return r;
	}
	*ret = t;
	return 0;
}
