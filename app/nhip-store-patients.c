/*
 * Nhịp — patients in the store, and the search staff use to find them.
 *
 * Search folds case, tone marks and Đ/đ (nhip_text_fold), matches every typed word as a
 * prefix of a word of the name or of an ID number (CCCD, BHYT, phone), and ranks:
 *   0  the whole name is what was typed
 *   1  the name starts with what was typed, when that is more than one word
 *   2  the last typed word starts the given name (the last word of a Vietnamese name:
 *      people are called by it, so one word typed is most often the given name)
 *   3  the words match elsewhere in the name
 *   4  an ID number matches
 * then by name. All of it runs on the FTS5 index and the folded-name B-tree index: a query
 * never scans the patients table. When a query matches very many patients (one or two
 * letters typed), ranking every match would cost more than a keystroke allows, so the
 * names that start with the typed text come first, in name order, and the best of the
 * most recently registered matches fill the rest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-store-private.h"
#include "nhip-text.h"
#include "nhip-validate.h"

/* above this many matches a query is "broad" and takes the cheap ordering */
#define SEARCH_RANK_LIMIT 1000

#define PATIENT_COLUMNS                                                                       \
	"p.id, p.full_name, p.birth, p.sex, p.ethnicity, p.cccd, p.bhyt, p.bhyt_valid_from, " \
	"p.bhyt_valid_to, p.bhyt_facility, p.address, p.province_code, p.district_code, "     \
	"p.commune_code, p.phone, p.guardian_name, p.guardian_phone, p.guardian_relation, "   \
	"p.created_at, p.updated_at"

static NhipPatient *
patient_from_row(NhipStmt *stmt)
{
	NhipPatient *patient = nhip_patient_new();

	patient->id = sqlite3_column_int64(stmt, 0);
	patient->full_name = nhipi_column_text(stmt, 1);
	patient->birth = nhipi_column_text(stmt, 2);
	patient->sex = (NhipSex)sqlite3_column_int(stmt, 3);
	patient->ethnicity = nhipi_column_text(stmt, 4);
	patient->cccd = nhipi_column_text(stmt, 5);
	patient->bhyt = nhipi_column_text(stmt, 6);
	patient->bhyt_valid_from = nhipi_column_text(stmt, 7);
	patient->bhyt_valid_to = nhipi_column_text(stmt, 8);
	patient->bhyt_facility = nhipi_column_text(stmt, 9);
	patient->address = nhipi_column_text(stmt, 10);
	patient->province_code = nhipi_column_text(stmt, 11);
	patient->district_code = nhipi_column_text(stmt, 12);
	patient->commune_code = nhipi_column_text(stmt, 13);
	patient->phone = nhipi_column_text(stmt, 14);
	patient->guardian_name = nhipi_column_text(stmt, 15);
	patient->guardian_phone = nhipi_column_text(stmt, 16);
	patient->guardian_relation = nhipi_column_text(stmt, 17);
	patient->created_at = sqlite3_column_int64(stmt, 18);
	patient->updated_at = sqlite3_column_int64(stmt, 19);
	return patient;
}

/* replace a string field by its validated form; an empty string clears it */
static gboolean
patient_normalize_field(gchar **field, gchar *(*check)(const gchar *, GError **), GError **error)
{
	gchar *normalized;

	if (*field == NULL)
		return TRUE;
	g_strstrip(*field);
	if ((*field)[0] == '\0') {
		g_clear_pointer(field, g_free);
		return TRUE;
	}
	normalized = check(*field, error);
	if (normalized == NULL)
		return FALSE;
	g_free(*field);
	*field = normalized;
	return TRUE;
}

static gchar *
patient_check_future_date(const gchar *text, GError **error)
{
	return nhip_validate_date(text, TRUE, error);
}

static gchar *
patient_check_past_date(const gchar *text, GError **error)
{
	return nhip_validate_date(text, FALSE, error);
}

static gboolean
patient_strip_optional(gchar **field)
{
	if (*field != NULL) {
		g_strstrip(*field);
		if ((*field)[0] == '\0')
			g_clear_pointer(field, g_free);
	}
	return TRUE;
}

