/*
 * Nhịp — the call screen.
 *
 * Before a call: which case the call is about, and the big call button (only once the
 * current visit's case has reached the hub). In a call: the doctor's video large (RGBA
 * frames from NhipLiveSession wrapped in GdkMemoryTextures — Debian 12's GTK 4.8 has no
 * GStreamer paintable sink), the station's own picture small, the connection quality in
 * words, the chat, and mute / camera off / hang up. Readings from the station's devices
 * taken during the call go to the doctor as live vitals. Chat and vitals are stored with
 * the visit through the kiosk's database worker.
 *
 * Asking the hub for the session (a blocking HTTPS request) runs on a thread of its own;
 * the call's signalling and its messages have their own threads (NhipJanusClient,
 * NhipLiveChannel): nothing here waits on the network.
 *
 * For a station without a camera the call is audio only from our side. NHIP_LIVE_SOURCES=test
 * uses GStreamer's test picture and tone instead of the camera and microphone (demo, tests).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-call-page.h"
#include "nhip-live-channel.h"
#include "nhip-live-session.h"
#include "nhip-measurement.h"
#include "nhip-store-live.h"
#include "nhip-sync.h"
#include "nhip-ui-util.h"
#include "nhip-vital-ranges.h"
#include "nhip-window.h"
#include "nhip-worker.h"

struct _NhipCallPage {
	AdwBin parent_instance;

	GtkStack *stack;
	AdwStatusPage *start_page;
	GtkButton *call_button;
	GtkPicture *remote_picture;
	GtkPicture *self_picture;
	GtkLabel *waiting_label;
	GtkLabel *peer_label;
	GtkLabel *quality_label;
	GtkListBox *chat_list;
	GtkScrolledWindow *chat_scroll;
	GtkEntry *chat_entry;
	GtkButton *send_button;
	GtkToggleButton *mute_button;
	GtkToggleButton *camera_button;
	GtkButton *hangup_button;

	NhipStation *station;
	gint64 visit_id; /* the visit the call is about, 0 when not known */
	gchar *packet_id;
	NhipLiveSession *session;
	NhipLiveChannel *channel;
	GCancellable *cancellable;
	gulong measurement_id;
	gboolean announced;
	NhipLiveState last_state;
	gboolean hub_ended;   /* the hub ended the session: it takes no more events */
	gboolean follow_chat; /* the chat shows its end, also as new rows are laid out */
	guint chat_tick;
};

G_DEFINE_TYPE(NhipCallPage, nhip_call_page, ADW_TYPE_BIN)

static void call_page_end(NhipCallPage *self);

/* ----- storing the call's messages (database worker) ----- */

typedef struct {
	gchar *session_id;
	gchar *packet_id;
	gchar *started_by;
	NhipLiveEvent *event; /* NULL: note the session */
	gboolean end;
} StoreJob;

static void
store_job_free(gpointer data)
{
	StoreJob *job = data;
	g_free(job->session_id);
	g_free(job->packet_id);
	g_free(job->started_by);
	nhip_live_event_free(job->event);
	g_free(job);
}

static gpointer
store_job(NhipStore *store, gpointer data, GError **error)
{
	StoreJob *job = data;
	gboolean ok;

	if (job->event != NULL)
		ok = nhip_store_live_event_add(store, job->session_id, job->event, error);
	else if (job->end)
		ok = nhip_store_live_session_end(store, job->session_id, error);
	else
		ok = nhip_store_live_session_begin(store, job->session_id, job->packet_id,
						   job->started_by, error);
	return ok ? GINT_TO_POINTER(TRUE) : NULL;
}

static void
store_done(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(GError) error = NULL;

	/* the job's result comes from the station's database worker */
	if (nhip_worker_run_finish(NHIP_WORKER(source), result, &error) == NULL)
		g_warning("cannot store the call's message: %s", error->message);
}

