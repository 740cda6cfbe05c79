/*
 * nhipctl — running the box: `setup`, `backup`, `restore`, `update` and `status`.
 *
 * Exit codes besides the common ones: 1 `status --check` found a problem; 6 a backup or an
 * update bundle was refused (damaged, tampered, foreign, wrong key, bad signature); 7 an
 * update failed its health check and was rolled back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "nhip-backup.h"
#include "nhip-json.h"
#include "nhip-ops-error.h"
#include "nhip-setup.h"
#include "nhip-status.h"
#include "nhip-update.h"
#include "nhipctl-private.h"

#define EXIT_UNHEALTHY	 1
#define EXIT_REFUSED	 6
#define EXIT_ROLLED_BACK 7

gint
nhipctl_ops_fail(const GError *error)
{
	gint status = nhipctl_fail(error);

	if (error->domain != NHIP_OPS_ERROR)
		return status;
	switch ((NhipOpsError)error->code) {
	case NHIP_OPS_ERROR_INVALID:
		return EXIT_BAD_INPUT;
	case NHIP_OPS_ERROR_NOT_FOUND:
		return EXIT_NOT_FOUND;
	case NHIP_OPS_ERROR_DAMAGED:
	case NHIP_OPS_ERROR_BAD_SIGNATURE:
	case NHIP_OPS_ERROR_FOREIGN:
	case NHIP_OPS_ERROR_WRONG_KEY:
		return EXIT_REFUSED;
	case NHIP_OPS_ERROR_ROLLED_BACK:
		return EXIT_ROLLED_BACK;
	case NHIP_OPS_ERROR_FAILED:
	default:
		return EXIT_STORAGE;
	}
}

/* a setting of the station, or NULL when it is not set (or there is no database yet) */
static gchar *
read_setting(NhipctlGlobal *global, const gchar *key)
{
	g_autoptr(NhipStore) store = NULL;

	if (!g_file_test(global->db_path, G_FILE_TEST_EXISTS))
		return NULL;
	store = nhip_store_open(global->db_path, NULL);
	return store != NULL ? nhip_store_setting_get(store, key, NULL) : NULL;
}

/* ----- setup ----- */

static gint
cmd_setup(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *config_path = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipSetupConfig) config = NULL;
	g_autoptr(GPtrArray) steps = NULL;
	gboolean dry_run = FALSE;
	gboolean failed = FALSE;
	GOptionEntry entries[] = {
		{ "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path,
		  N_("The setup file (see docs/setup.md)"), "FILE" },
		{ "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run,
		  N_("Check the file and say what would change, changing nothing"), NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &global->json, N_("Print JSON"), NULL },
		{ NULL }
	};

	if (!nhipctl_parse("",
			   _("Set the station up from a file: facility, staff, backups, "
			     "enrollment, device and network checks. Running it twice changes "
			     "nothing."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1 || config_path == NULL)
		return nhipctl_usage_error(
			_("usage: nhipctl setup --config FILE [--dry-run] [--json]"));
	config = nhip_setup_config_load(config_path, &error);
	if (config == NULL)
		return nhipctl_ops_fail(error);
	{
		GStatBuf st;
		if (g_stat(config_path, &st) == 0 && (st.st_mode & 0077) != 0)
			g_printerr(_("nhipctl: warning: %s holds PINs and can be read by other "
				     "users; delete it after the setup\n"),
				   config_path);
	}
	steps = nhip_setup_run(global->db_path, config, dry_run);
	for (guint i = 0; i < steps->len; i++) {
		NhipSetupStep *step = g_ptr_array_index(steps, i);
		failed |= step->result == NHIP_SETUP_FAILED;
	}
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "ok");
		json_builder_add_boolean_value(builder, !failed);
		json_builder_set_member_name(builder, "dry_run");
		json_builder_add_boolean_value(builder, dry_run);
		json_builder_set_member_name(builder, "steps");
		json_builder_begin_array(builder);
		for (guint i = 0; i < steps->len; i++) {
			NhipSetupStep *step = g_ptr_array_index(steps, i);
			json_builder_begin_object(builder);
			nhip_json_add_string(builder, "step", step->step);
			nhip_json_add_string(builder, "result",
					     nhip_setup_result_to_string(step->result));
			nhip_json_add_string(builder, "message", step->message);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
	} else {
		for (guint i = 0; i < steps->len; i++) {
			NhipSetupStep *step = g_ptr_array_index(steps, i);
			g_autofree gchar *name = nhipctl_pad(step->step, 9);
			g_autofree gchar *result =
				nhipctl_pad(nhip_setup_result_to_string(step->result), 13);
			g_print("%s %s %s\n", name, result, step->message);
		}
	}
	if (failed) {
		g_printerr("%s\n", _("nhipctl: setup is not complete: fix what failed and run it "
				     "again"));
		return EXIT_BAD_INPUT;
	}
	return EXIT_OK;
}