/**
 * nhip_store_patient_check:
 * @patient: a patient as typed
 * @error: return location for a #GError
 *
 * Validates and normalises every field in place: name (NFC, single spaces), birth date
 * or year, citizen ID (and that its digits agree with sex and birth year), insurance
 * card number and validity, phone numbers, ethnicity code.
 *
 * Returns: %TRUE when the patient may be stored
 */
gboolean
nhip_store_patient_check(NhipPatient *patient, GError **error)
{
	g_autofree gchar *name = NULL;
	g_autofree gchar *birth = NULL;

	name = nhip_text_normalize_name(patient->full_name);
	if (!nhip_validate_name(name, error))
		return FALSE;
	g_free(patient->full_name);
	patient->full_name = g_steal_pointer(&name);

	if (patient->birth == NULL || patient->birth[0] == '\0') {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("the date of birth is missing; give the date, or the year "
				      "alone if that is all the patient knows"));
		return FALSE;
	}
	birth = nhip_validate_birth(patient->birth, error);
	if (birth == NULL)
		return FALSE;
	g_free(patient->birth);
	patient->birth = g_steal_pointer(&birth);

	if (!patient_normalize_field(&patient->cccd, nhip_validate_cccd, error))
		return FALSE;
	if (!nhip_validate_cccd_matches(patient->cccd, patient->birth, patient->sex, error))
		return FALSE;
	if (!patient_normalize_field(&patient->bhyt, nhip_validate_bhyt, error))
		return FALSE;
	if (!patient_normalize_field(&patient->bhyt_valid_from, patient_check_past_date, error))
		return FALSE;
	if (!patient_normalize_field(&patient->bhyt_valid_to, patient_check_future_date, error))
		return FALSE;
	if (patient->bhyt_valid_from != NULL && patient->bhyt_valid_to != NULL &&
	    g_strcmp0(patient->bhyt_valid_from, patient->bhyt_valid_to) > 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("insurance card validity ends (%s) before it starts (%s)"),
			    patient->bhyt_valid_to, patient->bhyt_valid_from);
		return FALSE;
	}
	if (!patient_normalize_field(&patient->phone, nhip_validate_phone, error))
		return FALSE;
	if (!patient_normalize_field(&patient->guardian_phone, nhip_validate_phone, error))
		return FALSE;
	patient_strip_optional(&patient->ethnicity);
	if (patient->ethnicity != NULL && !nhip_validate_ethnicity(patient->ethnicity, error))
		return FALSE;
	patient_strip_optional(&patient->address);
	patient_strip_optional(&patient->bhyt_facility);
	patient_strip_optional(&patient->province_code);
	patient_strip_optional(&patient->district_code);
	patient_strip_optional(&patient->commune_code);
	patient_strip_optional(&patient->guardian_name);
	patient_strip_optional(&patient->guardian_relation);
	return TRUE;
}

/**
 * nhipi_store_search_index_patient:
 * @self: the store, inside a write transaction
 * @patient: a stored patient
 * @error: return location for a #GError
 *
 * Puts the patient's folded name and ID numbers in the search index, replacing what was
 * there, and keeps the folded name of the patients table in step.
 *
 * Returns: %TRUE on success
 */
gboolean
nhipi_store_search_index_patient(NhipStore *self, const NhipPatient *patient, GError **error)
{
	g_autofree gchar *folded = nhip_text_fold(patient->full_name);
	g_autofree gchar *ids = NULL;
	g_autofree gchar *ids_folded = NULL;

	ids = g_strjoin(" ", patient->cccd != NULL ? patient->cccd : "",
			patient->bhyt != NULL ? patient->bhyt : "",
			/* the card number without its group code, as staff often type it */
			patient->bhyt != NULL && strlen(patient->bhyt) > 2 ? patient->bhyt + 2 : "",
			patient->phone != NULL ? patient->phone : "", NULL);
	ids_folded = nhip_text_fold(ids);
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self, "DELETE FROM patient_search WHERE rowid = ?", error);
		if (stmt == NULL)
			return FALSE;
		sqlite3_bind_int64(stmt, 1, patient->id);
		if (!nhipi_store_step_done(self, stmt, _("update the search index"), error))
			return FALSE;
	}
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self, "INSERT INTO patient_search (rowid, name, ids) VALUES (?, ?, ?)",
			error);
		if (stmt == NULL)
			return FALSE;
		sqlite3_bind_int64(stmt, 1, patient->id);
		nhipi_bind_text(stmt, 2, folded);
		nhipi_bind_text(stmt, 3, ids_folded);
		if (!nhipi_store_step_done(self, stmt, _("update the search index"), error))
			return FALSE;
	}
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self, "UPDATE patients SET name_folded = ? WHERE id = ?", error);
		if (stmt == NULL)
			return FALSE;
		nhipi_bind_text(stmt, 1, folded);
		sqlite3_bind_int64(stmt, 2, patient->id);
		return nhipi_store_step_done(self, stmt, _("update the search index"), error);
	}
}

