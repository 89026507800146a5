/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fake kernel for the fakesys tier, in the spirit of libvirt's virpcimock but behind vfctl's own
 * seams (no LD_PRELOAD). It keeps its state in the tree, under sys/.fakekernel/:
 *   pf/<PF>             per SR-IOV PF: "refuse KNOB..." and one "vf N ADDR driver= net= mac=" line
 *                       per VF the PF can have (written by fakesys.py)
 *   unplugged/<VF>      the device directories of VFs that do not exist yet (same depth as
 *                       devices/pci0000:00/<VF>, so their relative links stay right when moved)
 *   vfstate/<PF>/<N>    a VF's admin settings as the PF driver keeps them
 * What it models, as Linux 6.x does:
 *   sriov_numvfs        EBUSY between two non-zero counts, ERANGE over TotalVFs, ENOENT without a
 *                       PF driver; VFs appear (virtfnN, physfn, bus and group links, SR-IOV control
 *                       and NumVFs in config space) with fresh settings, and bind their driver when
 *                       sriov_drivers_autoprobe is 1; removing them unbinds them first
 *   driver_override, drivers_probe, driver/unbind
 *                       bind and unbind (driver links, DRIVER= in uevent, a VF's netdev when its
 *                       driver is a network driver); a VF does not bind without an override while
 *                       its PF's autoprobe is 0
 *   rtnetlink           RTM_GETLINK (one link with IFLA_VFINFO_LIST, or a dump), RTM_SETLINK /
 *                       RTM_NEWLINK (IFF_UP, IFLA_MTU, each IFLA_VF_*: a knob in the PF's refuse list
 *                       is EOPNOTSUPP, a rate while the PF has no carrier or above its speed EINVAL,
 *                       a multicast MAC EINVAL), RTM_GETADDR (no addresses)
 *   generic netlink     devlink only: a PF whose manifest says eswitch has a mode (ESWITCH_GET and
 *                       _SET, with its driver's refusals), and in switchdev mode a VF port with a
 *                       representor name per VF (PORT_GET dump); no rates, no vdpa
 *   modules             every module loads (its driver directory appears)
 * Anything else is written as a plain file. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fakekernel.h"
#include "parse.h"
#include "pci.h"

typedef struct fk {
	char root[PATH_MAX]; /* the sys root */
	kernel_hooks hooks;
} fk;

typedef struct vf_state {
	char mac[18];
	int vlan, qos, proto, spoofchk, trust, link_state, rss;
	long long min_rate, max_rate;
} vf_state;

/* --- files ------------------------------------------------------------------------------------- */

_printf_(3, 4) static void path(const fk *k, char *buf, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(buf, PATH_MAX, "%s/%s", k->root, rel);
}

static int read_text(const char *p, char *buf, size_t n)
{
	FILE *f = fopen(p, "re");
	if (!f)
		return -errno;
	size_t l = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[l] = 0;
	while (l && (buf[l - 1] == '\n' || buf[l - 1] == ' '))
		buf[--l] = 0;
	return 0;
}

/* mode "we" replaces the file, "ae" appends to it. */
static int put_text(const char *p, const char *text, const char *mode)
{
	FILE *f = fopen(p, mode);
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -errno;
}

static int write_text(const char *p, const char *text)
{
	return put_text(p, text, "we");
}

static int append_text(const char *p, const char *text)
{
	return put_text(p, text, "ae");
}

/* Decimal, or hex with 0x (netdev flags). */
static int read_int(const char *p, int def)
{
	char buf[64], *end;
	if (read_text(p, buf, sizeof(buf)) < 0 || !buf[0])
		return def;
	long v = strtol(buf, &end, 0);
	return *end ? def : (int)v;
}

static void mkdirs(const char *p)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", p);
	for (char *s = tmp + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(tmp, 0755);
			*s = '/';
		}
	mkdir(tmp, 0755);
}

/* A relative symlink at `at` to `target` (both absolute, inside the tree), as sysfs makes them. */
static int relink(const char *target, const char *at)
{
	char dir[PATH_MAX], rel[PATH_MAX] = "";
	snprintf(dir, sizeof(dir), "%s", at);
	*strrchr(dir, '/') = 0;
	size_t i = 0, common = 0;
	while (dir[i] && dir[i] == target[i])
		if (dir[i++] == '/')
			common = i;
	const char *up = dir + common, *down = target + common;
	if (!dir[i] && target[i] == '/') { /* target lies below the link's directory */
		up = "";
		down = target + i + 1;
	}
	if (*up) {
		strcat(rel, "../");
		for (const char *s = up; *s; s++)
			if (*s == '/')
				strcat(rel, "../");
	}
	strncat(rel, down, sizeof(rel) - strlen(rel) - 1);
	unlink(at);
	return symlink(rel, at) < 0 ? -errno : 0;
}

/* Calls fn for each entry of dir (dotfiles skipped) until it returns non-zero; returns that. */
static int each_entry(const char *dir, int (*fn)(const char *name, void *data), void *data)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 0;
	while (d && !r && (e = readdir(d)))
		if (e->d_name[0] != '.')
			r = fn(e->d_name, data);
	if (d)
		closedir(d);
	return r;
}

