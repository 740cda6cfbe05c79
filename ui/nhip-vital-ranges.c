/*
 * Nhịp — which vital-sign values to point out to the nurse, by the patient's age.
 *
 * The limits are the ones a commune station works with; they point a value out with the
 * reason, they never diagnose. Sources:
 *  - Adults' blood pressure: ≥ 140/90 mmHg is hypertension in the Ministry of Health's
 *    guideline (Quyết định 3192/QĐ-BYT 2010, and the 2018 Vietnam National Heart
 *    Association recommendations); < 90/60 mmHg is low.
 *  - Children's blood pressure: the simplified screening table of the American Academy of
 *    Pediatrics guideline (Flynn et al., Pediatrics 2017;140(3):e20171904, table 6), by age
 *    and sex for 1–12 years and 120/80 from 13 years; hypotension below 70 + 2 × age
 *    (years) systolic for 1–10 years, below 70 in infants and below 90 from 10 years
 *    (AHA Pediatric Advanced Life Support, 2020).
 *  - Heart rate: awake ranges of AHA PALS 2020 — 0–3 months 85–205, 3 months–2 years
 *    100–190, 2–10 years 60–140, over 10 years 60–100 /min.
 *  - Respiratory rate: WHO IMCI fast breathing — ≥ 60 under 2 months, ≥ 50 at 2–11 months,
 *    ≥ 40 at 1–5 years; PALS ranges above that (school age 18–30, adolescents 12–20);
 *    adults 12–20 /min.
 *  - SpO2 < 94 %: WHO "Oxygen therapy for children" (2016) and the Ministry's COVID-19
 *    and pneumonia guidance use 94 % as the point to act.
 *  - Temperature: ≥ 38.0 °C fever (WHO IMCI); in infants under 3 months a red flag (NICE
 *    NG143); < 35.0 °C hypothermia (WHO).
 *  - Capillary glucose (time of meal unknown): < 3.9 mmol/L hypoglycaemia (ADA Standards
 *    of Care 2023, level 1); ≥ 11.1 mmol/L high (WHO diagnostic threshold for a random
 *    value).
 *  - BMI for adults: WHO Western Pacific Region's cut-offs for Asians (2000): < 18.5
 *    underweight, ≥ 23 overweight, ≥ 25 obese.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nhip-vital-ranges.h"

/**
 * nhip_vital_age_months:
 * @birth: (nullable): a stored birth date (YYYY-MM-DD) or year (YYYY)
 * @at: (nullable): when; %NULL for now
 *
 * A birth year alone counts from the middle of that year.
 *
 * Returns: whole months of age, or -1 when unknown
 */
gint
nhip_vital_age_months(const gchar *birth, GDateTime *at)
{
	g_autoptr(GDateTime) now = at != NULL ? g_date_time_ref(at) : g_date_time_new_now_local();
	gint year, month = 7, day = 1;
	gint months;

	if (birth == NULL || strlen(birth) < 4)
		return -1;
	year = atoi(birth);
	if (strlen(birth) >= 10) {
		month = atoi(birth + 5);
		day = atoi(birth + 8);
	}
	if (year < 1900 || month < 1 || month > 12)
		return -1;
	months = (g_date_time_get_year(now) - year) * 12 + g_date_time_get_month(now) - month;
	if (g_date_time_get_day_of_month(now) < day)
		months--;
	return months < 0 ? -1 : months;
}

/* AAP 2017 simplified table: systolic/diastolic that need a second look, at 1–12 years */
static const struct {
	gdouble boys_sys, boys_dia, girls_sys, girls_dia;
} child_bp[] = {
	{ 98, 52, 98, 54 },   /* 1 year */
	{ 100, 55, 101, 58 }, /* 2 */
	{ 101, 58, 102, 60 }, /* 3 */
	{ 102, 60, 103, 62 }, /* 4 */
	{ 103, 63, 104, 64 }, /* 5 */
	{ 105, 66, 105, 67 }, /* 6 */
	{ 106, 68, 106, 68 }, /* 7 */
	{ 107, 69, 107, 69 }, /* 8 */
	{ 107, 70, 108, 71 }, /* 9 */
	{ 108, 72, 109, 72 }, /* 10 */
	{ 110, 74, 111, 74 }, /* 11 */
	{ 113, 75, 114, 75 }, /* 12 */
};

