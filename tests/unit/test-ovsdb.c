/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OVSDB transactions (RFC 7047): the operations ovs_change_ops builds against a database read
 * before, then the same changes committed to Open vSwitch's own ovsdb-server, with ovs-vsctl (the
 * oracle) reading back what the database holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ovs.h"
#include "tap.h"

static vfctl_ovs_port port(const char *name, const char *uuid, const char *bridge)
{
	return (vfctl_ovs_port){.name = (char *)name, .uuid = (char *)uuid, .bridge = (char *)bridge};
}

static char *ops_text(const vfctl_ovs *cur, const ovs_change *c, int *ret)
{
	json_t *ops = NULL;
	const char *conflict = NULL;
	*ret = ovs_change_ops(cur, c, &ops, &conflict);
	if (*ret == -EEXIST)
		return strdup(conflict);
	char *s = ops ? json_dumps(ops, JSON_COMPACT) : NULL;
	json_decref(ops);
	return s;
}

static void pure(void)
{
	vfctl_ovs_bridge br[] = {{"br0", "b0"}, {"br1", "b1"}};
	vfctl_ovs_port ports[] = {port("br0", "p0", "br0"), port("eth0", "p1", "br0"), port("br1", "p2", "br1"),
				  port("eth9", "p3", "br1")};
	vfctl_ovs cur = {.root = "r", .hw_offload = -1, .bridges = br, .n_bridges = 2, .ports = ports, .n_ports = 4};
	char *add[] = {"eth0", "eth0_0"}, *clash[] = {"eth9"}, *del[] = {"eth0"};
	int r;
	char *t = ops_text(&cur, &(ovs_change){.bridge = "br0", .add = add, .n_add = 2, .hw_offload = -1}, &r);
	CHECK(r == 0 && t && strncmp(t, "[{\"op\":\"wait\"", 13) == 0 &&
		      strstr(t, "\"rows\":[{\"ports\":[\"set\",[[\"uuid\",\"p0\"],[\"uuid\",\"p1\"]]]}]") &&
		      strstr(t, "\"name\":\"eth0_0\"") && !strstr(t, "\"name\":\"eth0\"") &&
		      strstr(t, "[\"ports\",\"insert\",[\"set\",[[\"named-uuid\",\"p1\"]]]]"),
	      "join: a wait on br0's ports first, then eth0_0 alone inserted: %s", t);
	free(t);
	t = ops_text(&cur, &(ovs_change){.bridge = "br0", .add = add, .n_add = 1, .hw_offload = -1}, &r);
	CHECK(r == 0 && !t, "eth0 already in br0: nothing to do: %s", t);
	free(t);
	t = ops_text(&cur, &(ovs_change){.bridge = "br0", .add = clash, .n_add = 1, .hw_offload = -1}, &r);
	CHECK(r == -EEXIST && t && streq(t, "br1"), "a port of br1 is not taken into br0: %d %s", r, t);
	free(t);
	t = ops_text(&cur, &(ovs_change){.bridge = "br9", .add = add + 1, .n_add = 1, .hw_offload = -1}, &r);
	CHECK(r == 0 && t && strstr(t, "\"type\":\"internal\"") && strstr(t, "\"table\":\"Bridge\"") &&
		      strstr(t, "[\"bridges\",\"insert\",[\"set\",[[\"named-uuid\",\"br\"]]]]") &&
		      !strstr(t, "\"wait\""),
	      "a new bridge: its internal port, the Bridge row, Open_vSwitch's bridges: %s", t);
	free(t);
	t = ops_text(&cur, &(ovs_change){.del = del, .n_del = 1, .drop = "br0", .hw_offload = -1}, &r);
	CHECK(r == 0 && t && strstr(t, "[\"bridges\",\"delete\",[\"set\",[[\"uuid\",\"b0\"]]]]"),
	      "eth0 leaves and br0 holds nothing else: br0 removed: %s", t);
	free(t);
	t = ops_text(&cur, &(ovs_change){.del = del, .n_del = 1, .drop = "br1", .hw_offload = -1}, &r);
	CHECK(r == 0 && t && strstr(t, "[\"ports\",\"delete\",[\"set\",[[\"uuid\",\"p1\"]]]]") &&
		      !strstr(t, "\"bridges\""),
	      "br1 still holds eth9: kept; eth0 leaves br0: %s", t);
	free(t);
	t = ops_text(&cur, &(ovs_change){.hw_offload = 1, .comment = "vfctl"}, &r);
	CHECK(r == 0 && t && strstr(t, "[\"other_config\",\"delete\",[\"set\",[\"hw-offload\"]]]") &&
		      strstr(t, "[\"other_config\",\"insert\",[\"map\",[[\"hw-offload\",\"true\"]]]]") &&
		      strstr(t, "\"comment\":\"vfctl\""),
	      "hw-offload: the old value deleted, then inserted, in one mutate: %s", t);
	free(t);
	t = ops_text(&cur, &(ovs_change){.hw_offload = OVS_HW_OFFLOAD_UNSET}, &r);
	CHECK(r == 0 && t && strstr(t, "\"delete\"") && !strstr(t, "\"insert\""), "unset: deleted only: %s", t);
	free(t);
}

