/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The values of a configuration unit and its VF targets: constructors, the one destructor, merging. */
#include <stdio.h>

#include "config.h"

void vf_target_init(vf_target *t)
{
	*t = (vf_target){
		.vlan = -1,
		.qos = -1,
		.vlan_proto = -1,
		.min_tx_rate = -1,
		.max_tx_rate = -1,
		.mtu = -1,
		.owner = -1,
		.group = -1,
		.nvme_vq = -1,
		.nvme_vi = -1,
		.vfio_variant = -1,
		.rep_up = -1,
		.unmanaged = -1,
	};
	for (size_t f = 0; f < _VF_FLAG_MAX; f++)
		t->flag[f] = -1;
}

void conf_unit_init(conf_unit *u, unit_kind kind, conf_loc loc)
{
	*u = (conf_unit){.kind = kind,
			 .loc = loc,
			 .num_vfs = -1,
			 .eswitch_mode = VFCTL_ESWITCH_NONE,
			 .autoprobe = -1,
			 .up = -1,
			 .mtu = -1,
			 .all_functions = -1,
			 .owner = -1,
			 .group = -1,
			 .vfio_variant = -1,
			 .ovs_hw_offload = -1,
			 .vdpa_mtu = -1,
			 .vdpa_vqp = -1,
			 .present = 1};
}

void vf_target_done(vf_target *t)
{
	free(t->driver);
	free(t->override);
	free(t->vdpa);
	free(t->rate_group);
	t->driver = t->override = t->vdpa = t->rate_group = NULL;
}

int vf_target_merge(vf_target *d, const vf_target *s)
{
#define MERGE(f)                             \
	do {                                 \
		if (s->l_##f.line) {         \
			d->f = s->f;         \
			d->l_##f = s->l_##f; \
		}                            \
	} while (0)
	if (s->l_mac.line) {
		memcpy(d->mac, s->mac, sizeof(d->mac));
		d->l_mac = s->l_mac;
	}
	MERGE(vlan);
	MERGE(qos);
	MERGE(vlan_proto);
	MERGE(min_tx_rate);
	MERGE(max_tx_rate);
	MERGE(mtu);
	MERGE(owner);
	MERGE(group);
	MERGE(nvme_vq);
	MERGE(nvme_vi);
	MERGE(vfio_variant);
	MERGE(unmanaged);
#undef MERGE
	for (size_t f = 0; f < _VF_FLAG_MAX; f++)
		if (s->l_flag[f].line) {
			d->flag[f] = s->flag[f];
			d->l_flag[f] = s->l_flag[f];
		}
	if (s->l_vdpa.line) {
		char *n = strdup(s->vdpa);
		if (!n)
			return -ENOMEM;
		free(d->vdpa);
		d->vdpa = n;
		d->l_vdpa = s->l_vdpa;
	}
	if (s->l_driver.line) {
		char *n = strdup(s->driver);
		if (!n)
			return -ENOMEM;
		free(d->driver);
		d->driver = n;
		d->l_driver = s->l_driver;
	}
	if (s->l_rate_group.line) {
		char *n = strdup(s->rate_group);
		if (!n)
			return -ENOMEM;
		free(d->rate_group);
		d->rate_group = n;
		d->l_rate_group = s->l_rate_group;
	}
	return 0;
}

void conf_unit_done(conf_unit *u)
{
	for (size_t j = 0; j < u->n_match; j++) {
		free(u->match[j].kind);
		free(u->match[j].value);
	}
	free(u->match);
	free(u->rep_altname);
	free(u->vf_netdev_name);
	free(u->udev_rule);
	free(u->networkd_file);
	free(u->ovs_bridge);
	free(u->ovs_drop);
	free(u->vdpa_name);
	free(u->vdpa_mgmtdev);
	free(u->vdpa_driver);
	free(u->driver);
	free(u->override);
	for (size_t j = 0; j < u->n_vf_sections; j++)
		vf_target_done(&u->vf_sections[j].t);
	free(u->vf_sections);
	for (size_t j = 0; j < u->n_rate_groups; j++)
		free(u->rate_groups[j].name);
	free(u->rate_groups);
	free(u->dev_id);
	for (size_t j = 0; j < u->n_vfs; j++)
		vf_target_done(&u->vfs[j]);
	free(u->vfs);
	*u = (conf_unit){0};
}

int altname_expand(const char *pattern, const char *pf, int vf, char *buf, size_t n)
{
	size_t k = 0;
	for (const char *p = pattern; *p; p++) {
		char part[64];
		if (*p == '%' && p[1] == 'n')
			snprintf(part, sizeof(part), "%d", vf), p++;
		else if (*p == '%' && p[1] == 'p')
			snprintf(part, sizeof(part), "%s", pf), p++;
		else if (*p == '%' && p[1] == '%')
			snprintf(part, sizeof(part), "%%"), p++;
		else if (*p == '%' || *p == '/' || *p == ' ')
			return -EINVAL;
		else
			snprintf(part, sizeof(part), "%c", *p);
		size_t l = strlen(part);
		if (k + l >= n || k + l > 127) /* ALTIFNAMSIZ 128 */
			return -ENAMETOOLONG;
		memcpy(buf + k, part, l);
		k += l;
	}
	buf[k] = 0;
	return k ? 0 : -EINVAL;
}
