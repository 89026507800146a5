/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The datapath oracle (dp_expect): which frames must arrive, from the configuration alone. */
#include <string.h>

#include "tap.h"
#include "verify.h"

static const dp_probe *find(const dp_probe *p, size_t n, size_t from, size_t to, bool forged)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].from == from && p[i].to == to && p[i].forged == forged)
			return &p[i];
	return NULL;
}

int main(void)
{
	/* PF 0: its netdev, VF 0 and 1 untagged (spoof checking on, off), VF 2 on VLAN 42 alone, VF 3
	 * with its link disabled; PF 1 (another group): its netdev and one VF, spoofchk unknown. */
	dp_port ports[] = {
		{.group = 0, .vf = -1, .vlan = 0, .spoofchk = -1},
		{.group = 0, .vf = 0, .vlan = 0, .spoofchk = 1},
		{.group = 0, .vf = 1, .vlan = 0, .spoofchk = 0},
		{.group = 0, .vf = 2, .vlan = 42, .spoofchk = 1},
		{.group = 0, .vf = 3, .vlan = 0, .spoofchk = 1, .link_disabled = true},
		{.group = 1, .vf = -1, .vlan = 0, .spoofchk = -1},
		{.group = 1, .vf = 0, .vlan = 0, .spoofchk = -1},
	};
	dp_probe *p;
	size_t n;
	CHECK(dp_expect(ports, 7, &p, &n) == 0, "dp_expect");
	/* 5 ports: 20 ordered pairs; 2 ports: 2; forged: VF 0 and VF 1 only (VF 2 has no peer on its
	 * VLAN, VF 3's link is down, PF 1's VF has no known setting). */
	CHECK_EQ_INT(n, 20 + 2 + 2);
	const dp_probe *x = find(p, n, 1, 2, false);
	CHECK(x && streq(x->kind, "reach") && x->expect, "VF 0 -> VF 1 untagged: reach");
	x = find(p, n, 1, 0, false);
	CHECK(x && streq(x->kind, "reach") && x->expect, "VF 0 -> PF: reach");
	x = find(p, n, 3, 0, false);
	CHECK(x && streq(x->kind, "isolation") && !x->expect, "VF 2 (VLAN 42) -> PF: isolation");
	x = find(p, n, 1, 3, false);
	CHECK(x && streq(x->kind, "isolation") && !x->expect, "VF 0 -> VF 2: isolation");
	x = find(p, n, 4, 1, false);
	CHECK(x && streq(x->kind, "link-state") && !x->expect, "from the disabled VF 3: nothing arrives");
	x = find(p, n, 0, 4, false);
	CHECK(x && streq(x->kind, "link-state") && !x->expect, "to the disabled VF 3: nothing arrives");
	CHECK(!find(p, n, 1, 5, false) && !find(p, n, 5, 0, false),
	      "no probe crosses from one PF's switch to another's");
	x = find(p, n, 1, 0, true);
	CHECK(x && streq(x->kind, "spoofchk") && !x->expect, "VF 0, spoof checking on: forged frame to the PF dropped");
	x = find(p, n, 2, 0, true);
	CHECK(x && streq(x->kind, "spoofchk") && x->expect, "VF 1, spoof checking off: forged frame arrives");
	size_t forged = 0;
	for (size_t i = 0; i < n; i++)
		forged += p[i].forged;
	CHECK_EQ_INT(forged, 2);
	free(p);

	CHECK(dp_expect(ports, 1, &p, &n) == 0 && n == 0, "a PF alone: nothing to send");
	free(p);
	return tap_finish("test-datapath-expect");
}
