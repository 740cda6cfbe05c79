/*
 * Nhịp — the station's database: one SQLite file, WAL, durable commits.
 *
 * Schema versions (PRAGMA user_version); each migration runs in one transaction, and a
 * database whose version is newer than NHIP_STORE_SCHEMA_VERSION is refused untouched:
 *   1  facility, staff, patients, visits, diagnoses, observations
 *   2  attachments (files by SHA-256) and the outbox
 *   3  the append-only audit log with its hash chain
 *   4  the patient search index (FTS5 over folded names and ID numbers)
 *   5  case packets for the district hub, their replies, the sender's state
 *      (nhip-store-packets.c)
 *   6  insurance claims (QĐ 130): claim settings, staff licence numbers, a visit's care
 *      type and category, charged services, appointment and referral papers
 *   7  station settings (key/value: hub, HIS link, idle lock) and the symptoms of a visit
 *   8  the doctor's name, referral and urgency of each reply (nhip-store-packets.c)
 *   9  live consultations with their chat and live vitals, by visit (nhip-store-live.c)
 *  10  when a reply was read at the station, and by whom (nhip-store-packets.c)
 *
 * A failed migration rolls back and leaves the file as it was; the store never deletes or
 * recreates a database on its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-outbox.h"
#include "nhip-store-private.h"
#include "nhip-text.h"
#include "nhip-validate.h"

/* 'NHIP' in the database header tells our files from other SQLite files */
#define NHIP_STORE_APPLICATION_ID 0x4E484950

G_DEFINE_TYPE(NhipStore, nhip_store, G_TYPE_OBJECT)

static void
nhip_store_finalize(GObject *object)
{
	NhipStore *self = NHIP_STORE(object);

	g_hash_table_unref(self->statements);
	if (self->db != NULL)
		sqlite3_close_v2(self->db);
	g_free(self->path);
	g_free(self->attachments_dir);
	G_OBJECT_CLASS(nhip_store_parent_class)->finalize(object);
}

static void
nhip_store_class_init(NhipStoreClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->finalize = nhip_store_finalize;
}

static void
store_stmt_free(gpointer stmt)
{
	sqlite3_finalize(stmt);
}

static void
nhip_store_init(NhipStore *self)
{
	self->statements = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, store_stmt_free);
}

/**
 * nhipi_store_set_error:
 * @self: the store
 * @rc: an SQLite result code
 * @what: what was being done, e.g. "save the patient"
 * @error: return location for a #GError
 *
 * Turns an SQLite failure into a message a person can act on.
 */
void
nhipi_store_set_error(NhipStore *self, gint rc, const gchar *what, GError **error)
{
	const gchar *detail = self->db != NULL ? sqlite3_errmsg(self->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_FULL:
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot %s: the disk is full (%s); nothing was saved — free some "
			      "space and try again"),
			    what, self->path);
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CORRUPT,
			    _("cannot %s: the database %s is damaged or not a station database "
			      "(%s); call a technician to restore the last backup"),
			    what, self->path, detail);
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot %s: the database is busy with another program; try again"),
			    what);
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot %s: no permission to write %s (%s); check the file and "
			      "folder permissions"),
			    what, self->path, detail);
		break;
	case SQLITE_CONSTRAINT:
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT, _("cannot %s: %s"),
			    what, detail);
		break;
	default:
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot %s: %s (database %s)"), what, detail, self->path);
		break;
	}
}

/**
 * nhipi_store_prepare:
 * @self: the store
 * @sql: one SQL statement
 * @error: return location for a #GError
 *
 * Returns: (transfer none) (nullable): a cached statement; release it with
 * nhipi_stmt_release() (g_autoptr(NhipStmt) does)
 */
NhipStmt *
nhipi_store_prepare(NhipStore *self, const gchar *sql, GError **error)
{
	sqlite3_stmt *stmt = g_hash_table_lookup(self->statements, sql);
	gint rc;

	if (stmt != NULL)
		return stmt;
	rc = sqlite3_prepare_v3(self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
	if (rc != SQLITE_OK) {
		nhipi_store_set_error(self, rc, _("prepare a query"), error);
		return NULL;
	}
	g_hash_table_insert(self->statements, g_strdup(sql), stmt);
	return stmt;
}

/**
 * nhipi_stmt_release:
 * @stmt: (nullable): a statement from nhipi_store_prepare()
 */
void
nhipi_stmt_release(NhipStmt *stmt)
{
	if (stmt == NULL)
		return;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

/**
 * nhipi_store_exec:
 * @self: the store
 * @sql: SQL statements without parameters
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhipi_store_exec(NhipStore *self, const gchar *sql, GError **error)
{
	gint rc = sqlite3_exec(self->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		nhipi_store_set_error(self, rc, _("update the database"), error);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhipi_store_step_done:
 * @self: the store
 * @stmt: a bound statement that returns no rows
 * @what: what it does, for the message
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the statement ran to completion
 */
gboolean
nhipi_store_step_done(NhipStore *self, NhipStmt *stmt, const gchar *what, GError **error)
{
	gint rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, what, error);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhipi_store_rows:
 * @self: the store
 * @stmt: a bound query
 * @reader: makes one record of a row
 * @free_func: frees a record
 * @what: what is being read, for the error ("read the replies")
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): every row of @stmt read by @reader, in order
 */
GPtrArray *
nhipi_store_rows(NhipStore *self,
		 NhipStmt *stmt,
		 NhipRowReader reader,
		 GDestroyNotify free_func,
		 const gchar *what,
		 GError **error)
{
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(free_func);
	gint rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(list, reader(stmt));
	if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, what, error);
		return NULL;
	}
	return g_steal_pointer(&list);
}

