/*
 * Nhịp — tests of the ER7 parser, model and encoder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-hl7.h"
#include "nhip-hl7-test-utils.h"

#define ORU_SAMPLE                                                                                    \
	"MSH|^~\\&|NHIP|TYT_TANHOA^79001^L|HIS|BV_HUYEN|20240131143005+0700||ORU^R01^ORU_R01|"        \
	"MSG00001|P|2.5.1|||||VNM|UNICODE UTF-8\r"                                                    \
	"PID|1||079123456789^^^BYT^NI~GD4797912345678^^^BHXH^HC||NGUYỄN^THỊ ĐÀO||19800101|F|||" \
	"12 Ấp 3^^Xã Tân Hòa^^^^H\r"                                                             \
	"PV1|1|O\r"                                                                                   \
	"OBR|1|||85353-1^Vital signs panel^LN|||20240131142500+0700\r"                                \
	"OBX|1|NM|8867-4^Heart rate^LN||72|/min^/min^UCUM|60-100|N|||F\r"                             \
	"OBX|2|NM|8310-5^Body temperature^LN||37.8|Cel^Cel^UCUM|36.0-37.5|H|||F\r"

static void
assert_parse_error(const gchar *data, gsize length, gint code, const gchar *fragment)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHl7Message) message = nhip_hl7_message_parse(data, length, &error);
	g_assert_null(message);
	g_assert_error(error, NHIP_HL7_ERROR, code);
	g_test_message("error: %s", error->message);
	g_assert_true(g_utf8_validate(error->message, -1, NULL));
	if (fragment != NULL)
		g_assert_nonnull(strstr(error->message, fragment));
}

static void
assert_roundtrip(const gchar *text)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_test_parse_ok(text);
	g_autofree gchar *encoded = nhip_hl7_message_to_string(message);
	g_assert_cmpstr(encoded, ==, text);
}

static void
test_parse_basic(void)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_test_parse_ok(ORU_SAMPLE);

	g_assert_cmpuint(nhip_hl7_message_get_n_segments(message), ==, 6);
	g_assert_cmpstr(nhip_hl7_message_get_segment_id(message, 0), ==, "MSH");
	g_assert_cmpstr(nhip_hl7_message_get_segment_id(message, 5), ==, "OBX");
	g_assert_null(nhip_hl7_message_get_segment_id(message, 6));
	g_assert_cmpuint(nhip_hl7_message_count_segments(message, "OBX"), ==, 2);
	g_assert_cmpuint(nhip_hl7_message_count_segments(message, "NTE"), ==, 0);
	g_assert_cmpuint(nhip_hl7_message_get_n_fields(message, 0), ==, 18);
	g_assert_cmpuint(nhip_hl7_message_get_n_fields(message, 4), ==, 11);
	g_assert_cmpstr(nhip_hl7_message_get_delimiters(message), ==, "|^~\\&");

	nhip_hl7_test_assert_value(message, "MSH-1", "|");
	nhip_hl7_test_assert_value(message, "MSH-2", "^~\\&");
	nhip_hl7_test_assert_value(message, "MSH-3", "NHIP");
	nhip_hl7_test_assert_value(message, "MSH-4-2", "79001");
	nhip_hl7_test_assert_value(message, "MSH-9-1", "ORU");
	nhip_hl7_test_assert_value(message, "MSH.9.2", "R01");
	nhip_hl7_test_assert_value(message, "MSH-10", "MSG00001");
	nhip_hl7_test_assert_value(message, "MSH-18", "UNICODE UTF-8");
	nhip_hl7_test_assert_value(message, "PID-3", "079123456789");
	nhip_hl7_test_assert_value(message, "PID-3-4", "BYT");
	nhip_hl7_test_assert_value(message, "PID-3(2)-1", "GD4797912345678");
	nhip_hl7_test_assert_value(message, "PID-3(2)-5", "HC");
	nhip_hl7_test_assert_value(message, "PID-5", "NGUYỄN");
	nhip_hl7_test_assert_value(message, "PID-5-2", "THỊ ĐÀO");
	nhip_hl7_test_assert_value(message, "PID-11-3", "Xã Tân Hòa");
	nhip_hl7_test_assert_value(message, "OBX-5", "72");
	nhip_hl7_test_assert_value(message, "OBX[1]-3-1", "8867-4");
	nhip_hl7_test_assert_value(message, "OBX[2]-3-1", "8310-5");
	nhip_hl7_test_assert_value(message, "OBX[2]-5", "37.8");
	nhip_hl7_test_assert_value(message, "OBX[2]-6-3", "UCUM");
	nhip_hl7_test_assert_value(message, "OBX[2]-8", "H");
	/* absent parts of present segments are empty */
	nhip_hl7_test_assert_value(message, "OBX[2]-30", "");
	nhip_hl7_test_assert_value(message, "PID-5-7", "");
	nhip_hl7_test_assert_value(message, "PID-3(5)-1", "");
	nhip_hl7_test_assert_raw(message, "PID-3",
				 "079123456789^^^BYT^NI~GD4797912345678^^^BHXH^HC");
	nhip_hl7_test_assert_raw(message, "PID-3(2)", "GD4797912345678^^^BHXH^HC");
	nhip_hl7_test_assert_raw(message, "OBX[2]-3", "8310-5^Body temperature^LN");
}

static void
test_parse_missing_segment(void)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_test_parse_ok(ORU_SAMPLE);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *value = nhip_hl7_message_get_value(message, "OBX[3]-5", &error);

	g_assert_null(value);
	g_assert_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "OBX segment number 3 (it has 2)"));
}

