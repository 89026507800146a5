/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "ctx.h"

/* What vfctl writes for the programs that take netdevs as they appear, one file each per PF:
 * - udev's rule (/etc/udev/rules.d/79-vfctl-<PF>.rules): the VFs' names and NM_UNMANAGED. It
 *   sorts before 80-net-setup-link.rules, which names a netdev only when no earlier rule did
 *   (NAME==""), so both are right in the VF's first "add" event: no other program sees the netdev
 *   under another name or as its own.
 * - systemd-networkd's .network (/etc/systemd/network/10-vfctl-<PF>.network): Unmanaged=yes for
 *   the VFs, in the first file of the lexical order networkd picks the first match from. */
typedef enum handoff_kind {
	HANDOFF_UDEV_RULE,
	HANDOFF_NETWORKD,
	_HANDOFF_MAX,
} handoff_kind;

/* The udev rule's two kinds of line, what follows "SUBSYSTEM==\"net\", ACTION==...": plan-handoff.c
 * writes them (with the VF's PCI address), and status, export and plan read them back. */
#define HANDOFF_RULE_NAME      "DEVPATH==\"*/%s/net/*\", NAME=\""
#define HANDOFF_RULE_UNMANAGED "KERNELS==\"%s\", ENV{NM_UNMANAGED}=\"1\""
/* Does the PF's rule set NM_UNMANAGED on the VF at vf_addr? */
bool handoff_rule_unmanaged(const vfctl_device *pf, const char *vf_addr);
/* The name the PF's rule gives the VF at vf_addr's netdev, NULL when none. */
char *handoff_rule_name(const vfctl_device *pf, const char *vf_addr);

/* The file of kind for PF pf, under /etc (beside a fake tree's sys/). */
void handoff_path(const vfctl_ctx *ctx, handoff_kind kind, const char *pf, char *buf, size_t size);
/* Its name alone ("79-vfctl-0000:01:00.0.rules"): what plans and status say. */
void handoff_name(handoff_kind kind, const char *pf, char *buf, size_t size);
/* Where the snapshot keeps the file's text: vfctl_device.udev_rule or .networkd_file. */
char **handoff_text(vfctl_device *pf, handoff_kind kind);
const char *handoff_text_of(const vfctl_device *pf, handoff_kind kind);
/* Each PF's files, into the snapshot. */
int handoff_scan(vfctl_ctx *ctx, vfctl_host *h);
/* Whether a udevd reads rules on this host: its control socket exists (never beside a fake tree). */
bool udevd_running(const vfctl_ctx *ctx);
/* Whether systemd-networkd runs: its state file exists (never beside a fake tree). */
bool networkd_running(const vfctl_ctx *ctx);
/* Has udevd finished the "add" event of the PF's netdev (its database entry exists, and the name
 * the snapshot has is still there), so its name is the one .link files and rules give it? True
 * where no udevd runs: the name is the kernel's for good. */
bool udev_netdev_named(vfctl_ctx *ctx, const vfctl_device *pf);
