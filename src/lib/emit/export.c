/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl export: the live host as the vfctl.conf that describes it, so a host configured by hand
 * (a hand-written unit: echo 8 > sriov_numvfs, ip link set ... vf N mac ...) can be taken over. Only
 * what differs from what the driver gives a new VF is written: applying the export to a PF reset
 * to 0 VFs rebuilds the same host, and planning it on the host it came from finds nothing to do. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>

#include "escape.h"
#include "handoff.h"
#include "mac-policy.h"
#include "ovs.h"
#include "parse.h"
#include "pci.h"
#include "relations.h"
#include "strbuf.h"
#include "util.h"
#include "vf-flags.h"
#include "vfctl/vfctl.h"

static const vfctl_netdev *first_netdev(const vfctl_device *d)
{
	return d->n_netdevs ? &d->netdevs[0] : NULL;
}

/* A name from the kernel in a comment: Linux lets a netdev name hold ESC and bytes that are not
 * UTF-8, and the parser refuses a file that is not UTF-8 text (at boot, every section of it). */
static void add_name(strbuf *t, const char *s)
{
	char *e = text_escape(s ? s : "");
	if (!e)
		t->error = -ENOMEM;
	else
		strbuf_add(t, "%s", e);
	free(e);
}

/* A name the parser reads back as it is: plain text, no leading or trailing space (trimmed), no
 * final backslash (a continuation line, refused). */
static bool value_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n && text_plain(s) && s[0] != ' ' && s[n - 1] != ' ' && s[n - 1] != '\\';
}

/* "# 0000:06:00.1 (mlx5_core), enp6s0f1np1" and, when pci.ids knows it, "# Mellanox ... ConnectX-4 Lx" */
static void describe(strbuf *t, const vfctl_device *d)
{
	const vfctl_netdev *nd = first_netdev(d);
	strbuf_add(t, "# %s (", d->id);
	add_name(t, d->driver ? d->driver : "no driver");
	strbuf_add(t, ")%s", nd ? ", " : "");
	if (nd)
		add_name(t, nd->name);
	strbuf_add(t, "\n");
	if (d->vendor_name || d->device_name) {
		strbuf_add(t, "# ");
		add_name(t, d->vendor_name);
		strbuf_add(t, "%s", d->vendor_name && d->device_name ? " " : "");
		add_name(t, d->device_name);
		strbuf_add(t, "\n");
	}
}

static bool zero_mac(const char *m)
{
	return !m || !*m || streq(m, "00:00:00:00:00:00");
}

/* The most stable key: the permanent MAC survives slot moves and renames; else the PCI path. NULL:
 * a device with neither whose name no Match= line can hold. */
static const char *put_match(strbuf *t, const vfctl_device *d)
{
	const vfctl_netdev *nd = first_netdev(d);
	if (nd && !zero_mac(nd->perm_mac)) {
		strbuf_add(t, "# matched by ");
		add_name(t, nd->name);
		strbuf_add(t, "'s permanent MAC: it follows the card to another slot\nMatch=mac:%s\n", nd->perm_mac);
		return "mac";
	}
	if (!streq(d->bus, "pci") && nd) {
		if (!value_ok(nd->name))
			return NULL;
		strbuf_add(t, "# matched by its netdev's name: a %s device has no PCI path\nMatch=name:%s\n", d->bus,
			   nd->name);
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
				   pf->vf_settings_error ? pf->vf_settings_error
							 : "the kernel reported none for this PF");
		return;
	}
	bool any = false;
	/* Port function capabilities exist in switchdev mode only, where a driver has them at all. */
	for (vf_flag f = 0; f <= _VF_FLAG_MAX; f++)
		if (f == _VF_FLAG_MAX ? s->max_tx_rate < 0 : vf_flag_get(s, f) < 0 && !vf_flags[f].devlink_cap) {
			strbuf_add(t, "%s%s=%s", any ? ", " : "# not reported by the PF driver, so not exported: ",
				   f == _VF_FLAG_MAX ? "MinTxRate" : vf_flags[f].conf_key,
				   f == _VF_FLAG_MAX ? "/MaxTxRate=" : "");
			any = true;
		}
	if (any)
		strbuf_add(t, "\n");
}

