/*
 * Nhịp — encrypted, verifiable backups of the station and their restore.
 *
 * Writing: the database is copied with SQLite's online backup API in one read transaction
 * (a consistent snapshot while the kiosk goes on writing; WAL readers never block
 * writers), checked with PRAGMA quick_check, then streamed with the files beside it
 * through a ustar writer into CMS encryption into the backup file — no plaintext copy of
 * the data leaves the data directory, and nothing is held in memory whole. The file is
 * written under a temporary name, synced, renamed and then read back and verified.
 *
 * Restoring: every check comes first — the archive, the manifest's signature, the
 * payload's hash, the station, the key, the decryption (GCM authenticates the
 * ciphertext), every inner file's hash, PRAGMA integrity_check of the restored copy in a
 * temporary folder. Only then is the live database kept as station.db.before-restore and
 * replaced, again through the backup API, in one write transaction: a reader sees the
 * old database or the new one, and on any failure the live database is as it was.
 * (Renaming a file over a WAL database that other processes hold open would corrupt it:
 * their -wal and -shm files belong to the old one.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nhip-archive.h"
#include "nhip-backup.h"
#include "nhip-durable.h"
#include "nhip-hub-link.h"
#include "nhip-identity.h"
#include "nhip-json-member.h"
#include "nhip-ops-error.h"
#include "nhip-station-identity.h"
#include "nhip-store.h"

#define MANIFEST_FORMAT	 "nhip-backup"
#define MANIFEST_VERSION 1
#define DB_MEMBER	 "nhip.db"
#define MAX_SIGNATURE	 (256 * 1024)
/* how long a snapshot or a restore waits for a busy database */
#define BUSY_WAIT_SECONDS 60

/* the folders beside the database that a backup holds, besides the database itself */
static const gchar *const backup_folders[] = {
	"attachments", "packets", "receipts", "inbox", "hub", "identity",
};

/* journald message ids (`journalctl MESSAGE_ID=…`) */
#define MESSAGE_ID_BACKUP_OK	 "6f0f2a8e1c7d4b2e9a51d3c4b7e80a11"
#define MESSAGE_ID_BACKUP_FAILED "6f0f2a8e1c7d4b2e9a51d3c4b7e80a12"
#define MESSAGE_ID_RESTORED	 "6f0f2a8e1c7d4b2e9a51d3c4b7e80a13"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sqlite3, sqlite3_close_v2)

static void
member_free(NhipBackupMember *member)
{
	if (member == NULL)
		return;
	g_free(member->name);
	g_free(member->sha256);
	g_free(member);
}

static NhipBackupMember *
member_new(const gchar *name, guint64 size, const gchar *sha256)
{
	NhipBackupMember *member = g_new0(NhipBackupMember, 1);
	member->name = g_strdup(name);
	member->size = size;
	member->sha256 = g_strdup(sha256);
	return member;
}

/**
 * nhip_backup_manifest_new:
 *
 * Returns: (transfer full): an empty manifest
 */
NhipBackupManifest *
nhip_backup_manifest_new(void)
{
	NhipBackupManifest *self = g_new0(NhipBackupManifest, 1);
	self->members = g_ptr_array_new_with_free_func((GDestroyNotify)member_free);
	return self;
}

void
nhip_backup_manifest_free(NhipBackupManifest *self)
{
	if (self == NULL)
		return;
	g_free(self->station);
	g_free(self->facility);
	g_clear_pointer(&self->created, g_date_time_unref);
	g_free(self->program_version);
	g_free(self->recipient);
	g_free(self->payload_sha256);
	g_ptr_array_unref(self->members);
	g_free(self);
}

void
nhip_backup_result_free(NhipBackupResult *self)
{
	if (self == NULL)
		return;
	g_free(self->path);
	nhip_backup_manifest_free(self->manifest);
	g_free(self);
}

/**
 * nhip_backup_manifest_lookup:
 * @self: a manifest
 * @name: a member name
 *
 * Returns: (transfer none) (nullable): the member of that name
 */
const NhipBackupMember *
nhip_backup_manifest_lookup(const NhipBackupManifest *self, const gchar *name)
{
	for (guint i = 0; i < self->members->len; i++) {
		const NhipBackupMember *member = g_ptr_array_index(self->members, i);
		if (g_strcmp0(member->name, name) == 0)
			return member;
	}
	return NULL;
}

static void
json_add_string(JsonBuilder *builder, const gchar *name, const gchar *value)
{
	json_builder_set_member_name(builder, name);
	if (value != NULL)
		json_builder_add_string_value(builder, value);
	else
		json_builder_add_null_value(builder);
}

static void
json_add_int(JsonBuilder *builder, const gchar *name, gint64 value)
{
	json_builder_set_member_name(builder, name);
	json_builder_add_int_value(builder, value);
}

/**
 * nhip_backup_manifest_to_json:
 * @self: a manifest
 *
 * Returns: (transfer full): manifest.json
 */
GBytes *
nhip_backup_manifest_to_json(const NhipBackupManifest *self)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *created = nhip_ops_format_time(self->created);

	json_builder_begin_object(builder);
	json_add_string(builder, "format", MANIFEST_FORMAT);
	json_add_int(builder, "version", MANIFEST_VERSION);
	json_add_string(builder, "station", self->station);
	json_add_string(builder, "facility", self->facility);
	json_add_string(builder, "created", created);
	json_add_int(builder, "schema_version", self->schema_version);
	json_add_string(builder, "program_version", self->program_version);
	json_add_string(builder, "recipient", self->recipient);
	json_builder_set_member_name(builder, "signed");
	json_builder_add_boolean_value(builder, self->is_signed);
	json_builder_set_member_name(builder, "payload");
	json_builder_begin_object(builder);
	json_add_int(builder, "size", (gint64)self->payload_size);
	json_add_string(builder, "sha256", self->payload_sha256);
	json_builder_end_object(builder);
	json_builder_set_member_name(builder, "files");
	json_builder_begin_array(builder);
	for (guint i = 0; i < self->members->len; i++) {
		const NhipBackupMember *member = g_ptr_array_index(self->members, i);
		json_builder_begin_object(builder);
		json_add_string(builder, "name", member->name);
		json_add_int(builder, "size", (gint64)member->size);
		json_add_string(builder, "sha256", member->sha256);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	return nhip_ops_json_bytes(builder);
}

static gboolean
manifest_fail(GError **error, const gchar *what)
{
	g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
		    _("the backup's manifest is not valid: %s"), what);
	return FALSE;
}

/* a station or facility code: 1 to 64 letters, digits, '.', '_' or '-' */
static gboolean
is_code(const gchar *text)
{
	gsize len = text != NULL ? strlen(text) : 0;

	if (len == 0 || len > 64)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(text[i]) && strchr("._-", text[i]) == NULL)
			return FALSE;
	}
	return TRUE;
}

/* a non-negative integer member; JSON numbers with a fraction or an exponent are refused */
static gboolean
json_uint(JsonObject *object, const gchar *name, guint64 *value)
{
	JsonNode *node = json_object_get_member(object, name);

	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_INT64 || json_node_get_int(node) < 0)
		return FALSE;
	*value = (guint64)json_node_get_int(node);
	return TRUE;
}

/**
 * nhip_backup_manifest_parse:
 * @json: manifest.json
 * @error: return location for a #GError
 *
 * Reads a manifest and checks its shape: every member present with the right type,
 * hashes of 64 hex digits, safe and unique file names, the database among them.
 *
 * Returns: (transfer full) (nullable): the manifest
 */