static void
patient_bind_fields(NhipStmt *stmt, const NhipPatient *patient, const gchar *folded)
{
	nhipi_bind_text(stmt, 1, patient->full_name);
	nhipi_bind_text(stmt, 2, folded);
	nhipi_bind_text(stmt, 3, patient->birth);
	sqlite3_bind_int(stmt, 4, (gint)patient->sex);
	nhipi_bind_text(stmt, 5, patient->ethnicity);
	nhipi_bind_text(stmt, 6, patient->cccd);
	nhipi_bind_text(stmt, 7, patient->bhyt);
	nhipi_bind_text(stmt, 8, patient->bhyt_valid_from);
	nhipi_bind_text(stmt, 9, patient->bhyt_valid_to);
	nhipi_bind_text(stmt, 10, patient->bhyt_facility);
	nhipi_bind_text(stmt, 11, patient->address);
	nhipi_bind_text(stmt, 12, patient->province_code);
	nhipi_bind_text(stmt, 13, patient->district_code);
	nhipi_bind_text(stmt, 14, patient->commune_code);
	nhipi_bind_text(stmt, 15, patient->phone);
	nhipi_bind_text(stmt, 16, patient->guardian_name);
	nhipi_bind_text(stmt, 17, patient->guardian_phone);
	nhipi_bind_text(stmt, 18, patient->guardian_relation);
}

static gboolean
patient_check_cccd_free(NhipStore *self, const NhipPatient *patient, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;
	gint rc;

	if (patient->cccd == NULL)
		return TRUE;
	stmt = nhipi_store_prepare(self, "SELECT id FROM patients WHERE cccd = ? AND id != ?",
				   error);
	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, patient->cccd);
	sqlite3_bind_int64(stmt, 2, patient->id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT,
			    _("citizen ID %s is already registered to patient %" PRId64
			      "; open that record instead of registering again"),
			    patient->cccd, (gint64)sqlite3_column_int64(stmt, 0));
		return FALSE;
	}
	if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, _("check the citizen ID"), error);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_store_patient_add:
 * @self: the store
 * @patient: the patient as typed; validated and normalised in place, and given its id
 * @error: return location for a #GError
 *
 * Returns: the new patient's id, or 0 on error (nothing is stored then)
 */
gint64
nhip_store_patient_add(NhipStore *self, NhipPatient *patient, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	g_autofree gchar *folded = NULL;
	gint64 now;

	g_return_val_if_fail(NHIP_IS_STORE(self), 0);
	g_return_val_if_fail(patient != NULL, 0);
	g_return_val_if_fail(error == NULL || *error == NULL, 0);

	if (!nhip_store_patient_check(patient, error))
		return 0;
	folded = nhip_text_fold(patient->full_name);
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return 0;
	patient->id = 0;
	if (!patient_check_cccd_free(self, patient, error))
		return 0;
	stmt = nhipi_store_prepare(
		self,
		"INSERT INTO patients (full_name, name_folded, birth, sex, ethnicity, "
		"cccd, bhyt, bhyt_valid_from, bhyt_valid_to, bhyt_facility, address, "
		"province_code, district_code, commune_code, phone, guardian_name, "
		"guardian_phone, guardian_relation, created_at, updated_at) VALUES "
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		error);
	if (stmt == NULL)
		return 0;
	now = nhipi_store_now(self);
	patient_bind_fields(stmt, patient, folded);
	sqlite3_bind_int64(stmt, 19, now);
	sqlite3_bind_int64(stmt, 20, now);
	if (!nhipi_store_step_done(self, stmt, _("register the patient"), error))
		return 0;
	patient->id = sqlite3_last_insert_rowid(self->db);
	patient->created_at = now;
	patient->updated_at = now;
	if (!nhipi_store_search_index_patient(self, patient, error) ||
	    !nhipi_store_audit(self, "patient.add", "patient", patient->id, NULL, error) ||
	    !nhipi_store_txn_commit(txn, error)) {
		patient->id = 0;
		return 0;
	}
	return patient->id;
}

