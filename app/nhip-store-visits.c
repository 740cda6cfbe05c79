/*
 * Nhịp — visits, their observations and their attachments in the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <unistd.h>

#include "nhip-store-private.h"
#include "nhip-validate.h"

#define VISIT_COLUMNS                                                                          \
	"v.id, v.patient_id, v.ma_lk, v.opened_at, v.closed_at, v.reason, v.status, v.notes, " \
	"v.staff_id, p.full_name, v.symptoms"

static gboolean
visit_load_diagnoses(NhipStore *self, NhipVisit *visit, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self, "SELECT icd10 FROM visit_diagnoses WHERE visit_id = ? ORDER BY seq", error);
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	gint rc;

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, visit->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_strv_builder_add(builder, (const gchar *)sqlite3_column_text(stmt, 0));
	if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, _("read the diagnoses"), error);
		return FALSE;
	}
	g_strfreev(visit->icd_codes);
	visit->icd_codes = g_strv_builder_end(builder);
	return TRUE;
}

static NhipVisit *
visit_from_row(NhipStmt *stmt)
{
	NhipVisit *visit = nhip_visit_new();

	visit->id = sqlite3_column_int64(stmt, 0);
	visit->patient_id = sqlite3_column_int64(stmt, 1);
	visit->ma_lk = nhipi_column_text(stmt, 2);
	visit->opened_at = sqlite3_column_int64(stmt, 3);
	visit->closed_at = sqlite3_column_int64(stmt, 4);
	visit->reason = nhipi_column_text(stmt, 5);
	visit->status = g_strcmp0((const gchar *)sqlite3_column_text(stmt, 6), "closed") == 0
				? NHIP_VISIT_STATUS_CLOSED
				: NHIP_VISIT_STATUS_OPEN;
	visit->notes = nhipi_column_text(stmt, 7);
	visit->staff_id = sqlite3_column_int64(stmt, 8);
	visit->patient_name = nhipi_column_text(stmt, 9);
	visit->symptoms = nhipi_column_text(stmt, 10);
	return visit;
}

static gchar *
visit_make_ma_lk(NhipStore *self, gint64 id, gint64 opened_at, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(self, "SELECT code FROM facility", error);
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(opened_at);
	g_autofree gchar *day = g_date_time_format(dt, "%y%m%d");
	const gchar *code = "00000";
	gint rc;

	if (stmt == NULL)
		return NULL;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		code = (const gchar *)sqlite3_column_text(stmt, 0);
	else if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, _("read the facility"), error);
		return NULL;
	}
	/* unique for ever, because the id is: facility code, day, visit number */
	return g_strdup_printf("%s%s%06" PRId64, code, day, id);
}

/**
 * nhip_store_visit_open:
 * @self: the store
 * @patient_id: the patient
 * @reason: (nullable): reason for the visit
 * @error: return location for a #GError
 *
 * Opens a visit with a new MA_LK. A patient has at most one open visit; asking for a
 * second one is %NHIP_STORE_ERROR_CONFLICT with the open visit's id in the message.
 *
 * Returns: the visit id, or 0 on error
 */
