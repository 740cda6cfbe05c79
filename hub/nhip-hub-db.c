/*
 * Nhịp hub — the storage interface: domain operations written once over a backend that runs
 * SQL with text parameters. The SQL here is the common subset of SQLite 3.40 and PostgreSQL
 * 15 (ON CONFLICT, RETURNING); only the table definitions differ, per backend.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-hub-db-private.h"

G_DEFINE_QUARK(nhip - hub - error - quark, nhip_hub_error)

struct _NhipHubDb {
	const NhipHubDbBackend *backend;
	gpointer conn;
	GMutex lock; /* one statement at a time on the connection */
};

void
nhip_hub_rows_free(NhipHubRows *rows)
{
	if (rows == NULL)
		return;
	g_ptr_array_unref(rows->cells);
	g_free(rows);
}

guint
nhip_hub_rows_count(NhipHubRows *rows)
{
	return rows->n_cols > 0 ? rows->cells->len / rows->n_cols : 0;
}

const gchar *
nhip_hub_rows_text(NhipHubRows *rows, guint row, guint col)
{
	return g_ptr_array_index(rows->cells, row * rows->n_cols + col);
}

gint64
nhip_hub_rows_int(NhipHubRows *rows, guint row, guint col)
{
	const gchar *text = nhip_hub_rows_text(rows, row, col);
	return text != NULL ? g_ascii_strtoll(text, NULL, 10) : 0;
}

gchar *
nhip_hub_rows_dup(NhipHubRows *rows, guint row, guint col)
{
	return g_strdup(nhip_hub_rows_text(rows, row, col));
}

void
nhip_hub_upload_free(NhipHubUpload *upload)
{
	if (upload == NULL)
		return;
	g_free(upload->id);
	g_free(upload->station);
	g_free(upload->packet_id);
	g_free(upload->sha256);
	g_free(upload->reason);
	g_free(upload);
}

void
nhip_hub_packet_free(NhipHubPacket *packet)
{
	if (packet == NULL)
		return;
	g_free(packet->station);
	g_free(packet->packet_id);
	g_free(packet->sha256);
	g_free(packet->urgency);
	g_free(packet->contents_sha256);
	g_free(packet->receipt_sha256);
	g_free(packet);
}

void
nhip_hub_message_free(NhipHubMessage *message)
{
	if (message == NULL)
		return;
	g_free(message->station);
	g_free(message->msg_id);
	g_free(message->kind);
	g_free(message->in_reply_to);
	g_free(message->blob_sha256);
	g_free(message);
}

