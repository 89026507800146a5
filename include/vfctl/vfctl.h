/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvfctl: the host's SR-IOV, IOMMU and VFIO state as the kernel reports it.
 *
 * Conventions: functions return >= 0 on success and -errno on failure; on failure
 * vfctl_ctx_error() describes what failed (the path, netlink request and the kernel's
 * extended-ack text). The library never prints and never exits.
 *
 * A snapshot (vfctl_host) is plain read-only data owned by the library: read its fields,
 * never write or free them; vfctl_host_free() releases it. Fields a source could not provide
 * are -1 (integers) or NULL (strings). */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vfctl_ctx vfctl_ctx;

/* Every options struct begins with its size, so a program built against another libvfctl keeps
 * working: build one with VFCTL_OPTS(vfctl_apply_opts, .force = true). A smaller struct (an older
 * program) reads as zero in the fields it lacks; a larger one (a newer program) is refused with
 * -E2BIG when a field this library does not know is set; size 0 is refused with -EINVAL. NULL
 * options mean the defaults. */
#define VFCTL_OPTS(type, ...) ((type){.size = sizeof(type), __VA_ARGS__})

/* sys_root/proc_root/modules_root: NULL for /sys, /proc and /lib/modules. Netlink is used only
 * when sys_root is the real /sys (a fake tree has no kernel behind it) unless forced.
 * kmsg_path: a file of /dev/kmsg records read instead of the kernel log (a fixture); NULL for
 * /dev/kmsg, or no kernel log at all when another root is a fake tree. */
typedef struct vfctl_ctx_opts {
	size_t size; /* sizeof, set by VFCTL_OPTS */
	const char *sys_root, *proc_root, *modules_root;
	int netlink; /* -1 auto, 0 off, 1 on */
	bool names;  /* resolve vendor/device names through pci.ids (libpci) */
	const char *kmsg_path;
	/* also read traffic counters: each VF's as its PF reports them (IFLA_VF_STATS) and every
	 * netdev's own (IFLA_STATS64); off, the kernel is asked to leave them out */
	bool stats;
} vfctl_ctx_opts;

int vfctl_ctx_new(const vfctl_ctx_opts *opts, vfctl_ctx **ret);
vfctl_ctx *vfctl_ctx_free(vfctl_ctx *ctx);
const char *vfctl_ctx_error(const vfctl_ctx *ctx);

typedef enum vfctl_module_state {
	VFCTL_MODULE_ABSENT,    /* not built for this kernel */
	VFCTL_MODULE_AVAILABLE, /* a module file exists, not loaded */
	VFCTL_MODULE_LOADED,
	VFCTL_MODULE_BUILTIN,
} vfctl_module_state;

/* Traffic counters; valid false when not read (no netlink; a VF's only with vfctl_ctx_opts.stats,
 * a netdev's come with every rtnetlink scan). A source without such a counter leaves it -1 (a
 * netdev counts no broadcasts). */
typedef struct vfctl_counters {
	bool valid;
	int64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	int64_t rx_broadcast, rx_multicast, rx_dropped, tx_dropped;
} vfctl_counters;

typedef struct vfctl_netdev {
	char *name;
	char *mac;       /* current address */
	char *perm_mac;  /* IFLA_PERM_ADDRESS, NULL when unknown */
	char *operstate; /* "up", "down", ... */
	int ifindex;
	int mtu;         /* -1 unknown */
	int flags;       /* IFF_*, -1 unknown */
	char **altnames; /* IFLA_ALT_IFNAME, from rtnetlink */
	size_t n_altnames;
	vfctl_counters stats; /* the netdev's own (IFLA_STATS64): for a VF, its driver's view */
	int speed;            /* an SR-IOV PF's link speed in Mb/s while it is up; -1 down or unknown */
} vfctl_netdev;

/* A VF's port VLAN protocol: the EtherTypes (ETH_P_8021Q, ETH_P_8021AD). */
#define VFCTL_VLAN_PROTO_8021Q  0x8100
#define VFCTL_VLAN_PROTO_8021AD 0x88a8

/* A PF's eswitch (devlink): DEVLINK_ESWITCH_MODE_*, as the kernel numbers them. */
typedef enum vfctl_eswitch_mode {
	VFCTL_ESWITCH_NONE = -1, /* no devlink eswitch, or not asked */
	VFCTL_ESWITCH_LEGACY = 0,
	VFCTL_ESWITCH_SWITCHDEV = 1,
} vfctl_eswitch_mode;

/* A VF's admin settings as the PF driver reports them over rtnetlink. Knobs a driver does not
 * report are -1. valid is false when the kernel gave no settings for this VF. */
