/*
 * Nhịp — tests of HL7 acknowledgments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-hl7.h"
#include "nhip-hl7-test-utils.h"

#define ORU_SAMPLE                                                                             \
	"MSH|^~\\&|NHIP|TYT_TANHOA^79001^L|HIS|BV_HUYEN|20240131143005+0700||ORU^R01^ORU_R01|" \
	"MSG00001|P|2.5.1|||||VNM|UNICODE UTF-8\r"                                             \
	"PID|1||079123456789^^^BYT^NI||NGUYỄN^THỊ ĐÀO\r"                                 \
	"OBX|1|NM|8867-4^Heart rate^LN||72|/min^/min^UCUM|60-100|N|||F\r"

static void
test_build_accept(void)
{
	g_autoptr(NhipHl7Message) original = nhip_hl7_test_parse_ok(ORU_SAMPLE);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHl7Message) ack = NULL;
	g_autofree gchar *control_id = NULL;

	ack = nhip_hl7_ack_build(original, NHIP_HL7_ACK_CODE_AA, 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(ack);
	g_assert_cmpuint(nhip_hl7_message_get_n_segments(ack), ==, 2);
	g_assert_cmpstr(nhip_hl7_message_get_segment_id(ack, 1), ==, "MSA");
	nhip_hl7_test_assert_raw(ack, "MSH-3", "HIS");
	nhip_hl7_test_assert_raw(ack, "MSH-4", "BV_HUYEN");
	nhip_hl7_test_assert_raw(ack, "MSH-5", "NHIP");
	nhip_hl7_test_assert_raw(ack, "MSH-6", "TYT_TANHOA^79001^L");
	nhip_hl7_test_assert_raw(ack, "MSH-9", "ACK^R01^ACK");
	nhip_hl7_test_assert_value(ack, "MSH-11", "P");
	nhip_hl7_test_assert_value(ack, "MSH-12", "2.5.1");
	nhip_hl7_test_assert_value(ack, "MSH-18", "UNICODE UTF-8");
	nhip_hl7_test_assert_value(ack, "MSA-1", "AA");
	nhip_hl7_test_assert_value(ack, "MSA-2", "MSG00001");
	nhip_hl7_test_assert_value(ack, "MSA-3", "");
	control_id = nhip_hl7_message_get_value(ack, "MSH-10", &error);
	g_assert_cmpuint(strlen(control_id), ==, 20);
	g_assert_cmpstr(control_id, !=, "MSG00001");
}

static void
test_build_error(void)
{
	g_autoptr(NhipHl7Message) original = nhip_hl7_test_parse_ok(ORU_SAMPLE);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHl7Message) ack = NULL;
	g_autoptr(NhipHl7Message) ack_long = NULL;
	g_autofree gchar *long_text = NULL;
	g_autofree gchar *msa3 = NULL;
	const gchar *text = "Bệnh nhân không tồn tại | kiểm tra PID-3 ^ rồi gửi lại";

	ack = nhip_hl7_ack_build(original, NHIP_HL7_ACK_CODE_AE, 204, text, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(nhip_hl7_message_get_n_segments(ack), ==, 3);
	nhip_hl7_test_assert_value(ack, "MSA-1", "AE");
	nhip_hl7_test_assert_value(ack, "MSA-2", "MSG00001");
	nhip_hl7_test_assert_value(ack, "MSA-3", text);
	nhip_hl7_test_assert_value(ack, "ERR-3-1", "204");
	nhip_hl7_test_assert_value(ack, "ERR-3-2", "Unknown key identifier");
	nhip_hl7_test_assert_value(ack, "ERR-3-3", "HL70357");
	nhip_hl7_test_assert_value(ack, "ERR-4", "E");
	nhip_hl7_test_assert_value(ack, "ERR-8", text);
	nhip_hl7_test_assert_raw(ack, "ERR-8",
				 "Bệnh nhân không tồn tại \\F\\ kiểm tra PID-3 \\S\\ rồi gửi lại");

	/* MSA-3 is 80 characters at most; ERR-8 keeps the whole text */
	long_text = g_strnfill(200, 'x');
	ack_long = nhip_hl7_ack_build(original, NHIP_HL7_ACK_CODE_AR, 0, long_text, &error);
	g_assert_no_error(error);
	msa3 = nhip_hl7_message_get_value(ack_long, "MSA-3", &error);
	g_assert_cmpuint(strlen(msa3), ==, 80);
	nhip_hl7_test_assert_value(ack_long, "ERR-3-1", "207");
	nhip_hl7_test_assert_value(ack_long, "ERR-8", long_text);
}

