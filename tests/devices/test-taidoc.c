/*
 * Nhịp — tests of the TaiDoc / FORA 8-byte frame decoder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "nhip-devices-test-utils.h"
#include "nhip-taidoc-proto.h"

/* a meter→host frame with a correct checksum */
static gchar *
reply(guint8 cmd, guint8 d0, guint8 d1, guint8 d2, guint8 d3)
{
	const guint8 data[4] = { d0, d1, d2, d3 };
	guint8 frame[8] = { 0 };
	nhip_taidoc_build_frame(cmd, data, NHIP_TAIDOC_DIR_FROM_METER, frame);
	return nhip_bytes_to_hex(frame, sizeof(frame), " ");
}

static void
assert_frame(const guint8 *frame, const gchar *hex)
{
	g_autofree gchar *got = nhip_bytes_to_hex(frame, 8, " ");
	g_assert_cmpstr(got, ==, hex);
}

/* the published request vectors (glucometerutils test_td42xx.py, advmeds) */
static void
test_taidoc_build_vectors(void)
{
	guint8 frame[8] = { 0 };
	nhip_taidoc_build_request(NHIP_TAIDOC_CMD_CONNECT, frame);
	assert_frame(frame, "51 22 00 00 00 00 a3 16");
	nhip_taidoc_build_request(NHIP_TAIDOC_CMD_GET_RECORD_VALUE, frame);
	assert_frame(frame, "51 26 00 00 00 00 a3 1a");
	nhip_taidoc_build_request(NHIP_TAIDOC_CMD_GET_MODEL, frame);
	assert_frame(frame, "51 24 00 00 00 00 a3 18");
	nhip_taidoc_build_request(NHIP_TAIDOC_CMD_POWER_OFF, frame);
	assert_frame(frame, "51 50 00 00 00 00 a3 44");
	nhip_taidoc_build_request(NHIP_TAIDOC_CMD_ENTER_COMM, frame);
	assert_frame(frame, "51 54 00 00 00 00 a3 48");
	nhip_taidoc_build_start_bp(frame);
	assert_frame(frame, "51 43 00 00 01 01 a3 39");
	nhip_taidoc_build_record_request(NHIP_TAIDOC_CMD_GET_RECORD_TIME, 0x0102, frame);
	assert_frame(frame, "51 25 02 01 00 00 a3 1c");
}

static void
test_taidoc_checksum(void)
{
	const guint8 frame[] = { 0x51, 0x22, 0x00, 0x00, 0x00, 0x00, 0xA3 };
	g_assert_cmpuint(nhip_taidoc_checksum(frame, sizeof(frame)), ==, 0x16);
	g_assert_cmpuint(nhip_taidoc_checksum(NULL, 0), ==, 0);
}

/* the published date vectors: 21 24 0E 15 and 04 27 25 0D */
static void
test_taidoc_datetime_vectors(void)
{
	const guint8 a[4] = { 0x21, 0x24, 0x0E, 0x15 };
	const guint8 b[4] = { 0x04, 0x27, 0x25, 0x0D };
	const guint8 bad[4] = { 0x00, 0x24, 0x0E, 0x15 }; /* day 0 */
	gint y = 0, mo = 0, d = 0, h = 0, mi = 0;
	g_autoptr(GError) error = NULL;

	g_assert_true(nhip_taidoc_parse_datetime(a, &y, &mo, &d, &h, &mi, NULL));
	g_assert_cmpint(y, ==, 2018);
	g_assert_cmpint(mo, ==, 1);
	g_assert_cmpint(d, ==, 1);
	g_assert_cmpint(h, ==, 21);
	g_assert_cmpint(mi, ==, 14);
	g_assert_true(nhip_taidoc_parse_datetime(b, &y, &mo, &d, &h, &mi, NULL));
	g_assert_cmpint(y, ==, 2019);
	g_assert_cmpint(mo, ==, 8);
	g_assert_cmpint(d, ==, 4);
	g_assert_cmpint(h, ==, 13);
	g_assert_cmpint(mi, ==, 37);
	g_assert_false(nhip_taidoc_parse_datetime(bad, &y, &mo, &d, &h, &mi, &error));
	g_assert_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED);
}