typedef struct vfctl_vf_settings {
	bool valid;
	char mac[18];
	int vlan, qos;
	int vlan_proto; /* VFCTL_VLAN_PROTO_* */
	int spoofchk, trust, rss_query;
	int link_state;                   /* IFLA_VF_LINK_STATE_*: 0 auto, 1 enable, 2 disable */
	int64_t min_tx_rate, max_tx_rate; /* Mbit/s */
	/* Its devlink port function's capabilities (switchdev mode), -1 where the driver reports none */
	int roce, migratable;
} vfctl_vf_settings;

/* A devlink rate node: a group of VF rate leafs sharing its limits, in Mbit/s (0: none). */
typedef struct vfctl_rate_group {
	char *name;
	int64_t min_tx_rate, max_tx_rate; /* tx_share, tx_max */
	char *parent;                     /* its own parent node, NULL none */
} vfctl_rate_group;

typedef struct vfctl_vf {
	unsigned index;
	char *id;     /* PCI address; NULL for VFs without a device (netdevsim) */
	char *driver; /* NULL: no driver bound */
	char *netdev;
	int iommu_group;
	vfctl_vf_settings settings;
	char *representor;    /* its eswitch port's netdev in switchdev mode (devlink), NULL otherwise */
	char *rate_group;     /* the devlink rate node its port's leaf is under, NULL none (switchdev mode) */
	bool port_fn_hw_addr; /* switchdev: its port function reports a MAC (mlx5): MACAddress= is set there */
	/* NVMe: the VF's secondary controller, -1 when unknown (not root, not NVMe) */
	int nvme_scid, nvme_online, nvme_vq, nvme_vi;
	vfctl_counters stats; /* as the PF driver counts the VF's traffic (IFLA_VF_STATS) */
} vfctl_vf;

/* One NVMe flexible resource pool (VQ: queues, VI: interrupts) of a primary controller. */
typedef struct vfctl_nvme_pool {
	int total;       /* flexible resources (VQFRT / VIFRT) */
	int primary;     /* of those, allocated to the primary controller (VQRFAP / VIRFAP) */
	int secondaries; /* assigned to secondary controllers, summed from their list */
	int max_per_vf;  /* VQFRSM / VIFRSM */
	int granularity; /* VQGRAN / VIGRAN */
} vfctl_nvme_pool;

typedef struct vfctl_bar {
	unsigned index;
	bool declared; /* the function implements it */
	bool assigned; /* the kernel gave it address space */
	uint64_t start, size;
} vfctl_bar;

/* A PCI function's address, parsed once at scan time; -1 in every field for non-PCI devices. */
typedef struct vfctl_pci_addr {
	int domain, bus, slot, function;
} vfctl_pci_addr;

/* The process holding a device open (a VM's QEMU: the VFIO group, the vhost-vdpa node). */
typedef struct vfctl_holder {
	int pid;    /* 0: none */
	char *comm; /* "qemu-system-x86" */
	char *vm;   /* the VM's name (QEMU's -name; libvirt's guest=), NULL when it gives none */
	int vmid;   /* Proxmox's VMID (QEMU's -id), -1 when none */
} vfctl_holder;

