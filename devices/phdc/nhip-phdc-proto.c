/*
 * Nhịp — IEEE 11073-20601 (PHDC) APDU codec and manager state machine (no I/O).
 *
 * Everything is MDER: big-endian integers, 16-bit lengths before octet strings and
 * sequences. The manager is a state object: each APDU the agent sends goes in, and out
 * come the APDUs to answer with, the measurements and the events. See README.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "nhip-bytes.h"
#include "nhip-phdc-proto.h"

#define PHDC_MAX_COMPOUND 8

typedef struct {
	guint16 id;
	guint16 len;
} PhdcAvmEntry;

typedef struct {
	guint16 handle;
	GArray *avm; /* PhdcAvmEntry */
} PhdcHandleAvm;

typedef struct {
	guint16 obj_class;
	guint16 handle;
	guint16 partition;
	guint16 type;
	guint16 unit;
	GArray *metric_ids;	/* guint16 */
	GArray *avm;		/* PhdcAvmEntry */
	GPtrArray *handle_avms; /* PhdcHandleAvm, for scanners */
} PhdcObject;

typedef struct {
	guint16 obj_class;
	guint16 partition;
	guint16 type;
	guint16 handle;
	GArray *avm;
} PhdcSegElem;

typedef struct {
	guint16 instance;
	guint32 usage_count; /* G_MAXUINT32 when unknown */
	guint16 entry_header;
	GPtrArray *elems; /* PhdcSegElem */
} PhdcSegment;

typedef enum {
	PHDC_PENDING_NONE,
	PHDC_PENDING_GET_MDS,
	PHDC_PENDING_SEG_INFO,
	PHDC_PENDING_TRIG_XFER,
} PhdcPending;

typedef struct {
	gdouble values[PHDC_MAX_COMPOUND];
	NhipPhdcNumberStatus status[PHDC_MAX_COMPOUND];
	guint n_values;
	guint16 metric_ids[PHDC_MAX_COMPOUND];
	guint n_metric_ids;
	GDateTime *time;
	guint16 unit;
	guint16 msmt_status;
} PhdcObs;

struct _NhipPhdcManager {
	NhipPhdcState state;
	NhipPhdcAssociation assoc;
	guint8 manager_id[8];
	GPtrArray *objects;	 /* PhdcObject */
	GPtrArray *segments;	 /* PhdcSegment */
	guint16 pm_store_handle; /* 0 = none */
	gboolean fetch_stored;
	guint16 next_invoke;
	PhdcPending pending;
	guint segment_cursor;
	gchar *model;
	gchar *serial;
	/* stream reassembly */
	GByteArray *buf;
	gsize buf_offset;
	NhipGarbageRun garbage;
};

/* ---- numbers and times ----------------------------------------------------------- */

/**
 * nhip_phdc_sfloat_to_double:
 * @raw: a 16-bit SFLOAT-Type (4-bit exponent, 12-bit mantissa)
 * @value: (out): the number, or NaN / ±infinity for special values
 *
 * Returns: whether @raw is an ordinary number or which special value it is
 */
NhipPhdcNumberStatus
nhip_phdc_sfloat_to_double(guint16 raw, gdouble *value)
{
	gint mantissa = raw & 0x0FFF;
	gint exponent = (raw >> 12) & 0x0F;

	switch (raw) {
	case 0x07FF:
		*value = NAN;
		return NHIP_PHDC_NUMBER_NAN;
	case 0x0800:
		*value = NAN;
		return NHIP_PHDC_NUMBER_NRES;
	case 0x07FE:
		*value = INFINITY;
		return NHIP_PHDC_NUMBER_POS_INF;
	case 0x0802:
		*value = -INFINITY;
		return NHIP_PHDC_NUMBER_NEG_INF;
	case 0x0801:
		*value = NAN;
		return NHIP_PHDC_NUMBER_RESERVED;
	default:
		break;
	}
	if (mantissa >= 0x0800)
		mantissa -= 0x1000;
	if (exponent >= 0x8)
		exponent -= 0x10;
	/* divide for negative exponents: 796 / 10 is exactly 79.6, 796 * 0.1 is not */
	*value = exponent < 0 ? mantissa / pow(10, -exponent) : mantissa * pow(10, exponent);
	return NHIP_PHDC_NUMBER_VALUE;
}

/**
 * nhip_phdc_float_to_double:
 * @raw: a 32-bit FLOAT-Type (8-bit exponent, 24-bit mantissa)
 * @value: (out): the number, or NaN / ±infinity for special values
 *
 * Returns: whether @raw is an ordinary number or which special value it is
 */
NhipPhdcNumberStatus
nhip_phdc_float_to_double(guint32 raw, gdouble *value)
{
	gint32 mantissa = (gint32)(raw & 0x00FFFFFF);
	gint exponent = (gint8)(raw >> 24);

	switch (raw) {
	case 0x007FFFFF:
		*value = NAN;
		return NHIP_PHDC_NUMBER_NAN;
	case 0x00800000:
		*value = NAN;
		return NHIP_PHDC_NUMBER_NRES;
	case 0x007FFFFE:
		*value = INFINITY;
		return NHIP_PHDC_NUMBER_POS_INF;
	case 0x00800002:
		*value = -INFINITY;
		return NHIP_PHDC_NUMBER_NEG_INF;
	case 0x00800001:
		*value = NAN;
		return NHIP_PHDC_NUMBER_RESERVED;
	default:
		break;
	}
	if (mantissa >= 0x00800000)
		mantissa -= 0x01000000;
	*value = exponent < 0 ? mantissa / pow(10, -exponent) : mantissa * pow(10, exponent);
	return NHIP_PHDC_NUMBER_VALUE;
}

static gboolean
phdc_bcd(guint8 byte, gint *value)
{
	if ((byte >> 4) > 9 || (byte & 0x0F) > 9)
		return FALSE;
	*value = (byte >> 4) * 10 + (byte & 0x0F);
	return TRUE;
}

/**
 * nhip_phdc_abs_time_parse:
 * @bcd: the 8 BCD bytes century, year, month, day, hour, minute, second, 1/100 s
 * @year: (out): full year
 * @month: (out): month
 * @day: (out): day
 * @hour: (out): hour
 * @minute: (out): minute
 * @seconds: (out): seconds with hundredths
 * @error: return location for a #GError
 *
 * Returns: %TRUE if every byte is BCD and the fields form a date and time
 */
gboolean
nhip_phdc_abs_time_parse(const guint8 bcd[8],
			 gint *year,
			 gint *month,
			 gint *day,
			 gint *hour,
			 gint *minute,
			 gdouble *seconds,
			 GError **error)
{
	gint f[8] = { 0 };
	for (guint i = 0; i < 8; i++) {
		if (!phdc_bcd(bcd[i], &f[i])) {
			g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
				    _("time stamp byte %u (0x%02x) is not BCD"), i, bcd[i]);
			return FALSE;
		}
	}
	*year = f[0] * 100 + f[1];
	*month = f[2];
	*day = f[3];
	*hour = f[4];
	*minute = f[5];
	*seconds = f[6] + f[7] / 100.0;
	if (!g_date_valid_dmy((GDateDay)*day, (GDateMonth)*month, (GDateYear)*year) || *hour > 23 ||
	    *minute > 59 || f[6] > 59) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
			    _("time stamp %04d-%02d-%02d %02d:%02d:%02d is not a valid time"),
			    *year, *month, *day, *hour, *minute, f[6]);
		return FALSE;
	}
	return TRUE;
}

/* ---- builders -------------------------------------------------------------------- */

static GBytes *
phdc_finish_apdu(GByteArray *apdu)
{
	nhip_byte_array_set_uint16(apdu, 2, (guint16)(apdu->len - NHIP_PHDC_APDU_HEADER),
				   G_BIG_ENDIAN);
	return g_byte_array_free_to_bytes(apdu);
}

static GByteArray *
phdc_start_apdu(guint16 choice)
{
	GByteArray *apdu = g_byte_array_new();
	nhip_byte_array_append_uint16(apdu, choice, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN);
	return apdu;
}

/**
 * nhip_phdc_build_aare:
 * @result: an association result, e.g. %NHIP_PHDC_ASSOC_ACCEPTED_UNKNOWN_CONFIG
 * @system_id: the manager's EUI-64
 *
 * An accepted AARE carries the manager's PhdAssociationInformation (MDER, protocol
 * version 1, dev-config-id 0); a rejected one carries an empty data protocol.
 *
 * Returns: (transfer full): the AARE APDU
 */
GBytes *
nhip_phdc_build_aare(guint16 result, const guint8 system_id[8])
{
	GByteArray *apdu = phdc_start_apdu(NHIP_PHDC_APDU_AARE);

	nhip_byte_array_append_uint16(apdu, result, G_BIG_ENDIAN);
	if (result != NHIP_PHDC_ASSOC_ACCEPTED &&
	    result != NHIP_PHDC_ASSOC_ACCEPTED_UNKNOWN_CONFIG) {
		nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN);
		nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN);
		return phdc_finish_apdu(apdu);
	}
	nhip_byte_array_append_uint16(apdu, NHIP_PHDC_DATA_PROTO_ID, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(apdu, 38, G_BIG_ENDIAN);
	nhip_byte_array_append_uint32(apdu, 0x80000000, G_BIG_ENDIAN); /* protocol v1 */
	nhip_byte_array_append_uint16(apdu, 0x8000, G_BIG_ENDIAN);     /* MDER */
	nhip_byte_array_append_uint32(apdu, 0x80000000, G_BIG_ENDIAN); /* nomenclature v1 */
	nhip_byte_array_append_uint32(apdu, 0, G_BIG_ENDIAN);	       /* functional units */
	nhip_byte_array_append_uint32(apdu, 0x80000000, G_BIG_ENDIAN); /* sys-type-manager */
	nhip_byte_array_append_uint16(apdu, 8, G_BIG_ENDIAN);
	g_byte_array_append(apdu, system_id, 8);
	nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN); /* manager-config-response */
	nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN); /* data-req-mode-flags */
	nhip_byte_array_append_uint8(apdu, 0);
	nhip_byte_array_append_uint8(apdu, 0);
	nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN); /* option list */
	nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN);
	return phdc_finish_apdu(apdu);
}

static GBytes *
phdc_build_reason(guint16 choice, guint16 reason)
{
	GByteArray *apdu = phdc_start_apdu(choice);
	nhip_byte_array_append_uint16(apdu, reason, G_BIG_ENDIAN);
	return phdc_finish_apdu(apdu);
}

/**
 * nhip_phdc_build_rlrq:
 * @reason: 0 = normal
 *
 * Returns: (transfer full): the release request APDU
 */
GBytes *
nhip_phdc_build_rlrq(guint16 reason)
{
	return phdc_build_reason(NHIP_PHDC_APDU_RLRQ, reason);
}

/**
 * nhip_phdc_build_rlre:
 * @reason: 0 = normal
 *
 * Returns: (transfer full): the release response APDU
 */
GBytes *
nhip_phdc_build_rlre(guint16 reason)
{
	return phdc_build_reason(NHIP_PHDC_APDU_RLRE, reason);
}

/**
 * nhip_phdc_build_abrt:
 * @reason: 0 undefined, 1 buffer overflow, 2 response timeout, 3 configuration timeout
 *
 * Returns: (transfer full): the abort APDU
 */
GBytes *
nhip_phdc_build_abrt(guint16 reason)
{
	return phdc_build_reason(NHIP_PHDC_APDU_ABRT, reason);
}

static GByteArray *
phdc_start_prst(guint16 invoke_id, guint16 choice)
{
	GByteArray *apdu = phdc_start_apdu(NHIP_PHDC_APDU_PRST);
	nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN); /* octet string length */
	nhip_byte_array_append_uint16(apdu, invoke_id, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(apdu, choice, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN); /* message length */
	return apdu;
}

