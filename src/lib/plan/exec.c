/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Executing plan steps: one table entry per step kind, each one kernel change. */
#include <arpa/inet.h>
#include <limits.h>
#include <linux/devlink.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "applier.h"
#include "devlink.h"
#include "driver.h"
#include "files.h"
#include "handoff.h"
#include "holders.h"
#include "link.h"
#include "nvme.h"
#include "ovs.h"
#include "vdpa.h"

/* The PF's netdev as it is now, found in the PF's own device directory by the snapshot's ifindex
 * (which a rename keeps): at boot udev renames netdevs while vfctl runs (eth1 -> sriov-pf0), and
 * the old name may by then belong to another NIC (lab-boot: a VF MAC sent to the e1000 renamed
 * eth1, EOPNOTSUPP). Returns the ifindex and fills name; -ENODEV when the PF has no such netdev. */
static int pf_netdev(applier *a, const vfctl_device *pf, char *name, size_t len)
{
	char path[PATH_MAX], **names = NULL;
	size_t n = 0;
	int want = pf->n_netdevs ? pf->netdevs[0].ifindex : -1, found = -ENODEV;
	snprintf(path, sizeof(path), "%s/net", pf->syspath);
	if (sysfs_list(a->ctx->fs, path, NULL, &names, &n) < 0)
		n = 0;
	for (size_t i = 0; i < n && found < 0; i++) {
		int idx = sysfs_int(a->ctx->fs, "%s/net/%s/ifindex", pf->syspath, names[i]);
		/* without a known ifindex, the PF's only netdev */
		if (idx > 0 && (want > 0 ? idx == want : n == 1)) {
			snprintf(name, len, "%s", names[i]);
			found = idx;
		}
	}
	strv_free_n(names, n);
	return found;
}

static int pf_ifindex(applier *a, const vfctl_device *pf)
{
	char name[IF_NAMESIZE + 1];
	if (!pf->n_netdevs)
		return ctx_error(a->ctx, -ENODEV, "%s has no netdev in this network namespace", pf->id);
	/* The snapshot's ifindex as it is: a netdev re-created since has another (the kernel does not
	 * hand one out twice), and the request then fails with ENODEV, as the listing below would.
	 * 300 per-VF steps listed net/ 300 times. */
	if (pf->netdevs[0].ifindex > 0)
		return pf->netdevs[0].ifindex;
	int i = pf_netdev(a, pf, name, sizeof(name));
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
	applier_say(userdata, "      ... the kernel is still working (%u s)", secs);
}

/* What the waits below look for: a path under sysfs, and what they found. */
typedef struct wait_for {
	applier *a;
	const vfctl_device *pf;
	char path[PATH_MAX];
	int n, found;
} wait_for;

static int vf_appeared(void *data)
{
	wait_for *w = data;
	return sysfs_exists(w->a->ctx->fs, w->path);
}

static int wait_vfs(applier *a, const vfctl_device *pf, int n)
{
	wait_for w = {.a = a};
	if (!streq(pf->bus, "pci") || n == 0)
		return 0;
	snprintf(w.path, sizeof(w.path), "%s/virtfn%d", pf->syspath, n - 1);
	if (poll_until(30000, 50, vf_appeared, &w) <= 0)
		return ctx_error(a->ctx, -ETIMEDOUT, "%s: VF %d did not appear within 30 s", pf->id, n - 1);
	return 0;
}

static int netdev_appeared(void *data)
{
	wait_for *w = data;
	char **names = NULL;
	size_t n = 0;
	if (sysfs_list(w->a->ctx->fs, w->path, NULL, &names, &n) < 0 || n == 0) {
		strv_free_n(names, n);
		return 0;
	}
	w->found = sysfs_int(w->a->ctx->fs, "class/net/%s/ifindex", names[0]);
	strv_free_n(names, n);
	return 1;
}

static int vf_netdev_ifindex(applier *a, const char *vf)
{
	wait_for w = {.a = a};
	snprintf(w.path, sizeof(w.path), "bus/pci/devices/%s/net", vf);
	if (poll_until(5000, 50, netdev_appeared, &w) <= 0)
		return ctx_error(a->ctx, -ENODEV, "%s: no netdev (is its driver a network driver?)", vf);
	return w.found > 0 ? w.found : -ENODEV;
}

