/*
 * Nhịp hub — the SQLite backend of the storage interface: one file, WAL, durable commits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "nhip-hub-db.h"

static void
sqlite_set_error(sqlite3 *db, gint rc, GError **error)
{
	g_set_error(error, NHIP_HUB_ERROR,
		    (rc & 0xff) == SQLITE_CONSTRAINT ? NHIP_HUB_ERROR_CONFLICT
						     : NHIP_HUB_ERROR_STORAGE,
		    _("hub database: %s"), db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

static gpointer
sqlite_open(const gchar *target, GError **error)
{
	sqlite3 *db = NULL;
	gint rc = sqlite3_open_v2(
		target, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
		NULL);

	if (rc != SQLITE_OK) {
		sqlite_set_error(db, rc, error);
		g_prefix_error(error, _("cannot open %s: "), target);
		sqlite3_close_v2(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	rc = sqlite3_exec(db,
			  "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
			  "PRAGMA trusted_schema = OFF;",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite_set_error(db, rc, error);
		sqlite3_close_v2(db);
		return NULL;
	}
	return db;
}

static void
sqlite_close(gpointer conn)
{
	sqlite3_close_v2(conn);
}

static gboolean
sqlite_exec(gpointer conn, const gchar *sql, GError **error)
{
	gint rc = sqlite3_exec(conn, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite_set_error(conn, rc, error);
		return FALSE;
	}
	return TRUE;
}

static NhipHubRows *
sqlite_query(gpointer conn,
	     const gchar *sql,
	     const gchar *const *params,
	     guint n_params,
	     GError **error)
{
	sqlite3_stmt *stmt = NULL;
	g_autoptr(NhipHubRows) rows = g_new0(NhipHubRows, 1);
	gint rc = sqlite3_prepare_v2(conn, sql, -1, &stmt, NULL);

	if (rc != SQLITE_OK) {
		sqlite_set_error(conn, rc, error);
		return NULL;
	}
	rows->cells = g_ptr_array_new_with_free_func(g_free);
	rows->n_cols = (guint)sqlite3_column_count(stmt);
	for (guint i = 0; i < n_params; i++) {
		if (params[i] != NULL)
			sqlite3_bind_text(stmt, (gint)i + 1, params[i], -1, SQLITE_TRANSIENT);
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		for (guint c = 0; c < rows->n_cols; c++)
			g_ptr_array_add(rows->cells, g_strdup((const gchar *)sqlite3_column_text(
							     stmt, (gint)c)));
	}
	if (rc != SQLITE_DONE) {
		sqlite_set_error(conn, rc, error);
		sqlite3_finalize(stmt);
		return NULL;
	}
	sqlite3_finalize(stmt);
	return g_steal_pointer(&rows);
}

const NhipHubDbBackend nhip_hub_db_sqlite = {
	.name = "sqlite",
	.serial_key = "INTEGER PRIMARY KEY AUTOINCREMENT",
	.open = sqlite_open,
	.close = sqlite_close,
	.query = sqlite_query,
	.exec = sqlite_exec,
};
