/*
 * Nhịp — staff accounts in the store: PIN login with lockout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "nhip-pin.h"
#include "nhip-store-private.h"
#include "nhip-text.h"

static gpointer
staff_from_row(NhipStmt *stmt)
{
	NhipStaff *staff = g_new0(NhipStaff, 1);
	g_autoptr(GError) error_local = NULL;

	staff->id = sqlite3_column_int64(stmt, 0);
	staff->name = nhipi_column_text(stmt, 1);
	if (!nhip_role_from_string((const gchar *)sqlite3_column_text(stmt, 2), &staff->role,
				   &error_local))
		staff->role = NHIP_ROLE_STAFF;
	staff->failed_attempts = sqlite3_column_int(stmt, 3);
	staff->locked_until = sqlite3_column_int64(stmt, 4);
	staff->active = sqlite3_column_int(stmt, 5) != 0;
	staff->created_at = sqlite3_column_int64(stmt, 6);
	return staff;
}

#define STAFF_COLUMNS "id, name, role, failed_attempts, locked_until, active, created_at"

/**
 * nhip_store_staff_add:
 * @self: the store
 * @name: display name
 * @role: role
 * @pin: PIN of 4 to 8 digits
 * @error: return location for a #GError
 *
 * Returns: the new account's id, or 0 on error
 */
gint64
nhip_store_staff_add(NhipStore *self,
		     const gchar *name,
		     NhipRole role,
		     const gchar *pin,
		     GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	g_autofree gchar *clean_name = nhip_text_normalize_name(name);
	g_autofree gchar *pin_hash = NULL;
	gint64 id;

	g_return_val_if_fail(NHIP_IS_STORE(self), 0);
	if (g_utf8_strlen(clean_name, -1) < 2 || g_utf8_strlen(clean_name, -1) > 100) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("a staff name must be 2 to 100 characters"));
		return 0;
	}
	/* the slow hash runs before the write lock is taken */
	pin_hash = nhip_pin_hash(pin, error);
	if (pin_hash == NULL)
		return 0;
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return 0;
	stmt = nhipi_store_prepare(self,
				   "INSERT INTO staff (name, role, pin_hash, created_at) "
				   "VALUES (?, ?, ?, ?)",
				   error);
	if (stmt == NULL)
		return 0;
	nhipi_bind_text(stmt, 1, clean_name);
	nhipi_bind_text(stmt, 2, nhip_role_to_string(role));
	nhipi_bind_text(stmt, 3, pin_hash);
	sqlite3_bind_int64(stmt, 4, nhipi_store_now(self));
	if (!nhipi_store_step_done(self, stmt, _("add the staff account"), error))
		return 0;
	id = sqlite3_last_insert_rowid(self->db);
	if (!nhipi_store_audit(self, "staff.add", "staff", id, nhip_role_to_string(role), error))
		return 0;
	if (!nhipi_store_txn_commit(txn, error))
		return 0;
	return id;
}

/**
 * nhip_store_staff_list:
 * @self: the store
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type NhipStaff) (nullable): every account, by name
 */
GPtrArray *
nhip_store_staff_list(NhipStore *self, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	stmt = nhipi_store_prepare(self, "SELECT " STAFF_COLUMNS " FROM staff ORDER BY name, id",
				   error);
	if (stmt == NULL)
		return NULL;
	return nhipi_store_rows(self, stmt, staff_from_row, (GDestroyNotify)nhip_staff_free,
				_("list staff"), error);
}

/**
 * nhip_store_staff_get:
 * @self: the store
 * @id: account id
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the account, or %NULL with
 * %NHIP_STORE_ERROR_NOT_FOUND
 */
NhipStaff *
nhip_store_staff_get(NhipStore *self, gint64 id, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	stmt = nhipi_store_prepare(self, "SELECT " STAFF_COLUMNS " FROM staff WHERE id = ?", error);
	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return staff_from_row(stmt);
	if (rc == SQLITE_DONE)
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
			    _("there is no staff account %" PRId64), id);
	else
		nhipi_store_set_error(self, rc, _("read the staff account"), error);
	return NULL;
}

