/*
 * Nhịp — tests of the IEEE 11073-20601 codec and manager.
 *
 * Where the spec quotes bytes (SFLOAT/FLOAT and time vectors, the AARQ layout, the
 * blood-pressure scan report values, the acknowledgement layouts) the APDUs use them;
 * whole sessions are built here from the standard's structures (see README.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "nhip-devices-test-utils.h"
#include "nhip-phdc-proto.h"

#define MANAGER_ID "4e 48 49 50 00 00 00 01"
#define BP_TIME	   "20 10 07 21 15 35 53 00"

/* ---- a small APDU writer --------------------------------------------------------- */

static void
u16(GByteArray *a, guint16 v)
{
	nhip_byte_array_append_uint16(a, v, G_BIG_ENDIAN);
}

static void
u32(GByteArray *a, guint32 v)
{
	nhip_byte_array_append_uint32(a, v, G_BIG_ENDIAN);
}

static void
hex(GByteArray *a, const gchar *text)
{
	g_autoptr(GBytes) b = nhip_test_hex(text);
	g_byte_array_append(a, g_bytes_get_data(b, NULL), (guint)g_bytes_get_size(b));
}

/* a length placeholder; patch() writes the number of bytes that followed it */
static guint
mark(GByteArray *a)
{
	u16(a, 0);
	return a->len;
}

static void
patch(GByteArray *a, guint at)
{
	nhip_byte_array_set_uint16(a, at - 2, (guint16)(a->len - at), G_BIG_ENDIAN);
}

typedef struct {
	guint apdu;
	guint octets;
	guint msg;
	guint info;
} Prst;

static void
prst_begin(GByteArray *a, Prst *p, guint16 invoke, guint16 choice)
{
	u16(a, NHIP_PHDC_APDU_PRST);
	p->apdu = mark(a);
	p->octets = mark(a);
	u16(a, invoke);
	u16(a, choice);
	p->msg = mark(a);
}

static void
prst_end(GByteArray *a, Prst *p)
{
	patch(a, p->msg);
	patch(a, p->octets);
	patch(a, p->apdu);
}

/* ROIV event report header; call event_end() after the info */
static void
event_begin(GByteArray *a,
	    Prst *p,
	    guint16 invoke,
	    gboolean confirmed,
	    guint16 handle,
	    guint16 type)
{
	prst_begin(a, p, invoke,
		   confirmed ? NHIP_PHDC_ROIV_CONFIRMED_EVENT_REPORT : NHIP_PHDC_ROIV_EVENT_REPORT);
	u16(a, handle);
	u32(a, 0xFFFFFFFF);
	u16(a, type);
	p->info = mark(a);
}

static void
event_end(GByteArray *a, Prst *p)
{
	patch(a, p->info);
	prst_end(a, p);
}

static void
aarq(GByteArray *a, guint16 config_id, guint16 encoding, guint16 proto)
{
	guint apdu, list, info;
	u16(a, NHIP_PHDC_APDU_AARQ);
	apdu = mark(a);
	u32(a, 0x80000000);
	u16(a, 1);
	list = mark(a);
	u16(a, proto);
	info = mark(a);
	u32(a, 0x80000000);
	u16(a, encoding);
	u32(a, 0x80000000);
	u32(a, 0);
	u32(a, 0x00800000);
	hex(a, "00 08 11 22 33 44 55 66 77 88");
	u16(a, config_id);
	hex(a, "00 01 01 00 00 00 00 00");
	patch(a, info);
	patch(a, list);
	patch(a, apdu);
}

/* one metric object of a configuration report */
static void
config_metric(GByteArray *a,
	      guint16 handle,
	      guint16 type,
	      guint16 unit,
	      const gchar *avm_hex,
	      guint avm_count,
	      const gchar *metric_ids_hex)
{
	guint attrs, n_attrs_at;
	guint n_attrs = 3;
	u16(a, NHIP_PHDC_MOC_METRIC_NU);
	u16(a, handle);
	n_attrs_at = a->len;
	u16(a, 0);
	attrs = mark(a);
	hex(a, "09 2f 00 04 00 02");
	u16(a, type);
	hex(a, "0a 46 00 02 f0 40 09 96 00 02");
	u16(a, unit);
	if (metric_ids_hex != NULL) {
		g_autoptr(GBytes) ids = nhip_test_hex(metric_ids_hex);
		u16(a, NHIP_PHDC_ATTR_METRIC_ID_LIST);
		u16(a, (guint16)(4 + g_bytes_get_size(ids)));
		u16(a, (guint16)(g_bytes_get_size(ids) / 2));
		u16(a, (guint16)g_bytes_get_size(ids));
		hex(a, metric_ids_hex);
		n_attrs++;
	}
	{
		g_autoptr(GBytes) avm = nhip_test_hex(avm_hex);
		u16(a, NHIP_PHDC_ATTR_ATTRIBUTE_VAL_MAP);
		u16(a, (guint16)(4 + g_bytes_get_size(avm)));
		u16(a, (guint16)avm_count);
		u16(a, (guint16)g_bytes_get_size(avm));
		hex(a, avm_hex);
		n_attrs++;
	}
	patch(a, attrs);
	nhip_byte_array_set_uint16(a, n_attrs_at, (guint16)n_attrs, G_BIG_ENDIAN);
}

