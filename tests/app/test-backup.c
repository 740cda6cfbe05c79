/*
 * Nhịp — tests of backups, restores and the status check, through nhipctl on real SQLite
 * files: a round trip equal by `sqlite3 .dump` with byte-identical attachments, a backup
 * taken while another process writes, damaged, truncated, tampered, foreign and wrong-key
 * backups refused with the live database untouched, automatic backups to a marked disk
 * with a bounded number of copies, and `status --json` / `--check`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "nhip-archive.h"
#include "nhip-backup.h"
#include "nhip-ops-error.h"
#include "nhip-test-utils.h"

typedef NhipTestRun Run;
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, nhip_test_run_clear)

static gchar *key_path;
static gchar *cert_path;
static gchar *other_key_path;
static gchar *keys_dir;

static Run
nhipctl(const gchar *first, ...)
{
	Run run;
	va_list ap;

	va_start(ap, first);
	run = nhip_test_run_valist(NHIPCTL_PATH, first, ap);
	va_end(ap);
	return run;
}

typedef struct {
	gchar *dir;
	gchar *db;
	gchar *usb;
} Station;

static void
station_clear(Station *station)
{
	if (station->dir != NULL)
		nhip_test_rmrf(station->dir);
	g_free(station->dir);
	g_free(station->db);
	g_free(station->usb);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Station, station_clear)

static void
write_file(const gchar *path, const gchar *data, gssize length)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_path_get_dirname(path);

	g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
	g_assert_true(g_file_set_contents(path, data, length, &error));
	g_assert_no_error(error);
}

/* a station with demo data, a photo attached to visit 1 and a sealed packet waiting */
static void
station_new(Station *station, const gchar *facility)
{
	g_autofree gchar *photo = NULL;
	g_autofree gchar *packet = NULL;
	g_autofree gchar *noise = g_malloc(300000);

	station->dir = nhip_test_tmpdir();
	station->db = g_build_filename(station->dir, "data", "station.db", NULL);
	station->usb = g_build_filename(station->dir, "usb", NULL);
	g_assert_cmpint(g_mkdir_with_parents(station->usb, 0700), ==, 0);
	{
		g_auto(Run) init = nhipctl("--db", station->db, "init", "--facility-code", facility,
					   "--facility-name", "Trạm Y tế xã Tân Hòa", NULL);
		g_auto(Run) demo = nhipctl("--db", station->db, "demo", "--patients", "60", NULL);
		nhip_test_assert_ok(&init);
		nhip_test_assert_ok(&demo);
	}
	for (gsize i = 0; i < 300000; i++)
		noise[i] = (gchar)g_random_int();
	photo = g_build_filename(station->dir, "photo.jpg", NULL);
	write_file(photo, noise, 300000);
	{
		g_auto(Run) patient =
			nhipctl("--db", station->db, "patient", "add", "--name", "Hà Thị Mai",
				"--dob", "1988", "--sex", "female", NULL);
		g_auto(Run) visit = { 0 };
		g_auto(Run) attach = { 0 };

		nhip_test_assert_ok(&patient);
		g_strstrip(patient.out);
		visit = nhipctl("--db", station->db, "visit", "open", patient.out, NULL);
		nhip_test_assert_ok(&visit);
		g_strstrip(visit.out);
		attach = nhipctl("--db", station->db, "visit", "attach", visit.out, photo, "--mime",
				 "image/jpeg", NULL);
		nhip_test_assert_ok(&attach);
	}
	packet = g_build_filename(station->dir, "data", "packets", "case-1.p7m", NULL);
	write_file(packet, noise + 1000, 20000);
}

static gchar *
file_sha256(const gchar *path)
{
	g_autoptr(GError) error = NULL;
	gchar *sha = nhip_archive_sha256_file(path, NULL, &error);
	g_assert_no_error(error);
	return sha;
}

