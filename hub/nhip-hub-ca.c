/*
 * nhip-hub — the CA commands: `init`, `token`, `revoke`, `enroll` (offline, from a file),
 * `crl` and `stations`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "nhip-ca.h"
#include "nhip-hub-private.h"

/* ----- init ----- */

static gint
cmd_init(gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *district = NULL;
	g_auto(GStrv) names = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ca_path = NULL;
	g_autoptr(X509) ca = NULL;
	g_autofree gchar *fingerprint = NULL;
	g_autofree gchar *recipient = NULL;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Hub folder"), "D" },
		{ "district", 0, 0, G_OPTION_ARG_STRING, &district, N_("District name"), "NAME" },
		{ "name", 0, 0, G_OPTION_ARG_STRING_ARRAY, &names,
		  N_("Host name or IP address of the hub (repeat for each)"), "HOST" },
		{ NULL }
	};

	if (!nhip_hub_parse("", _("Create the district CA and the hub's certificates."), entries,
			    &argc, &argv, &error))
		return nhip_hub_fail(error);
	if (dir == NULL || argc > 1)
		return nhip_hub_usage_error(
			_("usage: nhip-hub init --dir D [--district NAME] [--name HOST]..."));
	if (!nhip_ca_init(dir, district != NULL ? district : _("District"),
			  (const gchar *const *)names, &error))
		return nhip_hub_fail(error);
	ca_path = nhip_ca_path(dir, NHIP_CA_FILE_CA_CERT);
	ca = nhip_x509_load(ca_path, &error);
	if (ca == NULL)
		return nhip_hub_fail(error);
	fingerprint = nhip_x509_fingerprint(ca);
	recipient = nhip_ca_recipient_id(dir, &error);
	if (recipient == NULL)
		return nhip_hub_fail(error);
	g_print(_("hub folder ready at %s\n"), dir);
	g_print(_("CA fingerprint (SHA-256): %s\n"), fingerprint);
	g_print(_("recipient id: %s\n"), recipient);
	return NHIP_HUB_EXIT_OK;
}

/* ----- token ----- */

static gint
cmd_token(gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *station = NULL;
	g_autofree gchar *token = NULL;
	g_autofree gchar *until = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) expires = NULL;
	gint hours = NHIP_CA_TOKEN_DEFAULT_HOURS;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Hub folder"), "D" },
		{ "station", 0, 0, G_OPTION_ARG_STRING, &station, N_("Station code"), "CODE" },
		{ "hours", 0, 0, G_OPTION_ARG_INT, &hours,
		  N_("Hours until the token expires (default 72)"), "N" },
		{ NULL }
	};

	if (!nhip_hub_parse("", _("Issue a one-time enrollment token for a station."), entries,
			    &argc, &argv, &error))
		return nhip_hub_fail(error);
	if (dir == NULL || station == NULL || argc > 1)
		return nhip_hub_usage_error(
			_("usage: nhip-hub token --dir D --station CODE [--hours N]"));
	if (hours < 1 || hours > 24 * 90)
		return nhip_hub_usage_error(_("--hours must be between 1 and 2160"));
	expires = g_date_time_add_hours(now, hours);
	token = nhip_ca_token_issue(dir, station, expires, &error);
	if (token == NULL)
		return nhip_hub_fail(error);
	until = g_date_time_format(expires, "%Y-%m-%d %H:%M");
	/* the token alone on standard output, for scripts */
	g_print("%s\n", token);
	g_printerr(_("one-time token for station %s, valid until %s\n"), station, until);
	return NHIP_HUB_EXIT_OK;
}

/* ----- revoke ----- */

