/*
 * Nhịp — validation of what staff type: ID numbers, card numbers, dates, codes.
 *
 * Every function takes text as typed, returns it in the one form we store, and on bad
 * input sets an NHIP_STORE_ERROR_INVALID error that says what is wrong and what is expected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-codes.h"
#include "nhip-error.h"
#include "nhip-validate.h"

/* strip white space, dots and dashes that people put into long numbers */
static gchar *
validate_compact(const gchar *text)
{
	GString *out = g_string_new(NULL);
	for (const gchar *p = text != NULL ? text : ""; *p != '\0'; p++) {
		if (g_ascii_isspace(*p) || *p == '-' || *p == '.')
			continue;
		g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

static gboolean
validate_all_digits(const gchar *text)
{
	if (text[0] == '\0')
		return FALSE;
	for (const gchar *p = text; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p))
			return FALSE;
	}
	return TRUE;
}

/**
 * nhip_validate_cccd:
 * @text: a citizen ID number as typed
 * @error: return location for a #GError
 *
 * A chip CCCD number has 12 digits: a province code, a digit for century and sex, two
 * digits of the birth year and six more. An old CMND number of 9 digits is also accepted.
 *
 * Returns: (transfer full) (nullable): the number without spaces, or %NULL on error
 */
gchar *
nhip_validate_cccd(const gchar *text, GError **error)
{
	g_autofree gchar *compact = validate_compact(text);
	gsize len = strlen(compact);
	g_autofree gchar *province = NULL;

	if (!validate_all_digits(compact) || (len != 12 && len != 9)) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("citizen ID “%s” must be 12 digits (CCCD) or 9 digits (old CMND)"),
			    text != NULL ? text : "");
		return NULL;
	}
	if (len == 12) {
		province = g_strndup(compact, 3);
		if (nhip_codes_province_name(province) == NULL) {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("citizen ID “%s” starts with %s, which is not a province "
				      "code; check the first three digits on the card"),
				    compact, province);
			return NULL;
		}
	}
	return g_steal_pointer(&compact);
}

/**
 * nhip_validate_cccd_matches:
 * @cccd: a validated citizen ID
 * @birth: (nullable): a validated birth date or year
 * @sex: the patient's sex
 * @error: return location for a #GError
 *
 * Digits 4 to 6 of a 12-digit CCCD encode sex, century and year of birth. When those
 * contradict the birth date or sex on the form, one of them was typed wrong.
 *
 * Returns: %TRUE when they agree, or when there is nothing to compare
 */
gboolean
nhip_validate_cccd_matches(const gchar *cccd, const gchar *birth, NhipSex sex, GError **error)
{
	gint digit;
	gint century;
	gint yy;
	gint year;
	NhipSex cccd_sex;

	if (cccd == NULL || strlen(cccd) != 12)
		return TRUE;
	digit = cccd[3] - '0';
	/* 0/1: 1900s, 2/3: 2000s, 4/5: 2100s, 6/7: 2200s, 8/9: 2300s; even male, odd female */
	century = 1900 + (digit / 2) * 100;
	cccd_sex = (digit % 2) == 0 ? NHIP_SEX_MALE : NHIP_SEX_FEMALE;
	yy = (cccd[4] - '0') * 10 + (cccd[5] - '0');
	if (sex != NHIP_SEX_UNKNOWN && sex != cccd_sex) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("citizen ID %s belongs to a %s, but the form says %s; check the "
			      "ID number or the sex"),
			    cccd, cccd_sex == NHIP_SEX_MALE ? _("man") : _("woman"),
			    sex == NHIP_SEX_MALE ? _("male") : _("female"));
		return FALSE;
	}
	year = nhip_birth_year(birth);
	if (year > 0 && year != century + yy) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("citizen ID %s is of someone born in %d, but the birth date is %s; "
			      "check the ID number or the birth date"),
			    cccd, century + yy, birth);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_validate_bhyt:
 * @text: a health-insurance card number as typed
 * @error: return location for a #GError
 *
 * A BHYT card number has 15 characters: two letters for the beneficiary group, one digit
 * for the benefit level (1–5), two digits for the province and ten of the social-insurance
 * number.
 *
 * Returns: (transfer full) (nullable): the number in upper case, or %NULL on error
 */
gchar *
nhip_validate_bhyt(const gchar *text, GError **error)
{
	g_autofree gchar *compact = validate_compact(text);
	g_autofree gchar *upper = g_ascii_strup(compact, -1);

	if (strlen(upper) != 15 || !g_ascii_isalpha(upper[0]) || !g_ascii_isalpha(upper[1]) ||
	    !validate_all_digits(upper + 2)) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("insurance card number “%s” must be 2 letters and 13 digits, "
			      "e.g. DN4010123456789"),
			    text != NULL ? text : "");
		return NULL;
	}
	if (upper[2] < '1' || upper[2] > '5') {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("insurance card number %s: the third character is the benefit "
			      "level and must be 1 to 5"),
			    upper);
		return NULL;
	}
	return g_steal_pointer(&upper);
}

