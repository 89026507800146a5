/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal round trip: every kind of unit a run can change (PF, [Device], [VDPA]) written as a
 * dead run leaves it and read back as the next run restores it, field by field. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applier.h"
#include "igb-host.h"
#include "tap.h"

static conf_unit roundtrip(applier *a, const conf_unit *u, journal_run *ret_run)
{
	journal_run j = {.pid = 4242, .started = 1700000000, .steps_total = 15, .steps_done = 7,
			 .last_step = "enp1s0 vf 2: mac\nnext"};
	conf_unit back = {0};
	CHECK(journal_write(a, &j, u) == 0, "write: %s", vfctl_ctx_error(a->ctx));
	CHECK(journal_load(a, u->dev_id, &back, ret_run) == 0, "load: %s", vfctl_ctx_error(a->ctx));
	return back;
}

static void test_pf(applier *a)
{
	vf_target vfs[2];
	vf_target_init(&vfs[0]);
	vf_target_init(&vfs[1]);
	strcpy(vfs[0].mac, "02:00:00:00:00:10");
	vfs[0].vlan = 10, vfs[0].qos = 3, vfs[0].vlan_proto = 0x88a8, vfs[0].spoofchk = 0, vfs[0].trust = 1;
	vfs[0].link_state = 2, vfs[0].rss_query = 1, vfs[0].min_tx_rate = 5, vfs[0].max_tx_rate = 100;
	vfs[0].driver = "vfio-pci";
	vfs[1].driver = "none";
	conf_unit u = {.kind = UNIT_PF, .dev_id = "0000:01:00.0", .num_vfs = 2, .autoprobe = 1, .up = 1, .mtu = 9000,
		       .eswitch_mode = "switchdev", .vfs = vfs, .n_vfs = 2, .all_functions = -1, .owner = -1, .group = -1};
	journal_run j;
	conf_unit b = roundtrip(a, &u, &j);
	CHECK(j.pid == 4242 && j.started == 1700000000 && j.steps_total == 15 && j.steps_done == 7, "progress read back");
	CHECK_STREQ(j.last_step, "enp1s0 vf 2: mac next");
	CHECK(b.kind == UNIT_PF && b.num_vfs == 2 && b.autoprobe == 1 && b.up == 1 && b.mtu == 9000, "PF knobs");
	CHECK_STREQ(b.dev_id, "0000:01:00.0");
	CHECK_STREQ(b.eswitch_mode, "switchdev");
	CHECK(b.n_vfs == 2, "two VFs");
	if (b.n_vfs == 2) {
		const vf_target *v = &b.vfs[0];
		CHECK_STREQ(v->mac, "02:00:00:00:00:10");
		CHECK(v->vlan == 10 && v->qos == 3 && v->vlan_proto == 0x88a8 && v->spoofchk == 0 && v->trust == 1 &&
			      v->link_state == 2 && v->rss_query == 1 && v->min_tx_rate == 5 && v->max_tx_rate == 100,
		      "every VF knob");
		CHECK_STREQ(v->driver, "vfio-pci");
		CHECK(!b.vfs[1].mac[0] && b.vfs[1].vlan == -1 && b.vfs[1].max_tx_rate == -1, "unset stays unset");
		CHECK_STREQ(b.vfs[1].driver, "none");
	}
	free(j.last_step);
	conf_unit_done(&b);
}

static void test_device_and_vdpa(applier *a)
{
	conf_unit d = {.kind = UNIT_DEVICE, .dev_id = "0000:05:00.0", .driver = "e1000e", .num_vfs = -1, .autoprobe = -1,
		       .up = -1, .mtu = -1, .all_functions = 0, .owner = 1000, .group = 36};
	journal_run j;
	conf_unit b = roundtrip(a, &d, &j);
	CHECK(b.kind == UNIT_DEVICE && b.owner == 1000 && b.group == 36 && b.all_functions == 0, "[Device] knobs");
	CHECK_STREQ(b.driver, "e1000e");
	free(j.last_step);
	conf_unit_done(&b);
	conf_unit v = {.kind = UNIT_VDPA, .dev_id = "vdpa0", .vdpa_name = "vdpa0", .vdpa_mgmtdev = "vdpasim_net",
		       .vdpa_driver = "vhost_vdpa", .present = 1, .num_vfs = -1, .autoprobe = -1, .up = -1, .mtu = -1,
		       .all_functions = -1, .owner = -1, .group = -1};
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
	conf_unit u = {.kind = UNIT_PF, .dev_id = "0000:02:00.0", .num_vfs = 4, .autoprobe = -1, .up = -1, .mtu = -1,
		       .all_functions = -1, .owner = -1, .group = -1};
	journal_run j = {.pid = 7, .started = 1700000000, .steps_total = 3};
	journal_handle jh = JOURNAL_HANDLE_INIT;
	CHECK(journal_update(a, &j, &u, &jh) == 0 && jh.fd >= 0, "first write, the file kept open");
	j.steps_done = 1, j.last_step = "step one";
	CHECK(journal_update(a, &j, &u, &jh) == 0, "progress 1 appended");
	j.steps_done = 2, j.last_step = "step two";
	CHECK(journal_update(a, &j, &u, &jh) == 0, "progress 2 appended");
	journal_handle_done(&jh);
	conf_unit b = {0};
	journal_run back = {0};
	CHECK(journal_load(a, u.dev_id, &b, &back) == 0, "load: %s", vfctl_ctx_error(a->ctx));
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

int main(void)
{
	char dir[] = "/tmp/vfctl-test-journal-XXXXXX";
	vfctl_ctx *ctx = test_empty_ctx(dir);
	CHECK(ctx != NULL, "context over an empty temporary tree");
	if (!ctx)
		return tap_finish("test-journal");
	vfctl_apply_opts ao = {0};
	applier a = {.ctx = ctx, .o = &ao, .rundir = dir};
	test_pf(&a);
	test_device_and_vdpa(&a);
	test_progress_appended(&a);
	test_malformed();
	vfctl_ctx_free(ctx);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "cleanup");
	return tap_finish("test-journal");
}
