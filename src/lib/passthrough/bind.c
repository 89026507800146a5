/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl bind / unbind / restore: driver_override + unbind + drivers_probe (never new_id), group
 * rules first, the original driver recorded so restore can put it back. */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <stdarg.h>
#include <stdio.h>

#include "driver.h"
#include "files.h"
#include "guard.h"
#include "link.h"
#include "lock.h"
#include "parse.h"
#include "pci.h"
#include "relations.h"
#include "report.h"
#include "strbuf.h"
#include "vf-flags.h"

typedef struct binder {
	vfctl_ctx *ctx;
	const vfctl_bind_opts *o;
	vfctl_host *h;
	const vfctl_device **set;
	size_t n;
	guard g; /* what the host and VMs hold, read once per command */
} binder;

_printf_(2, 3) static void say(binder *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_linev(b->o->report, b->o->userdata, fmt, ap);
	va_end(ap);
}

/* --- records ----------------------------------------------------------------------------------- */

typedef struct bind_record {
	char driver[64];   /* "" for none */
	char override[64]; /* driver_override before vfctl, "" for none */
	char pf[32];       /* for VFs: the PF and the VF's settings on it */
	int vf;
	vfctl_vf_settings s;
} bind_record;

static void record_path(const vfctl_ctx *ctx, const char *dev, char *buf, size_t n)
{
	snprintf(buf, n, "%s/vfctl/bind/%s", ctx_run_dir(ctx), dev);
}

static int record_read(const vfctl_ctx *ctx, const char *dev, bind_record *r)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	record_path(ctx, dev, path, sizeof(path));
	int k = file_read_text(path, &text);
	if (k < 0)
		return k;
	*r = (bind_record){.vf = -1};
	vf_settings_init(&r->s);
	/* The journal's key=value format (kv_next: reentrant, a cut last line dropped); a number
	 * that does not parse stays unknown (-1) and is not restored. */
	char *cur = text, *key, *v;
	int f, k2;
	kv_complete(text);
	while ((k2 = kv_next(&cur, &key, &v)) > 0) {
		if (streq(key, "driver"))
			snprintf(r->driver, sizeof(r->driver), "%s", v);
		else if (streq(key, "override"))
			snprintf(r->override, sizeof(r->override), "%s", v);
		else if (streq(key, "pf"))
			snprintf(r->pf, sizeof(r->pf), "%s", v);
		else if (streq(key, "vf") && parse_int(v, &r->vf) < 0)
			r->vf = -1;
		else if (streq(key, "mac")) {
			snprintf(r->s.mac, sizeof(r->s.mac), "%s", v);
			r->s.valid = true;
		} else if (streq(key, "vlan") && parse_int(v, &r->s.vlan) < 0)
			r->s.vlan = -1;
		else if (streq(key, "qos") && parse_int(v, &r->s.qos) < 0)
			r->s.qos = -1;
		else if (streq(key, "vlan_proto") && parse_int(v, &r->s.vlan_proto) < 0)
			r->s.vlan_proto = -1;
		else if ((f = vf_flag_by_key(key)) >= 0) {
			int x;
			vf_flag_set(&r->s, f, parse_int(v, &x) < 0 ? -1 : x);
		}
	}
	return 0;
}

