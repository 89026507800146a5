/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal: while a run changes a unit, <rundir>/vfctl/journal/<device> holds the unit's state
 * before the run, written atomically before its first step, and how far the run got, appended
 * after every step (the last done= and last= count). A run that dies
 * (SIGKILL, OOM, power loss of a container's /run) leaves it behind; the next run restores that
 * state first (applier_recover() in apply.c). The format is vfctl's key=value state format (kv_next). */
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "applier.h"
#include "files.h"
#include "parse.h"
#include "runs.h"

static const char *const kinds[] = {[UNIT_PF] = "pf", [UNIT_DEVICE] = "device", [UNIT_VDPA] = "vdpa"};

/* The integer knobs of a unit and of a VF, by name: the writer and the reader walk the same table. */
static const struct {
	const char *key;
	size_t off;
} unit_ints[] =
	{
		{"num_vfs", offsetof(conf_unit, num_vfs)},
		{"autoprobe", offsetof(conf_unit, autoprobe)},
		{"up", offsetof(conf_unit, up)},
		{"mtu", offsetof(conf_unit, mtu)},
		{"all_functions", offsetof(conf_unit, all_functions)},
		{"owner", offsetof(conf_unit, owner)},
		{"group", offsetof(conf_unit, group)},
		{"present", offsetof(conf_unit, present)},
		{"ovs_hw_offload", offsetof(conf_unit, ovs_hw_offload)},
},
  vf_ints[] = {
	  {"vlan", offsetof(vf_target, vlan)},
	  {"qos", offsetof(vf_target, qos)},
	  {"vlan_proto", offsetof(vf_target, vlan_proto)},
	  {"mtu", offsetof(vf_target, mtu)},
	  {"owner", offsetof(vf_target, owner)},
	  {"group", offsetof(vf_target, group)},
	  {"nvme_vq", offsetof(vf_target, nvme_vq)},
	  {"nvme_vi", offsetof(vf_target, nvme_vi)},
	  {"rep_up", offsetof(vf_target, rep_up)},
};

static const struct {
	const char *key;
	size_t off;
} unit_strs[] = {
	{"device", offsetof(conf_unit, dev_id)},           {"driver", offsetof(conf_unit, driver)},
	{"vdpa_name", offsetof(conf_unit, vdpa_name)},     {"vdpa_mgmtdev", offsetof(conf_unit, vdpa_mgmtdev)},
	{"vdpa_driver", offsetof(conf_unit, vdpa_driver)}, {"override", offsetof(conf_unit, override)},
	{"ovs_bridge", offsetof(conf_unit, ovs_bridge)},   {"ovs_drop", offsetof(conf_unit, ovs_drop)},
};

/* Whole files a unit's state holds (vfctl's udev rule and networkd file for the VFs), hex-encoded:
 * the format is one line per key. */
static const struct {
	const char *key;
	size_t off;
} unit_texts[] = {
	{"udev_rule", offsetof(conf_unit, udev_rule)},
	{"networkd_file", offsetof(conf_unit, networkd_file)},
};

#define FIELD(base, T, off) ((T *)((char *)(base) + (off)))

/* Where a's journals are: apply's (RUN_JOURNAL_DIR), or for restore the held devices' records. */
static const char *journal_dir(const applier *a)
{
	return a->journal_dir ? a->journal_dir : RUN_JOURNAL_DIR;
}

static void journal_path(const applier *a, const char *dev, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s/%s", a->rundir, journal_dir(a), dev);
}

/* One line, with anything that would end it early replaced: a step text never spans lines. */
static void put(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s=", key);
	for (const char *p = value; *p; p++)
		fputc(*p == '\n' || *p == '\r' ? ' ' : *p, f);
	fputc('\n', f);
}

/* A value of several lines (a file's text) as hex. */
static void put_hex(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s=", key);
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		fprintf(f, "%02x", *p);
	fputc('\n', f);
}

static int set_hex(char **dst, const char *v)
{
	size_t n = strlen(v);
	char *out;
	if (n % 2 || !(out = malloc(n / 2 + 1)))
		return n % 2 ? -EINVAL : -ENOMEM;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned b;
		if (sscanf(v + 2 * i, "%2x", &b) != 1 || !b) {
			free(out);
			return -EINVAL;
		}
		out[i] = (char)b;
	}
	out[n / 2] = 0;
	free(*dst);
	*dst = out;
	return 0;
}

