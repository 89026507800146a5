/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define WIDTH 80

static void print_host(const vfctl_host *h)
{
	printf("host: Linux %s, %s; IOMMU %s", h->kernel_release ? h->kernel_release : "?",
	       h->cpu_vendor ? h->cpu_vendor : "unknown CPU", h->iommu_active ? "on" : "OFF");
	if (h->iommu_active)
		printf(" (%s, %d groups)", h->iommu_kind ? h->iommu_kind : "?", h->n_iommu_groups);
	printf("\n      args:");
	const char *keys[] = {"intel_iommu", "amd_iommu", "iommu", "pci", "pcie_acs_override", "vfio-pci.ids"};
	const char *vals[] = {h->arg_intel_iommu, h->arg_amd_iommu,         h->arg_iommu,
			      h->arg_pci,         h->arg_pcie_acs_override, h->arg_vfio_pci_ids};
	bool any = false;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (vals[i]) {
			printf(" %s%s%s", keys[i], *vals[i] ? "=" : "", vals[i]);
			any = true;
		}
	printf("%s\n      vfio %s, vfio_pci %s, vfio_iommu_type1 %s\n\n", any ? "" : " (none)",
	       vfctl_module_state_str(h->mod_vfio), vfctl_module_state_str(h->mod_vfio_pci),
	       vfctl_module_state_str(h->mod_vfio_iommu_type1));
}

/* Before the devices: a half-done device is the first thing an admin must know. */
static void print_runs(const vfctl_host *h)
{
	for (size_t i = 0; i < h->n_runs; i++) {
		const vfctl_interrupted_run *r = &h->runs[i];
		char when[64] = "?";
		if (r->unusable) {
			printf("UNUSABLE JOURNAL: %s: %s;\n"
			       "             vfctl apply never replays it: check the device, then remove the file\n",
			       r->device, r->unusable);
			continue;
		}
		time_t t = (time_t)r->started;
		struct tm tm;
		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf("INTERRUPTED: vfctl apply (pid %d, started %s) stopped after %u of %u steps on %s%s%s;\n"
		       "             the next vfctl apply restores its state from before that run first\n",
		       r->pid, when, r->steps_done, r->steps_total, r->device, r->last_step ? ", the last: " : "",
		       r->last_step ? r->last_step : "");
	}
	if (h->n_runs)
		printf("\n");
}

/* Prints at most WIDTH columns: the JSON output has everything a cut line loses. */
static void print_clipped(const char *s)
{
	size_t n = strlen(s);
	if (n > WIDTH)
		printf("%.*s~\n", WIDTH - 1, s);
	else
		printf("%s\n", s);
}

static int64_t nz(int64_t v)
{
	return v < 0 ? 0 : v;
}

/* One counters line; counters the source lacks are left out (JSON has them as null). */
static void print_counters(const char *label, const vfctl_counters *c)
{
	char line[256];
	if (!c->valid)
		return;
	int n = snprintf(line, sizeof(line), "         %s: rx %lld pkts %lld B, tx %lld pkts %lld B", label,
			 (long long)nz(c->rx_packets), (long long)nz(c->rx_bytes), (long long)nz(c->tx_packets),
			 (long long)nz(c->tx_bytes));
	if (c->rx_broadcast >= 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", bcast %lld", (long long)c->rx_broadcast);
	if (c->rx_multicast >= 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", mcast %lld", (long long)c->rx_multicast);
	if (c->rx_dropped >= 0 || c->tx_dropped >= 0)
		snprintf(line + n, sizeof(line) - (size_t)n, ", drop %lld/%lld", (long long)nz(c->rx_dropped),
			 (long long)nz(c->tx_dropped));
	print_clipped(line);
}

static void print_vf_stats(const vfctl_host *h, const vfctl_vf *vf)
{
	print_counters("pf view", &vf->stats);
	const vfctl_netdev *nd = vfctl_vf_netdev(h, vf);
	if (nd) {
		char label[64];
		snprintf(label, sizeof(label), "%s (vf driver)", nd->name);
		print_counters(label, &nd->stats);
	}
}

