/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The VF flag knobs, one row each (vf-flags.h). */
#include <errno.h>
#include <linux/devlink.h>
#include <linux/if_link.h>
#include <string.h>
#include <strings.h>

#include "parse.h"
#include "vf-flags.h"
#include "vfctl/vfctl.h"

#define SETTING(f) .settings_off = offsetof(vfctl_vf_settings, f)
#define ATTR(a)    .ifla = a, .ifla_name = #a

const vf_flag_desc vf_flags[_VF_FLAG_MAX] = {
	[VF_FLAG_SPOOFCHK] = {.conf_key = "MACSpoofCheck",
			      .key = "spoofchk",
			      .action = "vf-spoofchk",
			      .word = "spoofchk",
			      .have_word = "spoofchk",
			      ATTR(IFLA_VF_SPOOFCHK),
			      SETTING(spoofchk),
			      .fresh = 1,
			      .metric = true},
	[VF_FLAG_TRUST] = {.conf_key = "Trust",
			   .key = "trust",
			   .action = "vf-trust",
			   .word = "trust",
			   .have_word = "trust",
			   ATTR(IFLA_VF_TRUST),
			   SETTING(trust),
			   .fresh = 0,
			   .metric = true},
	[VF_FLAG_LINK_STATE] = {.conf_key = "LinkState",
				.key = "link_state",
				.action = "vf-link-state",
				.word = "state",
				.have_word = "link state",
				ATTR(IFLA_VF_LINK_STATE),
				SETTING(link_state),
				.fresh = IFLA_VF_LINK_STATE_AUTO,
				.link_state = true,
				.metric = true},
	[VF_FLAG_RSS_QUERY] = {.conf_key = "QueryReceiveSideScaling",
			       .key = "query_rss",
			       .action = "vf-query-rss",
			       .word = "query_rss",
			       .have_word = "query_rss",
			       ATTR(IFLA_VF_RSS_QUERY_EN),
			       SETTING(rss_query),
			       .fresh = 0},
	/* mlx5 (eswitch_offloads.c, mlx5_devlink_port_fn_roce_set/_migratable_set): a new VF has RoCE
	 * and is not migratable; either change reaches the VF when its driver next binds. */
	[VF_FLAG_ROCE] = {.conf_key = "RoCE",
			  .key = "roce",
			  .action = "vf-roce",
			  .word = "roce",
			  .have_word = "roce",
			  .devlink_cap = DEVLINK_PORT_FN_CAP_ROCE,
			  SETTING(roce),
			  .fresh = 1},
	[VF_FLAG_MIGRATABLE] = {.conf_key = "Migratable",
				.key = "migratable",
				.action = "vf-migratable",
				.word = "migratable",
				.have_word = "migratable",
				.devlink_cap = DEVLINK_PORT_FN_CAP_MIGRATABLE,
				SETTING(migratable),
				.fresh = 0},
};

int vf_flag_get(const void *settings, vf_flag f)
{
	return *(const int *)((const char *)settings + vf_flags[f].settings_off);
}

void vf_flag_set(void *settings, vf_flag f, int v)
{
	*(int *)((char *)settings + vf_flags[f].settings_off) = v;
}

const char *vf_flag_value_str(vf_flag f, int v)
{
	static const char *const states[] = {"auto", "enable", "disable"};
	if (vf_flags[f].link_state)
		return v >= 0 && v <= 2 ? states[v] : NULL;
	return v == 1 ? "on" : v == 0 ? "off" : NULL;
}

const char *vf_flag_conf_value(vf_flag f, int v)
{
	static const char *const states[] = {"auto", "yes", "no"};
	if (vf_flags[f].link_state)
		return v >= 0 && v <= 2 ? states[v] : NULL;
	return v == 1 ? "yes" : v == 0 ? "no" : NULL;
}

int vf_flag_parse(vf_flag f, const char *text, int *ret)
{
	int b;
	/* auto follows the uplink; yes/no force the VF's link up/down. */
	if (vf_flags[f].link_state && strcasecmp(text, "auto") == 0) {
		*ret = IFLA_VF_LINK_STATE_AUTO;
		return 0;
	}
	if (parse_bool(text, &b) < 0)
		return -EINVAL;
	*ret = vf_flags[f].link_state ? (b ? IFLA_VF_LINK_STATE_ENABLE : IFLA_VF_LINK_STATE_DISABLE) : b;
	return 0;
}

int vf_flag_by_conf_key(const char *key)
{
	for (int f = 0; f < _VF_FLAG_MAX; f++)
		if (strcmp(vf_flags[f].conf_key, key) == 0)
			return f;
	return -1;
}

int vf_flag_by_key(const char *key)
{
	for (int f = 0; f < _VF_FLAG_MAX; f++)
		if (strcmp(vf_flags[f].key, key) == 0)
			return f;
	return -1;
}