static GDateTime *
validate_today(void)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	return g_date_time_new_local(g_date_time_get_year(now), g_date_time_get_month(now),
				     g_date_time_get_day_of_month(now), 0, 0, 0);
}

/* parse YYYY-MM-DD, DD/MM/YYYY or DDMMYYYY into a checked calendar date */
static gboolean
validate_parse_ymd(const gchar *text, gint *y, gint *m, gint *d)
{
	gint a = 0, b = 0, c = 0;
	gchar tail = 0;
	gsize len = strlen(text);

	if (len == 10 && sscanf(text, "%4d-%2d-%2d%c", &a, &b, &c, &tail) == 3 && text[4] == '-' &&
	    text[7] == '-') {
		*y = a, *m = b, *d = c;
	} else if (len == 10 && sscanf(text, "%2d/%2d/%4d%c", &c, &b, &a, &tail) == 3 &&
		   text[2] == '/' && text[5] == '/') {
		*y = a, *m = b, *d = c;
	} else if (len == 8 && validate_all_digits(text)) {
		*d = (text[0] - '0') * 10 + (text[1] - '0');
		*m = (text[2] - '0') * 10 + (text[3] - '0');
		*y = atoi(text + 4);
	} else {
		return FALSE;
	}
	return *m >= 1 && *m <= 12 && *y >= 1 && *y <= 9999 &&
	       g_date_valid_dmy((GDateDay)*d, (GDateMonth)*m, (GDateYear)*y);
}

/**
 * nhip_validate_date:
 * @text: a date as YYYY-MM-DD, DD/MM/YYYY or DDMMYYYY
 * @allow_future: whether a date after today is acceptable (a card's expiry)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the date as YYYY-MM-DD, or %NULL on error
 */
gchar *
nhip_validate_date(const gchar *text, gboolean allow_future, GError **error)
{
	gint y = 0, m = 0, d = 0;
	g_autoptr(GDateTime) today = validate_today();
	g_autoptr(GDateTime) date = NULL;

	if (text == NULL || !validate_parse_ymd(text, &y, &m, &d)) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("“%s” is not a real date; write it as YYYY-MM-DD, e.g. 1985-03-27"),
			    text != NULL ? text : "");
		return NULL;
	}
	if (y < 1900) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("date %04d-%02d-%02d is before 1900; check the year"), y, m, d);
		return NULL;
	}
	date = g_date_time_new_local(y, m, d, 0, 0, 0);
	if (!allow_future && g_date_time_compare(date, today) > 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("date %04d-%02d-%02d is in the future"), y, m, d);
		return NULL;
	}
	return g_strdup_printf("%04d-%02d-%02d", y, m, d);
}

/**
 * nhip_validate_birth:
 * @text: a birth date (YYYY-MM-DD, DD/MM/YYYY, DDMMYYYY) or a birth year alone (YYYY)
 * @error: return location for a #GError
 *
 * Many older patients know only their year of birth, so a year alone is a valid answer.
 *
 * Returns: (transfer full) (nullable): YYYY-MM-DD or YYYY, or %NULL on error
 */
gchar *
nhip_validate_birth(const gchar *text, GError **error)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *trimmed = g_strstrip(g_strdup(text != NULL ? text : ""));

	if (strlen(trimmed) == 4 && validate_all_digits(trimmed)) {
		gint year = atoi(trimmed);
		if (year < 1900 || year > g_date_time_get_year(now)) {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("birth year %d must be between 1900 and %d"), year,
				    g_date_time_get_year(now));
			return NULL;
		}
		return g_steal_pointer(&trimmed);
	}
	return nhip_validate_date(trimmed, FALSE, error);
}

/**
 * nhip_birth_year:
 * @birth: (nullable): a stored birth date or year
 *
 * Returns: the year, or 0 when unknown
 */
gint
nhip_birth_year(const gchar *birth)
{
	if (birth == NULL || strlen(birth) < 4)
		return 0;
	return (gint)g_ascii_strtoll(birth, NULL, 10);
}

/**
 * nhip_validate_phone:
 * @text: a phone number as typed, national (0912…) or international (+84 912…)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the national form (10 or 11 digits starting with
 * 0), or %NULL on error
 */
gchar *
nhip_validate_phone(const gchar *text, GError **error)
{
	g_autofree gchar *compact = validate_compact(text);
	GString *out = g_string_new(NULL);
	gchar *digits = compact;

	for (gchar *p = compact; *p != '\0'; p++) {
		if (*p == '(' || *p == ')')
			continue;
		*digits++ = *p;
	}
	*digits = '\0';
	if (g_str_has_prefix(compact, "+84"))
		g_string_append_printf(out, "0%s", compact + 3);
	else if (g_str_has_prefix(compact, "84") && strlen(compact) == 11)
		g_string_append_printf(out, "0%s", compact + 2);
	else
		g_string_append(out, compact);
	if (!validate_all_digits(out->str) || out->str[0] != '0' || out->len < 10 ||
	    out->len > 11) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("phone number “%s” must be 10 digits starting with 0 "
			      "(e.g. 0912345678) or start with +84"),
			    text != NULL ? text : "");
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