/* ----- backup ----- */

static void
print_backup_result(NhipctlGlobal *global, const NhipBackupResult *result)
{
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "path", result->path);
		nhip_json_add_int(builder, "size", (gint64)result->size);
		nhip_json_add_double(builder, "seconds", result->seconds);
		nhip_json_add_string(builder, "station", result->manifest->station);
		nhip_json_add_int(builder, "schema_version", result->manifest->schema_version);
		nhip_json_add_int(builder, "files", result->manifest->members->len);
		json_builder_set_member_name(builder, "signed");
		json_builder_add_boolean_value(builder, result->manifest->is_signed);
		nhip_json_add_int(builder, "removed", result->removed);
		json_builder_set_member_name(builder, "verified");
		json_builder_add_boolean_value(builder, TRUE);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
	} else {
		g_autofree gchar *size = g_format_size(result->size);
		g_print(g_dngettext(GETTEXT_PACKAGE,
				    "backup written and verified: %s (%s, %u file, %.1f s)\n",
				    "backup written and verified: %s (%s, %u files, %.1f s)\n",
				    result->manifest->members->len),
			result->path, size, result->manifest->members->len, result->seconds);
		if (!result->manifest->is_signed)
			g_print("%s\n", _("note: the station is not enrolled, so the backup is not "
					  "signed"));
		if (result->removed > 0)
			g_print(g_dngettext(GETTEXT_PACKAGE, "removed %u older backup\n",
					    "removed %u older backups\n", result->removed),
				result->removed);
	}
}

