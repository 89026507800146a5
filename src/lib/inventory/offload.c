/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Offload you can see: a switchdev PF's uplink and representors, their hw-tc-offload feature and
 * the tc filters on their ingress with in_hw/not_in_hw and hardware counters, which is where Open
 * vSwitch's hw-offload puts its flows (ovs-appctl dpctl/dump-flows type=offloaded, tc -s filter
 * show dev REP ingress). */
#include <errno.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "ethtool.h"
#include "json-writer.h"
#include "tc-msg.h"

static int read_filters(vfctl_ctx *ctx, vfctl_offload_port *p)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	tc_filter_list l = {0};
	nl_sock *nl;
	unsigned ifindex = if_nametoindex(p->netdev);
	int r = ifindex ? ctx_rtnl(ctx, &nl) : -errno;
	if (r >= 0)
		r = nl_transact(nl, tc_filter_dump_msg(buf, (int)ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)),
				tc_filter_cb, &l);
	/* No ingress or clsact qdisc: no filters there (the kernel answers EINVAL). */
	if (r == -EINVAL)
		r = 0;
	if (r < 0) {
		free(l.v);
		return asprintf(&p->error, "tc filter show dev %s ingress: %s", p->netdev, strerror(-r)) < 0 ? -ENOMEM
													     : 0;
	}
	if (l.n && !(p->filters = calloc(l.n, sizeof(*p->filters)))) {
		free(l.v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < l.n; i++) {
		const tc_filter *f = &l.v[i];
		vfctl_tc_filter *o = &p->filters[p->n_filters++];
		*o = (vfctl_tc_filter){.pref = f->pref,
				       .handle = f->handle,
				       .chain = f->chain,
				       .protocol = f->protocol,
				       .kind = strdup(f->kind),
				       .in_hw = f->flags < 0 ? -1 : !!(f->flags & TCA_CLS_FLAGS_IN_HW),
				       .skip_hw = f->flags >= 0 && (f->flags & TCA_CLS_FLAGS_SKIP_HW),
				       .skip_sw = f->flags >= 0 && (f->flags & TCA_CLS_FLAGS_SKIP_SW),
				       .in_hw_count = f->in_hw_count,
				       .packets = f->packets,
				       .bytes = f->bytes,
				       .hw_packets = f->hw_packets,
				       .hw_bytes = f->hw_bytes};
		if (!o->kind)
			r = -ENOMEM;
	}
	free(l.v);
	return r;
}

static int read_port(vfctl_ctx *ctx, vfctl_offload_port *p, const char *netdev, int vf)
{
	p->vf = vf;
	if (!(p->netdev = strdup(netdev)))
		return -ENOMEM;
	int on = netdev_feature_active(ctx, netdev, "hw-tc-offload");
	p->hw_tc_offload = on < 0 ? -1 : on;
	return read_filters(ctx, p);
}

int vfctl_offload_read(vfctl_ctx *ctx, const vfctl_host *h, const char *pf_id, vfctl_offload **ret)
{
	const vfctl_device *pf = vfctl_host_find(h, pf_id);
	if (!pf || pf->eswitch_mode != VFCTL_ESWITCH_SWITCHDEV)
		return ctx_error(ctx, -EINVAL, "%s: not a PF in switchdev mode (vfctl eswitch %s switchdev)", pf_id,
				 pf_id);
	vfctl_offload *o = calloc(1, sizeof(*o));
	int r = o && (o->pf = strdup(pf->id)) && (o->ports = calloc(pf->n_vfs + 1, sizeof(*o->ports))) ? 0 : -ENOMEM;
	if (r >= 0 && pf->n_netdevs)
		r = read_port(ctx, &o->ports[o->n_ports++], pf->netdevs[0].name, -1);
	for (size_t i = 0; r >= 0 && i < pf->n_vfs; i++)
		if (pf->vfs[i].representor)
			r = read_port(ctx, &o->ports[o->n_ports++], pf->vfs[i].representor, (int)i);
	if (r < 0) {
		vfctl_offload_free(o);
		return ctx_error(ctx, r, "reading the offload state of %s", pf_id);
	}
	*ret = o;
	return 0;
}

vfctl_offload *vfctl_offload_free(vfctl_offload *o)
{
	if (!o)
		return NULL;
	for (size_t i = 0; o->ports && i < o->n_ports; i++) {
		for (size_t k = 0; k < o->ports[i].n_filters; k++)
			free(o->ports[i].filters[k].kind);
		free(o->ports[i].filters);
		free(o->ports[i].netdev);
		free(o->ports[i].error);
	}
	free(o->ports);
	free(o->pf);
	free(o);
	return NULL;
}

int vfctl_offload_json(const vfctl_offload *o, char **ret)
{
	json_writer w = {0};
	json_open_object(&w, NULL);
	json_int(&w, "schema", 1);
	json_str(&w, "pf", o->pf);
	json_open_array(&w, "ports");
	for (size_t i = 0; i < o->n_ports; i++) {
		const vfctl_offload_port *p = &o->ports[i];
		json_open_object(&w, NULL);
		json_str(&w, "netdev", p->netdev);
		json_int_or_null(&w, "vf", p->vf);
		json_tristate(&w, "hw_tc_offload", p->hw_tc_offload);
		json_str(&w, "error", p->error);
		json_open_array(&w, "filters");
		for (size_t k = 0; k < p->n_filters; k++) {
			const vfctl_tc_filter *f = &p->filters[k];
			json_open_object(&w, NULL);
			json_int(&w, "pref", f->pref);
			json_int(&w, "handle", f->handle);
			json_int(&w, "chain", f->chain);
			json_hex(&w, "protocol", f->protocol, 4);
			json_str(&w, "kind", f->kind);
			json_tristate(&w, "in_hw", f->in_hw);
			json_bool(&w, "skip_hw", f->skip_hw);
			json_bool(&w, "skip_sw", f->skip_sw);
			json_int_or_null(&w, "in_hw_count", f->in_hw_count);
			json_int_or_null(&w, "packets", f->packets);
			json_int_or_null(&w, "bytes", f->bytes);
			json_int_or_null(&w, "hw_packets", f->hw_packets);
			json_int_or_null(&w, "hw_bytes", f->hw_bytes);
			json_close_object(&w);
		}
		json_close_array(&w);
		json_close_object(&w);
	}
	json_close_array(&w);
	json_close_object(&w);
	return json_finish(&w, ret);
}
