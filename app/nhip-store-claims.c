/*
 * Nhịp — the claim records in the store: claim settings, staff licence numbers, a visit's
 * claim details, its charged services, appointment and referral papers.
 *
 * Claim records may change after a visit is closed (billing is often finished then); every
 * change is checked first and written to the audit log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "nhip-store-claims.h"
#include "nhip-store-private.h"
#include "nhip-validate.h"

/* free text of a claim: the tables allow "n" characters; the portal's checks use 4000 */
#define CLAIM_TEXT_MAX 4000

static gboolean claim_invalid(GError **error, const gchar *format, ...) G_GNUC_PRINTF(2, 3);

static gboolean
claim_invalid(GError **error, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *message = NULL;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID, message);
	return FALSE;
}

/* a piece of free text: valid UTF-8, not too long; %NULL and blank are fine */
static gboolean
claim_check_text(const gchar *text, const gchar *what, guint max_chars, GError **error)
{
	if (text == NULL)
		return TRUE;
	if (!g_utf8_validate(text, -1, NULL))
		return claim_invalid(error, _("the %s is not valid UTF-8 text"), what);
	if (g_utf8_strlen(text, -1) > (glong)max_chars)
		return claim_invalid(error, _("the %s is longer than %u characters"), what,
				     max_chars);
	return TRUE;
}

/* a code: 1..max_chars characters without spaces (licence numbers hold letters such as
 * "Đ", so any printable UTF-8 character is allowed) */
static gboolean
claim_check_code(const gchar *code, const gchar *what, guint max_chars, GError **error)
{
	glong n = code != NULL && g_utf8_validate(code, -1, NULL) ? g_utf8_strlen(code, -1) : 0;

	if (n == 0 || n > (glong)max_chars)
		return claim_invalid(error, _("the %s must have 1 to %u characters"), what,
				     max_chars);
	for (const gchar *p = code; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (!g_unichar_isgraph(c))
			return claim_invalid(error,
					     _("the %s “%s” may only hold letters, digits and "
					       "signs, without spaces"),
					     what, code);
	}
	return TRUE;
}

static gboolean
claim_all_digits(const gchar *text)
{
	for (const gchar *p = text; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p))
			return FALSE;
	}
	return TRUE;
}

static gchar *
claim_blank_to_null(const gchar *text)
{
	g_autofree gchar *copy = NULL;

	if (text == NULL)
		return NULL;
	copy = g_strstrip(g_strdup(text));
	return copy[0] != '\0' ? g_steal_pointer(&copy) : NULL;
}

/* runs a query of one row for @id; returns the statement on its row, or %NULL with
 * %NHIP_STORE_ERROR_NOT_FOUND (@missing) when there is none, or the store's error (@what) */
static NhipStmt *
claim_row(NhipStore *self,
	  const gchar *sql,
	  gint64 id,
	  const gchar *missing,
	  const gchar *what,
	  GError **error)
{
	NhipStmt *stmt = nhipi_store_prepare(self, sql, error);
	gint rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return stmt;
	if (rc == SQLITE_DONE)
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND, missing);
	else
		nhipi_store_set_error(self, rc, what, error);
	nhipi_stmt_release(stmt);
	return NULL;
}

/* reads a visit's open and close times; NOT_FOUND when there is no such visit */
static gboolean
claim_visit_times(NhipStore *self, gint64 visit_id, gint64 *opened, gint64 *closed, GError **error)
{
	g_autofree gchar *missing = g_strdup_printf(_("there is no visit %" PRId64), visit_id);
	g_autoptr(NhipStmt) stmt =
		claim_row(self, "SELECT opened_at, closed_at FROM visits WHERE id = ?", visit_id,
			  missing, _("read the visit"), error);

	if (stmt == NULL)
		return FALSE;
	if (opened != NULL)
		*opened = sqlite3_column_int64(stmt, 0);
	if (closed != NULL)
		*closed = sqlite3_column_int64(stmt, 1);
	return TRUE;
}

