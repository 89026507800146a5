/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl.conf(5): systemd-style INI files, one per PF, read line by line (parse_line: as strict as
 * systemd's unit files). Values are checked for form here; against the device in
 * config-validate.c. */
#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>

#include "config.h"
#include "escape.h"
#include "files.h"
#include "parse.h"

int config_error(vfctl_config *c, conf_loc loc, const char *fmt, ...)
{
	char *msg = NULL, *line = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (loc.line)
		r = asprintf(&line, "%s:%u: %s", loc.file, loc.line, msg);
	else
		r = asprintf(&line, "%s: %s", loc.file ? loc.file : "vfctl", msg);
	free(msg);
	if (r < 0)
		return -ENOMEM;
	char **n = realloc(c->errors, (c->n_errors + 1) * sizeof(*n));
	if (!n) {
		free(line);
		return -ENOMEM;
	}
	c->errors = n;
	c->errors[c->n_errors++] = line;
	return 0;
}

/* --- value parsers: 0 on success, -EINVAL with *why set --------------------------------------- */

static int parse_range(const char *v, int64_t lo, int64_t hi, int64_t *ret)
{
	uint64_t u;
	if (parse_u64(v, &u) < 0 || (int64_t)u < lo || u > (uint64_t)hi)
		return -EINVAL;
	*ret = (int64_t)u;
	return 0;
}

/* A user or group by name or number; resolved now, so a typo is a FILE:LINE error. */
static int parse_owner(const char *v, bool group, int *ret)
{
	uint32_t n;
	if (parse_u32(v, &n) >= 0 && n < INT32_MAX) {
		*ret = (int)n;
		return 0;
	}
	if (group) {
		struct group *g = getgrnam(v);
		if (!g)
			return -ENOENT;
		*ret = (int)g->gr_gid;
	} else {
		struct passwd *pw = getpwnam(v);
		if (!pw)
			return -ENOENT;
		*ret = (int)pw->pw_uid;
	}
	return 0;
}

/* --- parser state ------------------------------------------------------------------------------ */

typedef struct parser {
	vfctl_config *c;
	const char *file; /* stored copy */
	FILE *f;
	unsigned line, section_line;
	char section[64];
	ssize_t pf;          /* this file's [PF] unit, -1 none */
	ssize_t unit;        /* the unit the current section fills, -1 none */
	ssize_t vf_section;  /* index in vf[], -1 none */
	bool section_bad;    /* an unknown section: its keys are not reported again */
	vf_section *vf;      /* this file's [VF...] sections, attached to its [PF] at the end */
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
	n[p->c->n_units] = (conf_unit){.kind = kind, .loc = {p->file, p->section_line}, .num_vfs = -1, .eswitch_mode = VFCTL_ESWITCH_NONE,
				       .autoprobe = -1, .up = -1, .mtu = -1, .all_functions = -1, .owner = -1,
				       .group = -1, .vdpa_mtu = -1, .vdpa_vqp = -1, .present = 1};
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
	p->unit = p->vf_section = -1;
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
	else if (parse_vf_section(section, &lo, &hi) >= 0) {
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
		config_error(p->c, loc, "unknown section [%s] (expected [PF], [VF], [VF:N], [VF:N-M], [Device] or [VDPA])",
			     section);
		p->section_bad = true;
	}
}

static int vf_key(parser *p, vf_target *t, const char *name, const char *v, conf_loc loc)
{
	int64_t n;
	int b, f;
	if (streq(name, "MACAddress")) {
		uint8_t m[6];
		if (parse_mac(v, m) < 0)
			return config_error(p->c, loc, "MACAddress=%s: not a MAC address", v);
		if (m[0] & 1)
			return config_error(p->c, loc, "MACAddress=%s: a multicast address cannot be a VF's MAC", v);
		if (mac_is_zero(m))
			return config_error(p->c, loc, "MACAddress=%s: the all-zero MAC is rejected by many PF drivers; "
					    "leave MACAddress= out to keep the driver's",
					    v);
		format_mac(m, t->mac);
		t->l_mac = loc;
	} else if (streq(name, "VLANId")) {
		if (parse_range(v, 0, 4095, &n) < 0)
			return config_error(p->c, loc, "VLANId=%s: must be 0..4095", v);
		t->vlan = (int)n;
		t->l_vlan = loc;
	} else if (streq(name, "QualityOfService")) {
		if (parse_range(v, 0, 7, &n) < 0)
			return config_error(p->c, loc, "QualityOfService=%s: must be 0..7", v);
		t->qos = (int)n;
		t->l_qos = loc;
	} else if (streq(name, "VLANProtocol")) {
		if (vfctl_vlan_proto_from_str(v, &t->vlan_proto) < 0)
			return config_error(p->c, loc, "VLANProtocol=%s: must be 802.1Q or 802.1ad", v);
		t->l_vlan_proto = loc;
	} else if ((f = vf_flag_by_conf_key(name)) >= 0) {
		if (vf_flag_parse(f, v, &b) < 0)
			return config_error(p->c, loc, vf_flags[f].link_state ? "%s=%s: must be auto, yes or no"
									      : "%s=%s: not a boolean (yes/no)",
					    name, v);
		t->flag[f] = b, t->l_flag[f] = loc;
	} else if (streq(name, "MinTxRate") || streq(name, "MaxTxRate")) {
		if (parse_range(v, 0, UINT32_MAX, &n) < 0)
			return config_error(p->c, loc, "%s=%s: Mbit/s, a whole number", name, v);
		if (streq(name, "MinTxRate"))
			t->min_tx_rate = n, t->l_min_tx_rate = loc;
		else
			t->max_tx_rate = n, t->l_max_tx_rate = loc;
	} else if (streq(name, "MTU")) {
		if (parse_range(v, 68, 65535, &n) < 0)
			return config_error(p->c, loc, "MTU=%s: must be 68..65535", v);
		t->mtu = (int)n;
		t->l_mtu = loc;
	} else if (streq(name, "NVMeQueues") || streq(name, "NVMeInterrupts")) {
		if (parse_range(v, 0, 65535, &n) < 0)
			return config_error(p->c, loc, "%s=%s: a whole number 0..65535", name, v);
		if (streq(name, "NVMeQueues"))
			t->nvme_vq = (int)n, t->l_nvme_vq = loc;
		else
			t->nvme_vi = (int)n, t->l_nvme_vi = loc;
	} else if (streq(name, "VDPA")) {
		const char *drv = streq(v, "vhost") ? "vhost_vdpa" : streq(v, "virtio") ? "virtio_vdpa" : NULL;
		if (!drv)
			return config_error(p->c, loc, "VDPA=%s: vhost (a /dev/vhost-vdpa-N for QEMU) or virtio (a host "
					    "netdev)", v);
		free(t->vdpa);
		t->vdpa = strdup(drv);
		t->l_vdpa = loc;
	} else if (streq(name, "Owner") || streq(name, "Group")) {
		bool g = streq(name, "Group");
		if (parse_owner(v, g, g ? &t->group : &t->owner) < 0)
			return config_error(p->c, loc, "%s=%s: no such %s", name, v, g ? "group" : "user");
		if (g)
			t->l_group = loc;
		else
			t->l_owner = loc;
	} else if (streq(name, "Driver")) {
		if (!driver_name_valid(v))
			return config_error(p->c, loc, "Driver=%s: auto, none, vfio-pci or a driver name", v);
		free(t->driver);
		if (!(t->driver = strdup(v)))
			return -ENOMEM;
		t->l_driver = loc;
	} else
		return config_error(p->c, loc, "unknown key %s= in [%s]", name, p->section);
	return 0;
}

static int match_key(parser *p, conf_unit *u, const char *v, conf_loc loc)
{
	static const char *const kinds[] = {"pci", "name", "mac", "id", "path"};
	const char *colon = strchr(v, ':');
	size_t k;
	for (k = 0; colon && k < ELEMENTSOF(kinds); k++)
		if (strlen(kinds[k]) == (size_t)(colon - v) && strncmp(v, kinds[k], (size_t)(colon - v)) == 0)
			break;
	if (!colon || k == ELEMENTSOF(kinds) || !colon[1])
		return config_error(p->c, loc, "Match=%s: expected pci:ADDRESS, name:IFNAME, mac:MAC, "
				    "id:VENDOR:DEVICE[#N] or path:PCI-PATH", v);
	const char *val = colon + 1;
	pci_addr a;
	uint8_t m[6];
	unsigned vd, dd, nth;
	char tail;
	if (k == 0 && parse_pci_addr(val, &a) < 0)
		return config_error(p->c, loc, "Match=%s: not a PCI address", v);
	if (k == 2 && parse_mac(val, m) < 0)
		return config_error(p->c, loc, "Match=%s: not a MAC address", v);
	if (k == 3 && !(sscanf(val, "%4x:%4x%c", &vd, &dd, &tail) == 2 ||
			(sscanf(val, "%4x:%4x#%u%c", &vd, &dd, &nth, &tail) == 3)))
		return config_error(p->c, loc, "Match=%s: expected id:VENDOR:DEVICE or id:VENDOR:DEVICE#N (hex ids)", v);
	match_rule *n = realloc(u->match, (u->n_match + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	u->match = n;
	n[u->n_match] = (match_rule){.kind = strdup(kinds[k]), .value = strdup(val), .loc = loc};
	if (!n[u->n_match].kind || !n[u->n_match].value)
		return -ENOMEM;
	u->n_match++;
	return 0;
}

static int vdpa_key(parser *p, conf_unit *u, const char *name, const char *v, conf_loc loc)
{
	int64_t n;
	int b;
	if (streq(name, "Name")) {
		if (!*v || strlen(v) > 31 || strchr(v, '/') || strchr(v, ' '))
			return config_error(p->c, loc, "Name=%s: a vDPA device name, 1..31 characters, no / or space", v);
		free(u->vdpa_name);
		u->vdpa_name = strdup(v);
		u->l_vdpa_name = loc;
	} else if (streq(name, "MgmtDev")) {
		/* "vdpasim_net", "pci/0000:06:00.2", and pci:ADDRESS as elsewhere in vfctl.conf */
		char buf[64];
		pci_addr a;
		if (startswith(v, "pci:") && parse_pci_addr(v + 4, &a) >= 0)
			snprintf(buf, sizeof(buf), "pci/%s", format_pci_addr(&a, (char[PCI_ADDR_STRLEN]){0}));
		else
			snprintf(buf, sizeof(buf), "%s", v);
		free(u->vdpa_mgmtdev);
		u->vdpa_mgmtdev = strdup(buf);
		u->l_vdpa_mgmtdev = loc;
	} else if (streq(name, "Driver")) {
		const char *drv = streq(v, "vhost") ? "vhost_vdpa" : streq(v, "virtio") ? "virtio_vdpa" : NULL;
		if (!drv)
			return config_error(p->c, loc, "Driver=%s: vhost or virtio", v);
		free(u->vdpa_driver);
		u->vdpa_driver = strdup(drv);
	} else if (streq(name, "MACAddress")) {
		uint8_t m[6];
		if (parse_mac(v, m) < 0 || (m[0] & 1) || mac_is_zero(m))
			return config_error(p->c, loc, "MACAddress=%s: a unicast, non-zero MAC", v);
		format_mac(m, u->vdpa_mac);
	} else if (streq(name, "MTU")) {
		if (parse_range(v, 68, 65535, &n) < 0)
			return config_error(p->c, loc, "MTU=%s: must be 68..65535", v);
		u->vdpa_mtu = (int)n;
	} else if (streq(name, "MaxQueuePairs")) {
		if (parse_range(v, 1, 0x8000, &n) < 0)
			return config_error(p->c, loc, "MaxQueuePairs=%s: must be 1..32768", v);
		u->vdpa_vqp = (int)n;
	} else if (streq(name, "Present")) {
		if (parse_bool(v, &b) < 0)
			return config_error(p->c, loc, "Present=%s: not a boolean (yes/no)", v);
		u->present = b;
	} else
		return config_error(p->c, loc, "unknown key %s= in [VDPA]", name);
	return 0;
}

static int unit_key(parser *p, conf_unit *u, const char *name, const char *v, conf_loc loc)
{
	int64_t n;
	int b;
	bool pf = u->kind == UNIT_PF;

	if (u->kind == UNIT_VDPA)
		return vdpa_key(p, u, name, v, loc);

	if (streq(name, "Match"))
		return match_key(p, u, v, loc);
	if (pf && streq(name, "NumVFs")) {
		if (parse_range(v, 0, 65535, &n) < 0)
			return config_error(p->c, loc, "NumVFs=%s: a whole number", v);
		u->num_vfs = (int)n;
		u->l_num_vfs = loc;
	} else if ((pf && (streq(name, "AutoProbe") || streq(name, "Up"))) || (!pf && streq(name, "AllFunctions"))) {
		if (parse_bool(v, &b) < 0)
			return config_error(p->c, loc, "%s=%s: not a boolean (yes/no)", name, v);
		if (streq(name, "AutoProbe"))
			u->autoprobe = b, u->l_autoprobe = loc;
		else if (streq(name, "Up"))
			u->up = b, u->l_up = loc;
		else
			u->all_functions = b, u->l_all_functions = loc;
	} else if (pf && streq(name, "MTU")) {
		if (parse_range(v, 68, 65535, &n) < 0)
			return config_error(p->c, loc, "MTU=%s: must be 68..65535", v);
		u->mtu = (int)n;
		u->l_mtu = loc;
	} else if (pf && streq(name, "EswitchMode")) {
		if (vfctl_eswitch_mode_from_str(v, &u->eswitch_mode) < 0)
			return config_error(p->c, loc, "EswitchMode=%s: must be legacy or switchdev", v);
		u->l_eswitch_mode = loc;
	} else if (pf && streq(name, "RepresentorAltName")) {
		char probe[64];
		if (altname_expand(v, "pf0", 0, probe, sizeof(probe)) < 0 || !strstr(v, "%n"))
			return config_error(p->c, loc, "RepresentorAltName=%s: a pattern with %%n (the VF number) and "
					    "optionally %%p (the PF's netdev), at most 127 characters once expanded", v);
		free(u->rep_altname);
		u->rep_altname = strdup(v);
		u->l_rep_altname = loc;
	} else if (!pf && (streq(name, "Owner") || streq(name, "Group"))) {
		bool g = streq(name, "Group");
		if (parse_owner(v, g, g ? &u->group : &u->owner) < 0)
			return config_error(p->c, loc, "%s=%s: no such %s", name, v, g ? "group" : "user");
		if (g)
			u->l_group = loc;
		else
			u->l_owner = loc;
	} else if (!pf && streq(name, "Driver")) {
		if (!driver_name_valid(v) || streq(v, "auto"))
			return config_error(p->c, loc, "Driver=%s: vfio-pci, none or a driver name", v);
		free(u->driver);
		u->driver = strdup(v);
		u->l_driver = loc;
	} else
		return config_error(p->c, loc, "unknown key %s= in [%s]", name, p->section);
	return 0;
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
		r = vf_key(p, &p->vf[p->vf_section].t, name, value, loc);
	else if (p->unit >= 0)
		r = unit_key(p, &p->c->units[p->unit], name, value, loc);
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
			config_error(p->c, loc, "an indented line without '=': vfctl.conf has no continuation lines (one "
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
		int r = config_error(c, loc, "writable by a user other than root (owner uid %u, mode %04o): "
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
			     r == -EBADFD ? "not a regular file (a FIFO, a device or a directory is never read)" : strerror(-r));
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
			r = config_error(c, (conf_loc){files[c->n_files++], 0},
					 "a directory others can write (owner uid %u, mode %04o): chown root and chmod go-w; "
					 "no file in it is read", (unsigned)du, (unsigned)(dm & 07777));
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
