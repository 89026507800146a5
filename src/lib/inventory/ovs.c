/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Open vSwitch's database through ovsdb-server (RFC 7047): the bridges, their ports and
 * other_config:hw-offload read in one transaction, and the changes vfctl makes as one transaction
 * each. Port and Interface rows are not roots in the vswitch schema: a port removed from its
 * bridge's ports is deleted with its interfaces, a bridge removed from Open_vSwitch's bridges with
 * its ports (RFC 7047, 3.2: garbage collection), as ovs-vsctl relies on too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovs.h"
#include "ovsdb-rpc.h"

#define OVSDB_DB         "Open_vSwitch"
#define OVSDB_TIMEOUT_MS 10000

void ovs_socket_path(const vfctl_ctx *ctx, char *buf, size_t n)
{
	snprintf(buf, n, "%s/openvswitch/db.sock", ctx_run_dir(ctx));
}

vfctl_ovs *ovs_free(vfctl_ovs *o)
{
	if (!o)
		return NULL;
	for (size_t i = 0; i < o->n_bridges; i++) {
		free(o->bridges[i].name);
		free(o->bridges[i].uuid);
	}
	for (size_t i = 0; i < o->n_ports; i++) {
		free(o->ports[i].name);
		free(o->ports[i].uuid);
		free(o->ports[i].bridge);
	}
	free(o->bridges);
	free(o->ports);
	free(o->path);
	free(o->root);
	free(o);
	return NULL;
}

const vfctl_ovs_bridge *ovs_bridge_find(const vfctl_ovs *o, const char *name)
{
	for (size_t i = 0; o && name && i < o->n_bridges; i++)
		if (streq(o->bridges[i].name, name))
			return &o->bridges[i];
	return NULL;
}

const vfctl_ovs_port *ovs_port_find(const vfctl_ovs *o, const char *name)
{
	for (size_t i = 0; o && name && i < o->n_ports; i++)
		if (streq(o->ports[i].name, name))
			return &o->ports[i];
	return NULL;
}

/* ["uuid", "..."] */
static const char *uuid_of(json_t *a)
{
	return json_is_array(a) && json_array_size(a) == 2 && streq_ptr(json_string_value(json_array_get(a, 0)), "uuid")
		       ? json_string_value(json_array_get(a, 1))
		       : NULL;
}

/* A set column's members: ["set", [...]], or the one member itself (RFC 7047, 5.1). */
static json_t *set_members(json_t *v, size_t *ret_n, bool *ret_single)
{
	*ret_single = false;
	if (json_is_array(v) && streq_ptr(json_string_value(json_array_get(v, 0)), "set")) {
		json_t *m = json_array_get(v, 1);
		*ret_n = json_array_size(m);
		return m;
	}
	*ret_single = v != NULL;
	*ret_n = v ? 1 : 0;
	return v;
}

static json_t *set_member(json_t *m, bool single, size_t i)
{
	return single ? m : json_array_get(m, i);
}

/* A map column's value for key: ["map", [[k, v], ...]]. */
static const char *map_get(json_t *v, const char *key)
{
	json_t *pairs = json_is_array(v) && streq_ptr(json_string_value(json_array_get(v, 0)), "map")
				? json_array_get(v, 1)
				: NULL;
	for (size_t i = 0; i < json_array_size(pairs); i++) {
		json_t *kv = json_array_get(pairs, i);
		if (streq_ptr(json_string_value(json_array_get(kv, 0)), key))
			return json_string_value(json_array_get(kv, 1));
	}
	return NULL;
}

static json_t *select_op(const char *table, const char *c1, const char *c2, const char *c3)
{
	return json_pack("{s:s, s:s, s:[], s:[s, s, s*]}", "op", "select", "table", table, "where", "columns", c1, c2,
			 c3);
}

static json_t *rows_of(json_t *result, size_t i)
{
	return json_object_get(json_array_get(result, i), "rows");
}