static gchar *
backup_to_usb(Station *station)
{
	g_auto(Run) run = nhipctl("--db", station->db, "backup", "--to", station->usb, "--cert",
				  cert_path, "--json", NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *obj;

	nhip_test_assert_ok(&run);
	g_assert_true(json_parser_load_from_data(parser, run.out, -1, NULL));
	obj = json_node_get_object(json_parser_get_root(parser));
	g_assert_true(json_object_get_boolean_member(obj, "verified"));
	g_assert_cmpint(json_object_get_int_member(obj, "schema_version"), ==,
			NHIP_STORE_SCHEMA_VERSION);
	return g_strdup(json_object_get_string_member(obj, "path"));
}

static void
test_round_trip(void)
{
	g_auto(Station) station = { 0 };
	g_autofree gchar *backup = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	g_autofree gchar *data_dir = NULL;
	g_autofree gchar *attachment = NULL;
	g_autofree gchar *attachment_sha = NULL;
	g_autofree gchar *packet = NULL;
	g_autofree gchar *packet_sha = NULL;
	g_autofree gchar *sha = NULL;
	g_autofree gchar *kept = NULL;

	station_new(&station, "66181");
	data_dir = g_path_get_dirname(station.db);
	sha = nhip_test_sql_text(station.db, "SELECT sha256 FROM attachments LIMIT 1");
	attachment = g_build_filename(data_dir, "attachments", NULL);
	{
		g_autoptr(NhipStore) store = nhip_store_open(station.db, NULL);
		g_free(attachment);
		attachment = nhip_store_attachment_path(store, sha);
	}
	attachment_sha = file_sha256(attachment);
	packet = g_build_filename(data_dir, "packets", "case-1.p7m", NULL);
	packet_sha = file_sha256(packet);
	before = nhip_test_sqlite_dump(station.db);
	backup = backup_to_usb(&station);

	/* the backup file holds no plaintext: not the database header, not a patient's name */
	{
		g_autofree gchar *contents = NULL;
		gsize length = 0;
		g_assert_true(g_file_get_contents(backup, &contents, &length, NULL));
		g_assert_null(memmem(contents, length, "SQLite format 3", 15));
		g_assert_null(memmem(contents, length, "Hà Thị Mai", strlen("Hà Thị Mai")));
	}

	/* life goes on, then something goes wrong */
	{
		g_auto(Run) add = nhipctl("--db", station.db, "patient", "add", "--name",
					  "Lò Văn Sáng", "--dob", "1990", "--sex", "male", NULL);
		nhip_test_assert_ok(&add);
	}
	g_assert_cmpint(g_unlink(attachment), ==, 0);
	write_file(packet, "damaged", -1);

	{
		g_auto(Run) restore =
			nhipctl("--db", station.db, "restore", backup, "--key", key_path, NULL);
		nhip_test_assert_ok(&restore);
	}
	after = nhip_test_sqlite_dump(station.db);
	g_assert_cmpstr(before, ==, after);
	{
		g_autofree gchar *restored_att = file_sha256(attachment);
		g_autofree gchar *restored_packet = file_sha256(packet);
		g_assert_cmpstr(restored_att, ==, attachment_sha);
		g_assert_cmpstr(restored_packet, ==, packet_sha);
	}
	/* what was live before is kept, with the patient added after the backup */
	kept = g_strconcat(station.db, ".before-restore", NULL);
	g_assert_cmpint(nhip_test_sql_int(kept, "SELECT count(*) FROM patients WHERE "
						"full_name = 'Lò Văn Sáng'"),
			==, 1);
	g_assert_cmpint(nhip_test_sql_int(station.db, "SELECT count(*) FROM patients WHERE "
						      "full_name = 'Lò Văn Sáng'"),
			==, 0);
	/* and the restored database opens and verifies */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipStore) store = nhip_store_open(station.db, &error);
		g_assert_no_error(error);
		g_assert_true(nhip_store_integrity_check(store, &error));
		g_assert_true(nhip_store_audit_verify(store, NULL, NULL, &error));
		g_assert_no_error(error);
	}
	/* the district can open it with openssl alone, as docs/backup.md says */
	{
		g_autofree gchar *script = g_strdup_printf(
			"cd '%s' && mkdir x && cd x && tar xf '%s' && openssl cms -decrypt -binary "
			"-inform DER -in payload.cms -inkey '%s' | tar tf -",
			station.dir, backup, key_path);
		const gchar *argv[] = { "sh", "-c", script, NULL };
		g_auto(Run) run = nhip_test_runv(argv);
		g_assert_cmpint(run.status, ==, 0);
		g_assert_nonnull(strstr(run.out, "nhip.db\n"));
		g_assert_nonnull(strstr(run.out, "packets/case-1.p7m\n"));
	}
}

