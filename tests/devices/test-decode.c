/*
 * Nhịp — tests of the measurement type, the driver table and whole-stream decoding.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "nhip-bytes.h"
#include "nhip-devices-test-utils.h"

static void
test_measurement_new(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipMeasurement) bp =
		nhip_measurement_new(NHIP_VITAL_BLOOD_PRESSURE, 120, 80, &error);
	g_autoptr(NhipMeasurement) spo2 = nhip_measurement_new(NHIP_VITAL_SPO2, 97, 12, &error);
	g_autoptr(NhipMeasurement) low = nhip_measurement_new(NHIP_VITAL_SPO2, 45, NAN, &error);
	g_autoptr(NhipMeasurement) bad = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(nhip_measurement_get_loinc(bp), ==, "85354-9");
	g_assert_cmpstr(nhip_measurement_get_unit(bp), ==, "mm[Hg]");
	g_assert_cmpfloat(nhip_measurement_get_value2(bp), ==, 80);
	g_assert_true(isnan(nhip_measurement_get_value2(spo2))); /* only BP has two values */
	g_assert_true(isnan(nhip_measurement_get_original_value(spo2)));
	g_assert_cmpuint(nhip_measurement_get_flags(spo2), ==, NHIP_MEASUREMENT_FLAG_NONE);
	g_assert_true(nhip_measurement_has_flag(low, NHIP_MEASUREMENT_FLAG_IMPLAUSIBLE));
	g_assert_null(nhip_measurement_get_device_time(spo2));

	bad = nhip_measurement_new(NHIP_VITAL_SPO2, 127, NAN, &error);
	g_assert_null(bad);
	g_assert_error(error, NHIP_VITAL_ERROR, NHIP_VITAL_ERROR_OUT_OF_RANGE);
	g_clear_error(&error);
	bad = nhip_measurement_new(NHIP_VITAL_BLOOD_PRESSURE, 10, 5, &error);
	g_assert_null(bad);
	g_assert_error(error, NHIP_VITAL_ERROR, NHIP_VITAL_ERROR_OUT_OF_RANGE);
	g_clear_error(&error);
	bad = nhip_measurement_new(NHIP_VITAL_BLOOD_PRESSURE, 80, 120, &error);
	g_assert_null(bad);
	g_assert_error(error, NHIP_VITAL_ERROR, NHIP_VITAL_ERROR_INCONSISTENT);
	g_clear_error(&error);
	bad = nhip_measurement_new(NHIP_VITAL_UNKNOWN, 1, NAN, &error);
	g_assert_null(bad);
	g_assert_error(error, NHIP_VITAL_ERROR, NHIP_VITAL_ERROR_UNKNOWN_KIND);
}

static void
test_measurement_boxed(void)
{
	g_autoptr(NhipMeasurement) m = nhip_measurement_new(NHIP_VITAL_PULSE, 70, NAN, NULL);
	NhipMeasurement *copy = g_boxed_copy(NHIP_TYPE_MEASUREMENT, m);
	g_assert_true(copy == m);
	g_boxed_free(NHIP_TYPE_MEASUREMENT, copy);
	g_assert_true(G_TYPE_IS_BOXED(NHIP_TYPE_DEVICE_EVENT));
}

