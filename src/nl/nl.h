/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

/* The only code that owns netlink sockets. Requests are built by the caller with libmnl
 * (mnl_nlmsg_put_header() on a buffer of its own, the wire formats in rtnl-link.c, devlink-msg.c,
 * vdpa-msg.c); replies are received into a buffer sized from the pending message (MSG_PEEK |
 * MSG_TRUNC), so a 60 KB RTM_NEWLINK with 300 VFs is never cut by a fixed buffer. */
/* A kernel answering in place of a socket (tests/fakekernel): it handles req and runs cb for each
 * reply message, returning what nl_transact would, with ext_ack filled on failure. */
typedef int (*nl_transact_fn)(void *data, int bus, struct nlmsghdr *req, mnl_cb_t cb, void *cbdata, char *ext_ack,
			      size_t ext_ack_size);

typedef struct nl_sock {
	struct mnl_socket *mnl; /* NULL when a fake kernel answers */
	int bus;
	nl_transact_fn fake;
	void *fake_data;
	uint32_t portid, seq;
	char ext_ack[256]; /* the kernel's extended-ack text of the last failure, or "" */
} nl_sock;

int nl_open(int bus, nl_sock **ret);
nl_sock *nl_close(nl_sock *s);
/* A socket whose requests fn answers (tests only). */
int nl_open_fake(int bus, nl_transact_fn fn, void *data, nl_sock **ret);

/* Sends nlh and runs cb for every reply message until the ack / NLMSG_DONE.
 * Returns the kernel's -errno on NLMSG_ERROR (with s->ext_ack filled), or cb's negative value;
 * -EINTR for a dump the kernel marked inconsistent (NLM_F_DUMP_INTR): the caller dumps again,
 * once (iproute2 warns and keeps it; a plan made from a dump that missed a link would be wrong). */
int nl_transact(nl_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
/* One received buffer of replies to s's last request (nl_transact's loop): 1 when the answer goes
 * on in the next buffer, else what nl_transact returns. *interrupted carries NLM_F_DUMP_INTR
 * across the buffers of one dump. */
int nl_replies(nl_sock *s, const char *buf, size_t n, mnl_cb_t cb, void *data, bool *interrupted);

/* The next whole message of a received buffer: *left bytes remain at *pos. NULL at the end or at a
 * header whose length, aligned, does not fit (libmnl's mnl_nlmsg_ok compares it as an int, so a
 * length of 2 GiB or more passed and the walk ran off the buffer; and its attribute walk reads to
 * the aligned end: both found by tests/fuzz). */
const struct nlmsghdr *nl_msg_next(const char **pos, size_t *left);
