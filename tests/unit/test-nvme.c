/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NVMe Virtualization Management: the admin commands as the NVMe Base Specification encodes them,
 * and the Identify structures decoded from buffers laid out as QEMU's SR-IOV NVMe returns them
 * for the lab's device (sriov_max_vfs=3, sriov_vq_flexible=6, sriov_vi_flexible=3). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme.h"
#include "tap.h"

static void put16(uint8_t *b, size_t o, uint16_t v)
{
	b[o] = (uint8_t)v, b[o + 1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *b, size_t o, uint32_t v)
{
	put16(b, o, (uint16_t)v), put16(b, o + 2, (uint16_t)(v >> 16));
}

static void test_commands(void)
{
	struct nvme_passthru_cmd c;
	uint8_t buf[NVME_IDENTIFY_SIZE];
	nvme_cmd_identify(&c, NVME_CNS_SECONDARY_CTRL_LIST, 1, buf, sizeof(buf));
	CHECK(c.opcode == 0x06 && c.cdw10 == 0x00010015 && c.data_len == 4096 && c.addr == (uint64_t)(uintptr_t)buf,
	      "Identify CNS 15h from CNTID 1: CDW10 %#x", c.cdw10);
	/* nvme virt-mgmt /dev/nvme0 -c 1 -r 0 -a 8 -n 1: assign 1 VQ to secondary controller 1 */
	nvme_cmd_virt_mgmt(&c, NVME_VM_SECONDARY_ASSIGN, NVME_RES_VQ, 1, 1);
	CHECK(c.opcode == 0x1c && c.cdw10 == 0x00010008 && c.cdw11 == 1, "assign VQ: CDW10 %#x CDW11 %u", c.cdw10,
	      c.cdw11);
	nvme_cmd_virt_mgmt(&c, NVME_VM_SECONDARY_ASSIGN, NVME_RES_VI, 2, 3);
	CHECK(c.cdw10 == 0x00020108 && c.cdw11 == 3, "assign VI to controller 2: CDW10 %#x", c.cdw10);
	nvme_cmd_virt_mgmt(&c, NVME_VM_SECONDARY_ONLINE, 0, 1, 0);
	CHECK(c.cdw10 == 0x00010009 && c.cdw11 == 0, "online: CDW10 %#x", c.cdw10);
	nvme_cmd_virt_mgmt(&c, NVME_VM_SECONDARY_OFFLINE, 0, 3, 0);
	CHECK(c.cdw10 == 0x00030007, "offline: CDW10 %#x", c.cdw10);
	CHECK(strcmp(nvme_status_str(0x4121), "Invalid Number of Controller Resources") == 0,
	      "status text, DNR ignored");
}

static void test_primary_caps(void)
{
	uint8_t b[NVME_IDENTIFY_SIZE] = {0};
	nvme_primary_caps p;
	put16(b, 0, 0);
	b[4] = 3;
	put32(b, 32, 6); /* VQFRT */
	put32(b, 36, 0); /* VQRFA */
	put16(b, 40, 0); /* VQRFAP */
	put16(b, 42, 2); /* VQPRT: max_ioqpairs - vq_flexible */
	put16(b, 44, 4); /* VQFRSM */
	put16(b, 46, 1); /* VQGRAN */
	put32(b, 64, 3); /* VIFRT */
	put16(b, 74, 3); /* VIPRT */
	put16(b, 76, 3); /* VIFRSM */
	put16(b, 78, 1); /* VIGRAN */
	CHECK(nvme_decode_primary_caps(b, sizeof(b), &p) == 0, "decode");
	CHECK(p.crt == 3 && p.vqfrt == 6 && p.vqprt == 2 && p.vqfrsm == 4 && p.vqgran == 1, "VQ pool");
	CHECK(p.vifrt == 3 && p.viprt == 3 && p.vifrsm == 3 && p.vigran == 1, "VI pool");
	CHECK(nvme_decode_primary_caps(b, 79, &p) == -EBADMSG, "a short buffer is refused");
}

static void test_secondary_list(void)
{
	uint8_t b[NVME_IDENTIFY_SIZE] = {0};
	nvme_secondary s[4];
	size_t n = 0;
	b[0] = 3;
	for (int i = 0; i < 3; i++) {
		uint8_t *e = b + 32 + 32 * i;
		put16(e, 0, (uint16_t)(i + 1)); /* SCID */
		put16(e, 2, 0);                 /* PCID */
		e[4] = i == 0;                  /* SCS: online */
		put16(e, 8, (uint16_t)(i + 1)); /* VFN */
		put16(e, 10, i == 0 ? 2 : 0);   /* NVQ */
		put16(e, 12, i == 0 ? 1 : 0);   /* NVI */
	}
	CHECK(nvme_decode_secondary_list(b, sizeof(b), s, 4, &n) == 0 && n == 3, "three secondary controllers");
	CHECK(s[0].scid == 1 && s[0].online && s[0].vfn == 1 && s[0].nvq == 2 && s[0].nvi == 1,
	      "VF 0 online, 2 VQ, 1 VI");
	CHECK(s[2].scid == 3 && !s[2].online && s[2].vfn == 3 && s[2].nvq == 0, "VF 2 offline, no resources");
	CHECK(nvme_decode_secondary_list(b, sizeof(b), s, 2, &n) == 0 && n == 2, "capped at the caller's room");
	b[0] = 200;
	CHECK(nvme_decode_secondary_list(b, sizeof(b), s, 4, &n) == -EBADMSG, "a count past 127 entries is refused");
	b[0] = 3;
	CHECK(nvme_decode_secondary_list(b, 64, s, 4, &n) == -EBADMSG, "entries past the buffer are refused");
}

static size_t load(const char *name, uint8_t *buf, size_t max)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", getenv("DATA_DIR") ? getenv("DATA_DIR") : "tests/unit/data", name);
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, max, f) : 0;
	if (f)
		fclose(f);
	return n;
}