/* a refused restore: exit 6, one line naming the reason, the live database untouched */
static void
assert_refused(Station *station, const gchar *backup, const gchar *key, const gchar *reason)
{
	g_autofree gchar *before = file_sha256(station->db);
	g_autofree gchar *kept = g_strconcat(station->db, ".before-restore", NULL);
	g_auto(Run) run = nhipctl("--db", station->db, "restore", backup, "--key", key, NULL);
	g_autofree gchar *after = file_sha256(station->db);
	g_autofree gchar *data_dir = g_path_get_dirname(station->db);
	g_autoptr(GDir) dir = g_dir_open(data_dir, 0, NULL);
	const gchar *name;

	nhip_test_assert_one_line_error(&run, 6);
	if (strstr(run.err, reason) == NULL)
		g_error("expected “%s” in: %s", reason, run.err);
	g_assert_cmpstr(before, ==, after);
	g_assert_false(g_file_test(kept, G_FILE_TEST_EXISTS));
	/* no working folder left behind */
	while ((name = g_dir_read_name(dir)) != NULL)
		g_assert_false(g_str_has_prefix(name, ".restore-"));
}

static void
copy_with(const gchar *from, const gchar *to, gsize offset, guint8 value, gssize truncate_at)
{
	g_autofree gchar *contents = NULL;
	gsize length = 0;

	g_assert_true(g_file_get_contents(from, &contents, &length, NULL));
	if (offset < length)
		contents[offset] ^= value;
	write_file(to, contents, truncate_at >= 0 ? truncate_at : (gssize)length);
}

static void
test_refused(void)
{
	g_auto(Station) station = { 0 };
	g_auto(Station) other = { 0 };
	g_autofree gchar *backup = NULL;
	g_autofree gchar *foreign = NULL;
	g_autofree gchar *bad = NULL;
	gsize length = 0;
	g_autofree gchar *contents = NULL;

	station_new(&station, "66181");
	backup = backup_to_usb(&station);
	bad = g_build_filename(station.dir, "bad." NHIP_BACKUP_SUFFIX, NULL);
	g_assert_true(g_file_get_contents(backup, &contents, &length, NULL));

	/* a flipped bit in the encrypted data */
	copy_with(backup, bad, 5000, 0x01, -1);
	assert_refused(&station, bad, key_path, "SHA-256 does not match");
	/* cut short on a full USB stick */
	copy_with(backup, bad, 0, 0, (gssize)length / 2);
	assert_refused(&station, bad, key_path, "ends too early");
	/* not a backup at all */
	write_file(bad, "hello", -1);
	assert_refused(&station, bad, key_path, "damaged");
	/* the wrong key */
	assert_refused(&station, backup, other_key_path, "this key does not open the backup");
	/* another station's backup */
	station_new(&other, "66182");
	foreign = backup_to_usb(&other);
	assert_refused(&station, foreign, key_path, "station 66182");
	{
		g_auto(Run) forced = nhipctl("--db", station.db, "restore", foreign, "--key",
					     key_path, "--force-foreign", NULL);
		nhip_test_assert_ok(&forced);
		g_assert_cmpint(nhip_test_sql_int(station.db, "SELECT count(*) FROM facility WHERE "
							      "code = '66182'"),
				==, 1);
	}
	/* verify without the key sees what it can */
	{
		g_auto(Run) ok = nhipctl("backup", "verify", backup, NULL);
		g_auto(Run) damaged = { 0 };
		copy_with(backup, bad, 5000, 0x01, -1);
		damaged = nhipctl("backup", "verify", bad, NULL);
		nhip_test_assert_ok(&ok);
		g_assert_nonnull(strstr(ok.out, "intact"));
		nhip_test_assert_one_line_error(&damaged, 6);
	}
}

