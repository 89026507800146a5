/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal round trip: every kind of unit a run can change (PF, [Device], [VDPA]) written as a
 * dead run leaves it and read back as the next run restores it, field by field. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applier.h"
#include "igb-host.h"
#include "runs.h"
#include "tap.h"

static conf_unit roundtrip(applier *a, const conf_unit *u, journal_run *ret_run)
{
	journal_run j = {.pid = 4242,
			 .started = 1700000000,
			 .steps_total = 15,
			 .steps_done = 7,
			 .last_step = "enp1s0 vf 2: mac\nnext"};
	conf_unit back = {0};
	CHECK(journal_write(a, &j, u, u->kind == UNIT_VDPA ? NULL : "8086:10c9") == 0, "write: %s",
	      vfctl_ctx_error(a->ctx));
	CHECK(journal_load(a, NULL, u->dev_id, &back, ret_run) == 0 && !ret_run->unusable, "load: %s %s",
	      vfctl_ctx_error(a->ctx), ret_run->unusable ? ret_run->unusable : "");
	return back;
}

static void test_pf(applier *a)
{
	vf_target vfs[2];
	vf_target_init(&vfs[0]);
	vf_target_init(&vfs[1]);
	strcpy(vfs[0].mac, "02:00:00:00:00:10");
	vfs[0].vlan = 10, vfs[0].qos = 3, vfs[0].vlan_proto = 0x88a8, vfs[0].flag[VF_FLAG_SPOOFCHK] = 0;
	vfs[0].flag[VF_FLAG_TRUST] = 1, vfs[0].flag[VF_FLAG_LINK_STATE] = 2, vfs[0].flag[VF_FLAG_RSS_QUERY] = 1;
	vfs[0].min_tx_rate = 5, vfs[0].max_tx_rate = 100;
	vfs[0].driver = "vfio-pci";
	vfs[1].driver = "none";
	vfs[0].rate_group = "tenant1";
	vfs[1].rate_group = "";
	rate_group_target groups[] = {{.name = "tenant1", .min_tx_rate = 100, .max_tx_rate = 400, .present = 1},
				      {.name = "tenant2", .min_tx_rate = -1, .max_tx_rate = -1, .present = 0}};
	conf_unit u = {.kind = UNIT_PF,
		       .rate_groups = groups,
		       .n_rate_groups = 2,
		       .ovs_bridge = "",
		       .ovs_drop = "ovs-sriov",
		       .ovs_hw_offload = 2,
		       .dev_id = "0000:01:00.0",
		       .num_vfs = 2,
		       .autoprobe = 1,
		       .up = 1,
		       .mtu = 9000,
		       .eswitch_mode = VFCTL_ESWITCH_SWITCHDEV,
		       .vfs = vfs,
		       .n_vfs = 2,
		       .all_functions = -1,
		       .owner = -1,
		       .group = -1};
	journal_run j;
	conf_unit b = roundtrip(a, &u, &j);
	CHECK(j.pid == 4242 && j.started == 1700000000 && j.steps_total == 15 && j.steps_done == 7,
	      "progress read back");
	CHECK_STREQ(j.last_step, "enp1s0 vf 2: mac next");
	CHECK(b.kind == UNIT_PF && b.num_vfs == 2 && b.autoprobe == 1 && b.up == 1 && b.mtu == 9000, "PF knobs");
	CHECK_STREQ(b.dev_id, "0000:01:00.0");
	CHECK_EQ_INT(b.eswitch_mode, VFCTL_ESWITCH_SWITCHDEV);
	CHECK(b.n_vfs == 2, "two VFs");
	if (b.n_vfs == 2) {
		const vf_target *v = &b.vfs[0];
		CHECK_STREQ(v->mac, "02:00:00:00:00:10");
		CHECK(v->vlan == 10 && v->qos == 3 && v->vlan_proto == 0x88a8 && v->flag[VF_FLAG_SPOOFCHK] == 0 &&
			      v->flag[VF_FLAG_TRUST] == 1 && v->flag[VF_FLAG_LINK_STATE] == 2 &&
			      v->flag[VF_FLAG_RSS_QUERY] == 1 && v->min_tx_rate == 5 && v->max_tx_rate == 100,
		      "every VF knob");
		CHECK_STREQ(v->driver, "vfio-pci");
		CHECK(!b.vfs[1].mac[0] && b.vfs[1].vlan == -1 && b.vfs[1].max_tx_rate == -1, "unset stays unset");
		CHECK_STREQ(b.vfs[1].driver, "none");
		CHECK_STREQ(b.vfs[0].rate_group, "tenant1");
		CHECK_STREQ(b.vfs[1].rate_group, "");
	}
	CHECK(b.n_rate_groups == 2 && streq(b.rate_groups[0].name, "tenant1") && b.rate_groups[0].present == 1 &&
		      b.rate_groups[0].min_tx_rate == 100 && b.rate_groups[0].max_tx_rate == 400 &&
		      streq(b.rate_groups[1].name, "tenant2") && b.rate_groups[1].present == 0 &&
		      b.rate_groups[1].max_tx_rate == -1,
	      "rate groups, one a rollback removes");
	CHECK(streq_ptr(b.ovs_bridge, "") && streq_ptr(b.ovs_drop, "ovs-sriov") && b.ovs_hw_offload == 2,
	      "Open vSwitch prior state: no bridge, the bridge to drop, hw-offload unset");
	free(j.last_step);
	conf_unit_done(&b);
}

