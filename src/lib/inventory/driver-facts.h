/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* What a PF driver does with a request, read from its Linux 6.12 source: one row per fact, each
 * with the function that decides it. docs/drivers/DRIVER.md has the row with the same source
 * (test-driver-facts checks it), among everything else read there. Validation refuses a
 * configuration the driver can never take (FACT_REFUSED, FACT_SILENT, FACT_NEEDS_PF_UP); the planner
 * orders an eswitch change by FACT_ESWITCH_* and reloads a VF's driver by FACT_VF_RELOAD;
 * FACT_RESETS_VF is why the planner never writes a value the VF has. */
typedef enum driver_fact_kind {
	FACT_REFUSED,              /* the kernel answers err for the key's value */
	FACT_SILENT,               /* the driver answers 0 and does nothing: vfctl would report drift forever */
	FACT_NEEDS_PF_UP,          /* a sriov_numvfs write with the PF down succeeds and makes no VF */
	FACT_RESETS_VF,            /* a write resets the VF, unchanged value or not */
	FACT_VF_RELOAD,            /* the VF's driver sees the value only when it next loads: reloaded */
	FACT_ESWITCH_THROUGH_ZERO, /* the eswitch mode changes only without VFs: VFs to 0, switch, back */
	FACT_ESWITCH_VFS_UNBOUND,  /* the eswitch mode changes with VFs, which are unbound around it */
} driver_fact_kind;

/* Which value of key the row is about. */
typedef enum fact_value {
	FACT_ANY,      /* any value given */
	FACT_POSITIVE, /* a number above 0 (MinTxRate=) */
	FACT_QINQ,     /* VLANProtocol=802.1ad */
	FACT_ENABLE,   /* LinkState=yes */
	FACT_CHANGE,   /* NumVFs= that changes the count */
} fact_value;

typedef struct driver_fact {
	const char *driver;
	driver_fact_kind kind;
	const char *key; /* vfctl.conf's key it is about ("VLANProtocol"), NULL for a behaviour */
	fact_value value;
	bool switchdev; /* only in switchdev mode */
	int err;        /* what the kernel answers (positive errno), 0 none */
	const char *why;
	const char *source; /* "drivers/net/ethernet/intel/igb/igb_main.c:igb_ndo_set_vf_vlan" */
} driver_fact;

extern const driver_fact driver_facts[];
extern const size_t n_driver_facts;

/* The first fact of driver about key and value (switchdev: the PF will be in switchdev mode) that
 * keeps it from being applied (refused, silent, needs the PF up), NULL when none. */
const driver_fact *driver_fact_blocking(const char *driver, const char *key, fact_value value, bool switchdev);
/* The fact of driver of kind about key, NULL when the table has none. */
const driver_fact *driver_fact_find(const char *driver, driver_fact_kind kind, const char *key);
/* The eswitch fact of driver, NULL when the table has none. */
const driver_fact *driver_fact_eswitch(const char *driver);
