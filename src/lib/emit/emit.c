/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hand-off to what starts the VM: QEMU arguments, libvirt XML, Proxmox config lines. */
#include <stdarg.h>
#include <stdio.h>

#include "escape.h"
#include "parse.h"
#include "relations.h"
#include "strbuf.h"
#include "sysfs.h"
#include "util.h"
#include "vfctl/vfctl.h"

/* The selected functions of the slot of device i, as a bitmask of function numbers. */
static unsigned slot_functions(const vfctl_host *h, const bool *sel, size_t i)
{
	unsigned mask = 0;
	for (size_t k = 0; k < h->n_devices; k++)
		if ((!sel || sel[k]) && same_slot(&h->devices[k], &h->devices[i]))
			mask |= 1u << h->devices[k].addr.function;
	return mask;
}

static void emit_qemu(strbuf *o, const vfctl_host *h, const bool *sel)
{
	int port = 0;
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_pci_addr a = h->devices[i].addr;
		if ((sel && !sel[i]) || a.domain < 0)
			continue;
		unsigned fns = slot_functions(h, sel, i);
		bool multi = fns & (fns - 1);
		/* One PCIe root port per slot (q35): the device sees a PCIe link as on the host; the
		 * functions of one slot stay one multifunction device. */
		if (!multi || (fns & ((1u << a.function) - 1)) == 0) {
			strbuf_add(o, "-device pcie-root-port,id=vfctl-rp%d,chassis=%d,slot=0\n", port, 100 + port);
			port++;
		}
		strbuf_add(o, "-device vfio-pci,host=%s,bus=vfctl-rp%d", h->devices[i].id, port - 1);
		if (multi)
			strbuf_add(o, ",addr=0.%d%s", a.function,
				   (fns & ((1u << a.function) - 1)) == 0 ? ",multifunction=on" : "");
		strbuf_add(o, "\n");
	}
}

static void emit_libvirt(strbuf *o, const vfctl_host *h, const bool *sel)
{
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *d = &h->devices[i];
		const vfctl_pci_addr a = d->addr;
		if ((sel && !sel[i]) || a.domain < 0)
			continue;
		const vfctl_device *pf = d->physfn ? vfctl_host_find(h, d->physfn) : NULL;
		const vfctl_vf_settings *s = pf && d->vf_index >= 0 && (size_t)d->vf_index < pf->n_vfs
						     ? &pf->vfs[d->vf_index].settings
						     : NULL;
		char addr[128];
		snprintf(addr, sizeof(addr), "domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'", a.domain,
			 a.bus, a.slot, a.function);
		/* A VF whose PF holds a MAC or VLAN for it: libvirt's <interface type='hostdev'> sets them
		 * (again) through the PF when the VM starts and keeps them across restarts. */
		if (s && s->valid && (strcmp(s->mac, "00:00:00:00:00:00") != 0 || s->vlan > 0)) {
			strbuf_add(o, "<interface type='hostdev' managed='yes'>\n");
			if (strcmp(s->mac, "00:00:00:00:00:00") != 0)
				strbuf_add(o, "  <mac address='%s'/>\n", s->mac);
			strbuf_add(o, "  <source>\n    <address type='pci' %s/>\n  </source>\n", addr);
			if (s->vlan > 0)
				strbuf_add(o, "  <vlan>\n    <tag id='%d'/>\n  </vlan>\n", s->vlan);
			strbuf_add(o, "</interface>\n");
		} else
			strbuf_add(
				o,
				"<hostdev mode='subsystem' type='pci' managed='yes'>\n  <source>\n    <address %s/>\n"
				"  </source>\n</hostdev>\n",
				addr);
	}
}

static void emit_proxmox(strbuf *o, const vfctl_host *h, const bool *sel)
{
	int n = 0;
	strbuf_add(o, "# /etc/pve/qemu-server/VMID.conf; pcie=1 needs \"machine: q35\"\n");
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_pci_addr a = h->devices[i].addr;
		if ((sel && !sel[i]) || a.domain < 0)
			continue;
		unsigned fns = slot_functions(h, sel, i);
		if (fns & (fns - 1)) {
			/* Several functions of one slot: Proxmox's "All functions", written as the slot. */
			if ((fns & ((1u << a.function) - 1)) == 0)
				strbuf_add(o, "hostpci%d: %04x:%02x:%02x,pcie=1\n", n++, a.domain, a.bus, a.slot);
			continue;
		}
		strbuf_add(o, "hostpci%d: %s,pcie=1\n", n++, h->devices[i].id);
	}
}

