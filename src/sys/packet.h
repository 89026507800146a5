/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Raw Ethernet frames on one interface (AF_PACKET): the datapath probes of vfctl verify. The only
 * code that opens packet sockets. Needs CAP_NET_RAW. */

/* A non-blocking socket bound to ifindex that sees every frame on it (ETH_P_ALL), or -errno. */
int packet_open(int ifindex);
/* Sends one whole frame (destination MAC first); -errno, -EIO on a short send. */
int packet_send(int fd, const void *frame, size_t len);
/* One received frame into buf, not one the socket's own interface sent (PACKET_OUTGOING).
 * Returns its length, 0 when none is waiting, -errno. *ret_vlan gets the 802.1Q tag the NIC
 * stripped (PACKET_AUXDATA), -1 when none. */
int packet_recv(int fd, void *buf, size_t len, int *ret_vlan);
/* Waits up to timeout_ms for any of fds to become readable; ready[i] set for each. 0 on timeout. */
int packet_wait(const int *fds, size_t n, int timeout_ms, bool *ready);
