/*
 * Nhịp — tests of the Omron HEM-7xx0IT HID protocol.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-devices-test-utils.h"
#include "nhip-omron-hid-proto.h"

/* the raw input reports of the libomron protocol notes (padding written as 00) */
#define VER_REPORTS "07 4f 4b 00 4d 37 30 38  07 30 49 54 20 32 30 37  01 4a 00 00 00 00 00 00"
#define SRL_REPORTS "07 4f 4b 00 06 00 00 00  04 00 00 00 06 00 00 00"
#define PRF_REPORTS "07 4f 4b 00 30 30 31 30  07 31 30 30 30 30 30 00"
#define GDC_REPORTS "07 4f 4b 00 00 0a 00 08  01 02 00 00 00 00 00 00"
#define GME_REPORTS "07 4f 4b 00 07 01 03 00  07 06 33 00 00 70 4b 47  03 00 00 4c 00 00 00 00"
#define GMA_REPORTS "07 4f 4b 00 80 01 09 04  05 13 71 69 70 f7 00 00"
#define OFF_REPORT  "07 4f 46 46 0d 0a 00 00"
#define CLEAR_ECHO  "07 00 00 00 00 00 00 00"
#define OK_REPORT   "02 4f 4b 00 00 00 00 00"
#define NO_REPORT   "02 4e 4f 00 00 00 00 00"

static gchar *
hex_of(GBytes *bytes)
{
	gsize n = 0;
	const guint8 *d = g_bytes_get_data(bytes, &n);
	return nhip_bytes_to_hex(d, n, " ");
}

/* "OK" 00 + data + XOR, as input reports */
static gchar *
ok_reply(const guint8 *data, gsize n)
{
	g_autoptr(GByteArray) payload = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GBytes) reports = NULL;
	guint8 x = nhip_omron_hid_xor(data, n);
	g_byte_array_append(payload, (const guint8 *)"OK\0", 3);
	g_byte_array_append(payload, data, (guint)n);
	g_byte_array_append(payload, &x, 1);
	bytes = g_bytes_new(payload->data, payload->len);
	reports = nhip_omron_hid_build_reports(bytes);
	return hex_of(reports);
}

static void
test_omron_build_commands(void)
{
	g_autoptr(GBytes) ver = nhip_omron_hid_build_version();
	g_autoptr(GBytes) gdc = nhip_omron_hid_build_daily_count(1);
	g_autoptr(GBytes) gme = nhip_omron_hid_build_daily_record(0, 0);
	g_autoptr(GBytes) gma = nhip_omron_hid_build_weekly_record(0, 6, FALSE);
	g_autoptr(GBytes) gea = nhip_omron_hid_build_weekly_record(1, 2, TRUE);
	g_autoptr(GBytes) end = nhip_omron_hid_build_end();
	g_autoptr(GBytes) clear = nhip_omron_hid_build_clear_block();
	g_autofree gchar *h_ver = hex_of(ver);
	g_autofree gchar *h_gdc = hex_of(gdc);
	g_autofree gchar *h_gme = hex_of(gme);
	g_autofree gchar *h_gma = hex_of(gma);
	g_autofree gchar *h_gea = hex_of(gea);
	g_autofree gchar *h_end = hex_of(end);
	g_autofree gchar *h_clear = hex_of(clear);
	guint8 mode[2] = { 0 };

	/* the notes' examples */
	g_assert_cmpstr(h_ver, ==, "05 56 45 52 30 30 00 00");
	g_assert_cmpstr(h_gdc, ==, "07 47 44 43 00 01 00 00 01 01 00 00 00 00 00 00");
	g_assert_cmpstr(h_gme, ==, "07 47 4d 45 00 00 00 00 01 00 00 00 00 00 00 00");
	g_assert_cmpstr(h_gma, ==, "07 47 4d 41 00 00 06 00 02 00 06 00 00 00 00 00");
	g_assert_cmpstr(h_gea, ==, "07 47 45 41 00 01 02 00 02 00 03 00 00 00 00 00");
	g_assert_cmpstr(h_end, ==, "05 45 4e 44 ff ff 00 00");
	g_assert_cmpuint(g_bytes_get_size(clear), ==, 32);
	g_assert_true(g_str_has_prefix(h_clear, "07 00"));
	nhip_omron_hid_build_mode(NHIP_OMRON_HID_MODE_DAILY, mode);
	g_assert_cmpuint(mode[0], ==, 0x74);
	g_assert_cmpuint(mode[1], ==, 0xbc);
}