/* A node name vfctl.conf can hold (RateGroup='s check): others are written as comments. */
static bool rate_group_name_ok(const char *n)
{
	return *n && strlen(n) <= 63 && !strpbrk(n, "/ \t\n#;\\") && !(*n >= '0' && *n <= '9');
}

/* The PF's devlink rate nodes, one [RateGroup] each (its limits when set). */
static void put_rate_groups(strbuf *t, const vfctl_device *pf)
{
	for (size_t i = 0; i < pf->n_rate_groups; i++) {
		const vfctl_rate_group *g = &pf->rate_groups[i];
		if (!rate_group_name_ok(g->name)) {
			strbuf_add(t, "\n# a devlink rate node whose name vfctl.conf cannot hold is not exported\n");
			continue;
		}
		strbuf_add(t, "\n[RateGroup]\nName=%s\n", g->name);
		if (g->min_tx_rate > 0)
			strbuf_add(t, "MinTxRate=%lld\n", (long long)g->min_tx_rate);
		if (g->max_tx_rate > 0)
			strbuf_add(t, "MaxTxRate=%lld\n", (long long)g->max_tx_rate);
		if (g->parent)
			strbuf_add(t, "# (under node %s: a group of groups is not exported)\n", g->parent);
	}
}

/* A VF's keys that differ from what its driver gives a new VF; no section when none do. */
static bool vf_mac_persistent(const vfctl_host *h, const vfctl_device *pf, const vfctl_vf *vf)
{
	return vf->settings.valid && is_persistent_mac(h, pf, (int)vf->index, vf->settings.mac);
}

/* Every VF's MAC the one MACAddress=persistent gives it: one [VF] line instead of one per VF. */
static bool all_macs_persistent(const vfctl_host *h, const vfctl_device *pf)
{
	for (size_t i = 0; i < pf->n_vfs; i++)
		if (!vf_mac_persistent(h, pf, &pf->vfs[i]))
			return false;
	return pf->n_vfs > 0;
}

/* VFNetdevName= back from the names vfctl's rule gives every VF: one text before the VF's number
 * and one after it, the same for all, the PF's netdev name as %p. NULL when the names fit none
 * (a rule edited by hand). */
static char *netdev_name_pattern(const vfctl_device *pf, const vfctl_netdev *nd)
{
	char *pre = NULL, *post = NULL, *pattern = NULL;
	bool ok = pf->udev_rule && pf->n_vfs;
	for (size_t i = 0; ok && i < pf->n_vfs; i++) {
		_cleanup_free_ char *name = handoff_rule_name(pf, pf->vfs[i].id);
		char num[16];
		snprintf(num, sizeof(num), "%u", pf->vfs[i].index);
		const char *at = NULL;
		for (const char *q = name; q && (q = strstr(q, num)); q++)
			at = q; /* the last: "pf2v2" is "pf2v" and 2 */
		if (!at) {
			ok = false;
			break;
		}
		_cleanup_free_ char *a = strndup(name, (size_t)(at - name)), *b = strdup(at + strlen(num));
		if (!a || !b || (pre && (!streq(pre, a) || !streq(post, b))) || strchr(a, '%') || strchr(b, '%')) {
			ok = false;
			break;
		}
		if (!pre) {
			pre = TAKE_PTR(a);
			post = TAKE_PTR(b);
		}
	}
	size_t pl = nd ? strlen(nd->name) : 0;
	if (ok && asprintf(&pattern, "%s%s%%n%s", nd && !strncmp(pre, nd->name, pl) ? "%p" : "",
			   nd && !strncmp(pre, nd->name, pl) ? pre + pl : pre, post) < 0)
		pattern = NULL;
	free(pre);
	free(post);
	return pattern;
}

