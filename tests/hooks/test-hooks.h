/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* VFCTL_TEST_FAIL_STEP=N: the N-th step of an apply fails; VFCTL_RUNDIR=DIR instead of /run. */
void test_hooks_attach(vfctl_ctx *ctx);
