/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the wire must show, from the configuration alone: ports of one PF on one VLAN reach each
 * other, different VLANs are isolated, a disabled link carries nothing, spoof checking drops a
 * forged source. */
#include "verify.h"

/* Locally administered (bit 1 of the first octet), unicast: no NIC's burned-in address. */
const uint8_t dp_forged_mac[6] = {0x06, 0x76, 0x66, 0x63, 0x74, 0x6c};

static bool add(dp_probe **v, size_t *n, size_t *alloc, dp_probe p)
{
	if (*n == *alloc) {
		size_t a = *alloc ? *alloc * 2 : 16;
		dp_probe *nv = realloc(*v, a * sizeof(**v));
		if (!nv)
			return false;
		*v = nv;
		*alloc = a;
	}
	(*v)[(*n)++] = p;
	return true;
}

int dp_expect(const dp_port *ports, size_t n, dp_probe **ret, size_t *ret_n)
{
	dp_probe *v = NULL;
	size_t nv = 0, alloc = 0;
	for (size_t a = 0; a < n; a++)
		for (size_t b = 0; b < n; b++) {
			const dp_port *pa = &ports[a], *pb = &ports[b];
			if (a == b || pa->group != pb->group)
				continue;
			dp_probe p = {.from = a, .to = b};
			if (pa->link_disabled || pb->link_disabled)
				p.kind = "link-state";
			else if (pa->vlan == pb->vlan) {
				p.kind = "reach";
				p.expect = true;
			} else
				p.kind = "isolation";
			if (!add(&v, &nv, &alloc, p))
				goto oom;
		}
	/* One forged frame per VF, to the first port it must reach: the PF when they share a VLAN. */
	for (size_t a = 0; a < n; a++) {
		const dp_port *pa = &ports[a];
		if (pa->vf < 0 || pa->spoofchk < 0 || pa->link_disabled)
			continue;
		for (size_t b = 0; b < n; b++) {
			const dp_port *pb = &ports[b];
			if (b == a || pb->group != pa->group || pb->vlan != pa->vlan || pb->link_disabled)
				continue;
			if (!add(&v, &nv, &alloc,
				 (dp_probe){.from = a,
					    .to = b,
					    .kind = "spoofchk",
					    .forged = true,
					    .expect = pa->spoofchk == 0}))
				goto oom;
			break;
		}
	}
	*ret = v;
	*ret_n = nv;
	return 0;
oom:
	free(v);
	return -ENOMEM;
}