/**
 * nhip_store_patient_get:
 * @self: the store
 * @id: patient id
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the patient, or %NULL with
 * %NHIP_STORE_ERROR_NOT_FOUND
 */
NhipPatient *
nhip_store_patient_get(NhipStore *self, gint64 id, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	stmt = nhipi_store_prepare(
		self, "SELECT " PATIENT_COLUMNS " FROM patients p WHERE p.id = ?", error);
	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return patient_from_row(stmt);
	if (rc == SQLITE_DONE)
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
			    _("there is no patient %" PRId64), id);
	else
		nhipi_store_set_error(self, rc, _("read the patient"), error);
	return NULL;
}

static void
patient_note_change(GString *changed, const gchar *field, const gchar *old, const gchar *new)
{
	if (g_strcmp0(old, new) == 0)
		return;
	if (changed->len > 0)
		g_string_append_c(changed, ',');
	g_string_append(changed, field);
}

/**
 * nhip_store_patient_update:
 * @self: the store
 * @patient: the patient with its id and every field as it should be now
 * @error: return location for a #GError
 *
 * Validates and stores the new fields. The audit log names the fields that changed,
 * never their values.
 *
 * Returns: %TRUE on success; on error nothing is changed
 */
gboolean
nhip_store_patient_update(NhipStore *self, NhipPatient *patient, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	g_autoptr(NhipPatient) old = NULL;
	g_autoptr(GString) changed = g_string_new(NULL);
	g_autofree gchar *folded = NULL;
	gint64 now;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	g_return_val_if_fail(patient != NULL, FALSE);

	if (!nhip_store_patient_check(patient, error))
		return FALSE;
	folded = nhip_text_fold(patient->full_name);
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	old = nhip_store_patient_get(self, patient->id, error);
	if (old == NULL)
		return FALSE;
	if (!patient_check_cccd_free(self, patient, error))
		return FALSE;
	patient_note_change(changed, "full_name", old->full_name, patient->full_name);
	patient_note_change(changed, "birth", old->birth, patient->birth);
	patient_note_change(changed, "sex", nhip_sex_to_string(old->sex),
			    nhip_sex_to_string(patient->sex));
	patient_note_change(changed, "ethnicity", old->ethnicity, patient->ethnicity);
	patient_note_change(changed, "cccd", old->cccd, patient->cccd);
	patient_note_change(changed, "bhyt", old->bhyt, patient->bhyt);
	patient_note_change(changed, "bhyt_valid_from", old->bhyt_valid_from,
			    patient->bhyt_valid_from);
	patient_note_change(changed, "bhyt_valid_to", old->bhyt_valid_to, patient->bhyt_valid_to);
	patient_note_change(changed, "bhyt_facility", old->bhyt_facility, patient->bhyt_facility);
	patient_note_change(changed, "address", old->address, patient->address);
	patient_note_change(changed, "province_code", old->province_code, patient->province_code);
	patient_note_change(changed, "district_code", old->district_code, patient->district_code);
	patient_note_change(changed, "commune_code", old->commune_code, patient->commune_code);
	patient_note_change(changed, "phone", old->phone, patient->phone);
	patient_note_change(changed, "guardian_name", old->guardian_name, patient->guardian_name);
	patient_note_change(changed, "guardian_phone", old->guardian_phone,
			    patient->guardian_phone);
	patient_note_change(changed, "guardian_relation", old->guardian_relation,
			    patient->guardian_relation);
	if (changed->len == 0)
		return nhipi_store_txn_commit(txn, error);

	stmt = nhipi_store_prepare(
		self,
		"UPDATE patients SET full_name = ?, name_folded = ?, birth = ?, "
		"sex = ?, ethnicity = ?, cccd = ?, bhyt = ?, bhyt_valid_from = ?, "
		"bhyt_valid_to = ?, bhyt_facility = ?, address = ?, "
		"province_code = ?, district_code = ?, commune_code = ?, phone = ?, "
		"guardian_name = ?, guardian_phone = ?, guardian_relation = ?, "
		"updated_at = ? WHERE id = ?",
		error);
	if (stmt == NULL)
		return FALSE;
	now = nhipi_store_now(self);
	patient_bind_fields(stmt, patient, folded);
	sqlite3_bind_int64(stmt, 19, now);
	sqlite3_bind_int64(stmt, 20, patient->id);
	if (!nhipi_store_step_done(self, stmt, _("save the patient"), error))
		return FALSE;
	if (!nhipi_store_search_index_patient(self, patient, error))
		return FALSE;
	if (!nhipi_store_audit(self, "patient.update", "patient", patient->id, changed->str, error))
		return FALSE;
	if (!nhipi_store_txn_commit(txn, error))
		return FALSE;
	patient->created_at = old->created_at;
	patient->updated_at = now;
	return TRUE;
}

