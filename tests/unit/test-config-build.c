/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration builder (vfctl eswitch, vfctl vdpa add/del): values through the key table as a
 * file's lines are, never formatted into text, so a newline in a value adds nothing. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tap.h"

static void test_vdpa(void)
{
	vfctl_config *c = NULL;
	const char *const *errs;
	CHECK(vfctl_config_new("(command line)", &c) == 0 && vfctl_config_add_unit(c, "VDPA") == 0, "a [VDPA] unit");
	CHECK(vfctl_config_set(c, "Name", "vdpa0") == 0 && vfctl_config_set(c, "MgmtDev", "pci:06:00.2") == 0 &&
		      vfctl_config_set(c, "Driver", "virtio") == 0,
	      "its keys, each checked");
	CHECK_EQ_INT(c->n_units, 1);
	CHECK_STREQ(c->units[0].vdpa_name, "vdpa0");
	CHECK_STREQ(c->units[0].vdpa_mgmtdev, "pci/0000:06:00.2");
	CHECK_STREQ(c->units[0].vdpa_driver, "virtio_vdpa");
	/* What a NAME with newlines once did: a [PF] section with NumVFs=5 of its own. */
	CHECK(vfctl_config_set(c, "Name", "v1\n[PF]\nMatch=pci:0000:01:00.0\nNumVFs=5") == -EINVAL,
	      "a value with a newline is one bad value");
	CHECK(vfctl_config_errors(c, &errs) == 1 && strstr(errs[0], "(command line):5: Name=: a value with a control "
								    "character"),
	      "reported with its origin and position: %s", vfctl_config_errors(c, &errs) ? errs[0] : "(none)");
	CHECK(c->n_units == 1 && c->units[0].num_vfs == -1 && !strcmp(c->units[0].vdpa_name, "vdpa0"),
	      "no unit added, the name kept");
	CHECK(vfctl_config_set(c, "NumVFs", "5") == -EINVAL, "a [PF] key in [VDPA]: unknown, as in a file");
	vfctl_config_free(c);
}

static void test_pf(void)
{
	vfctl_config *c = NULL;
	CHECK(vfctl_config_new("(command line)", &c) == 0 && vfctl_config_set(c, "Match", "pci:01:00.0") == -EINVAL,
	      "a key before any unit is refused");
	CHECK(vfctl_config_add_unit(c, "Bogus") == -EINVAL && vfctl_config_add_unit(c, "PF") == 0, "only known kinds");
	CHECK(vfctl_config_set(c, "Match", "pci:01:00.0") == 0 && vfctl_config_set(c, "EswitchMode", "switchdev") == 0,
	      "Match= and EswitchMode=");
	CHECK_EQ_INT(c->units[0].eswitch_mode, VFCTL_ESWITCH_SWITCHDEV);
	CHECK(vfctl_config_set(c, "EswitchMode", "fast") == -EINVAL, "a bad mode");
	CHECK_EQ_INT(c->units[0].eswitch_mode, VFCTL_ESWITCH_SWITCHDEV);
	vfctl_config_free(c);
}

int main(void)
{
	test_vdpa();
	test_pf();
	return tap_finish("test-config-build");
}