/* VF vf's eswitch port, from the devlink ports found now (the plan may have created the VF or
 * switched the eswitch; never guessed from names). -ENODEV when it has none. */
static int vf_port(applier *a, const vfctl_device *pf, int vf, devlink_port *ret)
{
	devlink_port *ports = NULL;
	size_t n = 0;
	const char *bus, *dev;
	int r = -ENODEV;
	devlink_handle(pf, &bus, &dev);
	if (devlink_ports(a->ctx, &ports, &n) < 0)
		return -ENODEV;
	for (size_t i = 0; i < n && r < 0; i++)
		if (ports[i].flavour == DEVLINK_PORT_FLAVOUR_PCI_VF && !ports[i].external && ports[i].vfnum == vf &&
		    streq(ports[i].bus, bus) && streq(ports[i].dev, dev)) {
			*ret = ports[i];
			r = 0;
		}
	free(ports);
	return r;
}

/* The netdev of VF vf's representor, NULL when it has none (yet). */
static char *representor_of(applier *a, const vfctl_device *pf, int vf)
{
	devlink_port p;
	return vf_port(a, pf, vf, &p) >= 0 && p.netdev[0] ? strdup(p.netdev) : NULL;
}

static int representor_appeared(void *data)
{
	wait_for *w = data;
	_cleanup_free_ char *last = representor_of(w->a, w->pf, w->n - 1);
	return last != NULL;
}

/* After the switch to switchdev, each VF's representor netdev appears (asynchronously for some
 * drivers): wait for all of them, 10 s at most. */
static int wait_representors(applier *a, const vfctl_device *pf)
{
	wait_for w = {.a = a, .pf = pf, .n = sysfs_int(a->ctx->fs, "%s/sriov_numvfs", pf->syspath)};
	if (w.n > 0 && poll_until(10000, 100, representor_appeared, &w) <= 0)
		return ctx_error(a->ctx, -ETIMEDOUT, "%s: VF representors did not appear within 10 s", pf->id);
	return 0;
}

static int has_carrier(void *data)
{
	wait_for *w = data;
	char name[IF_NAMESIZE + 1];
	return pf_netdev(w->a, w->pf, name, sizeof(name)) > 0 &&
	       sysfs_int(w->a->ctx->fs, "class/net/%s/carrier", name) == 1;
}

/* Drivers refuse VF rates until the link has carrier (igb: EINVAL); autonegotiation takes a few
 * seconds. No carrier after 10 s (no cable) is not an error: the step that needs it will say. */
static void wait_carrier(applier *a, const vfctl_device *pf)
{
	wait_for w = {.a = a, .pf = pf};
	(void)poll_until(10000, 100, has_carrier, &w);
}

/* The function a driver step acts on: a [Device] function, or VF vf of the PF (by its virtfn link,
 * read now: the plan may have created it). */
static int step_function(applier *a, const vfctl_device *pf, const plan_step *s, const char *function, char **ret)
{
	if (function) {
		*ret = strdup(function);
		return *ret ? 0 : -ENOMEM;
	}
	return vf_address(a, pf, s->vf, ret);
}

/* The devlink instance of pf and the index of VF vf's port in it, with an error saying why there is
 * no such port. */
static int vf_devlink_port(applier *a, const vfctl_device *pf, int vf, const char **bus, const char **dev,
			   uint32_t *ret)
{
	devlink_port p;
	if (vf_port(a, pf, vf, &p) < 0)
		return ctx_error(a->ctx, -ENODEV, "%s vf %d has no devlink port (eswitch not in switchdev mode?)",
				 pf->id, vf);
	devlink_handle(pf, bus, dev);
	*ret = p.index;
	return 0;
}

