/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "sysfs.h"

/* One record of the kernel log as /dev/kmsg gives it: "PRI,SEQ,USEC,FLAGS;TEXT" and then the
 * record's dictionary, one " KEY=VALUE" line each (dev_printk adds SUBSYSTEM= and DEVICE=). */
typedef struct kmsg_record {
	int level; /* syslog level: 0 emerg ... 7 debug */
	uint64_t seq;
	uint64_t usec; /* since boot */
	char *text;    /* as the kernel escaped it (\xNN for bytes it does not print) */
	char *device;  /* DEVICE=: "+pci:0000:01:00.0", "n3" (ifindex 3), ...; NULL when absent */
} kmsg_record;

typedef struct kmsg_log {
	kmsg_record *records;
	size_t n;
	size_t skipped; /* lines that were no record: a file that is not a kmsg dump */
} kmsg_log;

/* Parses a dump of /dev/kmsg records (what successive reads return, concatenated). Pure. */
int kmsg_parse(const char *buf, size_t len, kmsg_log *ret);
void kmsg_log_done(kmsg_log *log);

/* Reads the whole kernel log from the seam's kmsg (default /dev/kmsg; a test's file). -ENOENT
 * when the seam has none (a fake tree given without one); -EPERM under dmesg_restrict for a
 * non-root reader, as the kernel answers. */
int kmsg_read(sysfs *s, kmsg_log *ret);

/* "0000:01:00.0" for DEVICE=+pci:0000:01:00.0, else NULL (the record is about a netdev, a
 * block device, or no device). Points into rec->device. */
const char *kmsg_pci_device(const kmsg_record *rec);
