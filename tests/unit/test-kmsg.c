/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel log reader: records as the lab kernel wrote them to /dev/kmsg (captured with cat),
 * read through the sysfs seam, and malformed input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"
#include "tap.h"

static const kmsg_record *find(const kmsg_log *log, const char *needle)
{
	for (size_t i = 0; i < log->n; i++)
		if (strstr(log->records[i].text, needle))
			return &log->records[i];
	return NULL;
}

static void test_lab_capture(void)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/qemu-kmsg.txt", getenv("DATA_DIR") ? getenv("DATA_DIR") : "tests/unit/data");
	sysfs *fs = NULL;
	CHECK(sysfs_new("/", "/proc", NULL, &fs) == 0, "sysfs_new");
	CHECK(sysfs_set_kmsg(fs, path) == 0, "sysfs_set_kmsg");
	CHECK(fs->read_only, "a kmsg file makes the seam read-only");
	kmsg_log log = {0};
	CHECK_EQ_INT(kmsg_read(fs, &log), 0);
	CHECK_EQ_INT(log.n, 18);
	CHECK_EQ_INT(log.skipped, 0);
	CHECK_EQ_INT(log.records[0].level, 5);
	CHECK_EQ_INT(log.records[0].seq, 0);
	CHECK(log.records[0].text && strncmp(log.records[0].text, "Linux version 6.12.117", 22) == 0, "first record");
	const kmsg_record *m = find(&log, "not enough MMIO resources");
	CHECK(m != NULL, "the MMIO line");
	if (m) {
		CHECK_EQ_INT(m->level, 3);
		CHECK_EQ_INT(m->seq, 559);
		CHECK_EQ_INT(m->usec, 6142260);
		CHECK_STREQ(m->text, "nvme 0000:04:00.0: not enough MMIO resources for SR-IOV");
		CHECK_STREQ(kmsg_pci_device(m), "0000:04:00.0");
	}
	const kmsg_record *f = find(&log, "pci function 0000:04:00.0");
	CHECK(f && f->device && strcmp(f->device, "c245:1") == 0, "a class device's dictionary");
	CHECK(f && kmsg_pci_device(f) == NULL, "not a PCI record");
	kmsg_log_done(&log);
	CHECK(sysfs_set_kmsg(fs, "/nonexistent/kmsg") == 0, "set");
	CHECK_EQ_INT(kmsg_read(fs, &log), -ENOENT);
	sysfs_free(fs);
	/* A fake tree without a log given: no kernel log, never the running host's. */
	CHECK(sysfs_new("/tmp", "/proc", NULL, &fs) == 0, "sysfs_new fake");
	CHECK(sysfs_set_kmsg(fs, NULL) == 0 && fs->kmsg_path == NULL, "no kmsg for a fake tree");
	CHECK_EQ_INT(kmsg_read(fs, &log), -ENOENT);
	sysfs_free(fs);
	CHECK(sysfs_new(NULL, NULL, NULL, &fs) == 0, "sysfs_new real");
	CHECK(sysfs_set_kmsg(fs, NULL) == 0 && fs->kmsg_path && strcmp(fs->kmsg_path, "/dev/kmsg") == 0, "real host");
	sysfs_free(fs);
}

static void test_malformed(void)
{
	/* Not a record, a record without ';', a dictionary before any record, a record cut short
	 * without its newline, and a continuation line that is not DEVICE=. */
	static const char buf[] =
		" DEVICE=+pci:0000:00:00.0\n"
		"[    2.365098] mlx4_core 0000:01:00.0: Missing UAR, aborting\n"
		"6,1,2\n"
		"6,2,300,-;first\n SUBSYSTEM=pci\n DEVICE=+pci:0000:01:00.0\n DEVICE=+pci:0000:09:00.0\n"
		"12,3,400,-,more;second; with a semicolon\n"
		"4,4,500,-;cut";
	kmsg_log log = {0};
	CHECK_EQ_INT(kmsg_parse(buf, sizeof(buf) - 1, &log), 0);
	CHECK_EQ_INT(log.n, 3);
	CHECK_EQ_INT(log.skipped, 2);
	if (log.n == 3) {
		CHECK_STREQ(log.records[0].text, "first");
		CHECK_STREQ(kmsg_pci_device(&log.records[0]), "0000:01:00.0");
		CHECK_STREQ(log.records[1].text, "second; with a semicolon");
		CHECK_EQ_INT(log.records[1].level, 4); /* facility 1 (user), level 4 */
		CHECK_STREQ(log.records[2].text, "cut");
		CHECK(log.records[2].device == NULL, "no dictionary");
	}
	kmsg_log_done(&log);
	CHECK_EQ_INT(kmsg_parse("", 0, &log), 0);
	CHECK_EQ_INT(log.n, 0);
	kmsg_log_done(&log);
}

int main(void)
{
	test_lab_capture();
	test_malformed();
	return tap_finish("test-kmsg");
}