static GBytes *
phdc_finish_prst(GByteArray *apdu)
{
	nhip_byte_array_set_uint16(apdu, 4, (guint16)(apdu->len - 6), G_BIG_ENDIAN);
	nhip_byte_array_set_uint16(apdu, 10, (guint16)(apdu->len - 12), G_BIG_ENDIAN);
	return phdc_finish_apdu(apdu);
}

/**
 * nhip_phdc_build_event_report_ack:
 * @invoke_id: the invoke id of the agent's confirmed event report
 * @obj_handle: the object handle of the report
 * @event_type: the event type of the report
 * @reply_info: (array length=reply_info_len) (nullable): the event-reply-info
 * @reply_info_len: its length
 *
 * Returns: (transfer full): the RORS confirmed-event-report APDU
 */
GBytes *
nhip_phdc_build_event_report_ack(guint16 invoke_id,
				 guint16 obj_handle,
				 guint16 event_type,
				 const guint8 *reply_info,
				 gsize reply_info_len)
{
	GByteArray *apdu = phdc_start_prst(invoke_id, NHIP_PHDC_RORS_CONFIRMED_EVENT_REPORT);
	nhip_byte_array_append_uint16(apdu, obj_handle, G_BIG_ENDIAN);
	nhip_byte_array_append_uint32(apdu, 0, G_BIG_ENDIAN); /* current time */
	nhip_byte_array_append_uint16(apdu, event_type, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(apdu, (guint16)reply_info_len, G_BIG_ENDIAN);
	if (reply_info_len > 0)
		g_byte_array_append(apdu, reply_info, (guint)reply_info_len);
	return phdc_finish_prst(apdu);
}

/**
 * nhip_phdc_build_config_response:
 * @invoke_id: the invoke id of the configuration report
 * @report_id: its config-report-id
 * @result: %NHIP_PHDC_CONFIG_ACCEPTED or %NHIP_PHDC_CONFIG_UNSUPPORTED
 *
 * Returns: (transfer full): the RORS answering an MDC_NOTI_CONFIG report
 */
GBytes *
nhip_phdc_build_config_response(guint16 invoke_id, guint16 report_id, guint16 result)
{
	guint8 info[4] = { 0 };
	nhip_write_uint16(info, report_id, G_BIG_ENDIAN);
	nhip_write_uint16(info + 2, result, G_BIG_ENDIAN);
	return nhip_phdc_build_event_report_ack(invoke_id, 0, NHIP_PHDC_NOTI_CONFIG, info,
						sizeof(info));
}

/**
 * nhip_phdc_build_get_mds:
 * @invoke_id: the manager's invoke id
 *
 * Returns: (transfer full): a GET of all MDS attributes (handle 0, empty list)
 */
GBytes *
nhip_phdc_build_get_mds(guint16 invoke_id)
{
	GByteArray *apdu = phdc_start_prst(invoke_id, NHIP_PHDC_ROIV_GET);
	nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN); /* handle */
	nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN); /* attribute id list count */
	nhip_byte_array_append_uint16(apdu, 0, G_BIG_ENDIAN); /* and length */
	return phdc_finish_prst(apdu);
}

/**
 * nhip_phdc_build_action:
 * @invoke_id: the manager's invoke id
 * @obj_handle: the object acted on
 * @action_type: the action, e.g. %NHIP_PHDC_ACT_SEG_GET_INFO
 * @info: (array length=info_len) (nullable): the action-info-args
 * @info_len: their length
 *
 * Returns: (transfer full): a confirmed ACTION APDU
 */