static gchar *
response_hex(NhipDecodeOutput *out, guint i)
{
	GBytes *r;
	g_assert_cmpuint(i, <, out->responses->len);
	r = g_ptr_array_index(out->responses, i);
	return nhip_bytes_to_hex(g_bytes_get_data(r, NULL), g_bytes_get_size(r), " ");
}

static void
assert_response(NhipDecodeOutput *out, guint i, const gchar *expected)
{
	g_autofree gchar *got = response_hex(out, i);
	g_autoptr(GBytes) want = nhip_test_hex(expected);
	g_autofree gchar *want_hex =
		nhip_bytes_to_hex(g_bytes_get_data(want, NULL), g_bytes_get_size(want), " ");
	g_assert_cmpstr(got, ==, want_hex);
}

static GBytes *
array_bytes(GByteArray *a)
{
	return g_bytes_new(a->data, a->len);
}

/* ---- numbers --------------------------------------------------------------------- */

static void
test_phdc_sfloat(void)
{
	gdouble v = 0;
	g_assert_cmpint(nhip_phdc_sfloat_to_double(0x0071, &v), ==, NHIP_PHDC_NUMBER_VALUE);
	g_assert_cmpfloat(v, ==, 113);
	g_assert_cmpint(nhip_phdc_sfloat_to_double(0xF16F, &v), ==, NHIP_PHDC_NUMBER_VALUE);
	g_assert_cmpfloat(v, ==, 36.7); /* 367 × 10^-1 */
	g_assert_cmpint(nhip_phdc_sfloat_to_double(0x0FFF, &v), ==, NHIP_PHDC_NUMBER_VALUE);
	g_assert_cmpfloat(v, ==, -1); /* mantissa is signed */
	g_assert_cmpint(nhip_phdc_sfloat_to_double(0x2001, &v), ==, NHIP_PHDC_NUMBER_VALUE);
	g_assert_cmpfloat(v, ==, 100);
	g_assert_cmpint(nhip_phdc_sfloat_to_double(0xF3CF, &v), ==, NHIP_PHDC_NUMBER_VALUE);
	g_assert_cmpfloat(v, ==, 97.5);
	g_assert_cmpint(nhip_phdc_sfloat_to_double(0x07FF, &v), ==, NHIP_PHDC_NUMBER_NAN);
	g_assert_true(isnan(v));
	g_assert_cmpint(nhip_phdc_sfloat_to_double(0x0800, &v), ==, NHIP_PHDC_NUMBER_NRES);
	g_assert_cmpint(nhip_phdc_sfloat_to_double(0x07FE, &v), ==, NHIP_PHDC_NUMBER_POS_INF);
	g_assert_true(isinf(v) && v > 0);
	g_assert_cmpint(nhip_phdc_sfloat_to_double(0x0802, &v), ==, NHIP_PHDC_NUMBER_NEG_INF);
	g_assert_true(isinf(v) && v < 0);
	g_assert_cmpint(nhip_phdc_sfloat_to_double(0x0801, &v), ==, NHIP_PHDC_NUMBER_RESERVED);
}

static void
test_phdc_float(void)
{
	gdouble v = 0;
	/* the weighing-scale vector: 796 × 10^-1 */
	g_assert_cmpint(nhip_phdc_float_to_double(0xFF00031C, &v), ==, NHIP_PHDC_NUMBER_VALUE);
	g_assert_cmpfloat(v, ==, 79.6);
	g_assert_cmpint(nhip_phdc_float_to_double(0x00FFFFFF, &v), ==, NHIP_PHDC_NUMBER_VALUE);
	g_assert_cmpfloat(v, ==, -1);
	g_assert_cmpint(nhip_phdc_float_to_double(0x02000005, &v), ==, NHIP_PHDC_NUMBER_VALUE);
	g_assert_cmpfloat(v, ==, 500);
	g_assert_cmpint(nhip_phdc_float_to_double(0x007FFFFF, &v), ==, NHIP_PHDC_NUMBER_NAN);
	g_assert_cmpint(nhip_phdc_float_to_double(0x00800000, &v), ==, NHIP_PHDC_NUMBER_NRES);
	g_assert_cmpint(nhip_phdc_float_to_double(0x007FFFFE, &v), ==, NHIP_PHDC_NUMBER_POS_INF);
	g_assert_cmpint(nhip_phdc_float_to_double(0x00800002, &v), ==, NHIP_PHDC_NUMBER_NEG_INF);
	g_assert_cmpint(nhip_phdc_float_to_double(0x00800001, &v), ==, NHIP_PHDC_NUMBER_RESERVED);
}