/* the tables, in the SQL both backends take: SQLite gives BIGINT integer affinity */
static const gchar db_schema[] =
	"CREATE TABLE IF NOT EXISTS uploads ("
	"  id TEXT PRIMARY KEY,"
	"  station TEXT NOT NULL,"
	"  packet_id TEXT NOT NULL,"
	"  length BIGINT NOT NULL CHECK (length > 0),"
	"  acked BIGINT NOT NULL DEFAULT 0 CHECK (acked BETWEEN 0 AND length),"
	"  sha256 TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('open', 'done', 'refused')),"
	"  reason TEXT,"
	"  created BIGINT NOT NULL,"
	"  expires BIGINT NOT NULL,"
	"  UNIQUE (station, packet_id));"
	"CREATE TABLE IF NOT EXISTS packets ("
	"  id @SERIAL@,"
	"  station TEXT NOT NULL,"
	"  packet_id TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  size BIGINT NOT NULL,"
	"  seq BIGINT NOT NULL DEFAULT 0,"
	"  urgency TEXT,"
	"  contents_sha256 TEXT,"
	"  receipt_sha256 TEXT NOT NULL,"
	"  received BIGINT NOT NULL,"
	"  UNIQUE (station, packet_id));"
	"CREATE TABLE IF NOT EXISTS inbox ("
	"  cursor @SERIAL@,"
	"  station TEXT NOT NULL,"
	"  msg_id TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL,"
	"  in_reply_to TEXT,"
	"  blob_sha256 TEXT NOT NULL,"
	"  size BIGINT NOT NULL,"
	"  created BIGINT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS inbox_station ON inbox (station, cursor);"
	/* the doctors' web pages (nhip-hub-db-web.c) */
	"CREATE TABLE IF NOT EXISTS case_files ("
	"  packet BIGINT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  size BIGINT NOT NULL,"
	"  PRIMARY KEY (packet, name));"
	"CREATE TABLE IF NOT EXISTS doctors ("
	"  id @SERIAL@,"
	"  username TEXT NOT NULL UNIQUE,"
	"  display_name TEXT NOT NULL,"
	"  password TEXT NOT NULL,"
	"  created BIGINT NOT NULL,"
	"  disabled BIGINT NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS doctor_sessions ("
	"  token_sha256 TEXT PRIMARY KEY,"
	"  doctor BIGINT NOT NULL,"
	"  csrf TEXT NOT NULL,"
	"  created BIGINT NOT NULL,"
	"  expires BIGINT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS answers ("
	"  msg_id TEXT PRIMARY KEY,"
	"  packet BIGINT NOT NULL,"
	"  doctor BIGINT NOT NULL,"
	"  doctor_name TEXT NOT NULL,"
	"  advice TEXT NOT NULL,"
	"  referral BIGINT NOT NULL,"
	"  urgency TEXT NOT NULL,"
	"  created BIGINT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS answers_packet ON answers (packet, created);"
	/* live consultations (nhip-hub-db-live.c): at most one open session a case */
	"CREATE TABLE IF NOT EXISTS live_sessions ("
	"  id TEXT PRIMARY KEY,"
	"  packet BIGINT NOT NULL,"
	"  packet_id TEXT NOT NULL,"
	"  station TEXT NOT NULL,"
	"  room BIGINT NOT NULL,"
	"  room_secret TEXT NOT NULL,"
	"  started_by TEXT NOT NULL CHECK (started_by IN ('station', 'doctor')),"
	"  state TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'ended')),"
	"  created BIGINT NOT NULL,"
	"  expires BIGINT NOT NULL,"
	"  ended BIGINT NOT NULL DEFAULT 0,"
	"  invited BIGINT NOT NULL DEFAULT 0,"
	"  released BIGINT NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX IF NOT EXISTS live_sessions_open ON live_sessions (packet) "
	"  WHERE state <> 'ended';"
	"CREATE INDEX IF NOT EXISTS live_sessions_station ON live_sessions (station, state);"
	"CREATE TABLE IF NOT EXISTS live_participants ("
	"  session TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  token TEXT NOT NULL UNIQUE,"
	"  joined BIGINT NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (session, who));"
	"CREATE TABLE IF NOT EXISTS live_events ("
	"  session TEXT NOT NULL,"
	"  seq BIGINT NOT NULL,"
	"  sender TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  at BIGINT NOT NULL,"
	"  PRIMARY KEY (session, seq));"

	/* failed logins to the doctors' pages, by account ("user:NAME") and by address
	 * ("addr:IP"): kept here so that a restart does not lift a lock */
	"CREATE TABLE IF NOT EXISTS login_failures ("
	"  key TEXT PRIMARY KEY,"
	"  failures BIGINT NOT NULL,"
	"  window_start BIGINT NOT NULL);";

/* runs one statement under the lock; params are text, NULL for SQL NULL */
NhipHubRows *
nhip_hub_db_query(NhipHubDb *self,
		  const gchar *sql,
		  const gchar *const *params,
		  guint n,
		  GError **error)
{
	NhipHubRows *rows;

	g_mutex_lock(&self->lock);
	rows = self->backend->query(self->conn, sql, params, n, error);
	g_mutex_unlock(&self->lock);
	return rows;
}

gchar *
nhip_hub_int_text(gint64 value)
{
	return g_strdup_printf("%" PRId64, value);
}

