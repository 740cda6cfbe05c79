/*
 * Nhịp — a visit (one encounter at the station, one MA_LK).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define NHIP_TYPE_VISIT (nhip_visit_get_type())

/**
 * NhipVisitStatus:
 * @NHIP_VISIT_STATUS_OPEN: in progress; readings land here
 * @NHIP_VISIT_STATUS_CLOSED: finished; no more changes
 */
typedef enum {
	NHIP_VISIT_STATUS_OPEN,
	NHIP_VISIT_STATUS_CLOSED,
} NhipVisitStatus;

/**
 * NhipVisit:
 * @id: row id
 * @patient_id: the patient
 * @patient_name: (nullable): the patient's name, filled by listings
 * @ma_lk: the link code that ties every QĐ 130 table row of this visit together
 * @opened_at: Unix time the visit was opened
 * @closed_at: Unix time it was closed, 0 while open
 * @reason: (nullable): reason for the visit
 * @status: open or closed
 * @icd_codes: (nullable): ICD-10 codes, the main diagnosis first
 * @notes: (nullable): free-text notes
 * @staff_id: who opened it, 0 when unknown
 * @symptoms: (nullable): what the patient reports, written during the visit
 */
typedef struct {
	gint64 id;
	gint64 patient_id;
	gchar *patient_name;
	gchar *ma_lk;
	gint64 opened_at;
	gint64 closed_at;
	gchar *reason;
	NhipVisitStatus status;
	GStrv icd_codes;
	gchar *notes;
	gint64 staff_id;
	gchar *symptoms;
} NhipVisit;

GType nhip_visit_get_type(void);
NhipVisit *nhip_visit_new(void);
NhipVisit *nhip_visit_copy(const NhipVisit *self);
void nhip_visit_free(NhipVisit *self);
const gchar *nhip_visit_status_to_string(NhipVisitStatus status);
void nhip_visit_to_json(const NhipVisit *self, JsonBuilder *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipVisit, nhip_visit_free)

G_END_DECLS
