/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl export: the live host as the vfctl.conf that describes it, so a host configured by hand
 * (a hand-written unit: echo 8 > sriov_numvfs, ip link set ... vf N mac ...) can be taken over. Only
 * what differs from what the driver gives a new VF is written: applying the export to a PF reset
 * to 0 VFs rebuilds the same host, and planning it on the host it came from finds nothing to do. */
#include <stdarg.h>
#include <stdio.h>

#include "relations.h"
#include "strbuf.h"
#include "util.h"
#include "vfctl/vfctl.h"

static const vfctl_netdev *first_netdev(const vfctl_device *d) { return d->n_netdevs ? &d->netdevs[0] : NULL; }

/* "# 0000:06:00.1 (mlx5_core), enp6s0f1np1" and, when pci.ids knows it, "# Mellanox ... ConnectX-4 Lx" */
static void describe(strbuf *t, const vfctl_device *d)
{
	const vfctl_netdev *nd = first_netdev(d);
	strbuf_add(t, "# %s (%s)%s%s\n", d->id, d->driver ? d->driver : "no driver", nd ? ", " : "", nd ? nd->name : "");
	if (d->vendor_name || d->device_name)
		strbuf_add(t, "# %s%s%s\n", d->vendor_name ? d->vendor_name : "", d->vendor_name && d->device_name ? " " : "",
		    d->device_name ? d->device_name : "");
}

static bool zero_mac(const char *m) { return !m || !*m || streq(m, "00:00:00:00:00:00"); }

/* The most stable key: the permanent MAC survives slot moves and renames; else the PCI path. */
static const char *put_match(strbuf *t, const vfctl_device *d)
{
	const vfctl_netdev *nd = first_netdev(d);
	if (nd && !zero_mac(nd->perm_mac)) {
		strbuf_add(t, "# matched by %s's permanent MAC: it follows the card to another slot\nMatch=mac:%s\n", nd->name,
		    nd->perm_mac);
		return "mac";
	}
	if (!streq(d->bus, "pci") && nd) {
		strbuf_add(t, "# matched by its netdev's name: a %s device has no PCI path\nMatch=name:%s\n", d->bus, nd->name);
		return "name";
	}
	strbuf_add(t, "# matched by PCI path (%s): the slot, whatever the netdev is called\nMatch=path:pci-%s\n",
	    nd ? "no permanent MAC reported" : "no netdev", d->id);
	return "path";
}

static void put_owner(strbuf *t, const vfctl_device *d)
{
	if (d && d->vfio_uid > 0)
		strbuf_add(t, "Owner=%d\n", d->vfio_uid);
	if (d && d->vfio_gid > 0)
		strbuf_add(t, "Group=%d\n", d->vfio_gid);
}

/* Knobs the PF driver does not report for its VFs: said once, never guessed. */
static void put_unreported(strbuf *t, const vfctl_device *pf)
{
	const vfctl_vf_settings *s = NULL;
	for (size_t i = 0; i < pf->n_vfs && !s; i++)
		if (pf->vfs[i].settings.valid)
			s = &pf->vfs[i].settings;
	if (!s) {
		if (pf->n_vfs)
			strbuf_add(t, "# VF settings not exported: %s\n",
			    pf->vf_settings_error ? pf->vf_settings_error : "the kernel reported none for this PF");
		return;
	}
	const char *names[] = {"MACSpoofCheck=", "Trust=", "LinkState=", "QueryReceiveSideScaling=",
			       "MinTxRate=/MaxTxRate="};
	int vals[] = {s->spoofchk, s->trust, s->link_state, s->rss_query, s->max_tx_rate < 0 ? -1 : 0};
	bool any = false;
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (vals[i] < 0) {
			strbuf_add(t, "%s%s", any ? ", " : "# not reported by the PF driver, so not exported: ", names[i]);
			any = true;
		}
	if (any)
		strbuf_add(t, "\n");
}