static void
test_roundtrip_exact(void)
{
	assert_roundtrip(ORU_SAMPLE);
	assert_roundtrip("MSH|^~\\&|A||||||ACK|1|P|2.5.1\rMSA|AA|1\r");
	/* escapes are kept as received */
	assert_roundtrip(
		"MSH|^~\\&|||||||ADT^A04|2|P|2.5.1\rNTE|1||a\\F\\b\\S\\c\\.br\\d\\X41\\\r");
}

static void
test_roundtrip_line_endings(void)
{
	const gchar *lf = "MSH|^~\\&|A|B|||||ADT^A04|3|P|2.5.1\nPID|1||42\nPV1|1|O\n";
	const gchar *crlf = "MSH|^~\\&|A|B|||||ADT^A04|3|P|2.5.1\r\nPID|1||42\r\nPV1|1|O\r\n";
	const gchar *none = "MSH|^~\\&|A|B|||||ADT^A04|3|P|2.5.1\rPID|1||42\rPV1|1|O";
	const gchar *blank =
		"\r\nMSH|^~\\&|A|B|||||ADT^A04|3|P|2.5.1\r\r\nPID|1||42\n\nPV1|1|O\r\r";
	const gchar *expected = "MSH|^~\\&|A|B|||||ADT^A04|3|P|2.5.1\rPID|1||42\rPV1|1|O\r";
	const gchar *inputs[] = { lf, crlf, none, blank };

	for (guint i = 0; i < G_N_ELEMENTS(inputs); i++) {
		g_autoptr(NhipHl7Message) message = nhip_hl7_test_parse_ok(inputs[i]);
		g_autofree gchar *encoded = nhip_hl7_message_to_string(message);
		g_assert_cmpuint(nhip_hl7_message_get_n_segments(message), ==, 3);
		g_assert_cmpstr(encoded, ==, expected);
		nhip_hl7_test_assert_value(message, "PID-3", "42");
	}
}

static void
test_escape_decode(void)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_test_parse_ok(
		"MSH|^~\\&|||||||ORU^R01|4|P|2.5.1\r"
		"NTE|1|L|pipe\\F\\caret\\S\\amp\\T\\tilde\\R\\back\\E\\end|"
		"line1\\.br\\line2|\\XC3A1\\ \\X0D0A\\|\\H\\bold\\N\\|C:\\temp\\file.txt|"
		"\\.sp2\\a\\.in+4\\b\\Zfoo\\c\r");

	nhip_hl7_test_assert_value(message, "NTE-3", "pipe|caret^amp&tilde~back\\end");
	nhip_hl7_test_assert_value(message, "NTE-4", "line1\nline2");
	nhip_hl7_test_assert_value(message, "NTE-5", "á \r\n");
	nhip_hl7_test_assert_value(message, "NTE-6", "bold");
	/* unknown sequences are kept: senders write Windows paths unescaped */
	nhip_hl7_test_assert_value(message, "NTE-7", "C:\\temp\\file.txt");
	nhip_hl7_test_assert_value(message, "NTE-8", "abc");
	nhip_hl7_test_assert_raw(message, "NTE-3",
				 "pipe\\F\\caret\\S\\amp\\T\\tilde\\R\\back\\E\\end");
}

static void
test_escape_encode(void)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_message_new();
	g_autoptr(NhipHl7Message) reparsed = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *encoded = NULL;
	g_autofree gchar *escaped = NULL;
	g_autofree gchar *unescaped = NULL;
	const gchar *value = "a|b^c&d~e\\f\ng\r\nh\ri\x01j\tk";

	g_assert_cmpuint(nhip_hl7_message_append_segment(message, "NTE", &error), ==, 1);
	g_assert_no_error(error);
	g_assert_true(nhip_hl7_message_set_value(message, "NTE-3", value, &error));
	g_assert_no_error(error);
	nhip_hl7_test_assert_raw(
		message, "NTE-3",
		"a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\g\\X0D\\\\.br\\h\\X0D\\i\\X01\\j\tk");
	/* LF is the line break; a CR is kept as a character, so values come back unchanged */
	nhip_hl7_test_assert_value(message, "NTE-3", value);

	encoded = nhip_hl7_message_to_string(message);
	reparsed = nhip_hl7_test_parse_ok(encoded);
	nhip_hl7_test_assert_value(reparsed, "NTE-3", value);

	escaped = nhip_hl7_message_escape(message, "x^y");
	g_assert_cmpstr(escaped, ==, "x\\S\\y");
	unescaped = nhip_hl7_message_unescape(message, "x\\S\\y\\.br\\z", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(unescaped, ==, "x^y\nz");
}

static void
test_escape_malformed(void)
{
	const gchar *head = "MSH|^~\\&|||||||ORU^R01|5|P|2.5.1\rPID|1\r";
	struct {
		const gchar *obx5;
		gint code;
		const gchar *fragment;
	} cases[] = {
		{ "abc\\F", NHIP_HL7_ERROR_ESCAPE, "is not closed" },
		/* an escape cannot span a component separator */
		{ "ab\\F^x\\", NHIP_HL7_ERROR_ESCAPE, "is not closed" },
		{ "\\X414\\", NHIP_HL7_ERROR_ESCAPE, "odd number of digits" },
		{ "\\XZZ\\", NHIP_HL7_ERROR_ESCAPE, "other than the digits" },
		{ "\\X\xC3\xA1\\", NHIP_HL7_ERROR_ESCAPE, "other than the digits" },
		{ "\\X00\\", NHIP_HL7_ERROR_ESCAPE, "NUL" },
		{ "\\XC3\\", NHIP_HL7_ERROR_ENCODING, "not UTF-8" },
		{ "\\XFF41\\", NHIP_HL7_ERROR_ENCODING, "not UTF-8" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *text =
			g_strdup_printf("%sOBX|1|ST|x||%s|\r", head, cases[i].obx5);
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipHl7Message) message =
			nhip_hl7_message_parse(text, strlen(text), &error);
		g_assert_null(message);
		g_assert_error(error, NHIP_HL7_ERROR, cases[i].code);
		g_assert_nonnull(strstr(error->message, "HL7 segment 3 (OBX) field 5: "));
		g_assert_nonnull(strstr(error->message, cases[i].fragment));
		g_assert_true(g_utf8_validate(error->message, -1, NULL));
	}
}