GBytes *
nhip_phdc_build_action(guint16 invoke_id,
		       guint16 obj_handle,
		       guint16 action_type,
		       const guint8 *info,
		       gsize info_len)
{
	GByteArray *apdu = phdc_start_prst(invoke_id, NHIP_PHDC_ROIV_CONFIRMED_ACTION);
	nhip_byte_array_append_uint16(apdu, obj_handle, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(apdu, action_type, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(apdu, (guint16)info_len, G_BIG_ENDIAN);
	if (info_len > 0)
		g_byte_array_append(apdu, info, (guint)info_len);
	return phdc_finish_prst(apdu);
}

/**
 * nhip_phdc_build_seg_get_info:
 * @invoke_id: the manager's invoke id
 * @pm_store_handle: the PM-store object
 *
 * Returns: (transfer full): ACTION MDC_ACT_SEG_GET_INFO with SegmSelection all-segments
 */
GBytes *
nhip_phdc_build_seg_get_info(guint16 invoke_id, guint16 pm_store_handle)
{
	const guint8 all_segments[] = { 0x00, 0x01, 0x00, 0x02, 0x00, 0x00 };
	return nhip_phdc_build_action(invoke_id, pm_store_handle, NHIP_PHDC_ACT_SEG_GET_INFO,
				      all_segments, sizeof(all_segments));
}

/**
 * nhip_phdc_build_seg_trig_xfer:
 * @invoke_id: the manager's invoke id
 * @pm_store_handle: the PM-store object
 * @segment: the PM-segment instance number
 *
 * Returns: (transfer full): ACTION MDC_ACT_SEG_TRIG_XFER for @segment
 */
GBytes *
nhip_phdc_build_seg_trig_xfer(guint16 invoke_id, guint16 pm_store_handle, guint16 segment)
{
	guint8 info[2] = { 0 };
	nhip_write_uint16(info, segment, G_BIG_ENDIAN);
	return nhip_phdc_build_action(invoke_id, pm_store_handle, NHIP_PHDC_ACT_SEG_TRIG_XFER, info,
				      sizeof(info));
}

/* ---- association ----------------------------------------------------------------- */

/**
 * nhip_phdc_parse_aarq:
 * @apdu: (array length=len): a whole AARQ APDU, header included
 * @len: its length
 * @assoc: (out caller-allocates): the association information
 * @error: return location for a #GError
 *
 * Finds the 20601 data protocol in the AARQ and reads its PhdAssociationInformation.
 *
 * Returns: %TRUE if the AARQ is well formed and offers IEEE 11073-20601
 */
gboolean
nhip_phdc_parse_aarq(const guint8 *apdu, gsize len, NhipPhdcAssociation *assoc, GError **error)
{
	NhipByteReader r = { 0 };
	NhipByteReader list = { 0 };
	guint16 choice = 0, apdu_len = 0, count = 0, list_len = 0;
	gboolean found = FALSE;

	g_return_val_if_fail(apdu != NULL, FALSE);
	g_return_val_if_fail(assoc != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	memset(assoc, 0, sizeof(*assoc));
	nhip_byte_reader_init(&r, apdu, len, 0);
	if (!nhip_byte_reader_u16(&r, &choice, error) ||
	    !nhip_byte_reader_u16(&r, &apdu_len, error))
		return FALSE;
	if (choice != NHIP_PHDC_APDU_AARQ || apdu_len != len - 4) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
			    _("not an AARQ of the announced length"));
		return FALSE;
	}
	if (!nhip_byte_reader_u32(&r, &assoc->assoc_version, error) ||
	    !nhip_byte_reader_u16(&r, &count, error) ||
	    !nhip_byte_reader_u16(&r, &list_len, error) ||
	    !nhip_byte_reader_sub(&r, list_len, &list, error))
		return FALSE;
	for (guint i = 0; i < count; i++) {
		guint16 proto_id = 0;
		NhipByteReader info = { 0 };
		NhipByteReader sysid = { 0 };
		guint16 options_count = 0;
		guint16 options_len = 0;

		if (!nhip_byte_reader_u16(&list, &proto_id, error) ||
		    !nhip_byte_reader_octets(&list, &info, error))
			return FALSE;
		if (proto_id != NHIP_PHDC_DATA_PROTO_ID || found)
			continue;
		found = TRUE;
		if (!nhip_byte_reader_u32(&info, &assoc->protocol_version, error) ||
		    !nhip_byte_reader_u16(&info, &assoc->encoding_rules, error) ||
		    !nhip_byte_reader_u32(&info, &assoc->nomenclature_version, error) ||
		    !nhip_byte_reader_u32(&info, &assoc->functional_units, error) ||
		    !nhip_byte_reader_u32(&info, &assoc->system_type, error) ||
		    !nhip_byte_reader_octets(&info, &sysid, error) ||
		    !nhip_byte_reader_u16(&info, &assoc->dev_config_id, error) ||
		    !nhip_byte_reader_u16(&info, &assoc->data_req_mode_flags, error) ||
		    !nhip_byte_reader_u8(&info, &assoc->data_req_init_agent_count, error) ||
		    !nhip_byte_reader_u8(&info, &assoc->data_req_init_manager_count, error) ||
		    !nhip_byte_reader_u16(&info, &options_count, error) ||
		    !nhip_byte_reader_u16(&info, &options_len, error))
			return FALSE;
		assoc->system_id_len = MIN(sysid.len, sizeof(assoc->system_id));
		if (!nhip_memcpy_safe(assoc->system_id, sizeof(assoc->system_id), 0, sysid.buf,
				      sysid.len, 0, assoc->system_id_len, error))
			return FALSE;
	}
	if (!found) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_UNSUPPORTED,
			    _("the agent does not offer IEEE 11073-20601 (data protocol 20601)"));
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_phdc_is_standard_config:
 * @dev_config_id: a configuration id from an AARQ
 *
 * Returns: %TRUE if the manager knows this standard configuration without a config report
 */
gboolean
nhip_phdc_is_standard_config(guint16 dev_config_id)
{
	switch (dev_config_id) {
	case NHIP_PHDC_CONFIG_PULSE_OXIMETER:
	case NHIP_PHDC_CONFIG_BLOOD_PRESSURE:
	case NHIP_PHDC_CONFIG_THERMOMETER:
	case NHIP_PHDC_CONFIG_SCALE:
	case NHIP_PHDC_CONFIG_GLUCOSE:
		return TRUE;
	default:
		return FALSE;
	}
}

/* ---- objects --------------------------------------------------------------------- */

static void
phdc_handle_avm_free(PhdcHandleAvm *havm)
{
	g_array_unref(havm->avm);
	g_free(havm);
}

static void
phdc_object_free(PhdcObject *obj)
{
	g_clear_pointer(&obj->metric_ids, g_array_unref);
	g_clear_pointer(&obj->avm, g_array_unref);
	g_clear_pointer(&obj->handle_avms, g_ptr_array_unref);
	g_free(obj);
}

static void
phdc_seg_elem_free(PhdcSegElem *elem)
{
	g_array_unref(elem->avm);
	g_free(elem);
}

static void
phdc_segment_free(PhdcSegment *seg)
{
	g_ptr_array_unref(seg->elems);
	g_free(seg);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PhdcObject, phdc_object_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PhdcSegment, phdc_segment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PhdcSegElem, phdc_seg_elem_free)

static PhdcObject *
phdc_find_object(NhipPhdcManager *self, guint16 handle)
{
	for (guint i = 0; i < self->objects->len; i++) {
		PhdcObject *obj = g_ptr_array_index(self->objects, i);
		if (obj->handle == handle)
			return obj;
	}
	return NULL;
}

static GArray *
phdc_parse_avm(NhipByteReader *r, GError **error)
{
	g_autoptr(GArray) avm = g_array_new(FALSE, TRUE, sizeof(PhdcAvmEntry));
	NhipByteReader list = { 0 };
	guint16 count = 0, len = 0;

	if (!nhip_byte_reader_u16(r, &count, error) || !nhip_byte_reader_u16(r, &len, error) ||
	    !nhip_byte_reader_sub(r, len, &list, error))
		return NULL;
	for (guint i = 0; i < count; i++) {
		PhdcAvmEntry entry = { 0 };
		if (!nhip_byte_reader_u16(&list, &entry.id, error) ||
		    !nhip_byte_reader_u16(&list, &entry.len, error))
			return NULL;
		g_array_append_val(avm, entry);
	}
	return g_steal_pointer(&avm);
}

static gboolean
phdc_parse_object_attr(PhdcObject *obj, guint16 attr_id, NhipByteReader *v, GError **error)
{
	switch (attr_id) {
	case NHIP_PHDC_ATTR_ID_TYPE:
		return nhip_byte_reader_u16(v, &obj->partition, error) &&
		       nhip_byte_reader_u16(v, &obj->type, error);
	case NHIP_PHDC_ATTR_UNIT_CODE:
		return nhip_byte_reader_u16(v, &obj->unit, error);
	case NHIP_PHDC_ATTR_METRIC_ID_LIST: {
		guint16 count = 0, len = 0;
		if (!nhip_byte_reader_u16(v, &count, error) ||
		    !nhip_byte_reader_u16(v, &len, error))
			return FALSE;
		for (guint i = 0; i < count; i++) {
			guint16 id = 0;
			if (!nhip_byte_reader_u16(v, &id, error))
				return FALSE;
			g_array_append_val(obj->metric_ids, id);
		}
		return TRUE;
	}
	case NHIP_PHDC_ATTR_ATTRIBUTE_VAL_MAP: {
		GArray *avm = phdc_parse_avm(v, error);
		if (avm == NULL)
			return FALSE;
		g_array_unref(obj->avm);
		obj->avm = avm;
		return TRUE;
	}
	case NHIP_PHDC_ATTR_SCAN_HANDLE_ATTR_VAL_MAP: {
		guint16 count = 0, len = 0;
		NhipByteReader list = { 0 };
		if (!nhip_byte_reader_u16(v, &count, error) ||
		    !nhip_byte_reader_u16(v, &len, error) ||
		    !nhip_byte_reader_sub(v, len, &list, error))
			return FALSE;
		for (guint i = 0; i < count; i++) {
			PhdcHandleAvm *havm = g_new0(PhdcHandleAvm, 1);
			if (!nhip_byte_reader_u16(&list, &havm->handle, error) ||
			    (havm->avm = phdc_parse_avm(&list, error)) == NULL) {
				g_free(havm);
				return FALSE;
			}
			g_ptr_array_add(obj->handle_avms, havm);
		}
		return TRUE;
	}
	default:
		return TRUE;
	}
}

static PhdcObject *
phdc_object_new(guint16 obj_class, guint16 handle)
{
	PhdcObject *obj = g_new0(PhdcObject, 1);
	obj->obj_class = obj_class;
	obj->handle = handle;
	obj->metric_ids = g_array_new(FALSE, TRUE, sizeof(guint16));
	obj->avm = g_array_new(FALSE, TRUE, sizeof(PhdcAvmEntry));
	obj->handle_avms = g_ptr_array_new_with_free_func((GDestroyNotify)phdc_handle_avm_free);
	return obj;
}

/* parses a ConfigObjectList into @objects */
static gboolean
phdc_parse_config_objects(NhipByteReader *r, GPtrArray *objects, GError **error)
{
	guint16 count = 0, len = 0;
	NhipByteReader list = { 0 };

	if (!nhip_byte_reader_u16(r, &count, error) || !nhip_byte_reader_u16(r, &len, error) ||
	    !nhip_byte_reader_sub(r, len, &list, error))
		return FALSE;
	for (guint i = 0; i < count; i++) {
		guint16 obj_class = 0, handle = 0, attr_count = 0, attr_len = 0;
		NhipByteReader attrs = { 0 };
		g_autoptr(PhdcObject) obj = NULL;

		if (!nhip_byte_reader_u16(&list, &obj_class, error) ||
		    !nhip_byte_reader_u16(&list, &handle, error) ||
		    !nhip_byte_reader_u16(&list, &attr_count, error) ||
		    !nhip_byte_reader_u16(&list, &attr_len, error) ||
		    !nhip_byte_reader_sub(&list, attr_len, &attrs, error))
			return FALSE;
		obj = phdc_object_new(obj_class, handle);
		for (guint j = 0; j < attr_count; j++) {
			guint16 attr_id = 0;
			NhipByteReader value = { 0 };
			if (!nhip_byte_reader_u16(&attrs, &attr_id, error) ||
			    !nhip_byte_reader_octets(&attrs, &value, error))
				return FALSE;
			if (!phdc_parse_object_attr(obj, attr_id, &value, error)) {
				g_prefix_error(error, _("attribute 0x%04x of object %u: "), attr_id,
					       handle);
				return FALSE;
			}
		}
		g_ptr_array_add(objects, g_steal_pointer(&obj));
	}
	return TRUE;
}

/* standard configurations, encoded as a ConfigObjectList and read by the same parser */

static void
phdc_cfg_attr_u16(GByteArray *attrs, guint16 id, guint16 value)
{
	nhip_byte_array_append_uint16(attrs, id, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(attrs, 2, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(attrs, value, G_BIG_ENDIAN);
}

static void
phdc_cfg_add_metric(GByteArray *list,
		    guint *count,
		    guint16 handle,
		    guint16 type,
		    guint16 unit,
		    const guint16 *metric_ids,
		    guint n_metric_ids,
		    const guint16 *avm,
		    guint n_avm)
{
	g_autoptr(GByteArray) attrs = g_byte_array_new();
	guint n_attrs = 0;

	nhip_byte_array_append_uint16(attrs, NHIP_PHDC_ATTR_ID_TYPE, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(attrs, 4, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(attrs, 2, G_BIG_ENDIAN); /* MDC_PART_SCADA */
	nhip_byte_array_append_uint16(attrs, type, G_BIG_ENDIAN);
	n_attrs++;
	phdc_cfg_attr_u16(attrs, NHIP_PHDC_ATTR_METRIC_SPEC_SMALL, 0xF040);
	n_attrs++;
	phdc_cfg_attr_u16(attrs, NHIP_PHDC_ATTR_UNIT_CODE, unit);
	n_attrs++;
	if (n_metric_ids > 0) {
		nhip_byte_array_append_uint16(attrs, NHIP_PHDC_ATTR_METRIC_STRUCT_SMALL,
					      G_BIG_ENDIAN);
		nhip_byte_array_append_uint16(attrs, 2, G_BIG_ENDIAN);
		nhip_byte_array_append_uint8(attrs, 3); /* ms-struct-compound-fix */
		nhip_byte_array_append_uint8(attrs, (guint8)n_metric_ids);
		n_attrs++;
		nhip_byte_array_append_uint16(attrs, NHIP_PHDC_ATTR_METRIC_ID_LIST, G_BIG_ENDIAN);
		nhip_byte_array_append_uint16(attrs, (guint16)(4 + 2 * n_metric_ids), G_BIG_ENDIAN);
		nhip_byte_array_append_uint16(attrs, (guint16)n_metric_ids, G_BIG_ENDIAN);
		nhip_byte_array_append_uint16(attrs, (guint16)(2 * n_metric_ids), G_BIG_ENDIAN);
		for (guint i = 0; i < n_metric_ids; i++)
			nhip_byte_array_append_uint16(attrs, metric_ids[i], G_BIG_ENDIAN);
		n_attrs++;
	}
	nhip_byte_array_append_uint16(attrs, NHIP_PHDC_ATTR_ATTRIBUTE_VAL_MAP, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(attrs, (guint16)(4 + 4 * (n_avm / 2)), G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(attrs, (guint16)(n_avm / 2), G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(attrs, (guint16)(4 * (n_avm / 2)), G_BIG_ENDIAN);
	for (guint i = 0; i < n_avm; i++)
		nhip_byte_array_append_uint16(attrs, avm[i], G_BIG_ENDIAN);
	n_attrs++;

	nhip_byte_array_append_uint16(list, NHIP_PHDC_MOC_METRIC_NU, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(list, handle, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(list, (guint16)n_attrs, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(list, (guint16)attrs->len, G_BIG_ENDIAN);
	g_byte_array_append(list, attrs->data, attrs->len);
	(*count)++;
}

static GBytes *
phdc_standard_config(guint16 dev_config_id)
{
	static const guint16 avm_basic_time[] = { NHIP_PHDC_ATTR_NU_VAL_OBS_BASIC, 2,
						  NHIP_PHDC_ATTR_TIME_STAMP_ABS, 8 };
	static const guint16 avm_simp_time[] = { NHIP_PHDC_ATTR_NU_VAL_OBS_SIMP, 4,
						 NHIP_PHDC_ATTR_TIME_STAMP_ABS, 8 };
	static const guint16 avm_cmpd_time[] = { NHIP_PHDC_ATTR_NU_CMPD_VAL_OBS_BASIC, 10,
						 NHIP_PHDC_ATTR_TIME_STAMP_ABS, 8 };
	static const guint16 nibp_ids[] = { NHIP_PHDC_PRESS_BLD_NONINV_SYS,
					    NHIP_PHDC_PRESS_BLD_NONINV_DIA,
					    NHIP_PHDC_PRESS_BLD_NONINV_MEAN };
	g_autoptr(GByteArray) objects = g_byte_array_new();
	GByteArray *list = g_byte_array_new();
	guint count = 0;

	switch (dev_config_id) {
	case NHIP_PHDC_CONFIG_BLOOD_PRESSURE: /* 10407 */
		phdc_cfg_add_metric(objects, &count, 1, NHIP_PHDC_PRESS_BLD_NONINV,
				    NHIP_PHDC_DIM_MMHG, nibp_ids, G_N_ELEMENTS(nibp_ids),
				    avm_cmpd_time, G_N_ELEMENTS(avm_cmpd_time));
		phdc_cfg_add_metric(objects, &count, 2, NHIP_PHDC_PULS_RATE_NON_INV,
				    NHIP_PHDC_DIM_BEAT_PER_MIN, NULL, 0, avm_basic_time,
				    G_N_ELEMENTS(avm_basic_time));
		break;
	case NHIP_PHDC_CONFIG_PULSE_OXIMETER: /* 10404 */
		phdc_cfg_add_metric(objects, &count, 1, NHIP_PHDC_PULS_OXIM_SAT_O2,
				    NHIP_PHDC_DIM_PERCENT, NULL, 0, avm_basic_time,
				    G_N_ELEMENTS(avm_basic_time));
		phdc_cfg_add_metric(objects, &count, 10, NHIP_PHDC_PULS_OXIM_PULS_RATE,
				    NHIP_PHDC_DIM_BEAT_PER_MIN, NULL, 0, avm_basic_time,
				    G_N_ELEMENTS(avm_basic_time));
		break;
	case NHIP_PHDC_CONFIG_THERMOMETER: /* 10408 */
		phdc_cfg_add_metric(objects, &count, 1, NHIP_PHDC_TEMP_BODY, NHIP_PHDC_DIM_DEGC,
				    NULL, 0, avm_basic_time, G_N_ELEMENTS(avm_basic_time));
		break;
	case NHIP_PHDC_CONFIG_SCALE: /* 10415 */
		phdc_cfg_add_metric(objects, &count, 1, NHIP_PHDC_MASS_BODY_ACTUAL,
				    NHIP_PHDC_DIM_KILO_G, NULL, 0, avm_simp_time,
				    G_N_ELEMENTS(avm_simp_time));
		break;
	case NHIP_PHDC_CONFIG_GLUCOSE: /* 10417 */
		phdc_cfg_add_metric(objects, &count, 1, NHIP_PHDC_CONC_GLU_CAPILLARY_WB,
				    NHIP_PHDC_DIM_MILLI_G_PER_DL, NULL, 0, avm_basic_time,
				    G_N_ELEMENTS(avm_basic_time));
		break;
	default:
		g_byte_array_unref(list);
		return NULL;
	}
	nhip_byte_array_append_uint16(list, (guint16)count, G_BIG_ENDIAN);
	nhip_byte_array_append_uint16(list, (guint16)objects->len, G_BIG_ENDIAN);
	g_byte_array_append(list, objects->data, objects->len);
	return g_byte_array_free_to_bytes(list);
}

/* ---- manager --------------------------------------------------------------------- */

/**
 * nhip_phdc_manager_new:
 *
 * Returns: (transfer full): a manager in the unassociated state that fetches stored
 *   readings from PM-stores
 */
NhipPhdcManager *
nhip_phdc_manager_new(void)
{
	static const guint8 default_id[8] = { 'N', 'H', 'I', 'P', 0x00, 0x00, 0x00, 0x01 };
	NhipPhdcManager *self = g_new0(NhipPhdcManager, 1);
	self->objects = g_ptr_array_new_with_free_func((GDestroyNotify)phdc_object_free);
	self->segments = g_ptr_array_new_with_free_func((GDestroyNotify)phdc_segment_free);
	self->fetch_stored = TRUE;
	self->buf = g_byte_array_new();
	if (!nhip_memcpy_safe(self->manager_id, sizeof(self->manager_id), 0, default_id,
			      sizeof(default_id), 0, sizeof(default_id), NULL))
		g_assert_not_reached();
	return self;
}

/**
 * nhip_phdc_manager_free:
 * @self: (transfer full) (nullable): a manager
 */
void
nhip_phdc_manager_free(NhipPhdcManager *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref(self->objects);
	g_ptr_array_unref(self->segments);
	g_byte_array_unref(self->buf);
	g_free(self->model);
	g_free(self->serial);
	g_free(self);
}

/**
 * nhip_phdc_manager_get_state:
 * @self: a manager
 *
 * Returns: the association state
 */
NhipPhdcState
nhip_phdc_manager_get_state(const NhipPhdcManager *self)
{
	g_return_val_if_fail(self != NULL, NHIP_PHDC_STATE_UNASSOCIATED);
	return self->state;
}

/**
 * nhip_phdc_manager_get_dev_config_id:
 * @self: a manager
 *
 * Returns: the agent's configuration id from its AARQ, 0 when unassociated
 */
guint16
nhip_phdc_manager_get_dev_config_id(const NhipPhdcManager *self)
{
	g_return_val_if_fail(self != NULL, 0);
	return self->assoc.dev_config_id;
}

/**
 * nhip_phdc_manager_get_n_objects:
 * @self: a manager
 *
 * Returns: how many objects the current configuration has
 */
guint
nhip_phdc_manager_get_n_objects(const NhipPhdcManager *self)
{
	g_return_val_if_fail(self != NULL, 0);
	return self->objects->len;
}

/**
 * nhip_phdc_manager_set_fetch_stored:
 * @self: a manager
 * @fetch_stored: whether to ask a PM-store for its stored readings once configured
 */
void
nhip_phdc_manager_set_fetch_stored(NhipPhdcManager *self, gboolean fetch_stored)
{
	g_return_if_fail(self != NULL);
	self->fetch_stored = fetch_stored;
}

/**
 * nhip_phdc_manager_set_system_id:
 * @self: a manager
 * @system_id: the manager's EUI-64, sent in AAREs
 */
void
nhip_phdc_manager_set_system_id(NhipPhdcManager *self, const guint8 system_id[8])
{
	g_return_if_fail(self != NULL);
	if (!nhip_memcpy_safe(self->manager_id, sizeof(self->manager_id), 0, system_id, 8, 0, 8,
			      NULL))
		g_assert_not_reached();
}

static void
phdc_reset(NhipPhdcManager *self)
{
	self->state = NHIP_PHDC_STATE_UNASSOCIATED;
	g_ptr_array_set_size(self->objects, 0);
	g_ptr_array_set_size(self->segments, 0);
	self->pm_store_handle = 0;
	self->pending = PHDC_PENDING_NONE;
	self->segment_cursor = 0;
}

static void
phdc_respond(NhipDecodeOutput *out, GBytes *apdu)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(apdu, &len);
	nhip_dump_raw(G_LOG_DOMAIN, "phdc apdu to agent", data, len);
	nhip_decode_output_add_response(out, apdu);
	g_bytes_unref(apdu);
}

static guint16
phdc_next_invoke(NhipPhdcManager *self)
{
	return self->next_invoke++;
}

static void
phdc_request_next_segment(NhipPhdcManager *self, gsize offset, NhipDecodeOutput *out)
{
	while (self->segment_cursor < self->segments->len) {
		PhdcSegment *seg = g_ptr_array_index(self->segments, self->segment_cursor);
		if (seg->usage_count == 0) {
			self->segment_cursor++;
			continue;
		}
		self->pending = PHDC_PENDING_TRIG_XFER;
		phdc_respond(out,
			     nhip_phdc_build_seg_trig_xfer(phdc_next_invoke(self),
							   self->pm_store_handle, seg->instance));
		return;
	}
	self->pending = PHDC_PENDING_NONE;
}

static void
phdc_enter_operating(NhipPhdcManager *self, gsize offset, NhipDecodeOutput *out)
{
	self->state = NHIP_PHDC_STATE_OPERATING;
	for (guint i = 0; i < self->objects->len; i++) {
		PhdcObject *obj = g_ptr_array_index(self->objects, i);
		if (obj->obj_class == NHIP_PHDC_MOC_PM_STORE)
			self->pm_store_handle = obj->handle;
	}
	nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_CONFIGURED, NHIP_PHDC_DRIVER, offset,
				     _("device configuration known (%u objects)"),
				     self->objects->len);
	/* ask for the MDS attributes (model, serial, clock) */
	self->pending = PHDC_PENDING_GET_MDS;
	phdc_respond(out, nhip_phdc_build_get_mds(phdc_next_invoke(self)));
}

static void
phdc_after_get_mds(NhipPhdcManager *self, gsize offset, NhipDecodeOutput *out)
{
	if (self->pending != PHDC_PENDING_GET_MDS)
		return;
	self->pending = PHDC_PENDING_NONE;
	if (self->pm_store_handle != 0 && self->fetch_stored) {
		self->pending = PHDC_PENDING_SEG_INFO;
		phdc_respond(out, nhip_phdc_build_seg_get_info(phdc_next_invoke(self),
							       self->pm_store_handle));
	}
}

static gboolean
phdc_handle_aarq(NhipPhdcManager *self,
		 const guint8 *apdu,
		 gsize len,
		 gsize offset,
		 NhipDecodeOutput *out,
		 GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *sysid = NULL;
	NhipDeviceEvent *event;
	guint16 result;

	if (self->state != NHIP_PHDC_STATE_UNASSOCIATED) {
		nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_PROTOCOL, offset,
					_("association request while already associated; the old "
					  "association is dropped"));
	}
	phdc_reset(self);
	if (!nhip_phdc_parse_aarq(apdu, len, &self->assoc, &error_local)) {
		if (g_error_matches(error_local, NHIP_DECODE_ERROR,
				    NHIP_DECODE_ERROR_UNSUPPORTED)) {
			phdc_respond(out, nhip_phdc_build_aare(
						  NHIP_PHDC_ASSOC_REJECTED_NO_COMMON_PROTOCOL,
						  self->manager_id));
		}
		g_propagate_prefixed_error(error, g_steal_pointer(&error_local),
					   _("association request refused: "));
		return FALSE;
	}
	if ((self->assoc.encoding_rules & 0x8000) == 0 ||
	    (self->assoc.protocol_version & 0xE0000000) == 0) {
		phdc_respond(out, nhip_phdc_build_aare(NHIP_PHDC_ASSOC_REJECTED_NO_COMMON_PARAMETER,
						       self->manager_id));
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_UNSUPPORTED,
			    _("association request refused: the agent offers neither MDER "
			      "encoding nor a known protocol version (encoding 0x%04x, version "
			      "0x%08x)"),
			    self->assoc.encoding_rules, self->assoc.protocol_version);
		return FALSE;
	}
	g_free(self->serial);
	self->serial = nhip_bytes_to_hex(self->assoc.system_id, self->assoc.system_id_len, NULL);
	sysid = g_strdup(self->serial);
	if (nhip_phdc_is_standard_config(self->assoc.dev_config_id)) {
		g_autoptr(GBytes) config = phdc_standard_config(self->assoc.dev_config_id);
		NhipByteReader r = { 0 };
		gsize config_len = 0;
		const guint8 *config_data = g_bytes_get_data(config, &config_len);
		nhip_byte_reader_init(&r, config_data, config_len, 0);
		if (!phdc_parse_config_objects(&r, self->objects, NULL))
			g_assert_not_reached();
		result = NHIP_PHDC_ASSOC_ACCEPTED;
	} else {
		result = NHIP_PHDC_ASSOC_ACCEPTED_UNKNOWN_CONFIG;
	}
	phdc_respond(out, nhip_phdc_build_aare(result, self->manager_id));
	event = nhip_decode_output_add_event(
		out, NHIP_DEVICE_EVENT_ASSOCIATED, NHIP_PHDC_DRIVER, offset,
		_("IEEE 11073 agent associated (configuration %u%s)"), self->assoc.dev_config_id,
		result == NHIP_PHDC_ASSOC_ACCEPTED ? _(", standard") : "");
	nhip_device_event_set_detail(event, sysid);
	nhip_device_event_set_value(event, self->assoc.dev_config_id);
	if (result == NHIP_PHDC_ASSOC_ACCEPTED)
		phdc_enter_operating(self, offset, out);
	else
		self->state = NHIP_PHDC_STATE_WAITING_CONFIG;
	return TRUE;
}

/* ---- observations ---------------------------------------------------------------- */

static void
phdc_obs_clear(PhdcObs *obs)
{
	g_clear_pointer(&obs->time, g_date_time_unref);
	memset(obs, 0, sizeof(*obs));
}

static gboolean
phdc_obs_add_value(PhdcObs *obs, NhipPhdcNumberStatus status, gdouble value, GError **error)
{
	if (obs->n_values >= PHDC_MAX_COMPOUND) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_OVERSIZE,
			    _("more than %d values in one observation"), PHDC_MAX_COMPOUND);
		return FALSE;
	}
	obs->values[obs->n_values] = value;
	obs->status[obs->n_values] = status;
	obs->n_values++;
	return TRUE;
}

static gboolean
phdc_read_sfloat(NhipByteReader *v, PhdcObs *obs, GError **error)
{
	guint16 raw = 0;
	gdouble value = 0;
	NhipPhdcNumberStatus status;
	if (!nhip_byte_reader_u16(v, &raw, error))
		return FALSE;
	status = nhip_phdc_sfloat_to_double(raw, &value);
	return phdc_obs_add_value(obs, status, value, error);
}

static gboolean
phdc_read_float(NhipByteReader *v, PhdcObs *obs, GError **error)
{
	guint32 raw = 0;
	gdouble value = 0;
	NhipPhdcNumberStatus status;
	if (!nhip_byte_reader_u32(v, &raw, error))
		return FALSE;
	status = nhip_phdc_float_to_double(raw, &value);
	return phdc_obs_add_value(obs, status, value, error);
}

static gboolean
phdc_read_nu_obs(NhipByteReader *v, PhdcObs *obs, GError **error)
{
	guint16 metric_id = 0, state = 0, unit = 0;
	if (!nhip_byte_reader_u16(v, &metric_id, error) ||
	    !nhip_byte_reader_u16(v, &state, error) || !nhip_byte_reader_u16(v, &unit, error))
		return FALSE;
	if (obs->n_metric_ids < PHDC_MAX_COMPOUND)
		obs->metric_ids[obs->n_metric_ids++] = metric_id;
	obs->unit = unit;
	obs->msmt_status |= state;
	return phdc_read_float(v, obs, error);
}

static gboolean
phdc_decode_attr(guint16 attr_id,
		 NhipByteReader *v,
		 PhdcObs *obs,
		 gsize offset,
		 NhipDecodeOutput *out,
		 GError **error)
{
	switch (attr_id) {
	case NHIP_PHDC_ATTR_NU_VAL_OBS_BASIC:
		return phdc_read_sfloat(v, obs, error);
	case NHIP_PHDC_ATTR_NU_VAL_OBS_SIMP:
		return phdc_read_float(v, obs, error);
	case NHIP_PHDC_ATTR_NU_VAL_OBS:
		return phdc_read_nu_obs(v, obs, error);
	case NHIP_PHDC_ATTR_NU_CMPD_VAL_OBS_BASIC:
	case NHIP_PHDC_ATTR_NU_CMPD_VAL_OBS_SIMP:
	case NHIP_PHDC_ATTR_NU_CMPD_VAL_OBS: {
		guint16 count = 0, len = 0;
		if (!nhip_byte_reader_u16(v, &count, error) ||
		    !nhip_byte_reader_u16(v, &len, error))
			return FALSE;
		for (guint i = 0; i < count; i++) {
			gboolean ok = attr_id == NHIP_PHDC_ATTR_NU_CMPD_VAL_OBS_BASIC
					      ? phdc_read_sfloat(v, obs, error)
				      : attr_id == NHIP_PHDC_ATTR_NU_CMPD_VAL_OBS_SIMP
					      ? phdc_read_float(v, obs, error)
					      : phdc_read_nu_obs(v, obs, error);
			if (!ok)
				return FALSE;
		}
		return TRUE;
	}
	case NHIP_PHDC_ATTR_TIME_STAMP_ABS: {
		g_autoptr(GError) error_local = NULL;
		guint8 bcd[8] = { 0 };
		gint year = 0, month = 0, day = 0, hour = 0, minute = 0;
		gdouble seconds = 0;
		for (guint i = 0; i < 8; i++) {
			if (!nhip_byte_reader_u8(v, &bcd[i], error))
				return FALSE;
		}
		g_clear_pointer(&obs->time, g_date_time_unref);
		if (!nhip_phdc_abs_time_parse(bcd, &year, &month, &day, &hour, &minute, &seconds,
					      &error_local)) {
			/* keep the value: staff see it without a device time and a warning */
			nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_MALFORMED,
						offset,
						_("%s; the time stamp was ignored — set the "
						  "device clock"),
						error_local->message);
			return TRUE;
		}
		obs->time =
			nhip_decode_output_make_time(out, year, month, day, hour, minute, seconds);
		return TRUE;
	}
	case NHIP_PHDC_ATTR_UNIT_CODE:
		return nhip_byte_reader_u16(v, &obs->unit, error);
	case NHIP_PHDC_ATTR_MSMT_STAT:
		return nhip_byte_reader_u16(v, &obs->msmt_status, error);
	default:
		return TRUE;
	}
}

static NhipVitalKind
phdc_vital_for_type(guint16 type)
{
	switch (type) {
	case NHIP_PHDC_PRESS_BLD_NONINV:
		return NHIP_VITAL_BLOOD_PRESSURE;
	case NHIP_PHDC_PULS_RATE_NON_INV:
	case NHIP_PHDC_PULS_OXIM_PULS_RATE:
		return NHIP_VITAL_PULSE;
	case NHIP_PHDC_PULS_OXIM_SAT_O2:
		return NHIP_VITAL_SPO2;
	case NHIP_PHDC_TEMP_BODY:
		return NHIP_VITAL_TEMPERATURE;
	case NHIP_PHDC_MASS_BODY_ACTUAL:
		return NHIP_VITAL_WEIGHT;
	case NHIP_PHDC_LEN_BODY_ACTUAL:
		return NHIP_VITAL_HEIGHT;
	case NHIP_PHDC_CONC_GLU_CAPILLARY_WB:
	case NHIP_PHDC_CONC_GLU_CAPILLARY_PLASMA:
	case 0x71C0: /* venous whole blood */
	case 0x71C4: /* venous plasma */
	case 0x71C8: /* arterial whole blood */
	case 0x71CC: /* arterial plasma */
		return NHIP_VITAL_GLUCOSE;
	default:
		return NHIP_VITAL_UNKNOWN;
	}
}

/* converts @value in 11073 unit @unit to the UCUM unit of @kind; FALSE if not possible */
static gboolean
phdc_convert(NhipVitalKind kind, guint16 unit, gdouble *value, const gchar **original_unit)
{
	*original_unit = NULL;
	switch (kind) {
	case NHIP_VITAL_BLOOD_PRESSURE:
		if (unit == NHIP_PHDC_DIM_MMHG)
			return TRUE;
		if (unit == NHIP_PHDC_DIM_KILO_PASCAL) {
			*value = round(*value * 7.50062);
			*original_unit = "kPa";
			return TRUE;
		}
		return FALSE;
	case NHIP_VITAL_PULSE:
		return unit == NHIP_PHDC_DIM_BEAT_PER_MIN;
	case NHIP_VITAL_SPO2:
		return unit == NHIP_PHDC_DIM_PERCENT;
	case NHIP_VITAL_TEMPERATURE:
		if (unit == NHIP_PHDC_DIM_DEGC)
			return TRUE;
		if (unit == NHIP_PHDC_DIM_FAHR) {
			*value = nhip_vital_round(kind, (*value - 32) * 5 / 9);
			*original_unit = "[degF]";
			return TRUE;
		}
		return FALSE;
	case NHIP_VITAL_WEIGHT:
		if (unit == NHIP_PHDC_DIM_KILO_G)
			return TRUE;
		if (unit == NHIP_PHDC_DIM_LB) {
			*value = nhip_vital_round(kind, *value * 0.45359237);
			*original_unit = "[lb_av]";
			return TRUE;
		}
		return FALSE;
	case NHIP_VITAL_HEIGHT:
		if (unit == NHIP_PHDC_DIM_CENTI_M)
			return TRUE;
		if (unit == NHIP_PHDC_DIM_INCH) {
			*value = nhip_vital_round(kind, *value * 2.54);
			*original_unit = "[in_i]";
			return TRUE;
		}
		return FALSE;
	case NHIP_VITAL_GLUCOSE:
		if (unit == NHIP_PHDC_DIM_MILLI_MOLE_PER_L)
			return TRUE;
		if (unit == NHIP_PHDC_DIM_MILLI_G_PER_DL) {
			*value = nhip_vital_round(kind, nhip_vital_glucose_mgdl_to_mmoll(*value));
			*original_unit = "mg/dL";
			return TRUE;
		}
		return FALSE;
	case NHIP_VITAL_UNKNOWN:
	case NHIP_VITAL_RESP_RATE:
	case NHIP_VITAL_LAST:
	default:
		return FALSE;
	}
}

static const gchar *
phdc_number_status_to_string(NhipPhdcNumberStatus status)
{
	switch (status) {
	case NHIP_PHDC_NUMBER_NAN:
		return "NaN";
	case NHIP_PHDC_NUMBER_NRES:
		return "NRes";
	case NHIP_PHDC_NUMBER_POS_INF:
		return "+INF";
	case NHIP_PHDC_NUMBER_NEG_INF:
		return "-INF";
	case NHIP_PHDC_NUMBER_RESERVED:
		return "reserved";
	case NHIP_PHDC_NUMBER_VALUE:
	default:
		return "value";
	}
}

static void
phdc_emit(NhipPhdcManager *self,
	  guint16 handle,
	  guint16 type,
	  guint16 default_unit,
	  const GArray *metric_ids,
	  PhdcObs *obs,
	  const guint8 *apdu,
	  gsize apdu_len,
	  gsize offset,
	  NhipMeasurementFlags flags,
	  NhipDecodeOutput *out)
{
	NhipVitalKind kind = phdc_vital_for_type(type);
	guint16 unit = obs->unit != 0 ? obs->unit : default_unit;
	gdouble value = NAN, value2 = NAN;
	gdouble original = NAN;
	const gchar *original_unit = NULL;
	NhipMeasurement *m;

	if (obs->n_values == 0)
		return;
	if (type == NHIP_PHDC_CONC_GLU_CONTROL) {
		g_debug("phdc: control-solution result at byte %lu ignored", offset);
		return;
	}
	if (kind == NHIP_VITAL_UNKNOWN) {
		g_debug("phdc: observation of type 0x%04x (handle %u) is not a vital sign", type,
			handle);
		return;
	}
	/* invalid, not available, test data or demo data */
	if (obs->msmt_status & (0x8000 | 0x2000 | 0x0800 | 0x0400)) {
		nhip_decode_output_warn(
			out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, offset,
			_("the device marked the %s reading as invalid, unavailable "
			  "or test data (status 0x%04x); it was dropped"),
			nhip_vital_kind_to_string(kind), obs->msmt_status);
		return;
	}
	if (kind == NHIP_VITAL_BLOOD_PRESSURE) {
		guint sys_index = 0, dia_index = 1;
		for (guint i = 0; metric_ids != NULL && i < metric_ids->len; i++) {
			guint16 id = g_array_index(metric_ids, guint16, i);
			if (id == NHIP_PHDC_PRESS_BLD_NONINV_SYS)
				sys_index = i;
			else if (id == NHIP_PHDC_PRESS_BLD_NONINV_DIA)
				dia_index = i;
		}
		for (guint i = 0; i < obs->n_metric_ids; i++) {
			if (obs->metric_ids[i] == NHIP_PHDC_PRESS_BLD_NONINV_SYS)
				sys_index = i;
			else if (obs->metric_ids[i] == NHIP_PHDC_PRESS_BLD_NONINV_DIA)
				dia_index = i;
		}
		if (sys_index >= obs->n_values || dia_index >= obs->n_values) {
			nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_MALFORMED,
						offset,
						_("blood pressure observation has %u values, not "
						  "systolic and diastolic; it was dropped"),
						obs->n_values);
			return;
		}
		if (obs->status[sys_index] != NHIP_PHDC_NUMBER_VALUE ||
		    obs->status[dia_index] != NHIP_PHDC_NUMBER_VALUE) {
			nhip_decode_output_warn(
				out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, offset,
				_("the device sent no value (%s) for blood pressure; no reading"),
				phdc_number_status_to_string(obs->status[sys_index] !=
									     NHIP_PHDC_NUMBER_VALUE
								     ? obs->status[sys_index]
								     : obs->status[dia_index]));
			return;
		}
		value = obs->values[sys_index];
		value2 = obs->values[dia_index];
	} else {
		if (obs->status[0] != NHIP_PHDC_NUMBER_VALUE) {
			nhip_decode_output_warn(
				out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, offset,
				_("the device sent no value (%s) for %s; no reading"),
				phdc_number_status_to_string(obs->status[0]),
				nhip_vital_kind_to_string(kind));
			return;
		}
		value = obs->values[0];
	}
	original = value;
	if (!phdc_convert(kind, unit, &value, &original_unit) ||
	    (kind == NHIP_VITAL_BLOOD_PRESSURE &&
	     !phdc_convert(kind, unit, &value2, &original_unit))) {
		nhip_decode_output_warn(
			out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_UNSUPPORTED, offset,
			_("unit code %u is not one this decoder converts for %s; the "
			  "reading was dropped"),
			unit, nhip_vital_kind_to_string(kind));
		return;
	}
	m = nhip_decode_output_add_measurement(out, NHIP_PHDC_DRIVER, offset, kind, value, value2,
					       apdu, apdu_len);
	if (m == NULL)
		return;
	if (original_unit != NULL)
		nhip_measurement_set_original(m, original, original_unit);
	nhip_measurement_add_flags(m, flags);
	nhip_measurement_set_device_time(m, obs->time);
	nhip_measurement_set_device_model(m, self->model);
	nhip_measurement_set_device_serial(m, self->serial);
}

/* decodes the octets of one fixed-format observation laid out by @avm */
static gboolean
phdc_decode_fixed(NhipPhdcManager *self,
		  PhdcObject *obj,
		  const GArray *avm,
		  NhipByteReader *octets,
		  const guint8 *apdu,
		  gsize apdu_len,
		  gsize offset,
		  NhipDecodeOutput *out,
		  GError **error)
{
	PhdcObs obs = { 0 };
	gboolean ok = TRUE;

	for (guint i = 0; i < avm->len && ok; i++) {
		PhdcAvmEntry *entry = &g_array_index(avm, PhdcAvmEntry, i);
		NhipByteReader value = { 0 };
		ok = nhip_byte_reader_sub(octets, entry->len, &value, error) &&
		     phdc_decode_attr(entry->id, &value, &obs, offset, out, error);
	}
	if (ok && nhip_byte_reader_remaining(octets) != 0) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED,
			    _("observation of object %u has %lu"
			      " bytes more than its attribute-value map describes"),
			    obj->handle, nhip_byte_reader_remaining(octets));
		ok = FALSE;
	}
	if (ok)
		phdc_emit(self, obj->handle, obj->type, obj->unit, obj->metric_ids, &obs, apdu,
			  apdu_len, offset, NHIP_MEASUREMENT_FLAG_NONE, out);
	phdc_obs_clear(&obs);
	return ok;
}

static const GArray *
phdc_scanner_avm(PhdcObject *scanner, guint16 handle)
{
	if (scanner == NULL)
		return NULL;
	for (guint i = 0; i < scanner->handle_avms->len; i++) {
		PhdcHandleAvm *havm = g_ptr_array_index(scanner->handle_avms, i);
		if (havm->handle == handle)
			return havm->avm;
	}
	return NULL;
}

static gboolean
phdc_decode_fixed_list(NhipPhdcManager *self,
		       PhdcObject *scanner,
		       NhipByteReader *r,
		       const guint8 *apdu,
		       gsize apdu_len,
		       gsize offset,
		       NhipDecodeOutput *out,
		       GError **error)
{
	guint16 count = 0, len = 0;
	NhipByteReader list = { 0 };

	if (!nhip_byte_reader_u16(r, &count, error) || !nhip_byte_reader_u16(r, &len, error) ||
	    !nhip_byte_reader_sub(r, len, &list, error))
		return FALSE;
	for (guint i = 0; i < count; i++) {
		guint16 handle = 0;
		NhipByteReader octets = { 0 };
		PhdcObject *obj;
		const GArray *avm;

		if (!nhip_byte_reader_u16(&list, &handle, error) ||
		    !nhip_byte_reader_octets(&list, &octets, error))
			return FALSE;
		obj = phdc_find_object(self, handle);
		if (obj == NULL) {
			nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_PROTOCOL,
						offset,
						_("scan report names object %u, which the "
						  "configuration does not have; it was skipped"),
						handle);
			continue;
		}
		avm = phdc_scanner_avm(scanner, handle);
		if (avm == NULL)
			avm = obj->avm;
		if (!phdc_decode_fixed(self, obj, avm, &octets, apdu, apdu_len, offset, out, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
phdc_decode_var_list(NhipPhdcManager *self,
		     NhipByteReader *r,
		     const guint8 *apdu,
		     gsize apdu_len,
		     gsize offset,
		     NhipDecodeOutput *out,
		     GError **error)
{
	guint16 count = 0, len = 0;
	NhipByteReader list = { 0 };

	if (!nhip_byte_reader_u16(r, &count, error) || !nhip_byte_reader_u16(r, &len, error) ||
	    !nhip_byte_reader_sub(r, len, &list, error))
		return FALSE;
	for (guint i = 0; i < count; i++) {
		guint16 handle = 0, attr_count = 0, attr_len = 0;
		NhipByteReader attrs = { 0 };
		PhdcObs obs = { 0 };
		PhdcObject *obj;
		gboolean ok = TRUE;

		if (!nhip_byte_reader_u16(&list, &handle, error) ||
		    !nhip_byte_reader_u16(&list, &attr_count, error) ||
		    !nhip_byte_reader_u16(&list, &attr_len, error) ||
		    !nhip_byte_reader_sub(&list, attr_len, &attrs, error))
			return FALSE;
		for (guint j = 0; j < attr_count && ok; j++) {
			guint16 attr_id = 0;
			NhipByteReader value = { 0 };
			ok = nhip_byte_reader_u16(&attrs, &attr_id, error) &&
			     nhip_byte_reader_octets(&attrs, &value, error) &&
			     phdc_decode_attr(attr_id, &value, &obs, offset, out, error);
		}
		obj = phdc_find_object(self, handle);
		if (ok && obj == NULL) {
			nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_PROTOCOL,
						offset,
						_("scan report names object %u, which the "
						  "configuration does not have; it was skipped"),
						handle);
		} else if (ok) {
			phdc_emit(self, handle, obj->type, obj->unit, obj->metric_ids, &obs, apdu,
				  apdu_len, offset, NHIP_MEASUREMENT_FLAG_NONE, out);
		}
		phdc_obs_clear(&obs);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

static gboolean
phdc_decode_scan_report(NhipPhdcManager *self,
			guint16 obj_handle,
			guint16 event_type,
			NhipByteReader *info,
			const guint8 *apdu,
			gsize apdu_len,
			gsize offset,
			NhipDecodeOutput *out,
			GError **error)
{
	guint16 data_req_id = 0, report_no = 0;
	gboolean multi = FALSE;
	gboolean fixed = FALSE;
	PhdcObject *scanner = obj_handle != 0 ? phdc_find_object(self, obj_handle) : NULL;

	switch (event_type) {
	case NHIP_PHDC_NOTI_SCAN_REPORT_FIXED:
	case NHIP_PHDC_NOTI_UNBUF_FIXED:
	case NHIP_PHDC_NOTI_BUF_FIXED:
		fixed = TRUE;
		break;
	case NHIP_PHDC_NOTI_SCAN_REPORT_MP_FIXED:
	case NHIP_PHDC_NOTI_UNBUF_MP_FIXED:
	case NHIP_PHDC_NOTI_BUF_MP_FIXED:
		fixed = TRUE;
		multi = TRUE;
		break;
	case NHIP_PHDC_NOTI_SCAN_REPORT_MP_VAR:
	case NHIP_PHDC_NOTI_UNBUF_MP_VAR:
	case NHIP_PHDC_NOTI_BUF_MP_VAR:
		multi = TRUE;
		break;
	default:
		break;
	}
	if (!nhip_byte_reader_u16(info, &data_req_id, error) ||
	    !nhip_byte_reader_u16(info, &report_no, error))
		return FALSE;
	if (!multi) {
		return fixed ? phdc_decode_fixed_list(self, scanner, info, apdu, apdu_len, offset,
						      out, error)
			     : phdc_decode_var_list(self, info, apdu, apdu_len, offset, out, error);
	}
	{
		guint16 count = 0, len = 0;
		NhipByteReader persons = { 0 };
		if (!nhip_byte_reader_u16(info, &count, error) ||
		    !nhip_byte_reader_u16(info, &len, error) ||
		    !nhip_byte_reader_sub(info, len, &persons, error))
			return FALSE;
		for (guint i = 0; i < count; i++) {
			guint16 person = 0;
			if (!nhip_byte_reader_u16(&persons, &person, error))
				return FALSE;
			g_debug("phdc: scan report for person %u", person);
			if (fixed ? !phdc_decode_fixed_list(self, scanner, &persons, apdu, apdu_len,
							    offset, out, error)
				  : !phdc_decode_var_list(self, &persons, apdu, apdu_len, offset,
							  out, error))
				return FALSE;
		}
	}
	return TRUE;
}

/* ---- PM-store -------------------------------------------------------------------- */

static gboolean
phdc_parse_seg_map(NhipByteReader *v, PhdcSegment *seg, GError **error)
{
	guint16 count = 0, len = 0;
	NhipByteReader list = { 0 };

	if (!nhip_byte_reader_u16(v, &seg->entry_header, error) ||
	    !nhip_byte_reader_u16(v, &count, error) || !nhip_byte_reader_u16(v, &len, error) ||
	    !nhip_byte_reader_sub(v, len, &list, error))
		return FALSE;
	g_ptr_array_set_size(seg->elems, 0);
	for (guint i = 0; i < count; i++) {
		g_autoptr(PhdcSegElem) elem = g_new0(PhdcSegElem, 1);
		if (!nhip_byte_reader_u16(&list, &elem->obj_class, error) ||
		    !nhip_byte_reader_u16(&list, &elem->partition, error) ||
		    !nhip_byte_reader_u16(&list, &elem->type, error) ||
		    !nhip_byte_reader_u16(&list, &elem->handle, error) ||
		    (elem->avm = phdc_parse_avm(&list, error)) == NULL)
			return FALSE;
		g_ptr_array_add(seg->elems, g_steal_pointer(&elem));
	}
	return TRUE;
}

static gboolean
phdc_handle_seg_info(NhipPhdcManager *self,
		     NhipByteReader *info,
		     gsize offset,
		     NhipDecodeOutput *out,
		     GError **error)
{
	guint16 count = 0, len = 0;
	NhipByteReader list = { 0 };
	guint64 total = 0;
	NhipDeviceEvent *event;

	if (!nhip_byte_reader_u16(info, &count, error) ||
	    !nhip_byte_reader_u16(info, &len, error) ||
	    !nhip_byte_reader_sub(info, len, &list, error))
		return FALSE;
	g_ptr_array_set_size(self->segments, 0);
	for (guint i = 0; i < count; i++) {
		g_autoptr(PhdcSegment) seg = g_new0(PhdcSegment, 1);
		guint16 attr_count = 0, attr_len = 0;
		NhipByteReader attrs = { 0 };

		seg->elems = g_ptr_array_new_with_free_func((GDestroyNotify)phdc_seg_elem_free);
		seg->usage_count = G_MAXUINT32;
		if (!nhip_byte_reader_u16(&list, &seg->instance, error) ||
		    !nhip_byte_reader_u16(&list, &attr_count, error) ||
		    !nhip_byte_reader_u16(&list, &attr_len, error) ||
		    !nhip_byte_reader_sub(&list, attr_len, &attrs, error))
			return FALSE;
		for (guint j = 0; j < attr_count; j++) {
			guint16 attr_id = 0;
			NhipByteReader value = { 0 };
			if (!nhip_byte_reader_u16(&attrs, &attr_id, error) ||
			    !nhip_byte_reader_octets(&attrs, &value, error))
				return FALSE;
			if (attr_id == NHIP_PHDC_ATTR_PM_SEG_MAP &&
			    !phdc_parse_seg_map(&value, seg, error))
				return FALSE;
			if (attr_id == NHIP_PHDC_ATTR_SEG_USAGE_CNT &&
			    !nhip_byte_reader_u32(&value, &seg->usage_count, error))
				return FALSE;
		}
		if (seg->usage_count != G_MAXUINT32)
			total += seg->usage_count;
		g_ptr_array_add(self->segments, g_steal_pointer(&seg));
	}
	event = nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_RECORD_COUNT, NHIP_PHDC_DRIVER,
					     offset, _("%u stored segments, %lu entries"), count,
					     (gulong)total);
	nhip_device_event_set_value(event, (gint64)total);
	self->segment_cursor = 0;
	if (self->pending == PHDC_PENDING_SEG_INFO)
		phdc_request_next_segment(self, offset, out);
	return TRUE;
}

static PhdcSegment *
phdc_find_segment(NhipPhdcManager *self, guint16 instance)
{
	for (guint i = 0; i < self->segments->len; i++) {
		PhdcSegment *seg = g_ptr_array_index(self->segments, i);
		if (seg->instance == instance)
			return seg;
	}
	return NULL;
}

static gboolean
phdc_decode_segment_entries(NhipPhdcManager *self,
			    PhdcSegment *seg,
			    guint32 entry_count,
			    NhipByteReader *entries,
			    const guint8 *apdu,
			    gsize apdu_len,
			    gsize offset,
			    NhipDecodeOutput *out,
			    GError **error)
{
	for (guint32 i = 0; i < entry_count; i++) {
		g_autoptr(GDateTime) entry_time = NULL;
		if (seg->entry_header & 0x8000) {
			PhdcObs hdr = { 0 };
			NhipByteReader value = { 0 };
			gboolean ok = nhip_byte_reader_sub(entries, 8, &value, error) &&
				      phdc_decode_attr(NHIP_PHDC_ATTR_TIME_STAMP_ABS, &value, &hdr,
						       offset, out, error);
			if (ok && hdr.time != NULL)
				entry_time = g_date_time_ref(hdr.time);
			phdc_obs_clear(&hdr);
			if (!ok)
				return FALSE;
		}
		if ((seg->entry_header & 0x4000) && !nhip_byte_reader_skip(entries, 4, error))
			return FALSE;
		if ((seg->entry_header & 0x2000) && !nhip_byte_reader_skip(entries, 8, error))
			return FALSE;
		for (guint e = 0; e < seg->elems->len; e++) {
			PhdcSegElem *elem = g_ptr_array_index(seg->elems, e);
			PhdcObject *obj = phdc_find_object(self, elem->handle);
			PhdcObs obs = { 0 };
			gboolean ok = TRUE;

			for (guint k = 0; k < elem->avm->len && ok; k++) {
				PhdcAvmEntry *entry = &g_array_index(elem->avm, PhdcAvmEntry, k);
				NhipByteReader value = { 0 };
				ok = nhip_byte_reader_sub(entries, entry->len, &value, error) &&
				     phdc_decode_attr(entry->id, &value, &obs, offset, out, error);
			}
			if (ok && obs.time == NULL && entry_time != NULL)
				obs.time = g_date_time_ref(entry_time);
			if (ok && elem->obj_class == NHIP_PHDC_MOC_METRIC_NU) {
				phdc_emit(self, elem->handle, elem->type,
					  obj != NULL ? obj->unit : 0,
					  obj != NULL ? obj->metric_ids : NULL, &obs, apdu,
					  apdu_len, offset, NHIP_MEASUREMENT_FLAG_STORED, out);
			}
			phdc_obs_clear(&obs);
			if (!ok)
				return FALSE;
		}
	}
	return TRUE;
}

static gboolean
phdc_handle_segment_data(NhipPhdcManager *self,
			 guint16 invoke_id,
			 guint16 obj_handle,
			 gboolean confirmed,
			 NhipByteReader *info,
			 const guint8 *apdu,
			 gsize apdu_len,
			 gsize offset,
			 NhipDecodeOutput *out,
			 GError **error)
{
	guint16 instance = 0, status = 0;
	guint32 index = 0, count = 0;
	NhipByteReader entries = { 0 };
	PhdcSegment *seg;
	guint8 reply[12] = { 0 };

	if (!nhip_byte_reader_u16(info, &instance, error) ||
	    !nhip_byte_reader_u32(info, &index, error) ||
	    !nhip_byte_reader_u32(info, &count, error) ||
	    !nhip_byte_reader_u16(info, &status, error) ||
	    !nhip_byte_reader_octets(info, &entries, error))
		return FALSE;
	if (status & 0x8000)
		nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_STORED_BEGIN, NHIP_PHDC_DRIVER,
					     offset, _("reading stored measurements"));
	seg = phdc_find_segment(self, instance);
	if (seg == NULL) {
		nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_PROTOCOL, offset,
					_("segment data for PM-segment %u, whose layout was never "
					  "sent (no segment-info reply); %u entries skipped"),
					instance, count);
	} else if (!phdc_decode_segment_entries(self, seg, count, &entries, apdu, apdu_len, offset,
						out, error)) {
		return FALSE;
	}
	/* SegmentDataResult: the same descriptor with sevtsta-manager-confirm set */
	nhip_write_uint16(reply, instance, G_BIG_ENDIAN);
	nhip_write_uint32(reply + 2, index, G_BIG_ENDIAN);
	nhip_write_uint32(reply + 6, count, G_BIG_ENDIAN);
	nhip_write_uint16(reply + 10, (guint16)(status | 0x0080), G_BIG_ENDIAN);
	if (confirmed)
		phdc_respond(out, nhip_phdc_build_event_report_ack(invoke_id, obj_handle,
								   NHIP_PHDC_NOTI_SEGMENT_DATA,
								   reply, sizeof(reply)));
	if (status & 0x4000) {
		nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_STORED_END, NHIP_PHDC_DRIVER,
					     offset, _("stored measurements of segment %u read"),
					     instance);
		if (self->pending == PHDC_PENDING_TRIG_XFER) {
			self->segment_cursor++;
			phdc_request_next_segment(self, offset, out);
		}
	}
	return TRUE;
}

/* ---- data APDUs ------------------------------------------------------------------ */

static gboolean
phdc_handle_event_report(NhipPhdcManager *self,
			 guint16 invoke_id,
			 gboolean confirmed,
			 NhipByteReader *msg,
			 const guint8 *apdu,
			 gsize apdu_len,
			 gsize offset,
			 NhipDecodeOutput *out,
			 GError **error)
{
	guint16 obj_handle = 0, event_type = 0;
	guint32 event_time = 0;
	NhipByteReader info = { 0 };

	if (!nhip_byte_reader_u16(msg, &obj_handle, error) ||
	    !nhip_byte_reader_u32(msg, &event_time, error) ||
	    !nhip_byte_reader_u16(msg, &event_type, error) ||
	    !nhip_byte_reader_octets(msg, &info, error))
		return FALSE;

	if (event_type == NHIP_PHDC_NOTI_CONFIG) {
		guint16 report_id = 0;
		g_autoptr(GPtrArray) objects =
			g_ptr_array_new_with_free_func((GDestroyNotify)phdc_object_free);
		g_autoptr(GError) error_local = NULL;

		if (!nhip_byte_reader_u16(&info, &report_id, error))
			return FALSE;
		if (!phdc_parse_config_objects(&info, objects, &error_local) || objects->len == 0) {
			phdc_respond(out,
				     nhip_phdc_build_config_response(invoke_id, report_id,
								     NHIP_PHDC_CONFIG_UNSUPPORTED));
			nhip_decode_output_warn(
				out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_MALFORMED, offset,
				_("configuration report %u cannot be used (%s); "
				  "answered \"unsupported\""),
				report_id,
				error_local != NULL ? error_local->message : _("no objects"));
			return TRUE;
		}
		g_ptr_array_set_size(self->objects, 0);
		g_ptr_array_extend_and_steal(self->objects, g_steal_pointer(&objects));
		phdc_respond(out, nhip_phdc_build_config_response(invoke_id, report_id,
								  NHIP_PHDC_CONFIG_ACCEPTED));
		phdc_enter_operating(self, offset, out);
		return TRUE;
	}
	if (self->state != NHIP_PHDC_STATE_OPERATING) {
		nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_PROTOCOL, offset,
					_("event 0x%04x arrived before the configuration was "
					  "known; it cannot be decoded and was dropped"),
					event_type);
		return TRUE;
	}
	if (event_type == NHIP_PHDC_NOTI_SEGMENT_DATA)
		return phdc_handle_segment_data(self, invoke_id, obj_handle, confirmed, &info, apdu,
						apdu_len, offset, out, error);
	switch (event_type) {
	case NHIP_PHDC_NOTI_SCAN_REPORT_FIXED:
	case NHIP_PHDC_NOTI_SCAN_REPORT_VAR:
	case NHIP_PHDC_NOTI_SCAN_REPORT_MP_FIXED:
	case NHIP_PHDC_NOTI_SCAN_REPORT_MP_VAR:
	case NHIP_PHDC_NOTI_UNBUF_VAR:
	case NHIP_PHDC_NOTI_UNBUF_FIXED:
	case NHIP_PHDC_NOTI_UNBUF_MP_VAR:
	case NHIP_PHDC_NOTI_UNBUF_MP_FIXED:
	case NHIP_PHDC_NOTI_BUF_VAR:
	case NHIP_PHDC_NOTI_BUF_FIXED:
	case NHIP_PHDC_NOTI_BUF_MP_VAR:
	case NHIP_PHDC_NOTI_BUF_MP_FIXED:
		if (!phdc_decode_scan_report(self, obj_handle, event_type, &info, apdu, apdu_len,
					     offset, out, error))
			return FALSE;
		break;
	default:
		nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_UNSUPPORTED,
					offset,
					_("event type 0x%04x is not decoded; acknowledged and "
					  "skipped"),
					event_type);
		break;
	}
	if (confirmed)
		phdc_respond(out, nhip_phdc_build_event_report_ack(invoke_id, obj_handle,
								   event_type, NULL, 0));
	return TRUE;
}

