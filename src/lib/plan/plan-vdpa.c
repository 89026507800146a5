/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vDPA devices in a plan: a [VDPA] unit, or VDPA= on a VF. */
#include <stdio.h>

#include "parse.h"
#include "plan.h"

const vfctl_vdpa_dev *vdpa_find(const vfctl_host *h, const char *name)
{
	for (size_t i = 0; h->vdpa && i < h->vdpa->n_devs; i++)
		if (streq(h->vdpa->devs[i].name, name))
			return &h->vdpa->devs[i];
	return NULL;
}

int add_vdpa_steps(vfctl_plan *p, size_t ui, const char *owner, const char *name, const char *mgmtdev, int vf,
		   const char *mac, int mtu, int vqp, const char *driver, const vfctl_vdpa_dev *cur)
{
	plan_step *s;
	if (cur && mgmtdev && !streq(cur->mgmtdev, mgmtdev)) {
		s = plan_add(p, STEP_VDPA_DEL, ui, owner, -1, "vdpa %s: delete (it is on %s, not %s)", name,
			     cur->mgmtdev, mgmtdev);
		if (!s || !plan_own(&s->u.vdpa.name, name))
			return -ENOMEM;
		s->disruptive = true;
		cur = NULL;
	}
	if (!cur) {
		s = plan_add(p, STEP_VDPA_ADD, ui, owner, vf, "vdpa %s: create on %s%s%s", name,
			     mgmtdev ? mgmtdev : "the VF's", mac && *mac ? " mac " : "", mac && *mac ? mac : "");
		if (!s || !plan_own(&s->u.vdpa.name, name) || !plan_own(&s->u.vdpa.mgmtdev, mgmtdev))
			return -ENOMEM;
		s->u.vdpa.has_mac = mac && *mac && parse_mac(mac, s->u.vdpa.mac) >= 0;
		s->u.vdpa.mtu = mtu;
		s->u.vdpa.max_vqp = vqp;
	}
	if (!cur || !streq_ptr(cur->driver, driver)) {
		s = plan_add(p, STEP_VDPA_BIND, ui, owner, -1, "vdpa %s: bind %s", name, driver);
		if (!s || !plan_own(&s->u.vdpa.name, name) || !plan_own(&s->u.vdpa.driver, driver))
			return -ENOMEM;
	}
	return 0;
}

int plan_vdpa(const vfctl_config *c, size_t ui, const vfctl_host *h, vfctl_plan *p)
{
	const conf_unit *u = &c->units[ui];
	const vfctl_vdpa_dev *cur = vdpa_find(h, u->vdpa_name);
	if (!u->present) {
		if (cur) {
			plan_step *s =
				plan_add(p, STEP_VDPA_DEL, ui, u->vdpa_name, -1, "vdpa %s: delete", u->vdpa_name);
			if (!s || !plan_own(&s->u.vdpa.name, u->vdpa_name))
				return -ENOMEM;
			s->disruptive = true;
		}
		return 0;
	}
	return add_vdpa_steps(p, ui, u->vdpa_name, u->vdpa_name, u->vdpa_mgmtdev, -1, u->vdpa_mac, u->vdpa_mtu,
			      u->vdpa_vqp, u->vdpa_driver, cur);
}

void vf_vdpa_name(const vfctl_device *pf, int vf, char *buf, size_t n)
{
	snprintf(buf, n, "vdpa-%s-%d", pf->n_netdevs ? pf->netdevs[0].name : pf->id, vf);
}