/**
 * nhipi_store_count:
 * @self: the store
 * @sql: a query returning one integer
 * @count: (out): the integer
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhipi_store_count(NhipStore *self, const gchar *sql, gint64 *count, GError **error)
{
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(self, sql, error);
	gint rc;

	if (stmt == NULL)
		return FALSE;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		nhipi_store_set_error(self, rc, _("read the database"), error);
		return FALSE;
	}
	*count = sqlite3_column_int64(stmt, 0);
	return TRUE;
}

/**
 * nhipi_bind_text:
 * @stmt: a statement
 * @index: parameter index, from 1
 * @value: (nullable): text; %NULL binds SQL NULL
 */
void
nhipi_bind_text(NhipStmt *stmt, gint index, const gchar *value)
{
	if (value == NULL)
		sqlite3_bind_null(stmt, index);
	else
		sqlite3_bind_text(stmt, index, value, -1, SQLITE_TRANSIENT);
}

/**
 * nhipi_column_text:
 * @stmt: a statement on a row
 * @index: column index, from 0
 *
 * Returns: (transfer full) (nullable): the text, %NULL for SQL NULL
 */
gchar *
nhipi_column_text(NhipStmt *stmt, gint index)
{
	const guchar *text = sqlite3_column_text(stmt, index);
	return text != NULL ? g_strdup((const gchar *)text) : NULL;
}

/**
 * nhipi_store_now:
 * @self: the store
 *
 * Returns: the current Unix time in seconds
 */
gint64
nhipi_store_now(NhipStore *self)
{
	if (self->fixed_now != 0)
		return self->fixed_now;
	return g_get_real_time() / G_USEC_PER_SEC;
}

/**
 * nhipi_store_set_clock:
 * @self: the store
 * @fixed_now: the time new records get, or 0 for the real clock
 *
 * Lets the demo generator record visits in the past.
 */
void
nhipi_store_set_clock(NhipStore *self, gint64 fixed_now)
{
	self->fixed_now = fixed_now;
}

/**
 * nhipi_store_txn_begin:
 * @self: the store
 * @error: return location for a #GError
 *
 * Starts a write transaction. It takes the write lock at once, so two writers never
 * deadlock half-way; readers go on reading the last committed state. Inside another
 * transaction it opens a savepoint, so bulk work (the demo generator) can batch many
 * calls into one commit.
 *
 * Returns: (transfer full) (nullable): the transaction; free without commit to roll back
 */
NhipStoreTxn *
nhipi_store_txn_begin(NhipStore *self, GError **error)
{
	NhipStoreTxn *txn;
	g_autofree gchar *sql = NULL;
	gint rc;

	if (self->txn_depth == 0)
		sql = g_strdup("BEGIN IMMEDIATE");
	else
		sql = g_strdup_printf("SAVEPOINT nhip_%u", self->txn_depth);
	rc = sqlite3_exec(self->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		nhipi_store_set_error(self, rc, _("start a transaction"), error);
		return NULL;
	}
	txn = g_new0(NhipStoreTxn, 1);
	txn->store = self;
	txn->depth = self->txn_depth++;
	return txn;
}

/**
 * nhipi_store_txn_commit:
 * @txn: a transaction
 * @error: return location for a #GError
 *
 * Commits durably: with synchronous=FULL the WAL is synced before this returns, so what
 * is committed survives a power cut. On failure everything is rolled back when @txn is
 * freed. A savepoint is released into its outer transaction.
 *
 * Returns: %TRUE when committed
 */
gboolean
nhipi_store_txn_commit(NhipStoreTxn *txn, GError **error)
{
	g_autofree gchar *sql = NULL;
	gint rc;

	if (txn->depth == 0)
		sql = g_strdup("COMMIT");
	else
		sql = g_strdup_printf("RELEASE nhip_%u", txn->depth);
	rc = sqlite3_exec(txn->store->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		nhipi_store_set_error(txn->store, rc, _("save the changes"), error);
		return FALSE;
	}
	txn->done = TRUE;
	txn->store->txn_depth = txn->depth;
	return TRUE;
}

/**
 * nhipi_store_txn_free:
 * @txn: (nullable): a transaction; rolled back if not committed
 */
