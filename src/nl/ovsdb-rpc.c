/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON-RPC to ovsdb-server (RFC 7047, section 4): one request at a time, its reply found by id.
 * The server may send "echo" requests of its own (inactivity probes) while a reply is pending:
 * each is answered, as ovsdb-idl does, or the server drops the connection. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ovsdb-rpc.h"
#include "util.h"

#define RPC_MAX_REPLY (64u << 20) /* a select of a large switch is a few MB */

int ovsdb_rpc_open(const char *path, ovsdb_rpc *ret)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	*ret = (ovsdb_rpc){.fd = fd, .next_id = 1};
	return 0;
}

void ovsdb_rpc_close(ovsdb_rpc *rpc)
{
	if (rpc->fd >= 0)
		close(rpc->fd);
	free(rpc->buf);
	*rpc = (ovsdb_rpc){.fd = -1};
}

static int send_json(ovsdb_rpc *rpc, json_t *msg)
{
	_cleanup_free_ char *s = json_dumps(msg, JSON_COMPACT);
	if (!s)
		return -ENOMEM;
	size_t n = strlen(s), off = 0;
	while (off < n) {
		ssize_t k = send(rpc->fd, s + off, n - off, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		off += (size_t)k;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next whole JSON value the server sent, reading more as needed until deadline. */
static int next_message(ovsdb_rpc *rpc, long long deadline, json_t **ret)
{
	for (;;) {
		/* Messages follow each other with no framing: parse one value, keep the rest. */
		size_t lead = 0;
		while (lead < rpc->len && strchr(" \t\r\n", rpc->buf[lead]))
			lead++;
		if (lead < rpc->len) {
			json_error_t e;
			json_t *v = json_loadb(rpc->buf + lead, rpc->len - lead, JSON_DISABLE_EOF_CHECK, &e);
			if (v) {
				size_t used = lead + (size_t)e.position;
				memmove(rpc->buf, rpc->buf + used, rpc->len - used);
				rpc->len -= used;
				*ret = v;
				return 0;
			}
			/* Incomplete (the rest is still on its way) unless the text is already wrong before its end. */
			if ((size_t)e.position < rpc->len - lead && e.position > 0 &&
			    json_error_code(&e) != json_error_premature_end_of_input)
				return -EBADMSG;
		}
		long long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = {.fd = rpc->fd, .events = POLLIN};
		int k = poll(&p, 1, (int)left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -ETIMEDOUT;
		if (rpc->len + 65536 > RPC_MAX_REPLY)
			return -EMSGSIZE;
		char *nb = realloc(rpc->buf, rpc->len + 65536 + 1);
		if (!nb)
			return -ENOMEM;
		rpc->buf = nb;
		ssize_t n = recv(rpc->fd, rpc->buf + rpc->len, 65536, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		rpc->len += (size_t)n;
	}
}

int ovsdb_rpc_call(ovsdb_rpc *rpc, const char *method, json_t *params, int timeout_ms, json_t **ret_result,
		   char **ret_error)
{
	unsigned id = rpc->next_id++;
	json_t *req = json_pack("{s:s, s:o, s:I}", "method", method, "params", params, "id", (json_int_t)id);
	if (!req)
		return -ENOMEM;
	int r = send_json(rpc, req);
	json_decref(req);
	long long deadline = now_ms() + timeout_ms;
	while (r >= 0) {
		json_t *m = NULL;
		if ((r = next_message(rpc, deadline, &m)) < 0)
			break;
		const char *meth = json_string_value(json_object_get(m, "method"));
		json_t *mid = json_object_get(m, "id");
		if (meth && streq(meth, "echo")) {
			/* The reply to an echo carries its params back as the result. */
			json_t *rep = json_pack("{s:O, s:n, s:O}", "result", json_object_get(m, "params"), "error",
						"id", mid ? mid : json_null());
			r = rep ? send_json(rpc, rep) : -ENOMEM;
			json_decref(rep);
		} else if (json_is_integer(mid) && json_integer_value(mid) == (json_int_t)id) {
			json_t *err = json_object_get(m, "error");
			if (err && !json_is_null(err)) {
				if (ret_error)
					*ret_error = json_is_string(err) ? strdup(json_string_value(err))
									 : json_dumps(err, JSON_COMPACT);
				json_decref(m);
				return -EPROTO;
			}
			*ret_result = json_incref(json_object_get(m, "result"));
			json_decref(m);
			return *ret_result ? 0 : -EBADMSG;
		}
		/* anything else (an update notification) is not for this call */
		json_decref(m);
	}
	return r;
}