static gboolean
phdc_handle_get_response(NhipPhdcManager *self,
			 NhipByteReader *msg,
			 gsize offset,
			 NhipDecodeOutput *out,
			 GError **error)
{
	guint16 handle = 0, count = 0, len = 0;
	NhipByteReader attrs = { 0 };

	if (!nhip_byte_reader_u16(msg, &handle, error) ||
	    !nhip_byte_reader_u16(msg, &count, error) || !nhip_byte_reader_u16(msg, &len, error) ||
	    !nhip_byte_reader_sub(msg, len, &attrs, error))
		return FALSE;
	for (guint i = 0; i < count; i++) {
		guint16 attr_id = 0;
		NhipByteReader v = { 0 };
		if (!nhip_byte_reader_u16(&attrs, &attr_id, error) ||
		    !nhip_byte_reader_octets(&attrs, &v, error))
			return FALSE;
		switch (attr_id) {
		case NHIP_PHDC_ATTR_ID_MODEL: {
			NhipByteReader manufacturer = { 0 }, model = { 0 };
			g_autofree gchar *m1 = NULL;
			g_autofree gchar *m2 = NULL;
			NhipDeviceEvent *event;
			if (!nhip_byte_reader_octets(&v, &manufacturer, error) ||
			    !nhip_byte_reader_octets(&v, &model, error))
				return FALSE;
			m1 = g_strstrip(
				g_strndup((const gchar *)manufacturer.buf, manufacturer.len));
			m2 = g_strstrip(g_strndup((const gchar *)model.buf, model.len));
			g_free(self->model);
			self->model = g_strdup_printf("%s %s", m1, m2);
			g_strstrip(self->model);
			if (!g_utf8_validate(self->model, -1, NULL))
				g_strcanon(self->model,
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					   "0123456789 -_.",
					   '?');
			event = nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_INFO,
							     NHIP_PHDC_DRIVER, offset,
							     _("device model %s"), self->model);
			nhip_device_event_set_detail(event, self->model);
			break;
		}
		case NHIP_PHDC_ATTR_ID_PROD_SPECN: {
			guint16 n = 0, n_len = 0;
			if (!nhip_byte_reader_u16(&v, &n, error) ||
			    !nhip_byte_reader_u16(&v, &n_len, error))
				return FALSE;
			for (guint j = 0; j < n; j++) {
				guint16 spec_type = 0, component = 0;
				NhipByteReader spec = { 0 };
				if (!nhip_byte_reader_u16(&v, &spec_type, error) ||
				    !nhip_byte_reader_u16(&v, &component, error) ||
				    !nhip_byte_reader_octets(&v, &spec, error))
					return FALSE;
				if (spec_type == 1) { /* serial-number */
					g_free(self->serial);
					self->serial = g_strstrip(
						g_strndup((const gchar *)spec.buf, spec.len));
					if (!g_utf8_validate(self->serial, -1, NULL))
						g_strcanon(
							self->serial,
							"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
							"opqrstuvwxyz0123456789-_.",
							'?');
				}
			}
			break;
		}
		case NHIP_PHDC_ATTR_TIME_ABS: {
			PhdcObs obs = { 0 };
			NhipDeviceEvent *event;
			if (!phdc_decode_attr(NHIP_PHDC_ATTR_TIME_STAMP_ABS, &v, &obs, offset, out,
					      error)) {
				phdc_obs_clear(&obs);
				return FALSE;
			}
			event = nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_CLOCK,
							     NHIP_PHDC_DRIVER, offset,
							     _("device clock read"));
			nhip_device_event_set_time(event, obs.time);
			phdc_obs_clear(&obs);
			break;
		}
		default:
			break;
		}
	}
	phdc_after_get_mds(self, offset, out);
	return TRUE;
}