/* checks that a staff account exists (0 means none recorded) */
static gboolean
claim_check_staff(NhipStore *self, gint64 staff_id, GError **error)
{
	g_autoptr(NhipStaff) staff = NULL;

	if (staff_id == 0)
		return TRUE;
	staff = nhip_store_staff_get(self, staff_id, error);
	return staff != NULL;
}

static void
claim_bind_id(NhipStmt *stmt, gint index, gint64 id)
{
	if (id != 0)
		sqlite3_bind_int64(stmt, index, id);
	else
		sqlite3_bind_null(stmt, index);
}

/* ----- settings ----- */

/**
 * nhip_store_claim_settings_set:
 * @self: the store
 * @settings: the department code and the head of the facility's code
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_claim_settings_set(NhipStore *self, const NhipClaimSettings *settings, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	g_autofree gchar *director = NULL;
	g_autofree gchar *director_license = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	g_return_val_if_fail(settings != NULL, FALSE);
	if (!claim_check_code(settings->department_code, _("department code (MA_KHOA)"), 50, error))
		return FALSE;
	director = claim_blank_to_null(settings->director_code);
	if (director != NULL && (strlen(director) != 10 || !claim_all_digits(director)))
		return claim_invalid(error,
				     _("the BHXH number of the head of the facility (MA_TTDV) "
				       "“%s” must be 10 digits"),
				     director);
	director_license = claim_blank_to_null(settings->director_license);
	if (director_license != NULL &&
	    !claim_check_code(director_license,
			      _("licence number of the head of the facility (MA_TTDV)"), 255,
			      error))
		return FALSE;
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	stmt = nhipi_store_prepare(
		self,
		"INSERT INTO claim_settings (id, department_code, director_code, "
		"director_license, updated_at) VALUES (1, ?, ?, ?, ?) "
		"ON CONFLICT (id) DO UPDATE SET "
		"department_code = excluded.department_code, "
		"director_code = excluded.director_code, "
		"director_license = excluded.director_license, "
		"updated_at = excluded.updated_at",
		error);
	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, settings->department_code);
	nhipi_bind_text(stmt, 2, director);
	nhipi_bind_text(stmt, 3, director_license);
	sqlite3_bind_int64(stmt, 4, nhipi_store_now(self));
	if (!nhipi_store_step_done(self, stmt, _("save the claim settings"), error))
		return FALSE;
	if (!nhipi_store_audit(self, "claim.settings", "facility", 1, NULL, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_claim_settings_get:
 * @self: the store
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the settings, or %NULL with
 *   %NHIP_STORE_ERROR_NOT_FOUND before they are set
 */
NhipClaimSettings *
nhip_store_claim_settings_get(NhipStore *self, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;
	NhipClaimSettings *settings;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	stmt = claim_row(self,
			 "SELECT department_code, director_code, director_license FROM "
			 "claim_settings WHERE id = ?",
			 1,
			 _("the claim settings are not set; run “nhipctl claim settings "
			   "--department CODE [--director-code BHXH_NUMBER] "
			   "[--director-license NUMBER]”"),
			 _("read the claim settings"), error);
	if (stmt == NULL)
		return NULL;
	settings = g_new0(NhipClaimSettings, 1);
	settings->department_code = nhipi_column_text(stmt, 0);
	settings->director_code = nhipi_column_text(stmt, 1);
	settings->director_license = nhipi_column_text(stmt, 2);
	return settings;
}

/* ----- staff licence numbers ----- */

