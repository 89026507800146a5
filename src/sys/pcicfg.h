/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register offsets and IDs spelled as in the PCI specs and linux/pci_regs.h. */
#define PCI_COMMAND              0x04
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS               0x06
#define PCI_STATUS_INTERRUPT     0x08
#define PCI_STATUS_CAP_LIST      0x10
#define PCI_HEADER_TYPE          0x0e
#define PCI_CAPABILITY_LIST      0x34
#define PCI_CB_CAPABILITY_LIST   0x14 /* header type 2 (CardBus bridge) */
#define PCI_HEADER_TYPE_BRIDGE   1
#define PCI_HEADER_TYPE_CARDBUS  2
#define PCI_INTERRUPT_LINE       0x3c
#define PCI_INTERRUPT_PIN        0x3d
#define PCI_CAP_ID_MSI           0x05
#define PCI_CAP_ID_EXP           0x10
#define PCI_CAP_ID_MSIX          0x11
#define PCI_EXT_CAP_ID_ACS       0x0d
#define PCI_EXT_CAP_ID_ARI       0x0e
#define PCI_EXT_CAP_ID_SRIOV     0x10
#define PCI_CFG_SPACE_SIZE       256
#define PCI_CFG_SPACE_EXP_SIZE   4096
#define PCI_SRIOV_NUM_BARS       6

typedef struct pci_sriov_cap {
	uint16_t offset; /* of the capability in config space */
	uint32_t cap;
	uint16_t ctrl, status;
	uint16_t initial_vfs, total_vfs, num_vfs;
	uint8_t func_dep_link;
	uint16_t vf_offset, vf_stride, vf_device;
	uint32_t supported_page_sizes, system_page_size;
	uint32_t bar[PCI_SRIOV_NUM_BARS]; /* raw VF BAR registers */
} pci_sriov_cap;

typedef struct pci_config {
	size_t len; /* bytes available: 64 for non-root readers, 256, or 4096 */
	uint16_t vendor, device, command, status;
	uint32_t class_code; /* class, subclass, prog-if */
	/* A type 0 header's; a bridge keeps them in a capability (has_subsystem false) */
	bool has_subsystem;
	uint16_t subsystem_vendor, subsystem_device;
	uint8_t header_type, int_pin, int_line;

	bool has_msi, has_msix, has_pcie;
	uint16_t msi_ctrl, msix_ctrl;
	uint8_t pcie_type; /* PCI_EXP_TYPE_*: 0 endpoint, 4 root port, ... */

	bool has_sriov, has_acs, has_ari;
	pci_sriov_cap sriov;
	uint16_t acs_cap, acs_ctrl;

	bool caps_loop; /* a capability chain pointed back into itself and was cut */
	/* What the bytes can tell: a 64-byte read (unprivileged) cannot see the capability list,
	 * 256 bytes cannot see the extended one. has_* are meaningful only when known. */
	bool caps_known, ext_caps_known;
	bool dead; /* reads all ones: the function did not answer (gone, or in reset) */
} pci_config;

/* Decodes what is there; what a short buffer cannot show is left unknown (caps_known false). */
int pci_config_decode(const uint8_t *buf, size_t len, pci_config *ret);

/* Reads len bytes of config space at off into buf; returns the bytes read or -errno. */
typedef long (*pci_config_read_fn)(void *data, void *buf, size_t len, size_t off);
/* Fills buf (PCI_CFG_SPACE_EXP_SIZE bytes, zeroed first) with what pci_config_decode() looks at:
 * the first 256 bytes, then of the extended space only the capability chain's headers and the
 * bodies it decodes. The kernel reads config space a dword at a time, each a config cycle (an
 * ECAM access, a VM exit under emulation): 4 KiB is 1,024 of them, this ~70. *ret_len is what
 * the function holds: 64 (not root), 256 or 4096. */
int pci_config_fetch(pci_config_read_fn rd, void *data, uint8_t *buf, size_t *ret_len);

/* MSI-X table size (vectors), from the control word. */
static inline unsigned pci_msix_vectors(const pci_config *c)
{
	return (c->msix_ctrl & 0x7ff) + 1u;
}
/* MSI multiple message capable, as vector count. */
static inline unsigned pci_msi_vectors(const pci_config *c)
{
	return 1u << ((c->msi_ctrl >> 1) & 7);
}
/* A VF BAR that is implemented: memory type bits or an address. */
static inline bool pci_sriov_bar_declared(uint32_t bar)
{
	return bar != 0;
}
