/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Open vSwitch beside a switchdev PF, read from its database file (an OVSDB log: one JSON record
 * per line, the last other_config of Open_vSwitch wins) and from /proc: hw-offload off, and
 * hw-offload changed after ovs-vswitchd started (it reads the key once, at start). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checker.h"
#include "files.h"
#include "sysfs.h"

#define OVSDB_PATH "/etc/openvswitch/conf.db"

/* Not for a fake tree: the running host's OVS says nothing about it. */
static char *ovsdb_text(const vfctl_ctx *ctx)
{
	char *s = NULL;
	return ctx->fs->read_only || file_read_text(OVSDB_PATH, &s) < 0 ? NULL : s;
}

/* Whether the Open_vSwitch row's other_config says hw-offload=true, and since when: the "_date"
 * (ms since the epoch, 0 unknown) of the record that turned it on. Each record that changes a
 * column carries the column whole, so the last one that has the row's other_config decides. */
static bool hw_offload_record(const char *db, long long *since)
{
	bool on = false;
	*since = 0;
	for (const char *line = db; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *eol = strchr(line, '\n');
		const char *row = strstr(line, "\"Open_vSwitch\":");
		const char *oc = row ? strstr(row, "\"other_config\"") : NULL;
		if (!oc || (eol && oc > eol))
			continue;
		const char *hw = strstr(oc, "\"hw-offload\"");
		bool now = hw && (!eol || hw < eol) && strncmp(hw + strlen("\"hw-offload\""), ",\"true\"", 7) == 0;
		const char *d = strstr(line, "\"_date\":");
		if (now && !on)
			*since = d && (!eol || d < eol) ? strtoll(d + strlen("\"_date\":"), NULL, 10) : 0;
		on = now;
	}
	return on;
}

/* ovs-vswitchd's pid and start (unix seconds) from /proc, 0 when it is not running. */
static int vswitchd_started(checker *c, long long *ret)
{
	char **ents = NULL, *stat = NULL;
	size_t n = 0;
	int pid = 0;
	long long btime = 0;
	*ret = 0;
	if (procfs_list(c->ctx->fs, ".", &ents, &n) < 0)
		return 0;
	for (size_t i = 0; i < n && !pid; i++) {
		_cleanup_free_ char *comm = NULL;
		char rel[64];
		if (ents[i][0] < '1' || ents[i][0] > '9')
			continue;
		snprintf(rel, sizeof(rel), "%s/comm", ents[i]);
		if (procfs_read(c->ctx->fs, rel, &comm) < 0)
			continue;
		comm[strcspn(comm, "\n")] = 0;
		if (streq(comm, "ovs-vswitchd"))
			pid = atoi(ents[i]);
	}
	strv_free_n(ents, n);
	char rel[64];
	snprintf(rel, sizeof(rel), "%d/stat", pid);
	if (pid && procfs_read(c->ctx->fs, rel, &stat) >= 0) {
		/* starttime is field 22, counted after the command's closing parenthesis (field 2) */
		const char *p = strrchr(stat, ')');
		unsigned long long start = 0;
		for (int f = 2; p && f < 22; f++)
			p = strchr(p + 1, ' ');
		if (p)
			start = strtoull(p + 1, NULL, 10);
		_cleanup_free_ char *st = NULL;
		const char *b = procfs_read(c->ctx->fs, "stat", &st) >= 0 ? strstr(st, "\nbtime ") : NULL;
		if (b)
			btime = strtoll(b + strlen("\nbtime "), NULL, 10);
		if (start && btime)
			*ret = btime + (long long)(start / (unsigned long long)sysconf(_SC_CLK_TCK));
	}
	free(stat);
	return pid;
}

/* Open vSwitch with a PF in switchdev mode: flows stay in software unless hw-offload=true. */
void check_ovs(checker *c)
{
	const vfctl_device *sw = NULL;
	for (size_t i = 0; i < c->h->n_devices && !sw; i++)
		if (c->h->devices[i].eswitch_mode == VFCTL_ESWITCH_SWITCHDEV)
			sw = &c->h->devices[i];
	_cleanup_free_ char *db = NULL;
	if (!sw || !(db = ovsdb_text(c->ctx)))
		return;
	long long date;
	bool on = hw_offload_record(db, &date);
	if (!on) {
		add(c, "ovs.hw-offload", VFCTL_SEV_WARN, sw,
		    "Open vSwitch is installed and this PF is in switchdev mode, but hw-offload is off: flows stay in "
		    "software",
		    OVSDB_PATH " has no other_config:hw-offload=true",
		    "ovs-vsctl set Open_vSwitch . other_config:hw-offload=true; systemctl restart openvswitch-switch "
		    "(vfctl emit ovs PF prints the whole setup)");
		return;
	}
	add(c, "ovs.hw-offload", VFCTL_SEV_OK, sw, "Open vSwitch offloads flows to the NIC (hw-offload=true)", NULL,
	    NULL);
	check_tc_offload(c);
	long long started;
	int pid = vswitchd_started(c, &started);
	if (pid && started && date / 1000 > started) {
		_cleanup_free_ char *ev = NULL;
		if (asprintf(&ev, "hw-offload=true written at %lld (unix time), ovs-vswitchd (pid %d) started at %lld",
			     date / 1000, pid, started) < 0)
			ev = NULL;
		add(c, "ovs.vswitchd-not-restarted", VFCTL_SEV_WARN, sw,
		    "hw-offload was turned on after ovs-vswitchd started: it reads the key only at start, so it "
		    "offloads nothing yet",
		    ev, "systemctl restart openvswitch-switch");
	}
}