/**
 * nhip_store_staff_set_license:
 * @self: the store
 * @staff_id: a staff account
 * @license_no: (nullable): the practising-licence number (số GPHN / CCHN) that the claim
 *   tables use as MA_BAC_SI and NGUOI_THUC_HIEN; %NULL or blank removes it
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_staff_set_license(NhipStore *self,
			     gint64 staff_id,
			     const gchar *license_no,
			     GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	g_autofree gchar *license = claim_blank_to_null(license_no);

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	if (license != NULL && !claim_check_code(license, _("licence number"), 255, error))
		return FALSE;
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	if (!claim_check_staff(self, staff_id, error))
		return FALSE;
	stmt = nhipi_store_prepare(self, "UPDATE staff SET license_no = ? WHERE id = ?", error);
	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, license);
	sqlite3_bind_int64(stmt, 2, staff_id);
	if (!nhipi_store_step_done(self, stmt, _("save the licence number"), error))
		return FALSE;
	if (!nhipi_store_audit(self, "staff.license", "staff", staff_id, NULL, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_staff_get_license:
 * @self: the store
 * @staff_id: a staff account
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the licence number; %NULL without an error when
 *   none is recorded, %NULL with %NHIP_STORE_ERROR_NOT_FOUND for an unknown account
 */
gchar *
nhip_store_staff_get_license(NhipStore *self, gint64 staff_id, GError **error)
{
	g_autofree gchar *missing = NULL;
	g_autoptr(NhipStmt) stmt = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	missing = g_strdup_printf(_("there is no staff account %" PRId64), staff_id);
	stmt = claim_row(self, "SELECT license_no FROM staff WHERE id = ?", staff_id, missing,
			 _("read the staff account"), error);
	if (stmt == NULL)
		return NULL;
	return nhipi_column_text(stmt, 0);
}

/* ----- a visit's claim details ----- */

/**
 * nhip_store_visit_claim_set:
 * @self: the store
 * @claim: the claim details of a visit
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success; on error nothing is changed
 */
gboolean
nhip_store_visit_claim_set(NhipStore *self, const NhipVisitClaim *claim, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	g_autofree gchar *category = NULL;
	g_autofree gchar *diagnosis = NULL;
	g_autofree gchar *treatment = NULL;
	g_autofree gchar *referred_from = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	g_return_val_if_fail(claim != NULL, FALSE);
	if (!nhip_claim_care_type_valid(claim->care_type))
		return claim_invalid(error,
				     _("the care type (MA_LOAI_KCB) “%s” must be a code from 01 "
				       "to 10, e.g. 01 for an examination or 06 for treatment "
				       "at the station"),
				     claim->care_type != NULL ? claim->care_type : "");
	category = claim_blank_to_null(claim->category);
	if (category != NULL && !nhip_claim_category_valid(category))
		return claim_invalid(error,
				     _("the visit category (MA_DOITUONG_KCB) “%s” must look like "
				       "the codes of QĐ 824, e.g. 1.1, 2 or 3.1"),
				     category);
	if (claim->outcome < 1 || claim->outcome > 8)
		return claim_invalid(error,
				     _("the outcome (KET_QUA_DTRI) must be a code from 1 to 8"));
	diagnosis = claim_blank_to_null(claim->diagnosis_text);
	treatment = claim_blank_to_null(claim->treatment);
	if (!claim_check_text(diagnosis, _("diagnosis text"), CLAIM_TEXT_MAX, error) ||
	    !claim_check_text(treatment, _("treatment text"), CLAIM_TEXT_MAX, error))
		return FALSE;
	referred_from = claim_blank_to_null(claim->referred_from);
	if (referred_from != NULL && !nhip_validate_facility_code(referred_from, error))
		return FALSE;

	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	if (!claim_visit_times(self, claim->visit_id, NULL, NULL, error))
		return FALSE;
	stmt = nhipi_store_prepare(
		self,
		"INSERT INTO visit_claims (visit_id, care_type, category, diagnosis_text, "
		"treatment, referred_from, outcome, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT (visit_id) DO UPDATE SET care_type = excluded.care_type, "
		"category = excluded.category, diagnosis_text = excluded.diagnosis_text, "
		"treatment = excluded.treatment, referred_from = excluded.referred_from, "
		"outcome = excluded.outcome, updated_at = excluded.updated_at",
		error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, claim->visit_id);
	nhipi_bind_text(stmt, 2, claim->care_type);
	nhipi_bind_text(stmt, 3, category);
	nhipi_bind_text(stmt, 4, diagnosis);
	nhipi_bind_text(stmt, 5, treatment);
	nhipi_bind_text(stmt, 6, referred_from);
	sqlite3_bind_int(stmt, 7, claim->outcome);
	sqlite3_bind_int64(stmt, 8, nhipi_store_now(self));
	if (!nhipi_store_step_done(self, stmt, _("save the claim details"), error))
		return FALSE;
	if (!nhipi_store_audit(self, "visit.claim", "visit", claim->visit_id, NULL, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_visit_claim_get:
 * @self: the store
 * @visit_id: a visit
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the visit's claim details, the defaults of
 *   nhip_visit_claim_new() when none were recorded, or %NULL with
 *   %NHIP_STORE_ERROR_NOT_FOUND for an unknown visit
 */
NhipVisitClaim *
nhip_store_visit_claim_get(NhipStore *self, gint64 visit_id, GError **error)
{
	g_autoptr(NhipVisitClaim) claim = nhip_visit_claim_new(visit_id);
	g_autoptr(NhipStmt) stmt = NULL;
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	if (!claim_visit_times(self, visit_id, NULL, NULL, error))
		return NULL;
	stmt = nhipi_store_prepare(self,
				   "SELECT care_type, category, diagnosis_text, treatment, "
				   "referred_from, outcome FROM visit_claims WHERE visit_id = ?",
				   error);
	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, visit_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		g_free(claim->care_type);
		claim->care_type = nhipi_column_text(stmt, 0);
		claim->category = nhipi_column_text(stmt, 1);
		claim->diagnosis_text = nhipi_column_text(stmt, 2);
		claim->treatment = nhipi_column_text(stmt, 3);
		claim->referred_from = nhipi_column_text(stmt, 4);
		claim->outcome = sqlite3_column_int(stmt, 5);
	} else if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, _("read the claim details"), error);
		return NULL;
	}
	return g_steal_pointer(&claim);
}

