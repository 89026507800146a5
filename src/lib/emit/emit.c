/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hand-off to what starts the VM: QEMU arguments, libvirt XML, Proxmox config lines. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "ctx.h"
#include "escape.h"
#include "parse.h"
#include "pci.h"
#include "relations.h"
#include "stable-id.h"
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

/* A VFIO driver: vfio-pci, or a variant (mlx5_vfio_pci) that QEMU drives the same way. */
static bool on_vfio(const vfctl_device *d)
{
	return driver_is_vfio(d->driver);
}

/* libvirt's hand-off, fitted to what the host already does for the device:
 * - on a VFIO driver (vfctl or its configuration bound it): managed='no' and the driver named, so
 *   libvirt neither rebinds it at start (newer libvirt's variant pick) nor gives it back to the
 *   host driver at stop, which verify would report as drift;
 * - on a host driver: managed='yes', libvirt binds it and gives it back;
 * - a VF whose PF holds a MAC or VLAN for it: <interface type='hostdev'>, with which libvirt sets
 *   them through the PF at start and restores its saved values at stop; unless the VLAN has a QoS
 *   or is 802.1ad, which libvirt writes as QoS 0 and 802.1Q: then a plain <hostdev> (libvirt
 *   touches neither) and a comment that says why. */
/* virtio-net failover (QEMU's failover=on, libvirt's <teaming>): the guest's net_failover driver
 * joins a virtio NIC (persistent: it stays through a migration) and the VF (transient: unplugged
 * before the migration, plugged again after it) with one MAC into one interface, so a VM with a VF
 * can migrate. The VF's MAC is the pair's: without one there is nothing to pair on. */
static void emit_failover(strbuf *o, const vfctl_device *d, const vfctl_vf_settings *s, const char *managed,
			  const char *drv, const char *addr, int n)
{
	if (!s || !s->valid || !strcmp(s->mac, "00:00:00:00:00:00") || s->vlan > 0) {
		o->error = -EINVAL; /* no MAC, or a VLAN the transient side cannot carry without drift */
		return;
	}
	strbuf_add(o,
		   "<!-- %s: virtio-net failover. Needs q35 (libvirt gives each device its own pcie-root-port),\n"
		   "     a guest kernel with net_failover (Linux 4.18+), and the virtio side on the network the\n"
		   "     VF's PF is on: replace the source below. One MAC for both; the VF is unplugged before a\n"
		   "     migration and plugged back after it. -->\n",
		   d->id);
	strbuf_add(o,
		   "<interface type='network'>\n  <mac address='%s'/>\n  <source network='default'/>\n"
		   "  <model type='virtio'/>\n  <teaming type='persistent'/>\n  <alias name='ua-vfctl-failover%d'/>\n"
		   "</interface>\n",
		   s->mac, n);
	strbuf_add(o,
		   "<interface type='hostdev' managed='%s'>\n  <mac address='%s'/>\n%s  <source>\n"
		   "    <address type='pci' %s/>\n  </source>\n"
		   "  <teaming type='transient' persistent='ua-vfctl-failover%d'/>\n"
		   "  <alias name='ua-vfctl-failover%d-vf'/>\n</interface>\n",
		   managed, s->mac, drv, addr, n, n);
}

/* A VF's user alias (libvirt keeps "ua-" aliases in the domain's definition): its PF's stable id and
 * its index, which doctor compares with the address next to it after a renumbering. The
 * characters libvirt allows: letters, digits, '-' and '_'. */
static void put_vf_alias(strbuf *o, const vfctl_device *pf, int vf)
{
	char id[96];
	pf_stable_id(pf, id, sizeof(id));
	bool mac = startswith(id, "mac:");
	strbuf_add(o, "  <alias name='ua-vfctl-");
	for (const char *p = id + (mac ? 4 : 5); *p; p++)
		if (*p != ':' || !mac)
			strbuf_add(o, "%c", *p == ':' || *p == '.' ? '-' : *p);
	strbuf_add(o, "-vf%d'/>\n", vf);
}

