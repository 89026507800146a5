/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan is the oracle: the diff between what the host reports and what the configuration
 * says, as ordered steps, each one kernel change. */
#include <libkmod.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>

#include "files.h"
#include "link.h"
#include "parse.h"
#include "pci.h"
#include "plan.h"

const char *step_kind_str(step_kind k)
{
	static const char *const names[] = {
		[STEP_PF_MTU] = "pf-mtu",         [STEP_PF_UP] = "pf-up",
		[STEP_AUTOPROBE] = "autoprobe",   [STEP_NUMVFS] = "numvfs",
		[STEP_VF_MAC] = "vf-mac",         [STEP_VF_VLAN] = "vf-vlan",
		[STEP_VF_RATE] = "vf-rate",       [STEP_VF_SPOOFCHK] = "vf-spoofchk",
		[STEP_VF_TRUST] = "vf-trust",     [STEP_VF_LINK_STATE] = "vf-link-state",
		[STEP_VF_RSS_QUERY] = "vf-query-rss", [STEP_UNBIND] = "unbind",
		[STEP_BIND] = "bind",             [STEP_PROBE] = "probe",
		[STEP_VF_MTU] = "vf-mtu",         [STEP_VFIO_OWNER] = "vfio-owner",
		[STEP_PF_DOWN] = "pf-down",       [STEP_ESWITCH] = "eswitch",
		[STEP_REP_ALTNAME] = "representor-altname", [STEP_VDPA_ADD] = "vdpa-add",
		[STEP_VDPA_BIND] = "vdpa-bind",   [STEP_VDPA_DEL] = "vdpa-del",
	};
	return k < ELEMENTSOF(names) && names[k] ? names[k] : "?";
}

void plan_clear(vfctl_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->steps[i].dev);
		free(p->steps[i].target);
		free(p->steps[i].driver);
		free(p->steps[i].text);
	}
	free(p->steps);
	p->steps = NULL;
	p->n = 0;
}

static int add_vdpa_steps(vfctl_plan *p, size_t ui, const char *owner, const char *name, const char *mgmtdev, int vf,
			  const char *mac, int mtu, int vqp, const char *driver, const vfctl_vdpa_dev *cur);

_printf_(5, 6) static plan_step *add(vfctl_plan *p, step_kind kind, size_t unit, const char *dev, const char *fmt,
				      ...)
{
	plan_step *n = realloc(p->steps, (p->n + 1) * sizeof(*n));
	va_list ap;
	if (!n)
		return NULL;
	p->steps = n;
	plan_step *s = &n[p->n];
	*s = (plan_step){.kind = kind, .unit = unit, .vf = -1};
	s->dev = strdup(dev);
	va_start(ap, fmt);
	int r = vasprintf(&s->text, fmt, ap);
	va_end(ap);
	if (!s->dev || r < 0) {
		free(s->dev);
		return NULL;
	}
	p->n++;
	return s;
}

/* Does netdev name answer to alt already (IFLA_PROP_LIST)? */
static bool netdev_has_altname(vfctl_ctx *ctx, const char *name, const char *alt)
{
	link_info li;
	if (!ctx->use_netlink || link_vf_get(ctx, name, &li) < 0)
		return false;
	bool has = false;
	for (size_t i = 0; i < li.n_altnames; i++)
		has |= streq(li.altnames[i], alt);
	link_info_done(&li);
	return has;
}

/* Is /dev/vfio/<group> already owned as asked (-1: that half not asked)? */
static bool vfio_owned(int group, int uid, int gid)
{
	char path[64];
	uid_t u;
	gid_t g;
	mode_t m;
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	if (file_owner(path, &u, &g, &m) < 0)
		return false;
	return (uid < 0 || u == (uid_t)uid) && (gid < 0 || g == (gid_t)gid);
}

eswitch_order eswitch_order_of(const char *driver)
{
	static const struct {
		const char *driver;
		eswitch_order order;
	} table[] = {
		{"mlx5_core", ESWITCH_VFS_FIRST},
		/* ice refuses the change while VFs exist */
		{"ice", ESWITCH_THROUGH_ZERO},
		/* some bnxt firmware needs the VFs to exist when switching */
		{"bnxt_en", ESWITCH_VFS_FIRST},
	};
	for (size_t i = 0; driver && i < ELEMENTSOF(table); i++)
		if (streq(table[i].driver, driver))
			return table[i].order;
	return ESWITCH_VFS_FIRST;
}

