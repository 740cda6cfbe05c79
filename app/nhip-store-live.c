/*
 * Nhịp — live consultations in the station database (schema version 9).
 *
 * An event the hub has numbered is stored once (a second copy from the next long poll is
 * ignored); one the station sent before the hub answered is stored without a number.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "nhip-store-live.h"
#include "nhip-store-private.h"

/**
 * nhipi_store_migrate_live:
 * @self: the store, inside the migration's transaction
 * @error: return location for a #GError
 *
 * Schema version 9: the live sessions the station took part in, each attached to the
 * visit of its case when the case packet is known, and their chat and live vitals.
 *
 * Returns: %TRUE on success
 */
gboolean
nhipi_store_migrate_live(NhipStore *self, GError **error)
{
	return nhipi_store_exec(
		self,
		"CREATE TABLE live_sessions ("
		"  id INTEGER PRIMARY KEY,"
		"  session_id TEXT NOT NULL UNIQUE CHECK (length(session_id) BETWEEN 1 AND 100),"
		"  packet_id TEXT,"
		"  visit_id INTEGER REFERENCES visits (id),"
		"  started_by TEXT CHECK (started_by IN ('station', 'doctor')),"
		"  started_at INTEGER NOT NULL,"
		"  ended_at INTEGER);"
		"CREATE INDEX live_sessions_visit ON live_sessions (visit_id);"
		"CREATE TABLE live_events ("
		"  id INTEGER PRIMARY KEY,"
		"  session INTEGER NOT NULL REFERENCES live_sessions (id),"
		"  seq INTEGER CHECK (seq > 0),"
		"  sender TEXT,"
		"  kind TEXT NOT NULL CHECK (kind IN ('chat', 'vital', 'state')),"
		"  text TEXT CHECK (length(text) <= 2000),"
		"  state TEXT,"
		"  code TEXT,"
		"  value REAL,"
		"  unit TEXT,"
		"  device TEXT,"
		"  taken_at INTEGER,"
		"  at INTEGER NOT NULL,"
		"  UNIQUE (session, seq));",
		error);
}

void
nhip_live_record_free(NhipLiveRecord *record)
{
	if (record == NULL)
		return;
	g_free(record->session_id);
	g_free(record->packet_id);
	g_free(record->started_by);
	g_free(record);
}

/**
 * nhip_store_live_session_begin:
 * @self: the store
 * @session_id: the hub's id of the session
 * @packet_id: (nullable): its case packet; the session is attached to that case's visit
 * @started_by: (nullable): `station` or `doctor`
 * @error: return location for a #GError
 *
 * Notes that the station joined the session (once; joining again changes nothing).
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_live_session_begin(NhipStore *self,
			      const gchar *session_id,
			      const gchar *packet_id,
			      const gchar *started_by,
			      GError **error)
{
	g_autoptr(NhipStoreTxn) txn = nhipi_store_txn_begin(self, error);
	g_autoptr(NhipStmt) stmt = NULL;

	if (txn == NULL)
		return FALSE;
	stmt = nhipi_store_prepare(self,
				   "INSERT INTO live_sessions (session_id, packet_id, visit_id, "
				   "started_by, started_at) VALUES (?1, ?2, (SELECT visit_id FROM "
				   "packets WHERE packet_id = ?2), ?3, ?4) ON CONFLICT DO NOTHING",
				   error);
	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, session_id);
	nhipi_bind_text(stmt, 2, packet_id);
	nhipi_bind_text(stmt, 3, started_by);
	sqlite3_bind_int64(stmt, 4, nhipi_store_now(self));
	if (!nhipi_store_step_done(self, stmt, _("store the live consultation"), error))
		return FALSE;
	if (sqlite3_changes(self->db) > 0 &&
	    !nhipi_store_audit(self, "live-join", "live_session",
			       sqlite3_last_insert_rowid(self->db), started_by, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_live_session_end:
 * @self: the store
 * @session_id: a session noted with nhip_store_live_session_begin()
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_live_session_end(NhipStore *self, const gchar *session_id, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self,
		"UPDATE live_sessions SET ended_at = ? WHERE session_id = ? AND ended_at IS NULL",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, nhipi_store_now(self));
	nhipi_bind_text(stmt, 2, session_id);
	return nhipi_store_step_done(self, stmt, _("store the end of the live consultation"),
				     error);
}

/**
 * nhip_store_live_session_get:
 * @self: the store
 * @session_id: the hub's id of the session
 * @error: return location for a #GError (%NHIP_STORE_ERROR_NOT_FOUND)
 *
 * Returns: (transfer full) (nullable): the session
 */