static gint
cmd_revoke(gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *station = NULL;
	g_autofree gchar *serial = NULL;
	g_autoptr(GError) error = NULL;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Hub folder"), "D" },
		{ "station", 0, 0, G_OPTION_ARG_STRING, &station,
		  N_("Revoke every certificate of this station"), "CODE" },
		{ "serial", 0, 0, G_OPTION_ARG_STRING, &serial,
		  N_("Revoke the certificate with this serial number (hex)"), "S" },
		{ NULL }
	};

	if (!nhip_hub_parse("", _("Revoke station certificates and sign a new CRL."), entries,
			    &argc, &argv, &error))
		return nhip_hub_fail(error);
	if (dir == NULL || (station == NULL) == (serial == NULL) || argc > 1)
		return nhip_hub_usage_error(
			_("usage: nhip-hub revoke --dir D (--station CODE | --serial S)"));
	if (!nhip_ca_revoke(dir, station != NULL ? station : serial, &error))
		return nhip_hub_fail(error);
	g_print(_("revoked; the CRL is updated\n"));
	return NHIP_HUB_EXIT_OK;
}

/* ----- enroll (offline) ----- */

static gint
cmd_enroll(gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *token = NULL;
	g_autofree gchar *csr_path = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *csr_data = NULL;
	gsize csr_len = 0;
	g_autoptr(GBytes) csr = NULL;
	g_autoptr(GBytes) bundle = NULL;
	g_autoptr(GError) error = NULL;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Hub folder"), "D" },
		{ "token", 0, 0, G_OPTION_ARG_STRING, &token, N_("The station's enrollment token"),
		  "T" },
		{ "csr", 0, 0, G_OPTION_ARG_FILENAME, &csr_path,
		  N_("The station's certificate request (PEM)"), "FILE" },
		{ "out", 0, 0, G_OPTION_ARG_FILENAME, &out,
		  N_("Write the enrollment answer here (default: standard output)"), "FILE" },
		{ NULL }
	};

	if (!nhip_hub_parse("",
			    _("Enroll a station from its certificate request without the "
			      "network (the answer goes back on a USB stick)."),
			    entries, &argc, &argv, &error))
		return nhip_hub_fail(error);
	if (dir == NULL || token == NULL || csr_path == NULL || argc > 1)
		return nhip_hub_usage_error(
			_("usage: nhip-hub enroll --dir D --token T --csr FILE [--out FILE]"));
	if (!g_file_get_contents(csr_path, &csr_data, &csr_len, &error))
		return nhip_hub_fail(error);
	csr = g_bytes_new_take(g_steal_pointer(&csr_data), csr_len);
	bundle = nhip_ca_enroll(dir, token, csr, &error);
	if (bundle == NULL)
		return nhip_hub_fail(error);
	if (out != NULL) {
		if (!nhip_file_write_durable(out, g_bytes_get_data(bundle, NULL),
					     g_bytes_get_size(bundle), 0644, &error))
			return nhip_hub_fail(error);
		return NHIP_HUB_EXIT_OK;
	}
	fwrite(g_bytes_get_data(bundle, NULL), 1, g_bytes_get_size(bundle), stdout);
	g_print("\n");
	return NHIP_HUB_EXIT_OK;
}

/* ----- crl ----- */

static gint
cmd_crl(gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autoptr(GError) error = NULL;
	GOptionEntry entries[] = { { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Hub folder"),
				     "D" },
				   { NULL } };

	if (!nhip_hub_parse("", _("Sign the CRL again with a fresh validity (run daily)."), entries,
			    &argc, &argv, &error))
		return nhip_hub_fail(error);
	if (dir == NULL || argc > 1)
		return nhip_hub_usage_error(_("usage: nhip-hub crl --dir D"));
	if (!nhip_ca_crl_update(dir, &error))
		return nhip_hub_fail(error);
	return NHIP_HUB_EXIT_OK;
}

/* ----- stations ----- */

typedef struct {
	gchar *station;
	gchar *serial;
	gchar *not_after;
	gboolean revoked;
} IssuedRow;

static void
issued_row_free(IssuedRow *row)
{
	g_free(row->station);
	g_free(row->serial);
	g_free(row->not_after);
	g_free(row);
}

static gint
issued_row_compare(gconstpointer a, gconstpointer b)
{
	const IssuedRow *ra = *(IssuedRow *const *)a;
	const IssuedRow *rb = *(IssuedRow *const *)b;
	gint by_station = g_strcmp0(ra->station, rb->station);

	return by_station != 0 ? by_station : g_strcmp0(ra->not_after, rb->not_after);
}

