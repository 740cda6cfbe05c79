/*
 * nhipctl — live consultations: `nhipctl live call` joins a case's live session (asked
 * from the hub for a delivered case, or from a descriptor file) with the camera and
 * microphone or with test sources, prints how the call goes, and ends with a summary of
 * the statistics. For technicians checking a station's camera and link, for the tests
 * and for the benchmark.
 *
 * Exit codes besides the common ones: 6 when the media server or the hub cannot be
 * reached, 7 when the session's token is refused, 8 when the call failed otherwise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nhip-device-manager.h"
#include "nhip-json.h"
#include "nhip-live-channel.h"
#include "nhip-live-error.h"
#include "nhip-live-session.h"
#include "nhip-store-live.h"
#include "nhip-transport-error.h"
#include "nhipctl-private.h"

#define EXIT_UNREACHABLE 6
#define EXIT_REFUSED	 7
#define EXIT_CALL_FAILED 8

typedef struct {
	NhipLiveSession *session;
	GMainLoop *loop;
	gchar *stats_path;
	gboolean quiet;
	gint64 started_us;
	JsonArray *timeline;
	JsonArray *ticks_sent;
	JsonArray *ticks_heard;
	guint frames_shown;
	guint stop_id;
	guint camera_id;
	gint camera_on_at;
	NhipLiveState last_state;
	/* the session's messages through the hub, when the station is enrolled */
	NhipStore *store;
	NhipLiveChannel *channel;
	const gchar *session_id;
	gchar *chat;
	gboolean joined;
	gboolean hub_ended;
	/* the station's devices whose readings go to the doctor as they are taken */
	NhipDeviceManager *devices;
} LiveCall;

static gint
live_fail(const GError *error)
{
	gint rc = nhipctl_fail(error);

	if (error->domain == NHIP_TRANSPORT_ERROR)
		return nhip_transport_error_is_retry(error) ? EXIT_UNREACHABLE : EXIT_REFUSED;
	if (error->domain != NHIP_LIVE_ERROR)
		return rc;
	switch ((NhipLiveError)error->code) {
	case NHIP_LIVE_ERROR_INVALID:
		return EXIT_BAD_INPUT;
	case NHIP_LIVE_ERROR_NETWORK:
	case NHIP_LIVE_ERROR_TIMEOUT:
		return EXIT_UNREACHABLE;
	case NHIP_LIVE_ERROR_UNAUTHORIZED:
		return EXIT_REFUSED;
	case NHIP_LIVE_ERROR_GONE:
		return EXIT_NOT_FOUND;
	case NHIP_LIVE_ERROR_JANUS:
	case NHIP_LIVE_ERROR_MEDIA:
	case NHIP_LIVE_ERROR_CANCELLED:
	default:
		return EXIT_CALL_FAILED;
	}
}

static const gchar *
live_state_text(NhipLiveState state)
{
	switch (state) {
	case NHIP_LIVE_STATE_CONNECTING:
		return _("connecting");
	case NHIP_LIVE_STATE_ACTIVE:
		return _("in the call (audio and video)");
	case NHIP_LIVE_STATE_AUDIO_ONLY:
		return _("weak link — audio only");
	case NHIP_LIVE_STATE_RECONNECTING:
		return _("link lost — reconnecting");
	case NHIP_LIVE_STATE_ENDED:
		return _("call ended");
	case NHIP_LIVE_STATE_FAILED:
		return _("call failed");
	case NHIP_LIVE_STATE_IDLE:
	default:
		return _("not started");
	}
}

static gdouble
live_elapsed(LiveCall *call)
{
	return (g_get_monotonic_time() - call->started_us) / 1e6;
}

static void
live_add_number(JsonBuilder *builder, const gchar *name, gdouble value)
{
	json_builder_set_member_name(builder, name);
	if (value < 0)
		json_builder_add_null_value(builder);
	else
		json_builder_add_double_value(builder, value);
}