static void
call_page_store(NhipCallPage *self, const NhipLiveEvent *event, gboolean end)
{
	const NhipLiveDescriptor *descriptor = nhip_live_session_get_descriptor(self->session);
	StoreJob *job = g_new0(StoreJob, 1);

	job->session_id = g_strdup(descriptor->session_id);
	job->packet_id = g_strdup(descriptor->packet_id);
	job->started_by = g_strdup(descriptor->started_by);
	job->end = end;
	if (event != NULL) {
		job->event = g_new0(NhipLiveEvent, 1);
		*job->event = *event;
		job->event->sender = g_strdup(event->sender);
		job->event->kind = g_strdup(event->kind);
		job->event->text = g_strdup(event->text);
		job->event->state = g_strdup(event->state);
		job->event->code = g_strdup(event->code);
		job->event->unit = g_strdup(event->unit);
		job->event->device = g_strdup(event->device);
	}
	nhip_station_run(self->station, store_job, job, store_job_free, NULL, store_done, NULL);
}

/* ----- chat ----- */

static void
call_page_add_message(NhipCallPage *self, const gchar *who, const gchar *text, gint64 at)
{
	g_autofree gchar *when = nhip_ui_format_time(at > 0 ? at : g_get_real_time() / 1000000);
	g_autofree gchar *head = g_strdup_printf("%s · %s", who, when);
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	GtkWidget *label = gtk_label_new(text);
	GtkAdjustment *adjustment;

	gtk_box_append(GTK_BOX(box), nhip_ui_label(head, "dim-label"));
	gtk_label_set_wrap(GTK_LABEL(label), TRUE);
	gtk_label_set_wrap_mode(GTK_LABEL(label), PANGO_WRAP_WORD_CHAR);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	gtk_label_set_selectable(GTK_LABEL(label), FALSE);
	gtk_box_append(GTK_BOX(box), label);
	gtk_widget_set_margin_start(box, 8);
	gtk_widget_set_margin_end(box, 8);
	gtk_widget_set_margin_top(box, 6);
	gtk_widget_set_margin_bottom(box, 6);
	gtk_list_box_append(self->chat_list, box);
	/* the list grows only once the new row is laid out: it is followed to its end then */
	self->follow_chat = TRUE;
	adjustment = gtk_scrolled_window_get_vadjustment(self->chat_scroll);
	gtk_adjustment_set_value(adjustment, gtk_adjustment_get_upper(adjustment));
}

/* the viewport sets its own value after telling of a new size: the end is shown at the
 * next frame */
static gboolean
call_page_chat_follow(GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
	NhipCallPage *self = data;
	GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment(self->chat_scroll);

	self->chat_tick = 0;
	if (self->follow_chat)
		gtk_adjustment_set_value(adjustment,
					 gtk_adjustment_get_upper(adjustment) -
						 gtk_adjustment_get_page_size(adjustment));
	return G_SOURCE_REMOVE;
}

static void
call_page_chat_resized(GtkAdjustment *adjustment, NhipCallPage *self)
{
	if (self->follow_chat && self->chat_tick == 0)
		self->chat_tick = gtk_widget_add_tick_callback(GTK_WIDGET(self->chat_scroll),
							       call_page_chat_follow, self, NULL);
}

/* reading back up the chat stops following it, until the next message */
static void
call_page_chat_scrolled(GtkAdjustment *adjustment, NhipCallPage *self)
{
	self->follow_chat =
		gtk_adjustment_get_value(adjustment) >=
		gtk_adjustment_get_upper(adjustment) - gtk_adjustment_get_page_size(adjustment) - 1;
}

static const gchar *
call_page_who(const gchar *sender)
{
	if (g_str_has_prefix(sender != NULL ? sender : "", "station:"))
		return _("This station");
	if (g_str_has_prefix(sender != NULL ? sender : "", "doctor:"))
		return sender + strlen("doctor:");
	return _("District hospital");
}

static void
call_page_on_hub_event(NhipLiveChannel *channel, NhipLiveEvent *event, gpointer data)
{
	NhipCallPage *self = data;

	call_page_store(self, event, FALSE);
	/* our own messages are on screen already */
	if (g_strcmp0(event->kind, "chat") == 0 &&
	    !g_str_has_prefix(event->sender != NULL ? event->sender : "", "station:"))
		call_page_add_message(self, call_page_who(event->sender), event->text, event->at);
}

static void
call_page_on_posted(NhipLiveChannel *channel, NhipLiveEvent *event, gpointer data)
{
	call_page_store(NHIP_CALL_PAGE(data), event, FALSE);
}