static void
test_phdc_abs_time(void)
{
	const guint8 good[8] = { 0x20, 0x10, 0x07, 0x21, 0x15, 0x35, 0x53, 0x25 };
	const guint8 not_bcd[8] = { 0x20, 0x1A, 0x07, 0x21, 0x15, 0x35, 0x53, 0x00 };
	const guint8 bad_date[8] = { 0x20, 0x10, 0x02, 0x30, 0x15, 0x35, 0x53, 0x00 };
	gint y = 0, mo = 0, d = 0, h = 0, mi = 0;
	gdouble s = 0;
	g_autoptr(GError) e1 = NULL;
	g_autoptr(GError) e2 = NULL;

	g_assert_true(nhip_phdc_abs_time_parse(good, &y, &mo, &d, &h, &mi, &s, NULL));
	g_assert_cmpint(y, ==, 2010);
	g_assert_cmpint(mo, ==, 7);
	g_assert_cmpint(d, ==, 21);
	g_assert_cmpint(h, ==, 15);
	g_assert_cmpint(mi, ==, 35);
	g_assert_cmpfloat_with_epsilon(s, 53.25, 1e-9);
	g_assert_false(nhip_phdc_abs_time_parse(not_bcd, &y, &mo, &d, &h, &mi, &s, &e1));
	g_assert_error(e1, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED);
	g_assert_false(nhip_phdc_abs_time_parse(bad_date, &y, &mo, &d, &h, &mi, &s, &e2));
	g_assert_error(e2, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED);
}

/* ---- association ----------------------------------------------------------------- */

static void
test_phdc_aarq_parse(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	NhipPhdcAssociation assoc = { 0 };
	g_autoptr(GError) error = NULL;

	aarq(a, NHIP_PHDC_CONFIG_BLOOD_PRESSURE, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	g_assert_cmpuint(a->len, ==, 54); /* as antidote's blood_pressure/aarq */
	g_assert_true(nhip_phdc_parse_aarq(a->data, a->len, &assoc, &error));
	g_assert_no_error(error);
	g_assert_cmphex(assoc.assoc_version, ==, 0x80000000);
	g_assert_cmphex(assoc.protocol_version, ==, 0x80000000);
	g_assert_cmphex(assoc.encoding_rules, ==, 0x8000);
	g_assert_cmphex(assoc.system_type, ==, 0x00800000);
	g_assert_cmpuint(assoc.system_id_len, ==, 8);
	g_assert_cmpuint(assoc.system_id[7], ==, 0x88);
	g_assert_cmphex(assoc.dev_config_id, ==, 0x02BC);
	g_assert_cmpuint(assoc.data_req_init_agent_count, ==, 1);
	/* cut short */
	g_assert_false(nhip_phdc_parse_aarq(a->data, a->len - 3, &assoc, &error));
	g_assert_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED);
}