/* the station key signs the manifest; a changed manifest no longer verifies */
static void
test_signed(void)
{
	g_auto(Station) station = { 0 };
	g_autofree gchar *backup = NULL;
	g_autofree gchar *hub = NULL;
	g_autofree gchar *script = NULL;
	g_autofree gchar *tampered = NULL;

	station_new(&station, "66181");
	hub = g_build_filename(station.dir, "data", "hub", NULL);
	g_assert_cmpint(g_mkdir_with_parents(hub, 0700), ==, 0);
	script = g_strdup_printf(
		"cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		"-keyout station.key -out station.crt -subj /CN=66181-01 -days 30 2>/dev/null && "
		"chmod 600 station.key && printf '[hub]\\nstation=66181-01\\n' > hub.ini",
		hub);
	{
		const gchar *argv[] = { "sh", "-c", script, NULL };
		g_auto(Run) run = nhip_test_runv(argv);
		g_assert_cmpint(run.status, ==, 0);
	}
	backup = backup_to_usb(&station);
	g_assert_nonnull(strstr(backup, "nhip-backup-66181-01-"));
	{
		g_auto(Run) verify = nhipctl("backup", "verify", backup, "--json", NULL);
		nhip_test_assert_ok(&verify);
		g_assert_nonnull(strstr(verify.out, "\"signed\" : true"));
	}
	/* rewrite manifest.json with another time, keeping the signature */
	tampered = g_build_filename(station.dir, "tampered." NHIP_BACKUP_SUFFIX, NULL);
	{
		g_autofree gchar *s = g_strdup_printf(
			"cd '%s' && mkdir t && cd t && tar xf '%s' && sed -i 's/\"created\" : \"2/"
			"\"created\" : \"1/' manifest.json && tar --format=ustar -cf '%s' "
			"payload.cms "
			"manifest.json manifest.sig",
			station.dir, backup, tampered);
		const gchar *argv[] = { "sh", "-c", s, NULL };
		g_auto(Run) run = nhip_test_runv(argv);
		g_assert_cmpint(run.status, ==, 0);
	}
	assert_refused(&station, tampered, key_path, "signature does not verify");
	{
		g_auto(Run) restore =
			nhipctl("--db", station.db, "restore", backup, "--key", key_path, NULL);
		nhip_test_assert_ok(&restore);
	}
}

/* backups taken while another process writes are consistent snapshots */
static void
test_concurrent_writer(void)
{
	g_auto(Station) station = { 0 };
	g_autoptr(GSubprocess) writer = NULL;
	g_autoptr(GDataInputStream) lines = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ready = NULL;

	station_new(&station, "66181");
	writer = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, CRASH_WRITER_PATH,
				  station.db, "7", NULL);
	g_assert_no_error(error);
	lines = g_data_input_stream_new(g_subprocess_get_stdout_pipe(writer));
	ready = g_data_input_stream_read_line_utf8(lines, NULL, NULL, &error);
	g_assert_cmpstr(ready, ==, "R");
	for (guint round = 0; round < 3; round++) {
		g_autofree gchar *backup = NULL;
		g_autofree gchar *db = NULL;
		g_autofree gchar *dir = NULL;
		g_autofree gchar *sub = g_strdup_printf("%u", round);
		gint64 before = nhip_test_sql_int(station.db, "SELECT count(*) FROM patients");

		g_usleep(200 * 1000);
		backup = backup_to_usb(&station);
		/* restore on a new box (no station yet): the snapshot must stand on its own */
		dir = g_build_filename(station.dir, "newbox", NULL);
		db = g_build_filename(dir, sub, "station.db", NULL);
		{
			g_auto(Run) restore =
				nhipctl("--db", db, "restore", backup, "--key", key_path, NULL);
			g_autoptr(NhipStore) store = NULL;
			gint64 patients;

			nhip_test_assert_ok(&restore);
			store = nhip_store_open(db, &error);
			g_assert_no_error(error);
			g_assert_true(nhip_store_integrity_check(store, &error));
			g_assert_true(nhip_store_audit_verify(store, NULL, NULL, &error));
			g_assert_no_error(error);
			patients = nhip_test_sql_int(db, "SELECT count(*) FROM patients");
			g_assert_cmpint(patients, >=, before);
			/* every observation belongs to a visit of the same patient */
			g_assert_cmpint(nhip_test_sql_int(db, "SELECT count(*) FROM observations o "
							      "LEFT JOIN visits v ON v.id = "
							      "o.visit_id WHERE o.visit_id IS NOT "
							      "NULL AND (v.id IS NULL OR "
							      "v.patient_id != o.patient_id)"),
					==, 0);
		}
		g_unlink(backup);
	}
	g_subprocess_send_signal(writer, SIGKILL);
	g_subprocess_wait(writer, NULL, NULL);
}

