/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdio.h>

#include "files.h"
#include "iommu.h"
#include "parse.h"
#include "pci.h"

static void name_variants(const char *name, char *us, char *dash, size_t n)
{
	snprintf(us, n, "%s", name);
	snprintf(dash, n, "%s", name);
	for (size_t i = 0; us[i]; i++) {
		if (us[i] == '-')
			us[i] = '_';
		if (dash[i] == '_')
			dash[i] = '-';
	}
}

/* modules.dep lines start "kernel/.../NAME.ko[.xz|.zst|.gz]:"; modules.builtin lines are paths. */
static bool listed(const char *list, const char *us, const char *dash)
{
	char pat[2][96];
	if (!list)
		return false;
	snprintf(pat[0], sizeof(pat[0]), "/%s.ko", us);
	snprintf(pat[1], sizeof(pat[1]), "/%s.ko", dash);
	for (int i = 0; i < 2; i++)
		for (const char *p = strstr(list, pat[i]); p; p = strstr(p + 1, pat[i])) {
			char c = p[strlen(pat[i])];
			if (c == ':' || c == '\n' || c == '.' || c == 0)
				return true;
		}
	return false;
}

/* modules.dep or modules.builtin of the running kernel, read once per context. */
static const char *modules_file(vfctl_ctx *ctx, const char *release, const char *file, char **cache, bool *read)
{
	if (!*read && release) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", release, file);
		(void)modfs_read(ctx->fs, path, cache);
		*read = true;
	}
	return *cache;
}

vfctl_module_state module_state(vfctl_ctx *ctx, const char *release, const char *name)
{
	char us[64], dash[64], path[PATH_MAX];
	name_variants(name, us, dash, sizeof(us));
	if (listed(modules_file(ctx, release, "modules.builtin", &ctx->mod_builtin, &ctx->mod_builtin_read), us, dash))
		return VFCTL_MODULE_BUILTIN;
	/* initstate exists only for loadable modules that are loaded. */
	snprintf(path, sizeof(path), "module/%s/initstate", us);
	if (sysfs_exists(ctx->fs, path))
		return VFCTL_MODULE_LOADED;
	/* modules.dep (half a megabyte) only for a module that is not loaded. */
	if (listed(modules_file(ctx, release, "modules.dep", &ctx->mod_dep, &ctx->mod_dep_read), us, dash))
		return VFCTL_MODULE_AVAILABLE;
	return VFCTL_MODULE_ABSENT;
}

const char *vfctl_module_state_str(vfctl_module_state s)
{
	switch (s) {
	case VFCTL_MODULE_LOADED:
		return "loaded";
	case VFCTL_MODULE_BUILTIN:
		return "builtin";
	case VFCTL_MODULE_AVAILABLE:
		return "available";
	default:
		return "absent";
	}
}

static char *cpu_vendor(vfctl_ctx *ctx)
{
	_cleanup_free_ char *ci = NULL;
	if (procfs_read(ctx->fs, "cpuinfo", &ci) < 0)
		return NULL;
	const char *p = strstr(ci, "vendor_id");
	if (!p || !(p = strchr(p, ':')))
		return NULL;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	return strndup(p, strcspn(p, "\n"));
}

/* Which interrupt chips the kernel uses: with remapping on, the IO-APIC and MSI domains are
 * stacked on the remapping unit and /proc/interrupts names them "IR-IO-APIC", "IR-PCI-MSIX-...".
 * Readable by anyone, on Intel and AMD alike. */
static int irq_chips_remapped(vfctl_ctx *ctx)
{
	_cleanup_free_ char *s = NULL;
	if (procfs_read(ctx->fs, "interrupts", &s) < 0)
		return -1;
	bool plain = false;
	char *save = NULL;
	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, " IR-IO-APIC") || strstr(line, " IR-PCI-MSI"))
			return 1;
		plain |= strstr(line, " IO-APIC") || strstr(line, " PCI-MSI");
	}
	return plain ? 0 : -1;
}

