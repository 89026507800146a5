/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Config-space dumps taken in the lab from QEMU's emulated hardware (od -tx1 of sysfs config). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcicfg.h"
#include "tap.h"

static size_t load_hex(const char *name, uint8_t *buf, size_t max)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", getenv("DATA_DIR") ? getenv("DATA_DIR") : "tests/unit/data", name);
	FILE *f = fopen(path, "re");
	size_t n = 0;
	unsigned v;
	CHECK(f != NULL, "cannot open %s", path);
	if (!f)
		return 0;
	while (n < max && fscanf(f, "%x", &v) == 1)
		buf[n++] = (uint8_t)v;
	fclose(f);
	return n;
}

static void test_igb(void)
{
	uint8_t b[4096];
	pci_config c;
	size_t n = load_hex("igb-82576-pf.hex", b, sizeof(b));
	CHECK_EQ_INT(n, 4096);
	CHECK(pci_config_decode(b, n, &c) == 0, "decode");
	CHECK_EQ_INT(c.vendor, 0x8086);
	CHECK_EQ_INT(c.device, 0x10c9);
	CHECK_EQ_INT(c.class_code, 0x020000);
	CHECK(c.has_subsystem && c.subsystem_vendor == 0x1af4 && c.subsystem_device == 0x1100, "subsystem ids");
	CHECK(c.has_pcie && c.pcie_type == 0, "PCIe endpoint");
	CHECK(c.has_msi && c.has_msix, "MSI and MSI-X");
	CHECK_EQ_INT(pci_msix_vectors(&c), 10);
	CHECK(c.has_sriov, "SR-IOV capability");
	/* The capability says 8; the igb driver caps sriov_totalvfs at 7 (sysfs, not config space). */
	CHECK_EQ_INT(c.sriov.total_vfs, 8);
	CHECK_EQ_INT(c.sriov.initial_vfs, 8);
	CHECK_EQ_INT(c.sriov.num_vfs, 0);
	CHECK_EQ_INT(c.sriov.vf_offset, 0x80);
	CHECK_EQ_INT(c.sriov.vf_stride, 2);
	CHECK_EQ_INT(c.sriov.vf_device, 0x10ca);
	CHECK(pci_sriov_bar_declared(c.sriov.bar[0]) && pci_sriov_bar_declared(c.sriov.bar[3]), "VF BAR0 and BAR3");
	CHECK(c.has_ari, "ARI");
	CHECK(!c.caps_loop, "no loop");

	/* A non-root reader sees 64 bytes: the header decodes, capabilities are unknown. */
	CHECK(pci_config_decode(b, 64, &c) == 0 && c.vendor == 0x8086 && !c.has_msix && !c.has_sriov, "64 bytes");
	/* 256 bytes: standard capabilities, no extended ones. */
	CHECK(pci_config_decode(b, 256, &c) == 0 && c.has_msix && !c.has_sriov, "256 bytes");
	CHECK(pci_config_decode(b, 63, &c) == -EINVAL, "too short");

	/* A VF's vendor and device read as ffff (SR-IOV: the kernel takes them from its PF); the rest
	 * of its config space is real and decodes. */
	memset(b, 0xff, 4);
	CHECK(pci_config_decode(b, n, &c) == 0 && !c.dead && c.vendor == 0xffff, "VF ids: not a dead function");
	CHECK(c.has_msix && pci_msix_vectors(&c) == 10 && c.has_pcie, "VF ids: capabilities decoded");
	memset(b, 0xff, 16);
	CHECK(pci_config_decode(b, n, &c) == 0 && c.dead && !c.has_msix, "all ones to the class: dead");
}

/* A config file over a dump: what pci_config_fetch() asks for, counted. */
typedef struct dump_file {
	const uint8_t *b;
	size_t size, bytes, reads;
} dump_file;

static long dump_read(void *data, void *buf, size_t len, size_t off)
{
	dump_file *f = data;
	f->reads++;
	if (off >= f->size)
		return 0;
	if (len > f->size - off)
		len = f->size - off;
	memcpy(buf, f->b + off, len);
	f->bytes += len;
	return (long)len;
}

