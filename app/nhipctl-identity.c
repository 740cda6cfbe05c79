/*
 * nhipctl — the station's identity and case packets made by hand: `identity init`,
 * `identity install`, `identity show`, `case seal`.
 *
 * `nhipctl enroll` (network) does init and install in one go; `identity install` takes
 * an answer made with `nhip-hub enroll` and brought on a USB stick, for a station that
 * cannot reach the hub. `case seal` writes a sealed case to a file with a sequence number
 * given by hand; `case send` takes the number from the outbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <sys/stat.h>

#include "nhip-case.h"
#include "nhip-json.h"
#include "nhip-station-identity.h"
#include "nhipctl-private.h"

static gint
identity_fail(const GError *error)
{
	gint status = nhipctl_fail(error);

	if (error->domain == NHIP_IDENTITY_ERROR) {
		switch ((NhipIdentityError)error->code) {
		case NHIP_IDENTITY_ERROR_NOT_FOUND:
		case NHIP_IDENTITY_ERROR_NOT_ISSUED:
			return EXIT_NOT_FOUND;
		case NHIP_IDENTITY_ERROR_FAILED:
			return EXIT_STORAGE;
		default:
			return EXIT_BAD_INPUT;
		}
	}
	if (error->domain == NHIP_PACKET_ERROR)
		return error->code == NHIP_PACKET_ERROR_FAILED ? EXIT_STORAGE : EXIT_BAD_INPUT;
	if (error->domain == G_FILE_ERROR)
		return error->code == G_FILE_ERROR_NOENT ? EXIT_NOT_FOUND : EXIT_BAD_INPUT;
	return status;
}

/* ----- identity init ----- */

static gint
cmd_identity_init(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *station = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *csr_path = NULL;
	g_autoptr(GBytes) csr = NULL;
	g_autoptr(GError) error = NULL;
	GOptionEntry entries[] = { { "station", 0, 0, G_OPTION_ARG_STRING, &station,
				     N_("Station code (the hub's token decides when not given)"),
				     "CODE" },
				   { NULL } };

	if (!nhipctl_parse("",
			   _("Make the station key (if there is none) and a certificate request."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1)
		return nhipctl_usage_error(_("usage: nhipctl identity init [--station CODE]"));
	dir = nhip_station_identity_dir(global->db_path, &error);
	if (dir == NULL)
		return identity_fail(error);
	csr_path = nhip_station_identity_path(dir, NHIP_STATION_FILE_CSR);
	csr = nhip_station_identity_init(dir, station, &error);
	if (csr == NULL)
		return identity_fail(error);
	g_print(_("certificate request written to %s\n"), csr_path);
	return EXIT_OK;
}

/* ----- identity install ----- */

static gint
cmd_identity_install(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *token = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *data = NULL;
	g_autoptr(GBytes) bundle = NULL;
	g_autoptr(GError) error = NULL;
	gsize length = 0;
	GOptionEntry entries[] = { { "token", 0, 0, G_OPTION_ARG_STRING, &token,
				     N_("The enrollment token the request was made for"), "T" },
				   { NULL } };

	if (!nhipctl_parse("FILE", _("Install the hub's enrollment answer."), entries, &argc, &argv,
			   &error))
		return nhipctl_fail(error);
	if (argc != 2 || token == NULL)
		return nhipctl_usage_error(_("usage: nhipctl identity install FILE --token T"));
	if (!g_file_get_contents(argv[1], &data, &length, &error))
		return identity_fail(error);
	dir = nhip_station_identity_dir(global->db_path, &error);
	if (dir == NULL)
		return identity_fail(error);
	bundle = g_bytes_new_take(g_steal_pointer(&data), length);
	if (!nhip_station_identity_install(dir, bundle, token, &error))
		return identity_fail(error);
	g_print(_("enrolled; the certificates are in %s\n"), dir);
	return EXIT_OK;
}

/* ----- identity show ----- */

static gint
cmd_identity_show(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autoptr(NhipIdentity) identity = NULL;
	g_autoptr(X509) ca = NULL;
	g_autoptr(GDateTime) until = NULL;
	g_autofree gchar *until_text = NULL;
	g_autofree gchar *serial = NULL;
	g_autofree gchar *ca_fingerprint = NULL;
	g_autofree gchar *tls_pin = NULL;
	g_autofree gchar *sign_pin = NULL;
	g_autofree gchar *recipient = NULL;
	g_autoptr(GError) error = NULL;
	GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &global->json,
				     N_("Print JSON"), NULL },
				   { NULL } };

	if (!nhipctl_parse("", _("Show the station's certificate and the hub it trusts."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1)
		return nhipctl_usage_error(_("identity show takes no arguments"));
	dir = nhip_station_identity_dir(global->db_path, &error);
	if (dir == NULL)
		return identity_fail(error);
	identity = nhip_station_identity_load(dir, &error);
	if (identity == NULL)
		return identity_fail(error);
	ca = nhip_station_identity_load_cert(dir, NHIP_STATION_FILE_CA, &error);
	if (ca == NULL)
		return identity_fail(error);
	tls_pin = nhip_station_identity_get_pin(dir, "tls", &error);
	if (tls_pin == NULL)
		return identity_fail(error);
	sign_pin = nhip_station_identity_get_pin(dir, "signing", &error);
	if (sign_pin == NULL)
		return identity_fail(error);
	recipient = nhip_station_identity_get_pin(dir, "recipient", &error);
	if (recipient == NULL)
		return identity_fail(error);
	until = nhip_x509_get_not_after(nhip_identity_get_certificate(identity));
	until_text = until != NULL ? g_date_time_format(until, "%Y-%m-%d") : g_strdup("?");
	serial = nhip_x509_get_serial(nhip_identity_get_certificate(identity));
	ca_fingerprint = nhip_x509_fingerprint(ca);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "station", nhip_identity_get_name(identity));
		nhip_json_add_string(builder, "serial", serial);
		nhip_json_add_string(builder, "valid_until", until_text);
		nhip_json_add_string(builder, "ca_sha256", ca_fingerprint);
		nhip_json_add_string(builder, "hub_tls_pin", tls_pin);
		nhip_json_add_string(builder, "hub_signing_pin", sign_pin);
		nhip_json_add_string(builder, "recipient", recipient);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
		return EXIT_OK;
	}
	g_print(_("Station:          %s\n"), nhip_identity_get_name(identity));
	g_print(_("Certificate:      %s, valid until %s\n"), serial, until_text);
	g_print(_("CA (SHA-256):     %s\n"), ca_fingerprint);
	g_print(_("Hub TLS pin:      %s\n"), tls_pin);
	g_print(_("Hub signing pin:  %s\n"), sign_pin);
	return EXIT_OK;
}

