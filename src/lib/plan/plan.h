/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"

typedef enum step_kind {
	STEP_PF_MTU,
	STEP_PF_UP,
	STEP_AUTOPROBE,
	STEP_NUMVFS,
	STEP_VF_MAC,
	STEP_VF_HW_ADDR, /* switchdev: the MAC as the VF port function's hw_addr (u.mac) */
	STEP_VF_VLAN,
	STEP_VF_RATE,
	STEP_VF_FLAG, /* one of vf_flags[]: u.flag */
	STEP_UNBIND,
	STEP_BIND,  /* driver_override + drivers_probe, loading the module first */
	STEP_PROBE, /* drivers_probe without override: the kernel's own choice (autoprobe on) */
	STEP_VF_MTU,
	STEP_VFIO_OWNER,
	STEP_ESWITCH,
	STEP_REP_ALTNAME,
	STEP_VDPA_ADD,
	STEP_VDPA_BIND,
	STEP_VDPA_DEL,
	STEP_PF_DOWN,
	STEP_NVME_OFFLINE, /* an NVMe VF's secondary controller: Virtualization Management */
	STEP_NVME_ASSIGN,
	STEP_NVME_ONLINE,
	STEP_OVSDB,         /* one OVSDB transaction: a PF's ports into or out of a bridge, hw-offload */
	STEP_RATE_NODE_ADD, /* a [RateGroup]: DEVLINK_CMD_RATE_NEW of a rate node */
	STEP_RATE_NODE_SET,
	STEP_RATE_NODE_DEL,
	STEP_VF_RATE_PARENT, /* a VF's rate leaf under a node ("" none) */
	STEP_REP_LINK,       /* a VF representor's link up or down (u.on): an Open vSwitch port */
	STEP_UDEV_RULE,      /* vfctl's udev rule for the PF's VFs written (u.rule.text) or removed (NULL) */
	STEP_NETWORKD_FILE,  /* vfctl's systemd-networkd file for them, the same way */
	_STEP_MAX,
} step_kind;

/* One kernel change. Which member of the union is meaningful follows from kind; values are in the
 * kernel's own types, so the executor only copies them into the request. */
typedef struct plan_step {
	step_kind kind;
	size_t unit;     /* index into the config's units */
	char *dev;       /* the PF or device id; for VF steps the PF; for [VDPA] units the vDPA name */
	int vf;          /* VF index, -1 for PF/device steps */
	bool disruptive; /* destroys or unbinds a VF/device: holders are checked first */
	char *text;
	union {
		uint32_t mtu; /* PF_MTU, VF_MTU */
		int numvfs;   /* NUMVFS */
		bool on;      /* AUTOPROBE */
		struct {
			vf_flag which;
			uint32_t value;          /* the attribute's payload after the VF number */
		} flag;                          /* VF_FLAG */
		vfctl_eswitch_mode eswitch_mode; /* ESWITCH */
		uint8_t mac[6];                  /* VF_MAC */
		struct {
			uint32_t vlan, qos;
			uint16_t proto; /* ETH_P_8021Q or ETH_P_8021AD */
		} vlan;
		struct {
			uint32_t min, max; /* Mbit/s */
			bool devlink;      /* as the VF port's devlink rate leaf (switchdev mode) */
		} rate;
		struct {
			char *function; /* a [Device] function, NULL: VF vf of dev */
			char *driver;   /* BIND: NULL with auto (the kernel's choice from modules.alias) */
			bool keep_override;
		} drv; /* UNBIND, BIND, PROBE */
		struct {
			char *function; /* NULL: VF vf of dev */
			int uid, gid;   /* -1 untouched */
		} owner;                /* VFIO_OWNER */
		char *altname;          /* REP_ALTNAME */
		struct {
			char *name, *mgmtdev; /* mgmtdev NULL: VF vf's own function */
			char *driver;         /* VDPA_BIND: vhost_vdpa or virtio_vdpa */
			uint8_t mac[6];
			bool has_mac;
			int mtu, max_vqp; /* -1: the device's default */
		} vdpa;                   /* VDPA_ADD, VDPA_BIND, VDPA_DEL */
		struct {
			uint8_t res; /* NVME_RES_VQ or NVME_RES_VI */
			uint16_t nr;
		} nvme; /* NVME_ASSIGN */
		struct {
			char *bridge; /* the PF's uplink and the representors of VFs [0, reps) join it; NULL: none */
			int reps;     /* named when the step runs: switchdev mode may make them in this run */
			char **del;   /* ports that leave their bridge, by name */
			size_t n_del;
			char *drop;     /* a bridge to remove if nothing else is left in it */
			int hw_offload; /* -1 untouched, 0, 1, OVS_HW_OFFLOAD_UNSET */
		} ovs;                  /* OVSDB */
		struct {
			char *text;    /* the file, NULL: none */
			char *pattern; /* VFNetdevName=, NULL none: which VF netdevs get an "add" event to be named */
			char *pf_name; /* %p in it */
		} rule;                /* UDEV_RULE, NETWORKD_FILE (text only) */
		struct {
			char *name;        /* the node; VF_RATE_PARENT: the parent, "" none */
			uint32_t min, max; /* Mbit/s: tx_share, tx_max */
		} node;                    /* RATE_NODE_*, VF_RATE_PARENT */
	} u;
} plan_step;

struct vfctl_plan {
	plan_step *steps;
	size_t n, alloc;
	/* What the plan leaves alone and why (NumVFs=external): said, never a step. */
	char **notes;
	size_t n_notes, alloc_notes;
};

/* Steps that bring unit u (validated) from the host's state h to its target. Appends to p. Pure:
 * everything it compares with is in the snapshot; ctx only takes the error text. */