gint64
nhip_store_visit_open(NhipStore *self, gint64 patient_id, const gchar *reason, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipPatient) patient = NULL;
	g_autofree gchar *ma_lk = NULL;
	g_autofree gchar *reason_clean = NULL;
	gint64 id = 0;
	gint64 now = nhipi_store_now(self);

	g_return_val_if_fail(NHIP_IS_STORE(self), 0);
	if (reason != NULL) {
		reason_clean = g_strstrip(g_strdup(reason));
		if (reason_clean[0] == '\0')
			g_clear_pointer(&reason_clean, g_free);
	}
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return 0;
	patient = nhip_store_patient_get(self, patient_id, error);
	if (patient == NULL)
		return 0;
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self, "SELECT id FROM visits WHERE patient_id = ? AND status = 'open'",
			error);
		gint rc;
		if (stmt == NULL)
			return 0;
		sqlite3_bind_int64(stmt, 1, patient_id);
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW) {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT,
				    _("patient %" PRId64 " already has visit %" PRId64
				      " open; continue it or close it first"),
				    patient_id, (gint64)sqlite3_column_int64(stmt, 0));
			return 0;
		}
		if (rc != SQLITE_DONE) {
			nhipi_store_set_error(self, rc, _("open the visit"), error);
			return 0;
		}
	}
	if (!nhipi_store_count(self, "SELECT coalesce(max(id), 0) + 1 FROM visits", &id, error))
		return 0;
	ma_lk = visit_make_ma_lk(self, id, now, error);
	if (ma_lk == NULL)
		return 0;
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self,
			"INSERT INTO visits (id, patient_id, ma_lk, opened_at, reason, "
			"staff_id) VALUES (?, ?, ?, ?, ?, ?)",
			error);
		if (stmt == NULL)
			return 0;
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int64(stmt, 2, patient_id);
		nhipi_bind_text(stmt, 3, ma_lk);
		sqlite3_bind_int64(stmt, 4, now);
		nhipi_bind_text(stmt, 5, reason_clean);
		if (self->actor_id != 0)
			sqlite3_bind_int64(stmt, 6, self->actor_id);
		if (!nhipi_store_step_done(self, stmt, _("open the visit"), error))
			return 0;
	}
	if (!nhipi_store_audit(self, "visit.open", "visit", id, NULL, error))
		return 0;
	if (!nhipi_store_txn_commit(txn, error))
		return 0;
	return id;
}

/**
 * nhip_store_visit_get:
 * @self: the store
 * @id: visit id
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the visit with its diagnoses, or %NULL with
 * %NHIP_STORE_ERROR_NOT_FOUND
 */
NhipVisit *
nhip_store_visit_get(NhipStore *self, gint64 id, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;
	g_autoptr(NhipVisit) visit = NULL;
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	stmt = nhipi_store_prepare(self,
				   "SELECT " VISIT_COLUMNS " FROM visits v "
				   "JOIN patients p ON p.id = v.patient_id WHERE v.id = ?",
				   error);
	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
			    _("there is no visit %" PRId64), id);
		return NULL;
	}
	if (rc != SQLITE_ROW) {
		nhipi_store_set_error(self, rc, _("read the visit"), error);
		return NULL;
	}
	visit = visit_from_row(stmt);
	nhipi_stmt_release(g_steal_pointer(&stmt));
	if (!visit_load_diagnoses(self, visit, error))
		return NULL;
	return g_steal_pointer(&visit);
}

static GPtrArray *
visit_list_query(NhipStore *self, const gchar *sql, gint64 a, gint64 b, GError **error)
{
	g_autoptr(GPtrArray) visits =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_visit_free);
	gint rc;

	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(self, sql, error);
		if (stmt == NULL)
			return NULL;
		sqlite3_bind_int64(stmt, 1, a);
		if (sqlite3_bind_parameter_count(stmt) > 1)
			sqlite3_bind_int64(stmt, 2, b);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			g_ptr_array_add(visits, visit_from_row(stmt));
		if (rc != SQLITE_DONE) {
			nhipi_store_set_error(self, rc, _("list visits"), error);
			return NULL;
		}
	}
	for (guint i = 0; i < visits->len; i++) {
		if (!visit_load_diagnoses(self, g_ptr_array_index(visits, i), error))
			return NULL;
	}
	return g_steal_pointer(&visits);
}

/**
 * nhip_store_visit_list:
 * @self: the store
 * @from: Unix time, inclusive
 * @to: Unix time, exclusive
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type NhipVisit) (nullable): visits opened in
 * [@from, @to), oldest first
 */