/* Written once: a second bind must not overwrite what the device had before vfctl took it. */
static int record_write(binder *b, const vfctl_device *d)
{
	char path[PATH_MAX];
	bind_record old;
	_cleanup_free_ char *ov = NULL, *text = NULL, *vf = NULL;
	if (record_read(b->ctx, d->id, &old) == 0)
		return 0;
	record_path(b->ctx, d->id, path, sizeof(path));
	(void)sysfs_readf(b->ctx->fs, &ov, "%s/driver_override", d->syspath);
	const vfctl_device *pf = d->physfn ? vfctl_host_find(b->h, d->physfn) : NULL;
	if (pf && d->vf_index >= 0 && (size_t)d->vf_index < pf->n_vfs) {
		/* Everything a guest given the VF (trusted, say) may change, or a VM's manager set. */
		const vfctl_vf_settings *s = &pf->vfs[d->vf_index].settings;
		strbuf t = {0};
		strbuf_add(&t, "pf=%s\nvf=%d\n", pf->id, d->vf_index);
		if (s->valid) {
			strbuf_add(&t, "mac=%s\nvlan=%d\nqos=%d\nvlan_proto=%d\n", s->mac, s->vlan, s->qos,
				   s->vlan_proto);
			for (vf_flag f = 0; f < _VF_FLAG_MAX; f++)
				strbuf_add(&t, "%s=%d\n", vf_flags[f].key, vf_flag_get(s, f));
		}
		if (t.error)
			return t.error;
		vf = t.s;
	}
	if (asprintf(&text, "driver=%s\noverride=%s\n%s", d->driver ? d->driver : "",
		     ov && !streq(ov, "(null)") ? ov : "", vf ? vf : "") < 0)
		return -ENOMEM;
	int r = file_write_text(path, text);
	return r < 0 ? ctx_error(b->ctx, r, "cannot write %s", path) : 0;
}

/* --- who must not be taken from the host ------------------------------------------------------- */

/* bind's own rule on top of the guard: a PF whose VFs have any driver is not handed over (its
 * driver's removal destroys them), even when nothing else holds them. */
static int vfs_bound(const vfctl_device *d, char **ret)
{
	*ret = NULL;
	for (size_t i = 0; i < d->n_vfs; i++)
		if (d->vfs[i].driver)
			return asprintf(ret, "%s is a PF whose VFs are in use (VF %zu is bound to %s)", d->id, i,
					d->vfs[i].driver) < 0
				       ? -ENOMEM
				       : 0;
	return 0;
}

/* The guard's verdict on d: what the host needs is refused even with --force, what a VM or a
 * process holds is refused unless --force. */
static int guarded(binder *b, const vfctl_device *d)
{
	_cleanup_free_ char *why = NULL;
	guard_level level;
	int r = guard_device(&b->g, d, &level, &why);
	if (r < 0)
		return r;
	if (level == GUARD_HOST_NEEDS)
		return ctx_error(b->ctx, -EPERM, "refusing: %s", why);
	if (why && !b->o->force)
		return ctx_error(b->ctx, -EBUSY, "refusing: %s (use --force to go ahead anyway)", why);
	if (why)
		say(b, "%s: in use, going ahead (--force): %s", d->id, why);
	return 0;
}

/* --- the set of devices ------------------------------------------------------------------------ */

static bool in_set(binder *b, const vfctl_device *d)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->set[i] == d)
			return true;
	return false;
}

static int set_add(binder *b, const vfctl_device *d)
{
	if (in_set(b, d))
		return 0;
	const vfctl_device **n = realloc(b->set, (b->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	b->set = n;
	n[b->n++] = d;
	return 0;
}

static int resolve_set(binder *b, char *const *devices, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const vfctl_device *d;
		int vf, r = vfctl_host_resolve(b->h, devices[i], &d, &vf);
		if (r < 0 || vf >= 0 || !streq(d->bus, "pci"))
			return ctx_error(b->ctx, -ENODEV, "%s: no such PCI device", devices[i]);
		if ((r = set_add(b, d)) < 0)
			return r;
	}
	if (b->o->all_functions)
		for (size_t i = 0, n0 = b->n; i < n0; i++) {
			for (size_t k = 0; k < b->h->n_devices; k++) {
				const vfctl_device *f = &b->h->devices[k];
				if (same_slot(f, b->set[i]) && set_add(b, f) < 0)
					return -ENOMEM;
			}
		}
	return 0;
}

/* Every endpoint of each device's IOMMU group is in the set, or --group adds it; bridges stay. */
static int check_groups(binder *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const vfctl_device *d = b->set[i];
		size_t *idx = NULL, np = 0;
		char others[512] = "";
		if (d->iommu_group < 0)
			return ctx_error(b->ctx, -ENXIO,
					 "%s has no IOMMU group: the IOMMU is off (vfctl doctor says how "
					 "to turn it on); vfctl never falls back to no-IOMMU mode",
					 d->id);
		if (vfctl_host_group_peers(b->h, d, &idx, &np) < 0)
			return -ENOMEM;
		for (size_t k = 0; k < np; k++) {
			const vfctl_device *p = &b->h->devices[idx[k]];
			if (p->is_bridge || in_set(b, p))
				continue;
			if (b->o->group) {
				if (set_add(b, p) < 0) {
					free(idx);
					return -ENOMEM;
				}
				continue;
			}
			size_t l = strlen(others);
			snprintf(others + l, sizeof(others) - l, "%s%s (%s)", l ? ", " : "", p->id,
				 p->driver ? p->driver : "no driver");
		}
		free(idx);
		if (others[0])
			return ctx_error(b->ctx, -EPERM,
					 "%s shares IOMMU group %d with %s: VFIO takes a group whole; "
					 "bind them too with --group, or move the card to a slot with its own group",
					 d->id, d->iommu_group, others);
	}
	return 0;
}