/* runs a SELECT and reads each of its rows with @reader; NULL on error */
GPtrArray *
nhip_hub_db_query_list(NhipHubDb *self,
		       const gchar *sql,
		       const gchar *const *params,
		       guint n,
		       NhipHubRowReader reader,
		       GDestroyNotify free_func,
		       GError **error)
{
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(self, sql, params, n, error);
	GPtrArray *list;

	if (rows == NULL)
		return NULL;
	list = g_ptr_array_new_with_free_func(free_func);
	for (guint i = 0; i < nhip_hub_rows_count(rows); i++)
		g_ptr_array_add(list, reader(rows, i));
	return list;
}

/**
 * nhip_hub_db_open:
 * @uri: (nullable): `postgresql://…` (or `postgres://…`), `sqlite:PATH`, or %NULL / empty
 *   for `hub.db` in @hub_dir
 * @hub_dir: the hub's folder
 * @error: return location for a #GError
 *
 * Connects and creates the tables that are missing.
 *
 * Returns: (transfer full) (nullable): the database
 */
NhipHubDb *
nhip_hub_db_open(const gchar *uri, const gchar *hub_dir, GError **error)
{
	g_autoptr(NhipHubDb) self = g_new0(NhipHubDb, 1);
	g_autofree gchar *target = NULL;
	g_autofree gchar *schema = NULL;

	g_mutex_init(&self->lock);
	if (uri == NULL || uri[0] == '\0') {
		self->backend = &nhip_hub_db_sqlite;
		target = g_build_filename(hub_dir, "hub.db", NULL);
	} else if (g_str_has_prefix(uri, "sqlite:")) {
		self->backend = &nhip_hub_db_sqlite;
		target = g_strdup(uri + strlen("sqlite:"));
	} else if (g_str_has_prefix(uri, "postgresql://") || g_str_has_prefix(uri, "postgres://")) {
		self->backend = &nhip_hub_db_postgresql;
		target = g_strdup(uri);
	} else {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
			    _("unknown database “%s”: give postgresql://… or sqlite:PATH"), uri);
		return NULL;
	}
	self->conn = self->backend->open(target, error);
	if (self->conn == NULL)
		return NULL;
	{
		g_auto(GStrv) parts = g_strsplit(db_schema, "@SERIAL@", -1);
		schema = g_strjoinv(self->backend->serial_key, parts);
	}
	if (!self->backend->exec(self->conn, schema, error)) {
		g_prefix_error(error, _("cannot create the hub's tables: "));
		return NULL;
	}
	return g_steal_pointer(&self);
}

/**
 * nhip_hub_db_free:
 * @self: (nullable): the database
 */
void
nhip_hub_db_free(NhipHubDb *self)
{
	if (self == NULL)
		return;
	if (self->conn != NULL)
		self->backend->close(self->conn);
	g_mutex_clear(&self->lock);
	g_free(self);
}

/**
 * nhip_hub_db_get_backend:
 * @self: the database
 *
 * Returns: (transfer none): "sqlite" or "postgresql"
 */
const gchar *
nhip_hub_db_get_backend(NhipHubDb *self)
{
	return self->backend->name;
}

/* ----- uploads ----- */

#define UPLOAD_COLUMNS \
	"id, station, packet_id, length, acked, sha256, state, reason, created, expires"

static NhipHubUpload *
upload_from_rows(NhipHubRows *rows, guint row)
{
	NhipHubUpload *upload = g_new0(NhipHubUpload, 1);
	const gchar *state = nhip_hub_rows_text(rows, row, 6);

	upload->id = nhip_hub_rows_dup(rows, row, 0);
	upload->station = nhip_hub_rows_dup(rows, row, 1);
	upload->packet_id = nhip_hub_rows_dup(rows, row, 2);
	upload->length = nhip_hub_rows_int(rows, row, 3);
	upload->acked = nhip_hub_rows_int(rows, row, 4);
	upload->sha256 = nhip_hub_rows_dup(rows, row, 5);
	if (g_strcmp0(state, "done") == 0)
		upload->state = NHIP_HUB_UPLOAD_DONE;
	else if (g_strcmp0(state, "refused") == 0)
		upload->state = NHIP_HUB_UPLOAD_REFUSED;
	else
		upload->state = NHIP_HUB_UPLOAD_OPEN;
	upload->reason = nhip_hub_rows_dup(rows, row, 7);
	upload->created = nhip_hub_rows_int(rows, row, 8);
	upload->expires = nhip_hub_rows_int(rows, row, 9);
	return upload;
}