static void
call_page_on_not_sent(NhipLiveChannel *channel,
		      NhipLiveEvent *event,
		      const GError *error,
		      gpointer data)
{
	NhipCallPage *self = data;
	NhipWindow *window = nhip_window_from_widget(GTK_WIDGET(self));

	call_page_store(self, event, FALSE);
	if (window != NULL && g_strcmp0(event->kind, "chat") == 0)
		nhip_window_error(window, _("The message could not be sent"), error);
}

static void
call_page_on_hub_state(NhipLiveChannel *channel, const gchar *state, gpointer data)
{
	NhipCallPage *self = data;

	/* the doctor ended the consultation */
	if (g_strcmp0(state, "ended") != 0)
		return;
	self->hub_ended = TRUE;
	if (self->session != NULL)
		nhip_live_session_hang_up(self->session);
}

static void
call_page_send(NhipCallPage *self)
{
	g_autofree gchar *text = nhip_ui_entry_text(GTK_WIDGET(self->chat_entry));
	g_autoptr(NhipLiveEvent) event = NULL;
	g_autoptr(GError) error = NULL;

	if (text == NULL || self->session == NULL)
		return;
	event = nhip_live_event_new_chat(text);
	if (!nhip_live_event_check(event, &error)) {
		nhip_window_error(nhip_window_from_widget(GTK_WIDGET(self)),
				  _("The message could not be sent"), error);
		return;
	}
	call_page_add_message(self, _("This station"), text, 0);
	gtk_editable_set_text(GTK_EDITABLE(self->chat_entry), "");
	if (self->channel != NULL)
		nhip_live_channel_post(self->channel, g_steal_pointer(&event));
}

/* ----- live vitals ----- */

/* what the doctor was sent, in the call's list of messages */
static void
call_page_add_reading(NhipCallPage *self, NhipMeasurement *measurement)
{
	NhipVitalKind kind = nhip_measurement_get_kind(measurement);
	const gchar *model = nhip_measurement_get_device_model(measurement);
	g_autofree gchar *value = nhip_vital_format(kind, nhip_measurement_get_value(measurement),
						    nhip_measurement_get_value2(measurement));
	g_autofree gchar *reading = g_strdup_printf("%s %s %s", nhip_vital_display_name(kind),
						    value, nhip_vital_display_unit(kind));
	g_autofree gchar *text =
		model != NULL ? g_strdup_printf(_("Reading sent to the doctor: %s, from %s"),
						reading, model)
			      : g_strdup_printf(_("Reading sent to the doctor: %s"), reading);

	call_page_add_message(self, _("This station"), text, 0);
}

static void
call_page_on_measurement(NhipDeviceManager *manager,
			 NhipDevice *device,
			 NhipMeasurement *measurement,
			 gpointer data)
{
	NhipCallPage *self = data;

	if (self->channel != NULL &&
	    nhip_live_channel_post_measurement(self->channel, measurement) > 0)
		call_page_add_reading(self, measurement);
}

/* ----- the session ----- */

/* what a screen reader says of a picture: whether there is one, and its size (set again
 * only when that changes, not for every frame) */
static void
call_page_describe(GtkPicture *picture, const gchar *text)
{
	if (g_strcmp0(gtk_picture_get_alternative_text(picture), text) != 0)
		gtk_picture_set_alternative_text(picture, text);
}

static void
call_page_show_remote(NhipCallPage *self, GdkTexture *texture)
{
	g_autofree gchar *text = texture != NULL
					 ? g_strdup_printf(_("Picture from the doctor, %d × %d"),
							   gdk_texture_get_width(texture),
							   gdk_texture_get_height(texture))
					 : g_strdup(_("No picture from the doctor yet"));

	gtk_widget_set_visible(GTK_WIDGET(self->waiting_label), texture == NULL);
	gtk_picture_set_paintable(self->remote_picture, GDK_PAINTABLE(texture));
	call_page_describe(self->remote_picture, text);
}

static void
call_page_show_local(NhipCallPage *self, GdkTexture *texture)
{
	g_autofree gchar *text = NULL;

	if (gtk_toggle_button_get_active(self->camera_button))
		text = g_strdup(_("Camera off: the doctor does not see the station"));
	else if (texture != NULL)
		text = g_strdup_printf(_("Picture from this station's camera, %d × %d"),
				       gdk_texture_get_width(texture),
				       gdk_texture_get_height(texture));
	else
		text = g_strdup(_("No picture from this station's camera"));
	gtk_picture_set_paintable(self->self_picture, GDK_PAINTABLE(texture));
	call_page_describe(self->self_picture, text);
}

