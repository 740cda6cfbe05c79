/*
 * Nhịp hub — `nhip-hub serve`, `nhip-hub cases` and `nhip-hub reply`.
 *
 * The database is SQLite (hub.db in the hub folder) unless `database = postgresql://…` is
 * set in the [hub] group of hub.conf, or given with --database.
 *
 * The doctors' pages are served on a second port (--web ADDR:PORT, or `web` in [hub];
 * default 0.0.0.0:8444) with server-only TLS; `--web off` serves none.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "nhip-ca.h"
#include "nhip-hub-db.h"
#include "nhip-hub-ingest.h"
#include "nhip-hub-private.h"
#include "nhip-hub-service.h"
#include "nhip-json.h"

/* a value of the [hub] group of hub.conf, or NULL */
static gchar *
serve_config_value(const gchar *dir, const gchar *key)
{
	g_autofree gchar *path = nhip_ca_path(dir, NHIP_CA_FILE_CONFIG);
	g_autoptr(GKeyFile) file = g_key_file_new();

	if (!g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, NULL))
		return NULL;
	return g_key_file_get_string(file, "hub", key, NULL);
}

/* options, and no positional argument left */
gboolean
nhip_hub_parse_options(const gchar *summary,
		       GOptionEntry *entries,
		       gint *argc,
		       gchar ***argv,
		       GError **error)
{
	if (!nhip_hub_parse("", summary, entries, argc, argv, error))
		return FALSE;
	if (*argc > 1) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    _("unexpected argument “%s”"), (*argv)[1]);
		return FALSE;
	}
	return TRUE;
}

/* the hub's database: --database, else `database` in hub.conf, else hub.db */
NhipHubDb *
nhip_hub_open_db(const gchar *dir, const gchar *database, GError **error)
{
	g_autofree gchar *configured = NULL;

	if (dir == NULL) {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
				    _("give the hub folder with --dir"));
		return NULL;
	}
	if (database == NULL)
		database = configured = serve_config_value(dir, "database");
	return nhip_hub_db_open(database, dir, error);
}

static gboolean
serve_quit(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

static gboolean
serve_expire(gpointer service)
{
	nhip_hub_service_expire(service);
	return G_SOURCE_CONTINUE;
}

static gboolean
serve_expire_live(gpointer service)
{
	nhip_hub_service_expire_live(service);
	return G_SOURCE_CONTINUE;
}

static gint
cmd_serve(gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *listen = NULL;
	g_autofree gchar *web = NULL;
	g_autofree gchar *database = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubDb) db = NULL;
	g_autoptr(NhipHubService) service = NULL;
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	guint expire_id;
	guint expire_live_id;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Hub folder (made by init)"), "D" },
		{ "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
		  N_("Address and port to listen on (default 0.0.0.0:8443)"), "ADDR:PORT" },
		{ "web", 0, 0, G_OPTION_ARG_STRING, &web,
		  N_("Address and port of the doctors' pages (default 0.0.0.0:8444), or off"),
		  "ADDR:PORT" },
		{ "database", 0, 0, G_OPTION_ARG_STRING, &database,
		  N_("postgresql://… or sqlite:PATH (default: hub.db in the folder)"), "URI" },
		{ NULL }
	};

	if (!nhip_hub_parse_options(
		    _("Receive case packets from stations over HTTPS with mutual TLS."), entries,
		    &argc, &argv, &error))
		return nhip_hub_fail(error);
	db = nhip_hub_open_db(dir, database, &error);
	if (db == NULL)
		return nhip_hub_fail(error);
	if (listen == NULL)
		listen = serve_config_value(dir, "listen");
	if (web == NULL)
		web = serve_config_value(dir, "web");
	service = nhip_hub_service_new(dir, db, &error);
	if (service == NULL)
		return nhip_hub_fail(error);
	if (!nhip_hub_service_start(service, listen != NULL ? listen : "0.0.0.0:8443", &error))
		return nhip_hub_fail(error);
	if (g_strcmp0(web, "off") != 0 &&
	    !nhip_hub_service_start_web(service, web != NULL ? web : "0.0.0.0:8444", &error))
		return nhip_hub_fail(error);
	nhip_hub_service_expire(service);
	nhip_hub_service_expire_live(service);
	/* tests and scripts read this line to learn the ports */
	g_print("nhip-hub: listening on port %u (database %s), doctors' pages on port %u\n",
		nhip_hub_service_get_port(service), nhip_hub_db_get_backend(db),
		nhip_hub_service_get_web_port(service));
	fflush(stdout);
	g_unix_signal_add(SIGINT, serve_quit, loop);
	g_unix_signal_add(SIGTERM, serve_quit, loop);
	expire_id = g_timeout_add_seconds(3600, serve_expire, service);
	/* live sessions end within half a minute of their time */
	expire_live_id = g_timeout_add_seconds(30, serve_expire_live, service);
	g_main_loop_run(loop);
	g_source_remove(expire_id);
	g_source_remove(expire_live_id);
	g_message("stopping");
	return 0;
}

