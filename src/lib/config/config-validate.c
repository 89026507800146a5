/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Everything checked before anything is touched: Match= resolves to exactly one device, values
 * fit what that device reports it can do, MACs are unique across all files. */
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>

#include "config.h"
#include "driver-facts.h"
#include "mac-policy.h"
#include "parse.h"
#include "pci.h"

static int error_once(vfctl_config *c, conf_loc loc, const char *msg);

/* A knob the PF driver can never take, as its row in driver-facts.c says: the driver named, what
 * the kernel would answer, and where its source decides it. */
static int driver_refusal(vfctl_config *c, const vfctl_device *pf, const char *key, const char *value, fact_value fv,
			  bool switchdev, conf_loc loc)
{
	const driver_fact *f = driver_fact_blocking(pf->driver, key, fv, switchdev);
	char msg[768];
	if (!f)
		return 0;
	if (f->err)
		snprintf(msg, sizeof(msg), "%s=%s cannot be set on %s (driver %s%s): %s: the kernel answers %s (%s)",
			 key, value, pf->id, pf->driver, f->switchdev ? ", switchdev mode" : "", f->why,
			 strerrorname_np(f->err), f->source);
	else
		snprintf(msg, sizeof(msg), "%s=%s cannot be set on %s (driver %s): %s (%s)", key, value, pf->id,
			 pf->driver, f->why, f->source);
	return error_once(c, loc, msg);
}

/* The same message from a [VF] section applied to 300 VFs is said once. */
static int error_once(vfctl_config *c, conf_loc loc, const char *msg)
{
	char *line = NULL;
	if (asprintf(&line, "%s:%u: %s", loc.file, loc.line, msg) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_errors; i++)
		if (streq(c->errors[i], line)) {
			free(line);
			return 0;
		}
	free(line);
	return config_error(c, loc, "%s", msg);
}

static bool rule_matches(const vfctl_device *d, const match_rule *m, const vfctl_host *h)
{
	if (streq(m->kind, "pci")) {
		pci_addr a, b;
		return parse_pci_addr(m->value, &a) >= 0 && parse_pci_addr(d->id, &b) >= 0 && pci_addr_cmp(&a, &b) == 0;
	}
	if (streq(m->kind, "path")) {
		/* udev's ID_PATH of a PCI device: "pci-0000:06:00.1" */
		return startswith(m->value, "pci-") && streq(d->bus, "pci") && streq(m->value + 4, d->id);
	}
	if (streq(m->kind, "name")) {
		for (size_t i = 0; i < d->n_netdevs; i++)
			if (streq(d->netdevs[i].name, m->value))
				return true;
		return false;
	}
	if (streq(m->kind, "mac")) {
		uint8_t want[6], have[6];
		if (parse_mac(m->value, want) < 0)
			return false;
		for (size_t i = 0; i < d->n_netdevs; i++) {
			const char *mac = d->netdevs[i].perm_mac ? d->netdevs[i].perm_mac : d->netdevs[i].mac;
			if (mac && parse_mac(mac, have) >= 0 && memcmp(want, have, 6) == 0)
				return true;
		}
		return false;
	}
	if (streq(m->kind, "id")) {
		unsigned v, dv, nth = 0;
		char tail;
		bool indexed = sscanf(m->value, "%x:%x#%u%c", &v, &dv, &nth, &tail) == 3;
		if (d->vendor_id != (int)v || d->device_id != (int)dv)
			return false;
		if (!indexed)
			return true;
		/* #N: the Nth such device (0-based) in PCI address order. */
		unsigned k = 0;
		for (size_t i = 0; i < h->n_devices; i++) {
			const vfctl_device *o = &h->devices[i];
			if (o->physfn || o->vendor_id != (int)v || o->device_id != (int)dv)
				continue;
			if (o == d)
				return k == nth;
			k++;
		}
	}
	return false;
}