static int check_safety(binder *b)
{
	int r = 0;
	for (size_t i = 0; i < b->n && r >= 0; i++) {
		_cleanup_free_ char *why = NULL;
		if ((r = vfs_bound(b->set[i], &why)) >= 0 && why)
			r = ctx_error(b->ctx, -EPERM, "refusing: %s", why);
		if (r >= 0)
			r = guarded(b, b->set[i]);
	}
	return r;
}

/* --- operations -------------------------------------------------------------------------------- */

static int chown_group(binder *b, const vfctl_device *d)
{
	char path[PATH_MAX], grp[16];
	if (b->o->owner < 0 && b->o->group_id < 0)
		return 0;
	snprintf(grp, sizeof(grp), "%d", d->iommu_group);
	ctx_vfio_node(b->ctx, grp, path, sizeof(path));
	int r = ctx_check_writable(b->ctx, path);
	if (r >= 0)
		r = file_chown(path, b->o->owner, b->o->group_id);
	if (r < 0)
		return ctx_error(b->ctx, r, "chown %s", path);
	say(b, "%s: %s owned by %d:%d", d->id, path, b->o->owner, b->o->group_id);
	return 0;
}

static int load_host(binder *b)
{
	return vfctl_host_scan(b->ctx, &b->h);
}

/* Puts one device back as its record says. */
static int restore_one(binder *b, const char *id)
{
	bind_record rec;
	char path[PATH_MAX];
	int r = record_read(b->ctx, id, &rec);
	if (r < 0)
		return ctx_error(b->ctx, r, "%s: vfctl has no record of it (it did not bind it)", id);
	_cleanup_free_ char *cur = pci_driver_of(b->ctx, id);
	if (!streq_ptr(cur, rec.driver[0] ? rec.driver : NULL)) {
		/* Giving a device back takes it from whoever has it now: a VM on its VFIO group. */
		const vfctl_device *d = vfctl_host_find(b->h, id);
		if (d && (r = guarded(b, d)) < 0)
			return r;
		if (cur && (r = pci_unbind(b->ctx, id)) < 0)
			return r;
		snprintf(path, sizeof(path), "bus/pci/devices/%s/driver_override", id);
		if (rec.driver[0]) {
			if ((r = module_load(b->ctx, b->h->kernel_release, rec.driver)) < 0 ||
			    (r = pci_bind(b->ctx, id, rec.driver, false)) < 0)
				return r;
		}
	}
	snprintf(path, sizeof(path), "bus/pci/devices/%s/driver_override", id);
	if ((r = sysfs_set(b->ctx, path, rec.override[0] ? rec.override : "\n")) < 0)
		return r;
	/* A VF comes back with the settings it had before a VM got it: a trusted guest may have
	 * changed its MAC. */
	const vfctl_device *pf = rec.pf[0] ? vfctl_host_find(b->h, rec.pf) : NULL;
	if (pf && rec.s.valid && rec.vf >= 0 && pf->n_netdevs) {
		int ifindex = sysfs_int(b->ctx->fs, "class/net/%s/ifindex", pf->netdevs[0].name);
		const vfctl_vf_settings *now = (size_t)rec.vf < pf->n_vfs ? &pf->vfs[rec.vf].settings : NULL;
		if (now && now->valid && !streq(now->mac, rec.s.mac)) {
			struct ifla_vf_mac m = {.vf = (uint32_t)rec.vf};
			if (parse_mac(rec.s.mac, m.mac) >= 0 &&
			    (r = link_vf_set(b->ctx, ifindex, IFLA_VF_MAC, &m, sizeof(m))) < 0)
				return r;
			say(b, "%s: VF MAC back to %s", id, rec.s.mac);
		}
		/* The port VLAN (a VM's manager sets one: libvirt's <vlan>), in the form that carries the
		 * protocol only when it is 802.1ad, as apply writes it. */
		if (now && now->valid && rec.s.vlan >= 0 && rec.s.qos >= 0 &&
		    (now->vlan != rec.s.vlan || now->qos != rec.s.qos ||
		     (rec.s.vlan > 0 && rec.s.vlan_proto > 0 && now->vlan_proto != rec.s.vlan_proto))) {
			if (rec.s.vlan > 0 && rec.s.vlan_proto == VFCTL_VLAN_PROTO_8021AD) {
				struct ifla_vf_vlan_info v = {.vf = (uint32_t)rec.vf,
							      .vlan = (uint32_t)rec.s.vlan,
							      .qos = (uint32_t)rec.s.qos,
							      .vlan_proto = htons(VFCTL_VLAN_PROTO_8021AD)};
				r = link_vf_set(b->ctx, ifindex, IFLA_VF_VLAN_LIST, &v, sizeof(v));
			} else {
				struct ifla_vf_vlan v = {.vf = (uint32_t)rec.vf,
							 .vlan = (uint32_t)rec.s.vlan,
							 .qos = (uint32_t)rec.s.qos};
				r = link_vf_set(b->ctx, ifindex, IFLA_VF_VLAN, &v, sizeof(v));
			}
			if (r < 0)
				return r;
			say(b, "%s: VF VLAN back to %d, QoS %d", id, rec.s.vlan, rec.s.qos);
		}
		/* Every flag knob the record has and the VF no longer does (spoof checking, trust, ...). */
		for (vf_flag f = 0; now && now->valid && f < _VF_FLAG_MAX; f++) {
			int want = vf_flag_get(&rec.s, f), have = vf_flag_get(now, f);
			if (want < 0 || have < 0 || want == have)
				continue;
			struct ifla_vf_trust t = {.vf = (uint32_t)rec.vf, .setting = (uint32_t)want};
			if ((r = link_vf_set(b->ctx, ifindex, vf_flags[f].ifla, &t, sizeof(t))) < 0)
				return r;
		}
	}
	record_path(b->ctx, id, path, sizeof(path));
	(void)file_remove(path);
	say(b, "%s: restored to %s", id, rec.driver[0] ? rec.driver : "no driver");
	return 0;
}

