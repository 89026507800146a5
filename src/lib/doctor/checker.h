/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"
#include "kmsg.h"
#include "strbuf.h"

/* What every doctor check reads and writes: the snapshot, the kernel log (read once per run) and
 * the report the findings go to. */
typedef struct checker {
	vfctl_ctx *ctx;
	const vfctl_host *h;
	const vfctl_doctor_opts *opts;
	const bool *select; /* opts->select as one flag per h->devices entry, NULL: every device */
	vfctl_report *rep;
	kmsg_log log;
	int log_error;       /* 0 when log holds the kernel log, else why it could not be read (-errno) */
	char (*log_bdf)[13]; /* per record: the PCI address it is about, "" for none (log_index) */
	int error;           /* first allocation failure */
} checker;

void add(checker *c, const char *id, vfctl_severity sev, const vfctl_device *d, const char *summary,
	 const char *evidence, const char *fix);

const char *grub_hint(void);

/* The kernel's own words, one record as dmesg shows it: "[    2.365098] TEXT". */
void quote_record(strbuf *b, const kmsg_record *r);

/* Devices the user asked about (all without arguments), and those someone would pass to a VM. */
bool doctor_selected(const checker *c, const vfctl_device *d);
bool doctor_candidate(const checker *c, const vfctl_device *d);

/* Finds the PCI address each record of c->log is about. */
int log_index(checker *c);
/* Appends the last max (at most 8) records about bdf, one a line, to ret. */
void log_lines_for(const checker *c, const char *bdf, size_t max, strbuf *ret);
/* The last record containing needle, NULL if none or no log. */
const kmsg_record *log_find(const checker *c, const char *needle);
/* A line about d that a signature of its own reports (Missing UAR, a failed probe...). */
bool log_explains_unbound(const checker *c, const vfctl_device *d);

/* Checks in files of their own. */
void check_kernel_log(checker *c);
void check_interrupt_remapping(checker *c);
void check_unbound(checker *c, const vfctl_device *d);
void check_host_policy(checker *c);
void check_representors(checker *c);
void check_ovs(checker *c);
/* libvirt domains and Proxmox mappings whose PCI addresses now name other devices. */
void check_vm_refs(checker *c);
/* What a PF driver's habits leave behind (driver-facts.h): a VF whose driver has not loaded the MAC
 * its PF set (igb, ixgbe). */
void check_driver_habits(checker *c);
/* With OVS hw-offload on: the uplinks and representors whose hw-tc-offload is off. */
void check_tc_offload(checker *c);