void
nhipi_store_txn_free(NhipStoreTxn *txn)
{
	if (txn == NULL)
		return;
	if (!txn->done) {
		if (txn->depth == 0) {
			if (!sqlite3_get_autocommit(txn->store->db))
				sqlite3_exec(txn->store->db, "ROLLBACK", NULL, NULL, NULL);
		} else {
			g_autofree gchar *sql = g_strdup_printf(
				"ROLLBACK TO nhip_%u; RELEASE nhip_%u", txn->depth, txn->depth);
			sqlite3_exec(txn->store->db, sql, NULL, NULL, NULL);
		}
		txn->store->txn_depth = txn->depth;
	}
	g_free(txn);
}

/* ----- the audit log ----- */

static gchar *
audit_row_hash(const gchar *prev_hash,
	       gint64 id,
	       gint64 at,
	       gint64 actor,
	       const gchar *action,
	       const gchar *entity,
	       gint64 entity_id,
	       const gchar *detail)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree gchar *text = g_strdup_printf(
		"%s\x1f%" PRId64 "\x1f%" PRId64 "\x1f%" PRId64 "\x1f%s\x1f%s\x1f%" PRId64 "\x1f%s",
		prev_hash != NULL ? prev_hash : "", id, at, actor, action != NULL ? action : "",
		entity != NULL ? entity : "", entity_id, detail != NULL ? detail : "");
	g_checksum_update(sum, (const guchar *)text, -1);
	return g_strdup(g_checksum_get_string(sum));
}

/**
 * nhipi_store_audit:
 * @self: the store, inside a write transaction
 * @action: what was done, e.g. "patient.add"
 * @entity: the kind of record
 * @entity_id: its id
 * @detail: (nullable): more, never patient data (names of changed fields, counts)
 * @error: return location for a #GError
 *
 * Appends a row to the audit log, chained to the previous row by SHA-256 so that an edit
 * or deletion made behind the program's back is detected by nhip_store_audit_verify().
 *
 * Returns: %TRUE on success
 */
gboolean
nhipi_store_audit(NhipStore *self,
		  const gchar *action,
		  const gchar *entity,
		  gint64 entity_id,
		  const gchar *detail,
		  GError **error)
{
	g_autofree gchar *prev_hash = NULL;
	g_autofree gchar *hash = NULL;
	gint64 id = 1;
	gint64 at = nhipi_store_now(self);
	gint rc;

	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", error);
		if (stmt == NULL)
			return FALSE;
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW) {
			id = sqlite3_column_int64(stmt, 0) + 1;
			prev_hash = nhipi_column_text(stmt, 1);
		} else if (rc != SQLITE_DONE) {
			nhipi_store_set_error(self, rc, _("read the audit log"), error);
			return FALSE;
		}
	}
	hash = audit_row_hash(prev_hash, id, at, self->actor_id, action, entity, entity_id, detail);
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			self,
			"INSERT INTO audit_log (id, at, actor_id, action, entity, "
			"entity_id, detail, prev_hash, hash) "
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			error);
		if (stmt == NULL)
			return FALSE;
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_int64(stmt, 2, at);
		if (self->actor_id != 0)
			sqlite3_bind_int64(stmt, 3, self->actor_id);
		nhipi_bind_text(stmt, 4, action);
		nhipi_bind_text(stmt, 5, entity);
		sqlite3_bind_int64(stmt, 6, entity_id);
		nhipi_bind_text(stmt, 7, detail);
		nhipi_bind_text(stmt, 8, prev_hash);
		nhipi_bind_text(stmt, 9, hash);
		return nhipi_store_step_done(self, stmt, _("write the audit log"), error);
	}
}

/**
 * nhip_store_audit_verify:
 * @self: the store
 * @rows: (out) (optional): number of rows checked
 * @bad_row: (out) (optional): id of the first row that does not verify, 0 if none
 * @error: return location for a #GError
 *
 * Recomputes the hash chain of the audit log from the first row.
 *
 * Returns: %TRUE when every row verifies; %FALSE with an error naming the first broken row
 */
gboolean
nhip_store_audit_verify(NhipStore *self, gint64 *rows, gint64 *bad_row, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;
	g_autofree gchar *prev_hash = NULL;
	gint64 expected_id = 1;
	gint64 n = 0;
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	if (bad_row != NULL)
		*bad_row = 0;
	stmt = nhipi_store_prepare(self,
				   "SELECT id, at, actor_id, action, entity, entity_id, detail, "
				   "prev_hash, hash FROM audit_log ORDER BY id",
				   error);
	if (stmt == NULL)
		return FALSE;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(stmt, 0);
		const gchar *stored_prev = (const gchar *)sqlite3_column_text(stmt, 7);
		const gchar *stored_hash = (const gchar *)sqlite3_column_text(stmt, 8);
		g_autofree gchar *hash = audit_row_hash(
			prev_hash, id, sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2),
			(const gchar *)sqlite3_column_text(stmt, 3),
			(const gchar *)sqlite3_column_text(stmt, 4), sqlite3_column_int64(stmt, 5),
			(const gchar *)sqlite3_column_text(stmt, 6));
		const gchar *why = NULL;

		if (id != expected_id)
			why = _("a row before it is missing");
		else if (g_strcmp0(stored_prev, prev_hash) != 0)
			why = _("it does not link to the row before it");
		else if (g_strcmp0(stored_hash, hash) != 0)
			why = _("its contents were changed after it was written");
		if (why != NULL) {
			if (bad_row != NULL)
				*bad_row = id;
			if (rows != NULL)
				*rows = n;
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CORRUPT,
				    _("audit log row %" PRId64 " does not verify: %s"), id, why);
			return FALSE;
		}
		g_free(prev_hash);
		prev_hash = g_strdup(stored_hash);
		expected_id = id + 1;
		n++;
	}
	if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, _("read the audit log"), error);
		return FALSE;
	}
	if (rows != NULL)
		*rows = n;
	return TRUE;
}

