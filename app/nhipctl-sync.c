/*
 * nhipctl — asking the district: enroll with the hub, queue a case, send the queue, show
 * it, fetch the doctors' replies.
 *
 * Exit codes besides the common ones: 6 when packets are still waiting to be delivered
 * (they stay queued and are retried), 7 when the hub refused something or the link is not
 * usable (not enrolled, pinned key mismatch), 8 when `sync --daemon` refuses an
 * unencrypted data folder (nhip-data-dir.h; nhip-sender.service does not restart on it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "nhip-case.h"
#include "nhip-data-dir.h"
#include "nhip-durable.h"
#include "nhip-hub-link.h"
#include "nhip-identity.h"
#include "nhip-inbox.h"
#include "nhip-json.h"
#include "nhip-sender.h"
#include "nhip-setup.h"
#include "nhip-station-identity.h"
#include "nhip-store-packets.h"
#include "nhip-transport-error.h"
#include "nhipctl-private.h"

#define EXIT_NOT_DELIVERED 6
#define EXIT_REFUSED	   7
#define EXIT_UNENCRYPTED   8

/* how often the daemon looks again for a database and an enrollment that are not there */
#define DAEMON_POLL_SECONDS 30

static gint
sync_fail(const GError *error)
{
	gint rc = nhipctl_fail(error);

	if (error->domain == NHIP_TRANSPORT_ERROR)
		return nhip_transport_error_is_retry(error) ||
				       error->code == NHIP_TRANSPORT_ERROR_LOCKED
			       ? EXIT_NOT_DELIVERED
			       : EXIT_REFUSED;
	if (error->domain == NHIP_IDENTITY_ERROR)
		return EXIT_REFUSED;
	return rc;
}

static NhipHubLink *
sync_open(NhipctlGlobal *global, NhipStore **store, GError **error)
{
	*store = nhipctl_open(global, FALSE, error);
	if (*store == NULL)
		return NULL;
	return nhip_hub_link_load(global->db_path, error);
}

/* ----- sync ----- */

/**
 * SyncRun:
 * @stop: a signal asked the process to stop
 * @sender: (nullable): the sender running now
 * @loop: (nullable): the daemon's wait for a database or an enrollment
 */
typedef struct {
	gboolean stop;
	NhipSender *sender;
	GMainLoop *loop;
} SyncRun;

