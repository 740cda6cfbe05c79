/*
 * Nhịp — station settings (the hub, the HIS link, the idle lock) and backups.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "nhip-store-private.h"

/* keys are short dotted names chosen by the program, e.g. "hub.url" */
static gboolean
setting_check_key(const gchar *key, GError **error)
{
	gsize len = key != NULL ? strlen(key) : 0;
	gboolean ok = len > 0 && len <= 100;

	for (gsize i = 0; ok && i < len; i++)
		ok = g_ascii_islower(key[i]) || g_ascii_isdigit(key[i]) || key[i] == '.' ||
		     key[i] == '-' || key[i] == '_';
	if (!ok) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("“%s” is not a setting name; use lower-case letters, digits and "
			      "dots, e.g. hub.url"),
			    key != NULL ? key : "");
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_store_setting_get:
 * @self: the store
 * @key: the setting, e.g. "hub.url"
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with
 * %NHIP_STORE_ERROR_NOT_FOUND when the setting was never set
 */
gchar *
nhip_store_setting_get(NhipStore *self, const gchar *key, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!setting_check_key(key, error))
		return NULL;
	stmt = nhipi_store_prepare(self, "SELECT value FROM settings WHERE key = ?", error);
	if (stmt == NULL)
		return NULL;
	nhipi_bind_text(stmt, 1, key);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return nhipi_column_text(stmt, 0);
	if (rc == SQLITE_DONE) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
			    _("the setting %s is not set"), key);
		return NULL;
	}
	nhipi_store_set_error(self, rc, _("read the settings"), error);
	return NULL;
}

/**
 * nhip_store_setting_set:
 * @self: the store
 * @key: the setting, e.g. "hub.url"
 * @value: (nullable): the value; %NULL removes the setting
 * @error: return location for a #GError
 *
 * Stores a setting durably and notes the change (the key, never the value) in the audit
 * log.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_setting_set(NhipStore *self, const gchar *key, const gchar *value, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!setting_check_key(key, error))
		return FALSE;
	if (value != NULL && !g_utf8_validate(value, -1, NULL)) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("the value of the setting %s is not valid UTF-8 text"), key);
		return FALSE;
	}
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self,
			value != NULL ? "INSERT INTO settings (key, value, updated_at) "
					"VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
					"value = excluded.value, updated_at = excluded.updated_at"
				      : "DELETE FROM settings WHERE key = ?",
			error);
		if (stmt == NULL)
			return FALSE;
		nhipi_bind_text(stmt, 1, key);
		if (value != NULL) {
			nhipi_bind_text(stmt, 2, value);
			sqlite3_bind_int64(stmt, 3, nhipi_store_now(self));
		}
		if (!nhipi_store_step_done(self, stmt, _("save the settings"), error))
			return FALSE;
	}
	if (!nhipi_store_audit(self, "setting.set", "setting", 0, key, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_backup:
 * @self: the store
 * @dest_path: the backup file to write; must not exist yet
 * @error: return location for a #GError
 *
 * Writes a consistent copy of the whole database (as of the moment the copy starts) to
 * @dest_path with SQLite's VACUUM INTO, while other connections go on reading and
 * writing. Attachments are files beside the database and are not part of this copy.
 *
 * Returns: %TRUE when the copy is complete
 */
gboolean
nhip_store_backup(NhipStore *self, const gchar *dest_path, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	g_return_val_if_fail(dest_path != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (g_file_test(dest_path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT,
			    _("the backup file %s already exists; choose another name"), dest_path);
		return FALSE;
	}
	stmt = nhipi_store_prepare(self, "VACUUM INTO ?", error);
	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, dest_path);
	if (!nhipi_store_step_done(self, stmt, _("write the backup"), error)) {
		g_unlink(dest_path);
		return FALSE;
	}
	return TRUE;
}