/**
 * nhip_vital_range_for:
 * @kind: a kind of vital sign
 * @age_months: the patient's age in months, -1 when unknown (adult limits apply)
 * @sex: the patient's sex (children's blood pressure differs by sex)
 * @range: (out caller-allocates): the usual range
 *
 * The high limits are thresholds: a value at or above @high is high. The low limits are
 * the lowest usual value: a value below @low is low.
 */
void
nhip_vital_range_for(NhipVitalKind kind, gint age_months, NhipSex sex, NhipVitalRange *range)
{
	gboolean adult = age_months < 0 || age_months >= 18 * 12;
	gint years = age_months / 12;

	range->low = range->high = range->low2 = range->high2 = NAN;
	switch (kind) {
	case NHIP_VITAL_BLOOD_PRESSURE:
		if (adult) {
			range->low = 90, range->high = 140;
			range->low2 = 60, range->high2 = 90;
		} else if (years >= 13) {
			range->low = 90, range->high = 120;
			range->low2 = NAN, range->high2 = 80;
		} else if (years >= 1) {
			gboolean girl = sex == NHIP_SEX_FEMALE;
			range->high =
				girl ? child_bp[years - 1].girls_sys : child_bp[years - 1].boys_sys;
			range->high2 =
				girl ? child_bp[years - 1].girls_dia : child_bp[years - 1].boys_dia;
			range->low = years >= 10 ? 90 : 70 + 2 * years;
		} else {
			range->low = 70;
		}
		break;
	case NHIP_VITAL_PULSE:
		if (adult || years > 10)
			range->low = 60, range->high = 101;
		else if (age_months < 3)
			range->low = 85, range->high = 206;
		else if (years < 2)
			range->low = 100, range->high = 191;
		else
			range->low = 60, range->high = 141;
		break;
	case NHIP_VITAL_RESP_RATE:
		if (adult || years >= 12)
			range->low = 12, range->high = 21;
		else if (age_months < 2)
			range->low = 30, range->high = 60;
		else if (age_months < 12)
			range->low = 30, range->high = 50;
		else if (years < 6)
			range->low = 22, range->high = 40;
		else
			range->low = 18, range->high = 31;
		break;
	case NHIP_VITAL_SPO2:
		range->low = 94;
		break;
	case NHIP_VITAL_TEMPERATURE:
		range->low = 35.0, range->high = 38.0;
		break;
	case NHIP_VITAL_GLUCOSE:
		range->low = 3.9, range->high = 11.1;
		break;
	case NHIP_VITAL_WEIGHT:
	case NHIP_VITAL_HEIGHT:
	case NHIP_VITAL_UNKNOWN:
	case NHIP_VITAL_LAST:
	default:
		break;
	}
}

static gchar *
vital_limit_text(NhipVitalKind kind, gdouble limit)
{
	const NhipVitalInfo *info = nhip_vital_info(kind);
	return g_strdup_printf("%.*f", info != NULL ? (gint)info->decimals : 0, limit);
}

/**
 * nhip_vital_assess:
 * @kind: a kind of vital sign
 * @value: the value (systolic for blood pressure)
 * @value2: the second value (diastolic), NAN for one-valued kinds
 * @age_months: the patient's age in months, -1 when unknown
 * @sex: the patient's sex
 * @reason: (out) (optional) (transfer full): why the value is pointed out, in the user's
 *   language, e.g. "High blood pressure (≥ 140/90 mmHg)"; %NULL when normal
 *
 * Returns: how the value compares with the usual range for this patient
 */
