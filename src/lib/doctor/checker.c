/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "checker.h"
#include "report.h"

void add(checker *c, const char *id, vfctl_severity sev, const vfctl_device *d, const char *summary,
	 const char *evidence, const char *fix)
{
	if (!c->error)
		c->error = report_add(c->rep, id, sev, d ? d->id : NULL, summary, evidence, fix);
}

void quote_record(strbuf *b, const kmsg_record *r)
{
	strbuf_add(b, "%s[%5" PRIu64 ".%06" PRIu64 "] %s", b->s ? "\n" : "", r->usec / 1000000, r->usec % 1000000,
		   r->text);
}

const char *grub_hint(void)
{
	return "add it to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub and run update-grub (systemd-boot: "
	       "/etc/kernel/cmdline and proxmox-boot-tool refresh), then reboot";
}

bool doctor_selected(const checker *c, const vfctl_device *d)
{
	return !c->select || c->select[d - c->h->devices];
}

/* Devices someone would pass to a VM: NICs, storage, GPUs, audio, USB controllers, and every
 * SR-IOV function. Bridges and host chipset functions are not candidates by themselves. */
bool doctor_candidate(const checker *c, const vfctl_device *d)
{
	int cls = d->class_code >> 16;
	if (d->is_bridge || !streq(d->bus, "pci"))
		return false;
	if (c->select)
		return true; /* the user asked about this device */
	return d->physfn || d->total_vfs >= 0 || cls == 0x01 || cls == 0x02 || cls == 0x03 || cls == 0x04 ||
	       (d->class_code >> 8) == 0x0c03;
}