static int resolve(vfctl_config *c, conf_unit *u, const vfctl_host *h, const vfctl_device **ret)
{
	const vfctl_device *found = NULL;
	char others[256] = "";
	size_t n = 0;

	if (u->n_match == 0)
		return config_error(c, u->loc,
				    "[%s] without Match=: say which device this is (pci:, name:, mac:, id:, path:)",
				    u->kind == UNIT_PF ? "PF" : "Device");
	for (size_t i = 0; i < h->n_devices; i++) {
		const vfctl_device *d = &h->devices[i];
		/* VFs are configured through their PF; a [Device] section may name one by its address
		 * (what vfctl bind builds), never by a rule that would match its siblings too. */
		bool all = !d->physfn || u->kind == UNIT_DEVICE;
		for (size_t j = 0; all && j < u->n_match; j++)
			all = (!d->physfn || streq(u->match[j].kind, "pci") || streq(u->match[j].kind, "path")) &&
			      rule_matches(d, &u->match[j], h);
		if (!all)
			continue;
		if (n++ == 0)
			found = d;
		size_t l = strlen(others);
		snprintf(others + l, sizeof(others) - l, "%s%s", l ? ", " : "", d->id);
	}
	if (n == 0) {
		/* Say which: at boot this line is what names a card that is gone. */
		char rules[256] = "";
		for (size_t j = 0; j < u->n_match; j++) {
			size_t l = strlen(rules);
			snprintf(rules + l, sizeof(rules) - l, "%s%s:%s", l ? " " : "", u->match[j].kind,
				 u->match[j].value);
		}
		return config_error(c, u->match[0].loc, "Match=%s matches no device on this host", rules);
	}
	if (n > 1)
		return config_error(c, u->match[0].loc,
				    "Match= matches %zu devices (%s): add a Match= line to pick one", n, others);
	*ret = found;
	return 0;
}

/* Messages name the key's line, not the VF: a [VF] section's mistake is one mistake. */
/* A port function capability (RoCE=, Migratable=) exists where the VF has a devlink port: in
 * switchdev mode, and only if the PF's driver reports it there (devlink shows each capability
 * its driver can get; netdevsim, ice and others report none). */
static int check_port_fn(vfctl_config *c, const vfctl_device *pf, const vfctl_vf *v, const vf_target *t,
			 vfctl_eswitch_mode want_esw)
{
	char msg[512];
	for (vf_flag f = 0; f < _VF_FLAG_MAX; f++) {
		if (!vf_flags[f].devlink_cap || t->flag[f] < 0)
			continue;
		bool switchdev = want_esw == VFCTL_ESWITCH_SWITCHDEV ||
				 (want_esw == VFCTL_ESWITCH_NONE && pf->eswitch_mode == VFCTL_ESWITCH_SWITCHDEV);
		if (!switchdev)
			snprintf(
				msg, sizeof(msg),
				"%s= is a capability of the VF's devlink port function, which exists in switchdev mode "
				"only: add EswitchMode=switchdev to the [PF] section",
				vf_flags[f].conf_key);
		else if (pf->eswitch_mode == VFCTL_ESWITCH_SWITCHDEV && v && v->representor &&
			 vf_flag_get(&v->settings, f) < 0)
			snprintf(msg, sizeof(msg),
				 "%s= cannot be set on %s (driver %s): its VF ports report no %s capability",
				 vf_flags[f].conf_key, pf->id, pf->driver ? pf->driver : pf->bus, vf_flags[f].word);
		else
			continue;
		return error_once(c, t->l_flag[f], msg);
	}
	return 0;
}

