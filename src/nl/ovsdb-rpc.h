/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <jansson.h>

/* The OVSDB management protocol (RFC 7047): JSON-RPC 1.0 over Open vSwitch's unix socket. */
typedef struct ovsdb_rpc {
	int fd;
	unsigned next_id;
	char *buf; /* what was read past the last reply */
	size_t len;
} ovsdb_rpc;

/* Connects to the unix socket at path (-ENOENT, -ECONNREFUSED: no ovsdb-server there). */
int ovsdb_rpc_open(const char *path, ovsdb_rpc *ret);
void ovsdb_rpc_close(ovsdb_rpc *rpc);
/* One call: sends {"method", "params", "id"} (params taken over, freed in every case) and waits
 * up to timeout_ms for the reply with that id, answering the server's "echo" requests meanwhile.
 * *ret_result: the reply's result (the caller json_decref()s it). A reply with an error is -EPROTO
 * with the server's text in ret_error (malloc'd, optional). */
int ovsdb_rpc_call(ovsdb_rpc *rpc, const char *method, json_t *params, int timeout_ms, json_t **ret_result,
		   char **ret_error);
