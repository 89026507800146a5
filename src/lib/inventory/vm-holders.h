/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "ctx.h"

/* Who holds a device: the processes with a VFIO group or a vhost-vdpa node open, and for a VM
 * its name, as libvirt and Proxmox start QEMU. */

/* A VFIO group or vhost-vdpa node some process holds open (what a VM holds). */
typedef struct open_node {
	char *path; /* /dev/vfio/22, /dev/vhost-vdpa-0 */
	int pid;
} open_node;
/* Every process's open /dev/vfio/N and /dev/vhost-vdpa-N, in one pass over /proc; a process that
 * exits meanwhile, or whose fds are not ours to read, is passed over. */
int open_nodes(vfctl_ctx *ctx, open_node **ret, size_t *ret_n);
/* The same, ending the walk once each of wanted (node paths) has been found open. */
int open_nodes_of(vfctl_ctx *ctx, char *const *wanted, size_t n_wanted, open_node **ret, size_t *ret_n);
void open_nodes_free(open_node *v, size_t n);
/* The process holding path among v (0 when none), described into *ret_comm (optional): its name,
 * and the VM's ("qemu-system-x86, vm web01"). */
int open_node_holder(vfctl_ctx *ctx, const open_node *v, size_t n, const char *path, int *ret_pid, char **ret_comm);
/* pid as /proc shows it: its name, and when it is a VM's QEMU the VM's name (-name, libvirt's
 * guest=) and Proxmox's VMID (-id), -1 when none. */
int holder_read(vfctl_ctx *ctx, int pid, vfctl_holder *ret);
void holder_done(vfctl_holder *hd);
/* "qemu-system-x86, vm web01" (NULL on OOM). */
char *holder_describe(const vfctl_holder *hd);
/* Fills each device's and vDPA device's held_by (h->holders_known: /proc's fds could be read).
 * No device on vfio-pci and no vhost-vdpa device: nothing can be held, /proc is not walked. */
int holders_scan(vfctl_ctx *ctx, vfctl_host *h);
