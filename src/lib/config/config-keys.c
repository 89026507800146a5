/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vfctl.conf's keys, one row each (in the spirit of networkd's gperf table): the sections that
 * take it, how its value is checked, and where it and its line go. The VF flag knobs come from
 * vf_flags[] (vf-flags.c). A key's meaning lives here and nowhere else in the parser. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>

#include "config.h"
#include "parse.h"

enum { S_PF = 1, S_VF = 2, S_DEVICE = 4, S_VDPA = 8, S_RATE_GROUP = 16 };

typedef struct conf_key conf_key;
/* Checks v and stores it at field; 0, or config_error's result with "KEY=VALUE: why". */
typedef int key_parser(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc);

struct conf_key {
	unsigned sections;
	const char *name;
	key_parser *parse;
	size_t off, loc_off; /* in conf_unit, or vf_target for S_VF; loc_off NOLOC: no line kept */
	int64_t lo, hi;      /* p_int, p_int64 */
	const char *why;     /* the message after "KEY=VALUE: " */
};

#define NOLOC SIZE_MAX

static int bad(vfctl_config *c, const conf_key *k, const char *v, conf_loc loc)
{
	return config_error(c, loc, "%s=%s: %s", k->name, v, k->why);
}

static int parse_range(const char *v, int64_t lo, int64_t hi, int64_t *ret)
{
	uint64_t u;
	if (parse_u64(v, &u) < 0 || (int64_t)u < lo || u > (uint64_t)hi)
		return -EINVAL;
	*ret = (int64_t)u;
	return 0;
}

static int p_int(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	int64_t n;
	if (parse_range(v, k->lo, k->hi, &n) < 0)
		return bad(c, k, v, loc);
	*(int *)field = (int)n;
	return 0;
}

static int p_num_vfs(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	if (streq(v, "external")) {
		*(int *)field = NUMVFS_EXTERNAL;
		return 0;
	}
	return p_int(c, k, field, v, loc);
}

static int p_int64(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	if (parse_range(v, k->lo, k->hi, field) < 0)
		return bad(c, k, v, loc);
	return 0;
}

static int p_bool(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	if (parse_bool(v, field) < 0)
		return config_error(c, loc, "%s=%s: not a boolean (yes/no)", k->name, v);
	return 0;
}

static int set_str(char **field, const char *v)
{
	char *n = strdup(v);
	if (!n)
		return -ENOMEM;
	free(*field);
	*field = n;
	return 0;
}

/* A user or group by name or number; resolved now, so a typo is a FILE:LINE error. */
static int p_owner(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	bool group = streq(k->name, "Group");
	uint32_t n;
	if (parse_u32(v, &n) >= 0 && n < INT32_MAX) {
		*(int *)field = (int)n;
		return 0;
	}
	struct group *g = group ? getgrnam(v) : NULL;
	struct passwd *pw = group ? NULL : getpwnam(v);
	if (!g && !pw)
		return config_error(c, loc, "%s=%s: no such %s", k->name, v, group ? "group" : "user");
	*(int *)field = group ? (int)g->gr_gid : (int)pw->pw_uid;
	return 0;
}

static int p_vf_mac(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	uint8_t m[6];
	if (streq(v, VF_MAC_PERSISTENT)) {
		memcpy(field, VF_MAC_PERSISTENT, sizeof(VF_MAC_PERSISTENT));
		return 0;
	}
	if (parse_mac(v, m) < 0)
		return config_error(c, loc, "MACAddress=%s: neither a MAC address nor \"persistent\"", v);
	if (m[0] & 1)
		return config_error(c, loc, "MACAddress=%s: a multicast address cannot be a VF's MAC", v);
	if (mac_is_zero(m))
		return config_error(c, loc,
				    "MACAddress=%s: the all-zero MAC is rejected by many PF drivers; "
				    "leave MACAddress= out to keep the driver's",
				    v);
	format_mac(m, field);
	return 0;
}

static int p_vdpa_mac(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	uint8_t m[6];
	if (parse_mac(v, m) < 0 || (m[0] & 1) || mac_is_zero(m))
		return bad(c, k, v, loc);
	format_mac(m, field);
	return 0;
}

