/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which device each kernel log record is about, and the records about one device. */
#include <stdio.h>

#include "checker.h"

/* dddd:bb:dd.f anywhere in the text: "mlx4_core: Initializing 0000:01:00.0", "vfio-intx(...)". */
static bool find_bdf(const char *t, char ret[13])
{
	for (const char *p = t; (p = strchr(p, ':')); p++) {
		if (p - t < 4)
			continue;
		const char *s = p - 4;
		unsigned dom, bus, dev, fn;
		int n = 0;
		if (sscanf(s, "%4x:%2x:%2x.%1u%n", &dom, &bus, &dev, &fn, &n) == 4 && n == 12 && s[4] == ':' &&
		    s[7] == ':' && s[10] == '.') {
			snprintf(ret, 13, "%04x:%02x:%02x.%u", dom, bus, dev, fn);
			return true;
		}
	}
	return false;
}

/* Records about a class device (nvme nvme2, DEVICE=c245:2) name their PCI function only in the
 * line "pci function BDF" that the nvme driver logs first: remember it per dictionary key, in a
 * hash table (a 32 MiB log holds hundreds of thousands of records, each looked up). */
typedef struct alias {
	char *key;
	char bdf[13];
} alias;

typedef struct resolver {
	const vfctl_host *h;
	alias *slots; /* open addressing, a power of two, at most half full */
	size_t n_slots, n_used;
} resolver;

static size_t key_hash(const char *k)
{
	size_t h = 14695981039346656037ULL; /* FNV-1a */
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h;
}

static alias *alias_slot(const resolver *rs, const char *key)
{
	for (size_t i = key_hash(key) & (rs->n_slots - 1);; i = (i + 1) & (rs->n_slots - 1))
		if (!rs->slots[i].key || streq(rs->slots[i].key, key))
			return &rs->slots[i];
}

static const char *alias_get(const resolver *rs, const char *key)
{
	const alias *a = rs->n_slots ? alias_slot(rs, key) : NULL;
	return a && a->key ? a->bdf : NULL;
}

static void alias_set(resolver *rs, const char *key, const char *bdf)
{
	if (2 * (rs->n_used + 1) > rs->n_slots) {
		resolver bigger = {.h = rs->h, .n_slots = rs->n_slots ? 2 * rs->n_slots : 64};
		if (!(bigger.slots = calloc(bigger.n_slots, sizeof(alias))))
			return; /* out of memory: the record stays unresolved */
		for (size_t i = 0; i < rs->n_slots; i++)
			if (rs->slots[i].key)
				*alias_slot(&bigger, rs->slots[i].key) = rs->slots[i];
		bigger.n_used = rs->n_used;
		free(rs->slots);
		*rs = bigger;
	}
	alias *a = alias_slot(rs, key);
	if (!a->key) {
		if (!(a->key = strdup(key)))
			return;
		rs->n_used++;
	}
	snprintf(a->bdf, sizeof(a->bdf), "%s", bdf);
}

static const char *alias_key(const kmsg_record *r, char *buf, size_t size)
{
	if (r->device)
		return r->device;
	/* "nvme nvme2: ..." without a dictionary (a log copied by hand): the first two words. */
	size_t a = strcspn(r->text, " "), b = r->text[a] ? strcspn(r->text + a + 1, " ") : 0;
	if (!b || r->text[a + b] != ':' || a + b + 1 >= size)
		return NULL;
	memcpy(buf, r->text, a + b + 1);
	buf[a + b + 1] = 0;
	return buf;
}

/* The address a record is about: its DEVICE=+pci:, a remembered alias, a netdev's device, or, for
 * a record without a dictionary, the first address in its text. */
static bool record_bdf(resolver *rs, const kmsg_record *r, char ret[13])
{
	const char *pci = kmsg_pci_device(r);
	char buf[64];
	if (pci) {
		snprintf(ret, 13, "%s", pci);
		return true;
	}
	const char *key = alias_key(r, buf, sizeof(buf));
	const char *fn = strstr(r->text, ": pci function ");
	if (key && fn && find_bdf(fn, ret)) {
		alias_set(rs, key, ret);
		return true;
	}
	const char *known = key ? alias_get(rs, key) : NULL;
	if (known) {
		snprintf(ret, 13, "%s", known);
		return true;
	}
	int ifindex;
	if (r->device && sscanf(r->device, "n%d", &ifindex) == 1)
		for (size_t i = 0; i < rs->h->n_devices; i++)
			for (size_t k = 0; k < rs->h->devices[i].n_netdevs; k++)
				if (rs->h->devices[i].netdevs[k].ifindex == ifindex) {
					snprintf(ret, 13, "%s", rs->h->devices[i].id);
					return true;
				}
	/* A record whose dictionary names a device that is not a PCI function (a USB port, a block
	 * device, a process's signal line) is not about the address its text happens to hold. */
	return !r->device && find_bdf(r->text, ret);
}

int log_index(checker *c)
{
	resolver rs = {.h = c->h};
	c->log_bdf = calloc(c->log.n ? c->log.n : 1, sizeof(*c->log_bdf));
	if (!c->log_bdf)
		return -ENOMEM;
	for (size_t i = 0; i < c->log.n; i++)
		if (!record_bdf(&rs, &c->log.records[i], c->log_bdf[i]))
			c->log_bdf[i][0] = 0;
	for (size_t i = 0; i < rs.n_slots; i++)
		free(rs.slots[i].key);
	free(rs.slots);
	return 0;
}

void log_lines_for(const checker *c, const char *bdf, size_t max, strbuf *ret)
{
	size_t idx[8], n = 0, total = 0;
	if (max > ELEMENTSOF(idx))
		max = ELEMENTSOF(idx);
	for (size_t i = 0; i < c->log.n; i++)
		if (streq(c->log_bdf[i], bdf)) {
			if (n == max)
				memmove(idx, idx + 1, --n * sizeof(*idx));
			idx[n++] = i;
			total++;
		}
	if (total > n)
		strbuf_add(ret, "%s(%zu earlier lines about %s)", ret->s ? "\n" : "", total - n, bdf);
	for (size_t i = 0; i < n; i++)
		quote_record(ret, &c->log.records[idx[i]]);
}

const kmsg_record *log_find(const checker *c, const char *needle)
{
	for (size_t i = c->log.n; c->log_error == 0 && i-- > 0;)
		if (strstr(c->log.records[i].text, needle))
			return &c->log.records[i];
	return NULL;
}