static void
test_phdc_builders(void)
{
	const guint8 id[8] = { 0x4e, 0x48, 0x49, 0x50, 0, 0, 0, 1 };
	g_autoptr(GBytes) aare = nhip_phdc_build_aare(NHIP_PHDC_ASSOC_ACCEPTED_UNKNOWN_CONFIG, id);
	g_autoptr(GBytes) rej = nhip_phdc_build_aare(NHIP_PHDC_ASSOC_REJECTED_PERMANENT, id);
	g_autoptr(GBytes) rlrq = nhip_phdc_build_rlrq(0);
	g_autoptr(GBytes) rlre = nhip_phdc_build_rlre(0);
	g_autoptr(GBytes) abrt = nhip_phdc_build_abrt(2);
	g_autoptr(GBytes) cfg = nhip_phdc_build_config_response(0x0002, 0x4000, 0);
	g_autoptr(GBytes) ack = nhip_phdc_build_event_report_ack(0x0001, 0, 0x0D1F, NULL, 0);
	g_autoptr(GBytes) seg = nhip_phdc_build_seg_get_info(0x0005, 0x0100);
	g_autoptr(GBytes) trig = nhip_phdc_build_seg_trig_xfer(0x0006, 0x0100, 0x0003);
	g_autoptr(NhipDecodeOutput) out = nhip_test_output_new();

	g_ptr_array_add(out->responses, g_bytes_ref(aare));
	g_ptr_array_add(out->responses, g_bytes_ref(rej));
	g_ptr_array_add(out->responses, g_bytes_ref(rlrq));
	g_ptr_array_add(out->responses, g_bytes_ref(rlre));
	g_ptr_array_add(out->responses, g_bytes_ref(abrt));
	g_ptr_array_add(out->responses, g_bytes_ref(cfg));
	g_ptr_array_add(out->responses, g_bytes_ref(ack));
	g_ptr_array_add(out->responses, g_bytes_ref(seg));
	g_ptr_array_add(out->responses, g_bytes_ref(trig));
	/* AARE: 44-byte body with the manager's association information */
	assert_response(out, 0,
			"e3 00 00 2c 00 03 50 79 00 26 80 00 00 00 80 00 80 00 00 00 00 00 00 00"
			" 80 00 00 00 00 08" MANAGER_ID " 00 00 00 00 00 00 00 00 00 00");
	assert_response(out, 1, "e3 00 00 06 00 01 00 00 00 00");
	assert_response(out, 2, "e4 00 00 02 00 00");
	assert_response(out, 3, "e5 00 00 02 00 00");
	assert_response(out, 4, "e6 00 00 02 00 02");
	/* the accepted-config answer (antidote blood_pressure/rors_accepted_config layout) */
	assert_response(out, 5,
			"e7 00 00 16 00 14 00 02 02 01 00 0e 00 00 00 00 00 00 0d 1c 00 04 40 00 "
			"00 00");
	assert_response(out, 6,
			"e7 00 00 12 00 10 00 01 02 01 00 0a 00 00 00 00 00 00 0d 1f 00 00");
	assert_response(out, 7,
			"e7 00 00 14 00 12 00 05 01 07 00 0c 01 00 0c 0d 00 06 00 01 00 02 00 00");
	assert_response(out, 8, "e7 00 00 10 00 0e 00 06 01 07 00 08 01 00 0c 1c 00 02 00 03");
}

/* ---- sessions -------------------------------------------------------------------- */

/* the blood-pressure scan report of the spec: 113/71 (MAP 85), pulse 71, 2010-07-21 */
static void
bp_scan_report(GByteArray *a, guint16 invoke)
{
	Prst p = { 0 };
	guint persons, obs;
	event_begin(a, &p, invoke, TRUE, 0, NHIP_PHDC_NOTI_SCAN_REPORT_MP_FIXED);
	hex(a, "f0 00 00 01 00 01");
	persons = mark(a);
	hex(a, "00 42 00 02");
	obs = mark(a);
	hex(a, "00 01 00 12 00 03 00 06 00 71 00 47 00 55" BP_TIME);
	hex(a, "00 02 00 0a 00 47" BP_TIME);
	patch(a, obs);
	patch(a, persons);
	event_end(a, &p);
}

static void
test_phdc_session_bp_standard(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	NhipMeasurement *m;
	g_autofree gchar *t = NULL;

	aarq(a, NHIP_PHDC_CONFIG_BLOOD_PRESSURE, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	bp_scan_report(a, 0x0001);
	hex(a, "e4 00 00 02 00 00"); /* RLRQ from the agent */
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);

	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	m = nhip_test_measurement(out, 0);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_BLOOD_PRESSURE);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 113);
	g_assert_cmpfloat(nhip_measurement_get_value2(m), ==, 71);
	g_assert_cmpstr(nhip_measurement_get_device_serial(m), ==, "1122334455667788");
	t = nhip_test_time_string(nhip_measurement_get_device_time(m));
	g_assert_cmpstr(t, ==, "2010-07-21 15:35:53");
	g_assert_cmpuint(g_bytes_get_size(nhip_measurement_get_raw(m)), ==, 72);
	m = nhip_test_measurement(out, 1);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_PULSE);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 71);

	g_assert_cmpuint(out->responses->len, ==, 4);
	assert_response(out, 0,
			"e3 00 00 2c 00 00 50 79 00 26 80 00 00 00 80 00 80 00 00 00 00 00 00 00"
			" 80 00 00 00 00 08" MANAGER_ID " 00 00 00 00 00 00 00 00 00 00");
	assert_response(out, 1, "e7 00 00 0e 00 0c 00 00 01 03 00 06 00 00 00 00 00 00");
	assert_response(out, 2,
			"e7 00 00 12 00 10 00 01 02 01 00 0a 00 00 00 00 00 00 0d 1f 00 00");
	assert_response(out, 3, "e5 00 00 02 00 00");
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_ASSOCIATED));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_CONFIGURED));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_RELEASED));
	nhip_test_assert_split_invariant("phdc", bytes);
}