/* ----- search ----- */

/* is every word of @query the start of some word of @name? both are folded */
static gboolean
search_words_match(const gchar *name, const gchar *query)
{
	const gchar *q = query;

	while (*q != '\0') {
		const gchar *q_end = strchr(q, ' ');
		gsize q_len = q_end != NULL ? (gsize)(q_end - q) : strlen(q);
		gboolean found = FALSE;

		for (const gchar *w = name; *w != '\0' && !found;) {
			const gchar *w_end = strchr(w, ' ');
			gsize w_len = w_end != NULL ? (gsize)(w_end - w) : strlen(w);
			found = w_len >= q_len && strncmp(w, q, q_len) == 0;
			w = w_end != NULL ? w_end + 1 : w + w_len;
		}
		if (!found)
			return FALSE;
		q = q_end != NULL ? q_end + 1 : q + q_len;
	}
	return TRUE;
}

/* the rank tier of a match (see the top of this file); both arguments are folded */
static gint
search_tier(const gchar *name, const gchar *query)
{
	const gchar *given;
	const gchar *last;

	if (name == NULL || query == NULL)
		return 4;
	if (strcmp(name, query) == 0)
		return 0;
	if (strchr(query, ' ') != NULL && g_str_has_prefix(name, query))
		return 1;
	if (!search_words_match(name, query))
		return 4;
	given = strrchr(name, ' ');
	given = given != NULL ? given + 1 : name;
	last = strrchr(query, ' ');
	last = last != NULL ? last + 1 : query;
	return g_str_has_prefix(given, last) ? 2 : 3;
}

typedef struct {
	gint64 id;
	gint tier;
	gchar *name;
} SearchHit;

static gint
search_hit_compare(gconstpointer a, gconstpointer b)
{
	const SearchHit *x = a;
	const SearchHit *y = b;
	gint by_name;

	if (x->tier != y->tier)
		return x->tier - y->tier;
	by_name = g_strcmp0(x->name, y->name);
	if (by_name != 0)
		return by_name;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void
search_hit_clear(gpointer data)
{
	SearchHit *hit = data;
	g_free(hit->name);
}

static gboolean
search_all_digits(GStrv tokens)
{
	for (guint i = 0; tokens[i] != NULL; i++) {
		for (const gchar *p = tokens[i]; *p != '\0'; p++) {
			if (!g_ascii_isdigit(*p))
				return FALSE;
		}
	}
	return TRUE;
}

/* build an FTS5 query: every token as a quoted prefix, all required; the tokens are
 * folded letters and digits only, so nothing typed can change the query's syntax */
static gchar *
search_fts_query(GStrv tokens)
{
	GString *out = g_string_new(NULL);
	for (guint i = 0; tokens[i] != NULL; i++) {
		if (out->len > 0)
			g_string_append_c(out, ' ');
		g_string_append_printf(out, "\"%s\"*", tokens[i]);
	}
	return g_string_free(out, FALSE);
}

static gboolean
search_collect(NhipStore *self,
	       NhipStmt *stmt,
	       GPtrArray *results,
	       GHashTable *seen,
	       guint limit,
	       GError **error)
{
	while (results->len < limit) {
		gint64 id;
		gint rc = sqlite3_step(stmt);

		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			nhipi_store_set_error(self, rc, _("search patients"), error);
			return FALSE;
		}
		id = sqlite3_column_int64(stmt, 0);
		if (g_hash_table_contains(seen, &id))
			continue;
		g_hash_table_add(seen, g_memdup2(&id, sizeof(id)));
		g_ptr_array_add(results, patient_from_row(stmt));
	}
	return TRUE;
}

