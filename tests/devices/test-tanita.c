/*
 * Nhịp — tests of the Tanita CSV line decoder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-devices-test-utils.h"
#include "nhip-tanita-proto.h"

/* the published SC-330 line; checksum D9 verified by hand */
#define SC330                                                                                      \
	"{0,16,~0,1,~1,1,~2,1,MO,\"SC-330\",SN,\"00000001\",ID,\"0000000000\",Da,\"25/09/2014\","  \
	"TI,\"08:20\",Bt,0,GE,1,AG,34,Hm,191.0,Pt,0.0,Wk,89.2,FW,18.8,fW,16.8,MW,72.4,mW,68.8,sW," \
	"13,bW,3.6,wW,48.0,ww,53.8,MI,24.5,Sw,80.3,OV,11.1,IF,6,rb,8874,rB,2121,rJ,13,rA,29,ZF,"   \
	"501.8,CS,D9}\r\n"

/* a published MC-780 "sample" whose checksum A5 does not match its bytes (5F) */
#define MC780_BAD                                                                                 \
	"{0,16,~0,1,~1,1,~2,1,MO,\"MC-780\",ID,\"0901234567000000\",St,0,Da,\"01/01/2024\",TI,"   \
	"\"10:00\",Bt,0,GE,1,AG,30,Hm,170.0,Pt,0.0,Wk,70.5,FW,15.2,fW,10.7,MW,59.8,mW,55.8,sW,0," \
	"bW,3.2,wW,42.5,ww,60.3,wI,25.6,wO,16.9,wo,39.8,MI,24.4,Sw,63.5,OV,11.0,Sf,14.0,SM,52.8," \
	"IF,5,LP,105,rB,1650,rb,6903,rJ,10,rA,25,BA,0,BF,1,gF,12,gW,68.0,gf,8.2,gt,-2.5,CS,A5\r\n"

/* builds a line with the right checksum from the part before "CS" */
static gchar *
line_with_checksum(const gchar *body, const gchar *tail)
{
	guint8 cs = nhip_tanita_checksum((const guint8 *)body, strlen(body));
	return g_strdup_printf("%sCS,%02X%s\r\n", body, cs, tail);
}

static GBytes *
text_bytes(const gchar *text)
{
	return g_bytes_new(text, strlen(text));
}

static void
test_tanita_sc330(void)
{
	g_autoptr(GBytes) bytes = text_bytes(SC330);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("tanita", bytes, 0, 0);
	NhipMeasurement *m;
	g_autofree gchar *t = NULL;
	g_autofree gchar *json = NULL;

	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	m = nhip_test_measurement(out, 0);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_WEIGHT);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 89.2);
	g_assert_cmpstr(nhip_measurement_get_unit(m), ==, "kg");
	g_assert_cmpstr(nhip_measurement_get_loinc(m), ==, "29463-7");
	g_assert_cmpstr(nhip_measurement_get_device_model(m), ==, "SC-330");
	g_assert_cmpstr(nhip_measurement_get_device_serial(m), ==, "00000001");
	t = nhip_test_time_string(nhip_measurement_get_device_time(m));
	g_assert_cmpstr(t, ==, "2014-09-25 08:20:00");
	/* the whole line, body composition included, is kept for audit */
	g_assert_cmpuint(g_bytes_get_size(nhip_measurement_get_raw(m)), ==, strlen(SC330) - 2);
	json = nhip_measurement_to_json_line(m);
	g_assert_nonnull(strstr(json, "\"value\":89.2,"));
	m = nhip_test_measurement(out, 1);
	g_assert_cmpint(nhip_measurement_get_kind(m), ==, NHIP_VITAL_HEIGHT);
	g_assert_cmpfloat(nhip_measurement_get_value(m), ==, 191.0);
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_OPERATOR_ENTERED));
	nhip_test_assert_split_invariant("tanita", bytes);
}

static void
test_tanita_parse_line(void)
{
	const gchar *line = SC330;
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) fields =
		nhip_tanita_parse_line((const guint8 *)line, strlen(line) - 2, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(g_hash_table_lookup(fields, "MO"), ==, "SC-330");
	g_assert_cmpstr(g_hash_table_lookup(fields, "ZF"), ==, "501.8");
	g_assert_cmpstr(g_hash_table_lookup(fields, "~0"), ==, "1");
	g_assert_cmpstr(g_hash_table_lookup(fields, "FW"), ==, "18.8");
	g_assert_null(g_hash_table_lookup(fields, "CS"));
}