static void
test_phdc_session_extended_config(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	Prst p = { 0 };
	guint objs, list;

	aarq(a, 0x4000, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	/* MDC_NOTI_CONFIG, report id 0x4000, the two standard blood-pressure objects */
	event_begin(a, &p, 0x0002, TRUE, 0, NHIP_PHDC_NOTI_CONFIG);
	u16(a, 0x4000);
	u16(a, 2);
	objs = mark(a);
	config_metric(a, 1, NHIP_PHDC_PRESS_BLD_NONINV, NHIP_PHDC_DIM_MMHG,
		      "0a 75 00 0a 09 90 00 08", 2, "4a 05 4a 06 4a 07");
	config_metric(a, 2, NHIP_PHDC_PULS_RATE_NON_INV, NHIP_PHDC_DIM_BEAT_PER_MIN,
		      "0a 4c 00 02 09 90 00 08", 2, NULL);
	patch(a, objs);
	event_end(a, &p);
	bp_scan_report(a, 0x0003);
	/* a variable-format report: pulse 72 with its own time, unconfirmed */
	event_begin(a, &p, 0x0004, FALSE, 0, NHIP_PHDC_NOTI_SCAN_REPORT_VAR);
	hex(a, "f0 00 00 02 00 01");
	list = mark(a);
	hex(a, "00 02 00 02 00 12 0a 4c 00 02 00 48 09 90 00 08 20 24 01 02 08 30 00 00");
	patch(a, list);
	event_end(a, &p);
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);

	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 3);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 2)), ==, 72);
	/* AARE accepted-unknown-config, config accepted, GET MDS, report ack; none for the
	 * unconfirmed report */
	g_assert_cmpuint(out->responses->len, ==, 4);
	{
		g_autofree gchar *aare = response_hex(out, 0);
		g_assert_true(g_str_has_prefix(aare, "e3 00 00 2c 00 03"));
	}
	assert_response(out, 1,
			"e7 00 00 16 00 14 00 02 02 01 00 0e 00 00 00 00 00 00 0d 1c 00 04 40 00 "
			"00 00");
	assert_response(out, 3,
			"e7 00 00 12 00 10 00 03 02 01 00 0a 00 00 00 00 00 00 0d 1f 00 00");
	nhip_test_assert_split_invariant("phdc", bytes);
}

static void
test_phdc_session_scale(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	Prst p = { 0 };
	guint list;

	aarq(a, NHIP_PHDC_CONFIG_SCALE, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	event_begin(a, &p, 0x0001, TRUE, 0, NHIP_PHDC_NOTI_SCAN_REPORT_FIXED);
	hex(a, "f0 00 00 00 00 01");
	list = mark(a);
	hex(a, "00 01 00 0c ff 00 03 1c 20 24 05 06 07 08 09 00");
	patch(a, list);
	event_end(a, &p);
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);
	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 1);
	g_assert_cmpint(nhip_measurement_get_kind(nhip_test_measurement(out, 0)), ==,
			NHIP_VITAL_WEIGHT);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 0)), ==, 79.6);
	nhip_test_assert_split_invariant("phdc", bytes);
}

static void
test_phdc_session_thermometer_oximeter(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	Prst p = { 0 };
	guint list;

	aarq(a, NHIP_PHDC_CONFIG_THERMOMETER, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	event_begin(a, &p, 0x0001, TRUE, 0, NHIP_PHDC_NOTI_SCAN_REPORT_FIXED);
	hex(a, "f0 00 00 00 00 01");
	list = mark(a);
	hex(a, "00 01 00 0a f1 6f 20 24 05 06 07 08 09 00"); /* 36.7 °C */
	patch(a, list);
	event_end(a, &p);
	hex(a, "e4 00 00 02 00 00");
	aarq(a, NHIP_PHDC_CONFIG_PULSE_OXIMETER, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	event_begin(a, &p, 0x1238, TRUE, 0, NHIP_PHDC_NOTI_SCAN_REPORT_FIXED);
	hex(a, "f0 00 00 00 00 02");
	list = mark(a);
	/* antidote pulse_oximeter/description: SpO2 98 %, pulse 72, 2007-12-06 12:10 */
	hex(a, "00 01 00 0a 00 62 20 07 12 06 12 10 00 00 00 0a 00 0a 00 48 20 07 12 06 12 10 "
	       "00 00");
	patch(a, list);
	event_end(a, &p);
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);
	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 3);
	g_assert_cmpint(nhip_measurement_get_kind(nhip_test_measurement(out, 0)), ==,
			NHIP_VITAL_TEMPERATURE);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 0)), ==, 36.7);
	g_assert_cmpint(nhip_measurement_get_kind(nhip_test_measurement(out, 1)), ==,
			NHIP_VITAL_SPO2);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 1)), ==, 98);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 2)), ==, 72);
	nhip_test_assert_split_invariant("phdc", bytes);
}