/* The device directory a sysfs path ends in (resolved), and its name. */
static int device_of(const fk *k, const char *rel, char *dir, char *name)
{
	char p[PATH_MAX], real[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", k->root, rel);
	if (!realpath(p, real))
		return -errno;
	snprintf(dir, PATH_MAX, "%s", real);
	snprintf(name, 64, "%s", strrchr(real, '/') + 1);
	return 0;
}

static void dev_dir(const fk *k, const char *dev, char *buf)
{
	char p[PATH_MAX];
	path(k, p, "bus/pci/devices/%s", dev);
	if (!realpath(p, buf))
		snprintf(buf, PATH_MAX, "%s", p);
}

/* --- PF manifest and VF settings --------------------------------------------------------------- */

typedef struct vf_decl {
	int index, group;
	char addr[32], driver[64], net[64], mac[18];
} vf_decl;

/* The VFs a PF can have, from its manifest; refuse gets the knobs its driver lacks. */
static int pf_manifest(const fk *k, const char *pf, vf_decl **ret, int *ret_n, char *refuse, size_t rn)
{
	char p[PATH_MAX], line[512];
	path(k, p, ".fakekernel/pf/%s", pf);
	FILE *f = fopen(p, "re");
	vf_decl *v = NULL;
	int n = 0;
	if (!f)
		return -ENOENT;
	if (refuse)
		*refuse = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (startswith(line, "refuse ") && refuse) {
			snprintf(refuse, rn, " %s ", line + 7);
			continue;
		}
		if (!startswith(line, "vf "))
			continue;
		vf_decl d = {.group = -1};
		char *save = NULL, *w = strtok_r(line + 3, " ", &save);
		d.index = atoi(w);
		w = strtok_r(NULL, " ", &save);
		snprintf(d.addr, sizeof(d.addr), "%s", w ? w : "");
		while ((w = strtok_r(NULL, " ", &save))) {
			if (startswith(w, "driver="))
				snprintf(d.driver, sizeof(d.driver), "%s", w + 7);
			else if (startswith(w, "net="))
				snprintf(d.net, sizeof(d.net), "%s", w + 4);
			else if (startswith(w, "group="))
				d.group = atoi(w + 6);
			else if (startswith(w, "mac="))
				snprintf(d.mac, sizeof(d.mac), "%s", w + 4);
		}
		vf_decl *nv = realloc(v, (size_t)(n + 1) * sizeof(*v));
		if (!nv) {
			fclose(f);
			free(v);
			return -ENOMEM;
		}
		v = nv;
		v[n++] = d;
	}
	fclose(f);
	if (!ret) {
		free(v);
		return 0;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static bool refused(const char *refuse, const char *knob)
{
	char w[64];
	snprintf(w, sizeof(w), " %s ", knob);
	return strstr(refuse, w) != NULL;
}

/* A new VF as igb and most drivers start it: no MAC, no VLAN, spoof checking on, not trusted. */
static vf_state vf_fresh(const char *refuse)
{
	vf_state s = {.mac = "00:00:00:00:00:00", .proto = 0x8100, .spoofchk = 1, .link_state = 0};
	s.trust = refused(refuse, "trust") ? -1 : 0;
	s.rss = refused(refuse, "query_rss") ? -1 : 0;
	if (refused(refuse, "spoofchk"))
		s.spoofchk = -1;
	if (refused(refuse, "link_state"))
		s.link_state = -1;
	return s;
}

static int vf_load(const fk *k, const char *pf, int i, vf_state *s)
{
	char p[PATH_MAX], buf[256];
	path(k, p, ".fakekernel/vfstate/%s/%d", pf, i);
	if (read_text(p, buf, sizeof(buf)) < 0)
		return -ENOENT;
	if (sscanf(buf, "%17s %d %d %x %d %d %d %d %lld %lld", s->mac, &s->vlan, &s->qos, (unsigned *)&s->proto,
		   &s->spoofchk, &s->trust, &s->link_state, &s->rss, &s->min_rate, &s->max_rate) != 10)
		return -EINVAL;
	return 0;
}

static int vf_save(const fk *k, const char *pf, int i, const vf_state *s)
{
	char p[PATH_MAX], buf[256];
	path(k, p, ".fakekernel/vfstate/%s", pf);
	mkdirs(p);
	path(k, p, ".fakekernel/vfstate/%s/%d", pf, i);
	snprintf(buf, sizeof(buf), "%s %d %d %x %d %d %d %d %lld %lld\n", s->mac, s->vlan, s->qos, (unsigned)s->proto,
		 s->spoofchk, s->trust, s->link_state, s->rss, s->min_rate, s->max_rate);
	return write_text(p, buf);
}

/* --- drivers ---------------------------------------------------------------------------------- */

static void uevent_driver(const char *devdir, const char *driver)
{
	char p[PATH_MAX], buf[4096], out[4096] = "";
	snprintf(p, sizeof(p), "%s/uevent", devdir);
	if (read_text(p, buf, sizeof(buf)) < 0)
		return;
	if (driver)
		snprintf(out, sizeof(out), "DRIVER=%s\n", driver);
	char *save = NULL;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!startswith(l, "DRIVER=")) {
			strncat(out, l, sizeof(out) - strlen(out) - 2);
			strcat(out, "\n");
		}
	write_text(p, out);
}

struct ifindex_walk {
	const fk *k;
	int max;   /* the highest ifindex seen */
	int want;  /* the one looked for, or 0 */
	char *ret; /* its name */
};

static int ifindex_step(const char *name, void *data)
{
	struct ifindex_walk *w = data;
	char q[PATH_MAX];
	path(w->k, q, "class/net/%s/ifindex", name);
	int i = read_int(q, -1);
	if (i > w->max)
		w->max = i;
	if (w->want && i == w->want) {
		snprintf(w->ret, IF_NAMESIZE, "%s", name);
		return 1;
	}
	return 0;
}

static int next_ifindex(const fk *k)
{
	char p[PATH_MAX];
	struct ifindex_walk w = {.k = k, .max = 1};
	path(k, p, "class/net");
	each_entry(p, ifindex_step, &w);
	return w.max + 1;
}

static void netdev_add(const fk *k, const char *devdir, const char *name, const char *mac)
{
	char nd[PATH_MAX], p[PATH_MAX], v[32];
	snprintf(nd, sizeof(nd), "%s/net/%s", devdir, name);
	mkdirs(nd);
	snprintf(p, sizeof(p), "%s/address", nd);
	write_text(p, mac);
	snprintf(p, sizeof(p), "%s/operstate", nd);
	write_text(p, "up\n");
	snprintf(p, sizeof(p), "%s/carrier", nd);
	write_text(p, "1\n");
	snprintf(p, sizeof(p), "%s/flags", nd);
	write_text(p, "0x1003\n");
	snprintf(p, sizeof(p), "%s/mtu", nd);
	write_text(p, "1500\n");
	snprintf(v, sizeof(v), "%d\n", next_ifindex(k));
	snprintf(p, sizeof(p), "%s/ifindex", nd);
	write_text(p, v);
	snprintf(p, sizeof(p), "%s/device", nd);
	relink(devdir, p);
	path(k, p, "class/net/%s", name);
	relink(nd, p);
}

struct netdev_removal {
	const fk *k;
	const char *devdir;
};

static int netdev_remove(const char *name, void *data)
{
	const struct netdev_removal *m = data;
	static const char *const files[] = {"address", "operstate", "carrier", "flags",
					    "mtu",     "ifindex",   "device",  "speed"};
	char q[PATH_MAX];
	path(m->k, q, "class/net/%s", name);
	unlink(q);
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		snprintf(q, sizeof(q), "%s/net/%s/%s", m->devdir, name, files[i]);
		unlink(q);
	}
	snprintf(q, sizeof(q), "%s/net/%s", m->devdir, name);
	rmdir(q);
	return 0;
}