static void interrupt_remapping_scan(vfctl_ctx *ctx, vfctl_host *h)
{
	h->irq_remapping = irq_chips_remapped(ctx);
	h->iommu_ir_units = -1;
	char **v = NULL;
	size_t n = 0;
	if (sysfs_list(ctx->fs, "class/iommu", "dmar", &v, &n) >= 0 && n > 0) {
		/* VT-d ECAP bit 3 (IR): the unit can remap interrupts. */
		for (size_t i = 0; i < n; i++) {
			_cleanup_free_ char *ecap = NULL;
			if (sysfs_readf(ctx->fs, &ecap, "class/iommu/%s/intel-iommu/ecap", v[i]) < 0)
				continue;
			unsigned long long e = strtoull(ecap, NULL, 16);
			h->iommu_ir_units = (h->iommu_ir_units < 0 ? 0 : h->iommu_ir_units) + ((e >> 3) & 1);
		}
	}
	strv_free_n(v, n);
	_cleanup_free_ char *p = NULL;
	h->vfio_unsafe_interrupts = -1;
	if (sysfs_read(ctx->fs, "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", &p) >= 0)
		h->vfio_unsafe_interrupts = p[0] == 'Y' || p[0] == 'y' || p[0] == '1';
}

/* /etc/machine-id: 32 hex digits, else NULL (an empty file before first boot, "uninitialized"). */
static char *machine_id(const vfctl_ctx *ctx)
{
	char path[PATH_MAX], *t = NULL;
	ctx_etc_path(ctx, "machine-id", path, sizeof(path));
	if (file_read_text(path, &t) < 0)
		return NULL;
	strstrip_end(t);
	bool ok = strlen(t) == 32;
	for (size_t i = 0; ok && i < 32; i++)
		ok = (t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f');
	if (!ok) {
		free(t);
		return NULL;
	}
	return t;
}

int host_info_scan(vfctl_ctx *ctx, vfctl_host *h)
{
	char **v = NULL;
	size_t n = 0;

	h->is_root = geteuid() == 0;
	(void)procfs_read(ctx->fs, "sys/kernel/osrelease", &h->kernel_release);
	(void)procfs_read(ctx->fs, "cmdline", &h->cmdline);
	h->cpu_vendor = cpu_vendor(ctx);
	h->machine_id = machine_id(ctx);

	if (sysfs_list(ctx->fs, "class/iommu", NULL, &v, &n) >= 0) {
		h->n_iommus = n;
		if (n > 0)
			h->iommu_kind = strdup(startswith(v[0], "dmar")   ? "intel-vt-d"
					       : startswith(v[0], "ivhd") ? "amd-vi"
									  : "other");
		strv_free_n(v, n);
	}
	n = 0;
	h->n_iommu_groups = sysfs_list(ctx->fs, "kernel/iommu_groups", NULL, &v, &n) >= 0 ? (int)n : 0;
	strv_free_n(v, n);
	h->iommu_active = h->n_iommus > 0 && h->n_iommu_groups > 0;

	if (h->cmdline) {
		h->arg_intel_iommu = cmdline_get(h->cmdline, "intel_iommu");
		h->arg_amd_iommu = cmdline_get(h->cmdline, "amd_iommu");
		h->arg_iommu = cmdline_get(h->cmdline, "iommu");
		h->arg_pci = cmdline_get(h->cmdline, "pci");
		h->arg_pcie_acs_override = cmdline_get(h->cmdline, "pcie_acs_override");
		h->arg_vfio_pci_ids = cmdline_get(h->cmdline, "vfio-pci.ids");
		h->arg_intremap = cmdline_get(h->cmdline, "intremap");
	}
	interrupt_remapping_scan(ctx, h);

	if (ctx->set.plan_only)
		return 0;
	h->mod_vfio = module_state(ctx, h->kernel_release, "vfio");
	h->mod_vfio_pci = module_state(ctx, h->kernel_release, "vfio_pci");
	h->mod_vfio_iommu_type1 = module_state(ctx, h->kernel_release, "vfio_iommu_type1");
	return 0;
}
