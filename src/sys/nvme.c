/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "nvme.h"

static uint16_t le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}
static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int nvme_decode_primary_caps(const uint8_t *b, size_t len, nvme_primary_caps *ret)
{
	if (len < 80)
		return -EBADMSG;
	*ret = (nvme_primary_caps){
		.cntlid = le16(b + 0),
		.crt = b[4],
		.vqfrt = le32(b + 32),
		.vqrfa = le32(b + 36),
		.vqrfap = le16(b + 40),
		.vqprt = le16(b + 42),
		.vqfrsm = le16(b + 44),
		.vqgran = le16(b + 46),
		.vifrt = le32(b + 64),
		.virfa = le32(b + 68),
		.virfap = le16(b + 72),
		.viprt = le16(b + 74),
		.vifrsm = le16(b + 76),
		.vigran = le16(b + 78),
	};
	return 0;
}

int nvme_decode_secondary_list(const uint8_t *b, size_t len, nvme_secondary *ret, size_t max, size_t *ret_n)
{
	if (len < 32)
		return -EBADMSG;
	size_t n = b[0];
	if (n > NVME_SECONDARY_MAX || 32 + 32 * n > len)
		return -EBADMSG;
	n = n < max ? n : max;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = b + 32 + 32 * i;
		ret[i] = (nvme_secondary){.scid = le16(e),
					  .pcid = le16(e + 2),
					  .online = e[4] & 1,
					  .vfn = le16(e + 8),
					  .nvq = le16(e + 10),
					  .nvi = le16(e + 12)};
	}
	*ret_n = n;
	return 0;
}

void nvme_cmd_identify(struct nvme_passthru_cmd *c, uint8_t cns, uint16_t cntid, void *buf, uint32_t len)
{
	memset(c, 0, sizeof(*c));
	c->opcode = NVME_ADMIN_IDENTIFY;
	c->addr = (uint64_t)(uintptr_t)buf;
	c->data_len = len;
	c->cdw10 = cns | (uint32_t)cntid << 16;
}

void nvme_cmd_virt_mgmt(struct nvme_passthru_cmd *c, uint8_t action, uint8_t res_type, uint16_t cntlid, uint16_t nr)
{
	memset(c, 0, sizeof(*c));
	c->opcode = NVME_ADMIN_VIRT_MGMT;
	c->cdw10 = (action & 0xfu) | (uint32_t)(res_type & 0x7u) << 8 | (uint32_t)cntlid << 16;
	c->cdw11 = nr;
}

int nvme_open(const char *ctrl)
{
	char path[64];
	if (snprintf(path, sizeof(path), "/dev/%s", ctrl) >= (int)sizeof(path) || strchr(ctrl, '/'))
		return -EINVAL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

int nvme_admin(int fd, struct nvme_passthru_cmd *c)
{
	int r = ioctl(fd, NVME_IOCTL_ADMIN_CMD, c);
	return r < 0 ? -errno : r;
}

const char *nvme_status_str(int status)
{
	/* Generic and command-specific status codes the Virtualization Management and Identify
	 * commands return (status field without the DNR/More bits). */
	switch (status & 0x7ff) {
	case 0x001:
		return "Invalid Command Opcode";
	case 0x002:
		return "Invalid Field in Command";
	case 0x11f:
		return "Invalid Controller Identifier";
	case 0x120:
		return "Invalid Secondary Controller State";
	case 0x121:
		return "Invalid Number of Controller Resources";
	case 0x122:
		return "Invalid Resource Identifier";
	default:
		return "controller error";
	}
}

static int identify(int fd, uint8_t cns, uint8_t **ret)
{
	uint8_t *buf = malloc(NVME_IDENTIFY_SIZE);
	struct nvme_passthru_cmd c;
	if (!buf)
		return -ENOMEM;
	nvme_cmd_identify(&c, cns, 0, buf, NVME_IDENTIFY_SIZE);
	int r = nvme_admin(fd, &c);
	if (r != 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	return 0;
}

int nvme_identify_primary(int fd, nvme_primary_caps *ret)
{
	uint8_t *buf = NULL;
	int r = identify(fd, NVME_CNS_PRIMARY_CTRL_CAP, &buf);
	if (r == 0)
		r = nvme_decode_primary_caps(buf, NVME_IDENTIFY_SIZE, ret);
	free(buf);
	return r;
}

int nvme_identify_secondaries(int fd, nvme_secondary *ret, size_t max, size_t *ret_n)
{
	uint8_t *buf = NULL;
	int r = identify(fd, NVME_CNS_SECONDARY_CTRL_LIST, &buf);
	if (r == 0)
		r = nvme_decode_secondary_list(buf, NVME_IDENTIFY_SIZE, ret, max, ret_n);
	free(buf);
	return r;
}
