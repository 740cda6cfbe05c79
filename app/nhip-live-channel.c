/*
 * Nhịp — a live session's messages through the hub on two threads of their own.
 *
 * The poster sends what nhip_live_channel_post() queued, in order, retrying a message
 * while the link is down (a few times, then it is reported as not sent); the poller
 * long-polls the session's events from the last sequence number seen. Each thread has its
 * own hub link and curl handle (a curl handle is not shared between threads); results
 * reach the main context of the thread that made the channel through
 * g_main_context_invoke_full() and a weak reference, so the channel can be dropped at any
 * time: nhip_live_channel_stop() aborts the transfers in progress and joins the threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-live-channel.h"
#include "nhip-measurement.h"
#include "nhip-transport-error.h"

#define POLL_WAIT   25 /* seconds; under the link's stall timeout */
#define POST_TRIES  4
#define BACKOFF_MAX 10

typedef struct {
	gatomicrefcount ref;
	gchar *session_id;
	gint stop; /* atomic */
	GAsyncQueue *outbox;
	GMainContext *context;
	GWeakRef channel;
	NhipHubLink *post_link;
	NhipHubLink *poll_link;
	gint64 after;
} Shared;

struct _NhipLiveChannel {
	GObject parent_instance;
	Shared *shared;
	GThread *poster;
	GThread *poller;
};

G_DEFINE_TYPE(NhipLiveChannel, nhip_live_channel, G_TYPE_OBJECT)

enum { SIGNAL_EVENT, SIGNAL_POSTED, SIGNAL_NOT_SENT, SIGNAL_STATE, SIGNAL_REACHABLE, N_SIGNALS };
static guint signals[N_SIGNALS];

/* the poster's end-of-work marker */
static NhipLiveEvent quit_marker;

static Shared *
shared_ref(Shared *shared)
{
	g_atomic_ref_count_inc(&shared->ref);
	return shared;
}

static void
shared_unref(Shared *shared)
{
	if (!g_atomic_ref_count_dec(&shared->ref))
		return;
	g_free(shared->session_id);
	g_async_queue_unref(shared->outbox);
	g_main_context_unref(shared->context);
	g_weak_ref_clear(&shared->channel);
	nhip_hub_link_free(shared->post_link);
	nhip_hub_link_free(shared->poll_link);
	g_free(shared);
}

static void
outbox_item_free(gpointer data)
{
	if (data != &quit_marker)
		nhip_live_event_free(data);
}

typedef enum {
	RESULT_EVENT,
	RESULT_POSTED,
	RESULT_NOT_SENT,
	RESULT_STATE,
	RESULT_REACHABLE,
} ResultKind;

typedef struct {
	Shared *shared;
	ResultKind kind;
	NhipLiveEvent *event;
	gchar *state;
	gboolean reachable;
	GError *error;
} Result;

static void
result_free(gpointer data)
{
	Result *result = data;
	shared_unref(result->shared);
	nhip_live_event_free(result->event);
	g_free(result->state);
	g_clear_error(&result->error);
	g_free(result);
}

static gboolean
result_deliver(gpointer data)
{
	Result *result = data;
	g_autoptr(NhipLiveChannel) self = g_weak_ref_get(&result->shared->channel);

	if (self == NULL)
		return G_SOURCE_REMOVE;
	switch (result->kind) {
	case RESULT_EVENT:
		g_signal_emit(self, signals[SIGNAL_EVENT], 0, result->event);
		break;
	case RESULT_POSTED:
		g_signal_emit(self, signals[SIGNAL_POSTED], 0, result->event);
		break;
	case RESULT_NOT_SENT:
		g_signal_emit(self, signals[SIGNAL_NOT_SENT], 0, result->event, result->error);
		break;
	case RESULT_STATE:
		g_signal_emit(self, signals[SIGNAL_STATE], 0, result->state);
		break;
	case RESULT_REACHABLE:
	default:
		g_signal_emit(self, signals[SIGNAL_REACHABLE], 0, result->reachable, result->error);
		break;
	}
	return G_SOURCE_REMOVE;
}

static void
deliver(Shared *shared, ResultKind kind, NhipLiveEvent *event, gchar *state, GError *error)
{
	Result *result = g_new0(Result, 1);

	result->shared = shared_ref(shared);
	result->kind = kind;
	result->event = event;
	result->state = state;
	result->error = error;
	result->reachable = error == NULL;
	g_main_context_invoke_full(shared->context, G_PRIORITY_DEFAULT, result_deliver, result,
				   result_free);
}

/* whether a thread working with @link is to stop: the channel is dropped, or that link's
 * transfers are aborted (nhip_live_channel_stop() aborts the long poll first, and lets the
 * poster send what is queued) */
static gboolean
stopped(Shared *shared, NhipHubLink *link)
{
	return g_atomic_int_get(&shared->stop) || g_atomic_int_get(&link->stop);
}

/* sleeps up to @seconds, less when stopped */
static void
nap(Shared *shared, NhipHubLink *link, guint seconds)
{
	for (guint i = 0; i < seconds * 10 && !stopped(shared, link); i++)
		g_usleep(100 * G_TIME_SPAN_MILLISECOND);
}