static gint
cmd_backup(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *to = NULL;
	g_autofree gchar *cert = NULL;
	g_autofree gchar *mount = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipBackupResult) result = NULL;
	gboolean automatic = FALSE;
	gint keep = 0;
	GOptionEntry entries[] = {
		{ "to", 0, 0, G_OPTION_ARG_FILENAME, &to, N_("Write the backup into this folder"),
		  "DIR" },
		{ "auto", 0, 0, G_OPTION_ARG_NONE, &automatic,
		  N_("Find the backup disk (a folder with the file NHIP-BACKUP) and keep a bounded "
		     "number of backups on it"),
		  NULL },
		{ "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert,
		  N_("The backup certificate (default: the backup.certificate setting)"), "FILE" },
		{ "mount", 0, 0, G_OPTION_ARG_FILENAME, &mount,
		  N_("With --auto: where the backup disk is mounted (default: the backup.mount "
		     "setting, else /media, /mnt and /run/media)"),
		  "DIR" },
		{ "keep", 0, 0, G_OPTION_ARG_INT, &keep,
		  N_("With --auto: how many backups to keep (default: the backup.keep setting, "
		     "else 14)"),
		  "N" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &global->json, N_("Print JSON"), NULL },
		{ NULL }
	};

	if (!nhipctl_parse("",
			   _("Back up the station: a consistent snapshot of the database and its "
			     "files, encrypted to the backup certificate, verified after writing."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1 || (to == NULL) == !automatic || keep < 0 || keep > 10000)
		return nhipctl_usage_error(
			_("usage: nhipctl backup --to DIR | --auto [--cert FILE] "
			  "[--mount DIR] [--keep N] [--json]"));
	if (automatic) {
		/* the settings, the log and the status page's note: as the kiosk's button */
		result =
			nhip_backup_auto_station(global->db_path, cert, mount, (guint)keep, &error);
	} else if (!g_file_test(global->db_path, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(&error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_NOT_FOUND,
			    _("there is no station database at %s; give the right --db"),
			    global->db_path);
		return nhipctl_ops_fail(error);
	} else {
		if (cert == NULL)
			cert = read_setting(global, NHIP_SETTING_BACKUP_CERTIFICATE);
		result = nhip_backup_write(global->db_path, cert, to, &error);
		nhip_backup_log_result(result, error);
		nhip_backup_last_write(global->db_path, result, error);
	}
	if (result == NULL)
		return nhipctl_ops_fail(error);
	print_backup_result(global, result);
	return EXIT_OK;
}

static gint
cmd_backup_verify(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipBackupManifest) manifest = NULL;
	g_autofree gchar *created = NULL;
	GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &global->json,
				     N_("Print JSON"), NULL },
				   { NULL } };

	if (!nhipctl_parse("FILE",
			   _("Check a backup without the private key: its archive, manifest, "
			     "signature and the hash of its encrypted data."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(_("usage: nhipctl backup verify FILE [--json]"));
	manifest = nhip_backup_verify(argv[1], &error);
	if (manifest == NULL)
		return nhipctl_ops_fail(error);
	created = nhip_ops_format_time(manifest->created);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "station", manifest->station);
		nhip_json_add_string(builder, "facility", manifest->facility);
		nhip_json_add_string(builder, "created", created);
		nhip_json_add_int(builder, "schema_version", manifest->schema_version);
		nhip_json_add_string(builder, "program_version", manifest->program_version);
		nhip_json_add_string(builder, "recipient", manifest->recipient);
		json_builder_set_member_name(builder, "signed");
		json_builder_add_boolean_value(builder, manifest->is_signed);
		nhip_json_add_int(builder, "files", manifest->members->len);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
		return EXIT_OK;
	}
	g_print(_("backup of station %s made %s (schema %d, %u files, %s): intact\n"),
		manifest->station, created, manifest->schema_version, manifest->members->len,
		manifest->is_signed ? _("signed by the station") : _("not signed"));
	return EXIT_OK;
}

static gint
cmd_backup_keygen(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *key = NULL;
	g_autofree gchar *cert = NULL;
	g_autofree gchar *name = NULL;
	g_autoptr(GError) error = NULL;
	gint days = 3650;
	GOptionEntry entries[] = {
		{ "key", 0, 0, G_OPTION_ARG_FILENAME, &key,
		  N_("Write the private key here (keep it at the district, never on a station)"),
		  "FILE" },
		{ "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert,
		  N_("Write the certificate for the stations here"), "FILE" },
		{ "name", 0, 0, G_OPTION_ARG_STRING, &name,
		  N_("Name in the certificate, e.g. the district's name"), "NAME" },
		{ "days", 0, 0, G_OPTION_ARG_INT, &days, N_("Validity in days (default 3650)"),
		  "N" },
		{ NULL }
	};

	if (!nhipctl_parse("", _("Make the district's backup key pair."), entries, &argc, &argv,
			   &error))
		return nhipctl_fail(error);
	if (argc > 1 || key == NULL || cert == NULL)
		return nhipctl_usage_error(_("usage: nhipctl backup keygen --key FILE --cert FILE "
					     "[--name NAME] [--days N]"));
	if (!nhip_backup_keygen(key, cert, name != NULL ? name : "Nhịp backups", days, &error))
		return nhipctl_ops_fail(error);
	g_print(_("backup key written to %s (keep it safe at the district) and certificate to %s "
		  "(copy it to the stations)\n"),
		key, cert);
	return EXIT_OK;
}

