/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"

typedef enum step_kind {
	STEP_PF_MTU,
	STEP_PF_UP,
	STEP_AUTOPROBE,
	STEP_NUMVFS,
	STEP_VF_MAC,
	STEP_VF_VLAN,
	STEP_VF_RATE,
	STEP_VF_SPOOFCHK,
	STEP_VF_TRUST,
	STEP_VF_LINK_STATE,
	STEP_VF_RSS_QUERY,
	STEP_UNBIND,
	STEP_BIND,  /* driver_override + drivers_probe, loading the module first */
	STEP_PROBE, /* drivers_probe without override: the kernel's own choice (autoprobe on) */
	STEP_VF_MTU,
	STEP_VFIO_OWNER, /* chown /dev/vfio/N: v[0] uid, v[1] gid (-1 untouched) */
	STEP_ESWITCH,    /* devlink eswitch mode v[0] (0 legacy, 1 switchdev) */
	STEP_REP_ALTNAME, /* altname for VF vf's representor: driver holds the name */
	STEP_VDPA_ADD,    /* dev = vDPA name, target = mgmtdev (or vf >= 0: the VF's), mac, v[0] mtu, v[1] vqp */
	STEP_VDPA_BIND,   /* driver = vhost_vdpa / virtio_vdpa */
	STEP_VDPA_DEL,
	STEP_PF_DOWN,
} step_kind;

typedef struct plan_step {
	step_kind kind;
	size_t unit;  /* index into the config's units */
	char *dev;    /* the PF or device id; for VF steps the PF */
	int vf;       /* VF index, -1 for PF/device steps */
	char *target; /* for device-level driver steps on a function other than dev (AllFunctions) */
	int64_t v[3]; /* numvfs / flag / mtu; vlan,qos,proto; min,max */
	char mac[18];
	char *driver;
	bool disruptive; /* destroys or unbinds a VF/device: holders are checked first */
	char *text;
} plan_step;

struct vfctl_plan {
	plan_step *steps;
	size_t n;
};

/* Steps that bring unit u (validated) from the host's state h to its target. Appends to p. */
int plan_unit(vfctl_ctx *ctx, const vfctl_config *c, size_t u, const vfctl_host *h, vfctl_plan *p);
void plan_clear(vfctl_plan *p);
/* The unit's current state as a target: what a rollback restores. */
int unit_from_host(vfctl_ctx *ctx, const conf_unit *u, const vfctl_host *h, conf_unit *ret);
const char *step_kind_str(step_kind k);
/* Does unit u's device answer to `only` (PCI address, device id or one of its netdevs)? */
bool unit_selected(const conf_unit *u, const vfctl_host *h, const char *only);
/* How a PF driver wants its eswitch mode changed (mlx5: unbind the VFs, switch, rebind; ice: only without VFs). */
typedef enum eswitch_order {
	ESWITCH_VFS_FIRST,    /* mlx5, and the generic order: VFs exist, unbind them, switch, rebind */
	ESWITCH_THROUGH_ZERO, /* ice: VFs to 0, switch, VFs back */
} eswitch_order;
eswitch_order eswitch_order_of(const char *driver);

const vfctl_vdpa_dev *vdpa_find(const vfctl_host *h, const char *name);
/* The name vfctl gives the vDPA device of VDPA= on VF vf: "vdpa-<PF netdev>-<vf>". */
void vf_vdpa_name(const vfctl_device *pf, int vf, char *buf, size_t n);

/* The kernel's default driver for a PCI device's modalias (libkmod), or NULL. */
char *default_driver(vfctl_ctx *ctx, const vfctl_host *h, const vfctl_device *pf, const char *vf_id);