static void netdevs_remove(const fk *k, const char *devdir)
{
	char p[PATH_MAX];
	struct netdev_removal m = {k, devdir};
	snprintf(p, sizeof(p), "%s/net", devdir);
	each_entry(p, netdev_remove, &m);
	rmdir(p);
}

/* The VF declaration of a device, when it is a VF (its physfn link names the PF). */
static bool vf_of(const fk *k, const char *devdir, char *pf, vf_decl *ret)
{
	char p[PATH_MAX], real[PATH_MAX];
	vf_decl *v = NULL;
	int n = 0;
	bool found = false;
	snprintf(p, sizeof(p), "%s/physfn", devdir);
	if (!realpath(p, real))
		return false;
	snprintf(pf, 64, "%s", strrchr(real, '/') + 1);
	if (pf_manifest(k, pf, &v, &n, NULL, 0) < 0)
		return false;
	const char *name = strrchr(devdir, '/') + 1;
	for (int i = 0; i < n && !found; i++)
		if (streq(v[i].addr, name)) {
			*ret = v[i];
			found = true;
		}
	free(v);
	return found;
}

static int fk_bind(const fk *k, const char *devdir, const char *driver)
{
	char drv[PATH_MAX], p[PATH_MAX], pf[64];
	const char *name = strrchr(devdir, '/') + 1;
	path(k, drv, "bus/pci/drivers/%s", driver);
	struct stat st;
	if (stat(drv, &st) < 0)
		return 0; /* no such driver loaded: the device stays unbound, as drivers_probe leaves it */
	snprintf(p, sizeof(p), "%s/driver", devdir);
	relink(drv, p);
	snprintf(p, sizeof(p), "%s/%s", drv, name);
	relink(devdir, p);
	uevent_driver(devdir, driver);
	if (driver_is_vfio(driver)) {
		/* vfio-pci (and a variant) creates the group's node (the tree's dev/vfio/N beside sys/, root-owned). */
		char grp[PATH_MAX], node[PATH_MAX];
		snprintf(p, sizeof(p), "%s/iommu_group", devdir);
		ssize_t n = readlink(p, grp, sizeof(grp) - 1);
		if (n > 0) {
			grp[n] = 0;
			snprintf(node, sizeof(node), "%s/../dev/vfio", k->root);
			mkdirs(node);
			snprintf(node + strlen(node), sizeof(node) - strlen(node), "/%s",
				 strrchr(grp, '/') ? strrchr(grp, '/') + 1 : grp);
			close(open(node, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
		}
	}
	vf_decl d;
	if (vf_of(k, devdir, pf, &d) && d.net[0] && streq(d.driver, driver)) {
		/* The VF driver gives the VF a netdev with the MAC its PF set (igb: at this load). */
		vf_state s;
		const char *mac =
			vf_load(k, pf, d.index, &s) >= 0 && strcmp(s.mac, "00:00:00:00:00:00") ? s.mac : d.mac;
		netdev_add(k, devdir, d.net, mac);
	}
	return 0;
}

static int fk_unbind(const fk *k, const char *devdir)
{
	char p[PATH_MAX], real[PATH_MAX];
	snprintf(p, sizeof(p), "%s/driver", devdir);
	if (!realpath(p, real))
		return -ENODEV;
	netdevs_remove(k, devdir);
	snprintf(p, sizeof(p), "%s/%s", real, strrchr(devdir, '/') + 1);
	unlink(p);
	snprintf(p, sizeof(p), "%s/driver", devdir);
	unlink(p);
	uevent_driver(devdir, NULL);
	return 0;
}

/* What drivers_probe binds: the override, or (unless a VF's PF has autoprobe off) its own driver. */
static int probe(const fk *k, const char *devdir)
{
	char p[PATH_MAX], ov[64], pf[64];
	snprintf(p, sizeof(p), "%s/driver", devdir);
	if (access(p, F_OK) == 0)
		return 0;
	snprintf(p, sizeof(p), "%s/driver_override", devdir);
	if (read_text(p, ov, sizeof(ov)) >= 0 && ov[0] && !streq(ov, "(null)"))
		return fk_bind(k, devdir, ov);
	vf_decl d;
	if (!vf_of(k, devdir, pf, &d) || !d.driver[0])
		return 0;
	char q[PATH_MAX];
	path(k, q, "bus/pci/devices/%s/sriov_drivers_autoprobe", pf);
	if (read_int(q, 1) == 0)
		return 0;
	return fk_bind(k, devdir, d.driver);
}

/* --- SR-IOV ------------------------------------------------------------------------------------ */

/* SR-IOV control and NumVFs in the PF's config space, as the PCI core writes them. */
static void config_numvfs(const char *pfdir, int n)
{
	char p[PATH_MAX];
	uint8_t c[4096];
	snprintf(p, sizeof(p), "%s/config", pfdir);
	int fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t len = pread(fd, c, sizeof(c), 0);
	for (int pos = 0x100, guard = 0; len >= 4096 && pos >= 0x100 && pos < 4096 - 0x40 && guard < 64; guard++) {
		uint32_t h = (uint32_t)c[pos] | (uint32_t)c[pos + 1] << 8 | (uint32_t)c[pos + 2] << 16 |
			     (uint32_t)c[pos + 3] << 24;
		if ((h & 0xffff) == 0x10) {
			uint8_t ctrl[2] = {n ? 0x11 : 0, 0}, num[2] = {(uint8_t)n, (uint8_t)(n >> 8)};
			(void)!pwrite(fd, ctrl, 2, pos + 0x08);
			(void)!pwrite(fd, num, 2, pos + 0x10);
			break;
		}
		pos = (int)(h >> 20);
		if (!pos)
			break;
	}
	close(fd);
}

static int vf_plug(const fk *k, const char *pfdir, const char *pf, const vf_decl *d, const char *refuse)
{
	char from[PATH_MAX], to[PATH_MAX], p[PATH_MAX];
	path(k, from, ".fakekernel/unplugged/%s", d->addr);
	path(k, to, "devices/pci0000:00/%s", d->addr);
	if (rename(from, to) < 0)
		return -errno;
	path(k, p, "bus/pci/devices/%s", d->addr);
	relink(to, p);
	snprintf(p, sizeof(p), "%s/virtfn%d", pfdir, d->index);
	relink(to, p);
	if (d->group >= 0) {
		path(k, p, "kernel/iommu_groups/%d/devices", d->group);
		mkdirs(p);
		path(k, p, "kernel/iommu_groups/%d/devices/%s", d->group, d->addr);
		relink(to, p);
	}
	vf_state s = vf_fresh(refuse);
	return vf_save(k, pf, d->index, &s);
}

static void vf_unplug(const fk *k, const char *pfdir, const char *pf, const vf_decl *d)
{
	char from[PATH_MAX], to[PATH_MAX], p[PATH_MAX];
	path(k, from, "devices/pci0000:00/%s", d->addr);
	path(k, to, ".fakekernel/unplugged/%s", d->addr);
	(void)fk_unbind(k, from);
	snprintf(p, sizeof(p), "%s/driver_override", from);
	unlink(p);
	if (d->group >= 0) {
		path(k, p, "kernel/iommu_groups/%d/devices/%s", d->group, d->addr);
		unlink(p);
		path(k, p, "kernel/iommu_groups/%d/devices", d->group);
		rmdir(p);
		path(k, p, "kernel/iommu_groups/%d", d->group);
		rmdir(p);
	}
	path(k, p, "bus/pci/devices/%s", d->addr);
	unlink(p);
	snprintf(p, sizeof(p), "%s/virtfn%d", pfdir, d->index);
	unlink(p);
	rename(from, to);
	path(k, p, ".fakekernel/vfstate/%s/%d", pf, d->index);
	unlink(p);
}

static int up_step(const char *name, void *data)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s/flags", (const char *)data, name);
	return read_int(p, 0) & IFF_UP ? 1 : 0;
}

/* Is the PF's netdev up (IFF_UP in its flags)? */
static bool pf_netdev_up(const char *pfdir)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/net", pfdir);
	return each_entry(p, up_step, p) == 1;
}

