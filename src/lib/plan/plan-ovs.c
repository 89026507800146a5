/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A switchdev PF's Open vSwitch side: its uplink and VF representors as ports of one bridge, and
 * other_config:hw-offload, as one OVSDB transaction per PF. Only the bridge the unit names is
 * changed, and only by adding these ports; a rollback takes them out again and removes the bridge
 * if vfctl created it and nothing else joined it since. */
#include <net/if.h>
#include <stdio.h>

#include "ovs.h"
#include "plan.h"

static const char *hw_word(int v)
{
	return v == OVS_HW_OFFLOAD_UNSET ? "unset" : v ? "true" : "false";
}

/* ovs-vswitchd reads hw-offload once, when it starts (lib/netdev-offload.c in Open vSwitch). */
#define RESTART_NOTE                                                                                           \
	" (ovs-vswitchd reads it only when it starts: restart it, e.g. systemctl restart openvswitch-switch; " \
	"vfctl restarts no daemon)"

static int hw_change(const conf_unit *u, const vfctl_ovs *o)
{
	int cur = o->hw_offload < 0 ? OVS_HW_OFFLOAD_UNSET : o->hw_offload;
	int want = u->ovs_hw_offload;
	/* "not set" and "false" mean the same to ovs-vswitchd; only a rollback tells them apart. */
	if (want < 0 || want == cur || (want == 0 && cur == OVS_HW_OFFLOAD_UNSET))
		return -1;
	return want;
}

static bool in_bridge(const vfctl_ovs *o, const char *port, const char *bridge)
{
	const vfctl_ovs_port *p = ovs_port_find(o, port);
	return p && p->bridge && (!bridge || streq(p->bridge, bridge));
}

/* The ports that leave: the uplink and every representor the snapshot has, where a bridge holds them. */
static int plan_leave(vfctl_plan *p, size_t ui, const conf_unit *u, const vfctl_host *h, const vfctl_device *pf)
{
	const vfctl_ovs *o = h->ovs;
	_cleanup_free_ char *text = NULL;
	char **del = calloc(pf->n_vfs + 1, sizeof(*del));
	size_t n = 0, len = 0;
	FILE *f = open_memstream(&text, &len);
	int r = del && f ? 0 : -ENOMEM;
	for (size_t i = 0; r >= 0 && i <= pf->n_vfs; i++) {
		const char *name = i == 0 ? (pf->n_netdevs ? pf->netdevs[0].name : NULL) : pf->vfs[i - 1].representor;
		if (!name || !in_bridge(o, name, NULL))
			continue;
		fprintf(f, "%s %s (from %s)", n ? "," : " remove port", name, ovs_port_find(o, name)->bridge);
		if (!(del[n++] = strdup(name)))
			r = -ENOMEM;
	}
	bool drop = u->ovs_drop && ovs_bridge_find(o, u->ovs_drop);
	int hw = hw_change(u, o);
	if (f && drop)
		fprintf(f, "%s remove bridge %s if nothing else joined it", n ? ";" : "", u->ovs_drop);
	if (f && hw >= 0)
		fprintf(f, "%s other_config:hw-offload %s", n || drop ? ";" : "", hw_word(hw));
	if (f && fclose(f) < 0)
		r = -ENOMEM;
	plan_step *s = NULL;
	if (r >= 0 && (n || drop || hw >= 0) && !(s = plan_add(p, STEP_OVSDB, ui, pf->id, -1, "ovsdb:%s", text)))
		r = -ENOMEM;
	if (r < 0 || !s) {
		strv_free_n(del, n);
		return r;
	}
	s->u.ovs.del = del;
	s->u.ovs.n_del = n;
	s->u.ovs.hw_offload = hw;
	return drop && !plan_own(&s->u.ovs.drop, u->ovs_drop) ? -ENOMEM : 0;
}

