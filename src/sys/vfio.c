/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfio.h"

static int fail(void)
{
	return -errno;
}

int vfio_open_container(vfio_session *s, const char *dev_dir, int *ret_api)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/vfio", dev_dir);
	s->container = open(path, O_RDWR | O_CLOEXEC);
	if (s->container < 0)
		return fail();
	int api = ioctl(s->container, VFIO_GET_API_VERSION);
	if (api < 0)
		return fail();
	*ret_api = api;
	return api == VFIO_API_VERSION ? 0 : -EPROTO;
}

int vfio_open_group(vfio_session *s, const char *dev_dir, int group, bool *ret_viable)
{
	char path[256];
	struct vfio_group_status st = {.argsz = sizeof(st)};
	snprintf(path, sizeof(path), "%s/%d", dev_dir, group);
	s->group = open(path, O_RDWR | O_CLOEXEC);
	if (s->group < 0)
		return fail();
	if (ioctl(s->group, VFIO_GROUP_GET_STATUS, &st) < 0)
		return fail();
	*ret_viable = st.flags & VFIO_GROUP_FLAGS_VIABLE;
	return 0;
}

int vfio_set_container(vfio_session *s)
{
	return ioctl(s->group, VFIO_GROUP_SET_CONTAINER, &s->container) < 0 ? fail() : 0;
}

int vfio_set_iommu(vfio_session *s, int *ret_type)
{
	/* Type1v2 as QEMU prefers it, type1 as its fallback. */
	int types[] = {VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU};
	for (size_t i = 0; i < 2; i++)
		if (ioctl(s->container, VFIO_CHECK_EXTENSION, types[i]) > 0) {
			if (ioctl(s->container, VFIO_SET_IOMMU, types[i]) < 0)
				return fail();
			*ret_type = types[i];
			return 0;
		}
	return -ENOTSUP;
}

int vfio_get_device(vfio_session *s, const char *pci_addr)
{
	s->device = ioctl(s->group, VFIO_GROUP_GET_DEVICE_FD, pci_addr);
	return s->device < 0 ? fail() : 0;
}

int vfio_device_info(vfio_session *s, vfio_device_summary *ret)
{
	struct vfio_device_info info = {.argsz = sizeof(info)};
	vfio_device_summary d = {0};
	if (ioctl(s->device, VFIO_DEVICE_GET_INFO, &info) < 0)
		return fail();
	d.flags = info.flags;
	d.num_regions = info.num_regions;
	d.num_irqs = info.num_irqs;
	for (uint32_t i = 0; i < info.num_regions && i < 9; i++) {
		/* The fixed part is enough for the size; capability chains would need a second call
		 * with the argsz the first one reports. */
		struct vfio_region_info r = {.argsz = sizeof(r), .index = i};
		if (ioctl(s->device, VFIO_DEVICE_GET_REGION_INFO, &r) < 0) {
			/* The VGA region index exists on every device and answers EINVAL on non-VGA ones. */
			if (errno == EINVAL)
				continue;
			return fail();
		}
		d.region_size[i] = r.size;
	}
	for (uint32_t i = 0; i < info.num_irqs && i < 5; i++) {
		struct vfio_irq_info q = {.argsz = sizeof(q), .index = i};
		if (ioctl(s->device, VFIO_DEVICE_GET_IRQ_INFO, &q) < 0) {
			/* The error-reporting IRQ exists only for PCIe devices: EINVAL on the others. */
			if (errno == EINVAL)
				continue;
			return fail();
		}
		d.irq_count[i] = q.count;
	}
	*ret = d;
	return 0;
}

static int set_irqs(vfio_session *s, unsigned index, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	memset(buf, 0, sizeof(buf));
	set->argsz = fd >= 0 ? sizeof(buf) : sizeof(*set);
	set->flags = (fd >= 0 ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE) | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = index;
	set->start = 0;
	set->count = fd >= 0 ? 1 : 0;
	if (fd >= 0)
		memcpy(set->data, &fd, sizeof(int32_t));
	return ioctl(s->device, VFIO_DEVICE_SET_IRQS, set) < 0 ? fail() : 0;
}

int vfio_set_trigger(vfio_session *s, unsigned index)
{
	if (s->irq_fd < 0)
		s->irq_fd = eventfd(0, EFD_CLOEXEC);
	if (s->irq_fd < 0)
		return fail();
	return set_irqs(s, index, s->irq_fd);
}

int vfio_clear_trigger(vfio_session *s, unsigned index)
{
	return set_irqs(s, index, -1);
}

void vfio_session_close(vfio_session *s)
{
	int *fds[] = {&s->irq_fd, &s->device, &s->group, &s->container};
	for (size_t i = 0; i < 4; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}