NhipLiveRecord *
nhip_store_live_session_get(NhipStore *self, const gchar *session_id, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self,
		"SELECT session_id, packet_id, visit_id, started_by, started_at, ended_at FROM "
		"live_sessions WHERE session_id = ?",
		error);
	NhipLiveRecord *record;
	gint rc;

	if (stmt == NULL)
		return NULL;
	nhipi_bind_text(stmt, 1, session_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
			    _("no live consultation %s on this station"), session_id);
		return NULL;
	}
	if (rc != SQLITE_ROW) {
		nhipi_store_set_error(self, rc, _("read the live consultation"), error);
		return NULL;
	}
	record = g_new0(NhipLiveRecord, 1);
	record->session_id = nhipi_column_text(stmt, 0);
	record->packet_id = nhipi_column_text(stmt, 1);
	record->visit_id = sqlite3_column_int64(stmt, 2);
	record->started_by = nhipi_column_text(stmt, 3);
	record->started_at = sqlite3_column_int64(stmt, 4);
	record->ended_at = sqlite3_column_int64(stmt, 5);
	return record;
}

/**
 * nhip_store_live_event_add:
 * @self: the store
 * @session_id: a session noted with nhip_store_live_session_begin()
 * @event: a chat message, a live vital or a state, checked with nhip_live_event_check()
 * @error: return location for a #GError (%NHIP_STORE_ERROR_INVALID, NOT_FOUND)
 *
 * Returns: %TRUE on success (also when the event was already stored)
 */
gboolean
nhip_store_live_event_add(NhipStore *self,
			  const gchar *session_id,
			  const NhipLiveEvent *event,
			  GError **error)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(NhipStmt) stmt = NULL;

	if (!nhip_live_event_check(event, &error_local)) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    error_local->message);
		return FALSE;
	}
	stmt = nhipi_store_prepare(
		self,
		"INSERT INTO live_events (session, seq, sender, kind, text, state, code, value, "
		"unit, device, taken_at, at) SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM "
		"live_sessions WHERE session_id = ? ON CONFLICT DO NOTHING",
		error);
	if (stmt == NULL)
		return FALSE;
	if (event->seq > 0)
		sqlite3_bind_int64(stmt, 1, event->seq);
	nhipi_bind_text(stmt, 2, event->sender);
	nhipi_bind_text(stmt, 3, event->kind);
	nhipi_bind_text(stmt, 4, event->text);
	nhipi_bind_text(stmt, 5, event->state);
	nhipi_bind_text(stmt, 6, event->code);
	if (g_strcmp0(event->kind, "vital") == 0 && isfinite(event->value))
		sqlite3_bind_double(stmt, 7, event->value);
	nhipi_bind_text(stmt, 8, event->unit);
	nhipi_bind_text(stmt, 9, event->device);
	if (event->taken_at > 0)
		sqlite3_bind_int64(stmt, 10, event->taken_at);
	sqlite3_bind_int64(stmt, 11, event->at > 0 ? event->at : nhipi_store_now(self));
	nhipi_bind_text(stmt, 12, session_id);
	if (!nhipi_store_step_done(self, stmt, _("store the live consultation's message"), error))
		return FALSE;
	return TRUE;
}

/**
 * nhip_store_live_last_seq:
 * @self: the store
 * @session_id: a session
 * @error: return location for a #GError
 *
 * Returns: the highest sequence number stored for the session (0 for none), or -1 with
 *   @error set
 */