static int plan_join(vfctl_plan *p, size_t ui, const conf_unit *u, const vfctl_host *h, const vfctl_device *pf,
		     int want_n, bool reps_known)
{
	const vfctl_ovs *o = h->ovs;
	const char *br = u->ovs_bridge;
	const char *uplink = pf->n_netdevs ? pf->netdevs[0].name : NULL;
	_cleanup_free_ char *text = NULL;
	size_t len = 0, n = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	bool create = br && !ovs_bridge_find(o, br);
	if (br)
		fprintf(f, " bridge %s:%s", br, create ? " create it," : "");
	if (br && uplink && !in_bridge(o, uplink, br))
		fprintf(f, "%s uplink %s", n++ ? "," : " add", uplink);
	for (int i = 0; br && reps_known && i < want_n; i++) {
		const char *rep = (size_t)i < pf->n_vfs ? pf->vfs[i].representor : NULL;
		if (rep && in_bridge(o, rep, br))
			continue;
		fprintf(f, "%s %s (vf %d)", n++ ? "," : " add", rep ? rep : "representor", i);
	}
	if (br && !reps_known && want_n > 0)
		fprintf(f, "%s the representors of VFs 0-%d (named once switchdev mode has made them)",
			n++ ? "," : " add", want_n - 1);
	int hw = hw_change(u, o);
	if (hw >= 0)
		fprintf(f, "%s other_config:hw-offload %s%s", br ? ";" : "", hw_word(hw), RESTART_NOTE);
	if (fclose(f) < 0)
		return -ENOMEM;
	if (!n && !create && hw < 0)
		return 0;
	plan_step *s = plan_add(p, STEP_OVSDB, ui, pf->id, -1, "ovsdb:%s", text);
	if (!s)
		return -ENOMEM;
	s->u.ovs.reps = br ? want_n : 0;
	s->u.ovs.hw_offload = hw;
	return plan_own(&s->u.ovs.bridge, br) ? 0 : -ENOMEM;
}

static bool link_up(const vfctl_host *h, const char *name)
{
	const vfctl_netdev *nd = netdev_find(h, name);
	return nd && nd->flags >= 0 && (nd->flags & IFF_UP);
}

/* A bridge's ports carry traffic only with their links up (ovs-vswitchd leaves that to the admin,
 * as the CX-6 Dx notes' script does with ip link set ... up): each representor up (the uplink is
 * plan_pf_link's); a rollback puts each representor back down where it was. */
static int plan_links(vfctl_plan *p, size_t ui, const conf_unit *u, const vfctl_host *h, const vfctl_device *pf,
		      int want_n, bool reps_known, bool leaving)
{
	int n = leaving ? (int)pf->n_vfs : want_n;
	for (int i = 0; i < n; i++) {
		const char *rep = (reps_known || leaving) && (size_t)i < pf->n_vfs ? pf->vfs[i].representor : NULL;
		bool up = rep && link_up(h, rep);
		plan_step *s;
		if (leaving ? !(rep && up && (size_t)i < u->n_vfs && u->vfs[i].rep_up == 0) : up)
			continue;
		if (!(s = leaving ? plan_add(p, STEP_REP_LINK, ui, pf->id, i,
					     "%s vf %d: representor %s down (as it was)", pf->id, i, rep)
				  : plan_add(p, STEP_REP_LINK, ui, pf->id, i,
					     "%s vf %d: representor%s%s up (a port of %s)", pf->id, i, rep ? " " : "",
					     rep ? rep : "", u->ovs_bridge)))
			return -ENOMEM;
		s->u.on = !leaving;
	}
	return 0;
}

int plan_ovs(vfctl_plan *p, size_t ui, const conf_unit *u, const vfctl_host *h, const vfctl_device *pf, int want_n,
	     bool reps_known, bool leave)
{
	bool leaving = u->ovs_bridge && !*u->ovs_bridge;
	int r;
	/* No server answers (at boot it starts after vfctl): its own database keeps what was set. */
	if ((!u->ovs_bridge && u->ovs_hw_offload < 0) || !h->ovs || leave != leaving)
		return 0;
	if (leaving)
		return (r = plan_leave(p, ui, u, h, pf)) < 0 ? r
							     : plan_links(p, ui, u, h, pf, want_n, reps_known, true);
	if (u->ovs_bridge && (r = plan_links(p, ui, u, h, pf, want_n, reps_known, false)) < 0)
		return r;
	return plan_join(p, ui, u, h, pf, want_n, reps_known);
}
