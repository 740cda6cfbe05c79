/*
 * Nhịp — tests of the Contec CMS50 decoder, both protocol generations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-cms50-proto.h"
#include "nhip-devices-test-utils.h"

/* captured F37 live frames (AndreasZachariae/cms50dplus-driver data) */
#define F37_NO_FINGER	 "01 e0 84 80 90 80 80 ff ff"
#define F37_PR83_SPO2_97 "01 e0 85 c9 99 d3 e1 ff ff"

/* an F37 message: type, bit-7 carrier, data bytes with bit 7 forced on */
static void
f37(GByteArray *out, guint8 type, const guint8 *data, gsize n)
{
	guint8 msb = 0x80;
	for (gsize i = 0; i < n; i++) {
		if (data[i] & 0x80)
			msb |= (guint8)(1 << i);
	}
	g_byte_array_append(out, &type, 1);
	g_byte_array_append(out, &msb, 1);
	for (gsize i = 0; i < n; i++) {
		guint8 b = data[i] | 0x80;
		g_byte_array_append(out, &b, 1);
	}
}

static void
f37_live(GByteArray *out, guint8 pulse, guint8 spo2)
{
	const guint8 data[7] = { 0x05, 0x40, 0x19, pulse, spo2, 0x7f, 0x7f };
	f37(out, 0x01, data, sizeof(data));
}

/* an old-protocol live packet */
static void
old_live(GByteArray *out,
	 guint pulse,
	 guint8 spo2,
	 gboolean finger_out,
	 gboolean probe,
	 gboolean searching)
{
	guint8 p[5] = { 0 };
	p[0] = 0x80 | 0x05 | (finger_out ? 0x10 : 0);
	p[1] = 0x33;
	p[2] = 0x04 | (probe ? 0x10 : 0) | (searching ? 0x20 : 0) | ((pulse & 0x80) ? 0x40 : 0);
	p[3] = pulse & 0x7F;
	p[4] = spo2;
	g_byte_array_append(out, p, sizeof(p));
}

static GBytes *
array_bytes(GByteArray *array)
{
	return g_bytes_new(array->data, array->len);
}

static void
test_cms50_f37_capture(void)
{
	g_autoptr(GBytes) bytes =
		nhip_test_hex(F37_NO_FINGER " " F37_NO_FINGER " " F37_NO_FINGER " " F37_PR83_SPO2_97
					    " " F37_PR83_SPO2_97 " " F37_PR83_SPO2_97);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("cms50", bytes, 0, 0);
	NhipMeasurement *m;

	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2); /* values only when they change */
	m = nhip_test_measurement(out, 0);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_SPO2);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 97);
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_LIVE));
	g_assert_null(nhip_measurement_get_device_time(m));
	g_assert_cmpuint(g_bytes_get_size(nhip_measurement_get_raw(m)), ==, 9);
	m = nhip_test_measurement(out, 1);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_PULSE);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 83);
	g_assert_cmpuint(nhip_test_count_events(out, NHIP_DEVICE_EVENT_FINGER_OUT), ==, 1);
	g_assert_cmpuint(nhip_test_count_events(out, NHIP_DEVICE_EVENT_SIGNAL_OK), ==, 1);
	g_assert_cmpstr(nhip_device_event_get_detail(g_ptr_array_index(out->events, 0)), ==, "f37");
	nhip_test_assert_split_invariant("cms50", bytes);
}

static void
test_cms50_f37_restore_msb(void)
{
	guint8 frame[9] = { 0x01, 0xe0, 0x85, 0xc9, 0x99, 0xd3, 0xe1, 0xff, 0xff };
	nhip_cms50_f37_restore_msb(frame, sizeof(frame));
	g_assert_cmpuint(frame[3], ==, 73); /* pleth */
	g_assert_cmpuint(frame[5], ==, 83);
	g_assert_cmpuint(frame[6], ==, 97);
	g_assert_cmpuint(frame[7], ==, 0xff);
	g_assert_cmpuint(nhip_cms50_f37_frame_length(0x01), ==, 9);
	g_assert_cmpuint(nhip_cms50_f37_frame_length(0x0c), ==, 2);
	g_assert_cmpuint(nhip_cms50_f37_frame_length(0x0d), ==, 0);
	g_assert_cmpuint(nhip_cms50_f37_frame_length(0x7f), ==, 0);
}

