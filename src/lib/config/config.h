/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"
#include "vf-flags.h"

/* Where a value came from, for FILE:LINE messages. file points into vfctl_config.files. */
typedef struct conf_loc {
	const char *file;
	unsigned line;
} conf_loc;

/* MACAddress=persistent in vf_target.mac until validation derives the VF's MAC (mac-policy.h). */
#define VF_MAC_PERSISTENT "persistent"

/* What a VF should look like. -1 / NULL: not given, so never touched. */
typedef struct vf_target {
	char mac[18];
	int vlan, qos, vlan_proto;
	int flag[_VF_FLAG_MAX]; /* vf-flags.h: spoof checking, trust, link state, RSS query */
	int64_t min_tx_rate, max_tx_rate;
	int mtu;
	char *driver;     /* "auto", "none", or a driver name */
	int vfio_variant; /* with Driver=vfio-pci: 0 keeps plain vfio-pci where a variant exists; -1 unset (yes) */
	char *override;   /* rollback target: the driver_override it had, "" none; NULL untouched */
	char *vdpa;       /* VDPA=: "vhost_vdpa" or "virtio_vdpa" on this VF's vDPA management device */
	conf_loc l_vdpa;
	int owner, group;     /* /dev/vfio/N ownership with Driver=vfio-pci, -1 untouched */
	int nvme_vq, nvme_vi; /* NVMe VF: its secondary controller's queues and interrupts, -1 unset */
	char *rate_group;     /* switchdev: the [RateGroup] its devlink rate leaf is under; "" none (rollback) */
	int rep_up;           /* a rollback target's: its representor's link as it was (0 down), -1 untouched */
	int unmanaged;        /* Unmanaged=: NetworkManager leaves its netdev alone (the PF's udev rule), -1 unset */
	/* where each was set (line 0: not set) */
	conf_loc l_mac, l_vlan, l_qos, l_vlan_proto, l_flag[_VF_FLAG_MAX], l_min_tx_rate, l_max_tx_rate, l_mtu,
		l_driver, l_owner, l_group, l_nvme_vq, l_nvme_vi, l_vfio_variant, l_rate_group, l_unmanaged;
} vf_target;

/* One [RateGroup] section: a devlink rate node of the PF's devlink instance (switchdev mode), a
 * group of VF rate leafs sharing its limits. */
typedef struct rate_group_target {
	char *name;
	int64_t min_tx_rate, max_tx_rate; /* Mbit/s: tx_share, tx_max; -1 not given (0 then) */
	int present;                      /* 0 in a rollback target: the node did not exist */
	conf_loc loc, l_name, l_min_tx_rate, l_max_tx_rate;
} rate_group_target;

/* One [VF], [VF:N] or [VF:N-M] section; all VFs when lo == -1. */
typedef struct vf_section {
	int lo, hi;
	conf_loc loc;
	vf_target t;
} vf_section;

typedef enum unit_kind { UNIT_PF, UNIT_DEVICE, UNIT_VDPA } unit_kind;

typedef struct match_rule {
	char *kind, *value; /* "pci", "0000:06:00.1" */
	conf_loc loc;
} match_rule;

/* NumVFs=external: the VFs are someone else's to create (nmstate, a vendor tool, the firmware);
 * vfctl sets the per-VF keys of those that exist and never writes sriov_numvfs. */
#define NUMVFS_EXTERNAL (-2)

