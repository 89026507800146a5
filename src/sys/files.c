/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "files.h"
#include "util.h"

int file_read_text(const char *path, char **ret)
{
	FILE *f = fopen(path, "re");
	char *s = NULL;
	size_t n = 0;
	if (!f)
		return -errno;
	ssize_t k = getdelim(&s, &n, 0, f);
	int r = k < 0 && ferror(f) ? -EIO : 0;
	fclose(f);
	/* An empty file: getdelim may have allocated the buffer without writing to it. */
	if (r >= 0 && k < 0 && s)
		s[0] = 0;
	else if (r >= 0 && k < 0 && !(s = strdup("")))
		r = -ENOMEM;
	if (r < 0) {
		free(s);
		return r;
	}
	*ret = s;
	return 0;
}

static void make_parents(const char *path)
{
	char d[PATH_MAX];
	snprintf(d, sizeof(d), "%s", path);
	for (char *p = d + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		(void)mkdir(d, 0700); /* EEXIST is the common case */
		*p = '/';
	}
}

static int write_all(int fd, const char *text)
{
	size_t len = strlen(text);
	for (size_t off = 0; off < len;) {
		ssize_t k = write(fd, text + off, len - off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)k;
	}
	return 0;
}

/* A rename is durable once the directory that holds it is. */
static int fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = 0;
	_cleanup_close_ int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dfd >= 0 && fsync(dfd) < 0 ? -errno : 0;
}

/* A reader (or the next run after a crash) sees the old file or the new one, never a torn one:
 * a temporary file beside it, fsync'ed, renamed over it, then the directory fsync'ed so the
 * rename itself is durable. */
int file_write_text(const char *path, const char *text)
{
	return file_write_mode(path, text, 0600);
}

int file_write_mode(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX];
	make_parents(path);
	/* A dotfile: listings (dir_list) skip one a crash left behind. */
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp%d", (int)(base - path), path, base, (int)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	/* The umask does not decide who may read a file others' programs read (udevd's rules). */
	int r = fchmod(fd, mode) < 0 ? -errno : write_all(fd, text);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r >= 0)
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlink(tmp);
		return r;
	}
	return fsync_parent(path);
}

int file_open_append(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int file_append_text(int fd, const char *text)
{
	int r = write_all(fd, text);
	return r < 0 ? r : fdatasync(fd) < 0 ? -errno : 0;
}

/* renameat2's RENAME_NOREPLACE: the move and the check that nothing is there are one step. */
int file_move_new(const char *from, const char *to)
{
	make_parents(to);
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0)
		return -errno;
	return fsync_parent(to);
}

int file_remove(const char *path)
{
	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

bool file_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int file_exists(const char *path)
{
	return access(path, F_OK) < 0 ? -errno : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dir_list(const char *path, const char *suffix, char ***ret, size_t *ret_n)
{
	DIR *d = opendir(path);
	char **v = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	int r = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name), sl = suffix ? strlen(suffix) : 0;
		if (de->d_name[0] == '.' || l <= sl || (suffix && strcmp(de->d_name + l - sl, suffix) != 0))
			continue;
		if ((r = GROW(v, alloc, n + 1)) < 0 || !(v[n] = strdup(de->d_name))) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	*ret_n = n;
	return 0;
}

int file_chown(const char *path, int uid, int gid)
{
	return chown(path, (uid_t)uid, (gid_t)gid) < 0 ? -errno : 0;
}

int file_owner(const char *path, uid_t *ret_uid, gid_t *ret_gid, mode_t *ret_mode)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	*ret_uid = st.st_uid;
	*ret_gid = st.st_gid;
	*ret_mode = st.st_mode;
	return 0;
}

int file_open_config(const char *path, FILE **ret, uid_t *ret_uid, mode_t *ret_mode)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO (or a link to one) must not block the open; only a regular file is read,
	 * so /dev/zero or a FIFO named *.conf cannot hang a boot. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EBADFD;
	}
	int fl = fcntl(fd, F_GETFL);
	FILE *f = fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ? NULL : fdopen(fd, "re");
	if (!f) {
		int r = -errno;
		close(fd);
		return r;
	}
	*ret = f;
	*ret_uid = st.st_uid;
	*ret_mode = st.st_mode;
	return 0;
}

int file_lock(const char *path, int *ret_holder_pid)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = -errno;
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = 0;
		*ret_holder_pid = atoi(pid);
		close(fd);
		return r;
	}
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	/* The pid is only a courtesy for whoever waits: a failure to write it changes nothing. */
	if (ftruncate(fd, 0) == 0) {
		ssize_t k = pwrite(fd, pid, (size_t)n, 0);
		(void)k;
	}
	return fd;
}