/* the call's figures as JSON: for --stats-json during the call and --json at its end */
static gchar *
live_summary_text(LiveCall *call)
{
	const NhipLiveSessionStats *stats = nhip_live_session_get_stats(call->session);
	const GError *error = nhip_live_session_get_error(call->session);
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "state",
			     nhip_live_state_to_string(nhip_live_session_get_state(call->session)));
	nhip_json_add_string(builder, "error", error != NULL ? error->message : NULL);
	nhip_json_add_string(builder, "remote",
			     nhip_live_session_get_remote_display(call->session));
	live_add_number(builder, "seconds", live_elapsed(call));
	nhip_json_add_int(builder, "first_frame_ms", stats->first_frame_ms);
	nhip_json_add_int(builder, "frames_received", (gint64)stats->frames_received);
	nhip_json_add_int(builder, "frames_sent", (gint64)stats->frames_sent);
	nhip_json_add_int(builder, "video_bytes_sent", (gint64)stats->sample.video_bytes_sent);
	nhip_json_add_int(builder, "audio_bytes_sent", (gint64)stats->sample.audio_bytes_sent);
	nhip_json_add_int(builder, "video_bytes_received",
			  (gint64)stats->sample.video_bytes_received);
	nhip_json_add_int(builder, "audio_bytes_received",
			  (gint64)stats->sample.audio_bytes_received);
	nhip_json_add_int(builder, "audio_packets_received",
			  (gint64)stats->sample.audio_packets_received);
	nhip_json_add_int(builder, "packets_lost", stats->sample.packets_lost);
	nhip_json_add_int(builder, "video_bitrate", stats->video_bitrate);
	nhip_json_add_int(builder, "audio_only_switches", stats->audio_only_switches);
	live_add_number(builder, "audio_only_seconds", stats->audio_only_seconds);
	live_add_number(builder, "rtt", stats->sample.rtt);
	json_builder_set_member_name(builder, "timeline");
	json_builder_add_value(builder, json_node_init_array(json_node_alloc(), call->timeline));
	json_builder_set_member_name(builder, "ticks_sent");
	json_builder_add_value(builder, json_node_init_array(json_node_alloc(), call->ticks_sent));
	json_builder_set_member_name(builder, "ticks_heard");
	json_builder_add_value(builder, json_node_init_array(json_node_alloc(), call->ticks_heard));
	json_builder_end_object(builder);
	return nhip_json_to_string(builder, TRUE);
}

/* the figures so far, replaced atomically so a test can read them during the call */
static void
live_write_stats(LiveCall *call)
{
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;

	if (call->stats_path == NULL)
		return;
	text = live_summary_text(call);
	if (!g_file_set_contents(call->stats_path, text, -1, &error))
		g_printerr("nhipctl: %s\n", error->message);
}

static void
live_on_stats(NhipLiveSession *session, gpointer data)
{
	LiveCall *call = data;
	const NhipLiveSessionStats *stats = nhip_live_session_get_stats(session);
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	live_add_number(builder, "t", live_elapsed(call));
	live_add_number(builder, "mono", g_get_monotonic_time() / 1e6);
	nhip_json_add_string(builder, "state",
			     nhip_live_state_to_string(nhip_live_session_get_state(session)));
	nhip_json_add_int(builder, "video_bitrate", stats->video_bitrate);
	live_add_number(builder, "send_video_bps", stats->send_video_bps);
	live_add_number(builder, "send_audio_bps", stats->send_audio_bps);
	live_add_number(builder, "recv_video_bps", stats->recv_video_bps);
	live_add_number(builder, "recv_audio_bps", stats->recv_audio_bps);
	live_add_number(builder, "video_loss", stats->sample.video_fraction_lost);
	live_add_number(builder, "audio_loss", stats->sample.audio_fraction_lost);
	live_add_number(builder, "rtt", stats->sample.rtt);
	nhip_json_add_int(builder, "frames_received", (gint64)stats->frames_received);
	nhip_json_add_int(builder, "audio_bytes_received",
			  (gint64)stats->sample.audio_bytes_received);
	json_builder_end_object(builder);
	json_array_add_element(call->timeline, json_builder_get_root(builder));
	live_write_stats(call);
}