static void
test_tanita_checksum_vector(void)
{
	const gchar *line = SC330;
	const gchar *cs = strstr(line, "CS,");
	g_assert_cmpuint(nhip_tanita_checksum((const guint8 *)line, (gsize)(cs - line)), ==, 0xD9);
}

static void
test_tanita_checksum_bad(void)
{
	g_autoptr(GBytes) bytes = text_bytes(MC780_BAD SC330);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("tanita", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2); /* only the SC-330 line */
	g_assert_cmpuint(out->warnings->len, ==, 1);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_CHECKSUM,
					    "A5 does not match the computed 5F"));
	nhip_test_assert_split_invariant("tanita", bytes);
}

static void
test_tanita_dc320_formats(void)
{
	/* DC-320 style: DA yy/mm/dd, no closing brace */
	g_autofree gchar *a = line_with_checksum(
		"{0,16,~0,1,~1,1,~2,1,MO,\"DC-320\",SN,\"0000000002\",ID,112,DA,\"19/01/30\",TI,"
		"\"19:59\",Bt,0,GE,1,AG,56,Hm,174.0,Pt,1.5,Wk,65.6,FW,20.3,",
		"");
	/* MC-780 style: DT yyyy/mm/dd */
	g_autofree gchar *b = line_with_checksum(
		"{0,16,~0,1,~1,1,~2,1,MO,\"MC-780\",ID,\"0000000000000000\",St,0,DT,\"2026/06/03\","
		"TI,\"15:00\",Bt,5,GE,1,AG,47,Hm,175.5,Pt,0.0,Wk,67.6,",
		"}");
	g_autofree gchar *text = g_strconcat(a, b, NULL);
	g_autoptr(GBytes) bytes = text_bytes(text);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("tanita", bytes, 0, 0);
	g_autofree gchar *t0 = NULL;
	g_autofree gchar *t2 = NULL;

	g_assert_cmpuint(out->warnings->len, ==, 0);
	g_assert_cmpuint(out->measurements->len, ==, 4);
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 0)), ==, 65.6);
	t0 = nhip_test_time_string(nhip_measurement_get_device_time(nhip_test_measurement(out, 0)));
	g_assert_cmpstr(t0, ==, "2019-01-30 19:59:00");
	g_assert_cmpfloat(nhip_measurement_get_value(nhip_test_measurement(out, 2)), ==, 67.6);
	t2 = nhip_test_time_string(nhip_measurement_get_device_time(nhip_test_measurement(out, 2)));
	g_assert_cmpstr(t2, ==, "2026-06-03 15:00:00");
	nhip_test_assert_split_invariant("tanita", bytes);
}

static void
test_tanita_pounds(void)
{
	g_autofree gchar *text =
		line_with_checksum("{0,16,~0,2,~1,1,~2,1,MO,\"SC-240\",Wk,150.0,", "");
	g_autoptr(GBytes) bytes = text_bytes(text);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("tanita", bytes, 0, 0);
	NhipMeasurement *m;
	g_assert_cmpuint(out->measurements->len, ==, 1);
	m = nhip_test_measurement(out, 0);
	g_assert_cmpfloat_with_epsilon(nhip_measurement_get_value(m), 68.04, 1e-9);
	g_assert_cmpfloat(nhip_measurement_get_original_value(m), ==, 150.0);
	g_assert_cmpstr(nhip_measurement_get_original_unit(m), ==, "[lb_av]");
	g_assert_true(nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_CONVERTED));
	g_assert_null(nhip_measurement_get_device_time(m));
}

static void
test_tanita_impossible(void)
{
	g_autofree gchar *text = line_with_checksum("{0,16,~0,1,~1,1,~2,1,Wk,999.9,Hm,0.0,", "");
	g_autoptr(GBytes) bytes = text_bytes(text);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("tanita", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, "999.9"));
}

