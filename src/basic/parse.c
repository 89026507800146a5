/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"
#include "util.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Reads exactly up to max hex digits (at least one); returns chars consumed or -EINVAL. */
static int hexfield(const char *s, unsigned max_digits, uint32_t *ret)
{
	uint32_t v = 0;
	unsigned i;
	for (i = 0; i < max_digits && hexval(s[i]) >= 0; i++)
		v = v * 16 + (uint32_t)hexval(s[i]);
	if (i == 0)
		return -EINVAL;
	*ret = v;
	return (int)i;
}

int parse_pci_addr(const char *s, pci_addr *ret)
{
	uint32_t f[4];
	int nf = 0;
	const char *p = s;

	if (!s)
		return -EINVAL;
	/* Collect colon-separated hex fields, then the ".F" function. */
	for (;;) {
		if (nf >= 3)
			return -EINVAL;
		int n = hexfield(p, 4, &f[nf]);
		if (n < 0)
			return n;
		p += n;
		nf++;
		if (*p == ':') {
			p++;
			continue;
		}
		if (*p != '.')
			return -EINVAL;
		break;
	}
	p++;
	if (*p < '0' || *p > '7' || p[1] != 0)
		return -EINVAL;

	pci_addr a = {.fn = (uint8_t)(*p - '0')};
	if (nf == 3) {
		a.domain = f[0];
		f[0] = f[1];
		f[1] = f[2];
	} else if (nf != 2)
		return -EINVAL;
	if (f[0] > 0xff || f[1] > 0x1f)
		return -EINVAL;
	a.bus = (uint8_t)f[0];
	a.dev = (uint8_t)f[1];
	*ret = a;
	return 0;
}

char *format_pci_addr(const pci_addr *a, char buf[static PCI_ADDR_STRLEN])
{
	snprintf(buf, PCI_ADDR_STRLEN, "%04x:%02x:%02x.%u", a->domain & 0xffff, a->bus, a->dev & 0x1f, a->fn & 7u);
	return buf;
}

int pci_addr_cmp(const pci_addr *a, const pci_addr *b)
{
	uint64_t x = ((uint64_t)a->domain << 16) | (unsigned)(a->bus << 8) | (unsigned)(a->dev << 3) | a->fn;
	uint64_t y = ((uint64_t)b->domain << 16) | (unsigned)(b->bus << 8) | (unsigned)(b->dev << 3) | b->fn;
	return x < y ? -1 : x > y;
}

int parse_mac(const char *s, uint8_t ret[6])
{
	uint8_t m[6];
	if (!s)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hexval(s[1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		m[i] = (uint8_t)(hi * 16 + lo);
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return -EINVAL;
			s++;
		}
	}
	if (*s)
		return -EINVAL;
	memcpy(ret, m, 6);
	return 0;
}

char *format_mac(const uint8_t mac[6], char buf[static MAC_STRLEN])
{
	snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

bool mac_is_zero(const uint8_t mac[6])
{
	for (int i = 0; i < 6; i++)
		if (mac[i])
			return false;
	return true;
}

static int parse_u64_base(const char *s, int base, uint64_t *ret)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno)
		return -errno;
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int parse_u64(const char *s, uint64_t *ret)
{
	return parse_u64_base(s, 10, ret);
}

int parse_hex_u32(const char *s, uint32_t *ret)
{
	uint64_t v;
	if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	int r = parse_u64_base(s, 16, &v);
	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

int parse_u32(const char *s, uint32_t *ret)
{
	uint64_t v;
	int r = parse_u64(s, &v);
	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

int parse_int(const char *s, int *ret)
{
	char *end;
	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno)
		return -errno;
	if (*end || v < INT32_MIN || v > INT32_MAX)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

int parse_pf_vf(const char *s, char **ret_pf, unsigned *ret_vf)
{
	const char *c = strrchr(s, ':');
	uint32_t n;
	if (!c || c == s || strncmp(c + 1, "vf", 2) != 0)
		return -EINVAL;
	for (const char *d = c + 3; *d; d++)
		if (!isdigit((unsigned char)*d))
			return -EINVAL;
	if (parse_u32(c + 3, &n) < 0)
		return -EINVAL;
	char *pf = strndup(s, (size_t)(c - s));
	if (!pf)
		return -ENOMEM;
	*ret_pf = pf;
	*ret_vf = n;
	return 0;
}

char *cmdline_get(const char *cmdline, const char *key)
{
	size_t klen = strlen(key);
	const char *p = cmdline, *found = NULL;
	size_t flen = 0;

	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		const char *w = p;
		bool quoted = false;
		while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n'))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		if ((size_t)(p - w) >= klen && strncmp(w, key, klen) == 0 && (w[klen] == '=' || w + klen == p)) {
			found = w[klen] == '=' ? w + klen + 1 : w + klen;
			flen = (size_t)(p - found);
		}
		if (w == p)
			break;
	}
	if (!found)
		return NULL;
	if (flen >= 2 && found[0] == '"' && found[flen - 1] == '"') {
		found++;
		flen -= 2;
	}
	return strndup(found, flen);
}

void kv_complete(char *text)
{
	size_t n = strlen(text);
	if (n && text[n - 1] != '\n') {
		char *nl = strrchr(text, '\n');
		*(nl ? nl + 1 : text) = 0;
	}
}

int kv_next(char **cursor, char **ret_key, char **ret_value)
{
	while (*cursor && **cursor) {
		char *line = *cursor, *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		*cursor = nl ? nl + 1 : line + strlen(line);
		if (!*line || *line == '#')
			continue;
		char *eq = strchr(line, '=');
		if (!eq)
			return -EINVAL;
		*eq = 0;
		*ret_key = line;
		*ret_value = eq + 1;
		return 1;
	}
	return 0;
}

bool driver_name_valid(const char *v)
{
	if (!v || !*v || strlen(v) > 64)
		return false;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

int parse_bool(const char *v, int *ret)
{
	static const char *const yes[] = {"1", "yes", "true", "on"}, *const no[] = {"0", "no", "false", "off"};
	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*ret = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*ret = 0;
			return 0;
		}
	}
	return -EINVAL;
}