/* ----- schema migrations ----- */

static gboolean
migrate_v1(NhipStore *self, GError **error)
{
	g_autofree gchar *sql = g_strdup_printf(
		"PRAGMA application_id = %d;"
		"CREATE TABLE facility ("
		"  id INTEGER PRIMARY KEY CHECK (id = 1),"
		"  code TEXT NOT NULL,"
		"  name TEXT NOT NULL,"
		"  commune_code TEXT, district_code TEXT, province_code TEXT, address TEXT,"
		"  updated_at INTEGER NOT NULL);"
		"CREATE TABLE staff ("
		"  id INTEGER PRIMARY KEY,"
		"  name TEXT NOT NULL CHECK (length(name) > 0),"
		"  role TEXT NOT NULL CHECK (role IN ('staff', 'doctor', 'technician')),"
		"  pin_hash TEXT NOT NULL,"
		"  failed_attempts INTEGER NOT NULL DEFAULT 0,"
		"  locked_until INTEGER NOT NULL DEFAULT 0,"
		"  active INTEGER NOT NULL DEFAULT 1,"
		"  created_at INTEGER NOT NULL);"
		"CREATE TABLE patients ("
		"  id INTEGER PRIMARY KEY,"
		"  full_name TEXT NOT NULL CHECK (length(full_name) >= 2),"
		"  name_folded TEXT NOT NULL,"
		"  birth TEXT NOT NULL CHECK (birth GLOB '[12][0-9][0-9][0-9]' OR "
		"    birth GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),"
		"  sex INTEGER NOT NULL CHECK (sex IN (0, 1, 2)),"
		"  ethnicity TEXT,"
		"  cccd TEXT UNIQUE CHECK (cccd IS NULL OR length(cccd) IN (9, 12)),"
		"  bhyt TEXT CHECK (bhyt IS NULL OR length(bhyt) = 15),"
		"  bhyt_valid_from TEXT, bhyt_valid_to TEXT, bhyt_facility TEXT,"
		"  address TEXT, province_code TEXT, district_code TEXT, commune_code TEXT,"
		"  phone TEXT,"
		"  guardian_name TEXT, guardian_phone TEXT, guardian_relation TEXT,"
		"  created_at INTEGER NOT NULL,"
		"  updated_at INTEGER NOT NULL);"
		"CREATE INDEX patients_bhyt ON patients (bhyt);"
		"CREATE INDEX patients_phone ON patients (phone);"
		"CREATE TABLE visits ("
		"  id INTEGER PRIMARY KEY,"
		"  patient_id INTEGER NOT NULL REFERENCES patients (id),"
		"  ma_lk TEXT NOT NULL UNIQUE CHECK (length(ma_lk) BETWEEN 1 AND 100),"
		"  opened_at INTEGER NOT NULL,"
		"  closed_at INTEGER,"
		"  reason TEXT,"
		"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),"
		"  notes TEXT,"
		"  staff_id INTEGER REFERENCES staff (id),"
		"  CHECK (closed_at IS NULL OR closed_at >= opened_at));"
		"CREATE INDEX visits_patient ON visits (patient_id, opened_at);"
		"CREATE INDEX visits_opened ON visits (opened_at);"
		"CREATE UNIQUE INDEX visits_one_open ON visits (patient_id) WHERE status = 'open';"
		"CREATE TABLE visit_diagnoses ("
		"  visit_id INTEGER NOT NULL REFERENCES visits (id),"
		"  seq INTEGER NOT NULL,"
		"  icd10 TEXT NOT NULL,"
		"  PRIMARY KEY (visit_id, seq)) WITHOUT ROWID;"
		"CREATE TABLE observations ("
		"  id INTEGER PRIMARY KEY,"
		"  visit_id INTEGER REFERENCES visits (id),"
		"  patient_id INTEGER NOT NULL REFERENCES patients (id),"
		"  loinc TEXT NOT NULL,"
		"  value REAL NOT NULL,"
		"  value2 REAL,"
		"  unit TEXT NOT NULL,"
		"  measured_at INTEGER NOT NULL,"
		"  received_at INTEGER NOT NULL,"
		"  clock_skew INTEGER NOT NULL DEFAULT 0,"
		"  source TEXT NOT NULL CHECK (source IN ('manual', 'device')),"
		"  device_id TEXT, device_model TEXT, raw_frame BLOB,"
		"  flags INTEGER NOT NULL DEFAULT 0,"
		"  staff_id INTEGER REFERENCES staff (id),"
		"  CHECK ((source = 'device') = (device_id IS NOT NULL)));"
		"CREATE INDEX observations_visit ON observations (visit_id);"
		"CREATE INDEX observations_patient ON observations (patient_id, loinc, "
		"measured_at);"
		"CREATE UNIQUE INDEX observations_device_once ON observations "
		"  (patient_id, device_id, loinc, measured_at) WHERE device_id IS NOT NULL;",
		NHIP_STORE_APPLICATION_ID);
	return nhipi_store_exec(self, sql, error);
}