static void emit_libvirt(strbuf *o, const vfctl_host *h, const bool *sel, bool failover)
{
	int pairs = 0;
	for (size_t i = 0; i < h->n_devices && !o->error; i++) {
		const vfctl_device *d = &h->devices[i];
		const vfctl_pci_addr a = d->addr;
		if ((sel && !sel[i]) || a.domain < 0)
			continue;
		const vfctl_device *pf = d->physfn ? vfctl_host_find(h, d->physfn) : NULL;
		const vfctl_vf_settings *s = pf && d->vf_index >= 0 && (size_t)d->vf_index < pf->n_vfs
						     ? &pf->vfs[d->vf_index].settings
						     : NULL;
		bool vfio = on_vfio(d);
		const char *managed = vfio ? "no" : "yes";
		char addr[128];
		/* managed='no' is what keeps libvirt off the binding (and off a variant it would pick);
		 * <driver model=...> would say the same only to libvirt 10 and later, whose schema alone
		 * has it (Debian 12's libvirt 9.0 refuses the domain). */
		const char *drv = vfio ? "  <driver name='vfio'/>\n" : "";
		snprintf(addr, sizeof(addr), "domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'", a.domain,
			 a.bus, a.slot, a.function);
		if (vfio)
			strbuf_add(o,
				   "<!-- %s stays on %s (managed='no'): libvirt neither rebinds it nor gives it back "
				   "-->\n",
				   d->id, d->driver);
		/* libvirt's DAC driver (dynamic_ownership, on by default) chowns the group's node to its
		 * QEMU user at start and to root at stop (lab-boot sees it): an owner vfctl set for an
		 * unprivileged QEMU of the admin's own does not survive a libvirt domain. */
		if (vfio && (d->vfio_uid > 0 || d->vfio_gid > 0))
			strbuf_add(o,
				   "<!-- %s: /dev/vfio/%d is owned by %d:%d (vfctl's Owner=/Group=); libvirt chowns it "
				   "to its QEMU user at start and to root at stop (dynamic_ownership): leave "
				   "Owner=/Group= "
				   "out for a device libvirt runs -->\n",
				   d->id, d->iommu_group, d->vfio_uid, d->vfio_gid);
		if (failover) {
			if (!pf) {
				o->error = -EINVAL;
				return;
			}
			emit_failover(o, d, s, managed, drv, addr, pairs++);
			continue;
		}
		bool mac = s && s->valid && strcmp(s->mac, "00:00:00:00:00:00") != 0;
		bool vlan = s && s->valid && s->vlan > 0;
		bool foreign_vlan = vlan && (s->qos > 0 || s->vlan_proto == VFCTL_VLAN_PROTO_8021AD);
		if (foreign_vlan)
			strbuf_add(o,
				   "<!-- %s: VLAN %d with %s: libvirt's <vlan> would write QoS 0 and 802.1Q; a plain "
				   "<hostdev>, so the PF keeps the MAC and VLAN vfctl set -->\n",
				   d->id, s->vlan,
				   s->qos > 0 && s->vlan_proto == VFCTL_VLAN_PROTO_8021AD ? "QoS and 802.1ad"
				   : s->qos > 0                                           ? "a QoS"
											  : "802.1ad");
		if ((mac || vlan) && !foreign_vlan) {
			strbuf_add(o, "<interface type='hostdev' managed='%s'>\n", managed);
			if (mac)
				strbuf_add(o, "  <mac address='%s'/>\n", s->mac);
			strbuf_add(o, "%s  <source>\n    <address type='pci' %s/>\n  </source>\n", drv, addr);
			if (vlan)
				strbuf_add(o, "  <vlan>\n    <tag id='%d'/>\n  </vlan>\n", s->vlan);
			if (pf)
				put_vf_alias(o, pf, d->vf_index);
			strbuf_add(o, "</interface>\n");
		} else {
			strbuf_add(
				o,
				"<hostdev mode='subsystem' type='pci' managed='%s'>\n%s  <source>\n    <address %s/>\n"
				"  </source>\n",
				managed, drv, addr);
			if (pf)
				put_vf_alias(o, pf, d->vf_index);
			strbuf_add(o, "</hostdev>\n");
		}
	}
}