NhipBackupManifest *
nhip_backup_manifest_parse(GBytes *json, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(NhipBackupManifest) self = nhip_backup_manifest_new();
	g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree gchar *why = NULL;
	JsonObject *object;
	JsonObject *payload;
	JsonArray *files;
	JsonNode *node;
	const gchar *text;
	guint64 number = 0;

	object = nhip_ops_parse_object(parser, json, NHIP_BACKUP_MAX_MANIFEST, &why);
	if (object == NULL) {
		manifest_fail(error, why);
		return NULL;
	}
	if (g_strcmp0(nhip_json_member_string(object, "format"), MANIFEST_FORMAT) != 0) {
		manifest_fail(error, _("it is not the manifest of a Nhịp backup"));
		return NULL;
	}
	if (!json_uint(object, "version", &number) || number != MANIFEST_VERSION) {
		manifest_fail(error, _("it is of a version this program does not know; update "
				       "Nhịp"));
		return NULL;
	}
	text = nhip_json_member_string(object, "station");
	if (!is_code(text)) {
		manifest_fail(error, _("the station code is missing or not a code"));
		return NULL;
	}
	self->station = g_strdup(text);
	node = json_object_get_member(object, "facility");
	if (node != NULL && !JSON_NODE_HOLDS_NULL(node)) {
		text = nhip_json_member_string(object, "facility");
		if (!is_code(text)) {
			manifest_fail(error, _("the facility code is not a code"));
			return NULL;
		}
		self->facility = g_strdup(text);
	}
	text = nhip_json_member_string(object, "created");
	self->created = text != NULL ? g_date_time_new_from_iso8601(text, NULL) : NULL;
	if (self->created == NULL) {
		manifest_fail(error, _("the time it was made is missing or not ISO 8601"));
		return NULL;
	}
	if (!json_uint(object, "schema_version", &number) || number < 1 || number > 10000) {
		manifest_fail(error, _("the schema version is missing"));
		return NULL;
	}
	self->schema_version = (gint)number;
	text = nhip_json_member_string(object, "program_version");
	if (text == NULL || strlen(text) == 0 || strlen(text) > 64) {
		manifest_fail(error, _("the program version is missing"));
		return NULL;
	}
	self->program_version = g_strdup(text);
	text = nhip_json_member_string(object, "recipient");
	if (text == NULL || !g_str_has_prefix(text, "sha256//") || strlen(text) > 128) {
		manifest_fail(error, _("the backup certificate's key pin is missing"));
		return NULL;
	}
	self->recipient = g_strdup(text);
	node = json_object_get_member(object, "signed");
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_BOOLEAN) {
		manifest_fail(error, _("it does not say whether it is signed"));
		return NULL;
	}
	self->is_signed = json_node_get_boolean(node);
	node = json_object_get_member(object, "payload");
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node)) {
		manifest_fail(error, _("the payload is not described"));
		return NULL;
	}
	payload = json_node_get_object(node);
	if (!json_uint(payload, "size", &self->payload_size) ||
	    !nhip_ops_is_sha256_hex(nhip_json_member_string(payload, "sha256"))) {
		manifest_fail(error, _("the payload's size or hash is missing"));
		return NULL;
	}
	self->payload_sha256 = g_strdup(nhip_json_member_string(payload, "sha256"));
	node = json_object_get_member(object, "files");
	if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node)) {
		manifest_fail(error, _("the list of files is missing"));
		return NULL;
	}
	files = json_node_get_array(node);
	for (guint i = 0; i < json_array_get_length(files); i++) {
		JsonNode *entry = json_array_get_element(files, i);
		JsonObject *file;
		const gchar *name;
		const gchar *sha256;
		guint64 size = 0;
		NhipBackupMember *member;

		if (!JSON_NODE_HOLDS_OBJECT(entry)) {
			manifest_fail(error, _("a file entry is not an object"));
			return NULL;
		}
		file = json_node_get_object(entry);
		name = nhip_json_member_string(file, "name");
		sha256 = nhip_json_member_string(file, "sha256");
		if (!nhip_archive_name_check(name, NULL) || !nhip_ops_is_sha256_hex(sha256) ||
		    !json_uint(file, "size", &size) || size > NHIP_ARCHIVE_MAX_MEMBER) {
			manifest_fail(error, _("a file entry lacks a safe name, a size or a "
					       "hash"));
			return NULL;
		}
		if (g_hash_table_contains(names, name)) {
			manifest_fail(error, _("a file is listed twice"));
			return NULL;
		}
		member = member_new(name, size, sha256);
		g_ptr_array_add(self->members, member);
		g_hash_table_add(names, member->name);
	}
	if (!g_hash_table_contains(names, DB_MEMBER)) {
		manifest_fail(error, _("the database is not in the list of files"));
		return NULL;
	}
	return g_steal_pointer(&self);
}

/* ----- helpers ----- */

static gboolean
ops_errno_fail(GError **error, gint saved_errno, const gchar *what, const gchar *path)
{
	g_set_error(error, NHIP_OPS_ERROR,
		    saved_errno == ENOENT ? NHIP_OPS_ERROR_NOT_FOUND : NHIP_OPS_ERROR_FAILED,
		    _("cannot %s %s: %s"), what, path, g_strerror(saved_errno));
	return FALSE;
}

/* files made by root (a technician with sudo) in the data folder get its owner, so the
 * station's own user can go on using them */
static void
chown_like_parent(const gchar *path)
{
	g_autofree gchar *parent = g_path_get_dirname(path);
	GStatBuf st;

	if (geteuid() != 0 || g_stat(parent, &st) != 0 || st.st_uid == 0)
		return;
	if (lchown(path, st.st_uid, st.st_gid) != 0)
		g_warning("cannot give %s to uid %u: %s", path, (guint)st.st_uid,
			  g_strerror(errno));
}

static gchar *
data_dir_for(const gchar *db_path)
{
	g_autofree gchar *absolute = g_canonicalize_filename(db_path, NULL);
	return g_path_get_dirname(absolute);
}

/**
 * nhip_backup_remove_tree:
 * @path: a working folder made by this code
 *
 * Removes it with everything in it (symbolic links are removed, not followed).
 */
void
nhip_backup_remove_tree(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;

	if (dir != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			g_autofree gchar *child = g_build_filename(path, name, NULL);
			if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
			    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
				nhip_backup_remove_tree(child);
			else
				g_unlink(child);
		}
	}
	g_rmdir(path);
}

static gchar *
make_work_dir(const gchar *data_dir, const gchar *prefix, GError **error)
{
	g_autofree gchar *template = g_strdup_printf("%s/.%s-XXXXXX", data_dir, prefix);

	if (g_mkdir_with_parents(data_dir, 0700) != 0 || g_mkdtemp_full(template, 0700) == NULL) {
		ops_errno_fail(error, errno, _("make a working folder in"), data_dir);
		return NULL;
	}
	return g_steal_pointer(&template);
}

/**
 * nhip_backup_station_code:
 * @db_path: the station database
 * @facility_code: (nullable): the facility code, when known
 *
 * Returns: (transfer full) (nullable): the station code given at enrollment (identity/hub.ini),
 *   or the facility code before the station is enrolled
 */
gchar *
nhip_backup_station_code(const gchar *db_path, const gchar *facility_code)
{
	g_autofree gchar *id_dir = nhip_station_identity_dir_for_db(db_path);
	g_autofree gchar *ini = g_build_filename(id_dir, "hub.ini", NULL);
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autofree gchar *station = NULL;

	if (g_key_file_load_from_file(file, ini, G_KEY_FILE_NONE, NULL))
		station = g_key_file_get_string(file, "hub", "station", NULL);
	if (is_code(station))
		return g_steal_pointer(&station);
	return is_code(facility_code) ? g_strdup(facility_code) : NULL;
}

/* the station's signing identity (identity/, written by `nhipctl enroll`) */
static NhipIdentity *
load_station_identity(const gchar *db_path)
{
	g_autofree gchar *id_dir = nhip_station_identity_dir_for_db(db_path);
	const gchar *dirs[] = { id_dir };

	for (guint i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree gchar *key = g_build_filename(dirs[i], "station.key", NULL);
		g_autofree gchar *cert = g_build_filename(dirs[i], "station.crt", NULL);
		g_autoptr(GError) error = NULL;
		NhipIdentity *identity;

		if (!g_file_test(cert, G_FILE_TEST_EXISTS))
			continue;
		identity = nhip_identity_load(key, cert, &error);
		if (identity != NULL)
			return identity;
		g_warning("the station identity in %s cannot be used to sign backups: %s", dirs[i],
			  error->message);
	}
	return NULL;
}

/* the CA the station trusts, to check the signer of a backup; NULL before enrollment */
static gchar *
station_ca_path(const gchar *db_path)
{
	g_autofree gchar *id_dir = nhip_station_identity_dir_for_db(db_path);
	g_autofree gchar *path = g_build_filename(id_dir, "ca.crt", NULL);

	if (g_file_test(path, G_FILE_TEST_EXISTS))
		return g_steal_pointer(&path);
	return NULL;
}

static gchar *
pkey_pin(EVP_PKEY *key)
{
	guchar *der = NULL;
	gint length = i2d_PUBKEY(key, &der);
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	guint8 digest[32];
	gsize digest_len = sizeof(digest);
	g_autofree gchar *b64 = NULL;

	if (length <= 0)
		return g_strdup("");
	g_checksum_update(sum, der, length);
	OPENSSL_free(der);
	g_checksum_get_digest(sum, digest, &digest_len);
	b64 = g_base64_encode(digest, digest_len);
	return g_strconcat("sha256//", b64, NULL);
}

/* ----- the database snapshot ----- */

