/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The planner as a function of (configuration, snapshot): a snapshot built in memory, no host
 * behind the context, and the steps checked with their typed values. */
#include <errno.h>
#include <linux/devlink.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "igb-host.h"
#include "plan.h"
#include "tap.h"

static vfctl_plan *plan_of(vfctl_ctx *ctx, const vfctl_host *h, const char *text, vfctl_config **ret_conf)
{
	vfctl_config *c = NULL;
	vfctl_plan *p = NULL;
	CHECK(vfctl_config_parse_string(ctx, "t.conf", text, &c) == 0, "parse");
	int r = vfctl_config_validate(ctx, c, h);
	const char *const *errs;
	size_t n = vfctl_config_errors(c, &errs);
	CHECK(r == 0, "validate: %s", n ? errs[0] : vfctl_ctx_error(ctx));
	CHECK(vfctl_plan_build(ctx, c, h, NULL, &p) == 0, "plan: %s", vfctl_ctx_error(ctx));
	*ret_conf = c;
	if (!p) { /* failed above: an empty plan, so the checks that follow fail rather than crash */
		p = calloc(1, sizeof(*p));
		if (!p)
			abort();
	}
	return p;
}

static const plan_step *step(const vfctl_plan *p, size_t i)
{
	return i < p->n ? &p->steps[i] : NULL;
}

static void test_settings_only(vfctl_ctx *ctx)
{
	vfctl_host *h = test_igb_host(2);
	vfctl_config *c;
	vfctl_plan *p = plan_of(ctx, h,
				"[PF]\nMatch=pci:0000:01:00.0\nNumVFs=2\n[VF:0]\nMACAddress=02:00:00:00:00:00\n"
				"[VF:1]\nMACAddress=02:00:00:00:01:01\nTrust=yes\nVLANId=42\nQualityOfService=3\n",
				&c);
	/* VF 0 is as asked: nothing; VF 1: its MAC, VLAN and trust, in that order, with native values,
	 * then igbvf reloaded (igb gives a VF the MAC its PF set when the VF driver loads). */
	CHECK_EQ_INT(p->n, 5);
	const plan_step *s = step(p, 0);
	CHECK(s && s->kind == STEP_VF_MAC && s->vf == 1 && memcmp(s->u.mac, "\x02\x00\x00\x00\x01\x01", 6) == 0,
	      "MAC as 6 bytes");
	s = step(p, 1);
	CHECK(s && s->kind == STEP_VF_VLAN && s->u.vlan.vlan == 42 && s->u.vlan.qos == 3 &&
		      s->u.vlan.proto == ETH_P_8021Q,
	      "VLAN 42 QoS 3 802.1Q");
	s = step(p, 2);
	CHECK(s && s->kind == STEP_VF_FLAG && s->u.flag.which == VF_FLAG_TRUST && s->u.flag.value == 1, "trust on");
	CHECK(s && !strcmp(plan_step_action(s), "vf-trust"), "action: %s", s ? plan_step_action(s) : "(none)");
	CHECK(s && !strcmp(s->text, "enp1s0 vf 1: trust on"), "text: %s", s ? s->text : "(none)");
	for (size_t i = 0; i < 3 && i < p->n; i++)
		CHECK(!p->steps[i].disruptive, "settings are not disruptive");
	s = step(p, 3);
	CHECK(s && s->kind == STEP_UNBIND && s->vf == 1 && s->disruptive &&
		      strstr(s->text, "(its new MAC reaches the VF when its driver loads)"),
	      "igbvf unbound after the MAC: %s", s ? s->text : "(none)");
	s = step(p, 4);
	CHECK(s && s->kind == STEP_PROBE && s->vf == 1, "and bound again by the kernel");
	vfctl_plan_free(p);
	vfctl_config_free(c);
	vfctl_host_free(h);
}