int plan_unit(vfctl_ctx *ctx, const vfctl_config *c, size_t u, const vfctl_host *h, vfctl_plan *p);
void plan_step_done(plan_step *s);
/* What a step acts on when that is not its dev: a [Device] function or a vDPA device; NULL else. */
const char *plan_step_target(const plan_step *s);
void plan_clear(vfctl_plan *p);
/* The unit's current state as a target: what a rollback restores. Pure, like plan_unit. */
int unit_from_host(vfctl_ctx *ctx, const conf_unit *u, const vfctl_host *h, conf_unit *ret);
const char *step_kind_str(step_kind k);
/* A step the bind pool may run beside the steps next to it (a driver bind or probe). */
bool step_poolable(const plan_step *s);
/* The step's action as plan --json and verify name it: its kind's name, or its flag's ("vf-trust"). */
const char *plan_step_action(const plan_step *s);
/* Does unit u's device (a [VDPA] unit: its name) answer to one of sel's arguments (a PCI address,
 * a netdev, PF:vfN)? True for every unit when sel is NULL or empty. */
bool unit_selected(const conf_unit *u, const vfctl_host *h, const vfctl_select *sel);
/* How a PF driver wants its eswitch mode changed (mlx5: unbind the VFs, switch, rebind; ice: only without VFs). */
typedef enum eswitch_order {
	ESWITCH_VFS_FIRST,    /* mlx5, and the generic order: VFs exist, unbind them, switch, rebind */
	ESWITCH_THROUGH_ZERO, /* ice: VFs to 0, switch, VFs back */
} eswitch_order;
eswitch_order eswitch_order_of(const char *driver);

const vfctl_vdpa_dev *vdpa_find(const vfctl_host *h, const char *name);
/* The name vfctl gives the vDPA device of VDPA= on VF vf: "vdpa-<PF netdev>-<vf>". */
void vf_vdpa_name(const vfctl_device *pf, int vf, char *buf, size_t n);
/* The netdev called name anywhere in the snapshot, NULL if none. */
const vfctl_netdev *netdev_find(const vfctl_host *h, const char *name);
bool netdev_has_altname(const vfctl_host *h, const char *name, const char *alt);
/* Is the device's /dev/vfio node already owned as asked (-1: that half not asked)? */
bool vfio_owned(const vfctl_device *d, int uid, int gid);
/* The driver a section's Driver= binds: for "vfio-pci", the variant modules.alias gives the device
 * when there is one (as libvirt picks it: only a variant can migrate the device's state), unless
 * VFIOVariant=no (want 0) or the target is a rollback's (override set), which names the very
 * driver the device had. */
const char *vfio_pick(const char *driver, const char *variant, int want, const char *override);
#define VFIO_VARIANT_WHY " (vfio-pci's variant for this device in modules.alias)"

/* Open vSwitch (plan-ovs.c): the PF's ports leaving their bridge (a rollback's: leave, before the
 * eswitch change takes the representors away), or joining the unit's bridge and hw-offload (after
 * the representors exist). reps_known: the snapshot's representors are the ones the steps will
 * find (no eswitch change, no re-created VFs). */
int plan_ovs(vfctl_plan *p, size_t ui, const conf_unit *u, const vfctl_host *h, const vfctl_device *pf, int want_n,
	     bool reps_known, bool leave);

/* [RateGroup] nodes and the VFs' RateGroup= (plan-rate.c): nodes added or changed, leafs moved
 * under them, then nodes a rollback removes. cur_known: the snapshot's nodes and leafs are what
 * the steps will find (no eswitch change in between). */
int plan_rate_groups(vfctl_plan *p, size_t ui, const conf_unit *u, const vfctl_device *pf, int want_n, bool cur_known);

/* vfctl's udev rule and systemd-networkd file for the PF's VFs (plan-handoff.c): written before
 * the VFs are made, so their first "add" event has them. keep: the plan keeps the VFs that exist
 * (no re-creation). */
int plan_handoff(vfctl_ctx *ctx, vfctl_plan *p, size_t ui, const conf_unit *u, const vfctl_host *h,
		 const vfctl_device *pf, const char *pf_name, int want_n, bool keep);

/* Building a plan (plan-step.c): a step with its text, the caller fills the kind's member. */
plan_step *plan_add(vfctl_plan *p, step_kind kind, size_t unit, const char *dev, int vf, const char *fmt, ...)
	_printf_(6, 7);
/* A note of the plan ("DEV: ..."); -ENOMEM only. */
int plan_note(vfctl_plan *p, const char *dev, const char *fmt, ...) _printf_(3, 4);
/* Copies v into a step's field (NULL stays NULL); false on OOM. */
bool plan_own(char **field, const char *v);
/* The steps that give VF i of pf (named ifn in their texts) the knobs t sets, one per attribute
 * that differs from cur (NULL when unknown: every knob t sets). */
int plan_vf_settings(vfctl_plan *p, size_t unit, const vfctl_device *pf, const char *ifn, int i, const vf_target *t,
		     const vfctl_vf_settings *cur, vfctl_eswitch_mode mode);
/* The phases of each unit kind (plan-pf.c, plan-vdpa.c). */
int plan_pf(vfctl_ctx *ctx, const vfctl_config *c, size_t ui, const vfctl_host *h, vfctl_plan *p);
int plan_vdpa(const vfctl_config *c, size_t ui, const vfctl_host *h, vfctl_plan *p);
/* The steps that make vDPA device name what is asked (cur: as it is, NULL if absent). */
int add_vdpa_steps(vfctl_plan *p, size_t ui, const char *owner, const char *name, const char *mgmtdev, int vf,
		   const char *mac, int mtu, int vqp, const char *driver, const vfctl_vdpa_dev *cur);