static gboolean
staff_record_attempt(NhipStore *self,
		     gint64 id,
		     gint failed_attempts,
		     gint64 locked_until,
		     const gchar *action,
		     GError **error)
{
	g_autoptr(NhipStoreTxn) txn = nhipi_store_txn_begin(self, error);
	g_autoptr(NhipStmt) stmt = NULL;

	if (txn == NULL)
		return FALSE;
	stmt = nhipi_store_prepare(
		self, "UPDATE staff SET failed_attempts = ?, locked_until = ? WHERE id = ?", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int(stmt, 1, failed_attempts);
	sqlite3_bind_int64(stmt, 2, locked_until);
	sqlite3_bind_int64(stmt, 3, id);
	if (!nhipi_store_step_done(self, stmt, _("record the login"), error))
		return FALSE;
	if (!nhipi_store_audit(self, action, "staff", id, NULL, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_staff_login:
 * @self: the store
 * @id: account id
 * @pin: the PIN as typed
 * @error: return location for a #GError
 *
 * Checks a PIN. After %NHIP_STORE_PIN_MAX_ATTEMPTS wrong PINs in a row the account is
 * locked for %NHIP_STORE_PIN_LOCK_SECONDS (or until a technician unlocks it); while locked
 * even the right PIN is refused. Every attempt is written to the audit log.
 *
 * Returns: %TRUE when the PIN is right; otherwise %NHIP_STORE_ERROR_WRONG_PIN (with the
 * attempts left in the message) or %NHIP_STORE_ERROR_LOCKED
 */
gboolean
nhip_store_staff_login(NhipStore *self, gint64 id, const gchar *pin, GError **error)
{
	g_autoptr(NhipStaff) staff = NULL;
	g_autofree gchar *pin_hash = NULL;
	gboolean matches = FALSE;
	gint64 now = nhipi_store_now(self);
	gint failed;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	staff = nhip_store_staff_get(self, id, error);
	if (staff == NULL)
		return FALSE;
	if (!staff->active) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_LOCKED,
				    _("this account is switched off; ask a technician"));
		return FALSE;
	}
	if (staff->locked_until > now) {
		g_autoptr(GDateTime) until = g_date_time_new_from_unix_local(staff->locked_until);
		g_autofree gchar *when = g_date_time_format(until, "%H:%M");
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_LOCKED,
			    _("too many wrong PINs: this account is locked until %s, or until a "
			      "technician unlocks it"),
			    when);
		return FALSE;
	}
	{
		g_autoptr(NhipStmt) stmt =
			nhipi_store_prepare(self, "SELECT pin_hash FROM staff WHERE id = ?", error);
		if (stmt == NULL)
			return FALSE;
		sqlite3_bind_int64(stmt, 1, id);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			pin_hash = nhipi_column_text(stmt, 0);
	}
	if (!nhip_pin_verify(pin, pin_hash, &matches, error))
		return FALSE;
	if (matches) {
		if (!staff_record_attempt(self, id, 0, 0, "staff.login", error))
			return FALSE;
		return TRUE;
	}
	/* a lock that has run out starts a fresh count */
	failed = (staff->locked_until != 0 ? 0 : staff->failed_attempts) + 1;
	if (failed >= NHIP_STORE_PIN_MAX_ATTEMPTS) {
		if (!staff_record_attempt(self, id, failed, now + NHIP_STORE_PIN_LOCK_SECONDS,
					  "staff.locked", error))
			return FALSE;
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_LOCKED,
			    _("wrong PIN %d times: the account is locked for %d minutes"), failed,
			    NHIP_STORE_PIN_LOCK_SECONDS / 60);
		return FALSE;
	}
	if (!staff_record_attempt(self, id, failed, 0, "staff.login-failed", error))
		return FALSE;
	g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_WRONG_PIN,
		    g_dngettext(GETTEXT_PACKAGE,
				"wrong PIN; %d try left before the account is locked",
				"wrong PIN; %d tries left before the account is locked",
				NHIP_STORE_PIN_MAX_ATTEMPTS - failed),
		    NHIP_STORE_PIN_MAX_ATTEMPTS - failed);
	return FALSE;
}

/**
 * nhip_store_staff_unlock:
 * @self: the store
 * @id: account id
 * @error: return location for a #GError
 *
 * Clears a lockout (a technician's action).
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_staff_unlock(NhipStore *self, gint64 id, GError **error)
{
	g_autoptr(NhipStaff) staff = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	staff = nhip_store_staff_get(self, id, error);
	if (staff == NULL)
		return FALSE;
	return staff_record_attempt(self, id, 0, 0, "staff.unlock", error);
}

/**
 * nhip_store_staff_set_pin:
 * @self: the store
 * @id: account id
 * @pin: the new PIN
 * @error: return location for a #GError
 *
 * Sets a new PIN and clears any lockout.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_staff_set_pin(NhipStore *self, gint64 id, const gchar *pin, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	g_autoptr(NhipStaff) staff = NULL;
	g_autofree gchar *pin_hash = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	staff = nhip_store_staff_get(self, id, error);
	if (staff == NULL)
		return FALSE;
	pin_hash = nhip_pin_hash(pin, error);
	if (pin_hash == NULL)
		return FALSE;
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	stmt = nhipi_store_prepare(self,
				   "UPDATE staff SET pin_hash = ?, failed_attempts = 0, "
				   "locked_until = 0 WHERE id = ?",
				   error);
	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, pin_hash);
	sqlite3_bind_int64(stmt, 2, id);
	if (!nhipi_store_step_done(self, stmt, _("set the PIN"), error))
		return FALSE;
	if (!nhipi_store_audit(self, "staff.set-pin", "staff", id, NULL, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}
