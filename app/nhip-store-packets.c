/*
 * Nhịp — the case packet queue, replies and sender state in the station database.
 *
 * A row's state moves queued → sending (offset acknowledged by the hub) → delivered (the
 * hub's signed receipt verified; only then the sealed file is deleted) → answered (a
 * doctor's reply arrived); or → failed when the hub refuses the packet for good. Every
 * change is one durable transaction, so a power cut leaves the row as it was before or
 * after, and the sender asks the hub where the upload stands before going on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "nhip-store-packets.h"
#include "nhip-store-private.h"

static const gchar *const packet_states[] = {
	[NHIP_PACKET_STATE_QUEUED] = "queued",	     [NHIP_PACKET_STATE_SENDING] = "sending",
	[NHIP_PACKET_STATE_DELIVERED] = "delivered", [NHIP_PACKET_STATE_ANSWERED] = "answered",
	[NHIP_PACKET_STATE_FAILED] = "failed",
};

/**
 * nhip_packet_state_to_string:
 * @state: a state
 *
 * Returns: (transfer none): its name in the database and in JSON
 */
const gchar *
nhip_packet_state_to_string(NhipPacketState state)
{
	g_return_val_if_fail(state <= NHIP_PACKET_STATE_FAILED, "failed");
	return packet_states[state];
}

static NhipPacketState
packet_state_from_string(const gchar *text)
{
	for (guint i = 0; i < G_N_ELEMENTS(packet_states); i++) {
		if (g_strcmp0(packet_states[i], text) == 0)
			return (NhipPacketState)i;
	}
	return NHIP_PACKET_STATE_FAILED;
}

/**
 * nhipi_store_migrate_packets:
 * @self: the store, inside the migration's transaction
 * @error: return location for a #GError
 *
 * Schema version 5: the case packet queue, replies and the sender's state.
 *
 * Returns: %TRUE on success
 */
gboolean
nhipi_store_migrate_packets(NhipStore *self, GError **error)
{
	return nhipi_store_exec(
		self,
		"CREATE TABLE packets ("
		"  id INTEGER PRIMARY KEY,"
		"  packet_id TEXT NOT NULL UNIQUE CHECK (length(packet_id) = 36),"
		"  visit_id INTEGER REFERENCES visits (id),"
		"  path TEXT NOT NULL,"
		"  size INTEGER NOT NULL CHECK (size > 0),"
		"  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
		"  acked INTEGER NOT NULL DEFAULT 0 CHECK (acked BETWEEN 0 AND size),"
		"  sent INTEGER NOT NULL DEFAULT 0,"
		"  upload_url TEXT,"
		"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN "
		"    ('queued', 'sending', 'delivered', 'answered', 'failed')),"
		"  urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),"
		"  attempts INTEGER NOT NULL DEFAULT 0,"
		"  next_try_at INTEGER NOT NULL,"
		"  last_error TEXT,"
		"  receipt_path TEXT,"
		"  case_id INTEGER NOT NULL DEFAULT 0,"
		"  created_at INTEGER NOT NULL,"
		"  updated_at INTEGER NOT NULL);"
		"CREATE INDEX packets_due ON packets (state, urgent DESC, next_try_at, id);"
		"CREATE TABLE replies ("
		"  msg_id TEXT PRIMARY KEY,"
		"  in_reply_to TEXT,"
		"  cursor INTEGER NOT NULL,"
		"  path TEXT NOT NULL,"
		"  text TEXT NOT NULL,"
		"  received_at INTEGER NOT NULL);"
		"CREATE TABLE sync_state ("
		"  key TEXT PRIMARY KEY,"
		"  value TEXT NOT NULL);",
		error);
}

/**
 * nhipi_store_migrate_replies:
 * @self: the store, inside the migration's transaction
 * @error: return location for a #GError
 *
 * Schema version 8: what the doctor decided besides the advice — the doctor's name,
 * whether to refer the patient (1, 0, or NULL when not said) and the urgency (FHIR
 * Communication.priority).
 *
 * Returns: %TRUE on success
 */
gboolean
nhipi_store_migrate_replies(NhipStore *self, GError **error)
{
	return nhipi_store_exec(self,
				"ALTER TABLE replies ADD COLUMN doctor TEXT;"
				"ALTER TABLE replies ADD COLUMN referral INTEGER "
				"  CHECK (referral IN (0, 1));"
				"ALTER TABLE replies ADD COLUMN urgency TEXT;",
				error);
}