/* ----- restore ----- */

static gint
cmd_restore(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *key = NULL;
	g_autofree gchar *passphrase_file = NULL;
	g_autofree gchar *passphrase = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipBackupManifest) manifest = NULL;
	gboolean force_foreign = FALSE;
	GOptionEntry entries[] = {
		{ "key", 0, 0, G_OPTION_ARG_FILENAME, &key, N_("The district's backup private key"),
		  "FILE" },
		{ "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file,
		  N_("Read the key's passphrase from this file"), "FILE" },
		{ "force-foreign", 0, 0, G_OPTION_ARG_NONE, &force_foreign,
		  N_("Restore a backup of another station (a replacement box)"), NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &global->json, N_("Print JSON"), NULL },
		{ NULL }
	};

	if (!nhipctl_parse("FILE",
			   _("Restore a backup: everything is checked before the live database is "
			     "replaced; the previous one is kept as station.db.before-restore."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2 || key == NULL)
		return nhipctl_usage_error(
			_("usage: nhipctl restore FILE --key KEY "
			  "[--passphrase-file FILE] [--force-foreign] [--json]"));
	if (passphrase_file != NULL) {
		if (!g_file_get_contents(passphrase_file, &passphrase, NULL, &error))
			return nhipctl_fail(error);
		g_strchomp(passphrase);
	}
	manifest = nhip_backup_restore(
		global->db_path, argv[1], key, passphrase,
		force_foreign ? NHIP_RESTORE_FORCE_FOREIGN : NHIP_RESTORE_NONE, &error);
	if (passphrase != NULL)
		memset(passphrase, 0, strlen(passphrase));
	if (manifest == NULL)
		return nhipctl_ops_fail(error);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		g_autofree gchar *created = nhip_ops_format_time(manifest->created);
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "station", manifest->station);
		nhip_json_add_string(builder, "created", created);
		nhip_json_add_int(builder, "schema_version", manifest->schema_version);
		nhip_json_add_int(builder, "files", manifest->members->len);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
	} else {
		g_autofree gchar *created =
			g_date_time_format(manifest->created, "%Y-%m-%d %H:%M UTC");
		g_print(_("restored the backup of station %s made %s; the previous database is "
			  "kept as %s.before-restore\n"),
			manifest->station, created, global->db_path);
	}
	return EXIT_OK;
}

/* ----- status ----- */

static const gchar *
status_mark(NhipStatusLevel level)
{
	switch (level) {
	case NHIP_STATUS_OK:
		return _("ok");
	case NHIP_STATUS_UNKNOWN:
		return "?";
	case NHIP_STATUS_WARNING:
		return _("warning");
	case NHIP_STATUS_PROBLEM:
	default:
		return _("PROBLEM");
	}
}

