/*
 * Nhịp — a patient record.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "nhip-codes.h"
#include "nhip-json.h"
#include "nhip-patient.h"

G_DEFINE_BOXED_TYPE(NhipPatient, nhip_patient, nhip_patient_copy, nhip_patient_free)

/**
 * nhip_patient_new:
 *
 * Returns: (transfer full): an empty patient
 */
NhipPatient *
nhip_patient_new(void)
{
	return g_new0(NhipPatient, 1);
}

/**
 * nhip_patient_copy:
 * @self: a patient
 *
 * Returns: (transfer full): a deep copy
 */
NhipPatient *
nhip_patient_copy(const NhipPatient *self)
{
	NhipPatient *copy = g_new0(NhipPatient, 1);

	*copy = *self;
	copy->full_name = g_strdup(self->full_name);
	copy->birth = g_strdup(self->birth);
	copy->ethnicity = g_strdup(self->ethnicity);
	copy->cccd = g_strdup(self->cccd);
	copy->bhyt = g_strdup(self->bhyt);
	copy->bhyt_valid_from = g_strdup(self->bhyt_valid_from);
	copy->bhyt_valid_to = g_strdup(self->bhyt_valid_to);
	copy->bhyt_facility = g_strdup(self->bhyt_facility);
	copy->address = g_strdup(self->address);
	copy->province_code = g_strdup(self->province_code);
	copy->district_code = g_strdup(self->district_code);
	copy->commune_code = g_strdup(self->commune_code);
	copy->phone = g_strdup(self->phone);
	copy->guardian_name = g_strdup(self->guardian_name);
	copy->guardian_phone = g_strdup(self->guardian_phone);
	copy->guardian_relation = g_strdup(self->guardian_relation);
	return copy;
}

/**
 * nhip_patient_free:
 * @self: (nullable): a patient
 */
void
nhip_patient_free(NhipPatient *self)
{
	if (self == NULL)
		return;
	g_free(self->full_name);
	g_free(self->birth);
	g_free(self->ethnicity);
	g_free(self->cccd);
	g_free(self->bhyt);
	g_free(self->bhyt_valid_from);
	g_free(self->bhyt_valid_to);
	g_free(self->bhyt_facility);
	g_free(self->address);
	g_free(self->province_code);
	g_free(self->district_code);
	g_free(self->commune_code);
	g_free(self->phone);
	g_free(self->guardian_name);
	g_free(self->guardian_phone);
	g_free(self->guardian_relation);
	g_free(self);
}

/**
 * nhip_patient_age_years:
 * @self: a patient
 * @at: (nullable): the moment to compute the age at; now when %NULL
 *
 * When only the birth year is known, the age is counted from 1 July of that year.
 *
 * Returns: age in whole years, or -1 when the birth date is unknown
 */
gint
nhip_patient_age_years(const NhipPatient *self, GDateTime *at)
{
	g_autoptr(GDateTime) now = at != NULL ? g_date_time_ref(at) : g_date_time_new_now_local();
	gint y = 0, m = 7, d = 1;
	gint age;

	if (self->birth == NULL || sscanf(self->birth, "%d-%d-%d", &y, &m, &d) < 1 || y <= 0)
		return -1;
	age = g_date_time_get_year(now) - y;
	if (g_date_time_get_month(now) < m ||
	    (g_date_time_get_month(now) == m && g_date_time_get_day_of_month(now) < d))
		age--;
	return MAX(age, 0);
}

/**
 * nhip_patient_to_json:
 * @self: a patient
 * @builder: a builder positioned where a value may be added
 *
 * Adds the patient as one JSON object.
 */
void
nhip_patient_to_json(const NhipPatient *self, JsonBuilder *builder)
{
	json_builder_begin_object(builder);
	nhip_json_add_int(builder, "id", self->id);
	nhip_json_add_string(builder, "full_name", self->full_name);
	nhip_json_add_string(builder, "birth", self->birth);
	nhip_json_add_string(builder, "sex", nhip_sex_to_string(self->sex));
	nhip_json_add_string(builder, "ethnicity", self->ethnicity);
	nhip_json_add_string(builder, "ethnicity_name", nhip_codes_ethnicity_name(self->ethnicity));
	nhip_json_add_string(builder, "cccd", self->cccd);
	nhip_json_add_string(builder, "bhyt", self->bhyt);
	nhip_json_add_string(builder, "bhyt_valid_from", self->bhyt_valid_from);
	nhip_json_add_string(builder, "bhyt_valid_to", self->bhyt_valid_to);
	nhip_json_add_string(builder, "bhyt_facility", self->bhyt_facility);
	nhip_json_add_string(builder, "address", self->address);
	nhip_json_add_string(builder, "province_code", self->province_code);
	nhip_json_add_string(builder, "district_code", self->district_code);
	nhip_json_add_string(builder, "commune_code", self->commune_code);
	nhip_json_add_string(builder, "phone", self->phone);
	nhip_json_add_string(builder, "guardian_name", self->guardian_name);
	nhip_json_add_string(builder, "guardian_phone", self->guardian_phone);
	nhip_json_add_string(builder, "guardian_relation", self->guardian_relation);
	nhip_json_add_time(builder, "created_at", self->created_at);
	nhip_json_add_time(builder, "updated_at", self->updated_at);
	json_builder_end_object(builder);
}
