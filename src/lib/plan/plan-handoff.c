/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl's files for the programs that take netdevs (handoff.h): what VFNetdevName= and the VFs'
 * Unmanaged= ask of udev and systemd-networkd, as each file's text, and the step that writes or
 * removes a file when it says otherwise. */
#include <net/if.h>
#include <stdio.h>

#include "handoff.h"
#include "plan.h"
#include "sriov.h"

/* VF i's PCI address: its device when the plan keeps it, else where the kernel will put it
 * (sriov_rid_addr); an error naming the file that needs it when it cannot be known. */
static int vf_addr_known(vfctl_ctx *ctx, const vfctl_device *pf, int i, bool keep, const char *file, char *buf,
			 size_t size)
{
	if (keep && (size_t)i < pf->n_vfs && pf->vfs[i].id) {
		snprintf(buf, size, "%s", pf->vfs[i].id);
		return 0;
	}
	if (sriov_rid_addr(pf, (uint32_t)i, buf, size))
		return 0;
	return ctx_error(ctx, -ENXIO,
			 "%s: VF %d's PCI address is not known (the PF's SR-IOV capability was not read: run as "
			 "root), so no %s can name it",
			 pf->id, i, file);
}

/* The rule for VFs [0, n): NAME= only in "add" (udevd renames a netdev there and nowhere else),
 * matched on the VF's own netdev (DEVPATH: not a vDPA or virtio netdev further below it);
 * NM_UNMANAGED in every event NetworkManager reads properties from, "add", "change" and "move",
 * on anything under the VF. NULL in *ret: nothing asks for a rule. */
static int rule_text(vfctl_ctx *ctx, const conf_unit *u, const vfctl_device *pf, const char *pf_name, int n, bool keep,
		     char **ret)
{
	bool any = u->vf_netdev_name != NULL;
	for (int i = 0; i < n && (size_t)i < u->n_vfs && !any; i++)
		any = u->vfs[i].unmanaged == 1;
	*ret = NULL;
	if (!any)
		return 0;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f,
		"# vfctl: the VFs of %s, from vfctl's configuration (VFNetdevName=, Unmanaged=: vfctl.conf(5)).\n"
		"# vfctl apply rewrites this file, and removes it once nothing asks for it.\n",
		pf->id);
	int r = 0;
	for (int i = 0; i < n; i++) {
		char addr[32], name[IFNAMSIZ * 8];
		bool unmanaged = (size_t)i < u->n_vfs && u->vfs[i].unmanaged == 1;
		if (!u->vf_netdev_name && !unmanaged)
			continue;
		if ((r = vf_addr_known(ctx, pf, i, keep, "udev rule", addr, sizeof(addr))) < 0)
			break;
		if (u->vf_netdev_name && altname_expand(u->vf_netdev_name, pf_name, i, name, sizeof(name)) >= 0)
			fprintf(f, "SUBSYSTEM==\"net\", ACTION==\"add\", " HANDOFF_RULE_NAME "%s\"\n", addr, name);
		if (unmanaged)
			fprintf(f, "SUBSYSTEM==\"net\", ACTION==\"add|change|move\", " HANDOFF_RULE_UNMANAGED "\n",
				addr);
	}
	if (fclose(f) != 0 || r < 0) {
		free(text);
		return r < 0 ? r : -ENOMEM;
	}
	*ret = text;
	return 0;
}

/* VFs the plan keeps whose netdev has another name and is up: the kernel renames a netdev only
 * while it is down, and udevd only in its "add" event, so the name waits for the VF's next one. */