static gint
cmd_status(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStatus) status = NULL;
	g_autoptr(GPtrArray) devices = NULL;
	gboolean check = FALSE;
	gboolean probe = FALSE;
	GPtrArray *items;
	GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &global->json, N_("Print JSON"), NULL },
		{ "check", 0, 0, G_OPTION_ARG_NONE, &check,
		  N_("Exit with 1 when something is wrong"), NULL },
		{ "devices", 0, 0, G_OPTION_ARG_NONE, &probe,
		  N_("Also look for the devices plugged in now (not while the kiosk reads "
		     "one)"),
		  NULL },
		{ NULL }
	};

	if (!nhipctl_parse("",
			   _("Show the station's health: versions, disk, database, outbox, HIS, "
			     "devices, certificate, clock and backups."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1)
		return nhipctl_usage_error(
			_("usage: nhipctl status [--json] [--check] [--devices]"));
	if (probe)
		devices = nhipctl_device_probe();
	status = nhip_status_collect(global->db_path, devices);
	nhip_status_log(status);
	items = nhip_status_get_items(status);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		nhip_status_to_json(status, builder);
		nhipctl_print_json(builder);
	} else {
		for (guint i = 0; i < items->len; i++) {
			NhipStatusItem *item = g_ptr_array_index(items, i);
			g_autofree gchar *title = nhipctl_pad(item->title, 30);
			g_autofree gchar *mark = nhipctl_pad(status_mark(item->level), 9);
			g_print("%s %s %s\n", mark, title, item->message);
		}
		for (guint i = 0; devices != NULL && i < devices->len; i++) {
			NhipStatusDevice *device = g_ptr_array_index(devices, i);
			g_print("          %s (%s): %s\n", device->name, device->id, device->state);
		}
	}
	if (check && !nhip_status_is_healthy(status)) {
		for (guint i = 0; i < items->len; i++) {
			NhipStatusItem *item = g_ptr_array_index(items, i);
			if (item->level == NHIP_STATUS_PROBLEM)
				g_printerr(_("nhipctl: %s: %s\n"), item->title, item->message);
		}
		return EXIT_UNHEALTHY;
	}
	return EXIT_OK;
}

/* ----- update ----- */

/* a command line typed as one option, e.g. --dpkg "dpkg --root=/tmp/r" */
static gchar **
parse_command(const gchar *option, const gchar *text, GError **error)
{
	gchar **argv = NULL;
	g_autoptr(GError) error_local = NULL;

	if (!g_shell_parse_argv(text, NULL, &argv, &error_local)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    _("--%s “%s” is not a command line: %s"), option, text,
			    error_local->message);
		return NULL;
	}
	return argv;
}

