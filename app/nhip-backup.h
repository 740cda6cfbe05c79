/*
 * Nhịp — encrypted, verifiable backups of the station and their restore.
 *
 * A backup file (nhip-backup-STATION-YYYYMMDD-HHMMSS.nhipbak) is a POSIX ustar archive:
 *   payload.cms     CMS AuthEnvelopedData (AES-256-GCM) to the facility's backup
 *                   certificate around an inner ustar archive of the station's data:
 *                   nhip.db (a consistent SQLite snapshot), attachments/…, packets/…,
 *                   receipts/…, inbox/…, hub/…, identity/…
 *   manifest.json   station, time, schema version, the backup certificate's key pin, the
 *                   size and SHA-256 of payload.cms and of every inner file — no patient
 *                   data
 *   manifest.sig    a detached CMS signature of manifest.json by the station's key (absent
 *                   before the station is enrolled; the manifest then says "signed": false)
 *
 * Anyone can check a backup without the district's private key (nhip_backup_verify(): the
 * signature and the payload's hash); opening it takes the private key
 * (`openssl cms -decrypt` works too, see docs/backup.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_BACKUP_SUFFIX "nhipbak"
/* the file a technician puts at the top of a USB stick or disk meant for backups */
#define NHIP_BACKUP_MARKER	 "NHIP-BACKUP"
#define NHIP_BACKUP_DEFAULT_KEEP 14
/* the largest manifest read (a station with 100 000 photos stays far below) */
#define NHIP_BACKUP_MAX_MANIFEST (64 * 1024 * 1024)

/* settings (nhip_store_setting_get()) */
#define NHIP_SETTING_BACKUP_CERTIFICATE "backup.certificate"
#define NHIP_SETTING_BACKUP_KEEP	"backup.keep"
#define NHIP_SETTING_BACKUP_MOUNT	"backup.mount"

/**
 * NhipBackupMember:
 * @name: path inside the inner archive ("nhip.db", "attachments/ab/ab12…")
 * @size: bytes
 * @sha256: lower-case hex SHA-256 of the content
 */
typedef struct {
	gchar *name;
	guint64 size;
	gchar *sha256;
} NhipBackupMember;

/**
 * NhipBackupManifest:
 * @station: the station code (from enrollment), or the facility code before enrollment
 * @facility: (nullable): the facility code
 * @created: when the snapshot was taken (UTC)
 * @schema_version: the database schema version of the snapshot
 * @program_version: the nhipctl version that wrote it
 * @recipient: the key pin ("sha256//…") of the backup certificate it is encrypted to
 * @is_signed: whether manifest.sig holds the station's signature
 * @payload_size: bytes of payload.cms
 * @payload_sha256: SHA-256 of payload.cms
 * @members: (element-type NhipBackupMember): the files inside the payload
 */
typedef struct {
	gchar *station;
	gchar *facility;
	GDateTime *created;
	gint schema_version;
	gchar *program_version;
	gchar *recipient;
	gboolean is_signed;
	guint64 payload_size;
	gchar *payload_sha256;
	GPtrArray *members;
} NhipBackupManifest;

NhipBackupManifest *nhip_backup_manifest_new(void) G_GNUC_WARN_UNUSED_RESULT;
void nhip_backup_manifest_free(NhipBackupManifest *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipBackupManifest, nhip_backup_manifest_free)
GBytes *nhip_backup_manifest_to_json(const NhipBackupManifest *self) G_GNUC_WARN_UNUSED_RESULT;
NhipBackupManifest *nhip_backup_manifest_parse(GBytes *json,
					       GError **error) G_GNUC_WARN_UNUSED_RESULT;
const NhipBackupMember *nhip_backup_manifest_lookup(const NhipBackupManifest *self,
						    const gchar *name);

/**
 * NhipBackupResult:
 * @path: the backup file written
 * @size: its size in bytes
 * @seconds: how long it took
 * @removed: how many older backups were removed to keep the number bounded
 * @manifest: what it holds
 */
typedef struct {
	gchar *path;
	guint64 size;
	gdouble seconds;
	guint removed;
	NhipBackupManifest *manifest;
} NhipBackupResult;

void nhip_backup_result_free(NhipBackupResult *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipBackupResult, nhip_backup_result_free)

gboolean nhip_backup_snapshot(const gchar *db_path, const gchar *dest_path, GError **error);
gboolean nhip_backup_copy_into(const gchar *from, const gchar *to, GError **error);
void nhip_backup_remove_tree(const gchar *path);
NhipBackupResult *nhip_backup_write(const gchar *db_path,
				    const gchar *cert_path,
				    const gchar *dest_dir,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipBackupManifest *nhip_backup_verify(const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

gchar *nhip_backup_find_target(const gchar *const *roots, GError **error) G_GNUC_WARN_UNUSED_RESULT;
guint nhip_backup_prune(const gchar *dir, const gchar *station, guint keep, GError **error);
NhipBackupResult *nhip_backup_auto(const gchar *db_path,
				   const gchar *cert_path,
				   const gchar *const *roots,
				   guint keep,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipBackupResult *nhip_backup_auto_station(const gchar *db_path,
					   const gchar *cert_path,
					   const gchar *mount,
					   guint keep,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_backup_log_result(const NhipBackupResult *result, const GError *error);

/**
 * NhipBackupLast:
 * @time: when the last backup attempt ended (Unix seconds), 0 if never
 * @ok: whether it succeeded
 * @path: (nullable): the file written
 * @size: its size
 * @message: (nullable): why it failed
 *
 * What the last backup did, kept in backup-state.ini beside the database (not in the
 * database: taking a backup never changes it).
 */
typedef struct {
	gint64 time;
	gboolean ok;
	gchar *path;
	guint64 size;
	gchar *message;
} NhipBackupLast;

void nhip_backup_last_clear(NhipBackupLast *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NhipBackupLast, nhip_backup_last_clear)
gboolean nhip_backup_last_read(const gchar *db_path, NhipBackupLast *last);
void
nhip_backup_last_write(const gchar *db_path, const NhipBackupResult *result, const GError *error);

/**
 * NhipRestoreFlags:
 * @NHIP_RESTORE_NONE: the safe default
 * @NHIP_RESTORE_FORCE_FOREIGN: restore a backup of another station (a replacement box
 *   taking over, or a deliberate move); its station name is printed before
 */
typedef enum {
	NHIP_RESTORE_NONE = 0,
	NHIP_RESTORE_FORCE_FOREIGN = 1 << 0,
} NhipRestoreFlags;

NhipBackupManifest *nhip_backup_restore(const gchar *db_path,
					const gchar *backup_path,
					const gchar *key_path,
					const gchar *passphrase,
					NhipRestoreFlags flags,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean nhip_backup_keygen(const gchar *key_path,
			    const gchar *cert_path,
			    const gchar *name,
			    gint days,
			    GError **error);

gchar *nhip_backup_station_code(const gchar *db_path,
				const gchar *facility_code) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