/* A capability of VF vf's devlink port function. */
static int exec_port_fn_cap(applier *a, const vfctl_device *pf, const plan_step *s)
{
	const vf_flag_desc *f = &vf_flags[s->u.flag.which];
	const char *bus, *dev;
	char what[64];
	uint32_t port = 0;
	int r = vf_devlink_port(a, pf, s->vf, &bus, &dev, &port);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "%s %s", f->word, s->u.flag.value ? "enable" : "disable");
	return devlink_port_fn_caps_set(a->ctx, bus, dev, port, f->devlink_cap, s->u.flag.value ? f->devlink_cap : 0,
					what);
}

/* A VF's MAC in switchdev mode, where its port function has one: devlink, not IFLA_VF_MAC. */
static int exec_vf_hw_addr(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	const char *bus, *dev;
	uint32_t port = 0;
	int r = vf_devlink_port(a, pf, s->vf, &bus, &dev, &port);
	return r < 0 ? r : devlink_port_fn_hw_addr_set(a->ctx, bus, dev, port, s->u.mac);
}

/* A VF's rates in switchdev mode: its port's devlink rate leaf. */
static int exec_rate_leaf(applier *a, const vfctl_device *pf, const plan_step *s)
{
	const char *bus, *dev;
	uint32_t port = 0;
	int r = vf_devlink_port(a, pf, s->vf, &bus, &dev, &port);
	return r < 0 ? r : devlink_rate_leaf_set(a->ctx, bus, dev, port, s->u.rate.min, s->u.rate.max);
}

/* A [RateGroup]'s devlink rate node: added, its limits set, or deleted. */
static int exec_rate_node(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	const char *bus, *dev;
	uint8_t cmd = s->kind == STEP_RATE_NODE_ADD   ? DEVLINK_CMD_RATE_NEW
		      : s->kind == STEP_RATE_NODE_DEL ? DEVLINK_CMD_RATE_DEL
						      : DEVLINK_CMD_RATE_SET;
	devlink_handle(pf, &bus, &dev);
	return devlink_rate_node(a->ctx, cmd, bus, dev, s->u.node.name, s->u.node.min, s->u.node.max);
}

/* VF vf's rate leaf under a node, or under none. */
static int exec_rate_parent(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	const char *bus, *dev;
	uint32_t port = 0;
	int r = vf_devlink_port(a, pf, s->vf, &bus, &dev, &port);
	return r < 0 ? r : devlink_rate_parent_set(a->ctx, bus, dev, port, s->u.node.name);
}

/* One IFLA_VF_* attribute in its own RTM_SETLINK: each VF step kind has its attribute. */
static int exec_vf_attr(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	uint32_t vf = (uint32_t)s->vf;
	if (s->kind == STEP_VF_FLAG && vf_flags[s->u.flag.which].devlink_cap)
		return exec_port_fn_cap(a, pf, s);
	if (s->kind == STEP_VF_RATE && s->u.rate.devlink)
		return exec_rate_leaf(a, pf, s);
	int ifindex = pf_ifindex(a, pf);
	if (ifindex < 0)
		return ifindex;
	switch (s->kind) {
	case STEP_VF_MAC: {
		struct ifla_vf_mac m = {.vf = vf};
		memcpy(m.mac, s->u.mac, 6);
		return link_vf_set(a->ctx, ifindex, IFLA_VF_MAC, &m, sizeof(m));
	}
	case STEP_VF_VLAN:
		if (s->u.vlan.proto == ETH_P_8021AD) {
			/* Only the list form carries the protocol (iproute2 does the same). */
			struct ifla_vf_vlan_info v = {.vf = vf,
						      .vlan = s->u.vlan.vlan,
						      .qos = s->u.vlan.qos,
						      .vlan_proto = htons(ETH_P_8021AD)};
			return link_vf_set(a->ctx, ifindex, IFLA_VF_VLAN_LIST, &v, sizeof(v));
		} else {
			struct ifla_vf_vlan v = {.vf = vf, .vlan = s->u.vlan.vlan, .qos = s->u.vlan.qos};
			return link_vf_set(a->ctx, ifindex, IFLA_VF_VLAN, &v, sizeof(v));
		}
	case STEP_VF_RATE: {
		struct ifla_vf_rate v = {.vf = vf, .min_tx_rate = s->u.rate.min, .max_tx_rate = s->u.rate.max};
		return link_vf_set(a->ctx, ifindex, IFLA_VF_RATE, &v, sizeof(v));
	}
	case STEP_VF_FLAG: {
		/* Every flag's payload is {__u32 vf; __u32 value} (struct ifla_vf_trust and its kin). */
		struct ifla_vf_trust v = {.vf = vf, .setting = s->u.flag.value};
		return link_vf_set(a->ctx, ifindex, vf_flags[s->u.flag.which].ifla, &v, sizeof(v));
	}
	default:
		return -EINVAL; /* a step kind exec_steps does not route here */
	}
	(void)h;
}