NhipVitalLevel
nhip_vital_assess(NhipVitalKind kind,
		  gdouble value,
		  gdouble value2,
		  gint age_months,
		  NhipSex sex,
		  gchar **reason)
{
	NhipVitalRange r;
	NhipVitalLevel level = NHIP_VITAL_LEVEL_NORMAL;
	g_autofree gchar *text = NULL;
	gboolean infant = age_months >= 0 && age_months < 3;

	nhip_vital_range_for(kind, age_months, sex, &r);
	switch (kind) {
	case NHIP_VITAL_BLOOD_PRESSURE:
		if ((!isnan(r.high) && value >= r.high) ||
		    (!isnan(r.high2) && !isnan(value2) && value2 >= r.high2)) {
			level = NHIP_VITAL_LEVEL_HIGH;
			if (age_months >= 0 && age_months < 18 * 12)
				text = g_strdup_printf(
					_("High blood pressure for age (≥ %.0f/%.0f mmHg)"), r.high,
					r.high2);
			else
				text = g_strdup_printf(_("High blood pressure (≥ %.0f/%.0f mmHg)"),
						       r.high, r.high2);
		} else if ((!isnan(r.low) && value < r.low) ||
			   (!isnan(r.low2) && !isnan(value2) && value2 < r.low2)) {
			level = NHIP_VITAL_LEVEL_LOW;
			if (!isnan(r.low2))
				text = g_strdup_printf(_("Low blood pressure (< %.0f/%.0f mmHg)"),
						       r.low, r.low2);
			else
				text = g_strdup_printf(
					_("Low blood pressure for age (systolic < %.0f mmHg)"),
					r.low);
		}
		break;
	case NHIP_VITAL_PULSE:
		if (value >= r.high) {
			level = NHIP_VITAL_LEVEL_HIGH;
			text = g_strdup_printf(_("Fast heart rate for age (> %.0f /min)"),
					       r.high - 1);
		} else if (value < r.low) {
			level = NHIP_VITAL_LEVEL_LOW;
			text = g_strdup_printf(_("Slow heart rate for age (< %.0f /min)"), r.low);
		}
		break;
	case NHIP_VITAL_RESP_RATE:
		if (value >= r.high) {
			level = NHIP_VITAL_LEVEL_HIGH;
			if (age_months >= 0 && age_months < 72)
				text = g_strdup_printf(_("Fast breathing for age (≥ %.0f /min)"),
						       r.high);
			else
				text = g_strdup_printf(_("Fast breathing (> %.0f /min)"),
						       r.high - 1);
		} else if (value < r.low) {
			level = NHIP_VITAL_LEVEL_LOW;
			text = g_strdup_printf(_("Slow breathing (< %.0f /min)"), r.low);
		}
		break;
	case NHIP_VITAL_SPO2:
		if (value < r.low) {
			level = NHIP_VITAL_LEVEL_LOW;
			text = g_strdup_printf(_("Low oxygen saturation (SpO2 < %.0f %%)"), r.low);
		}
		break;
	case NHIP_VITAL_TEMPERATURE:
		if (value >= r.high) {
			level = NHIP_VITAL_LEVEL_HIGH;
			if (infant)
				text = g_strdup(_("Fever in an infant under 3 months (≥ 38 °C): "
						  "refer at once"));
			else
				text = g_strdup(_("Fever (≥ 38 °C)"));
		} else if (value < r.low) {
			level = NHIP_VITAL_LEVEL_LOW;
			text = g_strdup(_("Low body temperature (< 35 °C)"));
		}
		break;
	case NHIP_VITAL_GLUCOSE: {
		g_autofree gchar *low = vital_limit_text(kind, r.low);
		g_autofree gchar *high = vital_limit_text(kind, r.high);
		if (value >= r.high) {
			level = NHIP_VITAL_LEVEL_HIGH;
			text = g_strdup_printf(_("High blood glucose (≥ %s mmol/L)"), high);
		} else if (value < r.low) {
			level = NHIP_VITAL_LEVEL_LOW;
			text = g_strdup_printf(_("Low blood glucose (< %s mmol/L)"), low);
		}
		break;
	}
	case NHIP_VITAL_WEIGHT:
	case NHIP_VITAL_HEIGHT:
	case NHIP_VITAL_UNKNOWN:
	case NHIP_VITAL_LAST:
	default:
		break;
	}
	if (reason != NULL)
		*reason = g_steal_pointer(&text);
	return level;
}

/**
 * nhip_vital_assess_bmi:
 * @weight_kg: body weight
 * @height_cm: body height
 * @age_months: the patient's age in months, -1 when unknown
 * @reason: (out) (optional) (transfer full): the body-mass index and what it means, e.g.
 *   "BMI 26.1: obese (Asian cut-off ≥ 25)"; %NULL when no adult BMI applies
 *
 * Children's BMI needs the WHO growth charts by age and sex, so only adults are assessed.
 *
 * Returns: the level; %NHIP_VITAL_LEVEL_NORMAL with a reason "BMI …: normal" for a
 * normal adult
 */