static void test_count_through_zero(vfctl_ctx *ctx)
{
	vfctl_host *h = test_igb_host(2);
	vfctl_config *c;
	vfctl_plan *p = plan_of(ctx, h, "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=3\n[VF:2]\nDriver=vfio-pci\n", &c);
	static const step_kind want[] = {STEP_AUTOPROBE, STEP_NUMVFS, STEP_NUMVFS, STEP_BIND,
					 STEP_AUTOPROBE, STEP_PROBE,  STEP_PROBE};
	CHECK_EQ_INT(p->n, ELEMENTSOF(want));
	for (size_t i = 0; i < p->n && i < ELEMENTSOF(want); i++)
		CHECK(p->steps[i].kind == want[i], "step %zu is %s, not %s", i + 1, step_kind_str(p->steps[i].kind),
		      step_kind_str(want[i]));
	if (p->n == ELEMENTSOF(want)) {
		CHECK(!p->steps[0].u.on && p->steps[4].u.on, "autoprobe off, then back on");
		CHECK(p->steps[1].u.numvfs == 0 && p->steps[1].disruptive, "2 -> 0, disruptive");
		CHECK(p->steps[2].u.numvfs == 3 && !p->steps[2].disruptive, "0 -> 3");
		CHECK(p->steps[3].vf == 2 && p->steps[3].u.drv.driver &&
			      !strcmp(p->steps[3].u.drv.driver, "vfio-pci") && p->steps[3].u.drv.keep_override &&
			      !p->steps[3].u.drv.function,
		      "VF 2 to vfio-pci, override kept");
		CHECK(p->steps[5].vf == 0 && p->steps[6].vf == 1, "VFs 0 and 1 probed by the kernel");
	}
	vfctl_plan_free(p);
	vfctl_config_free(c);
	vfctl_host_free(h);
}

static void test_snapshot_decides(vfctl_ctx *ctx)
{
	/* What the plan compares with comes from the snapshot: a PF that is down needs "up" for a
	 * rate; its MTU is read from the netdev; Driver=auto is the snapshot's default VF driver. */
	vfctl_host *h = test_igb_host(1);
	h->devices[0].netdevs[0].flags = IFF_BROADCAST;
	h->devices[0].vfs[0].driver = (free(h->devices[0].vfs[0].driver), NULL);
	vfctl_config *c;
	vfctl_plan *p =
		plan_of(ctx, h, "[PF]\nMatch=pci:0000:01:00.0\nMTU=9000\n[VF:0]\nMaxTxRate=100\nDriver=auto\n", &c);
	CHECK(p->n == 4, "mtu, up, rate, bind: %zu steps", p->n);
	if (p->n == 4) {
		CHECK(p->steps[0].kind == STEP_PF_MTU && p->steps[0].u.mtu == 9000, "MTU 9000");
		CHECK_STREQ(p->steps[0].text, "enp1s0: mtu 1500 -> 9000");
		CHECK(p->steps[1].kind == STEP_PF_UP, "up first: igb refuses rates on a PF that is down");
		CHECK(p->steps[2].kind == STEP_VF_RATE && p->steps[2].u.rate.max == 100 && p->steps[2].u.rate.min == 0,
		      "rate 0-100");
		CHECK(p->steps[3].kind == STEP_BIND && p->steps[3].u.drv.driver &&
			      !strcmp(p->steps[3].u.drv.driver, "igbvf") && !p->steps[3].u.drv.keep_override,
		      "auto is igbvf, no override left");
	}
	vfctl_plan_free(p);
	vfctl_config_free(c);
	/* A host already as configured: no step. */
	h->devices[0].netdevs[0].flags = IFF_UP;
	h->devices[0].netdevs[0].mtu = 9000;
	h->devices[0].vfs[0].driver = strdup("igbvf");
	h->devices[0].vfs[0].settings.max_tx_rate = 100;
	p = plan_of(ctx, h, "[PF]\nMatch=pci:0000:01:00.0\nMTU=9000\n[VF:0]\nMaxTxRate=100\nDriver=auto\n", &c);
	CHECK_EQ_INT(p->n, 0);
	vfctl_plan_free(p);
	vfctl_config_free(c);
	vfctl_host_free(h);
}