static int p_vlan_proto(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	return vfctl_vlan_proto_from_str(v, field) < 0 ? bad(c, k, v, loc) : 0;
}

static int p_eswitch(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	return vfctl_eswitch_mode_from_str(v, field) < 0 ? bad(c, k, v, loc) : 0;
}

/* VDPA= on a VF and Driver= in [VDPA]: the vDPA bus driver by the name users know it. */
static int p_vdpa_driver(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	const char *drv = streq(v, "vhost") ? "vhost_vdpa" : streq(v, "virtio") ? "virtio_vdpa" : NULL;
	return drv ? set_str(field, drv) : bad(c, k, v, loc);
}

static int p_vf_driver(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	return driver_name_valid(v) ? set_str(field, v) : bad(c, k, v, loc);
}

static int p_device_driver(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	return driver_name_valid(v) && !streq(v, "auto") ? set_str(field, v) : bad(c, k, v, loc);
}

static int p_altname(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	char probe[64];
	if (altname_expand(v, "pf0", 0, probe, sizeof(probe)) < 0 || !strstr(v, "%n"))
		return bad(c, k, v, loc);
	return set_str(field, v);
}

/* A netdev name (IFNAMSIZ - 1 characters) once expanded: checked against the PF's own name in
 * validation; here with a one-letter PF, so a pattern too long for any PF fails at its line. */
static int p_vf_netdev_name(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	char probe[128];
	if (altname_expand(v, "p", 0, probe, sizeof(probe)) < 0 || !strstr(v, "%n") || strlen(probe) > 15 ||
	    strpbrk(v, ":\t\"'") || streq(probe, ".") || streq(probe, ".."))
		return bad(c, k, v, loc);
	return set_str(field, v);
}

/* A bridge is also a netdev (its internal port) of its name: IFNAMSIZ - 1 characters at most. */
static int p_ovs_bridge(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	if (!*v || strlen(v) > 15 || strpbrk(v, "/: \t"))
		return bad(c, k, v, loc);
	return set_str(field, v);
}

/* A devlink rate node's name: devlink(8) writes it after "bus/dev/", so no '/'; a leading digit
 * would read as a port index there. */
#define RATE_GROUP_WHY "a devlink rate node name: 1..63 characters, no / or space, not starting with a digit"
static int p_rate_group_name(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	if (!*v || strlen(v) > 63 || strpbrk(v, "/ \t") || (*v >= '0' && *v <= '9'))
		return bad(c, k, v, loc);
	return set_str(field, v);
}

static int p_vdpa_name(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	if (!*v || strlen(v) > 31 || strchr(v, '/') || strchr(v, ' '))
		return bad(c, k, v, loc);
	return set_str(field, v);
}

/* "vdpasim_net", "pci/0000:06:00.2", and pci:ADDRESS as elsewhere in vfctl.conf */
static int p_mgmtdev(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	char buf[64];
	pci_addr a;
	if (startswith(v, "pci:") && parse_pci_addr(v + 4, &a) >= 0)
		snprintf(buf, sizeof(buf), "pci/%s", format_pci_addr(&a, (char[PCI_ADDR_STRLEN]){0}));
	else
		snprintf(buf, sizeof(buf), "%s", v);
	return set_str(field, buf);
}

