/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl metrics: the Prometheus text exposition format (version 0.0.4), for node_exporter's
 * textfile collector. Names follow Prometheus' conventions: vfctl_ prefix, base units, _total
 * only on counters, _info gauges for what is a label rather than a number. One family's HELP and
 * TYPE, then all its samples. */
#include <stddef.h>
#include <stdio.h>

#include "escape.h"
#include "stable-id.h"
#include "strbuf.h"
#include "util.h"
#include "vf-flags.h"
#include "vfctl/vfctl.h"

/* A label value: backslash, double quote and newline escaped, as the format wants, and always
 * valid UTF-8 without control characters (a netdev may be named with any bytes but / and NUL):
 * node_exporter drops every series of a textfile that is not, and no terminal is driven by one.
 * A byte that is not UTF-8 stands for its Latin-1 character, as in vfctl's JSON; a control
 * character (C0, DEL, C1) becomes U+FFFD. */
static void label(strbuf *t, const char *name, const char *v, bool first)
{
	strbuf_add(t, "%s%s=\"", first ? "" : ",", name);
	for (const char *p = v ? v : ""; *p;) {
		unsigned char c = (unsigned char)*p;
		size_t n = utf8_char_len(p);
		if (c == '\\' || c == '"')
			strbuf_add(t, "\\%c", c);
		else if (c == '\n')
			strbuf_add(t, "\\n");
		else if (c < 0x20 || c == 0x7f || (n == 2 && c == 0xc2 && (unsigned char)p[1] < 0xa0) ||
			 (n == 0 && c >= 0x80 && c < 0xa0))
			strbuf_add(t, "\xef\xbf\xbd"); /* U+FFFD */
		else if (n == 0)
			strbuf_add(t, "%c%c", 0xc0 | (c >> 6), 0x80 | (c & 0x3f)); /* Latin-1 U+00A0..U+00FF */
		else
			strbuf_add(t, "%.*s", (int)n, p);
		p += n ? n : 1;
	}
	strbuf_add(t, "\"");
}