static int set_numvfs(const fk *k, const char *pfdir, const char *pf, const char *val)
{
	char p[PATH_MAX], refuse[256];
	int want, total, cur, n = 0, r = 0;
	vf_decl *v = NULL;
	if (parse_int(val, &want) < 0 || want < 0)
		return -EINVAL;
	snprintf(p, sizeof(p), "%s/sriov_totalvfs", pfdir);
	total = read_int(p, 0);
	snprintf(p, sizeof(p), "%s/sriov_numvfs", pfdir);
	cur = read_int(p, 0);
	if (want > total)
		return -ERANGE;
	if (want == cur)
		return 0;
	if (cur && want)
		return -EBUSY;
	snprintf(p, sizeof(p), "%s/driver", pfdir);
	if (want && access(p, F_OK) < 0)
		return -ENOENT;
	if (pf_manifest(k, pf, &v, &n, refuse, sizeof(refuse)) < 0)
		return -EOPNOTSUPP;
	/* bnxt_en: "Reject SRIOV config request since if is down!", and the write succeeds. */
	if (refused(refuse, "numvfs_needs_up") && !pf_netdev_up(pfdir)) {
		free(v);
		return 0;
	}
	if (want) {
		for (int i = 0; i < want && i < n && r >= 0; i++)
			r = vf_plug(k, pfdir, pf, &v[i], refuse);
		for (int i = 0; i < want && i < n && r >= 0; i++) {
			char vd[PATH_MAX];
			path(k, vd, "devices/pci0000:00/%s", v[i].addr);
			r = probe(k, vd);
		}
	} else
		for (int i = cur; i-- > 0;)
			if (i < n)
				vf_unplug(k, pfdir, pf, &v[i]);
	free(v);
	if (r < 0)
		return r;
	snprintf(p, sizeof(p), "%s/sriov_numvfs", pfdir);
	char num[16];
	snprintf(num, sizeof(num), "%d\n", want);
	write_text(p, num);
	config_numvfs(pfdir, want);
	return 0;
}

/* --- sysfs writes ------------------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && streq(s + a - b, suffix);
}

static int fk_write(void *data, const char *rel, const void *buf, size_t len, size_t off)
{
	const fk *k = data;
	char val[256], dir[PATH_MAX], name[64], parent[PATH_MAX];
	snprintf(val, sizeof(val), "%.*s", (int)(len < sizeof(val) ? len : sizeof(val) - 1), (const char *)buf);
	val[strcspn(val, "\n")] = 0;
	snprintf(parent, sizeof(parent), "%s", rel);
	char *slash = strrchr(parent, '/');
	if (!slash)
		return 1;
	*slash = 0;

	if (streq(rel, "bus/pci/drivers_probe")) {
		char d[PATH_MAX];
		dev_dir(k, val, d);
		return access(d, F_OK) < 0 ? -ENODEV : probe(k, d);
	}
	if (ends_with(rel, "/driver/unbind")) {
		char d[PATH_MAX];
		dev_dir(k, val, d);
		return fk_unbind(k, d);
	}
	/* A synthetic uevent: logged where a test reads what udevd would have been told. */
	if (ends_with(rel, "/uevent")) {
		char p[PATH_MAX], line[PATH_MAX + 64];
		path(k, p, ".fakekernel/uevents");
		snprintf(line, sizeof(line), "%s %s\n", val, parent);
		return append_text(p, line);
	}
	if (device_of(k, parent, dir, name) < 0)
		return 1;
	if (ends_with(rel, "/sriov_numvfs") && strchr(name, ':'))
		return set_numvfs(k, dir, name, val);
	if (ends_with(rel, "/driver_override")) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/driver_override", dir);
		return write_text(p, val[0] ? val : "(null)");
	}
	if (ends_with(rel, "/sriov_drivers_autoprobe")) {
		if (!streq(val, "0") && !streq(val, "1"))
			return -EINVAL;
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/sriov_drivers_autoprobe", dir);
		return write_text(p, val);
	}
	(void)off;
	return 1;
}

static int fk_module_load(void *data, const char *name)
{
	const fk *k = data;
	char p[PATH_MAX];
	path(k, p, "bus/pci/drivers/%s", name);
	mkdirs(p);
	path(k, p, "module/%s", name);
	mkdirs(p);
	path(k, p, "module/%s/initstate", name);
	return write_text(p, "live\n");
}

/* --- rtnetlink --------------------------------------------------------------------------------- */

static bool netdev_by_index(const fk *k, int ifindex, char *name)
{
	char p[PATH_MAX];
	struct ifindex_walk w = {.k = k, .want = ifindex, .ret = name};
	path(k, p, "class/net");
	return ifindex > 0 && each_entry(p, ifindex_step, &w) == 1;
}

