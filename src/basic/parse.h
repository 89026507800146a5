/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* A PCI address: domain:bus:device.function. */
typedef struct pci_addr {
	uint32_t domain;
	uint8_t bus, dev, fn;
} pci_addr;

#define PCI_ADDR_STRLEN sizeof("ffff:ff:1f.7")
#define MAC_STRLEN      sizeof("ff:ff:ff:ff:ff:ff")

/* Accepts DDDD:BB:DD.F and BB:DD.F (domain 0), hex, case-insensitive. */
int parse_pci_addr(const char *s, pci_addr *ret);
/* Always the canonical 0000:06:00.1 form, as sysfs names devices. */
char *format_pci_addr(const pci_addr *a, char buf[static PCI_ADDR_STRLEN]);
int pci_addr_cmp(const pci_addr *a, const pci_addr *b);

int parse_mac(const char *s, uint8_t ret[6]);
/* A kernel driver's name as sysfs spells it (letters, digits, _ and -, at most 64): nothing that
 * could climb out of a sysfs path. */
bool driver_name_valid(const char *v);
char *format_mac(const uint8_t mac[6], char buf[static MAC_STRLEN]);
bool mac_is_zero(const uint8_t mac[6]);

/* Strict decimal parse: whole string, no sign, no overflow (leading zeros are not octal). */
int parse_u64(const char *s, uint64_t *ret);
/* Hex with or without 0x, as sysfs writes vendor/device/class. */
int parse_hex_u32(const char *s, uint32_t *ret);
int parse_u32(const char *s, uint32_t *ret);
int parse_int(const char *s, int *ret);
/* systemd's booleans: 1/yes/true/on and 0/no/false/off, any case; *ret 1 or 0. */
int parse_bool(const char *v, int *ret);

/* "PF:vfN" → PF name and N. Returns -EINVAL if s has no ":vf<digits>" suffix. */
int parse_pf_vf(const char *s, char **ret_pf, unsigned *ret_vf);

/* The value of a kernel argument ("" for a bare flag), NULL if absent; the last one wins, as in
 * the kernel. */
char *cmdline_get(const char *cmdline, const char *key);

/* The next "key=value" line of the text at *cursor, which it consumes (NULs replace the '=' and
 * the newline): blank lines and '#' comments are skipped. 1 with *key and *value set, 0 at the
 * end, -EINVAL for a line without '='. vfctl's own state files under /run use this format. */
int kv_next(char **cursor, char **ret_key, char **ret_value);
/* Drops a last line without its newline (an append cut short): what kv_next then reads is whole. */
void kv_complete(char *text);
