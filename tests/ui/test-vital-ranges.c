/*
 * Nhịp — tests of the age-aware rules that point out vital signs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "nhip-vital-ranges.h"

#define ADULT (40 * 12)

static void
assert_level(NhipVitalKind kind,
	     gdouble value,
	     gdouble value2,
	     gint age_months,
	     NhipSex sex,
	     NhipVitalLevel expected,
	     const gchar *reason_has)
{
	g_autofree gchar *reason = NULL;
	NhipVitalLevel level = nhip_vital_assess(kind, value, value2, age_months, sex, &reason);

	if (level != expected)
		g_error("%s %g/%g at %d months: level %d, expected %d (%s)",
			nhip_vital_kind_to_string(kind), value, value2, age_months, level, expected,
			reason != NULL ? reason : "no reason");
	if (expected == NHIP_VITAL_LEVEL_NORMAL) {
		g_assert_null(reason);
	} else {
		g_assert_nonnull(reason);
		if (reason_has != NULL && strstr(reason, reason_has) == NULL)
			g_error("reason “%s” lacks “%s”", reason, reason_has);
	}
}

static void
test_adult_thresholds(void)
{
	/* the examples: BP ≥ 140/90, SpO2 < 94 %, temperature ≥ 38 °C */
	assert_level(NHIP_VITAL_BLOOD_PRESSURE, 139, 89, ADULT, NHIP_SEX_MALE,
		     NHIP_VITAL_LEVEL_NORMAL, NULL);
	assert_level(NHIP_VITAL_BLOOD_PRESSURE, 140, 80, ADULT, NHIP_SEX_MALE,
		     NHIP_VITAL_LEVEL_HIGH, "140/90");
	assert_level(NHIP_VITAL_BLOOD_PRESSURE, 130, 90, ADULT, NHIP_SEX_FEMALE,
		     NHIP_VITAL_LEVEL_HIGH, "140/90");
	assert_level(NHIP_VITAL_BLOOD_PRESSURE, 85, 55, ADULT, NHIP_SEX_FEMALE,
		     NHIP_VITAL_LEVEL_LOW, "90/60");
	assert_level(NHIP_VITAL_SPO2, 94, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_NORMAL, NULL);
	assert_level(NHIP_VITAL_SPO2, 93, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_LOW, "94");
	assert_level(NHIP_VITAL_TEMPERATURE, 37.9, NAN, ADULT, NHIP_SEX_MALE,
		     NHIP_VITAL_LEVEL_NORMAL, NULL);
	assert_level(NHIP_VITAL_TEMPERATURE, 38.0, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_HIGH,
		     "38");
	assert_level(NHIP_VITAL_TEMPERATURE, 34.8, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_LOW,
		     "35");
	assert_level(NHIP_VITAL_PULSE, 100, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_NORMAL,
		     NULL);
	assert_level(NHIP_VITAL_PULSE, 101, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_HIGH,
		     "100");
	assert_level(NHIP_VITAL_PULSE, 55, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_LOW, "60");
	assert_level(NHIP_VITAL_RESP_RATE, 22, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_HIGH,
		     "20");
	assert_level(NHIP_VITAL_GLUCOSE, 11.1, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_HIGH,
		     "11.1");
	assert_level(NHIP_VITAL_GLUCOSE, 3.5, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_LOW,
		     "3.9");
	assert_level(NHIP_VITAL_WEIGHT, 250, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_NORMAL,
		     NULL);
	/* unknown age: adult limits */
	assert_level(NHIP_VITAL_BLOOD_PRESSURE, 150, 95, -1, NHIP_SEX_UNKNOWN,
		     NHIP_VITAL_LEVEL_HIGH, NULL);
}

