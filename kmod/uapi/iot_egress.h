/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * iot_egress: keep chosen LAN devices off the WAN.
 *
 * This header is the whole userspace ABI of the iot_egress module. It is
 * shared as-is by the module and by iotctl.
 *
 * Generic netlink family IOT_EGRESS_GENL_NAME, version
 * IOT_EGRESS_GENL_VERSION. All state is per network namespace: a request
 * acts on the netns of the socket that sends it. Every command needs
 * CAP_NET_ADMIN in the user namespace that owns that netns: the table is an
 * inventory of the household's devices, so reading it is privileged too.
 *
 * Every message has a flat set of attributes from enum iot_egress_attr.
 * Errors come back as a netlink error with an extack message.
 *
 * IOT_EGRESS_CMD_GET_STATUS (doit)
 *   request:  (none)
 *   reply:    IOT_EGRESS_A_PROTO_VERSION       u32
 *             IOT_EGRESS_A_MODULE_VERSION      string
 *             IOT_EGRESS_A_DEFAULT_POLICY      u8, enum iot_egress_policy
 *             IOT_EGRESS_A_DEVICES             u32, devices in the table
 *             IOT_EGRESS_A_MAX_DEVICES         u32, the max_devices parameter
 *             IOT_EGRESS_A_WAN_NAMES           u32, WAN names configured
 *             IOT_EGRESS_A_DROPPED             u64, packets dropped
 *             IOT_EGRESS_A_GENERATION          u64, bumped on every change
 *             IOT_EGRESS_A_DESTS               u32, destinations recorded
 *             IOT_EGRESS_A_MAX_DESTS           u32, the max_dests parameter
 *             IOT_EGRESS_A_DESTS_PER_DEVICE    u32, the dests_per_device
 *                                              parameter
 *             IOT_EGRESS_A_UNKNOWN             u32, unknown devices recorded
 *             IOT_EGRESS_A_MAX_UNKNOWN         u32, the max_unknown parameter
 *             IOT_EGRESS_A_EVENTS              u64, monitor events sent
 *             IOT_EGRESS_A_SUPPRESSED          u64, monitor events suppressed
 *                                              by the rate limits
 *
 * IOT_EGRESS_CMD_SET_DEVICE (doit): add a device, or update it in place
 *   request:  IOT_EGRESS_A_MAC                 binary, exactly ETH_ALEN
 *             IOT_EGRESS_A_POLICY              u8, ALLOW, DENY or AUDIT
 *             IOT_EGRESS_A_NAME                string (optional), 1 to
 *                                              IOT_EGRESS_NAME_MAX bytes of
 *                                              printable ASCII, no space or
 *                                              any of " ' \ #; when absent,
 *                                              an existing label is kept
 *   reply:    IOT_EGRESS_A_MAC, IOT_EGRESS_A_POLICY,
 *             IOT_EGRESS_A_CUT                 u32, live connections cut
 *   A device that becomes denied is cut off at once: the conntrack entries
 *   of its addresses (from the neighbour tables) towards a WAN interface
 *   are destroyed, which also ends flows offloaded to a flowtable.
 *
 * IOT_EGRESS_CMD_DEL_DEVICE (doit)
 *   request:  IOT_EGRESS_A_MAC
 *
 * IOT_EGRESS_CMD_GET_DEVICE
 *   doit request: IOT_EGRESS_A_MAC; reply: one device message, with the
 *           details below
 *   dumpit: one message per device, NLM_F_DUMP_INTR if the table changed
 *           while the dump was in progress
 *   device message: IOT_EGRESS_A_MAC, IOT_EGRESS_A_POLICY,
 *                   IOT_EGRESS_A_NAME (only if the device has a label),
 *                   IOT_EGRESS_A_DENIED_PACKETS  u64
 *                   IOT_EGRESS_A_DENIED_BYTES    u64
 *                   IOT_EGRESS_A_WAN_PACKETS     u64, forwarded to a WAN
 *                   IOT_EGRESS_A_WAN_BYTES       u64
 *                   IOT_EGRESS_A_LAST_DENIED     u64, Unix time in seconds
 *                                                (absent: never)
 *                   IOT_EGRESS_A_LAST_WAN        u64, likewise
 *   details (doit only):
 *                   IOT_EGRESS_A_SUPPRESSED      u64, monitor events of this
 *                                                device suppressed
 *                   IOT_EGRESS_A_DEST_LIST       nest of destination nests,
 *                                                newest first (denied and
 *                                                audited devices only)
 *                   IOT_EGRESS_A_ADDR_LIST       nest of address nests: the
 *                                                device's addresses in the
 *                                                neighbour tables, each:
 *                     IOT_EGRESS_A_FAMILY        u8, AF_INET or AF_INET6
 *                     IOT_EGRESS_A_ADDR          binary, 4 or 16 bytes
 *   destination nest:
 *     IOT_EGRESS_A_FAMILY      u8, AF_INET or AF_INET6
 *     IOT_EGRESS_A_DST         binary, 4 or 16 bytes
 *     IOT_EGRESS_A_SRC         binary, the source address last seen
 *     IOT_EGRESS_A_PROTO       u8, IPPROTO_*
 *     IOT_EGRESS_A_DPORT       u16, host order; 0 for protocols without
 *                              ports
 *     IOT_EGRESS_A_COUNT       u64, packets
 *     IOT_EGRESS_A_FIRST_SEEN  u64, Unix time in seconds
 *     IOT_EGRESS_A_LAST_SEEN   u64
 *   The type of each entry of a list nest carries no meaning.
 *
 * IOT_EGRESS_CMD_GET_UNKNOWN (dumpit): devices not in the table that tried
 *   to reach a WAN while the default policy was DENY, most recent first.
 *   message:  IOT_EGRESS_A_MAC, IOT_EGRESS_A_DENIED_PACKETS,
 *             IOT_EGRESS_A_DENIED_BYTES, IOT_EGRESS_A_FIRST_SEEN,
 *             IOT_EGRESS_A_LAST_DENIED, IOT_EGRESS_A_DEST_LIST
 *
 * IOT_EGRESS_CMD_FLUSH (doit): remove every device; WAN names and the
 *   default policy stay.
 *
 * IOT_EGRESS_CMD_ADD_WAN / IOT_EGRESS_CMD_DEL_WAN (doit)
 *   request:  IOT_EGRESS_A_IFNAME              string, 1..IFNAMSIZ-1 bytes
 *   The name need not exist yet; it is matched whenever an interface of
 *   that name is in the netns.
 *
 * IOT_EGRESS_CMD_GET_WAN (dumpit): one message per WAN name
 *   message:  IOT_EGRESS_A_IFNAME, IOT_EGRESS_A_IFINDEX (u32, 0 while no
 *             interface of that name exists)
 *
 * IOT_EGRESS_CMD_SET_DEFAULT (doit)
 *   request:  IOT_EGRESS_A_DEFAULT_POLICY      u8, DENY or ALLOW
 *   reply:    IOT_EGRESS_A_DEFAULT_POLICY, IOT_EGRESS_A_CUT
 *
 * Replacing the whole policy at once (what "iotctl load" does):
 *
 * IOT_EGRESS_CMD_LOAD_BEGIN (doit): start staging a new policy, bound to
 *   the sending socket. One load may be staged per netns at a time; the
 *   socket that staged it may begin again, which drops what it staged.
 *   Closing the socket drops it too.
 *
 * IOT_EGRESS_CMD_LOAD_DEVICES (doit): add devices to the staged policy
 *   request:  IOT_EGRESS_A_DEVICE_LIST         nest of nests, each:
 *               IOT_EGRESS_A_MAC, IOT_EGRESS_A_POLICY, IOT_EGRESS_A_NAME
 *                                              (optional, no label if
 *                                              absent)
 *   A MAC staged twice takes its last policy, and its last label if that
 *   entry has one (else it keeps the label it was staged with).  A refused
 *   entry (a bad MAC or label, or max_devices reached) is named by the
 *   extack's offset; the whole staged policy is dropped.
 *
 * IOT_EGRESS_CMD_LOAD_COMMIT (doit): make the staged policy the live one,
 *   devices, WAN names and default together, in one step: the packet path
 *   sees either all of the old policy or all of the new.
 *   request:  IOT_EGRESS_A_DEFAULT_POLICY      u8
 *             IOT_EGRESS_A_WAN_LIST            nest of nests (optional),
 *                                              each: IOT_EGRESS_A_IFNAME
 *   reply:    IOT_EGRESS_A_GENERATION, IOT_EGRESS_A_CUT
 *   If anything is refused, the live policy is unchanged and the staged
 *   one is dropped.
 *
 * IOT_EGRESS_CMD_LOAD_ABORT (doit): drop the staged policy.
 *
 * Monitor: the multicast group IOT_EGRESS_MCGRP_MONITOR, open to holders
 * of CAP_NET_ADMIN only, carries IOT_EGRESS_CMD_EVENT messages: one for
 * each new (device, destination) pair recorded, and every
 * summary_interval seconds one for each pair seen again since. Events are
 * rate limited per device and per netns; what the limits suppress is
 * counted.
 *   event:    IOT_EGRESS_A_EVENT               u8, enum iot_egress_event
 *             IOT_EGRESS_A_TIME                u64, Unix time in seconds
 *             IOT_EGRESS_A_MAC, IOT_EGRESS_A_NAME (if labelled),
 *             IOT_EGRESS_A_POLICY              u8, DENY or AUDIT: what was
 *                                              done with the packet
 *             IOT_EGRESS_A_UNKNOWN             flag, not in the table
 *             IOT_EGRESS_A_FAMILY, IOT_EGRESS_A_SRC, IOT_EGRESS_A_DST,
 *             IOT_EGRESS_A_PROTO, IOT_EGRESS_A_DPORT,
 *             IOT_EGRESS_A_COUNT               u64, packets: 1 for NEW, the
 *                                              packets since the last event
 *                                              of the pair for REPEAT
 *             IOT_EGRESS_A_SUPPRESSED          u64, events of this netns
 *                                              suppressed so far
 *
 * Attribute and command numbers are never reused.
 */