/**
 * nhip_hub_db_upload_create:
 * @self: the database
 * @upload: the new upload (id, station, packet id, length, sha256, created, expires)
 * @error: return location for a #GError
 *
 * Creates the upload unless one with the same id exists already, and returns what is
 * stored: the new upload, or the one made before by the same station for the same packet.
 *
 * Returns: (transfer full) (nullable): the stored upload
 */
NhipHubUpload *
nhip_hub_db_upload_create(NhipHubDb *self, const NhipHubUpload *upload, GError **error)
{
	g_autofree gchar *length = nhip_hub_int_text(upload->length);
	g_autofree gchar *created = nhip_hub_int_text(upload->created);
	g_autofree gchar *expires = nhip_hub_int_text(upload->expires);
	const gchar *params[] = { upload->id, upload->station, upload->packet_id,
				  length,     upload->sha256,  created,
				  expires };
	g_autoptr(NhipHubRows) rows = NULL;

	rows = nhip_hub_db_query(
		self,
		"INSERT INTO uploads (id, station, packet_id, length, acked, sha256, state, "
		"created, expires) VALUES (?, ?, ?, ?, 0, ?, 'open', ?, ?) "
		"ON CONFLICT DO NOTHING",
		params, G_N_ELEMENTS(params), error);
	if (rows == NULL)
		return NULL;
	return nhip_hub_db_upload_get(self, upload->id, error);
}

/**
 * nhip_hub_db_upload_get:
 * @self: the database
 * @id: the upload id
 * @error: return location for a #GError; %NHIP_HUB_ERROR_NOT_FOUND when there is none
 *
 * Returns: (transfer full) (nullable): the upload
 */
NhipHubUpload *
nhip_hub_db_upload_get(NhipHubDb *self, const gchar *id, GError **error)
{
	const gchar *params[] = { id };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self, "SELECT " UPLOAD_COLUMNS " FROM uploads WHERE id = ?", params, 1, error);

	if (rows == NULL)
		return NULL;
	if (nhip_hub_rows_count(rows) == 0) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND, _("no upload %s"), id);
		return NULL;
	}
	return upload_from_rows(rows, 0);
}

/**
 * nhip_hub_db_upload_set_acked:
 * @self: the database
 * @id: the upload id
 * @from: the offset the chunk was written at
 * @to: the offset after it, now on disk
 * @error: return location for a #GError; %NHIP_HUB_ERROR_CONFLICT when the offset moved
 *   meanwhile (another request for the same upload got there first)
 *
 * Returns: %TRUE when the acknowledged offset went from @from to @to
 */
gboolean
nhip_hub_db_upload_set_acked(NhipHubDb *self,
			     const gchar *id,
			     gint64 from,
			     gint64 to,
			     GError **error)
{
	g_autofree gchar *from_text = nhip_hub_int_text(from);
	g_autofree gchar *to_text = nhip_hub_int_text(to);
	const gchar *params[] = { to_text, id, from_text };
	g_autoptr(NhipHubRows) rows =
		nhip_hub_db_query(self,
				  "UPDATE uploads SET acked = ? WHERE id = ? AND "
				  "acked = ? AND state = 'open' RETURNING id",
				  params, G_N_ELEMENTS(params), error);
	if (rows == NULL)
		return FALSE;
	if (nhip_hub_rows_count(rows) != 1) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_CONFLICT,
			    _("upload %s is no longer at offset %" PRId64), id, from);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hub_db_upload_finish:
 * @self: the database
 * @id: the upload id
 * @state: %NHIP_HUB_UPLOAD_DONE or %NHIP_HUB_UPLOAD_REFUSED
 * @reason: (nullable): why it was refused, for the station and the log
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_db_upload_finish(NhipHubDb *self,
			  const gchar *id,
			  NhipHubUploadState state,
			  const gchar *reason,
			  GError **error)
{
	const gchar *params[] = { state == NHIP_HUB_UPLOAD_DONE ? "done" : "refused", reason, id };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self, "UPDATE uploads SET state = ?, reason = ? WHERE id = ?", params, 3, error);
	return rows != NULL;
}

