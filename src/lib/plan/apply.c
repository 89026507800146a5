/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apply: one host-wide lock, a journal of the prior state under /run/vfctl, each step one kernel
 * change, a re-plan after the last step (verify), and on any failure a rollback that plans from
 * the host as it is back to the journaled state. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <linux/devlink.h>

#include "devlink.h"
#include "driver.h"
#include "files.h"
#include "holders.h"
#include "json-writer.h"
#include "lock.h"
#include "link.h"
#include "pci.h"
#include "parse.h"
#include "plan.h"
#include "vdpa.h"

typedef struct applier {
	vfctl_ctx *ctx;
	const vfctl_apply_opts *o;
	const char *rundir;
	int fail_at; /* VFCTL_TEST_FAIL_STEP: the test-only fault hook, 0 off */
	int counter; /* steps run so far (rollback steps not counted) */
} applier;

_printf_(2, 3) static void say(applier *a, const char *fmt, ...)
{
	char *line = NULL;
	va_list ap;
	if (!a->o->report)
		return;
	va_start(ap, fmt);
	int r = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (r >= 0)
		a->o->report(a->o->userdata, line);
	free(line);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* --- lock and journal ------------------------------------------------------------------------ */

static void journal_path(applier *a, const char *dev, char *buf, size_t n)
{
	snprintf(buf, n, "%s/vfctl/journal/%s.json", a->rundir, dev);
}

/* The prior state of a unit, written before its first change: what a rollback restores, and what
 * an admin can read if vfctl itself dies mid-way. */
static int journal_write(applier *a, const conf_unit *prior)
{
	char path[PATH_MAX], *doc = NULL;
	json_writer w = {0};
	journal_path(a, prior->dev_id, path, sizeof(path));

	json_open_object(&w, NULL);
	json_string(&w, "device", prior->dev_id);
	json_int_or_null(&w, "num_vfs", prior->num_vfs);
	json_tristate(&w, "autoprobe", prior->autoprobe);
	json_tristate(&w, "up", prior->up);
	json_int_or_null(&w, "mtu", prior->mtu);
	json_string(&w, "driver", prior->driver);
	json_open_array(&w, "vfs");
	for (size_t i = 0; i < prior->n_vfs; i++) {
		const vf_target *v = &prior->vfs[i];
		json_open_object(&w, NULL);
		json_string(&w, "mac", v->mac[0] ? v->mac : NULL);
		json_int_or_null(&w, "vlan", v->vlan);
		json_int_or_null(&w, "qos", v->qos);
		json_tristate(&w, "spoofchk", v->spoofchk);
		json_tristate(&w, "trust", v->trust);
		json_int_or_null(&w, "link_state", v->link_state);
		json_int_or_null(&w, "min_tx_rate", v->min_tx_rate);
		json_int_or_null(&w, "max_tx_rate", v->max_tx_rate);
		json_string(&w, "driver", v->driver);
		json_close_object(&w);
	}
	json_close_array(&w);
	json_close_object(&w);
	int r = json_finish(&w, &doc);
	if (r < 0)
		return r;
	r = file_write_text(path, doc);
	free(doc);
	return r < 0 ? ctx_error(a->ctx, r, "cannot write the journal %s", path) : 0;
}

static void journal_remove(applier *a, const char *dev)
{
	char path[PATH_MAX];
	journal_path(a, dev, path, sizeof(path));
	(void)file_remove(path);
}

/* --- executing one step ---------------------------------------------------------------------- */

static int pf_ifindex(applier *a, const vfctl_device *pf)
{
	if (!pf->n_netdevs)
		return ctx_error(a->ctx, -ENODEV, "%s has no netdev in this network namespace", pf->id);
	int i = sysfs_int(a->ctx->fs, "class/net/%s/ifindex", pf->netdevs[0].name);
	return i > 0 ? i : ctx_error(a->ctx, -ENODEV, "%s: netdev %s is gone", pf->id, pf->netdevs[0].name);
}

static int vf_address(applier *a, const vfctl_device *pf, int vf, char **ret)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/virtfn%d", pf->syspath, vf);
	int r = sysfs_link_name(a->ctx->fs, path, ret);
	return r < 0 ? ctx_error_fs(a->ctx, r, "VF not found") : 0;
}

