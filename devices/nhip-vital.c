/*
 * Nhịp — vital-sign kinds: LOINC codes, UCUM units and value limits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "nhip-vital.h"

G_DEFINE_QUARK(nhip - vital - error - quark, nhip_vital_error)

/* physical limits are what no living patient or working sensor can produce; plausible
 * limits are where a re-check is wise; normal ranges are adult reference ranges used for
 * abnormal flags in exports (the kiosk applies age-aware rules of its own) */
static const NhipVitalInfo vital_table[] = {
	{
		.kind = NHIP_VITAL_BLOOD_PRESSURE,
		.id = "bp",
		.loinc = "85354-9",
		.loinc_components = { "8480-6", "8462-4" },
		.display = N_("Blood pressure"),
		.unit = "mm[Hg]",
		.n_values = 2,
		.decimals = 0,
		.physical_min = 20,
		.physical_max = 300,
		.plausible_min = 60,
		.plausible_max = 260,
		.normal_low = 90,
		.normal_high = 139,
		.physical_min2 = 10,
		.physical_max2 = 250,
		.plausible_min2 = 30,
		.plausible_max2 = 160,
		.normal_low2 = 60,
		.normal_high2 = 89,
	},
	{
		.kind = NHIP_VITAL_PULSE,
		.id = "pulse",
		.loinc = "8867-4",
		.display = N_("Heart rate"),
		.unit = "/min",
		.n_values = 1,
		.decimals = 0,
		.physical_min = 15,
		.physical_max = 350,
		.plausible_min = 30,
		.plausible_max = 220,
		.normal_low = 60,
		.normal_high = 100,
		.physical_min2 = NAN,
		.physical_max2 = NAN,
		.plausible_min2 = NAN,
		.plausible_max2 = NAN,
		.normal_low2 = NAN,
		.normal_high2 = NAN,
	},
	{
		.kind = NHIP_VITAL_SPO2,
		.id = "spo2",
		.loinc = "59408-5",
		.display = N_("Oxygen saturation"),
		.unit = "%",
		.n_values = 1,
		.decimals = 0,
		.physical_min = 0,
		.physical_max = 100,
		.plausible_min = 50,
		.plausible_max = 100,
		.normal_low = 94,
		.normal_high = 100,
		.physical_min2 = NAN,
		.physical_max2 = NAN,
		.plausible_min2 = NAN,
		.plausible_max2 = NAN,
		.normal_low2 = NAN,
		.normal_high2 = NAN,
	},
	{
		.kind = NHIP_VITAL_TEMPERATURE,
		.id = "temp",
		.loinc = "8310-5",
		.display = N_("Body temperature"),
		.unit = "Cel",
		.n_values = 1,
		.decimals = 1,
		.physical_min = 30,
		.physical_max = 45,
		.plausible_min = 34,
		.plausible_max = 42.5,
		.normal_low = 36.0,
		.normal_high = 37.5,
		.physical_min2 = NAN,
		.physical_max2 = NAN,
		.plausible_min2 = NAN,
		.plausible_max2 = NAN,
		.normal_low2 = NAN,
		.normal_high2 = NAN,
	},
	{
		.kind = NHIP_VITAL_WEIGHT,
		.id = "weight",
		.loinc = "29463-7",
		.display = N_("Body weight"),
		.unit = "kg",
		.n_values = 1,
		.decimals = 1,
		.physical_min = 0.2,
		.physical_max = 400,
		.plausible_min = 0.5,
		.plausible_max = 250,
		.normal_low = NAN,
		.normal_high = NAN,
		.physical_min2 = NAN,
		.physical_max2 = NAN,
		.plausible_min2 = NAN,
		.plausible_max2 = NAN,
		.normal_low2 = NAN,
		.normal_high2 = NAN,
	},
	{
		.kind = NHIP_VITAL_HEIGHT,
		.id = "height",
		.loinc = "8302-2",
		.display = N_("Body height"),
		.unit = "cm",
		.n_values = 1,
		.decimals = 0,
		.physical_min = 20,
		.physical_max = 272,
		.plausible_min = 40,
		.plausible_max = 215,
		.normal_low = NAN,
		.normal_high = NAN,
		.physical_min2 = NAN,
		.physical_max2 = NAN,
		.plausible_min2 = NAN,
		.plausible_max2 = NAN,
		.normal_low2 = NAN,
		.normal_high2 = NAN,
	},
	{
		.kind = NHIP_VITAL_GLUCOSE,
		.id = "glucose",
		.loinc = "15074-8",
		.display = N_("Blood glucose"),
		.unit = "mmol/L",
		.n_values = 1,
		.decimals = 1,
		.physical_min = 0.1,
		.physical_max = 100,
		.plausible_min = 1.5,
		.plausible_max = 35,
		.normal_low = 3.9,
		.normal_high = 7.8,
		.physical_min2 = NAN,
		.physical_max2 = NAN,
		.plausible_min2 = NAN,
		.plausible_max2 = NAN,
		.normal_low2 = NAN,
		.normal_high2 = NAN,
	},
	{
		.kind = NHIP_VITAL_RESP_RATE,
		.id = "resp",
		.loinc = "9279-1",
		.display = N_("Respiratory rate"),
		.unit = "/min",
		.n_values = 1,
		.decimals = 0,
		.physical_min = 1,
		.physical_max = 150,
		.plausible_min = 6,
		.plausible_max = 70,
		.normal_low = 12,
		.normal_high = 20,
		.physical_min2 = NAN,
		.physical_max2 = NAN,
		.plausible_min2 = NAN,
		.plausible_max2 = NAN,
		.normal_low2 = NAN,
		.normal_high2 = NAN,
	},
};