static void family(strbuf *t, const char *name, const char *type, const char *help)
{
	strbuf_add(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static bool is_pf(const vfctl_device *d)
{
	return !d->physfn && (d->total_vfs >= 0 || d->num_vfs >= 0);
}

static const char *pf_netdev(const vfctl_device *d)
{
	return d->n_netdevs ? d->netdevs[0].name : "";
}

static void pf_labels(strbuf *t, const vfctl_device *pf)
{
	label(t, "pf", pf->id, true);
	label(t, "netdev", pf_netdev(pf), false);
}

static void vf_labels(strbuf *t, const vfctl_device *pf, const vfctl_vf *vf)
{
	char idx[16];
	snprintf(idx, sizeof(idx), "%u", vf->index);
	label(t, "pf", pf->id, true);
	label(t, "vf", idx, false);
}

static const char *knob(int v)
{
	return v < 0 ? "unknown" : v ? "on" : "off";
}

static void vf_info(strbuf *t, const vfctl_host *h)
{
	family(t, "vfctl_vf_info", "gauge",
	       "A VF of an SR-IOV PF, its settings as the PF driver reports them (value 1).");
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *pf = &h->devices[i];
		if (!is_pf(pf))
			continue;
		for (size_t k = 0; k < pf->n_vfs; k++) {
			const vfctl_vf *vf = &pf->vfs[k];
			const vfctl_vf_settings *s = &vf->settings;
			char vlan[16] = "";
			if (s->valid && s->vlan >= 0)
				snprintf(vlan, sizeof(vlan), "%d", s->vlan);
			char stable[96];
			pf_stable_id(pf, stable, sizeof(stable));
			strbuf_add(t, "vfctl_vf_info{");
			vf_labels(t, pf, vf);
			label(t, "address", vf->id, false);
			/* What a firmware update's renumbering leaves alone: pf_match and vf name the VF. */
			label(t, "pf_match", stable, false);
			label(t, "mac", s->valid ? s->mac : "", false);
			label(t, "vlan", vlan, false);
			label(t, "driver", vf->driver ? vf->driver : "", false);
			label(t, "netdev", vf->netdev ? vf->netdev : "", false);
			for (vf_flag f = 0; f < _VF_FLAG_MAX; f++) {
				const char *v = s->valid ? vf_flags[f].link_state
								   ? vf_flag_value_str(f, vf_flag_get(s, f))
								   : knob(vf_flag_get(s, f))
							 : NULL;
				if (vf_flags[f].metric)
					label(t, vf_flags[f].key, v ? v : "unknown", false);
			}
			strbuf_add(t, "} 1\n");
		}
	}
}

typedef struct counter_def {
	const char *suffix, *help;
	size_t off;
} counter_def;

static const counter_def counter_defs[] = {
	{"receive_packets_total", "Packets received", offsetof(vfctl_counters, rx_packets)},
	{"transmit_packets_total", "Packets sent", offsetof(vfctl_counters, tx_packets)},
	{"receive_bytes_total", "Bytes received", offsetof(vfctl_counters, rx_bytes)},
	{"transmit_bytes_total", "Bytes sent", offsetof(vfctl_counters, tx_bytes)},
	{"receive_broadcast_packets_total", "Broadcast packets received", offsetof(vfctl_counters, rx_broadcast)},
	{"receive_multicast_packets_total", "Multicast packets received", offsetof(vfctl_counters, rx_multicast)},
	{"receive_dropped_packets_total", "Received packets dropped", offsetof(vfctl_counters, rx_dropped)},
	{"transmit_dropped_packets_total", "Packets to send dropped", offsetof(vfctl_counters, tx_dropped)},
};

static int64_t counter_at(const vfctl_counters *c, size_t off)
{
	return *(const int64_t *)((const char *)c + off);
}

/* Two views of each VF's traffic: the PF driver's (IFLA_VF_STATS) and, when the VF has a netdev
 * here, its own driver's. They differ on some NICs; both are named. */
static void vf_counters(strbuf *t, const vfctl_host *h, bool netdev_view)
{
	for (size_t c = 0; c < ELEMENTSOF(counter_defs); c++) {
		const counter_def *def = &counter_defs[c];
		bool header = false;
		for (size_t i = 0; i < h->n_devices; i++) {
			const vfctl_device *pf = &h->devices[i];
			if (!is_pf(pf))
				continue;
			for (size_t k = 0; k < pf->n_vfs; k++) {
				const vfctl_vf *vf = &pf->vfs[k];
				const vfctl_netdev *nd = netdev_view ? vfctl_vf_netdev(h, vf) : NULL;
				const vfctl_counters *cs = netdev_view ? (nd ? &nd->stats : NULL) : &vf->stats;
				if (!cs || !cs->valid || counter_at(cs, def->off) < 0)
					continue;
				if (!header) {
					char name[128], help[192];
					snprintf(name, sizeof(name), "vfctl_vf_%s%s", netdev_view ? "netdev_" : "",
						 def->suffix);
					snprintf(help, sizeof(help), "%s by a VF, %s.", def->help,
						 netdev_view ? "as its own driver counts them on its netdev"
							     : "as its PF driver counts them (IFLA_VF_STATS)");
					family(t, name, "counter", help);
					header = true;
				}
				strbuf_add(t, "vfctl_vf_%s%s{", netdev_view ? "netdev_" : "", def->suffix);
				vf_labels(t, pf, vf);
				if (netdev_view)
					label(t, "netdev", nd->name, false);
				strbuf_add(t, "} %lld\n", (long long)counter_at(cs, def->off));
			}
		}
	}
}

static void pf_metrics(strbuf *t, const vfctl_host *h)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} gauges[] = {
		{"vfctl_pf_num_vfs", "VFs enabled on an SR-IOV PF (sriov_numvfs).", offsetof(vfctl_device, num_vfs)},
		{"vfctl_pf_total_vfs", "VFs an SR-IOV PF can have (sriov_totalvfs).",
		 offsetof(vfctl_device, total_vfs)},
	};
	for (size_t g = 0; g < ELEMENTSOF(gauges); g++) {
		family(t, gauges[g].name, "gauge", gauges[g].help);
		for (size_t i = 0; i < h->n_devices; i++) {
			const vfctl_device *pf = &h->devices[i];
			int v = *(const int *)((const char *)pf + gauges[g].off);
			if (!is_pf(pf) || v < 0)
				continue;
			strbuf_add(t, "%s{", gauges[g].name);
			pf_labels(t, pf);
			strbuf_add(t, "} %d\n", v);
		}
	}
	family(t, "vfctl_pf_eswitch_mode", "gauge",
	       "The PF's eswitch mode (devlink): 1 for the mode it is in, 0 for the other; absent without an eswitch.");
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *pf = &h->devices[i];
		if (!is_pf(pf) || pf->eswitch_mode < 0)
			continue;
		for (vfctl_eswitch_mode m = VFCTL_ESWITCH_LEGACY; m <= VFCTL_ESWITCH_SWITCHDEV; m++) {
			strbuf_add(t, "vfctl_pf_eswitch_mode{");
			pf_labels(t, pf);
			label(t, "mode", vfctl_eswitch_mode_str(m), false);
			strbuf_add(t, "} %d\n", pf->eswitch_mode == m);
		}
	}
}

