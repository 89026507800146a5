/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A configuration built in code (vfctl eswitch, vfctl vdpa add/del, a program's own): each key goes
 * through the key table as a file's line does, and no text is formatted from the values, so a
 * value with a newline is one bad value, never a second key or section. */
#include <stdio.h>

#include "config.h"
#include "escape.h"

int vfctl_config_new(const char *origin, vfctl_config **ret)
{
	vfctl_config *c = calloc(1, sizeof(*c));
	if (!c || !(c->files = calloc(1, sizeof(*c->files))) || !(c->files[0] = strdup(origin ? origin : "(code)"))) {
		if (c)
			free(c->files);
		free(c);
		return -ENOMEM;
	}
	c->n_files = 1;
	*ret = c;
	return 0;
}

/* Each key set counts as a line, so errors read "(command line):2: ...". */
static conf_loc next_loc(vfctl_config *c)
{
	return (conf_loc){c->files[0], ++c->built_lines};
}

int vfctl_config_add_unit(vfctl_config *c, const char *section)
{
	unit_kind kind = streq(section, "PF") ? UNIT_PF : streq(section, "Device") ? UNIT_DEVICE : UNIT_VDPA;
	if (!streq(section, "PF") && !streq(section, "Device") && !streq(section, "VDPA"))
		return -EINVAL;
	conf_unit *n = realloc(c->units, (c->n_units + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	c->units = n;
	conf_unit_init(&c->units[c->n_units++], kind, next_loc(c));
	return 0;
}

int vfctl_config_set(vfctl_config *c, const char *key, const char *value)
{
	static const char *const sections[] = {[UNIT_PF] = "PF", [UNIT_DEVICE] = "Device", [UNIT_VDPA] = "VDPA"};
	conf_loc loc = next_loc(c);
	size_t errors = c->n_errors;
	int r;
	/* What a file's line may hold (config-parse.c refuses the rest): plain UTF-8 text. */
	if (!c->n_units)
		r = config_error(c, loc, "%s= before any section", key);
	else if (!text_plain(value))
		r = config_error(c, loc, "%s=: a value with a control character or a byte that is not UTF-8", key);
	else {
		conf_unit *u = &c->units[c->n_units - 1];
		r = config_key(c, u, NULL, sections[u->kind], key, value, loc);
	}
	c->n_parse_errors = c->n_errors; /* a bad value is the configuration's, as a file's line would be */
	return r < 0 ? r : c->n_errors > errors ? -EINVAL : 0;
}