static GdkTexture *
call_page_texture(guint width, guint height, guint stride, GBytes *pixels)
{
	return gdk_memory_texture_new((gint)width, (gint)height, GDK_MEMORY_R8G8B8A8, pixels,
				      stride);
}

static void
call_page_on_remote_frame(NhipLiveSession *session,
			  guint width,
			  guint height,
			  guint stride,
			  GBytes *pixels,
			  gpointer data)
{
	g_autoptr(GdkTexture) texture = call_page_texture(width, height, stride, pixels);
	call_page_show_remote(NHIP_CALL_PAGE(data), texture);
}

static void
call_page_on_local_frame(NhipLiveSession *session,
			 guint width,
			 guint height,
			 guint stride,
			 GBytes *pixels,
			 gpointer data)
{
	NhipCallPage *self = data;
	g_autoptr(GdkTexture) texture = NULL;

	/* a frame already on its way when the camera was turned off */
	if (gtk_toggle_button_get_active(self->camera_button))
		return;
	texture = call_page_texture(width, height, stride, pixels);
	call_page_show_local(self, texture);
}

/* the connection in words; rtt in seconds, negative when not known */
static gchar *
call_page_quality_text(NhipLiveState state, gdouble rtt)
{
	gchar *text = NULL;

	switch (state) {
	case NHIP_LIVE_STATE_CONNECTING:
		text = g_strdup(_("Connecting…"));
		break;
	case NHIP_LIVE_STATE_AUDIO_ONLY:
		text = g_strdup(_("Weak connection — audio only"));
		break;
	case NHIP_LIVE_STATE_RECONNECTING:
		text = g_strdup(_("Connection lost — reconnecting…"));
		break;
	case NHIP_LIVE_STATE_ACTIVE:
		if (rtt >= 0)
			text = g_strdup_printf(_("Good connection (delay %.0f ms)"), rtt * 500);
		else
			text = g_strdup(_("Good connection"));
		break;
	case NHIP_LIVE_STATE_IDLE:
	case NHIP_LIVE_STATE_ENDED:
	case NHIP_LIVE_STATE_FAILED:
	default:
		text = g_strdup("");
		break;
	}
	return text;
}

static void
call_page_update_quality(NhipCallPage *self)
{
	g_autofree gchar *text = NULL;

	if (self->session == NULL)
		return;
	text = call_page_quality_text(nhip_live_session_get_state(self->session),
				      nhip_live_session_get_stats(self->session)->sample.rtt);
	gtk_label_set_text(self->quality_label, text);
}

static void
call_page_show_peer(NhipCallPage *self, const gchar *remote)
{
	g_autofree gchar *peer = NULL;

	if (remote != NULL)
		peer = g_strdup_printf(_("In a call with %s"), call_page_who(remote));
	gtk_label_set_text(self->peer_label, peer != NULL ? peer : _("The doctor is not here yet"));
	gtk_label_set_text(self->waiting_label, _("Waiting for the doctor…"));
	if (remote == NULL)
		call_page_show_remote(self, NULL);
	gtk_widget_set_visible(GTK_WIDGET(self->waiting_label), remote == NULL);
}

static void
call_page_on_remote(GObject *object, GParamSpec *pspec, gpointer data)
{
	NhipCallPage *self = data;
	call_page_show_peer(self, nhip_live_session_get_remote_display(self->session));
}