static gboolean
sqlite_fail(sqlite3 *db, gint rc, const gchar *what, const gchar *path, GError **error)
{
	g_set_error(error, NHIP_OPS_ERROR,
		    (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB
			    ? NHIP_OPS_ERROR_DAMAGED
			    : NHIP_OPS_ERROR_FAILED,
		    _("cannot %s %s: %s"), what, path,
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	return FALSE;
}

static sqlite3 *
sqlite_open(const gchar *path, gint flags, GError **error)
{
	sqlite3 *db = NULL;
	gint rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK) {
		sqlite_fail(db, rc, _("open the database"), path, error);
		sqlite3_close_v2(db);
		return NULL;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

/* copies all of @from into @to in one transaction, waiting for a busy database */
static gboolean
sqlite_copy(sqlite3 *from, sqlite3 *to, const gchar *to_path, GError **error)
{
	sqlite3_backup *backup = sqlite3_backup_init(to, "main", from, "main");
	gint64 deadline = g_get_monotonic_time() + BUSY_WAIT_SECONDS * G_TIME_SPAN_SECOND;
	gint rc;

	if (backup == NULL)
		return sqlite_fail(to, sqlite3_errcode(to), _("copy the database to"), to_path,
				   error);
	/* -1: every page in one step, so the copy is one read transaction on the source
	 * (a consistent snapshot) and one write transaction on the destination */
	while ((rc = sqlite3_backup_step(backup, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED ||
	       (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		if (g_get_monotonic_time() > deadline)
			break;
		g_usleep(100 * 1000);
	}
	sqlite3_backup_finish(backup);
	if (rc != SQLITE_DONE) {
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
			g_set_error(
				error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
				_("cannot copy the database to %s: another program kept it busy "
				  "for %d s; stop the kiosk and try again"),
				to_path, BUSY_WAIT_SECONDS);
			return FALSE;
		}
		return sqlite_fail(to, rc, _("copy the database to"), to_path, error);
	}
	return TRUE;
}

static gboolean
sqlite_pragma_text(sqlite3 *db, const gchar *sql, gchar **value, const gchar *path, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	gint rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(stmt);
		return sqlite_fail(db, rc, _("read the database"), path, error);
	}
	*value = rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != NULL
			 ? g_strdup((const gchar *)sqlite3_column_text(stmt, 0))
			 : NULL;
	sqlite3_finalize(stmt);
	return TRUE;
}

/**
 * nhip_backup_snapshot:
 * @db_path: the live station database
 * @dest_path: the copy to make; must not exist
 * @error: return location for a #GError
 *
 * Copies the database as it is at one moment with SQLite's online backup API while other
 * processes go on reading and writing it, and checks the copy with PRAGMA quick_check.
 * The copy is synced to disk.
 *
 * Returns: %TRUE when @dest_path holds a sound copy
 */
gboolean
nhip_backup_snapshot(const gchar *db_path, const gchar *dest_path, GError **error)
{
	g_autoptr(sqlite3) from = NULL;
	g_autoptr(sqlite3) to = NULL;
	g_autofree gchar *check = NULL;
	gint fd;

	if (!g_file_test(db_path, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_NOT_FOUND,
			    _("there is no station database at %s"), db_path);
		return FALSE;
	}
	if (g_file_test(dest_path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
			    _("%s exists already; it was left alone"), dest_path);
		return FALSE;
	}
	from = sqlite_open(db_path, SQLITE_OPEN_READONLY, error);
	if (from == NULL)
		return FALSE;
	to = sqlite_open(dest_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
	if (to == NULL)
		return FALSE;
	if (!sqlite_copy(from, to, dest_path, error))
		goto fail;
	/* the copy stands alone: no -wal beside it */
	if (sqlite3_exec(to, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite_fail(to, sqlite3_errcode(to), _("write"), dest_path, error);
		goto fail;
	}
	if (!sqlite_pragma_text(to, "PRAGMA quick_check", &check, dest_path, error))
		goto fail;
	if (g_strcmp0(check, "ok") != 0) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
			    _("the station database %s is damaged (%s); the backup was not made — "
			      "restore the last good backup"),
			    db_path, check != NULL ? check : "?");
		goto fail;
	}
	g_clear_pointer(&to, sqlite3_close_v2);
	fd = g_open(dest_path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0 || fsync(fd) != 0) {
		ops_errno_fail(error, errno, _("write"), dest_path);
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	return TRUE;
fail:
	g_clear_pointer(&to, sqlite3_close_v2);
	g_unlink(dest_path);
	return FALSE;
}

/**
 * nhip_backup_copy_into:
 * @from: a database file (a restored copy, a snapshot)
 * @to: the live database; created when missing
 * @error: return location for a #GError
 *
 * Replaces the whole content of @to with that of @from through SQLite's backup API, in one
 * write transaction: the processes that have @to open see the old content or the new one,
 * never a mix, and on failure @to is unchanged.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_backup_copy_into(const gchar *from, const gchar *to, GError **error)
{
	g_autoptr(sqlite3) source = sqlite_open(from, SQLITE_OPEN_READONLY, error);
	g_autoptr(sqlite3) dest = NULL;

	if (source == NULL)
		return FALSE;
	dest = sqlite_open(to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error);
	if (dest == NULL)
		return FALSE;
	sqlite3_busy_timeout(dest, BUSY_WAIT_SECONDS * 1000);
	if (!sqlite_copy(source, dest, to, error))
		return FALSE;
	g_clear_pointer(&dest, sqlite3_close_v2);
	chown_like_parent(to);
	return TRUE;
}

/* ----- writing ----- */

/* for g_ptr_array_sort() of strings */
static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const gchar *const *)a, *(const gchar *const *)b);
}

static void
collect_files(const gchar *root, const gchar *rel, GPtrArray *out)
{
	g_autofree gchar *path = g_build_filename(root, rel, NULL);
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const gchar *name;

	if (dir == NULL)
		return;
	while ((name = g_dir_read_name(dir)) != NULL)
		g_ptr_array_add(names, g_strdup(name));
	/* the same order every time: archives of the same data are the same */
	g_ptr_array_sort(names, compare_names);
	for (guint i = 0; i < names->len; i++) {
		const gchar *child = g_ptr_array_index(names, i);
		g_autofree gchar *child_rel = g_build_filename(rel, child, NULL);
		g_autofree gchar *child_path = g_build_filename(root, child_rel, NULL);
		GStatBuf st;

		/* files being written (.incoming-…, *.tmp-…) are not data yet */
		if (child[0] == '.' || strstr(child, ".tmp-") != NULL)
			continue;
		if (g_lstat(child_path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			collect_files(root, child_rel, out);
		else if (S_ISREG(st.st_mode) && nhip_archive_name_check(child_rel, NULL))
			g_ptr_array_add(out, g_steal_pointer(&child_rel));
		else
			g_warning("%s is not backed up: not a plain file with a simple name",
				  child_path);
	}
}

/* streams the inner archive (database + files) into @sink, recording each member */
static gboolean
write_inner(BIO *sink,
	    const gchar *snapshot,
	    const gchar *data_dir,
	    NhipBackupManifest *manifest,
	    GError **error)
{
	g_autoptr(NhipArchiveWriter) writer = nhip_archive_writer_new(sink);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	guint64 size = 0;
	g_autofree gchar *sha256 = NULL;

	if (!nhip_archive_writer_add_file(writer, DB_MEMBER, snapshot, &size, &sha256, error))
		return FALSE;
	g_ptr_array_add(manifest->members, member_new(DB_MEMBER, size, sha256));
	for (guint i = 0; i < G_N_ELEMENTS(backup_folders); i++)
		collect_files(data_dir, backup_folders[i], files);
	for (guint i = 0; i < files->len; i++) {
		const gchar *rel = g_ptr_array_index(files, i);
		g_autofree gchar *path = g_build_filename(data_dir, rel, NULL);
		g_autofree gchar *file_sha = NULL;
		g_autoptr(GError) error_local = NULL;

		if (!nhip_archive_writer_add_file(writer, rel, path, &size, &file_sha,
						  &error_local)) {
			/* a sealed packet deleted after its delivery since the listing */
			if (g_error_matches(error_local, NHIP_OPS_ERROR, NHIP_OPS_ERROR_NOT_FOUND))
				continue;
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		g_ptr_array_add(manifest->members, member_new(rel, size, file_sha));
	}
	return nhip_archive_writer_finish(writer, error);
}

static GBytes *
sign_manifest(GBytes *manifest_json, NhipIdentity *identity, GError **error)
{
	g_autoptr(BIO) in = BIO_new_mem_buf(g_bytes_get_data(manifest_json, NULL),
					    (gint)g_bytes_get_size(manifest_json));
	g_autoptr(BIO) out = BIO_new(BIO_s_mem());
	g_autoptr(CMS_ContentInfo) cms = NULL;
	const gchar *data = NULL;
	glong length;

	cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_BINARY | CMS_DETACHED);
	if (cms == NULL ||
	    CMS_add1_signer(cms, nhip_identity_get_certificate(identity),
			    nhip_identity_get_key(identity), EVP_sha256(), CMS_BINARY) == NULL ||
	    !CMS_final(cms, in, NULL, CMS_BINARY | CMS_DETACHED) || !i2d_CMS_bio(out, cms)) {
		nhip_ops_openssl_fail(error, NHIP_OPS_ERROR_FAILED,
				      _("cannot sign the backup's manifest with the station key"));
		return NULL;
	}
	length = BIO_get_mem_data(out, &data);
	return g_bytes_new(data, (gsize)length);
}

/* checks the detached signature of @manifest_json; the signer must be @station and, when
 * the station trusts a district CA, chain to it */
static gboolean
verify_manifest_signature(GBytes *manifest_json,
			  GBytes *signature,
			  const gchar *station,
			  const gchar *ca_path,
			  GError **error)
{
	const guint8 *p = g_bytes_get_data(signature, NULL);
	g_autoptr(CMS_ContentInfo) cms =
		d2i_CMS_ContentInfo(NULL, &p, (glong)g_bytes_get_size(signature));
	g_autoptr(BIO) content = BIO_new_mem_buf(g_bytes_get_data(manifest_json, NULL),
						 (gint)g_bytes_get_size(manifest_json));
	STACK_OF(X509) *signers = NULL;
	X509 *signer;
	g_autofree gchar *name = NULL;

	if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		ERR_clear_error();
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
			    _("the backup's signature (manifest.sig) is not a CMS signature"));
		return FALSE;
	}
	if (sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) != 1) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_BAD_SIGNATURE,
			    _("the backup's manifest must have exactly one signature"));
		return FALSE;
	}
	if (!CMS_verify(cms, NULL, NULL, content, NULL,
			CMS_BINARY | CMS_DETACHED | CMS_NO_SIGNER_CERT_VERIFY)) {
		return nhip_ops_openssl_fail(
			error, NHIP_OPS_ERROR_BAD_SIGNATURE,
			_("the backup's manifest was changed after it was signed: "
			  "its signature does not verify"));
	}
	signers = CMS_get0_signers(cms);
	signer = signers != NULL && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
	name = signer != NULL ? nhip_x509_get_common_name(signer) : NULL;
	sk_X509_free(signers);
	if (g_strcmp0(name, station) != 0) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_BAD_SIGNATURE,
			    _("the backup says it is of station %s but is signed by “%s”"), station,
			    name != NULL ? name : "?");
		return FALSE;
	}
	if (ca_path != NULL) {
		g_autoptr(X509_STORE) trust = nhip_trust_store_new(ca_path, NULL, error);
		g_autoptr(GError) error_local = NULL;

		if (trust == NULL)
			return FALSE;
		if (!nhip_trust_check(trust, signer, &error_local)) {
			g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_BAD_SIGNATURE,
				    _("the backup's signer is not a station of this district: %s"),
				    error_local->message);
			return FALSE;
		}
	}
	return TRUE;
}