/**
 * nhip_store_patient_search:
 * @self: the store
 * @query: what staff typed: words of a name in any case and with or without tone
 *   marks, or a CCCD, BHYT or phone number (or the start of one)
 * @limit: most results to return (0 for 20)
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type NhipPatient): matches, best first; empty
 * when the query has no letters or digits
 */
GPtrArray *
nhip_store_patient_search(NhipStore *self, const gchar *query, guint limit, GError **error)
{
	g_autoptr(GPtrArray) results =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_patient_free);
	g_autoptr(GHashTable) seen =
		g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	g_auto(GStrv) tokens = nhip_text_tokens(query);
	g_autofree gchar *folded = NULL;
	g_autofree gchar *fts = NULL;
	g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(SearchHit));
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	if (limit == 0)
		limit = 20;
	g_array_set_clear_func(hits, search_hit_clear);
	if (tokens[0] == NULL)
		return g_steal_pointer(&results);
	/* numbers are typed in groups ("0912 345 678"): digits alone make one number */
	if (tokens[1] != NULL && search_all_digits(tokens)) {
		g_autofree gchar *joined = g_strjoinv("", tokens);
		g_strfreev(tokens);
		tokens = g_new0(gchar *, 2);
		tokens[0] = g_steal_pointer(&joined);
	}
	folded = g_strjoinv(" ", tokens);
	fts = search_fts_query(tokens);

	/* one pass over the index, newest first: the matches with their folded names,
	 * stopping once there are more than can be ranked within a keystroke */
	{
		/* the folded name comes from the patients table: reading it back out of the
		 * index's own content costs several times more */
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self,
			"SELECT s.rowid, p.name_folded FROM patient_search s "
			"JOIN patients p ON p.id = s.rowid "
			"WHERE patient_search MATCH ? ORDER BY s.rowid DESC LIMIT ?",
			error);
		if (stmt == NULL)
			return NULL;
		nhipi_bind_text(stmt, 1, fts);
		sqlite3_bind_int(stmt, 2, SEARCH_RANK_LIMIT + 1);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			SearchHit hit = { 0 };
			hit.id = sqlite3_column_int64(stmt, 0);
			hit.name = nhipi_column_text(stmt, 1);
			hit.tier = search_tier(hit.name, folded);
			g_array_append_val(hits, hit);
		}
		if (rc != SQLITE_DONE) {
			nhipi_store_set_error(self, rc, _("search patients"), error);
			return NULL;
		}
	}
	if (hits->len == 0)
		return g_steal_pointer(&results);

	/* broad: first the names that start with the typed text, in name order, from the
	 * B-tree index on folded names */
	if (hits->len > SEARCH_RANK_LIMIT) {
		g_autoptr(NhipStmt) stmt =
			nhipi_store_prepare(self,
					    "SELECT " PATIENT_COLUMNS " FROM patients p "
					    "WHERE p.name_folded >= ?1 AND p.name_folded < ?2 "
					    "ORDER BY p.name_folded, p.id LIMIT ?3",
					    error);
		/* U+10FFFF sorts after every character a folded name can hold */
		g_autofree gchar *upper = g_strconcat(folded, "\xf4\x8f\xbf\xbf", NULL);
		if (stmt == NULL)
			return NULL;
		nhipi_bind_text(stmt, 1, folded);
		nhipi_bind_text(stmt, 2, upper);
		sqlite3_bind_int(stmt, 3, (gint)limit);
		if (!search_collect(self, stmt, results, seen, limit, error))
			return NULL;
	}

	/* then the matches by rank: all of them, or for a broad query the newest ones */
	g_array_sort(hits, search_hit_compare);
	for (guint i = 0; i < hits->len && results->len < limit; i++) {
		gint64 id = g_array_index(hits, SearchHit, i).id;
		NhipPatient *patient;

		if (g_hash_table_contains(seen, &id))
			continue;
		patient = nhip_store_patient_get(self, id, error);
		if (patient == NULL)
			return NULL;
		g_hash_table_add(seen, g_memdup2(&id, sizeof(id)));
		g_ptr_array_add(results, patient);
	}
	return g_steal_pointer(&results);
}