/**
 * nhipi_store_migrate_reply_read:
 * @self: the store, inside the migration's transaction
 * @error: return location for a #GError
 *
 * Schema version 10: when a doctor's reply was read at the station, and by whom (the
 * kiosk shows unread answers until a staff member marks them read).
 *
 * Returns: %TRUE on success
 */
gboolean
nhipi_store_migrate_reply_read(NhipStore *self, GError **error)
{
	return nhipi_store_exec(self,
				"ALTER TABLE replies ADD COLUMN read_at INTEGER;"
				"ALTER TABLE replies ADD COLUMN read_by INTEGER "
				"  REFERENCES staff (id);",
				error);
}

void
nhip_outbox_packet_free(NhipOutboxPacket *packet)
{
	if (packet == NULL)
		return;
	g_free(packet->packet_id);
	g_free(packet->path);
	g_free(packet->sha256);
	g_free(packet->upload_url);
	g_free(packet->last_error);
	g_free(packet->receipt_path);
	g_free(packet);
}

void
nhip_reply_free(NhipReply *reply)
{
	if (reply == NULL)
		return;
	g_free(reply->msg_id);
	g_free(reply->in_reply_to);
	g_free(reply->path);
	g_free(reply->text);
	g_free(reply->doctor);
	g_free(reply->urgency);
	g_free(reply);
}

#define PACKET_COLUMNS                                                                          \
	"id, packet_id, visit_id, path, size, sha256, acked, sent, upload_url, state, urgent, " \
	"attempts, next_try_at, last_error, receipt_path, case_id, created_at, updated_at"

static gpointer
packet_from_row(NhipStmt *stmt)
{
	NhipOutboxPacket *packet = g_new0(NhipOutboxPacket, 1);
	g_autofree gchar *state = NULL;

	packet->id = sqlite3_column_int64(stmt, 0);
	packet->packet_id = nhipi_column_text(stmt, 1);
	packet->visit_id = sqlite3_column_int64(stmt, 2);
	packet->path = nhipi_column_text(stmt, 3);
	packet->size = sqlite3_column_int64(stmt, 4);
	packet->sha256 = nhipi_column_text(stmt, 5);
	packet->acked = sqlite3_column_int64(stmt, 6);
	packet->sent = sqlite3_column_int64(stmt, 7);
	packet->upload_url = nhipi_column_text(stmt, 8);
	state = nhipi_column_text(stmt, 9);
	packet->state = packet_state_from_string(state);
	packet->urgent = sqlite3_column_int(stmt, 10) != 0;
	packet->attempts = sqlite3_column_int64(stmt, 11);
	packet->next_try_at = sqlite3_column_int64(stmt, 12);
	packet->last_error = nhipi_column_text(stmt, 13);
	packet->receipt_path = nhipi_column_text(stmt, 14);
	packet->case_id = sqlite3_column_int64(stmt, 15);
	packet->created_at = sqlite3_column_int64(stmt, 16);
	packet->updated_at = sqlite3_column_int64(stmt, 17);
	return packet;
}

/* every row a packet query gives */
static GPtrArray *
packet_rows(NhipStore *self, NhipStmt *stmt, GError **error)
{
	return nhipi_store_rows(self, stmt, packet_from_row,
				(GDestroyNotify)nhip_outbox_packet_free, _("read the packet queue"),
				error);
}

/* the packet in the query's first row; without one, NULL and an error naming @missing, or
 * no error when @missing is NULL (none is due) */
static NhipOutboxPacket *
packet_first(NhipStore *self, NhipStmt *stmt, const gchar *missing, GError **error)
{
	gint rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		return packet_from_row(stmt);
	if (rc != SQLITE_DONE)
		nhipi_store_set_error(self, rc, _("read the packet queue"), error);
	else if (missing != NULL)
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
			    _("there is no packet %s in the queue"), missing);
	return NULL;
}

/* runs an UPDATE of one packet in its own transaction; fails when no row changed */
static gboolean
packet_update(NhipStore *self, NhipStmt *stmt, const gchar *packet_id, GError **error)
{
	if (!nhipi_store_step_done(self, stmt, _("update the packet queue"), error))
		return FALSE;
	if (sqlite3_changes(self->db) == 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
			    _("there is no packet %s in the queue"), packet_id);
		return FALSE;
	}
	return TRUE;
}