static void
test_cms50_f37_changes_and_invalid(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;

	f37_live(a, 83, 97);
	f37_live(a, 83, 97);
	f37_live(a, 84, 97);
	f37_live(a, 84, 127); /* SpO2 127: "no value", reported once */
	f37_live(a, 84, 127);
	f37_live(a, 250, 96); /* pulse 250 is possible (flagged), SpO2 back */
	f37_live(a, 0, 0);    /* finger out */
	f37_live(a, 85, 98);
	bytes = array_bytes(a);
	out = nhip_test_decode("cms50", bytes, 0, 0);

	g_assert_cmpuint(out->measurements->len, ==, 7);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 2)), ==, 84);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 3)), ==, 96);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 4)), ==, 250);
	g_assert_true(nhip_measurement_has_flag(nhip_test_measurement(out, 4),
						NHIP_MEASUREMENT_FLAG_IMPLAUSIBLE));
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 5)), ==, 98);
	g_assert_cmpuint(out->warnings->len, ==, 1);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, "127"));
	g_assert_cmpuint(nhip_test_count_events(out, NHIP_DEVICE_EVENT_FINGER_OUT), ==, 1);
	nhip_test_assert_split_invariant("cms50", bytes);
}

static void
test_cms50_f37_stored(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	const guint8 model1[7] = { 0x00, 'C', 'M', 'S', '5', '0', 'F' };
	const guint8 model2[7] = { 0x01, 'W', ' ', ' ', ' ', ' ', ' ' };
	const guint8 devid[7] = { 'A', 'B', 'C', '1', '2', '3', ' ' };
	const guint8 date[6] = { 0x00, 0x00, 20, 14, 8, 18 };
	const guint8 time[6] = { 0x00, 0x00, 2, 38, 18, 0 };
	const guint8 count[2] = { 0x00, 0x01 };
	const guint8 data1[6] = { 94, 66, 94, 66, 95, 66 };
	const guint8 data2[6] = { 95, 0x7f, 95, 67, 95, 67 }; /* 0x7f|msb = ff: no value */
	g_autofree gchar *t0 = NULL;
	g_autofree gchar *t2 = NULL;
	NhipMeasurement *m;

	f37(a, 0x02, model1, sizeof(model1));
	f37(a, 0x02, model2, sizeof(model2));
	f37(a, 0x04, devid, sizeof(devid));
	f37(a, 0x0a, count, sizeof(count));
	f37(a, 0x07, date, sizeof(date));
	f37(a, 0x12, time, sizeof(time));
	f37(a, 0x0f, data1, sizeof(data1));
	/* the pulse 0xff of the second message needs bit 7 from the carrier */
	{
		guint8 msg[8] = { 0x0f,	     0x82,	95 | 0x80, 0xff,
				  95 | 0x80, 67 | 0x80, 95 | 0x80, 67 | 0x80 };
		g_byte_array_append(a, msg, sizeof(msg));
	}
	(void)data2;
	bytes = array_bytes(a);
	out = nhip_test_decode("cms50", bytes, 0, 0);

	g_assert_cmpuint(out->warnings->len, ==, 0);
	/* 94/66 at +0 s, 95 at +2 s, then a gap at +3 s, 95/67 at +4 s */
	g_assert_cmpuint(out->measurements->len, ==, 5);
	m = nhip_test_measurement(out, 0);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_SPO2);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 94);
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_STORED));
	g_assert_cmpstr(nhip_measurement_get_device_model(m), ==, "CMS50FW");
	g_assert_cmpstr(nhip_measurement_get_device_serial(m), ==, "ABC123");
	t0 = nhip_test_time_string(nhip_measurement_get_device_time(m));
	g_assert_cmpstr(t0, ==, "2014-08-18 02:38:18");
	m = nhip_test_measurement(out, 2);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 95);
	t2 = nhip_test_time_string(nhip_measurement_get_device_time(m));
	g_assert_cmpstr(t2, ==, "2014-08-18 02:38:20");
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 4)), ==, 67);
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_STORED_BEGIN));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_STORED_END));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_RECORD_COUNT));
	nhip_test_assert_split_invariant("cms50", bytes);
}

