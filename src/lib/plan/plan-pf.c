/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A PF's plan, phase by phase: link, count, VF settings, eswitch, representors, drivers, VF MTUs,
 * vDPA, /dev/vfio ownership, autoprobe and probes. */
#include <linux/devlink.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <stdio.h>

#include "driver-facts.h"
#include "nvme.h"
#include "parse.h"
#include "pci.h"
#include "plan.h"

static bool str_eq_ci(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

/* VF settings: one step per IFLA_VF_* attribute that differs. cur is NULL when unknown (just
 * created, or no netlink): then every given knob is set. mode: the PF's eswitch mode when the
 * steps run (in switchdev mode a VF's rates are its eswitch port's devlink rate leaf: netdevsim
 * refuses IFLA_VF_RATE then, "Please use devlink API"). */
int plan_vf_settings(vfctl_plan *p, size_t unit, const vfctl_device *pf, const char *ifn, int i, const vf_target *t,
		     const vfctl_vf_settings *cur, vfctl_eswitch_mode mode)
{
	plan_step *s;
	if (cur && !cur->valid)
		cur = NULL;
	/* In switchdev mode a driver whose VF ports report a MAC (mlx5) takes it there: the snapshot's
	 * port says so (a port this run creates does not, and gets IFLA_VF_MAC). */
	bool fn = cur && mode == VFCTL_ESWITCH_SWITCHDEV && (size_t)i < pf->n_vfs && pf->vfs[i].port_fn_hw_addr;
	step_kind mk = fn ? STEP_VF_HW_ADDR : STEP_VF_MAC;
	const char *via = fn ? " (devlink port function hw_addr: switchdev mode)" : "";
	if (t->mac[0] && !(cur && str_eq_ci(cur->mac, t->mac))) {
		if (!(s = cur ? plan_add(p, mk, unit, pf->id, i, "%s vf %d: mac %s -> %s%s", ifn, i, cur->mac, t->mac,
					 via)
			      : plan_add(p, mk, unit, pf->id, i, "%s vf %d: mac %s", ifn, i, t->mac)))
			return -ENOMEM;
		if (parse_mac(t->mac, s->u.mac) < 0)
			return -EINVAL; /* validated already */
	}
	if (t->vlan >= 0 || t->qos >= 0 || t->vlan_proto >= 0) {
		int vlan = t->vlan >= 0 ? t->vlan : cur && cur->vlan >= 0 ? cur->vlan : 0;
		int qos = t->qos >= 0 ? t->qos : cur && cur->qos >= 0 ? cur->qos : 0;
		int proto = t->vlan_proto >= 0 ? t->vlan_proto : ETH_P_8021Q;
		int cur_proto = cur && cur->vlan_proto > 0 ? cur->vlan_proto : ETH_P_8021Q;
		/* With VLAN 0 the protocol means nothing: drivers report what they like. */
		if (!(cur && cur->vlan == vlan && cur->qos == qos && (vlan == 0 || cur_proto == proto))) {
			if (!(s = plan_add(p, STEP_VF_VLAN, unit, pf->id, i, "%s vf %d: vlan %d qos %d%s", ifn, i, vlan,
					   qos, proto == ETH_P_8021AD ? " proto 802.1ad" : "")))
				return -ENOMEM;
			s->u.vlan.vlan = (uint32_t)vlan;
			s->u.vlan.qos = (uint32_t)qos;
			s->u.vlan.proto = (uint16_t)proto;
		}
	}
	if (t->min_tx_rate >= 0 || t->max_tx_rate >= 0) {
		int64_t mn = t->min_tx_rate >= 0 ? t->min_tx_rate : cur && cur->min_tx_rate >= 0 ? cur->min_tx_rate : 0;
		int64_t mx = t->max_tx_rate >= 0 ? t->max_tx_rate : cur && cur->max_tx_rate >= 0 ? cur->max_tx_rate : 0;
		bool leaf = mode == VFCTL_ESWITCH_SWITCHDEV;
		if (!(cur && cur->min_tx_rate == mn && cur->max_tx_rate == mx)) {
			if (!(s = leaf ? plan_add(p, STEP_VF_RATE, unit, pf->id, i,
						  "%s vf %d: devlink rate leaf tx_share %lld tx_max %lld Mbit/s "
						  "(switchdev "
						  "mode: its eswitch port's rates)",
						  ifn, i, (long long)mn, (long long)mx)
				       : plan_add(p, STEP_VF_RATE, unit, pf->id, i,
						  "%s vf %d: min_tx_rate %lld max_tx_rate %lld Mbit/s", ifn, i,
						  (long long)mn, (long long)mx)))
				return -ENOMEM;
			s->u.rate.devlink = leaf;
			s->u.rate.min = (uint32_t)mn;
			s->u.rate.max = (uint32_t)mx;
		}
	}
	for (vf_flag f = 0; f < _VF_FLAG_MAX; f++) {
		int want = t->flag[f];
		/* A port function capability waits for the VF's driver to be away (plan_vf_drivers). */
		if (want < 0 || vf_flags[f].devlink_cap || (cur && want == vf_flag_get(cur, f)))
			continue;
		if (!(s = plan_add(p, STEP_VF_FLAG, unit, pf->id, i, "%s vf %d: %s %s", ifn, i, vf_flags[f].word,
				   vf_flag_value_str(f, want))))
			return -ENOMEM;
		s->u.flag.which = f;
		s->u.flag.value = (uint32_t)want;
	}
	return 0;
}

/* What every phase of a PF's plan shares: the unit, the PF as the snapshot shows it, and the
 * decisions the first phases make for the later ones. */
typedef struct pf_plan {
	const conf_unit *u;
	size_t ui;
	const vfctl_host *h;
	const vfctl_device *pf;
	vfctl_plan *p;
	const char *ifn;  /* the PF's netdev, NULL if none */
	const char *name; /* the netdev, else the PCI address: how step texts name the PF */
	int cur_n, want_n;
	vfctl_eswitch_mode want_esw; /* VFCTL_ESWITCH_NONE: not asked */
	bool esw_change, esw_done;
	eswitch_order order;
	bool recreate;     /* the VFs are destroyed and created again */
	bool kernel_binds; /* autoprobe stays on through the count change: the kernel binds the new VFs */
	int autoprobe;     /* as it will be once the count step has run */
	bool admin_up;
	bool nvme; /* an NVMe PF whose secondary controllers the snapshot knows */
} pf_plan;

/* The VF's device as the snapshot has it, unless this plan re-creates the VFs. */
static const vfctl_vf *cur_vf(const pf_plan *pp, int i)
{
	return !pp->recreate && (size_t)i < pp->pf->n_vfs ? &pp->pf->vfs[i] : NULL;
}

static int plan_pf_link(pf_plan *pp)
{
	const conf_unit *u = pp->u;
	const vfctl_netdev *nd = pp->ifn ? &pp->pf->netdevs[0] : NULL;
	plan_step *s;
	if (u->mtu >= 0 && nd && nd->mtu != u->mtu) {
		if (!(s = plan_add(pp->p, STEP_PF_MTU, pp->ui, pp->pf->id, -1, "%s: mtu %d -> %d", pp->ifn, nd->mtu,
				   u->mtu)))
			return -ENOMEM;
		s->u.mtu = (uint32_t)u->mtu;
	}
	/* The PF goes up first: some drivers configure VFs only then (igb refuses rates), and an Open
	 * vSwitch uplink carries nothing down (ovs-vswitchd leaves links to the admin). */
	bool bridged = u->up < 0 && u->ovs_bridge && *u->ovs_bridge;
	bool needs_up = u->up == 1 || bridged;
	for (size_t i = 0; !needs_up && u->up < 0 && i < u->n_vfs; i++)
		needs_up = u->vfs[i].max_tx_rate > 0 || u->vfs[i].min_tx_rate > 0;
	if (!needs_up || !nd || pp->admin_up)
		return 0;
	if (!(u->up == 1 ? plan_add(pp->p, STEP_PF_UP, pp->ui, pp->pf->id, -1, "%s: up", pp->ifn)
	      : bridged  ? plan_add(pp->p, STEP_PF_UP, pp->ui, pp->pf->id, -1, "%s: up (the uplink of bridge %s)",
				    pp->ifn, u->ovs_bridge)
			 : plan_add(pp->p, STEP_PF_UP, pp->ui, pp->pf->id, -1, "%s: up (VF rates need the PF link up)",
				    pp->ifn)))
		return -ENOMEM;
	return 0;
}

/* One NVMe VF's secondary controller from cur (NULL: a new VF, offline and empty) to vq/vi: offline
 * if it is online, each resource assigned, online again when it has both (the specification's order:
 * resources change only offline, a controller comes online only with both). */
static int plan_nvme_vf(pf_plan *pp, int i, const vfctl_vf *cur, int vq, int vi, const char *why)
{
	int cvq = cur ? cur->nvme_vq : 0, cvi = cur ? cur->nvme_vi : 0;
	bool online = cur && cur->nvme_online == 1, want_online = vq > 0 && vi > 0;
	const char *ctl = pp->pf->nvme_ctrl;
	plan_step *s;
	if (online && (cvq != vq || cvi != vi || !want_online)) {
		if (!plan_add(pp->p, STEP_NVME_OFFLINE, pp->ui, pp->pf->id, i,
			      "%s vf %d: secondary controller offline (%s)", ctl, i, why))
			return -ENOMEM;
		online = false;
	}
	const struct {
		uint8_t res;
		int have, want;
		const char *name;
	} rs[] = {{NVME_RES_VQ, cvq, vq, "queues"}, {NVME_RES_VI, cvi, vi, "interrupts"}};
	for (size_t k = 0; k < ELEMENTSOF(rs); k++) {
		if (rs[k].have == rs[k].want)
			continue;
		if (!(s = plan_add(pp->p, STEP_NVME_ASSIGN, pp->ui, pp->pf->id, i, "%s vf %d: %d flexible %s (%d now)",
				   ctl, i, rs[k].want, rs[k].name, rs[k].have)))
			return -ENOMEM;
		s->u.nvme.res = rs[k].res;
		s->u.nvme.nr = (uint16_t)rs[k].want;
	}
	if (want_online && !online &&
	    !plan_add(pp->p, STEP_NVME_ONLINE, pp->ui, pp->pf->id, i, "%s vf %d: secondary controller online", ctl, i))
		return -ENOMEM;
	return 0;
}

/* Does a new VF need anything set before a driver binds it (its MAC, VLAN, a knob, its driver,
 * vDPA, its NVMe resources)? MTU needs the netdev, so it comes after anyway. */
static bool vfs_need_setup(const pf_plan *pp)
{
	const conf_unit *u = pp->u;
	if (pp->esw_change)
		return true;
	for (int i = 0; i < pp->want_n && (size_t)i < u->n_vfs; i++) {
		const vf_target *t = &u->vfs[i];
		if (t->mac[0] || t->vlan >= 0 || t->qos >= 0 || t->vlan_proto >= 0 || t->min_tx_rate >= 0 ||
		    t->max_tx_rate >= 0 || t->driver || t->vdpa || t->owner >= 0 || t->group >= 0 || t->nvme_vq >= 0 ||
		    t->nvme_vi >= 0)
			return true;
		for (size_t f = 0; f < _VF_FLAG_MAX; f++)
			if (t->flag[f] >= 0)
				return true;
	}
	return false;
}

static int plan_count(pf_plan *pp)
{
	const vfctl_device *pf = pp->pf;
	bool through_zero = pp->esw_change && pp->order == ESWITCH_THROUGH_ZERO;
	int final = pp->u->autoprobe >= 0 ? pp->u->autoprobe : pf->autoprobe;
	plan_step *s;
	if (!pp->recreate)
		return 0;
	/* New VFs that need nothing before their driver: autoprobe stays on and the kernel binds
	 * them inside the count write, as `echo N > sriov_numvfs` would (no probe per VF after). */
	if (pp->want_n > 0 && pp->autoprobe == 1 && final == 1 && !vfs_need_setup(pp))
		pp->kernel_binds = true;
	/* No driver may bind a new VF before its MAC and VLAN are set. */
	else if (pp->want_n > 0 && pp->autoprobe == 1) { /* -1: the PF has no such file (netdevsim) */
		if (!(s = plan_add(pp->p, STEP_AUTOPROBE, pp->ui, pf->id, -1,
				   "%s: sriov_drivers_autoprobe %d -> 0 (until the VFs are set up)", pf->id,
				   pp->autoprobe)))
			return -ENOMEM;
		s->u.on = false;
		pp->autoprobe = 0;
	}
	if (pp->cur_n > 0) {
		if (!(s = plan_add(pp->p, STEP_NUMVFS, pp->ui, pf->id, -1, "%s: sriov_numvfs %d -> 0%s", pf->id,
				   pp->cur_n,
				   through_zero ? " (its driver switches eswitch mode only without VFs)"
				   : pp->want_n ? " (the kernel changes the count only through 0)"
						: "")))
			return -ENOMEM;
		s->u.numvfs = 0;
		s->disruptive = true;
	}
	if (through_zero) {
		if (!(s = plan_add(pp->p, STEP_ESWITCH, pp->ui, pf->id, -1, "%s: eswitch mode %s", pf->id,
				   vfctl_eswitch_mode_str(pp->u->eswitch_mode))))
			return -ENOMEM;
		s->u.eswitch_mode = pp->want_esw;
		s->disruptive = true;
		pp->esw_done = true;
	}
	/* NVMe: resources a removed VF's secondary controller still holds go back to the pool (QEMU
	 * returns them itself; a drive may not), so the next assignment finds them free. */
	int r = 0;
	for (size_t i = 0; r >= 0 && pp->nvme && i < pf->n_vfs; i++) {
		const vfctl_vf *v = &pf->vfs[i];
		if (v->nvme_vq > 0 || v->nvme_vi > 0)
			r = plan_nvme_vf(pp, (int)i, v, 0, 0, "release");
	}
	if (r < 0)
		return r;
	if (pp->want_n > 0) {
		if (!(s = plan_add(pp->p, STEP_NUMVFS, pp->ui, pf->id, -1, "%s: sriov_numvfs 0 -> %d", pf->id,
				   pp->want_n)))
			return -ENOMEM;
		s->u.numvfs = pp->want_n;
	}
	return 0;
}

static int add_bind(pf_plan *pp, int i, const char *driver, bool keep_override, const char *fmt_tail)
{
	plan_step *s = plan_add(pp->p, STEP_BIND, pp->ui, pp->pf->id, i, "%s vf %d: bind %s%s", pp->pf->id, i,
				driver ? driver : "auto", fmt_tail);
	if (!s)
		return -ENOMEM;
	s->u.drv.keep_override = keep_override;
	return plan_own(&s->u.drv.driver, driver) ? 0 : -ENOMEM;
}

static int add_unbind(pf_plan *pp, int i, const char *driver, const char *why)
{
	plan_step *s = plan_add(pp->p, STEP_UNBIND, pp->ui, pp->pf->id, i, "%s vf %d: unbind %s%s", pp->pf->id, i,
				driver, why);
	if (!s)
		return -ENOMEM;
	s->disruptive = true;
	return 0;
}

/* mlx5 and the generic order: the VFs exist; no VF driver may be bound across the switch (mlx5
 * refuses the change while a VF driver is bound: unbind, switch, rebind). */
static int plan_eswitch(pf_plan *pp)
{
	const vfctl_device *pf = pp->pf;
	plan_step *s;
	int r;
	if (!pp->esw_change || pp->esw_done)
		return 0;
	for (int i = 0; i < pp->cur_n; i++)
		if (cur_vf(pp, i) && cur_vf(pp, i)->driver &&
		    (r = add_unbind(pp, i, cur_vf(pp, i)->driver, " (across the eswitch change)")) < 0)
			return r;
	if (!(s = plan_add(pp->p, STEP_ESWITCH, pp->ui, pf->id, -1, "%s: eswitch mode %s", pf->id,
			   vfctl_eswitch_mode_str(pp->u->eswitch_mode))))
		return -ENOMEM;
	s->u.eswitch_mode = pp->want_esw;
	s->disruptive = true;
	for (int i = 0; i < pp->cur_n; i++)
		if (cur_vf(pp, i) && cur_vf(pp, i)->driver) {
			s = plan_add(pp->p, STEP_BIND, pp->ui, pf->id, i, "%s vf %d: bind %s again", pf->id, i,
				     cur_vf(pp, i)->driver);
			if (!s || !plan_own(&s->u.drv.driver, cur_vf(pp, i)->driver))
				return -ENOMEM;
			s->u.drv.keep_override = true;
		}
	return 0;
}

static int plan_rep_altnames(pf_plan *pp)
{
	const conf_unit *u = pp->u;
	if (!u->rep_altname || pp->want_esw == VFCTL_ESWITCH_LEGACY)
		return 0;
	for (int i = 0; i < pp->want_n; i++) {
		const vfctl_vf *v = cur_vf(pp, i);
		const char *rep = v && !pp->esw_change ? v->representor : NULL;
		char alt[128];
		if (altname_expand(u->rep_altname, pp->name, i, alt, sizeof(alt)) < 0)
			continue;
		if (rep && netdev_has_altname(pp->h, rep, alt))
			continue;
		plan_step *s = plan_add(pp->p, STEP_REP_ALTNAME, pp->ui, pp->pf->id, i,
					"%s vf %d: representor altname %s", pp->pf->id, i, alt);
		if (!s || !plan_own(&s->u.altname, alt))
			return -ENOMEM;
	}
	return 0;
}

/* The port function capabilities (RoCE=, Migratable=) VF i's target changes, as steps; mlx5 reads
 * them when the VF's driver binds, so the caller has its driver away. Returns how many. */
static int add_port_fn_steps(pf_plan *pp, int i, bool dry)
{
	const vf_target *t = (size_t)i < pp->u->n_vfs ? &pp->u->vfs[i] : NULL;
	const vfctl_vf *v = cur_vf(pp, i);
	int n = 0;
	for (vf_flag f = 0; t && f < _VF_FLAG_MAX; f++) {
		int want = t->flag[f];
		if (!vf_flags[f].devlink_cap || want < 0 ||
		    (v && !pp->esw_change && want == vf_flag_get(&v->settings, f)))
			continue;
		n++;
		if (dry)
			continue;
		plan_step *s = plan_add(pp->p, STEP_VF_FLAG, pp->ui, pp->pf->id, i,
					"%s vf %d: %s %s (devlink port function, while the VF has no driver)", pp->name,
					i, vf_flags[f].word, vf_flag_value_str(f, want));
		if (!s)
			return -ENOMEM;
		s->u.flag.which = f;
		s->u.flag.value = (uint32_t)want;
	}
	return n;
}

/* Does this plan give VF i a MAC its driver, bound on the host, sees only when it next loads (igb,
 * ixgbe)? A VF on vfio-pci gets it at the guest driver's load, and a new VF before its first. */
static bool mac_needs_reload(const pf_plan *pp, int i, const char *cur)
{
	if (!cur || driver_is_vfio(cur) || !driver_fact_find(pp->pf->driver, FACT_VF_RELOAD, "MACAddress"))
		return false;
	for (size_t k = 0; k < pp->p->n; k++)
		if (pp->p->steps[k].unit == pp->ui && pp->p->steps[k].kind == STEP_VF_MAC && pp->p->steps[k].vf == i)
			return true;
	return false;
}

/* Drivers: configured ones bound explicitly (Driver=auto: the kernel's choice from modules.alias,
 * no driver_override left behind); a VF whose port function capabilities change, or whose new MAC
 * its driver reads only at load, is unbound and bound again. */
static int plan_vf_drivers(pf_plan *pp)
{
	int r;
	for (int i = 0; i < pp->want_n; i++) {
		const vf_target *t = (size_t)i < pp->u->n_vfs ? &pp->u->vfs[i] : NULL;
		const char *cur = cur_vf(pp, i) ? cur_vf(pp, i)->driver : NULL;
		int caps = add_port_fn_steps(pp, i, true);
		bool reload = mac_needs_reload(pp, i, cur);
		if (!t || (!t->driver && !caps && !reload))
			continue;
		if (!t->driver) {
			const vfctl_device *vd =
				cur && cur_vf(pp, i)->id ? vfctl_host_find(pp->h, cur_vf(pp, i)->id) : NULL;
			const char *why =
				caps ? " (its port function's capabilities reach the VF when its driver binds)"
				     : " (its new MAC reaches the VF when its driver loads)";
			if ((cur && (r = add_unbind(pp, i, cur, why)) < 0) || (r = add_port_fn_steps(pp, i, false)) < 0)
				return r;
			if (!cur)
				continue;
			/* Back where it was: through its driver_override, or the kernel's own choice. */
			if (vd && vd->driver_override)
				r = add_bind(pp, i, cur, true, " again");
			else if (!plan_add(pp->p, STEP_PROBE, pp->ui, pp->pf->id, i,
					   "%s vf %d: let the kernel bind %s again", pp->pf->id, i, cur))
				r = -ENOMEM;
			if (r < 0)
				return r;
			continue;
		}
		bool is_auto = streq(t->driver, "auto"), none = streq(t->driver, "none");
		const char *want =
			is_auto ? pp->pf->vf_default_driver
				: vfio_pick(t->driver, pp->pf->vf_vfio_variant, t->vfio_variant, t->override);
		if (!caps && !reload && (none ? !cur : streq_ptr(cur, want) && want))
			continue;
		if (cur && (r = add_unbind(pp, i, cur,
					   reload && streq_ptr(cur, want)
						   ? " (its new MAC reaches the VF when its driver loads)"
						   : "")) < 0)
			return r;
		if ((r = add_port_fn_steps(pp, i, false)) < 0)
			return r;
		/* driver_override stays set (a reprobe keeps the VF where it was put), unless this is a
		 * rollback to a VF that had none. */
		bool keep = !is_auto && !(t->override && !*t->override);
		const char *why = is_auto ? " (the kernel's driver for it)" : want != t->driver ? VFIO_VARIANT_WHY : "";
		if (!none && (r = add_bind(pp, i, want, keep, why)) < 0)
			return r;
	}
	return 0;
}

static int plan_vf_mtus(pf_plan *pp)
{
	for (int i = 0; i < pp->want_n && (size_t)i < pp->u->n_vfs; i++) {
		int want = pp->u->vfs[i].mtu;
		const vfctl_netdev *nd = cur_vf(pp, i) ? netdev_find(pp->h, cur_vf(pp, i)->netdev) : NULL;
		if (want < 0 || (nd && nd->mtu == want))
			continue;
		plan_step *s = plan_add(pp->p, STEP_VF_MTU, pp->ui, pp->pf->id, i, "%s vf %d: netdev mtu %d",
					pp->pf->id, i, want);
		if (!s)
			return -ENOMEM;
		s->u.mtu = (uint32_t)want;
	}
	return 0;
}

static int plan_vf_vdpa(pf_plan *pp)
{
	for (int i = 0; i < pp->want_n && (size_t)i < pp->u->n_vfs; i++) {
		char name[64];
		if (!pp->u->vfs[i].vdpa)
			continue;
		vf_vdpa_name(pp->pf, i, name, sizeof(name));
		int r = add_vdpa_steps(pp->p, pp->ui, pp->pf->id, name, NULL, i, pp->u->vfs[i].mac, -1, -1,
				       pp->u->vfs[i].vdpa, pp->recreate ? NULL : vdpa_find(pp->h, name));
		if (r < 0)
			return r;
	}
	return 0;
}

static int plan_vf_owners(pf_plan *pp)
{
	for (int i = 0; i < pp->want_n && (size_t)i < pp->u->n_vfs; i++) {
		const vf_target *t = &pp->u->vfs[i];
		const vfctl_vf *v = cur_vf(pp, i);
		if (t->owner < 0 && t->group < 0)
			continue;
		if (v && v->id && vfio_owned(vfctl_host_find(pp->h, v->id), t->owner, t->group))
			continue;
		plan_step *s = plan_add(pp->p, STEP_VFIO_OWNER, pp->ui, pp->pf->id, i,
					"%s vf %d: /dev/vfio/N owner %d group %d", pp->pf->id, i, t->owner, t->group);
		if (!s)
			return -ENOMEM;
		s->u.owner.uid = t->owner;
		s->u.owner.gid = t->group;
	}
	return 0;
}

/* Autoprobe back as configured (or as it was), then new VFs without Driver= get what the kernel
 * would have given them; last, the PF down if asked. */
static int plan_pf_finish(pf_plan *pp)
{
	const conf_unit *u = pp->u;
	const vfctl_device *pf = pp->pf;
	int final = u->autoprobe >= 0 ? u->autoprobe : pf->autoprobe;
	plan_step *s;
	if (final >= 0 && pp->autoprobe >= 0 && final != pp->autoprobe) {
		if (!(s = plan_add(pp->p, STEP_AUTOPROBE, pp->ui, pf->id, -1, "%s: sriov_drivers_autoprobe %d -> %d%s",
				   pf->id, pp->autoprobe, final, u->autoprobe >= 0 ? "" : " (as it was)")))
			return -ENOMEM;
		s->u.on = final;
	}
	if (pp->recreate && final == 1 && !pp->kernel_binds)
		for (int i = 0; i < pp->want_n; i++) {
			if ((size_t)i < u->n_vfs && u->vfs[i].driver)
				continue;
			if (!plan_add(pp->p, STEP_PROBE, pp->ui, pf->id, i,
				      "%s vf %d: let the kernel bind its driver (autoprobe on)", pf->id, i))
				return -ENOMEM;
		}
	if (u->up == 0 && pp->ifn && pp->admin_up &&
	    !plan_add(pp->p, STEP_PF_DOWN, pp->ui, pf->id, -1, "%s: down", pp->ifn))
		return -ENOMEM;
	return 0;
}

/* NumVFs=external: what the plan leaves to whoever made the VFs. */
static int plan_external(const pf_plan *pp)
{
	const conf_unit *u = pp->u;
	int r = plan_note(pp->p, pp->pf->id,
			  "NumVFs=external: %d VF%s as made by someone else; vfctl does not create, remove or "
			  "re-create them, nor change sriov_drivers_autoprobe",
			  pp->cur_n, pp->cur_n == 1 ? "" : "s");
	for (size_t i = 0; r >= 0 && i < u->n_vf_sections; i++) {
		const vf_section *sec = &u->vf_sections[i];
		char range[32];
		if (sec->lo < 0 || sec->hi < pp->cur_n)
			continue;
		if (sec->hi != sec->lo)
			snprintf(range, sizeof(range), "%d-%d", sec->lo, sec->hi);
		else
			snprintf(range, sizeof(range), "%d", sec->lo);
		r = plan_note(pp->p, pp->pf->id,
			      "[VF:%s] (%s:%u) names VFs that do not exist yet: left for when they are made", range,
			      sec->loc.file, sec->loc.line);
	}
	return r;
}

int plan_pf(vfctl_ctx *ctx, const vfctl_config *c, size_t ui, const vfctl_host *h, vfctl_plan *p)
{
	const conf_unit *u = &c->units[ui];
	const vfctl_device *pf = vfctl_host_find(h, u->dev_id);
	if (!pf)
		return ctx_error(ctx, -ENODEV, "%s: gone", u->dev_id);
	pf_plan pp = {.u = u, .ui = ui, .h = h, .pf = pf, .p = p, .autoprobe = pf->autoprobe};
	pp.ifn = pf->n_netdevs ? pf->netdevs[0].name : NULL;
	pp.name = pp.ifn ? pp.ifn : pf->id;
	pp.admin_up = pp.ifn && pf->netdevs[0].flags >= 0 && (pf->netdevs[0].flags & IFF_UP);
	pp.cur_n = pf->num_vfs > 0 ? pf->num_vfs : 0;
	pp.want_n = u->num_vfs >= 0 ? u->num_vfs : pp.cur_n;
	pp.want_esw = u->eswitch_mode;
	pp.esw_change = pp.want_esw >= 0 && pf->eswitch_mode >= 0 && pp.want_esw != pf->eswitch_mode;
	pp.order = eswitch_order_of(pf->driver);
	/* ice: the mode changes only without VFs, so they are re-created around it. */
	pp.recreate = pp.want_n != pp.cur_n || (pp.esw_change && pp.order == ESWITCH_THROUGH_ZERO && pp.cur_n > 0);
	pp.nvme = pf->nvme_ctrl && pf->nvme_known;
	/* An online NVMe VF changes its resources only offline, under its driver: re-created instead. */
	for (size_t i = 0; pp.nvme && !pp.recreate && u->num_vfs != NUMVFS_EXTERNAL && i < pf->n_vfs && i < u->n_vfs;
	     i++) {
		const vfctl_vf *v = &pf->vfs[i];
		const vf_target *t = &u->vfs[i];
		pp.recreate = v->nvme_online == 1 && t->nvme_vq >= 0 &&
			      (v->nvme_vq != t->nvme_vq || v->nvme_vi != t->nvme_vi);
	}

	int r = u->num_vfs == NUMVFS_EXTERNAL ? plan_external(&pp) : 0;
	if (r >= 0)
		r = plan_pf_link(&pp);
	if (r >= 0)
		r = plan_ovs(p, ui, u, h, pf, pp.want_n, false, true);
	if (r >= 0)
		r = plan_handoff(ctx, p, ui, u, h, pf, pp.name, pp.want_n, !pp.recreate);
	if (r >= 0)
		r = plan_count(&pp);
	for (int i = 0; r >= 0 && i < pp.want_n && (size_t)i < u->n_vfs; i++) {
		const vfctl_vf *v = cur_vf(&pp, i);
		r = plan_vf_settings(p, ui, pf, pp.name, i, &u->vfs[i], v ? &v->settings : NULL,
				     pp.esw_done ? pp.want_esw : pf->eswitch_mode);
	}
	for (int i = 0; r >= 0 && pp.nvme && i < pp.want_n && (size_t)i < u->n_vfs; i++)
		if (u->vfs[i].nvme_vq >= 0 && u->vfs[i].nvme_vi >= 0)
			r = plan_nvme_vf(&pp, i, cur_vf(&pp, i), u->vfs[i].nvme_vq, u->vfs[i].nvme_vi, "new resources");
	if (r >= 0)
		r = plan_eswitch(&pp);
	if (r >= 0)
		r = plan_rep_altnames(&pp);
	/* Leaving switchdev mode takes the rate nodes with it (the drivers destroy them). */
	if (r >= 0 && !(pp.esw_change && pp.want_esw == VFCTL_ESWITCH_LEGACY))
		r = plan_rate_groups(p, ui, u, pf, pp.want_n, !pp.esw_change && !pp.recreate);
	if (r >= 0)
		r = plan_vf_drivers(&pp);
	if (r >= 0)
		r = plan_vf_mtus(&pp);
	if (r >= 0)
		r = plan_vf_vdpa(&pp);
	if (r >= 0)
		r = plan_vf_owners(&pp);
	if (r >= 0)
		r = plan_ovs(p, ui, u, h, pf, pp.want_n, !pp.esw_change && !pp.recreate, false);
	if (r >= 0)
		r = plan_pf_finish(&pp);
	return r;
}