/* A VF's keys that differ from what its driver gives a new VF; no section when none do. */
static void put_vf(strbuf *out, const vfctl_host *h, const vfctl_device *pf, const vfctl_vf *vf)
{
	const vfctl_device *vd = vf->id ? vfctl_host_find(h, vf->id) : NULL;
	const vfctl_vf_settings *s = &vf->settings;
	strbuf keys = {0}, *t = &keys;
	if (s->valid) {
		if (!zero_mac(s->mac))
			strbuf_add(t, "MACAddress=%s\n", s->mac);
		if (s->vlan > 0)
			strbuf_add(t, "VLANId=%d\n", s->vlan);
		if (s->vlan > 0 && s->qos > 0)
			strbuf_add(t, "QualityOfService=%d\n", s->qos);
		if (s->vlan > 0 && s->vlan_proto == 0x88a8)
			strbuf_add(t, "VLANProtocol=802.1ad\n");
		/* Drivers start a VF with spoof checking on, trust, RSS query off, link auto, no rates. */
		if (s->spoofchk == 0)
			strbuf_add(t, "MACSpoofCheck=no\n");
		if (s->trust == 1)
			strbuf_add(t, "Trust=yes\n");
		if (s->link_state == 1 || s->link_state == 2)
			strbuf_add(t, "LinkState=%s\n", s->link_state == 1 ? "yes" : "no");
		if (s->rss_query == 1)
			strbuf_add(t, "QueryReceiveSideScaling=yes\n");
		if (s->min_tx_rate > 0)
			strbuf_add(t, "MinTxRate=%lld\n", (long long)s->min_tx_rate);
		if (s->max_tx_rate > 0)
			strbuf_add(t, "MaxTxRate=%lld\n", (long long)s->max_tx_rate);
	}
	if (vf->nvme_scid >= 0 && vf->nvme_online == 1 && vf->nvme_vq > 0 && vf->nvme_vi > 0)
		strbuf_add(t, "NVMeQueues=%d\nNVMeInterrupts=%d\n", vf->nvme_vq, vf->nvme_vi);
	/* A VF that is no device of its own (netdevsim) has no driver to speak of; the driver the
	 * kernel gives a VF is left implicit. */
	if (vf->id && !vf->driver)
		strbuf_add(t, "Driver=none\n");
	else if (vf->id && streq(vf->driver, "vfio-pci")) {
		strbuf_add(t, "Driver=vfio-pci\n");
		put_owner(t, vd);
	} else if (vf->id && (!pf->vf_default_driver || !streq(vf->driver, pf->vf_default_driver)))
		strbuf_add(t, "Driver=%s\n", vf->driver);
	if (keys.error)
		out->error = keys.error;
	else if (keys.s)
		strbuf_add(out, "\n# %s%sVF %u%s%s (%s)\n[VF:%u]\n%s", vf->id ? vf->id : "", vf->id ? " " : "", vf->index,
			   vf->netdev ? ", " : "",
		    vf->netdev ? vf->netdev : "", vf->driver ? vf->driver : "no driver", vf->index, keys.s);
	free(keys.s);
}

static int export_pf(const vfctl_host *h, const vfctl_device *pf, vfctl_export_file *f)
{
	strbuf t = {0};
	const vfctl_netdev *nd = first_netdev(pf);
	strbuf_add(&t, "# Written by vfctl export from the live host.\n");
	describe(&t, pf);
	strbuf_add(&t, "[PF]\n");
	const char *match = put_match(&t, pf);
	strbuf_add(&t, "NumVFs=%d\n", pf->num_vfs > 0 ? pf->num_vfs : 0);
	if (pf->autoprobe == 0)
		strbuf_add(&t, "AutoProbe=no\n");
	if (nd && nd->flags >= 0 && (nd->flags & 1 /* IFF_UP */))
		strbuf_add(&t, "Up=yes\n");
	if (nd && nd->mtu > 0 && nd->mtu != 1500)
		strbuf_add(&t, "MTU=%d\n", nd->mtu);
	if (pf->eswitch_mode == 1) {
		strbuf_add(&t, "EswitchMode=switchdev\n");
		/* An altname pattern cannot be told from names given by hand: list them, do not guess. */
		bool any = false;
		for (size_t i = 0; i < pf->n_vfs; i++)
			if (pf->vfs[i].representor) {
				strbuf_add(&t, "%s VF %zu: %s", any ? "," : "# representors:", i, pf->vfs[i].representor);
				any = true;
			}
		if (any)
			strbuf_add(&t, "\n# (RepresentorAltName= is not inferred from them: add a pattern for altnames)\n");
	}
	if (pf->nvme_ctrl && !pf->nvme_known && pf->n_vfs)
		strbuf_add(&t, "# NVMe secondary controllers unknown (Identify needs root): NVMeQueues= not exported\n");
	put_unreported(&t, pf);
	for (size_t i = 0; i < pf->n_vfs; i++)
		put_vf(&t, h, pf, &pf->vfs[i]);
	if (t.error) {
		free(t.s);
		return t.error;
	}
	char name[80];
	if (nd)
		snprintf(name, sizeof(name), "%s.conf", nd->name);
	else
		snprintf(name, sizeof(name), "pf-%s.conf", pf->id);
	for (char *p = name; *p; p++)
		if (*p == ':' || *p == '/')
			*p = '-';
	f->name = strdup(name);
	f->device = strdup(pf->id);
	f->match = strdup(match);
	f->text = t.s;
	return f->name && f->device && f->match ? 0 : -ENOMEM;
}