static void
live_on_state(GObject *object, GParamSpec *pspec, gpointer data)
{
	LiveCall *call = data;
	NhipLiveState state = nhip_live_session_get_state(call->session);

	if (!call->quiet && state != call->last_state)
		g_print(_("[%5.1f s] %s\n"), live_elapsed(call), live_state_text(state));
	if (call->channel != NULL && state != call->last_state) {
		if (state == NHIP_LIVE_STATE_ACTIVE && !call->joined) {
			call->joined = TRUE;
			nhip_live_channel_post(call->channel, nhip_live_event_new_state("joined"));
			if (call->chat != NULL)
				nhip_live_channel_post(call->channel,
						       nhip_live_event_new_chat(call->chat));
		} else if (state == NHIP_LIVE_STATE_AUDIO_ONLY) {
			nhip_live_channel_post(call->channel,
					       nhip_live_event_new_state("audio-only"));
		} else if (state == NHIP_LIVE_STATE_ACTIVE &&
			   call->last_state == NHIP_LIVE_STATE_AUDIO_ONLY) {
			nhip_live_channel_post(call->channel, nhip_live_event_new_state("video"));
		} else if ((state == NHIP_LIVE_STATE_ENDED || state == NHIP_LIVE_STATE_FAILED) &&
			   !call->hub_ended) {
			/* not after the hub ended the session: it takes no more events */
			nhip_live_channel_post(call->channel, nhip_live_event_new_state("left"));
		}
	}
	call->last_state = state;
	if (state == NHIP_LIVE_STATE_ENDED || state == NHIP_LIVE_STATE_FAILED)
		g_main_loop_quit(call->loop);
}

static void
live_on_remote(GObject *object, GParamSpec *pspec, gpointer data)
{
	LiveCall *call = data;
	const gchar *remote = nhip_live_session_get_remote_display(call->session);

	if (call->quiet)
		return;
	if (remote != NULL)
		g_print(_("[%5.1f s] %s joined\n"), live_elapsed(call), remote);
	else
		g_print(_("[%5.1f s] the other participant left\n"), live_elapsed(call));
}

static void
live_on_frame(NhipLiveSession *session,
	      guint width,
	      guint height,
	      guint stride,
	      GBytes *pixels,
	      gpointer data)
{
	LiveCall *call = data;

	if (call->frames_shown++ == 0 && !call->quiet)
		g_print(_("[%5.1f s] first picture from the other side (%u×%u)\n"),
			live_elapsed(call), width, height);
}

static void
live_on_tick(NhipLiveSession *session, gboolean remote, gint64 at_ns, gpointer data)
{
	LiveCall *call = data;
	json_array_add_int_element(remote ? call->ticks_heard : call->ticks_sent, at_ns);
}

static void
live_store_event(LiveCall *call, const NhipLiveEvent *event)
{
	g_autoptr(GError) error = NULL;

	if (!nhip_store_live_event_add(call->store, call->session_id, event, &error))
		g_printerr("nhipctl: %s\n", error->message);
}

static void
live_on_hub_event(NhipLiveChannel *channel, NhipLiveEvent *event, gpointer data)
{
	LiveCall *call = data;

	live_store_event(call, event);
	if (call->quiet || g_strcmp0(event->kind, "chat") != 0 ||
	    g_str_has_prefix(event->sender != NULL ? event->sender : "", "station:"))
		return;
	/* the doctor's words go to the screen as they are, on one line */
	{
		g_autofree gchar *line = g_strdup(event->text);
		g_strdelimit(line, "\r\n", ' ');
		g_print(_("[%5.1f s] %s: %s\n"), live_elapsed(call),
			event->sender != NULL ? event->sender : "?", line);
	}
}