static void tick(void *userdata, unsigned secs)
{
	say(userdata, "      ... the kernel is still working (%u s)", secs);
}

static int wait_vfs(applier *a, const vfctl_device *pf, int n)
{
	char path[PATH_MAX];
	if (!streq(pf->bus, "pci"))
		return 0;
	for (int waited = 0;; waited += 50) {
		snprintf(path, sizeof(path), "%s/virtfn%d", pf->syspath, n - 1);
		if (n == 0 || sysfs_exists(a->ctx->fs, path))
			return 0;
		if (waited >= 30000)
			return ctx_error(a->ctx, -ETIMEDOUT, "%s: VF %d did not appear within 30 s", pf->id, n - 1);
		usleep(50 * 1000);
	}
}

static int vf_netdev_ifindex(applier *a, const char *vf)
{
	char path[PATH_MAX], **names = NULL;
	size_t n = 0;
	snprintf(path, sizeof(path), "bus/pci/devices/%s/net", vf);
	for (int waited = 0; waited < 5000; waited += 50) {
		if (sysfs_list(a->ctx->fs, path, NULL, &names, &n) >= 0 && n > 0) {
			int i = sysfs_int(a->ctx->fs, "class/net/%s/ifindex", names[0]);
			strv_free_n(names, n);
			return i > 0 ? i : -ENODEV;
		}
		strv_free_n(names, n);
		names = NULL;
		usleep(50 * 1000);
	}
	return ctx_error(a->ctx, -ENODEV, "%s: no netdev (is its driver a network driver?)", vf);
}

/* The netdev of VF vf's representor, from the devlink ports (never guessed from names). */
static char *representor_of(applier *a, const vfctl_device *pf, int vf)
{
	devlink_port *ports = NULL;
	size_t n = 0;
	char *rep = NULL;
	const char *bus, *dev;
	devlink_handle(pf, &bus, &dev);
	if (devlink_ports(a->ctx, &ports, &n) < 0)
		return NULL;
	for (size_t i = 0; i < n && !rep; i++)
		if (ports[i].flavour == DEVLINK_PORT_FLAVOUR_PCI_VF && !ports[i].external && ports[i].vfnum == vf &&
		    streq(ports[i].bus, bus) && streq(ports[i].dev, dev) && ports[i].netdev[0])
			rep = strdup(ports[i].netdev);
	free(ports);
	return rep;
}

/* After the switch to switchdev, each VF's representor netdev appears (asynchronously for some
 * drivers): wait for all of them, 10 s at most. */
static int wait_representors(applier *a, const vfctl_device *pf)
{
	int n = sysfs_int(a->ctx->fs, "%s/sriov_numvfs", pf->syspath);
	for (int waited = 0; n > 0; waited += 100) {
		_cleanup_free_ char *last = representor_of(a, pf, n - 1);
		if (last)
			return 0;
		if (waited >= 10000)
			return ctx_error(a->ctx, -ETIMEDOUT, "%s: VF representors did not appear within 10 s", pf->id);
		usleep(100 * 1000);
	}
	return 0;
}

/* Drivers refuse VF rates until the link has carrier (igb: EINVAL); autonegotiation takes a few
 * seconds. No carrier after 10 s (no cable) is not an error: the step that needs it will say. */
static void wait_carrier(applier *a, const vfctl_device *pf)
{
	for (int waited = 0; waited < 10000; waited += 100) {
		if (sysfs_int(a->ctx->fs, "class/net/%s/carrier", pf->netdevs[0].name) == 1)
			return;
		usleep(100 * 1000);
	}
}

