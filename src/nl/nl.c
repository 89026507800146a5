/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/netlink.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include "nl.h"
#include "util.h"

int nl_open(int bus, nl_sock **ret)
{
	nl_sock *s = calloc(1, sizeof(*s));
	int one = 1;
	if (!s)
		return -ENOMEM;
	s->mnl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!s->mnl) {
		int r = -errno;
		free(s);
		return r;
	}
	if (mnl_socket_bind(s->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = -errno;
		nl_close(s);
		return r;
	}
	/* Both are best effort: old kernels lack them and errors then carry no text. */
	(void)mnl_socket_setsockopt(s->mnl, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(s->mnl, NETLINK_CAP_ACK, &one, sizeof(one));
	s->bus = bus;
	s->portid = mnl_socket_get_portid(s->mnl);
	s->seq = (uint32_t)time(NULL);
	*ret = s;
	return 0;
}

int nl_open_fake(int bus, nl_transact_fn fn, void *data, nl_sock **ret)
{
	nl_sock *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->bus = bus;
	s->fake = fn;
	s->fake_data = data;
	*ret = s;
	return 0;
}

nl_sock *nl_close(nl_sock *s)
{
	if (!s)
		return NULL;
	if (s->mnl)
		mnl_socket_close(s->mnl);
	free(s);
	return NULL;
}

static int ext_ack_attr_cb(const struct nlattr *a, void *data)
{
	nl_sock *s = data;
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(s->ext_ack, sizeof(s->ext_ack), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	nl_sock *s = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return MNL_CB_ERROR;
	if (e->error == 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* With NETLINK_CAP_ACK the request is not echoed back; else skip its copy. */
		size_t off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		off = MNL_ALIGN(off);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, (unsigned)off, ext_ack_attr_cb, s);
	}
	errno = -e->error;
	return MNL_CB_ERROR;
}

/* Peek at the next datagram's size so the buffer always fits it whole. */
static ssize_t recv_sized(nl_sock *s, char **buf, size_t *alloc)
{
	int fd = mnl_socket_get_fd(s->mnl);
	for (;;) {
		ssize_t n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((size_t)n > *alloc) {
			char *nb = realloc(*buf, (size_t)n);
			if (!nb)
				return -ENOMEM;
			*buf = nb;
			*alloc = (size_t)n;
		}
		n = recv(fd, *buf, *alloc, 0);
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : n;
	}
}

/* A request that expects only its ACK: one recv into a buffer no ACK outgrows (NETLINK_CAP_ACK
 * leaves the request out of it; the extended ACK is a few hundred bytes), instead of a peek at
 * the size first. 300 per-VF steps are 300 syscalls fewer. */
static ssize_t recv_ack(nl_sock *s, char *buf, size_t len)
{
	int fd = mnl_socket_get_fd(s->mnl);
	for (;;) {
		ssize_t n = recv(fd, buf, len, MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n <= len)
			return n;
		/* Cut: the rest of an earlier request's dump (it failed mid-way) is dropped; anything
		 * else this large is not an ACK. */
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		if (mnl_nlmsg_seq_ok(h, s->seq))
			return -EMSGSIZE;
	}
}

const struct nlmsghdr *nl_msg_next(const char **pos, size_t *left)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)*pos;
	/* Aligned: libmnl's attribute walk runs to the aligned end of the message (the kernel pads
	 * every message it sends), so the padding must be inside the buffer too. */
	if (*left < sizeof(*h) || h->nlmsg_len < sizeof(*h))
		return NULL;
	/* Not NLMSG_ALIGN: its mask is 32 bits wide, so a length near 4 GiB aligned to 0 and the walk
	 * stood still (a hang found by tests/fuzz). */
	size_t step = ((size_t)h->nlmsg_len + 3) & ~(size_t)3;
	if (step > *left)
		return NULL;
	*pos += step;
	*left -= step;
	return h;
}

int nl_replies(nl_sock *s, const char *buf, size_t n, mnl_cb_t cb, void *data, bool *interrupted)
{
	const char *pos = buf;
	size_t left = n;
	int r;
	/* error_cb needs the socket for the ext-ack text, the data callback its own data; libmnl
	 * passes one pointer to both, so NLMSG_ERROR is routed here. */
	for (const struct nlmsghdr *h; (h = nl_msg_next(&pos, &left));) {
		/* A late answer to an earlier request (one that failed mid-dump) is not ours. */
		if (!mnl_nlmsg_seq_ok(h, s->seq))
			continue;
		if (!mnl_nlmsg_portid_ok(h, s->portid))
			return -EPROTO;
		if (h->nlmsg_type == NLMSG_ERROR) {
			errno = 0;
			r = error_cb(h, s);
			if (r == MNL_CB_STOP)
				return 0;
			return -(errno ? errno : EPROTO);
		}
		/* The table changed while the kernel walked it: some entries may be missing or seen
		 * twice. The dump is read to its end and the caller asks again. */
		*interrupted |= h->nlmsg_flags & NLM_F_DUMP_INTR;
		if (h->nlmsg_type == NLMSG_DONE)
			return *interrupted ? -EINTR : 0;
		if (h->nlmsg_type < NLMSG_MIN_TYPE)
			continue; /* NLMSG_NOOP, NLMSG_OVERRUN: nothing to decode */
		if (cb) {
			r = cb(h, data);
			if (r == MNL_CB_ERROR)
				return -(errno ? errno : EPROTO);
			if (r == MNL_CB_STOP)
				return 0;
		}
	}
	return 1;
}

int nl_transact(nl_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	_cleanup_free_ char *buf = NULL;
	size_t alloc = 0;
	int r;

	s->ext_ack[0] = 0;
	nlh->nlmsg_seq = ++s->seq;
	/* A dump ends with NLMSG_DONE; asking for an ACK as well would leave one queued. */
	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (s->fake)
		return s->fake(s->fake_data, s->bus, nlh, cb, data, s->ext_ack, sizeof(s->ext_ack));
	if (mnl_socket_sendto(s->mnl, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	bool interrupted = false;
	for (;;) {
		char ack[8192] __attribute__((aligned(4)));
		ssize_t n = cb ? recv_sized(s, &buf, &alloc) : recv_ack(s, ack, sizeof(ack));
		if (n < 0)
			return (int)n;
		if ((r = nl_replies(s, cb ? buf : ack, (size_t)n, cb, data, &interrupted)) != 1)
			return r;
	}
}