/* The usual OVS hardware-offload setup for a PF in switchdev mode: one bridge, the uplink and every representor,
 * hardware offload on. */
static void emit_ovs(strbuf *o, const vfctl_host *h, const bool *sel)
{
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *d = &h->devices[i];
		if ((sel && !sel[i]) || d->n_vfs == 0)
			continue;
		if (d->eswitch_mode != VFCTL_ESWITCH_SWITCHDEV) {
			o->error = -EINVAL;
			return;
		}
		_cleanup_free_ char *up = shell_quote(d->n_netdevs ? d->netdevs[0].name : d->id);
		size_t nrep = 0;
		char **reps = calloc(d->n_vfs, sizeof(*reps));
		for (size_t k = 0; reps && k < d->n_vfs; k++)
			if (d->vfs[k].representor && !(reps[nrep++] = shell_quote(d->vfs[k].representor)))
				o->error = -ENOMEM;
		if (!up || !reps) {
			o->error = -ENOMEM;
			free(reps);
			return;
		}
		/* Names are shell-quoted: these lines are meant to be pasted into a root shell. */
		strbuf_add(o, "# %s in switchdev mode: uplink %s and its VF representors, offloaded to the NIC\n",
			   d->id, up);
		strbuf_add(o, "ovs-vsctl --may-exist add-br ovs-sriov\n");
		strbuf_add(o, "ovs-vsctl set Open_vSwitch . other_config:hw-offload=true\n");
		strbuf_add(o, "ovs-vsctl --may-exist add-port ovs-sriov %s\n", up);
		for (size_t k = 0; k < nrep; k++)
			strbuf_add(o, "ovs-vsctl --may-exist add-port ovs-sriov %s\n", reps[k]);
		strbuf_add(o, "# hw-offload takes effect when ovs-vswitchd restarts:\n");
		strbuf_add(o, "systemctl restart openvswitch-switch\n");
		strbuf_add(o, "ip link set dev %s up\n", up);
		for (size_t k = 0; k < nrep; k++)
			strbuf_add(o, "ip link set dev %s up\n", reps[k]);
		strv_free_n(reps, nrep);
	}
}

int vfctl_emit_vdpa(const vfctl_host *h, const vfctl_select *sel, vfctl_emit_kind kind, char **ret)
{
	strbuf o = {0};
	strbuf_add(&o, "%s", "");
	for (size_t i = 0; sel && i < sel->n; i++) {
		const char *name = sel->devices[i];
		const vfctl_vdpa_dev *d = NULL;
		for (size_t k = 0; h->vdpa && k < h->vdpa->n_devs; k++)
			if (streq(h->vdpa->devs[k].name, name))
				d = &h->vdpa->devs[k];
		if (!d || !d->vhost) {
			/* Only a vhost-vdpa device is handed to a VM; virtio_vdpa makes a host netdev. */
			free(o.s);
			return d ? -EMEDIUMTYPE : -ENODEV;
		}
		if (kind == VFCTL_EMIT_QEMU) {
			/* QEMU splits option values at ',': a name holding one is doubled (its escape). */
			_cleanup_free_ char *vhost = qemu_escape(d->vhost), *id = qemu_escape(d->name);
			if (!vhost || !id)
				o.error = -ENOMEM;
			else
				strbuf_add(&o,
					   "-netdev vhost-vdpa,vhostdev=%s,id=%s\n-device virtio-net-pci,netdev=%s\n",
					   vhost, id, id);
		} else if (kind == VFCTL_EMIT_LIBVIRT)
			strbuf_add(&o, "<interface type='vdpa'>\n  <source dev='%s'/>\n</interface>\n", d->vhost);
		else {
			free(o.s);
			return -EOPNOTSUPP;
		}
	}
	if (o.error) {
		free(o.s);
		return o.error;
	}
	*ret = o.s;
	return 0;
}

int vfctl_emit(const vfctl_host *h, const vfctl_select *sel, vfctl_emit_kind kind, char **ret)
{
	strbuf o = {0};
	_cleanup_free_ bool *select = NULL;
	int r = select_mask(h, sel, &select, NULL);
	if (r < 0)
		return r;
	strbuf_add(&o, "%s", "");
	if (kind == VFCTL_EMIT_QEMU)
		emit_qemu(&o, h, select);
	else if (kind == VFCTL_EMIT_LIBVIRT)
		emit_libvirt(&o, h, select);
	else if (kind == VFCTL_EMIT_OVS)
		emit_ovs(&o, h, select);
	else
		emit_proxmox(&o, h, select);
	if (o.error) {
		free(o.s);
		return o.error;
	}
	*ret = o.s;
	return 0;
}