static void test_no_stale_error(vfctl_ctx *ctx)
{
	/* A public call that fails without saying why must not leave the previous call's text. */
	ctx_error(ctx, -EIO, "an earlier, tolerated failure");
	unsigned since = ctx->n_errors;
	CHECK(ctx_ensure_error(ctx, since, -ENOMEM, "planning") == -ENOMEM, "r passes through");
	CHECK(strcmp(vfctl_ctx_error(ctx), "planning: Cannot allocate memory") == 0, "text: %s", vfctl_ctx_error(ctx));
	since = ctx->n_errors;
	ctx_error(ctx, -ENODEV, "0000:01:00.0: gone");
	ctx_ensure_error(ctx, since, -ENODEV, "planning");
	CHECK(strcmp(vfctl_ctx_error(ctx), "0000:01:00.0: gone: No such device") == 0, "the call's own text stays: %s",
	      vfctl_ctx_error(ctx));
}

/* The lab's QEMU NVMe as a snapshot: 6 flexible VQ and 3 VI, at most 2 and 1 per VF, two VFs whose
 * secondary controllers are offline and empty. */
static vfctl_host *nvme_host(void)
{
	vfctl_host *h = test_igb_host(2);
	vfctl_device *d = &h->devices[0];
	d->class_code = 0x010802;
	d->nvme_ctrl = strdup("nvme0");
	d->nvme_known = true;
	d->nvme_vq = (vfctl_nvme_pool){.total = 6, .max_per_vf = 2, .granularity = 1};
	d->nvme_vi = (vfctl_nvme_pool){.total = 3, .max_per_vf = 1, .granularity = 1};
	for (size_t i = 0; i < d->n_vfs; i++)
		d->vfs[i].nvme_scid = (int)i + 1, d->vfs[i].nvme_online = 0, d->vfs[i].nvme_vq = d->vfs[i].nvme_vi = 0;
	return h;
}

static void test_nvme(vfctl_ctx *ctx)
{
	vfctl_host *h = nvme_host();
	vfctl_config *c;
	vfctl_plan *p = plan_of(ctx, h, "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=2\n", &c);
	size_t assign = 0, online = 0;
	for (size_t i = 0; i < p->n; i++) {
		const plan_step *s = &p->steps[i];
		if (s->kind == STEP_NVME_ASSIGN) {
			assign++;
			CHECK(s->u.nvme.nr == (s->u.nvme.res == 0 ? 2 : 1), "the fair share: 2 VQ, 1 VI (got %u)",
			      s->u.nvme.nr);
		}
		if (s->kind == STEP_NVME_ONLINE) {
			online++;
			CHECK(i > 0 && p->steps[i - 1].kind == STEP_NVME_ASSIGN, "online after the assignments");
		}
	}
	CHECK(assign == 4 && online == 2, "each VF: assign VQ, assign VI, online (%zu, %zu)", assign, online);
	vfctl_plan_free(p);
	vfctl_config_free(c);

	/* Over the per-VF maximum, and three VFs sharing a pool of 3 interrupts explicitly asked for 2 each. */
	c = NULL;
	CHECK(vfctl_config_parse_string(ctx, "t.conf", "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=2\n[VF]\nNVMeQueues=4\n",
					&c) == 0,
	      "parse");
	CHECK(vfctl_config_validate(ctx, c, h) == -EINVAL, "validation refuses NVMeQueues=4");
	const char *const *errs;
	size_t n = vfctl_config_errors(c, &errs);
	CHECK(n == 1 && strstr(errs[0], "t.conf:5: NVMeQueues=4 for VF 0: nvme0 allows 2..2 per VF"), "%s",
	      n ? errs[0] : "no error");
	vfctl_config_free(c);
	vfctl_host_free(h);
}

/* Migratable= is a devlink port function capability that mlx5 reads when the VF's driver binds:
 * a bound VF is unbound around it and bound again (to its Driver= when the section gives one);
 * a VF that already has it gets no step. */