/* a glucose meter with a PM-store: the whole stored-data transfer */
static void
glucose_pm_session(GByteArray *a)
{
	Prst p = { 0 };
	guint objs, attrs, list, seglist, segattrs, map, elems, avm, entries;

	aarq(a, 0x4001, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	event_begin(a, &p, 0x0001, TRUE, 0, NHIP_PHDC_NOTI_CONFIG);
	u16(a, 0x4001);
	u16(a, 2);
	objs = mark(a);
	config_metric(a, 1, NHIP_PHDC_CONC_GLU_CAPILLARY_WB, NHIP_PHDC_DIM_MILLI_G_PER_DL,
		      "0a 4c 00 02 09 90 00 08", 2, NULL);
	u16(a, NHIP_PHDC_MOC_PM_STORE);
	u16(a, 0x0100);
	u16(a, 1);
	attrs = mark(a);
	hex(a, "0a 4d 00 02 08 00"); /* PM-store capabilities */
	patch(a, attrs);
	patch(a, objs);
	event_end(a, &p);

	/* the answer to GET MDS: model and serial */
	prst_begin(a, &p, 0x0000, NHIP_PHDC_RORS_GET);
	hex(a, "00 00 00 03");
	list = mark(a);
	hex(a, "09 28 00 0e 00 05 52 6f 63 68 65 00 05 47 75 69 64 65"); /* Roche Guide */
	hex(a, "09 2d 00 0d 00 01 00 09 00 01 00 00 00 03 53 4e 31");	 /* serial SN1 */
	hex(a, "09 87 00 08 20 24 01 02 08 00 00 00");			 /* clock */
	patch(a, list);
	prst_end(a, &p);

	/* SEG_GET_INFO result: segment 0, entries = abs time + glucose SFLOAT, 2 entries */
	prst_begin(a, &p, 0x0001, NHIP_PHDC_RORS_CONFIRMED_ACTION);
	hex(a, "01 00 0c 0d");
	list = mark(a);
	u16(a, 1);
	seglist = mark(a);
	u16(a, 0); /* instance */
	u16(a, 2); /* attributes */
	segattrs = mark(a);
	u16(a, NHIP_PHDC_ATTR_PM_SEG_MAP);
	map = mark(a);
	hex(a, "80 00 00 01");
	elems = mark(a);
	hex(a, "00 06 00 02 71 b8 00 01 00 01");
	avm = mark(a);
	hex(a, "0a 4c 00 02");
	patch(a, avm);
	patch(a, elems);
	patch(a, map);
	hex(a, "09 7b 00 04 00 00 00 02");
	patch(a, segattrs);
	patch(a, seglist);
	patch(a, list);
	prst_end(a, &p);

	/* TRIG_XFER result: accepted */
	prst_begin(a, &p, 0x0002, NHIP_PHDC_RORS_CONFIRMED_ACTION);
	hex(a, "01 00 0c 1c 00 04 00 00 00 00");
	prst_end(a, &p);

	/* the segment data: both entries, first and last */
	event_begin(a, &p, 0x0005, TRUE, 0x0100, NHIP_PHDC_NOTI_SEGMENT_DATA);
	hex(a, "00 00 00 00 00 00 00 00 00 02 c0 00");
	entries = mark(a);
	hex(a, "20 24 01 02 07 15 00 00 00 64");
	hex(a, "20 24 01 02 12 40 00 00 00 b4");
	patch(a, entries);
	event_end(a, &p);
	hex(a, "e4 00 00 02 00 00");
}

static void
test_phdc_session_pm_store(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	NhipMeasurement *m;
	g_autofree gchar *t = NULL;

	glucose_pm_session(a);
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);

	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	m = nhip_test_measurement(out, 0);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_GLUCOSE);
	g_assert_cmpfloat_with_epsilon(nhip_measurement_get_value(m), 5.55, 1e-9);
	g_assert_cmpfloat(nhip_measurement_get_original_value(m), ==, 100);
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_STORED));
	g_assert_cmpstr(nhip_measurement_get_device_model(m), ==, "Roche Guide");
	g_assert_cmpstr(nhip_measurement_get_device_serial(m), ==, "SN1");
	t = nhip_test_time_string(nhip_measurement_get_device_time(m));
	g_assert_cmpstr(t, ==, "2024-01-02 07:15:00");
	g_assert_cmpfloat_with_epsilon(nhip_measurement_get_value(nhip_test_measurement(out, 1)),
				       9.99, 1e-9);

	/* AARE(3), config ack, GET MDS, SEG_GET_INFO, TRIG_XFER, segment ack, RLRE */
	g_assert_cmpuint(out->responses->len, ==, 7);
	assert_response(out, 2, "e7 00 00 0e 00 0c 00 00 01 03 00 06 00 00 00 00 00 00");
	assert_response(out, 3,
			"e7 00 00 14 00 12 00 01 01 07 00 0c 01 00 0c 0d 00 06 00 01 00 02 00 00");
	assert_response(out, 4, "e7 00 00 10 00 0e 00 02 01 07 00 08 01 00 0c 1c 00 02 00 00");
	assert_response(out, 5,
			"e7 00 00 1e 00 1c 00 05 02 01 00 16 01 00 00 00 00 00 0d 21 00 0c 00 00 "
			"00 00 00 00 00 00 00 02 c0 80");
	assert_response(out, 6, "e5 00 00 02 00 00");
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_CLOCK));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_STORED_BEGIN));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_STORED_END));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_RECORD_COUNT));
	nhip_test_assert_split_invariant("phdc", bytes);
}