static gint
cmd_stations(gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *issued_path = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) issued = NULL;
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)issued_row_free);
	gboolean json = FALSE;
	const gchar *file;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Hub folder"), "D" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
		{ NULL }
	};

	if (!nhip_hub_parse("", _("List the station certificates issued."), entries, &argc, &argv,
			    &error))
		return nhip_hub_fail(error);
	if (dir == NULL || argc > 1)
		return nhip_hub_usage_error(_("usage: nhip-hub stations --dir D [--json]"));
	issued_path = g_build_filename(dir, "issued", NULL);
	issued = g_dir_open(issued_path, 0, &error);
	if (issued == NULL)
		return nhip_hub_fail(error);
	while ((file = g_dir_read_name(issued)) != NULL) {
		g_autofree gchar *path = g_build_filename(issued_path, file, NULL);
		g_autoptr(X509) cert = NULL;
		g_autoptr(GDateTime) until = NULL;
		IssuedRow *row;

		if (!g_str_has_suffix(file, ".pem"))
			continue;
		cert = nhip_x509_load(path, &error);
		if (cert == NULL)
			return nhip_hub_fail(error);
		row = g_new0(IssuedRow, 1);
		row->station = nhip_x509_get_common_name(cert);
		row->serial = nhip_x509_get_serial(cert);
		until = nhip_x509_get_not_after(cert);
		row->not_after = until != NULL ? g_date_time_format_iso8601(until) : g_strdup("");
		g_ptr_array_add(rows, row);
		if (!nhip_ca_is_revoked(dir, cert, &row->revoked, &error))
			return nhip_hub_fail(error);
	}
	g_ptr_array_sort(rows, issued_row_compare);
	if (json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		g_autoptr(JsonGenerator) generator = json_generator_new();
		g_autoptr(JsonNode) root = NULL;
		g_autofree gchar *text = NULL;

		json_builder_begin_array(builder);
		for (guint i = 0; i < rows->len; i++) {
			IssuedRow *row = g_ptr_array_index(rows, i);
			json_builder_begin_object(builder);
			json_builder_set_member_name(builder, "station");
			json_builder_add_string_value(builder, row->station);
			json_builder_set_member_name(builder, "serial");
			json_builder_add_string_value(builder, row->serial);
			json_builder_set_member_name(builder, "not_after");
			json_builder_add_string_value(builder, row->not_after);
			json_builder_set_member_name(builder, "revoked");
			json_builder_add_boolean_value(builder, row->revoked);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
		root = json_builder_get_root(builder);
		json_generator_set_root(generator, root);
		json_generator_set_pretty(generator, TRUE);
		text = json_generator_to_data(generator, NULL);
		g_print("%s\n", text);
		return NHIP_HUB_EXIT_OK;
	}
	for (guint i = 0; i < rows->len; i++) {
		IssuedRow *row = g_ptr_array_index(rows, i);
		g_print("%-20s %-34s %s%s\n", row->station != NULL ? row->station : "?",
			row->serial, row->not_after, row->revoked ? _(" (revoked)") : "");
	}
	return NHIP_HUB_EXIT_OK;
}

const NhipHubCommand nhip_hub_ca_commands[] = {
	{ "init", "--dir D [--district NAME] [--name HOST]...",
	  N_("create the district CA and the hub's certificates"), cmd_init },
	{ "token", "--dir D --station CODE [--hours N]", N_("issue a one-time enrollment token"),
	  cmd_token },
	{ "revoke", "--dir D (--station CODE | --serial S)",
	  N_("revoke station certificates (updates the CRL)"), cmd_revoke },
	{ "enroll", "--dir D --token T --csr FILE [--out FILE]",
	  N_("enroll a station offline from its request"), cmd_enroll },
	{ "crl", "--dir D", N_("sign the CRL again (daily)"), cmd_crl },
	{ "stations", "--dir D [--json]", N_("list the station certificates issued"),
	  cmd_stations },
	{ NULL },
};
