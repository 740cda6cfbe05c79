/*
 * Nhịp — the technician's view of a station's health.
 *
 * Thresholds: less than 500 MB or 5 % free on the data disk is a problem, less than 2 GB
 * or 10 % a warning; a station certificate that has expired is a problem, one that
 * expires within 30 days a warning; a case or an HIS message waiting for more than a day,
 * no backup for more than 3 days, or a failed last backup are warnings. Only problems make
 * `nhipctl status --check` (and with it the health check after an update) fail.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/timex.h>

#include "nhip-backup.h"
#include "nhip-hub-link.h"
#include "nhip-identity.h"
#include "nhip-json.h"
#include "nhip-ops-error.h"
#include "nhip-station-identity.h"
#include "nhip-status.h"
#include "nhip-store.h"

#define DISK_PROBLEM_BYTES   (G_GUINT64_CONSTANT(500) * 1000 * 1000)
#define DISK_WARNING_BYTES   (G_GUINT64_CONSTANT(2) * 1000 * 1000 * 1000)
#define CERT_WARNING_DAYS    30
#define WAITING_WARNING_SECS (24 * 3600)
#define BACKUP_WARNING_SECS  (3 * 24 * 3600)

#define MESSAGE_ID_STATUS "6f0f2a8e1c7d4b2e9a51d3c4b7e80a21"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sqlite3, sqlite3_close_v2)

struct _NhipStatus {
	gchar *db_path;
	gchar *data_dir;
	gint64 now;
	/* versions */
	gint schema_version; /* -1 when the database cannot be read */
	/* disk */
	guint64 disk_free;
	guint64 disk_total;
	gboolean disk_known;
	/* database */
	gboolean db_exists;
	gchar *integrity; /* "ok" or what quick_check said */
	gchar *facility_code;
	gchar *facility_name;
	/* outbox to the hub */
	gint64 packets_waiting;
	gint64 packets_failed;
	gint64 packets_oldest;
	gint64 packets_last_delivery;
	/* HIS */
	gint64 his_waiting;
	gint64 his_failed;
	gint64 his_oldest;
	gint64 his_last_upload;
	/* devices */
	gint64 last_reading;
	GPtrArray *devices; /* NhipStatusDevice, or NULL when not probed */
	/* certificate */
	gchar *cert_station;
	gint64 cert_not_after;
	gchar *cert_problem;
	/* time */
	const gchar *time_synced; /* "yes", "no", "unknown" */
	const gchar *time_source;
	/* backup */
	NhipBackupLast backup;
	gboolean backup_known;
	gchar *backup_certificate;

	GPtrArray *items;
};

const gchar *
nhip_status_level_to_string(NhipStatusLevel level)
{
	switch (level) {
	case NHIP_STATUS_OK:
		return "ok";
	case NHIP_STATUS_UNKNOWN:
		return "unknown";
	case NHIP_STATUS_WARNING:
		return "warning";
	case NHIP_STATUS_PROBLEM:
	default:
		return "problem";
	}
}

NhipStatusDevice *
nhip_status_device_new(const gchar *id, const gchar *name, const gchar *state)
{
	NhipStatusDevice *self = g_new0(NhipStatusDevice, 1);
	self->id = g_strdup(id);
	self->name = g_strdup(name);
	self->state = g_strdup(state);
	return self;
}

void
nhip_status_device_free(NhipStatusDevice *self)
{
	if (self == NULL)
		return;
	g_free(self->id);
	g_free(self->name);
	g_free(self->state);
	g_free(self);
}

static void
item_free(NhipStatusItem *item)
{
	g_free(item->name);
	g_free(item->title);
	g_free(item->message);
	g_free(item);
}

void
nhip_status_free(NhipStatus *self)
{
	if (self == NULL)
		return;
	g_free(self->db_path);
	g_free(self->data_dir);
	g_free(self->integrity);
	g_free(self->facility_code);
	g_free(self->facility_name);
	g_clear_pointer(&self->devices, g_ptr_array_unref);
	g_free(self->cert_station);
	g_free(self->cert_problem);
	nhip_backup_last_clear(&self->backup);
	g_free(self->backup_certificate);
	g_ptr_array_unref(self->items);
	g_free(self);
}