/* ----- case seal ----- */

static gint
cmd_case_seal(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *question = NULL;
	g_autofree gchar *out = NULL;
	g_auto(GStrv) photos = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipIdentity) identity = NULL;
	g_autoptr(X509) hub_enc = NULL;
	g_autoptr(NhipCase) kase = NULL;
	g_autoptr(GBytes) sealed = NULL;
	gboolean urgent = FALSE;
	gint64 visit_id = 0;
	gint64 sequence = 0;
	GOptionEntry entries[] = { { "question", 0, 0, G_OPTION_ARG_STRING, &question,
				     N_("Question for the doctor"), "TEXT" },
				   { "urgent", 0, 0, G_OPTION_ARG_NONE, &urgent,
				     N_("Ask for an urgent answer"), NULL },
				   { "photo", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &photos,
				     N_("A JPEG or PNG photo (repeat for each)"), "FILE" },
				   { "seq", 0, 0, G_OPTION_ARG_INT64, &sequence,
				     N_("Sequence number, higher than any sent before"), "N" },
				   { "out", 0, 0, G_OPTION_ARG_FILENAME, &out,
				     N_("Write the sealed packet here"), "FILE" },
				   { NULL } };

	if (!nhipctl_parse("VISIT_ID",
			   _("Seal a case for the district doctor into a file (signed and "
			     "encrypted to the hub)."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2 || question == NULL || out == NULL || sequence < 1)
		return nhipctl_usage_error(
			_("usage: nhipctl case seal VISIT_ID --question TEXT --seq N --out FILE "
			  "[--urgent] [--photo FILE]..."));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &visit_id, &error))
		return nhipctl_fail(error);
	dir = nhip_station_identity_dir(global->db_path, &error);
	if (dir == NULL)
		return identity_fail(error);
	identity = nhip_station_identity_load(dir, &error);
	if (identity == NULL)
		return identity_fail(error);
	hub_enc = nhip_station_identity_load_cert(dir, NHIP_STATION_FILE_HUB_ENC, &error);
	if (hub_enc == NULL)
		return identity_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	kase = nhip_case_build(store, visit_id, nhip_identity_get_name(identity), question, urgent,
			       (const gchar *const *)photos, NULL, &error);
	if (kase == NULL)
		return identity_fail(error);
	sealed = nhip_case_seal(kase, sequence, identity, hub_enc, &error);
	if (sealed == NULL)
		return identity_fail(error);
	if (!nhip_file_write_durable(out, g_bytes_get_data(sealed, NULL), g_bytes_get_size(sealed),
				     0600, &error))
		return identity_fail(error);
	g_print("%s\n", kase->manifest->packet_id);
	return EXIT_OK;
}

const NhipctlCommand nhipctl_identity_commands[] = {
	{ "identity", "init", "[--station CODE]", N_("make the station key and a request"),
	  cmd_identity_init },
	{ "identity", "install", "FILE --token T", N_("install the hub's enrollment answer"),
	  cmd_identity_install },
	{ "identity", "show", "[--json]", N_("show the station's certificate and hub pins"),
	  cmd_identity_show },
	{ "case", "seal", "VISIT_ID --question T --seq N --out FILE",
	  N_("seal a case for the doctor into a file"), cmd_case_seal },
	{ NULL },
};