/* ----- services ----- */

/**
 * nhip_store_visit_service_add:
 * @self: the store
 * @service: a charged service; its id is set; an order or performance time of 0 takes
 *   the current time
 * @error: return location for a #GError
 *
 * Returns: the service line's id, or 0 on error
 */
gint64
nhip_store_visit_service_add(NhipStore *self, NhipVisitService *service, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	gint64 now = nhipi_store_now(self);
	gint64 opened = 0, closed = 0;
	gint64 id;

	g_return_val_if_fail(NHIP_IS_STORE(self), 0);
	g_return_val_if_fail(service != NULL, 0);
	if (!claim_check_code(service->code, _("service code (MA_DICH_VU)"), 50, error))
		return 0;
	if (service->name == NULL || g_strstrip(service->name)[0] == '\0') {
		claim_invalid(error, _("the service needs a name (TEN_DICH_VU)"));
		return 0;
	}
	if (!claim_check_text(service->name, _("service name"), 1024, error))
		return 0;
	if (service->unit == NULL || g_strstrip(service->unit)[0] == '\0' ||
	    !claim_check_text(service->unit, _("unit"), 50, error)) {
		if (error == NULL || *error == NULL)
			claim_invalid(error,
				      _("the service needs a unit (DON_VI_TINH), e.g. “Lần”"));
		return 0;
	}
	if (service->cost_group < 1 || service->cost_group > 19) {
		claim_invalid(error, _("the cost group (MA_NHOM) must be from 1 to 19; 13 is an "
				       "examination"));
		return 0;
	}
	/* SO_LUONG is a number of at most 10 characters: keep 3 decimals at most */
	if (!(service->quantity > 0) || service->quantity > 99999 ||
	    fabs(service->quantity * 1000 - round(service->quantity * 1000)) > 1e-6) {
		claim_invalid(error, _("the quantity must be above 0 and below 100000, with at "
				       "most 3 decimals"));
		return 0;
	}
	if (service->price_hospital < 0 || service->price_insurance < 0 ||
	    service->price_hospital > 999999999999 || service->price_insurance > 999999999999) {
		claim_invalid(error, _("prices must be whole amounts of đồng from 0 to "
				       "999 999 999 999"));
		return 0;
	}
	if (service->service_rate < 0 || service->service_rate > 100 ||
	    service->insurance_rate < 0 || service->insurance_rate > 100) {
		claim_invalid(error, _("payment rates are percentages from 0 to 100"));
		return 0;
	}
	if (service->scope < 1 || service->scope > 3) {
		claim_invalid(error, _("the benefit scope (PHAM_VI) must be 1, 2 or 3"));
		return 0;
	}
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return 0;
	if (!claim_visit_times(self, service->visit_id, &opened, &closed, error))
		return 0;
	if (!claim_check_staff(self, service->staff_id, error))
		return 0;
	if (service->ordered_at == 0)
		service->ordered_at = MAX(now, opened);
	if (service->performed_at == 0)
		service->performed_at = service->ordered_at;
	if (service->ordered_at < opened || service->performed_at < service->ordered_at ||
	    (closed != 0 && service->performed_at > closed)) {
		claim_invalid(error, _("the service must be ordered and done during the visit, "
				       "and done after it was ordered"));
		return 0;
	}
	stmt = nhipi_store_prepare(
		self,
		"INSERT INTO visit_services (visit_id, code, name, cost_group, unit, quantity, "
		"price_hospital, price_insurance, service_rate, insurance_rate, scope, "
		"ordered_at, performed_at, staff_id, created_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		error);
	if (stmt == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, service->visit_id);
	nhipi_bind_text(stmt, 2, service->code);
	nhipi_bind_text(stmt, 3, service->name);
	sqlite3_bind_int(stmt, 4, service->cost_group);
	nhipi_bind_text(stmt, 5, service->unit);
	sqlite3_bind_double(stmt, 6, service->quantity);
	sqlite3_bind_int64(stmt, 7, service->price_hospital);
	sqlite3_bind_int64(stmt, 8, service->price_insurance);
	sqlite3_bind_int(stmt, 9, service->service_rate);
	sqlite3_bind_int(stmt, 10, service->insurance_rate);
	sqlite3_bind_int(stmt, 11, service->scope);
	sqlite3_bind_int64(stmt, 12, service->ordered_at);
	sqlite3_bind_int64(stmt, 13, service->performed_at);
	claim_bind_id(stmt, 14, service->staff_id);
	sqlite3_bind_int64(stmt, 15, now);
	if (!nhipi_store_step_done(self, stmt, _("save the service"), error))
		return 0;
	id = sqlite3_last_insert_rowid(self->db);
	if (!nhipi_store_audit(self, "visit.service.add", "visit", service->visit_id, service->code,
			       error))
		return 0;
	if (!nhipi_store_txn_commit(txn, error))
		return 0;
	service->id = id;
	return id;
}

/**
 * nhip_store_visit_service_remove:
 * @self: the store
 * @service_id: a service line
 * @error: return location for a #GError
 *
 * Returns: %TRUE when removed; %NHIP_STORE_ERROR_NOT_FOUND for an unknown line
 */
gboolean
nhip_store_visit_service_remove(NhipStore *self, gint64 service_id, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	gint64 visit_id = 0;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	{
		g_autofree gchar *missing =
			g_strdup_printf(_("there is no service line %" PRId64), service_id);
		g_autoptr(NhipStmt) stmt =
			claim_row(self, "SELECT visit_id FROM visit_services WHERE id = ?",
				  service_id, missing, _("read the service"), error);
		if (stmt == NULL)
			return FALSE;
		visit_id = sqlite3_column_int64(stmt, 0);
	}
	{
		g_autoptr(NhipStmt) stmt =
			nhipi_store_prepare(self, "DELETE FROM visit_services WHERE id = ?", error);
		if (stmt == NULL)
			return FALSE;
		sqlite3_bind_int64(stmt, 1, service_id);
		if (!nhipi_store_step_done(self, stmt, _("remove the service"), error))
			return FALSE;
	}
	if (!nhipi_store_audit(self, "visit.service.remove", "visit", visit_id, NULL, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_visit_service_list:
 * @self: the store
 * @visit_id: a visit
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type NhipVisitService) (nullable): the visit's
 *   service lines in the order they were ordered
 */
GPtrArray *
nhip_store_visit_service_list(NhipStore *self, gint64 visit_id, GError **error)
{
	g_autoptr(GPtrArray) list =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_visit_service_free);
	g_autoptr(NhipStmt) stmt = NULL;
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	stmt = nhipi_store_prepare(self,
				   "SELECT id, code, name, cost_group, unit, quantity, "
				   "price_hospital, price_insurance, service_rate, insurance_rate, "
				   "scope, ordered_at, performed_at, staff_id FROM visit_services "
				   "WHERE visit_id = ? ORDER BY ordered_at, id",
				   error);
	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, visit_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		NhipVisitService *service = nhip_visit_service_new(visit_id);
		service->id = sqlite3_column_int64(stmt, 0);
		service->code = nhipi_column_text(stmt, 1);
		service->name = nhipi_column_text(stmt, 2);
		service->cost_group = sqlite3_column_int(stmt, 3);
		service->unit = nhipi_column_text(stmt, 4);
		service->quantity = sqlite3_column_double(stmt, 5);
		service->price_hospital = sqlite3_column_int64(stmt, 6);
		service->price_insurance = sqlite3_column_int64(stmt, 7);
		service->service_rate = sqlite3_column_int(stmt, 8);
		service->insurance_rate = sqlite3_column_int(stmt, 9);
		service->scope = sqlite3_column_int(stmt, 10);
		service->ordered_at = sqlite3_column_int64(stmt, 11);
		service->performed_at = sqlite3_column_int64(stmt, 12);
		service->staff_id = sqlite3_column_int64(stmt, 13);
		g_ptr_array_add(list, service);
	}
	if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, _("read the services"), error);
		return NULL;
	}
	return g_steal_pointer(&list);
}