/* The fetch reads the chain, not all 4 KiB, and decodes exactly as the whole dump does. */
static void test_fetch(void)
{
	uint8_t b[4096], got[4096];
	size_t n = load_hex("igb-82576-pf.hex", b, sizeof(b)), len = 0;
	pci_config whole, part;
	dump_file f = {.b = b, .size = n};
	CHECK(pci_config_fetch(dump_read, &f, got, &len) == 0 && len == 4096, "fetch: a 4 KiB function");
	CHECK(pci_config_decode(b, n, &whole) == 0 && pci_config_decode(got, len, &part) == 0, "both decode");
	CHECK(part.has_sriov && part.has_ari && part.has_msix && part.has_pcie && part.ext_caps_known &&
		      part.has_acs == whole.has_acs && part.msix_ctrl == whole.msix_ctrl &&
		      part.sriov.total_vfs == whole.sriov.total_vfs && part.sriov.vf_offset == whole.sriov.vf_offset &&
		      part.sriov.vf_stride == whole.sriov.vf_stride && part.sriov.vf_device == whole.sriov.vf_device &&
		      memcmp(part.sriov.bar, whole.sriov.bar, sizeof(part.sriov.bar)) == 0,
	      "fetch: decoded as the whole dump (SR-IOV with its VF BARs, ARI, MSI-X)");
	CHECK(f.bytes < 512, "fetch: %zu bytes read of 4096, in %zu reads", f.bytes, f.reads);
	/* 256 bytes (conventional PCI, no ECAM): no read past it is fatal. */
	f = (dump_file){.b = b, .size = 256};
	CHECK(pci_config_fetch(dump_read, &f, got, &len) == 0 && len == 256, "fetch: a 256-byte file");
	/* Not root: the kernel gives 64 bytes. */
	f = (dump_file){.b = b, .size = 64};
	CHECK(pci_config_fetch(dump_read, &f, got, &len) == 0 && len == 64 && f.reads == 1,
	      "fetch: 64 bytes, one read");
	/* A loop in the extended chain stops. */
	memcpy(got, b, sizeof(got));
	got[0x102] = 0x01, got[0x103] = 0x10; /* the first header points to itself */
	f = (dump_file){.b = got, .size = 4096};
	uint8_t out[4096];
	CHECK(pci_config_fetch(dump_read, &f, out, &len) == 0 && f.reads < 1000, "fetch: a looping chain ends");
}

static void test_nvme(void)
{
	uint8_t b[4096];
	pci_config c;
	size_t n = load_hex("qemu-nvme-sriov.hex", b, sizeof(b));
	CHECK(pci_config_decode(b, n, &c) == 0 && c.has_sriov, "NVMe SR-IOV");
	CHECK_EQ_INT(c.sriov.total_vfs, 3);
	CHECK_EQ_INT(c.sriov.vf_offset, 1);
	CHECK_EQ_INT(c.sriov.vf_stride, 1);
	CHECK(c.has_msix && !c.has_msi, "MSI-X only");
}

static void test_e1000_and_port(void)
{
	uint8_t b[4096];
	pci_config c;
	size_t n = load_hex("e1000-intx.hex", b, sizeof(b));
	CHECK_EQ_INT(n, 256);
	CHECK(pci_config_decode(b, n, &c) == 0, "e1000");
	CHECK(!c.has_pcie && !c.has_msi && !c.has_msix && !c.has_sriov, "conventional PCI, INTx only");
	CHECK_EQ_INT(c.int_pin, 1);

	n = load_hex("pcie-root-port.hex", b, sizeof(b));
	CHECK(pci_config_decode(b, n, &c) == 0 && c.header_type == 1 && c.has_pcie && c.pcie_type == 4,
	      "root port: type 1 header, PCIe type %d", c.pcie_type);
	CHECK(c.class_code == 0x060400 && !c.has_subsystem, "root port: a PCI bridge, no subsystem ids in its header");
}

static void test_loops(void)
{
	uint8_t b[4096] = {0};
	pci_config c;
	/* A standard list that points to itself, and an extended list that does. */
	b[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	b[PCI_CAPABILITY_LIST] = 0x40;
	b[0x40] = PCI_CAP_ID_EXP;
	b[0x41] = 0x40;
	b[0x100] = PCI_EXT_CAP_ID_ARI;
	b[0x102] = 0x01;
	b[0x103] = 0x10; /* next = 0x100 */
	CHECK(pci_config_decode(b, sizeof(b), &c) == 0, "decodes");
	CHECK(c.caps_loop && c.has_pcie && c.has_ari, "loop cut, capabilities kept");
	/* An extended capability pointing past the end of config space stops the walk. */
	memset(b + 0x100, 0, 4);
	b[0x100] = PCI_EXT_CAP_ID_SRIOV;
	b[0x103] = 0xff;
	CHECK(pci_config_decode(b, sizeof(b), &c) == 0 && c.has_sriov, "past the end");
	/* All-ones (device gone) reads as nothing. */
	memset(b, 0xff, sizeof(b));
	CHECK(pci_config_decode(b, sizeof(b), &c) == 0 && c.dead && !c.has_sriov && c.vendor == 0xffff, "gone device");
	CHECK(c.command == 0 && c.header_type == 0 && c.int_pin == 0 && c.class_code == 0,
	      "gone device: its command register (INTx disable), header type, pin and class are not decoded");
}

int main(void)
{
	test_igb();
	test_fetch();
	test_nvme();
	test_e1000_and_port();
	test_loops();
	return tap_finish("test-pcicfg");
}