static gchar *
backup_file_name(const gchar *dir, const gchar *station, GDateTime *created)
{
	g_autofree gchar *stamp = g_date_time_format(created, "%Y%m%d-%H%M%S");

	for (guint n = 1;; n++) {
		g_autofree gchar *name =
			n == 1 ? g_strdup_printf("nhip-backup-%s-%s.%s", station, stamp,
						 NHIP_BACKUP_SUFFIX)
			       : g_strdup_printf("nhip-backup-%s-%s-%u.%s", station, stamp, n,
						 NHIP_BACKUP_SUFFIX);
		g_autofree gchar *path = g_build_filename(dir, name, NULL);
		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			return g_steal_pointer(&path);
	}
}

/* the encrypted payload, streamed into @fd after a placeholder header block */
static gboolean
write_payload(gint fd,
	      X509 *cert,
	      const gchar *snapshot,
	      const gchar *data_dir,
	      NhipBackupManifest *manifest,
	      GError **error)
{
	g_autoptr(BIO) file = BIO_new_fd(fd, BIO_NOCLOSE);
	BIO *md = BIO_new(BIO_f_md());
	BIO *cms_bio = NULL;
	g_autoptr(CMS_ContentInfo) cms = NULL;
	STACK_OF(X509) *recipients = sk_X509_new_null();
	guint8 digest[EVP_MAX_MD_SIZE];
	gint digest_len;
	guint8 zero[NHIP_ARCHIVE_BLOCK] = { 0 };
	gboolean ok = FALSE;

	if (!nhip_archive_write_all(file, zero, sizeof(zero), error))
		goto out;
	sk_X509_push(recipients, cert);
	/* an AES-GCM cipher makes AuthEnvelopedData: the ciphertext is authenticated */
	cms = CMS_encrypt(recipients, NULL, EVP_aes_256_gcm(), CMS_BINARY | CMS_STREAM);
	if (cms == NULL || md == NULL || !BIO_set_md(md, EVP_sha256())) {
		nhip_ops_openssl_fail(error, NHIP_OPS_ERROR_FAILED,
				      _("cannot encrypt to the backup certificate"));
		goto out;
	}
	BIO_push(md, file);
	cms_bio = BIO_new_CMS(md, cms);
	if (cms_bio == NULL) {
		nhip_ops_openssl_fail(error, NHIP_OPS_ERROR_FAILED,
				      _("cannot encrypt to the backup certificate"));
		goto out;
	}
	if (!write_inner(cms_bio, snapshot, data_dir, manifest, error))
		goto out;
	if (BIO_flush(cms_bio) <= 0) {
		nhip_ops_openssl_fail(error, NHIP_OPS_ERROR_FAILED,
				      _("cannot finish the encryption"));
		goto out;
	}
	manifest->payload_size = BIO_number_written(md);
	digest_len = BIO_gets(md, (gchar *)digest, sizeof(digest));
	if (digest_len != 32) {
		nhip_ops_openssl_fail(error, NHIP_OPS_ERROR_FAILED, _("cannot hash the backup"));
		goto out;
	}
	{
		g_autoptr(GString) hex = g_string_new(NULL);
		for (gint i = 0; i < digest_len; i++)
			g_string_append_printf(hex, "%02x", digest[i]);
		manifest->payload_sha256 = g_string_free(g_steal_pointer(&hex), FALSE);
	}
	ok = nhip_archive_pad(file, manifest->payload_size, error);
out:
	/* the chain is cms_bio … → md → file: free what BIO_new_CMS() added, then md; the
	 * file BIO is freed by its g_autoptr */
	while (cms_bio != NULL && cms_bio != md) {
		BIO *next = BIO_pop(cms_bio);
		BIO_free(cms_bio);
		cms_bio = next;
	}
	if (md != NULL) {
		BIO_pop(md);
		BIO_free(md);
	}
	sk_X509_free(recipients);
	return ok;
}

static X509 *
load_backup_certificate(const gchar *cert_path, GError **error)
{
	g_autoptr(GError) error_local = NULL;
	X509 *cert;
	EVP_PKEY *key;

	if (cert_path == NULL) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_NOT_FOUND,
			    _("no backup certificate is set; give --cert FILE or set it with "
			      "“nhipctl setup” ([backup] certificate), see docs/backup.md"));
		return NULL;
	}
	cert = nhip_x509_load(cert_path, &error_local);
	if (cert == NULL) {
		g_set_error(error, NHIP_OPS_ERROR,
			    g_file_test(cert_path, G_FILE_TEST_EXISTS) ? NHIP_OPS_ERROR_INVALID
								       : NHIP_OPS_ERROR_NOT_FOUND,
			    _("cannot use the backup certificate: %s"), error_local->message);
		return NULL;
	}
	key = X509_get0_pubkey(cert);
	if (key == NULL || (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC &&
			    EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)) {
		X509_free(cert);
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    _("the backup certificate %s must hold an EC or RSA key"), cert_path);
		return NULL;
	}
	return cert;
}

/**
 * nhip_backup_write:
 * @db_path: the live station database
 * @cert_path: (nullable): the facility's backup certificate (PEM)
 * @dest_dir: the folder to write the backup file into
 * @error: return location for a #GError
 *
 * Takes a consistent snapshot of the database, packs it with the files beside it,
 * encrypts it to @cert_path, signs the manifest with the station key when the station is
 * enrolled, writes it atomically into @dest_dir and verifies what was written.
 *
 * Returns: (transfer full) (nullable): what was written
 */