/* Who holds a passed-through device or VF: its own line, so a narrow terminal never clips it. */
static void print_holder(const char *indent, const vfctl_holder *hd)
{
	char line[512], vmid[24] = "";
	if (!hd || !hd->pid)
		return;
	if (hd->vmid >= 0)
		snprintf(vmid, sizeof(vmid), ", VMID %d", hd->vmid);
	if (hd->vm)
		snprintf(line, sizeof(line), "%s-> vm %s (%s pid %d%s)", indent, hd->vm, hd->comm ? hd->comm : "?",
			 hd->pid, vmid);
	else
		snprintf(line, sizeof(line), "%s-> held by %s (pid %d%s)", indent, hd->comm ? hd->comm : "?", hd->pid,
			 vmid);
	print_clipped(line);
}

/* The Open vSwitch bridge whose port netdev name is, NULL if none (or no ovsdb-server answered). */
static const char *ovs_bridge_of(const vfctl_host *h, const char *name)
{
	for (size_t i = 0; h->ovs && name && i < h->ovs->n_ports; i++)
		if (streq(h->ovs->ports[i].name, name))
			return h->ovs->ports[i].bridge;
	return NULL;
}

/* A switchdev PF's uplink's Open vSwitch bridge, and how many of its representors are ports of it. */
static void print_ovs(const vfctl_host *h, const vfctl_device *d)
{
	const char *br = d->n_netdevs ? ovs_bridge_of(h, d->netdevs[0].name) : NULL;
	size_t n = 0, in = 0;
	if (!br)
		return;
	for (size_t i = 0; i < d->n_vfs; i++)
		if (d->vfs[i].representor) {
			n++;
			in += streq_ptr(ovs_bridge_of(h, d->vfs[i].representor), br);
		}
	printf("  ovs: bridge %s holds the uplink and %zu of %zu representors\n", br, in, n);
}

/* A switchdev PF's devlink rate nodes, each with its limits and the VFs whose leafs it holds. */
/* vfctl's udev rule for the VFs, by what its lines do (NAME= in one, NM_UNMANAGED in another). */
static void print_udev_rule(const vfctl_device *d)
{
	unsigned names = 0, unmanaged = 0;
	if (!d->udev_rule)
		return;
	for (const char *p = d->udev_rule; (p = strstr(p, "\nSUBSYSTEM==")); p++) {
		const char *eol = strchrnul(p + 1, '\n');
		const char *nm = strstr(p, "NM_UNMANAGED"), *nf = strstr(p, "NAME=\"");
		unmanaged += nm && nm < eol;
		names += nf && nf < eol;
	}
	printf("  udev rule 79-vfctl-%s.rules: %u VF name%s, %u VF%s NetworkManager leaves alone\n", d->id, names,
	       names == 1 ? "" : "s", unmanaged, unmanaged == 1 ? "" : "s");
}

static void print_networkd_file(const vfctl_device *d)
{
	const char *paths = d->networkd_file ? strstr(d->networkd_file, "\nPath=") : NULL;
	unsigned n = 0;
	if (!d->networkd_file)
		return;
	for (const char *p = paths ? paths + 6 : ""; *p && *p != '\n'; p++)
		n += *p == ' ' || p == paths + 6;
	printf("  systemd-networkd file 10-vfctl-%s.network: %u VF%s it leaves alone\n", d->id, n, n == 1 ? "" : "s");
}

static void print_rate_groups(const vfctl_device *d)
{
	for (size_t i = 0; i < d->n_rate_groups; i++) {
		const vfctl_rate_group *g = &d->rate_groups[i];
		char line[WIDTH + 64];
		int n = snprintf(line, sizeof(line), "  rate group %s: %lld-%lldM,", g->name, (long long)g->min_tx_rate,
				 (long long)g->max_tx_rate);
		const char *sep = " vf";
		for (size_t k = 0; k < d->n_vfs && n < (int)sizeof(line); k++)
			if (streq_ptr(d->vfs[k].rate_group, g->name)) {
				n += snprintf(line + n, sizeof(line) - (size_t)n, "%s %u", sep, d->vfs[k].index);
				sep = ",";
			}
		if (*sep == ' ' && n < (int)sizeof(line))
			snprintf(line + n, sizeof(line) - (size_t)n, " no VF");
		print_clipped(line);
	}
}

