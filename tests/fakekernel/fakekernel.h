/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* A fake kernel over a tree built by tests/fakesys/fakesys.py: it reacts to vfctl's sysfs writes,
 * rtnetlink requests and module loads the way Linux does, and keeps its state in the tree, so one
 * vfctl run sees what the previous one did. What it models is listed in fakekernel.c. */
int fakekernel_attach(vfctl_ctx *ctx);