static int netdev_attr(vfctl_ctx *ctx, const char *ifname, const char *attr)
{
	return sysfs_int(ctx->fs, "class/net/%s/%s", ifname, attr);
}

static char *module_to_driver(const char *mod)
{
	/* PCI drivers are named as their modules, except vfio_pci → "vfio-pci". */
	if (streq(mod, "vfio_pci"))
		return strdup("vfio-pci");
	return strdup(mod);
}

char *default_driver(vfctl_ctx *ctx, const vfctl_host *h, const vfctl_device *pf, const char *vf_id)
{
	char alias[128], dir[PATH_MAX];
	const vfctl_device *vf = vf_id ? vfctl_host_find(h, vf_id) : NULL;
	char *ret = NULL;

	if (vf && vf->vendor_id >= 0)
		snprintf(alias, sizeof(alias), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", vf->vendor_id, vf->device_id,
			 vf->subsystem_vendor_id, vf->subsystem_device_id, vf->class_code >> 16,
			 (vf->class_code >> 8) & 0xff, vf->class_code & 0xff);
	else if (pf->vf_device_id >= 0)
		/* Not created yet: a VF has its PF's vendor and class, and the VF device id the PF's
		 * SR-IOV capability announces. */
		snprintf(alias, sizeof(alias), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", pf->vendor_id,
			 pf->vf_device_id, pf->subsystem_vendor_id, pf->subsystem_device_id, pf->class_code >> 16,
			 (pf->class_code >> 8) & 0xff, pf->class_code & 0xff);
	else
		return NULL;
	if (!h->kernel_release)
		return NULL;
	snprintf(dir, sizeof(dir), "%s/%s", ctx->fs->modules_root, h->kernel_release);
	struct kmod_ctx *k = kmod_new(dir, NULL);
	struct kmod_list *l = NULL, *it;
	if (!k)
		return NULL;
	if (kmod_module_new_from_lookup(k, alias, &l) >= 0)
		kmod_list_foreach(it, l)
		{
			struct kmod_module *m = kmod_module_get_module(it);
			const char *name = kmod_module_get_name(m);
			/* vfio-pci matches everything via driver_override only; skip generic stubs. */
			if (!ret && name && !streq(name, "pci_stub") && !streq(name, "vfio_pci"))
				ret = module_to_driver(name);
			kmod_module_unref(m);
		}
	kmod_module_unref_list(l);
	kmod_unref(k);
	return ret;
}

static bool str_eq_ci(const char *a, const char *b) { return a && b && strcasecmp(a, b) == 0; }

/* VF settings: one step per IFLA_VF_* attribute that differs. cur is NULL when unknown (just
 * created, or no netlink): then every given knob is set. */