static int exec_pf_mtu(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	int r = pf_ifindex(a, pf);
	return r < 0 ? r : link_set_mtu(a->ctx, r, s->u.mtu);
}

static int exec_pf_updown(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	int r = pf_ifindex(a, pf);
	bool up = s->kind == STEP_PF_UP;
	if (r < 0 || (r = link_set_up(a->ctx, r, up)) < 0)
		return r;
	if (up)
		wait_carrier(a, pf);
	return 0;
}

static int exec_autoprobe(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/sriov_drivers_autoprobe", pf->syspath);
	return sysfs_set(a->ctx, path, s->u.on ? "1" : "0");
}

static int exec_numvfs(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	char path[PATH_MAX], val[16];
	snprintf(path, sizeof(path), "%s/sriov_numvfs", pf->syspath);
	snprintf(val, sizeof(val), "%d", s->u.numvfs);
	/* i40e and ixgbe take up to a minute for this write: wait, and say so. */
	int r = sysfs_write_progress(a->ctx, path, val, 180000, tick, a);
	if (r < 0 || (r = wait_vfs(a, pf, s->u.numvfs)) < 0)
		return r;
	/* Enabling SR-IOV resets some PFs (igb re-initialises the port): the link retrains. */
	char name[IF_NAMESIZE + 1];
	if (pf->n_netdevs && pf_netdev(a, pf, name, sizeof(name)) > 0 &&
	    sysfs_int(a->ctx->fs, "class/net/%s/flags", name) & IFF_UP)
		wait_carrier(a, pf);
	return 0;
}

static int exec_eswitch(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	const char *bus, *dev;
	devlink_handle(pf, &bus, &dev);
	int r = devlink_eswitch_set(a->ctx, bus, dev, s->u.eswitch_mode);
	if (r < 0)
		return r;
	return s->u.eswitch_mode == VFCTL_ESWITCH_SWITCHDEV ? wait_representors(a, pf) : 0;
}

static int exec_rep_altname(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	_cleanup_free_ char *rep = representor_of(a, pf, s->vf);
	if (!rep)
		return ctx_error(a->ctx, -ENODEV, "%s vf %d has no representor (eswitch not in switchdev mode?)",
				 pf->id, s->vf);
	return link_add_altname(a->ctx, rep, s->u.altname);
}

/* udevd looks for changed rules when an event arrives, at most every 3 s (systemd's
 * src/udev/udevd.c: manager_reload, "check for changed config, every 3 seconds at most"): an
 * event within 3 s of the last look runs the old rules. Any look after the write sees the new
 * file, so once 3 s have passed the next event, a VF's "add" among them, runs it. */
#define UDEV_RULES_SETTLE_MS 3100

/* VF i's netdevs as they are now (the snapshot's names may have changed since): an event each,
 * so udevd applies the rule and NetworkManager reads the new properties. "add" to one whose name
 * the rule changes, when it is down (udevd renames only then, and fails the whole event
 * otherwise, properties too); "change" to the others. A netdev gone meanwhile is no error. */