static void
test_escape_unescape_invalid(void)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_message_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *value = nhip_hl7_message_unescape(message, "\\XE1\\", &error);

	g_assert_null(value);
	g_assert_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_ENCODING);
}

static void
test_delimiters_custom(void)
{
	const gchar *text = "MSH#*@!$#SENDER*APP#FAC#####ORU*R01#6#P#2.5.1\r"
			    "PID#1##ID1*X$Y$Z@ID2##TRẦN*VĂN AN\r"
			    "NTE#1##hash!F!star!S!at!R!bang!E!dollar!T!|^~\\&\r";
	g_autoptr(NhipHl7Message) message = nhip_hl7_test_parse_ok(text);
	g_autoptr(NhipHl7Message) built = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *encoded = nhip_hl7_message_to_string(message);
	g_autofree gchar *built_text = NULL;

	g_assert_cmpstr(encoded, ==, text);
	g_assert_cmpstr(nhip_hl7_message_get_delimiters(message), ==, "#*@!$");
	nhip_hl7_test_assert_value(message, "MSH-1", "#");
	nhip_hl7_test_assert_value(message, "MSH-2", "*@!$");
	nhip_hl7_test_assert_value(message, "MSH-3-2", "APP");
	nhip_hl7_test_assert_value(message, "MSH-9-2", "R01");
	nhip_hl7_test_assert_value(message, "PID-3-2-3", "Z");
	nhip_hl7_test_assert_value(message, "PID-3(2)", "ID2");
	nhip_hl7_test_assert_value(message, "PID-5-2", "VĂN AN");
	/* the usual delimiters are plain text here */
	nhip_hl7_test_assert_value(message, "NTE-3", "hash#star*at@bang!dollar$|^~\\&");

	built = nhip_hl7_message_new_with_delimiters("#*@!$", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(nhip_hl7_message_append_segment(built, "NTE", &error), ==, 1);
	g_assert_true(nhip_hl7_message_set_value(built, "NTE-3", "a#b*c|d", &error));
	g_assert_no_error(error);
	built_text = nhip_hl7_message_to_string(built);
	g_assert_cmpstr(built_text, ==, "MSH#*@!$\rNTE###a!F!b!S!c|d\r");
}

static void
test_delimiters_truncation(void)
{
	g_autoptr(NhipHl7Message) message =
		nhip_hl7_test_parse_ok("MSH|^~\\&#|||||||ORU^R01|7|P|2.7\rNTE|1||a\\P\\b#c\r");

	g_assert_cmpstr(nhip_hl7_message_get_delimiters(message), ==, "|^~\\&#");
	nhip_hl7_test_assert_value(message, "MSH-2", "^~\\&#");
	nhip_hl7_test_assert_value(message, "NTE-3", "a#b#c");
}

static void
test_delimiters_invalid(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHl7Message) message = NULL;

	assert_parse_error("MSH|^~", 6, NHIP_HL7_ERROR_TRUNCATED, "encoding characters");
	assert_parse_error("MSH|^~\r", 7, NHIP_HL7_ERROR_DELIMITERS, "2 encoding characters");
	assert_parse_error("MSH|^~\\|A|B\r", 12, NHIP_HL7_ERROR_DELIMITERS,
			   "3 encoding characters");
	assert_parse_error("MSH|^^\\&|A\r", 11, NHIP_HL7_ERROR_DELIMITERS, "appears twice");
	assert_parse_error("MSHA^~\\&A\r", 10, NHIP_HL7_ERROR_DELIMITERS, "field separator");
	assert_parse_error("MSH|^~|&|x\r", 11, NHIP_HL7_ERROR_DELIMITERS, "2 encoding characters");
	assert_parse_error("MSH|^A\\&|x\r", 11, NHIP_HL7_ERROR_DELIMITERS, "encoding character 2");
	assert_parse_error("MSH|^~\\&%$|x\r", 13, NHIP_HL7_ERROR_DELIMITERS,
			   "6 encoding characters");

	message = nhip_hl7_message_new_with_delimiters("|^~\\", &error);
	g_assert_null(message);
	g_assert_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_DELIMITERS);
}

static void
test_fields_empty_and_trailing(void)
{
	const gchar *text = "MSH|^~\\&|||||||ADT^A08|8|P|2.5.1|\rPID|||X||\rZZ1|\rZZ2\r";
	g_autoptr(NhipHl7Message) message = nhip_hl7_test_parse_ok(text);
	g_autofree gchar *encoded = nhip_hl7_message_to_string(message);

	g_assert_cmpstr(encoded, ==, text);
	g_assert_cmpuint(nhip_hl7_message_get_n_fields(message, 1), ==, 5);
	g_assert_cmpuint(nhip_hl7_message_get_n_fields(message, 2), ==, 1);
	g_assert_cmpuint(nhip_hl7_message_get_n_fields(message, 3), ==, 0);
	nhip_hl7_test_assert_value(message, "PID-1", "");
	nhip_hl7_test_assert_value(message, "PID-3", "X");
	nhip_hl7_test_assert_value(message, "PID-5", "");
	nhip_hl7_test_assert_value(message, "PID-40", "");
	nhip_hl7_test_assert_value(message, "ZZ1-1", "");
	nhip_hl7_test_assert_value(message, "ZZ2-1", "");
	nhip_hl7_test_assert_value(message, "MSH-13", "");
}