static int plan_vf_settings(vfctl_plan *p, size_t unit, const vfctl_device *pf, const char *ifn, int i,
			    const vf_target *t, const vfctl_vf_settings *cur)
{
	plan_step *s;
	if (cur && !cur->valid)
		cur = NULL;
	if (t->mac[0] && !(cur && str_eq_ci(cur->mac, t->mac))) {
		if (!(s = cur ? add(p, STEP_VF_MAC, unit, pf->id, "%s vf %d: mac %s -> %s", ifn, i, cur->mac, t->mac)
			      : add(p, STEP_VF_MAC, unit, pf->id, "%s vf %d: mac %s", ifn, i, t->mac)))
			return -ENOMEM;
		s->vf = i;
		memcpy(s->mac, t->mac, sizeof(s->mac));
	}
	if (t->vlan >= 0 || t->qos >= 0 || t->vlan_proto >= 0) {
		int vlan = t->vlan >= 0 ? t->vlan : cur && cur->vlan >= 0 ? cur->vlan : 0;
		int qos = t->qos >= 0 ? t->qos : cur && cur->qos >= 0 ? cur->qos : 0;
		int proto = t->vlan_proto >= 0 ? t->vlan_proto : 0x8100;
		int cur_proto = cur && cur->vlan_proto > 0 ? cur->vlan_proto : 0x8100;
		/* With VLAN 0 the protocol means nothing: drivers report what they like. */
		if (!(cur && cur->vlan == vlan && cur->qos == qos && (vlan == 0 || cur_proto == proto))) {
			if (!(s = add(p, STEP_VF_VLAN, unit, pf->id, "%s vf %d: vlan %d qos %d%s", ifn, i, vlan, qos,
				      proto == 0x88a8 ? " proto 802.1ad" : "")))
				return -ENOMEM;
			s->vf = i;
			s->v[0] = vlan;
			s->v[1] = qos;
			s->v[2] = proto;
		}
	}
	if (t->min_tx_rate >= 0 || t->max_tx_rate >= 0) {
		int64_t mn = t->min_tx_rate >= 0 ? t->min_tx_rate : cur && cur->min_tx_rate >= 0 ? cur->min_tx_rate : 0;
		int64_t mx = t->max_tx_rate >= 0 ? t->max_tx_rate : cur && cur->max_tx_rate >= 0 ? cur->max_tx_rate : 0;
		if (!(cur && cur->min_tx_rate == mn && cur->max_tx_rate == mx)) {
			if (!(s = add(p, STEP_VF_RATE, unit, pf->id, "%s vf %d: min_tx_rate %lld max_tx_rate %lld Mbit/s", ifn,
				      i, (long long)mn, (long long)mx)))
				return -ENOMEM;
			s->vf = i;
			s->v[0] = mn;
			s->v[1] = mx;
		}
	}
	struct {
		step_kind k;
		int want, have;
		const char *name;
	} flags[] = {
		{STEP_VF_SPOOFCHK, t->spoofchk, cur ? cur->spoofchk : -2, "spoofchk"},
		{STEP_VF_TRUST, t->trust, cur ? cur->trust : -2, "trust"},
		{STEP_VF_LINK_STATE, t->link_state, cur ? cur->link_state : -2, "state"},
		{STEP_VF_RSS_QUERY, t->rss_query, cur ? cur->rss_query : -2, "query_rss"},
	};
	for (size_t f = 0; f < ELEMENTSOF(flags); f++) {
		if (flags[f].want < 0 || flags[f].want == flags[f].have)
			continue;
		const char *val = flags[f].k == STEP_VF_LINK_STATE ? vfctl_link_state_str(flags[f].want)
								   : flags[f].want ? "on" : "off";
		if (!(s = add(p, flags[f].k, unit, pf->id, "%s vf %d: %s %s", ifn, i, flags[f].name, val)))
			return -ENOMEM;
		s->vf = i;
		s->v[0] = flags[f].want;
	}
	return 0;
}