static int check_vf(vfctl_config *c, const vfctl_device *pf, const vf_target *t, int speed, bool switchdev)
{
	char msg[512], num[32];
	int r = 0;
	snprintf(num, sizeof(num), "%lld", (long long)t->min_tx_rate);
	if (t->min_tx_rate > 0)
		r = driver_refusal(c, pf, "MinTxRate", num, FACT_POSITIVE, switchdev, t->l_min_tx_rate);
	if (r >= 0 && t->vlan_proto == VFCTL_VLAN_PROTO_8021AD)
		r = driver_refusal(c, pf, "VLANProtocol", "802.1ad", FACT_QINQ, switchdev, t->l_vlan_proto);
	snprintf(num, sizeof(num), "%d", t->vlan);
	if (r >= 0 && t->vlan > 0)
		r = driver_refusal(c, pf, "VLANId", num, FACT_POSITIVE, switchdev, t->l_vlan);
	for (vf_flag f = 0; f < _VF_FLAG_MAX && r >= 0; f++)
		if (t->flag[f] >= 0)
			r = driver_refusal(c, pf, vf_flags[f].conf_key, vf_flag_conf_value(f, t->flag[f]),
					   vf_flags[f].link_state && t->flag[f] == IFLA_VF_LINK_STATE_ENABLE
						   ? FACT_ENABLE
						   : FACT_ANY,
					   switchdev, t->l_flag[f]);
	if (r >= 0 && t->min_tx_rate >= 0 && t->max_tx_rate > 0 && t->min_tx_rate > t->max_tx_rate) {
		snprintf(msg, sizeof(msg), "MinTxRate=%lld is above MaxTxRate=%lld", (long long)t->min_tx_rate,
			 (long long)t->max_tx_rate);
		r = error_once(c, t->l_min_tx_rate, msg);
	}
	/* Drivers refuse a VF rate above the PF's link speed (igb, ixgbe, i40e, ice, mlx5: EINVAL),
	 * mid-run, after the count change it follows: known now, it costs nothing. */
	if (r >= 0 && speed > 0 && (t->max_tx_rate > speed || t->min_tx_rate > speed)) {
		bool mx = t->max_tx_rate > speed;
		snprintf(msg, sizeof(msg), "%s=%lld is above the link speed of %s (%s, %d Mb/s): the driver refuses it",
			 mx ? "MaxTxRate" : "MinTxRate", (long long)(mx ? t->max_tx_rate : t->min_tx_rate), pf->id,
			 pf->netdevs[0].name, speed);
		r = error_once(c, mx ? t->l_max_tx_rate : t->l_min_tx_rate, msg);
	}
	if (r >= 0 && t->qos > 0 && t->vlan <= 0 && t->l_qos.line) {
		snprintf(msg, sizeof(msg), "QualityOfService= needs a VLANId= above 0");
		r = error_once(c, t->l_qos, msg);
	}
	if (r >= 0 && (t->owner >= 0 || t->group >= 0) && !driver_is_vfio(t->driver)) {
		snprintf(msg, sizeof(msg), "%s= sets who may open /dev/vfio/N: it needs Driver=vfio-pci",
			 t->owner >= 0 ? "Owner" : "Group");
		r = error_once(c, t->owner >= 0 ? t->l_owner : t->l_group, msg);
	}
	if (r >= 0 && t->vfio_variant >= 0 && !streq_ptr(t->driver, "vfio-pci"))
		r = error_once(
			c, t->l_vfio_variant,
			"VFIOVariant= chooses between vfio-pci and its variant driver: it needs Driver=vfio-pci");
	if (r >= 0 && t->mtu >= 0 && t->driver && (driver_is_vfio(t->driver) || streq(t->driver, "none"))) {
		snprintf(msg, sizeof(msg), "MTU= needs the VF's netdev, but Driver=%s gives it none", t->driver);
		r = error_once(c, t->l_mtu, msg);
	}
	return r;
}

/* MACAddress=persistent of VF i, derived now that its PF is known. Without a machine id (said once
 * per line by build_vfs) the VF gets no MAC target. */
static void derive_mac(const vfctl_host *h, const vfctl_device *pf, int i, vf_target *t)
{
	if (streq(t->mac, VF_MAC_PERSISTENT) && persistent_mac(h, pf, i, t->mac) < 0) {
		t->mac[0] = 0;
		t->l_mac = (conf_loc){0};
	}
}

/* expand false: only check the sections against the count (a count the PF cannot have gets no
 * per-VF targets: NumVFs=65535 would build them all). */
static int build_vfs(vfctl_config *c, const vfctl_host *h, conf_unit *u, const vfctl_device *pf, bool expand, int speed)
{
	int n = u->num_vfs >= 0 ? u->num_vfs : pf->num_vfs > 0 ? pf->num_vfs : 0;
	int r = 0;

	for (size_t s = 0; s < u->n_vf_sections; s++) {
		const vf_section *sec = &u->vf_sections[s];
		/* Someone else's VFs may not exist yet: a section past them waits for them (plan says so). */
		if (sec->hi >= n && u->num_vfs != NUMVFS_EXTERNAL) {
			char msg[160];
			if (sec->hi != sec->lo)
				snprintf(msg, sizeof(msg), "[VF:%d-%d] is beyond the VFs of %s: %s%d gives VFs 0..%d",
					 sec->lo, sec->hi, pf->id, u->num_vfs >= 0 ? "NumVFs=" : "sriov_numvfs ", n,
					 n - 1);
			else
				snprintf(msg, sizeof(msg), "[VF:%d] is beyond the VFs of %s: %s%d gives VFs 0..%d",
					 sec->lo, pf->id, u->num_vfs >= 0 ? "NumVFs=" : "sriov_numvfs ", n, n - 1);
			r = config_error(c, sec->loc, "%s", msg);
		}
	}
	for (size_t s = 0; r >= 0 && !h->machine_id && s < u->n_vf_sections; s++)
		if (streq(u->vf_sections[s].t.mac, VF_MAC_PERSISTENT))
			r = config_error(
				c, u->vf_sections[s].t.l_mac,
				"MACAddress=persistent derives VF MACs from the machine id, and "
				"/etc/machine-id is missing or not 32 hex digits (systemd-machine-id-setup writes "
				"one)");
	if (r < 0 || !expand)
		return r;
	bool switchdev = u->eswitch_mode == VFCTL_ESWITCH_SWITCHDEV ||
			 (u->eswitch_mode == VFCTL_ESWITCH_NONE && pf->eswitch_mode == VFCTL_ESWITCH_SWITCHDEV);
	u->vfs = n ? calloc((size_t)n, sizeof(*u->vfs)) : NULL;
	if (n && !u->vfs)
		return -ENOMEM;
	u->n_vfs = (size_t)n;
	for (int i = 0; i < n && r >= 0; i++) {
		vf_target_init(&u->vfs[i]);
		for (size_t s = 0; s < u->n_vf_sections && r >= 0; s++) {
			const vf_section *sec = &u->vf_sections[s];
			if (sec->lo < 0 || (i >= sec->lo && i <= sec->hi))
				r = vf_target_merge(&u->vfs[i], &sec->t);
		}
		if (r >= 0)
			derive_mac(h, pf, i, &u->vfs[i]);
		if (r >= 0)
			r = check_vf(c, pf, &u->vfs[i], speed, switchdev);
		if (r >= 0)
			r = check_port_fn(c, pf, (size_t)i < pf->n_vfs ? &pf->vfs[i] : NULL, &u->vfs[i],
					  u->eswitch_mode);
	}
	return r;
}