/**
 * nhip_validate_sex:
 * @text: "male", "female" or "unknown" (Vietnamese "nam", "nữ" also accepted)
 * @sex: (out): the parsed value
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_validate_sex(const gchar *text, NhipSex *sex, GError **error)
{
	g_autofree gchar *lower = g_utf8_strdown(text != NULL ? text : "", -1);

	if (g_strcmp0(lower, "male") == 0 || g_strcmp0(lower, "m") == 0 ||
	    g_strcmp0(lower, "nam") == 0 || g_strcmp0(lower, "1") == 0) {
		*sex = NHIP_SEX_MALE;
		return TRUE;
	}
	if (g_strcmp0(lower, "female") == 0 || g_strcmp0(lower, "f") == 0 ||
	    g_strcmp0(lower, "nữ") == 0 || g_strcmp0(lower, "nu") == 0 ||
	    g_strcmp0(lower, "2") == 0) {
		*sex = NHIP_SEX_FEMALE;
		return TRUE;
	}
	if (g_strcmp0(lower, "unknown") == 0 || g_strcmp0(lower, "3") == 0) {
		*sex = NHIP_SEX_UNKNOWN;
		return TRUE;
	}
	g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
		    _("sex “%s” must be male, female or unknown"), text != NULL ? text : "");
	return FALSE;
}

/**
 * nhip_sex_to_string:
 * @sex: a value
 *
 * Returns: (transfer none): "male", "female" or "unknown"
 */
const gchar *
nhip_sex_to_string(NhipSex sex)
{
	switch (sex) {
	case NHIP_SEX_MALE:
		return "male";
	case NHIP_SEX_FEMALE:
		return "female";
	case NHIP_SEX_UNKNOWN:
	default:
		return "unknown";
	}
}

/**
 * nhip_validate_ethnicity:
 * @code: a two-digit ethnic-group code
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @code is in the national list
 */
gboolean
nhip_validate_ethnicity(const gchar *code, GError **error)
{
	if (nhip_codes_ethnicity_name(code) == NULL) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("ethnicity code “%s” is not in the national list (01 Kinh … 54 "
			      "Rơ Măm, 55 foreigner)"),
			    code != NULL ? code : "");
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_validate_icd10:
 * @text: an ICD-10 code such as "J06.9", "j069" or "I10"
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the code in upper case with its dot ("J06.9")
 */
gchar *
nhip_validate_icd10(const gchar *text, GError **error)
{
	g_autofree gchar *compact = validate_compact(text);
	g_autofree gchar *upper = g_ascii_strup(compact, -1);
	gsize len = strlen(upper);
	gboolean ok = len >= 3 && len <= 5 && upper[0] >= 'A' && upper[0] <= 'Z' &&
		      g_ascii_isdigit(upper[1]) && g_ascii_isalnum(upper[2]);

	for (gsize i = 3; ok && i < len; i++)
		ok = g_ascii_isalnum(upper[i]);
	if (!ok) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("“%s” is not an ICD-10 code; codes look like I10 or J06.9"),
			    text != NULL ? text : "");
		return NULL;
	}
	if (len == 3)
		return g_steal_pointer(&upper);
	return g_strdup_printf("%.3s.%s", upper, upper + 3);
}

/**
 * nhip_validate_facility_code:
 * @code: a health-facility code (MA_CSKCB), e.g. "79001"
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @code has the form the insurance portal accepts
 */
gboolean
nhip_validate_facility_code(const gchar *code, GError **error)
{
	gsize len = code != NULL ? strlen(code) : 0;
	gboolean ok = len >= 5 && len <= 10;
	for (gsize i = 0; ok && i < len; i++)
		ok = g_ascii_isalnum(code[i]);
	if (!ok) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("facility code “%s” must be 5 to 10 letters or digits, as given "
			      "by the health insurance office (e.g. 79001)"),
			    code != NULL ? code : "");
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_validate_name:
 * @name: a person's normalised full name
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @name is a plausible full name
 */
gboolean
nhip_validate_name(const gchar *name, GError **error)
{
	glong len = name != NULL ? g_utf8_strlen(name, -1) : 0;

	if (name == NULL || !g_utf8_validate(name, -1, NULL) || len < 2 || len > 255) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("full name must be 2 to 255 characters"));
		return FALSE;
	}
	for (const gchar *p = name; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_isdigit(c) || g_unichar_iscntrl(c)) {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("full name “%s” contains a digit or control character"),
				    name);
			return FALSE;
		}
	}
	return TRUE;
}
