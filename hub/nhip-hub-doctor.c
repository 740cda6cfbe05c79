/*
 * Nhịp hub — doctor accounts for the web pages:
 *   nhip-hub doctor add --dir D --user U [--name NAME] [--password-stdin]
 *   nhip-hub doctor password --dir D --user U [--password-stdin]
 *   nhip-hub doctor disable --dir D --user U
 *   nhip-hub doctor list --dir D [--json]
 * The password is asked twice on the terminal (not shown), or read as one line from
 * standard input with --password-stdin (scripts, tests); it never appears in argv.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "nhip-hub-db.h"
#include "nhip-hub-password.h"
#include "nhip-hub-private.h"
#include "nhip-json.h"

/* login names: lower-case letters, digits, dot, dash and underscore */
static gboolean
doctor_check_user(const gchar *user, GError **error)
{
	gsize length = user != NULL ? strlen(user) : 0;

	if (length < 2 || length > 64 ||
	    strspn(user, "abcdefghijklmnopqrstuvwxyz0123456789._-") != length) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
			    _("“%s” cannot be a user name: use 2 to 64 lower-case letters, "
			      "digits, “.”, “-” or “_”"),
			    user != NULL ? user : "");
		return FALSE;
	}
	return TRUE;
}

static gboolean
doctor_check_name(const gchar *name, GError **error)
{
	glong length =
		name != NULL && g_utf8_validate(name, -1, NULL) ? g_utf8_strlen(name, -1) : 0;

	for (const gchar *p = name; p != NULL && *p != '\0'; p++) {
		if ((guchar)*p < 0x20 || *p == 0x7f)
			length = 0;
	}
	if (length < 1 || length > 100) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
				    _("the doctor's name needs 1 to 100 characters on one line"));
		return FALSE;
	}
	return TRUE;
}

/* one line from standard input, without its end of line */
static gchar *
doctor_read_line(GError **error)
{
	gchar buffer[NHIP_HUB_PASSWORD_MAX + 2] = { 0 };
	gsize length;

	if (fgets(buffer, sizeof(buffer), stdin) == NULL) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
				    _("no password on standard input"));
		return NULL;
	}
	length = strcspn(buffer, "\r\n");
	buffer[length] = '\0';
	return g_strdup(buffer);
}

static gchar *
doctor_prompt(const gchar *prompt, GError **error)
{
	struct termios old;
	struct termios quiet;
	gchar *line;

	g_printerr("%s", prompt);
	if (tcgetattr(STDIN_FILENO, &old) != 0) {
		g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
				    _("cannot ask for a password here; use --password-stdin"));
		return NULL;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	line = doctor_read_line(error);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	g_printerr("\n");
	return line;
}

/* the new password, checked, as a hash */
static gchar *
doctor_new_password(gboolean from_stdin, GError **error)
{
	g_autofree gchar *password = NULL;
	gchar *hash;

	if (from_stdin || !isatty(STDIN_FILENO)) {
		password = doctor_read_line(error);
	} else {
		g_autofree gchar *again = NULL;
		password = doctor_prompt(_("Password: "), error);
		if (password == NULL)
			return NULL;
		again = doctor_prompt(_("Password again: "), error);
		if (again == NULL)
			return NULL;
		if (g_strcmp0(password, again) != 0) {
			g_set_error_literal(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
					    _("the two passwords differ"));
			return NULL;
		}
	}
	if (password == NULL)
		return NULL;
	hash = nhip_hub_password_hash(password, error);
	memset(password, 0, strlen(password));
	return hash;
}

static gint
doctor_fail(const GError *error)
{
	gint rc = nhip_hub_fail(error);

	if (error->domain == NHIP_HUB_ERROR) {
		if (error->code == NHIP_HUB_ERROR_INVALID)
			return NHIP_HUB_EXIT_BAD_INPUT;
		if (error->code == NHIP_HUB_ERROR_NOT_FOUND)
			return NHIP_HUB_EXIT_NOT_FOUND;
		if (error->code == NHIP_HUB_ERROR_CONFLICT)
			return NHIP_HUB_EXIT_REFUSED;
	}
	return rc;
}

