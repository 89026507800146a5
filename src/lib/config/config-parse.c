/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl.conf(5): systemd-style INI files, one per PF, read line by line (parse_line: as strict as
 * systemd's unit files). Sections here; each key's value checked for form by the key table
 * (config-keys.c); against the device in config-validate.c. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>

#include "config.h"
#include "escape.h"
#include "files.h"
#include "parse.h"

/* --- parser state ------------------------------------------------------------------------------ */

typedef struct parser {
	vfctl_config *c;
	const char *file; /* stored copy */
	FILE *f;
	unsigned line, section_line;
	char section[64];
	ssize_t pf;         /* this file's [PF] unit, -1 none */
	ssize_t unit;       /* the unit the current section fills, -1 none */
	ssize_t vf_section; /* index in vf[], -1 none */
	ssize_t rate_group; /* index in the [PF] unit's rate_groups, -1 none */
	bool section_bad;   /* an unknown section: its keys are not reported again */
	vf_section *vf;     /* this file's [VF...] sections, attached to its [PF] at the end */
	size_t n_vf;
	int error;
} parser;

static ssize_t new_unit(parser *p, unit_kind kind)
{
	conf_unit *n = realloc(p->c->units, (p->c->n_units + 1) * sizeof(*n));
	if (!n) {
		p->error = -ENOMEM;
		return -1;
	}
	p->c->units = n;
	conf_unit_init(&n[p->c->n_units], kind, (conf_loc){p->file, p->section_line});
	return (ssize_t)p->c->n_units++;
}

/* "VF", "VF:3", "VF:0-7" → range; -EINVAL for anything else. */
static int parse_vf_section(const char *name, int *lo, int *hi)
{
	uint32_t a, b;
	if (streq(name, "VF")) {
		*lo = *hi = -1;
		return 0;
	}
	if (!startswith(name, "VF:"))
		return -EINVAL;
	const char *r = name + 3, *dash = strchr(r, '-');
	if (!dash) {
		if (parse_u32(r, &a) < 0 || a > 65535)
			return -EINVAL;
		*lo = *hi = (int)a;
		return 0;
	}
	char first[16];
	if ((size_t)(dash - r) >= sizeof(first))
		return -EINVAL;
	memcpy(first, r, (size_t)(dash - r));
	first[dash - r] = 0;
	if (parse_u32(first, &a) < 0 || parse_u32(dash + 1, &b) < 0 || a > b || b > 65535)
		return -EINVAL;
	*lo = (int)a;
	*hi = (int)b;
	return 0;
}

static void enter_section(parser *p, const char *section)
{
	conf_loc loc = {p->file, p->section_line};
	int lo, hi;

	snprintf(p->section, sizeof(p->section), "%s", section);
	p->unit = p->vf_section = p->rate_group = -1;
	p->section_bad = false;
	if (streq(section, "PF")) {
		if (p->pf >= 0) {
			config_error(p->c, loc, "a second [PF] section: one PF per file");
			p->section_bad = true;
			return;
		}
		p->pf = p->unit = new_unit(p, UNIT_PF);
	} else if (streq(section, "Device"))
		p->unit = new_unit(p, UNIT_DEVICE);
	else if (streq(section, "VDPA"))
		p->unit = new_unit(p, UNIT_VDPA);
	else if (streq(section, "RateGroup")) {
		if (p->pf < 0) {
			config_error(p->c, loc, "[RateGroup] before this file's [PF] section: a group is a PF's");
			p->section_bad = true;
			return;
		}
		conf_unit *u = &p->c->units[p->pf];
		rate_group_target *g = realloc(u->rate_groups, (u->n_rate_groups + 1) * sizeof(*g));
		if (!g) {
			p->error = -ENOMEM;
			return;
		}
		u->rate_groups = g;
		g[u->n_rate_groups] =
			(rate_group_target){.min_tx_rate = -1, .max_tx_rate = -1, .present = 1, .loc = loc};
		p->rate_group = (ssize_t)u->n_rate_groups++;
	} else if (parse_vf_section(section, &lo, &hi) >= 0) {
		vf_section *a = realloc(p->vf, (p->n_vf + 1) * sizeof(*a));
		if (!a) {
			p->error = -ENOMEM;
			return;
		}
		p->vf = a;
		a[p->n_vf] = (vf_section){.lo = lo, .hi = hi, .loc = loc};
		vf_target_init(&a[p->n_vf].t);
		p->vf_section = (ssize_t)p->n_vf++;
	} else {
		config_error(p->c, loc,
			     "unknown section [%s] (expected [PF], [VF], [VF:N], [VF:N-M], [RateGroup], [Device] or "
			     "[VDPA])",
			     section);
		p->section_bad = true;
	}
}

static void key_line(parser *p, const char *name, const char *value)
{
	conf_loc loc = {p->file, p->line};
	int r = 0;
	if (p->section_bad)
		return;
	if (!p->section[0])
		r = config_error(p->c, loc, "%s= before any section", name);
	else if (p->vf_section >= 0)
		r = config_key(p->c, NULL, &p->vf[p->vf_section].t, p->section, name, value, loc);
	else if (p->rate_group >= 0)
		r = config_rate_group_key(p->c, &p->c->units[p->pf].rate_groups[p->rate_group], name, value, loc);
	else if (p->unit >= 0)
		r = config_key(p->c, &p->c->units[p->unit], NULL, p->section, name, value, loc);
	if (r < 0)
		p->error = r;
}

/* --- lines ------------------------------------------------------------------------------------- */

#define MAX_LINE 4096

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

static bool valid_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k))
			return false;
	return true;
}