/* VFNetdevName= expanded with this PF's netdev for its last VF, the longest name: the kernel takes
 * IFNAMSIZ - 1 characters, and udevd logs a name it cannot set instead of failing the run. */
static int check_vf_netdev_name(vfctl_config *c, const conf_unit *u, const vfctl_device *d)
{
	const char *pf = d->n_netdevs ? d->netdevs[0].name : NULL;
	int n = u->num_vfs > 0 ? u->num_vfs : d->num_vfs > 0 ? d->num_vfs : d->total_vfs;
	char name[128];
	if (!pf && strstr(u->vf_netdev_name, "%p"))
		return config_error(
			c, u->l_vf_netdev_name,
			"VFNetdevName=%s: %%p is the PF's netdev, and %s has none in this network namespace",
			u->vf_netdev_name, d->id);
	if (altname_expand(u->vf_netdev_name, pf ? pf : "", n > 0 ? n - 1 : 0, name, sizeof(name)) < 0 ||
	    strlen(name) > 15)
		return config_error(c, u->l_vf_netdev_name,
				    "VFNetdevName=%s: \"%s\" for VF %d of %s is longer than a netdev name can be (15 "
				    "characters)",
				    u->vf_netdev_name, name, n > 0 ? n - 1 : 0, d->id);
	return 0;
}

static int check_pf(vfctl_ctx *ctx, vfctl_config *c, const vfctl_host *h, conf_unit *u, const vfctl_device *d)
{
	if (d->total_vfs < 0 && d->num_vfs < 0)
		return config_error(c, u->match[0].loc,
				    "%s is not an SR-IOV PF (no sriov_numvfs): use [Device] to pass "
				    "the whole device through",
				    d->id);
	/* The kernel writes these files itself: a value that is not a number (a broken driver, a
	 * tampered tree) is not guessed as 0, which would plan "0 -> N" over existing VFs. */
	bool pci = streq(d->bus, "pci"); /* netdevsim has sriov_numvfs only */
	const char *bad = d->num_vfs < 0            ? "sriov_numvfs"
			  : pci && d->total_vfs < 0 ? "sriov_totalvfs"
			  : pci && d->autoprobe < 0 ? "sriov_drivers_autoprobe"
						    : NULL;
	if (bad)
		return config_error(c, u->match[0].loc,
				    "/sys/%s/%s of %s is missing or not a number: nothing can be "
				    "planned for this PF",
				    d->syspath, bad, d->id);
	int r = 0;
	bool too_many = false;
	/* Every finding is reported, not just the first: the admin fixes them all in one edit. */
	if (u->num_vfs >= 0 && d->total_vfs >= 0 && u->num_vfs > d->total_vfs) {
		r = config_error(c, u->l_num_vfs, "NumVFs=%d exceeds sriov_totalvfs %d of %s", u->num_vfs, d->total_vfs,
				 d->id);
		too_many = true;
	}
	/* Only the running kernel can say whether the driver has an eswitch (devlink): on a fake tree
	 * the mode is unknown and the key passes. */
	if (r >= 0 && u->eswitch_mode >= 0 && d->eswitch_mode < 0 && ctx->set.use_netlink)
		r = config_error(c, u->l_eswitch_mode, "EswitchMode=%s: %s (driver %s) has no devlink eswitch",
				 vfctl_eswitch_mode_str(u->eswitch_mode), d->id, d->driver ? d->driver : "none");
	if (r >= 0 && u->rep_altname && u->eswitch_mode != VFCTL_ESWITCH_SWITCHDEV &&
	    d->eswitch_mode != VFCTL_ESWITCH_SWITCHDEV)
		r = config_error(c, u->l_rep_altname,
				 "RepresentorAltName= needs EswitchMode=switchdev: VFs have "
				 "representors only then");
	if (r >= 0 && u->num_vfs == NUMVFS_EXTERNAL && (u->autoprobe >= 0 || u->eswitch_mode >= 0))
		r = config_error(c, u->autoprobe >= 0 ? u->l_autoprobe : u->l_eswitch_mode,
				 "%s= with NumVFs=external: %s, and the VFs are not vfctl's to touch",
				 u->autoprobe >= 0 ? "AutoProbe" : "EswitchMode",
				 u->autoprobe >= 0
					 ? "sriov_drivers_autoprobe decides what binds VFs as they are created"
					 : "an eswitch mode change unbinds or re-creates the VFs");
	if (r >= 0 && (u->up >= 0 || u->mtu >= 0) && d->n_netdevs == 0)
		r = config_error(c, u->up >= 0 ? u->l_up : u->l_mtu,
				 "%s= needs the PF's netdev, and %s has none in this network namespace",
				 u->up >= 0 ? "Up" : "MTU", d->id);
	if (r >= 0 && u->vf_netdev_name)
		r = check_vf_netdev_name(c, u, d);
	/* bnxt_en: a count written while the PF is down is dropped without an error. */
	bool pf_down = d->n_netdevs && d->netdevs[0].flags >= 0 && !(d->netdevs[0].flags & IFF_UP);
	const driver_fact *f = driver_fact_blocking(d->driver, "NumVFs", FACT_CHANGE, false);
	if (r >= 0 && f && u->num_vfs >= 0 && u->num_vfs != d->num_vfs && pf_down && u->up != 1)
		r = config_error(c, u->l_num_vfs,
				 "NumVFs=%d needs the PF up, and %s (driver %s) is down: %s (%s); add Up=yes to this "
				 "[PF] section",
				 u->num_vfs, d->id, d->driver, f->why, f->source);
	if (r >= 0)
		r = build_vfs(c, h, u, d, !too_many, d->n_netdevs ? d->netdevs[0].speed : -1);
	return r < 0 || too_many ? r : nvme_targets(c, u, d);
}