static guint
count_backups(const gchar *dir)
{
	g_autoptr(GDir) handle = g_dir_open(dir, 0, NULL);
	const gchar *name;
	guint n = 0;

	while (handle != NULL && (name = g_dir_read_name(handle)) != NULL)
		n += g_str_has_suffix(name, "." NHIP_BACKUP_SUFFIX) ? 1 : 0;
	return n;
}

static void
test_auto(void)
{
	g_auto(Station) station = { 0 };
	g_autofree gchar *media = NULL;
	g_autofree gchar *stick = NULL;
	g_autofree gchar *marker = NULL;
	g_autofree gchar *state = NULL;
	g_autofree gchar *keep_file = NULL;

	station_new(&station, "66181");
	media = g_build_filename(station.dir, "media", NULL);
	stick = g_build_filename(media, "nurse", "USB-8G", NULL);
	g_assert_cmpint(g_mkdir_with_parents(stick, 0700), ==, 0);

	/* no marker: nothing is written anywhere */
	{
		g_auto(Run) run = nhipctl("--db", station.db, "backup", "--auto", "--mount", media,
					  "--cert", cert_path, NULL);
		nhip_test_assert_one_line_error(&run, 4);
		g_assert_nonnull(strstr(run.err, NHIP_BACKUP_MARKER));
		g_assert_cmpuint(count_backups(stick), ==, 0);
	}
	marker = g_build_filename(stick, NHIP_BACKUP_MARKER, NULL);
	write_file(marker, "", 0);
	/* the settings say where and how many; --auto alone is what the timer runs */
	{
		g_autoptr(NhipStore) store = nhip_store_open(station.db, NULL);
		g_assert_true(nhip_store_setting_set(store, NHIP_SETTING_BACKUP_CERTIFICATE,
						     cert_path, NULL));
		g_assert_true(
			nhip_store_setting_set(store, NHIP_SETTING_BACKUP_MOUNT, media, NULL));
		g_assert_true(nhip_store_setting_set(store, NHIP_SETTING_BACKUP_KEEP, "2", NULL));
	}
	for (guint i = 0; i < 4; i++) {
		g_auto(Run) run = nhipctl("--db", station.db, "backup", "--auto", NULL);
		nhip_test_assert_ok(&run);
		/* distinct names even within one second */
		g_assert_cmpuint(count_backups(stick), ==, MIN(i + 1, 2));
	}
	keep_file = g_build_filename(stick, "notes.txt", NULL);
	write_file(keep_file, "a technician's file", -1);
	{
		g_auto(Run) run = nhipctl("--db", station.db, "backup", "--auto", NULL);
		nhip_test_assert_ok(&run);
		g_assert_true(g_file_test(keep_file, G_FILE_TEST_EXISTS));
		g_assert_cmpuint(count_backups(stick), ==, 2);
	}
	/* the outcome is noted for the status page */
	state = g_build_filename(station.dir, "data", "backup-state.ini", NULL);
	g_assert_true(g_file_test(state, G_FILE_TEST_EXISTS));
	{
		g_auto(Run) status = nhipctl("--db", station.db, "status", "--json", NULL);
		g_autoptr(JsonParser) parser = json_parser_new();
		JsonObject *backup;
		nhip_test_assert_ok(&status);
		g_assert_true(json_parser_load_from_data(parser, status.out, -1, NULL));
		backup = json_object_get_object_member(
			json_node_get_object(json_parser_get_root(parser)), "backup");
		g_assert_true(json_object_get_boolean_member(backup, "ok"));
		g_assert_nonnull(json_object_get_string_member(backup, "last"));
		g_assert_cmpstr(json_object_get_string_member(backup, "certificate"), ==,
				cert_path);
	}
}