static gboolean
phdc_handle_action_response(NhipPhdcManager *self,
			    NhipByteReader *msg,
			    gsize offset,
			    NhipDecodeOutput *out,
			    GError **error)
{
	guint16 handle = 0, action = 0;
	NhipByteReader info = { 0 };

	if (!nhip_byte_reader_u16(msg, &handle, error) ||
	    !nhip_byte_reader_u16(msg, &action, error) ||
	    !nhip_byte_reader_octets(msg, &info, error))
		return FALSE;
	if (action == NHIP_PHDC_ACT_SEG_GET_INFO)
		return phdc_handle_seg_info(self, &info, offset, out, error);
	if (action == NHIP_PHDC_ACT_SEG_TRIG_XFER) {
		guint16 segment = 0, rsp = 0;
		if (!nhip_byte_reader_u16(&info, &segment, error) ||
		    !nhip_byte_reader_u16(&info, &rsp, error))
			return FALSE;
		if (rsp != 0) {
			nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_REFUSED,
						offset,
						_("the device refused to send segment %u (code %u: "
						  "1 no such segment, 2 empty, 3 try later)"),
						segment, rsp);
			if (self->pending == PHDC_PENDING_TRIG_XFER) {
				self->segment_cursor++;
				phdc_request_next_segment(self, offset, out);
			}
		}
		return TRUE;
	}
	g_debug("phdc: action 0x%04x result ignored", action);
	return TRUE;
}