static void put_vf(strbuf *out, const vfctl_host *h, const vfctl_device *pf, const vfctl_vf *vf, bool all_persistent)
{
	const vfctl_device *vd = vf->id ? vfctl_host_find(h, vf->id) : NULL;
	const vfctl_vf_settings *s = &vf->settings;
	strbuf keys = {0}, *t = &keys;
	if (s->valid) {
		if (vf_mac_persistent(h, pf, vf)) {
			if (!all_persistent)
				strbuf_add(t, "MACAddress=persistent\n");
		} else if (!zero_mac(s->mac))
			strbuf_add(t, "MACAddress=%s\n", s->mac);
		if (s->vlan > 0)
			strbuf_add(t, "VLANId=%d\n", s->vlan);
		if (s->vlan > 0 && s->qos > 0)
			strbuf_add(t, "QualityOfService=%d\n", s->qos);
		if (s->vlan > 0 && s->vlan_proto == VFCTL_VLAN_PROTO_8021AD)
			strbuf_add(t, "VLANProtocol=802.1ad\n");
		/* A flag is written when it differs from what a driver gives a new VF. */
		for (vf_flag f = 0; f < _VF_FLAG_MAX; f++) {
			int v = vf_flag_get(s, f);
			if (v >= 0 && v != vf_flags[f].fresh && vf_flag_conf_value(f, v))
				strbuf_add(t, "%s=%s\n", vf_flags[f].conf_key, vf_flag_conf_value(f, v));
		}
		if (s->min_tx_rate > 0)
			strbuf_add(t, "MinTxRate=%lld\n", (long long)s->min_tx_rate);
		if (s->max_tx_rate > 0)
			strbuf_add(t, "MaxTxRate=%lld\n", (long long)s->max_tx_rate);
	}
	if (vf->nvme_scid >= 0 && vf->nvme_online == 1 && vf->nvme_vq > 0 && vf->nvme_vi > 0)
		strbuf_add(t, "NVMeQueues=%d\nNVMeInterrupts=%d\n", vf->nvme_vq, vf->nvme_vi);
	if (handoff_rule_unmanaged(pf, vf->id))
		strbuf_add(t, "Unmanaged=yes\n");
	/* A VF that is no device of its own (netdevsim) has no driver to speak of; the driver the
	 * kernel gives a VF is left implicit. */
	if (vf->rate_group && rate_group_name_ok(vf->rate_group))
		strbuf_add(t, "RateGroup=%s\n", vf->rate_group);
	if (vf->id && !vf->driver)
		strbuf_add(t, "Driver=none\n");
	else if (vf->id && driver_is_vfio(vf->driver)) {
		/* Driver=vfio-pci binds the variant modules.alias gives the VF where there is one. */
		bool plain = streq(vf->driver, "vfio-pci");
		bool picked = streq_ptr(vf->driver, pf->vf_vfio_variant) || plain;
		strbuf_add(t, "Driver=%s\n%s", picked ? "vfio-pci" : vf->driver,
			   plain && pf->vf_vfio_variant ? "VFIOVariant=no\n" : "");
		put_owner(t, vd);
	} else if (vf->id && (!pf->vf_default_driver || !streq(vf->driver, pf->vf_default_driver)))
		strbuf_add(t, "Driver=%s\n", vf->driver);
	if (keys.error)
		out->error = keys.error;
	else if (keys.s) {
		strbuf_add(out, "\n# %s%sVF %u%s", vf->id ? vf->id : "", vf->id ? " " : "", vf->index,
			   vf->netdev ? ", " : "");
		if (vf->netdev)
			add_name(out, vf->netdev);
		strbuf_add(out, " (");
		add_name(out, vf->driver ? vf->driver : "no driver");
		strbuf_add(out, ")\n[VF:%u]\n%s", vf->index, keys.s);
	}
	free(keys.s);
}