static void
test_measurement_json(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("+07:00");
	g_autoptr(GDateTime) dev = g_date_time_new(tz, 2024, 5, 6, 7, 8, 9);
	g_autoptr(GDateTime) rx = g_date_time_new(tz, 2024, 5, 6, 7, 9, 0);
	g_autoptr(NhipMeasurement) bp =
		nhip_measurement_new(NHIP_VITAL_BLOOD_PRESSURE, 121, 79, NULL);
	g_autoptr(NhipMeasurement) w = nhip_measurement_new(NHIP_VITAL_WEIGHT, 79.6, NAN, NULL);
	g_autoptr(JsonObject) obj = NULL;
	g_autofree gchar *line = NULL;
	g_autofree gchar *wline = NULL;
	g_autofree gchar *flags = NULL;
	const guint8 raw[] = { 0xde, 0xad };

	nhip_measurement_set_device_time(bp, dev);
	nhip_measurement_set_receive_time(bp, rx);
	nhip_measurement_set_driver(bp, "omron-hid");
	nhip_measurement_set_device_model(bp, "M7080IT");
	nhip_measurement_set_device_serial(bp, "S1");
	nhip_measurement_set_raw_data(bp, raw, sizeof(raw));
	nhip_measurement_add_flags(bp, NHIP_MEASUREMENT_FLAG_STORED);
	line = nhip_measurement_to_json_line(bp);
	g_assert_cmpstr(
		line, ==,
		"{\"driver\":\"omron-hid\",\"kind\":\"bp\",\"loinc\":\"85354-9\","
		"\"display\":\"Blood pressure\",\"value\":121,\"value2\":79,"
		"\"components\":[{\"loinc\":\"8480-6\",\"value\":121},{\"loinc\":"
		"\"8462-4\",\"value\":79}],\"unit\":\"mm[Hg]\",\"time\":"
		"\"2024-05-06T07:08:09+07:00\",\"device_time\":\"2024-05-06T07:08:09+07:00\","
		"\"received\":\"2024-05-06T07:09:00+07:00\",\"model\":\"M7080IT\",\"serial\":"
		"\"S1\",\"flags\":[\"stored\"],\"raw\":\"dead\"}");
	obj = nhip_measurement_to_json(bp);
	g_assert_cmpstr(json_object_get_string_member(obj, "loinc"), ==, "85354-9");
	g_assert_cmpfloat(json_object_get_double_member(obj, "value"), ==, 121);

	/* no clocks at all: time is null; numbers print in their shortest form */
	nhip_measurement_set_original(w, 175.5, "[lb_av]");
	wline = nhip_measurement_to_json_line(w);
	g_assert_nonnull(strstr(wline, "\"value\":79.6,"));
	g_assert_nonnull(strstr(wline, "\"time\":null"));
	g_assert_nonnull(strstr(wline, "\"original_value\":175.5,\"original_unit\":\"[lb_av]\""));
	g_assert_nonnull(strstr(wline, "\"flags\":[\"converted\"]"));
	flags = nhip_measurement_flags_to_string(NHIP_MEASUREMENT_FLAG_LIVE |
						 NHIP_MEASUREMENT_FLAG_IMPLAUSIBLE);
	g_assert_cmpstr(flags, ==, "implausible,live");
}

static void
test_hex_parse(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) ok =
		nhip_hex_text_parse("# capture\n0x51, 0x22 00:00\n\tA3 16 # end\n", -1, &error);
	g_autoptr(GBytes) empty = nhip_hex_text_parse("  # nothing\n", -1, NULL);
	GBytes *bad;
	g_autofree gchar *hex = NULL;

	g_assert_no_error(error);
	hex = nhip_bytes_to_hex(g_bytes_get_data(ok, NULL), g_bytes_get_size(ok), NULL);
	g_assert_cmpstr(hex, ==, "51220000a316");
	g_assert_cmpuint(g_bytes_get_size(empty), ==, 0);

	bad = nhip_hex_text_parse("51 2\n", -1, &error);
	g_assert_null(bad);
	g_assert_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_INVALID_HEX);
	g_assert_nonnull(strstr(error->message, "two hex digits"));
	g_clear_error(&error);
	bad = nhip_hex_text_parse("51\n22 zz", -1, &error);
	g_assert_null(bad);
	g_assert_nonnull(strstr(error->message, "line 2, column 4"));
	g_clear_error(&error);
	bad = nhip_hex_text_parse("512", -1, &error);
	g_assert_null(bad);
	g_assert_nonnull(strstr(error->message, "half a byte"));
}

