// SPDX-License-Identifier: GPL-2.0
/*
 * The module-wide messages: opening (with the protocol check), the
 * status, and the default policy.
 */
#include <inttypes.h>
#include <string.h>

#include "nl_attr.h"

struct protocol_reply {
	uint32_t version;
	char module_version[64];
	bool found;
};

static int parse_protocol(struct nlattr **tb, void *arg,
			  struct iot_nl_error *err)
{
	struct protocol_reply *reply = arg;

	if (!tb[IOT_EGRESS_A_PROTO_VERSION]) {
		tx_error(err, IOT_NL_BAD_REPLY,
			 "the status reply lacks the protocol version");
		return -1;
	}
	reply->version = nla_get_u32(tb[IOT_EGRESS_A_PROTO_VERSION]);
	if (tb[IOT_EGRESS_A_MODULE_VERSION])
		dec_string(reply->module_version,
			   sizeof(reply->module_version),
			   tb[IOT_EGRESS_A_MODULE_VERSION]);
	reply->found = true;
	return 0;
}

/*
 * iotctl speaks one major version of the protocol, IOT_EGRESS_PROTO_VERSION:
 * it refuses a module of an older or a newer one, which it would misread.
 */
static int check_protocol(struct iot_nl *nl, struct iot_nl_error *err)
{
	struct protocol_reply reply = { .module_version = "?" };
	struct nl_msg *msg;

	msg = tx_request(nl, IOT_EGRESS_CMD_GET_STATUS, NLM_F_ACK, 0, err);
	if (!msg || tx_transact(nl, msg, parse_protocol, &reply, err) < 0)
		return -1;
	if (!reply.found) {
		tx_error(err, IOT_NL_BAD_REPLY, "no status in the reply");
		return -1;
	}
	if (reply.version != IOT_EGRESS_PROTO_VERSION) {
		tx_error(err, IOT_NL_LOCAL,
			 "the %s module %s speaks protocol %" PRIu32 ", this iotctl protocol %d: install an iotctl and a module of the same release",
			 IOT_EGRESS_GENL_NAME, reply.module_version,
			 reply.version, IOT_EGRESS_PROTO_VERSION);
		return -1;
	}
	return 0;
}

struct iot_nl *iot_nl_open(struct iot_nl_error *err)
{
	struct iot_nl *nl = tx_open(false, reply_policy, err);

	if (nl && check_protocol(nl, err) < 0) {
		iot_nl_close(nl);
		return NULL;
	}
	return nl;
}

struct status_reply {
	struct iot_status *st;
	bool found;
};

