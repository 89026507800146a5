/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "parse.h"
#include "pcicfg.h"
#include "sysfs.h"
#include "util.h"

static int open_root(const char *path, int *ret_fd)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

int sysfs_new(const char *sys_root, const char *proc_root, const char *modules_root, sysfs **ret)
{
	sysfs *s = calloc(1, sizeof(*s));
	int r;
	if (!s)
		return -ENOMEM;
	s->sys_fd = s->proc_fd = s->dir_fd = s->hub_fd[0] = s->hub_fd[1] = -EBADF;
	s->sys_root = strdup(sys_root ? sys_root : "/sys");
	s->proc_root = strdup(proc_root ? proc_root : "/proc");
	s->modules_root = strdup(modules_root ? modules_root : "/lib/modules");
	if (!s->sys_root || !s->proc_root || !s->modules_root) {
		sysfs_free(s);
		return -ENOMEM;
	}
	s->read_only =
		!streq(s->sys_root, "/sys") || !streq(s->proc_root, "/proc") || !streq(s->modules_root, "/lib/modules");
	r = open_root(s->sys_root, &s->sys_fd);
	if (r >= 0)
		r = open_root(s->proc_root, &s->proc_fd);
	if (r < 0) {
		snprintf(s->err_path, sizeof(s->err_path), "%s", s->sys_fd < 0 ? s->sys_root : s->proc_root);
		*ret = s; /* handed back so the caller can report err_path; caller frees */
		return r;
	}
	*ret = s;
	return 0;
}

int sysfs_set_kmsg(sysfs *s, const char *path)
{
	free(s->kmsg_path);
	s->kmsg_path = NULL;
	if (path)
		s->read_only = true;
	else if (!s->read_only)
		path = "/dev/kmsg";
	if (path && !(s->kmsg_path = strdup(path)))
		return -ENOMEM;
	return 0;
}

sysfs *sysfs_free(sysfs *s)
{
	if (!s)
		return NULL;
	if (s->sys_fd >= 0)
		close(s->sys_fd);
	if (s->proc_fd >= 0)
		close(s->proc_fd);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	for (size_t i = 0; i < ELEMENTSOF(s->hub_fd); i++)
		if (s->hub_fd[i] >= 0)
			close(s->hub_fd[i]);
	free(s->sys_root);
	free(s->proc_root);
	free(s->modules_root);
	free(s->kmsg_path);
	free(s);
	return NULL;
}

/* Splits a sysfs-relative path into a directory fd and the rest: below a hub, the hub's fd;
 * otherwise the cached directory when it matches or lies above the path. Paths outside sysfs, or
 * whose directory cannot be opened, resolve against the root, so the error is reported for the
 * full path. */
static const char *const hubs[] = {"bus/pci/devices/", "class/net/"};