/* The three selects' rows into o: ports get their bridge's name from the bridges' ports sets. */
static int ovs_decode(json_t *result, vfctl_ovs *o)
{
	json_t *root = json_array_get(rows_of(result, 0), 0), *bridges = rows_of(result, 1),
	       *ports = rows_of(result, 2);
	if (!root || !json_is_array(bridges) || !json_is_array(ports))
		return -EBADMSG;
	const char *ru = uuid_of(json_object_get(root, "_uuid"));
	const char *hw = map_get(json_object_get(root, "other_config"), "hw-offload");
	o->hw_offload = !hw ? -1 : streq(hw, "true");
	if (!ru || !(o->root = strdup(ru)))
		return ru ? -ENOMEM : -EBADMSG;
	o->bridges = calloc(json_array_size(bridges) + 1, sizeof(*o->bridges));
	o->ports = calloc(json_array_size(ports) + 1, sizeof(*o->ports));
	if (!o->bridges || !o->ports)
		return -ENOMEM;
	for (size_t i = 0; i < json_array_size(ports); i++) {
		json_t *row = json_array_get(ports, i);
		const char *name = json_string_value(json_object_get(row, "name"));
		const char *u = uuid_of(json_object_get(row, "_uuid"));
		if (!name || !u)
			return -EBADMSG;
		vfctl_ovs_port *p = &o->ports[o->n_ports++];
		if (!(p->name = strdup(name)) || !(p->uuid = strdup(u)))
			return -ENOMEM;
	}
	for (size_t i = 0; i < json_array_size(bridges); i++) {
		json_t *row = json_array_get(bridges, i);
		const char *name = json_string_value(json_object_get(row, "name"));
		const char *u = uuid_of(json_object_get(row, "_uuid"));
		if (!name || !u)
			return -EBADMSG;
		vfctl_ovs_bridge *b = &o->bridges[o->n_bridges++];
		if (!(b->name = strdup(name)) || !(b->uuid = strdup(u)))
			return -ENOMEM;
		size_t n;
		bool single;
		json_t *m = set_members(json_object_get(row, "ports"), &n, &single);
		for (size_t k = 0; k < n; k++) {
			const char *pu = uuid_of(set_member(m, single, k));
			for (size_t j = 0; pu && j < o->n_ports; j++)
				if (streq(o->ports[j].uuid, pu) && !o->ports[j].bridge &&
				    !(o->ports[j].bridge = strdup(name)))
					return -ENOMEM;
		}
	}
	return 0;
}

static int ovs_read(vfctl_ctx *ctx, ovsdb_rpc *rpc, const char *path, vfctl_ovs **ret)
{
	json_t *params =
		json_pack("[s, o, o, o]", OVSDB_DB, select_op("Open_vSwitch", "_uuid", "other_config", NULL),
			  select_op("Bridge", "_uuid", "name", "ports"), select_op("Port", "_uuid", "name", NULL));
	json_t *res = NULL;
	_cleanup_free_ char *err = NULL;
	if (!params)
		return -ENOMEM;
	int r = ovsdb_rpc_call(rpc, "transact", params, OVSDB_TIMEOUT_MS, &res, &err);
	if (r < 0)
		return ctx_error(ctx, r, "ovsdb %s: transact (select)%s%s", path, err ? ": " : "", err ? err : "");
	vfctl_ovs *o = calloc(1, sizeof(*o));
	r = o ? ovs_decode(res, o) : -ENOMEM;
	json_decref(res);
	if (r >= 0 && !(o->path = strdup(path)))
		r = -ENOMEM;
	if (r < 0) {
		ovs_free(o);
		return r == -EBADMSG ? ctx_error(ctx, r, "ovsdb %s: a reply vfctl does not understand", path) : r;
	}
	*ret = o;
	return 0;
}

int ovs_scan(vfctl_ctx *ctx, vfctl_host *h)
{
	char path[PATH_MAX];
	ovsdb_rpc rpc;
	/* A tree only read has no Open vSwitch: the host's would say nothing about it. */
	if (ctx->fs->read_only)
		return 0;
	ovs_socket_path(ctx, path, sizeof(path));
	if (ovsdb_rpc_open(path, &rpc) < 0)
		return 0; /* no server: nothing to read, not an error */
	int r = ovs_read(ctx, &rpc, path, &h->ovs);
	ovsdb_rpc_close(&rpc);
	/* A server that hangs or answers wrongly must not take status, doctor or a PF's plan with it:
	 * Open vSwitch is then as good as absent (apply says it does not answer). */
	return r == -ENOMEM ? r : 0;
}

static json_t *uuid_atom(const char *u)
{
	return json_pack("[s, s]", "uuid", u);
}

static json_t *named(const char *n)
{
	return json_pack("[s, s]", "named-uuid", n);
}

static json_t *where_uuid(const char *u)
{
	return json_pack("[[s, s, o]]", "_uuid", "==", uuid_atom(u));
}

/* Waits (timeout 0: checks) that bridge b still holds exactly the ports cur read. */
static json_t *wait_ports(const vfctl_ovs *cur, const vfctl_ovs_bridge *b)
{
	json_t *set = json_array();
	for (size_t i = 0; set && i < cur->n_ports; i++)
		if (streq_ptr(cur->ports[i].bridge, b->name))
			json_array_append_new(set, uuid_atom(cur->ports[i].uuid));
	return json_pack("{s:s, s:s, s:o, s:i, s:[s], s:s, s:[{s:[s, o]}]}", "op", "wait", "table", "Bridge", "where",
			 where_uuid(b->uuid), "timeout", 0, "columns", "ports", "until", "==", "rows", "ports", "set",
			 set);
}