static gboolean
migrate_v2(NhipStore *self, GError **error)
{
	return nhipi_store_exec(
		self,
		"CREATE TABLE attachments ("
		"  id INTEGER PRIMARY KEY,"
		"  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
		"  visit_id INTEGER NOT NULL REFERENCES visits (id),"
		"  mime_type TEXT NOT NULL,"
		"  size INTEGER NOT NULL,"
		"  original_name TEXT,"
		"  created_at INTEGER NOT NULL,"
		"  UNIQUE (visit_id, sha256));"
		"CREATE TABLE outbox ("
		"  id INTEGER PRIMARY KEY,"
		"  kind TEXT NOT NULL,"
		"  payload_ref TEXT NOT NULL,"
		"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN "
		"    ('queued', 'sending', 'delivered', 'answered', 'failed')),"
		"  priority INTEGER NOT NULL DEFAULT 0,"
		"  attempts INTEGER NOT NULL DEFAULT 0,"
		"  next_try_at INTEGER NOT NULL,"
		"  last_error TEXT,"
		"  created_at INTEGER NOT NULL,"
		"  updated_at INTEGER NOT NULL);"
		"CREATE INDEX outbox_due ON outbox (state, priority DESC, next_try_at);",
		error);
}

static gboolean
migrate_v3(NhipStore *self, GError **error)
{
	return nhipi_store_exec(self,
				"CREATE TABLE audit_log ("
				"  id INTEGER PRIMARY KEY,"
				"  at INTEGER NOT NULL,"
				"  actor_id INTEGER,"
				"  action TEXT NOT NULL,"
				"  entity TEXT,"
				"  entity_id INTEGER,"
				"  detail TEXT,"
				"  prev_hash TEXT,"
				"  hash TEXT NOT NULL);"
				"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
				"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
				"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
				"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
				error);
}

static gboolean
migrate_v4(NhipStore *self, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;

	if (!nhipi_store_exec(self,
			      "CREATE VIRTUAL TABLE patient_search USING fts5("
			      "  name, ids, tokenize = 'unicode61', prefix = '1 2 3 4 5 6 7',"
			      "  detail = column);"
			      "CREATE INDEX patients_name_folded ON patients (name_folded);",
			      error))
		return FALSE;
	/* index the patients that earlier versions stored */
	rc = sqlite3_prepare_v2(self->db, "SELECT id, full_name, cccd, bhyt, phone FROM patients",
				-1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		nhipi_store_set_error(self, rc, _("build the search index"), error);
		return FALSE;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		g_autoptr(NhipPatient) patient = nhip_patient_new();
		patient->id = sqlite3_column_int64(stmt, 0);
		patient->full_name = nhipi_column_text(stmt, 1);
		patient->cccd = nhipi_column_text(stmt, 2);
		patient->bhyt = nhipi_column_text(stmt, 3);
		patient->phone = nhipi_column_text(stmt, 4);
		if (!nhipi_store_search_index_patient(self, patient, error))
			return FALSE;
	}
	if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, _("build the search index"), error);
		return FALSE;
	}
	return TRUE;
}