/* Buffers captured from QEMU in the lab (nvme-cli -o binary, after VF 0's controller got 2 VQ,
 * 1 VI and came online); the expected values are nvme-cli's own JSON of the same buffers. */
static void test_captured(void)
{
	uint8_t b[NVME_IDENTIFY_SIZE];
	nvme_primary_caps p;
	nvme_secondary s[NVME_SECONDARY_MAX];
	size_t n = 0;
	CHECK(load("qemu-nvme-primary-caps.bin", b, sizeof(b)) == sizeof(b), "captured primary caps");
	CHECK(nvme_decode_primary_caps(b, sizeof(b), &p) == 0 && p.crt == 3 && p.vqfrt == 6 && p.vqrfa == 2 &&
		      p.vqrfap == 0 && p.vqprt == 3 && p.vqfrsm == 2 && p.vqgran == 1 && p.vifrt == 3 && p.virfa == 1 &&
		      p.virfap == 0 && p.viprt == 3 && p.vifrsm == 1 && p.vigran == 1,
	      "as nvme-cli decodes it: vqfrt 6 vqrfa 2 vqfrsm 2, vifrt 3 virfa 1 vifrsm 1 (got %u %u %u, %u %u %u)",
	      p.vqfrt, p.vqrfa, p.vqfrsm, p.vifrt, p.virfa, p.vifrsm);
	CHECK(load("qemu-nvme-secondary-list.bin", b, sizeof(b)) == sizeof(b), "captured secondary list");
	CHECK(nvme_decode_secondary_list(b, sizeof(b), s, NVME_SECONDARY_MAX, &n) == 0 && n == 3, "3 secondaries");
	CHECK(n == 3 && s[0].scid == 1 && s[0].online && s[0].vfn == 1 && s[0].nvq == 2 && s[0].nvi == 1 &&
		      s[1].scid == 2 && !s[1].online && s[1].nvq == 0 && s[2].vfn == 3,
	      "controller 1 online with 2 VQ and 1 VI, 2 and 3 offline and empty");
}

int main(void)
{
	test_captured();
	test_commands();
	test_primary_caps();
	test_secondary_list();
	return tap_finish("test-nvme");
}