/* ----- appointment paper ----- */

/**
 * nhip_store_visit_appointment_set:
 * @self: the store
 * @appointment: the appointment given at the visit; an @issued_at of 0 takes now
 * @error: return location for a #GError
 *
 * Records (or replaces) the appointment paper (giấy hẹn khám lại) of a visit.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_visit_appointment_set(NhipStore *self,
				 const NhipAppointment *appointment,
				 GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	g_autofree gchar *date = NULL;
	g_autoptr(GDateTime) opened_time = NULL;
	g_autofree gchar *opened_day = NULL;
	gint64 opened = 0;
	gint64 issued;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	g_return_val_if_fail(appointment != NULL, FALSE);
	if (!claim_check_code(appointment->number, _("appointment paper number"), 50, error))
		return FALSE;
	date = nhip_validate_date(appointment->date, TRUE, error);
	if (date == NULL)
		return FALSE;
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	if (!claim_visit_times(self, appointment->visit_id, &opened, NULL, error))
		return FALSE;
	if (!claim_check_staff(self, appointment->staff_id, error))
		return FALSE;
	opened_time = g_date_time_new_from_unix_local(opened);
	opened_day = g_date_time_format(opened_time, "%Y-%m-%d");
	if (g_strcmp0(date, opened_day) <= 0)
		return claim_invalid(error,
				     _("the appointment on %s must be after the day of the visit "
				       "(%s)"),
				     date, opened_day);
	issued = appointment->issued_at != 0 ? appointment->issued_at
					     : MAX(nhipi_store_now(self), opened);
	if (issued < opened)
		return claim_invalid(error,
				     _("the appointment paper cannot be given before the visit"));
	stmt = nhipi_store_prepare(
		self,
		"INSERT INTO visit_appointments (visit_id, number, date, issued_at, staff_id) "
		"VALUES (?, ?, ?, ?, ?) ON CONFLICT (visit_id) DO UPDATE SET "
		"number = excluded.number, date = excluded.date, "
		"issued_at = excluded.issued_at, staff_id = excluded.staff_id",
		error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, appointment->visit_id);
	nhipi_bind_text(stmt, 2, appointment->number);
	nhipi_bind_text(stmt, 3, date);
	sqlite3_bind_int64(stmt, 4, issued);
	claim_bind_id(stmt, 5, appointment->staff_id);
	if (!nhipi_store_step_done(self, stmt, _("save the appointment"), error))
		return FALSE;
	if (!nhipi_store_audit(self, "visit.appointment", "visit", appointment->visit_id, NULL,
			       error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_visit_appointment_get:
 * @self: the store
 * @visit_id: a visit
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the appointment, or %NULL with
 *   %NHIP_STORE_ERROR_NOT_FOUND when the visit has none
 */
