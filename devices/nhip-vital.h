/*
 * Nhịp — vital-sign kinds: LOINC codes, UCUM units and value limits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_VITAL_ERROR (nhip_vital_error_quark())

/**
 * NhipVitalError:
 * @NHIP_VITAL_ERROR_UNKNOWN_KIND: the code or name is not a vital sign we know
 * @NHIP_VITAL_ERROR_OUT_OF_RANGE: the value is outside physical limits and cannot be true
 * @NHIP_VITAL_ERROR_INCONSISTENT: the values contradict each other (systolic <= diastolic)
 */
typedef enum {
	NHIP_VITAL_ERROR_UNKNOWN_KIND,
	NHIP_VITAL_ERROR_OUT_OF_RANGE,
	NHIP_VITAL_ERROR_INCONSISTENT,
} NhipVitalError;

/**
 * NhipVitalKind:
 *
 * The vital signs the station records. Blood pressure is one observation with two values
 * (systolic, diastolic) under the LOINC panel code; every other kind has one value.
 */
typedef enum {
	NHIP_VITAL_UNKNOWN = 0,
	NHIP_VITAL_BLOOD_PRESSURE,
	NHIP_VITAL_PULSE,
	NHIP_VITAL_SPO2,
	NHIP_VITAL_TEMPERATURE,
	NHIP_VITAL_WEIGHT,
	NHIP_VITAL_HEIGHT,
	NHIP_VITAL_GLUCOSE,
	NHIP_VITAL_RESP_RATE,
	NHIP_VITAL_LAST
} NhipVitalKind;

/**
 * NhipVitalFlags:
 * @NHIP_VITAL_FLAG_NONE: nothing to remark
 * @NHIP_VITAL_FLAG_IMPLAUSIBLE: possible but very unlikely; stored, and shown for a re-check
 * @NHIP_VITAL_FLAG_BEFORE_MEAL: glucose taken before a meal
 * @NHIP_VITAL_FLAG_AFTER_MEAL: glucose taken after a meal
 * @NHIP_VITAL_FLAG_OPERATOR_ENTERED: typed in (e.g. on a scale) rather than measured
 *
 * Flags of a stored observation. The bits have the values of the #NhipMeasurementFlags
 * of the same name, so a device's flags are stored as they are.
 */
typedef enum {
	NHIP_VITAL_FLAG_NONE = 0,
	NHIP_VITAL_FLAG_IMPLAUSIBLE = 1 << 0,
	NHIP_VITAL_FLAG_BEFORE_MEAL = 1 << 4,
	NHIP_VITAL_FLAG_AFTER_MEAL = 1 << 5,
	NHIP_VITAL_FLAG_OPERATOR_ENTERED = 1 << 6,
} NhipVitalFlags;

/**
 * NhipVitalInfo:
 * @kind: the kind
 * @id: short stable name used on the command line and in JSON ("bp", "spo2", …)
 * @loinc: LOINC code of the observation (the panel code for blood pressure)
 * @loinc2: LOINC codes of the two components for blood pressure, else %NULL
 * @display: English display name (LOINC common name)
 * @unit: UCUM unit code
 * @n_values: 1, or 2 for blood pressure
 * @decimals: digits after the decimal point worth showing
 * @physical_min: below this the value cannot be a real measurement
 * @physical_max: above this the value cannot be a real measurement
 * @plausible_min: below this the value is flagged implausible (but stored)
 * @plausible_max: above this the value is flagged implausible (but stored)
 * @normal_low: lower end of the adult reference range (NAN when there is none)
 * @normal_high: upper end of the adult reference range (NAN when there is none)
 *
 * For blood pressure the limits apply to the systolic value, and the `*2` fields of
 * nhip_vital_info_get_second_limits() to the diastolic one.
 */
typedef struct {
	NhipVitalKind kind;
	const gchar *id;
	const gchar *loinc;
	const gchar *loinc_components[2];
	const gchar *display;
	const gchar *unit;
	guint n_values;
	guint decimals;
	gdouble physical_min;
	gdouble physical_max;
	gdouble plausible_min;
	gdouble plausible_max;
	gdouble normal_low;
	gdouble normal_high;
	/* limits of the second value (diastolic) for two-valued kinds */
	gdouble physical_min2;
	gdouble physical_max2;
	gdouble plausible_min2;
	gdouble plausible_max2;
	gdouble normal_low2;
	gdouble normal_high2;
} NhipVitalInfo;

GQuark nhip_vital_error_quark(void);

const NhipVitalInfo *nhip_vital_info(NhipVitalKind kind);
const NhipVitalInfo *nhip_vital_info_by_loinc(const gchar *loinc);
const NhipVitalInfo *nhip_vital_info_by_id(const gchar *id);
const gchar *nhip_vital_kind_to_string(NhipVitalKind kind);

gboolean nhip_vital_check(NhipVitalKind kind,
			  gdouble value,
			  gdouble value2,
			  NhipVitalFlags *flags,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;

gdouble nhip_vital_glucose_mgdl_to_mmoll(gdouble mgdl);
gdouble nhip_vital_round(NhipVitalKind kind, gdouble value);
gdouble nhip_vital_glucose_mmoll_to_mgdl(gdouble mmoll);

G_END_DECLS
