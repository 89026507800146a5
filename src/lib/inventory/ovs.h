/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <jansson.h>

#include "ctx.h"

/* Where Open vSwitch's ovsdb-server listens: <run dir>/openvswitch/db.sock (Debian's and the
 * upstream default OVS_RUNDIR under /run). */
void ovs_socket_path(const vfctl_ctx *ctx, char *buf, size_t n);
/* h->ovs from the database, in one transaction of selects; left NULL when no server answers (none
 * installed, not started yet at boot, hung, or answering what vfctl cannot read) or for a tree only
 * read. Fails only out of memory. */
int ovs_scan(vfctl_ctx *ctx, vfctl_host *h);
vfctl_ovs *ovs_free(vfctl_ovs *o);
const vfctl_ovs_bridge *ovs_bridge_find(const vfctl_ovs *o, const char *name);
const vfctl_ovs_port *ovs_port_find(const vfctl_ovs *o, const char *name);

/* The hw-offload values a change can ask for: OVS_HW_OFFLOAD_UNSET removes the key (a rollback to a
 * database that never had it). */
enum { OVS_HW_OFFLOAD_UNSET = 2 };

/* One change to the database, made as one transaction: ports join bridge (created with its own
 * internal port, as ovs-vsctl add-br makes it, when absent), ports leave whatever bridge holds
 * them, bridge drop is removed if it holds nothing else, hw-offload set. */
typedef struct ovs_change {
	const char *bridge; /* NULL: no port joins one */
	char **add;
	size_t n_add;
	char **del;
	size_t n_del;
	const char *drop;
	int hw_offload; /* -1 untouched, 0 "false", 1 "true", OVS_HW_OFFLOAD_UNSET */
	const char *comment;
} ovs_change;

/* The transaction's operations against the database as cur has it (pure). Each bridge it changes is
 * first waited on to hold exactly the ports cur says, so a change made since cur was read aborts
 * the transaction instead of being overwritten. -EEXIST: a port to add belongs to another bridge
 * (*ret_conflict: that bridge's name). */
int ovs_change_ops(const vfctl_ovs *cur, const ovs_change *c, json_t **ret_ops, const char **ret_conflict);
/* Reads the database afresh and commits c in one transaction, or changes nothing. */
int ovs_change_apply(vfctl_ctx *ctx, const ovs_change *c);