static void
test_cms50_old_live(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;

	old_live(a, 0, 0, TRUE, FALSE, FALSE);
	old_live(a, 0, 0, TRUE, FALSE, FALSE);
	old_live(a, 0, 0, FALSE, FALSE, TRUE);
	old_live(a, 72, 98, FALSE, FALSE, FALSE);
	old_live(a, 72, 98, FALSE, FALSE, FALSE);
	old_live(a, 130, 98, FALSE, FALSE, FALSE); /* needs the pulse bit 7 in byte 2 */
	old_live(a, 130, 98, FALSE, TRUE, FALSE);  /* probe error */
	old_live(a, 131, 97, FALSE, FALSE, FALSE);
	bytes = array_bytes(a);
	out = nhip_test_decode("cms50", bytes, 0, 0);

	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 5);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 0)), ==, 98);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 1)), ==, 72);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 2)), ==, 130);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 3)), ==, 97);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 4)), ==, 131);
	g_assert_cmpuint(nhip_test_count_events(out, NHIP_DEVICE_EVENT_FINGER_OUT), ==, 1);
	g_assert_cmpuint(nhip_test_count_events(out, NHIP_DEVICE_EVENT_SEARCHING), ==, 1);
	g_assert_cmpuint(nhip_test_count_events(out, NHIP_DEVICE_EVENT_PROBE_ERROR), ==, 1);
	g_assert_cmpuint(nhip_test_count_events(out, NHIP_DEVICE_EVENT_SIGNAL_OK), ==, 2);
	g_assert_cmpstr(nhip_device_event_get_detail(g_ptr_array_index(out->events, 0)), ==, "old");
	nhip_test_assert_split_invariant("cms50", bytes);
}

static void
test_cms50_old_stored(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	const guint8 preamble[] = { 0xF2, 0x80, 0x00, 0xF2, 0x80, 0x00, 0xF2, 0x80, 0x00 };
	const guint8 spo2[] = { 96, 96, 97, 97, 0, 97 };
	const guint pulse[] = { 70, 70, 70, 140, 0, 140 };
	guint v = 3 * G_N_ELEMENTS(spo2) - 1;
	guint8 len[3] = { (guint8)(0x80 | ((v >> 14) & 0x7F)), (guint8)(0x80 | ((v >> 7) & 0x7F)),
			  (guint8)(v & 0x7F) };

	g_byte_array_append(a, preamble, sizeof(preamble));
	g_byte_array_append(a, len, sizeof(len));
	for (guint i = 0; i < G_N_ELEMENTS(spo2); i++) {
		guint8 r[3] = { (guint8)(0xF0 | ((pulse[i] >> 7) & 1)),
				(guint8)(0x80 | (pulse[i] & 0x7F)), spo2[i] };
		g_byte_array_append(a, r, sizeof(r));
	}
	old_live(a, 72, 98, FALSE, FALSE, FALSE);
	bytes = array_bytes(a);
	out = nhip_test_decode("cms50", bytes, 0, 0);

	g_assert_cmpuint(out->warnings->len, ==, 0);
	/* 96/70, 97, 140, (gap), 97/140 again after the gap, then live 98/72 */
	g_assert_cmpuint(out->measurements->len, ==, 8);
	g_assert_true(nhip_measurement_has_flag(nhip_test_measurement(out, 0),
						NHIP_MEASUREMENT_FLAG_STORED));
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 3)), ==, 140);
	g_assert_true(nhip_measurement_has_flag(nhip_test_measurement(out, 6),
						NHIP_MEASUREMENT_FLAG_LIVE));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_STORED_BEGIN));
	g_assert_true(nhip_test_has_event(out, NHIP_DEVICE_EVENT_STORED_END));
	nhip_test_assert_split_invariant("cms50", bytes);
}

static void
test_cms50_old_stored_bad(void)
{
	g_autoptr(GBytes) bad_len = nhip_test_hex("f2 80 00 f2 80 00 81 80 00");
	g_autoptr(GBytes) cut = nhip_test_hex("f2 80 00 f2 80 00 80 80 08  f0 c6 60  f0 c6");
	g_autoptr(NhipDecodeOutput) a = nhip_test_decode("cms50", bad_len, 0, 0);
	g_autoptr(NhipDecodeOutput) b = nhip_test_decode("cms50", cut, 0, 0);
	g_assert_true(nhip_test_has_warning(a, NHIP_DECODE_ERROR_MALFORMED, "length bytes"));
	g_assert_cmpuint(b->measurements->len, ==, 2);
	g_assert_true(nhip_test_has_warning(b, NHIP_DECODE_ERROR_TRUNCATED, "bytes early"));
}

static void
test_cms50_resync(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	const guint8 junk[] = { 0x85, 0x12, 0x90, 0x01, 0x02 };

	for (guint i = 0; i < 4; i++)
		old_live(a, 72, 98, FALSE, FALSE, FALSE);
	g_byte_array_append(a, junk, sizeof(junk)); /* a broken packet */
	old_live(a, 75, 98, FALSE, FALSE, FALSE);
	bytes = array_bytes(a);
	out = nhip_test_decode("cms50", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 3);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_SYNC, "byte 20: skipped 5"));
	nhip_test_assert_split_invariant("cms50", bytes);
}