typedef struct vfctl_device {
	char *id; /* "0000:06:00.1"; for non-PCI PFs the device directory name */
	vfctl_pci_addr addr;
	char *bus;     /* "pci", "netdevsim", ... */
	char *syspath; /* relative to the sysfs root, e.g. "bus/pci/devices/0000:06:00.1" */
	int vendor_id, device_id, subsystem_vendor_id, subsystem_device_id;
	int class_code; /* 24-bit class/subclass/prog-if */
	char *vendor_name, *device_name, *class_name;
	char *driver;
	char *driver_override; /* the only driver that may bind it (driver_override), NULL when none */
	int iommu_group;
	int numa_node;
	vfctl_netdev *netdevs;
	size_t n_netdevs;

	/* Interrupts */
	int int_pin; /* 0 none, 1..4 INTA..INTD */
	int irq;
	bool has_msi, has_msix;
	bool msi_enabled, msix_enabled; /* a driver switched them on: the INTx line is then unused */
	int msi_vectors, msix_vectors;
	bool intx_disabled; /* command register bit 10 */

	/* Config space */
	int config_len; /* bytes readable: 64 for unprivileged readers, 256 or 4096 */
	/* Whether the bytes read can tell the capabilities: false on a 64-byte read (has_msi, has_msix,
	 * msi/msix_enabled, is_pcie then mean nothing), ext false on 256 bytes (has_acs, has_ari,
	 * has_sriov_cap). not_responding: config space reads all ones. */
	bool caps_known, ext_caps_known, not_responding;
	bool is_pcie, is_bridge;
	int pcie_type;
	bool has_acs, has_ari;
	int acs_cap, acs_ctrl;

	/* SR-IOV capability from config space (PF) */
	bool has_sriov_cap;
	int cap_total_vfs, cap_initial_vfs, cap_num_vfs, vf_offset, vf_stride, vf_device_id;
	vfctl_bar vf_bars[6];

	/* SR-IOV from sysfs (PF): -1 when the file is absent */
	int total_vfs, num_vfs, autoprobe;
	vfctl_vf *vfs;
	size_t n_vfs;
	bool vf_settings_known;  /* rtnetlink answered for this PF */
	char *vf_settings_error; /* why not, when !vf_settings_known */
	int reported_num_vf;     /* IFLA_NUM_VF, -1 if not asked */
	bool vf_list_truncated;  /* the kernel listed fewer VFs than IFLA_NUM_VF */
	/* devlink eswitch, -1 where the driver has none */
	vfctl_eswitch_mode eswitch_mode;
	int eswitch_inline_mode, eswitch_encap_mode;
	/* switchdev mode: the devlink rate nodes of its instance (groups of VF leafs) */
	struct vfctl_rate_group *rate_groups;
	size_t n_rate_groups;

	char *vf_default_driver; /* PF: the driver modules.alias gives its VFs, NULL when unknown */
	/* The vfio-pci variant driver modules.alias gives (its "vfio_pci:" aliases: mlx5_vfio_pci, ...),
	 * which Driver=vfio-pci binds instead of plain vfio-pci, as libvirt does; NULL when none.
	 * vfio_variant: for this device; vf_vfio_variant: a PF's, for its VFs. */
	char *vfio_variant, *vf_vfio_variant;

	/* NVMe PF: its controller ("nvme0", NULL otherwise); the pools when Identify could be sent
	 * (root, the running kernel): nvme_known */
	char *nvme_ctrl;
	bool nvme_known;
	vfctl_nvme_pool nvme_vq, nvme_vi;

	/* VF */
	char *physfn; /* PF id, NULL for non-VFs */
	int vf_index;

	/* /dev/vfio/<iommu_group> of a device on vfio-pci: owner and group, -1 otherwise */
	int vfio_uid, vfio_gid;
	vfctl_holder held_by; /* the process holding its VFIO group open (pid 0: none, or not known) */

	/* PF: the text of vfctl's udev rule for its VFs (/etc/udev/rules.d/79-vfctl-ID.rules, which
	 * names them and hands them off from NetworkManager), NULL when there is none */
	char *udev_rule;
	/* PF: the text of vfctl's systemd-networkd file for its VFs (Unmanaged=yes:
	 * /etc/systemd/network/10-vfctl-ID.network), NULL when there is none */
	char *networkd_file;
} vfctl_device;

/* A vfctl apply that stopped half-way (killed, crashed) and left its journal under
 * /run/vfctl/journal: the next apply restores the device's state before that run first. */
typedef struct vfctl_interrupted_run {
	char *device;
	int pid;
	int64_t started; /* unix time */
	uint32_t steps_done, steps_total;
	char *last_step; /* the last step it finished, NULL before the first */
	/* Why apply will not replay this journal (empty, malformed, another boot, another device,
	 * a value vfctl never writes), NULL when it will: reported, never replayed, never blocking. */
	char *unusable;
} vfctl_interrupted_run;

/* Open vSwitch's bridges and ports (its OVSDB's Bridge and Port tables, read in one transaction). */
typedef struct vfctl_ovs_bridge {
	char *name, *uuid;
} vfctl_ovs_bridge;

typedef struct vfctl_ovs_port {
	char *name, *uuid;
	char *bridge; /* the bridge whose ports hold it; NULL: none */
} vfctl_ovs_port;

typedef struct vfctl_ovs {
	char *path;     /* the socket it was read from */
	char *root;     /* the Open_vSwitch row's uuid */
	int hw_offload; /* other_config:hw-offload: 1 "true", 0 any other value, -1 not set */
	vfctl_ovs_bridge *bridges;
	size_t n_bridges;
	vfctl_ovs_port *ports;
	size_t n_ports;
} vfctl_ovs;