static gboolean
phdc_handle_prst(NhipPhdcManager *self,
		 const guint8 *apdu,
		 gsize len,
		 gsize offset,
		 NhipDecodeOutput *out,
		 GError **error)
{
	NhipByteReader r = { 0 };
	NhipByteReader data = { 0 };
	NhipByteReader msg = { 0 };
	guint16 invoke_id = 0, choice = 0;

	nhip_byte_reader_init(&r, apdu, len, offset);
	if (!nhip_byte_reader_skip(&r, NHIP_PHDC_APDU_HEADER, error) ||
	    !nhip_byte_reader_octets(&r, &data, error) ||
	    !nhip_byte_reader_u16(&data, &invoke_id, error) ||
	    !nhip_byte_reader_u16(&data, &choice, error) ||
	    !nhip_byte_reader_octets(&data, &msg, error))
		return FALSE;
	if (self->state == NHIP_PHDC_STATE_UNASSOCIATED) {
		phdc_respond(out, nhip_phdc_build_abrt(0));
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_PROTOCOL,
			    _("data before association; answered with an abort"));
		return FALSE;
	}
	switch (choice) {
	case NHIP_PHDC_ROIV_EVENT_REPORT:
	case NHIP_PHDC_ROIV_CONFIRMED_EVENT_REPORT:
		return phdc_handle_event_report(self, invoke_id,
						choice == NHIP_PHDC_ROIV_CONFIRMED_EVENT_REPORT,
						&msg, apdu, len, offset, out, error);
	case NHIP_PHDC_RORS_GET:
		return phdc_handle_get_response(self, &msg, offset, out, error);
	case NHIP_PHDC_RORS_CONFIRMED_ACTION:
		return phdc_handle_action_response(self, &msg, offset, out, error);
	case NHIP_PHDC_RORS_CONFIRMED_SET:
		return TRUE;
	case NHIP_PHDC_ROER:
	case NHIP_PHDC_RORJ: {
		guint16 code = 0;
		if (!nhip_byte_reader_u16(&msg, &code, error))
			return FALSE;
		nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_REFUSED, offset,
					choice == NHIP_PHDC_ROER
						? _("the device answered request %u with error %u")
						: _("the device rejected request %u (problem %u)"),
					invoke_id, code);
		if (self->pending == PHDC_PENDING_GET_MDS)
			phdc_after_get_mds(self, offset, out);
		else if (self->pending == PHDC_PENDING_SEG_INFO)
			self->pending = PHDC_PENDING_NONE;
		else if (self->pending == PHDC_PENDING_TRIG_XFER) {
			self->segment_cursor++;
			phdc_request_next_segment(self, offset, out);
		}
		return TRUE;
	}
	default:
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_UNSUPPORTED,
			    _("data message choice 0x%04x is not handled"), choice);
		return FALSE;
	}
}

