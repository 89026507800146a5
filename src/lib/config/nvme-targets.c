/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NVMe PFs: each VF's secondary controller needs flexible queues (VQ) and interrupts (VI) from the
 * primary controller before it can come online. NVMeQueues=/NVMeInterrupts= are checked against the
 * pool the primary reports (Identify CNS 14h), and VFs without them get a fair share. */
#include <stdio.h>

#include <stddef.h>

#include "config.h"

/* The nvme driver needs an admin queue and one I/O queue, and one interrupt. */
#define NVME_MIN_VQ 2
#define NVME_MIN_VI 1

typedef struct res {
	const char *key; /* NVMeQueues, NVMeInterrupts */
	const vfctl_nvme_pool *pool;
	int min;
	size_t off;     /* of the target in vf_target */
	size_t loc_off; /* of its conf_loc */
} res;

#define TARGET(v, r) ((int *)((char *)(v) + (r)->off))
#define LOC(v, r)    ((conf_loc *)((char *)(v) + (r)->loc_off))

static int check_res(vfctl_config *c, conf_unit *u, const vfctl_device *pf, const res *r)
{
	const vfctl_nvme_pool *p = r->pool;
	int avail = p->total - p->primary, gran = p->granularity > 0 ? p->granularity : 1, sum = 0, n_default = 0;
	for (size_t i = 0; i < u->n_vfs; i++) {
		vf_target *v = &u->vfs[i];
		int want = *TARGET(v, r);
		if (want < 0) {
			n_default++;
			continue;
		}
		sum += want;
		/* one message for a section's mistake, not one per VF it covers */
		if (want < r->min || want > p->max_per_vf || want % gran)
			return config_error(c, *LOC(v, r),
					    "%s=%d for VF %zu: %s allows %d..%d per VF in steps of %d (the "
					    "nvme driver needs at least %d)",
					    r->key, want, i, pf->nvme_ctrl, r->min, p->max_per_vf, gran, r->min);
	}
	/* The rest of the pool, shared evenly, rounded down to the granularity and the per-VF maximum. */
	int share = n_default ? (avail - sum) / n_default / gran * gran : 0;
	share = share > p->max_per_vf ? p->max_per_vf : share;
	if (n_default && share < r->min)
		return config_error(
			c, u->l_num_vfs.line ? u->l_num_vfs : u->loc,
			"%s has %d flexible %s for its VFs (%d given explicitly): %d VF%s cannot each get the "
			"%d the nvme driver needs (lower NumVFs= or set %s= per VF)",
			pf->nvme_ctrl, avail, r->min == NVME_MIN_VQ ? "queues" : "interrupts", sum, n_default,
			n_default == 1 ? "" : "s", r->min, r->key);
	if (sum + share * n_default > avail) {
		const vf_target *first = NULL;
		for (size_t i = 0; i < u->n_vfs && !first; i++)
			if (*TARGET(&u->vfs[i], r) >= 0)
				first = &u->vfs[i];
		return config_error(c, first ? *LOC(first, r) : u->loc,
				    "%s: the VFs ask for %d, %s has %d flexible for them", r->key,
				    sum + share * n_default, pf->nvme_ctrl, avail);
	}
	for (size_t i = 0; i < u->n_vfs; i++)
		if (*TARGET(&u->vfs[i], r) < 0)
			*TARGET(&u->vfs[i], r) = share;
	return 0;
}

int nvme_targets(vfctl_config *c, conf_unit *u, const vfctl_device *pf)
{
	bool given = false;
	for (size_t s = 0; s < u->n_vf_sections && !given; s++)
		given = u->vf_sections[s].t.l_nvme_vq.line || u->vf_sections[s].t.l_nvme_vi.line;
	if (!pf->nvme_ctrl) {
		if (!given)
			return 0;
		for (size_t s = 0; s < u->n_vf_sections; s++) {
			const vf_target *t = &u->vf_sections[s].t;
			if (t->l_nvme_vq.line || t->l_nvme_vi.line)
				return config_error(c, t->l_nvme_vq.line ? t->l_nvme_vq : t->l_nvme_vi,
						    "%s= is for the VFs of an NVMe PF; %s is not one",
						    t->l_nvme_vq.line ? "NVMeQueues" : "NVMeInterrupts", pf->id);
		}
	}
	/* Without the pool (not root, a fake tree) the values cannot be checked or defaulted: the
	 * plan then has no NVMe steps, and apply (root, the running kernel) always has the pool. */
	if (!pf->nvme_known)
		return 0;
	const res rs[] = {
		{"NVMeQueues", &pf->nvme_vq, NVME_MIN_VQ, offsetof(vf_target, nvme_vq), offsetof(vf_target, l_nvme_vq)},
		{"NVMeInterrupts", &pf->nvme_vi, NVME_MIN_VI, offsetof(vf_target, nvme_vi),
		 offsetof(vf_target, l_nvme_vi)},
	};
	for (size_t i = 0; i < ELEMENTSOF(rs); i++) {
		int r = check_res(c, u, pf, &rs[i]);
		if (r < 0)
			return r;
	}
	return 0;
}