typedef struct vfctl_host {
	char *kernel_release;
	char *cpu_vendor; /* "GenuineIntel", "AuthenticAMD", NULL */
	char *cmdline;
	/* IOMMU */
	bool iommu_active;
	char *iommu_kind; /* "intel-vt-d", "amd-vi", "other" or NULL */
	size_t n_iommus;
	int n_iommu_groups;
	/* Interrupt remapping: VFIO refuses a device without it (a VM could forge MSIs to the host).
	 * irq_remapping: the kernel routes interrupts through it ("IR-" chips in /proc/interrupts);
	 * iommu_ir_units: Intel units whose extended capability has the IR bit, of n_iommus (-1:
	 * not exported). vfio_unsafe_interrupts: vfio_iommu_type1's allow_unsafe_interrupts. -1 unknown. */
	int irq_remapping;
	int iommu_ir_units;
	int vfio_unsafe_interrupts;
	/* kernel arguments that matter, NULL when absent */
	char *arg_intel_iommu, *arg_amd_iommu, *arg_iommu, *arg_pci, *arg_pcie_acs_override, *arg_intremap;
	char *arg_vfio_pci_ids;
	vfctl_module_state mod_vfio, mod_vfio_pci, mod_vfio_iommu_type1;
	bool is_root;

	vfctl_device *devices; /* PCI devices in address order, then non-PCI PFs */
	size_t n_devices;
	struct vfctl_vdpa *vdpa; /* NULL without netlink */
	vfctl_interrupted_run *runs;
	size_t n_runs;
	bool runs_known;       /* false: the run directory could not be read (not root) */
	bool holders_known;    /* held_by filled: every process's fds could be read (root), or nothing can be held */
	struct vfctl_ovs *ovs; /* Open vSwitch's database as ovsdb-server gave it; NULL when none answers */
	/* /etc/machine-id, the key of MACAddress=persistent; NULL when it is missing or not 32 hex
	 * digits. A secret of the host's: never printed. */
	char *machine_id;
} vfctl_host;

int vfctl_host_scan(vfctl_ctx *ctx, vfctl_host **ret);
vfctl_host *vfctl_host_free(vfctl_host *h);
const vfctl_device *vfctl_host_find(const vfctl_host *h, const char *id);
/* A VF's own netdev in this namespace (where its driver counts its traffic), NULL if none. */
const vfctl_netdev *vfctl_vf_netdev(const vfctl_host *h, const vfctl_vf *vf);
const char *vfctl_module_state_str(vfctl_module_state s);

/* Resolves a user's DEVICE argument: PCI address (full or without domain), netdev name, a PF's
 * stable id (mac:PERMANENT-MAC, path:pci-ADDRESS: what renumbering leaves alone), or PF:vfN of any
 * of these. ret_vf is -1 unless the argument named a VF by index. -ENODEV if nothing matches. */
int vfctl_host_resolve(const vfctl_host *h, const char *arg, const vfctl_device **ret_dev, int *ret_vf);

/* Which devices a call is about, the one way every call takes them: DEVICE arguments as a user
 * types them (a PCI address, a netdev, PF:vfN; for a [VDPA] section or vfctl_emit_vdpa, a vDPA
 * device's name). NULL, or n 0: every device. Each call resolves them against its snapshot, and
 * one that names nothing there is -ENODEV (-ERANGE: PF:vfN of a PF with fewer VFs). */
typedef struct vfctl_select {
	char *const *devices;
	size_t n;
} vfctl_select;
/* Resolves sel against h as the calls do: 0, or -ENODEV/-ERANGE with *ret_bad (optional) the
 * index of the first argument that names nothing. */
int vfctl_select_check(const vfctl_host *h, const vfctl_select *sel, size_t *ret_bad);
/* Is d what one of sel's arguments names? True for every device when sel is NULL or empty. */
bool vfctl_select_names(const vfctl_host *h, const vfctl_select *sel, const vfctl_device *d);

/* The devices sharing an IOMMU group with d (d excluded), as indexes into h->devices;
 * the caller frees *ret. */
int vfctl_host_group_peers(const vfctl_host *h, const vfctl_device *d, size_t **ret, size_t *ret_n);

/* The snapshot as the JSON document of docs/json.md; a selected PF brings its VFs. The caller
 * frees *ret. */
int vfctl_host_json(const vfctl_host *h, const vfctl_select *sel, char **ret);

/* Offload you can see: for a switchdev PF, its uplink and each VF representor with the tc filters
 * on their ingress (what Open vSwitch's hw-offload installs) and whether each is in hardware. */
typedef struct vfctl_tc_filter {
	uint32_t pref, handle, chain;
	uint16_t protocol; /* ETH_P_*, 0 all */
	char *kind;        /* "flower", "matchall", ... */
	int in_hw;         /* 1 in_hw, 0 not_in_hw, -1 not reported (classifiers without the flags) */
	bool skip_hw, skip_sw;
	int in_hw_count;              /* devices holding it in hardware, -1 not reported */
	int64_t packets, bytes;       /* its first action's counters (tc -s), -1 not reported */
	int64_t hw_packets, hw_bytes; /* of those, counted by the hardware, -1 not reported */
} vfctl_tc_filter;

typedef struct vfctl_offload_port {
	char *netdev;
	int vf;            /* -1: the uplink (the PF's netdev) */
	int hw_tc_offload; /* the netdev's hw-tc-offload feature: 1, 0, -1 unknown */
	vfctl_tc_filter *filters;
	size_t n_filters;
	char *error; /* why the filters could not be read, NULL when they were */
} vfctl_offload_port;