static gboolean
migrate_v6(NhipStore *self, GError **error)
{
	return nhipi_store_exec(
		self,
		"CREATE TABLE claim_settings ("
		"  id INTEGER PRIMARY KEY CHECK (id = 1),"
		"  department_code TEXT NOT NULL CHECK (length(department_code) BETWEEN 1 AND 50),"
		"  director_code TEXT CHECK (director_code IS NULL OR "
		"    length(director_code) BETWEEN 1 AND 10),"
		"  director_license TEXT CHECK (director_license IS NULL OR "
		"    length(director_license) BETWEEN 1 AND 255),"
		"  updated_at INTEGER NOT NULL);"
		"ALTER TABLE staff ADD COLUMN license_no TEXT CHECK (license_no IS NULL OR "
		"  length(license_no) BETWEEN 1 AND 255);"
		"CREATE TABLE visit_claims ("
		"  visit_id INTEGER PRIMARY KEY REFERENCES visits (id),"
		"  care_type TEXT NOT NULL CHECK (care_type IN ('01', '02', '03', '04', '05', "
		"    '06', '07', '08', '09', '10')),"
		"  category TEXT CHECK (category IS NULL OR length(category) BETWEEN 1 AND 4),"
		"  diagnosis_text TEXT,"
		"  treatment TEXT,"
		"  referred_from TEXT CHECK (referred_from IS NULL OR length(referred_from) = 5),"
		"  outcome INTEGER NOT NULL DEFAULT 1 CHECK (outcome BETWEEN 1 AND 8),"
		"  updated_at INTEGER NOT NULL);"
		"CREATE TABLE visit_services ("
		"  id INTEGER PRIMARY KEY,"
		"  visit_id INTEGER NOT NULL REFERENCES visits (id),"
		"  code TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 50),"
		"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 1024),"
		"  cost_group INTEGER NOT NULL CHECK (cost_group BETWEEN 1 AND 19),"
		"  unit TEXT NOT NULL CHECK (length(unit) BETWEEN 1 AND 50),"
		"  quantity REAL NOT NULL CHECK (quantity > 0),"
		"  price_hospital INTEGER NOT NULL CHECK (price_hospital >= 0),"
		"  price_insurance INTEGER NOT NULL CHECK (price_insurance >= 0),"
		"  service_rate INTEGER NOT NULL CHECK (service_rate BETWEEN 0 AND 100),"
		"  insurance_rate INTEGER NOT NULL CHECK (insurance_rate BETWEEN 0 AND 100),"
		"  scope INTEGER NOT NULL CHECK (scope IN (1, 2, 3)),"
		"  ordered_at INTEGER NOT NULL,"
		"  performed_at INTEGER NOT NULL CHECK (performed_at >= ordered_at),"
		"  staff_id INTEGER REFERENCES staff (id),"
		"  created_at INTEGER NOT NULL);"
		"CREATE INDEX visit_services_visit ON visit_services (visit_id, ordered_at, id);"
		"CREATE TABLE visit_appointments ("
		"  visit_id INTEGER PRIMARY KEY REFERENCES visits (id),"
		"  number TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 50),"
		"  date TEXT NOT NULL CHECK (date GLOB "
		"    '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),"
		"  issued_at INTEGER NOT NULL,"
		"  staff_id INTEGER REFERENCES staff (id));"
		"CREATE TABLE visit_referrals ("
		"  visit_id INTEGER PRIMARY KEY REFERENCES visits (id),"
		"  number TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 50),"
		"  to_facility TEXT NOT NULL CHECK (length(to_facility) = 5),"
		"  reason INTEGER NOT NULL CHECK (reason IN (1, 2, 3)),"
		"  signs TEXT, course TEXT, results TEXT, direction TEXT, transport TEXT,"
		"  escort_name TEXT, escort_title TEXT,"
		"  issued_at INTEGER NOT NULL,"
		"  staff_id INTEGER REFERENCES staff (id));",
		error);
}

static gboolean
migrate_v7(NhipStore *self, GError **error)
{
	return nhipi_store_exec(self,
				"CREATE TABLE settings ("
				"  key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 100),"
				"  value TEXT NOT NULL,"
				"  updated_at INTEGER NOT NULL) WITHOUT ROWID;"
				"ALTER TABLE visits ADD COLUMN symptoms TEXT;",
				error);
}

typedef gboolean (*NhipMigrateFunc)(NhipStore *self, GError **error);
static const NhipMigrateFunc migrations[NHIP_STORE_SCHEMA_VERSION] = {
	migrate_v1,
	migrate_v2,
	migrate_v3,
	migrate_v4,
	nhipi_store_migrate_packets,
	migrate_v6,
	migrate_v7,
	nhipi_store_migrate_replies,
	nhipi_store_migrate_live,
	nhipi_store_migrate_reply_read,
};

static gboolean
store_read_pragma_int(NhipStore *self, const gchar *pragma, gint64 *value, GError **error)
{
	g_autofree gchar *sql = g_strdup_printf("PRAGMA %s", pragma);
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc = sqlite3_prepare_v2(self->db, sql, -1, &stmt, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		nhipi_store_set_error(self, rc, _("open the database"), error);
		return FALSE;
	}
	*value = sqlite3_column_int64(stmt, 0);
	return TRUE;
}

static gboolean
store_migrate(NhipStore *self, gint target, GError **error)
{
	for (;;) {
		g_autoptr(NhipStoreTxn) txn = NULL;
		g_autoptr(GError) error_local = NULL;
		g_autofree gchar *set_version = NULL;
		gint64 version = 0;

		txn = nhipi_store_txn_begin(self, error);
		if (txn == NULL)
			return FALSE;
		/* read again under the write lock: another process may have migrated */
		if (!store_read_pragma_int(self, "user_version", &version, error))
			return FALSE;
		if (version >= target)
			return nhipi_store_txn_commit(txn, error);
		g_info("migrating database schema from version %" PRId64 " to %" PRId64, version,
		       version + 1);
		if (!migrations[version](self, &error_local)) {
			g_propagate_prefixed_error(error, g_steal_pointer(&error_local),
						   _("cannot update the database to version %d, it "
						     "was left unchanged: "),
						   (gint)version + 1);
			return FALSE;
		}
		set_version = g_strdup_printf("PRAGMA user_version = %d", (gint)version + 1);
		if (!nhipi_store_exec(self, set_version, error))
			return FALSE;
		if (!nhipi_store_txn_commit(txn, error))
			return FALSE;
	}
}