static gint
cmd_update(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *from = NULL;
	g_autofree gchar *vendor_key = NULL;
	g_autofree gchar *state_dir = NULL;
	g_autofree gchar *dpkg_text = NULL;
	g_autofree gchar *migrate_text = NULL;
	g_autofree gchar *health_text = NULL;
	g_autofree gchar *services_text = NULL;
	g_autofree gchar *data_dir = NULL;
	g_autofree gchar *absolute = NULL;
	g_auto(GStrv) dpkg = NULL;
	g_auto(GStrv) migrate = NULL;
	g_auto(GStrv) health = NULL;
	g_auto(GStrv) services = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipUpdateResult) result = NULL;
	g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func(g_free);
	NhipUpdateOptions options = { 0 };
	GOptionEntry entries[] = {
		{ "from", 0, 0, G_OPTION_ARG_FILENAME, &from, N_("The update bundle (.nhipupd)"),
		  "FILE" },
		{ "vendor-key", 0, 0, G_OPTION_ARG_FILENAME, &vendor_key,
		  N_("The pinned vendor public key (default: the one installed with Nhịp)"),
		  "FILE" },
		{ "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
		  N_("Where the previous packages are kept (default: updates/ beside the "
		     "database)"),
		  "DIR" },
		{ "dpkg", 0, 0, G_OPTION_ARG_STRING, &dpkg_text,
		  N_("The dpkg command (default “dpkg”)"), "CMD" },
		{ "migrate", 0, 0, G_OPTION_ARG_STRING, &migrate_text,
		  N_("The command that migrates the database (default: the new nhipctl's init)"),
		  "CMD" },
		{ "health", 0, 0, G_OPTION_ARG_STRING, &health_text,
		  N_("The health check (default: the new nhipctl's status --check)"), "CMD" },
		{ "services", 0, 0, G_OPTION_ARG_STRING, &services_text,
		  N_("The systemd units to restart (default “nhip-*.service”)"), "UNITS" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &global->json, N_("Print JSON"), NULL },
		{ NULL }
	};

	if (!nhipctl_parse("",
			   _("Install a signed update bundle; the previous version and the "
			     "database are put back if the new version fails its health check."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1 || from == NULL)
		return nhipctl_usage_error(
			_("usage: nhipctl update --from FILE [--vendor-key FILE] "
			  "[--dpkg CMD] [--health CMD] [--json]"));
	absolute = g_canonicalize_filename(global->db_path, NULL);
	data_dir = g_path_get_dirname(absolute);
	if (state_dir == NULL)
		state_dir = g_build_filename(data_dir, "updates", NULL);
	if (migrate_text == NULL)
		migrate = g_strdupv((gchar *[]){ (gchar *)NHIP_INSTALLED_NHIPCTL, (gchar *)"--db",
						 absolute, (gchar *)"init", NULL });
	if (health_text == NULL)
		health = g_strdupv((gchar *[]){ (gchar *)NHIP_INSTALLED_NHIPCTL, (gchar *)"--db",
						absolute, (gchar *)"status", (gchar *)"--check",
						NULL });
	if ((dpkg = parse_command("dpkg", dpkg_text != NULL ? dpkg_text : "dpkg", &error)) ==
		    NULL ||
	    (migrate_text != NULL &&
	     (migrate = parse_command("migrate", migrate_text, &error)) == NULL) ||
	    (health_text != NULL &&
	     (health = parse_command("health", health_text, &error)) == NULL))
		return nhipctl_ops_fail(error);
	services = services_text != NULL
			   ? g_strsplit_set(g_strstrip(services_text), " ,", -1)
			   : g_strdupv((gchar *[]){ (gchar *)"nhip-*.service", NULL });
	options.db_path = absolute;
	options.vendor_key = vendor_key != NULL ? vendor_key : NHIP_UPDATE_VENDOR_KEY;
	options.state_dir = state_dir;
	options.dpkg = dpkg;
	options.migrate = migrate;
	options.health = health;
	options.services = services;
	options.apt_cache = "/var/cache/apt/archives";
	result = nhip_update_apply(from, &options, steps, &error);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		json_builder_set_member_name(builder, "ok");
		json_builder_add_boolean_value(builder, result != NULL);
		json_builder_set_member_name(builder, "rolled_back");
		json_builder_add_boolean_value(
			builder,
			g_error_matches(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_ROLLED_BACK));
		nhip_json_add_string(builder, "release",
				     result != NULL ? result->manifest->release : NULL);
		json_builder_set_member_name(builder, "up_to_date");
		json_builder_add_boolean_value(builder, result != NULL && result->up_to_date);
		nhip_json_add_string(builder, "error", error != NULL ? error->message : NULL);
		json_builder_set_member_name(builder, "steps");
		json_builder_begin_array(builder);
		for (guint i = 0; i < steps->len; i++)
			json_builder_add_string_value(builder, g_ptr_array_index(steps, i));
		json_builder_end_array(builder);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
	} else {
		for (guint i = 0; i < steps->len; i++)
			g_print("%s\n", (const gchar *)g_ptr_array_index(steps, i));
	}
	if (result == NULL)
		return nhipctl_ops_fail(error);
	return EXIT_OK;
}

