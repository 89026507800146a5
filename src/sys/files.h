/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Files outside sysfs and procfs: configuration files, vfctl's own state under the run directory,
 * device nodes. Like the sysfs seam, the only code that opens them. All fds O_CLOEXEC. */

int file_read_text(const char *path, char **ret);
/* Creates the parent directories (0700) and writes text, mode 0600, replacing the file atomically
 * and durably (temporary file, fsync, rename, fsync of the directory). */
int file_write_text(const char *path, const char *text);
/* The same with the file's mode: 0644 for what other programs read (a udev rule). */
int file_write_mode(const char *path, const char *text, mode_t mode);
/* An existing file opened for appending (O_APPEND), or -errno. */
int file_open_append(const char *path);
/* Appends text, durably (fdatasync). One write: a process killed mid-way appended all of it or
 * nothing; a power loss may leave its last line cut (kv_complete()). */
int file_append_text(int fd, const char *text);
/* Moves from to a new name to (its directory made), durably; -EEXIST when to exists (nothing moved). */
int file_move_new(const char *from, const char *to);
int file_remove(const char *path);
bool file_is_dir(const char *path);
/* 0 if path exists, else -errno. */
int file_exists(const char *path);
/* Entries of a directory ending in suffix (NULL: all), dotfiles skipped, sorted. */
int dir_list(const char *path, const char *suffix, char ***ret, size_t *ret_n);
int file_chown(const char *path, int uid, int gid);
int file_owner(const char *path, uid_t *ret_uid, gid_t *ret_gid, mode_t *ret_mode);
/* A configuration file for reading, with its owner and mode (from the open file, no race).
 * -EBADFD when it is not a regular file (a FIFO, a device, a directory). */
int file_open_config(const char *path, FILE **ret, uid_t *ret_uid, mode_t *ret_mode);
/* flock(LOCK_EX|LOCK_NB) on path (created 0600): the fd, or -EWOULDBLOCK while another holds it
 * (then *ret_holder_pid is what it wrote, 0 if unknown). The holder's pid is written on success. */
int file_lock(const char *path, int *ret_holder_pid);