static int plan_pf(vfctl_ctx *ctx, const vfctl_config *c, size_t ui, const vfctl_host *h, vfctl_plan *p)
{
	const conf_unit *u = &c->units[ui];
	const vfctl_device *pf = vfctl_host_find(h, u->dev_id);
	const char *ifn = pf && pf->n_netdevs ? pf->netdevs[0].name : NULL;
	plan_step *s;

	if (!pf)
		return ctx_error(ctx, -ENODEV, "%s: gone", u->dev_id);
	int cur_n = pf->num_vfs > 0 ? pf->num_vfs : 0;
	int want_n = u->num_vfs >= 0 ? u->num_vfs : cur_n;
	int want_esw = u->eswitch_mode ? streq(u->eswitch_mode, "switchdev") : -1;
	bool esw_change = want_esw >= 0 && pf->eswitch_mode >= 0 && want_esw != pf->eswitch_mode;
	eswitch_order order = eswitch_order_of(pf->driver);
	/* ice: the mode changes only without VFs, so they are re-created around it. */
	bool recreate = want_n != cur_n || (esw_change && order == ESWITCH_THROUGH_ZERO && cur_n > 0);
	bool esw_done = false;
	int autoprobe = pf->autoprobe;
	int flags = ifn ? netdev_attr(ctx, ifn, "flags") : -1;
	bool admin_up = flags >= 0 && (flags & IFF_UP);

	if (u->mtu >= 0 && ifn && netdev_attr(ctx, ifn, "mtu") != u->mtu) {
		if (!(s = add(p, STEP_PF_MTU, ui, pf->id, "%s: mtu %d -> %d", ifn, netdev_attr(ctx, ifn, "mtu"), u->mtu)))
			return -ENOMEM;
		s->v[0] = u->mtu;
	}
	/* The PF goes up first: some drivers configure VFs only then (igb refuses rates). */
	bool needs_up = u->up == 1;
	for (size_t i = 0; !needs_up && u->up < 0 && i < u->n_vfs; i++)
		needs_up = u->vfs[i].max_tx_rate > 0 || u->vfs[i].min_tx_rate > 0;
	if (needs_up && ifn && !admin_up)
		if (!add(p, STEP_PF_UP, ui, pf->id, "%s: up%s", ifn, u->up == 1 ? "" : " (VF rates need the PF link up)"))
			return -ENOMEM;

	if (recreate) {
		/* No driver may bind a new VF before its MAC and VLAN are set. */
		if (want_n > 0 && autoprobe == 1) { /* -1: the PF has no such file (netdevsim) */
			if (!(s = add(p, STEP_AUTOPROBE, ui, pf->id, "%s: sriov_drivers_autoprobe %d -> 0 (until the VFs are set up)",
				      pf->id, autoprobe)))
				return -ENOMEM;
			s->v[0] = 0;
			autoprobe = 0;
		}
		if (cur_n > 0) {
			if (!(s = add(p, STEP_NUMVFS, ui, pf->id, "%s: sriov_numvfs %d -> 0%s", pf->id, cur_n,
				      esw_change && order == ESWITCH_THROUGH_ZERO ? " (its driver switches eswitch mode only without VFs)"
				      : want_n ? " (the kernel changes the count only through 0)" : "")))
				return -ENOMEM;
			s->v[0] = 0;
			s->disruptive = true;
		}
		if (esw_change && order == ESWITCH_THROUGH_ZERO) {
			if (!(s = add(p, STEP_ESWITCH, ui, pf->id, "%s: eswitch mode %s", pf->id, u->eswitch_mode)))
				return -ENOMEM;
			s->v[0] = want_esw;
			s->disruptive = true;
			esw_done = true;
		}
		if (want_n > 0) {
			if (!(s = add(p, STEP_NUMVFS, ui, pf->id, "%s: sriov_numvfs 0 -> %d", pf->id, want_n)))
				return -ENOMEM;
			s->v[0] = want_n;
		}
	}

	for (int i = 0; i < want_n && (size_t)i < u->n_vfs; i++) {
		const vfctl_vf_settings *cur = !recreate && (size_t)i < pf->n_vfs ? &pf->vfs[i].settings : NULL;
		int r = plan_vf_settings(p, ui, pf, ifn ? ifn : pf->id, i, &u->vfs[i], cur);
		if (r < 0)
			return r;
	}

	/* mlx5 and the generic order: the VFs exist; no VF driver may be bound across the switch
	 * (mlx5 refuses the change while a VF driver is bound: unbind, switch, rebind). */
	if (esw_change && !esw_done) {
		for (int i = 0; !recreate && i < cur_n && (size_t)i < pf->n_vfs; i++)
			if (pf->vfs[i].driver) {
				if (!(s = add(p, STEP_UNBIND, ui, pf->id, "%s vf %d: unbind %s (across the eswitch change)", pf->id,
					      i, pf->vfs[i].driver)))
					return -ENOMEM;
				s->vf = i;
				s->disruptive = true;
			}
		if (!(s = add(p, STEP_ESWITCH, ui, pf->id, "%s: eswitch mode %s", pf->id, u->eswitch_mode)))
			return -ENOMEM;
		s->v[0] = want_esw;
		s->disruptive = true;
		for (int i = 0; !recreate && i < cur_n && (size_t)i < pf->n_vfs; i++)
			if (pf->vfs[i].driver) {
				if (!(s = add(p, STEP_BIND, ui, pf->id, "%s vf %d: bind %s again", pf->id, i, pf->vfs[i].driver)))
					return -ENOMEM;
				s->vf = i;
				s->driver = strdup(pf->vfs[i].driver);
			}
	}
	if (u->rep_altname && want_esw != 0) {
		for (int i = 0; i < want_n; i++) {
			const char *rep = !recreate && !esw_change && (size_t)i < pf->n_vfs ? pf->vfs[i].representor : NULL;
			char alt[128];
			if (altname_expand(u->rep_altname, ifn ? ifn : pf->id, i, alt, sizeof(alt)) < 0)
				continue;
			if (rep && netdev_has_altname(ctx, rep, alt))
				continue;
			if (!(s = add(p, STEP_REP_ALTNAME, ui, pf->id, "%s vf %d: representor altname %s", pf->id, i, alt)))
				return -ENOMEM;
			s->vf = i;
			s->driver = strdup(alt); /* the name to add */
		}
	}

	/* Drivers: configured ones bound explicitly; unconfigured new VFs get what the kernel would
	 * have given them, once autoprobe is back. */
	int final_autoprobe = u->autoprobe >= 0 ? u->autoprobe : pf->autoprobe;
	for (int i = 0; i < want_n; i++) {
		const vf_target *t = (size_t)i < u->n_vfs ? &u->vfs[i] : NULL;
		const char *cur_drv = !recreate && (size_t)i < pf->n_vfs ? pf->vfs[i].driver : NULL;
		const char *vf_id = !recreate && (size_t)i < pf->n_vfs ? pf->vfs[i].id : NULL;
		if (!t || !t->driver)
			continue;
		_cleanup_free_ char *want = streq(t->driver, "auto") ? default_driver(ctx, h, pf, vf_id) : strdup(t->driver);
		if (!want && streq(t->driver, "auto"))
			want = strdup("auto");
		if (!want)
			return -ENOMEM;
		if (streq(want, "none") ? !cur_drv : streq_ptr(cur_drv, want))
			continue;
		if (cur_drv) {
			if (!(s = add(p, STEP_UNBIND, ui, pf->id, "%s vf %d: unbind %s", pf->id, i, cur_drv)))
				return -ENOMEM;
			s->vf = i;
			s->disruptive = true;
		}
		if (streq(want, "none"))
			continue;
		if (!(s = add(p, STEP_BIND, ui, pf->id, "%s vf %d: bind %s%s", pf->id, i, want,
			      streq(t->driver, "auto") ? " (the kernel's driver for it)" : "")))
			return -ENOMEM;
		s->vf = i;
		s->driver = strdup(want);
		s->v[0] = streq(t->driver, "auto"); /* auto: no driver_override left behind */
	}
	for (int i = 0; i < want_n && (size_t)i < u->n_vfs; i++)
		if (u->vfs[i].mtu >= 0) {
			int cur_mtu = -1;
			if (!recreate && (size_t)i < pf->n_vfs && pf->vfs[i].netdev)
				cur_mtu = netdev_attr(ctx, pf->vfs[i].netdev, "mtu");
			if (cur_mtu == u->vfs[i].mtu)
				continue;
			if (!(s = add(p, STEP_VF_MTU, ui, pf->id, "%s vf %d: netdev mtu %d", pf->id, i, u->vfs[i].mtu)))
				return -ENOMEM;
			s->vf = i;
			s->v[0] = u->vfs[i].mtu;
		}

	for (int i = 0; i < want_n && (size_t)i < u->n_vfs; i++) {
		char name[64];
		if (!u->vfs[i].vdpa)
			continue;
		vf_vdpa_name(pf, i, name, sizeof(name));
		int r = add_vdpa_steps(p, ui, pf->id, name, NULL, i, u->vfs[i].mac, -1, -1, u->vfs[i].vdpa,
				       recreate ? NULL : vdpa_find(h, name));
		if (r < 0)
			return r;
	}
	for (int i = 0; i < want_n && (size_t)i < u->n_vfs; i++) {
		const vf_target *t = &u->vfs[i];
		if (t->owner < 0 && t->group < 0)
			continue;
		const vfctl_device *vd = !recreate && (size_t)i < pf->n_vfs && pf->vfs[i].id
						 ? vfctl_host_find(h, pf->vfs[i].id)
						 : NULL;
		if (vd && vd->iommu_group >= 0 && vfio_owned(vd->iommu_group, t->owner, t->group))
			continue;
		if (!(s = add(p, STEP_VFIO_OWNER, ui, pf->id, "%s vf %d: /dev/vfio/N owner %d group %d", pf->id, i,
			      t->owner, t->group)))
			return -ENOMEM;
		s->vf = i;
		s->v[0] = t->owner;
		s->v[1] = t->group;
	}

	if (final_autoprobe >= 0 && autoprobe >= 0 && final_autoprobe != autoprobe) {
		if (!(s = add(p, STEP_AUTOPROBE, ui, pf->id, "%s: sriov_drivers_autoprobe %d -> %d%s", pf->id, autoprobe,
			      final_autoprobe, u->autoprobe >= 0 ? "" : " (as it was)")))
			return -ENOMEM;
		s->v[0] = final_autoprobe;
	}
	if (recreate && final_autoprobe == 1)
		for (int i = 0; i < want_n; i++) {
			if ((size_t)i < u->n_vfs && u->vfs[i].driver)
				continue;
			if (!(s = add(p, STEP_PROBE, ui, pf->id, "%s vf %d: let the kernel bind its driver (autoprobe on)",
				      pf->id, i)))
				return -ENOMEM;
			s->vf = i;
		}
	if (u->up == 0 && ifn && admin_up)
		if (!add(p, STEP_PF_DOWN, ui, pf->id, "%s: down", ifn))
			return -ENOMEM;
	return 0;
}