static int exec_vf_attr(applier *a, int ifindex, const plan_step *s)
{
	uint32_t vf = (uint32_t)s->vf;
	switch (s->kind) {
	case STEP_VF_MAC: {
		struct ifla_vf_mac m = {.vf = vf};
		uint8_t mac[6];
		if (sscanf(s->mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
			   &mac[5]) != 6)
			return -EINVAL;
		memcpy(m.mac, mac, 6);
		return link_vf_set(a->ctx, ifindex, IFLA_VF_MAC, &m, sizeof(m));
	}
	case STEP_VF_VLAN:
		if (s->v[2] == 0x88a8) {
			/* Only the list form carries the protocol (iproute2 does the same). */
			struct ifla_vf_vlan_info v = {.vf = vf, .vlan = (uint32_t)s->v[0], .qos = (uint32_t)s->v[1],
						      .vlan_proto = htons(0x88a8)};
			return link_vf_set(a->ctx, ifindex, IFLA_VF_VLAN_LIST, &v, sizeof(v));
		} else {
			struct ifla_vf_vlan v = {.vf = vf, .vlan = (uint32_t)s->v[0], .qos = (uint32_t)s->v[1]};
			return link_vf_set(a->ctx, ifindex, IFLA_VF_VLAN, &v, sizeof(v));
		}
	case STEP_VF_RATE: {
		struct ifla_vf_rate v = {.vf = vf, .min_tx_rate = (uint32_t)s->v[0], .max_tx_rate = (uint32_t)s->v[1]};
		return link_vf_set(a->ctx, ifindex, IFLA_VF_RATE, &v, sizeof(v));
	}
	case STEP_VF_SPOOFCHK: {
		struct ifla_vf_spoofchk v = {.vf = vf, .setting = (uint32_t)s->v[0]};
		return link_vf_set(a->ctx, ifindex, IFLA_VF_SPOOFCHK, &v, sizeof(v));
	}
	case STEP_VF_TRUST: {
		struct ifla_vf_trust v = {.vf = vf, .setting = (uint32_t)s->v[0]};
		return link_vf_set(a->ctx, ifindex, IFLA_VF_TRUST, &v, sizeof(v));
	}
	case STEP_VF_LINK_STATE: {
		struct ifla_vf_link_state v = {.vf = vf, .link_state = (uint32_t)s->v[0]};
		return link_vf_set(a->ctx, ifindex, IFLA_VF_LINK_STATE, &v, sizeof(v));
	}
	case STEP_VF_RSS_QUERY: {
		struct ifla_vf_rss_query_en v = {.vf = vf, .setting = (uint32_t)s->v[0]};
		return link_vf_set(a->ctx, ifindex, IFLA_VF_RSS_QUERY_EN, &v, sizeof(v));
	}
	default:
		return -EINVAL;
	}
}

static int exec_vdpa(applier *a, const vfctl_host *h, const plan_step *s)
{
	switch (s->kind) {
	case STEP_VDPA_ADD: {
		char mgmt[80];
		vdpa_new n = {.name = s->target, .mgmtdev = s->driver, .mtu = (int)s->v[0], .max_vqp = (int)s->v[1]};
		if (s->vf >= 0) {
			/* VDPA= on a VF: its management device is the VF's own PCI function. */
			const vfctl_device *pf = vfctl_host_find(h, s->dev);
			_cleanup_free_ char *vf = NULL;
			int r = pf ? vf_address(a, pf, s->vf, &vf) : -ENODEV;
			if (r < 0)
				return r;
			snprintf(mgmt, sizeof(mgmt), "pci/%s", vf);
			n.mgmtdev = mgmt;
		}
		n.has_mac = s->mac[0] && parse_mac(s->mac, n.mac) >= 0;
		return vdpa_dev_add(a->ctx, &n);
	}
	case STEP_VDPA_BIND:
		return vdpa_bind(a->ctx, s->target, s->driver);
	default:
		return vdpa_dev_del(a->ctx, s->target);
	}
}

