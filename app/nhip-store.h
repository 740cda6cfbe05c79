/*
 * Nhịp — the station's database: one SQLite file, WAL, durable commits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "nhip-error.h"
#include "nhip-facility.h"
#include "nhip-measurement.h"
#include "nhip-observation.h"
#include "nhip-patient.h"
#include "nhip-staff.h"
#include "nhip-visit.h"

G_BEGIN_DECLS

/* the newest schema this program knows; see the migration log in nhip-store.c */
#define NHIP_STORE_SCHEMA_VERSION 10

/* wrong PINs in a row before an account is locked, and for how long */
#define NHIP_STORE_PIN_MAX_ATTEMPTS 5
#define NHIP_STORE_PIN_LOCK_SECONDS (15 * 60)

#define NHIP_TYPE_STORE (nhip_store_get_type())
G_DECLARE_FINAL_TYPE(NhipStore, nhip_store, NHIP, STORE, GObject)

/**
 * NhipStoreStats:
 * @patients: number of patients
 * @visits: number of visits
 * @visits_open: visits still open
 * @observations: number of observations
 * @staff: number of staff accounts
 * @attachments: number of attachments
 * @outbox_pending: outbox items not yet delivered
 * @audit_rows: rows in the audit log
 */
typedef struct {
	gint64 patients;
	gint64 visits;
	gint64 visits_open;
	gint64 observations;
	gint64 staff;
	gint64 attachments;
	gint64 outbox_pending;
	gint64 audit_rows;
} NhipStoreStats;

NhipStore *nhip_store_open(const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
const gchar *nhip_store_get_path(NhipStore *self);
gint nhip_store_get_schema_version(NhipStore *self);
void nhip_store_set_actor(NhipStore *self, gint64 staff_id);
gboolean nhip_store_get_stats(NhipStore *self, NhipStoreStats *stats, GError **error);
gboolean nhip_store_integrity_check(NhipStore *self, GError **error);

/* facility */
gboolean nhip_store_facility_set(NhipStore *self, const NhipFacility *facility, GError **error);
NhipFacility *nhip_store_facility_get(NhipStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* staff */
gint64 nhip_store_staff_add(NhipStore *self,
			    const gchar *name,
			    NhipRole role,
			    const gchar *pin,
			    GError **error);
GPtrArray *nhip_store_staff_list(NhipStore *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipStaff *
nhip_store_staff_get(NhipStore *self, gint64 id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_staff_login(NhipStore *self, gint64 id, const gchar *pin, GError **error);
gboolean nhip_store_staff_unlock(NhipStore *self, gint64 id, GError **error);
gboolean nhip_store_staff_set_pin(NhipStore *self, gint64 id, const gchar *pin, GError **error);

/* patients */
gint64 nhip_store_patient_add(NhipStore *self, NhipPatient *patient, GError **error);
NhipPatient *
nhip_store_patient_get(NhipStore *self, gint64 id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_patient_update(NhipStore *self, NhipPatient *patient, GError **error);
GPtrArray *nhip_store_patient_search(NhipStore *self,
				     const gchar *query,
				     guint limit,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_patient_check(NhipPatient *patient, GError **error);

/* visits and observations */
gint64
nhip_store_visit_open(NhipStore *self, gint64 patient_id, const gchar *reason, GError **error);
NhipVisit *
nhip_store_visit_get(NhipStore *self, gint64 id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_store_visit_list(NhipStore *self, gint64 from, gint64 to, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_store_visit_list_for_patient(NhipStore *self,
					     gint64 patient_id,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_visit_close(NhipStore *self,
				gint64 id,
				const gchar *const *icd_codes,
				const gchar *note,
				GError **error);
gboolean nhip_store_visit_save_draft(NhipStore *self,
				     gint64 id,
				     const gchar *symptoms,
				     const gchar *notes,
				     const gchar *const *icd_codes,
				     GError **error);
gboolean nhip_store_observations_add(NhipStore *self,
				     gint64 visit_id,
				     GPtrArray *observations,
				     GError **error);
GPtrArray *nhip_store_observation_list(NhipStore *self,
				       gint64 visit_id,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_store_visit_get_records(NhipStore *self,
				      gint64 visit_id,
				      NhipFacility **facility,
				      NhipVisit **visit,
				      NhipPatient **patient,
				      GPtrArray **observations,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_store_observation_list_for_patient(NhipStore *self,
						   gint64 patient_id,
						   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * NhipStoreDeviceCounts:
 * @added: readings stored in the visit
 * @history: stored readings older than the visit, stored in the patient's history
 * @duplicates: readings stored before (same patient, device, LOINC and time), skipped
 * @undated: readings from a device's memory without a time stamp, skipped
 *
 * What nhip_store_add_device_measurements() did with each measurement.
 */
typedef struct {
	guint added;
	guint history;
	guint duplicates;
	guint undated;
} NhipStoreDeviceCounts;

gboolean nhip_store_add_device_measurements(NhipStore *self,
					    gint64 visit_id,
					    GPtrArray *measurements,
					    const gint64 *clock_skew,
					    NhipStoreDeviceCounts *counts,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* attachments */
gchar *nhip_store_attachment_add(NhipStore *self,
				 gint64 visit_id,
				 const gchar *file_path,
				 const gchar *mime_type,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_store_attachment_path(NhipStore *self, const gchar *sha256) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_store_attachment_list(NhipStore *self,
				      gint64 visit_id,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* outbox */
gint64 nhip_store_outbox_enqueue(NhipStore *self,
				 const gchar *kind,
				 const gchar *payload_ref,
				 gint priority,
				 GError **error);

/* settings */
gchar *
nhip_store_setting_get(NhipStore *self, const gchar *key, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
nhip_store_setting_set(NhipStore *self, const gchar *key, const gchar *value, GError **error);
gboolean nhip_store_backup(NhipStore *self, const gchar *dest_path, GError **error);

/* audit log */
gboolean nhip_store_audit_verify(NhipStore *self, gint64 *rows, gint64 *bad_row, GError **error);

G_END_DECLS