NhipBackupResult *
nhip_backup_write(const gchar *db_path,
		  const gchar *cert_path,
		  const gchar *dest_dir,
		  GError **error)
{
	g_autoptr(NhipBackupResult) result = g_new0(NhipBackupResult, 1);
	g_autoptr(X509) cert = NULL;
	g_autoptr(NhipIdentity) identity = NULL;
	g_autoptr(NhipBackupManifest) manifest = nhip_backup_manifest_new();
	g_autoptr(NhipBackupManifest) verified = NULL;
	g_autoptr(GBytes) manifest_json = NULL;
	g_autoptr(GBytes) signature = NULL;
	g_autofree gchar *data_dir = data_dir_for(db_path);
	g_autofree gchar *work = NULL;
	g_autofree gchar *snapshot = NULL;
	g_autofree gchar *schema = NULL;
	g_autofree gchar *tmp_path = NULL;
	g_autoptr(sqlite3) db = NULL;
	gint64 start = g_get_monotonic_time();
	gint fd = -1;
	gboolean ok = FALSE;

	cert = load_backup_certificate(cert_path, error);
	if (cert == NULL)
		return NULL;
	if (!g_file_test(dest_dir, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_NOT_FOUND,
			    _("the backup folder %s does not exist; plug in the backup disk or "
			      "give another folder"),
			    dest_dir);
		return NULL;
	}
	work = make_work_dir(data_dir, "backup", error);
	if (work == NULL)
		return NULL;
	snapshot = g_build_filename(work, DB_MEMBER, NULL);
	manifest->created = g_date_time_new_now_utc();
	if (!nhip_backup_snapshot(db_path, snapshot, error))
		goto out;

	/* what the snapshot is: its schema and facility, not the live database's */
	db = sqlite_open(snapshot, SQLITE_OPEN_READONLY, error);
	if (db == NULL || !sqlite_pragma_text(db, "PRAGMA user_version", &schema, snapshot, error))
		goto out;
	manifest->schema_version = schema != NULL ? atoi(schema) : 0;
	if (!sqlite_pragma_text(db, "SELECT code FROM facility WHERE id = 1", &manifest->facility,
				snapshot, NULL))
		manifest->facility = NULL;
	g_clear_pointer(&db, sqlite3_close_v2);
	if (manifest->facility != NULL && !is_code(manifest->facility))
		g_clear_pointer(&manifest->facility, g_free);
	manifest->station = nhip_backup_station_code(db_path, manifest->facility);
	if (manifest->station == NULL)
		manifest->station = g_strdup("unconfigured");
	manifest->program_version = g_strdup(PACKAGE_VERSION);
	manifest->recipient = nhip_x509_spki_pin(cert);
	identity = load_station_identity(db_path);
	manifest->is_signed = identity != NULL;

	tmp_path = g_build_filename(dest_dir, ".nhip-backup-XXXXXX", NULL);
	fd = g_mkstemp_full(tmp_path, O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		ops_errno_fail(error, errno, _("create a file in"), dest_dir);
		g_clear_pointer(&tmp_path, g_free);
		goto out;
	}
	if (!write_payload(fd, cert, snapshot, data_dir, manifest, error))
		goto out;
	manifest_json = nhip_backup_manifest_to_json(manifest);
	if (identity != NULL) {
		signature = sign_manifest(manifest_json, identity, error);
		if (signature == NULL)
			goto out;
	}
	{
		g_autoptr(BIO) file = BIO_new_fd(fd, BIO_NOCLOSE);
		g_autoptr(NhipArchiveWriter) writer = nhip_archive_writer_new(file);
		guint8 header[NHIP_ARCHIVE_BLOCK];

		if (!nhip_archive_writer_add_bytes(writer, "manifest.json",
						   g_bytes_get_data(manifest_json, NULL),
						   g_bytes_get_size(manifest_json), error))
			goto out;
		if (signature != NULL &&
		    !nhip_archive_writer_add_bytes(writer, "manifest.sig",
						   g_bytes_get_data(signature, NULL),
						   g_bytes_get_size(signature), error))
			goto out;
		if (!nhip_archive_writer_finish(writer, error))
			goto out;
		/* now that its size is known, the payload's header */
		nhip_archive_header(header, "payload.cms", manifest->payload_size);
		if (pwrite(fd, header, sizeof(header), 0) != sizeof(header) || fsync(fd) != 0) {
			ops_errno_fail(error, errno, _("write"), tmp_path);
			goto out;
		}
	}
	result->size = (guint64)lseek(fd, 0, SEEK_END);
	close(fd);
	fd = -1;
	result->path = backup_file_name(dest_dir, manifest->station, manifest->created);
	if (!nhip_durable_rename(tmp_path, result->path, error))
		goto out;
	g_clear_pointer(&tmp_path, g_free);

	/* read back what is on the disk: a USB stick may lie about writes */
	verified = nhip_backup_verify(result->path, error);
	if (verified == NULL) {
		g_prefix_error(error,
			       _("the backup written to %s did not verify and was removed: "),
			       result->path);
		g_unlink(result->path);
		goto out;
	}
	result->manifest = g_steal_pointer(&manifest);
	result->seconds = (g_get_monotonic_time() - start) / 1e6;
	ok = TRUE;
out:
	if (fd >= 0)
		close(fd);
	if (tmp_path != NULL)
		g_unlink(tmp_path);
	nhip_backup_remove_tree(work);
	return ok ? g_steal_pointer(&result) : NULL;
}

/* ----- reading and verifying ----- */

/* the outer archive: payload.cms copied to @payload_out (or only hashed when NULL),
 * manifest and signature read */
static gboolean
read_outer(const gchar *path,
	   const gchar *payload_out,
	   NhipBackupManifest **manifest_out,
	   GBytes **manifest_json_out,
	   GBytes **signature_out,
	   GError **error)
{
	g_autoptr(BIO) source = BIO_new_file(path, "rb");
	g_autoptr(BIO) out = NULL;
	g_autoptr(NhipArchiveReader) reader = NULL;
	g_autoptr(GBytes) manifest_json = NULL;
	g_autoptr(GBytes) signature = NULL;
	g_autoptr(NhipBackupManifest) manifest = NULL;
	g_autofree gchar *payload_sha = NULL;
	g_autofree gchar *label = g_strdup_printf(_("the backup %s"), path);
	guint64 payload_size = 0;
	gboolean have_payload = FALSE;

	if (source == NULL) {
		ERR_clear_error();
		return ops_errno_fail(error, errno, _("read"), path);
	}
	reader = nhip_archive_reader_new(source, label);
	for (;;) {
		const gchar *name = NULL;
		guint64 size = 0;

		if (!nhip_archive_reader_next(reader, &name, &size, error))
			return FALSE;
		if (name == NULL)
			break;
		if (g_strcmp0(name, "payload.cms") == 0) {
			if (payload_out != NULL) {
				out = BIO_new_file(payload_out, "wb");
				if (out == NULL) {
					ERR_clear_error();
					return ops_errno_fail(error, errno, _("write"),
							      payload_out);
				}
			}
			if (!nhip_archive_reader_copy(reader, out, &payload_sha, error))
				return FALSE;
			g_clear_pointer(&out, BIO_free_all);
			payload_size = size;
			have_payload = TRUE;
		} else if (g_strcmp0(name, "manifest.json") == 0) {
			manifest_json =
				nhip_archive_reader_read(reader, NHIP_BACKUP_MAX_MANIFEST, error);
			if (manifest_json == NULL)
				return FALSE;
		} else if (g_strcmp0(name, "manifest.sig") == 0) {
			signature = nhip_archive_reader_read(reader, MAX_SIGNATURE, error);
			if (signature == NULL)
				return FALSE;
		} else {
			g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
				    _("%s holds an unexpected file %s; it is not a Nhịp backup"),
				    path, name);
			return FALSE;
		}
	}
	if (manifest_json == NULL || !have_payload) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
			    _("%s is not a complete Nhịp backup: its manifest or its encrypted "
			      "data is missing"),
			    path);
		return FALSE;
	}
	manifest = nhip_backup_manifest_parse(manifest_json, error);
	if (manifest == NULL)
		return FALSE;
	if (manifest->is_signed != (signature != NULL)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_BAD_SIGNATURE,
			    manifest->is_signed
				    ? _("the backup %s says it is signed but its signature is "
					"missing")
				    : _("the backup %s holds a signature its manifest does not "
					"mention"),
			    path);
		return FALSE;
	}
	if (payload_size != manifest->payload_size ||
	    g_strcmp0(payload_sha, manifest->payload_sha256) != 0) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
			    _("the encrypted data in %s was changed or damaged after the backup "
			      "was made: its SHA-256 does not match the manifest"),
			    path);
		return FALSE;
	}
	*manifest_out = g_steal_pointer(&manifest);
	if (manifest_json_out != NULL)
		*manifest_json_out = g_steal_pointer(&manifest_json);
	if (signature_out != NULL)
		*signature_out = g_steal_pointer(&signature);
	return TRUE;
}

/**
 * nhip_backup_verify:
 * @path: a backup file
 * @error: return location for a #GError
 *
 * Checks a backup without the district's private key: the archive, the manifest, the
 * station's signature (when signed) and the SHA-256 of the encrypted data. What it cannot
 * check without the key — the files inside — nhip_backup_restore() checks before it
 * changes anything.
 *
 * Returns: (transfer full) (nullable): the verified manifest
 */
NhipBackupManifest *
nhip_backup_verify(const gchar *path, GError **error)
{
	g_autoptr(NhipBackupManifest) manifest = NULL;
	g_autoptr(GBytes) manifest_json = NULL;
	g_autoptr(GBytes) signature = NULL;

	if (!read_outer(path, NULL, &manifest, &manifest_json, &signature, error))
		return NULL;
	if (signature != NULL &&
	    !verify_manifest_signature(manifest_json, signature, manifest->station, NULL, error))
		return NULL;
	return g_steal_pointer(&manifest);
}

/* ----- automatic backups ----- */

/**
 * nhip_backup_find_target:
 * @roots: (array zero-terminated=1): folders to look in: each one itself, then the
 *   folders in it, then the folders in those (/media/USER/LABEL)
 * @error: return location for a #GError
 *
 * A backup disk is a folder holding the marker file NHIP-BACKUP: an unmounted stick's
 * empty mount point never has it, so backups never fill the system disk by mistake.
 *
 * Returns: (transfer full) (nullable): the first folder with the marker
 */
gchar *
nhip_backup_find_target(const gchar *const *roots, GError **error)
{
	g_autoptr(GString) looked = g_string_new(NULL);

	for (guint i = 0; roots != NULL && roots[i] != NULL; i++) {
		g_autoptr(GPtrArray) queue = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GArray) depth = g_array_new(FALSE, FALSE, sizeof(guint));
		guint zero = 0;

		if (looked->len > 0)
			g_string_append(looked, ", ");
		g_string_append(looked, roots[i]);
		g_ptr_array_add(queue, g_strdup(roots[i]));
		g_array_append_val(depth, zero);
		for (guint q = 0; q < queue->len; q++) {
			const gchar *dir_path = g_ptr_array_index(queue, q);
			guint d = g_array_index(depth, guint, q);
			g_autofree gchar *marker =
				g_build_filename(dir_path, NHIP_BACKUP_MARKER, NULL);
			g_autoptr(GDir) dir = NULL;
			g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func(g_free);
			const gchar *name;

			if (g_file_test(marker, G_FILE_TEST_IS_REGULAR))
				return g_strdup(dir_path);
			if (d >= 2 || (dir = g_dir_open(dir_path, 0, NULL)) == NULL)
				continue;
			while ((name = g_dir_read_name(dir)) != NULL) {
				g_autofree gchar *child = g_build_filename(dir_path, name, NULL);
				if (name[0] != '.' && g_file_test(child, G_FILE_TEST_IS_DIR))
					g_ptr_array_add(children, g_steal_pointer(&child));
			}
			g_ptr_array_sort(children, compare_names);
			for (guint c = 0; c < children->len; c++) {
				guint next = d + 1;
				g_ptr_array_add(queue, g_strdup(g_ptr_array_index(children, c)));
				g_array_append_val(depth, next);
			}
		}
	}
	g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_NOT_FOUND,
		    _("no backup disk found (looked in %s for a folder holding the file %s); plug "
		      "in the backup USB stick, see docs/backup.md"),
		    looked->len > 0 ? looked->str : "-", NHIP_BACKUP_MARKER);
	return NULL;
}