#ifndef _UAPI_IOT_EGRESS_H
#define _UAPI_IOT_EGRESS_H

#define IOT_EGRESS_GENL_NAME		"iot_egress"
#define IOT_EGRESS_GENL_VERSION		1
#define IOT_EGRESS_MCGRP_MONITOR	"monitor"

/* Longest device label, in bytes, without the terminating NUL. */
#define IOT_EGRESS_NAME_MAX		32
/* Most WAN interface names one netns may hold. */
#define IOT_EGRESS_WAN_MAX		32

enum iot_egress_policy {
	IOT_EGRESS_POLICY_UNSPEC,
	IOT_EGRESS_POLICY_ALLOW,
	IOT_EGRESS_POLICY_DENY,
	/* Allowed, but every WAN destination is recorded and reported. */
	IOT_EGRESS_POLICY_AUDIT,
	__IOT_EGRESS_POLICY_MAX
};

#define IOT_EGRESS_POLICY_MAX (__IOT_EGRESS_POLICY_MAX - 1)

enum iot_egress_cmd {
	IOT_EGRESS_CMD_UNSPEC,
	IOT_EGRESS_CMD_GET_STATUS,
	IOT_EGRESS_CMD_SET_DEVICE,
	IOT_EGRESS_CMD_DEL_DEVICE,
	IOT_EGRESS_CMD_GET_DEVICE,
	IOT_EGRESS_CMD_FLUSH,
	IOT_EGRESS_CMD_ADD_WAN,
	IOT_EGRESS_CMD_DEL_WAN,
	IOT_EGRESS_CMD_GET_WAN,
	IOT_EGRESS_CMD_SET_DEFAULT,
	IOT_EGRESS_CMD_LOAD_BEGIN,
	IOT_EGRESS_CMD_LOAD_DEVICES,
	IOT_EGRESS_CMD_LOAD_COMMIT,
	IOT_EGRESS_CMD_LOAD_ABORT,
	IOT_EGRESS_CMD_GET_UNKNOWN,
	IOT_EGRESS_CMD_EVENT,
	__IOT_EGRESS_CMD_MAX
};

