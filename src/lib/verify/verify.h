/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "plan.h"

/* One end of a datapath probe: the PF's netdev or a VF's, with what the configuration implies
 * about its traffic (a knob the configuration leaves alone: as the host has it). */
typedef struct dp_port {
	char *label; /* "0000:01:00.0" or "0000:01:00.0 vf 1" */
	char *netdev;
	int ifindex;
	uint8_t mac[6];
	size_t group; /* ports of one PF share a group: frames only cross its switch */
	int vf;       /* -1: the PF */
	int vlan;     /* the port VLAN its frames get in the switch, 0 none */
	int host_vlan;
	int spoofchk; /* -1 unknown */
	bool link_disabled, host_link_disabled;
	bool pf_down; /* its PF's netdev is administratively down: VFs have no carrier */
} dp_port;

/* One frame to send: from a port to another's MAC, maybe with a forged source. */
typedef struct dp_probe {
	size_t from, to;
	const char *kind;
	bool forged;
	bool expect; /* should arrive at to */
} dp_probe;

/* Pure: the probes a set of ports implies, with their expected outcome. Every ordered pair of one
 * group (reach, isolation or link-state), and per VF with spoof checking known one forged frame to
 * a port it reaches. */
int dp_expect(const dp_port *ports, size_t n, dp_probe **ret, size_t *ret_n);

/* The locally administered source the spoofchk probe forges. */
extern const uint8_t dp_forged_mac[6];

int verify_drift(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, const bool *units, vfctl_verify_result *v);
int verify_datapath(vfctl_ctx *ctx, const vfctl_config *c, const vfctl_host *h, const bool *units,
		    const vfctl_verify_opts *o, vfctl_verify_result *v);