/**
 * nhip_backup_prune:
 * @dir: a backup folder
 * @station: the station whose backups to count
 * @keep: how many of the newest to keep (at least 1)
 * @error: return location for a #GError
 *
 * Removes the oldest backups of @station beyond @keep. Other files are never touched.
 *
 * Returns: how many were removed, or G_MAXUINT on error
 */
guint
nhip_backup_prune(const gchar *dir, const gchar *station, guint keep, GError **error)
{
	g_autoptr(GDir) handle = g_dir_open(dir, 0, error);
	g_autoptr(GPtrArray) ours = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *prefix = g_strdup_printf("nhip-backup-%s-", station);
	g_autofree gchar *suffix = g_strdup_printf(".%s", NHIP_BACKUP_SUFFIX);
	const gchar *name;
	guint removed = 0;

	if (handle == NULL)
		return G_MAXUINT;
	keep = MAX(keep, 1);
	while ((name = g_dir_read_name(handle)) != NULL) {
		/* the time stamp follows the station code: digits and a dash only */
		const gchar *rest = name + strlen(prefix);
		if (!g_str_has_prefix(name, prefix) || !g_str_has_suffix(name, suffix) ||
		    !g_ascii_isdigit(rest[0]))
			continue;
		g_ptr_array_add(ours, g_strdup(name));
	}
	/* names sort by time: YYYYMMDD-HHMMSS */
	g_ptr_array_sort(ours, compare_names);
	for (guint i = 0; i + keep < ours->len; i++) {
		g_autofree gchar *path = g_build_filename(dir, g_ptr_array_index(ours, i), NULL);
		if (g_unlink(path) != 0) {
			ops_errno_fail(error, errno, _("remove the old backup"), path);
			return G_MAXUINT;
		}
		removed++;
	}
	if (removed > 0 && !nhip_durable_sync_dir(dir, error))
		return G_MAXUINT;
	return removed;
}

/**
 * nhip_backup_auto:
 * @db_path: the live station database
 * @cert_path: (nullable): the backup certificate
 * @roots: (array zero-terminated=1): where to look for the backup disk
 * @keep: how many backups of this station to keep on it
 * @error: return location for a #GError
 *
 * What the nightly timer runs: finds the backup disk, writes a backup and removes the
 * oldest beyond @keep (only after the new one verified).
 *
 * Returns: (transfer full) (nullable): what was written
 */
NhipBackupResult *
nhip_backup_auto(const gchar *db_path,
		 const gchar *cert_path,
		 const gchar *const *roots,
		 guint keep,
		 GError **error)
{
	g_autofree gchar *target = nhip_backup_find_target(roots, error);
	g_autoptr(NhipBackupResult) result = NULL;
	guint removed;

	if (target == NULL)
		return NULL;
	result = nhip_backup_write(db_path, cert_path, target, error);
	if (result == NULL)
		return NULL;
	removed = nhip_backup_prune(target, result->manifest->station, keep, error);
	if (removed == G_MAXUINT)
		return NULL;
	result->removed = removed;
	return g_steal_pointer(&result);
}

/* the folders searched for a backup disk when none is configured */
static const gchar *const default_backup_roots[] = { "/media", "/mnt", "/run/media", NULL };

static gchar *
station_setting(const gchar *db_path, const gchar *key)
{
	g_autoptr(NhipStore) store = NULL;

	if (!g_file_test(db_path, G_FILE_TEST_EXISTS))
		return NULL;
	store = nhip_store_open(db_path, NULL);
	return store != NULL ? nhip_store_setting_get(store, key, NULL) : NULL;
}

/**
 * nhip_backup_auto_station:
 * @db_path: the station database
 * @cert_path: (nullable): the backup certificate; %NULL for the backup.certificate setting
 * @mount: (nullable): where the backup disk is mounted; %NULL for the backup.mount
 *   setting, else /media, /mnt and /run/media
 * @keep: how many backups to keep; 0 for the backup.keep setting, else
 *   %NHIP_BACKUP_DEFAULT_KEEP
 * @error: return location for a #GError
 *
 * What `nhipctl backup --auto` (the nightly timer) and the technician's "Back up now" on
 * the kiosk do: nhip_backup_auto() with the station's settings; the outcome is logged
 * (nhip_backup_log_result()) and kept for the status page (nhip_backup_last_write()).
 * Takes as long as the backup: call it in a thread.
 *
 * Returns: (transfer full) (nullable): the backup written and verified
 */
NhipBackupResult *
nhip_backup_auto_station(const gchar *db_path,
			 const gchar *cert_path,
			 const gchar *mount,
			 guint keep,
			 GError **error)
{
	g_autofree gchar *cert = g_strdup(cert_path);
	g_autofree gchar *configured = NULL;
	const gchar *one[] = { mount, NULL };
	const gchar *const *roots = default_backup_roots;
	g_autoptr(GError) error_local = NULL;
	NhipBackupResult *result;

	g_return_val_if_fail(db_path != NULL, NULL);

	if (!g_file_test(db_path, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_NOT_FOUND,
			    _("there is no station database at %s; give the right --db"), db_path);
		return NULL;
	}
	if (cert == NULL)
		cert = station_setting(db_path, NHIP_SETTING_BACKUP_CERTIFICATE);
	if (one[0] == NULL)
		one[0] = configured = station_setting(db_path, NHIP_SETTING_BACKUP_MOUNT);
	if (one[0] != NULL)
		roots = one;
	if (keep == 0) {
		g_autofree gchar *text = station_setting(db_path, NHIP_SETTING_BACKUP_KEEP);
		guint64 value = NHIP_BACKUP_DEFAULT_KEEP;
		if (text != NULL && !g_ascii_string_to_unsigned(text, 10, 1, 10000, &value, NULL))
			g_warning("the setting %s “%s” is not a number from 1 to 10000; keeping %d",
				  NHIP_SETTING_BACKUP_KEEP, text, NHIP_BACKUP_DEFAULT_KEEP);
		keep = (guint)value;
	}
	result = nhip_backup_auto(db_path, cert, roots, keep, &error_local);
	nhip_backup_log_result(result, error_local);
	nhip_backup_last_write(db_path, result, error_local);
	if (result == NULL)
		g_propagate_error(error, g_steal_pointer(&error_local));
	return result;
}

/**
 * nhip_backup_log_result:
 * @result: (nullable): what was written
 * @error: (nullable): why it failed
 *
 * Under systemd, one structured journal entry per backup (`journalctl MESSAGE_ID=6f0f…a11`): the
 * file, its size and the time it took, or the reason it failed. No patient data.
 */
void
nhip_backup_log_result(const NhipBackupResult *result, const GError *error)
{
	if (!nhip_ops_journal_wanted())
		return;
	if (result != NULL) {
		g_autofree gchar *size = g_strdup_printf("%" PRIu64, result->size);
		g_autofree gchar *seconds = g_strdup_printf("%.1f", result->seconds);
		g_autofree gchar *removed = g_strdup_printf("%u", result->removed);
		g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "MESSAGE_ID",
				 MESSAGE_ID_BACKUP_OK, "NHIP_BACKUP_PATH", result->path,
				 "NHIP_BACKUP_SIZE", size, "NHIP_BACKUP_SECONDS", seconds,
				 "NHIP_BACKUP_REMOVED", removed, "MESSAGE",
				 "backup written to %s (%s bytes in %s s, %s old ones removed)",
				 result->path, size, seconds, removed);
	} else {
		g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "MESSAGE_ID",
				 MESSAGE_ID_BACKUP_FAILED, "MESSAGE", "backup failed: %s",
				 error != NULL ? error->message : "?");
	}
}

static gchar *
last_path(const gchar *db_path)
{
	g_autofree gchar *dir = data_dir_for(db_path);
	return g_build_filename(dir, "backup-state.ini", NULL);
}

void
nhip_backup_last_clear(NhipBackupLast *self)
{
	g_clear_pointer(&self->path, g_free);
	g_clear_pointer(&self->message, g_free);
}

/**
 * nhip_backup_last_read:
 * @db_path: the station database
 * @last: (out caller-allocates): what the last backup did
 *
 * Returns: %TRUE when a backup was ever attempted
 */
gboolean
nhip_backup_last_read(const gchar *db_path, NhipBackupLast *last)
{
	g_autofree gchar *path = last_path(db_path);
	g_autoptr(GKeyFile) file = g_key_file_new();

	memset(last, 0, sizeof(*last));
	if (!g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, NULL))
		return FALSE;
	last->time = g_key_file_get_int64(file, "last", "time", NULL);
	last->ok = g_key_file_get_boolean(file, "last", "ok", NULL);
	last->path = g_key_file_get_string(file, "last", "path", NULL);
	last->size = g_key_file_get_uint64(file, "last", "size", NULL);
	last->message = g_key_file_get_string(file, "last", "message", NULL);
	return last->time > 0;
}