static void
test_cms50_unrecognised(void)
{
	GByteArray *a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	for (guint i = 0; i < 5000; i++) {
		guint8 b = (guint8)(i % 3 == 0 ? 0x90 : 0xA0); /* never a valid message */
		g_byte_array_append(a, &b, 1);
	}
	bytes = g_byte_array_free_to_bytes(a);
	out = nhip_test_decode("cms50", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_cmpuint(out->warnings->len, ==, 2);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_SYNC, "4096 bytes"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_SYNC, "904 bytes"));
	nhip_test_assert_split_invariant("cms50", bytes);
}

static void
test_cms50_truncated(void)
{
	g_autoptr(GByteArray) a = g_byte_array_new();
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	for (guint i = 0; i < 3; i++)
		f37_live(a, 83, 97);
	g_byte_array_append(a, (const guint8 *)"\x01\xe0\x85", 3);
	bytes = array_bytes(a);
	out = nhip_test_decode("cms50", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_TRUNCATED, "byte 27"));
}

static void
test_cms50_forced_protocol(void)
{
	g_autoptr(NhipCms50Decoder) decoder =
		nhip_cms50_decoder_new_for_protocol(NHIP_CMS50_PROTOCOL_F37);
	g_autoptr(NhipDecodeOutput) out = nhip_test_output_new();
	g_autoptr(GBytes) bytes = nhip_test_hex(F37_PR83_SPO2_97);
	nhip_cms50_decoder_feed(decoder, g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes),
				out);
	nhip_cms50_decoder_finish(decoder, out);
	g_assert_cmpint(nhip_cms50_decoder_get_protocol(decoder), ==, NHIP_CMS50_PROTOCOL_F37);
	g_assert_cmpuint(out->measurements->len, ==, 2);
}

static void
test_cms50_build(void)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) t = g_date_time_new(utc, 2024, 3, 10, 14, 5, 9); /* a Sunday */
	guint8 cmd[9] = { 0 };
	guint8 old[2] = { 0 };
	g_autofree gchar *h1 = NULL;
	g_autofree gchar *h2 = NULL;
	g_autofree gchar *h3 = NULL;
	const guint8 session[2] = { 0, 1 };
	g_autofree gchar *h4 = NULL;

	nhip_cms50_build_command(NHIP_CMS50_CMD_START_LIVE, NULL, 0, cmd);
	h1 = nhip_bytes_to_hex(cmd, 9, " ");
	g_assert_cmpstr(h1, ==, "7d 81 a1 80 80 80 80 80 80");
	nhip_cms50_build_set_time(t, cmd);
	h2 = nhip_bytes_to_hex(cmd, 9, " ");
	g_assert_cmpstr(h2, ==, "7d 81 b1 8e 85 89 80 80 80");
	nhip_cms50_build_set_date(t, cmd);
	h3 = nhip_bytes_to_hex(cmd, 9, " ");
	g_assert_cmpstr(h3, ==, "7d 81 b2 94 98 83 8a 80 80");
	nhip_cms50_build_command(NHIP_CMS50_CMD_SESSION_DATA, session, sizeof(session), cmd);
	h4 = nhip_bytes_to_hex(cmd, 9, " ");
	g_assert_cmpstr(h4, ==, "7d 81 a6 80 81 80 80 80 80");
	nhip_cms50_build_old_stored_request(old);
	g_assert_cmpuint(old[0], ==, 0xf5);
	g_assert_cmpuint(old[1], ==, 0xf5);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/devices/cms50/build/commands", test_cms50_build);
	g_test_add_func("/devices/cms50/f37/capture", test_cms50_f37_capture);
	g_test_add_func("/devices/cms50/f37/restore-msb", test_cms50_f37_restore_msb);
	g_test_add_func("/devices/cms50/f37/changes-and-invalid",
			test_cms50_f37_changes_and_invalid);
	g_test_add_func("/devices/cms50/f37/stored", test_cms50_f37_stored);
	g_test_add_func("/devices/cms50/f37/forced", test_cms50_forced_protocol);
	g_test_add_func("/devices/cms50/old/live", test_cms50_old_live);
	g_test_add_func("/devices/cms50/old/stored", test_cms50_old_stored);
	g_test_add_func("/devices/cms50/old/stored-bad", test_cms50_old_stored_bad);
	g_test_add_func("/devices/cms50/stream/resync", test_cms50_resync);
	g_test_add_func("/devices/cms50/stream/unrecognised", test_cms50_unrecognised);
	g_test_add_func("/devices/cms50/stream/truncated", test_cms50_truncated);
	return g_test_run();
}