/* The PCI PF behind a netdev, when it has SR-IOV. */
static bool netdev_pf(const fk *k, const char *ifname, char *pfdir, char *pf)
{
	char p[PATH_MAX], q[PATH_MAX];
	path(k, p, "class/net/%s/device", ifname);
	if (!realpath(p, pfdir))
		return false;
	snprintf(pf, 64, "%s", strrchr(pfdir, '/') + 1);
	snprintf(q, sizeof(q), "%s/sriov_numvfs", pfdir);
	return access(q, F_OK) == 0 && strchr(pf, ':');
}

static void put_vfinfo(struct nlmsghdr *nlh, int i, const vf_state *s)
{
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
	struct ifla_vf_mac m = {.vf = (uint32_t)i};
	(void)parse_mac(s->mac, m.mac);
	mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(m), &m);
	struct ifla_vf_vlan v = {.vf = (uint32_t)i, .vlan = (uint32_t)s->vlan, .qos = (uint32_t)s->qos};
	mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(v), &v);
	struct nlattr *vl = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
	struct ifla_vf_vlan_info vi = {.vf = (uint32_t)i,
				       .vlan = (uint32_t)s->vlan,
				       .qos = (uint32_t)s->qos,
				       .vlan_proto = htons((uint16_t)s->proto)};
	mnl_attr_put(nlh, IFLA_VF_VLAN_INFO, sizeof(vi), &vi);
	mnl_attr_nest_end(nlh, vl);
	struct ifla_vf_rate rt = {
		.vf = (uint32_t)i, .min_tx_rate = (uint32_t)s->min_rate, .max_tx_rate = (uint32_t)s->max_rate};
	mnl_attr_put(nlh, IFLA_VF_RATE, sizeof(rt), &rt);
	struct ifla_vf_spoofchk sc = {.vf = (uint32_t)i, .setting = (uint32_t)s->spoofchk};
	mnl_attr_put(nlh, IFLA_VF_SPOOFCHK, sizeof(sc), &sc);
	struct ifla_vf_link_state ls = {.vf = (uint32_t)i, .link_state = (uint32_t)s->link_state};
	mnl_attr_put(nlh, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
	struct ifla_vf_rss_query_en rq = {.vf = (uint32_t)i, .setting = (uint32_t)s->rss};
	mnl_attr_put(nlh, IFLA_VF_RSS_QUERY_EN, sizeof(rq), &rq);
	struct ifla_vf_trust tr = {.vf = (uint32_t)i, .setting = (uint32_t)s->trust};
	mnl_attr_put(nlh, IFLA_VF_TRUST, sizeof(tr), &tr);
	mnl_attr_nest_end(nlh, info);
}