static void
live_on_hub_posted(NhipLiveChannel *channel, NhipLiveEvent *event, gpointer data)
{
	LiveCall *call = data;

	live_store_event(call, event);
	if (!call->quiet && g_strcmp0(event->kind, "chat") == 0)
		g_print(_("[%5.1f s] message sent\n"), live_elapsed(call));
}

static void
live_on_hub_not_sent(NhipLiveChannel *channel,
		     NhipLiveEvent *event,
		     const GError *error,
		     gpointer data)
{
	LiveCall *call = data;

	/* kept with the visit all the same, without the hub's number */
	live_store_event(call, event);
	g_printerr(_("nhipctl: a %s message was not sent: %s\n"), event->kind, error->message);
}

static void
live_on_hub_state(NhipLiveChannel *channel, const gchar *state, gpointer data)
{
	LiveCall *call = data;

	/* hung up on the hub (the doctor ended the consultation) */
	if (g_strcmp0(state, "ended") == 0) {
		call->hub_ended = TRUE;
		nhip_live_session_hang_up(call->session);
	}
}

/* a reading taken during the call: to the doctor's live vitals panel, the way the
 * kiosk's call page sends it */
static void
live_on_measurement(NhipDeviceManager *manager,
		    NhipDevice *device,
		    NhipMeasurement *measurement,
		    gpointer data)
{
	LiveCall *call = data;
	guint sent = 0;

	if (call->channel != NULL)
		sent = nhip_live_channel_post_measurement(call->channel, measurement);
	if (!call->quiet)
		g_print(sent > 0 ? _("[%5.1f s] reading from %s sent to the doctor\n")
				 : _("[%5.1f s] reading from %s not sent (no hub for this call)\n"),
			live_elapsed(call), nhip_device_get_model(device));
}

/* the serial devices named DRIVER:PORT (nhip-devsim's pseudo-terminal, an RS-232
 * port); hotplugged USB devices are the kiosk's business */
static gboolean
live_open_devices(LiveCall *call, gchar **specs, GError **error)
{
	if (specs == NULL || specs[0] == NULL)
		return TRUE;
	call->devices = nhip_device_manager_new();
	nhip_device_manager_set_hotplug(call->devices, FALSE);
	g_signal_connect(call->devices, "measurement", G_CALLBACK(live_on_measurement), call);
	if (!nhip_device_manager_start(call->devices, error))
		return FALSE;
	for (guint i = 0; specs[i] != NULL; i++) {
		g_auto(GStrv) parts = g_strsplit(specs[i], ":", 2);

		if (g_strv_length(parts) != 2 || parts[0][0] == '\0' || parts[1][0] == '\0') {
			g_set_error(error, NHIP_LIVE_ERROR, NHIP_LIVE_ERROR_INVALID,
				    _("--device “%s” is not DRIVER:PORT, e.g. cms50:/dev/ttyUSB0"),
				    specs[i]);
			return FALSE;
		}
		if (!nhip_device_manager_add_serial_port(call->devices, parts[0], parts[1], error))
			return FALSE;
	}
	return TRUE;
}

static void
live_close_devices(LiveCall *call)
{
	if (call->devices == NULL)
		return;
	g_signal_handlers_disconnect_by_data(call->devices, call);
	nhip_device_manager_stop(call->devices);
	g_clear_object(&call->devices);
}

/* the hub side of the call: a channel for its messages, the session noted with the
 * visit. Without an enrolled station the call goes on without them. */
