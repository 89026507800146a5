/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The representors of a switchdev PF: in switchdev mode a VF's traffic that no offloaded rule
 * handles goes to its representor (the slow path), so a representor that is down or in no bridge
 * drops it: the classic mistakes after `devlink dev eswitch set ... switchdev` (the CX-6 Dx notes
 * bring every representor up and add it to OVS by hand). */
#include <stdio.h>
#include <stdlib.h>

#include "checker.h"
#include "ethtool.h"
#include "sysfs.h"

static void check_pf_representors(checker *c, const vfctl_device *pf)
{
	strbuf down = {0}, alone = {0};
	size_t n_down = 0, n_alone = 0;
	for (size_t i = 0; i < pf->n_vfs; i++) {
		const char *rep = pf->vfs[i].representor;
		_cleanup_free_ char *flags = NULL, *master = NULL;
		char path[128];
		if (!rep)
			continue;
		if (sysfs_readf(c->ctx->fs, &flags, "class/net/%s/flags", rep) >= 0 && !(strtoul(flags, NULL, 0) & 1)) {
			strbuf_add(&down, "%s%s (VF %zu)", n_down ? ", " : "", rep, i);
			n_down++;
		}
		snprintf(path, sizeof(path), "class/net/%s/master", rep);
		if (sysfs_link_name(c->ctx->fs, path, &master) < 0) {
			strbuf_add(&alone, "%s%s (VF %zu)", n_alone ? ", " : "", rep, i);
			n_alone++;
		}
	}
	if (down.error || alone.error)
		c->error = -ENOMEM;
	else {
		_cleanup_free_ char *sum = NULL;
		if (n_down && asprintf(&sum,
				       "%zu representor(s) down: the eswitch drops what their VFs send to the host "
				       "side (every packet no offloaded rule handles)",
				       n_down) >= 0)
			add(c, "switchdev.representor-down", VFCTL_SEV_WARN, pf, sum, down.s,
			    "ip link set REPRESENTOR up, for each (vfctl emit ovs PF prints the whole setup)");
		free(sum);
		sum = NULL;
		if (n_alone && asprintf(&sum,
					"%zu representor(s) in no bridge or Open vSwitch: their VFs reach nothing "
					"beyond what offloaded rules send them",
					n_alone) >= 0)
			add(c, "switchdev.representor-unbridged", VFCTL_SEV_INFO, pf, sum, alone.s,
			    "add them to a bridge or to OVS with the uplink (vfctl emit ovs PF)");
	}
	free(down.s);
	free(alone.s);
}

/* Open vSwitch offloads a flow only through tc flower, and tc offloads nothing for a netdev whose
 * hw-tc-offload feature is off: OVS then keeps every flow in software without a word. */
void check_tc_offload(checker *c)
{
	strbuf off = {0};
	size_t n = 0;
	const vfctl_device *first = NULL;
	for (size_t i = 0; i < c->h->n_devices; i++) {
		const vfctl_device *pf = &c->h->devices[i];
		if (pf->eswitch_mode != VFCTL_ESWITCH_SWITCHDEV || !doctor_selected(c, pf))
			continue;
		for (size_t k = 0; k <= pf->n_vfs; k++) {
			const char *dev =
				k == 0 ? (pf->n_netdevs ? pf->netdevs[0].name : NULL) : pf->vfs[k - 1].representor;
			if (dev && netdev_feature_active(c->ctx, dev, "hw-tc-offload") == 0) {
				strbuf_add(&off, "%s%s", n ? ", " : "", dev);
				first = first ? first : pf;
				n++;
			}
		}
	}
	if (off.error)
		c->error = -ENOMEM;
	else if (n)
		add(c, "ovs.hw-tc-offload", VFCTL_SEV_WARN, first,
		    "Open vSwitch has hw-offload=true, but hw-tc-offload is off on the uplink or representors: tc "
		    "offloads none of their flows, which stay in software",
		    off.s, "ethtool -K DEV hw-tc-offload on, for each (before OVS adds the flows)");
	free(off.s);
}

/* tc filters on the uplink's and representors' ingress that the NIC does not hold (not_in_hw, and
 * not skip_hw on purpose): their flows run in software. The kernel gives its reason only in the
 * reply to the insert (Open vSwitch logs it: "failed to offload flow"), not in a dump; a port with
 * hw-tc-offload off is the one reason a dump can show. */
static void check_pf_flows(checker *c, const vfctl_device *pf)
{
	vfctl_offload *o = NULL;
	strbuf ev = {0};
	size_t total = 0;
	if (vfctl_offload_read(c->ctx, c->h, pf->id, &o) < 0)
		return;
	for (size_t k = 0; k < o->n_ports; k++) {
		const vfctl_offload_port *p = &o->ports[k];
		size_t sw = 0;
		for (size_t f = 0; f < p->n_filters; f++)
			sw += p->filters[f].in_hw == 0 && !p->filters[f].skip_hw;
		if (!sw)
			continue;
		strbuf_add(&ev, "%s%s: %zu of %zu filters not in hardware%s", total ? "; " : "", p->netdev, sw,
			   p->n_filters, p->hw_tc_offload == 0 ? " (hw-tc-offload is off on it)" : "");
		total += sw;
	}
	if (ev.error)
		c->error = -ENOMEM;
	else if (total)
		add(c, "switchdev.flows-not-in-hw", VFCTL_SEV_WARN, pf,
		    "tc flows on this PF's uplink or representors are not offloaded: they run in software, at the "
		    "CPU's speed",
		    ev.s,
		    "vfctl status --offload PF shows each; the driver's reason is in the insert's reply "
		    "(ovs-vswitchd.log: "
		    "\"failed to offload flow\"); turn hw-tc-offload on where it is off");
	free(ev.s);
	vfctl_offload_free(o);
}

void check_representors(checker *c)
{
	for (size_t i = 0; i < c->h->n_devices; i++) {
		const vfctl_device *d = &c->h->devices[i];
		if (d->eswitch_mode != VFCTL_ESWITCH_SWITCHDEV || !doctor_selected(c, d))
			continue;
		check_pf_representors(c, d);
		check_pf_flows(c, d);
	}
}
