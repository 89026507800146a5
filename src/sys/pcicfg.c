/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "pcicfg.h"

static uint16_t rd16(const uint8_t *b, size_t o)
{
	return (uint16_t)(b[o] | b[o + 1] << 8);
}
static uint32_t rd32(const uint8_t *b, size_t o)
{
	return (uint32_t)b[o] | (uint32_t)b[o + 1] << 8 | (uint32_t)b[o + 2] << 16 | (uint32_t)b[o + 3] << 24;
}

static void decode_sriov(const uint8_t *b, uint16_t o, pci_sriov_cap *s)
{
	s->offset = o;
	s->cap = rd32(b, o + 0x04);
	s->ctrl = rd16(b, o + 0x08);
	s->status = rd16(b, o + 0x0a);
	s->initial_vfs = rd16(b, o + 0x0c);
	s->total_vfs = rd16(b, o + 0x0e);
	s->num_vfs = rd16(b, o + 0x10);
	s->func_dep_link = b[o + 0x12];
	s->vf_offset = rd16(b, o + 0x14);
	s->vf_stride = rd16(b, o + 0x16);
	s->vf_device = rd16(b, o + 0x1a);
	s->supported_page_sizes = rd32(b, o + 0x1c);
	s->system_page_size = rd32(b, o + 0x20);
	for (int i = 0; i < PCI_SRIOV_NUM_BARS; i++)
		s->bar[i] = rd32(b, o + 0x24 + 4 * (size_t)i);
}

static long read_exact(pci_config_read_fn rd, void *data, uint8_t *buf, size_t len, size_t off)
{
	long k = rd(data, buf + off, len, off);
	return k < 0 ? k : (size_t)k == len ? 0 : -EIO;
}

int pci_config_fetch(pci_config_read_fn rd, void *data, uint8_t *buf, size_t *ret_len)
{
	pci_config c;
	memset(buf, 0, PCI_CFG_SPACE_EXP_SIZE);
	long k = rd(data, buf, PCI_CFG_SPACE_SIZE, 0);
	if (k < 0)
		return (int)k;
	*ret_len = (size_t)k;
	/* Only a PCIe function has an extended space; a 256-byte file (conventional PCI, a platform
	 * without ECAM) answers the read past it with nothing. */
	if (k < PCI_CFG_SPACE_SIZE || pci_config_decode(buf, PCI_CFG_SPACE_SIZE, &c) < 0 || c.dead || !c.has_pcie)
		return 0;
	k = rd(data, buf + 0x100, 4, 0x100);
	if (k < 4)
		return k < 0 ? (int)k : 0;
	*ret_len = PCI_CFG_SPACE_EXP_SIZE;
	uint16_t pos = 0x100;
	/* The walk pci_config_decode() makes, bounded the same way. */
	for (int ttl = (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8;
	     ttl > 0 && pos <= PCI_CFG_SPACE_EXP_SIZE - 0x40; ttl--) {
		if (pos != 0x100 && (k = read_exact(rd, data, buf, 4, pos)) < 0)
			return (int)k;
		uint32_t h = rd32(buf, pos);
		if (h == 0 || h == 0xffffffff)
			break;
		size_t body = (h & 0xffff) == PCI_EXT_CAP_ID_SRIOV ? 0x3c : (h & 0xffff) == PCI_EXT_CAP_ID_ACS ? 4 : 0;
		if (body && (k = read_exact(rd, data, buf, body, pos + 4u)) < 0)
			return (int)k;
		uint16_t next = (uint16_t)((h >> 20) & 0xffc);
		if (next < 0x100)
			break;
		pos = next;
	}
	return 0;
}

int pci_config_decode(const uint8_t *b, size_t len, pci_config *ret)
{
	pci_config c = {.len = len};

	if (len < 64)
		return -EINVAL;
	c.vendor = rd16(b, 0x00);
	c.device = rd16(b, 0x02);
	/* A function that does not answer reads as all ones: nothing else in it is real, so nothing
	 * else is decoded (its command register would say INTx disabled, its header a bridge).
	 * Vendor and device alone do not tell: a VF's read as ffff by the SR-IOV spec (the kernel
	 * takes them from its PF), while its class and revision are real. */
	if (c.vendor == 0xffff && c.device == 0xffff && rd32(b, 0x08) == 0xffffffff) {
		c.dead = true;
		*ret = c;
		return 0;
	}
	c.command = rd16(b, PCI_COMMAND);
	c.status = rd16(b, PCI_STATUS);
	c.header_type = b[PCI_HEADER_TYPE] & 0x7f;
	c.class_code = (uint32_t)b[0x09] | (uint32_t)b[0x0a] << 8 | (uint32_t)b[0x0b] << 16;
	c.has_subsystem = c.header_type == 0;
	if (c.has_subsystem) {
		c.subsystem_vendor = rd16(b, 0x2c);
		c.subsystem_device = rd16(b, 0x2e);
	}
	c.int_line = b[PCI_INTERRUPT_LINE];
	c.int_pin = b[PCI_INTERRUPT_PIN];
	bool list = c.status & PCI_STATUS_CAP_LIST;
	c.caps_known = !list || len >= PCI_CFG_SPACE_SIZE;

	/* Standard list: at most 48 entries fit in 192 bytes, a longer walk is a loop. CardBus
	 * bridges keep its pointer at 0x14. */
	if (list && len >= PCI_CFG_SPACE_SIZE) {
		uint8_t pos =
			b[c.header_type == PCI_HEADER_TYPE_CARDBUS ? PCI_CB_CAPABILITY_LIST : PCI_CAPABILITY_LIST] &
			~3u;
		for (int ttl = 48; pos >= 0x40; ttl--) {
			if (ttl == 0) {
				c.caps_loop = true;
				break;
			}
			uint8_t id = b[pos];
			switch (id) {
			case PCI_CAP_ID_MSI:
				c.has_msi = true;
				c.msi_ctrl = rd16(b, pos + 2u);
				break;
			case PCI_CAP_ID_MSIX:
				c.has_msix = true;
				c.msix_ctrl = rd16(b, pos + 2u);
				break;
			case PCI_CAP_ID_EXP:
				c.has_pcie = true;
				c.pcie_type = (b[pos + 2u] >> 4) & 0xf;
				break;
			}
			pos = b[pos + 1u] & ~3u;
		}
	}

	/* Extended list: only PCIe devices have one; 4 KiB holds at most 960 headers. */
	c.ext_caps_known = c.caps_known && (!c.has_pcie || len >= PCI_CFG_SPACE_EXP_SIZE);
	if (c.has_pcie && len >= PCI_CFG_SPACE_EXP_SIZE) {
		uint16_t pos = 0x100;
		for (int ttl = (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8; pos >= 0x100; ttl--) {
			if (ttl == 0) {
				c.caps_loop = true;
				break;
			}
			if (pos > PCI_CFG_SPACE_EXP_SIZE - 0x40)
				break;
			uint32_t h = rd32(b, pos);
			if (h == 0 || h == 0xffffffff)
				break;
			switch (h & 0xffff) {
			case PCI_EXT_CAP_ID_SRIOV:
				c.has_sriov = true;
				decode_sriov(b, pos, &c.sriov);
				break;
			case PCI_EXT_CAP_ID_ACS:
				c.has_acs = true;
				c.acs_cap = rd16(b, pos + 4u);
				c.acs_ctrl = rd16(b, pos + 6u);
				break;
			case PCI_EXT_CAP_ID_ARI:
				c.has_ari = true;
				break;
			}
			pos = (uint16_t)((h >> 20) & 0xffc);
		}
	}
	*ret = c;
	return 0;
}
