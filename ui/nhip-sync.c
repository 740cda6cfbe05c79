/*
 * Nhịp — the kiosk's link to the district (see nhip-sync.h).
 *
 * The sender (app/nhip-sender.c) runs in a thread with its own main context and its own
 * store connection: uploads, receipts and the inbox long-poll never touch the main loop.
 * It takes the station's send and inbox locks, so when the appliance's sync service
 * already sends for this station the kiosk's sender stands by, and takes over if that
 * service stops. Until the station is enrolled the thread looks again every few seconds.
 *
 * The screens do not depend on which program sends: once a second the main thread reads
 * a fingerprint of the packet queue and the replies from its own connection (the same
 * database), and tells the screens when it changed ("packets-changed") and when a
 * doctor's answer arrived that it has not announced yet ("reply-arrived").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-hub-link.h"
#include "nhip-sender.h"
#include "nhip-store-packets.h"
#include "nhip-sync.h"
#include "nhip-transport-error.h"

/* how often the screens' view of the queue is brought up to date (ms) */
#define SYNC_WATCH_MS 1000
/* a station not enrolled yet is looked at again after (s) */
#define SYNC_NOT_ENROLLED_PAUSE 3
/* after the sender had to stop (a pin mismatch, a lost certificate) it starts again after (s) */
#define SYNC_FAILED_PAUSE 60

struct _NhipSync {
	GObject parent_instance;
	gchar *db_path;

	/* the sender thread */
	GThread *thread;
	GMutex lock;
	GCond cond;
	gboolean stopping;  /* under lock */
	gboolean kicked;    /* under lock: look again now */
	NhipSender *sender; /* under lock: the running sender, if any */
	gchar *last_problem;

	/* the watch, in the main thread */
	NhipStore *reader;
	guint watch_source;
	gchar *fingerprint;
	GHashTable *announced; /* reply ids already announced or seen at start */
	gboolean enrolled;
	gchar *hub_url;
	gchar *station_code;
};

G_DEFINE_TYPE(NhipSync, nhip_sync, G_TYPE_OBJECT)

enum { PROP_0, PROP_ENROLLED, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_PACKETS_CHANGED, SIGNAL_REPLY_ARRIVED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ----- the sender thread ----- */

/* waits @seconds, or less when stopped or kicked; FALSE when stopping */
static gboolean
sync_pause(NhipSync *self, gint seconds)
{
	gint64 end = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;
	gboolean go_on;

	g_mutex_lock(&self->lock);
	while (!self->stopping && !self->kicked && g_cond_wait_until(&self->cond, &self->lock, end))
		;
	self->kicked = FALSE;
	go_on = !self->stopping;
	g_mutex_unlock(&self->lock);
	return go_on;
}

/* a problem is logged once, not every few seconds */
static void
sync_problem(NhipSync *self, const GError *error)
{
	if (g_strcmp0(self->last_problem, error->message) == 0)
		return;
	g_free(self->last_problem);
	self->last_problem = g_strdup(error->message);
	if (g_error_matches(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_NOT_ENROLLED))
		g_info("no sending to the district yet: %s", error->message);
	else
		g_warning("sending to the district stopped: %s", error->message);
}

/* one sender run with its own link and store connection; the pause before the next one */
static gint
sync_run_once(NhipSync *self)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubLink) link = nhip_hub_link_load(self->db_path, &error);
	g_autoptr(NhipStore) store = NULL;
	g_autoptr(NhipSender) sender = NULL;
	gboolean ok;

	if (link == NULL) {
		sync_problem(self, error);
		return SYNC_NOT_ENROLLED_PAUSE;
	}
	store = nhip_store_open(self->db_path, &error);
	if (store != NULL)
		sender = nhip_sender_new(store, link, &error);
	if (sender == NULL) {
		sync_problem(self, error);
		return SYNC_FAILED_PAUSE;
	}
	nhip_sender_set_fetch_replies(sender, TRUE);
	g_mutex_lock(&self->lock);
	if (self->stopping) {
		g_mutex_unlock(&self->lock);
		return 0;
	}
	self->sender = sender;
	g_mutex_unlock(&self->lock);
	g_clear_pointer(&self->last_problem, g_free);
	g_info("sending to the district hub %s", link->url);
	ok = nhip_sender_run(sender, FALSE, &error);
	g_mutex_lock(&self->lock);
	self->sender = NULL;
	g_mutex_unlock(&self->lock);
	if (ok)
		return 0;
	sync_problem(self, error);
	return SYNC_FAILED_PAUSE;
}