static void put_int(FILE *f, const char *key, int64_t v)
{
	if (v >= 0)
		fprintf(f, "%s=%" PRId64 "\n", key, v);
}

/* The progress: read after the prior state, a later done= and last= replace the earlier. */
static void put_progress(FILE *f, const journal_run *j)
{
	fprintf(f, "done=%u\n", j->steps_done);
	if (j->last_step)
		put(f, "last", j->last_step);
}

/* The whole journal (u NULL: the progress alone, what each step appends). The boot and the
 * device's ids let the next run check that the journal is about this host as it is. */
static char *journal_text(const applier *a, const journal_run *j, const conf_unit *u, const char *ids)
{
	char *text = NULL, key[64];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	if (u)
		fprintf(f,
			"# vfctl journal: %s as it was before the run of pid %d changed it. The next vfctl apply\n"
			"# restores it first, then applies the configuration (vfctl(8), INTERRUPTED RUNS).\n"
			"pid=%d\nstarted=%lld\nsteps=%u\n",
			u->dev_id, j->pid, j->pid, (long long)j->started, j->steps_total);
	put_progress(f, j);
	if (!u)
		goto done;
	fprintf(f, "kind=%s\n", kinds[u->kind]);
	if (a->boot_id)
		put(f, "boot", a->boot_id);
	if (ids)
		put(f, "ids", ids);
	for (size_t i = 0; i < ELEMENTSOF(unit_strs); i++) {
		const char *s = *FIELD(u, char *, unit_strs[i].off);
		if (s)
			put(f, unit_strs[i].key, s);
	}
	for (size_t i = 0; i < ELEMENTSOF(unit_ints); i++)
		put_int(f, unit_ints[i].key, *FIELD(u, int, unit_ints[i].off));
	if (u->eswitch_mode >= 0)
		put(f, "eswitch_mode", vfctl_eswitch_mode_str(u->eswitch_mode));
	for (size_t i = 0; i < ELEMENTSOF(unit_texts); i++) {
		const char *t = *FIELD(u, char *, unit_texts[i].off);
		if (t)
			put_hex(f, unit_texts[i].key, t);
	}
	fprintf(f, "rate_groups=%zu\n", u->n_rate_groups);
	for (size_t n = 0; n < u->n_rate_groups; n++) {
		const rate_group_target *g = &u->rate_groups[n];
		snprintf(key, sizeof(key), "rate_group.%zu.name", n);
		put(f, key, g->name);
		snprintf(key, sizeof(key), "rate_group.%zu.present", n);
		put_int(f, key, g->present);
		snprintf(key, sizeof(key), "rate_group.%zu.min_tx_rate", n);
		put_int(f, key, g->min_tx_rate);
		snprintf(key, sizeof(key), "rate_group.%zu.max_tx_rate", n);
		put_int(f, key, g->max_tx_rate);
	}
	fprintf(f, "vfs=%zu\n", u->n_vfs);
	for (size_t n = 0; n < u->n_vfs; n++) {
		const vf_target *v = &u->vfs[n];
		if (v->mac[0]) {
			snprintf(key, sizeof(key), "vf.%zu.mac", n);
			put(f, key, v->mac);
		}
		if (v->driver) {
			snprintf(key, sizeof(key), "vf.%zu.driver", n);
			put(f, key, v->driver);
		}
		if (v->override) {
			snprintf(key, sizeof(key), "vf.%zu.override", n);
			put(f, key, v->override);
		}
		for (size_t i = 0; i < ELEMENTSOF(vf_ints); i++) {
			snprintf(key, sizeof(key), "vf.%zu.%s", n, vf_ints[i].key);
			put_int(f, key, *FIELD(v, int, vf_ints[i].off));
		}
		for (size_t i = 0; i < _VF_FLAG_MAX; i++) {
			snprintf(key, sizeof(key), "vf.%zu.%s", n, vf_flags[i].key);
			put_int(f, key, v->flag[i]);
		}
		if (v->rate_group) {
			snprintf(key, sizeof(key), "vf.%zu.rate_group", n);
			put(f, key, v->rate_group);
		}
		snprintf(key, sizeof(key), "vf.%zu.min_tx_rate", n);
		put_int(f, key, v->min_tx_rate);
		snprintf(key, sizeof(key), "vf.%zu.max_tx_rate", n);
		put_int(f, key, v->max_tx_rate);
	}
done:
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int journal_update(applier *a, const journal_run *j, const conf_unit *prior, const char *ids, journal_handle *jh)
{
	char path[PATH_MAX];
	journal_path(a, prior->dev_id, path, sizeof(path));
	/* The prior state once, atomically; after each step its progress appended (two short lines)
	 * through the fd kept open: 300 VFs' steps rewrote 20 KB each, 6 MB in all. */
	bool first = jh->fd < 0;
	_cleanup_free_ char *text = journal_text(a, j, first ? prior : NULL, ids);
	if (!text)
		return ctx_error(a->ctx, -ENOMEM, "cannot write the journal");
	int r = first ? file_write_text(path, text) : file_append_text(jh->fd, text);
	if (r >= 0 && first && (r = file_open_append(path)) >= 0)
		jh->fd = r;
	return r < 0 ? ctx_error(a->ctx, r, "cannot write the journal %s", path) : 0;
}

void journal_handle_done(journal_handle *jh)
{
	if (jh->fd >= 0)
		close(jh->fd);
	jh->fd = -EBADF;
}

int record_keep(applier *a, const conf_unit *prior, const vfctl_host *h)
{
	char path[PATH_MAX], ids[16] = "";
	const vfctl_device *d = vfctl_host_find(h, prior->dev_id);
	snprintf(path, sizeof(path), "%s/" RECORD_DIR "/%s", ctx_state_dir(a->ctx), prior->dev_id);
	if (prior->kind != UNIT_PF || file_exists(path) == 0)
		return 0;
	if (d && d->addr.domain >= 0)
		snprintf(ids, sizeof(ids), "%04x:%04x", d->vendor_id, d->device_id);
	journal_run j = {.pid = getpid(), .started = time(NULL)};
	applier rec = *a;
	rec.boot_id = NULL; /* a record outlives the boot */
	_cleanup_free_ char *text = journal_text(&rec, &j, prior, ids[0] ? ids : NULL), *out = NULL;
	const char *body = text ? strstr(text, "pid=") : NULL;
	if (!body || asprintf(&out,
			      "# vfctl record: %s as it was before vfctl first configured it. vfctl apply --prune\n"
			      "# returns it to this once no configuration file names it (vfctl.conf(5)).\n%s",
			      prior->dev_id, body) < 0)
		return -ENOMEM;
	int r = file_write_text(path, out);
	return r < 0 ? ctx_error(a->ctx, r, "cannot keep the record %s", path) : 0;
}

int journal_write(applier *a, const journal_run *j, const conf_unit *prior, const char *ids)
{
	journal_handle jh = JOURNAL_HANDLE_INIT;
	int r = journal_update(a, j, prior, ids, &jh);
	journal_handle_done(&jh);
	return r;
}

void journal_remove(applier *a, const char *dev)
{
	char path[PATH_MAX];
	/* dev is a unit's device or a journal's own file name, never a value read from inside one. */
	if (!*dev || dev[0] == '.' || strchr(dev, '/'))
		return;
	journal_path(a, dev, path, sizeof(path));
	(void)file_remove(path);
}

int journal_hold(applier *a, const char *dev)
{
	char from[PATH_MAX], to[PATH_MAX];
	journal_path(a, dev, from, sizeof(from));
	snprintf(to, sizeof(to), "%s/" RUN_HOLD_DIR "/%s", a->rundir, dev);
	int r = file_move_new(from, to);
	if (r == -EEXIST) {
		/* Held already: the record of what the device had before vfctl first took it stays. */
		(void)file_remove(from);
		return 0;
	}
	return r < 0 ? ctx_error(a->ctx, r, "cannot keep the record %s", to) : 1;
}

static int set_str(char **dst, const char *v)
{
	free(*dst);
	return (*dst = strdup(v)) ? 0 : -ENOMEM;
}

static int read_vf_key(conf_unit *u, const char *key, const char *value)
{
	char *end;
	unsigned long n = strtoul(key + 3, &end, 10);
	int64_t x;
	if (*end != '.' || n >= u->n_vfs)
		return -EINVAL;
	vf_target *v = &u->vfs[n];
	const char *k = end + 1;
	if (streq(k, "mac"))
		return snprintf(v->mac, sizeof(v->mac), "%s", value) < (int)sizeof(v->mac) ? 0 : -EINVAL;
	if (streq(k, "driver"))
		return set_str(&v->driver, value);
	if (streq(k, "override"))
		return set_str(&v->override, value);
	if (streq(k, "rate_group"))
		return set_str(&v->rate_group, value);
	for (size_t i = 0; i < ELEMENTSOF(vf_ints); i++)
		if (streq(k, vf_ints[i].key))
			return parse_int(value, FIELD(v, int, vf_ints[i].off));
	int fl = vf_flag_by_key(k);
	if (fl >= 0)
		return parse_int(value, &v->flag[fl]);
	if (streq(k, "min_tx_rate") || streq(k, "max_tx_rate")) {
		uint64_t w;
		int r = parse_u64(value, &w);
		x = (int64_t)w;
		if (r >= 0)
			*(streq(k, "min_tx_rate") ? &v->min_tx_rate : &v->max_tx_rate) = x;
		return r;
	}
	return 0; /* a newer vfctl's key: not ours to restore */
}

static int read_rate_group_key(conf_unit *u, const char *key, const char *value)
{
	char *end;
	unsigned long n = strtoul(key + strlen("rate_group."), &end, 10);
	if (*end != '.' || n >= u->n_rate_groups)
		return -EINVAL;
	rate_group_target *g = &u->rate_groups[n];
	const char *k = end + 1;
	uint64_t w;
	if (streq(k, "name"))
		return set_str(&g->name, value);
	if (streq(k, "present"))
		return parse_int(value, &g->present);
	if (!streq(k, "min_tx_rate") && !streq(k, "max_tx_rate"))
		return 0; /* a newer vfctl's key */
	if (parse_u64(value, &w) < 0 || w > UINT32_MAX)
		return -EINVAL;
	*(streq(k, "min_tx_rate") ? &g->min_tx_rate : &g->max_tx_rate) = (int64_t)w;
	return 0;
}

static int read_key(conf_unit *u, journal_run *j, const char *key, const char *value)
{
	int r = run_progress_key(j, key, value);
	if (r != 0)
		return r < 0 ? r : 0;
	if (streq(key, "kind")) {
		for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
			if (streq(value, kinds[i])) {
				u->kind = (unit_kind)i;
				return 0;
			}
		return -EINVAL;
	}
	for (size_t i = 0; i < ELEMENTSOF(unit_strs); i++)
		if (streq(key, unit_strs[i].key))
			return set_str(FIELD(u, char *, unit_strs[i].off), value);
	if (streq(key, "eswitch_mode"))
		return vfctl_eswitch_mode_from_str(value, &u->eswitch_mode);
	for (size_t i = 0; i < ELEMENTSOF(unit_texts); i++)
		if (streq(key, unit_texts[i].key))
			return set_hex(FIELD(u, char *, unit_texts[i].off), value);
	for (size_t i = 0; i < ELEMENTSOF(unit_ints); i++)
		if (streq(key, unit_ints[i].key))
			return parse_int(value, FIELD(u, int, unit_ints[i].off));
	if (streq(key, "vfs")) {
		uint32_t n;
		if (u->vfs || parse_u32(value, &n) < 0 || n > 65536)
			return -EINVAL;
		if (n && !(u->vfs = calloc(n, sizeof(*u->vfs))))
			return -ENOMEM;
		u->n_vfs = n;
		for (size_t i = 0; i < n; i++)
			vf_target_init(&u->vfs[i]);
		return 0;
	}
	if (streq(key, "rate_groups")) {
		uint32_t n;
		if (u->rate_groups || parse_u32(value, &n) < 0 || n > 4096)
			return -EINVAL;
		if (n && !(u->rate_groups = calloc(n, sizeof(*u->rate_groups))))
			return -ENOMEM;
		u->n_rate_groups = n;
		for (size_t i = 0; i < n; i++)
			u->rate_groups[i] = (rate_group_target){.min_tx_rate = -1, .max_tx_rate = -1, .present = 1};
		return 0;
	}
	if (startswith(key, "rate_group."))
		return read_rate_group_key(u, key, value);
	if (startswith(key, "vf."))
		return read_vf_key(u, key, value);
	return 0;
}

int journal_parse(char *text, conf_unit *ret, journal_run *ret_run)
{
	conf_unit u;
	conf_unit_init(&u, UNIT_PF, (conf_loc){0}); /* kind= says which */
	u.present = -1;                             /* a vDPA journal says it */
	journal_run j = {0};
	char *cur = text, *key, *value;
	int r;
	kv_complete(text);
	while ((r = kv_next(&cur, &key, &value)) > 0)
		if ((r = read_key(&u, &j, key, value)) < 0)
			break;
	if (r >= 0 && !u.dev_id)
		r = -EINVAL;
	for (size_t i = 0; r >= 0 && i < u.n_rate_groups; i++)
		if (!u.rate_groups[i].name)
			r = -EINVAL; /* every group the writer names */
	if (r < 0) {
		conf_unit_done(&u);
		free(j.last_step);
		return r;
	}
	*ret = u;
	*ret_run = j;
	return 0;
}

int record_names(vfctl_ctx *ctx, const char *base, const char *sub, char ***ret, size_t *ret_n)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/%s", base, sub);
	int r = dir_list(dir, NULL, ret, ret_n);
	if (r == -ENOENT) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	return r < 0 ? ctx_error(ctx, r, "cannot list %s", dir) : 0;
}

int journal_list(applier *a, char ***ret, size_t *ret_n)
{
	return record_names(a->ctx, a->rundir, journal_dir(a), ret, ret_n);
}

int journal_load(applier *a, const vfctl_host *h, const char *name, conf_unit *ret, journal_run *ret_run)
{
	_cleanup_free_ char *text = NULL;
	journal_run j;
	int r = run_journal_read(a->ctx, h, a->rundir, journal_dir(a), name, &text, &j);
	if (r < 0)
		return ctx_error(a->ctx, r, "cannot read the journal %s/%s/%s", a->rundir, journal_dir(a), name);
	if (!j.unusable) {
		/* The verdict read the progress; the parser reads it again with the prior state. */
		run_done(&j);
		r = journal_parse(text, ret, &j);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && !(j.unusable = strdup("malformed (a value the parser rejects)")))
			return -ENOMEM;
		if (r < 0 && !(j.device = strdup(name))) {
			run_done(&j);
			return -ENOMEM;
		}
	}
	*ret_run = j;
	return 0;
}