static void
test_build_custom_delimiters(void)
{
	g_autoptr(NhipHl7Message) original =
		nhip_hl7_test_parse_ok("MSH#*@!$#LAB#X#HIS#Y#20240101##ORU*R01#ID7#T#2.4\rPID#1\r");
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHl7Message) ack = NULL;
	g_autofree gchar *encoded = NULL;

	ack = nhip_hl7_ack_build(original, NHIP_HL7_ACK_CODE_AR, 0, "a#b", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(nhip_hl7_message_get_delimiters(ack), ==, "#*@!$");
	nhip_hl7_test_assert_raw(ack, "MSH-9", "ACK*R01*ACK");
	/* processing id and version follow the sender */
	nhip_hl7_test_assert_value(ack, "MSH-11", "T");
	nhip_hl7_test_assert_value(ack, "MSH-12", "2.4");
	nhip_hl7_test_assert_raw(ack, "ERR-8", "a!F!b");
	encoded = nhip_hl7_message_to_string(ack);
	g_assert_true(g_str_has_prefix(encoded, "MSH#*@!$#HIS#Y#LAB#X#"));
}

static void
test_parse_variants(void)
{
	struct {
		const gchar *text;
		NhipHl7AckCode code;
		const gchar *control_id;
		const gchar *ack_text;
		guint error_code;
	} cases[] = {
		{ "MSH|^~\\&|HIS||NHIP||20240101||ACK^R01^ACK|A1|P|2.5.1\rMSA|AA|C1\r",
		  NHIP_HL7_ACK_CODE_AA, "C1", NULL, 0 },
		{ "MSH|^~\\&|HIS||NHIP||20240101||ACK|A2|P|2.5.1\rMSA|AE|C2\r"
		  "ERR|||207^Application internal error^HL70357|E||||Hết chỗ\r",
		  NHIP_HL7_ACK_CODE_AE, "C2", "Hết chỗ", 207 },
		{ "MSH|^~\\&|HIS||NHIP||20240101||ACK|A3|P|2.3\rMSA|AR|C3|Unknown patient\r",
		  NHIP_HL7_ACK_CODE_AR, "C3", "Unknown patient", 0 },
		{ "MSH|^~\\&|HIS||NHIP||20240101||ACK|A4|P|2.5.1\rMSA|AE|C4\r"
		  "ERR|||101^Required field missing^HL70357\r",
		  NHIP_HL7_ACK_CODE_AE, "C4", "Required field missing", 101 },
		{ "MSH|^~\\&|HIS||NHIP||20240101||ACK|A5|P|2.5.1\rMSA|CA|C5\r",
		  NHIP_HL7_ACK_CODE_CA, "C5", NULL, 0 },
		{ "MSH|^~\\&|HIS||NHIP||20240101||ACK|A6|P|2.5.1\rMSA|CR|\r", NHIP_HL7_ACK_CODE_CR,
		  "", NULL, 0 },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipHl7Ack) ack =
			nhip_hl7_ack_parse_data(cases[i].text, strlen(cases[i].text), &error);
		g_assert_no_error(error);
		g_assert_cmpint(nhip_hl7_ack_get_code(ack), ==, cases[i].code);
		g_assert_cmpstr(nhip_hl7_ack_get_control_id(ack), ==, cases[i].control_id);
		g_assert_cmpstr(nhip_hl7_ack_get_text(ack), ==, cases[i].ack_text);
		g_assert_cmpuint(nhip_hl7_ack_get_error_code(ack), ==, cases[i].error_code);
		g_assert_nonnull(nhip_hl7_ack_get_message(ack));
	}
}