/* packet_update() of a packet that moves on for good, noted as @action in the audit log;
 * commits @txn */
static gboolean
packet_update_audited(NhipStore *self,
		      NhipStoreTxn *txn,
		      NhipStmt *stmt,
		      const gchar *packet_id,
		      const gchar *action,
		      GError **error)
{
	g_autoptr(NhipOutboxPacket) packet = NULL;

	if (!packet_update(self, stmt, packet_id, error))
		return FALSE;
	packet = nhip_store_packet_get(self, packet_id, error);
	if (packet == NULL || !nhipi_store_audit(self, action, "packet", packet->id, NULL, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_packet_add:
 * @self: the store
 * @packet_id: the packet's UUID
 * @visit_id: the visit it is about, or 0
 * @path: the sealed packet, already durable on disk
 * @urgent: send before routine packets
 * @error: return location for a #GError
 *
 * Queues a sealed packet; its size and SHA-256 are read from the file.
 *
 * Returns: the row id, or 0 on error
 */
gint64
nhip_store_packet_add(NhipStore *self,
		      const gchar *packet_id,
		      gint64 visit_id,
		      const gchar *path,
		      gboolean urgent,
		      GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	g_autoptr(GMappedFile) file = NULL;
	g_autofree gchar *sha256 = NULL;
	gint64 now = nhipi_store_now(self);
	gint64 id;

	g_return_val_if_fail(NHIP_IS_STORE(self), 0);
	file = g_mapped_file_new(path, FALSE, error);
	if (file == NULL)
		return 0;
	if (g_mapped_file_get_length(file) == 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("the packet file %s is empty"), path);
		return 0;
	}
	sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
					     (const guchar *)g_mapped_file_get_contents(file),
					     g_mapped_file_get_length(file));
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return 0;
	stmt = nhipi_store_prepare(self,
				   "INSERT INTO packets (packet_id, visit_id, path, size, sha256, "
				   "urgent, next_try_at, created_at, updated_at) "
				   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
				   error);
	if (stmt == NULL)
		return 0;
	nhipi_bind_text(stmt, 1, packet_id);
	if (visit_id > 0)
		sqlite3_bind_int64(stmt, 2, visit_id);
	nhipi_bind_text(stmt, 3, path);
	sqlite3_bind_int64(stmt, 4, (gint64)g_mapped_file_get_length(file));
	nhipi_bind_text(stmt, 5, sha256);
	sqlite3_bind_int(stmt, 6, urgent ? 1 : 0);
	sqlite3_bind_int64(stmt, 7, now);
	sqlite3_bind_int64(stmt, 8, now);
	sqlite3_bind_int64(stmt, 9, now);
	if (!nhipi_store_step_done(self, stmt, _("queue the packet"), error))
		return 0;
	id = sqlite3_last_insert_rowid(self->db);
	if (!nhipi_store_audit(self, "packet.queue", "packet", id, urgent ? "urgent" : NULL, error))
		return 0;
	if (!nhipi_store_txn_commit(txn, error))
		return 0;
	return id;
}

/**
 * nhip_store_packet_get:
 * @self: the store
 * @packet_id: the packet's UUID
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the queued packet
 */
NhipOutboxPacket *
nhip_store_packet_get(NhipStore *self, const gchar *packet_id, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self, "SELECT " PACKET_COLUMNS " FROM packets WHERE packet_id = ?", error);

	if (stmt == NULL)
		return NULL;
	nhipi_bind_text(stmt, 1, packet_id);
	return packet_first(self, stmt, packet_id, error);
}

/**
 * nhip_store_packet_next_due:
 * @self: the store
 * @now: the time
 * @error: return location for a #GError
 *
 * Urgent packets first, then the oldest.
 *
 * Returns: (transfer full) (nullable): the packet to send now, or %NULL with no error
 *   when none is due
 */
NhipOutboxPacket *
nhip_store_packet_next_due(NhipStore *self, gint64 now, GError **error)
{
	g_autoptr(NhipStmt) stmt =
		nhipi_store_prepare(self,
				    "SELECT " PACKET_COLUMNS " FROM packets WHERE state IN "
				    "('queued', 'sending') AND next_try_at <= ? "
				    "ORDER BY urgent DESC, id LIMIT 1",
				    error);

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, now);
	return packet_first(self, stmt, NULL, error);
}