static NhipStore *
store_open(const gchar *path, gint target, GError **error)
{
	g_autoptr(NhipStore) self = g_object_new(NHIP_TYPE_STORE, NULL);
	g_autofree gchar *dir = NULL;
	gint64 version = 0;
	gint64 app_id = 0;
	gint64 n_tables = 0;
	gint rc;

	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	self->path = g_strdup(path);
	dir = g_path_get_dirname(path);
	self->attachments_dir = g_build_filename(dir, "attachments", NULL);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_FAILED,
			    _("cannot create the folder %s for the database: %s"), dir,
			    g_strerror(errno));
		return NULL;
	}
	rc = sqlite3_open_v2(path, &self->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		nhipi_store_set_error(self, rc, _("open the database"), error);
		return NULL;
	}
	sqlite3_extended_result_codes(self->db, 1);
	sqlite3_busy_timeout(self->db, 10000);

	/* look before touching anything: a file that is not ours, or made by a newer
	 * program, must be left exactly as it is */
	if (!store_read_pragma_int(self, "user_version", &version, error) ||
	    !store_read_pragma_int(self, "application_id", &app_id, error))
		return NULL;
	if (!nhipi_store_count(self, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
			       &n_tables, error))
		return NULL;
	if ((app_id != 0 && app_id != NHIP_STORE_APPLICATION_ID) || (app_id == 0 && n_tables > 0)) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CORRUPT,
			    _("%s is an SQLite database of another program, not a station "
			      "database; it was left unchanged — check the --db path"),
			    path);
		return NULL;
	}
	if (version > NHIP_STORE_SCHEMA_VERSION) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_TOO_NEW,
			    _("the database %s has schema version %d, made by a newer version of "
			      "Nhịp (this one knows up to %d); it was left unchanged — update "
			      "this program"),
			    path, (gint)version, NHIP_STORE_SCHEMA_VERSION);
		return NULL;
	}

	if (!nhipi_store_exec(self,
			      "PRAGMA journal_mode = WAL;"
			      "PRAGMA synchronous = FULL;"
			      "PRAGMA foreign_keys = ON;"
			      "PRAGMA trusted_schema = OFF;",
			      error))
		return NULL;
	if (!store_migrate(self, target, error))
		return NULL;
	/* statements cached during migration may refer to the old schema */
	g_hash_table_remove_all(self->statements);
	return g_steal_pointer(&self);
}

/**
 * nhip_store_open:
 * @path: the database file; created with its folder if missing
 * @error: return location for a #GError
 *
 * Opens the station database and brings its schema up to date. A file made by a newer
 * program or by another program is refused untouched. The store is for one thread; each
 * thread or process opens its own.
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set
 */
NhipStore *
nhip_store_open(const gchar *path, GError **error)
{
	return store_open(path, NHIP_STORE_SCHEMA_VERSION, error);
}

/**
 * nhipi_store_open_at_version:
 * @path: the database file
 * @version: schema version to migrate to (not beyond)
 * @error: return location for a #GError
 *
 * Makes databases as earlier releases left them, to test migrations.
 *
 * Returns: (transfer full) (nullable): the store
 */
NhipStore *
nhipi_store_open_at_version(const gchar *path, gint version, GError **error)
{
	g_return_val_if_fail(version >= 0 && version <= NHIP_STORE_SCHEMA_VERSION, NULL);
	return store_open(path, version, error);
}

/**
 * nhip_store_get_path:
 * @self: the store
 *
 * Returns: (transfer none): the database file
 */
const gchar *
nhip_store_get_path(NhipStore *self)
{
	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	return self->path;
}

/**
 * nhip_store_get_schema_version:
 * @self: the store
 *
 * Returns: the schema version of the open database
 */
gint
nhip_store_get_schema_version(NhipStore *self)
{
	gint64 version = -1;
	g_return_val_if_fail(NHIP_IS_STORE(self), -1);
	if (!store_read_pragma_int(self, "user_version", &version, NULL))
		return -1;
	return (gint)version;
}

/**
 * nhip_store_set_actor:
 * @self: the store
 * @staff_id: the logged-in staff member, or 0 for the system or a technician's shell
 *
 * Names who makes the following changes, for the audit log.
 */
void
nhip_store_set_actor(NhipStore *self, gint64 staff_id)
{
	g_return_if_fail(NHIP_IS_STORE(self));
	self->actor_id = staff_id;
}

/**
 * nhip_store_get_stats:
 * @self: the store
 * @stats: (out caller-allocates): the counts
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_get_stats(NhipStore *self, NhipStoreStats *stats, GError **error)
{
	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	memset(stats, 0, sizeof(*stats));
	return nhipi_store_count(self, "SELECT count(*) FROM patients", &stats->patients, error) &&
	       nhipi_store_count(self, "SELECT count(*) FROM visits", &stats->visits, error) &&
	       nhipi_store_count(self, "SELECT count(*) FROM visits WHERE status = 'open'",
				 &stats->visits_open, error) &&
	       nhipi_store_count(self, "SELECT count(*) FROM observations", &stats->observations,
				 error) &&
	       nhipi_store_count(self, "SELECT count(*) FROM staff", &stats->staff, error) &&
	       nhipi_store_count(self, "SELECT count(*) FROM attachments", &stats->attachments,
				 error) &&
	       nhipi_store_count(self,
				 "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')",
				 &stats->outbox_pending, error) &&
	       nhipi_store_count(self, "SELECT count(*) FROM audit_log", &stats->audit_rows, error);
}

/**
 * nhip_store_integrity_check:
 * @self: the store
 * @error: return location for a #GError
 *
 * Runs SQLite's full integrity check and the foreign-key check.
 *
 * Returns: %TRUE when the database is sound
 */