static void
test_parse_errors(void)
{
	struct {
		const gchar *text;
		gint code;
		const gchar *fragment;
	} cases[] = {
		{ "MSH|^~\\&|HIS||NHIP||20240101||ORU^R01|A1|P|2.5.1\rPID|1\r", NHIP_HL7_ERROR_ACK,
		  "no MSA segment" },
		{ "MSH|^~\\&|HIS||NHIP||20240101||ACK|A1|P|2.5.1\rMSA|OK|C1\r", NHIP_HL7_ERROR_ACK,
		  "“OK”" },
		{ "MSH|^~\\&|HIS||NHIP||20240101||ACK|A1|P|2.5.1\rMSA||C1\r", NHIP_HL7_ERROR_ACK,
		  "MSA-1" },
		{ "HTTP/1.1 400 Bad Request\r\n\r\n", NHIP_HL7_ERROR_NO_HEADER, "MSH" },
		{ "", NHIP_HL7_ERROR_TRUNCATED, "empty" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipHl7Ack) ack =
			nhip_hl7_ack_parse_data(cases[i].text, strlen(cases[i].text), &error);
		g_assert_null(ack);
		g_assert_error(error, NHIP_HL7_ERROR, cases[i].code);
		g_assert_nonnull(strstr(error->message, cases[i].fragment));
	}
}

static void
test_roundtrip(void)
{
	g_autoptr(NhipHl7Message) original = nhip_hl7_test_parse_ok(ORU_SAMPLE);
	NhipHl7AckCode codes[] = { NHIP_HL7_ACK_CODE_AA, NHIP_HL7_ACK_CODE_AE,
				   NHIP_HL7_ACK_CODE_AR };

	for (guint i = 0; i < G_N_ELEMENTS(codes); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipHl7Message) message = NULL;
		g_autoptr(NhipHl7Ack) ack = NULL;
		g_autofree gchar *encoded = NULL;
		const gchar *text =
			codes[i] == NHIP_HL7_ACK_CODE_AA ? NULL : "Sai mã BHYT\nthử lại";

		message = nhip_hl7_ack_build(original, codes[i], 0, text, &error);
		g_assert_no_error(error);
		encoded = nhip_hl7_message_to_string(message);
		ack = nhip_hl7_ack_parse_data(encoded, strlen(encoded), &error);
		g_assert_no_error(error);
		g_assert_cmpint(nhip_hl7_ack_get_code(ack), ==, codes[i]);
		g_assert_cmpstr(nhip_hl7_ack_get_control_id(ack), ==, "MSG00001");
		g_assert_cmpstr(nhip_hl7_ack_get_text(ack), ==, text);
		g_assert_cmpuint(nhip_hl7_ack_get_error_code(ack), ==,
				 codes[i] == NHIP_HL7_ACK_CODE_AA ? 0 : 207);
	}
}

static void
test_check(void)
{
	g_autoptr(NhipHl7Ack) aa = nhip_hl7_ack_new(NHIP_HL7_ACK_CODE_AA, "C1", NULL);
	g_autoptr(NhipHl7Ack) ca = nhip_hl7_ack_new(NHIP_HL7_ACK_CODE_CA, "C1", NULL);
	g_autoptr(NhipHl7Ack) ae = nhip_hl7_ack_new(NHIP_HL7_ACK_CODE_AE, "C2", "Hết giường");
	g_autoptr(NhipHl7Ack) ar = nhip_hl7_ack_new(NHIP_HL7_ACK_CODE_AR, NULL, NULL);
	g_autoptr(NhipHl7Ack) copy = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) error2 = NULL;

	g_assert_true(nhip_hl7_ack_check(aa, NULL));
	g_assert_true(nhip_hl7_ack_check(ca, NULL));
	g_assert_true(nhip_hl7_ack_is_accept(aa));
	g_assert_false(nhip_hl7_ack_is_accept(ae));
	g_assert_false(nhip_hl7_ack_check(ae, &error));
	g_assert_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_REJECTED);
	g_assert_nonnull(strstr(error->message, "C2 (AE): Hết giường"));
	g_assert_false(nhip_hl7_ack_check(ar, &error2));
	g_assert_error(error2, NHIP_HL7_ERROR, NHIP_HL7_ERROR_REJECTED);
	g_assert_cmpstr(nhip_hl7_ack_get_control_id(ar), ==, "");

	copy = g_boxed_copy(NHIP_TYPE_HL7_ACK, ae);
	g_assert_true(copy == ae);
	nhip_hl7_ack_unref(g_steal_pointer(&copy));
	g_assert_cmpstr(nhip_hl7_ack_get_text(ae), ==, "Hết giường");
}