static int exec_step(applier *a, const vfctl_host *h, const plan_step *s)
{
	const vfctl_device *pf = vfctl_host_find(h, s->dev);
	_cleanup_free_ char *vf = NULL;
	char path[PATH_MAX], val[32];
	int r;

	if (s->kind == STEP_VDPA_ADD || s->kind == STEP_VDPA_BIND || s->kind == STEP_VDPA_DEL)
		return exec_vdpa(a, h, s);
	if (!pf)
		return ctx_error(a->ctx, -ENODEV, "%s: gone", s->dev);
	switch (s->kind) {
	case STEP_PF_MTU:
		return (r = pf_ifindex(a, pf)) < 0 ? r : link_set_mtu(a->ctx, r, (uint32_t)s->v[0]);
	case STEP_PF_UP:
		if ((r = pf_ifindex(a, pf)) < 0 || (r = link_set_up(a->ctx, r, true)) < 0)
			return r;
		wait_carrier(a, pf);
		return 0;
	case STEP_PF_DOWN:
		return (r = pf_ifindex(a, pf)) < 0 ? r : link_set_up(a->ctx, r, false);
	case STEP_AUTOPROBE:
		snprintf(path, sizeof(path), "%s/sriov_drivers_autoprobe", pf->syspath);
		snprintf(val, sizeof(val), "%lld", (long long)s->v[0]);
		return sysfs_write_bounded(a->ctx, path, val, 5000);
	case STEP_NUMVFS:
		snprintf(path, sizeof(path), "%s/sriov_numvfs", pf->syspath);
		snprintf(val, sizeof(val), "%lld", (long long)s->v[0]);
		/* i40e and ixgbe take up to a minute for this write: wait, and say so. */
		r = sysfs_write_progress(a->ctx, path, val, 180000, tick, a);
		if (r < 0 || (r = wait_vfs(a, pf, (int)s->v[0])) < 0)
			return r;
		/* Enabling SR-IOV resets some PFs (igb re-initialises the port): the link retrains. */
		if (pf->n_netdevs && sysfs_int(a->ctx->fs, "class/net/%s/flags", pf->netdevs[0].name) & IFF_UP)
			wait_carrier(a, pf);
		return 0;
	case STEP_ESWITCH: {
		const char *bus, *dev;
		devlink_handle(pf, &bus, &dev);
		if ((r = devlink_eswitch_set(a->ctx, bus, dev, (int)s->v[0])) < 0)
			return r;
		return s->v[0] == 1 ? wait_representors(a, pf) : 0;
	}
	case STEP_REP_ALTNAME: {
		_cleanup_free_ char *rep = representor_of(a, pf, s->vf);
		if (!rep)
			return ctx_error(a->ctx, -ENODEV, "%s vf %d has no representor (eswitch not in switchdev mode?)", pf->id,
					 s->vf);
		return link_add_altname(a->ctx, rep, s->driver);
	}
	case STEP_VF_MAC:
	case STEP_VF_VLAN:
	case STEP_VF_RATE:
	case STEP_VF_SPOOFCHK:
	case STEP_VF_TRUST:
	case STEP_VF_LINK_STATE:
	case STEP_VF_RSS_QUERY:
		return (r = pf_ifindex(a, pf)) < 0 ? r : exec_vf_attr(a, r, s);
	default:
		break;
	}

	/* Driver steps act on a VF (by index) or on a device function (target). */
	if (s->target)
		vf = strdup(s->target);
	else if ((r = vf_address(a, pf, s->vf, &vf)) < 0)
		return r;
	if (!vf)
		return -ENOMEM;
	switch (s->kind) {
	case STEP_UNBIND:
		r = pci_unbind(a->ctx, vf);
		if (r >= 0) {
			snprintf(path, sizeof(path), "bus/pci/devices/%s/driver_override", vf);
			r = sysfs_write_bounded(a->ctx, path, "\n", 5000);
		}
		return r;
	case STEP_BIND: {
		_cleanup_free_ char *drv = strdup(s->driver);
		if (drv && streq(drv, "auto")) {
			free(drv);
			drv = default_driver(a->ctx, h, pf, vf);
			if (!drv)
				return ctx_error(a->ctx, -ENOENT, "%s: no driver in modules.alias for this VF (Driver=auto)", vf);
		}
		if (!drv)
			return -ENOMEM;
		if ((r = module_load(a->ctx, h->kernel_release, drv)) < 0)
			return r;
		return pci_bind(a->ctx, vf, drv, s->v[0] == 0);
	}
	case STEP_PROBE:
		return pci_probe(a->ctx, vf);
	case STEP_VF_MTU:
		return (r = vf_netdev_ifindex(a, vf)) < 0 ? r : link_set_mtu(a->ctx, r, (uint32_t)s->v[0]);
	case STEP_VFIO_OWNER: {
		/* The group node appears when vfio-pci binds: read the group now, not at plan time. */
		_cleanup_free_ char *grp = NULL;
		snprintf(path, sizeof(path), "bus/pci/devices/%s/iommu_group", vf);
		if ((r = sysfs_link_name(a->ctx->fs, path, &grp)) < 0)
			return ctx_error_fs(a->ctx, r, "no IOMMU group");
		snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
		return (r = file_chown(path, (int)s->v[0], (int)s->v[1])) < 0 ? ctx_error(a->ctx, r, "chown %s", path) : 0;
	}
	default:
		return ctx_error(a->ctx, -EINVAL, "unknown step");
	}
}