gboolean
nhip_store_integrity_check(NhipStore *self, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	rc = sqlite3_prepare_v2(self->db, "PRAGMA integrity_check", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		nhipi_store_set_error(self, rc, _("check the database"), error);
		return FALSE;
	}
	if (g_strcmp0((const gchar *)sqlite3_column_text(stmt, 0), "ok") != 0) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CORRUPT,
			    _("the database %s is damaged: %s"), self->path,
			    sqlite3_column_text(stmt, 0));
		return FALSE;
	}
	g_clear_pointer(&stmt, sqlite3_finalize);
	rc = sqlite3_prepare_v2(self->db, "PRAGMA foreign_key_check", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CORRUPT,
			    _("the database %s has a broken link in table %s"), self->path,
			    sqlite3_column_text(stmt, 0));
		return FALSE;
	}
	if (rc != SQLITE_DONE) {
		nhipi_store_set_error(self, rc, _("check the database"), error);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_store_facility_set:
 * @self: the store
 * @facility: the facility
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_store_facility_set(NhipStore *self, const NhipFacility *facility, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(self), FALSE);
	if (!nhip_validate_facility_code(facility->code, error))
		return FALSE;
	if (facility->name == NULL || g_utf8_strlen(facility->name, -1) < 2) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("the facility needs a name, e.g. “Trạm Y tế xã Tân Hòa”"));
		return FALSE;
	}
	txn = nhipi_store_txn_begin(self, error);
	if (txn == NULL)
		return FALSE;
	stmt = nhipi_store_prepare(
		self,
		"INSERT INTO facility (id, code, name, commune_code, district_code, "
		"province_code, address, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT (id) DO UPDATE SET code = excluded.code, "
		"name = excluded.name, commune_code = excluded.commune_code, "
		"district_code = excluded.district_code, "
		"province_code = excluded.province_code, "
		"address = excluded.address, updated_at = excluded.updated_at",
		error);
	if (stmt == NULL)
		return FALSE;
	nhipi_bind_text(stmt, 1, facility->code);
	nhipi_bind_text(stmt, 2, facility->name);
	nhipi_bind_text(stmt, 3, facility->commune_code);
	nhipi_bind_text(stmt, 4, facility->district_code);
	nhipi_bind_text(stmt, 5, facility->province_code);
	nhipi_bind_text(stmt, 6, facility->address);
	sqlite3_bind_int64(stmt, 7, nhipi_store_now(self));
	if (!nhipi_store_step_done(self, stmt, _("save the facility"), error))
		return FALSE;
	if (!nhipi_store_audit(self, "facility.set", "facility", 1, NULL, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_store_facility_get:
 * @self: the store
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the facility, or %NULL with
 * %NHIP_STORE_ERROR_NOT_FOUND before `nhipctl init` set it
 */
NhipFacility *
nhip_store_facility_get(NhipStore *self, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;
	NhipFacility *facility;
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(self), NULL);
	stmt = nhipi_store_prepare(self,
				   "SELECT code, name, commune_code, district_code, province_code, "
				   "address FROM facility WHERE id = 1",
				   error);
	if (stmt == NULL)
		return NULL;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		g_set_error_literal(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
				    _("the station's facility is not set; run “nhipctl init "
				      "--facility-code CODE --facility-name NAME”"));
		return NULL;
	}
	if (rc != SQLITE_ROW) {
		nhipi_store_set_error(self, rc, _("read the facility"), error);
		return NULL;
	}
	facility = g_new0(NhipFacility, 1);
	facility->code = nhipi_column_text(stmt, 0);
	facility->name = nhipi_column_text(stmt, 1);
	facility->commune_code = nhipi_column_text(stmt, 2);
	facility->district_code = nhipi_column_text(stmt, 3);
	facility->province_code = nhipi_column_text(stmt, 4);
	facility->address = nhipi_column_text(stmt, 5);
	return facility;
}

/**
 * nhip_store_outbox_enqueue:
 * @self: the store
 * @kind: what is to be sent, e.g. "case-packet" or "hl7"
 * @payload_ref: where the payload is (a file path or a record id)
 * @priority: higher goes first (urgent cases)
 * @error: return location for a #GError
 *
 * The same as nhip_outbox_enqueue(), where the rest of the outbox lives.
 *
 * Returns: the outbox id, or 0 on error
 */
gint64
nhip_store_outbox_enqueue(NhipStore *self,
			  const gchar *kind,
			  const gchar *payload_ref,
			  gint priority,
			  GError **error)
{
	return nhip_outbox_enqueue(self, kind, payload_ref, priority, error);
}