typedef struct mac_use {
	const char *mac;
	size_t unit, vf;
	conf_loc loc;
} mac_use;

static int loc_cmp(conf_loc a, conf_loc b)
{
	int c = strcmp(a.file, b.file);
	return c ? c : a.line < b.line ? -1 : a.line > b.line;
}

static int mac_use_cmp(const void *x, const void *y)
{
	const mac_use *a = x, *b = y;
	int c = strcasecmp(a->mac, b->mac);
	if (!c)
		c = loc_cmp(a->loc, b->loc);
	if (!c)
		c = a->unit < b->unit ? -1 : a->unit > b->unit;
	return c ? c : a->vf < b->vf ? -1 : a->vf > b->vf;
}

/* Each MAC must be one VF's. Sorted, so equal MACs and, within them, the VFs one line configures
 * are neighbours: linear in the VFs, and one message per conflicting pair of lines (a [VF] line
 * giving one MAC to 65,535 VFs is one message, not 2 billion). */
static int check_macs(vfctl_config *c)
{
	_cleanup_free_ mac_use *uses = NULL;
	size_t n = 0, alloc = 0;
	int r = 0;
	for (size_t a = 0; a < c->n_units; a++)
		for (size_t i = 0; i < c->units[a].n_vfs; i++) {
			const vf_target *x = &c->units[a].vfs[i];
			if (!x->l_mac.line)
				continue;
			if (GROW(uses, alloc, n + 1) < 0)
				return -ENOMEM;
			uses[n++] = (mac_use){x->mac, a, i, x->l_mac};
		}
	if (n > 1)
		qsort(uses, n, sizeof(*uses), mac_use_cmp);
	for (size_t s = 0; s < n && r >= 0;) {
		size_t e = s + 1;
		while (e < n && strcasecmp(uses[e].mac, uses[s].mac) == 0)
			e++;
		/* The group's first line is the reference; every run of one line is compared with it. */
		for (size_t k = s; k < e && r >= 0;) {
			size_t run = k + 1;
			while (run < e && loc_cmp(uses[run].loc, uses[k].loc) == 0)
				run++;
			const mac_use *x = &uses[s], *y = &uses[k];
			if (run - k > 1)
				r = config_error(
					c, y->loc,
					"MACAddress=%s here is given to %zu VFs of %s (VF %zu, VF %zu%s): each "
					"VF needs its own",
					y->mac, run - k, c->units[y->unit].dev_id, y->vf, uses[k + 1].vf,
					run - k > 2 ? ", ..." : "");
			if (r >= 0 && k != s)
				r = config_error(c, y->loc,
						 "MACAddress=%s for VF %zu of %s is already VF %zu's (%s:%u)", y->mac,
						 y->vf, c->units[y->unit].dev_id, x->vf, x->loc.file, x->loc.line);
			k = run;
		}
		s = e;
	}
	return r;
}