/* One RTM_NEWLINK for ifname into buf; VF info when asked. */
static struct nlmsghdr *newlink(const fk *k, char *buf, const char *ifname, bool vfs)
{
	char p[PATH_MAX], mac[32], pfdir[PATH_MAX], pf[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	path(k, p, "class/net/%s/ifindex", ifname);
	ifi->ifi_index = read_int(p, 0);
	path(k, p, "class/net/%s/flags", ifname);
	ifi->ifi_flags = (unsigned)read_int(p, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	path(k, p, "class/net/%s/address", ifname);
	uint8_t hw[6];
	if (read_text(p, mac, sizeof(mac)) >= 0 && parse_mac(mac, hw) >= 0)
		mnl_attr_put(nlh, IFLA_PERM_ADDRESS, 6, hw);
	path(k, p, "class/net/%s/mtu", ifname);
	mnl_attr_put_u32(nlh, IFLA_MTU, (uint32_t)read_int(p, 1500));
	if (vfs && netdev_pf(k, ifname, pfdir, pf)) {
		snprintf(p, sizeof(p), "%s/sriov_numvfs", pfdir);
		int n = read_int(p, 0);
		mnl_attr_put_u32(nlh, IFLA_NUM_VF, (uint32_t)n);
		struct nlattr *list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
		for (int i = 0; i < n; i++) {
			vf_state s;
			if (vf_load(k, pf, i, &s) >= 0)
				put_vfinfo(nlh, i, &s);
		}
		mnl_attr_nest_end(nlh, list);
	}
	return nlh;
}

static int reply(struct nlmsghdr *nlh, mnl_cb_t cb, void *cbdata)
{
	if (!cb)
		return 0;
	int r = mnl_cb_run(nlh, nlh->nlmsg_len, 0, 0, cb, cbdata);
	return r < 0 ? -(errno ? errno : EIO) : 0;
}

_printf_(3, 4) static int nak(char *ext_ack, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ext_ack, n, fmt, ap);
	va_end(ap);
	return 0;
}

struct dump {
	const fk *k;
	char *buf;
	mnl_cb_t cb;
	void *cbdata;
	bool intr; /* a table that changes under the walk: every other entry missed */
	int n;
};

static int dump_one(const char *name, void *data)
{
	struct dump *d = data;
	if (d->intr && d->n++ % 2)
		return 0;
	return reply(newlink(d->k, d->buf, name, false), d->cb, d->cbdata);
}

/* A test makes the next N dumps inconsistent, as a kernel whose table changed mid-walk marks them
 * (NLM_F_DUMP_INTR, which nl_transact turns into -EINTR), with a file "fakekernel-dump-intr"
 * holding N next to the tree's sys/: each dump takes one. While that file exists, the dumps asked
 * for are counted in "fakekernel-dumps", so a test sees the one retry. */
static bool dump_interrupted(const fk *k)
{
	char p[PATH_MAX + 64], q[PATH_MAX + 64], buf[32];
	snprintf(p, sizeof(p), "%s/../fakekernel-dump-intr", k->root);
	if (read_text(p, buf, sizeof(buf)) < 0)
		return false;
	int n = atoi(buf);
	snprintf(q, sizeof(q), "%s/../fakekernel-dumps", k->root);
	snprintf(buf, sizeof(buf), "%d", (read_text(q, buf, sizeof(buf)) >= 0 ? atoi(buf) : 0) + 1);
	(void)write_text(q, buf);
	if (n <= 0)
		return false;
	snprintf(buf, sizeof(buf), "%d", n - 1);
	(void)write_text(p, buf);
	return true;
}

static int getlink(const fk *k, struct nlmsghdr *req, mnl_cb_t cb, void *cbdata)
{
	char buf[1 << 17], name[IF_NAMESIZE] = "";
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(req);
	const struct nlattr *a;
	if (req->nlmsg_flags & NLM_F_DUMP) {
		char p[PATH_MAX];
		struct dump d = {k, buf, cb, cbdata, dump_interrupted(k), 0};
		path(k, p, "class/net");
		int r = each_entry(p, dump_one, &d);
		return r < 0 ? r : d.intr ? -EINTR : 0;
	}
	mnl_attr_for_each (a, req, sizeof(*ifi))
		if (mnl_attr_get_type(a) == IFLA_IFNAME)
			snprintf(name, sizeof(name), "%s", mnl_attr_get_str(a));
	if (!name[0] && !netdev_by_index(k, ifi->ifi_index, name))
		return -ENODEV;
	char p[PATH_MAX];
	path(k, p, "class/net/%s", name);
	if (access(p, F_OK) < 0)
		return -ENODEV;
	return reply(newlink(k, buf, name, true), cb, cbdata);
}

/* i40e resets a VF on every MAC and trust write, unchanged or not: each reset is a line in
 * sys/.fakekernel/vfresets, where a test counts them. */
static void vf_reset(const fk *k, const char *refuse, const char *pf, int vf)
{
	char p[PATH_MAX], line[96];
	if (!refused(refuse, "reset_on_write"))
		return;
	path(k, p, ".fakekernel/vfresets");
	snprintf(line, sizeof(line), "%s %d\n", pf, vf);
	(void)append_text(p, line);
}

/* One IFLA_VF_INFO of an RTM_SETLINK, applied as the PF driver would. */
static int set_vf(const fk *k, const char *ifname, const char *pfdir, const char *pf, const struct nlattr *info,
		  char *ext_ack, size_t an)
{
	char refuse[256], p[PATH_MAX];
	vf_decl *decl = NULL;
	int n_decl = 0;
	const struct nlattr *a;
	if (pf_manifest(k, pf, &decl, &n_decl, refuse, sizeof(refuse)) < 0)
		return -EOPNOTSUPP;
	free(decl);
	mnl_attr_for_each_nested (a, info) {
		uint32_t vf;
		uint16_t t = mnl_attr_get_type(a);
		const void *pl = mnl_attr_get_payload(a);
		if (t == IFLA_VF_VLAN_LIST) {
			const struct nlattr *vi = mnl_attr_get_payload(a);
			pl = mnl_attr_get_payload(vi);
		}
		memcpy(&vf, pl, sizeof(vf));
		snprintf(p, sizeof(p), "%s/sriov_numvfs", pfdir);
		if ((int)vf >= read_int(p, 0))
			return -EINVAL;
		vf_state s;
		if (vf_load(k, pf, (int)vf, &s) < 0)
			return -EINVAL;
		switch (t) {
		case IFLA_VF_MAC: {
			const struct ifla_vf_mac *m = pl;
			if (m->mac[0] & 1)
				return -EINVAL;
			format_mac(m->mac, s.mac);
			vf_reset(k, refuse, pf, (int)vf);
			break;
		}
		case IFLA_VF_VLAN: {
			const struct ifla_vf_vlan *v = pl;
			if (v->vlan > 4095 || v->qos > 7)
				return -EINVAL;
			s.vlan = (int)v->vlan;
			s.qos = (int)v->qos;
			s.proto = 0x8100;
			break;
		}
		case IFLA_VF_VLAN_LIST: {
			const struct ifla_vf_vlan_info *v = pl;
			if (refused(refuse, "vlan_proto") && ntohs(v->vlan_proto) != 0x8100)
				return -EPROTONOSUPPORT;
			s.vlan = (int)v->vlan;
			s.qos = (int)v->qos;
			s.proto = ntohs(v->vlan_proto);
			break;
		}
		case IFLA_VF_RATE: {
			const struct ifla_vf_rate *rt = pl;
			char q[PATH_MAX];
			path(k, q, "class/net/%s/carrier", ifname);
			if (read_int(q, 0) != 1) /* igb: "Link speed has been changed. VF Transmit rate is disabled" */
				return -EINVAL;
			path(k, q, "class/net/%s/speed", ifname);
			int speed = read_int(q, -1);
			if (speed > 0 && (rt->max_tx_rate > (uint32_t)speed || rt->min_tx_rate > (uint32_t)speed))
				return -EINVAL;
			if (refused(refuse, "min_tx_rate") && rt->min_tx_rate)
				return -EINVAL;
			s.min_rate = rt->min_tx_rate;
			s.max_rate = rt->max_tx_rate;
			break;
		}
		case IFLA_VF_SPOOFCHK:
		case IFLA_VF_TRUST:
		case IFLA_VF_LINK_STATE:
		case IFLA_VF_RSS_QUERY_EN: {
			static const char *const knobs[] = {[IFLA_VF_SPOOFCHK] = "spoofchk",
							    [IFLA_VF_TRUST] = "trust",
							    [IFLA_VF_LINK_STATE] = "link_state",
							    [IFLA_VF_RSS_QUERY_EN] = "query_rss"};
			uint32_t v;
			memcpy(&v, (const char *)pl + sizeof(uint32_t), sizeof(v));
			if (refused(refuse, knobs[t]))
				return -EOPNOTSUPP;
			if (t == IFLA_VF_SPOOFCHK)
				s.spoofchk = (int)v;
			else if (t == IFLA_VF_TRUST) {
				s.trust = (int)v;
				vf_reset(k, refuse, pf, (int)vf);
			} else if (t == IFLA_VF_LINK_STATE && v == IFLA_VF_LINK_STATE_ENABLE &&
				   refused(refuse, "link_enable_noop"))
				break; /* ixgbe: "NDO set VF %d link state %d - not supported", and 0 */
			else if (t == IFLA_VF_LINK_STATE)
				s.link_state = (int)v;
			else
				s.rss = (int)v;
			break;
		}
		default:
			nak(ext_ack, an, "unsupported VF attribute %u", t);
			return -EOPNOTSUPP;
		}
		vf_save(k, pf, (int)vf, &s);
	}
	return 0;
}

static int setlink(const fk *k, struct nlmsghdr *req, char *ext_ack, size_t an)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(req);
	char name[IF_NAMESIZE], p[PATH_MAX], pfdir[PATH_MAX], pf[64];
	const struct nlattr *a;
	int r = 0;
	if (!netdev_by_index(k, ifi->ifi_index, name))
		return -ENODEV;
	if (ifi->ifi_change & IFF_UP) {
		bool up = ifi->ifi_flags & IFF_UP;
		path(k, p, "class/net/%s/flags", name);
		int flags = read_int(p, 0x1002);
		char v[32];
		snprintf(v, sizeof(v), "0x%x\n", up ? flags | IFF_UP : flags & ~IFF_UP);
		write_text(p, v);
		path(k, p, "class/net/%s/operstate", name);
		write_text(p, up ? "up\n" : "down\n");
		path(k, p, "class/net/%s/carrier", name);
		write_text(p, up ? "1\n" : "0\n");
	}
	mnl_attr_for_each (a, req, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) == IFLA_MTU) {
			char v[32];
			uint32_t mtu = mnl_attr_get_u32(a);
			if (mtu < 68 || mtu > 9216)
				return -EINVAL;
			snprintf(v, sizeof(v), "%u\n", mtu);
			path(k, p, "class/net/%s/mtu", name);
			write_text(p, v);
		} else if (mnl_attr_get_type(a) == IFLA_VFINFO_LIST) {
			const struct nlattr *info;
			if (!netdev_pf(k, name, pfdir, pf))
				return -EOPNOTSUPP;
			mnl_attr_for_each_nested (info, a)
				if ((r = set_vf(k, name, pfdir, pf, info, ext_ack, an)) < 0)
					return r;
		}
	}
	return r;
}