static gpointer
poster_thread(gpointer data)
{
	Shared *shared = data;
	g_autoptr(CURL) handle = curl_easy_init();

	while (TRUE) {
		NhipLiveEvent *event = g_async_queue_pop(shared->outbox);
		GError *error = NULL;
		gint64 seq = 0;

		if (event == &quit_marker)
			break;
		/* kept with the visit as the hub records it: from this station */
		if (event->sender == NULL && shared->post_link->station != NULL)
			event->sender = g_strconcat("station:", shared->post_link->station, NULL);
		for (guint attempt = 1;
		     attempt <= POST_TRIES && !stopped(shared, shared->post_link); attempt++) {
			g_clear_error(&error);
			seq = handle != NULL
				      ? nhip_live_link_post(shared->post_link, handle,
							    shared->session_id, event, &error)
				      : 0;
			if (seq > 0 || !nhip_transport_error_is_retry(error))
				break;
			nap(shared, shared->post_link, MIN(attempt * 2, (guint)BACKOFF_MAX));
		}
		if (seq > 0) {
			event->seq = seq;
			deliver(shared, RESULT_POSTED, event, NULL, NULL);
		} else {
			if (error == NULL)
				g_set_error_literal(&error, NHIP_TRANSPORT_ERROR,
						    NHIP_TRANSPORT_ERROR_CANCELLED, _("stopped"));
			deliver(shared, RESULT_NOT_SENT, event, NULL, error);
		}
	}
	shared_unref(shared);
	return NULL;
}

static gpointer
poller_thread(gpointer data)
{
	Shared *shared = data;
	g_autoptr(CURL) handle = curl_easy_init();
	guint failures = 0;
	gint64 after = shared->after;

	/* an aborted long poll ends the loop: asking again would fail at once, for ever */
	while (handle != NULL && !stopped(shared, shared->poll_link)) {
		g_autoptr(GError) error = NULL;
		g_autofree gchar *state = NULL;
		g_autoptr(GPtrArray) events =
			nhip_live_link_events(shared->poll_link, handle, shared->session_id, after,
					      POLL_WAIT, &state, &error);

		if (stopped(shared, shared->poll_link))
			break;
		if (events == NULL) {
			deliver(shared, RESULT_REACHABLE, NULL, NULL, g_steal_pointer(&error));
			failures++;
			nap(shared, shared->poll_link, MIN(failures * 2, (guint)BACKOFF_MAX));
			continue;
		}
		if (failures > 0)
			deliver(shared, RESULT_REACHABLE, NULL, NULL, NULL);
		failures = 0;
		for (guint i = 0; i < events->len; i++) {
			NhipLiveEvent *event = g_ptr_array_steal_index(events, i--);
			after = MAX(after, event->seq);
			deliver(shared, RESULT_EVENT, event, NULL, NULL);
		}
		if (state != NULL)
			deliver(shared, RESULT_STATE, NULL, g_strdup(state), NULL);
		/* nothing more comes after the end */
		if (g_strcmp0(state, "ended") == 0)
			break;
	}
	shared_unref(shared);
	return NULL;
}

/**
 * nhip_live_channel_new:
 * @db_path: the station database (the hub link's files are beside it)
 * @session_id: the live session
 * @after: the last event sequence number already stored (0 for all)
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR_NOT_ENROLLED)
 *
 * Returns: (transfer full) (nullable): a running channel
 */
NhipLiveChannel *
nhip_live_channel_new(const gchar *db_path, const gchar *session_id, gint64 after, GError **error)
{
	g_autoptr(NhipLiveChannel) self = g_object_new(NHIP_TYPE_LIVE_CHANNEL, NULL);
	Shared *shared = self->shared;

	shared->post_link = nhip_hub_link_load(db_path, error);
	if (shared->post_link == NULL)
		return NULL;
	shared->poll_link = nhip_hub_link_load(db_path, error);
	if (shared->poll_link == NULL)
		return NULL;
	shared->post_link->off_main = TRUE;
	shared->poll_link->off_main = TRUE;
	shared->session_id = g_strdup(session_id);
	shared->after = after;
	g_weak_ref_set(&shared->channel, self);
	self->poster = g_thread_new("live-post", poster_thread, shared_ref(shared));
	self->poller = g_thread_new("live-poll", poller_thread, shared_ref(shared));
	return g_steal_pointer(&self);
}

/**
 * nhip_live_channel_post:
 * @self: a channel
 * @event: (transfer full): a chat message, a live vital or a state
 *
 * Queues @event; ::posted (with its sequence number) or ::not-sent follows.
 */
void
nhip_live_channel_post(NhipLiveChannel *self, NhipLiveEvent *event)
{
	g_return_if_fail(NHIP_IS_LIVE_CHANNEL(self));
	g_return_if_fail(event != NULL);
	if (self->poster == NULL) {
		nhip_live_event_free(event);
		return;
	}
	g_async_queue_push(self->shared->outbox, event);
}

