/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's own choice of driver for a device, from modules.alias (libkmod), so a plan knows
 * what Driver=auto and autoprobe would bind without asking at apply time. */
#include <errno.h>
#include <libkmod.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "modalias.h"

static char *module_to_driver(const char *mod)
{
	/* PCI drivers are named as their modules, except vfio_pci → "vfio-pci". */
	if (streq(mod, "vfio_pci"))
		return strdup("vfio-pci");
	return strdup(mod);
}

/* A device's alias as modules.alias patterns match it: "pci:v...d...sv...sd...bc..sc..i..", or with
 * prefix "vfio_pci:", the aliases vfio-pci variant drivers declare (PCI_DRIVER_OVERRIDE_DEVICE_VFIO),
 * which only driver_override can bind. */
static void pci_alias(char *buf, size_t n, const char *prefix, int vendor, int device, const vfctl_device *ids)
{
	snprintf(buf, n, "%s:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", prefix, vendor, device, ids->subsystem_vendor_id,
		 ids->subsystem_device_id, ids->class_code >> 16, (ids->class_code >> 8) & 0xff,
		 ids->class_code & 0xff);
}

/* The first module the index gives for alias, as a driver name; pci_stub and vfio_pci (which
 * bind anything through driver_override only) are never the answer. */
static char *alias_driver(struct kmod_ctx *k, const char *alias)
{
	char *ret = NULL;
	struct kmod_list *l = NULL, *it;
	if (kmod_module_new_from_lookup(k, alias, &l) >= 0)
		kmod_list_foreach (it, l) {
			struct kmod_module *m = kmod_module_get_module(it);
			const char *name = kmod_module_get_name(m);
			if (!ret && name && !streq(name, "pci_stub") && !streq(name, "vfio_pci"))
				ret = module_to_driver(name);
			kmod_module_unref(m);
		}
	kmod_module_unref_list(l);
	return ret;
}

/* A VF has its PF's vendor and class and the VF device id the PF's SR-IOV capability announces;
 * drivers match VFs on those, not on the subsystem ids. */
static char *vf_alias_driver(struct kmod_ctx *k, const vfctl_device *pf, const char *prefix)
{
	char alias[128];
	pci_alias(alias, sizeof(alias), prefix, pf->vendor_id, pf->vf_device_id, pf);
	return alias_driver(k, alias);
}

/* libkmod with the release's index, loaded once per context (an apply scans twice or more). */
static struct kmod_ctx *ctx_kmod(vfctl_ctx *ctx, const char *release)
{
	if (!ctx->kmod && release) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s/%s", ctx->fs->modules_root, release);
		if ((ctx->kmod = kmod_new(dir, NULL)))
			(void)kmod_load_resources(ctx->kmod);
	}
	return ctx->kmod;
}

int vf_default_drivers(vfctl_ctx *ctx, vfctl_host *h)
{
	if (ctx->set.plan_only && !ctx->set.plan_default_drivers)
		return 0;
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		/* A VF's are its PF's (below). apply's own scans look other devices up only when a
		 * section may bind them to vfio-pci; a full scan (plan, verify, doctor) all of them. */
		if (d->vendor_id < 0 || d->physfn ||
		    (ctx->set.plan_only && d->vf_device_id < 0 && !ctx->set.plan_default_drivers))
			continue;
		struct kmod_ctx *k = ctx_kmod(ctx, h->kernel_release);
		if (!k)
			return 0; /* no module index: the default driver stays unknown */
		if (d->vf_device_id >= 0) {
			d->vf_default_driver = vf_alias_driver(k, d, "pci");
			d->vf_vfio_variant = vf_alias_driver(k, d, "vfio_pci");
		}
		char alias[128];
		pci_alias(alias, sizeof(alias), "vfio_pci", d->vendor_id, d->device_id, d);
		d->vfio_variant = alias_driver(k, alias);
	}
	/* A VF's is its PF's (devices are in address order, a PF before its VFs or not: a second pass). */
	for (size_t i = 0; i < h->n_devices; i++) {
		vfctl_device *d = &h->devices[i];
		const vfctl_device *pf = d->physfn ? vfctl_host_find(h, d->physfn) : NULL;
		if (pf && pf->vf_vfio_variant && !(d->vfio_variant = strdup(pf->vf_vfio_variant)))
			return -ENOMEM;
	}
	return 0;
}

bool driver_module_loaded(vfctl_ctx *ctx, const char *driver)
{
	char mod[128];
	snprintf(mod, sizeof(mod), "module/%s", driver);
	for (char *p = mod; *p; p++)
		if (*p == '-')
			*p = '_';
	return sysfs_exists(ctx->fs, mod);
}

int modalias_loaded_driver(vfctl_ctx *ctx, const vfctl_host *h, const vfctl_device *d, char **ret)
{
	_cleanup_free_ char *alias = NULL;
	*ret = NULL;
	if (!h->kernel_release || sysfs_readf(ctx->fs, &alias, "%s/modalias", d->syspath) < 0)
		return 0;
	struct kmod_ctx *k = ctx_kmod(ctx, h->kernel_release);
	struct kmod_list *l = NULL, *it;
	if (!k)
		return 0;
	if (kmod_module_new_from_lookup(k, alias, &l) >= 0)
		kmod_list_foreach (it, l) {
			struct kmod_module *m = kmod_module_get_module(it);
			const char *name = kmod_module_get_name(m);
			if (!*ret && name && !streq(name, "pci_stub") && !streq(name, "vfio_pci") &&
			    driver_module_loaded(ctx, name))
				*ret = module_to_driver(name);
			kmod_module_unref(m);
		}
	kmod_module_unref_list(l);
	return 0;
}