NhipAppointment *
nhip_store_visit_appointment_get(NhipStore *self, gint64 visit_id, GError **error)
{
	g_autofree gchar *missing = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	NhipAppointment *appointment;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	missing = g_strdup_printf(_("visit %" PRId64 " has no appointment"), visit_id);
	stmt = claim_row(self,
			 "SELECT number, date, issued_at, staff_id FROM visit_appointments "
			 "WHERE visit_id = ?",
			 visit_id, missing, _("read the appointment"), error);
	if (stmt == NULL)
		return NULL;
	appointment = g_new0(NhipAppointment, 1);
	appointment->visit_id = visit_id;
	appointment->number = nhipi_column_text(stmt, 0);
	appointment->date = nhipi_column_text(stmt, 1);
	appointment->issued_at = sqlite3_column_int64(stmt, 2);
	appointment->staff_id = sqlite3_column_int64(stmt, 3);
	return appointment;
}

/* ----- referral paper ----- */

/**
 * nhip_store_visit_referral_set:
 * @self: the store
 * @referral: the referral given at the visit; an @issued_at of 0 takes now
 * @error: return location for a #GError
 *
 * Records (or replaces) the referral paper (giấy chuyển tuyến) of a visit. The claim then
 * has MA_LOAI_RV 2, or 5 when the patient asked for it (@reason 3).
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_visit_referral_set(NhipStore *self, const NhipReferral *referral, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	g_autoptr(NhipFacility) facility = NULL;
	const gchar *texts[] = { referral->signs,	referral->course,    referral->results,
				 referral->direction,	referral->transport, referral->escort_name,
				 referral->escort_title };
	const gchar *what[] = { _("clinical signs"),	 _("course of the illness"),
				_("summary of results"), _("advised treatment"),
				_("means of transport"), _("escort's name"),
				_("escort's title") };
	const guint max[] = {
		CLAIM_TEXT_MAX, CLAIM_TEXT_MAX, CLAIM_TEXT_MAX, CLAIM_TEXT_MAX, 255, 255, 255
	};
	gint64 opened = 0;
	gint64 issued;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	g_return_val_if_fail(referral != NULL, FALSE);
	if (!claim_check_code(referral->number, _("referral paper number"), 50, error))
		return FALSE;
	if (!nhip_validate_facility_code(referral->to_facility, error))
		return FALSE;
	if (referral->reason < 1 || referral->reason > 3)
		return claim_invalid(error,
				     _("the referral reason (MA_LYDO_CT) must be 1 (meets the "
				       "referral rules), 2 (beyond what the station can do) or 3 "
				       "(the patient asked)"));
	for (guint i = 0; i < G_N_ELEMENTS(texts); i++) {
		if (!claim_check_text(texts[i], what[i], max[i], error))
			return FALSE;
	}
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	if (!claim_visit_times(self, referral->visit_id, &opened, NULL, error))
		return FALSE;
	if (!claim_check_staff(self, referral->staff_id, error))
		return FALSE;
	facility = nhip_store_facility_get(self, NULL);
	if (facility != NULL && g_strcmp0(facility->code, referral->to_facility) == 0)
		return claim_invalid(error,
				     _("a patient cannot be referred to this facility "
				       "itself (%s)"),
				     referral->to_facility);
	issued =
		referral->issued_at != 0 ? referral->issued_at : MAX(nhipi_store_now(self), opened);
	if (issued < opened)
		return claim_invalid(error, _("the referral cannot be given before the visit"));
	stmt = nhipi_store_prepare(
		self,
		"INSERT INTO visit_referrals (visit_id, number, to_facility, reason, signs, "
		"course, results, direction, transport, escort_name, escort_title, issued_at, "
		"staff_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT (visit_id) DO UPDATE SET number = excluded.number, "
		"to_facility = excluded.to_facility, reason = excluded.reason, "
		"signs = excluded.signs, course = excluded.course, results = excluded.results, "
		"direction = excluded.direction, transport = excluded.transport, "
		"escort_name = excluded.escort_name, escort_title = excluded.escort_title, "
		"issued_at = excluded.issued_at, staff_id = excluded.staff_id",
		error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, referral->visit_id);
	nhipi_bind_text(stmt, 2, referral->number);
	nhipi_bind_text(stmt, 3, referral->to_facility);
	sqlite3_bind_int(stmt, 4, referral->reason);
	for (guint i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autofree gchar *text = claim_blank_to_null(texts[i]);
		nhipi_bind_text(stmt, 5 + (gint)i, text);
	}
	sqlite3_bind_int64(stmt, 12, issued);
	claim_bind_id(stmt, 13, referral->staff_id);
	if (!nhipi_store_step_done(self, stmt, _("save the referral"), error))
		return FALSE;
	if (!nhipi_store_audit(self, "visit.referral", "visit", referral->visit_id,
			       referral->to_facility, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_visit_referral_get:
 * @self: the store
 * @visit_id: a visit
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the referral, or %NULL with
 *   %NHIP_STORE_ERROR_NOT_FOUND when the visit has none
 */