static void
test_fields_null_value(void)
{
	const gchar *text = "MSH|^~\\&|||||||ADT^A08|9|P|2.5.1\rPID|1||42||\"\"^THU||\"\"\r";
	g_autoptr(NhipHl7Message) message = nhip_hl7_test_parse_ok(text);
	g_autoptr(NhipHl7Message) built = nhip_hl7_message_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *encoded = nhip_hl7_message_to_string(message);
	g_autofree gchar *built_text = NULL;

	g_assert_cmpstr(encoded, ==, text);
	nhip_hl7_test_assert_value(message, "PID-5-1", NHIP_HL7_NULL);
	nhip_hl7_test_assert_value(message, "PID-5-2", "THU");
	nhip_hl7_test_assert_value(message, "PID-7", NHIP_HL7_NULL);

	g_assert_cmpuint(nhip_hl7_message_append_segment(built, "PID", &error), ==, 1);
	g_assert_true(nhip_hl7_message_set_value(built, "PID-7", NHIP_HL7_NULL, &error));
	g_assert_no_error(error);
	built_text = nhip_hl7_message_to_string(built);
	g_assert_cmpstr(built_text, ==, "MSH|^~\\&\rPID|||||||\"\"\r");
}

static void
test_fields_repetitions_components(void)
{
	g_autoptr(NhipHl7Message) message =
		nhip_hl7_test_parse_ok("MSH|^~\\&|||||||ADT^A04|10|P|2.5.1\r"
				       "PID|1||A^^^X&Y&Z^MR~B^^^W^PI~~D||||||||^^Huế~^^Hà Nội\r");
	g_autoptr(GError) error = NULL;
	guint n = 0;

	g_assert_true(nhip_hl7_message_get_n_repetitions(message, "PID-3", &n, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(n, ==, 4);
	g_assert_true(nhip_hl7_message_get_n_repetitions(message, "PID-11", &n, &error));
	g_assert_cmpuint(n, ==, 2);
	g_assert_true(nhip_hl7_message_get_n_repetitions(message, "PID-2", &n, &error));
	g_assert_cmpuint(n, ==, 0);
	g_assert_true(nhip_hl7_message_get_n_repetitions(message, "PID-99", &n, &error));
	g_assert_cmpuint(n, ==, 0);

	nhip_hl7_test_assert_value(message, "PID-3", "A");
	nhip_hl7_test_assert_value(message, "PID-3-4", "X");
	nhip_hl7_test_assert_value(message, "PID-3-4-2", "Y");
	nhip_hl7_test_assert_value(message, "PID-3-4-3", "Z");
	nhip_hl7_test_assert_value(message, "PID-3-4-4", "");
	nhip_hl7_test_assert_value(message, "PID-3(2)-1", "B");
	nhip_hl7_test_assert_value(message, "PID-3(2)-4", "W");
	nhip_hl7_test_assert_value(message, "PID-3(3)", "");
	nhip_hl7_test_assert_value(message, "PID-3(4)", "D");
	nhip_hl7_test_assert_value(message, "PID-11(2)-3", "Hà Nội");
	nhip_hl7_test_assert_raw(message, "PID-3-4", "X&Y&Z");
	nhip_hl7_test_assert_raw(message, "PID-3(2)", "B^^^W^PI");
	nhip_hl7_test_assert_raw(message, "PID-3-4-2", "Y");
}

static void
test_vietnamese(void)
{
	const gchar *names[] = {
		"NGUYỄN THỊ ĐÀO",	    "Xã Tân Hòa", "Huyện Châu Thành, Tỉnh Đồng Tháp",
		"Lò Thị Mỷ (dân tộc Thái)", "Đắk Lắk",	  "Ê Đê"
	};
	g_autoptr(NhipHl7Message) message = nhip_hl7_message_new();
	g_autoptr(NhipHl7Message) reparsed = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *encoded = NULL;

	g_assert_true(nhip_hl7_message_set_header(message, "ADT", "A04", "ADT_A01", "VN1", &error));
	g_assert_no_error(error);
	g_assert_cmpuint(nhip_hl7_message_append_segment(message, "PID", &error), ==, 1);
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree gchar *path = g_strdup_printf("PID-11(%u)-3", i + 1);
		g_assert_true(nhip_hl7_message_set_value(message, path, names[i], &error));
		g_assert_no_error(error);
	}
	encoded = nhip_hl7_message_to_string(message);
	/* UTF-8 travels as it is, never as \X..\ */
	g_assert_nonnull(strstr(encoded, "NGUYỄN THỊ ĐÀO"));
	g_assert_null(strstr(encoded, "\\X"));
	reparsed = nhip_hl7_test_parse_ok(encoded);
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree gchar *path = g_strdup_printf("PID-11(%u)-3", i + 1);
		nhip_hl7_test_assert_value(reparsed, path, names[i]);
	}
	nhip_hl7_test_assert_value(reparsed, "MSH-18", "UNICODE UTF-8");
}