GPtrArray *
nhip_store_visit_list(NhipStore *self, gint64 from, gint64 to, GError **error)
{
	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	return visit_list_query(
		self,
		"SELECT " VISIT_COLUMNS " FROM visits v "
		"JOIN patients p ON p.id = v.patient_id "
		"WHERE v.opened_at >= ? AND v.opened_at < ? ORDER BY v.opened_at, v.id",
		from, to, error);
}

/**
 * nhip_store_visit_list_for_patient:
 * @self: the store
 * @patient_id: the patient
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type NhipVisit) (nullable): the patient's
 * visits, newest first
 */
GPtrArray *
nhip_store_visit_list_for_patient(NhipStore *self, gint64 patient_id, GError **error)
{
	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	return visit_list_query(self,
				"SELECT " VISIT_COLUMNS " FROM visits v "
				"JOIN patients p ON p.id = v.patient_id "
				"WHERE v.patient_id = ? ORDER BY v.opened_at DESC, v.id DESC",
				patient_id, 0, error);
}

static gboolean
visit_require_open(NhipStore *self, gint64 id, NhipVisit **visit_out, GError **error)
{
	g_autoptr(NhipVisit) visit = nhip_store_visit_get(self, id, error);

	if (visit == NULL)
		return FALSE;
	if (visit->status != NHIP_VISIT_STATUS_OPEN) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT,
			    _("visit %" PRId64 " is closed and can no longer change"), id);
		return FALSE;
	}
	if (visit_out != NULL)
		*visit_out = g_steal_pointer(&visit);
	return TRUE;
}

/* validated, deduplicated ICD-10 codes in their order, at most 12 */
static GPtrArray *
visit_normalize_codes(const gchar *const *icd_codes, GError **error)
{
	g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; icd_codes != NULL && icd_codes[i] != NULL; i++) {
		gchar *code = nhip_validate_icd10(icd_codes[i], error);
		if (code == NULL)
			return NULL;
		for (guint j = 0; j < codes->len; j++) {
			if (g_strcmp0(g_ptr_array_index(codes, j), code) == 0)
				g_clear_pointer(&code, g_free);
		}
		if (code != NULL)
			g_ptr_array_add(codes, code);
	}
	if (codes->len > 12) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("a visit takes at most 12 diagnoses (one main and 11 "
				      "secondary), as the insurance tables allow"));
		return NULL;
	}
	return g_steal_pointer(&codes);
}

/* replaces the visit's diagnoses, inside a write transaction */
static gboolean
visit_write_diagnoses(NhipStore *self, gint64 id, GPtrArray *codes, GError **error)
{
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self, "DELETE FROM visit_diagnoses WHERE visit_id = ?", error);
		if (stmt == NULL)
			return FALSE;
		sqlite3_bind_int64(stmt, 1, id);
		if (!nhipi_store_step_done(self, stmt, _("save the diagnoses"), error))
			return FALSE;
	}
	for (guint i = 0; i < codes->len; i++) {
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self, "INSERT INTO visit_diagnoses (visit_id, seq, icd10) VALUES (?, ?, ?)",
			error);
		if (stmt == NULL)
			return FALSE;
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int(stmt, 2, (gint)i);
		nhipi_bind_text(stmt, 3, g_ptr_array_index(codes, i));
		if (!nhipi_store_step_done(self, stmt, _("save the diagnoses"), error))
			return FALSE;
	}
	return TRUE;
}

/**
 * nhip_store_visit_close:
 * @self: the store
 * @id: visit id
 * @icd_codes: (nullable) (array zero-terminated=1): ICD-10 codes, main diagnosis first
 * @note: (nullable): a note to add to the visit
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success; on error nothing is changed
 */