static int rule_events(applier *a, const vfctl_device *pf, const plan_step *s)
{
	int r = 0;
	for (size_t i = 0; i < pf->n_vfs && r >= 0; i++) {
		char dir[PATH_MAX], **names = NULL, want[128];
		size_t n = 0;
		snprintf(dir, sizeof(dir), "%s/virtfn%zu/net", pf->syspath, i);
		if (sysfs_list(a->ctx->fs, dir, NULL, &names, &n) < 0)
			continue;
		bool named = s->u.rule.pattern &&
			     altname_expand(s->u.rule.pattern, s->u.rule.pf_name ? s->u.rule.pf_name : "", (int)i, want,
					    sizeof(want)) >= 0;
		for (size_t k = 0; k < n && r >= 0; k++) {
			_cleanup_free_ char *flags = NULL;
			char rel[PATH_MAX];
			snprintf(rel, sizeof(rel), "%s/%s/flags", dir, names[k]);
			bool up = sysfs_read(a->ctx->fs, rel, &flags) >= 0 && (strtoul(flags, NULL, 16) & IFF_UP);
			snprintf(rel, sizeof(rel), "%s/%s/uevent", dir, names[k]);
			r = sysfs_set(a->ctx, rel, named && !up && !streq(want, names[k]) ? "add" : "change");
			if (r == -ENOENT)
				r = 0;
		}
		strv_free_n(names, n);
	}
	return r;
}

/* vfctl's udev rule or networkd file for the PF's VFs, written whole (a reader sees the old file
 * or the new one) or removed. udevd then needs its look at the rules and the VFs that exist an
 * event; networkd reads its files when it starts or reloads. */
static int exec_handoff(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	char path[PATH_MAX];
	handoff_kind kind = s->kind == STEP_UDEV_RULE ? HANDOFF_UDEV_RULE : HANDOFF_NETWORKD;
	handoff_path(a->ctx, kind, pf->id, path, sizeof(path));
	int r = s->u.rule.text ? file_write_mode(path, s->u.rule.text, 0644) : file_remove(path);
	if (r == -ENOENT && !s->u.rule.text)
		r = 0;
	if (r < 0)
		return ctx_error(a->ctx, r, "cannot %s %s", s->u.rule.text ? "write" : "remove", path);
	if (kind != HANDOFF_UDEV_RULE)
		return 0;
	if (udevd_running(a->ctx))
		(void)nanosleep(&(struct timespec){.tv_sec = UDEV_RULES_SETTLE_MS / 1000,
						   .tv_nsec = (UDEV_RULES_SETTLE_MS % 1000) * 1000000L},
				NULL);
	return rule_events(a, pf, s);
}

static int exec_unbind(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	_cleanup_free_ char *f = NULL;
	char path[PATH_MAX];
	int r = step_function(a, pf, s, s->u.drv.function, &f);
	if (r < 0 || (r = pci_unbind(a->ctx, f)) < 0)
		return r;
	snprintf(path, sizeof(path), "bus/pci/devices/%s/driver_override", f);
	return sysfs_set(a->ctx, path, "\n");
}

static int exec_bind(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	_cleanup_free_ char *f = NULL;
	/* Driver=auto the snapshot could not resolve: the kernel's choice from modules.alias. */
	const char *drv = s->u.drv.driver ? s->u.drv.driver : pf->vf_default_driver;
	int r = step_function(a, pf, s, s->u.drv.function, &f);
	if (r < 0)
		return r;
	if (!drv)
		return ctx_error(a->ctx, -ENOENT, "%s: no driver in modules.alias for this VF (Driver=auto)", f);
	if ((r = module_load(a->ctx, h->kernel_release, drv)) < 0)
		return r;
	return pci_bind(a->ctx, f, drv, s->u.drv.keep_override);
}

int exec_preload(applier *a, const vfctl_host *h, const plan_step *s)
{
	const vfctl_device *pf = vfctl_host_find(h, s->dev);
	const char *drv = s->kind == STEP_BIND ? (s->u.drv.driver ? s->u.drv.driver
						  : pf            ? pf->vf_default_driver
								  : NULL)
					       : NULL;
	return drv ? module_load(a->ctx, h->kernel_release, drv) : 0;
}

static int exec_probe(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	_cleanup_free_ char *f = NULL;
	int r = step_function(a, pf, s, s->u.drv.function, &f);
	return r < 0 ? r : pci_probe(a->ctx, f);
}

static int exec_vf_mtu(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	_cleanup_free_ char *f = NULL;
	int r = step_function(a, pf, s, NULL, &f);
	if (r < 0 || (r = vf_netdev_ifindex(a, f)) < 0)
		return r;
	return link_set_mtu(a->ctx, r, s->u.mtu);
}