gint64
nhip_store_live_last_seq(NhipStore *self, const gchar *session_id, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self,
		"SELECT coalesce(max(e.seq), 0) FROM live_events e JOIN live_sessions s ON s.id "
		"= e.session WHERE s.session_id = ?",
		error);
	gint rc;

	if (stmt == NULL)
		return -1;
	nhipi_bind_text(stmt, 1, session_id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		nhipi_store_set_error(self, rc, _("read the live consultation"), error);
		return -1;
	}
	return sqlite3_column_int64(stmt, 0);
}

/**
 * nhip_store_live_packet_for_visit:
 * @self: the store
 * @visit_id: a visit
 * @error: return location for a #GError
 *
 * A live consultation belongs to a case the hub has: the visit's latest case packet
 * that was delivered (or answered).
 *
 * Returns: (transfer full) (nullable): its packet id, or %NULL (without @error) when
 *   the visit has no delivered case yet
 */
gchar *
nhip_store_live_packet_for_visit(NhipStore *self, gint64 visit_id, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self,
		"SELECT packet_id FROM packets WHERE visit_id = ? AND state IN ('delivered', "
		"'answered') ORDER BY id DESC LIMIT 1",
		error);
	gint rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, visit_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return nhipi_column_text(stmt, 0);
	if (rc != SQLITE_DONE)
		nhipi_store_set_error(self, rc, _("read the visit's cases"), error);
	return NULL;
}

static gpointer
live_event_from_row(NhipStmt *stmt)
{
	NhipLiveEvent *event = g_new0(NhipLiveEvent, 1);

	event->seq = sqlite3_column_int64(stmt, 0);
	event->sender = nhipi_column_text(stmt, 1);
	event->kind = nhipi_column_text(stmt, 2);
	event->text = nhipi_column_text(stmt, 3);
	event->state = nhipi_column_text(stmt, 4);
	event->code = nhipi_column_text(stmt, 5);
	event->value =
		sqlite3_column_type(stmt, 6) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt, 6);
	event->unit = nhipi_column_text(stmt, 7);
	event->device = nhipi_column_text(stmt, 8);
	event->taken_at = sqlite3_column_int64(stmt, 9);
	event->at = sqlite3_column_int64(stmt, 10);
	return event;
}

/**
 * nhip_store_live_visit_for_packet:
 * @self: the store
 * @packet_id: a case packet this station sent
 * @error: return location for a #GError
 *
 * The visit a live consultation is about, from its case (a doctor's call names only the
 * case).
 *
 * Returns: the visit's id, 0 (without @error) when the packet is not known here, or 0
 *   with @error set when the database cannot be read
 */
gint64
nhip_store_live_visit_for_packet(NhipStore *self, const gchar *packet_id, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self, "SELECT visit_id FROM packets WHERE packet_id = ?", error);
	gint rc;

	if (stmt == NULL)
		return 0;
	sqlite3_bind_text(stmt, 1, packet_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return sqlite3_column_int64(stmt, 0);
	if (rc != SQLITE_DONE)
		nhipi_store_set_error(self, rc, _("read the visit's cases"), error);
	return 0;
}

/**
 * nhip_store_live_events:
 * @self: the store
 * @session_id: (nullable): one session's events
 * @visit_id: or, when @session_id is %NULL, those of every session of this visit
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipLiveEvent) (nullable): the chat messages,
 *   live vitals and states in the order they happened
 */
GPtrArray *
nhip_store_live_events(NhipStore *self, const gchar *session_id, gint64 visit_id, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self,
		"SELECT e.seq, e.sender, e.kind, e.text, e.state, e.code, e.value, e.unit, "
		"e.device, e.taken_at, e.at FROM live_events e JOIN live_sessions s ON s.id = "
		"e.session WHERE (?1 IS NOT NULL AND s.session_id = ?1) OR (?1 IS NULL AND "
		"s.visit_id = ?2) ORDER BY e.at, e.id",
		error);

	if (stmt == NULL)
		return NULL;
	nhipi_bind_text(stmt, 1, session_id);
	sqlite3_bind_int64(stmt, 2, visit_id);
	return nhipi_store_rows(self, stmt, live_event_from_row,
				(GDestroyNotify)nhip_live_event_free,
				_("read the live consultation"), error);
}