static void
test_phdc_pm_store_not_fetched(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(NhipPhdcManager) manager = nhip_phdc_manager_new();
	g_autoptr(NhipDecodeOutput) out = nhip_test_output_new();

	glucose_pm_session(a);
	nhip_phdc_manager_set_fetch_stored(manager, FALSE);
	nhip_phdc_manager_feed(manager, a->data, a->len, out);
	nhip_phdc_manager_finish(manager, out);
	/* no SEG_GET_INFO or TRIG_XFER of our own; the stream's answers are still decoded */
	g_assert_cmpuint(out->responses->len, ==, 5);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	g_assert_cmpint(nhip_phdc_manager_get_state(manager), ==, NHIP_PHDC_STATE_UNASSOCIATED);
}

static void
test_phdc_release_by_manager(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(NhipPhdcManager) manager = nhip_phdc_manager_new();
	g_autoptr(NhipDecodeOutput) out = nhip_test_output_new();
	g_autoptr(GBytes) rlrq = NULL;
	g_autoptr(GError) error = NULL;
	const guint8 rlre[] = { 0xe5, 0x00, 0x00, 0x02, 0x00, 0x00 };

	g_assert_null(nhip_phdc_manager_build_release(manager));
	aarq(a, NHIP_PHDC_CONFIG_GLUCOSE, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	g_assert_true(nhip_phdc_manager_feed_apdu(manager, a->data, a->len, 0, out, &error));
	g_assert_no_error(error);
	g_assert_cmpint(nhip_phdc_manager_get_state(manager), ==, NHIP_PHDC_STATE_OPERATING);
	g_assert_cmpuint(nhip_phdc_manager_get_dev_config_id(manager), ==, 0x06A4);
	g_assert_cmpuint(nhip_phdc_manager_get_n_objects(manager), ==, 1);
	rlrq = nhip_phdc_manager_build_release(manager);
	g_assert_cmpuint(g_bytes_get_size(rlrq), ==, 6);
	g_assert_cmpint(nhip_phdc_manager_get_state(manager), ==, NHIP_PHDC_STATE_DISASSOCIATING);
	g_assert_true(nhip_phdc_manager_feed_apdu(manager, rlre, sizeof(rlre), 100, out, &error));
	g_assert_cmpint(nhip_phdc_manager_get_state(manager), ==, NHIP_PHDC_STATE_UNASSOCIATED);
	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_RELEASED));
}

static void
test_phdc_abort(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	aarq(a, 0x4000, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	hex(a, "e6 00 00 02 00 03"); /* configuration timeout */
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_ABORTED));
	g_assert_cmpint(nhip_device_event_get_value(g_ptr_array_index(out->events, 1)), ==, 3);
}

static void
test_phdc_reject_encoding(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	aarq(a, NHIP_PHDC_CONFIG_SCALE, 0x4000 /* PER only */, NHIP_PHDC_DATA_PROTO_ID);
	aarq(a, NHIP_PHDC_CONFIG_SCALE, 0x8000, 20602);
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);
	g_assert_cmpuint(out->responses->len, ==, 2);
	assert_response(out, 0, "e3 00 00 06 00 05 00 00 00 00");
	assert_response(out, 1, "e3 00 00 06 00 04 00 00 00 00");
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_UNSUPPORTED, "MDER"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_UNSUPPORTED, "20601"));
	g_assert_cmpuint(out->measurements->len, ==, 0);
}

static void
test_phdc_data_before_association(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	bp_scan_report(a, 1);
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_cmpuint(out->responses->len, ==, 1);
	assert_response(out, 0, "e6 00 00 02 00 00");
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_PROTOCOL, "before association"));
}

static void
test_phdc_report_before_config(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	aarq(a, 0x4000, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	bp_scan_report(a, 1);
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_PROTOCOL, "configuration"));
}

