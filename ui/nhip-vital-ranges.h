/*
 * Nhịp — which vital-sign values to point out to the nurse, by the patient's age.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-validate.h"
#include "nhip-vital.h"

G_BEGIN_DECLS

/**
 * NhipVitalLevel:
 * @NHIP_VITAL_LEVEL_NORMAL: within the usual range, or no range applies
 * @NHIP_VITAL_LEVEL_LOW: below the usual range
 * @NHIP_VITAL_LEVEL_HIGH: above the usual range
 *
 * How a value compares with the usual range for the patient.
 */
typedef enum {
	NHIP_VITAL_LEVEL_NORMAL,
	NHIP_VITAL_LEVEL_LOW,
	NHIP_VITAL_LEVEL_HIGH,
} NhipVitalLevel;

/**
 * NhipVitalRange:
 * @low: lowest usual value (NAN: no lower limit)
 * @high: highest usual value (NAN: no upper limit)
 * @low2: lowest usual second value (diastolic), NAN if none
 * @high2: highest usual second value (diastolic), NAN if none
 *
 * The usual range of a kind of vital sign for one patient. Values strictly below @low or
 * at or above the threshold above @high are pointed out.
 */
typedef struct {
	gdouble low;
	gdouble high;
	gdouble low2;
	gdouble high2;
} NhipVitalRange;

/* age in months, or -1 when the birth date is not known */
gint nhip_vital_age_months(const gchar *birth, GDateTime *at);
void nhip_vital_range_for(NhipVitalKind kind, gint age_months, NhipSex sex, NhipVitalRange *range);
NhipVitalLevel nhip_vital_assess(NhipVitalKind kind,
				 gdouble value,
				 gdouble value2,
				 gint age_months,
				 NhipSex sex,
				 gchar **reason);
NhipVitalLevel
nhip_vital_assess_bmi(gdouble weight_kg, gdouble height_cm, gint age_months, gchar **reason);
const gchar *nhip_vital_display_unit(NhipVitalKind kind);
const gchar *nhip_vital_display_name(NhipVitalKind kind);
gchar *
nhip_vital_format(NhipVitalKind kind, gdouble value, gdouble value2) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