static void
test_build_message(void)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_message_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *encoded = NULL;
	g_autofree gchar *control_id = NULL;
	NhipHl7Path path = { "OBX", 2, 5, 0, 0, 0 };

	g_assert_true(nhip_hl7_message_set_header(message, "ORU", "R01", "ORU_R01", NULL, &error));
	g_assert_no_error(error);
	control_id = nhip_hl7_message_get_value(message, "MSH-10", &error);
	g_assert_cmpuint(strlen(control_id), ==, 20);
	g_assert_true(nhip_hl7_message_set_value(message, "MSH-7", "20240131143005+0700", &error));
	g_assert_true(nhip_hl7_message_set_value(message, "MSH-10", "C1", &error));
	g_assert_true(nhip_hl7_message_set_value(message, "MSH-3", "NHIP", &error));
	g_assert_true(nhip_hl7_message_set_raw(message, "MSH-4", "TYT^79001^L", &error));
	g_assert_no_error(error);
	g_assert_cmpuint(nhip_hl7_message_append_segment(message, "PID", &error), ==, 1);
	g_assert_true(nhip_hl7_message_set_value(message, "PID-5-1", "NGUYỄN", &error));
	g_assert_true(nhip_hl7_message_set_value(message, "PID-5-2", "THỊ ĐÀO", &error));
	g_assert_true(nhip_hl7_message_set_value(message, "PID-3(2)-1", "GD479", &error));
	g_assert_true(nhip_hl7_message_set_value(message, "PID-3(2)-5", "HC", &error));
	g_assert_true(nhip_hl7_message_set_value(message, "PID-3-1", "0791", &error));
	for (guint i = 1; i <= 2; i++) {
		g_autofree gchar *p1 = g_strdup_printf("OBX[%u]-1", i);
		g_autofree gchar *p3 = g_strdup_printf("OBX[%u]-3-1", i);
		g_assert_cmpuint(nhip_hl7_message_append_segment(message, "OBX", &error), ==, i);
		g_assert_true(nhip_hl7_message_set_value(message, p1, i == 1 ? "1" : "2", &error));
		g_assert_true(nhip_hl7_message_set_value(message, p3, "8867-4", &error));
	}
	g_assert_true(nhip_hl7_message_set_value_at(message, &path, "72", &error));
	g_assert_true(nhip_hl7_message_set_value(message, "OBX[2]-6-1", "/min", &error));
	g_assert_no_error(error);

	encoded = nhip_hl7_message_to_string(message);
	g_assert_cmpstr(encoded, ==,
			"MSH|^~\\&|NHIP|TYT^79001^L|||20240131143005+0700||ORU^R01^ORU_R01|C1|P|"
			"2.5.1||||||UNICODE UTF-8\r"
			"PID|||0791~GD479^^^^HC||NGUYỄN^THỊ ĐÀO\r"
			"OBX|1||8867-4\r"
			"OBX|2||8867-4||72|/min\r");
}

static void
test_set_padding_and_replace(void)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_test_parse_ok(
		"MSH|^~\\&|||||||ADT^A08|11|P|2.5.1\rPID|1||A^B^C~D||X&Y^Z\r");
	g_autoptr(GError) error = NULL;

	g_assert_true(nhip_hl7_message_set_value(message, "PID-3-2", "Q", &error));
	nhip_hl7_test_assert_raw(message, "PID-3", "A^Q^C~D");
	g_assert_true(nhip_hl7_message_set_value(message, "PID-3(2)-3", "R", &error));
	nhip_hl7_test_assert_raw(message, "PID-3", "A^Q^C~D^^R");
	g_assert_true(nhip_hl7_message_set_value(message, "PID-5-1-2", "W", &error));
	nhip_hl7_test_assert_raw(message, "PID-5", "X&W^Z");
	g_assert_true(nhip_hl7_message_set_value(message, "PID-8(3)-4-2", "V", &error));
	nhip_hl7_test_assert_raw(message, "PID-8", "~~^^^&V");
	/* a path without repetition or component replaces the whole field */
	g_assert_true(nhip_hl7_message_set_value(message, "PID-3", "only", &error));
	nhip_hl7_test_assert_raw(message, "PID-3", "only");
	g_assert_true(nhip_hl7_message_set_value(message, "PID-3(2)", "two^2", &error));
	nhip_hl7_test_assert_raw(message, "PID-3", "only~two\\S\\2");
	g_assert_true(nhip_hl7_message_set_value(message, "PID-1", NULL, &error));
	nhip_hl7_test_assert_raw(message, "PID-1", "");
	g_assert_no_error(error);
}

static void
test_set_errors(void)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_message_new();
	g_autoptr(GError) error1 = NULL;
	g_autoptr(GError) error2 = NULL;
	g_autoptr(GError) error3 = NULL;
	g_autoptr(GError) error4 = NULL;
	g_autoptr(GError) error5 = NULL;
	g_autoptr(GError) error6 = NULL;
	g_autoptr(GError) error7 = NULL;
	g_autoptr(GError) error8 = NULL;

	g_assert_false(nhip_hl7_message_set_value(message, "MSH-1", "#", &error1));
	g_assert_error(error1, NHIP_HL7_ERROR, NHIP_HL7_ERROR_INVALID_VALUE);
	g_assert_false(nhip_hl7_message_set_value(message, "MSH-2", "*@!$", &error2));
	g_assert_error(error2, NHIP_HL7_ERROR, NHIP_HL7_ERROR_INVALID_VALUE);
	g_assert_false(nhip_hl7_message_set_value(message, "PID-3", "x", &error3));
	g_assert_error(error3, NHIP_HL7_ERROR, NHIP_HL7_ERROR_NOT_FOUND);
	g_assert_false(nhip_hl7_message_set_value(message, "MSH-3", "\xC3\x28", &error4));
	g_assert_error(error4, NHIP_HL7_ERROR, NHIP_HL7_ERROR_INVALID_VALUE);
	g_assert_false(nhip_hl7_message_set_value(message, "MSH-x", "a", &error5));
	g_assert_error(error5, NHIP_HL7_ERROR, NHIP_HL7_ERROR_PATH);
	g_assert_false(nhip_hl7_message_set_raw(message, "MSH-3", "a|b", &error6));
	g_assert_error(error6, NHIP_HL7_ERROR, NHIP_HL7_ERROR_INVALID_VALUE);
	g_assert_false(nhip_hl7_message_set_raw(message, "MSH-3-1", "a^b", &error7));
	g_assert_error(error7, NHIP_HL7_ERROR, NHIP_HL7_ERROR_INVALID_VALUE);
	g_assert_false(nhip_hl7_message_set_raw(message, "MSH-3", "a\\F", &error8));
	g_assert_error(error8, NHIP_HL7_ERROR, NHIP_HL7_ERROR_ESCAPE);
	g_assert_cmpuint(nhip_hl7_message_append_segment(message, "MSH", NULL), ==, 0);
	g_assert_cmpuint(nhip_hl7_message_append_segment(message, "pid", NULL), ==, 0);
	g_assert_cmpuint(nhip_hl7_message_append_segment(message, "PIDX", NULL), ==, 0);
}

