/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "driver-facts.h"
#include "util.h"

#define IGB   "drivers/net/ethernet/intel/igb/igb_main.c:"
#define IXGBE "drivers/net/ethernet/intel/ixgbe/ixgbe_sriov.c:"
#define I40E  "drivers/net/ethernet/intel/i40e/i40e_virtchnl_pf.c:"
#define ICE   "drivers/net/ethernet/intel/ice/"
#define MLX5  "drivers/net/ethernet/mellanox/mlx5/core/"
#define BNXT  "drivers/net/ethernet/broadcom/bnxt/"
#define CORE  "net/core/rtnetlink.c:do_setvfinfo"

const driver_fact driver_facts[] = {
	/* igb */
	{"igb", FACT_REFUSED, "LinkState", FACT_ANY, false, EOPNOTSUPP, "igb has no ndo_set_vf_link_state", CORE},
	{"igb", FACT_REFUSED, "QueryReceiveSideScaling", FACT_ANY, false, EOPNOTSUPP,
	 "igb has no ndo_set_vf_rss_query_en", CORE},
	{"igb", FACT_REFUSED, "MinTxRate", FACT_POSITIVE, false, EINVAL, "igb supports only a maximum rate",
	 IGB "igb_ndo_set_vf_bw"},
	{"igb", FACT_REFUSED, "VLANProtocol", FACT_QINQ, false, EPROTONOSUPPORT, "igb supports only 802.1Q VLANs",
	 IGB "igb_ndo_set_vf_vlan"},
	{"igb", FACT_VF_RELOAD, "MACAddress", FACT_ANY, false, 0,
	 "igb gives a VF the MAC its PF set only in the reply to the VF driver's reset at load (\"Reload the VF "
	 "driver to make this change effective\")",
	 IGB "igb_ndo_set_vf_mac"},
	/* ixgbe */
	{"ixgbe", FACT_REFUSED, "MinTxRate", FACT_POSITIVE, false, EINVAL, "ixgbe supports only a maximum rate",
	 IXGBE "ixgbe_ndo_set_vf_bw"},
	{"ixgbe", FACT_REFUSED, "VLANProtocol", FACT_QINQ, false, EPROTONOSUPPORT, "ixgbe supports only 802.1Q VLANs",
	 IXGBE "ixgbe_ndo_set_vf_vlan"},
	{"ixgbe", FACT_SILENT, "LinkState", FACT_ENABLE, false, 0,
	 "ixgbe answers 0 to a forced link state \"enable\" and stores nothing (only auto and disable work)",
	 IXGBE "ixgbe_ndo_set_vf_link_state"},
	{"ixgbe", FACT_VF_RELOAD, "MACAddress", FACT_ANY, false, 0,
	 "ixgbe gives a VF the MAC its PF set only in the reply to the VF driver's reset at load (\"Reload the VF "
	 "driver to make this change effective\")",
	 IXGBE "ixgbe_ndo_set_vf_mac"},
	/* i40e */
	{"i40e", FACT_REFUSED, "QueryReceiveSideScaling", FACT_ANY, false, EOPNOTSUPP,
	 "i40e has no ndo_set_vf_rss_query_en", CORE},
	{"i40e", FACT_REFUSED, "MinTxRate", FACT_POSITIVE, false, EINVAL, "i40e supports only a maximum rate",
	 I40E "i40e_ndo_set_vf_bw"},
	{"i40e", FACT_REFUSED, "VLANProtocol", FACT_QINQ, false, EPROTONOSUPPORT, "i40e supports only 802.1Q VLANs",
	 I40E "i40e_ndo_set_vf_port_vlan"},
	{"i40e", FACT_RESETS_VF, "MACAddress", FACT_ANY, false, 0,
	 "i40e resets the VF on every MAC write, the unchanged MAC too: vfctl writes only a MAC that differs",
	 I40E "i40e_ndo_set_vf_mac"},
	{"i40e", FACT_RESETS_VF, "Trust", FACT_ANY, false, 0,
	 "i40e resets the VF on every trust write: vfctl writes only a trust that differs",
	 I40E "i40e_ndo_set_vf_trust"},
	/* ice (802.1ad: refused outside Double VLAN Mode, which vfctl cannot read: left to the kernel) */
	{"ice", FACT_REFUSED, "QueryReceiveSideScaling", FACT_ANY, false, EOPNOTSUPP,
	 "ice has no ndo_set_vf_rss_query_en", CORE},
	{"ice", FACT_REFUSED, "Trust", FACT_ANY, true, EOPNOTSUPP, "ice refuses VF trust in switchdev mode",
	 ICE "ice_sriov.c:ice_set_vf_trust"},
	{"ice", FACT_ESWITCH_THROUGH_ZERO, "EswitchMode", FACT_ANY, false, EOPNOTSUPP,
	 "ice changes its eswitch mode only while the PF has no VFs", ICE "ice_eswitch.c:ice_eswitch_mode_set"},
	/* mlx5_core */
	{"mlx5_core", FACT_REFUSED, "QueryReceiveSideScaling", FACT_ANY, false, EOPNOTSUPP,
	 "mlx5_core has no ndo_set_vf_rss_query_en", CORE},
	{"mlx5_core", FACT_REFUSED, "VLANProtocol", FACT_QINQ, false, EPROTONOSUPPORT,
	 "mlx5_core supports only 802.1Q VLANs", MLX5 "en_main.c:mlx5e_set_vf_vlan"},
	{"mlx5_core", FACT_REFUSED, "MACSpoofCheck", FACT_ANY, true, EOPNOTSUPP,
	 "mlx5_core refuses VF spoof checking in switchdev mode (the eswitch's flows decide)",
	 MLX5 "esw/legacy.c:mlx5_eswitch_set_vport_spoofchk"},
	{"mlx5_core", FACT_REFUSED, "Trust", FACT_ANY, true, EOPNOTSUPP, "mlx5_core refuses VF trust in switchdev mode",
	 MLX5 "esw/legacy.c:mlx5_eswitch_set_vport_trust"},
	{"mlx5_core", FACT_REFUSED, "LinkState", FACT_ANY, true, EOPNOTSUPP,
	 "mlx5_core refuses a VF link state in switchdev mode", MLX5 "en_main.c:mlx5e_set_vf_link_state"},
	{"mlx5_core", FACT_REFUSED, "VLANId", FACT_POSITIVE, true, EOPNOTSUPP,
	 "mlx5_core refuses a VF port VLAN in switchdev mode (VLAN 0 succeeds and does nothing)",
	 MLX5 "esw/legacy.c:mlx5_eswitch_set_vport_vlan"},
	{"mlx5_core", FACT_ESWITCH_VFS_UNBOUND, "EswitchMode", FACT_ANY, false, 0,
	 "mlx5_core changes its eswitch mode with VFs, rebuilding their vports: they are unbound around it",
	 MLX5 "eswitch_offloads.c:mlx5_devlink_eswitch_mode_set"},
	/* bnxt_en (802.1ad: refused unless the firmware has it, which vfctl cannot read: left to the kernel) */
	{"bnxt_en", FACT_REFUSED, "QueryReceiveSideScaling", FACT_ANY, false, EOPNOTSUPP,
	 "bnxt_en has no ndo_set_vf_rss_query_en", CORE},
	{"bnxt_en", FACT_NEEDS_PF_UP, "NumVFs", FACT_CHANGE, false, 0,
	 "bnxt_en ignores a sriov_numvfs write while its PF is down (\"Reject SRIOV config request since if is "
	 "down!\", and the write still succeeds)",
	 BNXT "bnxt_sriov.c:bnxt_sriov_configure"},
	{"bnxt_en", FACT_ESWITCH_VFS_UNBOUND, "EswitchMode", FACT_ANY, false, 0,
	 "bnxt_en changes its eswitch mode with or without VFs; the same mode again is EINVAL, so vfctl writes "
	 "only a change",
	 BNXT "bnxt_vfr.c:bnxt_dl_eswitch_mode_set"},
};
const size_t n_driver_facts = ELEMENTSOF(driver_facts);