static void
test_omron_checksum_vectors(void)
{
	const guint8 ver[] = "M7080IT 207";
	const guint8 gdc[] = { 0x00, 0x0a, 0x00, 0x08 };
	const guint8 gme[] = { 0x07, 0x01, 0x03, 0x00, 0x06, 0x33, 0x00,
			       0x00, 0x70, 0x4b, 0x47, 0x00, 0x00 };
	const guint8 gma[] = { 0x80, 0x01, 0x09, 0x04, 0x13, 0x71, 0x69, 0x70 };
	g_assert_cmpuint(nhip_omron_hid_xor(ver, 11), ==, 0x4a);
	g_assert_cmpuint(nhip_omron_hid_xor(gdc, sizeof(gdc)), ==, 0x02);
	g_assert_cmpuint(nhip_omron_hid_xor(gme, sizeof(gme)), ==, 0x4c);
	g_assert_cmpuint(nhip_omron_hid_xor(gma, sizeof(gma)), ==, 0xf7);
}

static void
test_omron_session(void)
{
	const gchar *hex = CLEAR_ECHO " " OK_REPORT " " VER_REPORTS " " SRL_REPORTS " " PRF_REPORTS
				      " " GDC_REPORTS " " NO_REPORT " " GME_REPORTS " " GMA_REPORTS
				      " " OFF_REPORT;
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("omron-hid", bytes, 0, 0);
	NhipMeasurement *m;
	g_autofree gchar *t = NULL;

	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	m = nhip_test_measurement(out, 0);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_BLOOD_PRESSURE);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 112);
	g_assert_cmpfloat(nhip_measurement_get_value2(m), ==, 75);
	g_assert_cmpstr(nhip_measurement_get_device_model(m), ==, "M7080IT 207");
	g_assert_cmpstr(nhip_measurement_get_device_serial(m), ==, "06000000000000");
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_STORED));
	t = nhip_test_time_string(nhip_measurement_get_device_time(m));
	g_assert_cmpstr(t, ==, "2007-01-03 00:06:51");
	g_assert_cmpuint(g_bytes_get_size(nhip_measurement_get_raw(m)), ==, 17);
	m = nhip_test_measurement(out, 1);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_PULSE);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 71);

	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_REFUSED));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_POWER_OFF));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_SUMMARY));
	for (guint i = 0; i < out->events->len; i++) {
		NhipDeviceEvent *event = g_ptr_array_index(out->events, i);
		if (nhip_device_event_get_kind(event) == NHIP_DEVICE_EVENT_RECORD_COUNT)
			g_assert_cmpint(nhip_device_event_get_value(event), ==, 8);
		if (nhip_device_event_get_kind(event) == NHIP_DEVICE_EVENT_SUMMARY)
			g_assert_cmpstr(nhip_device_event_get_detail(event), ==,
					"2009-04-19 138/105 112");
	}
	nhip_test_assert_split_invariant("omron-hid", bytes);
}

static void
test_omron_checksum_bad(void)
{
	/* the GME reply with its checksum 4c changed to 4d */
	g_autoptr(GBytes) bytes = nhip_test_hex("07 4f 4b 00 07 01 03 00  07 06 33 00 00 70 4b 47  "
						"03 00 00 4d 00 00 00 00" GDC_REPORTS);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("omron-hid", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_CHECKSUM, "0x4d"));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_RECORD_COUNT));
	nhip_test_assert_split_invariant("omron-hid", bytes);
}