/**
 * nhip_vital_info:
 * @kind: a kind
 *
 * Returns: (transfer none) (nullable): the facts of @kind, or %NULL for an unknown kind
 */
const NhipVitalInfo *
nhip_vital_info(NhipVitalKind kind)
{
	for (guint i = 0; i < G_N_ELEMENTS(vital_table); i++) {
		if (vital_table[i].kind == kind)
			return &vital_table[i];
	}
	return NULL;
}

/**
 * nhip_vital_info_by_loinc:
 * @loinc: a LOINC code; the blood-pressure component codes map to the panel
 *
 * Returns: (transfer none) (nullable): the facts, or %NULL if @loinc is not a vital sign
 */
const NhipVitalInfo *
nhip_vital_info_by_loinc(const gchar *loinc)
{
	g_return_val_if_fail(loinc != NULL, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(vital_table); i++) {
		const NhipVitalInfo *info = &vital_table[i];
		if (g_strcmp0(info->loinc, loinc) == 0)
			return info;
		for (guint j = 0; j < G_N_ELEMENTS(info->loinc_components); j++) {
			if (g_strcmp0(info->loinc_components[j], loinc) == 0)
				return info;
		}
	}
	/* glucose by mass concentration maps to the same kind */
	if (g_strcmp0(loinc, "2339-0") == 0)
		return nhip_vital_info(NHIP_VITAL_GLUCOSE);
	return NULL;
}

/**
 * nhip_vital_info_by_id:
 * @id: a short name such as "bp" or "spo2"
 *
 * Returns: (transfer none) (nullable): the facts, or %NULL if @id is unknown
 */
const NhipVitalInfo *
nhip_vital_info_by_id(const gchar *id)
{
	g_return_val_if_fail(id != NULL, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(vital_table); i++) {
		if (g_strcmp0(vital_table[i].id, id) == 0)
			return &vital_table[i];
	}
	return NULL;
}

/**
 * nhip_vital_kind_to_string:
 * @kind: a kind
 *
 * Returns: (transfer none): the short name of @kind, "unknown" for an unknown kind
 */
const gchar *
nhip_vital_kind_to_string(NhipVitalKind kind)
{
	const NhipVitalInfo *info = nhip_vital_info(kind);
	return info != NULL ? info->id : "unknown";
}