static void
test_taidoc_set_clock(void)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) t = g_date_time_new(utc, 2019, 8, 4, 13, 37, 0);
	g_autoptr(GDateTime) old = g_date_time_new(utc, 1999, 8, 4, 13, 37, 0);
	g_autoptr(GError) error = NULL;
	guint8 frame[8] = { 0 };

	g_assert_true(nhip_taidoc_build_set_clock(t, frame, NULL));
	assert_frame(frame, "51 33 04 27 25 0d a3 84");
	g_assert_false(nhip_taidoc_build_set_clock(old, frame, &error));
	g_assert_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_MALFORMED);
}

/* connect, model TD-4277, count, record time, record value: a whole glucose download */
static gchar *
glucose_session(void)
{
	g_autofree gchar *f1 = reply(0x22, 0, 0, 0, 0);
	g_autofree gchar *f2 = reply(0x24, 0x77, 0x42, 0, 0);
	g_autofree gchar *f3 = reply(0x2B, 0x02, 0x00, 0, 0);
	g_autofree gchar *f4 = reply(0x25, 0x21, 0x24, 0x0E, 0x15);
	g_autofree gchar *f5 = reply(0x26, 0x64, 0x00, 0x00, 0x40); /* 100 mg/dL, before meal */
	g_autofree gchar *f6 = reply(0x25, 0x04, 0x27, 0x25, 0x0D);
	g_autofree gchar *f7 = reply(0x26, 0xB4, 0x00, 0x00, 0x80); /* 180 mg/dL, after meal */
	g_autofree gchar *f8 = reply(0x50, 0, 0, 0, 0);
	return g_strjoin("\n", f1, f2, f3, f4, f5, f6, f7, f8, NULL);
}

static void
test_taidoc_glucose_session(void)
{
	g_autofree gchar *hex = glucose_session();
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("taidoc", bytes, 0, 0);
	NhipMeasurement *m;
	g_autofree gchar *t0 = NULL;
	g_autofree gchar *t1 = NULL;
	g_autofree gchar *json = NULL;

	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	m = nhip_test_measurement(out, 0);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_GLUCOSE);
	g_assert_cmpfloat_with_epsilon(nhip_measurement_get_value(m), 5.55, 0.001);
	g_assert_cmpfloat(nhip_measurement_get_original_value(m), ==, 100);
	g_assert_cmpstr(nhip_measurement_get_original_unit(m), ==, "mg/dL");
	g_assert_cmpstr(nhip_measurement_get_unit(m), ==, "mmol/L");
	g_assert_cmpstr(nhip_measurement_get_loinc(m), ==, "15074-8");
	g_assert_cmpstr(nhip_measurement_get_device_model(m), ==, "TD-4277");
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_STORED));
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_BEFORE_MEAL));
	t0 = nhip_test_time_string(nhip_measurement_get_device_time(m));
	g_assert_cmpstr(t0, ==, "2018-01-01 21:14:00");
	g_assert_nonnull(nhip_measurement_get_raw(m));
	g_assert_cmpuint(g_bytes_get_size(nhip_measurement_get_raw(m)), ==, 8);
	json = nhip_measurement_to_json_line(m);
	g_assert_nonnull(strstr(json, "\"loinc\":\"15074-8\""));
	g_assert_nonnull(strstr(json, "\"value\":5.55,"));
	g_assert_nonnull(strstr(json, "\"time\":\"2018-01-01T21:14:00+00:00\""));

	m = nhip_test_measurement(out, 1);
	g_assert_cmpfloat_with_epsilon(nhip_measurement_get_value(m), 9.99, 0.001);
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_AFTER_MEAL));
	t1 = nhip_test_time_string(nhip_measurement_get_device_time(m));
	g_assert_cmpstr(t1, ==, "2019-08-04 13:37:00");

	g_assert_cmpuint(nhip_test_count_events(out, NHIP_DEVICE_EVENT_INFO), ==, 2);
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_RECORD_COUNT));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_POWER_OFF));
	nhip_test_assert_split_invariant("taidoc", bytes);
}

static void
test_taidoc_checksum_bad(void)
{
	/* the value frame's checksum is off by one: it is dropped, nothing else is lost */
	g_autofree gchar *good = reply(0x26, 0x64, 0x00, 0x00, 0x00);
	g_autofree gchar *after = reply(0x26, 0x78, 0x00, 0x00, 0x00);
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	g_autofree gchar *hex = NULL;

	good[strlen(good) - 1] = good[strlen(good) - 1] == '0' ? '1' : '0';
	hex = g_strjoin(" ", good, after, NULL);
	bytes = nhip_test_hex(hex);
	out = nhip_test_decode("taidoc", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 1);
	g_assert_cmpfloat(nhip_measurement_get_original_value(nhip_test_measurement(out, 0)), ==,
			  120);
	g_assert_cmpuint(out->warnings->len, ==, 1);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_CHECKSUM, "byte 0:"));
	nhip_test_assert_split_invariant("taidoc", bytes);
}