/**
 * nhip_phdc_manager_feed_apdu:
 * @self: a manager
 * @apdu: (array length=len): one whole APDU from the agent, header included
 * @len: its length
 * @offset: its stream offset, for messages
 * @out: where responses, measurements, events and warnings go
 * @error: return location for a #GError
 *
 * Runs one APDU through the association state machine. Responses to send to the agent
 * are appended to @out->responses in order: the AARE, configuration and event-report
 * acknowledgements, and the manager's own requests (GET of the MDS attributes, and for a
 * PM-store the segment-info and transfer actions).
 *
 * Returns: %FALSE if the APDU is malformed or not allowed; responses may still be queued
 */
gboolean
nhip_phdc_manager_feed_apdu(NhipPhdcManager *self,
			    const guint8 *apdu,
			    gsize len,
			    gsize offset,
			    NhipDecodeOutput *out,
			    GError **error)
{
	guint16 choice, apdu_len;

	g_return_val_if_fail(self != NULL, FALSE);
	g_return_val_if_fail(apdu != NULL, FALSE);
	g_return_val_if_fail(out != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	nhip_dump_raw(G_LOG_DOMAIN, "phdc apdu from agent", apdu, len);
	if (len < NHIP_PHDC_APDU_HEADER) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_TRUNCATED,
			    _("APDU of %lu bytes is shorter than its header"), len);
		return FALSE;
	}
	choice = nhip_read_uint16(apdu, G_BIG_ENDIAN);
	apdu_len = nhip_read_uint16(apdu + 2, G_BIG_ENDIAN);
	if ((gsize)apdu_len + NHIP_PHDC_APDU_HEADER != len) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_TRUNCATED,
			    _("APDU announces %u bytes but holds %lu"), apdu_len,
			    len - NHIP_PHDC_APDU_HEADER);
		return FALSE;
	}
	switch (choice) {
	case NHIP_PHDC_APDU_AARQ:
		return phdc_handle_aarq(self, apdu, len, offset, out, error);
	case NHIP_PHDC_APDU_RLRQ:
		phdc_respond(out, nhip_phdc_build_rlre(0));
		phdc_reset(self);
		nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_RELEASED, NHIP_PHDC_DRIVER,
					     offset, _("the device ended the association"));
		return TRUE;
	case NHIP_PHDC_APDU_RLRE:
		if (self->state != NHIP_PHDC_STATE_DISASSOCIATING) {
			nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_PROTOCOL,
						offset,
						_("release response without a release request"));
		}
		phdc_reset(self);
		nhip_decode_output_add_event(out, NHIP_DEVICE_EVENT_RELEASED, NHIP_PHDC_DRIVER,
					     offset, _("association released"));
		return TRUE;
	case NHIP_PHDC_APDU_ABRT: {
		guint16 reason = len >= 6 ? nhip_read_uint16(apdu + 4, G_BIG_ENDIAN) : 0;
		NhipDeviceEvent *event;
		phdc_reset(self);
		event = nhip_decode_output_add_event(
			out, NHIP_DEVICE_EVENT_ABORTED, NHIP_PHDC_DRIVER, offset,
			_("the device aborted the association (reason %u: 0 undefined, 1 buffer "
			  "overflow, 2 response timeout, 3 configuration timeout)"),
			reason);
		nhip_device_event_set_value(event, reason);
		return TRUE;
	}
	case NHIP_PHDC_APDU_PRST:
		return phdc_handle_prst(self, apdu, len, offset, out, error);
	case NHIP_PHDC_APDU_AARE:
	default:
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_PROTOCOL,
			    _("APDU 0x%04x is not one an agent sends"), choice);
		return FALSE;
	}
}