static int exec_vfio_owner(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	_cleanup_free_ char *f = NULL, *grp = NULL;
	char path[PATH_MAX];
	int r = step_function(a, pf, s, s->u.owner.function, &f);
	if (r < 0)
		return r;
	/* The group node appears when vfio-pci binds: read the group now, not at plan time. */
	snprintf(path, sizeof(path), "bus/pci/devices/%s/iommu_group", f);
	if ((r = sysfs_link_name(a->ctx->fs, path, &grp)) < 0)
		return ctx_error_fs(a->ctx, r, "no IOMMU group");
	ctx_vfio_node(a->ctx, grp, path, sizeof(path));
	if ((r = ctx_check_writable(a->ctx, path)) < 0)
		return r;
	r = file_chown(path, s->u.owner.uid, s->u.owner.gid);
	return r < 0 ? ctx_error(a->ctx, r, "chown %s", path) : 0;
}

static int exec_vdpa_add(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	char mgmt[80];
	vdpa_new n = {.name = s->u.vdpa.name,
		      .mgmtdev = s->u.vdpa.mgmtdev,
		      .has_mac = s->u.vdpa.has_mac,
		      .mtu = s->u.vdpa.mtu,
		      .max_vqp = s->u.vdpa.max_vqp};
	memcpy(n.mac, s->u.vdpa.mac, 6);
	if (!n.mgmtdev) {
		/* VDPA= on a VF: its management device is the VF's own PCI function. */
		_cleanup_free_ char *vf = NULL;
		int r = pf ? vf_address(a, pf, s->vf, &vf) : ctx_error(a->ctx, -ENODEV, "%s: gone", s->dev);
		if (r < 0)
			return r;
		snprintf(mgmt, sizeof(mgmt), "pci/%s", vf);
		n.mgmtdev = mgmt;
	}
	return vdpa_dev_add(a->ctx, &n);
}

static int exec_vdpa_bind(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	return vdpa_bind(a->ctx, s->u.vdpa.name, s->u.vdpa.driver);
}

static int exec_vdpa_del(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	return vdpa_dev_del(a->ctx, s->u.vdpa.name);
}

/* Virtualization Management on the VF's secondary controller, found now by its VF number (the list
 * is the controller's, read fresh: the snapshot may predate the VF). */
static int exec_nvme(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	char path[64];
	int r;
	if (!pf->nvme_ctrl)
		return ctx_error(a->ctx, -ENODEV, "%s: no NVMe controller", pf->id);
	/* No fake kernel answers NVMe admin commands: never send one to the real /dev for a fake tree. */
	if (a->ctx->set.kernel)
		return ctx_error(a->ctx, -EOPNOTSUPP, "%s: NVMe admin commands are not emulated", pf->nvme_ctrl);
	if ((r = ctx_check_writable(a->ctx, pf->nvme_ctrl)) < 0)
		return r;
	snprintf(path, sizeof(path), "/dev/%s", pf->nvme_ctrl);
	_cleanup_close_ int fd = nvme_open(pf->nvme_ctrl);
	if (fd < 0)
		return ctx_error(a->ctx, fd, "open %s", path);
	nvme_secondary sec[NVME_SECONDARY_MAX];
	size_t n = 0;
	struct nvme_passthru_cmd c;
	if ((r = nvme_identify_secondaries(fd, sec, NVME_SECONDARY_MAX, &n)) != 0)
		return ctx_error(a->ctx, r > 0 ? -EIO : r, "%s: Identify secondary controller list%s%s", path,
				 r > 0 ? ": " : "", r > 0 ? nvme_status_str(r) : "");
	int scid = -1;
	for (size_t i = 0; i < n && scid < 0; i++)
		if (sec[i].vfn == s->vf + 1)
			scid = sec[i].scid;
	if (scid < 0)
		return ctx_error(a->ctx, -ENODEV, "%s: no secondary controller for VF %d", path, s->vf);
	uint8_t act = s->kind == STEP_NVME_OFFLINE  ? NVME_VM_SECONDARY_OFFLINE
		      : s->kind == STEP_NVME_ONLINE ? NVME_VM_SECONDARY_ONLINE
						    : NVME_VM_SECONDARY_ASSIGN;
	nvme_cmd_virt_mgmt(&c, act, s->u.nvme.res, (uint16_t)scid, s->kind == STEP_NVME_ASSIGN ? s->u.nvme.nr : 0);
	r = nvme_admin(fd, &c);
	if (r > 0)
		return ctx_error(a->ctx, -EIO,
				 "%s: Virtualization Management (action %u) on secondary controller %d: %s "
				 "(status %#x)",
				 path, act, scid, nvme_status_str(r), (unsigned)r);
	return r < 0 ? ctx_error(a->ctx, r, "%s: Virtualization Management", path) : 0;
}