static void print_device(const vfctl_host *h, const vfctl_device *d, bool stats)
{
	char line[512], ids[16] = "-", nd[40] = "-", grp[12] = "-";
	if (d->vendor_id >= 0)
		snprintf(ids, sizeof(ids), "%04x:%04x", d->vendor_id, d->device_id);
	if (d->n_netdevs)
		snprintf(nd, sizeof(nd), "%s%s%s", d->netdevs[0].name, d->netdevs[0].operstate ? "/" : "",
			 d->netdevs[0].operstate ? d->netdevs[0].operstate : "");
	if (d->iommu_group >= 0)
		snprintf(grp, sizeof(grp), "g%d", d->iommu_group);
	const char *name = d->device_name ? d->device_name : d->class_name ? d->class_name : d->bus;
	snprintf(line, sizeof(line), "%-12s %-9s %-10s %-4s %-14s %s", cli_short_addr(d->id), ids,
		 d->driver ? d->driver : "-", grp, nd, name ? name : "");
	print_clipped(line);
	for (size_t i = 1; i < d->n_netdevs; i++) {
		snprintf(line, sizeof(line), "%-38s %s%s%s", "", d->netdevs[i].name, d->netdevs[i].operstate ? "/" : "",
			 d->netdevs[i].operstate ? d->netdevs[i].operstate : "");
		print_clipped(line);
	}
	print_holder("  ", &d->held_by);
	if (d->total_vfs < 0 && d->num_vfs < 0 && !d->has_sriov_cap)
		return;

	int n = snprintf(line, sizeof(line), "  sr-iov: %d", d->num_vfs);
	if (d->total_vfs >= 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "/%d", d->total_vfs);
	n += snprintf(line + n, sizeof(line) - (size_t)n, " VFs");
	if (d->autoprobe >= 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", autoprobe %s", d->autoprobe ? "on" : "off");
	if (d->eswitch_mode >= 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", eswitch %s",
			      vfctl_eswitch_mode_str(d->eswitch_mode));
	const char *up_br = d->n_netdevs ? ovs_bridge_of(h, d->netdevs[0].name) : NULL;
	if (up_br)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", uplink in ovs bridge %s", up_br);
	if (d->has_sriov_cap)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", VF id %04x, offset %d stride %d", d->vf_device_id,
			      d->vf_offset, d->vf_stride);
	for (int i = 0; i < 6; i++)
		if (d->vf_bars[i].declared && !d->vf_bars[i].assigned) {
			n += snprintf(line + n, sizeof(line) - (size_t)n, ", VF BARs UNASSIGNED");
			break;
		}
	print_clipped(line);
	print_udev_rule(d);
	print_networkd_file(d);
	print_ovs(h, d);
	print_rate_groups(d);
	if (d->n_vfs && !d->vf_settings_known && d->vf_settings_error) {
		snprintf(line, sizeof(line), "  (VF settings unknown: %s)", d->vf_settings_error);
		print_clipped(line);
	}
	if (d->nvme_ctrl && d->nvme_known) {
		const vfctl_nvme_pool *q = &d->nvme_vq, *v = &d->nvme_vi;
		snprintf(line, sizeof(line),
			 "  %s: VQ %d/%d to VFs, %d free (max %d per VF); VI %d/%d, %d free (max %d)", d->nvme_ctrl,
			 q->secondaries, q->total, q->total - q->primary - q->secondaries, q->max_per_vf,
			 v->secondaries, v->total, v->total - v->primary - v->secondaries, v->max_per_vf);
		print_clipped(line);
	} else if (d->nvme_ctrl) {
		snprintf(line, sizeof(line), "  %s: flexible resources unknown (Identify needs root)", d->nvme_ctrl);
		print_clipped(line);
	}
	if (d->vf_list_truncated) {
		snprintf(line, sizeof(line), "  (kernel truncated the VF list: %d VFs, settings marked '?')",
			 d->reported_num_vf);
		print_clipped(line);
	}

	for (size_t i = 0; i < d->n_vfs; i++) {
		const vfctl_vf *vf = &d->vfs[i];
		const vfctl_vf_settings *s = &vf->settings;
		char g[12] = "-";
		if (vf->iommu_group >= 0)
			snprintf(g, sizeof(g), "g%d", vf->iommu_group);
		n = snprintf(line, sizeof(line), "  %s vf%-3u %-7s %-9s %-4s %-10s", i + 1 == d->n_vfs ? "`-" : "|-",
			     vf->index, vf->id ? cli_short_addr(vf->id) : "-", vf->driver ? vf->driver : "-", g,
			     vf->netdev ? vf->netdev : "-");
		if (vf->nvme_scid >= 0)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " ctrl %d %s VQ %d VI %d", vf->nvme_scid,
				      vf->nvme_online == 1 ? "online" : "OFFLINE", vf->nvme_vq, vf->nvme_vi);
		else if (!s->valid)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s", d->vf_list_truncated ? "?" : "");
		else {
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s", s->mac);
			if (s->vlan > 0) {
				n += snprintf(line + n, sizeof(line) - (size_t)n, " vlan %d", s->vlan);
				if (s->qos > 0)
					n += snprintf(line + n, sizeof(line) - (size_t)n, "/%d", s->qos);
				if (s->vlan_proto == VFCTL_VLAN_PROTO_8021AD)
					n += snprintf(line + n, sizeof(line) - (size_t)n, " ad");
			}
			if (s->spoofchk == 0)
				n += snprintf(line + n, sizeof(line) - (size_t)n, " nospoof");
			if (s->trust == 1)
				n += snprintf(line + n, sizeof(line) - (size_t)n, " trust");
			if (s->link_state == 1 || s->link_state == 2)
				n += snprintf(line + n, sizeof(line) - (size_t)n, " link-%s",
					      vfctl_link_state_str(s->link_state));
			if (s->max_tx_rate > 0 || s->min_tx_rate > 0)
				n += snprintf(line + n, sizeof(line) - (size_t)n, " %lld-%lldM",
					      (long long)s->min_tx_rate, (long long)s->max_tx_rate);
		}
		if (vf->representor)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " rep %s", vf->representor);
		print_clipped(line);
		const vfctl_device *vd = vf->id ? vfctl_host_find(h, vf->id) : NULL;
		print_holder(i + 1 == d->n_vfs ? "             " : "  |          ", vd ? &vd->held_by : NULL);
		if (stats)
			print_vf_stats(h, vf);
	}
}