static int do_bind(binder *b, bool unbind_only)
{
	const char *drv = b->o->driver ? b->o->driver : "vfio-pci";
	size_t done = 0;
	int r = 0;
	for (; done < b->n && r >= 0; done++) {
		const vfctl_device *d = b->set[done];
		if (unbind_only ? !d->driver : streq_ptr(d->driver, drv)) {
			say(b, "%s: already %s%s", d->id, unbind_only ? "unbound" : "bound to ",
			    unbind_only ? "" : drv);
			continue;
		}
		if ((r = record_write(b, d)) < 0)
			break;
		if (d->driver && (r = pci_unbind(b->ctx, d->id)) < 0)
			break;
		if (unbind_only) {
			say(b, "%s: unbound from %s", d->id, d->driver);
			continue;
		}
		if ((r = module_load(b->ctx, b->h->kernel_release, drv)) < 0 ||
		    (r = pci_bind(b->ctx, d->id, drv, true)) < 0)
			break;
		say(b, "%s: %s -> %s", d->id, d->driver ? d->driver : "no driver", drv);
		if (streq(drv, "vfio-pci") && (r = chown_group(b, d)) < 0)
			break;
	}
	if (r < 0) {
		/* Never leave a group half taken: what this run bound goes back. */
		say(b, "failed: %s; putting back what this run changed", vfctl_ctx_error(b->ctx));
		char err[sizeof(b->ctx->error)];
		snprintf(err, sizeof(err), "%s", b->ctx->error);
		for (size_t i = done + 1; i-- > 0;)
			(void)restore_one(b, b->set[i]->id);
		snprintf(b->ctx->error, sizeof(b->ctx->error), "%s", err);
	}
	return r;
}