static void
call_page_on_state(GObject *object, GParamSpec *pspec, gpointer data)
{
	NhipCallPage *self = data;
	NhipLiveState state = nhip_live_session_get_state(self->session);
	NhipWindow *window = nhip_window_from_widget(GTK_WIDGET(self));

	call_page_update_quality(self);
	if (self->channel != NULL) {
		if (state == NHIP_LIVE_STATE_ACTIVE && !self->announced) {
			self->announced = TRUE;
			nhip_live_channel_post(self->channel, nhip_live_event_new_state("joined"));
		} else if (state == NHIP_LIVE_STATE_AUDIO_ONLY) {
			nhip_live_channel_post(self->channel,
					       nhip_live_event_new_state("audio-only"));
		} else if (state == NHIP_LIVE_STATE_ACTIVE &&
			   self->last_state == NHIP_LIVE_STATE_AUDIO_ONLY) {
			/* the doctor's page shows the video again only when told */
			nhip_live_channel_post(self->channel, nhip_live_event_new_state("video"));
		}
	}
	self->last_state = state;
	if (state == NHIP_LIVE_STATE_FAILED && window != NULL)
		nhip_window_error(window, _("The call failed"),
				  nhip_live_session_get_error(self->session));
	else if (state == NHIP_LIVE_STATE_ENDED && window != NULL)
		nhip_window_toast(window, _("The call has ended"));
	if (state != NHIP_LIVE_STATE_ENDED && state != NHIP_LIVE_STATE_FAILED)
		return;
	call_page_end(self);
	/* after the call, back to the visit it was about (the readings taken during the call
	 * are there); a failed call stays here, to try again */
	if (state == NHIP_LIVE_STATE_ENDED && window != NULL && self->visit_id > 0 &&
	    g_strcmp0(nhip_window_get_page(window), "call") == 0)
		nhip_window_open_visit(window, self->visit_id);
}

static void
call_page_on_stats(NhipLiveSession *session, gpointer data)
{
	call_page_update_quality(NHIP_CALL_PAGE(data));
}

static void
call_page_begin(NhipCallPage *self, const gchar *descriptor_json)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipLiveDescriptor) descriptor =
		nhip_live_descriptor_parse(descriptor_json, -1, &error);
	NhipWindow *window = nhip_window_from_widget(GTK_WIDGET(self));
	gboolean test = g_strcmp0(g_getenv("NHIP_LIVE_SOURCES"), "test") == 0;
	NhipDeviceManager *devices = nhip_station_get_device_manager(self->station);

	if (descriptor == NULL) {
		nhip_window_error(window, _("The call could not start"), error);
		return;
	}
	if (self->session != NULL)
		call_page_end(self);
	self->session =
		g_object_new(NHIP_TYPE_LIVE_SESSION, "descriptor", descriptor, "video-source",
			     test					      ? "test"
			     : g_file_test("/dev/video0", G_FILE_TEST_EXISTS) ? "camera"
									      : "none",
			     "audio-source", test ? "test" : "mic", "audio-output",
			     test ? "none" : "speaker", NULL);
	g_signal_connect(self->session, "remote-frame", G_CALLBACK(call_page_on_remote_frame),
			 self);
	g_signal_connect(self->session, "local-frame", G_CALLBACK(call_page_on_local_frame), self);
	g_signal_connect(self->session, "notify::state", G_CALLBACK(call_page_on_state), self);
	g_signal_connect(self->session, "notify::remote-display", G_CALLBACK(call_page_on_remote),
			 self);
	g_signal_connect(self->session, "stats-updated", G_CALLBACK(call_page_on_stats), self);
	nhip_ui_remove_all(GTK_WIDGET(self->chat_list));
	gtk_toggle_button_set_active(self->mute_button, FALSE);
	gtk_toggle_button_set_active(self->camera_button, FALSE);
	call_page_show_local(self, NULL);
	call_page_on_remote(NULL, NULL, self);
	gtk_stack_set_visible_child_name(self->stack, "call");
	self->announced = FALSE;
	self->last_state = NHIP_LIVE_STATE_IDLE;
	call_page_store(self, NULL, FALSE);
	self->channel = nhip_live_channel_new(nhip_station_get_db_path(self->station),
					      descriptor->session_id, 0, &error);
	if (self->channel == NULL) {
		g_info("no chat in this call: %s", error->message);
		g_clear_error(&error);
	} else {
		g_signal_connect(self->channel, "event", G_CALLBACK(call_page_on_hub_event), self);
		g_signal_connect(self->channel, "posted", G_CALLBACK(call_page_on_posted), self);
		g_signal_connect(self->channel, "not-sent", G_CALLBACK(call_page_on_not_sent),
				 self);
		g_signal_connect(self->channel, "state", G_CALLBACK(call_page_on_hub_state), self);
	}
	if (devices != NULL)
		self->measurement_id = g_signal_connect(devices, "measurement",
							G_CALLBACK(call_page_on_measurement), self);
	if (!nhip_live_session_start(self->session, &error)) {
		nhip_window_error(window, _("The call could not start"), error);
		call_page_end(self);
	}
}