/* what the kiosk's "Back up now" runs, in the process that holds the database open */
static void
test_auto_station(void)
{
	g_auto(Station) station = { 0 };
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipBackupResult) result = NULL;
	g_autoptr(NhipBackupManifest) manifest = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_auto(NhipBackupLast) last = { 0 };
	g_autofree gchar *media = NULL;
	g_autofree gchar *stick = NULL;
	g_autofree gchar *marker = NULL;

	station_new(&station, "66181");
	media = g_build_filename(station.dir, "media", NULL);
	stick = g_build_filename(media, "USB-8G", NULL);
	g_assert_cmpint(g_mkdir_with_parents(stick, 0700), ==, 0);
	store = nhip_store_open(station.db, &error);
	g_assert_no_error(error);
	g_assert_true(
		nhip_store_setting_set(store, NHIP_SETTING_BACKUP_CERTIFICATE, cert_path, NULL));
	g_assert_true(nhip_store_setting_set(store, NHIP_SETTING_BACKUP_MOUNT, media, NULL));

	/* no stick: an error that says what to do, and noted for the status page */
	result = nhip_backup_auto_station(station.db, NULL, NULL, 0, &error);
	g_assert_null(result);
	g_assert_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(error->message, "plug in the backup USB stick"));
	g_clear_error(&error);
	g_assert_true(nhip_backup_last_read(station.db, &last));
	g_assert_false(last.ok);
	g_assert_nonnull(last.message);
	nhip_backup_last_clear(&last);

	/* the stick: a backup that verifies, while the store stays open */
	marker = g_build_filename(stick, NHIP_BACKUP_MARKER, NULL);
	write_file(marker, "", 0);
	result = nhip_backup_auto_station(station.db, NULL, NULL, 0, &error);
	g_assert_no_error(error);
	g_assert_nonnull(result);
	g_assert_true(g_str_has_prefix(result->path, stick));
	g_assert_cmpuint(result->size, >, 0);
	manifest = nhip_backup_verify(result->path, &error);
	g_assert_no_error(error);
	g_assert_nonnull(nhip_backup_manifest_lookup(manifest, "nhip.db"));
	g_assert_true(nhip_backup_last_read(station.db, &last));
	g_assert_true(last.ok);
	g_assert_cmpstr(last.path, ==, result->path);
	/* the store that stayed open still works */
	g_assert_true(nhip_store_setting_set(store, NHIP_SETTING_BACKUP_KEEP, "3", &error));
	g_assert_no_error(error);
}