static void
test_tanita_bad_fields(void)
{
	g_autofree gchar *no_weight = line_with_checksum("{0,16,~0,1,~1,1,~2,1,MO,\"X\",", "");
	g_autofree gchar *nan = line_with_checksum("{0,16,~0,1,~1,1,~2,1,Wk,8x.2,", "");
	g_autofree gchar *unit = line_with_checksum("{0,16,~0,7,~1,1,~2,1,Wk,80.2,", "");
	g_autofree gchar *date =
		line_with_checksum("{0,16,~0,1,~1,1,~2,1,Da,\"31/02/2020\",Wk,80.2,", "");
	g_autofree gchar *text = g_strconcat(no_weight, nan, unit, date, NULL);
	g_autoptr(GBytes) bytes = text_bytes(text);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("tanita", bytes, 0, 0);

	g_assert_cmpuint(out->measurements->len, ==, 1);
	g_assert_null(nhip_measurement_get_device_time(nhip_test_measurement(out, 0)));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_MALFORMED, "no weight"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_MALFORMED, "not a number"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_UNSUPPORTED, "~0=7"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_MALFORMED, "31/02/2020"));
}

static void
test_tanita_no_checksum(void)
{
	g_autoptr(GBytes) bytes = text_bytes("{0,16,~0,1,~1,1,~2,1,Wk,80.2\r\n");
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("tanita", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_TRUNCATED, "no checksum"));
}

static void
test_tanita_truncated(void)
{
	/* a line cut by the start of the next one, and a line without its end */
	g_autofree gchar *text = g_strconcat("{0,16,~0,1,~1,1,~2,1,Wk,8", SC330,
					     "{0,16,~0,1,~1,1,~2,1,Wk,80.2,CS,", NULL);
	g_autoptr(GBytes) bytes = text_bytes(text);
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("tanita", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_TRUNCATED, "byte 0: line cut"));
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_TRUNCATED, "no CR LF"));
	nhip_test_assert_split_invariant("tanita", bytes);
}

static void
test_tanita_oversize(void)
{
	GString *text = g_string_new("{0,16,");
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	for (guint i = 0; i < 600; i++)
		g_string_append(text, "Ab,1,");
	g_string_append(text, "\r\n" SC330);
	bytes = g_bytes_new(text->str, text->len);
	g_string_free(text, TRUE);
	out = nhip_test_decode("tanita", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_OVERSIZE, "2048"));
	nhip_test_assert_split_invariant("tanita", bytes);
}

static void
test_tanita_garbage(void)
{
	g_autoptr(GBytes) bytes = text_bytes("\x01\xff garbage" SC330 "\r\n");
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("tanita", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 2);
	g_assert_cmpuint(out->warnings->len, ==, 1);
	g_assert_true(
		nhip_test_has_warning(out, NHIP_DECODE_ERROR_SYNC, "byte 0: skipped 10 bytes"));
	nhip_test_assert_split_invariant("tanita", bytes);
}

static void
test_tanita_binary_in_line(void)
{
	g_autoptr(GBytes) bytes = text_bytes("{0,16,~0,1,\x80\x81,1,CS,00\r\n");
	g_autoptr(NhipDecodeOutput) out = nhip_test_decode("tanita", bytes, 0, 0);
	g_assert_cmpuint(out->measurements->len, ==, 0);
	g_assert_true(nhip_test_has_warning(out, NHIP_DECODE_ERROR_MALFORMED, "non-ASCII"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/devices/tanita/vector/sc330", test_tanita_sc330);
	g_test_add_func("/devices/tanita/parse/fields", test_tanita_parse_line);
	g_test_add_func("/devices/tanita/checksum/vector", test_tanita_checksum_vector);
	g_test_add_func("/devices/tanita/checksum/bad", test_tanita_checksum_bad);
	g_test_add_func("/devices/tanita/checksum/missing", test_tanita_no_checksum);
	g_test_add_func("/devices/tanita/formats/dates", test_tanita_dc320_formats);
	g_test_add_func("/devices/tanita/formats/pounds", test_tanita_pounds);
	g_test_add_func("/devices/tanita/value/impossible", test_tanita_impossible);
	g_test_add_func("/devices/tanita/value/bad-fields", test_tanita_bad_fields);
	g_test_add_func("/devices/tanita/stream/truncated", test_tanita_truncated);
	g_test_add_func("/devices/tanita/stream/oversize", test_tanita_oversize);
	g_test_add_func("/devices/tanita/stream/garbage", test_tanita_garbage);
	g_test_add_func("/devices/tanita/stream/binary", test_tanita_binary_in_line);
	return g_test_run();
}