static void
call_page_end(NhipCallPage *self)
{
	NhipDeviceManager *devices = nhip_station_get_device_manager(self->station);

	if (devices != NULL && self->measurement_id != 0)
		g_clear_signal_handler(&self->measurement_id, devices);
	if (self->channel != NULL) {
		if (!self->hub_ended)
			nhip_live_channel_post(self->channel, nhip_live_event_new_state("left"));
		nhip_live_channel_stop(self->channel);
		g_signal_handlers_disconnect_by_data(self->channel, self);
		g_clear_object(&self->channel);
	}
	if (self->session != NULL) {
		call_page_store(self, NULL, TRUE);
		g_signal_handlers_disconnect_by_data(self->session, self);
		/* a session that is still up hangs up as it goes */
		g_clear_object(&self->session);
	}
	call_page_show_remote(self, NULL);
	call_page_show_local(self, NULL);
	gtk_stack_set_visible_child_name(self->stack, "start");
}

/* ----- asking the hub for the case's session ----- */

static void
open_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	NhipCallPage *self = source;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubLink) link =
		nhip_hub_link_load(nhip_station_get_db_path(self->station), &error);
	g_autoptr(CURL) handle = NULL;
	gchar *descriptor = NULL;

	if (link != NULL) {
		link->off_main = TRUE;
		handle = nhip_hub_link_new_handle(&error);
	}
	if (handle != NULL)
		descriptor = nhip_live_link_open(link, handle, data, &error);
	if (descriptor == NULL)
		g_task_return_error(task, g_steal_pointer(&error));
	else
		g_task_return_pointer(task, descriptor, g_free);
}

static void
open_done(GObject *source, GAsyncResult *result, gpointer data)
{
	NhipCallPage *self = NHIP_CALL_PAGE(source);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *descriptor = g_task_propagate_pointer(G_TASK(result), &error);

	gtk_widget_set_sensitive(GTK_WIDGET(self->call_button), TRUE);
	if (descriptor == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			nhip_window_error(nhip_window_from_widget(GTK_WIDGET(self)),
					  _("The district hospital could not be called"), error);
		return;
	}
	call_page_begin(self, descriptor);
}

static void
call_page_on_call(GtkButton *button, NhipCallPage *self)
{
	GTask *task;

	if (self->packet_id == NULL)
		return;
	gtk_widget_set_sensitive(GTK_WIDGET(self->call_button), FALSE);
	g_clear_object(&self->cancellable);
	self->cancellable = g_cancellable_new();
	task = g_task_new(self, self->cancellable, open_done, NULL);
	g_task_set_task_data(task, g_strdup(self->packet_id), g_free);
	g_task_run_in_thread(task, open_thread);
	g_object_unref(task);
}

/* the hub ends the session for everyone: the doctor's page closes too */
static void
hang_up_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	NhipCallPage *self = source;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubLink) link =
		nhip_hub_link_load(nhip_station_get_db_path(self->station), &error);
	g_autoptr(CURL) handle = link != NULL ? nhip_hub_link_new_handle(&error) : NULL;

	if (link != NULL)
		link->off_main = TRUE;
	if (handle != NULL && !nhip_live_link_hang_up(link, handle, data, &error))
		g_info("the hub did not end the session: %s", error->message);
	g_task_return_boolean(task, TRUE);
}

static void
call_page_on_hang_up(GtkButton *button, NhipCallPage *self)
{
	const NhipLiveDescriptor *descriptor;
	GTask *task;

	if (self->session == NULL)
		return;
	descriptor = nhip_live_session_get_descriptor(self->session);
	task = g_task_new(self, NULL, NULL, NULL);
	g_task_set_task_data(task, g_strdup(descriptor->session_id), g_free);
	g_task_run_in_thread(task, hang_up_thread);
	g_object_unref(task);
	nhip_live_session_hang_up(self->session);
}

/**
 * nhip_call_page_hang_up:
 * @self: the call screen
 *
 * Ends the call, if there is one (the kiosk locks itself).
 */
void
nhip_call_page_hang_up(NhipCallPage *self)
{
	g_return_if_fail(NHIP_IS_CALL_PAGE(self));
	call_page_on_hang_up(NULL, self);
}

/* the buttons say what a tap does next, as the doctor's page does; pressed while the
 * microphone or camera is off */
