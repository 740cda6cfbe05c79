/*
 * Nhịp — tests of text folding and input validation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "nhip-error.h"
#include "nhip-pin.h"
#include "nhip-text.h"
#include "nhip-validate.h"
#include "nhip-vital.h"

static void
test_fold(void)
{
	struct {
		const gchar *in;
		const gchar *out;
	} cases[] = {
		{ "Nguyễn Thị Đào", "nguyen thi dao" },
		{ "NGUYỄN THỊ ĐÀO", "nguyen thi dao" },
		{ "nguyen thi dao", "nguyen thi dao" },
		{ "  Nguyễn   Thị\tĐào  ", "nguyen thi dao" },
		{ "đĐ", "dd" },
		{ "Trương Vĩnh Ký", "truong vinh ky" },
		{ "Ưng Hoàng Phúc", "ung hoang phuc" },
		{ "H'Nga Niê", "h nga nie" },
		{ "Y-Bhin Êban", "y bhin eban" },
		{ "Phạm Ngọc Ánh", "pham ngoc anh" },
		{ "Ơ Đu", "o du" },
		/* decomposed input (NFD) folds the same as composed */
		{ "Nguye\xcc\x82\xcc\x83n", "nguyen" },
		{ "066185001234", "066185001234" },
		{ "DN4-66-0123456789", "dn4 66 0123456789" },
		{ "", "" },
		{ "!!!", "" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *folded = nhip_text_fold(cases[i].in);
		g_assert_cmpstr(folded, ==, cases[i].out);
	}
	{
		/* invalid UTF-8 is folded up to the first bad byte, never crashes */
		g_autofree gchar *folded = nhip_text_fold("Đào\xff\xfe tail");
		g_assert_cmpstr(folded, ==, "dao");
	}
	{
		g_autofree gchar *folded = nhip_text_fold(NULL);
		g_assert_cmpstr(folded, ==, "");
	}
}

static void
test_tokens(void)
{
	g_auto(GStrv) tokens = nhip_text_tokens("  Nguyễn, thị  ĐÀO ");
	g_auto(GStrv) none = nhip_text_tokens("--- ");

	g_assert_cmpuint(g_strv_length(tokens), ==, 3);
	g_assert_cmpstr(tokens[0], ==, "nguyen");
	g_assert_cmpstr(tokens[2], ==, "dao");
	g_assert_cmpuint(g_strv_length(none), ==, 0);
}

static void
test_normalize_name(void)
{
	g_autofree gchar *name = nhip_text_normalize_name("  nguye\xcc\x82\xcc\x83n   Thị  Đào ");
	g_assert_cmpstr(name, ==, "nguyễn Thị Đào");
}

static void
test_cccd(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ok12 = nhip_validate_cccd("066 185 001 234", &error);
	g_autofree gchar *ok9 = NULL;
	g_autofree gchar *bad = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(ok12, ==, "066185001234");
	ok9 = nhip_validate_cccd("241234567", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(ok9, ==, "241234567");

	bad = nhip_validate_cccd("06618500123", &error); /* 11 digits */
	g_assert_null(bad);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "12 digits"));
	g_clear_error(&error);
	bad = nhip_validate_cccd("06618500123A", &error);
	g_assert_null(bad);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_clear_error(&error);
	/* 003 is not a province code */
	bad = nhip_validate_cccd("003185001234", &error);
	g_assert_null(bad);
	g_assert_nonnull(strstr(error->message, "province"));
	g_clear_error(&error);

	/* digit 4: 1 = woman born in the 1900s; digits 5-6: 85 */
	g_assert_true(
		nhip_validate_cccd_matches("066185001234", "1985-03-27", NHIP_SEX_FEMALE, NULL));
	g_assert_true(nhip_validate_cccd_matches("066185001234", "1985", NHIP_SEX_UNKNOWN, NULL));
	g_assert_false(nhip_validate_cccd_matches("066185001234", "1985", NHIP_SEX_MALE, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(
		nhip_validate_cccd_matches("066185001234", "1986-01-01", NHIP_SEX_FEMALE, &error));
	g_assert_nonnull(strstr(error->message, "1985"));
	g_clear_error(&error);
	/* 2 = man born in the 2000s */
	g_assert_true(
		nhip_validate_cccd_matches("066210001234", "2010-05-05", NHIP_SEX_MALE, NULL));
	/* old 9-digit numbers carry no such digits */
	g_assert_true(nhip_validate_cccd_matches("241234567", "1950", NHIP_SEX_MALE, NULL));
}

static void
test_bhyt(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ok = nhip_validate_bhyt("dn 4 66 0123456789", &error);
	const gchar *bad[] = { "DN466012345678",    /* 14 chars */
			       "D44660123456789",   /* one letter */
			       "DN4660123456A89",   /* letter among digits */
			       "DN6660123456789",   /* benefit level 6 */
			       "DN0660123456789" }; /* benefit level 0 */

	g_assert_no_error(error);
	g_assert_cmpstr(ok, ==, "DN4660123456789");
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree gchar *result = nhip_validate_bhyt(bad[i], &error);
		g_assert_null(result);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
		g_clear_error(&error);
	}
}