/* A representor's link, found now (switchdev mode may have made it in this run). */
static int exec_rep_link(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	_cleanup_free_ char *rep = representor_of(a, pf, s->vf);
	link_info li;
	if (!rep)
		return ctx_error(a->ctx, -ENODEV, "%s vf %d has no representor (eswitch not in switchdev mode?)",
				 pf->id, s->vf);
	int r = link_vf_get(a->ctx, rep, &li);
	if (r < 0)
		return r;
	int ifindex = li.ifindex;
	link_info_done(&li);
	return link_set_up(a->ctx, ifindex, s->u.on);
}

/* The PF's ports named now: the representors may be this run's (switchdev mode made them after the plan). */
static int exec_ovsdb(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s)
{
	const char *br = s->u.ovs.bridge;
	char **add = calloc((size_t)s->u.ovs.reps + 1, sizeof(*add));
	size_t n = 0;
	int r = add ? 0 : -ENOMEM;
	char comment[128];
	if (r >= 0 && br && pf->n_netdevs && !(add[n++] = strdup(pf->netdevs[0].name)))
		r = -ENOMEM;
	for (int i = 0; r >= 0 && br && i < s->u.ovs.reps; i++)
		if (!(add[n++] = representor_of(a, pf, i)))
			r = ctx_error(a->ctx, -ENODEV, "%s vf %d has no representor to add to bridge %s", pf->id, i,
				      br);
	snprintf(comment, sizeof(comment), "vfctl: %s", s->text);
	ovs_change c = {.bridge = br,
			.add = add,
			.n_add = n,
			.del = s->u.ovs.del,
			.n_del = s->u.ovs.n_del,
			.drop = s->u.ovs.drop,
			.hw_offload = s->u.ovs.hw_offload,
			.comment = comment};
	if (r >= 0)
		r = ovs_change_apply(a->ctx, &c);
	strv_free_n(add, n);
	return r;
}

typedef int (*exec_fn)(applier *a, const vfctl_host *h, const vfctl_device *pf, const plan_step *s);

static const struct {
	exec_fn run;
	bool needs_pf; /* the step's dev must be a device of the snapshot */
} executors[_STEP_MAX] = {
	[STEP_PF_MTU] = {exec_pf_mtu, true},
	[STEP_PF_UP] = {exec_pf_updown, true},
	[STEP_PF_DOWN] = {exec_pf_updown, true},
	[STEP_AUTOPROBE] = {exec_autoprobe, true},
	[STEP_NUMVFS] = {exec_numvfs, true},
	[STEP_VF_MAC] = {exec_vf_attr, true},
	[STEP_VF_HW_ADDR] = {exec_vf_hw_addr, true},
	[STEP_VF_VLAN] = {exec_vf_attr, true},
	[STEP_VF_RATE] = {exec_vf_attr, true},
	[STEP_VF_FLAG] = {exec_vf_attr, true},
	[STEP_UNBIND] = {exec_unbind, true},
	[STEP_BIND] = {exec_bind, true},
	[STEP_PROBE] = {exec_probe, true},
	[STEP_VF_MTU] = {exec_vf_mtu, true},
	[STEP_VFIO_OWNER] = {exec_vfio_owner, true},
	[STEP_ESWITCH] = {exec_eswitch, true},
	[STEP_REP_ALTNAME] = {exec_rep_altname, true},
	/* A [VDPA] unit's dev is the vDPA name; VDPA= on a VF names its PF. */
	[STEP_VDPA_ADD] = {exec_vdpa_add, false},
	[STEP_VDPA_BIND] = {exec_vdpa_bind, false},
	[STEP_VDPA_DEL] = {exec_vdpa_del, false},
	[STEP_NVME_OFFLINE] = {exec_nvme, true},
	[STEP_NVME_ASSIGN] = {exec_nvme, true},
	[STEP_NVME_ONLINE] = {exec_nvme, true},
	[STEP_OVSDB] = {exec_ovsdb, true},
	[STEP_RATE_NODE_ADD] = {exec_rate_node, true},
	[STEP_RATE_NODE_SET] = {exec_rate_node, true},
	[STEP_RATE_NODE_DEL] = {exec_rate_node, true},
	[STEP_VF_RATE_PARENT] = {exec_rate_parent, true},
	[STEP_REP_LINK] = {exec_rep_link, true},
	[STEP_UDEV_RULE] = {exec_handoff, true},
	[STEP_NETWORKD_FILE] = {exec_handoff, true},
};