static gboolean
vital_check_one(const NhipVitalInfo *info,
		const gchar *what,
		gdouble value,
		gdouble physical_min,
		gdouble physical_max,
		gdouble plausible_min,
		gdouble plausible_max,
		NhipVitalFlags *flags,
		GError **error)
{
	if (!isfinite(value) || value < physical_min || value > physical_max) {
		g_set_error(error, NHIP_VITAL_ERROR, NHIP_VITAL_ERROR_OUT_OF_RANGE,
			    /* TRANSLATORS: e.g. "systolic 400 mm[Hg] is outside 20–300 mm[Hg]" */
			    _("%s %g %s is outside the possible range %g–%g %s"), what, value,
			    info->unit, physical_min, physical_max, info->unit);
		return FALSE;
	}
	if (value < plausible_min || value > plausible_max)
		*flags |= NHIP_VITAL_FLAG_IMPLAUSIBLE;
	return TRUE;
}

/**
 * nhip_vital_check:
 * @kind: the kind of the measurement
 * @value: the value (systolic for blood pressure)
 * @value2: the diastolic value for blood pressure; ignored otherwise
 * @flags: (out) (optional): set to %NHIP_VITAL_FLAG_IMPLAUSIBLE for unlikely values
 * @error: return location for a #GError
 *
 * Checks a value against the physical limits of its kind. Values that cannot be real are
 * refused with an error naming the limits; values that are possible but unlikely are
 * accepted and flagged.
 *
 * Returns: %TRUE when the value may be stored
 */
gboolean
nhip_vital_check(NhipVitalKind kind,
		 gdouble value,
		 gdouble value2,
		 NhipVitalFlags *flags,
		 GError **error)
{
	const NhipVitalInfo *info = nhip_vital_info(kind);
	NhipVitalFlags flags_local = NHIP_VITAL_FLAG_NONE;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (info == NULL) {
		g_set_error(error, NHIP_VITAL_ERROR, NHIP_VITAL_ERROR_UNKNOWN_KIND,
			    _("unknown vital sign kind %d"), (gint)kind);
		return FALSE;
	}
	if (info->n_values == 2) {
		if (!vital_check_one(info, _("systolic pressure"), value, info->physical_min,
				     info->physical_max, info->plausible_min, info->plausible_max,
				     &flags_local, error))
			return FALSE;
		if (!vital_check_one(info, _("diastolic pressure"), value2, info->physical_min2,
				     info->physical_max2, info->plausible_min2,
				     info->plausible_max2, &flags_local, error))
			return FALSE;
		if (value <= value2) {
			g_set_error(error, NHIP_VITAL_ERROR, NHIP_VITAL_ERROR_INCONSISTENT,
				    _("systolic pressure %g must be higher than diastolic %g"),
				    value, value2);
			return FALSE;
		}
		/* a pulse pressure under 10 mmHg is possible only in shock or by misreading */
		if (value - value2 < 10)
			flags_local |= NHIP_VITAL_FLAG_IMPLAUSIBLE;
	} else {
		if (!vital_check_one(info, _(info->display), value, info->physical_min,
				     info->physical_max, info->plausible_min, info->plausible_max,
				     &flags_local, error))
			return FALSE;
	}
	if (flags != NULL)
		*flags = flags_local;
	return TRUE;
}

/**
 * nhip_vital_glucose_mgdl_to_mmoll:
 * @mgdl: blood glucose in mg/dL
 *
 * Returns: the same concentration in mmol/L
 */
gdouble
nhip_vital_glucose_mgdl_to_mmoll(gdouble mgdl)
{
	/* molar mass of glucose is 180.16 g/mol */
	return mgdl / 18.016;
}

/**
 * nhip_vital_glucose_mmoll_to_mgdl:
 * @mmoll: blood glucose in mmol/L
 *
 * Returns: the same concentration in mg/dL
 */
gdouble
nhip_vital_glucose_mmoll_to_mgdl(gdouble mmoll)
{
	return mmoll * 18.016;
}

/**
 * nhip_vital_round:
 * @kind: a kind
 * @value: a value in the unit of @kind, typically after a unit conversion
 *
 * Rounds to one digit more than is worth showing, so that converted values stay exact
 * enough for re-conversion without carrying binary noise.
 *
 * Returns: the rounded value
 */
gdouble
nhip_vital_round(NhipVitalKind kind, gdouble value)
{
	const NhipVitalInfo *info = nhip_vital_info(kind);
	gdouble scale;

	if (info == NULL || !isfinite(value))
		return value;
	scale = pow(10, info->decimals + 1);
	return round(value * scale) / scale;
}
