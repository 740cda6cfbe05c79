/*
 * Nhịp — a patient record.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "nhip-validate.h"

G_BEGIN_DECLS

#define NHIP_TYPE_PATIENT (nhip_patient_get_type())

/**
 * NhipPatient:
 * @id: row id, 0 before the patient is stored
 * @full_name: full name as on the ID card, NFC
 * @birth: YYYY-MM-DD, or YYYY when only the year is known
 * @sex: sex
 * @ethnicity: (nullable): two-digit ethnic-group code
 * @cccd: (nullable): citizen ID (12 digits) or old CMND (9 digits)
 * @bhyt: (nullable): health-insurance card number
 * @bhyt_valid_from: (nullable): card validity start, YYYY-MM-DD
 * @bhyt_valid_to: (nullable): card validity end, YYYY-MM-DD
 * @bhyt_facility: (nullable): registered primary-care facility on the card (MA_DKBD)
 * @address: (nullable): address as written
 * @province_code: (nullable): administrative code of the province
 * @district_code: (nullable): administrative code of the district
 * @commune_code: (nullable): administrative code of the commune
 * @phone: (nullable): phone number, national form
 * @guardian_name: (nullable): guardian of a child or dependent adult
 * @guardian_phone: (nullable): guardian's phone
 * @guardian_relation: (nullable): e.g. "mẹ", "bố"
 * @created_at: Unix time of registration
 * @updated_at: Unix time of the last change
 */
typedef struct {
	gint64 id;
	gchar *full_name;
	gchar *birth;
	NhipSex sex;
	gchar *ethnicity;
	gchar *cccd;
	gchar *bhyt;
	gchar *bhyt_valid_from;
	gchar *bhyt_valid_to;
	gchar *bhyt_facility;
	gchar *address;
	gchar *province_code;
	gchar *district_code;
	gchar *commune_code;
	gchar *phone;
	gchar *guardian_name;
	gchar *guardian_phone;
	gchar *guardian_relation;
	gint64 created_at;
	gint64 updated_at;
} NhipPatient;

GType nhip_patient_get_type(void);
NhipPatient *nhip_patient_new(void);
NhipPatient *nhip_patient_copy(const NhipPatient *self);
void nhip_patient_free(NhipPatient *self);
gint nhip_patient_age_years(const NhipPatient *self, GDateTime *at);
void nhip_patient_to_json(const NhipPatient *self, JsonBuilder *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipPatient, nhip_patient_free)

G_END_DECLS