/* A libvirt hostdev network: a pool of VFs from which libvirt gives each domain's <interface
 * type='network'> a free one, setting that domain's MAC (and VLAN 0) through the PF at start. A VF
 * whose PF holds a VLAN for it is left out (libvirt would clear it), and said so; managed='no' when
 * every VF of the pool is on a VFIO driver already (libvirt leaves the binding alone). */
static void emit_libvirt_network(strbuf *o, const vfctl_host *h, const bool *sel, const char *name)
{
	size_t n = 0;
	bool all_vfio = true;
	for (int pass = 0; pass < 2 && !o->error; pass++) {
		if (pass == 1)
			strbuf_add(o,
				   "<!-- a domain takes a free VF with <interface type='network'><source network='%s'/>"
				   "<mac address='...'/></interface>: libvirt sets that MAC through the PF, so the "
				   "configuration leaves these VFs' MACAddress= and VLANId= unset -->\n"
				   "<network>\n  <name>%s</name>\n  <forward mode='hostdev' managed='%s'>\n",
				   name, name, all_vfio ? "no" : "yes");
		for (size_t i = 0; i < h->n_devices; i++) {
			const vfctl_device *d = &h->devices[i];
			const vfctl_device *pf = d->physfn ? vfctl_host_find(h, d->physfn) : NULL;
			if (!sel || !(sel[i] || (pf && sel[pf - h->devices])))
				continue;
			if (!pf) {
				if (!d->n_vfs)
					o->error = -EINVAL; /* neither a VF nor a PF with VFs */
				continue;
			}
			const vfctl_vf_settings *s =
				(size_t)d->vf_index < pf->n_vfs ? &pf->vfs[d->vf_index].settings : NULL;
			bool vlan = s && s->valid && s->vlan > 0;
			if (pass == 0) {
				n += !vlan;
				all_vfio &= vlan || on_vfio(d);
			} else if (vlan)
				strbuf_add(o,
					   "    <!-- %s left out: its PF holds VLAN %d for it, which libvirt would "
					   "clear -->\n",
					   d->id, s->vlan);
			else
				strbuf_add(o,
					   "    <address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' "
					   "function='0x%x'/>\n",
					   d->addr.domain, d->addr.bus, d->addr.slot, d->addr.function);
		}
		if (pass == 0 && !n && !o->error)
			o->error = -EINVAL;
	}
	strbuf_add(o, "  </forward>\n</network>\n");
}

/* pve-configid (PVE::JSONSchema's [a-z][a-z0-9_-]+, any case): a letter, then at least one letter,
 * digit, - or _; at most 64 here. */
