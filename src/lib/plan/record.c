/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading the PF records apply --prune returns PFs to (applier.h); record_keep, which writes them
 * in a journal's form, is in journal.c. */
#include <limits.h>
#include <stdio.h>

#include "applier.h"
#include "files.h"

int record_list(vfctl_ctx *ctx, char ***ret, size_t *ret_n)
{
	return record_names(ctx, ctx_state_dir(ctx), RECORD_DIR, ret, ret_n);
}

int record_load(vfctl_ctx *ctx, const vfctl_host *h, const char *name, conf_unit *ret)
{
	char path[PATH_MAX], have[16];
	_cleanup_free_ char *text = NULL, *ids = NULL;
	journal_run j = {0};
	snprintf(path, sizeof(path), "%s/" RECORD_DIR "/%s", ctx_state_dir(ctx), name);
	int r = file_read_text(path, &text);
	if (r < 0)
		return ctx_error(ctx, r, "cannot read the record %s", path);
	/* The ids line, before the parser consumes the text. */
	const char *i = strstr(text, "\nids=");
	if (i && !(ids = strndup(i + 5, strcspn(i + 5, "\n"))))
		return -ENOMEM;
	if ((r = journal_parse(text, ret, &j)) < 0) {
		free(j.last_step);
		return r == -ENOMEM ? r : ctx_error(ctx, r, "%s: malformed (a value the parser rejects)", path);
	}
	free(j.last_step);
	const vfctl_device *d = vfctl_host_find(h, name);
	if (d)
		snprintf(have, sizeof(have), "%04x:%04x", d->vendor_id, d->device_id);
	if (ret->kind != UNIT_PF || !streq_ptr(ret->dev_id, name) || (d && ids && !streq(ids, have))) {
		conf_unit_done(ret);
		return ctx_error(ctx, -ESTALE, "%s: %s (remove it once checked)", path,
				 d && ids && !streq(ids, have) ? "written for another device than the one there now"
							       : "not a PF's record");
	}
	return 0;
}

int records_unnamed(vfctl_ctx *ctx, const vfctl_config *c, char ***ret, size_t *ret_n)
{
	char **names = NULL;
	size_t n = 0, k = 0;
	int r = record_list(ctx, &names, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		bool named = false;
		for (size_t u = 0; u < c->n_units && !named; u++)
			named = c->units[u].dev_id && streq(c->units[u].dev_id, names[i]);
		if (named)
			free(names[i]);
		else
			names[k++] = names[i];
	}
	*ret = names;
	*ret_n = k;
	return 0;
}
