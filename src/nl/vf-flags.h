/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A VF's flag knobs: each is one IFLA_VF_* attribute whose payload is {__u32 vf; __u32 value}, set
 * with RTM_SETLINK on the PF and reported in its IFLA_VFINFO_LIST, or one capability bit of the
 * VF's devlink port function (DEVLINK_PORT_FN_ATTR_CAPS), set and reported through devlink. Everything that reads,
 * plans, records, restores, compares or shows one iterates vf_flags[]: adding a knob of this shape is one enum entry,
 * one row, and its field in vfctl_vf_settings. */
typedef enum vf_flag {
	VF_FLAG_SPOOFCHK,
	VF_FLAG_TRUST,
	VF_FLAG_LINK_STATE,
	VF_FLAG_RSS_QUERY,
	VF_FLAG_ROCE,
	VF_FLAG_MIGRATABLE,
	_VF_FLAG_MAX,
} vf_flag;

typedef struct vf_flag_desc {
	const char *conf_key;  /* vfctl.conf(5): "MACSpoofCheck" */
	const char *key;       /* the journal's key and status --json's: "spoofchk" */
	const char *action;    /* a plan step's and a drift's knob: "vf-spoofchk" */
	const char *word;      /* in a step's text, as iproute2 says it: "vf 1: spoofchk on" */
	const char *have_word; /* in verify's "have": "spoofchk on" */
	uint16_t ifla;         /* IFLA_VF_SPOOFCHK; 0 for a devlink capability */
	/* A capability of the VF's devlink port function (DEVLINK_PORT_FN_CAP_*), which exists in
	 * switchdev mode only and takes effect when the VF's driver binds: set while it is unbound. */
	uint32_t devlink_cap;
	const char *ifla_name; /* for the kernel's refusal: "RTM_SETLINK eth0 vf 1 IFLA_VF_SPOOFCHK: ..." */
	size_t settings_off;   /* its int in vfctl_vf_settings */
	int fresh;             /* what a driver gives a new VF */
	bool link_state;       /* auto, yes or no (IFLA_VF_LINK_STATE_*), not a boolean */
	bool metric;           /* a label of vfctl_vf_info (metrics) */
} vf_flag_desc;

extern const vf_flag_desc vf_flags[_VF_FLAG_MAX];

/* Settings' value of flag f: -1 when the driver does not report it. */
int vf_flag_get(const void *settings, vf_flag f);
void vf_flag_set(void *settings, vf_flag f, int v);
/* "on"/"off", or for the link state "auto"/"enable"/"disable"; NULL for a value it cannot have. */
const char *vf_flag_value_str(vf_flag f, int v);
/* v as vfctl.conf writes it: yes/no, or auto/yes/no for the link state; NULL for a value it cannot have. */
const char *vf_flag_conf_value(vf_flag f, int v);
/* A value from vfctl.conf text: yes/no (and auto for the link state); -EINVAL otherwise. */
int vf_flag_parse(vf_flag f, const char *text, int *ret);
/* The flag vfctl.conf calls key ("Trust"), or -1. */
int vf_flag_by_conf_key(const char *key);
/* The flag the journal and JSON call key ("trust"), or -1. */
int vf_flag_by_key(const char *key);