static int plan_device(vfctl_ctx *ctx, const vfctl_config *c, size_t ui, const vfctl_host *h, vfctl_plan *p)
{
	const conf_unit *u = &c->units[ui];
	const vfctl_device *d = vfctl_host_find(h, u->dev_id);
	pci_addr a;
	if (!d)
		return ctx_error(ctx, -ENODEV, "%s: gone", u->dev_id);
	if (parse_pci_addr(d->id, &a) < 0)
		return ctx_error(ctx, -EINVAL, "%s: [Device] needs a PCI device", d->id);
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *f = &h->devices[i];
		pci_addr b;
		if (f != d) {
			if (u->all_functions != 1 || parse_pci_addr(f->id, &b) < 0 || b.domain != a.domain || b.bus != a.bus ||
			    b.dev != a.dev)
				continue;
		}
		/* A rollback target lists each function's own prior driver (a GPU and its audio function
		 * have different ones); a configuration names one for all. */
		pci_addr fa;
		const char *want = u->driver;
		if (u->n_vfs == 8 && parse_pci_addr(f->id, &fa) >= 0 && u->vfs[fa.fn].driver)
			want = u->vfs[fa.fn].driver;
		bool none = streq(want, "none");
		if (none ? !f->driver : streq_ptr(f->driver, want))
			continue;
		plan_step *s;
		if (f->driver) {
			if (!(s = add(p, STEP_UNBIND, ui, d->id, "%s: unbind %s", f->id, f->driver)))
				return -ENOMEM;
			s->target = strdup(f->id);
			s->disruptive = true;
		}
		if (none)
			continue;
		if (!(s = add(p, STEP_BIND, ui, d->id, "%s: bind %s", f->id, want)))
			return -ENOMEM;
		s->target = strdup(f->id);
		s->driver = strdup(want);
	}
	if ((u->owner >= 0 || u->group >= 0) && !(d->iommu_group >= 0 && vfio_owned(d->iommu_group, u->owner, u->group))) {
		plan_step *s = add(p, STEP_VFIO_OWNER, ui, d->id, "%s: /dev/vfio/N owner %d group %d", d->id, u->owner,
				   u->group);
		if (!s)
			return -ENOMEM;
		s->target = strdup(d->id);
		s->v[0] = u->owner;
		s->v[1] = u->group;
	}
	return 0;
}