/**
 * nhip_phdc_manager_build_release:
 * @self: a manager
 *
 * Asks the agent to end the association; the manager waits for its RLRE.
 *
 * Returns: (transfer full) (nullable): the RLRQ to send, or %NULL when not associated
 */
GBytes *
nhip_phdc_manager_build_release(NhipPhdcManager *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	if (self->state == NHIP_PHDC_STATE_UNASSOCIATED)
		return NULL;
	self->state = NHIP_PHDC_STATE_DISASSOCIATING;
	return nhip_phdc_build_rlrq(0);
}

static gboolean
phdc_is_apdu_choice(guint16 choice)
{
	return choice == NHIP_PHDC_APDU_AARQ || choice == NHIP_PHDC_APDU_AARE ||
	       choice == NHIP_PHDC_APDU_RLRQ || choice == NHIP_PHDC_APDU_RLRE ||
	       choice == NHIP_PHDC_APDU_ABRT || choice == NHIP_PHDC_APDU_PRST;
}

/**
 * nhip_phdc_manager_feed:
 * @self: a manager
 * @buf: (array length=bufsz): bytes from the agent (bulk IN transfers), split anywhere
 * @bufsz: how many
 * @out: where responses, measurements, events and warnings go
 *
 * Reassembles APDUs from their 4-byte headers (total = 4 + length) and feeds each to
 * nhip_phdc_manager_feed_apdu(). Bytes that cannot start an APDU are skipped and
 * reported; an APDU longer than %NHIP_PHDC_APDU_MAX is refused.
 */
void
nhip_phdc_manager_feed(NhipPhdcManager *self, const guint8 *buf, gsize bufsz, NhipDecodeOutput *out)
{
	gsize pos = 0;

	g_return_if_fail(self != NULL);
	g_return_if_fail(out != NULL);
	g_return_if_fail(buf != NULL || bufsz == 0);

	g_byte_array_append(self->buf, buf, bufsz);
	while (self->buf->len - pos >= NHIP_PHDC_APDU_HEADER) {
		const guint8 *p = self->buf->data + pos;
		gsize offset = self->buf_offset + pos;
		guint16 choice = nhip_read_uint16(p, G_BIG_ENDIAN);
		gsize total = (gsize)nhip_read_uint16(p + 2, G_BIG_ENDIAN) + NHIP_PHDC_APDU_HEADER;
		g_autoptr(GError) error_local = NULL;

		if (!phdc_is_apdu_choice(choice)) {
			nhip_garbage_run_add(&self->garbage, out, NHIP_PHDC_DRIVER, offset);
			pos++;
			continue;
		}
		if (total > NHIP_PHDC_APDU_MAX) {
			nhip_garbage_run_flush(&self->garbage, out, NHIP_PHDC_DRIVER);
			nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_OVERSIZE,
						offset,
						_("APDU of %lu"
						  " bytes is longer than the %d allowed; skipped"),
						total, NHIP_PHDC_APDU_MAX);
			self->garbage.quiet_until = offset + NHIP_PHDC_APDU_HEADER;
			pos++;
			continue;
		}
		if (self->buf->len - pos < total)
			break;
		nhip_garbage_run_flush(&self->garbage, out, NHIP_PHDC_DRIVER);
		if (!nhip_phdc_manager_feed_apdu(self, p, total, offset, out, &error_local)) {
			nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, error_local->code, offset,
						"%s", error_local->message);
		}
		pos += total;
	}
	g_byte_array_remove_range(self->buf, 0, (guint)pos);
	self->buf_offset += pos;
}

/**
 * nhip_phdc_manager_finish:
 * @self: a manager
 * @out: where warnings go
 *
 * Ends the stream: a partial APDU is reported as truncated.
 */
void
nhip_phdc_manager_finish(NhipPhdcManager *self, NhipDecodeOutput *out)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(out != NULL);

	nhip_garbage_run_flush(&self->garbage, out, NHIP_PHDC_DRIVER);
	if (self->buf->len > 0) {
		nhip_decode_output_warn(out, NHIP_PHDC_DRIVER, NHIP_DECODE_ERROR_TRUNCATED,
					self->buf_offset,
					_("the stream ends inside an APDU (%u bytes); the transfer "
					  "was cut — measure again"),
					self->buf->len);
		self->buf_offset += self->buf->len;
		g_byte_array_set_size(self->buf, 0);
	}
}