/**
 * nhip_backup_last_write:
 * @db_path: the station database
 * @result: (nullable): the backup written
 * @error: (nullable): why it failed
 *
 * Notes the outcome in backup-state.ini for `nhipctl status`. Failing to write it is only
 * logged: the backup itself is what matters.
 */
void
nhip_backup_last_write(const gchar *db_path, const NhipBackupResult *result, const GError *error)
{
	g_autofree gchar *path = last_path(db_path);
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *text = NULL;
	gsize length = 0;

	g_key_file_set_int64(file, "last", "time", g_get_real_time() / G_USEC_PER_SEC);
	g_key_file_set_boolean(file, "last", "ok", result != NULL);
	if (result != NULL) {
		g_key_file_set_string(file, "last", "path", result->path);
		g_key_file_set_uint64(file, "last", "size", result->size);
	} else if (error != NULL) {
		g_autofree gchar *line = g_strdup(error->message);
		g_strdelimit(line, "\r\n", ' ');
		g_key_file_set_string(file, "last", "message", line);
	}
	text = g_key_file_to_data(file, &length, NULL);
	if (!nhip_durable_write(path, (const guint8 *)text, length, &error_local))
		g_warning("cannot note the backup in %s: %s", path, error_local->message);
	else
		chown_like_parent(path);
}

/* ----- restoring ----- */

static EVP_PKEY *
load_private_key(const gchar *key_path, const gchar *passphrase, GError **error)
{
	g_autoptr(BIO) bio = BIO_new_file(key_path, "rb");
	EVP_PKEY *key;

	if (bio == NULL) {
		ERR_clear_error();
		ops_errno_fail(error, errno, _("read the backup key"), key_path);
		return NULL;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL,
				      (void *)(passphrase != NULL ? passphrase : ""));
	if (key == NULL) {
		nhip_ops_openssl_fail(
			error, NHIP_OPS_ERROR_WRONG_KEY,
			passphrase != NULL
				? _("the backup key cannot be read: not a PEM private key, "
				    "or the passphrase is wrong")
				: _("the backup key cannot be read: not a PEM private key "
				    "(if it has a passphrase, give --passphrase-file)"));
		return NULL;
	}
	return key;
}

/* unpacks the decrypted inner archive into @root, checking every file against the
 * manifest */
static gboolean
extract_inner(const gchar *tar_path,
	      const gchar *root,
	      const NhipBackupManifest *manifest,
	      GError **error)
{
	g_autoptr(BIO) source = BIO_new_file(tar_path, "rb");
	g_autoptr(NhipArchiveReader) reader = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	if (source == NULL) {
		ERR_clear_error();
		return ops_errno_fail(error, errno, _("read"), tar_path);
	}
	reader = nhip_archive_reader_new(source, _("the decrypted backup"));
	for (;;) {
		const gchar *name = NULL;
		guint64 size = 0;
		const NhipBackupMember *member;
		g_autofree gchar *path = NULL;
		g_autofree gchar *dir = NULL;
		g_autofree gchar *sha256 = NULL;
		g_autoptr(BIO) out = NULL;

		if (!nhip_archive_reader_next(reader, &name, &size, error))
			return FALSE;
		if (name == NULL)
			break;
		member = nhip_backup_manifest_lookup(manifest, name);
		if (member == NULL) {
			g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
				    _("the backup holds a file %s its manifest does not list"),
				    name);
			return FALSE;
		}
		path = g_build_filename(root, name, NULL);
		dir = g_path_get_dirname(path);
		if (g_mkdir_with_parents(dir, 0700) != 0)
			return ops_errno_fail(error, errno, _("create the folder"), dir);
		out = BIO_new_file(path, "wb");
		if (out == NULL) {
			ERR_clear_error();
			return ops_errno_fail(error, errno, _("write"), path);
		}
		if (!nhip_archive_reader_copy(reader, out, &sha256, error))
			return FALSE;
		g_clear_pointer(&out, BIO_free_all);
		g_chmod(path, 0600);
		if (size != member->size || g_strcmp0(sha256, member->sha256) != 0) {
			g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
				    _("the file %s in the backup does not match its SHA-256 in the "
				      "manifest"),
				    name);
			return FALSE;
		}
		g_hash_table_add(seen, member->name);
	}
	for (guint i = 0; i < manifest->members->len; i++) {
		const NhipBackupMember *member = g_ptr_array_index(manifest->members, i);
		if (!g_hash_table_contains(seen, member->name)) {
			g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
				    _("the file %s listed in the backup's manifest is missing"),
				    member->name);
			return FALSE;
		}
	}
	return TRUE;
}

/* PRAGMA integrity_check of the restored copy, and that it is a station database this
 * program can open */
static gboolean
check_restored_database(const gchar *path, const NhipBackupManifest *manifest, GError **error)
{
	g_autoptr(sqlite3) db = sqlite_open(path, SQLITE_OPEN_READWRITE, error);
	g_autofree gchar *app_id = NULL;
	g_autofree gchar *version = NULL;
	g_autofree gchar *check = NULL;

	if (db == NULL)
		return FALSE;
	if (!sqlite_pragma_text(db, "PRAGMA application_id", &app_id, path, error) ||
	    !sqlite_pragma_text(db, "PRAGMA user_version", &version, path, error))
		return FALSE;
	if (g_strcmp0(app_id, "1313360208") != 0) { /* 0x4E484950, 'NHIP' */
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
			    _("the database in the backup is not a station database"));
		return FALSE;
	}
	if (version == NULL || atoi(version) != manifest->schema_version) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
			    _("the database in the backup is not the schema version its manifest "
			      "says"));
		return FALSE;
	}
	if (!sqlite_pragma_text(db, "PRAGMA integrity_check", &check, path, error))
		return FALSE;
	if (g_strcmp0(check, "ok") != 0) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
			    _("the database in the backup fails its integrity check: %s"),
			    check != NULL ? check : "?");
		return FALSE;
	}
	return TRUE;
}

/* puts a restored file in place: written beside the target, synced, renamed */
static gboolean
install_file(const gchar *from, const gchar *to, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize length = 0;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *dir = g_path_get_dirname(to);
	gboolean created_dir = !g_file_test(dir, G_FILE_TEST_IS_DIR);

	if (!g_file_get_contents(from, &contents, &length, &error_local)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED, "%s",
			    error_local->message);
		return FALSE;
	}
	if (!nhip_durable_write(to, (const guint8 *)contents, length, &error_local)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
			    _("cannot put a restored file in place: %s"), error_local->message);
		return FALSE;
	}
	if (created_dir)
		chown_like_parent(dir);
	chown_like_parent(to);
	return TRUE;
}