static gpointer
sync_thread(gpointer data)
{
	NhipSync *self = data;
	GMainContext *context = g_main_context_new();

	/* the sender waits, and libcurl's progress calls iterate, on this context */
	g_main_context_push_thread_default(context);
	while (TRUE) {
		gint pause = sync_run_once(self);
		if (!sync_pause(self, pause))
			break;
	}
	g_main_context_pop_thread_default(context);
	g_main_context_unref(context);
	return NULL;
}

/* ----- the watch ----- */

static void
sync_check_enrolled(NhipSync *self)
{
	g_autoptr(NhipHubLink) link = nhip_hub_link_load(self->db_path, NULL);
	gboolean enrolled = link != NULL && g_file_test(link->cert_path, G_FILE_TEST_EXISTS);
	g_autofree gchar *url = enrolled ? g_strdup(link->url) : NULL;
	g_autofree gchar *code = enrolled ? g_strdup(link->station) : NULL;

	if (enrolled == self->enrolled && g_strcmp0(url, self->hub_url) == 0 &&
	    g_strcmp0(code, self->station_code) == 0)
		return;
	self->enrolled = enrolled;
	g_free(self->hub_url);
	self->hub_url = g_steal_pointer(&url);
	g_free(self->station_code);
	self->station_code = g_steal_pointer(&code);
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ENROLLED]);
}

static void
sync_check_replies(NhipSync *self, gboolean announce)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) unread = nhip_store_reply_list_unread(self->reader, &error);

	if (unread == NULL) {
		g_warning("cannot read the doctors' replies: %s", error->message);
		return;
	}
	/* oldest first, so that the newest toast is the last one shown */
	for (guint i = unread->len; i > 0; i--) {
		NhipReply *reply = g_ptr_array_index(unread, i - 1);
		if (g_hash_table_contains(self->announced, reply->msg_id))
			continue;
		g_hash_table_add(self->announced, g_strdup(reply->msg_id));
		if (announce)
			g_signal_emit(self, signals[SIGNAL_REPLY_ARRIVED], 0, reply->visit_id,
				      reply->doctor);
	}
}

static gboolean
sync_watch(gpointer data)
{
	NhipSync *self = data;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *fingerprint = nhip_store_packet_fingerprint(self->reader, &error);
	gboolean was_enrolled = self->enrolled;

	sync_check_enrolled(self);
	if (fingerprint == NULL) {
		g_warning("cannot read the packet queue: %s", error->message);
		return G_SOURCE_CONTINUE;
	}
	if (g_strcmp0(fingerprint, self->fingerprint) == 0 && was_enrolled == self->enrolled)
		return G_SOURCE_CONTINUE;
	g_free(self->fingerprint);
	self->fingerprint = g_steal_pointer(&fingerprint);
	sync_check_replies(self, TRUE);
	g_signal_emit(self, signals[SIGNAL_PACKETS_CHANGED], 0);
	return G_SOURCE_CONTINUE;
}

/**
 * nhip_sync_start:
 * @self: the link
 * @reader: the main thread's store connection, for the watch
 * @send: run the sender thread too (off for screenshots and benchmarks)
 *
 * Starts watching the queue and, with @send, sending.
 */
void
nhip_sync_start(NhipSync *self, NhipStore *reader, gboolean send)
{
	g_return_if_fail(self->reader == NULL);

	self->reader = g_object_ref(reader);
	self->fingerprint = nhip_store_packet_fingerprint(reader, NULL);
	/* what arrived before the kiosk started is shown by the badges, not announced */
	sync_check_replies(self, FALSE);
	sync_check_enrolled(self);
	self->watch_source = g_timeout_add(SYNC_WATCH_MS, sync_watch, self);
	/* the network monitor is one for the process and tells of changes on the context it
	 * was made on: made here, that is the main loop's (the home screen shows the network),
	 * not the sender thread's, which ends before the program does */
	g_network_monitor_get_default();
	if (send)
		self->thread = g_thread_new("nhip-sender", sync_thread, self);
}

/**
 * nhip_sync_stop:
 * @self: the link
 *
 * Stops the sender (the upload in progress is cut; it resumes at the next start) and
 * waits for its thread.
 */