static void
test_path_parse(void)
{
	struct {
		const gchar *text;
		const gchar *canonical; /* NULL when invalid */
		guint occurrence, field, repetition, component, subcomponent;
	} cases[] = {
		{ "PID", "PID", 1, 0, 0, 0, 0 },
		{ "PID-5", "PID-5", 1, 5, 0, 0, 0 },
		{ "PID-5-1", "PID-5-1", 1, 5, 0, 1, 0 },
		{ "PID.5.1.2", "PID-5-1-2", 1, 5, 0, 1, 2 },
		{ "OBX[2]-5", "OBX[2]-5", 2, 5, 0, 0, 0 },
		{ "OBX(12)-5", "OBX[12]-5", 12, 5, 0, 0, 0 },
		{ "PID-3(2)-1", "PID-3(2)-1", 1, 3, 2, 1, 0 },
		{ "PID-3[2]", "PID-3(2)", 1, 3, 2, 0, 0 },
		{ "ZX1-1", "ZX1-1", 1, 1, 0, 0, 0 },
		{ "", NULL },
		{ "PI", NULL },
		{ "pid-5", NULL },
		{ "1ID-5", NULL },
		{ "PID-", NULL },
		{ "PID-0", NULL },
		{ "PID-5-", NULL },
		{ "PID-5-1-2-3", NULL },
		{ "PID[0]-5", NULL },
		{ "PID[2-5", NULL },
		{ "PID-5(x)", NULL },
		{ "PID_5", NULL },
		{ "PID-99999999999", NULL },
		{ "PID-5 ", NULL },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		NhipHl7Path path;
		g_autoptr(GError) error = NULL;
		gboolean ok = nhip_hl7_path_parse(cases[i].text, &path, &error);
		if (cases[i].canonical == NULL) {
			g_assert_false(ok);
			g_assert_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_PATH);
			g_assert_nonnull(strstr(error->message, "PID-5-1"));
		} else {
			g_autofree gchar *text = NULL;
			g_assert_no_error(error);
			g_assert_true(ok);
			g_assert_cmpuint(path.occurrence, ==, cases[i].occurrence);
			g_assert_cmpuint(path.field, ==, cases[i].field);
			g_assert_cmpuint(path.repetition, ==, cases[i].repetition);
			g_assert_cmpuint(path.component, ==, cases[i].component);
			g_assert_cmpuint(path.subcomponent, ==, cases[i].subcomponent);
			text = nhip_hl7_path_to_string(&path);
			g_assert_cmpstr(text, ==, cases[i].canonical);
		}
	}
}

static void
test_malformed_header(void)
{
	assert_parse_error("", 0, NHIP_HL7_ERROR_TRUNCATED, "empty");
	assert_parse_error("\r\n\r\n", 4, NHIP_HL7_ERROR_TRUNCATED, "empty");
	assert_parse_error("MS", 2, NHIP_HL7_ERROR_TRUNCATED, "cut short");
	assert_parse_error("MSH", 3, NHIP_HL7_ERROR_TRUNCATED, "cut short");
	assert_parse_error("PID|1||42\r", 10, NHIP_HL7_ERROR_NO_HEADER, "starts with “PID”");
	assert_parse_error("EVN|A04\rMSH|^~\\&\r", 17, NHIP_HL7_ERROR_NO_HEADER, "MSH");
	assert_parse_error("\x0bMSH|^~\\&|\x1c\r", 12, NHIP_HL7_ERROR_NO_HEADER,
			   "starts with “\\x0bMS”");
}

static void
test_malformed_segments(void)
{
	const gchar *two = "MSH|^~\\&|||||||ADT^A04|1|P|2.5.1\rPID|1\rMSH|^~\\&|||||||ADT^A04|2\r";
	const gchar *bad_id = "MSH|^~\\&|||||||ADT^A04|1|P|2.5.1\rPID|1\rP!D|2\r";
	const gchar *long_id = "MSH|^~\\&|||||||ADT^A04|1|P|2.5.1\rPIDX|1\r";
	const gchar *short_id = "MSH|^~\\&|||||||ADT^A04|1|P|2.5.1\rPI|1\r";
	const gchar *broken = "MSH|^~\\&|||||||ADT^A04|1|P|2.5.1\rNTE|1||line one\rline two\r";
	const gchar *unknown = "MSH|^~\\&|||||||ADT^A04|1|P|2.5.1\rZXY|1|custom\rZ01\r";
	g_autoptr(NhipHl7Message) message = NULL;

	assert_parse_error(two, strlen(two), NHIP_HL7_ERROR_SEGMENT, "second MSH");
	assert_parse_error(bad_id, strlen(bad_id), NHIP_HL7_ERROR_SEGMENT, "HL7 segment 3: “P!D”");
	assert_parse_error(long_id, strlen(long_id), NHIP_HL7_ERROR_SEGMENT, "“PIDX”");
	assert_parse_error(short_id, strlen(short_id), NHIP_HL7_ERROR_SEGMENT, "“PI”");
	assert_parse_error(broken, strlen(broken), NHIP_HL7_ERROR_SEGMENT, "“line two”");
	/* unknown and Z segments are kept */
	message = nhip_hl7_test_parse_ok(unknown);
	nhip_hl7_test_assert_value(message, "ZXY-2", "custom");
	g_assert_cmpuint(nhip_hl7_message_get_n_segments(message), ==, 3);
}