NhipVitalLevel
nhip_vital_assess_bmi(gdouble weight_kg, gdouble height_cm, gint age_months, gchar **reason)
{
	gdouble bmi;
	NhipVitalLevel level = NHIP_VITAL_LEVEL_NORMAL;
	g_autofree gchar *text = NULL;

	if (reason != NULL)
		*reason = NULL;
	if ((age_months >= 0 && age_months < 18 * 12) || !(weight_kg > 0) || !(height_cm > 0))
		return NHIP_VITAL_LEVEL_NORMAL;
	bmi = weight_kg / ((height_cm / 100) * (height_cm / 100));
	if (bmi < 18.5) {
		level = NHIP_VITAL_LEVEL_LOW;
		text = g_strdup_printf(_("BMI %.1f: underweight (< 18.5)"), bmi);
	} else if (bmi >= 25) {
		level = NHIP_VITAL_LEVEL_HIGH;
		text = g_strdup_printf(_("BMI %.1f: obese (Asian cut-off ≥ 25)"), bmi);
	} else if (bmi >= 23) {
		level = NHIP_VITAL_LEVEL_HIGH;
		text = g_strdup_printf(_("BMI %.1f: overweight (Asian cut-off ≥ 23)"), bmi);
	} else {
		text = g_strdup_printf(_("BMI %.1f: normal"), bmi);
	}
	if (reason != NULL)
		*reason = g_steal_pointer(&text);
	return level;
}

/**
 * nhip_vital_display_unit:
 * @kind: a kind of vital sign
 *
 * Returns: (transfer none): the unit as people write it (mmHg, °C, /min), not UCUM
 */
const gchar *
nhip_vital_display_unit(NhipVitalKind kind)
{
	switch (kind) {
	case NHIP_VITAL_BLOOD_PRESSURE:
		return "mmHg";
	case NHIP_VITAL_PULSE:
	case NHIP_VITAL_RESP_RATE:
		return _("/min");
	case NHIP_VITAL_SPO2:
		return "%";
	case NHIP_VITAL_TEMPERATURE:
		return "°C";
	case NHIP_VITAL_WEIGHT:
		return "kg";
	case NHIP_VITAL_HEIGHT:
		return "cm";
	case NHIP_VITAL_GLUCOSE:
		return "mmol/L";
	case NHIP_VITAL_UNKNOWN:
	case NHIP_VITAL_LAST:
	default:
		return "";
	}
}

/**
 * nhip_vital_display_name:
 * @kind: a kind of vital sign
 *
 * Returns: (transfer none): the short name shown on the kiosk
 */
const gchar *
nhip_vital_display_name(NhipVitalKind kind)
{
	switch (kind) {
	case NHIP_VITAL_BLOOD_PRESSURE:
		return _("Blood pressure");
	case NHIP_VITAL_PULSE:
		return _("Heart rate");
	case NHIP_VITAL_SPO2:
		return _("SpO2");
	case NHIP_VITAL_TEMPERATURE:
		return _("Temperature");
	case NHIP_VITAL_WEIGHT:
		return _("Weight");
	case NHIP_VITAL_HEIGHT:
		return _("Height");
	case NHIP_VITAL_GLUCOSE:
		return _("Blood glucose");
	case NHIP_VITAL_RESP_RATE:
		return _("Breathing rate");
	case NHIP_VITAL_UNKNOWN:
	case NHIP_VITAL_LAST:
	default:
		return _("Other");
	}
}

/**
 * nhip_vital_format:
 * @kind: a kind of vital sign
 * @value: the value
 * @value2: the second value (diastolic), ignored for one-valued kinds
 *
 * Returns: (transfer full): the value with the kind's decimals and no unit, e.g. "120/80"
 * or "36.8"
 */
gchar *
nhip_vital_format(NhipVitalKind kind, gdouble value, gdouble value2)
{
	const NhipVitalInfo *info = nhip_vital_info(kind);
	gint decimals = info != NULL ? (gint)info->decimals : 1;

	if (info != NULL && info->n_values == 2)
		return g_strdup_printf("%.*f/%.*f", decimals, value, decimals, value2);
	return g_strdup_printf("%.*f", decimals, value);
}