static void
test_children(void)
{
	/* a heart rate of 130 is normal for a 1-year-old, fast for an adult */
	assert_level(NHIP_VITAL_PULSE, 130, NAN, 12, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_NORMAL, NULL);
	assert_level(NHIP_VITAL_PULSE, 130, NAN, ADULT, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_HIGH, NULL);
	assert_level(NHIP_VITAL_PULSE, 195, NAN, 12, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_HIGH, "age");
	assert_level(NHIP_VITAL_PULSE, 90, NAN, 12, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_LOW, "100");
	assert_level(NHIP_VITAL_PULSE, 200, NAN, 1, NHIP_SEX_FEMALE, NHIP_VITAL_LEVEL_NORMAL, NULL);
	/* blood pressure of 110/70: high for a 5-year-old girl (AAP 104/64), fine for an adult */
	assert_level(NHIP_VITAL_BLOOD_PRESSURE, 110, 70, 5 * 12 + 3, NHIP_SEX_FEMALE,
		     NHIP_VITAL_LEVEL_HIGH, "age");
	assert_level(NHIP_VITAL_BLOOD_PRESSURE, 100, 60, 5 * 12 + 3, NHIP_SEX_FEMALE,
		     NHIP_VITAL_LEVEL_NORMAL, NULL);
	/* the boys' and girls' tables differ: 101/58 at 2 years is high for a girl only */
	assert_level(NHIP_VITAL_BLOOD_PRESSURE, 100, 57, 2 * 12, NHIP_SEX_FEMALE,
		     NHIP_VITAL_LEVEL_NORMAL, NULL);
	assert_level(NHIP_VITAL_BLOOD_PRESSURE, 100, 57, 2 * 12, NHIP_SEX_MALE,
		     NHIP_VITAL_LEVEL_HIGH, NULL);
	/* PALS hypotension: systolic below 70 + 2 × age */
	assert_level(NHIP_VITAL_BLOOD_PRESSURE, 79, 50, 5 * 12, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_LOW,
		     "80");
	assert_level(NHIP_VITAL_BLOOD_PRESSURE, 125, 75, 15 * 12, NHIP_SEX_MALE,
		     NHIP_VITAL_LEVEL_HIGH, "120/80");
	/* WHO IMCI fast breathing */
	assert_level(NHIP_VITAL_RESP_RATE, 58, NAN, 1, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_NORMAL,
		     NULL);
	assert_level(NHIP_VITAL_RESP_RATE, 60, NAN, 1, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_HIGH, "60");
	assert_level(NHIP_VITAL_RESP_RATE, 50, NAN, 6, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_HIGH, "50");
	assert_level(NHIP_VITAL_RESP_RATE, 45, NAN, 6, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_NORMAL,
		     NULL);
	assert_level(NHIP_VITAL_RESP_RATE, 40, NAN, 30, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_HIGH, "40");
	/* fever under 3 months is a red flag */
	assert_level(NHIP_VITAL_TEMPERATURE, 38.1, NAN, 2, NHIP_SEX_MALE, NHIP_VITAL_LEVEL_HIGH,
		     "3");
}

static void
test_age_and_bmi(void)
{
	g_autoptr(GDateTime) at = g_date_time_new_local(2025, 6, 15, 12, 0, 0);
	g_autofree gchar *reason = NULL;

	g_assert_cmpint(nhip_vital_age_months("2025-06-15", at), ==, 0);
	g_assert_cmpint(nhip_vital_age_months("2025-05-16", at), ==, 0);
	g_assert_cmpint(nhip_vital_age_months("2025-05-15", at), ==, 1);
	g_assert_cmpint(nhip_vital_age_months("2020-06-16", at), ==, 59);
	g_assert_cmpint(nhip_vital_age_months("1985", at), ==, 39 * 12 + 11);
	g_assert_cmpint(nhip_vital_age_months("2026-01-01", at), ==, -1);
	g_assert_cmpint(nhip_vital_age_months(NULL, at), ==, -1);
	g_assert_cmpint(nhip_vital_age_months("x", at), ==, -1);

	g_assert_cmpint(nhip_vital_assess_bmi(70, 165, ADULT, &reason), ==, NHIP_VITAL_LEVEL_HIGH);
	g_assert_nonnull(strstr(reason, "25.7"));
	g_clear_pointer(&reason, g_free);
	g_assert_cmpint(nhip_vital_assess_bmi(55, 160, ADULT, &reason), ==,
			NHIP_VITAL_LEVEL_NORMAL);
	g_assert_nonnull(reason);
	g_clear_pointer(&reason, g_free);
	g_assert_cmpint(nhip_vital_assess_bmi(44, 160, ADULT, &reason), ==, NHIP_VITAL_LEVEL_LOW);
	g_clear_pointer(&reason, g_free);
	/* no adult BMI for a child */
	g_assert_cmpint(nhip_vital_assess_bmi(30, 120, 8 * 12, &reason), ==,
			NHIP_VITAL_LEVEL_NORMAL);
	g_assert_null(reason);
}

static void
test_format(void)
{
	g_autofree gchar *bp = nhip_vital_format(NHIP_VITAL_BLOOD_PRESSURE, 120, 80);
	g_autofree gchar *temp = nhip_vital_format(NHIP_VITAL_TEMPERATURE, 36.84, NAN);

	g_assert_cmpstr(bp, ==, "120/80");
	g_assert_cmpstr(temp, ==, "36.8");
	g_assert_cmpstr(nhip_vital_display_unit(NHIP_VITAL_BLOOD_PRESSURE), ==, "mmHg");
	g_assert_cmpstr(nhip_vital_display_unit(NHIP_VITAL_TEMPERATURE), ==, "°C");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ui/vital-ranges/adult", test_adult_thresholds);
	g_test_add_func("/ui/vital-ranges/children", test_children);
	g_test_add_func("/ui/vital-ranges/age-bmi", test_age_and_bmi);
	g_test_add_func("/ui/vital-ranges/format", test_format);
	return g_test_run();
}