static void
test_build_for_data(void)
{
	const gchar *bad_body = "MSH|^~\\&|LAB|F1|NHIP|F2|20240101||ORU^R01|X99|P|2.5.1\r"
				"PID|1||\xFF\xFE\r";
	const gchar *latin1 = "MSH|^~\\&|LAB|F1|NHIP|F2|20240101||ORU^R01|X98|P|2.5.1||||||"
			      "8859/1\rPID|1\r";
	const gchar *garbage = "\x01\x02 not hl7 at all";
	g_autoptr(NhipHl7Message) ack1 = NULL;
	g_autoptr(NhipHl7Message) ack2 = NULL;
	g_autoptr(NhipHl7Message) ack3 = NULL;
	g_autoptr(NhipHl7Ack) parsed = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *encoded = NULL;

	ack1 = nhip_hl7_ack_build_for_data(bad_body, strlen(bad_body), NHIP_HL7_ACK_CODE_AE, 102,
					   "not UTF-8");
	nhip_hl7_test_assert_value(ack1, "MSA-1", "AE");
	nhip_hl7_test_assert_value(ack1, "MSA-2", "X99");
	nhip_hl7_test_assert_value(ack1, "MSH-5", "LAB");
	nhip_hl7_test_assert_value(ack1, "ERR-3-1", "102");

	ack2 = nhip_hl7_ack_build_for_data(latin1, strlen(latin1), NHIP_HL7_ACK_CODE_AR, 0,
					   "charset");
	nhip_hl7_test_assert_value(ack2, "MSA-1", "AR");
	nhip_hl7_test_assert_value(ack2, "MSA-2", "X98");

	ack3 = nhip_hl7_ack_build_for_data(garbage, strlen(garbage), NHIP_HL7_ACK_CODE_AR, 100,
					   "no MSH");
	nhip_hl7_test_assert_value(ack3, "MSA-1", "AR");
	nhip_hl7_test_assert_value(ack3, "MSA-2", "");
	nhip_hl7_test_assert_value(ack3, "ERR-8", "no MSH");
	encoded = nhip_hl7_message_to_string(ack3);
	parsed = nhip_hl7_ack_parse_data(encoded, strlen(encoded), &error);
	g_assert_no_error(error);
	g_assert_cmpint(nhip_hl7_ack_get_code(parsed), ==, NHIP_HL7_ACK_CODE_AR);
}

static void
test_code_strings(void)
{
	const gchar *names[] = { "AA", "AE", "AR", "CA", "CE", "CR" };

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		NhipHl7AckCode code = NHIP_HL7_ACK_CODE_AA;
		g_assert_true(nhip_hl7_ack_code_from_string(names[i], &code));
		g_assert_cmpint(code, ==, (gint)i);
		g_assert_cmpstr(nhip_hl7_ack_code_to_string(code), ==, names[i]);
	}
	g_assert_false(nhip_hl7_ack_code_from_string("aa", NULL));
	/* the enums are registered types */
	{
		g_autoptr(GEnumClass) klass = g_type_class_ref(NHIP_TYPE_HL7_ACK_CODE);
		GEnumValue *value = g_enum_get_value(klass, NHIP_HL7_ACK_CODE_AR);
		g_assert_cmpstr(value->value_nick, ==, "ar");
		g_assert_true(G_TYPE_IS_ENUM(NHIP_TYPE_HL7_ERROR));
	}
	g_assert_false(nhip_hl7_ack_code_from_string("", NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/hl7/ack/build/accept", test_build_accept);
	g_test_add_func("/hl7/ack/build/error", test_build_error);
	g_test_add_func("/hl7/ack/build/custom-delimiters", test_build_custom_delimiters);
	g_test_add_func("/hl7/ack/build/for-data", test_build_for_data);
	g_test_add_func("/hl7/ack/parse/variants", test_parse_variants);
	g_test_add_func("/hl7/ack/parse/errors", test_parse_errors);
	g_test_add_func("/hl7/ack/roundtrip", test_roundtrip);
	g_test_add_func("/hl7/ack/check", test_check);
	g_test_add_func("/hl7/ack/code-strings", test_code_strings);
	return g_test_run();
}