const vfctl_vdpa_dev *vdpa_find(const vfctl_host *h, const char *name)
{
	for (size_t i = 0; h->vdpa && i < h->vdpa->n_devs; i++)
		if (streq(h->vdpa->devs[i].name, name))
			return &h->vdpa->devs[i];
	return NULL;
}

static int add_vdpa_steps(vfctl_plan *p, size_t ui, const char *owner, const char *name, const char *mgmtdev, int vf,
			  const char *mac, int mtu, int vqp, const char *driver, const vfctl_vdpa_dev *cur)
{
	plan_step *s;
	if (cur && mgmtdev && !streq(cur->mgmtdev, mgmtdev)) {
		if (!(s = add(p, STEP_VDPA_DEL, ui, owner, "vdpa %s: delete (it is on %s, not %s)", name, cur->mgmtdev, mgmtdev)))
			return -ENOMEM;
		s->target = strdup(name);
		s->disruptive = true;
		cur = NULL;
	}
	if (!cur) {
		if (!(s = add(p, STEP_VDPA_ADD, ui, owner, "vdpa %s: create on %s%s%s", name, mgmtdev ? mgmtdev : "the VF's",
			      mac && *mac ? " mac " : "", mac && *mac ? mac : "")))
			return -ENOMEM;
		s->target = strdup(name);
		s->driver = strdup_or_null(mgmtdev);
		s->vf = vf;
		if (mac)
			snprintf(s->mac, sizeof(s->mac), "%s", mac);
		s->v[0] = mtu;
		s->v[1] = vqp;
	}
	if (!cur || !streq_ptr(cur->driver, driver)) {
		if (!(s = add(p, STEP_VDPA_BIND, ui, owner, "vdpa %s: bind %s", name, driver)))
			return -ENOMEM;
		s->target = strdup(name);
		s->driver = strdup(driver);
	}
	return 0;
}