static void
test_taidoc_resync(void)
{
	/* garbage, including a false start byte, before a good frame */
	g_autofree gchar *good = reply(0x26, 0x64, 0x00, 0x00, 0x00);
	g_autofree gchar *hex = g_strdup_printf("00 ff 13 51 99 %s 7e", good);
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("taidoc", bytes, 0, 0);

	g_assert_cmpuint(out->measurements->len, ==, 1);
	g_assert_true(
		nhip_test_has_warning(out, NHIP_DECODE_ERROR_SYNC, "byte 0: skipped 5 bytes"));
	g_assert_true(
		nhip_test_has_warning(out, NHIP_DECODE_ERROR_SYNC, "byte 13: skipped 1 byte"));
	nhip_test_assert_split_invariant("taidoc", bytes);
}

static void
test_taidoc_truncated(void)
{
	g_autoptr(GBytes) bytes = nhip_test_hex("51 26 64 00");
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("taidoc", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_TRUNCATED, "4 of 8"));
}

static void
test_taidoc_host_frame(void)
{
	g_autoptr(GBytes) bytes = nhip_test_hex("51 26 00 00 00 00 a3 1a");
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("taidoc", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_true(
		nhip_test_has_warning(out, NHIP_DECODE_ERROR_PROTOCOL, "station to the meter"));
}

static void
test_taidoc_impossible(void)
{
	/* 0 mg/dL and 2000 mg/dL cannot be real */
	g_autofree gchar *a = reply(0x26, 0x00, 0x00, 0x00, 0x00);
	g_autofree gchar *b = reply(0x26, 0xD0, 0x07, 0x00, 0x00);
	g_autofree gchar *hex = g_strjoin(" ", a, b, NULL);
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("taidoc", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_cmpuint(out->warnings->len, ==, 2);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, "byte 8:"));
}

static void
test_taidoc_bad_record_time(void)
{
	g_autofree gchar *t = reply(0x25, 0x00, 0x24, 0x0E, 0x15);
	g_autofree gchar *v = reply(0x26, 0x64, 0x00, 0x00, 0x00);
	g_autofree gchar *hex = g_strjoin(" ", t, v, NULL);
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("taidoc", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 1);
	g_assert_null(nhip_measurement_get_device_time(nhip_test_measurement(out, 0)));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_MALFORMED, "not a valid date"));
}

static void
test_taidoc_bp(void)
{
	g_autofree gchar *model = reply(0x24, 0x28, 0x31, 0, 0); /* TD-3128 */
	g_autofree gchar *t = reply(0x25, 0x04, 0x27, 0x25, 0x0D);
	g_autofree gchar *v = reply(0x26, 128, 99, 82, 72);
	g_autofree gchar *hex = g_strjoin(" ", model, t, v, NULL);
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("taidoc", bytes, 0, 0);
	NhipMeasurement *m;

	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	m = nhip_test_measurement(out, 0);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_BLOOD_PRESSURE);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 128);
	g_assert_cmpfloat(nhip_measurement_get_value2(m), ==, 82);
	g_assert_cmpstr(nhip_measurement_get_device_model(m), ==, "TD-3128");
	m = nhip_test_measurement(out, 1);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_PULSE);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 72);
	g_assert_nonnull(nhip_measurement_get_device_time(m));
	nhip_test_assert_split_invariant("taidoc", bytes);
}

static void
test_taidoc_bp_impossible(void)
{
	/* systolic 10 cannot be real; the pulse of the same frame is still fine */
	g_autofree gchar *model = reply(0x24, 0x28, 0x31, 0, 0);
	g_autofree gchar *v = reply(0x26, 10, 0, 8, 72);
	g_autofree gchar *hex = g_strjoin(" ", model, v, NULL);
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("taidoc", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 1);
	g_assert_cmpint(nhip_measurement_get_kind(nhip_test_measurement(out, 0)), ==,
			NHIP_VITAL_PULSE);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, "systolic"));
}