static char dir[] = "/tmp/vfctl-ovsdb-XXXXXX";

static int start_server(void)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "mkdir %s/openvswitch && ovsdb-tool create %s/conf.db /usr/share/openvswitch/vswitch.ovsschema && "
		 "ovsdb-server %s/conf.db --remote=punix:%s/openvswitch/db.sock --detach --no-chdir "
		 "--pidfile=%s/pid --unixctl=%s/ctl --log-file=/dev/null 2>/dev/null",
		 dir, dir, dir, dir, dir, dir);
	return WEXITSTATUS(system(cmd));
}

static void stop_server(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "kill $(cat %s/pid); rm -rf %s", dir, dir);
	(void)!system(cmd);
}

/* ovs-vsctl on the test's server: --no-wait, as no ovs-vswitchd runs. */
static char *vsctl(const char *args)
{
	char cmd[1024], buf[4096] = "";
	snprintf(cmd, sizeof(cmd), "ovs-vsctl --db=unix:%s/openvswitch/db.sock --no-wait %s 2>&1", dir, args);
	FILE *f = popen(cmd, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		pclose(f);
	buf[n] = 0;
	return strdup(buf);
}

#define CHECK_VSCTL(args, want)                                            \
	do {                                                               \
		char *_o = vsctl(args);                                    \
		CHECK(_o &&streq(_o, want), "ovs-vsctl %s: %s", args, _o); \
		free(_o);                                                  \
	} while (0)

static void live(void)
{
	if (!mkdtemp(dir) || start_server() != 0) {
		CHECK(false, "ovsdb-server (openvswitch-switch, from scripts/deps.sh) started in %s", dir);
		return;
	}
	free(vsctl("init"));
	test_hooks th = {.run_dir = dir};
	vfctl_ctx ctx = {.set.test = &th};
	char *add[] = {"eth7", "eth7_0", "eth7_1"}, *more[] = {"eth7_2"};
	int r = ovs_change_apply(
		&ctx,
		&(ovs_change){.bridge = "ovs-sriov", .add = add, .n_add = 3, .hw_offload = 1, .comment = "vfctl test"});
	CHECK_EQ_INT(r, 0);
	CHECK_VSCTL("list-ports ovs-sriov", "eth7\neth7_0\neth7_1\n");
	CHECK_VSCTL("get Open_vSwitch . other_config:hw-offload", "\"true\"\n");
	CHECK_VSCTL("get Interface ovs-sriov type", "internal\n");
	r = ovs_change_apply(&ctx, &(ovs_change){.bridge = "other", .add = more, .n_add = 1, .hw_offload = -1});
	CHECK_EQ_INT(r, 0);
	/* eth7_0 belongs to ovs-sriov: the whole transaction is refused, bridge "x" not created. */
	char *mixed[] = {"eth8", "eth7_0"};
	r = ovs_change_apply(&ctx, &(ovs_change){.bridge = "x", .add = mixed, .n_add = 2, .hw_offload = 0});
	CHECK(r == -EEXIST && strstr(ctx.error, "already a port of bridge ovs-sriov"), "%d %s", r, ctx.error);
	CHECK_VSCTL("list-br", "other\novs-sriov\n");
	CHECK_VSCTL("get Open_vSwitch . other_config:hw-offload", "\"true\"\n");
	char *del[] = {"eth7", "eth7_0", "eth7_1"};
	r = ovs_change_apply(
		&ctx, &(ovs_change){.del = del, .n_del = 3, .drop = "ovs-sriov", .hw_offload = OVS_HW_OFFLOAD_UNSET});
	CHECK_EQ_INT(r, 0);
	CHECK_VSCTL("list-br", "other\n");
	CHECK_VSCTL("list-ports other", "eth7_2\n");
	CHECK_VSCTL("--if-exists get Open_vSwitch . other_config:hw-offload", "\n");
	char *gone = vsctl("--columns=name list Interface");
	CHECK(gone && !strstr(gone, "eth7\"") && !strstr(gone, "\"eth7_0\""),
	      "removed ports' interfaces collected with them: %s", gone);
	free(gone);
	stop_server();
}

int main(void)
{
	pure();
	live();
	return tap_finish("test-ovsdb");
}
