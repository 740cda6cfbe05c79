/*
 * Nhịp hub — what the doctors' pages show of a case, read from its case.json (the FHIR R4
 * Bundle the station made: Patient, Encounter, vital-sign Observations, Conditions, Media
 * for the photos and the Communication with the question).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * NhipHubVital:
 * @code: the LOINC code
 * @unit: the unit as shown
 * @time: when it was measured (Unix time)
 * @values: the value, and the diastolic pressure for blood pressure
 * @n_values: 1 or 2
 * @flag: "H", "L" or %NULL (the station's interpretation against normal ranges)
 */
typedef struct {
	gchar *code;
	gchar *unit;
	gint64 time;
	gdouble values[2];
	guint n_values;
	gchar *flag;
} NhipHubVital;

/**
 * NhipHubCaseView:
 * @patient_name: (nullable): the patient's full name
 * @gender: (nullable): FHIR gender (male, female, other, unknown)
 * @birth_date: (nullable): YYYY-MM-DD (or shorter)
 * @bhyt: (nullable): the health insurance card number
 * @phone: (nullable): the patient's phone
 * @address: (nullable): the address as text
 * @facility: (nullable): the station's facility name
 * @reason: (nullable): why the patient came
 * @visit_start: when the visit opened (Unix time), 0 if unknown
 * @conditions: (element-type utf8): ICD-10 code and name, "A90 Dengue"
 * @vitals: (element-type NhipHubVital): the measurements in time order
 * @question: (nullable): the question for the doctor
 * @notes: (nullable): the station's notes
 * @priority: "urgent" or "routine"
 * @photos: (element-type utf8): the photos' names in the packet (img/1.jpg)
 */
typedef struct {
	gchar *patient_name;
	gchar *gender;
	gchar *birth_date;
	gchar *bhyt;
	gchar *phone;
	gchar *address;
	gchar *facility;
	gchar *reason;
	gint64 visit_start;
	GPtrArray *conditions;
	GPtrArray *vitals;
	gchar *question;
	gchar *notes;
	gchar *priority;
	GPtrArray *photos;
} NhipHubCaseView;

void nhip_hub_case_view_free(NhipHubCaseView *view);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubCaseView, nhip_hub_case_view_free)

NhipHubCaseView *nhip_hub_case_view_parse(GBytes *case_json,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;
const gchar *nhip_hub_vital_label(const gchar *loinc);

G_END_DECLS