/* Interface and Port rows named name, the port's row called "p<i>" in this transaction. */
static int add_port_rows(json_t *ops, const char *name, const char *type, const char *tag)
{
	char iface[32];
	snprintf(iface, sizeof(iface), "i%s", tag);
	json_t *irow = json_pack("{s:s}", "name", name);
	if (irow && type)
		json_object_set_new(irow, "type", json_string(type));
	if (!irow ||
	    json_array_append_new(ops, json_pack("{s:s, s:s, s:o, s:s}", "op", "insert", "table", "Interface", "row",
						 irow, "uuid-name", iface)) < 0 ||
	    json_array_append_new(ops, json_pack("{s:s, s:s, s:{s:s, s:o}, s:s}", "op", "insert", "table", "Port",
						 "row", "name", name, "interfaces", named(iface), "uuid-name", tag)) <
		    0)
		return -ENOMEM;
	return 0;
}

static json_t *mutate(const char *table, const char *uuid, const char *column, const char *mutator, json_t *value)
{
	return json_pack("{s:s, s:s, s:o, s:[[s, s, o]]}", "op", "mutate", "table", table, "where", where_uuid(uuid),
			 "mutations", column, mutator, value);
}

static int ops_join(const vfctl_ovs *cur, const ovs_change *c, json_t *ops, json_t *waits, const char **ret_conflict)
{
	const vfctl_ovs_bridge *b = ovs_bridge_find(cur, c->bridge);
	json_t *newports = json_array();
	char tag[32];
	if (!newports)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_add; i++) {
		const vfctl_ovs_port *p = ovs_port_find(cur, c->add[i]);
		if (p && p->bridge && streq(p->bridge, c->bridge))
			continue;
		if (p && p->bridge) {
			json_decref(newports);
			*ret_conflict = p->bridge;
			return -EEXIST;
		}
		snprintf(tag, sizeof(tag), "p%zu", i);
		if (add_port_rows(ops, c->add[i], NULL, tag) < 0 || json_array_append_new(newports, named(tag)) < 0) {
			json_decref(newports);
			return -ENOMEM;
		}
	}
	if (b) {
		if (json_array_size(newports) == 0) {
			json_decref(newports);
			return 0;
		}
		return json_array_append_new(waits, wait_ports(cur, b)) < 0 ||
				       json_array_append_new(ops, mutate("Bridge", b->uuid, "ports", "insert",
									 json_pack("[s, o]", "set", newports))) < 0
			       ? -ENOMEM
			       : 0;
	}
	/* A new bridge has its own internal port of its name, as ovs-vsctl add-br makes it. */
	if (add_port_rows(ops, c->bridge, "internal", "pbr") < 0 || json_array_append_new(newports, named("pbr")) < 0) {
		json_decref(newports);
		return -ENOMEM;
	}
	if (json_array_append_new(ops, json_pack("{s:s, s:s, s:{s:s, s:[s, o]}, s:s}", "op", "insert", "table",
						 "Bridge", "row", "name", c->bridge, "ports", "set", newports,
						 "uuid-name", "br")) < 0 ||
	    json_array_append_new(ops, mutate("Open_vSwitch", cur->root, "bridges", "insert",
					      json_pack("[s, [o]]", "set", named("br")))) < 0)
		return -ENOMEM;
	return 0;
}

/* Ports leave their bridges; a bridge to drop goes when nothing but its own port and these remain. */
static int ops_leave(const vfctl_ovs *cur, const ovs_change *c, json_t *ops, json_t *waits)
{
	for (size_t i = 0; i < cur->n_bridges; i++) {
		const vfctl_ovs_bridge *b = &cur->bridges[i];
		json_t *gone = json_array();
		size_t others = 0;
		if (!gone)
			return -ENOMEM;
		for (size_t k = 0; k < cur->n_ports; k++) {
			const vfctl_ovs_port *p = &cur->ports[k];
			bool leaves = false;
			if (!streq_ptr(p->bridge, b->name))
				continue;
			for (size_t j = 0; j < c->n_del && !leaves; j++)
				leaves = streq(c->del[j], p->name);
			if (leaves)
				json_array_append_new(gone, uuid_atom(p->uuid));
			else if (!streq(p->name, b->name))
				others++;
		}
		bool drop = c->drop && streq(c->drop, b->name) && others == 0;
		int r = 0;
		if (drop || json_array_size(gone))
			r = json_array_append_new(waits, wait_ports(cur, b));
		if (r >= 0 && drop)
			r = json_array_append_new(ops, mutate("Open_vSwitch", cur->root, "bridges", "delete",
							      json_pack("[s, [o]]", "set", uuid_atom(b->uuid))));
		else if (r >= 0 && json_array_size(gone))
			r = json_array_append_new(
				ops, mutate("Bridge", b->uuid, "ports", "delete", json_pack("[s, O]", "set", gone)));
		json_decref(gone);
		if (r < 0)
			return -ENOMEM;
	}
	return 0;
}