NhipReferral *
nhip_store_visit_referral_get(NhipStore *self, gint64 visit_id, GError **error)
{
	g_autofree gchar *missing = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	NhipReferral *referral;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	missing = g_strdup_printf(_("visit %" PRId64 " has no referral"), visit_id);
	stmt = claim_row(self,
			 "SELECT number, to_facility, reason, signs, course, results, direction, "
			 "transport, escort_name, escort_title, issued_at, staff_id "
			 "FROM visit_referrals WHERE visit_id = ?",
			 visit_id, missing, _("read the referral"), error);
	if (stmt == NULL)
		return NULL;
	referral = g_new0(NhipReferral, 1);
	referral->visit_id = visit_id;
	referral->number = nhipi_column_text(stmt, 0);
	referral->to_facility = nhipi_column_text(stmt, 1);
	referral->reason = sqlite3_column_int(stmt, 2);
	referral->signs = nhipi_column_text(stmt, 3);
	referral->course = nhipi_column_text(stmt, 4);
	referral->results = nhipi_column_text(stmt, 5);
	referral->direction = nhipi_column_text(stmt, 6);
	referral->transport = nhipi_column_text(stmt, 7);
	referral->escort_name = nhipi_column_text(stmt, 8);
	referral->escort_title = nhipi_column_text(stmt, 9);
	referral->issued_at = sqlite3_column_int64(stmt, 10);
	referral->staff_id = sqlite3_column_int64(stmt, 11);
	return referral;
}