static const char *tristate_word(int v, const char *on, const char *off)
{
	return v < 0 ? "unknown" : v ? on : off;
}

/* status --offload PF: the uplink and each representor, their hw-tc-offload and ingress filters. */
static int print_offload(const vfctl_offload *o)
{
	printf("%s: tc filters on the ingress of its uplink and representors (where OVS hw-offload puts flows)\n",
	       o->pf);
	for (size_t i = 0; i < o->n_ports; i++) {
		const vfctl_offload_port *p = &o->ports[i];
		char who[16];
		if (p->vf < 0)
			snprintf(who, sizeof(who), "uplink");
		else
			snprintf(who, sizeof(who), "vf %d", p->vf);
		printf("  %-15s %-7s hw-tc-offload %s%s\n", p->netdev, who,
		       tristate_word(p->hw_tc_offload, "on", "off"),
		       p->error       ? ""
		       : p->n_filters ? ""
				      : ", no filters");
		if (p->error)
			printf("    %s\n", p->error);
		for (size_t k = 0; k < p->n_filters; k++) {
			const vfctl_tc_filter *f = &p->filters[k];
			printf("    pref %u chain %u handle 0x%x %-8s %-9s%s", f->pref, f->chain, f->handle, f->kind,
			       f->in_hw < 0 ? ""
			       : f->in_hw   ? "in_hw"
					    : "not_in_hw",
			       f->skip_sw ? " skip_sw" : "");
			if (f->packets >= 0)
				printf("  %lld pkts", (long long)f->packets);
			if (f->hw_packets >= 0)
				printf(" (hw %lld)", (long long)f->hw_packets);
			printf("\n");
		}
	}
	return EXIT_OK;
}