static int parse_status(struct nlattr **tb, void *arg,
			struct iot_nl_error *err)
{
	static const int required[] = {
		IOT_EGRESS_A_PROTO_VERSION, IOT_EGRESS_A_MODULE_VERSION,
		IOT_EGRESS_A_DEFAULT_POLICY, IOT_EGRESS_A_DEVICES,
		IOT_EGRESS_A_MAX_DEVICES, IOT_EGRESS_A_WAN_NAMES,
		IOT_EGRESS_A_DROPPED, IOT_EGRESS_A_GENERATION,
	};
	static const int recording[] = {
		IOT_EGRESS_A_DESTS, IOT_EGRESS_A_MAX_DESTS,
		IOT_EGRESS_A_DESTS_PER_DEVICE, IOT_EGRESS_A_UNKNOWN,
		IOT_EGRESS_A_MAX_UNKNOWN, IOT_EGRESS_A_EVENTS,
		IOT_EGRESS_A_SUPPRESSED,
	};
	struct status_reply *reply = arg;
	struct iot_status *st = reply->st;
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!tb[required[i]]) {
			tx_error(err, IOT_NL_BAD_REPLY,
				 "the status reply lacks attribute %d",
				 required[i]);
			return -1;
		}
	}
	st->proto_version = nla_get_u32(tb[IOT_EGRESS_A_PROTO_VERSION]);
	dec_string(st->module_version, sizeof(st->module_version),
		   tb[IOT_EGRESS_A_MODULE_VERSION]);
	st->default_policy = nla_get_u8(tb[IOT_EGRESS_A_DEFAULT_POLICY]);
	st->devices = nla_get_u32(tb[IOT_EGRESS_A_DEVICES]);
	st->max_devices = nla_get_u32(tb[IOT_EGRESS_A_MAX_DEVICES]);
	st->wan_names = nla_get_u32(tb[IOT_EGRESS_A_WAN_NAMES]);
	st->dropped = nla_get_u64(tb[IOT_EGRESS_A_DROPPED]);
	st->generation = nla_get_u64(tb[IOT_EGRESS_A_GENERATION]);
	/* Older modules record nothing: all of these, or none. */
	st->has_recording = true;
	for (i = 0; i < sizeof(recording) / sizeof(recording[0]); i++)
		st->has_recording &= tb[recording[i]] != NULL;
	if (st->has_recording) {
		st->dests = nla_get_u32(tb[IOT_EGRESS_A_DESTS]);
		st->max_dests = nla_get_u32(tb[IOT_EGRESS_A_MAX_DESTS]);
		st->dests_per_device =
			nla_get_u32(tb[IOT_EGRESS_A_DESTS_PER_DEVICE]);
		st->unknown = nla_get_u32(tb[IOT_EGRESS_A_UNKNOWN]);
		st->max_unknown = nla_get_u32(tb[IOT_EGRESS_A_MAX_UNKNOWN]);
		st->events = nla_get_u64(tb[IOT_EGRESS_A_EVENTS]);
		st->suppressed = nla_get_u64(tb[IOT_EGRESS_A_SUPPRESSED]);
	}
	/* Older modules have no exceptions: all of these, or none. */
	st->has_exceptions = tb[IOT_EGRESS_A_EXCEPTIONS] &&
			     tb[IOT_EGRESS_A_MAX_EXCEPTIONS] &&
			     tb[IOT_EGRESS_A_EXCEPTIONS_PER_DEVICE];
	if (st->has_exceptions) {
		st->exceptions = nla_get_u32(tb[IOT_EGRESS_A_EXCEPTIONS]);
		st->max_exceptions =
			nla_get_u32(tb[IOT_EGRESS_A_MAX_EXCEPTIONS]);
		st->exceptions_per_device =
			nla_get_u32(tb[IOT_EGRESS_A_EXCEPTIONS_PER_DEVICE]);
	}
	/* Older modules drop nothing early: both of these, or none. */
	st->has_early = tb[IOT_EGRESS_A_DROPPED_EARLY] &&
			tb[IOT_EGRESS_A_EARLY_DROP];
	if (st->has_early) {
		st->dropped_early = nla_get_u64(tb[IOT_EGRESS_A_DROPPED_EARLY]);
		st->early_drop = nla_get_u8(tb[IOT_EGRESS_A_EARLY_DROP]) != 0;
	}
	reply->found = true;
	return 0;
}

int iot_nl_get_status(struct iot_nl *nl, struct iot_status *st,
		      struct iot_nl_error *err)
{
	struct status_reply reply = { .st = st };
	struct nl_msg *msg;

	memset(st, 0, sizeof(*st));
	msg = tx_request(nl, IOT_EGRESS_CMD_GET_STATUS, NLM_F_ACK, 0, err);
	if (!msg || tx_transact(nl, msg, parse_status, &reply, err) < 0)
		return -1;
	if (!reply.found) {
		tx_error(err, IOT_NL_BAD_REPLY, "no status in the reply");
		return -1;
	}
	return 0;
}

int iot_nl_set_default(struct iot_nl *nl, uint8_t policy, uint32_t *cut,
		       struct iot_nl_error *err)
{
	struct cut_reply reply = { 0 };
	struct nl_msg *msg;

	if (cut)
		*cut = 0;
	msg = tx_request(nl, IOT_EGRESS_CMD_SET_DEFAULT, NLM_F_ACK, 0, err);
	if (!msg)
		return -1;
	if (nla_put_u8(msg, IOT_EGRESS_A_DEFAULT_POLICY, policy) < 0)
		return tx_put_failed(msg, err);
	if (tx_transact(nl, msg, parse_cut, &reply, err) < 0)
		return -1;
	if (cut)
		*cut = reply.cut;
	return 0;
}
