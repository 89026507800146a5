/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* QEMU's VFIO open sequence, one call per step, so the caller can report each. All fds are
 * O_CLOEXEC; vfio_session_close releases everything (the container drops the IOMMU mapping). */
typedef struct vfio_session {
	int container, group, device;
	int irq_fd;
} vfio_session;

#define VFIO_SESSION_INIT                                                \
	{                                                                \
		.container = -1, .group = -1, .device = -1, .irq_fd = -1 \
	}

int vfio_open_container(vfio_session *s, const char *dev_dir, int *ret_api);
/* -EBUSY: another process holds the group. ret_viable: every device of the group is bound to
 * vfio-pci (or to nothing). */
int vfio_open_group(vfio_session *s, const char *dev_dir, int group, bool *ret_viable);
int vfio_set_container(vfio_session *s);
int vfio_set_iommu(vfio_session *s, int *ret_type);
int vfio_get_device(vfio_session *s, const char *pci_addr);

typedef struct vfio_device_summary {
	uint32_t flags, num_regions, num_irqs;
	uint64_t region_size[9]; /* BAR0..5, ROM, config, VGA */
	uint32_t irq_count[5];   /* INTx, MSI, MSI-X, ERR, REQ */
} vfio_device_summary;

int vfio_device_info(vfio_session *s, vfio_device_summary *ret);
/* One eventfd as the trigger of vector 0 of irq index (VFIO_PCI_*_IRQ_INDEX), as QEMU does at
 * realize time for INTx; returns the kernel's answer (-EBUSY for a taken INTx line). */
int vfio_set_trigger(vfio_session *s, unsigned index);
int vfio_clear_trigger(vfio_session *s, unsigned index);
void vfio_session_close(vfio_session *s);