typedef struct vfctl_offload {
	char *pf;
	vfctl_offload_port *ports;
	size_t n_ports;
} vfctl_offload;

/* The offload state of pf (a device id of h, in switchdev mode: -EINVAL otherwise). */
int vfctl_offload_read(vfctl_ctx *ctx, const vfctl_host *h, const char *pf, vfctl_offload **ret);
vfctl_offload *vfctl_offload_free(vfctl_offload *o);
int vfctl_offload_json(const vfctl_offload *o, char **ret);
/* Prometheus text of n PFs' offload state (each family once): hw-tc-offload per port, its tc
 * filters by in_hw, their packets in all and in hardware. Appended to vfctl_metrics()'s by the CLI. */
int vfctl_metrics_offload(vfctl_offload *const *o, size_t n, char **ret);

/* "802.1Q"/"802.1ad", "auto"/"enable"/"disable": the words iproute2 uses. NULL when unknown. */
/* "802.1Q", "802.1ad"; NULL for another value. */
const char *vfctl_vlan_proto_str(int proto);
/* "802.1Q" or "802.1ad", any case (vfctl.conf's VLANProtocol=) → VFCTL_VLAN_PROTO_*; -EINVAL otherwise. */
int vfctl_vlan_proto_from_str(const char *s, int *ret);
/* "legacy", "switchdev", "unknown" (none, or a mode this version does not know). */
const char *vfctl_eswitch_mode_str(vfctl_eswitch_mode m);
/* "legacy" or "switchdev" (vfctl.conf's EswitchMode=, the journal) → the mode; -EINVAL otherwise. */
int vfctl_eswitch_mode_from_str(const char *s, vfctl_eswitch_mode *ret);
const char *vfctl_link_state_str(int state);

/* doctor: every finding has a stable id (docs/doctor.md), the evidence it read and a fix
 * written for this host. */
typedef enum vfctl_severity {
	VFCTL_SEV_OK,
	VFCTL_SEV_INFO,
	VFCTL_SEV_WARN,
	VFCTL_SEV_ERROR,
} vfctl_severity;

typedef struct vfctl_finding {
	char *id; /* "iommu.inactive" */
	vfctl_severity severity;
	char *device; /* NULL for host-wide findings */
	char *summary;
	char *evidence;
	char *fix; /* NULL when nothing needs doing */
} vfctl_finding;

typedef struct vfctl_report {
	vfctl_finding *findings;
	size_t n;
} vfctl_report;

typedef struct vfctl_doctor_opts {
	size_t size;         /* sizeof, set by VFCTL_OPTS */
	vfctl_select select; /* the devices to check; none: every device */
	bool probe_intx;     /* flip and restore the INTx-disable bit on idle devices */
} vfctl_doctor_opts;

int vfctl_doctor_run(vfctl_ctx *ctx, const vfctl_host *h, const vfctl_doctor_opts *opts, vfctl_report **ret);
vfctl_report *vfctl_report_free(vfctl_report *r);
vfctl_severity vfctl_report_worst(const vfctl_report *r);
const char *vfctl_severity_str(vfctl_severity s);
int vfctl_report_json(const vfctl_report *r, char **ret);

/* The usual INTx-masking check script, done safely: on a device no driver (or VM) uses, set PCI_COMMAND's
 * INTx-disable bit, read it back and restore the original value. ret: 1 masking works, 0 it does
 * not. Root only. -EBUSY if the device is in use. */
int vfctl_intx_probe(vfctl_ctx *ctx, const vfctl_device *d, int *ret);

/* Declarative configuration (vfctl.conf(5)): parse, validate against the host, plan, apply. */
typedef struct vfctl_config vfctl_config;

/* path: a .conf file or a directory of them (NULL: /etc/vfctl). Syntax errors are collected,
 * not returned: see vfctl_config_errors(). -errno only when nothing could be read. */
int vfctl_config_load(vfctl_ctx *ctx, const char *path, vfctl_config **ret);
vfctl_config *vfctl_config_free(vfctl_config *c);
/* The same from text (a command line's implied configuration); name stands for the file. */
int vfctl_config_parse_string(vfctl_ctx *ctx, const char *name, const char *text, vfctl_config **ret);
/* A configuration built in code, key by key, through the same checks as a file's lines; nothing is
 * formatted into text, so a value cannot add keys. origin names it in errors ("(command line):2:
 * ..."). add_unit: "PF", "Device" or "VDPA"; set: a key of the last unit. -EINVAL for a bad value
 * (recorded, as a file's are: vfctl_config_errors), -ENOMEM. */
int vfctl_config_new(const char *origin, vfctl_config **ret);
int vfctl_config_add_unit(vfctl_config *c, const char *section);
int vfctl_config_set(vfctl_config *c, const char *key, const char *value);
/* Resolves Match= against the host and checks every value against what the device can do.
 * Returns -EINVAL when any error (parse or validation) exists. */