/* --- devlink: the eswitch of a PF whose personality has one ------------------------------------ */

#define FK_DEVLINK_FAMILY 0x20

/* The PF's eswitch mode (DEVLINK_ESWITCH_MODE_*): sys/.fakekernel/eswitch/PF, legacy until set. */
static int eswitch_mode(const fk *k, const char *pf)
{
	char p[PATH_MAX];
	path(k, p, ".fakekernel/eswitch/%s", pf);
	return read_int(p, DEVLINK_ESWITCH_MODE_LEGACY);
}

static struct nlmsghdr *devlink_reply(char *buf, uint8_t cmd, const char *pf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = FK_DEVLINK_FAMILY;
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "pci");
	mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, pf);
	return nlh;
}

static int first_name(const char *name, void *data)
{
	snprintf(data, IF_NAMESIZE, "%s", name);
	return 1;
}

struct port_dump {
	const fk *k;
	mnl_cb_t cb;
	void *cbdata;
};

/* A PF in switchdev mode: one PCI_VF port per VF, its representor named PFNETr<N>. */
static int port_dump_one(const char *pf, void *data)
{
	struct port_dump *d = data;
	char p[PATH_MAX], pfdir[PATH_MAX], net[IF_NAMESIZE] = "", buf[4096];
	if (eswitch_mode(d->k, pf) != DEVLINK_ESWITCH_MODE_SWITCHDEV)
		return 0;
	dev_dir(d->k, pf, pfdir);
	snprintf(p, sizeof(p), "%s/sriov_numvfs", pfdir);
	int n = read_int(p, 0);
	snprintf(p, sizeof(p), "%s/net", pfdir);
	each_entry(p, first_name, net);
	for (int i = 0; i < n; i++) {
		struct nlmsghdr *nlh = devlink_reply(buf, DEVLINK_CMD_PORT_NEW, pf);
		char rep[IF_NAMESIZE];
		snprintf(rep, sizeof(rep), "%sr%d", net, i);
		mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, (uint32_t)(1 + i));
		mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_FLAVOUR, DEVLINK_PORT_FLAVOUR_PCI_VF);
		mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_PCI_PF_NUMBER, 0);
		mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_PCI_VF_NUMBER, (uint16_t)i);
		mnl_attr_put_strz(nlh, DEVLINK_ATTR_PORT_NETDEV_NAME, rep);
		int r = reply(nlh, d->cb, d->cbdata);
		if (r < 0)
			return r;
	}
	return 0;
}

/* DEVLINK_CMD_ESWITCH_GET and _SET as the personality's driver answers them (eswitch: it has one;
 * eswitch_no_vfs: the mode changes only without VFs, EOPNOTSUPP otherwise (ice); eswitch_same_einval:
 * the mode it has is EINVAL (bnxt_en)), PORT_GET's dump of VF ports, RATE_GET's (none). */
static int devlink(const fk *k, struct nlmsghdr *req, mnl_cb_t cb, void *cbdata, char *ext_ack, size_t an)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);
	const struct nlattr *a;
	char pf[64] = "", refuse[256], pfdir[PATH_MAX], p[PATH_MAX], buf[4096];
	int mode = -1;
	if (g->cmd == DEVLINK_CMD_PORT_GET && (req->nlmsg_flags & NLM_F_DUMP)) {
		struct port_dump d = {k, cb, cbdata};
		path(k, p, ".fakekernel/eswitch");
		int r = each_entry(p, port_dump_one, &d);
		return r == -ENOENT ? 0 : r < 0 ? r : 0;
	}
	if (g->cmd == DEVLINK_CMD_RATE_GET && (req->nlmsg_flags & NLM_F_DUMP))
		return 0;
	mnl_attr_for_each (a, req, sizeof(*g)) {
		if (mnl_attr_get_type(a) == DEVLINK_ATTR_DEV_NAME)
			snprintf(pf, sizeof(pf), "%s", mnl_attr_get_str(a));
		else if (mnl_attr_get_type(a) == DEVLINK_ATTR_ESWITCH_MODE)
			mode = mnl_attr_get_u16(a);
	}
	if (!pf[0] || pf_manifest(k, pf, NULL, NULL, refuse, sizeof(refuse)) < 0 || !refused(refuse, "eswitch"))
		return -EOPNOTSUPP;
	if (g->cmd == DEVLINK_CMD_ESWITCH_GET) {
		struct nlmsghdr *nlh = devlink_reply(buf, DEVLINK_CMD_ESWITCH_GET, pf);
		mnl_attr_put_u16(nlh, DEVLINK_ATTR_ESWITCH_MODE, (uint16_t)eswitch_mode(k, pf));
		return reply(nlh, cb, cbdata);
	}
	if (g->cmd != DEVLINK_CMD_ESWITCH_SET || mode < 0)
		return -EOPNOTSUPP;
	dev_dir(k, pf, pfdir);
	snprintf(p, sizeof(p), "%s/sriov_numvfs", pfdir);
	if (refused(refuse, "eswitch_no_vfs") && read_int(p, 0) > 0)
		return nak(ext_ack, an, "Changing eswitch mode is allowed only if there is no VFs created"),
		       -EOPNOTSUPP;
	if (refused(refuse, "eswitch_same_einval") && mode == eswitch_mode(k, pf))
		return -EINVAL;
	path(k, p, ".fakekernel/eswitch");
	mkdirs(p);
	path(k, p, ".fakekernel/eswitch/%s", pf);
	char v[8];
	snprintf(v, sizeof(v), "%d\n", mode);
	return write_text(p, v);
}