gboolean
nhip_store_visit_close(NhipStore *self,
		       gint64 id,
		       const gchar *const *icd_codes,
		       const gchar *note,
		       GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(GPtrArray) codes = NULL;
	g_autoptr(NhipVisit) visit = NULL;
	g_autofree gchar *notes = NULL;
	g_autofree gchar *detail = NULL;
	gint64 now = nhipi_store_now(self);

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	codes = visit_normalize_codes(icd_codes, error);
	if (codes == NULL)
		return FALSE;
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	if (!visit_require_open(self, id, &visit, error))
		return FALSE;
	if (note != NULL && note[0] != '\0') {
		if (visit->notes != NULL && visit->notes[0] != '\0')
			notes = g_strconcat(visit->notes, "\n", note, NULL);
		else
			notes = g_strdup(note);
	} else {
		notes = g_strdup(visit->notes);
	}
	if (!visit_write_diagnoses(self, id, codes, error))
		return FALSE;
	{
		g_autoptr(NhipStmt) stmt =
			nhipi_store_prepare(self,
					    "UPDATE visits SET status = 'closed', closed_at = "
					    "max(?, opened_at), notes = ? "
					    "WHERE id = ?",
					    error);
		if (stmt == NULL)
			return FALSE;
		sqlite3_bind_int64(stmt, 1, now);
		nhipi_bind_text(stmt, 2, notes);
		sqlite3_bind_int64(stmt, 3, id);
		if (!nhipi_store_step_done(self, stmt, _("close the visit"), error))
			return FALSE;
	}
	detail = g_strdup_printf("diagnoses=%u", codes->len);
	if (!nhipi_store_audit(self, "visit.close", "visit", id, detail, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/* NULL for text that is missing or only white space */
static gchar *
visit_clean_text(const gchar *text)
{
	g_autofree gchar *clean = g_strstrip(g_strdup(text != NULL ? text : ""));
	return clean[0] != '\0' ? g_steal_pointer(&clean) : NULL;
}

/**
 * nhip_store_visit_save_draft:
 * @self: the store
 * @id: an open visit
 * @symptoms: (nullable): what the patient reports
 * @notes: (nullable): the staff's notes, replacing those stored
 * @icd_codes: (nullable) (array zero-terminated=1): ICD-10 codes, main diagnosis first,
 *   replacing those stored
 * @error: return location for a #GError
 *
 * Saves what the staff have written so far in an open visit, so that nothing typed is
 * lost if the station stops before the visit is closed. Close the visit with the same
 * codes and a %NULL note to keep these notes.
 *
 * Returns: %TRUE on success; on error nothing is changed
 */
gboolean
nhip_store_visit_save_draft(NhipStore *self,
			    gint64 id,
			    const gchar *symptoms,
			    const gchar *notes,
			    const gchar *const *icd_codes,
			    GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(GPtrArray) codes = NULL;
	g_autofree gchar *symptoms_clean = visit_clean_text(symptoms);
	g_autofree gchar *notes_clean = visit_clean_text(notes);
	g_autofree gchar *detail = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	codes = visit_normalize_codes(icd_codes, error);
	if (codes == NULL)
		return FALSE;
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	if (!visit_require_open(self, id, NULL, error))
		return FALSE;
	if (!visit_write_diagnoses(self, id, codes, error))
		return FALSE;
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self, "UPDATE visits SET symptoms = ?, notes = ? WHERE id = ?", error);
		if (stmt == NULL)
			return FALSE;
		nhipi_bind_text(stmt, 1, symptoms_clean);
		nhipi_bind_text(stmt, 2, notes_clean);
		sqlite3_bind_int64(stmt, 3, id);
		if (!nhipi_store_step_done(self, stmt, _("save the visit"), error))
			return FALSE;
	}
	detail = g_strdup_printf("diagnoses=%u", codes->len);
	if (!nhipi_store_audit(self, "visit.draft", "visit", id, detail, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_observations_add:
 * @self: the store
 * @visit_id: an open visit
 * @observations: (element-type NhipObservation): values to add; each gets its id,
 *   patient, receive time and flags filled in
 * @error: return location for a #GError
 *
 * Checks every value against the physical limits of its kind, then stores all of them in
 * one durable transaction: either all are stored or none. Possible but unlikely values are
 * stored with %NHIP_VITAL_FLAG_IMPLAUSIBLE. A device reading stored before (same device,
 * kind and time) is skipped, so a meter that re-sends its memory adds nothing twice; its
 * id is left 0.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_observations_add(NhipStore *self,
			    gint64 visit_id,
			    GPtrArray *observations,
			    GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipVisit) visit = NULL;
	g_autofree gchar *detail = NULL;
	gint64 now = nhipi_store_now(self);
	guint added = 0;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	g_return_val_if_fail(observations != NULL, FALSE);

	for (guint i = 0; i < observations->len; i++) {
		NhipObservation *obs = g_ptr_array_index(observations, i);
		g_autoptr(GError) error_local = NULL;
		NhipVitalFlags flags = NHIP_VITAL_FLAG_NONE;

		if (!nhip_vital_check(obs->kind, obs->value, obs->value2, &flags, &error_local)) {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("%s; nothing was saved"), error_local->message);
			return FALSE;
		}
		obs->flags = (obs->flags & ~NHIP_VITAL_FLAG_IMPLAUSIBLE) | flags;
	}
	if (observations->len == 0)
		return TRUE;

	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	if (!visit_require_open(self, visit_id, &visit, error))
		return FALSE;
	for (guint i = 0; i < observations->len; i++) {
		NhipObservation *obs = g_ptr_array_index(observations, i);
		const NhipVitalInfo *info = nhip_vital_info(obs->kind);
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self,
			"INSERT INTO observations (visit_id, patient_id, loinc, value, value2, "
			"unit, "
			"measured_at, received_at, clock_skew, source, device_id, device_model, "
			"raw_frame, flags, staff_id) "
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			"ON CONFLICT DO NOTHING",
			error);

		if (stmt == NULL)
			return FALSE;
		obs->visit_id = visit_id;
		obs->patient_id = visit->patient_id;
		obs->received_at = now;
		if (obs->measured_at == 0)
			obs->measured_at = now;
		if (obs->device_id == NULL && obs->staff_id == 0)
			obs->staff_id = self->actor_id;
		sqlite3_bind_int64(stmt, 1, visit_id);
		sqlite3_bind_int64(stmt, 2, visit->patient_id);
		nhipi_bind_text(stmt, 3, info->loinc);
		sqlite3_bind_double(stmt, 4, obs->value);
		if (info->n_values == 2)
			sqlite3_bind_double(stmt, 5, obs->value2);
		nhipi_bind_text(stmt, 6, info->unit);
		sqlite3_bind_int64(stmt, 7, obs->measured_at);
		sqlite3_bind_int64(stmt, 8, obs->received_at);
		sqlite3_bind_int64(stmt, 9, obs->clock_skew);
		nhipi_bind_text(stmt, 10, obs->device_id != NULL ? "device" : "manual");
		nhipi_bind_text(stmt, 11, obs->device_id);
		nhipi_bind_text(stmt, 12, obs->device_model);
		if (obs->raw_frame != NULL) {
			gsize size = 0;
			gconstpointer data = g_bytes_get_data(obs->raw_frame, &size);
			sqlite3_bind_blob64(stmt, 13, data, size, SQLITE_TRANSIENT);
		}
		sqlite3_bind_int(stmt, 14, (gint)obs->flags);
		if (obs->staff_id != 0)
			sqlite3_bind_int64(stmt, 15, obs->staff_id);
		if (!nhipi_store_step_done(self, stmt, _("save the vital signs"), error))
			return FALSE;
		if (sqlite3_changes(self->db) == 1) {
			obs->id = sqlite3_last_insert_rowid(self->db);
			added++;
		} else {
			obs->id = 0;
		}
	}
	detail = g_strdup_printf("observations=%u", added);
	if (!nhipi_store_audit(self, "observation.add", "visit", visit_id, detail, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

static GPtrArray *
observation_list_query(NhipStore *self, const gchar *sql, gint64 id, GError **error)
{
	g_autoptr(GPtrArray) list =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	g_autoptr(NhipStmt) stmt = NULL;
	gint rc;

	stmt = nhipi_store_prepare(self, sql, error);
	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const NhipVitalInfo *info =
			nhip_vital_info_by_loinc((const gchar *)sqlite3_column_text(stmt, 3));
		NhipObservation *obs =
			nhip_observation_new(info != NULL ? info->kind : NHIP_VITAL_UNKNOWN,
					     sqlite3_column_double(stmt, 4),
					     sqlite3_column_type(stmt, 5) == SQLITE_NULL
						     ? NAN
						     : sqlite3_column_double(stmt, 5));
		obs->id = sqlite3_column_int64(stmt, 0);
		obs->visit_id = sqlite3_column_int64(stmt, 1);
		obs->patient_id = sqlite3_column_int64(stmt, 2);
		obs->measured_at = sqlite3_column_int64(stmt, 6);
		obs->received_at = sqlite3_column_int64(stmt, 7);
		obs->clock_skew = sqlite3_column_int64(stmt, 8);
		obs->device_id = nhipi_column_text(stmt, 9);
		obs->device_model = nhipi_column_text(stmt, 10);
		if (sqlite3_column_type(stmt, 11) == SQLITE_BLOB)
			obs->raw_frame = g_bytes_new(sqlite3_column_blob(stmt, 11),
						     (gsize)sqlite3_column_bytes(stmt, 11));
		obs->flags = (NhipVitalFlags)sqlite3_column_int(stmt, 12);
		obs->staff_id = sqlite3_column_int64(stmt, 13);
		g_ptr_array_add(list, obs);
	}
	if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, _("read the vital signs"), error);
		return NULL;
	}
	return g_steal_pointer(&list);
}

#define OBSERVATION_COLUMNS                                                                      \
	"id, visit_id, patient_id, loinc, value, value2, measured_at, received_at, clock_skew, " \
	"device_id, device_model, raw_frame, flags, staff_id"

/**
 * nhip_store_observation_list:
 * @self: the store
 * @visit_id: a visit
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type NhipObservation) (nullable): the visit's
 * observations in the order they were measured
 */
GPtrArray *
nhip_store_observation_list(NhipStore *self, gint64 visit_id, GError **error)
{
	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	return observation_list_query(self,
				      "SELECT " OBSERVATION_COLUMNS " FROM observations "
				      "WHERE visit_id = ? ORDER BY measured_at, id",
				      visit_id, error);
}

/**
 * nhip_store_observation_list_for_patient:
 * @self: the store
 * @patient_id: a patient
 * @error: return location for a #GError
 *
 * Every observation of the patient, from visits and from device memories (history), for
 * trend charts.
 *
 * Returns: (transfer container) (element-type NhipObservation) (nullable): the patient's
 * observations, oldest first
 */
GPtrArray *
nhip_store_observation_list_for_patient(NhipStore *self, gint64 patient_id, GError **error)
{
	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	return observation_list_query(self,
				      "SELECT " OBSERVATION_COLUMNS " FROM observations "
				      "WHERE patient_id = ? ORDER BY measured_at, id",
				      patient_id, error);
}

/* ----- attachments ----- */

/**
 * nhip_store_attachment_path:
 * @self: the store
 * @sha256: the content hash in hex
 *
 * Returns: (transfer full): where the file with that content is kept
 */
gchar *
nhip_store_attachment_path(NhipStore *self, const gchar *sha256)
{
	g_autofree gchar *prefix = g_strndup(sha256, 2);
	return g_build_filename(self->attachments_dir, prefix, sha256, NULL);
}

/* copy @src into the content-addressed folder durably: temporary file, fsync, rename,
 * fsync of the folder; returns the hash and size */
static gchar *
attachment_store_file(NhipStore *self, const gchar *src, gint64 *size_out, GError **error)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree gchar *tmp_path = NULL;
	g_autofree gchar *final_path = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *sha = NULL;
	guint8 buffer[65536] = { 0 };
	gint64 size = 0;
	gint in_fd;
	gint out_fd;
	gint dir_fd;

	in_fd = g_open(src, O_RDONLY | O_CLOEXEC, 0);
	if (in_fd < 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("cannot read the file %s: %s"), src, g_strerror(errno));
		return NULL;
	}
	if (g_mkdir_with_parents(self->attachments_dir, 0700) != 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot create the folder %s: %s"), self->attachments_dir,
			    g_strerror(errno));
		close(in_fd);
		return NULL;
	}
	tmp_path = g_build_filename(self->attachments_dir, ".incoming-XXXXXX", NULL);
	out_fd = g_mkstemp_full(tmp_path, O_WRONLY | O_CLOEXEC, 0600);
	if (out_fd < 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot create a file in %s: %s"), self->attachments_dir,
			    g_strerror(errno));
		close(in_fd);
		return NULL;
	}
	for (;;) {
		gssize n = read(in_fd, buffer, sizeof(buffer));
		gssize written = 0;
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("cannot read the file %s: %s"), src, g_strerror(errno));
			break;
		}
		g_checksum_update(sum, buffer, n);
		size += n;
		while (written < n) {
			gssize w = write(out_fd, buffer + written, n - written);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
					    _("cannot save the attachment: %s; nothing was saved"),
					    g_strerror(errno));
				break;
			}
			written += w;
		}
		if (written < n)
			break;
	}
	close(in_fd);
	if ((error == NULL || *error == NULL) && fsync(out_fd) != 0)
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot save the attachment: %s; nothing was saved"),
			    g_strerror(errno));
	close(out_fd);
	if (error != NULL && *error != NULL) {
		g_unlink(tmp_path);
		return NULL;
	}
	sha = g_strdup(g_checksum_get_string(sum));
	final_path = nhip_store_attachment_path(self, sha);
	dir = g_path_get_dirname(final_path);
	if (g_mkdir_with_parents(dir, 0700) != 0 || g_rename(tmp_path, final_path) != 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot save the attachment in %s: %s"), dir, g_strerror(errno));
		g_unlink(tmp_path);
		return NULL;
	}
	dir_fd = g_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dir_fd >= 0) {
		fsync(dir_fd);
		close(dir_fd);
	}
	*size_out = size;
	return g_steal_pointer(&sha);
}