/* One line of vfctl.conf, as strict as systemd's unit files and stricter where they would guess:
 * no continuation of any kind, no inline comments (a ';' or '#' after a value is part of it, and
 * the value's check rejects it), no "Key: Value", nothing after a section header. */
static void parse_line(parser *p, char *raw)
{
	conf_loc loc = {p->file, p->line};
	char *l = trim(raw);
	if (!utf8_valid(l)) { /* comments too: the file is text */
		config_error(p->c, loc, "not valid UTF-8: vfctl.conf is UTF-8 text");
		return;
	}
	if (!*l || *l == '#' || *l == ';')
		return;
	if (*l == '[') {
		char *end = strchr(l, ']');
		if (!end || end == l + 1) {
			config_error(p->c, loc, "syntax error: a section header is [Name]");
			p->section_bad = true;
			return;
		}
		*end = 0;
		if (*trim(end + 1)) {
			config_error(p->c, loc, "junk after [%s]: a section header stands alone on its line", l + 1);
			p->section_bad = true;
			return;
		}
		p->section_line = p->line;
		enter_section(p, l + 1);
		return;
	}
	char *eq = strchr(l, '=');
	if (!eq) {
		char *colon = strchr(l, ':');
		if (l != raw)
			config_error(p->c, loc,
				     "an indented line without '=': vfctl.conf has no continuation lines (one "
				     "Key=Value per line)");
		else if (colon) {
			*colon = 0;
			if (valid_key(trim(l)))
				config_error(p->c, loc, "'%s:' is not vfctl.conf syntax: write %s=VALUE", l, l);
			else
				config_error(p->c, loc, "syntax error: expected [Section], Key=Value or a comment");
		} else
			config_error(p->c, loc, "syntax error: expected [Section], Key=Value or a comment");
		return;
	}
	if (l[strlen(l) - 1] == '\\') {
		config_error(p->c, loc, "a line ending in \\: vfctl.conf has no continuation lines");
		return;
	}
	*eq = 0;
	char *key = trim(l), *value = trim(eq + 1);
	if (!valid_key(key)) {
		config_error(p->c, loc, "'%s' is not a key: keys are letters and digits (Key=Value)", key);
		return;
	}
	key_line(p, key, value);
}

/* Reads every line: a NUL byte, a line over MAX_LINE bytes or invalid UTF-8 is an error for that
 * line (never a silent cut that could turn a comment's tail into a live key); a UTF-8 byte order
 * mark at the start is skipped. */
static int parse_lines(parser *p)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	while (!p->error && (n = getline(&buf, &cap, p->f)) >= 0) {
		conf_loc loc = {p->file, ++p->line};
		char *l = buf;
		if (p->line == 1 && n >= 3 && memcmp(l, "\xef\xbb\xbf", 3) == 0) {
			l += 3;
			n -= 3;
		}
		if (n && l[n - 1] == '\n')
			l[--n] = 0;
		if (strlen(l) != (size_t)n)
			config_error(p->c, loc, "a NUL byte in the line: vfctl.conf is text");
		else if (n > MAX_LINE)
			config_error(p->c, loc, "line longer than %d characters", MAX_LINE);
		else
			parse_line(p, l);
	}
	free(buf);
	return p->error;
}

static int check_owner(vfctl_config *c, const char *file, uid_t uid, mode_t mode)
{
	conf_loc loc = {file, 0};
	/* vfctl runs these as root at boot: a file others can change is a way to root. */
	if (uid != 0 || (mode & 022)) {
		int r = config_error(c, loc,
				     "writable by a user other than root (owner uid %u, mode %04o): "
				     "chown root and chmod go-w; the file is not read",
				     (unsigned)uid, (unsigned)(mode & 07777));
		return r < 0 ? r : 1;
	}
	return 0;
}

/* f: an open stream (a file, or text given on the command line); a file's owner and mode are
 * checked (owner: the file's uid, or (uid_t)-1 for text). */