static void held_one(strbuf *t, const char *kind, const char *dev, const vfctl_holder *hd)
{
	char pid[16], vmid[16] = "";
	if (!hd->pid)
		return;
	snprintf(pid, sizeof(pid), "%d", hd->pid);
	if (hd->vmid >= 0)
		snprintf(vmid, sizeof(vmid), "%d", hd->vmid);
	strbuf_add(t, "vfctl_held_info{");
	label(t, "kind", kind, true);
	label(t, "device", dev, false);
	label(t, "pid", pid, false);
	label(t, "comm", hd->comm ? hd->comm : "", false);
	label(t, "vm", hd->vm ? hd->vm : "", false);
	label(t, "vmid", vmid, false);
	strbuf_add(t, "} 1\n");
}

/* Which process (which VM) holds each passed-through device and vhost-vdpa device. */
static void held_metrics(strbuf *t, const vfctl_host *h)
{
	family(t, "vfctl_held_info", "gauge",
	       "A device a process holds open (a VM's QEMU): its VFIO group or vhost-vdpa node, with the VM's name and "
	       "Proxmox VMID when QEMU was given them.");
	for (size_t i = 0; i < h->n_devices; i++)
		held_one(t, "pci", h->devices[i].id, &h->devices[i].held_by);
	for (size_t i = 0; h->vdpa && i < h->vdpa->n_devs; i++)
		held_one(t, "vdpa", h->vdpa->devs[i].name, &h->vdpa->devs[i].held_by);
}

static void doctor_metrics(strbuf *t, const vfctl_report *rep)
{
	family(t, "vfctl_doctor_findings", "gauge",
	       "Findings of vfctl doctor by check id and severity (docs/doctor.md); ok results are not counted.");
	for (size_t i = 0; rep && i < rep->n; i++) {
		const vfctl_finding *f = &rep->findings[i];
		bool seen = false;
		if (f->severity == VFCTL_SEV_OK)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = streq(rep->findings[k].id, f->id) && rep->findings[k].severity == f->severity;
		if (seen)
			continue;
		unsigned n = 0;
		for (size_t k = i; k < rep->n; k++)
			n += streq(rep->findings[k].id, f->id) && rep->findings[k].severity == f->severity;
		strbuf_add(t, "vfctl_doctor_findings{");
		label(t, "id", f->id, true);
		label(t, "severity", vfctl_severity_str(f->severity), false);
		strbuf_add(t, "} %u\n", n);
	}
}

/* Switchdev PFs' devlink rate nodes and the VF leafs under them. */
static void rate_group_metrics(strbuf *t, const vfctl_host *h)
{
	bool any = false;
	for (size_t i = 0; i < h->n_devices && !any; i++)
		any = h->devices[i].n_rate_groups > 0;
	if (!any)
		return;
	family(t, "vfctl_rate_group_max_tx_rate_mbps", "gauge",
	       "a devlink rate node's ([RateGroup]) tx_max in Mbit/s, 0 unlimited.");
	for (size_t i = 0; i < h->n_devices; i++)
		for (size_t k = 0; k < h->devices[i].n_rate_groups; k++) {
			strbuf_add(t, "vfctl_rate_group_max_tx_rate_mbps{");
			pf_labels(t, &h->devices[i]);
			label(t, "group", h->devices[i].rate_groups[k].name, false);
			strbuf_add(t, "} %lld\n", (long long)h->devices[i].rate_groups[k].max_tx_rate);
		}
	family(t, "vfctl_vf_rate_group_info", "gauge", "the devlink rate node a VF's rate leaf is under.");
	for (size_t i = 0; i < h->n_devices; i++)
		for (size_t k = 0; k < h->devices[i].n_vfs; k++)
			if (h->devices[i].vfs[k].rate_group) {
				strbuf_add(t, "vfctl_vf_rate_group_info{");
				vf_labels(t, &h->devices[i], &h->devices[i].vfs[k]);
				label(t, "group", h->devices[i].vfs[k].rate_group, false);
				strbuf_add(t, "} 1\n");
			}
}

