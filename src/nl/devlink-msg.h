/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct devlink_eswitch {
	int mode;        /* DEVLINK_ESWITCH_MODE_LEGACY 0, _SWITCHDEV 1; -1 unknown */
	int inline_mode; /* DEVLINK_ESWITCH_INLINE_MODE_*; -1 not reported */
	int encap_mode;  /* DEVLINK_ESWITCH_ENCAP_MODE_*; -1 not reported */
} devlink_eswitch;

typedef struct devlink_port {
	char bus[32], dev[64];
	uint32_t index;
	int flavour, pfnum, vfnum, controller;
	bool external;
	char netdev[64];
	/* Its function's capabilities (DEVLINK_PORT_FN_ATTR_CAPS): caps_known the ones the driver
	 * reports (a driver with no port_fn_*_get reports none), caps their values. */
	uint32_t caps, caps_known;
	/* Its function's MAC (DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR): only drivers with port_fn_hw_addr_get
	 * (mlx5) report one. */
	uint8_t hw_addr[6];
	bool has_hw_addr;
} devlink_port;

typedef struct devlink_ports_list {
	devlink_port *v;
	size_t n, alloc;
} devlink_ports_list;

/* One devlink rate object (DEVLINK_CMD_RATE_GET): a leaf (a port's) or a node (a group of them). */
typedef struct devlink_rate {
	char bus[32], dev[64];
	int type;                  /* DEVLINK_RATE_TYPE_LEAF, _NODE; -1 not reported */
	uint32_t port;             /* a leaf's port index */
	char name[64];             /* a node's name */
	char parent[64];           /* its parent node, "" none */
	uint64_t tx_share, tx_max; /* bytes/s */
} devlink_rate;

typedef struct devlink_rates_list {
	devlink_rate *v;
	size_t n, alloc;
} devlink_rates_list;

/* A request addressed to one devlink instance (bus "pci", dev "0000:06:00.0"). */
struct nlmsghdr *devlink_msg(char *buf, uint16_t family, uint8_t cmd, const char *bus, const char *dev);
/* DEVLINK_CMD_PORT_SET of one port: its function's capabilities in mask set to those of value
 * (roce, migratable: DEVLINK_PORT_FN_CAP_*). */
struct nlmsghdr *devlink_port_fn_caps_msg(char *buf, uint16_t family, const char *bus, const char *dev, uint32_t port,
					  uint32_t mask, uint32_t value);
/* DEVLINK_CMD_PORT_SET of one port: its function's MAC (devlink port function set ... hw_addr). */
struct nlmsghdr *devlink_port_fn_hw_addr_msg(char *buf, uint16_t family, const char *bus, const char *dev,
					     uint32_t port, const uint8_t mac[6]);
/* DEVLINK_CMD_RATE_SET of a port's rate leaf: its guaranteed and maximum rate in bytes/s. */
struct nlmsghdr *devlink_rate_leaf_msg(char *buf, uint16_t family, const char *bus, const char *dev, uint32_t port,
				       uint64_t tx_share, uint64_t tx_max);
/* DEVLINK_CMD_RATE_NEW / _SET / _DEL of rate node name (rates in bytes/s, given with NEW and SET). */
struct nlmsghdr *devlink_rate_node_msg(char *buf, uint16_t family, uint8_t cmd, const char *bus, const char *dev,
				       const char *name, uint64_t tx_share, uint64_t tx_max);
/* DEVLINK_CMD_RATE_SET of a port's leaf: its parent node ("" none: the kernel then unsets it). */
struct nlmsghdr *devlink_rate_parent_msg(char *buf, uint16_t family, const char *bus, const char *dev, uint32_t port,
					 const char *parent);
/* One rate object per message, appended to data (a devlink_rates_list). */
int devlink_rate_cb(const struct nlmsghdr *nlh, void *data);
/* Reply decoders, as libmnl callbacks: data is a devlink_eswitch (filled) or a devlink_ports_list
 * (one port appended per message). Unknown attributes are skipped. */
int devlink_eswitch_cb(const struct nlmsghdr *nlh, void *data);
int devlink_port_cb(const struct nlmsghdr *nlh, void *data);