static void
test_taidoc_thermometer(void)
{
	g_autofree gchar *model = reply(0x24, 0x41, 0x12, 0, 0);      /* TD-1241 */
	g_autofree gchar *tenths = reply(0x26, 0x6F, 0x01, 0, 0);     /* 367 → 36.7 */
	g_autofree gchar *hundredths = reply(0x26, 0x5E, 0x0E, 0, 0); /* 3678 → 36.78 */
	g_autofree gchar *hex = g_strjoin(" ", model, tenths, hundredths, NULL);
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("taidoc", bytes, 0, 0);

	g_assert_cmpuint(out->measurements->len, ==, 2);
	g_assert_cmpint(nhip_measurement_get_kind(nhip_test_measurement(out, 0)), ==,
			NHIP_VITAL_TEMPERATURE);
	g_assert_cmpfloat_with_epsilon(nhip_measurement_get_value(nhip_test_measurement(out, 0)),
				       36.7, 1e-9);
	g_assert_cmpfloat_with_epsilon(nhip_measurement_get_value(nhip_test_measurement(out, 1)),
				       36.78, 1e-9);
	g_assert_cmpstr(nhip_measurement_get_unit(nhip_test_measurement(out, 0)), ==, "Cel");
}

static void
test_taidoc_spo2(void)
{
	g_autofree gchar *v = reply(0x49, 97, 0, 0, 66);
	g_autofree gchar *bad = reply(0x49, 127, 0, 0, 66);
	g_autofree gchar *hex = g_strjoin(" ", v, bad, NULL);
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("taidoc", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 3);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 0)), ==, 97);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 1)), ==, 66);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, "127"));
}

static void
test_taidoc_scale_unsupported(void)
{
	g_autofree gchar *model = reply(0x24, 0x55, 0x25, 0, 0); /* TD-2555 */
	g_autofree gchar *v = reply(0x26, 0x12, 0x34, 0, 0);
	g_autofree gchar *hex = g_strjoin(" ", model, v, NULL);
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("taidoc", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_UNSUPPORTED, NULL));
}

static void
test_taidoc_family(void)
{
	g_assert_cmpint(nhip_taidoc_family_from_model(0x4277), ==, NHIP_TAIDOC_FAMILY_GLUCOSE);
	g_assert_cmpint(nhip_taidoc_family_from_model(0x3128), ==,
			NHIP_TAIDOC_FAMILY_BLOOD_PRESSURE);
	g_assert_cmpint(nhip_taidoc_family_from_model(0x1241), ==, NHIP_TAIDOC_FAMILY_THERMOMETER);
	g_assert_cmpint(nhip_taidoc_family_from_model(0x8201), ==, NHIP_TAIDOC_FAMILY_SPO2);
	g_assert_cmpint(nhip_taidoc_family_from_model(0x9999), ==, NHIP_TAIDOC_FAMILY_UNKNOWN);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/devices/taidoc/build/vectors", test_taidoc_build_vectors);
	g_test_add_func("/devices/taidoc/build/set-clock", test_taidoc_set_clock);
	g_test_add_func("/devices/taidoc/checksum/vector", test_taidoc_checksum);
	g_test_add_func("/devices/taidoc/checksum/bad", test_taidoc_checksum_bad);
	g_test_add_func("/devices/taidoc/datetime/vectors", test_taidoc_datetime_vectors);
	g_test_add_func("/devices/taidoc/datetime/bad", test_taidoc_bad_record_time);
	g_test_add_func("/devices/taidoc/family", test_taidoc_family);
	g_test_add_func("/devices/taidoc/session/glucose", test_taidoc_glucose_session);
	g_test_add_func("/devices/taidoc/session/bp", test_taidoc_bp);
	g_test_add_func("/devices/taidoc/value/thermometer", test_taidoc_thermometer);
	g_test_add_func("/devices/taidoc/value/spo2", test_taidoc_spo2);
	g_test_add_func("/devices/taidoc/value/impossible", test_taidoc_impossible);
	g_test_add_func("/devices/taidoc/value/bp-impossible", test_taidoc_bp_impossible);
	g_test_add_func("/devices/taidoc/value/scale-unsupported", test_taidoc_scale_unsupported);
	g_test_add_func("/devices/taidoc/stream/resync", test_taidoc_resync);
	g_test_add_func("/devices/taidoc/stream/truncated", test_taidoc_truncated);
	g_test_add_func("/devices/taidoc/stream/host-frame", test_taidoc_host_frame);
	return g_test_run();
}