/**
 * nhip_store_attachment_add:
 * @self: the store
 * @visit_id: an open visit
 * @file_path: the file to attach (a photo, a scanned paper)
 * @mime_type: (nullable): its MIME type; guessed from the content when %NULL
 * @error: return location for a #GError
 *
 * Copies the file into the station's attachment folder under its SHA-256 (the same
 * content is kept once) and records it with the visit.
 *
 * Returns: (transfer full) (nullable): the SHA-256 in hex, or %NULL on error
 */
gchar *
nhip_store_attachment_add(NhipStore *self,
			  gint64 visit_id,
			  const gchar *file_path,
			  const gchar *mime_type,
			  GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autofree gchar *sha = NULL;
	g_autofree gchar *basename = NULL;
	g_autofree gchar *content_type = NULL;
	g_autofree gchar *mime = NULL;
	gint64 size = 0;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	g_return_val_if_fail(file_path != NULL, NULL);

	/* the file goes in first: a row never points at a missing file; a file without a
	 * row (after a crash) is harmless and is reused when the same content comes again */
	sha = attachment_store_file(self, file_path, &size, error);
	if (sha == NULL)
		return NULL;
	if (mime_type != NULL) {
		mime = g_strdup(mime_type);
	} else {
		content_type = g_content_type_guess(file_path, NULL, 0, NULL);
		mime = g_content_type_get_mime_type(content_type);
		if (mime == NULL)
			mime = g_strdup("application/octet-stream");
	}
	basename = g_path_get_basename(file_path);
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return NULL;
	if (!visit_require_open(self, visit_id, NULL, error))
		return NULL;
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self,
			"INSERT INTO attachments (sha256, visit_id, mime_type, size, "
			"original_name, created_at) VALUES (?, ?, ?, ?, ?, ?) "
			"ON CONFLICT DO NOTHING",
			error);
		if (stmt == NULL)
			return NULL;
		nhipi_bind_text(stmt, 1, sha);
		sqlite3_bind_int64(stmt, 2, visit_id);
		nhipi_bind_text(stmt, 3, mime);
		sqlite3_bind_int64(stmt, 4, size);
		nhipi_bind_text(stmt, 5, basename);
		sqlite3_bind_int64(stmt, 6, nhipi_store_now(self));
		if (!nhipi_store_step_done(self, stmt, _("attach the file"), error))
			return NULL;
	}
	if (!nhipi_store_audit(self, "attachment.add", "visit", visit_id, sha, error))
		return NULL;
	if (!nhipi_store_txn_commit(txn, error))
		return NULL;
	return g_steal_pointer(&sha);
}