/* A file name from a device or netdev name: letters, digits and ".-_+@" kept, anything else (a ':',
 * a '/', an escape, a byte that is not UTF-8) as '-', never a leading '.' (the loader skips hidden
 * files). vfctl_export makes the names of one export unique. */
static char *file_name(const char *prefix, const char *base)
{
	char *n = NULL;
	if (asprintf(&n, "%s%s.conf", prefix, base) < 0)
		return NULL;
	for (char *p = n; *p; p++)
		if (!isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80)
			if (!strchr(".-_+@", *p) || (p == n && *p == '.'))
				*p = '-';
	return n;
}

static int skip(vfctl_export_file *f, const char *id, const char *why)
{
	f->device = id ? strdup(id) : NULL;
	if (asprintf(&f->warning, "not exported: %s", why) < 0)
		f->warning = NULL;
	return f->warning && (!id || f->device) ? 0 : -ENOMEM;
}

/* The uplink's bridge, when every representor is a port of it too (what OVSBridge= makes), and
 * hw-offload when on. */
static void put_ovs(strbuf *t, const vfctl_host *h, const vfctl_device *pf, const vfctl_netdev *nd)
{
	const vfctl_ovs_port *up = nd ? ovs_port_find(h->ovs, nd->name) : NULL;
	const char *br = up ? up->bridge : NULL;
	size_t missing = 0;
	for (size_t i = 0; br && i < pf->n_vfs; i++) {
		const vfctl_ovs_port *p = ovs_port_find(h->ovs, pf->vfs[i].representor);
		missing += !p || !streq_ptr(p->bridge, br);
	}
	if (br && !missing)
		strbuf_add(t, "OVSBridge=%s\n", br);
	else if (br)
		strbuf_add(t,
			   "# Open vSwitch: the uplink is a port of bridge %s, %zu representor(s) are not: "
			   "OVSBridge= (which makes them all ports) not exported\n",
			   br, missing);
	if (h->ovs && h->ovs->hw_offload == 1)
		strbuf_add(t, "OVSHardwareOffload=yes\n");
}

static int export_pf(const vfctl_host *h, const vfctl_device *pf, vfctl_export_file *f)
{
	strbuf t = {0};
	const vfctl_netdev *nd = first_netdev(pf);
	strbuf_add(&t, "# Written by vfctl export from the live host.\n");
	describe(&t, pf);
	strbuf_add(&t, "[PF]\n");
	const char *match = put_match(&t, pf);
	if (!match) {
		free(t.s);
		return skip(f, pf->id,
			    "its netdev's name cannot be written as Match=name: (not plain UTF-8 text, or ends "
			    "in a backslash) and it has no PCI path or permanent MAC: rename the netdev");
	}
	strbuf_add(&t, "NumVFs=%d\n", pf->num_vfs > 0 ? pf->num_vfs : 0);
	if (pf->autoprobe == 0)
		strbuf_add(&t, "AutoProbe=no\n");
	if (nd && nd->flags >= 0 && (nd->flags & 1 /* IFF_UP */))
		strbuf_add(&t, "Up=yes\n");
	if (nd && nd->mtu > 0 && nd->mtu != 1500)
		strbuf_add(&t, "MTU=%d\n", nd->mtu);
	_cleanup_free_ char *names = netdev_name_pattern(pf, nd);
	if (names)
		strbuf_add(&t, "VFNetdevName=%s\n", names);
	if (pf->eswitch_mode == VFCTL_ESWITCH_SWITCHDEV) {
		strbuf_add(&t, "EswitchMode=switchdev\n");
		/* An altname pattern cannot be told from names given by hand: list them, do not guess. */
		bool any = false;
		for (size_t i = 0; i < pf->n_vfs; i++)
			if (pf->vfs[i].representor) {
				strbuf_add(&t, "%s VF %zu: ", any ? "," : "# representors:", i);
				add_name(&t, pf->vfs[i].representor);
				any = true;
			}
		if (any)
			strbuf_add(&t,
				   "\n# (RepresentorAltName= is not inferred from them: add a pattern for altnames)\n");
		put_ovs(&t, h, pf, nd);
	}
	if (pf->nvme_ctrl && !pf->nvme_known && pf->n_vfs)
		strbuf_add(&t,
			   "# NVMe secondary controllers unknown (Identify needs root): NVMeQueues= not exported\n");
	put_unreported(&t, pf);
	put_rate_groups(&t, pf);
	bool all_persistent = all_macs_persistent(h, pf);
	if (all_persistent)
		strbuf_add(&t, "\n# every VF's MAC is derived from the machine id, the PF and its index\n[VF]\n"
			       "MACAddress=persistent\n");
	for (size_t i = 0; i < pf->n_vfs; i++)
		put_vf(&t, h, pf, &pf->vfs[i], all_persistent);
	if (t.error) {
		free(t.s);
		return t.error;
	}
	f->name = nd ? file_name("", nd->name) : file_name("pf-", pf->id);
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
	bool plain = streq(d->driver, "vfio-pci");
	bool picked = streq_ptr(d->driver, d->vfio_variant) || plain;
	strbuf_add(&t, "[Device]\n# matched by PCI path: the slot\nMatch=path:pci-%s\nDriver=%s\n%s", d->id,
		   picked ? "vfio-pci" : d->driver, plain && d->vfio_variant ? "VFIOVariant=no\n" : "");
	put_owner(&t, d);
	if (t.error) {
		free(t.s);
		return t.error;
	}
	f->name = file_name("device-", d->id);
	f->device = strdup(d->id);
	f->match = strdup("path");
	f->text = t.s;
	return f->name && f->device && f->match ? 0 : -ENOMEM;
}

