/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "parse.h"
#include "siphash.h"
#include "tap.h"
#include "util.h"

static void test_pci_addr(void)
{
	pci_addr a;
	char buf[PCI_ADDR_STRLEN];

	CHECK(parse_pci_addr("0000:06:00.1", &a) == 0, "full form");
	CHECK_STREQ(format_pci_addr(&a, buf), "0000:06:00.1");
	CHECK(parse_pci_addr("06:01.2", &a) == 0, "short form");
	CHECK_EQ_INT(a.domain, 0);
	CHECK_EQ_INT(a.bus, 6);
	CHECK_EQ_INT(a.dev, 1);
	CHECK_EQ_INT(a.fn, 2);
	CHECK(parse_pci_addr("ABCD:FF:1F.7", &a) == 0, "upper case, maxima");
	CHECK_STREQ(format_pci_addr(&a, buf), "abcd:ff:1f.7");
	const char *bad[] = {"",         "06:00",         "06:00.8", "06:20.0",
			     "100:00.0", "0000:06:00.1x", "g6:00.0", "0000:0000:06:00.0",
			     "06:00.",   ":06:00.0",      "enp6s0f1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse_pci_addr(bad[i], &a) == -EINVAL, "rejects \"%s\"", bad[i]);

	pci_addr x = {0, 6, 0, 1}, y = {0, 6, 1, 0}, z = {1, 0, 0, 0};
	CHECK(pci_addr_cmp(&x, &y) < 0 && pci_addr_cmp(&y, &z) < 0 && pci_addr_cmp(&x, &x) == 0, "ordering");
}

static void test_mac(void)
{
	uint8_t m[6];
	char buf[MAC_STRLEN];
	CHECK(parse_mac("00:80:00:00:00:0A", m) == 0, "colon form");
	CHECK_STREQ(format_mac(m, buf), "00:80:00:00:00:0a");
	CHECK(parse_mac("b8-59-9f-a0-00-11", m) == 0 && m[0] == 0xb8 && m[5] == 0x11, "dash form");
	CHECK(parse_mac("00:80:00:00:00", m) == -EINVAL, "short");
	CHECK(parse_mac("00:80:00:00:00:0a:", m) == -EINVAL, "trailing");
	CHECK(parse_mac("0:80:00:00:00:0a", m) == -EINVAL, "one digit");
	uint8_t z[6] = {0};
	CHECK(mac_is_zero(z) && !mac_is_zero(m), "zero");
}

static void test_numbers(void)
{
	uint32_t u;
	uint64_t v;
	int i;
	CHECK(parse_u32("4294967295", &u) == 0 && u == UINT32_MAX, "u32 max");
	CHECK(parse_u32("4294967296", &u) == -ERANGE, "u32 overflow");
	CHECK(parse_u32("010", &u) == 0 && u == 10, "leading zero is decimal, not octal");
	CHECK(parse_u32("-1", &u) == -EINVAL && parse_u32(" 1", &u) == -EINVAL && parse_u32("1 ", &u) == -EINVAL,
	      "sign and spaces");
	CHECK(parse_u64("", &v) == -EINVAL, "empty");
	CHECK(parse_hex_u32("0x15b3", &u) == 0 && u == 0x15b3, "hex with 0x");
	CHECK(parse_hex_u32("020000", &u) == 0 && u == 0x20000, "hex without 0x");
	CHECK(parse_int("-1", &i) == 0 && i == -1, "negative int (numa_node)");
}

static void test_pf_vf(void)
{
	char *pf = NULL;
	unsigned vf;
	CHECK(parse_pf_vf("enp6s0f1np1:vf3", &pf, &vf) == 0 && vf == 3, "PF:vf3");
	CHECK_STREQ(pf, "enp6s0f1np1");
	free(pf);
	pf = NULL;
	CHECK(parse_pf_vf("0000:06:00.1:vf12", &pf, &vf) == 0 && vf == 12, "PCI address PF");
	CHECK_STREQ(pf, "0000:06:00.1");
	free(pf);
	CHECK(parse_pf_vf("eth0:vf", &pf, &vf) == -EINVAL, "no number");
	CHECK(parse_pf_vf("eth0:vf0x1", &pf, &vf) == -EINVAL, "hex index");
	CHECK(parse_pf_vf(":vf1", &pf, &vf) == -EINVAL, "no PF");
	CHECK(parse_pf_vf("0000:06:00.1", &pf, &vf) == -EINVAL, "plain address is not PF:vfN");
}