const driver_fact *driver_fact_blocking(const char *driver, const char *key, fact_value value, bool switchdev)
{
	for (size_t i = 0; driver && i < n_driver_facts; i++) {
		const driver_fact *f = &driver_facts[i];
		if ((f->kind == FACT_REFUSED || f->kind == FACT_SILENT || f->kind == FACT_NEEDS_PF_UP) &&
		    streq(f->driver, driver) && streq(f->key, key) && (f->value == FACT_ANY || f->value == value) &&
		    (!f->switchdev || switchdev))
			return f;
	}
	return NULL;
}

const driver_fact *driver_fact_find(const char *driver, driver_fact_kind kind, const char *key)
{
	for (size_t i = 0; driver && i < n_driver_facts; i++)
		if (driver_facts[i].kind == kind && streq(driver_facts[i].driver, driver) &&
		    streq_ptr(driver_facts[i].key, key))
			return &driver_facts[i];
	return NULL;
}

const driver_fact *driver_fact_eswitch(const char *driver)
{
	for (size_t i = 0; driver && i < n_driver_facts; i++)
		if (streq(driver_facts[i].driver, driver) && (driver_facts[i].kind == FACT_ESWITCH_THROUGH_ZERO ||
							      driver_facts[i].kind == FACT_ESWITCH_VFS_UNBOUND))
			return &driver_facts[i];
	return NULL;
}