int vfctl_config_validate(vfctl_ctx *ctx, vfctl_config *c, const vfctl_host *h);
/* All errors so far, "FILE:LINE: message", in file order. */
size_t vfctl_config_errors(const vfctl_config *c, const char *const **ret);

typedef struct vfctl_plan vfctl_plan;

/* The ordered steps that bring the host to a validated configuration; none when it matches.
 * sel: only the units whose device (or vDPA name) it names; NULL for all. */
int vfctl_plan_build(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, const vfctl_select *sel,
		     vfctl_plan **ret);
vfctl_plan *vfctl_plan_free(vfctl_plan *p);
size_t vfctl_plan_n_steps(const vfctl_plan *p);
const char *vfctl_plan_step_text(const vfctl_plan *p, size_t i);
/* Appends to p the steps apply --prune takes: each PF no unit of c (validated) names and that has a
 * record goes back to what it had before vfctl first configured it (a note says so). */
int vfctl_plan_prune(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, vfctl_plan *p);
/* What the plan leaves alone and why, "DEVICE: text" (a PF with NumVFs=external): no step. */
size_t vfctl_plan_n_notes(const vfctl_plan *p);
const char *vfctl_plan_note(const vfctl_plan *p, size_t i);
int vfctl_plan_json(const vfctl_plan *p, char **ret);

/* What an apply run does, as data (vfctl apply --json prints one JSON object per event). */
typedef enum vfctl_event_kind {
	VFCTL_EVENT_MESSAGE,   /* progress that is no step: waiting, up to date, skipped, the summary */
	VFCTL_EVENT_STEP,      /* a kernel step starts */
	VFCTL_EVENT_STEP_DONE, /* it ended: result, error, seconds */
	VFCTL_EVENT_UNIT_DONE, /* a unit's end: outcome */
} vfctl_event_kind;

/* How a unit ended (UNIT_DONE): what a program keys on (Ansible's changed) instead of the prose. */
typedef enum vfctl_unit_outcome {
	VFCTL_UNIT_CHANGED,             /* its steps ran and the re-read host matched */
	VFCTL_UNIT_UP_TO_DATE,          /* nothing to do */
	VFCTL_UNIT_FAILED,              /* a step or the verify failed (a ROLLED_BACK may follow) */
	VFCTL_UNIT_ROLLED_BACK,         /* back at its prior state (a failed run's, or an interrupted one's) */
	VFCTL_UNIT_ROLLBACK_INCOMPLETE, /* the rollback left differences: its journal is kept */
	VFCTL_UNIT_SKIPPED,             /* at boot: its section has errors */
	VFCTL_UNIT_LATER,               /* at boot: its PF's driver or netdev is not there yet */
} vfctl_unit_outcome;
/* "changed", "up-to-date", "failed", "rolled-back", "rollback-incomplete", "skipped", "later". */
const char *vfctl_unit_outcome_str(vfctl_unit_outcome o);

typedef struct vfctl_event {
	vfctl_event_kind kind;
	const char *unit;     /* the device the unit configures (PF, [Device] function, vDPA name); NULL: the run */
	const char *text;     /* what the report line says, without the unit's prefix */
	size_t step, n_steps; /* STEP, STEP_DONE: 1-based, of the unit's plan (or rollback) */
	const char *action;   /* STEP, STEP_DONE: the step's action, as plan --json names it */
	int vf;               /* STEP, STEP_DONE: the VF it acts on, -1 for none */
	bool undo;            /* STEP, STEP_DONE: a rollback's step */
	int result;           /* STEP_DONE: 0 or -errno */
	const char *error;    /* STEP_DONE that failed: the device and the kernel's message */
	double seconds;       /* STEP_DONE: how long it took */
	vfctl_unit_outcome outcome; /* UNIT_DONE */
} vfctl_event;

typedef struct vfctl_apply_opts {
	size_t size;         /* sizeof, set by VFCTL_OPTS */
	vfctl_select select; /* as for vfctl_plan_build */
	bool force;          /* go ahead although a VF is in use (VM, namespace, addresses) */
	bool boot;           /* every unit on its own: go on past a failing one */
	/* Progress and results, one line each; the library never prints. */
	void (*report)(void *userdata, const char *line);
	void *userdata;
	/* Set (by a signal handler) to stop the run: the current kernel step finishes, the run is
	 * rolled back, vfctl_apply returns -EINTR. Rollbacks are not cut short. NULL: never. */
	const volatile sig_atomic_t *cancel;
	/* The same progress as data, for programs (called with userdata, after report). NULL: none. */
	void (*event)(void *userdata, const vfctl_event *e);
	/* After the configuration, PFs no section names any more go back to what they had before
	 * vfctl first configured them (their records under /var/lib/vfctl/pf), never while a VM
	 * holds one of their VFs (force does not apply), and not with select or sections in error. */
	bool prune;
} vfctl_apply_opts;