static void test_cmdline(void)
{
	const char *c = "BOOT_IMAGE=/vmlinuz root=UUID=1 ro quiet intel_iommu=on iommu=pt "
			"pcie_acs_override=downstream,multifunction vfio-pci.ids=15b3:1007 intel_iommu=off "
			"foo=\"a b\" pci";
	char *v;
	v = cmdline_get(c, "intel_iommu");
	CHECK_STREQ(v, "off"); /* the last one wins, as in the kernel */
	free(v);
	v = cmdline_get(c, "iommu");
	CHECK_STREQ(v, "pt");
	free(v);
	v = cmdline_get(c, "pcie_acs_override");
	CHECK_STREQ(v, "downstream,multifunction");
	free(v);
	v = cmdline_get(c, "vfio-pci.ids");
	CHECK_STREQ(v, "15b3:1007");
	free(v);
	v = cmdline_get(c, "foo");
	CHECK_STREQ(v, "a b");
	free(v);
	v = cmdline_get(c, "pci");
	CHECK_STREQ(v, ""); /* bare flag */
	free(v);
	CHECK(cmdline_get(c, "amd_iommu") == NULL, "absent");
	CHECK(cmdline_get(c, "iommu_x") == NULL, "no prefix match");
}

static void test_escape(void)
{
	static const char *const cases[][3] = {
		{"s", "enp6s0f1np1", "enp6s0f1np1"}, {"s", "ev$(reboot)", "'ev$(reboot)'"},
		{"s", "it's", "'it'\\''s'"},         {"s", "", "''"},
		{"q", "a,b,,c", "a,,b,,,,c"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *q = cases[i][0][0] == 's' ? shell_quote(cases[i][1]) : qemu_escape(cases[i][1]);
		CHECK(q && strcmp(q, cases[i][2]) == 0, "%s(\"%s\") = %s",
		      cases[i][0][0] == 's' ? "shell_quote" : "qemu_escape", cases[i][1], q ? q : "NULL");
		free(q);
	}
	CHECK(utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "UTF-8: 2, 3 and 4 bytes");
	const char *bad[] = {"caf\xe9",          "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
			     "\xf4\x90\x80\x80", "\x80",     "\xe2\x82"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!utf8_valid(bad[i]), "UTF-8: rejects bad sequence %zu (cut, overlong, surrogate, > U+10FFFF)", i);
}

static void test_kv(void)
{
	char text[] = "# comment\n\npid=12\nlast=a=b\nbroken\n";
	char *cur = text, *k, *v;
	CHECK(kv_next(&cur, &k, &v) == 1 && streq(k, "pid") && streq(v, "12"), "kv: first pair, comments skipped");
	CHECK(kv_next(&cur, &k, &v) == 1 && streq(k, "last") && streq(v, "a=b"), "kv: value keeps its '='");
	CHECK(kv_next(&cur, &k, &v) == -EINVAL, "kv: a line without '=' is an error");
	CHECK(kv_next(&cur, &k, &v) == 0, "kv: end");
}

/* The reference vector of the SipHash paper (appendix A): key 00..0f, message 00..0e; and every
 * length up to 16 differs, so the tail handling is exercised. */
static void test_siphash(void)
{
	uint8_t key[16], msg[16];
	for (int i = 0; i < 16; i++)
		key[i] = msg[i] = (uint8_t)i;
	CHECK(siphash24(msg, 15, key) == 0xa129ca6149be45e5ULL, "siphash24 reference vector");
	CHECK(siphash24(msg, 0, key) == 0x726fdb47dd0e0e31ULL, "siphash24 of the empty message");
	for (int n = 1; n <= 16; n++)
		CHECK(siphash24(msg, (size_t)n, key) != siphash24(msg, (size_t)n - 1, key), "length %d differs", n);
}

int main(void)
{
	test_siphash();
	test_escape();
	test_kv();
	test_pci_addr();
	test_mac();
	test_numbers();
	test_pf_vf();
	test_cmdline();
	return tap_finish("test-parse");
}