int ovs_change_ops(const vfctl_ovs *cur, const ovs_change *c, json_t **ret_ops, const char **ret_conflict)
{
	json_t *ops = json_array(), *waits = json_array();
	int r = ops && waits ? 0 : -ENOMEM;
	if (r >= 0 && (c->n_del || c->drop))
		r = ops_leave(cur, c, ops, waits);
	if (r >= 0 && c->bridge)
		r = ops_join(cur, c, ops, waits, ret_conflict);
	if (r >= 0 && c->hw_offload >= 0) {
		/* A map's insert keeps an existing key's value: delete it first, in the same mutate. */
		json_t *m = json_pack("[[s, s, [s, [s]]]]", "other_config", "delete", "set", "hw-offload");
		if (m && c->hw_offload != OVS_HW_OFFLOAD_UNSET)
			json_array_append_new(m, json_pack("[s, s, [s, [[s, s]]]]", "other_config", "insert", "map",
							   "hw-offload", c->hw_offload ? "true" : "false"));
		r = m && json_array_append_new(ops, json_pack("{s:s, s:s, s:o, s:o}", "op", "mutate", "table",
							      "Open_vSwitch", "where", where_uuid(cur->root),
							      "mutations", m)) >= 0
			    ? 0
			    : -ENOMEM;
	}
	if (r >= 0 && json_array_size(ops) && c->comment)
		r = json_array_append_new(ops, json_pack("{s:s, s:s}", "op", "comment", "comment", c->comment));
	/* The checks first: nothing is changed unless every bridge touched is as it was read. */
	if (r >= 0 && json_array_size(ops) && json_array_extend(waits, ops) < 0)
		r = -ENOMEM;
	json_decref(ops);
	if (r < 0 || !json_array_size(waits)) {
		json_decref(waits);
		waits = NULL;
	}
	if (r >= 0)
		*ret_ops = waits; /* NULL: nothing to change */
	return r;
}

/* The first failed operation's error and details ("constraint violation: ..."). */
static char *transact_error(json_t *res)
{
	for (size_t i = 0; i < json_array_size(res); i++) {
		json_t *o = json_array_get(res, i);
		const char *e = json_string_value(json_object_get(o, "error"));
		const char *d = json_string_value(json_object_get(o, "details"));
		char *s = NULL;
		if (e && asprintf(&s, "%s%s%s", e, d ? ": " : "", d ? d : "") < 0)
			return NULL;
		if (s)
			return s;
	}
	return NULL;
}

int ovs_change_apply(vfctl_ctx *ctx, const ovs_change *c)
{
	char path[PATH_MAX];
	ovsdb_rpc rpc;
	vfctl_ovs *cur = NULL;
	json_t *ops = NULL, *res = NULL, *params;
	const char *conflict = NULL;
	_cleanup_free_ char *err = NULL, *why = NULL;
	int r;
	ovs_socket_path(ctx, path, sizeof(path));
	if ((r = ovsdb_rpc_open(path, &rpc)) < 0)
		return ctx_error(ctx, r, "ovsdb %s: connect (is ovsdb-server running?)", path);
	if ((r = ovs_read(ctx, &rpc, path, &cur)) < 0)
		goto out;
	if ((r = ovs_change_ops(cur, c, &ops, &conflict)) == -EEXIST) {
		r = ctx_error(ctx, r, "ovsdb %s: a port to add to %s is already a port of bridge %s", path, c->bridge,
			      conflict);
		goto out;
	}
	if (r < 0 || !ops)
		goto out;
	params = json_pack("[s]", OVSDB_DB);
	if (!params || json_array_extend(params, ops) < 0) {
		json_decref(params);
		r = -ENOMEM;
		goto out;
	}
	if ((r = ovsdb_rpc_call(&rpc, "transact", params, OVSDB_TIMEOUT_MS, &res, &err)) < 0) {
		r = ctx_error(ctx, r, "ovsdb %s: transact%s%s", path, err ? ": " : "", err ? err : "");
		goto out;
	}
	/* RFC 7047 4.1.3: an operation's error aborts the whole transaction; one more element past the
	 * operations reports a failed commit. */
	why = transact_error(res);
	if (why)
		r = ctx_error(ctx, -EPROTO, "ovsdb %s: transaction aborted, nothing changed: %s", path, why);
out:
	json_decref(ops);
	json_decref(res);
	ovs_free(cur);
	ovsdb_rpc_close(&rpc);
	return r;
}