static void test_port_function(vfctl_ctx *ctx)
{
	static const step_kind keep[] = {STEP_UNBIND, STEP_VF_FLAG, STEP_PROBE};
	static const step_kind to_vfio[] = {STEP_UNBIND, STEP_VF_FLAG, STEP_BIND};
	const struct {
		const char *conf;
		const step_kind *want;
	} cases[] = {
		{"[PF]\nMatch=pci:0000:01:00.0\n[VF]\nMigratable=yes\n", keep},
		{"[PF]\nMatch=pci:0000:01:00.0\n[VF]\nMigratable=yes\n[VF:1]\nDriver=vfio-pci\n", to_vfio},
	};
	for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
		vfctl_host *h = test_igb_host(2);
		vfctl_device *pf = &h->devices[0];
		pf->eswitch_mode = VFCTL_ESWITCH_SWITCHDEV;
		for (size_t i = 0; i < 2; i++) {
			pf->vfs[i].representor = strdup(i ? "eth_rep1" : "eth_rep0");
			pf->vfs[i].settings.migratable = i ? 0 : 1;
		}
		vfctl_config *c;
		vfctl_plan *p = plan_of(ctx, h, cases[k].conf, &c);
		CHECK_EQ_INT(p->n, 3);
		for (size_t i = 0; i < p->n && i < 3; i++)
			CHECK(p->steps[i].kind == cases[k].want[i] && p->steps[i].vf == 1,
			      "case %zu step %zu is %s vf %d", k, i + 1, step_kind_str(p->steps[i].kind),
			      p->steps[i].vf);
		if (p->n == 3) {
			CHECK(strstr(p->steps[0].text, "vf 1: unbind igbvf") && p->steps[0].disruptive,
			      "unbind igbvf: %s", p->steps[0].text);
			CHECK(p->steps[1].u.flag.which == VF_FLAG_MIGRATABLE && p->steps[1].u.flag.value == 1,
			      "migratable on");
			CHECK(!strcmp(plan_step_action(&p->steps[1]), "vf-migratable"), "action %s",
			      plan_step_action(&p->steps[1]));
			if (k == 1)
				CHECK(p->steps[2].u.drv.driver && !strcmp(p->steps[2].u.drv.driver, "vfio-pci"),
				      "then bound to vfio-pci");
		}
		vfctl_plan_free(p);
		vfctl_config_free(c);
		vfctl_host_free(h);
	}
}

/* MACAddress= in switchdev mode: through the VF port function's hw_addr where the snapshot's port
 * reports one (mlx5), else IFLA_VF_MAC (netdevsim, or a port this run creates). */
static void test_hw_addr_path(vfctl_ctx *ctx)
{
	for (int fn = 0; fn < 2; fn++) {
		vfctl_host *h = test_igb_host(2);
		vfctl_device *pf = &h->devices[0];
		pf->eswitch_mode = VFCTL_ESWITCH_SWITCHDEV;
		pf->vfs[1].port_fn_hw_addr = fn;
		vfctl_config *c;
		vfctl_plan *p =
			plan_of(ctx, h, "[PF]\nMatch=pci:0000:01:00.0\n[VF:1]\nMACAddress=02:00:00:00:3b:01\n", &c);
		/* IFLA_VF_MAC on igb: igbvf reloaded after it (two steps more) */
		CHECK(p->n == (fn ? 1u : 3u) && p->steps[0].kind == (fn ? STEP_VF_HW_ADDR : STEP_VF_MAC) &&
			      !strcmp(plan_step_action(&p->steps[0]), "vf-mac") &&
			      (fn == !!strstr(p->steps[0].text, "(devlink port function hw_addr: switchdev mode)")) &&
			      p->steps[0].u.mac[5] == 0x01,
		      "port function %s: %s", fn ? "with hw_addr" : "without", p->n ? p->steps[0].text : "no step");
		vfctl_plan_free(p);
		vfctl_config_free(c);
		vfctl_host_free(h);
	}
}

/* OVSBridge= on a PF that is down, with a VF rate that needs the link too: the PF goes up once,
 * first, for the bridge's sake. */