static const vfctl_vdpa_mgmtdev *find_mgmtdev(const vfctl_host *h, const char *name)
{
	for (size_t i = 0; h->vdpa && i < h->vdpa->n_mgmtdevs; i++)
		if (streq(h->vdpa->mgmtdevs[i].name, name))
			return &h->vdpa->mgmtdevs[i];
	return NULL;
}

static int check_vdpa_unit(vfctl_ctx *ctx, vfctl_config *c, conf_unit *u, const vfctl_host *h)
{
	if (!u->vdpa_name)
		return config_error(c, u->loc, "[VDPA] without Name=");
	if (u->present && !u->vdpa_mgmtdev)
		return config_error(c, u->loc,
				    "[VDPA] without MgmtDev=: which management device creates it "
				    "(vdpa mgmtdev show; vfctl status --json: .vdpa.mgmtdevs)");
	for (size_t i = 0; i < c->n_units; i++)
		if (&c->units[i] != u && c->units[i].kind == UNIT_VDPA &&
		    streq_ptr(c->units[i].vdpa_name, u->vdpa_name) && &c->units[i] < u)
			return config_error(c, u->l_vdpa_name, "vDPA device %s is declared twice", u->vdpa_name);
	/* Only the running kernel knows its management devices. */
	if (u->present && ctx->set.use_netlink) {
		const vfctl_vdpa_mgmtdev *m = find_mgmtdev(h, u->vdpa_mgmtdev);
		if (!m)
			return config_error(c, u->l_vdpa_mgmtdev,
					    "MgmtDev=%s: no such vDPA management device on this host%s",
					    u->vdpa_mgmtdev,
					    h->vdpa && h->vdpa->available
						    ? ""
						    : " (the kernel has no vdpa netlink family: modprobe vdpa)");
		if (!(m->classes & (1u << 1)))
			return config_error(c, u->l_vdpa_mgmtdev, "MgmtDev=%s makes no virtio-net devices",
					    u->vdpa_mgmtdev);
	}
	if (!u->vdpa_driver && !(u->vdpa_driver = strdup("vhost_vdpa")))
		return -ENOMEM;
	return (u->dev_id = strdup(u->vdpa_name)) ? 0 : -ENOMEM;
}

/* VDPA= on VFs: their management devices appear when the vendor's vDPA driver takes the VFs
 * (mlx5_vdpa); a PF none of whose VFs has one, with a driver that never makes one, is an error. */
static int check_vf_vdpa(vfctl_ctx *ctx, vfctl_config *c, const conf_unit *u, const vfctl_device *pf,
			 const vfctl_host *h)
{
	static const char *const capable[] = {"mlx5_core"};
	conf_loc at = {0};
	for (size_t i = 0; i < u->n_vfs && !at.line; i++)
		if (u->vfs[i].vdpa)
			at = u->vfs[i].l_vdpa;
	if (!at.line || !ctx->set.use_netlink)
		return 0;
	for (size_t i = 0; i < pf->n_vfs; i++) {
		char name[64];
		snprintf(name, sizeof(name), "pci/%s", pf->vfs[i].id ? pf->vfs[i].id : "");
		if (find_mgmtdev(h, name))
			return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(capable); i++)
		if (streq_ptr(pf->driver, capable[i]))
			return 0;
	return config_error(c, at, "VDPA= on VFs of %s: no vDPA management device for them (driver %s makes none)",
			    pf->id, pf->driver ? pf->driver : "none");
}

/* OVSBridge= and OVSHardwareOffload= belong to a switchdev PF (legacy VFs have no representors to
 * be ports), and vfctl never moves a port from a bridge it was not asked about. An Open vSwitch
 * that does not answer yet is no error: at boot vfctl runs before ovsdb-server, whose database
 * keeps the bridge across reboots anyway (apply says so). */