static void
test_status(void)
{
	g_auto(Station) station = { 0 };
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *root;
	JsonArray *checks;
	const gchar *members[] = { "versions", "disk",	      "database",  "outbox", "his",
				   "devices",  "certificate", "time_sync", "backup" };
	const gchar *names[] = { "versions", "disk",	    "database", "outbox", "his",
				 "devices",  "certificate", "time",	"backup" };
	gboolean disk_low = FALSE;

	station_new(&station, "66181");
	{
		g_auto(Run) run = nhipctl("--db", station.db, "status", "--json", NULL);
		nhip_test_assert_ok(&run);
		g_assert_true(json_parser_load_from_data(parser, run.out, -1, NULL));
	}
	root = json_node_get_object(json_parser_get_root(parser));
	for (guint i = 0; i < G_N_ELEMENTS(members); i++)
		g_assert_true(json_object_has_member(root, members[i]));
	g_assert_cmpint(json_object_get_int_member(json_object_get_object_member(root, "versions"),
						   "schema"),
			==, NHIP_STORE_SCHEMA_VERSION);
	g_assert_cmpstr(json_object_get_string_member(
				json_object_get_object_member(root, "database"), "integrity"),
			==, "ok");
	g_assert_cmpint(json_object_get_int_member(json_object_get_object_member(root, "outbox"),
						   "waiting"),
			==, 0);
	g_assert_true(json_object_get_null_member(root, "certificate"));
	g_assert_true(g_strv_contains(
		(const gchar *const[]){ "yes", "no", "unknown", NULL },
		json_object_get_string_member(json_object_get_object_member(root, "time_sync"),
					      "synchronized")));
	checks = json_object_get_array_member(root, "checks");
	g_assert_cmpuint(json_array_get_length(checks), ==, G_N_ELEMENTS(names));
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		JsonObject *check = json_array_get_object_element(checks, i);
		g_assert_cmpstr(json_object_get_string_member(check, "name"), ==, names[i]);
		if (g_strcmp0(names[i], "disk") == 0)
			disk_low = g_strcmp0(json_object_get_string_member(check, "level"),
					     "problem") == 0;
	}

	/* --check: healthy (unless this machine's own disk is nearly full) */
	{
		g_auto(Run) run = nhipctl("--db", station.db, "status", "--check", NULL);
		if (disk_low)
			g_test_message("the disk of this machine is nearly full: %s", run.err);
		else
			nhip_test_assert_ok(&run);
		g_assert_nonnull(strstr(run.out, "Database"));
	}
	/* a damaged database fails --check with the reason */
	{
		g_autofree gchar *contents = NULL;
		gsize length = 0;
		g_auto(Run) run = { 0 };

		/* nhipctl has closed it: everything is in the main file, no -wal */
		g_assert_true(g_file_get_contents(station.db, &contents, &length, NULL));
		g_assert_cmpuint(length, >, 40000);
		/* scribble over pages in the middle, as a failing disk would */
		memset(contents + 16384, 0x5a, 16384);
		write_file(station.db, contents, (gssize)length);
		run = nhipctl("--db", station.db, "status", "--check", NULL);
		g_assert_cmpint(run.status, ==, 1);
		g_assert_nonnull(strstr(run.err, "Database"));
	}
	/* no database at all */
	{
		g_autofree gchar *missing =
			g_build_filename(station.dir, "none", "station.db", NULL);
		g_auto(Run) run = nhipctl("--db", missing, "status", "--check", NULL);
		g_assert_cmpint(run.status, ==, 1);
	}
}

int
main(int argc, char **argv)
{
	gint rc;

	g_test_init(&argc, &argv, NULL);
	keys_dir = nhip_test_tmpdir();
	key_path = g_build_filename(keys_dir, "backup.key", NULL);
	cert_path = g_build_filename(keys_dir, "backup.crt", NULL);
	other_key_path = g_build_filename(keys_dir, "other.key", NULL);
	{
		g_autofree gchar *other_cert = g_build_filename(keys_dir, "other.crt", NULL);
		g_auto(Run) a = nhipctl("backup", "keygen", "--key", key_path, "--cert", cert_path,
					"--name", "TTYT huyện Tân Hòa", NULL);
		g_auto(Run) b = nhipctl("backup", "keygen", "--key", other_key_path, "--cert",
					other_cert, NULL);
		g_auto(Run) again =
			nhipctl("backup", "keygen", "--key", key_path, "--cert", cert_path, NULL);
		nhip_test_assert_ok(&a);
		nhip_test_assert_ok(&b);
		/* a backup key is never overwritten */
		nhip_test_assert_one_line_error(&again, 3);
	}
	g_test_add_func("/backup/round-trip", test_round_trip);
	g_test_add_func("/backup/refused", test_refused);
	g_test_add_func("/backup/signed", test_signed);
	g_test_add_func("/backup/concurrent-writer", test_concurrent_writer);
	g_test_add_func("/backup/auto", test_auto);
	g_test_add_func("/backup/auto-station", test_auto_station);
	g_test_add_func("/status/json-and-check", test_status);
	rc = g_test_run();
	nhip_test_rmrf(keys_dir);
	g_free(keys_dir);
	g_free(key_path);
	g_free(cert_path);
	g_free(other_key_path);
	return rc;
}