static int p_match(vfctl_config *c, const conf_key *k, void *field, const char *v, conf_loc loc)
{
	static const char *const kinds[] = {"pci", "name", "mac", "id", "path"};
	conf_unit *u = field;
	const char *colon = strchr(v, ':');
	size_t i;
	for (i = 0; colon && i < ELEMENTSOF(kinds); i++)
		if (strlen(kinds[i]) == (size_t)(colon - v) && strncmp(v, kinds[i], (size_t)(colon - v)) == 0)
			break;
	if (!colon || i == ELEMENTSOF(kinds) || !colon[1])
		return bad(c, k, v, loc);
	const char *val = colon + 1;
	pci_addr a;
	uint8_t m[6];
	unsigned vd, dd, nth;
	char tail;
	if (i == 0 && parse_pci_addr(val, &a) < 0)
		return config_error(c, loc, "Match=%s: not a PCI address", v);
	if (i == 2 && parse_mac(val, m) < 0)
		return config_error(c, loc, "Match=%s: not a MAC address", v);
	if (i == 3 && !(sscanf(val, "%4x:%4x%c", &vd, &dd, &tail) == 2 ||
			(sscanf(val, "%4x:%4x#%u%c", &vd, &dd, &nth, &tail) == 3)))
		return config_error(c, loc, "Match=%s: expected id:VENDOR:DEVICE or id:VENDOR:DEVICE#N (hex ids)", v);
	match_rule *n = realloc(u->match, (u->n_match + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	u->match = n;
	n[u->n_match] = (match_rule){.kind = strdup(kinds[i]), .value = strdup(val), .loc = loc};
	if (!n[u->n_match].kind || !n[u->n_match].value)
		return -ENOMEM;
	u->n_match++;
	return 0;
}

#define U(f)    offsetof(conf_unit, f), offsetof(conf_unit, l_##f)
#define UN(f)   offsetof(conf_unit, f), NOLOC
#define T(f)    offsetof(vf_target, f), offsetof(vf_target, l_##f)
#define G(f)    offsetof(rate_group_target, f), offsetof(rate_group_target, l_##f)
#define MTU_WHY .lo = 68, .hi = 65535, .why = "must be 68..65535"

static const conf_key keys[] = {
	{S_PF | S_DEVICE, "Match", p_match, 0, NOLOC,
	 .why = "expected pci:ADDRESS, name:IFNAME, mac:MAC, id:VENDOR:DEVICE[#N] or path:PCI-PATH"},
	{S_PF, "NumVFs", p_num_vfs, U(num_vfs), .lo = 0, .hi = 65535, .why = "a whole number, or external"},
	{S_PF, "AutoProbe", p_bool, U(autoprobe)},
	{S_PF, "Up", p_bool, U(up)},
	{S_PF, "MTU", p_int, U(mtu), MTU_WHY},
	{S_PF, "EswitchMode", p_eswitch, U(eswitch_mode), .why = "must be legacy or switchdev"},
	{S_PF, "RepresentorAltName", p_altname, U(rep_altname),
	 .why = "a pattern with %n (the VF number) and optionally %p (the PF's netdev), at most 127 characters "
		"once expanded"},
	{S_PF, "VFNetdevName", p_vf_netdev_name, U(vf_netdev_name),
	 .why = "a pattern with %n (the VF number) and optionally %p (the PF's netdev), a netdev name of at "
		"most 15 characters once expanded, no /, :, quote or space"},
	{S_PF, "OVSBridge", p_ovs_bridge, U(ovs_bridge),
	 .why = "an Open vSwitch bridge name, 1..15 characters, no /, : or space"},
	{S_PF, "OVSHardwareOffload", p_bool, U(ovs_hw_offload)},
	{S_DEVICE, "AllFunctions", p_bool, U(all_functions)},
	{S_DEVICE, "Owner", p_owner, U(owner)},
	{S_DEVICE, "Group", p_owner, U(group)},
	{S_DEVICE, "Driver", p_device_driver, U(driver), .why = "vfio-pci, none or a driver name"},
	{S_DEVICE, "VFIOVariant", p_bool, U(vfio_variant)},
	{S_VF, "MACAddress", p_vf_mac, T(mac)},
	{S_VF, "VLANId", p_int, T(vlan), .lo = 0, .hi = 4095, .why = "must be 0..4095"},
	{S_VF, "QualityOfService", p_int, T(qos), .lo = 0, .hi = 7, .why = "must be 0..7"},
	{S_VF, "VLANProtocol", p_vlan_proto, T(vlan_proto), .why = "must be 802.1Q or 802.1ad"},
	{S_VF, "MinTxRate", p_int64, T(min_tx_rate), .lo = 0, .hi = UINT32_MAX, .why = "Mbit/s, a whole number"},
	{S_VF, "MaxTxRate", p_int64, T(max_tx_rate), .lo = 0, .hi = UINT32_MAX, .why = "Mbit/s, a whole number"},
	{S_VF, "MTU", p_int, T(mtu), MTU_WHY},
	{S_VF, "NVMeQueues", p_int, T(nvme_vq), .lo = 0, .hi = 65535, .why = "a whole number 0..65535"},
	{S_VF, "NVMeInterrupts", p_int, T(nvme_vi), .lo = 0, .hi = 65535, .why = "a whole number 0..65535"},
	{S_VF, "VDPA", p_vdpa_driver, T(vdpa), .why = "vhost (a /dev/vhost-vdpa-N for QEMU) or virtio (a host netdev)"},
	{S_VF, "Owner", p_owner, T(owner)},
	{S_VF, "Group", p_owner, T(group)},
	{S_VF, "Driver", p_vf_driver, T(driver), .why = "auto, none, vfio-pci or a driver name"},
	{S_VF, "VFIOVariant", p_bool, T(vfio_variant)},
	{S_VF, "Unmanaged", p_bool, T(unmanaged)},
	{S_VF, "RateGroup", p_rate_group_name, T(rate_group), .why = RATE_GROUP_WHY},
	{S_RATE_GROUP, "Name", p_rate_group_name, G(name), .why = RATE_GROUP_WHY},
	{S_RATE_GROUP, "MinTxRate", p_int64, G(min_tx_rate), .lo = 0, .hi = UINT32_MAX,
	 .why = "Mbit/s, a whole number"},
	{S_RATE_GROUP, "MaxTxRate", p_int64, G(max_tx_rate), .lo = 0, .hi = UINT32_MAX,
	 .why = "Mbit/s, a whole number"},
	{S_VDPA, "Name", p_vdpa_name, U(vdpa_name), .why = "a vDPA device name, 1..31 characters, no / or space"},
	{S_VDPA, "MgmtDev", p_mgmtdev, U(vdpa_mgmtdev)},
	{S_VDPA, "Driver", p_vdpa_driver, UN(vdpa_driver), .why = "vhost or virtio"},
	{S_VDPA, "MACAddress", p_vdpa_mac, UN(vdpa_mac), .why = "a unicast, non-zero MAC"},
	{S_VDPA, "MTU", p_int, UN(vdpa_mtu), MTU_WHY},
	{S_VDPA, "MaxQueuePairs", p_int, UN(vdpa_vqp), .lo = 1, .hi = 0x8000, .why = "must be 1..32768"},
	{S_VDPA, "Present", p_bool, UN(present)},
};

static int table_key(vfctl_config *c, char *base, unsigned s, const char *section, const char *name, const char *v,
		     conf_loc loc)
{
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		const conf_key *k = &keys[i];
		if (!(k->sections & s) || !streq(k->name, name))
			continue;
		/* The error count tells a rejected value (recorded, not stored) from one that was taken. */
		size_t errors = c->n_errors;
		int r = k->parse(c, k, base + k->off, v, loc);
		if (r >= 0 && c->n_errors == errors && k->loc_off != NOLOC)
			*(conf_loc *)(base + k->loc_off) = loc;
		return r;
	}
	return config_error(c, loc, "unknown key %s= in [%s]", name, section);
}

int config_key(vfctl_config *c, conf_unit *u, vf_target *t, const char *section, const char *name, const char *v,
	       conf_loc loc)
{
	unsigned s = t ? S_VF : u->kind == UNIT_PF ? S_PF : u->kind == UNIT_DEVICE ? S_DEVICE : S_VDPA;
	char *base = t ? (char *)t : (char *)u;
	int f, b;
	if (t && (f = vf_flag_by_conf_key(name)) >= 0) {
		if (vf_flag_parse(f, v, &b) < 0)
			return config_error(c, loc,
					    vf_flags[f].link_state ? "%s=%s: must be auto, yes or no"
								   : "%s=%s: not a boolean (yes/no)",
					    name, v);
		t->flag[f] = b;
		t->l_flag[f] = loc;
		return 0;
	}
	return table_key(c, base, s, section, name, v, loc);
}

int config_rate_group_key(vfctl_config *c, rate_group_target *g, const char *name, const char *v, conf_loc loc)
{
	return table_key(c, (char *)g, S_RATE_GROUP, "RateGroup", name, v, loc);
}