/* Under the host lock: scans and validates once, then per unit plans from the snapshot and applies,
 * step by step, re-reading the host to verify; on a failure rolls the unit (boot mode) or the
 * whole run back to the state it had before. Returns 0 when every unit converged, -EINVAL for an
 * invalid configuration (vfctl_config_errors; nothing touched), -ENXIO when opts->select names no
 * device (nothing touched), another -errno when a unit failed. */
int vfctl_apply(vfctl_ctx *ctx, vfctl_config *c, const vfctl_apply_opts *opts);

/* verify: the host re-read against a configuration (what apply does after its last step), and
 * with datapath on, test frames through the NIC's switch between the PF and the VFs that have a
 * netdev here (docs/verify.md). */
typedef struct vfctl_drift {
	const char *knob; /* the step kind: "vf-vlan", "numvfs", ... */
	char *device;     /* the PF or device */
	int vf;           /* -1 for the device itself */
	char *want;       /* the change apply would make */
	char *have;       /* the host's value, NULL where vfctl cannot say it in a word */
} vfctl_drift;

typedef struct vfctl_datapath_check {
	const char *kind; /* "reach", "isolation", "link-state", "spoofchk" */
	char *from, *to;  /* "0000:01:00.0" (the PF) or "0000:01:00.0 vf 1" */
	char *from_netdev, *to_netdev;
	int vlan;      /* the sender's VLAN as the configuration implies (0: none) */
	char *sent;    /* the frame: source, destination, EtherType */
	bool expected; /* it should arrive at to */
	char **seen;   /* the netdevs it arrived at (to or others), n_seen of them */
	size_t n_seen;
	bool ok;
	char *hint; /* on a failure, what on the host explains it; NULL */
} vfctl_datapath_check;

typedef struct vfctl_verify_skip {
	char *device, *why;
} vfctl_verify_skip;

typedef struct vfctl_verify_result {
	vfctl_drift *drift;
	size_t n_drift;
	bool datapath; /* the probes ran */
	vfctl_datapath_check *checks;
	size_t n_checks;
	vfctl_verify_skip *skipped;
	size_t n_skipped;
	char **restored; /* netdevs brought up for the probes and set down again */
	size_t n_restored;
	char **notes; /* what the configuration leaves alone (NumVFs=external), as plan says it */
	size_t n_notes;
} vfctl_verify_result;

typedef struct vfctl_verify_opts {
	size_t size;                                      /* sizeof, set by VFCTL_OPTS */
	vfctl_select select;                              /* the units whose device it names; none: every unit */
	bool datapath;                                    /* root: send test frames */
	bool force;                                       /* probe a PF that carries the default route */
	int wait_ms;                                      /* how long a frame may take to arrive; 0: 1000 */
	void (*report)(void *userdata, const char *line); /* progress */
	void *userdata;
	/* Set (by a signal handler) to stop the probes: the VF netdevs set up for them are set down
	 * again and vfctl_verify returns -EINTR. NULL: never. */
	const volatile sig_atomic_t *cancel;
} vfctl_verify_opts;

/* c must be validated against h. Returns 0 (the result says what matched), -EPERM without root
 * for the datapath, -EBUSY for a PF with the default route without force. */
int vfctl_verify(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, const vfctl_verify_opts *o,
		 vfctl_verify_result **ret);
vfctl_verify_result *vfctl_verify_free(vfctl_verify_result *v);
/* Everything as configured and every probe as expected. */
bool vfctl_verify_ok(const vfctl_verify_result *v);
int vfctl_verify_json(const vfctl_verify_result *v, char **ret);

/* VFIO passthrough: bind, unbind, restore. The original driver (and a VF's settings) are recorded
 * under /run/vfctl/bind/ the first time vfctl takes a device, so restore can put them back. */
typedef struct vfctl_bind_opts {
	size_t size;         /* sizeof, set by VFCTL_OPTS */
	const char *driver;  /* NULL: vfio-pci */
	bool group;          /* bind every endpoint of the devices' IOMMU groups */
	bool all_functions;  /* every function of the devices' slots */
	bool force;          /* although the device is in use (netdev with addresses, VM, netns) */
	int owner, group_id; /* /dev/vfio/N ownership after binding vfio-pci, -1 untouched */
	void (*report)(void *userdata, const char *line);
	void *userdata;
} vfctl_bind_opts;

int vfctl_bind(vfctl_ctx *ctx, const vfctl_select *devices, const vfctl_bind_opts *o);
int vfctl_unbind(vfctl_ctx *ctx, const vfctl_select *devices, const vfctl_bind_opts *o);
/* No devices: every device vfctl has a record of. */
int vfctl_restore(vfctl_ctx *ctx, const vfctl_select *devices, const vfctl_bind_opts *o);