static void
test_phdc_special_and_impossible_values(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	Prst p = { 0 };
	guint list;

	aarq(a, NHIP_PHDC_CONFIG_PULSE_OXIMETER, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	event_begin(a, &p, 0x0001, TRUE, 0, NHIP_PHDC_NOTI_SCAN_REPORT_FIXED);
	hex(a, "f0 00 00 00 00 04");
	list = mark(a);
	hex(a, "00 01 00 0a 07 ff" BP_TIME);		     /* SpO2 NaN */
	hex(a, "00 01 00 0a 00 7f" BP_TIME);		     /* SpO2 127 */
	hex(a, "00 0a 00 0a 00 48 20 10 13 21 15 35 53 00"); /* bad month */
	hex(a, "00 07 00 0a 00 48" BP_TIME);		     /* no such object */
	patch(a, list);
	event_end(a, &p);
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);
	/* the pulse with a bad time stamp is kept without a device time */
	g_assert_cmpuint(out->measurements->len, ==, 1);
	g_assert_null(nhip_measurement_get_device_time(nhip_test_measurement(out, 0)));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, "NaN"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, "127"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_MALFORMED, "not a valid time"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_PROTOCOL, "object 7"));
	nhip_test_assert_split_invariant("phdc", bytes);
}

static void
test_phdc_unknown_object(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	Prst p = { 0 };
	guint list;
	aarq(a, NHIP_PHDC_CONFIG_PULSE_OXIMETER, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	event_begin(a, &p, 0x0001, TRUE, 0, NHIP_PHDC_NOTI_SCAN_REPORT_FIXED);
	hex(a, "f0 00 00 00 00 02");
	list = mark(a);
	hex(a, "00 07 00 0a 00 48" BP_TIME);
	hex(a, "00 0a 00 0a 00 48" BP_TIME);
	patch(a, list);
	event_end(a, &p);
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 1);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_PROTOCOL, "object 7"));
}

static void
test_phdc_stream_garbage_oversize_truncated(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	hex(a, "00 11 22");
	hex(a, "e7 00 ff ff"); /* longer than allowed */
	aarq(a, NHIP_PHDC_CONFIG_SCALE, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	hex(a, "e7 00 00 20 00 1e");
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_SYNC, "byte 0: skipped 3"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_OVERSIZE, "byte 3:"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_TRUNCATED, "inside an APDU"));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_ASSOCIATED));
	nhip_test_assert_split_invariant("phdc", bytes);
}

static void
test_phdc_malformed_prst(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	aarq(a, NHIP_PHDC_CONFIG_SCALE, 0x8000, NHIP_PHDC_DATA_PROTO_ID);
	/* the octet string claims more than the APDU holds */
	hex(a, "e7 00 00 08 00 20 00 01 01 01 00 00");
	bytes = array_bytes(a);
	out = nhip_test_decode("phdc", bytes, 0, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_TRUNCATED, "runs past"));
	nhip_test_assert_split_invariant("phdc", bytes);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/devices/phdc/number/sfloat", test_phdc_sfloat);
	g_test_add_func("/devices/phdc/number/float", test_phdc_float);
	g_test_add_func("/devices/phdc/time/absolute", test_phdc_abs_time);
	g_test_add_func("/devices/phdc/association/aarq", test_phdc_aarq_parse);
	g_test_add_func("/devices/phdc/association/reject", test_phdc_reject_encoding);
	g_test_add_func("/devices/phdc/build/apdus", test_phdc_builders);
	g_test_add_func("/devices/phdc/session/bp-standard", test_phdc_session_bp_standard);
	g_test_add_func("/devices/phdc/session/extended-config", test_phdc_session_extended_config);
	g_test_add_func("/devices/phdc/session/scale", test_phdc_session_scale);
	g_test_add_func("/devices/phdc/session/thermometer-oximeter",
			test_phdc_session_thermometer_oximeter);
	g_test_add_func("/devices/phdc/session/pm-store", test_phdc_session_pm_store);
	g_test_add_func("/devices/phdc/session/pm-store-not-fetched",
			test_phdc_pm_store_not_fetched);
	g_test_add_func("/devices/phdc/session/release-by-manager", test_phdc_release_by_manager);
	g_test_add_func("/devices/phdc/session/abort", test_phdc_abort);
	g_test_add_func("/devices/phdc/protocol/data-before-association",
			test_phdc_data_before_association);
	g_test_add_func("/devices/phdc/protocol/report-before-config",
			test_phdc_report_before_config);
	g_test_add_func("/devices/phdc/value/special-and-impossible",
			test_phdc_special_and_impossible_values);
	g_test_add_func("/devices/phdc/value/unknown-object", test_phdc_unknown_object);
	g_test_add_func("/devices/phdc/stream/garbage-oversize-truncated",
			test_phdc_stream_garbage_oversize_truncated);
	g_test_add_func("/devices/phdc/stream/malformed", test_phdc_malformed_prst);
	return g_test_run();
}