static int parse_stream(vfctl_config *c, const char *name, FILE *f, uid_t owner, mode_t mode)
{
	char **files = realloc(c->files, (c->n_files + 1) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	c->files = files;
	if (!(files[c->n_files] = strdup(name)))
		return -ENOMEM;
	parser p = {.c = c, .file = files[c->n_files++], .pf = -1, .unit = -1, .vf_section = -1, .f = f};
	int r = owner != (uid_t)-1 ? check_owner(c, p.file, owner, mode) : 0;
	if (r == 0) /* a file someone else could have written is not parsed at all */
		r = parse_lines(&p);
	else if (r > 0)
		r = 0; /* reported, not parsed */
	if (r < 0)
		goto out;
	if (p.n_vf && p.pf < 0)
		r = config_error(c, p.vf[0].loc, "[%s] without a [PF] section in this file",
				 p.vf[0].lo < 0 ? "VF" : "VF:N");
	else if (p.n_vf) {
		conf_unit *u = &c->units[p.pf];
		u->vf_sections = TAKE_PTR(p.vf);
		u->n_vf_sections = p.n_vf;
		p.n_vf = 0;
	}
out:
	for (size_t i = 0; i < p.n_vf; i++)
		vf_target_done(&p.vf[i].t);
	free(p.vf);
	return r;
}

static int parse_file(vfctl_config *c, const char *path)
{
	FILE *f = NULL;
	uid_t uid;
	mode_t mode;
	int r = file_open_config(path, &f, &uid, &mode);
	if (r < 0) {
		char **files = realloc(c->files, (c->n_files + 1) * sizeof(*files));
		if (!files || !(files[c->n_files] = strdup(path)))
			return -ENOMEM;
		c->files = files;
		config_error(c, (conf_loc){files[c->n_files++], 0}, "cannot read: %s",
			     r == -EBADFD ? "not a regular file (a FIFO, a device or a directory is never read)"
					  : strerror(-r));
		return 0;
	}
	r = parse_stream(c, path, f, uid, mode);
	fclose(f);
	return r;
}

int config_parse_mem(vfctl_ctx *ctx, const char *name, const void *buf, size_t len, vfctl_config **ret)
{
	vfctl_config *c = calloc(1, sizeof(*c));
	FILE *f = len ? fmemopen((void *)buf, len, "r") : fopen("/dev/null", "re");
	int r = !c || !f ? -ENOMEM : parse_stream(c, name, f, (uid_t)-1, 0);
	if (f)
		fclose(f);
	if (r < 0) {
		vfctl_config_free(c);
		return ctx_error(ctx, r, "parsing %s", name);
	}
	c->n_parse_errors = c->n_errors;
	*ret = c;
	return 0;
}

int vfctl_config_parse_string(vfctl_ctx *ctx, const char *name, const char *text, vfctl_config **ret)
{
	return config_parse_mem(ctx, name, text, strlen(text), ret);
}

static int config_load(vfctl_ctx *ctx, const char *path, vfctl_config **ret)
{
	vfctl_config *c = calloc(1, sizeof(*c));
	char **names = NULL;
	size_t n = 0;
	int r = 0;

	if (!c)
		return -ENOMEM;
	if (!path)
		path = "/etc/vfctl";
	if ((r = file_exists(path)) < 0) {
		/* No configuration directory is an empty configuration, not an error. */
		if (r == -ENOENT && streq(path, "/etc/vfctl")) {
			*ret = c;
			return 0;
		}
		vfctl_config_free(c);
		return ctx_error(ctx, r, "%s", path);
	}
	uid_t du;
	gid_t dg;
	mode_t dm;
	if (!file_is_dir(path))
		r = parse_file(c, path);
	else if (file_owner(path, &du, &dg, &dm) >= 0 && (du != 0 || (dm & 022))) {
		/* Whoever may write the directory may put a file or a symlink in it (to a root-owned
		 * file whose text they influence, a log): nothing in it is read. */
		char **files = realloc(c->files, (c->n_files + 1) * sizeof(*files));
		if (!files || !(files[c->n_files] = strdup(path)))
			r = -ENOMEM;
		else {
			c->files = files;
			r = config_error(
				c, (conf_loc){files[c->n_files++], 0},
				"a directory others can write (owner uid %u, mode %04o): chown root and chmod go-w; "
				"no file in it is read",
				(unsigned)du, (unsigned)(dm & 07777));
		}
	} else if ((r = dir_list(path, ".conf", &names, &n)) >= 0)
		for (size_t i = 0; i < n && r >= 0; i++) {
			char full[PATH_MAX];
			snprintf(full, sizeof(full), "%s/%s", path, names[i]);
			r = parse_file(c, full);
		}
	strv_free_n(names, n);
	if (r < 0) {
		vfctl_config_free(c);
		return ctx_error(ctx, r, "reading %s", path);
	}
	c->n_parse_errors = c->n_errors;
	*ret = c;
	return 0;
}

vfctl_config *vfctl_config_free(vfctl_config *c)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->n_units; i++)
		conf_unit_done(&c->units[i]);
	free(c->units);
	strv_free_n(c->files, c->n_files);
	strv_free_n(c->errors, c->n_errors);
	free(c);
	return NULL;
}

size_t vfctl_config_errors(const vfctl_config *c, const char *const **ret)
{
	*ret = (const char *const *)c->errors;
	return c->n_errors;
}

int vfctl_config_load(vfctl_ctx *ctx, const char *path, vfctl_config **ret)
{
	unsigned since = ctx->n_errors;
	return ctx_ensure_error(ctx, since, config_load(ctx, path, ret), "loading the configuration");
}