/**
 * nhip_store_attachment_list:
 * @self: the store
 * @visit_id: a visit
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type utf8) (nullable): the SHA-256 of each
 * attachment of the visit, oldest first
 */
GPtrArray *
nhip_store_attachment_list(NhipStore *self, gint64 visit_id, GError **error)
{
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(NhipStmt) stmt = NULL;
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	stmt = nhipi_store_prepare(
		self, "SELECT sha256 FROM attachments WHERE visit_id = ? ORDER BY id", error);
	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, visit_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(list, nhipi_column_text(stmt, 0));
	if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, _("list attachments"), error);
		return NULL;
	}
	return g_steal_pointer(&list);
}

/**
 * nhip_store_visit_get_records:
 * @self: the store
 * @visit_id: a visit
 * @facility: (out) (transfer full): the station's facility
 * @visit: (out) (transfer full): the visit
 * @patient: (out) (transfer full): its patient
 * @observations: (out) (transfer full) (optional) (element-type NhipObservation): its
 *   observations in time order, or %NULL not to read them
 * @error: return location for a #GError
 *
 * Reads everything an export of a visit needs. On failure nothing is returned.
 *
 * Returns: %TRUE on success; %FALSE with %NHIP_STORE_ERROR_NOT_FOUND for no such visit or
 *   no facility set
 */