static void test_bridge_uplink_up(vfctl_ctx *ctx)
{
	vfctl_host *h = test_igb_host(2);
	vfctl_device *pf = &h->devices[0];
	pf->eswitch_mode = VFCTL_ESWITCH_SWITCHDEV;
	pf->netdevs[0].flags &= ~IFF_UP;
	h->ovs = calloc(1, sizeof(*h->ovs));
	h->ovs->root = strdup("r");
	h->ovs->hw_offload = -1;
	vfctl_config *c;
	vfctl_plan *p = plan_of(ctx, h, "[PF]\nMatch=pci:0000:01:00.0\nOVSBridge=br0\n[VF:0]\nMaxTxRate=100\n", &c);
	size_t ups = 0;
	for (size_t i = 0; i < p->n; i++)
		ups += p->steps[i].kind == STEP_PF_UP;
	CHECK(ups == 1 && p->n && p->steps[0].kind == STEP_PF_UP &&
		      strstr(p->steps[0].text, "enp1s0: up (the uplink of bridge br0)"),
	      "one PF up, first: %zu of %zu steps, first %s", ups, p->n, p->n ? p->steps[0].text : "-");
	vfctl_plan_free(p);
	vfctl_config_free(c);
	vfctl_host_free(h);
}

/* [RateGroup]: the node before the leafs that name it. */
static void test_rate_group_order(vfctl_ctx *ctx)
{
	vfctl_host *h = test_igb_host(2);
	h->devices[0].eswitch_mode = VFCTL_ESWITCH_SWITCHDEV;
	vfctl_config *c;
	vfctl_plan *p = plan_of(
		ctx, h, "[PF]\nMatch=pci:0000:01:00.0\n[RateGroup]\nName=g1\nMaxTxRate=300\n[VF]\nRateGroup=g1\n", &c);
	CHECK(p->n == 3 && p->steps[0].kind == STEP_RATE_NODE_ADD && p->steps[0].u.node.max == 300 &&
		      p->steps[1].kind == STEP_VF_RATE_PARENT && p->steps[2].kind == STEP_VF_RATE_PARENT &&
		      !strcmp(p->steps[2].u.node.name, "g1"),
	      "node, then two leafs: %zu steps", p->n);
	vfctl_plan_free(p);
	vfctl_config_free(c);
	vfctl_host_free(h);
}

/* An eswitch change in each driver's order (driver-facts.c): ice only without VFs (2 -> 0, switch,
 * 0 -> 2, the kernel binding their drivers again), mlx5_core and bnxt_en with their VFs unbound
 * around it, and a driver the table does not know the same way. The actions as plan --json names
 * them, in order. */
static void test_eswitch_order(vfctl_ctx *ctx)
{
	static const struct {
		const char *driver, *want;
	} cases[] = {
		{"ice", "autoprobe numvfs eswitch numvfs autoprobe probe probe"},
		{"mlx5_core", "unbind unbind eswitch bind bind"},
		{"bnxt_en", "unbind unbind eswitch bind bind"},
		{"igb", "unbind unbind eswitch bind bind"},
	};
	for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
		vfctl_host *h = test_igb_host(2);
		vfctl_device *pf = &h->devices[0];
		free(pf->driver);
		pf->driver = strdup(cases[k].driver);
		pf->eswitch_mode = VFCTL_ESWITCH_LEGACY;
		vfctl_config *c;
		vfctl_plan *p = plan_of(ctx, h, "[PF]\nMatch=pci:0000:01:00.0\nNumVFs=2\nEswitchMode=switchdev\n", &c);
		char got[256] = "";
		for (size_t i = 0; i < p->n; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
				 plan_step_action(&p->steps[i]));
		CHECK(!strcmp(got, cases[k].want), "%s: %s (want %s)", cases[k].driver, got, cases[k].want);
		vfctl_plan_free(p);
		vfctl_config_free(c);
		vfctl_host_free(h);
	}
}

int main(void)
{
	/* A context over an empty tree: any read the planner made would find nothing. */
	char dir[] = "/tmp/vfctl-test-plan-XXXXXX";
	vfctl_ctx *ctx = test_empty_ctx(dir);
	CHECK(ctx != NULL, "context over an empty temporary tree");
	test_settings_only(ctx);
	test_count_through_zero(ctx);
	test_snapshot_decides(ctx);
	test_no_stale_error(ctx);
	test_nvme(ctx);
	test_hw_addr_path(ctx);
	test_rate_group_order(ctx);
	test_bridge_uplink_up(ctx);
	test_port_function(ctx);
	test_eswitch_order(ctx);
	vfctl_ctx_free(ctx);
	rmdir(dir);
	return tap_finish("test-plan");
}