int exec_step(applier *a, const vfctl_host *h, const plan_step *s)
{
	const vfctl_device *pf = vfctl_host_find(h, s->dev);
	if (s->kind >= _STEP_MAX || !executors[s->kind].run)
		return ctx_error(a->ctx, -EINVAL, "unknown step");
	if (executors[s->kind].needs_pf && !pf)
		return ctx_error(a->ctx, -ENODEV, "%s: gone", s->dev);
	return executors[s->kind].run(a, h, pf, s);
}

/* Before a step destroys or unbinds a device, the guard names whoever uses it: a numvfs change to 0
 * destroys every VF, an unbind takes one VF or one function (a PF's VFs with it), an eswitch
 * change destroys the representors, a vdpa-del a VM's NIC. */
int check_holders(applier *a, const vfctl_host *h, const vfctl_plan *p, guard_level *ret_level, char **ret)
{
	guard g;
	int r = 0;
	*ret = NULL;
	*ret_level = GUARD_FREE;
	guard_init(&g, a->ctx, h);
	for (size_t i = 0; i < p->n && r >= 0 && !*ret; i++) {
		const plan_step *s = &p->steps[i];
		const vfctl_device *pf = vfctl_host_find(h, s->dev);
		if (!s->disruptive)
			continue;
		if (s->kind == STEP_VDPA_DEL) {
			const vfctl_vdpa_dev *vd = vdpa_find(h, s->u.vdpa.name);
			_cleanup_free_ char *comm = NULL;
			int pid = 0;
			if (vd && vd->vhost && (r = guard_fd_holder(&g, vd->vhost, &pid, &comm)) >= 0 && pid > 0) {
				*ret_level = GUARD_IN_USE;
				if (asprintf(ret, "%s: %s is open in process %d (%s)", vd->name, vd->vhost, pid,
					     comm ? comm : "?") < 0)
					r = -ENOMEM;
			}
			continue;
		}
		if (plan_step_target(s)) {
			const vfctl_device *d = vfctl_host_find(h, plan_step_target(s));
			r = d ? guard_device(&g, d, ret_level, ret) : 0;
			continue;
		}
		for (size_t k = 0; pf && k < pf->n_vfs && r >= 0 && !*ret; k++) {
			if (s->kind == STEP_UNBIND && (int)k != s->vf)
				continue;
			if (s->kind == STEP_ESWITCH && pf->vfs[k].representor &&
			    ((r = guard_representor(&g, pf->vfs[k].representor, ret)) < 0 || *ret)) {
				*ret_level = GUARD_IN_USE;
				break;
			}
			const vfctl_device *vd = pf->vfs[k].id ? vfctl_host_find(h, pf->vfs[k].id) : NULL;
			if (vd)
				r = guard_device(&g, vd, ret_level, ret);
		}
	}
	guard_done(&g);
	if (r < 0) {
		free(*ret);
		*ret = NULL;
	}
	return r;
}