static void
test_malformed_encoding(void)
{
	const gchar *obx = "MSH|^~\\&|||||||ORU^R01|1|P|2.5.1\rPID|1\rOBX|1|ST|x||ab\xC3\x28|\r";
	const gchar *overlong = "MSH|^~\\&|||||||ORU^R01|1|P|2.5.1\rPID|1||\xC0\xAF\r";
	const gchar *header = "MSH|^~\\&|AB\xFF|||||||ORU^R01|1|P|2.5.1\r";
	const gchar *latin1 = "MSH|^~\\&|||||||ADT^A04|1|P|2.5.1||||||8859/1\rPID|1\r";
	const gchar *ascii = "MSH|^~\\&|||||||ADT^A04|1|P|2.5.1||||||ASCII\rPID|1\r";
	const gchar nul[] = "MSH|^~\\&|||||||ADT^A04|1|P|2.5.1\rPID|1||a\0b\r";
	const gchar *truncated = "MSH|^~\\&|||||||ADT^A04|1|P|2.5.1\rPID|1||NGUY\xE1\xBB";
	g_autoptr(NhipHl7Message) message = NULL;

	assert_parse_error(obx, strlen(obx), NHIP_HL7_ERROR_ENCODING,
			   "HL7 segment 3 (OBX) field 5: ");
	assert_parse_error(overlong, strlen(overlong), NHIP_HL7_ERROR_ENCODING,
			   "HL7 segment 2 (PID) field 3: ");
	assert_parse_error(header, strlen(header), NHIP_HL7_ERROR_ENCODING,
			   "HL7 segment 1 (MSH) field 3: ");
	assert_parse_error(latin1, strlen(latin1), NHIP_HL7_ERROR_ENCODING, "“8859/1”");
	assert_parse_error(nul, sizeof(nul) - 1, NHIP_HL7_ERROR_ENCODING,
			   "HL7 segment 2 (PID) field 3: ");
	assert_parse_error(truncated, strlen(truncated), NHIP_HL7_ERROR_ENCODING,
			   "HL7 segment 2 (PID) field 3: ");
	message = nhip_hl7_test_parse_ok(ascii);
	g_assert_nonnull(message);
}

static void
test_malformed_limits(void)
{
	NhipHl7ParseLimits limits = { 0 };
	g_autoptr(GString) text =
		g_string_new("MSH|^~\\&|||||||ORU^R01|1|P|2.5.1\rPID|1\rOBX|1|ED|x||");
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHl7Message) message = NULL;
	g_autoptr(NhipHl7Message) message2 = NULL;
	g_autoptr(NhipHl7Message) message3 = NULL;
	g_autoptr(GError) error2 = NULL;
	g_autoptr(GError) error3 = NULL;
	g_autoptr(GString) many = g_string_new("MSH|^~\\&|||||||ORU^R01|1|P|2.5.1\r");

	for (guint i = 0; i < 2000; i++)
		g_string_append(text, "QUJDRA==");
	g_string_append(text, "|\r");
	limits.max_field_length = 1000;
	message = nhip_hl7_message_parse_full(text->str, text->len, &limits, &error);
	g_assert_null(message);
	g_assert_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_LIMIT);
	g_assert_nonnull(strstr(error->message, "HL7 segment 3 (OBX) field 5: "));
	g_assert_nonnull(strstr(error->message, "16000 bytes"));

	limits.max_field_length = 0;
	limits.max_message_size = 1000;
	message2 = nhip_hl7_message_parse_full(text->str, text->len, &limits, &error2);
	g_assert_null(message2);
	g_assert_error(error2, NHIP_HL7_ERROR, NHIP_HL7_ERROR_LIMIT);

	for (guint i = 0; i < 20; i++)
		g_string_append(many, "NTE|1\r");
	limits.max_message_size = 0;
	limits.max_segments = 10;
	message3 = nhip_hl7_message_parse_full(many->str, many->len, &limits, &error3);
	g_assert_null(message3);
	g_assert_error(error3, NHIP_HL7_ERROR, NHIP_HL7_ERROR_LIMIT);
	g_assert_nonnull(strstr(error3->message, "more than 10 segments"));
}