/* One [PF] (with its VF sections) or one [Device]. */
typedef struct conf_unit {
	unit_kind kind;
	conf_loc loc;
	match_rule *match;
	size_t n_match;
	int num_vfs, autoprobe, up, mtu;
	vfctl_eswitch_mode eswitch_mode; /* VFCTL_ESWITCH_NONE: not given */
	char *rep_altname;               /* RepresentorAltName= pattern */
	char *vf_netdev_name;            /* VFNetdevName= pattern: the VFs' netdev names (the PF's udev rule) */
	/* A rollback target's: vfctl's udev rule for the PF's VFs as it was ("" none); NULL: the rule
	 * follows from VFNetdevName= and the VFs' Unmanaged= (plan-udev.c). */
	char *udev_rule;
	char *networkd_file; /* the same for vfctl's systemd-networkd file */
	/* Open vSwitch: the bridge whose ports the uplink and representors are ("" in a rollback
	 * target: none), its other_config:hw-offload (-1 untouched; 2, OVS_HW_OFFLOAD_UNSET, in a
	 * rollback target: the key removed), and in a rollback target the bridge vfctl created, to
	 * remove again. */
	char *ovs_bridge;
	int ovs_hw_offload;
	char *ovs_drop;
	char *driver;     /* [Device] */
	int vfio_variant; /* [Device] VFIOVariant=, as in vf_target */
	char *override;   /* [Device] rollback target: the driver_override it had, "" none; NULL untouched */
	int all_functions;
	int owner, group; /* [Device] with Driver=vfio-pci: /dev/vfio/N ownership, -1 untouched */
	/* [VDPA] */
	char *vdpa_name, *vdpa_mgmtdev, *vdpa_driver; /* driver: vhost_vdpa or virtio_vdpa */
	char vdpa_mac[18];
	int vdpa_mtu, vdpa_vqp, present;
	conf_loc l_vdpa_name, l_vdpa_mgmtdev;
	conf_loc l_num_vfs, l_autoprobe, l_up, l_mtu, l_eswitch_mode, l_driver, l_all_functions, l_owner, l_group,
		l_rep_altname, l_vfio_variant, l_ovs_bridge, l_ovs_hw_offload, l_vf_netdev_name;
	vf_section *vf_sections;
	size_t n_vf_sections;
	rate_group_target *rate_groups;
	size_t n_rate_groups;

	/* Filled by validation: */
	char *dev_id;   /* the matched device */
	vf_target *vfs; /* effective per-VF targets, n_vfs of them */
	size_t n_vfs;
} conf_unit;

struct vfctl_config {
	char **files;
	size_t n_files;
	conf_unit *units;
	size_t n_units;
	char **errors; /* "FILE:LINE: message" */
	size_t n_errors;
	size_t n_parse_errors; /* the first ones, from reading the files; validation adds the rest */
	unsigned built_lines;  /* vfctl_config_set calls so far (config-build.c): each one's line */
};

void vf_target_init(vf_target *t);
void vf_target_done(vf_target *t);
/* Applies the keys set in src over dst, key by key. */
int vf_target_merge(vf_target *dst, const vf_target *src);

/* Frees everything a unit owns (parsed or built as a rollback target) and zeroes it. */
void conf_unit_done(conf_unit *u);
/* RepresentorAltName= pattern: %p the PF's netdev, %n the VF number, %% a %. */
int altname_expand(const char *pattern, const char *pf, int vf, char *buf, size_t n);

int config_error(vfctl_config *c, conf_loc loc, const char *fmt, ...) _printf_(3, 4);
/* A unit of kind with nothing given (every knob -1: never touched). */
void conf_unit_init(conf_unit *u, unit_kind kind, conf_loc loc);
/* One Key=Value of a section (config-keys.c: the table of keys): of unit u, or of VF section t.
 * A bad value is recorded as an error and changes nothing; -ENOMEM only. */
int config_key(vfctl_config *c, conf_unit *u, vf_target *t, const char *section, const char *name, const char *v,
	       conf_loc loc);
/* One Key=Value of a [RateGroup] section. */
int config_rate_group_key(vfctl_config *c, rate_group_target *g, const char *name, const char *v, conf_loc loc);
/* Parses len bytes as one file named name, NUL bytes included (vfctl_config_parse_string stops at
 * the first): what a file on disk can hold. */
int config_parse_mem(vfctl_ctx *ctx, const char *name, const void *buf, size_t len, vfctl_config **ret);
/* How many of the configuration's errors lie in unit ui's lines or outside every section of its
 * file (ui past the units: none); *ret_global (optional) gets those that name no file,
 * *ret_unitless (optional) those in a file without a unit (one that cannot be read or parsed). */
size_t config_unit_errors(const vfctl_config *c, size_t ui, size_t *ret_global, size_t *ret_unitless);
/* NVMe PFs: NVMeQueues=/NVMeInterrupts= checked against the primary controller's pools, and the
 * VFs without them given a fair share (nvme-targets.c). Errors are recorded in c. */
int nvme_targets(vfctl_config *c, conf_unit *u, const vfctl_device *pf);
/* Resolves Match= rules, computes per-VF targets and checks them against the host. */
int config_validate(vfctl_ctx *ctx, vfctl_config *c, const vfctl_host *h);