gboolean
nhip_store_visit_get_records(NhipStore *self,
			     gint64 visit_id,
			     NhipFacility **facility,
			     NhipVisit **visit,
			     NhipPatient **patient,
			     GPtrArray **observations,
			     GError **error)
{
	g_autoptr(NhipFacility) facility_local = NULL;
	g_autoptr(NhipVisit) visit_local = NULL;
	g_autoptr(NhipPatient) patient_local = NULL;
	g_autoptr(GPtrArray) observations_local = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	g_return_val_if_fail(facility != NULL && visit != NULL && patient != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	facility_local = nhip_store_facility_get(self, error);
	if (facility_local == NULL)
		return FALSE;
	visit_local = nhip_store_visit_get(self, visit_id, error);
	if (visit_local == NULL)
		return FALSE;
	patient_local = nhip_store_patient_get(self, visit_local->patient_id, error);
	if (patient_local == NULL)
		return FALSE;
	if (observations != NULL) {
		observations_local = nhip_store_observation_list(self, visit_id, error);
		if (observations_local == NULL)
			return FALSE;
		*observations = g_steal_pointer(&observations_local);
	}
	*facility = g_steal_pointer(&facility_local);
	*visit = g_steal_pointer(&visit_local);
	*patient = g_steal_pointer(&patient_local);
	return TRUE;
}