static bool mapping_name_ok(const char *n)
{
	if (!n || strlen(n) < 2 || strlen(n) > 64 || !((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z')))
		return false;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_'))
			return false;
	return true;
}

/* A Proxmox resource mapping: one map entry per VF (every field qemu-server's assert_valid checks
 * at VM start: id, subsystem-id when the device has one, iommugroup), and a hostpci line that takes
 * whichever entry is free. Only such a mapping lets a VM take "any free VF" and migrate. */
/* qemu-server (pve-common SysFSTools pci_dev_bind_to_vfio) takes a device as bound only when it is
 * in drivers/vfio-pci: it unbinds one from a variant driver and then cannot bind it to vfio-pci
 * while vfctl's driver_override names the variant, and the VM does not start. */
static void proxmox_variant_note(strbuf *o, const vfctl_device *d)
{
	if (driver_is_vfio(d->driver) && !streq(d->driver, "vfio-pci"))
		strbuf_add(o,
			   "# %s is on %s: Proxmox binds plain vfio-pci only, and would unbind it and fail; "
			   "VFIOVariant=no in its vfctl configuration keeps it on vfio-pci\n",
			   d->id, d->driver);
}

static void emit_proxmox_mapping(strbuf *o, const vfctl_host *h, const bool *sel, const char *name, const char *node)
{
	bool any = false;
	for (size_t i = 0; i < h->n_devices && !o->error; i++) {
		const vfctl_device *d = &h->devices[i];
		const vfctl_device *pf = d->physfn ? vfctl_host_find(h, d->physfn) : NULL;
		if (!sel || !(sel[i] || (pf && sel[pf - h->devices])))
			continue;
		if (!pf && d->n_vfs)
			continue; /* a PF stands for its VFs */
		if (!pf) {
			o->error = -EINVAL;
			return;
		}
		if (!any)
			strbuf_add(
				o,
				"# /etc/pve/mapping/pci.cfg (or: pvesh create /cluster/mapping/pci --id %s --map ... "
				"for each line below)\n%s\n",
				name, name);
		any = true;
		proxmox_variant_note(o, d);
		strbuf_add(o, "\tmap node=%s,path=%s,id=%04x:%04x", node, d->id, d->vendor_id, d->device_id);
		if (d->subsystem_vendor_id >= 0 && d->subsystem_device_id >= 0)
			strbuf_add(o, ",subsystem-id=%04x:%04x", d->subsystem_vendor_id, d->subsystem_device_id);
		if (d->iommu_group >= 0)
			strbuf_add(o, ",iommugroup=%d", d->iommu_group);
		strbuf_add(o, "\n");
	}
	if (!any && !o->error) {
		o->error = -EINVAL;
		return;
	}
	strbuf_add(o, "# /etc/pve/qemu-server/VMID.conf; pcie=1 needs \"machine: q35\"\nhostpci0: mapping=%s,pcie=1\n",
		   name);
}

static void emit_proxmox(strbuf *o, const vfctl_host *h, const bool *sel, const char *mapping, const char *node)
{
	int n = 0;
	if (mapping) {
		emit_proxmox_mapping(o, h, sel, mapping, node);
		return;
	}
	strbuf_add(o, "# /etc/pve/qemu-server/VMID.conf; pcie=1 needs \"machine: q35\"\n");
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_pci_addr a = h->devices[i].addr;
		if ((sel && !sel[i]) || a.domain < 0)
			continue;
		proxmox_variant_note(o, &h->devices[i]);
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

int vfctl_emit(const vfctl_host *h, const vfctl_select *sel, const vfctl_emit_opts *opts, char **ret)
{
	strbuf o = {0};
	vfctl_emit_opts eo = {0};
	_cleanup_free_ bool *select = NULL;
	char node[65] = "localhost";
	struct utsname u;
	int r = opts ? opts_copy(&eo, sizeof(eo), opts) : -EINVAL;
	if (r >= 0)
		r = select_mask(h, sel, &select, NULL);
	if (r >= 0 && eo.mapping && (!mapping_name_ok(eo.mapping) || eo.kind != VFCTL_EMIT_PROXMOX || !select))
		r = -EINVAL;
	if (r >= 0 && (eo.failover || eo.network) && (eo.kind != VFCTL_EMIT_LIBVIRT || (eo.failover && eo.network)))
		r = -EINVAL;
	if (r >= 0 && eo.network && (!mapping_name_ok(eo.network) || !select))
		r = -EINVAL;
	if (r < 0)
		return r;
	/* Proxmox's node name is the host name up to its first dot (PVE::INotify::nodename). */
	if (eo.node)
		snprintf(node, sizeof(node), "%s", eo.node);
	else if (uname(&u) == 0)
		snprintf(node, sizeof(node), "%.*s", (int)strcspn(u.nodename, "."), u.nodename);
	strbuf_add(&o, "%s", "");
	if (eo.kind == VFCTL_EMIT_QEMU)
		emit_qemu(&o, h, select);
	else if (eo.kind == VFCTL_EMIT_LIBVIRT) {
		if (eo.network)
			emit_libvirt_network(&o, h, select, eo.network);
		else
			emit_libvirt(&o, h, select, eo.failover);
	} else if (eo.kind == VFCTL_EMIT_OVS)
		emit_ovs(&o, h, select);
	else
		emit_proxmox(&o, h, select, eo.mapping, node);
	if (o.error) {
		free(o.s);
		return o.error;
	}
	*ret = o.s;
	return 0;
}