static int plan_vdpa(const vfctl_config *c, size_t ui, const vfctl_host *h, vfctl_plan *p)
{
	const conf_unit *u = &c->units[ui];
	const vfctl_vdpa_dev *cur = vdpa_find(h, u->vdpa_name);
	if (!u->present) {
		if (cur) {
			plan_step *s = add(p, STEP_VDPA_DEL, ui, u->vdpa_name, "vdpa %s: delete", u->vdpa_name);
			if (!s)
				return -ENOMEM;
			s->target = strdup(u->vdpa_name);
			s->disruptive = true;
		}
		return 0;
	}
	return add_vdpa_steps(p, ui, u->vdpa_name, u->vdpa_name, u->vdpa_mgmtdev, -1, u->vdpa_mac, u->vdpa_mtu, u->vdpa_vqp,
			      u->vdpa_driver, cur);
}

void vf_vdpa_name(const vfctl_device *pf, int vf, char *buf, size_t n)
{
	snprintf(buf, n, "vdpa-%s-%d", pf->n_netdevs ? pf->netdevs[0].name : pf->id, vf);
}

int plan_unit(vfctl_ctx *ctx, const vfctl_config *c, size_t u, const vfctl_host *h, vfctl_plan *p)
{
	if (!c->units[u].dev_id)
		return ctx_error(ctx, -EINVAL, "unit %zu was not validated", u);
	switch (c->units[u].kind) {
	case UNIT_PF:
		return plan_pf(ctx, c, u, h, p);
	case UNIT_DEVICE:
		return plan_device(ctx, c, u, h, p);
	default:
		return plan_vdpa(c, u, h, p);
	}
}