static void
test_bytes_helpers(void)
{
	guint8 buf[4] = { 0 };
	const guint8 src[3] = { 1, 2, 3 };
	g_autoptr(GError) error = NULL;
	NhipByteReader r = { 0 };
	NhipByteReader sub = { 0 };
	guint16 v16 = 0;
	guint32 v32 = 0;
	const guint8 data[] = { 0x00, 0x02, 0xAB, 0xCD, 0x01 };

	g_assert_true(nhip_memcpy_safe(buf, sizeof(buf), 1, src, sizeof(src), 0, 3, &error));
	g_assert_cmpuint(buf[3], ==, 3);
	g_assert_false(nhip_memcpy_safe(buf, sizeof(buf), 2, src, sizeof(src), 0, 3, &error));
	g_assert_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_OVERSIZE);
	g_clear_error(&error);
	g_assert_false(nhip_memcpy_safe(buf, sizeof(buf), 0, src, sizeof(src), 2, 2, &error));
	g_assert_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_TRUNCATED);
	g_clear_error(&error);
	g_assert_false(
		nhip_memcpy_safe(buf, sizeof(buf), G_MAXSIZE, src, sizeof(src), 0, 1, &error));
	g_clear_error(&error);

	g_assert_cmphex(nhip_read_uint16(data + 2, G_BIG_ENDIAN), ==, 0xABCD);
	g_assert_cmphex(nhip_read_uint16(data + 2, G_LITTLE_ENDIAN), ==, 0xCDAB);
	g_assert_cmphex(nhip_read_uint32(data, G_BIG_ENDIAN), ==, 0x0002ABCD);
	g_assert_cmphex(nhip_read_uint32(data, G_LITTLE_ENDIAN), ==, 0xCDAB0200);
	nhip_write_uint32(buf, 0x01020304, G_LITTLE_ENDIAN);
	g_assert_cmpuint(buf[0], ==, 4);

	nhip_byte_reader_init(&r, data, sizeof(data), 100);
	g_assert_true(nhip_byte_reader_octets(&r, &sub, &error));
	g_assert_true(nhip_byte_reader_u16(&sub, &v16, &error));
	g_assert_cmphex(v16, ==, 0xABCD);
	g_assert_false(nhip_byte_reader_u32(&r, &v32, &error));
	g_assert_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_TRUNCATED);
	g_assert_nonnull(strstr(error->message, "byte 104"));
}

static void
test_driver_table(void)
{
	g_autoptr(GPtrArray) list = nhip_driver_info_list();
	const gchar *names[] = { "phdc", "omron-hid", "cms50", "taidoc", "tanita" };
	g_autoptr(JsonObject) obj = NULL;
	JsonArray *usb;

	g_assert_cmpuint(list->len, >=, 5);
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		const NhipDriverInfo *info = nhip_driver_info_lookup(names[i]);
		g_assert_nonnull(info);
		g_assert_cmpstr(info->name, ==, names[i]);
		g_assert_true(g_ptr_array_index(list, i) == info);
	}
	g_assert_null(nhip_driver_info_lookup("nonesuch"));
	obj = nhip_driver_info_to_json(nhip_driver_info_lookup("omron-hid"));
	g_assert_cmpstr(json_object_get_string_member(obj, "transport"), ==, "usb-hid");
	usb = json_object_get_array_member(obj, "usb");
	g_assert_cmpuint(json_array_get_length(usb), ==, 1);
	g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(usb, 0), "vid"),
			==, "0590");
	g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(usb, 0), "pid"),
			==, "0028");
}

static gpointer
dummy_new(void)
{
	return g_new0(guint, 1);
}

static void
dummy_feed(gpointer decoder, const guint8 *buf, gsize bufsz, NhipDecodeOutput *out)
{
	*(guint *)decoder += (guint)bufsz;
}

static void
dummy_finish(gpointer decoder, NhipDecodeOutput *out)
{
	nhip_decode_output_add_measurement(out, "dummy", 0, NHIP_VITAL_RESP_RATE, *(guint *)decoder,
					   NAN, NULL, 0);
}

