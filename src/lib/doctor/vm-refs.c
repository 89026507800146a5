/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VM definitions that name a device by PCI address, checked against the host as it is now: a
 * firmware update or a card added elsewhere renumbers buses, and a definition then names another
 * device (a VM started on it gets someone else's VF, or fails). libvirt domains carry the VF's
 * identity in the user alias vfctl emit writes (ua-vfctl-<PF>-vf<N>); Proxmox's resource
 * mappings carry each entry's vendor:device and IOMMU group, which qemu-server checks only when
 * a VM starts. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "checker.h"
#include "files.h"
#include "parse.h"
#include "relations.h"
#include "stable-id.h"

typedef struct refs {
	size_t libvirt, proxmox, bad;
} refs;

/* The value of attribute name inside [p, end): name='v' or name="v". */
static bool attr(const char *p, const char *end, const char *name, char *buf, size_t size)
{
	size_t n = strlen(name);
	for (const char *a = p; (a = strstr(a, name)) && a < end; a += n) {
		if (a > p && a[-1] != ' ' && a[-1] != '\t' && a[-1] != '\n')
			continue;
		if (a[n] != '=' || (a[n + 1] != '\'' && a[n + 1] != '"'))
			continue;
		const char *v = a + n + 2, *q = strchr(v, a[n + 1]);
		if (!q || q > end || (size_t)(q - v) >= size)
			return false;
		memcpy(buf, v, (size_t)(q - v));
		buf[q - v] = 0;
		return true;
	}
	return false;
}

/* ua-vfctl-525400123456-vf1 or ua-vfctl-pci-0000-01-00-0-vf1: the stable id and the index. */
static bool parse_alias(const char *alias, char *id, size_t size, int *vf)
{
	const char *k = alias + strlen("ua-vfctl-"), *v = strrchr(alias, '-');
	if (!startswith(alias, "ua-vfctl-") || !v || v <= k || strncmp(v, "-vf", 3) || sscanf(v + 3, "%d", vf) != 1)
		return false;
	size_t n = (size_t)(v - k);
	unsigned dom, bus, slot, fn;
	if (n == 12 && strspn(k, "0123456789abcdefABCDEF") >= 12) {
		snprintf(id, size, "mac:%.2s:%.2s:%.2s:%.2s:%.2s:%.2s", k, k + 2, k + 4, k + 6, k + 8, k + 10);
		return true;
	}
	if (sscanf(k, "pci-%4x-%2x-%2x-%1x", &dom, &bus, &slot, &fn) == 4) {
		snprintf(id, size, "path:pci-%04x:%02x:%02x.%x", dom, bus, slot, fn);
		return true;
	}
	return false;
}

static void check_libvirt_device(checker *c, refs *r, const char *file, const char *domain, const char *p,
				 const char *end)
{
	char alias[128], id[64], dom[16], bus[16], slot[16], fn[16], named[16];
	int vf;
	const char *a = strstr(p, "<alias ");
	if (!a || a > end || !attr(a, end, "name", alias, sizeof(alias)) || !parse_alias(alias, id, sizeof(id), &vf))
		return;
	const char *s = strstr(p, "<source");
	const char *ad = s && s < end ? strstr(s, "<address") : NULL;
	if (!ad || ad > end || !attr(ad, end, "domain", dom, sizeof(dom)) || !attr(ad, end, "bus", bus, sizeof(bus)) ||
	    !attr(ad, end, "slot", slot, sizeof(slot)) || !attr(ad, end, "function", fn, sizeof(fn)))
		return;
	snprintf(named, sizeof(named), "%04lx:%02lx:%02lx.%lx", strtoul(dom, NULL, 0), strtoul(bus, NULL, 0),
		 strtoul(slot, NULL, 0), strtoul(fn, NULL, 0));
	r->libvirt++;
	const vfctl_device *pf = pf_by_stable_id(c->h, id);
	const char *now = pf && vf >= 0 && (size_t)vf < pf->n_vfs ? pf->vfs[vf].id : NULL;
	if (now && streq(now, named))
		return;
	const vfctl_device *there = vfctl_host_find(c->h, named);
	_cleanup_free_ char *sum = NULL, *ev = NULL, *fix = NULL;
	r->bad++;
	if (asprintf(&sum, "libvirt domain %s names %s for VF %d of the PF %s, %s", domain, named, vf, id,
		     !pf     ? "which is not on this host"
		     : !now  ? "which has no such VF now"
		     : there ? "but that address is now another device"
			     : "but no device has that address now") < 0)
		sum = NULL;
	if (asprintf(&ev, "%s: <alias name='%s'/> at %s; %s is %s", file, alias, named, named,
		     there ? (there->physfn ? "a VF of another PF" : "not a VF") : "absent") < 0)
		ev = NULL;
	if (now && asprintf(&fix,
			    "that VF is %s now: write its address into the domain (virsh edit %s), or "
			    "vfctl emit libvirt %s:vf%d",
			    now, domain, id, vf) < 0)
		fix = NULL;
	add(c, "vm.address-moved", VFCTL_SEV_WARN, pf, sum, ev,
	    fix ? fix : "bring the PF back, or remove the device from the domain (virsh edit)");
}

static void check_libvirt_file(checker *c, refs *r, const char *path)
{
	_cleanup_free_ char *x = NULL;
	char domain[128] = "?";
	if (file_read_text(path, &x) < 0)
		return;
	const char *n = strstr(x, "<name>"), *ne = n ? strstr(n, "</name>") : NULL;
	if (n && ne && ne - n - 6 < (long)sizeof(domain))
		snprintf(domain, sizeof(domain), "%.*s", (int)(ne - n - 6), n + 6);
	static const char *const kinds[][2] = {{"<interface", "</interface>"}, {"<hostdev", "</hostdev>"}};
	for (size_t k = 0; k < 2; k++)
		for (const char *p = x; (p = strstr(p, kinds[k][0]));) {
			const char *end = strstr(p, kinds[k][1]);
			if (!end)
				break;
			check_libvirt_device(c, r, path, domain, p, end);
			p = end;
		}
}

/* The node a Proxmox mapping entry is for: this host's name up to its first dot, as pvecm names
 * nodes (a fake tree's etc/hostname). */
static void node_name(const checker *c, char *buf, size_t size)
{
	char path[PATH_MAX];
	_cleanup_free_ char *t = NULL;
	ctx_etc_path(c->ctx, "hostname", path, sizeof(path));
	if (c->ctx->fs->read_only ? file_read_text(path, &t) < 0 : gethostname(buf, size) < 0)
		buf[0] = 0;
	else if (t)
		snprintf(buf, size, "%s", t);
	buf[strcspn(buf, ".\n")] = 0;
}

static void check_proxmox_entry(checker *c, refs *r, const char *file, const char *map, const char *line,
				const char *node)
{
	char n[128] = "", path[32] = "", id[16] = "", group[16] = "";
	const struct {
		const char *key;
		char *buf;
		size_t size;
	} fields[] = {{"node", n, sizeof(n)},
		      {"path", path, sizeof(path)},
		      {"id", id, sizeof(id)},
		      {"iommugroup", group, sizeof(group)}};
	/* map id=8086:10ca,iommugroup=20,node=pve1,path=0000:01:10.0[,subsystem-id=...] */
	for (const char *p = line;; p++) {
		size_t len = strcspn(p, ",\n");
		const char *eq = memchr(p, '=', len);
		for (size_t f = 0; eq && f < ELEMENTSOF(fields); f++)
			if ((size_t)(eq - p) == strlen(fields[f].key) && !strncmp(p, fields[f].key, (size_t)(eq - p)))
				snprintf(fields[f].buf, fields[f].size, "%.*s", (int)(len - (size_t)(eq - p) - 1),
					 eq + 1);
		p += len;
		if (*p != ',')
			break;
	}
	if (!*path || (*node && *n && !streq(n, node)))
		return;
	r->proxmox++;
	const vfctl_device *d = vfctl_host_find(c->h, path);
	char have[16] = "";
	if (d)
		snprintf(have, sizeof(have), "%04x:%04x", d->vendor_id, d->device_id);
	bool id_ok = d && (!*id || strcasecmp(id, have) == 0);
	bool group_ok = d && (!*group || atoi(group) == d->iommu_group);
	if (id_ok && group_ok)
		return;
	r->bad++;
	_cleanup_free_ char *sum = NULL, *ev = NULL;
	if (asprintf(&sum, "Proxmox mapping %s names %s, which is %s now: a VM using it fails to start", map, path,
		     !d       ? "absent"
		     : !id_ok ? "another device"
			      : "in another IOMMU group") < 0)
		sum = NULL;
	if (asprintf(&ev, "%s: id=%s iommugroup=%s; %s is %s in group %d", file, id, group, path, d ? have : "-",
		     d ? d->iommu_group : -1) < 0)
		ev = NULL;
	add(c, "vm.proxmox-mapping-stale", VFCTL_SEV_WARN, d, sum, ev,
	    "update the mapping (Datacenter > Resource Mappings, or vfctl emit proxmox --mapping NAME for the "
	    "VFs as they are now)");
}

static void check_proxmox(checker *c, refs *r)
{
	char path[PATH_MAX], node[128], map[128] = "";
	_cleanup_free_ char *t = NULL;
	ctx_etc_path(c->ctx, "pve/mapping/pci.cfg", path, sizeof(path));
	if (file_read_text(path, &t) < 0)
		return;
	node_name(c, node, sizeof(node));
	for (const char *l = t; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n')) {
		size_t len = strcspn(l, "\n");
		if (len && l[0] != ' ' && l[0] != '\t' && l[0] != '#')
			snprintf(map, sizeof(map), "%.*s", (int)len, l);
		const char *s = l + strspn(l, " \t");
		if (s < l + len && startswith(s, "map "))
			check_proxmox_entry(c, r, path, map, s + 4, node);
	}
}

void check_vm_refs(checker *c)
{
	refs r = {0};
	char dir[PATH_MAX], f[PATH_MAX];
	char **names = NULL;
	size_t n = 0;
	ctx_etc_path(c->ctx, "libvirt/qemu", dir, sizeof(dir));
	if (dir_list(dir, ".xml", &names, &n) >= 0) {
		for (size_t i = 0; i < n; i++) {
			snprintf(f, sizeof(f), "%s/%s", dir, names[i]);
			check_libvirt_file(c, &r, f);
		}
		strv_free_n(names, n);
	}
	check_proxmox(c, &r);
	if (!r.libvirt && !r.proxmox)
		return;
	_cleanup_free_ char *ev = NULL;
	if (asprintf(&ev, "%zu libvirt VF reference(s) (vfctl's aliases), %zu Proxmox mapping entries", r.libvirt,
		     r.proxmox) < 0)
		ev = NULL;
	if (!r.bad)
		add(c, "vm.references", VFCTL_SEV_OK, NULL,
		    "the VM definitions' PCI addresses still name the devices they were written for", ev, NULL);
}