G_GNUC_PRINTF(5, 6)
static void
add_item(NhipStatus *self,
	 const gchar *name,
	 const gchar *title,
	 NhipStatusLevel level,
	 const gchar *format,
	 ...)
{
	NhipStatusItem *item = g_new0(NhipStatusItem, 1);
	va_list ap;

	item->name = g_strdup(name);
	item->title = g_strdup(title);
	item->level = level;
	va_start(ap, format);
	item->message = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_ptr_array_add(self->items, item);
}

/* one integer from a query; FALSE when the table is not there (an old schema) */
static gboolean
query_int(sqlite3 *db, const gchar *sql, gint64 *value)
{
	sqlite3_stmt *stmt = NULL;
	gboolean ok = FALSE;

	*value = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW) {
		*value = sqlite3_column_int64(stmt, 0);
		ok = TRUE;
	}
	sqlite3_finalize(stmt);
	return ok;
}

static gchar *
query_text(sqlite3 *db, const gchar *sql)
{
	sqlite3_stmt *stmt = NULL;
	gchar *value = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != NULL)
		value = g_strdup((const gchar *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return value;
}

static void
collect_database(NhipStatus *self)
{
	g_autoptr(sqlite3) db = NULL;
	gint64 version = -1;

	self->schema_version = -1;
	self->db_exists = g_file_test(self->db_path, G_FILE_TEST_IS_REGULAR);
	if (!self->db_exists)
		return;
	if (sqlite3_open_v2(self->db_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		self->integrity = g_strdup(sqlite3_errmsg(db));
		return;
	}
	sqlite3_busy_timeout(db, 5000);
	if (query_int(db, "PRAGMA user_version", &version))
		self->schema_version = (gint)version;
	self->integrity = query_text(db, "PRAGMA quick_check");
	if (self->integrity == NULL)
		self->integrity = g_strdup(sqlite3_errmsg(db));
	self->facility_code = query_text(db, "SELECT code FROM facility WHERE id = 1");
	self->facility_name = query_text(db, "SELECT name FROM facility WHERE id = 1");
	query_int(db, "SELECT count(*) FROM packets WHERE state IN ('queued', 'sending')",
		  &self->packets_waiting);
	query_int(db, "SELECT count(*) FROM packets WHERE state = 'failed'", &self->packets_failed);
	query_int(db,
		  "SELECT coalesce(min(created_at), 0) FROM packets WHERE state IN ('queued', "
		  "'sending')",
		  &self->packets_oldest);
	query_int(db,
		  "SELECT coalesce(max(updated_at), 0) FROM packets WHERE state IN ('delivered', "
		  "'answered')",
		  &self->packets_last_delivery);
	query_int(db,
		  "SELECT count(*) FROM outbox WHERE kind = 'hl7' AND state IN ('queued', "
		  "'sending')",
		  &self->his_waiting);
	query_int(db, "SELECT count(*) FROM outbox WHERE kind = 'hl7' AND state = 'failed'",
		  &self->his_failed);
	query_int(db,
		  "SELECT coalesce(min(created_at), 0) FROM outbox WHERE kind = 'hl7' AND state "
		  "IN ('queued', 'sending')",
		  &self->his_oldest);
	query_int(db,
		  "SELECT coalesce(max(updated_at), 0) FROM outbox WHERE kind = 'hl7' AND state = "
		  "'delivered'",
		  &self->his_last_upload);
	query_int(db,
		  "SELECT coalesce(max(received_at), 0) FROM observations WHERE source = 'device'",
		  &self->last_reading);
	self->backup_certificate = query_text(
		db, "SELECT value FROM settings WHERE key = '" NHIP_SETTING_BACKUP_CERTIFICATE "'");
}

static void
collect_certificate(NhipStatus *self)
{
	g_autofree gchar *id_dir = nhip_station_identity_dir_for_db(self->db_path);
	const gchar *dirs[] = { id_dir };

	for (guint i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree gchar *path = g_build_filename(dirs[i], "station.crt", NULL);
		g_autoptr(GError) error = NULL;
		g_autoptr(X509) cert = NULL;
		g_autoptr(GDateTime) until = NULL;

		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			continue;
		cert = nhip_x509_load(path, &error);
		if (cert == NULL) {
			self->cert_problem = g_strdup(error->message);
			return;
		}
		self->cert_station = nhip_x509_get_common_name(cert);
		until = nhip_x509_get_not_after(cert);
		self->cert_not_after = until != NULL ? g_date_time_to_unix(until) : 0;
		return;
	}
}

/* whether the clock is synchronised: systemd's view first, then the kernel's */
static void
collect_time(NhipStatus *self)
{
	const gchar *argv[] = { "timedatectl", "show", "--property=NTPSynchronized", "--value",
				NULL };
	g_autofree gchar *out = NULL;
	gint status = -1;
	g_autofree gchar *program = g_find_program_in_path("timedatectl");
	struct timex tx = { 0 };
	gint state;

	self->time_synced = "unknown";
	self->time_source = NULL;
	if (program != NULL &&
	    g_spawn_sync(NULL, (gchar **)argv, NULL,
			 G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
			 &status, NULL) &&
	    g_spawn_check_wait_status(status, NULL)) {
		g_strstrip(out);
		if (g_strcmp0(out, "yes") == 0 || g_strcmp0(out, "no") == 0) {
			self->time_synced = g_strcmp0(out, "yes") == 0 ? "yes" : "no";
			self->time_source = "timedatectl";
			return;
		}
	}
	/* adjtimex(2) with modes 0 only reads; STA_UNSYNC is set until an NTP client
	 * (systemd-timesyncd, chrony) has disciplined the clock */
	state = adjtimex(&tx);
	if (state < 0)
		return;
	self->time_synced = (state == TIME_ERROR || (tx.status & STA_UNSYNC)) ? "no" : "yes";
	self->time_source = "adjtimex";
}

static gchar *
format_time(gint64 unix_time)
{
	g_autoptr(GDateTime) dt = NULL;

	if (unix_time <= 0)
		return g_strdup(_("never"));
	dt = g_date_time_new_from_unix_local(unix_time);
	return dt != NULL ? g_date_time_format(dt, "%Y-%m-%d %H:%M") : g_strdup("?");
}

static void
build_items(NhipStatus *self)
{
	/* versions */
	if (self->schema_version > NHIP_STORE_SCHEMA_VERSION)
		add_item(self, "versions", _("Versions"), NHIP_STATUS_PROBLEM,
			 _("nhipctl %s, but the database has schema %d, newer than this program "
			   "knows (%d): update the station"),
			 PACKAGE_VERSION, self->schema_version, NHIP_STORE_SCHEMA_VERSION);
	else if (self->schema_version >= 0 && self->schema_version < NHIP_STORE_SCHEMA_VERSION)
		add_item(self, "versions", _("Versions"), NHIP_STATUS_WARNING,
			 _("nhipctl %s, database schema %d (updated to %d when the kiosk next "
			   "starts)"),
			 PACKAGE_VERSION, self->schema_version, NHIP_STORE_SCHEMA_VERSION);
	else
		add_item(self, "versions", _("Versions"), NHIP_STATUS_OK,
			 _("nhipctl %s, database schema %d"), PACKAGE_VERSION,
			 NHIP_STORE_SCHEMA_VERSION);

	/* disk */
	if (!self->disk_known) {
		add_item(self, "disk", _("Disk space"), NHIP_STATUS_UNKNOWN,
			 _("cannot read the free space of %s"), self->data_dir);
	} else {
		g_autofree gchar *free_text = g_format_size(self->disk_free);
		g_autofree gchar *total_text = g_format_size(self->disk_total);
		gdouble share =
			self->disk_total > 0 ? 100.0 * self->disk_free / self->disk_total : 0;
		NhipStatusLevel level = NHIP_STATUS_OK;

		if (self->disk_free < DISK_PROBLEM_BYTES || share < 5)
			level = NHIP_STATUS_PROBLEM;
		else if (self->disk_free < DISK_WARNING_BYTES || share < 10)
			level = NHIP_STATUS_WARNING;
		add_item(self, "disk", _("Disk space"), level, _("%s free of %s (%.0f %%) in %s"),
			 free_text, total_text, share, self->data_dir);
	}

	/* database */
	if (!self->db_exists)
		add_item(self, "database", _("Database"), NHIP_STATUS_PROBLEM,
			 _("there is no station database at %s"), self->db_path);
	else if (g_strcmp0(self->integrity, "ok") != 0)
		add_item(self, "database", _("Database"), NHIP_STATUS_PROBLEM,
			 _("damaged (%s): restore the last backup"),
			 self->integrity != NULL ? self->integrity : "?");
	else if (self->facility_code == NULL)
		add_item(self, "database", _("Database"), NHIP_STATUS_WARNING,
			 _("intact, but no facility is set up yet: run the setup"));
	else
		add_item(self, "database", _("Database"), NHIP_STATUS_OK,
			 _("intact; facility %s — %s"), self->facility_code, self->facility_name);

	/* outbox to the hub */
	{
		g_autofree gchar *last = format_time(self->packets_last_delivery);
		NhipStatusLevel level = NHIP_STATUS_OK;

		if (self->packets_failed > 0 ||
		    (self->packets_oldest > 0 &&
		     self->now - self->packets_oldest > WAITING_WARNING_SECS))
			level = NHIP_STATUS_WARNING;
		add_item(self, "outbox", _("Cases to the hub"), level,
			 _("%" PRId64 " waiting, %" PRId64 " refused; last delivered %s"),
			 self->packets_waiting, self->packets_failed, last);
	}

	/* HIS */
	{
		g_autofree gchar *last = format_time(self->his_last_upload);
		NhipStatusLevel level = NHIP_STATUS_OK;

		if (self->his_failed > 0 ||
		    (self->his_oldest > 0 && self->now - self->his_oldest > WAITING_WARNING_SECS))
			level = NHIP_STATUS_WARNING;
		add_item(self, "his", _("Hospital information system"), level,
			 _("%" PRId64 " waiting, %" PRId64 " failed; last upload %s"),
			 self->his_waiting, self->his_failed, last);
	}

	/* devices */
	{
		g_autofree gchar *last = format_time(self->last_reading);
		if (self->devices == NULL)
			add_item(self, "devices", _("Devices"), NHIP_STATUS_OK,
				 _("last reading from a device %s"), last);
		else
			add_item(self, "devices", _("Devices"), NHIP_STATUS_OK,
				 g_dngettext(GETTEXT_PACKAGE,
					     "%u device connected; last reading %s",
					     "%u devices connected; last reading %s",
					     self->devices->len),
				 self->devices->len, last);
	}

	/* certificate */
	if (self->cert_problem != NULL) {
		add_item(self, "certificate", _("Station certificate"), NHIP_STATUS_PROBLEM, "%s",
			 self->cert_problem);
	} else if (self->cert_station == NULL) {
		add_item(self, "certificate", _("Station certificate"), NHIP_STATUS_WARNING,
			 _("not enrolled with a hub yet"));
	} else {
		g_autofree gchar *until = format_time(self->cert_not_after);
		gint64 days = (self->cert_not_after - self->now) / 86400;

		if (self->cert_not_after <= self->now)
			add_item(self, "certificate", _("Station certificate"), NHIP_STATUS_PROBLEM,
				 _("%s expired on %s: ask the district for a new one"),
				 self->cert_station, until);
		else
			add_item(self, "certificate", _("Station certificate"),
				 days < CERT_WARNING_DAYS ? NHIP_STATUS_WARNING : NHIP_STATUS_OK,
				 _("%s, valid until %s (%" PRId64 " days)"), self->cert_station,
				 until, days);
	}

	/* time */
	if (g_strcmp0(self->time_synced, "yes") == 0)
		add_item(self, "time", _("Clock"), NHIP_STATUS_OK, _("synchronised (%s)"),
			 self->time_source);
	else if (g_strcmp0(self->time_synced, "no") == 0)
		add_item(self, "time", _("Clock"), NHIP_STATUS_WARNING,
			 _("not synchronised (%s): check the network and the time server"),
			 self->time_source);
	else
		add_item(self, "time", _("Clock"), NHIP_STATUS_UNKNOWN,
			 _("unknown: neither timedatectl nor the kernel could say"));

	/* backup */
	if (!self->backup_known) {
		add_item(self, "backup", _("Backup"), NHIP_STATUS_WARNING,
			 self->backup_certificate == NULL
				 ? _("never made, and no backup certificate is set up")
				 : _("never made: plug in the backup USB stick"));
	} else {
		g_autofree gchar *when = format_time(self->backup.time);
		g_autofree gchar *size = g_format_size(self->backup.size);

		if (!self->backup.ok)
			add_item(self, "backup", _("Backup"), NHIP_STATUS_WARNING,
				 _("the last one failed on %s: %s"), when,
				 self->backup.message != NULL ? self->backup.message : "?");
		else
			add_item(self, "backup", _("Backup"),
				 self->now - self->backup.time > BACKUP_WARNING_SECS
					 ? NHIP_STATUS_WARNING
					 : NHIP_STATUS_OK,
				 _("last made %s (%s)"), when, size);
	}
}

/**
 * nhip_status_collect:
 * @db_path: the station database
 * @devices: (nullable) (transfer none) (element-type NhipStatusDevice): the devices
 *   connected now, when the caller knows them (the kiosk's device manager); %NULL when
 *   they were not looked at
 *
 * Returns: (transfer full): the station's status
 */
NhipStatus *
nhip_status_collect(const gchar *db_path, GPtrArray *devices)
{
	NhipStatus *self = g_new0(NhipStatus, 1);
	g_autofree gchar *absolute = g_canonicalize_filename(db_path, NULL);
	struct statvfs vfs;

	self->db_path = g_strdup(db_path);
	self->data_dir = g_path_get_dirname(absolute);
	self->now = g_get_real_time() / G_USEC_PER_SEC;
	self->items = g_ptr_array_new_with_free_func((GDestroyNotify)item_free);
	if (devices != NULL) {
		self->devices =
			g_ptr_array_new_with_free_func((GDestroyNotify)nhip_status_device_free);
		for (guint i = 0; i < devices->len; i++) {
			NhipStatusDevice *device = g_ptr_array_index(devices, i);
			g_ptr_array_add(
				self->devices,
				nhip_status_device_new(device->id, device->name, device->state));
		}
	}
	if (statvfs(self->data_dir, &vfs) == 0) {
		self->disk_known = TRUE;
		self->disk_free = (guint64)vfs.f_bavail * vfs.f_frsize;
		self->disk_total = (guint64)vfs.f_blocks * vfs.f_frsize;
	}
	collect_database(self);
	collect_certificate(self);
	collect_time(self);
	self->backup_known = nhip_backup_last_read(db_path, &self->backup);
	build_items(self);
	return self;
}

/**
 * nhip_status_get_items:
 * @self: a status
 *
 * Returns: (transfer none) (element-type NhipStatusItem): one line per area
 */
GPtrArray *
nhip_status_get_items(NhipStatus *self)
{
	return self->items;
}

/**
 * nhip_status_is_healthy:
 * @self: a status
 *
 * Returns: %TRUE when no item is a problem
 */
gboolean
nhip_status_is_healthy(NhipStatus *self)
{
	for (guint i = 0; i < self->items->len; i++) {
		NhipStatusItem *item = g_ptr_array_index(self->items, i);
		if (item->level == NHIP_STATUS_PROBLEM)
			return FALSE;
	}
	return TRUE;
}

static void
add_time_or_null(JsonBuilder *builder, const gchar *name, gint64 unix_time)
{
	nhip_json_add_time(builder, name, unix_time > 0 ? unix_time : 0);
}

/**
 * nhip_status_to_json:
 * @self: a status
 * @builder: a builder where a value may start
 *
 * Writes the status as one JSON object (its members are listed in docs/setup.md).
 */
void
nhip_status_to_json(NhipStatus *self, JsonBuilder *builder)
{
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "healthy");
	json_builder_add_boolean_value(builder, nhip_status_is_healthy(self));
	add_time_or_null(builder, "checked_at", self->now);

	json_builder_set_member_name(builder, "versions");
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "nhipctl", PACKAGE_VERSION);
	json_builder_set_member_name(builder, "schema");
	if (self->schema_version >= 0)
		json_builder_add_int_value(builder, self->schema_version);
	else
		json_builder_add_null_value(builder);
	nhip_json_add_int(builder, "schema_supported", NHIP_STORE_SCHEMA_VERSION);
	json_builder_end_object(builder);

	json_builder_set_member_name(builder, "disk");
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "path", self->data_dir);
	json_builder_set_member_name(builder, "free_bytes");
	if (self->disk_known)
		json_builder_add_int_value(builder, (gint64)self->disk_free);
	else
		json_builder_add_null_value(builder);
	json_builder_set_member_name(builder, "total_bytes");
	if (self->disk_known)
		json_builder_add_int_value(builder, (gint64)self->disk_total);
	else
		json_builder_add_null_value(builder);
	json_builder_end_object(builder);

	json_builder_set_member_name(builder, "database");
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "path", self->db_path);
	nhip_json_add_string(builder, "integrity", self->db_exists ? self->integrity : "missing");
	nhip_json_add_string(builder, "facility", self->facility_code);
	json_builder_end_object(builder);

	json_builder_set_member_name(builder, "outbox");
	json_builder_begin_object(builder);
	nhip_json_add_int(builder, "waiting", self->packets_waiting);
	nhip_json_add_int(builder, "refused", self->packets_failed);
	add_time_or_null(builder, "oldest_waiting", self->packets_oldest);
	add_time_or_null(builder, "last_delivery", self->packets_last_delivery);
	json_builder_end_object(builder);

	json_builder_set_member_name(builder, "his");
	json_builder_begin_object(builder);
	nhip_json_add_int(builder, "waiting", self->his_waiting);
	nhip_json_add_int(builder, "failed", self->his_failed);
	add_time_or_null(builder, "oldest_waiting", self->his_oldest);
	add_time_or_null(builder, "last_upload", self->his_last_upload);
	json_builder_end_object(builder);

	json_builder_set_member_name(builder, "devices");
	json_builder_begin_object(builder);
	add_time_or_null(builder, "last_reading", self->last_reading);
	json_builder_set_member_name(builder, "connected");
	if (self->devices == NULL) {
		json_builder_add_null_value(builder);
	} else {
		json_builder_begin_array(builder);
		for (guint i = 0; i < self->devices->len; i++) {
			NhipStatusDevice *device = g_ptr_array_index(self->devices, i);
			json_builder_begin_object(builder);
			nhip_json_add_string(builder, "id", device->id);
			nhip_json_add_string(builder, "name", device->name);
			nhip_json_add_string(builder, "state", device->state);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
	}
	json_builder_end_object(builder);

	json_builder_set_member_name(builder, "certificate");
	if (self->cert_station == NULL) {
		json_builder_add_null_value(builder);
	} else {
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "station", self->cert_station);
		add_time_or_null(builder, "not_after", self->cert_not_after);
		nhip_json_add_int(builder, "days_left", (self->cert_not_after - self->now) / 86400);
		json_builder_end_object(builder);
	}

	json_builder_set_member_name(builder, "time_sync");
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "synchronized", self->time_synced);
	nhip_json_add_string(builder, "source", self->time_source);
	json_builder_end_object(builder);

	json_builder_set_member_name(builder, "backup");
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "certificate", self->backup_certificate);
	add_time_or_null(builder, "last", self->backup_known ? self->backup.time : 0);
	json_builder_set_member_name(builder, "ok");
	if (self->backup_known)
		json_builder_add_boolean_value(builder, self->backup.ok);
	else
		json_builder_add_null_value(builder);
	nhip_json_add_string(builder, "path", self->backup.path);
	nhip_json_add_int(builder, "size", (gint64)self->backup.size);
	nhip_json_add_string(builder, "message", self->backup.message);
	json_builder_end_object(builder);

	json_builder_set_member_name(builder, "checks");
	json_builder_begin_array(builder);
	for (guint i = 0; i < self->items->len; i++) {
		NhipStatusItem *item = g_ptr_array_index(self->items, i);
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "name", item->name);
		nhip_json_add_string(builder, "level", nhip_status_level_to_string(item->level));
		nhip_json_add_string(builder, "message", item->message);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
}

/**
 * nhip_status_log:
 * @self: a status
 *
 * Under systemd, one structured journal entry per check that is not fine, with its name and level
 * as fields (NHIP_CHECK, NHIP_LEVEL); the messages hold no patient data.
 */
void
nhip_status_log(NhipStatus *self)
{
	if (!nhip_ops_journal_wanted())
		return;
	for (guint i = 0; i < self->items->len; i++) {
		NhipStatusItem *item = g_ptr_array_index(self->items, i);

		if (item->level == NHIP_STATUS_OK || item->level == NHIP_STATUS_UNKNOWN)
			continue;
		g_log_structured(G_LOG_DOMAIN,
				 item->level == NHIP_STATUS_PROBLEM ? G_LOG_LEVEL_WARNING
								    : G_LOG_LEVEL_MESSAGE,
				 "MESSAGE_ID", MESSAGE_ID_STATUS, "NHIP_CHECK", item->name,
				 "NHIP_LEVEL", nhip_status_level_to_string(item->level), "MESSAGE",
				 "%s: %s", item->name, item->message);
	}
}