static int check_ovs(vfctl_config *c, const conf_unit *u, const vfctl_device *d, const vfctl_host *h)
{
	bool br = u->ovs_bridge != NULL;
	conf_loc l = br ? u->l_ovs_bridge : u->l_ovs_hw_offload;
	if (!br && u->ovs_hw_offload < 0)
		return 0;
	if (u->eswitch_mode != VFCTL_ESWITCH_SWITCHDEV &&
	    !(u->eswitch_mode == VFCTL_ESWITCH_NONE && d->eswitch_mode == VFCTL_ESWITCH_SWITCHDEV))
		return config_error(c, l,
				    "%s= needs EswitchMode=switchdev: only then has the PF an uplink and VF "
				    "representors for Open vSwitch to switch between",
				    br ? "OVSBridge" : "OVSHardwareOffload");
	if (br && d->n_netdevs == 0)
		return config_error(c, l, "OVSBridge=%s: %s has no netdev in this network namespace to be the uplink",
				    u->ovs_bridge, d->id);
	for (size_t i = 0; br && h->ovs && i <= d->n_vfs; i++) {
		const char *n = i == 0 ? d->netdevs[0].name : d->vfs[i - 1].representor;
		const vfctl_ovs_port *p = NULL;
		for (size_t k = 0; n && k < h->ovs->n_ports && !p; k++)
			if (streq(h->ovs->ports[k].name, n) && h->ovs->ports[k].bridge &&
			    !streq(h->ovs->ports[k].bridge, u->ovs_bridge))
				p = &h->ovs->ports[k];
		if (p)
			return config_error(c, l,
					    "OVSBridge=%s: %s is a port of bridge %s, which this file does not name: "
					    "vfctl does not take ports from another bridge (ovs-vsctl del-port %s %s)",
					    u->ovs_bridge, n, p->bridge, p->bridge, n);
	}
	return 0;
}

static bool switchdev_asked(const conf_unit *u, const vfctl_device *d)
{
	return u->eswitch_mode == VFCTL_ESWITCH_SWITCHDEV ||
	       (u->eswitch_mode == VFCTL_ESWITCH_NONE && d->eswitch_mode == VFCTL_ESWITCH_SWITCHDEV);
}

/* [RateGroup] sections and the VFs' RateGroup=: devlink rate nodes exist in switchdev mode only,
 * each has a name of its own, and a VF names a group this file declares. */
static int check_rate_groups(vfctl_config *c, const conf_unit *u, const vfctl_device *d)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < u->n_rate_groups; i++) {
		const rate_group_target *g = &u->rate_groups[i];
		if (!g->name)
			r = config_error(c, g->loc, "[RateGroup] without Name=");
		else if (!switchdev_asked(u, d))
			r = config_error(c, g->loc,
					 "[RateGroup] is a devlink rate node, which exists in switchdev mode only: add "
					 "EswitchMode=switchdev to the [PF] section");
		else if (g->min_tx_rate > 0 && g->max_tx_rate > 0 && g->min_tx_rate > g->max_tx_rate)
			r = config_error(c, g->l_min_tx_rate, "MinTxRate=%lld exceeds MaxTxRate=%lld of group %s",
					 (long long)g->min_tx_rate, (long long)g->max_tx_rate, g->name);
		for (size_t k = 0; r >= 0 && g->name && k < i; k++)
			if (streq_ptr(u->rate_groups[k].name, g->name))
				r = config_error(c, g->l_name, "[RateGroup] %s is declared twice (also line %u)",
						 g->name, u->rate_groups[k].loc.line);
	}
	for (size_t i = 0; r >= 0 && i < u->n_vf_sections; i++) {
		const vf_target *t = &u->vf_sections[i].t;
		bool known = false;
		if (!t->rate_group)
			continue;
		for (size_t k = 0; k < u->n_rate_groups && !known; k++)
			known = streq_ptr(u->rate_groups[k].name, t->rate_group);
		if (!known)
			r = config_error(c, t->l_rate_group,
					 "RateGroup=%s: no [RateGroup] section with Name=%s in this file",
					 t->rate_group, t->rate_group);
	}
	return r;
}