static gboolean
restore_files(const gchar *root,
	      const gchar *data_dir,
	      const NhipBackupManifest *manifest,
	      GError **error)
{
	for (guint i = 0; i < manifest->members->len; i++) {
		const NhipBackupMember *member = g_ptr_array_index(manifest->members, i);
		g_autofree gchar *from = NULL;
		g_autofree gchar *to = NULL;
		g_autofree gchar *current = NULL;

		if (g_strcmp0(member->name, DB_MEMBER) == 0)
			continue;
		to = g_build_filename(data_dir, member->name, NULL);
		if (g_file_test(to, G_FILE_TEST_EXISTS)) {
			/* the station's identity on the box now is newer than any backup */
			if (g_str_has_prefix(member->name, "hub/") ||
			    g_str_has_prefix(member->name, "identity/"))
				continue;
			current = nhip_archive_sha256_file(to, NULL, NULL);
			if (g_strcmp0(current, member->sha256) == 0)
				continue;
		}
		from = g_build_filename(root, member->name, NULL);
		if (!install_file(from, to, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
restore_database(const gchar *restored, const gchar *db_path, GError **error)
{
	g_autofree gchar *keep = g_strconcat(db_path, ".before-restore", NULL);
	g_autofree gchar *keep_tmp = g_strconcat(db_path, ".before-restore.tmp", NULL);

	if (g_file_test(db_path, G_FILE_TEST_EXISTS)) {
		g_unlink(keep_tmp);
		if (!nhip_backup_snapshot(db_path, keep_tmp, error))
			return FALSE;
		if (!nhip_durable_rename(keep_tmp, keep, NULL)) {
			g_unlink(keep_tmp);
			return ops_errno_fail(error, errno, _("keep the current database as"),
					      keep);
		}
		chown_like_parent(keep);
	}
	return nhip_backup_copy_into(restored, db_path, error);
}

static gchar *
live_station_code(const gchar *db_path)
{
	g_autofree gchar *facility = NULL;

	if (g_file_test(db_path, G_FILE_TEST_IS_REGULAR)) {
		g_autoptr(sqlite3) db = sqlite_open(db_path, SQLITE_OPEN_READONLY, NULL);
		if (db != NULL && !sqlite_pragma_text(db, "SELECT code FROM facility WHERE id = 1",
						      &facility, db_path, NULL))
			facility = NULL;
	}
	return nhip_backup_station_code(db_path, facility);
}

/**
 * nhip_backup_restore:
 * @db_path: the live station database (need not exist on a new box)
 * @backup_path: a backup file
 * @key_path: the district's backup private key (PEM)
 * @passphrase: (nullable): the key's passphrase
 * @flags: %NHIP_RESTORE_FORCE_FOREIGN to restore another station's backup
 * @error: return location for a #GError
 *
 * Checks everything first (see the top of this file), keeps the live database as
 * @db_path.before-restore, puts the backed-up files in place and replaces the database in
 * one transaction. A refused or failed restore leaves the live database as it was.
 *
 * Returns: (transfer full) (nullable): the manifest of the restored backup
 */
NhipBackupManifest *
nhip_backup_restore(const gchar *db_path,
		    const gchar *backup_path,
		    const gchar *key_path,
		    const gchar *passphrase,
		    NhipRestoreFlags flags,
		    GError **error)
{
	g_autoptr(NhipBackupManifest) manifest = NULL;
	g_autoptr(GBytes) manifest_json = NULL;
	g_autoptr(GBytes) signature = NULL;
	g_autoptr(EVP_PKEY) key = NULL;
	g_autoptr(CMS_ContentInfo) cms = NULL;
	g_autoptr(BIO) in = NULL;
	g_autoptr(BIO) out = NULL;
	g_autofree gchar *data_dir = data_dir_for(db_path);
	g_autofree gchar *work = NULL;
	g_autofree gchar *payload = NULL;
	g_autofree gchar *inner = NULL;
	g_autofree gchar *root = NULL;
	g_autofree gchar *restored_db = NULL;
	g_autofree gchar *live_station = NULL;
	g_autofree gchar *ca = NULL;
	g_autofree gchar *key_pin = NULL;
	gboolean ok = FALSE;

	key = load_private_key(key_path, passphrase, error);
	if (key == NULL)
		return NULL;
	work = make_work_dir(data_dir, "restore", error);
	if (work == NULL)
		return NULL;
	payload = g_build_filename(work, "payload.cms", NULL);
	inner = g_build_filename(work, "payload.tar", NULL);
	root = g_build_filename(work, "root", NULL);
	restored_db = g_build_filename(root, DB_MEMBER, NULL);

	if (!read_outer(backup_path, payload, &manifest, &manifest_json, &signature, error))
		goto out;
	if (manifest->schema_version > NHIP_STORE_SCHEMA_VERSION) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    _("the backup was made by a newer Nhịp (database schema %d, this "
			      "program knows up to %d); update this station first"),
			    manifest->schema_version, NHIP_STORE_SCHEMA_VERSION);
		goto out;
	}
	live_station = live_station_code(db_path);
	ca = station_ca_path(db_path);
	if (signature != NULL &&
	    !verify_manifest_signature(manifest_json, signature, manifest->station, ca, error))
		goto out;
	if (live_station != NULL && g_strcmp0(live_station, manifest->station) != 0 &&
	    !(flags & NHIP_RESTORE_FORCE_FOREIGN)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FOREIGN,
			    _("the backup is of station %s, but this is station %s; nothing was "
			      "changed (give --force-foreign to restore it anyway)"),
			    manifest->station, live_station);
		goto out;
	}
	/* an enrolled station signs its backups: an unsigned one claiming to be of this
	 * station could have been made by anyone with the backup certificate */
	if (signature == NULL && ca != NULL && !(flags & NHIP_RESTORE_FORCE_FOREIGN)) {
		g_set_error(
			error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_BAD_SIGNATURE,
			_("the backup is not signed, but this station is enrolled and signs its "
			  "backups; nothing was changed (give --force-foreign if you know where "
			  "it comes from)"));
		goto out;
	}
	key_pin = pkey_pin(key);
	if (g_strcmp0(key_pin, manifest->recipient) != 0) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_WRONG_KEY,
			    _("this key does not open the backup: it was encrypted to the backup "
			      "certificate with key %s, the key given is %s"),
			    manifest->recipient, key_pin);
		goto out;
	}

	in = BIO_new_file(payload, "rb");
	cms = in != NULL ? d2i_CMS_bio(in, NULL) : NULL;
	if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_id_smime_ct_authEnvelopedData) {
		nhip_ops_openssl_fail(
			error, NHIP_OPS_ERROR_DAMAGED,
			_("the backup's encrypted data is not CMS AuthEnvelopedData"));
		goto out;
	}
	out = BIO_new_file(inner, "wb");
	if (out == NULL) {
		ERR_clear_error();
		ops_errno_fail(error, errno, _("write"), inner);
		goto out;
	}
	if (!CMS_decrypt(cms, key, NULL, NULL, out, CMS_BINARY)) {
		nhip_ops_openssl_fail(
			error, NHIP_OPS_ERROR_DAMAGED,
			_("the backup cannot be decrypted: its encrypted data was changed "
			  "or damaged"));
		goto out;
	}
	if (BIO_flush(out) <= 0) {
		ops_errno_fail(error, errno, _("write"), inner);
		goto out;
	}
	g_clear_pointer(&out, BIO_free_all);
	g_clear_pointer(&cms, CMS_ContentInfo_free);
	g_unlink(payload);

	if (!extract_inner(inner, root, manifest, error))
		goto out;
	g_unlink(inner);
	if (!check_restored_database(restored_db, manifest, error))
		goto out;

	/* everything checked: now the live data */
	if (!restore_files(root, data_dir, manifest, error))
		goto out;
	if (!restore_database(restored_db, db_path, error))
		goto out;
	if (nhip_ops_journal_wanted())
		g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "MESSAGE_ID",
				 MESSAGE_ID_RESTORED, "NHIP_BACKUP_PATH", backup_path,
				 "NHIP_BACKUP_STATION", manifest->station, "MESSAGE",
				 "restored the backup %s of station %s", backup_path,
				 manifest->station);
	ok = TRUE;
out:
	nhip_backup_remove_tree(work);
	return ok ? g_steal_pointer(&manifest) : NULL;
}

/* ----- the district's backup key pair ----- */

static gboolean
add_extension(X509 *cert, gint nid, const gchar *value)
{
	X509V3_CTX ctx;
	g_autoptr(X509_EXTENSION) ext = NULL;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	return ext != NULL && X509_add_ext(cert, ext, -1);
}

/**
 * nhip_backup_keygen:
 * @key_path: the private key to write (PEM, 0600); must not exist
 * @cert_path: the certificate to write (PEM)
 * @name: the name in the certificate, e.g. "Backups, TTYT huyện Tân Hòa"
 * @days: validity
 * @error: return location for a #GError
 *
 * Makes the district's backup key pair: an EC P-256 key and a self-signed certificate the
 * stations encrypt their backups to. The private key stays with the district IT office
 * (docs/backup.md); only the certificate goes to the stations.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_backup_keygen(const gchar *key_path,
		   const gchar *cert_path,
		   const gchar *name,
		   gint days,
		   GError **error)
{
	g_autoptr(EVP_PKEY) key = NULL;
	g_autoptr(X509) cert = X509_new();
	g_autoptr(BIO) key_pem = BIO_new(BIO_s_mem());
	g_autoptr(BIO) cert_pem = BIO_new(BIO_s_mem());
	g_autoptr(BIGNUM) serial = BN_new();
	X509_NAME *subject;
	const gchar *data = NULL;
	glong length;

	if (g_file_test(key_path, G_FILE_TEST_EXISTS) ||
	    g_file_test(cert_path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    _("%s or %s exists already; a backup key is never overwritten (the "
			      "backups made with it could no longer be opened)"),
			    key_path, cert_path);
		return FALSE;
	}
	if (name == NULL || !g_utf8_validate(name, -1, NULL) || strlen(name) == 0 ||
	    strlen(name) > 64 || days < 1 || days > 36500) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    _("the certificate needs a name of 1 to 64 bytes and a validity of 1 "
			      "to 36500 days"));
		return FALSE;
	}
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	subject = X509_get_subject_name(cert);
	if (key == NULL || serial == NULL ||
	    !BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) ||
	    !X509_set_version(cert, X509_VERSION_3) ||
	    !X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, (const guchar *)"Nhịp", -1, -1,
					0) ||
	    !X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, (const guchar *)name, -1, -1,
					0) ||
	    !X509_set_issuer_name(cert, subject) ||
	    X509_gmtime_adj(X509_getm_notBefore(cert), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(cert), (glong)days * 86400) == NULL ||
	    !X509_set_pubkey(cert, key) ||
	    !add_extension(cert, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_extension(cert, NID_key_usage, "critical,keyAgreement") ||
	    !add_extension(cert, NID_subject_key_identifier, "hash") ||
	    !X509_sign(cert, key, EVP_sha256()) ||
	    !PEM_write_bio_PrivateKey(key_pem, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(cert_pem, cert))
		return nhip_ops_openssl_fail(error, NHIP_OPS_ERROR_FAILED,
					     _("cannot make the backup key pair"));
	length = BIO_get_mem_data(key_pem, &data);
	if (!nhip_file_write_durable(key_path, data, (gsize)length, 0600, error))
		return FALSE;
	length = BIO_get_mem_data(cert_pem, &data);
	return nhip_file_write_durable(cert_path, data, (gsize)length, 0644, error);
}