/* nothing a sender can put on the wire may crash the parser */
static void
test_malformed_garbage(void)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(20240131);
	gsize sample_len = strlen(ORU_SAMPLE);

	for (guint i = 0; i < 3000; i++) {
		g_autofree guint8 *buf = NULL;
		gsize length;
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipHl7Message) message = NULL;

		if (i % 2 == 0) {
			/* random bytes, sometimes behind a valid header */
			length = (gsize)g_rand_int_range(rand, 0, 400);
			buf = g_malloc(length + 16);
			for (gsize j = 0; j < length; j++)
				buf[j] = (guint8)g_rand_int_range(rand, 0, 256);
			for (gsize j = 0; i % 4 == 0 && j < 9 && j < length; j++)
				buf[j] = (guint8) "MSH|^~\\&|"[j];
		} else {
			/* a valid message with a few bytes changed, cut or duplicated */
			length = sample_len;
			buf = g_memdup2(ORU_SAMPLE, length + 1);
			for (guint k = 0; k < 3; k++) {
				gsize at = (gsize)g_rand_int_range(rand, 0, (gint32)length);
				static const guint8 specials[] = { '|',	 '^',  '~', '\\', '&',
								   '\r', '\n', 0,   0xC3, 0xFF };
				buf[at] = g_rand_boolean(rand)
						  ? specials[g_rand_int_range(rand, 0, 10)]
						  : (guint8)g_rand_int_range(rand, 0, 256);
			}
			if (g_rand_boolean(rand))
				length = (gsize)g_rand_int_range(rand, 0, (gint32)length + 1);
		}
		message = nhip_hl7_message_parse((const gchar *)buf, length, &error);
		if (message == NULL) {
			g_assert_nonnull(error);
			g_assert_true(error->domain == NHIP_HL7_ERROR);
			g_assert_true(g_utf8_validate(error->message, -1, NULL));
		} else {
			/* whatever parses must encode and parse again to the same text */
			g_autofree gchar *encoded = nhip_hl7_message_to_string(message);
			g_autoptr(NhipHl7Message) again =
				nhip_hl7_message_parse(encoded, strlen(encoded), &error);
			g_autofree gchar *encoded2 = NULL;
			g_assert_no_error(error);
			encoded2 = nhip_hl7_message_to_string(again);
			g_assert_cmpstr(encoded, ==, encoded2);
			for (guint s = 0; s < nhip_hl7_message_get_n_segments(message); s++) {
				g_autofree gchar *path = g_strdup_printf(
					"%s-5-1-1", nhip_hl7_message_get_segment_id(message, s));
				g_autofree gchar *value =
					nhip_hl7_message_get_value(message, path, &error);
				g_assert_no_error(error);
				g_assert_true(g_utf8_validate(value, -1, NULL));
			}
		}
	}
}

static void
test_control_id(void)
{
	g_autofree gchar *a = nhip_hl7_message_generate_control_id();
	g_autofree gchar *b = nhip_hl7_message_generate_control_id();
	g_autoptr(GDateTime) datetime = g_date_time_new_utc(2024, 1, 31, 7, 30, 5);
	g_autofree gchar *timestamp = nhip_hl7_message_format_timestamp(datetime);

	g_assert_cmpuint(strlen(a), ==, 20);
	for (const gchar *p = a; *p != '\0'; p++)
		g_assert_true(g_ascii_isdigit(*p));
	g_assert_cmpstr(a, !=, b);
	g_assert_cmpstr(timestamp, ==, "20240131073005+0000");
}

static void
test_bytes_and_append(void)
{
	g_autoptr(GBytes) input = g_bytes_new_static(ORU_SAMPLE, strlen(ORU_SAMPLE));
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHl7Message) message = nhip_hl7_message_parse_bytes(input, &error);
	g_autoptr(GBytes) output = NULL;
	g_autoptr(GString) out = g_string_new("prefix:");

	g_assert_no_error(error);
	output = nhip_hl7_message_to_bytes(message);
	g_assert_true(g_bytes_equal(input, output));
	nhip_hl7_message_append_to(message, out);
	g_assert_true(g_str_has_prefix(out->str, "prefix:MSH|"));
	g_assert_cmpuint(out->len, ==, strlen("prefix:") + strlen(ORU_SAMPLE));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/hl7/er7/parse/basic", test_parse_basic);
	g_test_add_func("/hl7/er7/parse/missing-segment", test_parse_missing_segment);
	g_test_add_func("/hl7/er7/roundtrip/exact", test_roundtrip_exact);
	g_test_add_func("/hl7/er7/roundtrip/line-endings", test_roundtrip_line_endings);
	g_test_add_func("/hl7/er7/roundtrip/bytes", test_bytes_and_append);
	g_test_add_func("/hl7/er7/escape/decode", test_escape_decode);
	g_test_add_func("/hl7/er7/escape/encode", test_escape_encode);
	g_test_add_func("/hl7/er7/escape/malformed", test_escape_malformed);
	g_test_add_func("/hl7/er7/escape/unescape-invalid", test_escape_unescape_invalid);
	g_test_add_func("/hl7/er7/delimiters/custom", test_delimiters_custom);
	g_test_add_func("/hl7/er7/delimiters/truncation", test_delimiters_truncation);
	g_test_add_func("/hl7/er7/delimiters/invalid", test_delimiters_invalid);
	g_test_add_func("/hl7/er7/fields/empty-and-trailing", test_fields_empty_and_trailing);
	g_test_add_func("/hl7/er7/fields/null-value", test_fields_null_value);
	g_test_add_func("/hl7/er7/fields/repetitions-components",
			test_fields_repetitions_components);
	g_test_add_func("/hl7/er7/vietnamese", test_vietnamese);
	g_test_add_func("/hl7/er7/build/message", test_build_message);
	g_test_add_func("/hl7/er7/build/padding-and-replace", test_set_padding_and_replace);
	g_test_add_func("/hl7/er7/build/errors", test_set_errors);
	g_test_add_func("/hl7/er7/path/parse", test_path_parse);
	g_test_add_func("/hl7/er7/malformed/header", test_malformed_header);
	g_test_add_func("/hl7/er7/malformed/segments", test_malformed_segments);
	g_test_add_func("/hl7/er7/malformed/encoding", test_malformed_encoding);
	g_test_add_func("/hl7/er7/malformed/limits", test_malformed_limits);
	g_test_add_func("/hl7/er7/malformed/garbage", test_malformed_garbage);
	g_test_add_func("/hl7/er7/control-id", test_control_id);
	return g_test_run();
}