static void test_device_and_vdpa(applier *a)
{
	conf_unit d = {.kind = UNIT_DEVICE,
		       .eswitch_mode = VFCTL_ESWITCH_NONE,
		       .dev_id = "0000:05:00.0",
		       .driver = "e1000e",
		       .num_vfs = -1,
		       .autoprobe = -1,
		       .up = -1,
		       .mtu = -1,
		       .all_functions = 0,
		       .owner = 1000,
		       .group = 36};
	journal_run j;
	conf_unit b = roundtrip(a, &d, &j);
	CHECK(b.kind == UNIT_DEVICE && b.owner == 1000 && b.group == 36 && b.all_functions == 0, "[Device] knobs");
	CHECK_STREQ(b.driver, "e1000e");
	free(j.last_step);
	conf_unit_done(&b);
	conf_unit v = {.kind = UNIT_VDPA,
		       .eswitch_mode = VFCTL_ESWITCH_NONE,
		       .dev_id = "vdpa0",
		       .vdpa_name = "vdpa0",
		       .vdpa_mgmtdev = "vdpasim_net",
		       .vdpa_driver = "vhost_vdpa",
		       .present = 1,
		       .num_vfs = -1,
		       .autoprobe = -1,
		       .up = -1,
		       .mtu = -1,
		       .all_functions = -1,
		       .owner = -1,
		       .group = -1};
	b = roundtrip(a, &v, &j);
	CHECK(b.kind == UNIT_VDPA && b.present == 1, "[VDPA] present");
	CHECK_STREQ(b.vdpa_mgmtdev, "vdpasim_net");
	CHECK_STREQ(b.vdpa_driver, "vhost_vdpa");
	free(j.last_step);
	conf_unit_done(&b);
}

/* After the first write, each step appends its progress: the last one read back counts, the
 * prior state is untouched, and a last line cut short (power loss mid-append) is dropped whole. */
static void test_progress_appended(applier *a)
{
	conf_unit u = {.kind = UNIT_PF,
		       .eswitch_mode = VFCTL_ESWITCH_NONE,
		       .dev_id = "0000:02:00.0",
		       .num_vfs = 4,
		       .autoprobe = -1,
		       .up = -1,
		       .mtu = -1,
		       .all_functions = -1,
		       .owner = -1,
		       .group = -1};
	journal_run j = {.pid = 7, .started = 1700000000, .steps_total = 3};
	journal_handle jh = JOURNAL_HANDLE_INIT;
	CHECK(journal_update(a, &j, &u, NULL, &jh) == 0 && jh.fd >= 0, "first write, the file kept open");
	j.steps_done = 1, j.last_step = "step one";
	CHECK(journal_update(a, &j, &u, NULL, &jh) == 0, "progress 1 appended");
	j.steps_done = 2, j.last_step = "step two";
	CHECK(journal_update(a, &j, &u, NULL, &jh) == 0, "progress 2 appended");
	journal_handle_done(&jh);
	conf_unit b = {0};
	journal_run back = {0};
	CHECK(journal_load(a, NULL, u.dev_id, &b, &back) == 0 && !back.unusable, "load: %s", vfctl_ctx_error(a->ctx));
	CHECK(back.steps_done == 2 && back.steps_total == 3 && b.num_vfs == 4, "the last progress, the prior state");
	CHECK_STREQ(back.last_step, "step two");
	conf_unit_done(&b);
	free(back.last_step);

	char text[] = "device=0000:02:00.0\nnum_vfs=4\ndone=1\nlast=step one\ndone=2\nlast=step t";
	CHECK(journal_parse(text, &b, &back) == 0 && back.steps_done == 2, "a cut last line is dropped");
	CHECK_STREQ(back.last_step, "step one");
	conf_unit_done(&b);
	free(back.last_step);
	char cut[] = "device=0000:02:00.0\nnum_vfs=4\ndone=1\nlast=step one\ndon";
	CHECK(journal_parse(cut, &b, &back) == 0 && back.steps_done == 1, "a cut key is not an error");
	conf_unit_done(&b);
	free(back.last_step);
}