static gboolean
sync_on_signal(gpointer data)
{
	SyncRun *run = data;

	run->stop = TRUE;
	if (run->sender != NULL)
		nhip_sender_stop(run->sender);
	if (run->loop != NULL)
		g_main_loop_quit(run->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean
sync_wait_done(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

/* the daemon's poll interval: NHIP_SYNC_POLL_SECONDS (for tests), else 30 s */
static guint
sync_poll_seconds(void)
{
	const gchar *env = g_getenv("NHIP_SYNC_POLL_SECONDS");
	guint64 value = 0;

	if (env != NULL && g_ascii_string_to_unsigned(env, 10, 1, 3600, &value, NULL))
		return (guint)value;
	return DAEMON_POLL_SECONDS;
}

/* the daemon before the station is set up: wait (until a signal) for the database and the
 * enrollment, saying once in the log what it waits for */
static NhipHubLink *
sync_daemon_open(NhipctlGlobal *global, SyncRun *run, NhipStore **store, GError **error)
{
	g_autofree gchar *said = NULL;
	guint poll = sync_poll_seconds();

	while (!run->stop) {
		g_autoptr(GError) error_local = NULL;
		g_autoptr(GMainLoop) loop = NULL;
		g_autoptr(GSource) timeout = NULL;
		NhipHubLink *link = NULL;

		if (g_file_test(global->db_path, G_FILE_TEST_EXISTS)) {
			g_clear_object(store);
			link = sync_open(global, store, &error_local);
			if (link != NULL)
				return link;
			if (!g_error_matches(error_local, NHIP_TRANSPORT_ERROR,
					     NHIP_TRANSPORT_ERROR_NOT_ENROLLED)) {
				g_propagate_error(error, g_steal_pointer(&error_local));
				return NULL;
			}
		} else {
			g_set_error(&error_local, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
				    _("there is no station database at %s yet; set the station up "
				      "first"),
				    global->db_path);
		}
		if (g_strcmp0(said, error_local->message) != 0) {
			g_printerr(_("nhipctl sync: waiting: %s\n"), error_local->message);
			g_free(said);
			said = g_strdup(error_local->message);
		}
		loop = g_main_loop_new(NULL, FALSE);
		timeout = g_timeout_source_new_seconds(poll);
		g_source_set_callback(timeout, sync_wait_done, loop, NULL);
		g_source_attach(timeout, NULL);
		run->loop = loop;
		g_main_loop_run(loop);
		run->loop = NULL;
		g_source_destroy(timeout);
	}
	return NULL;
}

static gint
cmd_sync(NhipctlGlobal *global, gint argc, gchar **argv)
{
	gboolean once = FALSE;
	gboolean daemon = FALSE;
	gboolean quiet = FALSE;
	gboolean replies = FALSE;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipHubLink) link = NULL;
	g_autoptr(NhipSender) sender = NULL;
	const NhipSenderCounts *counts;
	SyncRun run = { FALSE, NULL, NULL };
	guint sigint;
	guint sigterm;
	gboolean ok;
	gint64 waiting = 0;
	GOptionEntry entries[] = {
		{ "once", 0, 0, G_OPTION_ARG_NONE, &once,
		  N_("Send what is due now, then stop (default: keep running)"), NULL },
		{ "daemon", 0, 0, G_OPTION_ARG_NONE, &daemon,
		  N_("Run as the station's background service: refuse an unencrypted data folder, "
		     "wait for the set-up and the enrollment, send until stopped"),
		  NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print only errors"), NULL },
		{ "replies", 0, 0, G_OPTION_ARG_NONE, &replies,
		  N_("Also fetch the doctors' replies, waiting for them while nothing is to send"),
		  NULL },
		{ NULL }
	};

	if (!nhipctl_parse("",
			   _("Deliver queued case packets to the district hub. One program of the "
			     "station sends at a time; another one started meanwhile stands by "
			     "(with --once it stops with exit status 6)."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1 || (once && daemon))
		return nhipctl_usage_error(
			_("usage: nhipctl sync [--once | --daemon] [--replies]"));
	/* the installed station's rule (station.conf): no patient data on an unencrypted disk */
	if (daemon && !nhip_data_dir_check(global->db_path, &error)) {
		nhipctl_fail(error);
		return error->domain == NHIP_DATA_DIR_ERROR &&
				       error->code == NHIP_DATA_DIR_ERROR_UNENCRYPTED
			       ? EXIT_UNENCRYPTED
			       : EXIT_STORAGE;
	}
	sigint = g_unix_signal_add(SIGINT, sync_on_signal, &run);
	sigterm = g_unix_signal_add(SIGTERM, sync_on_signal, &run);
	link = daemon ? sync_daemon_open(global, &run, &store, &error)
		      : sync_open(global, &store, &error);
	if (link != NULL) {
		sender = nhip_sender_new(store, link, &error);
		if (sender != NULL) {
			nhip_sender_set_verbose(sender, !quiet && !global->json);
			nhip_sender_set_fetch_replies(sender, replies);
			run.sender = sender;
			if (daemon)
				g_printerr(_("nhipctl sync: sending to %s as station %s\n"),
					   link->url, link->station);
			/* a signal that came while the database was opened */
			if (run.stop)
				nhip_sender_stop(sender);
		}
	}
	ok = sender != NULL && nhip_sender_run(sender, once, &error);
	run.sender = NULL;
	g_source_remove(sigint);
	g_source_remove(sigterm);
	/* stopped before there was anything to send */
	if (link == NULL && run.stop && error == NULL)
		return EXIT_OK;
	if (sender == NULL)
		return sync_fail(error);
	counts = nhip_sender_get_counts(sender);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		nhip_json_add_int(builder, "delivered", counts->delivered);
		nhip_json_add_int(builder, "retries", counts->retry);
		nhip_json_add_int(builder, "refused", counts->refused);
		nhip_json_add_int(builder, "bytes_sent", counts->bytes_sent);
		nhip_json_add_int(builder, "replies", counts->replies);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
	}
	if (!ok)
		return sync_fail(error);
	if (!nhip_store_packet_count_waiting(store, &waiting, &error))
		return nhipctl_fail(error);
	/* the service is not restarted for a packet the hub refused: it is recorded */
	if (counts->refused > 0 && !daemon)
		return EXIT_REFUSED;
	return waiting > 0 && once ? EXIT_NOT_DELIVERED : EXIT_OK;
}

/* ----- enroll ----- */

static gint
cmd_enroll(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *hub = NULL;
	g_autofree gchar *token = NULL;
	g_autofree gchar *station = NULL;
	g_autofree gchar *enrolled = NULL;
	g_autofree gchar *pin = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	GOptionEntry entries[] = { { "hub", 0, 0, G_OPTION_ARG_STRING, &hub,
				     N_("The hub's address (https://…)"), "URL" },
				   { "token", 0, 0, G_OPTION_ARG_STRING, &token,
				     N_("The one-time enrollment token from the hub"), "T" },
				   { "station", 0, 0, G_OPTION_ARG_STRING, &station,
				     N_("Station code (default: the facility code)"), "CODE" },
				   { NULL } };

	if (!nhipctl_parse("", _("Enroll this station with the district hub."), entries, &argc,
			   &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1 || hub == NULL || token == NULL)
		return nhipctl_usage_error(
			_("usage: nhipctl enroll --hub URL --token T [--station CODE]"));
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (station == NULL) {
		g_autoptr(NhipFacility) facility = nhip_store_facility_get(store, NULL);
		if (facility == NULL)
			return nhipctl_usage_error(_("give --station CODE or set the facility with "
						     "“nhipctl init --facility-code”"));
		station = g_strdup(facility->code);
	}
	if (!nhip_setup_enroll(global->db_path, hub, token, station, &enrolled, &pin, &error))
		return error->domain == G_FILE_ERROR ? nhipctl_fail(error) : sync_fail(error);
	g_print(_("station %s enrolled with the hub at %s; hub key pinned (%s)\n"), enrolled, hub,
		pin);
	return EXIT_OK;
}

/* ----- case send ----- */

static gint
cmd_case_send(NhipctlGlobal *global, gint argc, gchar **argv)
{
	gboolean urgent = FALSE;
	g_autofree gchar *question = NULL;
	g_auto(GStrv) photos = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autofree gchar *packet_id = NULL;
	NhipCaseRequest request = { 0 };
	GOptionEntry entries[] = { { "urgent", 0, 0, G_OPTION_ARG_NONE, &urgent,
				     N_("Ask for an urgent answer"), NULL },
				   { "question", 0, 0, G_OPTION_ARG_STRING, &question,
				     N_("The question for the doctor"), "TEXT" },
				   { "photo", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &photos,
				     N_("A JPEG or PNG photo (repeat for each)"), "FILE" },
				   { NULL } };

	if (!nhipctl_parse("VISIT_ID",
			   _("Seal a visit as a case packet for the district and queue it."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2)
		return nhipctl_usage_error(_("usage: nhipctl case send VISIT_ID [--urgent] "
					     "[--question TEXT] [--photo FILE]..."));
	if (!nhipctl_parse_id(argv[1], _("visit id"), &request.visit_id, &error))
		return nhipctl_fail(error);
	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	request.question = question;
	request.urgent = urgent;
	request.photo_paths = (const gchar *const *)photos;
	packet_id = nhip_case_send(store, global->db_path, &request, &error);
	if (packet_id == NULL)
		return sync_fail(error);
	if (global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "packet_id", packet_id);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
	} else {
		g_print(_("case packet %s queued for the hub%s\n"), packet_id,
			urgent ? _(" (urgent)") : "");
	}
	return EXIT_OK;
}

/* ----- inbox ----- */

static gint
cmd_inbox(NhipctlGlobal *global, gint argc, gchar **argv)
{
	gboolean json = FALSE;
	gint wait = 0;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipHubLink) link = NULL;
	g_autoptr(GPtrArray) replies = NULL;
	guint n_new = 0;
	GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
		{ "wait", 0, 0, G_OPTION_ARG_INT, &wait,
		  N_("Seconds the hub may hold the request when nothing is there (0 to 25)"), "S" },
		{ NULL }
	};

	if (!nhipctl_parse("", _("Fetch the doctors' replies from the hub and list them."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1 || wait < 0 || wait > 25)
		return nhipctl_usage_error(_("usage: nhipctl inbox [--wait 0..25] [--json]"));
	link = sync_open(global, &store, &error);
	if (link == NULL)
		return sync_fail(error);
	if (!nhip_inbox_fetch(link, store, (guint)wait, &n_new, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_BUSY))
			return sync_fail(error);
		/* the kiosk or the sync service fetches them into the same store */
		g_printerr(_("nhipctl: the replies are fetched by another program of this station "
			     "(%s); showing those stored\n"),
			   error->message);
		g_clear_error(&error);
	}
	replies = nhip_store_reply_list(store, &error);
	if (replies == NULL)
		return nhipctl_fail(error);
	if (json || global->json) {
		g_autoptr(JsonBuilder) builder = json_builder_new();
		json_builder_begin_object(builder);
		nhip_json_add_int(builder, "new", n_new);
		json_builder_set_member_name(builder, "replies");
		json_builder_begin_array(builder);
		for (guint i = 0; i < replies->len; i++) {
			NhipReply *reply = g_ptr_array_index(replies, i);
			json_builder_begin_object(builder);
			nhip_json_add_string(builder, "id", reply->msg_id);
			nhip_json_add_string(builder, "in_reply_to", reply->in_reply_to);
			nhip_json_add_string(builder, "text", reply->text);
			nhip_json_add_string(builder, "doctor", reply->doctor);
			json_builder_set_member_name(builder, "referral");
			if (reply->referral < 0)
				json_builder_add_null_value(builder);
			else
				json_builder_add_boolean_value(builder, reply->referral == 1);
			nhip_json_add_string(builder, "urgency", reply->urgency);
			if (reply->visit_id > 0)
				nhip_json_add_int(builder, "visit_id", reply->visit_id);
			nhip_json_add_time(builder, "received", reply->received_at);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
		json_builder_end_object(builder);
		nhipctl_print_json(builder);
		return EXIT_OK;
	}
	g_print(g_dngettext(GETTEXT_PACKAGE, "%u new reply\n", "%u new replies\n", n_new), n_new);
	for (guint i = 0; i < replies->len; i++) {
		NhipReply *reply = g_ptr_array_index(replies, i);
		g_autofree gchar *when = nhip_format_time(reply->received_at);
		g_print(_("%s  answer to %s:\n  %s\n"), when,
			reply->in_reply_to != NULL ? reply->in_reply_to : "?", reply->text);
		if (reply->visit_id > 0)
			g_print(_("  Visit: %" PRId64 "\n"), reply->visit_id);
		if (reply->doctor != NULL)
			g_print(_("  Doctor: %s\n"), reply->doctor);
		if (reply->referral >= 0)
			g_print("  %s\n", reply->referral == 1
						  ? _("Referral: yes, refer the patient")
						  : _("Referral: no"));
		if (reply->urgency != NULL)
			g_print(_("  Urgency: %s\n"),
				g_strcmp0(reply->urgency, "stat") == 0	   ? _("emergency")
				: g_strcmp0(reply->urgency, "urgent") == 0 ? _("urgent")
									   : _("routine"));
	}
	return EXIT_OK;
}

const NhipctlCommand nhipctl_sync_commands[] = {
	{ "enroll", NULL, "--hub URL --token T [--station CODE]",
	  N_("enroll this station with the district hub"), cmd_enroll },
	{ "case", "send", "VISIT_ID [--urgent] [--question TEXT] [--photo FILE]...",
	  N_("queue a case packet for the district"), cmd_case_send },
	{ "sync", NULL, "[--once | --daemon] [--replies]",
	  N_("deliver queued case packets to the hub"), cmd_sync },
	{ "inbox", NULL, "[--wait S] [--json]", N_("fetch and list the doctors' replies"),
	  cmd_inbox },
	{ NULL },
};