static void
call_page_on_mute(GtkToggleButton *button, NhipCallPage *self)
{
	gboolean muted = gtk_toggle_button_get_active(button);

	gtk_button_set_label(GTK_BUTTON(button), muted ? _("Unmute") : _("Mute"));
	if (self->session != NULL)
		nhip_live_session_set_muted(self->session, muted);
}

static void
call_page_on_camera(GtkToggleButton *button, NhipCallPage *self)
{
	gboolean off = gtk_toggle_button_get_active(button);

	gtk_button_set_label(GTK_BUTTON(button), off ? _("Camera on") : _("Camera off"));
	if (self->session != NULL)
		nhip_live_session_set_camera_off(self->session, off);
	/* the description says the camera is off; the picture comes back with the next frame */
	call_page_show_local(self, NULL);
}

/* the start screen: which case, and whether a call is possible yet */
static void
call_page_refresh(NhipCallPage *self)
{
	NhipStore *store = nhip_station_get_store(self->station);
	g_autoptr(GError) error = NULL;

	if (self->session != NULL)
		return;
	g_clear_pointer(&self->packet_id, g_free);
	if (store != NULL && self->visit_id > 0)
		self->packet_id = nhip_store_live_packet_for_visit(store, self->visit_id, &error);
	if (error != NULL)
		g_warning("%s", error->message);
	adw_status_page_set_description(
		self->start_page,
		self->packet_id != NULL
			? _("The district doctor has this visit's case. A video call lets them "
			    "see and hear the patient; the readings you take during the call reach "
			    "them at once.")
			: _("A call is possible once this visit's case has reached the district "
			    "hospital: send the case first, from “Ask the district”."));
	gtk_widget_set_sensitive(GTK_WIDGET(self->call_button), self->packet_id != NULL);
}

/* the case reached the hub while the start screen was shown: the call button comes on */
static void
call_page_packets_changed(NhipSync *sync, NhipCallPage *self)
{
	if (gtk_widget_get_mapped(GTK_WIDGET(self)))
		call_page_refresh(self);
}

static void
call_page_map(GtkWidget *widget)
{
	GTK_WIDGET_CLASS(nhip_call_page_parent_class)->map(widget);
	call_page_refresh(NHIP_CALL_PAGE(widget));
}

/**
 * nhip_call_page_join:
 * @self: the call screen
 * @descriptor_json: a session descriptor (a doctor's invitation)
 *
 * Joins the session a doctor started.
 */
void
nhip_call_page_join(NhipCallPage *self, const gchar *descriptor_json)
{
	g_autoptr(NhipLiveDescriptor) descriptor = NULL;
	NhipStore *store = nhip_station_get_store(self->station);

	g_return_if_fail(NHIP_IS_CALL_PAGE(self));
	/* a doctor's call names the case: the visit it is about, for the readings taken
	 * during the call and the way back afterwards */
	descriptor = nhip_live_descriptor_parse(descriptor_json, -1, NULL);
	if (descriptor != NULL && descriptor->packet_id != NULL && store != NULL) {
		g_autoptr(GError) error = NULL;
		self->visit_id =
			nhip_store_live_visit_for_packet(store, descriptor->packet_id, &error);
		if (error != NULL)
			g_warning("%s", error->message);
	}
	call_page_begin(self, descriptor_json);
}

/**
 * nhip_call_page_set_visit:
 * @self: the call screen
 * @visit_id: the visit to call about (its case must have reached the hub)
 *
 * Does nothing during a call.
 */
void
nhip_call_page_set_visit(NhipCallPage *self, gint64 visit_id)
{
	g_return_if_fail(NHIP_IS_CALL_PAGE(self));
	if (self->session != NULL)
		return;
	self->visit_id = visit_id;
	if (gtk_widget_get_mapped(GTK_WIDGET(self)))
		call_page_refresh(self);
}

/**
 * nhip_call_page_get_visit:
 * @self: the call screen
 *
 * Returns: the visit the call is (or would be) about, 0 when none; device readings taken
 *   while the call screen is shown are stored with it
 */
gint64
nhip_call_page_get_visit(NhipCallPage *self)
{
	g_return_val_if_fail(NHIP_IS_CALL_PAGE(self), 0);
	return self->visit_id;
}

/**
 * nhip_call_page_in_call:
 * @self: the call screen
 *
 * Returns: whether a call is going on
 */