static gboolean
live_open_channel(NhipctlGlobal *global,
		  LiveCall *call,
		  const NhipLiveDescriptor *descriptor,
		  GError **error)
{
	g_autoptr(GError) error_local = NULL;
	gint64 after;

	if (!g_file_test(global->db_path, G_FILE_TEST_EXISTS))
		return TRUE;
	call->store = nhipctl_open(global, FALSE, error);
	if (call->store == NULL)
		return FALSE;
	call->session_id = descriptor->session_id;
	if (!nhip_store_live_session_begin(call->store, descriptor->session_id,
					   descriptor->packet_id, descriptor->started_by, error))
		return FALSE;
	after = nhip_store_live_last_seq(call->store, descriptor->session_id, error);
	if (after < 0)
		return FALSE;
	call->channel =
		nhip_live_channel_new(global->db_path, descriptor->session_id, after, &error_local);
	if (call->channel == NULL) {
		if (!g_error_matches(error_local, NHIP_TRANSPORT_ERROR,
				     NHIP_TRANSPORT_ERROR_NOT_ENROLLED)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		if (!call->quiet)
			g_print(_("The station is not enrolled with a hub: no chat in this "
				  "call.\n"));
		return TRUE;
	}
	g_signal_connect(call->channel, "event", G_CALLBACK(live_on_hub_event), call);
	g_signal_connect(call->channel, "posted", G_CALLBACK(live_on_hub_posted), call);
	g_signal_connect(call->channel, "not-sent", G_CALLBACK(live_on_hub_not_sent), call);
	g_signal_connect(call->channel, "state", G_CALLBACK(live_on_hub_state), call);
	return TRUE;
}

static void
live_close_channel(LiveCall *call)
{
	g_autoptr(GError) error = NULL;

	if (call->channel != NULL) {
		nhip_live_channel_stop(call->channel);
		/* what the threads finished last */
		while (g_main_context_iteration(NULL, FALSE))
			;
		g_signal_handlers_disconnect_by_data(call->channel, call);
		g_clear_object(&call->channel);
	}
	if (call->store != NULL && call->session_id != NULL &&
	    !nhip_store_live_session_end(call->store, call->session_id, &error))
		g_printerr("nhipctl: %s\n", error->message);
	g_clear_object(&call->store);
}

/* closes what the call opened besides its session (again is harmless) and frees its
 * figures */
static void
live_call_clear(LiveCall *call)
{
	live_close_devices(call);
	live_close_channel(call);
	g_clear_pointer(&call->timeline, json_array_unref);
	g_clear_pointer(&call->ticks_sent, json_array_unref);
	g_clear_pointer(&call->ticks_heard, json_array_unref);
}

/* the descriptor of a delivered case's live session, from the hub */
static gchar *
live_ask_hub(NhipctlGlobal *global, const gchar *packet_id, GError **error)
{
	g_autoptr(NhipStore) store = nhipctl_open(global, FALSE, error);
	g_autoptr(NhipHubLink) link = NULL;
	g_autoptr(CURL) handle = NULL;

	if (store == NULL)
		return NULL;
	link = nhip_hub_link_load(global->db_path, error);
	if (link == NULL)
		return NULL;
	handle = nhip_hub_link_new_handle(error);
	if (handle == NULL)
		return NULL;
	return nhip_live_link_open(link, handle, packet_id, error);
}

static gboolean
live_stop_cb(gpointer data)
{
	LiveCall *call = data;

	call->stop_id = 0;
	nhip_live_session_hang_up(call->session);
	return G_SOURCE_REMOVE;
}

static gboolean
live_camera_cb(gpointer data)
{
	LiveCall *call = data;
	gboolean off = !nhip_live_session_get_camera_off(call->session);

	call->camera_id = 0;
	nhip_live_session_set_camera_off(call->session, off);
	if (!call->quiet)
		g_print(off ? _("[%5.1f s] camera off\n") : _("[%5.1f s] camera on\n"),
			live_elapsed(call));
	/* turned off: turn it on again later */
	if (off && call->camera_on_at > 0)
		call->camera_id = g_timeout_add_seconds(
			(guint)MAX(call->camera_on_at - (gint)live_elapsed(call), 1),
			live_camera_cb, call);
	return G_SOURCE_REMOVE;
}

static gboolean
live_on_signal(gpointer data)
{
	LiveCall *call = data;
	nhip_live_session_hang_up(call->session);
	return G_SOURCE_CONTINUE;
}

static void
live_print_summary(LiveCall *call)
{
	const NhipLiveSessionStats *stats = nhip_live_session_get_stats(call->session);

	g_print(_("Call summary:\n"));
	g_print(_("  Duration:          %.1f s\n"), live_elapsed(call));
	if (stats->first_frame_ms >= 0)
		g_print(_("  First picture:     %" PRId64 " ms after the call started\n"),
			stats->first_frame_ms);
	else
		g_print(_("  First picture:     none received\n"));
	g_print(_("  Pictures received: %" PRIu64 "\n"), stats->frames_received);
	g_print(_("  Sent:              %" PRIu64 " kB video, %" PRIu64 " kB audio\n"),
		stats->sample.video_bytes_sent / 1000, stats->sample.audio_bytes_sent / 1000);
	g_print(_("  Received:          %" PRIu64 " kB video, %" PRIu64 " kB audio\n"),
		stats->sample.video_bytes_received / 1000,
		stats->sample.audio_bytes_received / 1000);
	if (stats->sample.rtt >= 0)
		g_print(_("  Round trip:        %.0f ms\n"), stats->sample.rtt * 1000);
	g_print(_("  Audio only:        %u times, %.0f s in all\n"), stats->audio_only_switches,
		stats->audio_only_seconds);
}

static gint
cmd_live_call(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *descriptor_path = NULL;
	g_autofree gchar *video = NULL;
	g_autofree gchar *audio = NULL;
	g_autofree gchar *audio_out = NULL;
	g_autofree gchar *camera = NULL;
	g_autofree gchar *stats_path = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *chat = NULL;
	g_auto(GStrv) devices = NULL;
	gint seconds = 0;
	gint camera_off_at = 0;
	gint camera_on_at = 0;
	gint min_bitrate = 150000;
	gdouble audio_only_after = 10;
	gdouble recover_after = 15;
	gboolean quiet = FALSE;
	gsize length = 0;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipLiveDescriptor) descriptor = NULL;
	g_autoptr(NhipLiveSession) session = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	LiveCall call = { 0 };
	NhipLiveState state;
	guint sigint;
	guint sigterm;
	GOptionEntry entries[] = {
		{ "descriptor", 0, 0, G_OPTION_ARG_FILENAME, &descriptor_path,
		  N_("Join the session described in FILE (JSON from the hub)"), N_("FILE") },
		{ "video", 0, 0, G_OPTION_ARG_STRING, &video,
		  N_("Video to send: camera (default), test, motion or none"), N_("SOURCE") },
		{ "camera", 0, 0, G_OPTION_ARG_FILENAME, &camera,
		  N_("Camera device (default /dev/video0)"), N_("DEVICE") },
		{ "audio", 0, 0, G_OPTION_ARG_STRING, &audio,
		  N_("Audio to send: mic (default), test or ticks"), N_("SOURCE") },
		{ "audio-out", 0, 0, G_OPTION_ARG_STRING, &audio_out,
		  N_("Where the other side's sound goes: speaker (default) or none"), N_("SINK") },
		{ "seconds", 0, 0, G_OPTION_ARG_INT, &seconds,
		  N_("Hang up after N seconds (default: when the call ends or on Ctrl+C)"),
		  N_("N") },
		{ "stats-json", 0, 0, G_OPTION_ARG_FILENAME, &stats_path,
		  N_("Keep the call's figures in FILE (JSON, rewritten every 2 s)"), N_("FILE") },
		{ "min-bitrate", 0, 0, G_OPTION_ARG_INT, &min_bitrate,
		  N_("Lowest video bitrate before falling back to audio only (bit/s)"), N_("BPS") },
		{ "audio-only-after", 0, 0, G_OPTION_ARG_DOUBLE, &audio_only_after,
		  N_("Seconds of a congested link before video stops (default 10)"), N_("S") },
		{ "recover-after", 0, 0, G_OPTION_ARG_DOUBLE, &recover_after,
		  N_("Seconds of a good link before video comes back (default 15)"), N_("S") },
		{ "camera-off-at", 0, 0, G_OPTION_ARG_INT, &camera_off_at,
		  N_("Turn the camera off N seconds into the call (a check of the button)"),
		  N_("N") },
		{ "camera-on-at", 0, 0, G_OPTION_ARG_INT, &camera_on_at,
		  N_("And on again N seconds into the call"), N_("N") },
		{ "chat", 0, 0, G_OPTION_ARG_STRING, &chat,
		  N_("Send TEXT to the doctor once the call is up"), N_("TEXT") },
		{ "device", 0, 0, G_OPTION_ARG_STRING_ARRAY, &devices,
		  N_("Send the readings of the serial device DRIVER:PORT to the doctor as they "
		     "are taken (repeatable)"),
		  N_("DRIVER:PORT") },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print only the summary"), NULL },
		{ NULL }
	};

	if (!nhipctl_parse(_("PACKET_ID | --descriptor FILE"),
			   _("Join a case's live consultation: the hub's session for a case "
			     "this station delivered, or the one described in a file."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 2 || (argc == 2) == (descriptor_path != NULL) || seconds < 0)
		return nhipctl_usage_error(
			_("usage: nhipctl live call PACKET_ID|--descriptor FILE [--video "
			  "camera|test|motion|none] [--audio mic|test|ticks] [--seconds N] "
			  "[--stats-json FILE] [--chat TEXT] [--device DRIVER:PORT…]"));
	if (argc == 2) {
		text = live_ask_hub(global, argv[1], &error);
		length = text != NULL ? strlen(text) : 0;
	} else if (g_file_get_contents(descriptor_path, &text, &length, &error)) {
		/* read */
	}
	if (text == NULL)
		return live_fail(error);
	descriptor = nhip_live_descriptor_parse(text, (gssize)length, &error);
	if (descriptor == NULL)
		return live_fail(error);

	gst_init(NULL, NULL);
	session = g_object_new(NHIP_TYPE_LIVE_SESSION, "descriptor", descriptor, "video-source",
			       video != NULL ? video : "camera", "audio-source",
			       audio != NULL ? audio : "mic", "audio-output",
			       audio_out != NULL ? audio_out : "speaker", "camera-device",
			       camera != NULL ? camera : "/dev/video0", "min-bitrate",
			       CLAMP(min_bitrate, 30000, 2000000), "audio-only-after",
			       CLAMP(audio_only_after, 1, 600), "recover-after",
			       CLAMP(recover_after, 1, 600), NULL);
	loop = g_main_loop_new(NULL, FALSE);
	call.session = session;
	call.loop = loop;
	call.stats_path = stats_path;
	call.quiet = quiet || global->json;
	call.started_us = g_get_monotonic_time();
	call.timeline = json_array_new();
	call.ticks_sent = json_array_new();
	call.ticks_heard = json_array_new();
	g_signal_connect(session, "notify::state", G_CALLBACK(live_on_state), &call);
	g_signal_connect(session, "notify::remote-display", G_CALLBACK(live_on_remote), &call);
	g_signal_connect(session, "remote-frame", G_CALLBACK(live_on_frame), &call);
	g_signal_connect(session, "stats-updated", G_CALLBACK(live_on_stats), &call);
	g_signal_connect(session, "tick", G_CALLBACK(live_on_tick), &call);
	call.chat = chat;
	if (!live_open_channel(global, &call, descriptor, &error) ||
	    !live_open_devices(&call, devices, &error)) {
		live_call_clear(&call);
		return live_fail(error);
	}
	if (!call.quiet)
		g_print(_("Joining room %" PRId64 " at %s as %s\n"), descriptor->room,
			descriptor->janus_url, descriptor->display);
	if (!nhip_live_session_start(session, &error)) {
		live_call_clear(&call);
		return live_fail(error);
	}
	sigint = g_unix_signal_add(SIGINT, live_on_signal, &call);
	sigterm = g_unix_signal_add(SIGTERM, live_on_signal, &call);
	if (seconds > 0)
		call.stop_id = g_timeout_add_seconds((guint)seconds, live_stop_cb, &call);
	call.camera_on_at = camera_on_at;
	if (camera_off_at > 0)
		call.camera_id = g_timeout_add_seconds((guint)camera_off_at, live_camera_cb, &call);
	g_main_loop_run(loop);
	g_source_remove(sigint);
	g_source_remove(sigterm);
	g_clear_handle_id(&call.stop_id, g_source_remove);
	g_clear_handle_id(&call.camera_id, g_source_remove);
	g_signal_handlers_disconnect_by_data(session, &call);
	live_close_devices(&call);
	live_close_channel(&call);

	state = nhip_live_session_get_state(session);
	live_write_stats(&call);
	if (global->json) {
		g_autofree gchar *out = live_summary_text(&call);
		g_print("%s\n", out);
	} else {
		live_print_summary(&call);
	}
	live_call_clear(&call);
	if (state == NHIP_LIVE_STATE_FAILED)
		return live_fail(nhip_live_session_get_error(session));
	return EXIT_OK;
}

static gint
cmd_live_invites(NhipctlGlobal *global, gint argc, gchar **argv)
{
	gint wait = 0;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipHubLink) link = NULL;
	g_autoptr(CURL) handle = NULL;
	g_autoptr(GPtrArray) invites = NULL;
	GOptionEntry entries[] = { { "wait", 0, 0, G_OPTION_ARG_INT, &wait,
				     N_("Wait up to S seconds for an invitation (0–60)"), N_("S") },
				   { NULL } };

	if (!nhipctl_parse("", _("List the calls doctors started for this station's cases."),
			   entries, &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc > 1 || wait < 0 || wait > 60)
		return nhipctl_usage_error(_("usage: nhipctl live invites [--wait 0..60]"));
	store = nhipctl_open(global, FALSE, &error);
	if (store != NULL)
		link = nhip_hub_link_load(global->db_path, &error);
	if (link != NULL)
		handle = nhip_hub_link_new_handle(&error);
	if (handle != NULL)
		invites = nhip_live_link_invites(link, handle, (guint)wait, &error);
	if (invites == NULL)
		return live_fail(error);
	if (global->json) {
		g_print("[");
		for (guint i = 0; i < invites->len; i++)
			g_print("%s%s", i > 0 ? "," : "", (const gchar *)invites->pdata[i]);
		g_print("]\n");
		return EXIT_OK;
	}
	g_print(g_dngettext(GETTEXT_PACKAGE, "%u invitation\n", "%u invitations\n", invites->len),
		invites->len);
	for (guint i = 0; i < invites->len; i++) {
		g_autoptr(NhipLiveDescriptor) invite =
			nhip_live_descriptor_parse(invites->pdata[i], -1, &error);
		if (invite == NULL) {
			g_printerr("nhipctl: %s\n", error->message);
			g_clear_error(&error);
			continue;
		}
		g_print(_("  case %s: session %s (%s)\n"),
			invite->packet_id != NULL ? invite->packet_id : "?", invite->session_id,
			invite->state != NULL ? invite->state : "?");
	}
	return EXIT_OK;
}

const NhipctlCommand nhipctl_live_commands[] = {
	{ "live", "call",
	  "PACKET_ID|--descriptor FILE [--video camera|test|motion|none] [--audio mic|test|ticks] "
	  "[--seconds N] [--stats-json FILE] [--chat TEXT] [--device DRIVER:PORT…]",
	  N_("join a case's live consultation"), cmd_live_call },
	{ "live", "invites", "[--wait S]", N_("list the calls doctors started for this station"),
	  cmd_live_invites },
	{ NULL },
};