int unit_from_host(vfctl_ctx *ctx, const conf_unit *u, const vfctl_host *h, conf_unit *ret)
{
	const vfctl_device *d = vfctl_host_find(h, u->dev_id);
	conf_unit t = {.kind = u->kind, .loc = u->loc, .num_vfs = -1, .autoprobe = -1, .up = -1, .mtu = -1,
		       .all_functions = u->all_functions, .owner = -1, .group = -1, .vdpa_mtu = -1, .vdpa_vqp = -1};
	if (u->kind == UNIT_VDPA) {
		/* Back to what was: the device as it was, or no device. */
		const vfctl_vdpa_dev *cur = vdpa_find(h, u->vdpa_name);
		t.dev_id = strdup(u->dev_id);
		t.vdpa_name = strdup(u->vdpa_name);
		t.present = cur != NULL;
		if (cur) {
			t.vdpa_mgmtdev = strdup(cur->mgmtdev);
			t.vdpa_driver = strdup(cur->driver ? cur->driver : "vhost_vdpa");
		}
		if (!t.dev_id || !t.vdpa_name || (cur && (!t.vdpa_mgmtdev || !t.vdpa_driver))) {
			conf_unit_done(&t);
			return -ENOMEM;
		}
		*ret = t;
		return 0;
	}
	if (!d)
		return ctx_error(ctx, -ENODEV, "%s: gone", u->dev_id);
	t.dev_id = strdup(d->id);
	if (!t.dev_id)
		return -ENOMEM;
	if (u->kind == UNIT_DEVICE) {
		t.driver = strdup(d->driver ? d->driver : "none");
		if (!t.driver) {
			conf_unit_done(&t);
			return -ENOMEM;
		}
		/* With AllFunctions, each function's own driver, indexed by function number. */
		pci_addr a, b;
		if (u->all_functions == 1 && parse_pci_addr(d->id, &a) >= 0) {
			t.vfs = calloc(8, sizeof(*t.vfs));
			if (!t.vfs) {
				conf_unit_done(&t);
				return -ENOMEM;
			}
			t.n_vfs = 8;
			for (size_t i = 0; i < 8; i++)
				vf_target_init(&t.vfs[i]);
			for (size_t i = 0; i < h->n_devices; i++) {
				const vfctl_device *f = &h->devices[i];
				if (parse_pci_addr(f->id, &b) < 0 || b.domain != a.domain || b.bus != a.bus || b.dev != a.dev)
					continue;
				if (!(t.vfs[b.fn].driver = strdup(f->driver ? f->driver : "none"))) {
					conf_unit_done(&t);
					return -ENOMEM;
				}
			}
		}
		*ret = t;
		return 0;
	}
	const char *ifn = d->n_netdevs ? d->netdevs[0].name : NULL;
	t.num_vfs = d->num_vfs > 0 ? d->num_vfs : 0;
	t.autoprobe = d->autoprobe;
	if (u->eswitch_mode && d->eswitch_mode >= 0 && !(t.eswitch_mode = strdup(d->eswitch_mode ? "switchdev" : "legacy"))) {
		conf_unit_done(&t);
		return -ENOMEM;
	}
	if (ifn) {
		int flags = netdev_attr(ctx, ifn, "flags");
		t.up = flags >= 0 ? !!(flags & IFF_UP) : -1;
		t.mtu = netdev_attr(ctx, ifn, "mtu");
	}
	t.n_vfs = d->n_vfs;
	t.vfs = t.n_vfs ? calloc(t.n_vfs, sizeof(*t.vfs)) : NULL;
	if (t.n_vfs && !t.vfs) {
		conf_unit_done(&t);
		return -ENOMEM;
	}
	/* A knob is restored when this run may change it (the config sets it) or when its prior
	 * value is not what a new VF starts with (a re-created VF would lose it). Restoring the others
	 * would ask drivers for knobs they may not have (igb and link state). */
	for (size_t i = 0; i < t.n_vfs; i++) {
		vf_target *v = &t.vfs[i];
		const vfctl_vf_settings *s = &d->vfs[i].settings;
		const vf_target *c = i < u->n_vfs ? &u->vfs[i] : NULL;
		vf_target_init(v);
		if (s->valid) {
			if ((c && c->mac[0]) || strcmp(s->mac, "00:00:00:00:00:00") != 0)
				memcpy(v->mac, s->mac, sizeof(v->mac));
			if ((c && (c->vlan >= 0 || c->qos >= 0 || c->vlan_proto >= 0)) || s->vlan > 0 || s->qos > 0) {
				v->vlan = s->vlan;
				v->qos = s->qos;
				v->vlan_proto = s->vlan > 0 ? s->vlan_proto : -1;
			}
			if ((c && c->spoofchk >= 0) || s->spoofchk == 0)
				v->spoofchk = s->spoofchk;
			if ((c && c->trust >= 0) || s->trust == 1)
				v->trust = s->trust;
			if ((c && c->link_state >= 0) || s->link_state > 0)
				v->link_state = s->link_state;
			if ((c && c->rss_query >= 0) || s->rss_query == 1)
				v->rss_query = s->rss_query;
			if ((c && (c->min_tx_rate >= 0 || c->max_tx_rate >= 0)) || s->min_tx_rate > 0 || s->max_tx_rate > 0) {
				v->min_tx_rate = s->min_tx_rate;
				v->max_tx_rate = s->max_tx_rate;
			}
		}
		v->driver = strdup(d->vfs[i].driver ? d->vfs[i].driver : "none");
		if (!v->driver) {
			conf_unit_done(&t);
			return -ENOMEM;
		}
	}
	*ret = t;
	return 0;
}