static int export_device(const vfctl_device *d, vfctl_export_file *f)
{
	strbuf t = {0};
	strbuf_add(&t, "# Written by vfctl export from the live host.\n");
	describe(&t, d);
	strbuf_add(&t, "[Device]\n# matched by PCI path: the slot\nMatch=path:pci-%s\nDriver=vfio-pci\n", d->id);
	put_owner(&t, d);
	if (t.error) {
		free(t.s);
		return t.error;
	}
	char name[80];
	snprintf(name, sizeof(name), "device-%s.conf", d->id);
	for (char *p = name; *p; p++)
		if (*p == ':')
			*p = '-';
	f->name = strdup(name);
	f->device = strdup(d->id);
	f->match = strdup("path");
	f->text = t.s;
	return f->name && f->device && f->match ? 0 : -ENOMEM;
}

static int export_vdpa(const vfctl_vdpa_dev *v, vfctl_export_file *f)
{
	strbuf t = {0};
	strbuf_add(&t, "# Written by vfctl export from the live host.\n# vDPA device %s on %s\n[VDPA]\nName=%s\nMgmtDev=%s\n",
	    v->name, v->mgmtdev ? v->mgmtdev : "?", v->name, v->mgmtdev ? v->mgmtdev : "");
	if (v->driver && streq(v->driver, "vhost_vdpa"))
		strbuf_add(&t, "Driver=vhost\n");
	else if (v->driver && streq(v->driver, "virtio_vdpa"))
		strbuf_add(&t, "Driver=virtio\n");
	strbuf_add(&t, "# MACAddress=, MTU= and MaxQueuePairs= are not read back from the device: add them if it was "
		"created with them\n");
	if (t.error) {
		free(t.s);
		return t.error;
	}
	char name[80];
	snprintf(name, sizeof(name), "vdpa-%s.conf", v->name);
	f->name = strdup(name);
	f->text = t.s;
	return f->name ? 0 : -ENOMEM;
}

/* A PF worth a file: VFs, or a state other than a fresh driver's. */
static bool pf_configured(const vfctl_device *d)
{
	return (d->total_vfs > 0 || d->num_vfs > 0) && (d->num_vfs > 0 || d->autoprobe == 0 || d->eswitch_mode == 1);
}

void vfctl_export_free(vfctl_export_file *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].name);
		free(f[i].device);
		free(f[i].match);
		free(f[i].text);
	}
	free(f);
}

int vfctl_export(const vfctl_host *h, const bool *select, vfctl_export_file **ret, size_t *ret_n)
{
	size_t cap = h->n_devices + (h->vdpa ? h->vdpa->n_devs : 0) + 1, n = 0;
	vfctl_export_file *files = calloc(cap, sizeof(*files));
	bool *want = calloc(h->n_devices + 1, sizeof(bool));
	int r = 0;
	if (!files || !want) {
		free(files);
		free(want);
		return -ENOMEM;
	}
	/* A selected VF stands for its PF: VFs are configured through their PF's file. */
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *d = &h->devices[i];
		if (select && !select[i])
			continue;
		const vfctl_device *pf = d->physfn ? vfctl_host_find(h, d->physfn) : NULL;
		want[pf ? (size_t)(pf - h->devices) : i] = true;
	}
	for (size_t i = 0; i < h->n_devices && r >= 0; i++) {
		const vfctl_device *d = &h->devices[i];
		if (!want[i] || d->physfn)
			continue;
		if (pf_configured(d) || (select && (d->total_vfs > 0 || d->num_vfs >= 0)))
			r = export_pf(h, d, &files[n++]);
		else if (d->driver && streq(d->driver, "vfio-pci") && !d->is_bridge)
			r = export_device(d, &files[n++]);
	}
	for (size_t i = 0; !select && h->vdpa && i < h->vdpa->n_devs && r >= 0; i++)
		r = export_vdpa(&h->vdpa->devs[i], &files[n++]);
	free(want);
	if (r < 0) {
		vfctl_export_free(files, n);
		return r;
	}
	*ret = files;
	*ret_n = n;
	return 0;
}
