/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mac-policy.h"
#include "parse.h"
#include "siphash.h"
#include "stable-id.h"
#include "util.h"

/* Bumping it would change every persistent MAC: never. */
static const char domain[] = "vfctl persistent VF MAC v1";

int persistent_mac(const vfctl_host *h, const vfctl_device *pf, int vf, char out[18])
{
	uint8_t key[16], in[sizeof(domain) + 64 + 4], m[6];
	size_t n = 0;
	if (!h->machine_id)
		return -ENOKEY;
	for (int i = 0; i < 16; i++) {
		unsigned b;
		if (sscanf(h->machine_id + 2 * i, "%2x", &b) != 1)
			return -ENOKEY;
		key[i] = (uint8_t)b;
	}
	memcpy(in, domain, sizeof(domain));
	n = sizeof(domain);
	const char *perm = pf_perm_mac(pf);
	if (perm && parse_mac(perm, m) >= 0) {
		in[n++] = 'm';
		memcpy(in + n, m, 6);
		n += 6;
	} else {
		size_t l = strnlen(pf->id, 62);
		in[n++] = 'p';
		memcpy(in + n, pf->id, l);
		n += l;
	}
	for (int i = 0; i < 4; i++)
		in[n++] = (uint8_t)((unsigned)vf >> (8 * i));
	uint64_t v = siphash24(in, n, key);
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)(v >> (8 * i));
	m[0] = (uint8_t)((m[0] & 0xfe) | 0x02); /* unicast, locally administered */
	format_mac(m, out);
	return 0;
}

bool is_persistent_mac(const vfctl_host *h, const vfctl_device *pf, int vf, const char *mac)
{
	char want[18];
	return mac && persistent_mac(h, pf, vf, want) >= 0 && strcasecmp(want, mac) == 0;
}