static const char *at(sysfs *s, int dirfd, const char *rel, int *ret_fd)
{
	const char *slash = strrchr(rel, '/');
	size_t n = slash ? (size_t)(slash - rel) : 0;

	*ret_fd = dirfd;
	if (dirfd != s->sys_fd || !slash || n >= sizeof(s->dir_rel))
		return rel;
	for (size_t i = 0; i < ELEMENTSOF(hubs); i++) {
		size_t hn = strlen(hubs[i]);
		if (strncmp(rel, hubs[i], hn) != 0 || !rel[hn])
			continue;
		if (s->hub_fd[i] == -EBADF) {
			char d[32];
			snprintf(d, sizeof(d), "%.*s", (int)hn - 1, hubs[i]);
			int fd = openat(s->sys_fd, d, O_PATH | O_DIRECTORY | O_CLOEXEC);
			s->hub_fd[i] = fd >= 0 ? fd : -ENOENT; /* tried once: a tree without it */
		}
		if (s->hub_fd[i] < 0)
			return rel;
		*ret_fd = s->hub_fd[i];
		return rel + hn;
	}
	size_t dn = s->dir_fd >= 0 ? strlen(s->dir_rel) : 0;
	if (dn && dn < n && strncmp(s->dir_rel, rel, dn) == 0 && rel[dn] == '/') {
		*ret_fd = s->dir_fd;
		return rel + dn + 1;
	}
	if (s->dir_fd < 0 || strncmp(s->dir_rel, rel, n) != 0 || s->dir_rel[n] != 0) {
		char d[PATH_MAX];
		memcpy(d, rel, n);
		d[n] = 0;
		int fd = openat(s->sys_fd, d, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return rel;
		if (s->dir_fd >= 0)
			close(s->dir_fd);
		s->dir_fd = fd;
		memcpy(s->dir_rel, d, n + 1);
	}
	*ret_fd = s->dir_fd;
	return slash + 1;
}

static int fail(sysfs *s, int dirfd, const char *rel, int r)
{
	if (dirfd == AT_FDCWD)
		snprintf(s->err_path, sizeof(s->err_path), "%s", rel);
	else
		snprintf(s->err_path, sizeof(s->err_path), "%s/%s", dirfd == s->proc_fd ? s->proc_root : s->sys_root,
			 rel);
	return r;
}

/* Reads to EOF into a growing buffer: procfs seq_files may return short reads mid-file. */
static int read_all(int fd, char **ret, size_t *ret_len)
{
	size_t alloc = 4096, len = 0;
	_cleanup_free_ char *buf = malloc(alloc);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (alloc - len < 2) {
			char *n = realloc(buf, alloc * 2);
			if (!n)
				return -ENOMEM;
			buf = n;
			alloc *= 2;
		}
		ssize_t k = read(fd, buf + len, alloc - len - 1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	buf[len] = 0;
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

static int read_text_at(sysfs *s, int dirfd, const char *rel, char **ret)
{
	int d;
	const char *name = at(s, dirfd, rel, &d);
	_cleanup_close_ int fd = openat(d, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char *buf = NULL;
	int r;

	if (fd < 0)
		return fail(s, dirfd, rel, -errno);
	/* A sysfs attribute is produced whole by one show() call of at most a page: one read that
	 * comes back short is all of it, which saves the EOF read on thousands of files. */
	if (dirfd == s->sys_fd) {
		char page[4096];
		ssize_t k;
		do
			k = read(fd, page, sizeof(page));
		while (k < 0 && errno == EINTR);
		if (k < 0)
			return fail(s, dirfd, rel, -errno);
		if ((size_t)k < sizeof(page)) {
			buf = strndup(page, (size_t)k);
			if (!buf)
				return -ENOMEM;
			*ret = strstrip_end(buf);
			return 0;
		}
		if (lseek(fd, 0, SEEK_SET) < 0)
			return fail(s, dirfd, rel, -errno);
	}
	r = read_all(fd, &buf, NULL);
	if (r < 0)
		return fail(s, dirfd, rel, r);
	*ret = strstrip_end(buf);
	return 0;
}

int sysfs_read(sysfs *s, const char *rel, char **ret)
{
	return read_text_at(s, s->sys_fd, rel, ret);
}

int sysfs_readf(sysfs *s, char **ret, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return sysfs_read(s, path, ret);
}

int procfs_read(sysfs *s, const char *rel, char **ret)
{
	return read_text_at(s, s->proc_fd, rel, ret);
}

int procfs_read_bin(sysfs *s, const char *rel, char **ret, size_t *ret_len)
{
	int d;
	const char *name = at(s, s->proc_fd, rel, &d);
	_cleanup_close_ int fd = openat(d, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(s, s->proc_fd, rel, -errno);
	return read_all(fd, ret, ret_len);
}

int modfs_read(sysfs *s, const char *rel, char **ret)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", s->modules_root, rel) >= sizeof(path))
		return -ENAMETOOLONG;
	/* The modules tree is optional (a fake root, a kernel without modules): open it lazily. */
	return read_text_at(s, AT_FDCWD, path, ret);
}

int sysfs_read_bin(sysfs *s, const char *rel, void *buf, size_t max, size_t *ret_len)
{
	int d;
	const char *name = at(s, s->sys_fd, rel, &d);
	_cleanup_close_ int fd = openat(d, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = 0;
	if (fd < 0)
		return fail(s, s->sys_fd, rel, -errno);
	while (len < max) {
		ssize_t k = pread(fd, (char *)buf + len, max - len, (off_t)len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return fail(s, s->sys_fd, rel, -errno);
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	*ret_len = len;
	return 0;
}

static long pread_cb(void *data, void *buf, size_t len, size_t off)
{
	int fd = *(int *)data;
	size_t got = 0;
	while (got < len) {
		ssize_t k = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (long)got;
}

int sysfs_read_config(sysfs *s, const char *rel, uint8_t *buf, size_t *ret_len)
{
	int d;
	const char *name = at(s, s->sys_fd, rel, &d);
	_cleanup_close_ int fd = openat(d, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(s, s->sys_fd, rel, -errno);
	int r = pci_config_fetch(pread_cb, &fd, buf, ret_len);
	return r < 0 ? fail(s, s->sys_fd, rel, r) : 0;
}

int sysfs_write_bin(sysfs *s, const char *rel, const void *buf, size_t len, size_t off)
{
	int d;
	if (s->write_hook) {
		int r = s->write_hook(s->write_data, rel, buf, len, off);
		if (r <= 0) {
			if (r < 0)
				snprintf(s->err_path, sizeof(s->err_path), "%s/%s", s->sys_root, rel);
			return r;
		}
	} else if (s->read_only) {
		snprintf(s->err_path, sizeof(s->err_path), "%s/%s", s->sys_root, rel);
		return -EROFS;
	}
	const char *name = at(s, s->sys_fd, rel, &d);
	_cleanup_close_ int fd = openat(d, name, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(s, s->sys_fd, rel, -errno);
	ssize_t k = pwrite(fd, buf, len, (off_t)off);
	if (k < 0)
		return fail(s, s->sys_fd, rel, -errno);
	return (size_t)k == len ? 0 : fail(s, s->sys_fd, rel, -EIO);
}

int sysfs_link_name(sysfs *s, const char *rel, char **ret)
{
	_cleanup_free_ char *target = NULL;
	int r = sysfs_link_target(s, rel, &target);
	if (r < 0)
		return r;
	const char *base = strrchr(target, '/');
	char *name = strdup(base ? base + 1 : target);
	if (!name)
		return -ENOMEM;
	*ret = name;
	return 0;
}

int sysfs_link_target(sysfs *s, const char *rel, char **ret)
{
	char target[PATH_MAX];
	int d;
	const char *name = at(s, s->sys_fd, rel, &d);
	ssize_t n = readlinkat(d, name, target, sizeof(target) - 1);
	if (n < 0)
		return fail(s, s->sys_fd, rel, -errno);
	target[n] = 0;
	if (!(*ret = strdup(target)))
		return -ENOMEM;
	return 0;
}

bool sysfs_exists(sysfs *s, const char *rel)
{
	int d;
	const char *name = at(s, s->sys_fd, rel, &d);
	return faccessat(d, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

void strv_free_n(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_at(sysfs *s, int dirfd, const char *rel, const char *prefix, char ***ret, size_t *ret_n)
{
	int d;
	const char *name = at(s, dirfd, rel, &d);
	_cleanup_close_ int fd = openat(d, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char **v = NULL;
	size_t n = 0, alloc = 0;
	int r = 0;
	union {
		char buf[16384];
		struct dirent64 align;
	} u;

	if (fd < 0)
		return fail(s, dirfd, rel, -errno);
	/* getdents64 straight: opendir() would cost an fcntl per directory, and vfctl lists one
	 * net/ directory per VF. */
	for (;;) {
		ssize_t k = getdents64(fd, u.buf, sizeof(u.buf));
		if (k < 0) {
			r = fail(s, dirfd, rel, -errno);
			break;
		}
		if (k == 0)
			break;
		for (ssize_t off = 0; off < k;) {
			struct dirent64 *de = (struct dirent64 *)(u.buf + off);
			off += de->d_reclen;
			if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
				continue;
			if (prefix && !startswith(de->d_name, prefix))
				continue;
			if ((r = GROW(v, alloc, n + 1)) < 0)
				break;
			if (!(v[n] = strdup(de->d_name))) {
				r = -ENOMEM;
				break;
			}
			n++;
		}
		if (r < 0)
			break;
	}
	if (r < 0) {
		strv_free_n(v, n);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(char *), cmp_str);
	*ret = v;
	*ret_n = n;
	return 0;
}

int sysfs_list(sysfs *s, const char *rel, const char *prefix, char ***ret, size_t *ret_n)
{
	return list_at(s, s->sys_fd, rel, prefix, ret, ret_n);
}

int procfs_list(sysfs *s, const char *rel, char ***ret, size_t *ret_n)
{
	return list_at(s, s->proc_fd, rel, NULL, ret, ret_n);
}

int procfs_fd_targets(sysfs *s, int pid, const char *const *prefixes, char ***ret, size_t *ret_n)
{
	char rel[32];
	snprintf(rel, sizeof(rel), "%d/fd", pid);
	_cleanup_close_ int fd = openat(s->proc_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char **v = NULL, target[PATH_MAX];
	size_t n = 0, alloc = 0;
	int r = 0;
	union {
		char buf[8192];
		struct dirent64 align;
	} u;
	if (fd < 0)
		return fail(s, s->proc_fd, rel, -errno);
	/* Each link read relative to the open fd/ directory: no path walk per fd, and the listing
	 * and the reads are of one process even if its pid is reused meanwhile. */
	for (ssize_t k; r >= 0 && (k = getdents64(fd, u.buf, sizeof(u.buf))) > 0;)
		for (ssize_t off = 0; r >= 0 && off < k;) {
			struct dirent64 *de = (struct dirent64 *)(u.buf + off);
			off += de->d_reclen;
			if (de->d_name[0] == '.')
				continue;
			ssize_t len = readlinkat(fd, de->d_name, target, sizeof(target) - 1);
			if (len < 0)
				continue; /* closed meanwhile */
			target[len] = 0;
			bool want = false;
			for (size_t i = 0; prefixes[i] && !want; i++)
				want = startswith(target, prefixes[i]);
			if (!want)
				continue;
			if ((r = GROW(v, alloc, n + 1)) >= 0 && !(v[n++] = strdup(target)))
				r = -ENOMEM;
		}
	if (r < 0) {
		strv_free_n(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int procfs_link_target(sysfs *s, const char *rel, char **ret)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(s->proc_fd, rel, target, sizeof(target) - 1);
	if (n < 0)
		return fail(s, s->proc_fd, rel, -errno);
	target[n] = 0;
	char *r = strdup(target);
	if (!r)
		return -ENOMEM;
	*ret = r;
	return 0;
}

int sysfs_int(sysfs *s, const char *fmt, ...)
{
	char path[PATH_MAX];
	_cleanup_free_ char *v = NULL;
	va_list ap;
	uint32_t u;
	int i;

	va_start(ap, fmt);
	int n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path) || sysfs_read(s, path, &v) < 0)
		return -1;
	if (startswith(v, "0x"))
		return parse_hex_u32(v, &u) < 0 || u > INT_MAX ? -1 : (int)u;
	return parse_int(v, &i) < 0 ? -1 : i;
}