/* --- holders --------------------------------------------------------------------------------- */

/* Before a step destroys or unbinds VFs, whoever uses them must be named. */
static int check_holders(applier *a, const vfctl_host *h, const vfctl_plan *p, char **ret)
{
	_cleanup_free_ int *addrs = NULL;
	size_t n_addrs = 0;
	bool any = false;
	*ret = NULL;
	for (size_t i = 0; i < p->n; i++)
		any |= p->steps[i].disruptive;
	if (!any)
		return 0;
	(void)holders_addresses(a->ctx, &addrs, &n_addrs); /* without it, addresses are not checked */
	for (size_t i = 0; i < p->n && !*ret; i++) {
		const plan_step *s = &p->steps[i];
		const vfctl_device *pf = vfctl_host_find(h, s->dev);
		if (s->disruptive && s->kind == STEP_VDPA_DEL) {
			/* A vhost-vdpa device open in a process is a running VM's NIC. */
			const vfctl_vdpa_dev *vd = vdpa_find(h, s->target);
			int pid = 0;
			_cleanup_free_ char *comm = NULL;
			if (vd && vd->vhost && fd_holder(a->ctx, vd->vhost, &pid, &comm) >= 0 && pid > 0 &&
			    asprintf(ret, "%s: %s is open in process %d (%s)", vd->name, vd->vhost, pid, comm ? comm : "?") < 0)
				return -ENOMEM;
			continue;
		}
		if (!s->disruptive || !pf)
			continue;
		for (size_t k = 0; k < pf->n_vfs && !*ret; k++) {
			/* numvfs → 0 destroys every VF; an unbind touches one VF or one function. */
			if (s->kind == STEP_UNBIND && !s->target && (int)k != s->vf)
				continue;
			if (s->target)
				break;
			/* An eswitch change destroys or creates the representors: one carrying traffic holds. */
			if (s->kind == STEP_ESWITCH && pf->vfs[k].representor) {
				int r = representor_holder(a->ctx, pf->vfs[k].representor, addrs, n_addrs, ret);
				if (r < 0)
					return r;
				if (*ret)
					break;
			}
			const vfctl_device *vd = pf->vfs[k].id ? vfctl_host_find(h, pf->vfs[k].id) : NULL;
			int r = vd ? device_holder(a->ctx, vd, addrs, n_addrs, ret) : 0;
			if (r < 0)
				return r;
		}
		if (s->target) {
			const vfctl_device *d = vfctl_host_find(h, s->target);
			int r = d ? device_holder(a->ctx, d, addrs, n_addrs, ret) : 0;
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* --- units ------------------------------------------------------------------------------------ */

static int rescan(applier *a, vfctl_host **h)
{
	vfctl_host_free(*h);
	*h = NULL;
	return vfctl_host_scan(a->ctx, h);
}

/* Runs a plan; counts steps for the fault hook unless rolling back. Returns the first error. */
static int run_steps(applier *a, const vfctl_host *h, const vfctl_plan *p, bool rollback)
{
	int first = 0;
	for (size_t i = 0; i < p->n; i++) {
		const plan_step *s = &p->steps[i];
		double t0 = now();
		int r;
		say(a, "%s[%zu/%zu] %s", rollback ? "  undo " : "", i + 1, p->n, s->text);
		if (!rollback && ++a->counter == a->fail_at)
			r = ctx_error(a->ctx, -EIO, "injected failure at step %d (VFCTL_TEST_FAIL_STEP)", a->counter);
		else
			r = exec_step(a, h, s);
		double dt = now() - t0;
		if (r < 0) {
			say(a, "      failed: %s", vfctl_ctx_error(a->ctx));
			if (!rollback)
				return r;
			if (!first)
				first = r;
			continue; /* a rollback goes as far as it can */
		}
		if (dt >= 0.5)
			say(a, "      done in %.1f s", dt);
	}
	return first;
}

/* Brings a unit back to its journaled state: a plan from the host as it is now. */
static int rollback(applier *a, conf_unit *prior)
{
	vfctl_config one = {.units = prior, .n_units = 1};
	vfctl_plan p = {0};
	vfctl_host *h = NULL;
	int r = rescan(a, &h);
	if (r >= 0)
		r = plan_unit(a->ctx, &one, 0, h, &p);
	if (r >= 0) {
		say(a, "%s: rolling back (%zu step%s)", prior->dev_id, p.n, p.n == 1 ? "" : "s");
		r = run_steps(a, h, &p, true);
		plan_clear(&p);
	}
	if (r >= 0 && (r = rescan(a, &h)) >= 0 && (r = plan_unit(a->ctx, &one, 0, h, &p)) >= 0) {
		if (p.n) {
			say(a, "%s: rollback incomplete, %zu difference%s remain (journal kept):", prior->dev_id, p.n,
			    p.n == 1 ? "" : "s");
			for (size_t i = 0; i < p.n; i++)
				say(a, "      %s", p.steps[i].text);
			r = -EIO;
		} else {
			say(a, "%s: restored to its state before this run", prior->dev_id);
			journal_remove(a, prior->dev_id);
		}
		plan_clear(&p);
	}
	vfctl_host_free(h);
	return r;
}

static int apply_unit(applier *a, vfctl_config *c, size_t ui, conf_unit *ret_prior, bool *ret_changed)

{
	conf_unit *u = &c->units[ui];
	vfctl_plan p = {0};
	vfctl_host *h = NULL;
	_cleanup_free_ char *holder = NULL;
	int r;

	*ret_changed = false;
	if ((r = rescan(a, &h)) < 0 || (r = plan_unit(a->ctx, c, ui, h, &p)) < 0)
		goto out;
	if (p.n == 0) {
		say(a, "%s: up to date", u->dev_id);
		goto out;
	}
	if ((r = check_holders(a, h, &p, &holder)) < 0)
		goto out;
	if (holder && !a->o->force) {
		r = ctx_error(a->ctx, -EBUSY, "refusing to change %s: %s (use --force to go ahead anyway)", u->dev_id,
			      holder);
		say(a, "%s", vfctl_ctx_error(a->ctx));
		goto out;
	}
	if (holder)
		say(a, "%s: in use, going ahead (--force): %s", u->dev_id, holder);
	if ((r = unit_from_host(a->ctx, u, h, ret_prior)) < 0 || (r = journal_write(a, ret_prior)) < 0)
		goto out;
	say(a, "%s: %zu step%s", u->dev_id, p.n, p.n == 1 ? "" : "s");
	*ret_changed = true;
	r = run_steps(a, h, &p, false);
	if (r >= 0) {
		/* Verify: the host, read again, must need nothing more. */
		plan_clear(&p);
		if ((r = rescan(a, &h)) >= 0 && (r = plan_unit(a->ctx, c, ui, h, &p)) >= 0 && p.n) {
			for (size_t i = 0; i < p.n; i++)
				say(a, "      still differs: %s", p.steps[i].text);
			r = ctx_error(a->ctx, -EIO, "%s did not reach its configuration (%zu difference%s after apply)",
				      u->dev_id, p.n, p.n == 1 ? "" : "s");
		}
	}
	if (r >= 0) {
		say(a, "%s: done", u->dev_id);
		journal_remove(a, u->dev_id);
	}
out:
	plan_clear(&p);
	vfctl_host_free(h);
	return r;
}

int vfctl_apply(vfctl_ctx *ctx, vfctl_config *c, const vfctl_apply_opts *opts)
{
	vfctl_apply_opts def = {0};
	applier a = {.ctx = ctx, .o = opts ? opts : &def};
	vfctl_host *h = NULL;
	conf_unit *priors = NULL;
	bool *selected = NULL;
	size_t n_done = 0;
	int lock = -1, r, result = 0;
	char first_error[sizeof(ctx->error)] = "";
	const char *f = getenv("VFCTL_TEST_FAIL_STEP");

	a.rundir = run_dir();
	a.fail_at = f ? atoi(f) : 0;
	if (!ctx->use_netlink)
		return ctx_error(ctx, -EOPNOTSUPP, "apply needs the running kernel (sysfs at /sys and rtnetlink)");
	if ((lock = run_lock(ctx, a.rundir, a.o->report, a.o->userdata)) < 0)
		return lock;
	r = vfctl_host_scan(ctx, &h);
	if (r >= 0 && (r = config_validate(ctx, c, h)) >= 0 && c->n_errors)
		r = -EINVAL;
	priors = calloc(c->n_units ? c->n_units : 1, sizeof(*priors));
	selected = calloc(c->n_units ? c->n_units : 1, sizeof(*selected));
	if (r >= 0 && (!priors || !selected))
		r = -ENOMEM;
	/* Which units a DEVICE argument names, decided once on the host as validated. */
	for (size_t i = 0; r >= 0 && i < c->n_units; i++)
		selected[i] = unit_selected(&c->units[i], h, a.o->only);
	vfctl_host_free(h);
	h = NULL;
	if (r < 0)
		goto out;
	size_t n_ok = 0, n_same = 0, n_failed = 0;
	for (size_t i = 0; i < c->n_units; i++) {
		bool changed;
		if (!selected[i])
			continue;
		conf_unit *prior = &priors[n_done];
		r = apply_unit(&a, c, i, prior, &changed);
		if (changed)
			n_done++;
		if (r >= 0) {
			if (changed)
				n_ok++;
			else
				n_same++;
			continue;
		}
		n_failed++;
		say(&a, "%s: failed: %s", c->units[i].dev_id, vfctl_ctx_error(ctx));
		if (!result) {
			result = r;
			/* Rollback reads the host again and may leave its own (tolerated) errors behind:
			 * the run's error is the failing step's. */
			snprintf(first_error, sizeof(first_error), "%s", vfctl_ctx_error(ctx));
		}
		if (changed)
			(void)rollback(&a, prior);
		if (a.o->boot)
			continue; /* at boot every PF on its own */
		/* Otherwise the whole run is one change: undo the units already done, newest first. */
		for (size_t k = n_done - (changed ? 1 : 0); k-- > 0;)
			(void)rollback(&a, &priors[k]);
		n_ok = 0;
		break;
	}
	if (c->n_units)
		say(&a, "summary: %zu changed, %zu up to date, %zu failed%s", n_ok, n_same, n_failed,
		    n_failed && !a.o->boot ? " (the run was rolled back)" : "");
	r = result;
	if (r < 0)
		snprintf(ctx->error, sizeof(ctx->error), "%s", first_error);
out:
	for (size_t i = 0; priors && i < c->n_units; i++)
		conf_unit_done(&priors[i]);
	free(priors);
	free(selected);
	if (lock >= 0)
		close(lock);
	return r;
}