static void
test_omron_resync(void)
{
	/* 3 stray bytes shift the report boundaries; the decoder finds them again */
	g_autoptr(GBytes) bytes = nhip_test_hex("ff 13 aa " GME_REPORTS);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("omron-hid", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	g_assert_true(
		nhip_test_has_warning(out, NHIP_DECODE_ERROR_SYNC, "byte 0: skipped 3 bytes"));
	nhip_test_assert_split_invariant("omron-hid", bytes);
}

static void
test_omron_truncated(void)
{
	g_autoptr(GBytes) bytes = nhip_test_hex("07 4f 4b 00 07 01 03 00 03");
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("omron-hid", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_TRUNCATED, "inside a reply"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_TRUNCATED, "1 of 8"));
}

static void
test_omron_cut_by_invalid_report(void)
{
	g_autoptr(GBytes) bytes = nhip_test_hex("07 4f 4b 00 07 01 03 00  99 00 00 00 00 00 00 00");
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("omron-hid", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_TRUNCATED, "invalid report"));
}

static void
test_omron_impossible(void)
{
	/* systolic 10, diastolic 8: dropped with a reason */
	const guint8 record[] = { 0x18, 0x03, 0x04, 0x09, 0x10, 0x00, 0x00,
				  0x00, 10,   8,    70,	  0x00, 0x00 };
	g_autofree gchar *hex = ok_reply(record, sizeof(record));
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("omron-hid", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 1); /* the pulse */
	g_assert_cmpint(nhip_measurement_get_kind(nhip_test_measurement(out, 0)), ==,
			NHIP_VITAL_PULSE);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, "systolic"));
}

static void
test_omron_bad_date(void)
{
	const guint8 record[] = { 0x18, 0x13, 0x04, 0x09, 0x10, 0x00, 0x00,
				  0x00, 130,  85,   70,	  0x00, 0x00 };
	g_autofree gchar *hex = ok_reply(record, sizeof(record));
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("omron-hid", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	g_assert_null(nhip_measurement_get_device_time(nhip_test_measurement(out, 0)));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_MALFORMED, "not valid"));
}

static void
test_omron_unknown_reply(void)
{
	const guint8 data[] = { 1, 2, 3, 4, 5, 6 };
	g_autofree gchar *hex = ok_reply(data, sizeof(data));
	g_autoptr(GBytes) bytes = nhip_test_hex(hex);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("omron-hid", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_UNSUPPORTED, "6 data bytes"));
}

static void
test_omron_oversize(void)
{
	GString *hex = g_string_new("07 4f 4b 00 01 02 03 04");
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	for (guint i = 0; i < 12; i++)
		g_string_append(hex, " 07 01 02 03 04 05 06 07");
	bytes = nhip_test_hex(hex->str);
	g_string_free(hex, TRUE);
	out = nhip_test_decode("omron-hid", bytes, 0, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_OVERSIZE, "64"));
	nhip_test_assert_split_invariant("omron-hid", bytes);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/devices/omron-hid/build/commands", test_omron_build_commands);
	g_test_add_func("/devices/omron-hid/checksum/vectors", test_omron_checksum_vectors);
	g_test_add_func("/devices/omron-hid/checksum/bad", test_omron_checksum_bad);
	g_test_add_func("/devices/omron-hid/session/notes", test_omron_session);
	g_test_add_func("/devices/omron-hid/record/impossible", test_omron_impossible);
	g_test_add_func("/devices/omron-hid/record/bad-date", test_omron_bad_date);
	g_test_add_func("/devices/omron-hid/reply/unknown", test_omron_unknown_reply);
	g_test_add_func("/devices/omron-hid/stream/resync", test_omron_resync);
	g_test_add_func("/devices/omron-hid/stream/truncated", test_omron_truncated);
	g_test_add_func("/devices/omron-hid/stream/invalid-report",
			test_omron_cut_by_invalid_report);
	g_test_add_func("/devices/omron-hid/stream/oversize", test_omron_oversize);
	return g_test_run();
}