/**
 * nhip_live_channel_post_measurement:
 * @self: a channel
 * @measurement: a reading from one of the station's devices
 *
 * Queues the live vitals of @measurement (two for a blood pressure, none for a kind the
 * hub has no code for), with the device's model and the time the device took it.
 *
 * Returns: how many events were queued
 */
guint
nhip_live_channel_post_measurement(NhipLiveChannel *self, NhipMeasurement *measurement)
{
	GDateTime *when;
	g_autoptr(GPtrArray) events = NULL;
	guint n;

	g_return_val_if_fail(NHIP_IS_LIVE_CHANNEL(self), 0);
	g_return_val_if_fail(measurement != NULL, 0);
	when = nhip_measurement_get_device_time(measurement);
	events = nhip_live_events_from_reading(nhip_measurement_get_kind(measurement),
					       nhip_measurement_get_value(measurement),
					       nhip_measurement_get_value2(measurement),
					       nhip_measurement_get_device_model(measurement),
					       when != NULL ? g_date_time_to_unix(when) : 0);
	n = events->len;
	for (guint i = 0; i < events->len; i++)
		nhip_live_channel_post(self, g_ptr_array_steal_index(events, i--));
	return n;
}

/**
 * nhip_live_channel_stop:
 * @self: a channel
 *
 * Sends what is queued (giving up on it when the link is down), stops the long poll and
 * joins the threads. What finished before is still signalled from the main loop.
 */
void
nhip_live_channel_stop(NhipLiveChannel *self)
{
	g_return_if_fail(NHIP_IS_LIVE_CHANNEL(self));

	if (self->poller != NULL) {
		/* the long poll may be waiting for the hub: abort it */
		g_atomic_int_set(&self->shared->poll_link->stop, TRUE);
		g_thread_join(g_steal_pointer(&self->poller));
	}
	if (self->poster != NULL) {
		g_async_queue_push(self->shared->outbox, &quit_marker);
		g_thread_join(g_steal_pointer(&self->poster));
	}
	g_atomic_int_set(&self->shared->stop, TRUE);
}

/**
 * nhip_live_channel_get_session_id:
 * @self: a channel
 *
 * Returns: (transfer none): its session
 */
const gchar *
nhip_live_channel_get_session_id(NhipLiveChannel *self)
{
	g_return_val_if_fail(NHIP_IS_LIVE_CHANNEL(self), NULL);
	return self->shared->session_id;
}

static void
nhip_live_channel_dispose(GObject *object)
{
	NhipLiveChannel *self = NHIP_LIVE_CHANNEL(object);

	/* dropped without stop(): nothing queued is worth waiting for */
	if (self->poster != NULL || self->poller != NULL) {
		g_atomic_int_set(&self->shared->stop, TRUE);
		if (self->shared->post_link != NULL)
			g_atomic_int_set(&self->shared->post_link->stop, TRUE);
		nhip_live_channel_stop(self);
	}
	G_OBJECT_CLASS(nhip_live_channel_parent_class)->dispose(object);
}

static void
nhip_live_channel_finalize(GObject *object)
{
	NhipLiveChannel *self = NHIP_LIVE_CHANNEL(object);

	shared_unref(self->shared);
	G_OBJECT_CLASS(nhip_live_channel_parent_class)->finalize(object);
}

static void
nhip_live_channel_class_init(NhipLiveChannelClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = nhip_live_channel_dispose;
	object_class->finalize = nhip_live_channel_finalize;

	/**
	 * NhipLiveChannel::event:
	 * @self: the channel
	 * @event: (type NhipLiveEvent) (transfer none): an event of the session, in order
	 *   (the station's own ones come back too)
	 */
	signals[SIGNAL_EVENT] = g_signal_new("event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
					     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
	/**
	 * NhipLiveChannel::posted:
	 * @self: the channel
	 * @event: (type NhipLiveEvent) (transfer none): a posted event, with the hub's
	 *   sequence number
	 */
	signals[SIGNAL_POSTED] = g_signal_new("posted", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
					      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
	/**
	 * NhipLiveChannel::not-sent:
	 * @self: the channel
	 * @event: (type NhipLiveEvent) (transfer none): the event
	 * @error: why it could not be sent
	 */
	signals[SIGNAL_NOT_SENT] =
		g_signal_new("not-sent", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			     NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_ERROR);
	/**
	 * NhipLiveChannel::state:
	 * @self: the channel
	 * @state: the session's state on the hub (`waiting`, `active`, `ended`)
	 */
	signals[SIGNAL_STATE] = g_signal_new("state", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
					     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
	/**
	 * NhipLiveChannel::reachable:
	 * @self: the channel
	 * @reachable: whether the hub answers
	 * @error: (nullable): why not
	 */
	signals[SIGNAL_REACHABLE] =
		g_signal_new("reachable", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			     NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_ERROR);
}

static void
nhip_live_channel_init(NhipLiveChannel *self)
{
	self->shared = g_new0(Shared, 1);
	g_atomic_ref_count_init(&self->shared->ref);
	self->shared->outbox = g_async_queue_new_full(outbox_item_free);
	self->shared->context = g_main_context_ref_thread_default();
	g_weak_ref_init(&self->shared->channel, NULL);
}