#define IOT_EGRESS_CMD_MAX (__IOT_EGRESS_CMD_MAX - 1)

enum iot_egress_attr {
	IOT_EGRESS_A_UNSPEC,
	IOT_EGRESS_A_PAD,
	IOT_EGRESS_A_MAC,
	IOT_EGRESS_A_POLICY,
	IOT_EGRESS_A_NAME,
	IOT_EGRESS_A_IFNAME,
	IOT_EGRESS_A_IFINDEX,
	IOT_EGRESS_A_DEFAULT_POLICY,
	IOT_EGRESS_A_PROTO_VERSION,
	IOT_EGRESS_A_MODULE_VERSION,
	IOT_EGRESS_A_DEVICES,
	IOT_EGRESS_A_MAX_DEVICES,
	IOT_EGRESS_A_WAN_NAMES,
	IOT_EGRESS_A_DROPPED,
	IOT_EGRESS_A_GENERATION,
	IOT_EGRESS_A_DEVICE_LIST,
	IOT_EGRESS_A_WAN_LIST,
	IOT_EGRESS_A_DENIED_PACKETS,
	IOT_EGRESS_A_DENIED_BYTES,
	IOT_EGRESS_A_WAN_PACKETS,
	IOT_EGRESS_A_WAN_BYTES,
	IOT_EGRESS_A_LAST_DENIED,
	IOT_EGRESS_A_LAST_WAN,
	IOT_EGRESS_A_SUPPRESSED,
	IOT_EGRESS_A_DEST_LIST,
	IOT_EGRESS_A_ADDR_LIST,
	IOT_EGRESS_A_FAMILY,
	IOT_EGRESS_A_ADDR,
	IOT_EGRESS_A_DST,
	IOT_EGRESS_A_SRC,
	IOT_EGRESS_A_PROTO,
	IOT_EGRESS_A_DPORT,
	IOT_EGRESS_A_COUNT,
	IOT_EGRESS_A_FIRST_SEEN,
	IOT_EGRESS_A_LAST_SEEN,
	IOT_EGRESS_A_CUT,
	IOT_EGRESS_A_DESTS,
	IOT_EGRESS_A_MAX_DESTS,
	IOT_EGRESS_A_DESTS_PER_DEVICE,
	IOT_EGRESS_A_UNKNOWN,
	IOT_EGRESS_A_MAX_UNKNOWN,
	IOT_EGRESS_A_EVENTS,
	IOT_EGRESS_A_EVENT,
	IOT_EGRESS_A_TIME,
	__IOT_EGRESS_A_MAX
};

#define IOT_EGRESS_A_MAX (__IOT_EGRESS_A_MAX - 1)

enum iot_egress_event {
	IOT_EGRESS_EVENT_UNSPEC,
	/* A (device, destination) pair recorded for the first time. */
	IOT_EGRESS_EVENT_NEW,
	/* A pair seen again since its last event. */
	IOT_EGRESS_EVENT_REPEAT,
	__IOT_EGRESS_EVENT_MAX
};

#endif /* _UAPI_IOT_EGRESS_H */