static void
test_dates(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) tomorrow = g_date_time_add_days(now, 1);
	g_autofree gchar *tomorrow_text = g_date_time_format(tomorrow, "%Y-%m-%d");
	g_autofree gchar *next_year = g_strdup_printf("%d", g_date_time_get_year(now) + 1);
	struct {
		const gchar *in;
		const gchar *out;
	} good[] = {
		{ "1985-03-27", "1985-03-27" }, { "27/03/1985", "1985-03-27" },
		{ "27031985", "1985-03-27" },	{ "1942", "1942" },
		{ "2000-02-29", "2000-02-29" },
	};
	const gchar *bad[] = { "1985-02-30", "1900-13-01", "1899", "1899-12-31", "85-03-27",
			       "1985/03/27", "abcd",	   "",	   "2001-02-29", "1985-3-27x" };

	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autofree gchar *out = nhip_validate_birth(good[i].in, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(out, ==, good[i].out);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree gchar *out = nhip_validate_birth(bad[i], &error);
		g_assert_null(out);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
		g_clear_error(&error);
	}
	{
		/* births cannot be in the future, card expiry dates can */
		g_autofree gchar *birth = nhip_validate_birth(tomorrow_text, &error);
		g_autofree gchar *year = NULL;
		g_autofree gchar *expiry = NULL;
		g_assert_null(birth);
		g_assert_nonnull(strstr(error->message, "future"));
		g_clear_error(&error);
		year = nhip_validate_birth(next_year, &error);
		g_assert_null(year);
		g_clear_error(&error);
		expiry = nhip_validate_date(tomorrow_text, TRUE, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(expiry, ==, tomorrow_text);
	}
}

static void
test_phone_sex_icd(void)
{
	g_autoptr(GError) error = NULL;
	struct {
		const gchar *in;
		const gchar *out;
	} phones[] = { { "0912 345 678", "0912345678" },
		       { "+84 912 345 678", "0912345678" },
		       { "84912345678", "0912345678" },
		       { "(0262) 3851 234", "02623851234" } };
	const gchar *bad_phones[] = { "912345678", "09123", "0912345678901", "09a2345678" };
	struct {
		const gchar *in;
		const gchar *out;
	} icds[] = { { "I10", "I10" },
		     { "j069", "J06.9" },
		     { "J06.9", "J06.9" },
		     { "e11.65", "E11.65" } };
	const gchar *bad_icds[] = { "10", "II0", "J06.999", "J", "Ж06" };
	NhipSex sex = NHIP_SEX_UNKNOWN;

	for (guint i = 0; i < G_N_ELEMENTS(phones); i++) {
		g_autofree gchar *out = nhip_validate_phone(phones[i].in, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(out, ==, phones[i].out);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad_phones); i++) {
		g_autofree gchar *out = nhip_validate_phone(bad_phones[i], &error);
		g_assert_null(out);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
		g_clear_error(&error);
	}
	for (guint i = 0; i < G_N_ELEMENTS(icds); i++) {
		g_autofree gchar *out = nhip_validate_icd10(icds[i].in, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(out, ==, icds[i].out);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad_icds); i++) {
		g_autofree gchar *out = nhip_validate_icd10(bad_icds[i], &error);
		g_assert_null(out);
		g_clear_error(&error);
	}
	g_assert_true(nhip_validate_sex("Nữ", &sex, NULL));
	g_assert_cmpint(sex, ==, NHIP_SEX_FEMALE);
	g_assert_true(nhip_validate_sex("male", &sex, NULL));
	g_assert_cmpint(sex, ==, NHIP_SEX_MALE);
	g_assert_false(nhip_validate_sex("x", &sex, &error));
	g_clear_error(&error);
	g_assert_true(nhip_validate_ethnicity("01", NULL));
	g_assert_true(nhip_validate_ethnicity("54", NULL));
	g_assert_false(nhip_validate_ethnicity("56", &error));
	g_clear_error(&error);
	g_assert_true(nhip_validate_facility_code("66181", NULL));
	g_assert_false(nhip_validate_facility_code("66", &error));
	g_clear_error(&error);
	g_assert_false(nhip_validate_facility_code("66 181", &error));
}