static void
test_driver_register(void)
{
	static const NhipUsbMatch matches[] = { { 0x1234, 0x5678, 0, NULL }, { 0 } };
	static const NhipVitalKind vitals[] = { NHIP_VITAL_RESP_RATE, NHIP_VITAL_UNKNOWN };
	static const NhipDriverInfo dummy = {
		.name = "dummy",
		.display_name = "Dummy",
		.transport = NHIP_TRANSPORT_SERIAL,
		.usb_matches = matches,
		.vitals = vitals,
		.decoder_new = dummy_new,
		.decoder_free = g_free,
		.decoder_feed = dummy_feed,
		.decoder_finish = dummy_finish,
	};
	static const NhipDriverInfo incomplete = { .name = "half" };
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = g_bytes_new_static("abcdefghijklmnop", 16);
	g_autoptr(GPtrArray) measurements = NULL;

	g_assert_true(nhip_driver_info_register(&dummy, &error));
	g_assert_no_error(error);
	g_assert_false(nhip_driver_info_register(&dummy, &error));
	g_assert_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_UNKNOWN_DRIVER);
	g_clear_error(&error);
	g_assert_false(nhip_driver_info_register(&incomplete, &error));
	g_clear_error(&error);
	g_assert_true(nhip_driver_info_lookup("dummy") == &dummy);
	g_assert_true(nhip_decode_stream("dummy", bytes, &measurements, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(measurements->len, ==, 1);
	g_assert_cmpfloat(nhip_measurement_get_value(g_ptr_array_index(measurements, 0)), ==, 16);
}

static void
test_decode_stream(void)
{
	g_autoptr(GBytes) good = nhip_test_hex("51 26 64 00 00 40 a5 00");
	g_autoptr(GBytes) garbage = nhip_test_hex("01 02 03");
	g_autoptr(GPtrArray) measurements = NULL;
	g_autoptr(GPtrArray) warnings = NULL;
	g_autoptr(GError) error = NULL;

	/* fix the checksum byte of the good frame */
	{
		gsize n = 0;
		guint8 *d = g_bytes_unref_to_data(g_steal_pointer(&good), &n);
		d[7] = (guint8)(0x51 + 0x26 + 0x64 + 0x40 + 0xa5);
		good = g_bytes_new_take(d, n);
	}
	g_assert_true(nhip_decode_stream("taidoc", good, &measurements, &warnings, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(measurements->len, ==, 1);
	g_assert_cmpuint(warnings->len, ==, 0);
	g_clear_pointer(&measurements, g_ptr_array_unref);
	g_clear_pointer(&warnings, g_ptr_array_unref);

	g_assert_false(nhip_decode_stream("taidoc", garbage, &measurements, &warnings, &error));
	g_assert_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_NO_DATA);
	g_assert_nonnull(strstr(error->message, "skipped 3 bytes"));
	g_assert_cmpuint(measurements->len, ==, 0);
	g_assert_cmpuint(warnings->len, ==, 1);
	g_clear_error(&error);

	g_assert_false(nhip_decode_stream("nonesuch", garbage, NULL, NULL, &error));
	g_assert_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_UNKNOWN_DRIVER);
}

static void
test_decode_output_time(void)
{
	g_autoptr(NhipDecodeOutput) out = nhip_test_output_new();
	g_autoptr(GDateTime) ok = nhip_decode_output_make_time(out, 2024, 2, 29, 23, 59, 59.5);
	g_autoptr(GDateTime) feb30 = nhip_decode_output_make_time(out, 2023, 2, 30, 0, 0, 0);
	g_autoptr(GDateTime) hour = nhip_decode_output_make_time(out, 2023, 1, 1, 24, 0, 0);
	g_assert_nonnull(ok);
	g_assert_null(feb30);
	g_assert_null(hour);
}

static void
test_garbage_run(void)
{
	g_autoptr(NhipDecodeOutput) out = nhip_test_output_new();
	NhipGarbageRun run = { 0 };
	nhip_garbage_run_add(&run, out, "x", 4);
	nhip_garbage_run_add(&run, out, "x", 5);
	nhip_garbage_run_add(&run, out, "x", 9); /* not adjacent: reports the first run */
	g_assert_cmpuint(out->warnings->len, ==, 1);
	nhip_garbage_run_flush(&run, out, "x");
	g_assert_cmpuint(out->warnings->len, ==, 2);
	g_assert_true(
		nhip_test_has_warning(out, NHIP_DECODE_ERROR_SYNC, "x: byte 4: skipped 2 bytes"));
	g_assert_true(
		nhip_test_has_warning(out, NHIP_DECODE_ERROR_SYNC, "x: byte 9: skipped 1 byte "));
	run.quiet_until = 20;
	nhip_garbage_run_add(&run, out, "x", 15);
	nhip_garbage_run_flush(&run, out, "x");
	g_assert_cmpuint(out->warnings->len, ==, 2);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/devices/measurement/new", test_measurement_new);
	g_test_add_func("/devices/measurement/boxed", test_measurement_boxed);
	g_test_add_func("/devices/measurement/json", test_measurement_json);
	g_test_add_func("/devices/decode/hex", test_hex_parse);
	g_test_add_func("/devices/decode/bytes", test_bytes_helpers);
	g_test_add_func("/devices/decode/drivers", test_driver_table);
	g_test_add_func("/devices/decode/register", test_driver_register);
	g_test_add_func("/devices/decode/stream", test_decode_stream);
	g_test_add_func("/devices/decode/output-time", test_decode_output_time);
	g_test_add_func("/devices/decode/garbage-run", test_garbage_run);
	return g_test_run();
}