/**
 * nhip_hub_db_upload_restart:
 * @self: the database
 * @id: the upload id
 * @expires: its new expiry
 * @error: return location for a #GError
 *
 * Starts an expired upload again from offset 0.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_db_upload_restart(NhipHubDb *self, const gchar *id, gint64 expires, GError **error)
{
	g_autofree gchar *expires_text = nhip_hub_int_text(expires);
	const gchar *params[] = { expires_text, id };
	g_autoptr(NhipHubRows) rows =
		nhip_hub_db_query(self,
				  "UPDATE uploads SET acked = 0, state = 'open', reason = NULL, "
				  "expires = ? WHERE id = ? AND state = 'open'",
				  params, 2, error);
	return rows != NULL;
}

/**
 * nhip_hub_db_upload_expire:
 * @self: the database
 * @now: the time
 * @ids: (element-type utf8): gets the ids of the uploads removed, whose files can go
 * @error: return location for a #GError
 *
 * Forgets unfinished uploads past their expiry.
 *
 * Returns: how many were removed
 */
guint
nhip_hub_db_upload_expire(NhipHubDb *self, gint64 now, GPtrArray *ids, GError **error)
{
	g_autofree gchar *now_text = nhip_hub_int_text(now);
	const gchar *params[] = { now_text };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self, "DELETE FROM uploads WHERE state = 'open' AND expires < ? RETURNING id",
		params, 1, error);

	if (rows == NULL)
		return 0;
	for (guint i = 0; i < nhip_hub_rows_count(rows); i++)
		g_ptr_array_add(ids, nhip_hub_rows_dup(rows, i, 0));
	return nhip_hub_rows_count(rows);
}

/* ----- packets (accepted cases) ----- */

#define PACKET_COLUMNS                                                                          \
	"id, station, packet_id, sha256, size, seq, urgency, contents_sha256, receipt_sha256, " \
	"received"

static gpointer
packet_from_rows(NhipHubRows *rows, guint row)
{
	NhipHubPacket *packet = g_new0(NhipHubPacket, 1);

	packet->id = nhip_hub_rows_int(rows, row, 0);
	packet->station = nhip_hub_rows_dup(rows, row, 1);
	packet->packet_id = nhip_hub_rows_dup(rows, row, 2);
	packet->sha256 = nhip_hub_rows_dup(rows, row, 3);
	packet->size = nhip_hub_rows_int(rows, row, 4);
	packet->seq = nhip_hub_rows_int(rows, row, 5);
	packet->urgency = nhip_hub_rows_dup(rows, row, 6);
	packet->contents_sha256 = nhip_hub_rows_dup(rows, row, 7);
	packet->receipt_sha256 = nhip_hub_rows_dup(rows, row, 8);
	packet->received = nhip_hub_rows_int(rows, row, 9);
	return packet;
}

/**
 * nhip_hub_db_packet_add:
 * @self: the database
 * @packet: the accepted packet; its id is set
 * @error: return location for a #GError; %NHIP_HUB_ERROR_CONFLICT when the station sent
 *   this packet id before
 *
 * Returns: %TRUE when stored
 */
gboolean
nhip_hub_db_packet_add(NhipHubDb *self, NhipHubPacket *packet, GError **error)
{
	g_autofree gchar *size = nhip_hub_int_text(packet->size);
	g_autofree gchar *seq = nhip_hub_int_text(packet->seq);
	g_autofree gchar *received = nhip_hub_int_text(packet->received);
	const gchar *params[] = {
		packet->station, packet->packet_id,	  packet->sha256,	  size,	   seq,
		packet->urgency, packet->contents_sha256, packet->receipt_sha256, received
	};
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self,
		"INSERT INTO packets (station, packet_id, sha256, size, seq, urgency, "
		"contents_sha256, receipt_sha256, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT DO NOTHING RETURNING id",
		params, G_N_ELEMENTS(params), error);

	if (rows == NULL)
		return FALSE;
	if (nhip_hub_rows_count(rows) != 1) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_CONFLICT,
			    _("station %s sent packet %s before"), packet->station,
			    packet->packet_id);
		return FALSE;
	}
	packet->id = nhip_hub_rows_int(rows, 0, 0);
	return TRUE;
}