static int run_op(vfctl_ctx *ctx, char *const *devices, size_t n, const vfctl_bind_opts *o, int op)
{
	vfctl_bind_opts def = {.owner = -1, .group_id = -1};
	binder b = {.ctx = ctx, .o = o ? o : &def};
	if (!ctx->use_netlink)
		return ctx_error(ctx, -EOPNOTSUPP, "bind, unbind and restore need the running kernel (sysfs at /sys)");
	int lock = run_lock(ctx, ctx_run_dir(ctx), RUN_LOCK_WAIT_S, b.o->report, b.o->userdata), r;
	if (lock < 0)
		return lock;
	if ((r = load_host(&b)) < 0)
		goto out;
	guard_init(&b.g, ctx, b.h);
	if (op == 2) { /* restore */
		char **all = NULL;
		size_t na = 0;
		char dir[PATH_MAX];
		if (n == 0) {
			snprintf(dir, sizeof(dir), "%s/vfctl/bind", ctx_run_dir(ctx));
			int k = dir_list(dir, NULL, &all, &na);
			if (k < 0 && k != -ENOENT)
				r = ctx_error(ctx, k, "cannot list %s", dir);
			if (na == 0 && r >= 0)
				say(&b, "nothing to restore: vfctl holds no device");
		}
		for (size_t i = 0; r >= 0 && i < (n ? n : na); i++) {
			const vfctl_device *d;
			int vf;
			const char *arg = n ? devices[i] : all[i];
			if (vfctl_host_resolve(b.h, arg, &d, &vf) < 0 || vf >= 0)
				r = ctx_error(ctx, -ENODEV, "%s: no such PCI device", arg);
			else
				r = restore_one(&b, d->id);
		}
		strv_free_n(all, na);
		goto out;
	}
	if ((r = resolve_set(&b, devices, n)) < 0 || (r = check_groups(&b)) < 0 || (r = check_safety(&b)) < 0)
		goto out;
	r = do_bind(&b, op == 1);
out:
	guard_done(&b.g);
	free(b.set);
	vfctl_host_free(b.h);
	close(lock);
	return r;
}

static int run(vfctl_ctx *ctx, char *const *devices, size_t n, const vfctl_bind_opts *o, int op)
{
	static const char *const what[] = {"binding", "unbinding", "restoring"};
	unsigned since = ctx->n_errors;
	return ctx_ensure_error(ctx, since, run_op(ctx, devices, n, o, op), what[op]);
}

int vfctl_bind(vfctl_ctx *ctx, char *const *devices, size_t n, const vfctl_bind_opts *o)
{
	return run(ctx, devices, n, o, 0);
}

int vfctl_unbind(vfctl_ctx *ctx, char *const *devices, size_t n, const vfctl_bind_opts *o)
{
	return run(ctx, devices, n, o, 1);
}

int vfctl_restore(vfctl_ctx *ctx, char *const *devices, size_t n, const vfctl_bind_opts *o)
{
	return run(ctx, devices, n, o, 2);
}