/**
 * nhip_store_packet_next_time:
 * @self: the store
 * @when: (out): the earliest time a waiting packet may be tried, or 0 when none waits
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_packet_next_time(NhipStore *self, gint64 *when, GError **error)
{
	return nhipi_store_count(self,
				 "SELECT coalesce(min(next_try_at), 0) FROM packets WHERE state IN "
				 "('queued', 'sending')",
				 when, error);
}

/**
 * nhip_store_packet_wake:
 * @self: the store
 * @now: the time
 * @error: return location for a #GError
 *
 * Makes every waiting packet due now (the network came back).
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_packet_wake(NhipStore *self, gint64 now, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self,
		"UPDATE packets SET next_try_at = ? WHERE state IN ('queued', 'sending') AND "
		"next_try_at > ?",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, now);
	return nhipi_store_step_done(self, stmt, _("update the packet queue"), error);
}

/**
 * nhip_store_packet_list:
 * @self: the store
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipOutboxPacket) (nullable): every packet,
 *   those still to send first (urgent first), then the newest
 */
GPtrArray *
nhip_store_packet_list(NhipStore *self, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self,
		"SELECT " PACKET_COLUMNS " FROM packets ORDER BY "
		"CASE WHEN state IN ('queued', 'sending') THEN 0 ELSE 1 END, "
		"CASE WHEN state IN ('queued', 'sending') THEN -urgent ELSE 0 END, "
		"CASE WHEN state IN ('queued', 'sending') THEN id ELSE -id END",
		error);

	return stmt != NULL ? packet_rows(self, stmt, error) : NULL;
}

/**
 * nhip_store_packet_set_upload:
 * @self: the store
 * @packet_id: the packet
 * @upload_url: (nullable): the tus upload URL
 * @acked: the offset the hub acknowledged
 * @sent: bytes put on the wire for it so far
 * @error: return location for a #GError
 *
 * Records progress; a success clears the failed attempts.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_packet_set_upload(NhipStore *self,
			     const gchar *packet_id,
			     const gchar *upload_url,
			     gint64 acked,
			     gint64 sent,
			     GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self,
		"UPDATE packets SET upload_url = ?, acked = ?, sent = ?, attempts = 0, "
		"last_error = NULL, state = 'sending', updated_at = ? WHERE packet_id = ? "
		"AND state IN ('queued', 'sending')",
		error);

	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, upload_url);
	sqlite3_bind_int64(stmt, 2, acked);
	sqlite3_bind_int64(stmt, 3, sent);
	sqlite3_bind_int64(stmt, 4, nhipi_store_now(self));
	nhipi_bind_text(stmt, 5, packet_id);
	return packet_update(self, stmt, packet_id, error);
}

/**
 * nhip_store_packet_retry:
 * @self: the store
 * @packet_id: the packet
 * @next_try_at: not before this time
 * @last_error: why this attempt failed
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_packet_retry(NhipStore *self,
			const gchar *packet_id,
			gint64 next_try_at,
			const gchar *last_error,
			GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self,
		"UPDATE packets SET attempts = attempts + 1, next_try_at = ?, last_error = ?, "
		"updated_at = ? WHERE packet_id = ? AND state IN ('queued', 'sending')",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, next_try_at);
	nhipi_bind_text(stmt, 2, last_error);
	sqlite3_bind_int64(stmt, 3, nhipi_store_now(self));
	nhipi_bind_text(stmt, 4, packet_id);
	return packet_update(self, stmt, packet_id, error);
}

/**
 * nhip_store_packet_fail:
 * @self: the store
 * @packet_id: the packet
 * @last_error: why the hub refused it
 * @error: return location for a #GError
 *
 * Parks a packet the hub refused for good. The sealed file is kept for a technician.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_packet_fail(NhipStore *self,
		       const gchar *packet_id,
		       const gchar *last_error,
		       GError **error)
{
	g_autoptr(NhipStoreTxn) txn = nhipi_store_txn_begin(self, error);
	g_autoptr(NhipStmt) stmt = NULL;

	if (txn == NULL)
		return FALSE;
	stmt = nhipi_store_prepare(self,
				   "UPDATE packets SET state = 'failed', attempts = attempts + 1, "
				   "last_error = ?, updated_at = ? WHERE packet_id = ?",
				   error);
	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, last_error);
	sqlite3_bind_int64(stmt, 2, nhipi_store_now(self));
	nhipi_bind_text(stmt, 3, packet_id);
	return packet_update_audited(self, txn, stmt, packet_id, "packet.refused", error);
}

/**
 * nhip_store_packet_delivered:
 * @self: the store
 * @packet_id: the packet
 * @receipt_path: the hub's receipt, verified and saved
 * @case_id: the hub's case number
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success; the caller deletes the sealed file afterwards
 */