static int genl(const fk *k, struct nlmsghdr *req, mnl_cb_t cb, void *cbdata, char *ext_ack, size_t an)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);
	const struct nlattr *a;
	char buf[512];
	if (req->nlmsg_type == FK_DEVLINK_FAMILY)
		return devlink(k, req, cb, cbdata, ext_ack, an);
	if (req->nlmsg_type != GENL_ID_CTRL || g->cmd != CTRL_CMD_GETFAMILY)
		return -EOPNOTSUPP;
	mnl_attr_for_each (a, req, sizeof(*g))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME && streq(mnl_attr_get_str(a), DEVLINK_GENL_NAME)) {
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
			nlh->nlmsg_type = GENL_ID_CTRL;
			struct genlmsghdr *rg = mnl_nlmsg_put_extra_header(nlh, sizeof(*rg));
			rg->cmd = CTRL_CMD_NEWFAMILY;
			mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FK_DEVLINK_FAMILY);
			mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, DEVLINK_GENL_NAME);
			return reply(nlh, cb, cbdata);
		}
	return -ENOENT; /* no vdpa, no ethtool */
}

static int fk_transact(void *data, int bus, struct nlmsghdr *req, mnl_cb_t cb, void *cbdata, char *ext_ack, size_t an)
{
	const fk *k = data;
	errno = 0;
	if (bus == NETLINK_GENERIC)
		return genl(k, req, cb, cbdata, ext_ack, an);
	if (bus != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	switch (req->nlmsg_type) {
	case RTM_GETLINK:
		return getlink(k, req, cb, cbdata);
	case RTM_SETLINK:
	case RTM_NEWLINK:
		return setlink(k, req, ext_ack, an);
	case RTM_GETADDR:
		return dump_interrupted(k) ? -EINTR : 0; /* a dump with nothing in it */
	case RTM_GETROUTE:
		return 0;
	default:
		nak(ext_ack, an, "the fake kernel does not answer message type %u", req->nlmsg_type);
		return -EOPNOTSUPP;
	}
}

/* One kernel, however many threads call it (apply's PF workers): each entry point runs alone. The
 * real kernel's locks are finer; a coarse one keeps the fake's state consistent. */
static pthread_mutex_t fk_lock = PTHREAD_MUTEX_INITIALIZER;

/* A test proves that apply writes two PFs' sriov_numvfs (or two VFs' drivers_probe) at once, not
 * by timing but by a meeting point: with a file "fakekernel-rendezvous" (or
 * "fakekernel-rendezvous-probe") holding N next to the tree's sys/, such a write waits (up to 5 s,
 * outside the kernel lock) until N of them are in flight, and the most ever in flight together goes
 * to "fakekernel-max-inflight". One after the other never gets past 1. */
static pthread_mutex_t rv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rv_cond = PTHREAD_COND_INITIALIZER;
static int rv_inflight, rv_max;

static void rendezvous(const fk *k, const char *file, int delta)
{
	char p[PATH_MAX + 64], buf[32];
	snprintf(p, sizeof(p), "%s/../%s", k->root, file);
	int want = read_text(p, buf, sizeof(buf)) >= 0 ? atoi(buf) : 0;
	if (want < 2)
		return;
	pthread_mutex_lock(&rv_lock);
	rv_inflight += delta;
	if (rv_inflight > rv_max) {
		rv_max = rv_inflight;
		snprintf(p, sizeof(p), "%s/../fakekernel-max-inflight", k->root);
		snprintf(buf, sizeof(buf), "%d", rv_max);
		(void)write_text(p, buf);
	}
	pthread_cond_broadcast(&rv_cond);
	if (delta > 0) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5;
		while (rv_inflight < want && pthread_cond_timedwait(&rv_cond, &rv_lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&rv_lock);
}

/* The firmware time of a PF whose manifest has numvfs_ms=N (a personality's numvfs timing class,
 * scaled down): spent before the fake kernel's lock, as a real PF's firmware holds only its own
 * device's lock while it makes VFs. */
static void firmware_time(const fk *k, const char *rel, const void *buf, size_t len)
{
	char pf[64], refuse[256];
	const char *end = strrchr(rel, '/'), *start = end;
	while (start > rel && start[-1] != '/')
		start--;
	if (!end || end - start >= (ptrdiff_t)sizeof(pf) || (len == 1 && *(const char *)buf == '0') ||
	    (len == 2 && *(const char *)buf == '0'))
		return;
	snprintf(pf, sizeof(pf), "%.*s", (int)(end - start), start);
	if (pf_manifest(k, pf, NULL, NULL, refuse, sizeof(refuse)) < 0)
		return;
	const char *ms = strstr(refuse, " numvfs_ms=");
	if (ms)
		usleep((useconds_t)atoi(ms + 11) * 1000);
}

static int fk_write_locked(void *data, const char *rel, const void *buf, size_t len, size_t off)
{
	if (ends_with(rel, "/sriov_numvfs"))
		firmware_time(data, rel, buf, len);
	const char *rv = ends_with(rel, "/sriov_numvfs")       ? "fakekernel-rendezvous"
			 : streq(rel, "bus/pci/drivers_probe") ? "fakekernel-rendezvous-probe"
							       : NULL;
	if (rv)
		rendezvous(data, rv, 1);
	pthread_mutex_lock(&fk_lock);
	int r = fk_write(data, rel, buf, len, off);
	pthread_mutex_unlock(&fk_lock);
	if (rv)
		rendezvous(data, rv, -1);
	return r;
}

static int fk_transact_locked(void *data, int bus, struct nlmsghdr *req, mnl_cb_t cb, void *cbdata, char *ext_ack,
			      size_t an)
{
	pthread_mutex_lock(&fk_lock);
	int r = fk_transact(data, bus, req, cb, cbdata, ext_ack, an);
	pthread_mutex_unlock(&fk_lock);
	return r;
}

static int fk_module_load_locked(void *data, const char *name)
{
	pthread_mutex_lock(&fk_lock);
	int r = fk_module_load(data, name);
	pthread_mutex_unlock(&fk_lock);
	return r;
}

int fakekernel_attach(vfctl_ctx *ctx)
{
	static fk k;
	if (!realpath(ctx->fs->sys_root, k.root))
		return -errno;
	k.hooks = (kernel_hooks){.write = fk_write_locked,
				 .transact = fk_transact_locked,
				 .module_load = fk_module_load_locked,
				 .data = &k};
	ctx_attach_kernel(ctx, &k.hooks);
	return 0;
}
