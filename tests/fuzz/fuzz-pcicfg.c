/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Config space as a device (or a tampered sysfs tree) hands it over: any length from 64 bytes to
 * 4 KiB, capability chains pointing anywhere. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcicfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = {64, 256, PCI_CFG_SPACE_EXP_SIZE};
	pci_config c;
	if (size < 1)
		return 0;
	/* The first byte picks a length the kernel hands out; the rest is the bytes, zero-filled. The
	 * buffer is exactly that long, so a read past it is AddressSanitizer's to see. */
	size_t len = lens[data[0] % 3];
	uint8_t *buf = calloc(1, len);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1 < len ? size - 1 : len);
	(void)pci_config_decode(buf, len, &c);
	free(buf);
	return 0;
}