static void test_malformed(void)
{
	conf_unit u;
	journal_run j;
	char nodev[] = "pid=1\nnum_vfs=3\n", bad[] = "device=x\nnum_vfs=three\n", big[] = "device=x\nvfs=100000\n";
	CHECK(journal_parse(nodev, &u, &j) == -EINVAL, "a journal without a device is refused");
	CHECK(journal_parse(bad, &u, &j) == -EINVAL, "a malformed number is refused");
	CHECK(journal_parse(big, &u, &j) == -EINVAL, "more VFs than SR-IOV allows is refused");
}

/* A journal is checked before it is replayed: what vfctl never writes is reported, not undone. */
static void plant(applier *a, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/vfctl/journal/%s", a->rundir, name);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL, "plant %s", name);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void expect_unusable(applier *a, const char *name, const char *text, const char *why_has, const char *what)
{
	conf_unit u = {0};
	journal_run j = {0};
	plant(a, name, text);
	CHECK(journal_load(a, NULL, name, &u, &j) == 0 && j.unusable && strstr(j.unusable, why_has),
	      "%s: unusable (%s)", what, j.unusable ? j.unusable : "usable");
	CHECK_STREQ(j.device, name);
	run_done(&j);
}

static void test_checked(applier *a)
{
	static const char ok[] = "device=0000:03:00.0\nkind=pf\nids=8086:10c9\nnum_vfs=0\n";
	expect_unusable(a, "0000:03:00.0", "", "empty", "an empty journal (the first write cut short)");
	expect_unusable(a, "0000:03:00.0", "device=0000:03:00.0\nkind=pf\nvfs=1\nvf.0.driver=../../../../x\n",
			"vf.0.driver=../../../../x is not a value vfctl writes",
			"a VF driver that climbs out of sysfs");
	expect_unusable(a, "0000:03:00.0", "device=../../../../victim\nkind=pf\n",
			"file name and its device=", "device= that is not the journal's own name");
	expect_unusable(a, "0000:03:00.0", "device=0000:03:00.0\nkind=bogus\n", "kind=bogus", "an unknown kind");
	expect_unusable(a, "0000:03:00.0", "device=0000:03:00.0\nkind=pf\nvf.0.mac=zz\n", "vf.0.mac=zz", "a bad MAC");
	expect_unusable(a, "0000:03:00.0", "device=0000:03:00.0\nkind=pf\nnum_vfs=many\n", "malformed",
			"a number the parser rejects");
	/* With this boot's id known, a journal of another boot (or of none) is not replayed. */
	char path[512];
	snprintf(path, sizeof(path), "%s/sys/kernel/random", a->rundir);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && echo 11111111-2222-3333-4444-555555555555 > %s/boot_id", path, path);
	CHECK(system(cmd) == 0, "a boot id for the fake procfs");
	expect_unusable(a, "0000:03:00.0", ok, "another boot", "a journal without this boot's id");
	plant(a, "0000:03:00.0",
	      "device=0000:03:00.0\nkind=pf\nboot=11111111-2222-3333-4444-555555555555\nnum_vfs=0\n");
	conf_unit u = {0};
	journal_run j = {0};
	CHECK(journal_load(a, NULL, "0000:03:00.0", &u, &j) == 0 && !j.unusable && u.num_vfs == 0,
	      "this boot's journal is replayed");
	conf_unit_done(&u);
	run_done(&j);
	a->boot_id = "11111111-2222-3333-4444-555555555555";
	conf_unit w = {.kind = UNIT_PF,
		       .eswitch_mode = VFCTL_ESWITCH_NONE,
		       .dev_id = "0000:03:00.0",
		       .num_vfs = 1,
		       .autoprobe = -1,
		       .up = -1,
		       .mtu = -1,
		       .all_functions = -1,
		       .owner = -1,
		       .group = -1};
	journal_run wj = {.pid = 1, .started = 1};
	CHECK(journal_write(a, &wj, &w, "8086:10c9") == 0 && journal_load(a, NULL, "0000:03:00.0", &u, &j) == 0 &&
		      !j.unusable && u.num_vfs == 1,
	      "the writer records the boot id, and its journal is replayed");
	conf_unit_done(&u);
	run_done(&j);
	a->boot_id = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf %s/sys", a->rundir);
	CHECK(system(cmd) == 0, "the boot id removed again");
}

int main(void)
{
	char dir[] = "/tmp/vfctl-test-journal-XXXXXX";
	vfctl_ctx *ctx = test_empty_ctx(dir);
	CHECK(ctx != NULL, "context over an empty temporary tree");
	if (!ctx)
		return tap_finish("test-journal");
	vfctl_apply_opts ao = VFCTL_OPTS(vfctl_apply_opts);
	applier a = {.ctx = ctx, .o = &ao, .rundir = dir};
	test_pf(&a);
	test_device_and_vdpa(&a);
	test_progress_appended(&a);
	test_malformed();
	test_checked(&a);
	vfctl_ctx_free(ctx);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "cleanup");
	return tap_finish("test-journal");
}
