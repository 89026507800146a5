/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/nvme_ioctl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NVMe Virtualization Management through the kernel's admin passthrough (NVME_IOCTL_ADMIN_CMD on
 * the PF's /dev/nvmeN), as the NVMe Base Specification lays the commands and structures out. An
 * SR-IOV VF is a secondary controller: offline, with no queue (VQ) or interrupt (VI) resources,
 * until the primary controller assigns it flexible resources and brings it online. */

#define NVME_ADMIN_IDENTIFY          0x06
#define NVME_ADMIN_VIRT_MGMT         0x1c
#define NVME_CNS_PRIMARY_CTRL_CAP    0x14
#define NVME_CNS_SECONDARY_CTRL_LIST 0x15
#define NVME_IDENTIFY_SIZE           4096
#define NVME_SECONDARY_MAX           127 /* entries one Identify returns */

/* Virtualization Management actions (CDW10 bits 3:0) and resource types (bits 10:8). */
enum {
	NVME_VM_PRIMARY_FLEX = 1,
	NVME_VM_SECONDARY_OFFLINE = 7,
	NVME_VM_SECONDARY_ASSIGN = 8,
	NVME_VM_SECONDARY_ONLINE = 9
};
enum { NVME_RES_VQ = 0, NVME_RES_VI = 1 };

/* Identify Primary Controller Capabilities (CNS 14h): per resource type the flexible total (FRT),
 * what the secondaries hold (RFA), what the primary holds (RFAP), the maximum per secondary (FRSM)
 * and the granularity. */
typedef struct nvme_primary_caps {
	uint16_t cntlid;
	uint8_t crt; /* bit 0: VQ, bit 1: VI resources supported */
	uint32_t vqfrt, vqrfa, vifrt, virfa;
	uint16_t vqrfap, vqprt, vqfrsm, vqgran;
	uint16_t virfap, viprt, vifrsm, vigran;
} nvme_primary_caps;

/* One Secondary Controller List entry (CNS 15h). */
typedef struct nvme_secondary {
	uint16_t scid, pcid;
	bool online;  /* SCS bit 0 */
	uint16_t vfn; /* the VF number + 1; 0: not a VF */
	uint16_t nvq, nvi;
} nvme_secondary;

int nvme_decode_primary_caps(const uint8_t *buf, size_t len, nvme_primary_caps *ret);
/* At most max entries; *ret_n is how many the list holds (capped at max). */
int nvme_decode_secondary_list(const uint8_t *buf, size_t len, nvme_secondary *ret, size_t max, size_t *ret_n);

void nvme_cmd_identify(struct nvme_passthru_cmd *c, uint8_t cns, uint16_t cntid, void *buf, uint32_t len);
void nvme_cmd_virt_mgmt(struct nvme_passthru_cmd *c, uint8_t action, uint8_t res_type, uint16_t cntlid, uint16_t nr);

/* The controller's character device (/dev/nvme0 for "nvme0"), for admin commands: fd or -errno. */
int nvme_open(const char *ctrl);
/* Runs c on the open controller fd: 0, -errno from the kernel, or the NVMe status (> 0, the
 * controller refused: nvme_status_str names it). */
int nvme_admin(int fd, struct nvme_passthru_cmd *c);
const char *nvme_status_str(int status);

/* Identify CNS 14h / 15h on the open controller, decoded: 0, -errno, or the NVMe status (> 0). */
int nvme_identify_primary(int fd, nvme_primary_caps *ret);
int nvme_identify_secondaries(int fd, nvme_secondary *ret, size_t max, size_t *ret_n);
