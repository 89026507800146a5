/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel behind sysfs writes, when it is not the running one: a test's fake kernel
 * (tests/fakekernel) reacts to a write as Linux would (sriov_numvfs creates VFs, drivers_probe
 * binds). It returns 0 or -errno when it took the write, 1 to let the plain write happen. No
 * release code sets it: a test binary links the fake kernel and attaches it. */
typedef int (*sysfs_write_fn)(void *data, const char *rel, const void *buf, size_t len, size_t off);

/* The one seam between vfctl and the host's files: every path is relative to a sysfs or procfs
 * root directory (default /sys and /proc), so tests point the library at a fake tree. */
typedef struct sysfs {
	int sys_fd, proc_fd;
	char *sys_root, *proc_root, *modules_root;
	char *kmsg_path;         /* the kernel log: /dev/kmsg, a test's file, or NULL (a fake tree without one) */
	char err_path[PATH_MAX]; /* the path of the last failed access, for error messages */
	/* The directory of the last sysfs path outside the hubs below, kept open: several files of
	 * one directory (a PF's sriov_*, an IOMMU group's) are read in a row. */
	int dir_fd;
	char dir_rel[PATH_MAX];
	/* bus/pci/devices and class/net, opened on first use: paths below them resolve from there
	 * (a symlink walk inside the kernel), so a scan opens none of the devices' directories. */
	int hub_fd[2];
	sysfs_write_fn write_hook;
	void *write_data;
	/* A root other than /sys, /proc or /lib/modules: the tree is not the running host's, so
	 * nothing is written through this seam unless a fake kernel (write_hook) takes the writes. */
	bool read_only;
} sysfs;

int sysfs_new(const char *sys_root, const char *proc_root, const char *modules_root, sysfs **ret);
sysfs *sysfs_free(sysfs *s);
/* The kernel log behind the seam: path, or NULL for /dev/kmsg on the running host and none on a
 * fake tree. A file given here makes the seam read-only like a fake tree. */
int sysfs_set_kmsg(sysfs *s, const char *path);

/* Whole text file, trailing whitespace stripped. -ENOENT if absent. */
int sysfs_read(sysfs *s, const char *rel, char **ret);
int sysfs_readf(sysfs *s, char **ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Binary read of up to max bytes (config space); *ret_len is what the kernel gave. */
int sysfs_read_bin(sysfs *s, const char *rel, void *buf, size_t max, size_t *ret_len);
/* A function's config space, as much as pci_config_decode() looks at (pci_config_fetch): buf
 * holds PCI_CFG_SPACE_EXP_SIZE bytes; *ret_len is what the function holds. */
int sysfs_read_config(sysfs *s, const char *rel, uint8_t *buf, size_t *ret_len);
/* Writes len bytes at off (config space); a short write is -EIO. */
int sysfs_write_bin(sysfs *s, const char *rel, const void *buf, size_t len, size_t off);
/* Last component of a symlink's target ("driver" → "igb"). */
int sysfs_link_name(sysfs *s, const char *rel, char **ret);
/* The whole target of a symlink ("../../devices/pci0000:00/0000:00:1f.2/ata1/..."). */
int sysfs_link_target(sysfs *s, const char *rel, char **ret);
bool sysfs_exists(sysfs *s, const char *rel);
/* Directory entries except . and .., sorted; optional prefix filter. */
int sysfs_list(sysfs *s, const char *rel, const char *prefix, char ***ret, size_t *ret_n);
void strv_free_n(char **v, size_t n);

int procfs_read(sysfs *s, const char *rel, char **ret);
int procfs_list(sysfs *s, const char *rel, char ***ret, size_t *ret_n);
/* All of a /proc file that may hold NUL bytes (PID/cmdline): *ret_len bytes, NUL-terminated. */
int procfs_read_bin(sysfs *s, const char *rel, char **ret, size_t *ret_len);
/* The targets of pid's open fds that start with one of prefixes (NULL-terminated): the fd
 * directory opened once, each link read relative to it. */
int procfs_fd_targets(sysfs *s, int pid, const char *const *prefixes, char ***ret, size_t *ret_n);
/* Full target of a /proc symlink (PID/fd/N → "/dev/vfio/12"). */
int procfs_link_target(sysfs *s, const char *rel, char **ret);
/* A file below the modules root (default /lib/modules): modules.dep, modules.builtin. */
int modfs_read(sysfs *s, const char *rel, char **ret);

/* Reads an integer sysfs attribute (decimal, or hex with 0x); -1 when absent or malformed. */
int sysfs_int(sysfs *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