gboolean
nhip_store_packet_delivered(NhipStore *self,
			    const gchar *packet_id,
			    const gchar *receipt_path,
			    gint64 case_id,
			    GError **error)
{
	g_autoptr(NhipStoreTxn) txn = nhipi_store_txn_begin(self, error);
	g_autoptr(NhipStmt) stmt = NULL;

	if (txn == NULL)
		return FALSE;
	stmt = nhipi_store_prepare(
		self,
		"UPDATE packets SET state = 'delivered', acked = size, "
		"receipt_path = ?, case_id = ?, attempts = 0, last_error = NULL, "
		"updated_at = ? WHERE packet_id = ? AND state IN "
		"('queued', 'sending')",
		error);
	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, receipt_path);
	sqlite3_bind_int64(stmt, 2, case_id);
	sqlite3_bind_int64(stmt, 3, nhipi_store_now(self));
	nhipi_bind_text(stmt, 4, packet_id);
	return packet_update_audited(self, txn, stmt, packet_id, "packet.delivered", error);
}

/**
 * nhip_store_reply_add:
 * @self: the store
 * @reply: a verified reply
 * @error: return location for a #GError
 *
 * Stores the reply (once: a second copy is ignored), marks the case packet answered and
 * moves the inbox cursor, in one transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_reply_add(NhipStore *self, const NhipReply *reply, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = nhipi_store_txn_begin(self, error);
	g_autofree gchar *cursor = g_strdup_printf("%" PRId64, reply->cursor);

	if (txn == NULL)
		return FALSE;
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self,
			"INSERT INTO replies (msg_id, in_reply_to, cursor, path, text, "
			"received_at, doctor, referral, urgency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
			"?) "
			"ON CONFLICT DO NOTHING",
			error);
		if (stmt == NULL)
			return FALSE;
		nhipi_bind_text(stmt, 1, reply->msg_id);
		nhipi_bind_text(stmt, 2, reply->in_reply_to);
		sqlite3_bind_int64(stmt, 3, reply->cursor);
		nhipi_bind_text(stmt, 4, reply->path);
		nhipi_bind_text(stmt, 5, reply->text);
		sqlite3_bind_int64(stmt, 6, nhipi_store_now(self));
		nhipi_bind_text(stmt, 7, reply->doctor);
		if (reply->referral >= 0)
			sqlite3_bind_int(stmt, 8, reply->referral);
		nhipi_bind_text(stmt, 9, reply->urgency);
		if (!nhipi_store_step_done(self, stmt, _("store the reply"), error))
			return FALSE;
	}
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self,
			"UPDATE packets SET state = 'answered', updated_at = ? WHERE "
			"packet_id = ? AND state IN ('delivered', 'sending', 'queued')",
			error);
		if (stmt == NULL)
			return FALSE;
		sqlite3_bind_int64(stmt, 1, nhipi_store_now(self));
		nhipi_bind_text(stmt, 2, reply->in_reply_to);
		if (!nhipi_store_step_done(self, stmt, _("store the reply"), error))
			return FALSE;
	}
	if (!nhip_store_sync_set(self, "inbox_cursor", cursor, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

static gpointer
reply_from_row(NhipStmt *stmt)
{
	NhipReply *reply = g_new0(NhipReply, 1);

	reply->msg_id = nhipi_column_text(stmt, 0);
	reply->in_reply_to = nhipi_column_text(stmt, 1);
	reply->cursor = sqlite3_column_int64(stmt, 2);
	reply->path = nhipi_column_text(stmt, 3);
	reply->text = nhipi_column_text(stmt, 4);
	reply->received_at = sqlite3_column_int64(stmt, 5);
	reply->doctor = nhipi_column_text(stmt, 6);
	reply->referral =
		sqlite3_column_type(stmt, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(stmt, 7);
	reply->urgency = nhipi_column_text(stmt, 8);
	reply->visit_id = sqlite3_column_int64(stmt, 9);
	reply->read_at = sqlite3_column_int64(stmt, 10);
	reply->read_by = sqlite3_column_int64(stmt, 11);
	return reply;
}

static GPtrArray *
reply_list(NhipStore *self, const gchar *where, gint64 visit_id, GError **error)
{
	g_autofree gchar *sql = g_strdup_printf(
		"SELECT r.msg_id, r.in_reply_to, r.cursor, r.path, r.text, r.received_at, "
		"r.doctor, r.referral, r.urgency, p.visit_id, r.read_at, r.read_by "
		"FROM replies r LEFT JOIN packets p ON p.packet_id = r.in_reply_to %s "
		"ORDER BY r.cursor DESC",
		where);
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(self, sql, error);

	if (stmt == NULL)
		return NULL;
	if (visit_id > 0)
		sqlite3_bind_int64(stmt, 1, visit_id);
	return nhipi_store_rows(self, stmt, reply_from_row, (GDestroyNotify)nhip_reply_free,
				_("read the replies"), error);
}

/**
 * nhip_store_reply_list:
 * @self: the store
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipReply) (nullable): the replies, newest first
 */
