/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "vfctl/vfctl.h"

/* An igb PF (0000:01:00.0, enp1s0) with n VFs: up, MTU 1500, VF i with MAC 02:..:i, VLAN 0, spoof
 * checking on. Freed with vfctl_host_free. */
vfctl_host *test_igb_host(int n);

/* A context over an empty tree made from dir (a mkdtemp template, filled in): any read through the
 * seam finds nothing, netlink is off. NULL on failure. */
vfctl_ctx *test_empty_ctx(char *dir);