static int status_offload(const cli_global *g, const char *pf, bool json)
{
	vfctl_ctx *ctx;
	vfctl_host *h;
	vfctl_select sel;
	char *args[] = {(char *)pf};
	vfctl_offload *o = NULL;
	int r = cli_scan_select(g, args, 1, &ctx, &h, &sel);
	if (r)
		return r;
	const vfctl_device *d = NULL;
	for (size_t i = 0; i < h->n_devices && !d; i++)
		if (vfctl_select_names(h, &sel, &h->devices[i]) && !h->devices[i].physfn)
			d = &h->devices[i];
	if (!d || vfctl_offload_read(ctx, h, d->id, &o) < 0) {
		fprintf(stderr, "vfctl: %s\n", d ? vfctl_ctx_error(ctx) : "no such PF");
		r = EXIT_FAIL;
	} else if (json) {
		char *s;
		if (vfctl_offload_json(o, &s) < 0)
			r = EXIT_FAIL;
		else {
			fputs(s, stdout);
			free(s);
		}
	} else
		r = print_offload(o);
	vfctl_offload_free(o);
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}

int cmd_status(const cli_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"stats", no_argument, NULL, 's'},
		{"offload", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	cli_global gs = *g;
	gs.ctx.names = true;
	bool json = g->json;
	const char *offload = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "jsh", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			gs.ctx.stats = true;
			break;
		case 'o':
			offload = optarg;
			break;
		case 'h':
			puts("Usage: vfctl status [--json] [--stats] [DEVICE...]\n"
			     "       vfctl status --offload PF [--json]");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (offload)
		return optind < argc ? EXIT_USAGE : status_offload(&gs, offload, json);

	vfctl_ctx *ctx;
	vfctl_host *h;
	vfctl_select sel;
	int r = cli_scan_select(&gs, argv + optind, argc - optind, &ctx, &h, &sel);
	if (r)
		return r;

	if (json) {
		char *s;
		if (vfctl_host_json(h, &sel, &s) < 0) {
			fprintf(stderr, "vfctl: out of memory\n");
			r = EXIT_FAIL;
			goto out;
		}
		fputs(s, stdout);
		free(s);
		goto out;
	}
	print_host(h);
	print_runs(h);
	printf("%-12s %-9s %-10s %-4s %-14s %s\n", "DEVICE", "ID", "DRIVER", "GRP", "NETDEV", "NAME");
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *d = &h->devices[i];
		/* VFs are shown under their PF, unless asked for by name. */
		if (!vfctl_select_names(h, &sel, d) || (d->physfn && !sel.n))
			continue;
		print_device(h, d, gs.ctx.stats);
	}
	if (!sel.n && h->vdpa && (h->vdpa->n_mgmtdevs || h->vdpa->n_devs)) {
		printf("\nvDPA\n");
		for (size_t i = 0; i < h->vdpa->n_mgmtdevs; i++)
			printf("  mgmtdev %-24s%s%s\n", h->vdpa->mgmtdevs[i].name,
			       h->vdpa->mgmtdevs[i].classes & 2 ? " net" : "",
			       h->vdpa->mgmtdevs[i].classes & 4 ? " block" : "");
		for (size_t i = 0; i < h->vdpa->n_devs; i++) {
			const vfctl_vdpa_dev *v = &h->vdpa->devs[i];
			char line[256];
			snprintf(line, sizeof(line), "  device  %-12s on %-16s %s %s", v->name, v->mgmtdev,
				 v->driver ? v->driver : "(no driver)",
				 v->vhost    ? v->vhost
				 : v->netdev ? v->netdev
					     : "");
			print_clipped(line);
			print_holder("          ", &v->held_by);
		}
	}
out:
	vfctl_host_free(h);
	vfctl_ctx_free(ctx);
	return r;
}