static int export_vdpa(const vfctl_vdpa_dev *v, vfctl_export_file *f)
{
	/* Name= as the parser takes it (config-parse.c's vdpa_key): the same rule, or no file. */
	if (!value_ok(v->name) || strlen(v->name) > 31 || strpbrk(v->name, "/ ") || !value_ok(v->mgmtdev)) {
		char *e = text_escape(v->name ? v->name : "");
		int r = e ? 0 : -ENOMEM;
		char *why = NULL;
		if (e && asprintf(&why,
				  "vDPA device %s: its name or management device cannot be written as Name=/MgmtDev= "
				  "(plain UTF-8 text, 1..31 characters, no / or space)",
				  e) < 0)
			r = -ENOMEM;
		if (r == 0)
			r = skip(f, NULL, why);
		free(e);
		free(why);
		return r;
	}
	strbuf t = {0};
	strbuf_add(
		&t,
		"# Written by vfctl export from the live host.\n# vDPA device %s on %s\n[VDPA]\nName=%s\nMgmtDev=%s\n",
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
	f->name = file_name("vdpa-", v->name);
	f->text = t.s;
	return f->name ? 0 : -ENOMEM;
}

/* A PF worth a file: VFs, or a state other than a fresh driver's. */
static bool pf_configured(const vfctl_device *d)
{
	return (d->total_vfs > 0 || d->num_vfs > 0) &&
	       (d->num_vfs > 0 || d->autoprobe == 0 || d->eswitch_mode == VFCTL_ESWITCH_SWITCHDEV);
}

/* Two PFs whose netdevs differ only in bytes file_name replaces would share a file, and one would
 * be lost when written (or replace the other under --force): the later one gets "-2", "-3". */
static bool name_taken(const vfctl_export_file *f, size_t before, const char *name)
{
	for (size_t j = 0; j < before; j++)
		if (f[j].name && streq(f[j].name, name))
			return true;
	return false;
}

static int unique_names(vfctl_export_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!f[i].name || !name_taken(f, i, f[i].name))
			continue;
		char *stem = strndup(f[i].name, strlen(f[i].name) - strlen(".conf")), *nn = NULL;
		for (unsigned k = 2; stem; k++) {
			free(nn);
			if (asprintf(&nn, "%s-%u.conf", stem, k) < 0) {
				nn = NULL;
				break;
			}
			if (!name_taken(f, i, nn))
				break;
		}
		free(stem);
		if (!nn)
			return -ENOMEM;
		free(f[i].name);
		f[i].name = nn;
	}
	return 0;
}