void
nhip_sync_stop(NhipSync *self)
{
	g_clear_handle_id(&self->watch_source, g_source_remove);
	if (self->thread == NULL)
		return;
	g_mutex_lock(&self->lock);
	self->stopping = TRUE;
	if (self->sender != NULL)
		nhip_sender_stop(self->sender);
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->lock);
	g_thread_join(g_steal_pointer(&self->thread));
}

/**
 * nhip_sync_wake:
 * @self: the link
 *
 * A case was just queued: the sender looks at the queue now.
 */
void
nhip_sync_wake(NhipSync *self)
{
	g_mutex_lock(&self->lock);
	if (self->sender != NULL)
		nhip_sender_wake(self->sender);
	self->kicked = TRUE;
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->lock);
	/* the screens show the new packet without waiting for the next watch */
	nhip_sync_refresh(self);
}

/**
 * nhip_sync_refresh:
 * @self: the link
 *
 * Something the screens show changed here (an answer read): tell them now rather than
 * at the next watch.
 */
void
nhip_sync_refresh(NhipSync *self)
{
	if (self->reader != NULL)
		sync_watch(self);
}

/**
 * nhip_sync_is_enrolled:
 * @self: the link
 *
 * Returns: %TRUE when the station has a certificate for a district hub
 */
gboolean
nhip_sync_is_enrolled(NhipSync *self)
{
	return self->enrolled;
}

/**
 * nhip_sync_get_hub_url:
 * @self: the link
 *
 * Returns: (transfer none) (nullable): the hub the station is enrolled with
 */
const gchar *
nhip_sync_get_hub_url(NhipSync *self)
{
	return self->hub_url;
}

/**
 * nhip_sync_get_station_code:
 * @self: the link
 *
 * Returns: (transfer none) (nullable): the station's code at the hub
 */
const gchar *
nhip_sync_get_station_code(NhipSync *self)
{
	return self->station_code;
}

static void
nhip_sync_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	switch (prop_id) {
	case PROP_ENROLLED:
		g_value_set_boolean(value, NHIP_SYNC(object)->enrolled);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void
nhip_sync_finalize(GObject *object)
{
	NhipSync *self = NHIP_SYNC(object);

	nhip_sync_stop(self);
	g_mutex_clear(&self->lock);
	g_cond_clear(&self->cond);
	g_clear_object(&self->reader);
	g_hash_table_unref(self->announced);
	g_free(self->fingerprint);
	g_free(self->hub_url);
	g_free(self->station_code);
	g_free(self->last_problem);
	g_free(self->db_path);
	G_OBJECT_CLASS(nhip_sync_parent_class)->finalize(object);
}

static void
nhip_sync_class_init(NhipSyncClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->finalize = nhip_sync_finalize;
	object_class->get_property = nhip_sync_get_property;

	/**
	 * NhipSync:enrolled:
	 *
	 * Whether the station is enrolled with a district hub.
	 */
	properties[PROP_ENROLLED] = g_param_spec_boolean("enrolled", NULL, NULL, FALSE,
							 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
								 G_PARAM_EXPLICIT_NOTIFY);
	g_object_class_install_properties(object_class, N_PROPS, properties);

	/**
	 * NhipSync::packets-changed:
	 *
	 * A case was queued or moved on (sending progress included), a reply arrived or was
	 * read, or the enrollment changed.
	 */
	signals[SIGNAL_PACKETS_CHANGED] =
		g_signal_new("packets-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
			     NULL, NULL, NULL, G_TYPE_NONE, 0);

	/**
	 * NhipSync::reply-arrived:
	 * @self: the link
	 * @visit_id: the visit the answered case was about (0 if unknown)
	 * @doctor: (nullable): the doctor who answered
	 *
	 * A doctor's answer arrived.
	 */
	signals[SIGNAL_REPLY_ARRIVED] =
		g_signal_new("reply-arrived", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			     NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

static void
nhip_sync_init(NhipSync *self)
{
	g_mutex_init(&self->lock);
	g_cond_init(&self->cond);
	self->announced = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * nhip_sync_new:
 * @db_path: the station database
 *
 * Returns: (transfer full): the link; start it with nhip_sync_start()
 */
NhipSync *
nhip_sync_new(const gchar *db_path)
{
	NhipSync *self = g_object_new(NHIP_TYPE_SYNC, NULL);
	self->db_path = g_strdup(db_path);
	return self;
}