/**
 * nhip_hub_db_packet_get:
 * @self: the database
 * @station: the station code
 * @packet_id: the packet id
 * @error: return location for a #GError; %NHIP_HUB_ERROR_NOT_FOUND when there is none
 *
 * Returns: (transfer full) (nullable): the packet
 */
NhipHubPacket *
nhip_hub_db_packet_get(NhipHubDb *self,
		       const gchar *station,
		       const gchar *packet_id,
		       GError **error)
{
	const gchar *params[] = { station, packet_id };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self, "SELECT " PACKET_COLUMNS " FROM packets WHERE station = ? AND packet_id = ?",
		params, 2, error);

	if (rows == NULL)
		return NULL;
	if (nhip_hub_rows_count(rows) == 0) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND,
			    _("no packet %s from station %s"), packet_id, station);
		return NULL;
	}
	return packet_from_rows(rows, 0);
}

/**
 * nhip_hub_db_packet_replay_state:
 * @self: the database
 * @station: the sending station
 * @packet_id: the packet at hand
 * @seq: its sequence number
 * @highest: (out): the highest sequence stored for @station, 0 for none
 * @seq_of_packet_id: (out): the sequence stored with @packet_id, 0 for none
 * @packet_id_at_seq: (out) (transfer full) (nullable): the packet stored with @seq
 * @error: return location for a #GError
 *
 * What the replay rule needs to know about one station.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_db_packet_replay_state(NhipHubDb *self,
				const gchar *station,
				const gchar *packet_id,
				gint64 seq,
				gint64 *highest,
				gint64 *seq_of_packet_id,
				gchar **packet_id_at_seq,
				GError **error)
{
	g_autofree gchar *seq_text = nhip_hub_int_text(seq);
	const gchar *params[] = { station, station, packet_id, station, seq_text };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self,
		"SELECT (SELECT max(seq) FROM packets WHERE station = ?), "
		"(SELECT seq FROM packets WHERE station = ? AND packet_id = ?), "
		"(SELECT min(packet_id) FROM packets WHERE station = ? AND seq = ?)",
		params, G_N_ELEMENTS(params), error);

	if (rows == NULL)
		return FALSE;
	*highest = nhip_hub_rows_int(rows, 0, 0);
	*seq_of_packet_id = nhip_hub_rows_int(rows, 0, 1);
	*packet_id_at_seq = nhip_hub_rows_dup(rows, 0, 2);
	return TRUE;
}

/**
 * nhip_hub_db_packet_by_case:
 * @self: the database
 * @id: the case number
 * @error: return location for a #GError; %NHIP_HUB_ERROR_NOT_FOUND when there is none
 *
 * Returns: (transfer full) (nullable): the packet of that case
 */
NhipHubPacket *
nhip_hub_db_packet_by_case(NhipHubDb *self, gint64 id, GError **error)
{
	g_autofree gchar *id_text = nhip_hub_int_text(id);
	const gchar *params[] = { id_text };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self, "SELECT " PACKET_COLUMNS " FROM packets WHERE id = ?", params, 1, error);

	if (rows == NULL)
		return NULL;
	if (nhip_hub_rows_count(rows) == 0) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND,
			    _("there is no case %" PRId64), id);
		return NULL;
	}
	return packet_from_rows(rows, 0);
}

/**
 * nhip_hub_db_packet_list:
 * @self: the database
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipHubPacket) (nullable): every accepted packet,
 *   urgent first, then oldest first
 */
GPtrArray *
nhip_hub_db_packet_list(NhipHubDb *self, GError **error)
{
	return nhip_hub_db_query_list(
		self,
		"SELECT " PACKET_COLUMNS " FROM packets ORDER BY "
		"CASE WHEN urgency = 'urgent' THEN 0 ELSE 1 END, received, id",
		NULL, 0, packet_from_rows, (GDestroyNotify)nhip_hub_packet_free, error);
}

