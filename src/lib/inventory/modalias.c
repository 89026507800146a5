/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel's own choice of driver for a device, from modules.alias (libkmod), so a plan knows
 * what Driver=auto and autoprobe would bind without asking at apply time. */
#include <libkmod.h>
#include <limits.h>
#include <stdio.h>

#include "modalias.h"

static char *module_to_driver(const char *mod)
{
	/* PCI drivers are named as their modules, except vfio_pci → "vfio-pci". */
	if (streq(mod, "vfio_pci"))
		return strdup("vfio-pci");
	return strdup(mod);
}

/* The first driver modules.alias gives for a PF's VFs. A VF has its PF's vendor and class and the
 * VF device id the PF's SR-IOV capability announces; drivers match VFs on those, not on the
 * subsystem ids. */
static char *vf_driver(struct kmod_ctx *k, const vfctl_device *pf)
{
	char alias[128];
	char *ret = NULL;
	struct kmod_list *l = NULL, *it;
	snprintf(alias, sizeof(alias), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", pf->vendor_id, pf->vf_device_id,
		 pf->subsystem_vendor_id, pf->subsystem_device_id, pf->class_code >> 16, (pf->class_code >> 8) & 0xff,
		 pf->class_code & 0xff);
	if (kmod_module_new_from_lookup(k, alias, &l) >= 0)
		kmod_list_foreach (it, l) {
			struct kmod_module *m = kmod_module_get_module(it);
			const char *name = kmod_module_get_name(m);
			/* vfio-pci matches everything via driver_override only; skip generic stubs. */
			if (!ret && name && !streq(name, "pci_stub") && !streq(name, "vfio_pci"))
				ret = module_to_driver(name);
			kmod_module_unref(m);
		}
	kmod_module_unref_list(l);
	return ret;
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
		vfctl_device *pf = &h->devices[i];
		if (pf->vf_device_id < 0 || pf->vendor_id < 0)
			continue;
		struct kmod_ctx *k = ctx_kmod(ctx, h->kernel_release);
		if (!k)
			return 0; /* no module index: the default driver stays unknown */
		pf->vf_default_driver = vf_driver(k, pf);
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