static void
test_vitals(void)
{
	g_autoptr(GError) error = NULL;
	NhipVitalFlags flags = NHIP_VITAL_FLAG_NONE;
	struct {
		NhipVitalKind kind;
		gdouble v1, v2;
		gboolean ok;
		gboolean implausible;
	} cases[] = {
		{ NHIP_VITAL_SPO2, 97, NAN, TRUE, FALSE },
		{ NHIP_VITAL_SPO2, 100, NAN, TRUE, FALSE },
		{ NHIP_VITAL_SPO2, 101, NAN, FALSE, FALSE },
		{ NHIP_VITAL_SPO2, -1, NAN, FALSE, FALSE },
		{ NHIP_VITAL_SPO2, 45, NAN, TRUE, TRUE },
		{ NHIP_VITAL_TEMPERATURE, 36.8, NAN, TRUE, FALSE },
		{ NHIP_VITAL_TEMPERATURE, 29.9, NAN, FALSE, FALSE },
		{ NHIP_VITAL_TEMPERATURE, 45.1, NAN, FALSE, FALSE },
		{ NHIP_VITAL_TEMPERATURE, 43.0, NAN, TRUE, TRUE },
		{ NHIP_VITAL_BLOOD_PRESSURE, 120, 80, TRUE, FALSE },
		{ NHIP_VITAL_BLOOD_PRESSURE, 80, 120, FALSE, FALSE },
		{ NHIP_VITAL_BLOOD_PRESSURE, 120, 120, FALSE, FALSE },
		{ NHIP_VITAL_BLOOD_PRESSURE, 320, 80, FALSE, FALSE },
		{ NHIP_VITAL_BLOOD_PRESSURE, 270, 120, TRUE, TRUE },
		{ NHIP_VITAL_BLOOD_PRESSURE, 90, 85, TRUE, TRUE },
		{ NHIP_VITAL_PULSE, 72, NAN, TRUE, FALSE },
		{ NHIP_VITAL_PULSE, NAN, NAN, FALSE, FALSE },
		{ NHIP_VITAL_WEIGHT, 0.1, NAN, FALSE, FALSE },
		{ NHIP_VITAL_WEIGHT, 3.2, NAN, TRUE, FALSE },
		{ NHIP_VITAL_GLUCOSE, 5.4, NAN, TRUE, FALSE },
		{ NHIP_VITAL_GLUCOSE, 150, NAN, FALSE, FALSE },
		{ NHIP_VITAL_RESP_RATE, 16, NAN, TRUE, FALSE },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		gboolean ok =
			nhip_vital_check(cases[i].kind, cases[i].v1, cases[i].v2, &flags, &error);
		g_assert_cmpint(ok, ==, cases[i].ok);
		if (ok) {
			g_assert_no_error(error);
			g_assert_cmpint((flags & NHIP_VITAL_FLAG_IMPLAUSIBLE) != 0, ==,
					cases[i].implausible);
		} else {
			g_assert_nonnull(error);
			g_assert_true(error->domain == NHIP_VITAL_ERROR);
			g_clear_error(&error);
		}
	}
	g_assert_cmpstr(nhip_vital_info_by_loinc("8480-6")->id, ==, "bp");
	g_assert_cmpstr(nhip_vital_info_by_loinc("2339-0")->id, ==, "glucose");
	g_assert_null(nhip_vital_info_by_loinc("1234-5"));
	g_assert_cmpfloat_with_epsilon(nhip_vital_glucose_mgdl_to_mmoll(90), 5.0, 0.01);
}

static void
test_pin(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *stored = nhip_pin_hash("1234", &error);
	g_autofree gchar *stored2 = nhip_pin_hash("1234", &error);
	g_autofree gchar *bad = NULL;
	gboolean matches = FALSE;

	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(stored, "$scrypt$ln=14,r=8,p=1$"));
	/* salted: the same PIN never stores the same way twice */
	g_assert_cmpstr(stored, !=, stored2);
	g_assert_true(nhip_pin_verify("1234", stored, &matches, &error));
	g_assert_true(matches);
	g_assert_true(nhip_pin_verify("1235", stored, &matches, &error));
	g_assert_false(matches);
	g_assert_false(nhip_pin_verify("1234", "$scrypt$garbage", &matches, &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CORRUPT);
	g_clear_error(&error);
	bad = nhip_pin_hash("12a4", &error);
	g_assert_null(bad);
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(nhip_pin_check_format("123", NULL));
	g_assert_false(nhip_pin_check_format("123456789", NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/text/fold", test_fold);
	g_test_add_func("/text/tokens", test_tokens);
	g_test_add_func("/text/normalize-name", test_normalize_name);
	g_test_add_func("/validate/cccd", test_cccd);
	g_test_add_func("/validate/bhyt", test_bhyt);
	g_test_add_func("/validate/dates", test_dates);
	g_test_add_func("/validate/phone-sex-icd", test_phone_sex_icd);
	g_test_add_func("/validate/vitals", test_vitals);
	g_test_add_func("/validate/pin", test_pin);
	return g_test_run();
}