static gint
cmd_doctor(gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *database = NULL;
	g_autofree gchar *user = NULL;
	g_autofree gchar *name = NULL;
	gboolean from_stdin = FALSE;
	gboolean json = FALSE;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubDb) db = NULL;
	g_autoptr(NhipHubDoctor) doctor = NULL;
	g_autofree gchar *hash = NULL;
	const gchar *action;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Hub folder (made by init)"), "D" },
		{ "database", 0, 0, G_OPTION_ARG_STRING, &database,
		  N_("postgresql://… or sqlite:PATH (default: hub.db in the folder)"), "URI" },
		{ "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("The doctor's user name"), "U" },
		{ "name", 0, 0, G_OPTION_ARG_STRING, &name,
		  N_("The doctor's name as stations see it (default: the user name)"), "NAME" },
		{ "password-stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin,
		  N_("Read the password as one line from standard input"), NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) context = g_option_context_new("add|password|disable|list");

	g_option_context_set_summary(context, _("Manage the doctors' accounts of the web pages."));
	g_option_context_add_main_entries(context, entries, GETTEXT_PACKAGE);
	g_option_context_set_translation_domain(context, GETTEXT_PACKAGE);
	if (!g_option_context_parse(context, &argc, &argv, &error))
		return nhip_hub_fail(error);
	if (argc != 2)
		return nhip_hub_usage_error(
			_("usage: nhip-hub doctor add|password|disable|list --dir D [--user U]"));
	action = argv[1];
	db = nhip_hub_open_db(dir, database, &error);
	if (db == NULL)
		return nhip_hub_fail(error);

	if (g_strcmp0(action, "list") == 0) {
		g_autoptr(GPtrArray) doctors = nhip_hub_db_doctor_list(db, &error);
		g_autoptr(JsonBuilder) builder = json_builder_new();

		if (doctors == NULL)
			return nhip_hub_fail(error);
		if (!json) {
			for (guint i = 0; i < doctors->len; i++) {
				NhipHubDoctor *d = g_ptr_array_index(doctors, i);
				g_print("%-20s %s%s\n", d->username, d->display_name,
					d->disabled != 0 ? _(" (disabled)") : "");
			}
			return NHIP_HUB_EXIT_OK;
		}
		json_builder_begin_array(builder);
		for (guint i = 0; i < doctors->len; i++) {
			NhipHubDoctor *d = g_ptr_array_index(doctors, i);
			json_builder_begin_object(builder);
			nhip_json_add_int(builder, "id", d->id);
			nhip_json_add_string(builder, "user", d->username);
			nhip_json_add_string(builder, "name", d->display_name);
			json_builder_set_member_name(builder, "disabled");
			json_builder_add_boolean_value(builder, d->disabled != 0);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
		{
			g_autofree gchar *text = nhip_json_to_string(builder, TRUE);
			g_print("%s\n", text);
		}
		return NHIP_HUB_EXIT_OK;
	}
	if (!doctor_check_user(user, &error))
		return doctor_fail(error);
	if (g_strcmp0(action, "add") == 0) {
		if (name == NULL)
			name = g_strdup(user);
		if (!doctor_check_name(name, &error))
			return doctor_fail(error);
		hash = doctor_new_password(from_stdin, &error);
		if (hash == NULL || nhip_hub_db_doctor_add(db, user, name, hash, &error) == 0)
			return doctor_fail(error);
		g_print(_("doctor account %s added\n"), user);
		return NHIP_HUB_EXIT_OK;
	}
	if (g_strcmp0(action, "password") != 0 && g_strcmp0(action, "disable") != 0)
		return nhip_hub_usage_error(
			_("usage: nhip-hub doctor add|password|disable|list --dir D [--user U]"));
	doctor = nhip_hub_db_doctor_get(db, user, 0, &error);
	if (doctor == NULL)
		return doctor_fail(error);
	if (g_strcmp0(action, "password") == 0) {
		hash = doctor_new_password(from_stdin, &error);
		if (hash == NULL || !nhip_hub_db_doctor_set_password(db, doctor->id, hash, &error))
			return doctor_fail(error);
		g_print(_("password of %s changed; its sessions ended\n"), user);
		return NHIP_HUB_EXIT_OK;
	}
	if (!nhip_hub_db_doctor_disable(db, doctor->id, &error))
		return doctor_fail(error);
	g_print(_("doctor account %s disabled\n"), user);
	return NHIP_HUB_EXIT_OK;
}

const NhipHubCommand nhip_hub_doctor_commands[] = {
	{ "doctor", "add|password|disable|list --dir D [--user U] [--name N] [--password-stdin]",
	  N_("manage the doctors' web accounts"), cmd_doctor },
	{ NULL },
};