gboolean
nhip_call_page_in_call(NhipCallPage *self)
{
	g_return_val_if_fail(NHIP_IS_CALL_PAGE(self), FALSE);
	return self->session != NULL;
}

/**
 * nhip_call_page_show_demo:
 * @self: the call screen
 * @demo: what to show
 *
 * Shows the call screen as in a connected call, without a network: the pictures, the
 * messages and the reading of @demo go through the same code as a real call's (the
 * screenshots of the documentation, nhip-screenshot.c). Nothing is sent or stored.
 */
void
nhip_call_page_show_demo(NhipCallPage *self, const NhipCallDemo *demo)
{
	g_autofree gchar *quality = NULL;

	g_return_if_fail(NHIP_IS_CALL_PAGE(self));
	g_return_if_fail(self->session == NULL);
	nhip_ui_remove_all(GTK_WIDGET(self->chat_list));
	call_page_show_peer(self, demo->doctor);
	call_page_show_remote(self, demo->remote);
	call_page_show_local(self, demo->local);
	quality = call_page_quality_text(NHIP_LIVE_STATE_ACTIVE, demo->rtt);
	gtk_label_set_text(self->quality_label, quality);
	for (guint i = 0; demo->messages != NULL && demo->messages[i].text != NULL; i++)
		call_page_add_message(self, call_page_who(demo->messages[i].sender),
				      demo->messages[i].text, demo->messages[i].at);
	if (demo->reading != NULL)
		call_page_add_reading(self, demo->reading);
	gtk_stack_set_visible_child_name(self->stack, "call");
}

static void
nhip_call_page_dispose(GObject *object)
{
	NhipCallPage *self = NHIP_CALL_PAGE(object);

	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	if (self->chat_tick != 0 && self->chat_scroll != NULL)
		gtk_widget_remove_tick_callback(GTK_WIDGET(self->chat_scroll), self->chat_tick);
	self->chat_tick = 0;
	if (self->station != NULL)
		call_page_end(self);
	g_clear_pointer(&self->packet_id, g_free);
	g_clear_object(&self->station);
	G_OBJECT_CLASS(nhip_call_page_parent_class)->dispose(object);
}

static void
nhip_call_page_class_init(NhipCallPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = nhip_call_page_dispose;
	widget_class->map = call_page_map;
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/vn/nhip/Station/nhip-call-page.ui");
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, stack);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, start_page);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, call_button);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, remote_picture);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, self_picture);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, waiting_label);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, peer_label);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, quality_label);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, chat_list);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, chat_scroll);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, chat_entry);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, send_button);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, mute_button);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, camera_button);
	gtk_widget_class_bind_template_child(widget_class, NhipCallPage, hangup_button);
}

static void
nhip_call_page_init(NhipCallPage *self)
{
	GtkAdjustment *adjustment;

	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect(self->call_button, "clicked", G_CALLBACK(call_page_on_call), self);
	g_signal_connect_swapped(self->send_button, "clicked", G_CALLBACK(call_page_send), self);
	g_signal_connect_swapped(self->chat_entry, "activate", G_CALLBACK(call_page_send), self);
	g_signal_connect(self->hangup_button, "clicked", G_CALLBACK(call_page_on_hang_up), self);
	g_signal_connect(self->mute_button, "toggled", G_CALLBACK(call_page_on_mute), self);
	g_signal_connect(self->camera_button, "toggled", G_CALLBACK(call_page_on_camera), self);
	adjustment = gtk_scrolled_window_get_vadjustment(self->chat_scroll);
	g_signal_connect_object(adjustment, "changed", G_CALLBACK(call_page_chat_resized), self, 0);
	g_signal_connect_object(adjustment, "value-changed", G_CALLBACK(call_page_chat_scrolled),
				self, 0);
}

/**
 * nhip_call_page_new:
 * @station: the kiosk's state
 *
 * Returns: (transfer floating): the call screen
 */
GtkWidget *
nhip_call_page_new(NhipStation *station)
{
	NhipCallPage *self = g_object_new(NHIP_TYPE_CALL_PAGE, NULL);
	self->station = g_object_ref(station);
	g_signal_connect_object(nhip_station_get_sync(station), "packets-changed",
				G_CALLBACK(call_page_packets_changed), self, 0);
	return GTK_WIDGET(self);
}