static int note_names(vfctl_plan *p, const conf_unit *u, const vfctl_host *h, const vfctl_device *pf,
		      const char *pf_name, int n)
{
	for (int i = 0; i < n && (size_t)i < pf->n_vfs; i++) {
		const vfctl_netdev *nd = netdev_find(h, pf->vfs[i].netdev);
		char name[IFNAMSIZ * 8];
		if (!nd || nd->flags < 0 || !(nd->flags & IFF_UP) ||
		    altname_expand(u->vf_netdev_name, pf_name, i, name, sizeof(name)) < 0 || streq(name, nd->name))
			continue;
		if (plan_note(p, pf->id,
			      "VF %d's netdev %s is up: it becomes %s when the VF is next made or its driver next "
			      "binds it (the kernel renames a netdev only while it is down)",
			      i, nd->name, name) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* VFs the plan keeps whose netdev exists and whose NM_UNMANAGED the rule changes: NetworkManager
 * reads the property when a netdev appears, not in a later "change" event (1.42: the lab shows a
 * VF's udev entry with NM_UNMANAGED=1 and NetworkManager still managing it), so its view follows
 * at the netdev's next appearance: the VF's driver binding it again, as when a VM gives it back. */
static int note_unmanaged(vfctl_plan *p, const conf_unit *u, const vfctl_device *pf, int n)
{
	for (int i = 0; i < n && (size_t)i < pf->n_vfs && (size_t)i < u->n_vfs; i++) {
		const vfctl_vf *v = &pf->vfs[i];
		if (!v->netdev || !v->id)
			continue;
		bool have = handoff_rule_unmanaged(pf, v->id), want = u->vfs[i].unmanaged == 1;
		if (have != want &&
		    plan_note(
			    p, pf->id,
			    "VF %d's netdev %s exists: NetworkManager reads NM_UNMANAGED when a netdev appears, so it "
			    "%s until the VF's driver next binds it (a VM giving it back) or NetworkManager "
			    "restarts; for now: nmcli device set %s managed %s",
			    i, v->netdev, want ? "keeps managing it" : "leaves it alone", v->netdev,
			    want ? "no" : "yes") < 0)
			return -ENOMEM;
	}
	return 0;
}

/* networkd's file: the VFs with Unmanaged=yes by udev's ID_PATH ("pci-ADDRESS", which path_id
 * gives a PCI function's netdevs). NULL in *ret: none has it. */
static int network_text(vfctl_ctx *ctx, const conf_unit *u, const vfctl_device *pf, int n, bool keep, char **ret)
{
	char *text = NULL;
	size_t len = 0;
	int r = 0, found = 0;
	*ret = NULL;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f,
		"# vfctl: the VFs of %s that systemd-networkd leaves alone (Unmanaged=: vfctl.conf(5)).\n"
		"# vfctl apply rewrites this file, and removes it once nothing asks for it.\n"
		"[Match]\nPath=",
		pf->id);
	for (int i = 0; i < n && (size_t)i < u->n_vfs; i++) {
		char addr[32];
		if (u->vfs[i].unmanaged != 1)
			continue;
		if ((r = vf_addr_known(ctx, pf, i, keep, ".network file", addr, sizeof(addr))) < 0)
			break;
		fprintf(f, "%spci-%s", found++ ? " " : "", addr);
	}
	fprintf(f, "\n\n[Link]\nUnmanaged=yes\n");
	if (fclose(f) != 0 || r < 0 || !found) {
		free(text);
		return r < 0 ? r : found ? -ENOMEM : 0;
	}
	*ret = text;
	return 0;
}

static int plan_file(vfctl_ctx *ctx, vfctl_plan *p, size_t ui, const conf_unit *u, const vfctl_device *pf,
		     const char *pf_name, int want_n, bool keep, handoff_kind kind)
{
	const char *literal = kind == HANDOFF_UDEV_RULE ? u->udev_rule : u->networkd_file;
	_cleanup_free_ char *want = NULL;
	char name[256], first[IFNAMSIZ * 8] = "", last[IFNAMSIZ * 8] = "";
	int r;
	if (literal) {
		if (*literal && !(want = strdup(literal)))
			return -ENOMEM;
	} else if ((r = kind == HANDOFF_UDEV_RULE ? rule_text(ctx, u, pf, pf_name, want_n, keep, &want)
						  : network_text(ctx, u, pf, want_n, keep, &want)) < 0)
		return r;
	if (streq_ptr(want, handoff_text_of(pf, kind)))
		return 0;
	handoff_name(kind, pf->id, name, sizeof(name));
	step_kind sk = kind == HANDOFF_UDEV_RULE ? STEP_UDEV_RULE : STEP_NETWORKD_FILE;
	const char *what = kind == HANDOFF_UDEV_RULE ? "udev rule" : "systemd-networkd file";
	if (u->vf_netdev_name && (altname_expand(u->vf_netdev_name, pf_name, 0, first, sizeof(first)) < 0 ||
				  altname_expand(u->vf_netdev_name, pf_name, want_n - 1, last, sizeof(last)) < 0))
		first[0] = last[0] = 0;
	plan_step *s =
		literal ? plan_add(p, sk, ui, pf->id, -1, "%s: %s %s: %s", pf->id, what, name,
				   want ? "back as it was" : "remove")
		: !want ? plan_add(p, sk, ui, pf->id, -1, "%s: %s %s: remove", pf->id, what, name)
		: kind == HANDOFF_NETWORKD
			? plan_add(p, sk, ui, pf->id, -1, "%s: %s %s: Unmanaged=yes for the Unmanaged=yes VFs", pf->id,
				   what, name)
		: u->vf_netdev_name
			? plan_add(p, sk, ui, pf->id, -1, "%s: %s %s: VF netdevs named %s%s%s%s", pf->id, what, name,
				   first, want_n > 1 ? ".." : "", want_n > 1 ? last : "",
				   strstr(want, "NM_UNMANAGED") ? ", NetworkManager hands off" : "")
			: plan_add(p, sk, ui, pf->id, -1, "%s: %s %s: NetworkManager hands off the Unmanaged=yes VFs",
				   pf->id, what, name);
	if (!s)
		return -ENOMEM;
	s->u.rule.text = TAKE_PTR(want);
	if (kind == HANDOFF_NETWORKD && networkd_running(ctx) &&
	    plan_note(p, pf->id,
		      "systemd-networkd reads %s when it next starts or reloads (networkctl reload); vfctl does "
		      "not call it",
		      name) < 0)
		return -ENOMEM;
	return kind == HANDOFF_NETWORKD || (plan_own(&s->u.rule.pattern, u->vf_netdev_name) &&
					    plan_own(&s->u.rule.pf_name, pf_name))
		       ? 0
		       : -ENOMEM;
}

int plan_handoff(vfctl_ctx *ctx, vfctl_plan *p, size_t ui, const conf_unit *u, const vfctl_host *h,
		 const vfctl_device *pf, const char *pf_name, int want_n, bool keep)
{
	int r = keep && u->vf_netdev_name && !u->udev_rule ? note_names(p, u, h, pf, pf_name, want_n) : 0;
	if (r >= 0 && keep && !u->udev_rule)
		r = note_unmanaged(p, u, pf, want_n);
	for (handoff_kind k = 0; r >= 0 && k < _HANDOFF_MAX; k++)
		r = plan_file(ctx, p, ui, u, pf, pf_name, want_n, keep, k);
	return r;
}