static gint
cmd_update_make_bundle(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *key = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *release = NULL;
	g_autoptr(GError) error = NULL;
	GOptionEntry entries[] = {
		{ "key", 0, 0, G_OPTION_ARG_FILENAME, &key, N_("The vendor's Ed25519 private key"),
		  "FILE" },
		{ "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("The bundle to write"), "FILE" },
		{ "release", 0, 0, G_OPTION_ARG_STRING, &release,
		  N_("The release name (default: the first package's version)"), "V" },
		{ NULL }
	};

	if (!nhipctl_parse("DEB...", _("Make a signed update bundle (for the vendor)."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc < 2 || key == NULL || out == NULL)
		return nhipctl_usage_error(
			_("usage: nhipctl update make-bundle --key KEY --out FILE "
			  "[--release V] DEB..."));
	if (!nhip_update_make_bundle(key, out, release, (const gchar *const *)argv + 1, &error))
		return nhipctl_ops_fail(error);
	g_print(_("update bundle written to %s\n"), out);
	return EXIT_OK;
}

static gint
cmd_update_keygen(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *key = NULL;
	g_autofree gchar *pub = NULL;
	g_autoptr(GError) error = NULL;
	GOptionEntry entries[] = { { "key", 0, 0, G_OPTION_ARG_FILENAME, &key,
				     N_("Write the vendor's private key here"), "FILE" },
				   { "pub", 0, 0, G_OPTION_ARG_FILENAME, &pub,
				     N_("Write the public key to pin on the stations here"),
				     "FILE" },
				   { NULL } };

	if (!nhipctl_parse("", _("Make the vendor's update signing key (Ed25519)."), entries, &argc,
			   &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1 || key == NULL || pub == NULL)
		return nhipctl_usage_error(_("usage: nhipctl update keygen --key FILE --pub FILE"));
	if (!nhip_update_keygen(key, pub, &error))
		return nhipctl_ops_fail(error);
	g_print(_("signing key written to %s, public key to %s\n"), key, pub);
	return EXIT_OK;
}

static gint
cmd_update_verify(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *vendor_key = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipUpdateManifest) manifest = NULL;
	GOptionEntry entries[] = { { "vendor-key", 0, 0, G_OPTION_ARG_FILENAME, &vendor_key,
				     N_("The pinned vendor public key"), "FILE" },
				   { NULL } };

	if (!nhipctl_parse("FILE", _("Check an update bundle without installing it."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(
			_("usage: nhipctl update verify FILE [--vendor-key FILE]"));
	manifest = nhip_update_verify(
		argv[1], vendor_key != NULL ? vendor_key : NHIP_UPDATE_VENDOR_KEY, NULL, &error);
	if (manifest == NULL)
		return nhipctl_ops_fail(error);
	g_print(_("update %s: signed by the vendor, %u packages intact\n"), manifest->release,
		manifest->packages->len);
	for (guint i = 0; i < manifest->packages->len; i++) {
		NhipUpdatePackage *package = g_ptr_array_index(manifest->packages, i);
		g_print("  %s %s (%s)\n", package->name, package->version, package->architecture);
	}
	return EXIT_OK;
}

const NhipctlCommand nhipctl_appliance_commands[] = {
	{ "setup", NULL, "--config FILE [--dry-run] [--json]",
	  N_("set the station up from a file (idempotent)"), cmd_setup },
	{ "update", "make-bundle", "--key KEY --out FILE DEB...",
	  N_("make a signed update bundle (vendor)"), cmd_update_make_bundle },
	{ "update", "keygen", "--key FILE --pub FILE", N_("make the vendor's signing key"),
	  cmd_update_keygen },
	{ "update", "verify", "FILE [--vendor-key FILE]", N_("check an update bundle"),
	  cmd_update_verify },
	{ "update", NULL, "--from FILE [--dpkg CMD] [--health CMD]",
	  N_("install an update bundle, rolling back if it fails"), cmd_update },
	{ "backup", "keygen", "--key FILE --cert FILE [--name N]",
	  N_("make the district's backup key pair"), cmd_backup_keygen },
	{ "backup", "verify", "FILE [--json]", N_("check a backup without its key"),
	  cmd_backup_verify },
	{ "backup", NULL, "--to DIR | --auto [--cert FILE] [--json]",
	  N_("back up the station (encrypted, verified)"), cmd_backup },
	{ "restore", NULL, "FILE --key KEY [--force-foreign]",
	  N_("restore a backup after checking it"), cmd_restore },
	{ "status", NULL, "[--json] [--check] [--devices]", N_("show the station's health"),
	  cmd_status },
	{ NULL },
};