/* QEMU's VFIO open sequence on each selected device, without a VM: one finding per step. */
int vfctl_vfio_check(vfctl_ctx *ctx, const vfctl_host *h, const vfctl_select *sel, vfctl_report **ret);

typedef enum vfctl_emit_kind {
	VFCTL_EMIT_QEMU,
	VFCTL_EMIT_LIBVIRT,
	VFCTL_EMIT_PROXMOX,
	VFCTL_EMIT_OVS
} vfctl_emit_kind;
typedef struct vfctl_emit_opts {
	size_t size; /* sizeof, set by VFCTL_OPTS */
	vfctl_emit_kind kind;
	/* PROXMOX: one resource mapping of this name (pve-configid: a letter, then letters, digits,
	 * - and _) with an entry per selected VF (a selected PF: each of its VFs) and one hostpci line
	 * taking whichever is free; NULL: a hostpci line per device. */
	const char *mapping;
	const char *node; /* the mapping's Proxmox node: NULL for this host's name (uname, up to a dot) */
	/* LIBVIRT: each VF as a virtio-net failover pair (a virtio <interface> with <teaming
	 * type='persistent'/> and the VF with <teaming type='transient'/>, one MAC): the VM can
	 * migrate. -EINVAL for a device that is no VF, or a VF without a MAC or with a VLAN. */
	bool failover;
	/* LIBVIRT: a hostdev network of this name (letters, digits, - and _) whose pool is the selected
	 * VFs (a PF: its VFs), leaving out a VF with a port VLAN; NULL: none. */
	const char *network;
} vfctl_emit_opts;
/* Hand-off text for the selected devices (in address order). -EINVAL: options without a size, a
 * mapping name Proxmox refuses, or a mapping with a device that is no VF. */
int vfctl_emit(const vfctl_host *h, const vfctl_select *sel, const vfctl_emit_opts *o, char **ret);
/* The same for vDPA devices by name (QEMU: -netdev vhost-vdpa; libvirt: <interface type='vdpa'>). */
/* export: the vfctl.conf files that describe the live host (docs/export.md), one per PF with VFs
 * (or autoprobe off, or switchdev), per other device on vfio-pci, per vDPA device (sel NULL: every
 * such device); a selected VF brings its PF. Settings a driver
 * does not report are comments, never guessed. */
typedef struct vfctl_export_file {
	char *name;    /* "enp6s0f1np1.conf" */
	char *device;  /* the device it matches, NULL for a vDPA device */
	char *match;   /* the Match= kind used: "mac" (permanent MAC), "path" (PCI path), "name" (the netdev
			* of a non-PCI PF), NULL for vDPA */
	char *text;    /* NULL: not exported, warning says why */
	char *warning; /* what the admin must know before applying it (a MAC another VF has), or NULL */
} vfctl_export_file;
int vfctl_export(const vfctl_host *h, const vfctl_select *sel, vfctl_export_file **ret, size_t *ret_n);

/* The Prometheus text exposition format (docs/metrics.md): per PF its VF counts and eswitch mode,
 * per VF an info gauge and its counters (scan with vfctl_ctx_opts.stats), and doctor's findings by
 * id and severity (doctor NULL: none). */
int vfctl_metrics(const vfctl_host *h, const vfctl_report *doctor, char **ret);
void vfctl_export_free(vfctl_export_file *f, size_t n);

int vfctl_emit_vdpa(const vfctl_host *h, const vfctl_select *names, vfctl_emit_kind kind, char **ret);

/* vDPA (filled by vfctl_host_scan when netlink is on). */
typedef struct vfctl_vdpa_mgmtdev {
	char *name;       /* "pci/0000:06:00.2" or "vdpasim_net" */
	uint64_t classes; /* bit N: virtio device id N (1 net, 2 block) */
	int max_vqs;
	uint64_t features;
} vfctl_vdpa_mgmtdev;

typedef struct vfctl_vdpa_dev {
	char *name, *mgmtdev;
	int device_id;        /* virtio device id: 1 net */
	char *driver;         /* vhost_vdpa, virtio_vdpa or NULL */
	char *vhost;          /* "/dev/vhost-vdpa-0" with vhost_vdpa */
	char *netdev;         /* the virtio_net netdev with virtio_vdpa */
	vfctl_holder held_by; /* the process holding its vhost node open */
} vfctl_vdpa_dev;

typedef struct vfctl_vdpa {
	vfctl_vdpa_mgmtdev *mgmtdevs;
	size_t n_mgmtdevs;
	vfctl_vdpa_dev *devs;
	size_t n_devs;
	bool available; /* the kernel has the vdpa netlink family */
} vfctl_vdpa;