GPtrArray *
nhip_store_reply_list(NhipStore *self, GError **error)
{
	return reply_list(self, "", 0, error);
}

/**
 * nhip_store_reply_list_for_visit:
 * @self: the store
 * @visit_id: a visit
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipReply) (nullable): the replies to the cases
 *   sent about the visit, newest first
 */
GPtrArray *
nhip_store_reply_list_for_visit(NhipStore *self, gint64 visit_id, GError **error)
{
	g_return_val_if_fail(visit_id > 0, NULL);
	return reply_list(self, "WHERE p.visit_id = ?", visit_id, error);
}

/**
 * nhip_store_reply_list_unread:
 * @self: the store
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipReply) (nullable): the replies nobody has
 *   marked read yet, newest first
 */
GPtrArray *
nhip_store_reply_list_unread(NhipStore *self, GError **error)
{
	return reply_list(self, "WHERE r.read_at IS NULL", 0, error);
}

/**
 * nhip_store_reply_mark_read:
 * @self: the store (its actor is recorded as the reader)
 * @msg_id: the reply
 * @error: return location for a #GError
 *
 * Records that the staff member read the doctor's answer; marking it again keeps the
 * first reading.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_reply_mark_read(NhipStore *self, const gchar *msg_id, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = nhipi_store_txn_begin(self, error);
	g_autoptr(NhipStmt) stmt = NULL;
	gint64 row = 0;
	gboolean already = FALSE;

	g_return_val_if_fail(msg_id != NULL, FALSE);
	if (txn == NULL)
		return FALSE;
	stmt = nhipi_store_prepare(self, "SELECT rowid, read_at FROM replies WHERE msg_id = ?",
				   error);
	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, msg_id);
	switch (sqlite3_step(stmt)) {
	case SQLITE_ROW:
		row = sqlite3_column_int64(stmt, 0);
		already = sqlite3_column_type(stmt, 1) != SQLITE_NULL;
		break;
	case SQLITE_DONE:
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
			    _("there is no reply %s"), msg_id);
		return FALSE;
	default:
		nhipi_store_set_error(self, sqlite3_errcode(self->db), _("read the replies"),
				      error);
		return FALSE;
	}
	g_clear_pointer(&stmt, nhipi_stmt_release);
	if (already)
		return nhipi_store_txn_commit(txn, error);
	stmt = nhipi_store_prepare(
		self, "UPDATE replies SET read_at = ?, read_by = ? WHERE rowid = ?", error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, nhipi_store_now(self));
	if (self->actor_id != 0)
		sqlite3_bind_int64(stmt, 2, self->actor_id);
	sqlite3_bind_int64(stmt, 3, row);
	if (!nhipi_store_step_done(self, stmt, _("store the reply"), error) ||
	    !nhipi_store_audit(self, "reply.read", "reply", row, NULL, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_packet_list_recent:
 * @self: the store
 * @visit_id: only the packets about this visit, or 0 for all
 * @since: only those queued at or after this time (Unix seconds), or 0
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipOutboxPacket) (nullable): the packets,
 *   newest first
 */