static void add_warning(vfctl_export_file *f, const char *fmt, ...) _printf_(2, 3);
static void add_warning(vfctl_export_file *f, const char *fmt, ...)
{
	char *msg = NULL, *all = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	if (f->warning && asprintf(&all, "%s\n%s", f->warning, msg) >= 0) {
		free(msg);
		msg = all;
	}
	free(f->warning);
	f->warning = msg;
}

typedef struct mac_use {
	const char *mac;
	size_t file;
	unsigned vf;
} mac_use;

static int cmp_mac_use(const void *a, const void *b)
{
	return strcasecmp(((const mac_use *)a)->mac, ((const mac_use *)b)->mac);
}

/* A MAC on two VFs (a hand-made host's mistake) is exported as it is, but apply refuses such files
 * until one is changed: say so now, not when the files are applied at boot. */
static int warn_duplicate_macs(const vfctl_host *h, vfctl_export_file *f, size_t n)
{
	size_t cap = 0, k = 0;
	for (size_t i = 0; i < h->n_devices; i++) /* every VF of the host: room for those exported */
		cap += h->devices[i].n_vfs;
	mac_use *u = calloc(cap + 1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const vfctl_device *pf =
			f[i].text && f[i].match && f[i].device ? vfctl_host_find(h, f[i].device) : NULL;
		for (size_t v = 0; pf && v < pf->n_vfs; v++)
			if (pf->vfs[v].settings.valid && !zero_mac(pf->vfs[v].settings.mac))
				u[k++] = (mac_use){pf->vfs[v].settings.mac, i, pf->vfs[v].index};
	}
	qsort(u, k, sizeof(*u), cmp_mac_use);
	for (size_t i = 0; i + 1 < k; i++)
		for (size_t j = i + 1; j < k && strcasecmp(u[i].mac, u[j].mac) == 0; j++) {
			add_warning(&f[u[i].file],
				    "VF %u has MAC %s, as VF %u of %s (%s) has: apply refuses a MAC on two VFs; "
				    "change one before applying",
				    u[i].vf, u[i].mac, u[j].vf, f[u[j].file].device, f[u[j].file].name);
			add_warning(&f[u[j].file],
				    "VF %u has MAC %s, as VF %u of %s (%s) has: apply refuses a MAC on two VFs; "
				    "change one before applying",
				    u[j].vf, u[j].mac, u[i].vf, f[u[i].file].device, f[u[i].file].name);
		}
	free(u);
	return 0;
}

void vfctl_export_free(vfctl_export_file *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].name);
		free(f[i].device);
		free(f[i].match);
		free(f[i].text);
		free(f[i].warning);
	}
	free(f);
}

int vfctl_export(const vfctl_host *h, const vfctl_select *sel, vfctl_export_file **ret, size_t *ret_n)
{
	_cleanup_free_ bool *select = NULL;
	int k = select_mask(h, sel, &select, NULL);
	if (k < 0)
		return k;
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
		else if (driver_is_vfio(d->driver) && !d->is_bridge)
			r = export_device(d, &files[n++]);
	}
	for (size_t i = 0; !select && h->vdpa && i < h->vdpa->n_devs && r >= 0; i++)
		r = export_vdpa(&h->vdpa->devs[i], &files[n++]);
	free(want);
	if (r >= 0)
		r = unique_names(files, n);
	if (r >= 0)
		r = warn_duplicate_macs(h, files, n);
	if (r < 0) {
		vfctl_export_free(files, n);
		return r;
	}
	*ret = files;
	*ret_n = n;
	return 0;
}