static gint
cmd_cases(gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *database = NULL;
	gboolean json = FALSE;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubDb) db = NULL;
	g_autoptr(GPtrArray) packets = NULL;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Hub folder (made by init)"), "D" },
		{ "database", 0, 0, G_OPTION_ARG_STRING, &database,
		  N_("postgresql://… or sqlite:PATH (default: hub.db in the folder)"), "URI" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
		{ NULL }
	};

	if (!nhip_hub_parse_options(_("List the cases that arrived."), entries, &argc, &argv,
				    &error))
		return nhip_hub_fail(error);
	db = nhip_hub_open_db(dir, database, &error);
	if (db == NULL)
		return nhip_hub_fail(error);
	packets = nhip_hub_db_packet_list(db, &error);
	if (packets == NULL)
		return nhip_hub_fail(error);
	if (json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		g_autofree gchar *text = NULL;

		json_builder_begin_array(builder);
		for (guint i = 0; i < packets->len; i++) {
			NhipHubPacket *packet = g_ptr_array_index(packets, i);
			json_builder_begin_object(builder);
			nhip_json_add_int(builder, "case", packet->id);
			nhip_json_add_string(builder, "station", packet->station);
			nhip_json_add_string(builder, "packet_id", packet->packet_id);
			nhip_json_add_int(builder, "seq", packet->seq);
			nhip_json_add_string(builder, "urgency", packet->urgency);
			nhip_json_add_int(builder, "size", packet->size);
			nhip_json_add_string(builder, "sha256", packet->sha256);
			nhip_json_add_string(builder, "receipt_sha256", packet->receipt_sha256);
			nhip_json_add_time(builder, "received", packet->received);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
		text = nhip_json_to_string(builder, TRUE);
		g_print("%s\n", text);
		return 0;
	}
	if (packets->len == 0) {
		g_print("%s\n", _("No cases have arrived."));
		return 0;
	}
	g_print("%-6s %-16s %-36s %-8s %10s  %s\n", _("Case"), _("Station"), _("Packet"),
		_("Urgency"), _("Bytes"), _("Received"));
	for (guint i = 0; i < packets->len; i++) {
		NhipHubPacket *packet = g_ptr_array_index(packets, i);
		g_autofree gchar *received = nhip_format_time(packet->received);
		g_print("%-6" PRId64 " %-16s %-36s %-8s %10" PRId64 "  %s\n", packet->id,
			packet->station, packet->packet_id,
			g_strcmp0(packet->urgency, "urgent") == 0 ? _("urgent") : _("routine"),
			packet->size, received);
	}
	return 0;
}

static gint
cmd_reply(gint argc, gchar **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *database = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *doctor = NULL;
	g_autofree gchar *referral = NULL;
	g_autofree gchar *urgency = NULL;
	gint64 case_id = 0;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubDb) db = NULL;
	g_autoptr(NhipHubTrust) trust = NULL;
	g_autoptr(NhipHubIngest) ingest = NULL;
	g_autoptr(NhipHubMessage) message = NULL;
	NhipHubAnswer answer = { 0 };
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Hub folder (made by init)"), "D" },
		{ "database", 0, 0, G_OPTION_ARG_STRING, &database,
		  N_("postgresql://… or sqlite:PATH (default: hub.db in the folder)"), "URI" },
		{ "case", 0, 0, G_OPTION_ARG_INT64, &case_id, N_("The case to answer"), "ID" },
		{ "text", 0, 0, G_OPTION_ARG_STRING, &text, N_("The doctor's answer"), "TEXT" },
		{ "doctor", 0, 0, G_OPTION_ARG_STRING, &doctor,
		  N_("The name the station sees (default: the district hospital)"), "NAME" },
		{ "referral", 0, 0, G_OPTION_ARG_STRING, &referral,
		  N_("Whether to refer the patient: yes or no"), "yes|no" },
		{ "urgency", 0, 0, G_OPTION_ARG_STRING, &urgency,
		  N_("routine (default), urgent or stat"), "U" },
		{ NULL }
	};

	if (!nhip_hub_parse_options(_("Answer a case: a reply packet goes to the station's inbox."),
				    entries, &argc, &argv, &error))
		return nhip_hub_fail(error);
	if (case_id <= 0 || text == NULL || *g_strstrip(text) == '\0')
		return nhip_hub_usage_error(_("give --case ID and a non-empty --text"));
	if (referral != NULL && g_strcmp0(referral, "yes") != 0 && g_strcmp0(referral, "no") != 0)
		return nhip_hub_usage_error(_("--referral takes yes or no"));
	if (urgency != NULL && !nhip_hub_urgency_is_valid(urgency))
		return nhip_hub_usage_error(_("--urgency takes routine, urgent or stat"));
	db = nhip_hub_open_db(dir, database, &error);
	if (db == NULL)
		return nhip_hub_fail(error);
	trust = nhip_hub_trust_new(dir, &error);
	if (trust == NULL)
		return nhip_hub_fail(error);
	ingest = nhip_hub_ingest_new(dir, db, trust, &error);
	if (ingest == NULL)
		return nhip_hub_fail(error);
	answer.packet = case_id;
	answer.doctor_name = doctor != NULL ? doctor : _("District hospital");
	answer.advice = text;
	answer.referral = referral == NULL ? -1 : g_strcmp0(referral, "yes") == 0;
	answer.urgency = urgency != NULL ? urgency : (gchar *)"routine";
	message = nhip_hub_ingest_answer(ingest, &answer, &error);
	g_free(answer.msg_id);
	if (message == NULL)
		return nhip_hub_fail(error);
	g_print(_("reply %s queued for station %s\n"), message->msg_id, message->station);
	return 0;
}

const NhipHubCommand nhip_hub_transport_commands[] = {
	{ "serve", "--dir D [--listen ADDR:PORT] [--web ADDR:PORT|off] [--database URI]",
	  N_("receive case packets over HTTPS"), cmd_serve },
	{ "cases", "--dir D [--json]", N_("list the cases that arrived"), cmd_cases },
	{ "reply", "--dir D --case ID --text TEXT [--referral yes|no] [--urgency U]",
	  N_("answer a case"), cmd_reply },
	{ NULL },
};