static void port_labels(strbuf *t, const vfctl_offload *o, const vfctl_offload_port *p)
{
	char vf[16];
	snprintf(vf, sizeof(vf), "%d", p->vf);
	label(t, "pf", o->pf, true);
	label(t, "netdev", p->netdev, false);
	label(t, "vf", p->vf < 0 ? "uplink" : vf, false);
}

int vfctl_metrics_offload(vfctl_offload *const *o, size_t n, char **ret)
{
	static const char *const states[] = {"unknown", "false", "true"};
	strbuf t = {0};
	family(&t, "vfctl_offload_hw_tc_offload", "gauge",
	       "the hw-tc-offload feature of a switchdev PF's uplink or representor (1 on): without it tc, and so "
	       "Open vSwitch, offloads none of its flows.");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < o[i]->n_ports; k++)
			if (o[i]->ports[k].hw_tc_offload >= 0) {
				strbuf_add(&t, "vfctl_offload_hw_tc_offload{");
				port_labels(&t, o[i], &o[i]->ports[k]);
				strbuf_add(&t, "} %d\n", o[i]->ports[k].hw_tc_offload);
			}
	family(&t, "vfctl_offload_filters", "gauge",
	       "tc filters on the ingress of an uplink or representor, by in_hw (true: in the NIC, false: in software "
	       "only).");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < o[i]->n_ports; k++) {
			const vfctl_offload_port *p = &o[i]->ports[k];
			size_t count[3] = {0};
			for (size_t f = 0; f < p->n_filters; f++)
				count[p->filters[f].in_hw < 0 ? 0 : p->filters[f].in_hw ? 2 : 1]++;
			for (size_t st = 0; st < 3; st++) {
				strbuf_add(&t, "vfctl_offload_filters{");
				port_labels(&t, o[i], p);
				label(&t, "in_hw", states[st], false);
				strbuf_add(&t, "} %zu\n", count[st]);
			}
		}
	family(&t, "vfctl_offload_packets_total", "counter",
	       "packets matched by the tc filters of an uplink or representor (their first actions), all and those "
	       "the hardware counted.");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < o[i]->n_ports; k++) {
			const vfctl_offload_port *p = &o[i]->ports[k];
			int64_t all = 0, hw = 0;
			for (size_t f = 0; f < p->n_filters; f++) {
				all += p->filters[f].packets > 0 ? p->filters[f].packets : 0;
				hw += p->filters[f].hw_packets > 0 ? p->filters[f].hw_packets : 0;
			}
			for (int path = 0; path < 2; path++) {
				strbuf_add(&t, "vfctl_offload_packets_total{");
				port_labels(&t, o[i], p);
				label(&t, "path", path ? "hw" : "all", false);
				strbuf_add(&t, "} %lld\n", (long long)(path ? hw : all));
			}
		}
	if (t.error) {
		free(t.s);
		return -ENOMEM;
	}
	*ret = t.s ? t.s : strdup("");
	return *ret ? 0 : -ENOMEM;
}

int vfctl_metrics(const vfctl_host *h, const vfctl_report *doctor, char **ret)
{
	strbuf t = {0};
	pf_metrics(&t, h);
	rate_group_metrics(&t, h);
	vf_info(&t, h);
	vf_counters(&t, h, false);
	vf_counters(&t, h, true);
	held_metrics(&t, h);
	doctor_metrics(&t, doctor);
	size_t unusable = 0;
	for (size_t i = 0; i < h->n_runs; i++)
		unusable += h->runs[i].unusable != NULL;
	family(&t, "vfctl_interrupted_runs", "gauge",
	       "vfctl apply runs that stopped half-way and left a journal (the next apply restores them first).");
	strbuf_add(&t, "vfctl_interrupted_runs %zu\n", h->n_runs - unusable);
	family(&t, "vfctl_unusable_journals", "gauge",
	       "journals vfctl apply will not replay (another boot, another device, not vfctl's): check and remove.");
	strbuf_add(&t, "vfctl_unusable_journals %zu\n", unusable);
	if (t.error) {
		free(t.s);
		return -ENOMEM;
	}
	*ret = t.s ? t.s : strdup("");
	return *ret ? 0 : -ENOMEM;
}
