/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal: each PF's prior state under <rundir>/vfctl/journal while a run changes it. */
#include <limits.h>
#include <stdio.h>

#include "applier.h"
#include "files.h"
#include "json-writer.h"

static void journal_path(applier *a, const char *dev, char *buf, size_t n)
{
	snprintf(buf, n, "%s/vfctl/journal/%s.json", a->rundir, dev);
}

int journal_write(applier *a, const conf_unit *prior)
{
	char path[PATH_MAX], *doc = NULL;
	json_writer w = {0};
	journal_path(a, prior->dev_id, path, sizeof(path));

	json_open_object(&w, NULL);
	json_string(&w, "device", prior->dev_id);
	json_int_or_null(&w, "num_vfs", prior->num_vfs);
	json_tristate(&w, "autoprobe", prior->autoprobe);
	json_tristate(&w, "up", prior->up);
	json_int_or_null(&w, "mtu", prior->mtu);
	json_string(&w, "driver", prior->driver);
	json_open_array(&w, "vfs");
	for (size_t i = 0; i < prior->n_vfs; i++) {
		const vf_target *v = &prior->vfs[i];
		json_open_object(&w, NULL);
		json_string(&w, "mac", v->mac[0] ? v->mac : NULL);
		json_int_or_null(&w, "vlan", v->vlan);
		json_int_or_null(&w, "qos", v->qos);
		json_tristate(&w, "spoofchk", v->spoofchk);
		json_tristate(&w, "trust", v->trust);
		json_int_or_null(&w, "link_state", v->link_state);
		json_int_or_null(&w, "min_tx_rate", v->min_tx_rate);
		json_int_or_null(&w, "max_tx_rate", v->max_tx_rate);
		json_string(&w, "driver", v->driver);
		json_close_object(&w);
	}
	json_close_array(&w);
	json_close_object(&w);
	int r = json_finish(&w, &doc);
	if (r < 0)
		return r;
	r = file_write_text(path, doc);
	free(doc);
	return r < 0 ? ctx_error(a->ctx, r, "cannot write the journal %s", path) : 0;
}

void journal_remove(applier *a, const char *dev)
{
	char path[PATH_MAX];
	journal_path(a, dev, path, sizeof(path));
	(void)file_remove(path);
}