int config_validate(vfctl_ctx *ctx, vfctl_config *c, const vfctl_host *h)
{
	int r = 0;
	/* Validating again (apply re-checks against the host as it is when it starts) starts over:
	 * earlier validation errors and derived state go, parse errors stay. */
	for (size_t i = c->n_parse_errors; i < c->n_errors; i++)
		free(c->errors[i]);
	c->n_errors = c->n_parse_errors;
	for (size_t i = 0; i < c->n_units; i++) {
		conf_unit *u = &c->units[i];
		free(u->dev_id);
		u->dev_id = NULL;
		for (size_t j = 0; j < u->n_vfs; j++)
			vf_target_done(&u->vfs[j]);
		free(u->vfs);
		u->vfs = NULL;
		u->n_vfs = 0;
	}
	for (size_t i = 0; i < c->n_units && r >= 0; i++) {
		conf_unit *u = &c->units[i];
		const vfctl_device *d = NULL;
		size_t before = c->n_errors;
		if (u->kind == UNIT_VDPA) {
			r = check_vdpa_unit(ctx, c, u, h);
			continue;
		}
		r = resolve(c, u, h, &d);
		if (r < 0 || c->n_errors > before)
			continue;
		for (size_t j = 0; j < i; j++)
			if (c->units[j].dev_id && streq(c->units[j].dev_id, d->id)) {
				r = config_error(c, u->match[0].loc, "%s is configured twice (also %s:%u)", d->id,
						 c->units[j].loc.file, c->units[j].loc.line);
				d = NULL;
				break;
			}
		if (!d)
			continue;
		if (!(u->dev_id = strdup(d->id)))
			return -ENOMEM;
		if (u->kind == UNIT_PF && (r = check_pf(ctx, c, h, u, d)) >= 0 && (r = check_ovs(c, u, d, h)) >= 0 &&
		    (r = check_rate_groups(c, u, d)) >= 0)
			r = check_vf_vdpa(ctx, c, u, d, h);
		else if (!u->driver)
			r = config_error(c, u->loc, "[Device] without Driver=: say which driver %s should have", d->id);
		else if ((u->owner >= 0 || u->group >= 0) && !driver_is_vfio(u->driver))
			r = config_error(c, u->owner >= 0 ? u->l_owner : u->l_group,
					 "%s= sets who may open /dev/vfio/N: it needs Driver=vfio-pci",
					 u->owner >= 0 ? "Owner" : "Group");
		else if (u->vfio_variant >= 0 && !streq(u->driver, "vfio-pci"))
			r = config_error(c, u->l_vfio_variant,
					 "VFIOVariant= chooses between vfio-pci and its variant driver: it needs "
					 "Driver=vfio-pci");
	}
	if (r >= 0)
		r = check_macs(c);
	return r;
}

static void error_key(const vfctl_config *c, const char *e, size_t *file, unsigned long *line)
{
	for (size_t i = 0; i < c->n_files; i++) {
		size_t n = strlen(c->files[i]);
		if (strncmp(e, c->files[i], n) == 0 && e[n] == ':') {
			*file = i;
			*line = strtoul(e + n + 1, NULL, 10);
			return;
		}
	}
	*file = SIZE_MAX;
	*line = 0;
}

static int cmp_error(const void *a, const void *b, void *c)
{
	size_t fa, fb;
	unsigned long la, lb;
	error_key(c, *(char *const *)a, &fa, &la);
	error_key(c, *(char *const *)b, &fb, &lb);
	if (fa != fb)
		return fa < fb ? -1 : 1;
	return la < lb ? -1 : la > lb;
}

/* The unit a FILE:LINE falls in: the last one of that file starting at or before the line. */
static const conf_unit *unit_at(const vfctl_config *c, size_t file, unsigned long line)
{
	const conf_unit *best = NULL;
	for (size_t i = 0; file < c->n_files && line && i < c->n_units; i++) {
		const conf_unit *u = &c->units[i];
		if (u->loc.file == c->files[file] && u->loc.line <= line && (!best || u->loc.line > best->loc.line))
			best = u;
	}
	return best;
}

static bool file_has_units(const vfctl_config *c, size_t file)
{
	for (size_t i = 0; file < c->n_files && i < c->n_units; i++)
		if (c->units[i].loc.file == c->files[file])
			return true;
	return false;
}

/* An error outside every section of a file (a comment that is not UTF-8 above [PF], the file's
 * owner) makes the whole file suspect: it counts for each of its units, so at boot that file is
 * skipped and the other files still applied. Global: an error that names no file. */
size_t config_unit_errors(const vfctl_config *c, size_t ui, size_t *ret_global, size_t *ret_unitless)
{
	size_t n = 0, global = 0, unitless = 0;
	for (size_t i = 0; i < c->n_errors; i++) {
		size_t file;
		unsigned long line;
		error_key(c, c->errors[i], &file, &line);
		const conf_unit *u = unit_at(c, file, line);
		if (file == SIZE_MAX)
			global++;
		else if (!file_has_units(c, file))
			unitless++;
		else if (ui < c->n_units && (u ? u == &c->units[ui] : c->units[ui].loc.file == c->files[file]))
			n++;
	}
	if (ret_global)
		*ret_global = global;
	if (ret_unitless)
		*ret_unitless = unitless;
	return n;
}

int vfctl_config_validate(vfctl_ctx *ctx, vfctl_config *c, const vfctl_host *h)
{
	int r = config_validate(ctx, c, h);
	/* Parse and validation errors together, in the order an editor shows them. qsort is not
	 * stable: equal keys are different messages on one line, any order is right. */
	if (c->n_errors > 1)
		qsort_r(c->errors, c->n_errors, sizeof(*c->errors), cmp_error, c);
	if (r < 0)
		return ctx_error(ctx, r, "validating the configuration");
	return c->n_errors ? -EINVAL : 0;
}