/* ----- each station's inbox ----- */

#define MESSAGE_COLUMNS "cursor, station, msg_id, kind, in_reply_to, blob_sha256, size, created"

static gpointer
message_from_rows(NhipHubRows *rows, guint row)
{
	NhipHubMessage *message = g_new0(NhipHubMessage, 1);

	message->cursor = nhip_hub_rows_int(rows, row, 0);
	message->station = nhip_hub_rows_dup(rows, row, 1);
	message->msg_id = nhip_hub_rows_dup(rows, row, 2);
	message->kind = nhip_hub_rows_dup(rows, row, 3);
	message->in_reply_to = nhip_hub_rows_dup(rows, row, 4);
	message->blob_sha256 = nhip_hub_rows_dup(rows, row, 5);
	message->size = nhip_hub_rows_int(rows, row, 6);
	message->created = nhip_hub_rows_int(rows, row, 7);
	return message;
}

/**
 * nhip_hub_db_message_add:
 * @self: the database
 * @message: the message for a station's inbox; its cursor is set
 * @error: return location for a #GError
 *
 * Returns: the message's cursor, or 0 on error
 */
gint64
nhip_hub_db_message_add(NhipHubDb *self, NhipHubMessage *message, GError **error)
{
	g_autofree gchar *size = nhip_hub_int_text(message->size);
	g_autofree gchar *created = nhip_hub_int_text(message->created);
	const gchar *params[] = { message->station,
				  message->msg_id,
				  message->kind,
				  message->in_reply_to,
				  message->blob_sha256,
				  size,
				  created };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self,
		"INSERT INTO inbox (station, msg_id, kind, in_reply_to, blob_sha256, "
		"size, created) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING cursor",
		params, G_N_ELEMENTS(params), error);

	if (rows == NULL)
		return 0;
	message->cursor = nhip_hub_rows_int(rows, 0, 0);
	return message->cursor;
}

/**
 * nhip_hub_db_message_list:
 * @self: the database
 * @station: the station code
 * @after: only messages after this cursor
 * @limit: at most this many
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipHubMessage) (nullable): the messages in
 *   cursor order
 */
GPtrArray *
nhip_hub_db_message_list(NhipHubDb *self,
			 const gchar *station,
			 gint64 after,
			 guint limit,
			 GError **error)
{
	g_autoptr(GPtrArray) list =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_hub_message_free);
	g_autofree gchar *after_text = nhip_hub_int_text(after);
	const gchar *params[] = { station, after_text };
	g_autoptr(NhipHubRows) rows =
		nhip_hub_db_query(self,
				  "SELECT " MESSAGE_COLUMNS " FROM inbox WHERE "
				  "station = ? AND cursor > ? ORDER BY cursor LIMIT 200",
				  params, 2, error);

	if (rows == NULL)
		return NULL;
	for (guint i = 0; i < nhip_hub_rows_count(rows) && i < limit; i++)
		g_ptr_array_add(list, message_from_rows(rows, i));
	return g_steal_pointer(&list);
}

/**
 * nhip_hub_db_message_get:
 * @self: the database
 * @station: the station that asks; it sees only its own messages
 * @msg_id: the message id
 * @error: return location for a #GError; %NHIP_HUB_ERROR_NOT_FOUND when there is none
 *
 * Returns: (transfer full) (nullable): the message
 */
NhipHubMessage *
nhip_hub_db_message_get(NhipHubDb *self, const gchar *station, const gchar *msg_id, GError **error)
{
	const gchar *params[] = { station, msg_id };
	g_autoptr(NhipHubRows) rows = nhip_hub_db_query(
		self, "SELECT " MESSAGE_COLUMNS " FROM inbox WHERE station = ? AND msg_id = ?",
		params, 2, error);

	if (rows == NULL)
		return NULL;
	if (nhip_hub_rows_count(rows) == 0) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND, _("no message %s"),
			    msg_id);
		return NULL;
	}
	return message_from_rows(rows, 0);
}