GPtrArray *
nhip_store_packet_list_recent(NhipStore *self, gint64 visit_id, gint64 since, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self,
		"SELECT " PACKET_COLUMNS " FROM packets WHERE (?1 = 0 OR visit_id = ?1) AND "
		"created_at >= ?2 ORDER BY id DESC",
		error);

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, visit_id);
	sqlite3_bind_int64(stmt, 2, since);
	return packet_rows(self, stmt, error);
}

/**
 * nhip_store_packet_fingerprint:
 * @self: the store
 * @error: return location for a #GError
 *
 * A short text that changes whenever a packet is queued or moves on (progress included)
 * or a reply arrives or is read, by this program or another one (the sync service): the
 * kiosk compares it once a second to know when to show the queue again.
 *
 * Returns: (transfer full) (nullable): the fingerprint
 */
gchar *
nhip_store_packet_fingerprint(NhipStore *self, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
		self,
		"SELECT (SELECT count(*) || ':' || coalesce(max(updated_at), 0) || ':' || "
		"coalesce(sum(acked), 0) || ':' || coalesce(sum(attempts), 0) FROM packets) || "
		"'/' || (SELECT count(*) || ':' || count(read_at) FROM replies)",
		error);
	gint rc;

	if (stmt == NULL)
		return NULL;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return nhipi_column_text(stmt, 0);
	nhipi_store_set_error(self, rc, _("read the packet queue"), error);
	return NULL;
}

/**
 * nhip_store_sync_get:
 * @self: the store
 * @key: "inbox_cursor", "packet_seq"
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the value, or %NULL (without @error) when unset
 */
gchar *
nhip_store_sync_get(NhipStore *self, const gchar *key, GError **error)
{
	g_autoptr(NhipStmt) stmt =
		nhipi_store_prepare(self, "SELECT value FROM sync_state WHERE key = ?", error);
	gint rc;

	if (stmt == NULL)
		return NULL;
	nhipi_bind_text(stmt, 1, key);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return nhipi_column_text(stmt, 0);
	if (rc != SQLITE_DONE)
		nhipi_store_set_error(self, rc, _("read the sender's state"), error);
	return NULL;
}

/**
 * nhip_store_sync_set:
 * @self: the store
 * @key: the key
 * @value: its new value
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_sync_set(NhipStore *self, const gchar *key, const gchar *value, GError **error)
{
	g_autoptr(NhipStmt) stmt =
		nhipi_store_prepare(self,
				    "INSERT INTO sync_state (key, value) VALUES (?, ?) "
				    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
				    error);

	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, key);
	nhipi_bind_text(stmt, 2, value);
	return nhipi_store_step_done(self, stmt, _("save the sender's state"), error);
}

/**
 * nhip_store_packet_next_seq:
 * @self: the store
 * @error: return location for a #GError
 *
 * Takes the next number of the station's packet sequence (monotonic, never reused).
 *
 * Returns: the sequence number (≥ 1), or 0 on error
 */
gint64
nhip_store_packet_next_seq(NhipStore *self, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = nhipi_store_txn_begin(self, error);
	g_autofree gchar *current = NULL;
	g_autofree gchar *next_text = NULL;
	g_autoptr(GError) error_local = NULL;
	gint64 next;

	if (txn == NULL)
		return 0;
	current = nhip_store_sync_get(self, "packet_seq", &error_local);
	if (error_local != NULL) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return 0;
	}
	next = (current != NULL ? g_ascii_strtoll(current, NULL, 10) : 0) + 1;
	next_text = g_strdup_printf("%" PRId64, next);
	if (!nhip_store_sync_set(self, "packet_seq", next_text, error) ||
	    !nhipi_store_txn_commit(txn, error))
		return 0;
	return next;
}

/**
 * nhip_store_packet_count_waiting:
 * @self: the store
 * @count: (out): packets not yet delivered nor refused
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_packet_count_waiting(NhipStore *self, gint64 *count, GError **error)
{
	return nhipi_store_count(
		self, "SELECT count(*) FROM packets WHERE state IN ('queued', 'sending')", count,
		error);
}
