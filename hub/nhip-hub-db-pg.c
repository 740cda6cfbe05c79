/*
 * Nhịp hub — the PostgreSQL backend of the storage interface (libpq). Statements use `?`
 * placeholders like SQLite's; they are rewritten to $1, $2 … here (none of our statements
 * has a `?` inside a string literal).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "nhip-hub-db.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PGresult, PQclear)

static gchar *
pg_rewrite(const gchar *sql)
{
	GString *out = g_string_sized_new(strlen(sql) + 16);
	guint n = 0;

	for (const gchar *p = sql; *p != '\0'; p++) {
		if (*p == '?')
			g_string_append_printf(out, "$%u", ++n);
		else
			g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

static void
pg_set_error(PGconn *conn, const PGresult *result, GError **error)
{
	const gchar *state = result != NULL ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
	g_autofree gchar *message =
		g_strdup(result != NULL ? PQresultErrorMessage(result) : PQerrorMessage(conn));

	g_strstrip(message);
	g_strdelimit(message, "\n", ' ');
	g_set_error(error, NHIP_HUB_ERROR,
		    g_strcmp0(state, "23505") == 0 ? NHIP_HUB_ERROR_CONFLICT
						   : NHIP_HUB_ERROR_STORAGE,
		    _("hub database (PostgreSQL): %s"), message);
}

static gpointer
pg_open(const gchar *target, GError **error)
{
	PGconn *conn = PQconnectdb(target);
	g_autoptr(PGresult) result = NULL;

	if (PQstatus(conn) != CONNECTION_OK) {
		pg_set_error(conn, NULL, error);
		PQfinish(conn);
		return NULL;
	}
	/* the schema's notices ("relation already exists, skipping") are not news */
	result = PQexec(conn, "SET client_min_messages = warning");
	if (PQresultStatus(result) != PGRES_COMMAND_OK) {
		pg_set_error(conn, result, error);
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

static void
pg_close(gpointer conn)
{
	PQfinish(conn);
}

/* a lost connection (the server restarted) is tried once more on a new one */
static gboolean
pg_reconnect_if_lost(PGconn *conn)
{
	if (PQstatus(conn) == CONNECTION_OK)
		return FALSE;
	PQreset(conn);
	return PQstatus(conn) == CONNECTION_OK;
}

static gboolean
pg_exec(gpointer conn, const gchar *sql, GError **error)
{
	g_autoptr(PGresult) result = PQexec(conn, sql);
	if (PQresultStatus(result) != PGRES_COMMAND_OK) {
		pg_set_error(conn, result, error);
		return FALSE;
	}
	return TRUE;
}

static NhipHubRows *
pg_query(gpointer conn,
	 const gchar *sql,
	 const gchar *const *params,
	 guint n_params,
	 GError **error)
{
	g_autofree gchar *pg_sql = pg_rewrite(sql);
	g_autoptr(PGresult) result = NULL;
	g_autoptr(NhipHubRows) rows = g_new0(NhipHubRows, 1);
	ExecStatusType status;

	for (guint attempt = 0; attempt < 2; attempt++) {
		g_clear_pointer(&result, PQclear);
		result = PQexecParams(conn, pg_sql, (gint)n_params, NULL, params, NULL, NULL, 0);
		status = PQresultStatus(result);
		if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
			break;
		if (!pg_reconnect_if_lost(conn))
			break;
	}
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		pg_set_error(conn, result, error);
		return NULL;
	}
	rows->cells = g_ptr_array_new_with_free_func(g_free);
	rows->n_cols = (guint)PQnfields(result);
	for (gint r = 0; r < PQntuples(result); r++) {
		for (guint c = 0; c < rows->n_cols; c++)
			g_ptr_array_add(rows->cells,
					PQgetisnull(result, r, (gint)c)
						? NULL
						: g_strdup(PQgetvalue(result, r, (gint)c)));
	}
	return g_steal_pointer(&rows);
}

const NhipHubDbBackend nhip_hub_db_postgresql = {
	.name = "postgresql",
	.serial_key = "BIGSERIAL PRIMARY KEY",
	.open = pg_open,
	.close = pg_close,
	.query = pg_query,
	.exec = pg_exec,
};
