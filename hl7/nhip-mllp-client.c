/*
 * Nhịp — MLLP client: sends HL7 v2 messages and waits for their acknowledgments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-mllp-client.h"
#include "nhip-mllp-framer.h"

/*
 * One message is in flight at a time; later sends wait in a queue, so acknowledgments
 * cannot be confused. Each attempt goes through phases (connect + TLS handshake, then
 * write + wait for the ACK, then the back-off pause before the next attempt). A phase owns
 * a fresh GCancellable that its timer cancels on timeout and that the caller's cancellable
 * cancels too, so one code path handles both.
 */

#define CLIENT_READ_CHUNK 16384

struct _NhipMllpClient {
	GObject parent_instance;
	gchar *host;
	guint16 port;
	guint connect_timeout_ms;
	guint ack_timeout_ms;
	guint max_attempts;
	guint retry_delay_ms;
	guint max_retry_delay_ms;
	gboolean keep_alive;
	gboolean tls;
	GTlsDatabase *tls_database;
	GTlsCertificate *tls_certificate;
	GSocketClient *socket_client;
	GIOStream *stream; /* the connection kept open between messages */
	GQueue queue;	   /* of GTask, waiting */
	GTask *current;
	guint last_attempts;
};

G_DEFINE_TYPE(NhipMllpClient, nhip_mllp_client, G_TYPE_OBJECT)

enum { PROP_0, PROP_HOST, PROP_PORT, N_PROPS };

static GParamSpec *properties[N_PROPS];

typedef enum {
	SEND_PHASE_CONNECT,
	SEND_PHASE_EXCHANGE,
	SEND_PHASE_BACKOFF,
} NhipMllpSendPhase;

typedef struct {
	GBytes *frame;
	gchar *control_id;
	guint attempt;
	gboolean reused;
	gboolean free_retry_used;
	NhipMllpSendPhase phase;
	GMutex mutex; /* guards phase_cancellable against the caller's cancel handler */
	GCancellable *phase_cancellable;
	GSource *timeout_source;
	GSource *backoff_source;
	gboolean timed_out;
	GCancellable *cancellable;
	gulong cancelled_id;
	GIOStream *stream;
	NhipMllpFramer *framer;
	GMainContext *context;
} NhipMllpSendData;

static void
send_data_phase_end(NhipMllpSendData *data)
{
	if (data->timeout_source != NULL) {
		g_source_destroy(data->timeout_source);
		g_clear_pointer(&data->timeout_source, g_source_unref);
	}
	if (data->backoff_source != NULL) {
		g_source_destroy(data->backoff_source);
		g_clear_pointer(&data->backoff_source, g_source_unref);
	}
}

static void
send_data_free(NhipMllpSendData *data)
{
	send_data_phase_end(data);
	if (data->cancelled_id != 0)
		g_cancellable_disconnect(data->cancellable, data->cancelled_id);
	g_clear_object(&data->cancellable);
	g_clear_object(&data->phase_cancellable);
	g_mutex_clear(&data->mutex);
	g_bytes_unref(data->frame);
	g_free(data->control_id);
	g_clear_object(&data->stream);
	g_clear_object(&data->framer);
	g_main_context_unref(data->context);
	g_free(data);
}

static void
send_data_cancelled_cb(GCancellable *cancellable, gpointer user_data)
{
	NhipMllpSendData *data = user_data;

	g_mutex_lock(&data->mutex);
	if (data->phase_cancellable != NULL)
		g_cancellable_cancel(data->phase_cancellable);
	g_mutex_unlock(&data->mutex);
}

static gboolean
send_data_timeout_cb(gpointer user_data)
{
	NhipMllpSendData *data = user_data;

	data->timed_out = TRUE;
	g_cancellable_cancel(data->phase_cancellable);
	g_clear_pointer(&data->timeout_source, g_source_unref);
	return G_SOURCE_REMOVE;
}

static GCancellable *
send_data_phase_begin(NhipMllpSendData *data, NhipMllpSendPhase phase, guint timeout_ms)
{
	send_data_phase_end(data);
	g_mutex_lock(&data->mutex);
	g_clear_object(&data->phase_cancellable);
	data->phase_cancellable = g_cancellable_new();
	g_mutex_unlock(&data->mutex);
	data->phase = phase;
	data->timed_out = FALSE;
	if (data->cancellable != NULL && g_cancellable_is_cancelled(data->cancellable))
		g_cancellable_cancel(data->phase_cancellable);
	if (timeout_ms > 0) {
		data->timeout_source = g_timeout_source_new(timeout_ms);
		g_source_set_callback(data->timeout_source, send_data_timeout_cb, data, NULL);
		g_source_attach(data->timeout_source, data->context);
	}
	return data->phase_cancellable;
}

static void
nhip_mllp_client_finalize(GObject *object)
{
	NhipMllpClient *self = NHIP_MLLP_CLIENT(object);

	/* queued tasks hold a reference to the client, so the queue is empty here */
	g_warn_if_fail(g_queue_is_empty(&self->queue));
	g_free(self->host);
	g_clear_object(&self->tls_database);
	g_clear_object(&self->tls_certificate);
	g_clear_object(&self->socket_client);
	g_clear_object(&self->stream);
	G_OBJECT_CLASS(nhip_mllp_client_parent_class)->finalize(object);
}

static void
nhip_mllp_client_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
	NhipMllpClient *self = NHIP_MLLP_CLIENT(object);

	switch (prop_id) {
	case PROP_HOST:
		g_value_set_string(value, self->host);
		break;
	case PROP_PORT:
		g_value_set_uint(value, self->port);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
nhip_mllp_client_set_property(GObject *object,
			      guint prop_id,
			      const GValue *value,
			      GParamSpec *pspec)
{
	NhipMllpClient *self = NHIP_MLLP_CLIENT(object);

	switch (prop_id) {
	case PROP_HOST:
		g_free(self->host);
		self->host = g_value_dup_string(value);
		break;
	case PROP_PORT:
		self->port = (guint16)g_value_get_uint(value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
}

static void
nhip_mllp_client_class_init(NhipMllpClientClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->finalize = nhip_mllp_client_finalize;
	object_class->get_property = nhip_mllp_client_get_property;
	object_class->set_property = nhip_mllp_client_set_property;

	/**
	 * NhipMllpClient:host:
	 *
	 * The host name or address of the receiver.
	 */
	properties[PROP_HOST] = g_param_spec_string("host", NULL, NULL, "localhost",
						    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
							    G_PARAM_STATIC_STRINGS);
	/**
	 * NhipMllpClient:port:
	 *
	 * The TCP port of the receiver.
	 */
	properties[PROP_PORT] = g_param_spec_uint("port", NULL, NULL, 1, G_MAXUINT16, 2575,
						  G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
							  G_PARAM_STATIC_STRINGS);
	g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void
nhip_mllp_client_init(NhipMllpClient *self)
{
	self->connect_timeout_ms = 10000;
	self->ack_timeout_ms = 30000;
	self->max_attempts = 5;
	self->retry_delay_ms = 1000;
	self->max_retry_delay_ms = 60000;
	self->keep_alive = TRUE;
	self->socket_client = g_socket_client_new();
	/* MLLP goes straight to the HIS: HTTP proxies do not carry it */
	g_socket_client_set_enable_proxy(self->socket_client, FALSE);
	g_queue_init(&self->queue);
}

/**
 * nhip_mllp_client_new:
 * @host: the receiver's host name or address
 * @port: the receiver's TCP port
 *
 * Creates a client for one receiver. By default it waits 10 s to connect and 30 s for each
 * acknowledgment, makes up to 5 attempts with delays of 1, 2, 4, 8 s (at most 60 s), keeps
 * the connection open between messages and does not use TLS.
 *
 * Returns: (transfer full): a new client
 */
NhipMllpClient *
nhip_mllp_client_new(const gchar *host, guint16 port)
{
	g_return_val_if_fail(host != NULL, NULL);
	return g_object_new(NHIP_TYPE_MLLP_CLIENT, "host", host, "port", (guint)port, NULL);
}

/**
 * nhip_mllp_client_set_timeouts:
 * @self: a client
 * @connect_timeout_ms: how long to wait for the connection and the TLS handshake, 0 for
 *   no limit
 * @ack_timeout_ms: how long to wait for the acknowledgment after sending, 0 for no limit
 *
 * Sets the timeouts of one attempt.
 */
void
nhip_mllp_client_set_timeouts(NhipMllpClient *self, guint connect_timeout_ms, guint ack_timeout_ms)
{
	g_return_if_fail(NHIP_IS_MLLP_CLIENT(self));
	self->connect_timeout_ms = connect_timeout_ms;
	self->ack_timeout_ms = ack_timeout_ms;
}

/**
 * nhip_mllp_client_set_retry:
 * @self: a client
 * @max_attempts: how many times to try one message, at least 1
 * @retry_delay_ms: the pause after the first failed attempt; it doubles after each
 * @max_retry_delay_ms: the longest pause
 *
 * Sets how failed attempts (no connection, timeout, closed connection, garbled answer) are
 * retried. An answer of AE or AR is not retried: it is returned.
 */
void
nhip_mllp_client_set_retry(NhipMllpClient *self,
			   guint max_attempts,
			   guint retry_delay_ms,
			   guint max_retry_delay_ms)
{
	g_return_if_fail(NHIP_IS_MLLP_CLIENT(self));
	self->max_attempts = MAX(max_attempts, 1);
	self->retry_delay_ms = retry_delay_ms;
	self->max_retry_delay_ms = MAX(max_retry_delay_ms, retry_delay_ms);
}

/**
 * nhip_mllp_client_set_keep_alive:
 * @self: a client
 * @keep_alive: whether to keep the connection open between messages
 *
 * A kept connection that the receiver closed meanwhile is reopened without counting an
 * attempt.
 */
void
nhip_mllp_client_set_keep_alive(NhipMllpClient *self, gboolean keep_alive)
{
	g_return_if_fail(NHIP_IS_MLLP_CLIENT(self));
	self->keep_alive = keep_alive;
	if (!keep_alive)
		g_clear_object(&self->stream);
}

/**
 * nhip_mllp_client_set_tls:
 * @self: a client
 * @tls: whether to speak TLS
 *
 * Turns TLS on or off. The receiver's certificate is checked against the system's
 * authorities unless nhip_mllp_client_set_tls_ca_file() names others.
 */
void
nhip_mllp_client_set_tls(NhipMllpClient *self, gboolean tls)
{
	g_return_if_fail(NHIP_IS_MLLP_CLIENT(self));
	self->tls = tls;
	g_clear_object(&self->stream);
}

/**
 * nhip_mllp_client_set_tls_database:
 * @self: a client
 * @database: (nullable): the certificate authorities to trust, or %NULL for the system's
 *
 * Sets the authorities that may sign the receiver's certificate.
 */
void
nhip_mllp_client_set_tls_database(NhipMllpClient *self, GTlsDatabase *database)
{
	g_return_if_fail(NHIP_IS_MLLP_CLIENT(self));
	g_set_object(&self->tls_database, database);
}

/**
 * nhip_mllp_client_set_tls_ca_file:
 * @self: a client
 * @ca_file: a PEM file of certificate authorities
 * @error: return location for a #GError
 *
 * Trusts only the authorities in @ca_file for the receiver's certificate.
 *
 * Returns: %TRUE if the file could be loaded
 */
gboolean
nhip_mllp_client_set_tls_ca_file(NhipMllpClient *self, const gchar *ca_file, GError **error)
{
	g_autoptr(GTlsDatabase) database = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(NHIP_IS_MLLP_CLIENT(self), FALSE);
	g_return_val_if_fail(ca_file != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	database = g_tls_file_database_new(ca_file, &error_local);
	if (database == NULL) {
		g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TLS,
			    _("cannot load the certificate authorities from %s: %s"), ca_file,
			    error_local->message);
		return FALSE;
	}
	g_set_object(&self->tls_database, database);
	return TRUE;
}

/**
 * nhip_mllp_client_set_tls_certificate:
 * @self: a client
 * @certificate: (nullable): the client certificate with its private key, or %NULL
 *
 * Sets the certificate presented to receivers that ask for one (mutual TLS).
 */
void
nhip_mllp_client_set_tls_certificate(NhipMllpClient *self, GTlsCertificate *certificate)
{
	g_return_if_fail(NHIP_IS_MLLP_CLIENT(self));
	g_set_object(&self->tls_certificate, certificate);
}

/**
 * nhip_mllp_client_get_last_attempts:
 * @self: a client
 *
 * Returns: how many attempts the last finished send made
 */
guint
nhip_mllp_client_get_last_attempts(NhipMllpClient *self)
{
	g_return_val_if_fail(NHIP_IS_MLLP_CLIENT(self), 0);
	return self->last_attempts;
}

/**
 * nhip_mllp_client_disconnect:
 * @self: a client
 *
 * Closes the connection kept between messages; the next send opens a new one.
 */
void
nhip_mllp_client_disconnect(NhipMllpClient *self)
{
	g_return_if_fail(NHIP_IS_MLLP_CLIENT(self));
	g_clear_object(&self->stream);
}

static void client_attempt_start(GTask *task);
static void client_exchange_start(GTask *task);

static void
client_start_next(NhipMllpClient *self)
{
	if (self->current != NULL || g_queue_is_empty(&self->queue))
		return;
	self->current = g_queue_pop_head(&self->queue);
	client_attempt_start(self->current);
}

/* finishes the current task; the task is consumed */
static void
client_task_done(GTask *task, NhipHl7Ack *ack, GError *error)
{
	/* the callback may drop the last reference the caller holds */
	g_autoptr(NhipMllpClient) self = g_object_ref(g_task_get_source_object(task));
	NhipMllpSendData *data = g_task_get_task_data(task);

	send_data_phase_end(data);
	self->last_attempts = data->attempt;
	self->current = NULL;
	if (ack != NULL)
		g_task_return_pointer(task, ack, (GDestroyNotify)nhip_hl7_ack_unref);
	else
		g_task_return_error(task, error);
	g_object_unref(task);
	client_start_next(self);
}

static gboolean
client_backoff_done_cb(GCancellable *cancellable, gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	NhipMllpSendData *data = g_task_get_task_data(task);

	g_clear_pointer(&data->backoff_source, g_source_unref);
	if (!data->timed_out) {
		client_task_done(task, NULL,
				 g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED,
						     _("sending the HL7 message was cancelled")));
		return G_SOURCE_REMOVE;
	}
	client_attempt_start(task);
	return G_SOURCE_REMOVE;
}

static gboolean
client_error_is_retriable(const GError *error)
{
	return g_error_matches(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TIMED_OUT) ||
	       g_error_matches(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION) ||
	       g_error_matches(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_PROTOCOL);
}

/* turns an I/O error of the current phase into one of ours; @error is consumed */
static GError *
client_translate_error(NhipMllpClient *self, NhipMllpSendData *data, GError *error)
{
	g_autoptr(GError) io_error = error;

	if (g_error_matches(io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && data->timed_out) {
		if (data->phase == SEND_PHASE_CONNECT)
			return g_error_new(NHIP_HL7_ERROR, NHIP_HL7_ERROR_TIMED_OUT,
					   _("no connection to %s:%u within %u ms"), self->host,
					   (guint)self->port, self->connect_timeout_ms);
		return g_error_new(NHIP_HL7_ERROR, NHIP_HL7_ERROR_TIMED_OUT,
				   _("no acknowledgment from %s:%u within %u ms"), self->host,
				   (guint)self->port, self->ack_timeout_ms);
	}
	if (io_error->domain == NHIP_HL7_ERROR ||
	    g_error_matches(io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return g_steal_pointer(&io_error);
	if (io_error->domain == G_TLS_ERROR)
		return g_error_new(NHIP_HL7_ERROR, NHIP_HL7_ERROR_TLS,
				   _("TLS with %s:%u failed: %s; check the certificate settings"),
				   self->host, (guint)self->port, io_error->message);
	return g_error_new(NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION, "%s:%u: %s", self->host,
			   (guint)self->port, io_error->message);
}

/* an attempt failed: retry after a pause, or give up; @error is consumed */
static void
client_attempt_failed(GTask *task, GError *error)
{
	NhipMllpClient *self = g_task_get_source_object(task);
	NhipMllpSendData *data = g_task_get_task_data(task);
	g_autoptr(GError) translated = client_translate_error(self, data, error);
	guint delay_ms;

	send_data_phase_end(data);
	if (self->stream == data->stream)
		g_clear_object(&self->stream);
	g_clear_object(&data->stream);

	if (g_cancellable_is_cancelled(data->cancellable) ||
	    g_error_matches(translated, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		client_task_done(task, NULL,
				 g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED,
						     _("sending the HL7 message was cancelled")));
		return;
	}
	/* a kept connection may have been closed by the receiver while idle */
	if (data->reused && !data->free_retry_used &&
	    g_error_matches(translated, NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION)) {
		g_debug("kept MLLP connection to %s:%u was closed; reconnecting", self->host,
			(guint)self->port);
		data->free_retry_used = TRUE;
		data->attempt--;
		client_attempt_start(task);
		return;
	}
	if (!client_error_is_retriable(translated) || data->attempt >= self->max_attempts) {
		g_prefix_error(&translated,
			       g_dngettext(GETTEXT_PACKAGE,
					   "could not deliver HL7 message %s to %s:%u after %u "
					   "attempt: ",
					   "could not deliver HL7 message %s to %s:%u after %u "
					   "attempts: ",
					   data->attempt),
			       data->control_id, self->host, (guint)self->port, data->attempt);
		client_task_done(task, NULL, g_steal_pointer(&translated));
		return;
	}

	delay_ms = self->retry_delay_ms;
	for (guint i = 1; i < data->attempt && delay_ms < self->max_retry_delay_ms; i++)
		delay_ms = MIN((guint64)delay_ms * 2, self->max_retry_delay_ms);
	g_info("MLLP attempt %u/%u to %s:%u failed: %s; retrying in %u ms", data->attempt,
	       self->max_attempts, self->host, (guint)self->port, translated->message, delay_ms);

	/* the timer "times out" the back-off phase; a cancel ends it early */
	send_data_phase_begin(data, SEND_PHASE_BACKOFF, MAX(delay_ms, 1));
	data->backoff_source = g_cancellable_source_new(data->phase_cancellable);
	g_source_set_callback(data->backoff_source, G_SOURCE_FUNC(client_backoff_done_cb), task,
			      NULL);
	g_source_attach(data->backoff_source, data->context);
}

static void
client_read_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	NhipMllpClient *self = g_task_get_source_object(task);
	NhipMllpSendData *data = g_task_get_task_data(task);
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GBytes) frame = NULL;
	g_autoptr(NhipHl7Ack) ack = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *frame_data;
	gsize frame_len = 0;

	bytes = g_input_stream_read_bytes_finish(G_INPUT_STREAM(source), result, &error);
	if (bytes == NULL) {
		client_attempt_failed(task, g_steal_pointer(&error));
		return;
	}
	if (g_bytes_get_size(bytes) == 0) {
		client_attempt_failed(task, g_error_new(NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION,
							_("%s:%u closed the connection without "
							  "acknowledging the message"),
							self->host, (guint)self->port));
		return;
	}
	if (!nhip_mllp_framer_feed(data->framer, g_bytes_get_data(bytes, NULL),
				   g_bytes_get_size(bytes), &error)) {
		client_attempt_failed(task, g_error_new(NHIP_HL7_ERROR, NHIP_HL7_ERROR_PROTOCOL,
							_("the answer is not usable: %s"),
							error->message));
		return;
	}
	frame = nhip_mllp_framer_pop(data->framer);
	if (frame == NULL) {
		g_input_stream_read_bytes_async(g_io_stream_get_input_stream(data->stream),
						CLIENT_READ_CHUNK, G_PRIORITY_DEFAULT,
						data->phase_cancellable, client_read_cb, task);
		return;
	}
	frame_data = g_bytes_get_data(frame, &frame_len);
	ack = nhip_hl7_ack_parse_data(frame_data, frame_len, &error);
	if (ack == NULL) {
		client_attempt_failed(task, g_error_new(NHIP_HL7_ERROR, NHIP_HL7_ERROR_PROTOCOL,
							_("the acknowledgment is garbled: %s"),
							error->message));
		return;
	}
	if (data->control_id[0] != '\0' &&
	    g_strcmp0(nhip_hl7_ack_get_control_id(ack), data->control_id) != 0) {
		client_attempt_failed(
			task, g_error_new(NHIP_HL7_ERROR, NHIP_HL7_ERROR_PROTOCOL,
					  _("the acknowledgment is for message “%s”, not for “%s”"),
					  nhip_hl7_ack_get_control_id(ack), data->control_id));
		return;
	}
	g_debug("MLLP message %s acknowledged %s by %s:%u", data->control_id,
		nhip_hl7_ack_code_to_string(nhip_hl7_ack_get_code(ack)), self->host,
		(guint)self->port);
	if (self->keep_alive)
		g_set_object(&self->stream, data->stream);
	else
		g_clear_object(&self->stream);
	g_clear_object(&data->stream);
	client_task_done(task, g_steal_pointer(&ack), NULL);
}

static void
client_write_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	NhipMllpSendData *data = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error)) {
		client_attempt_failed(task, g_steal_pointer(&error));
		return;
	}
	g_input_stream_read_bytes_async(g_io_stream_get_input_stream(data->stream),
					CLIENT_READ_CHUNK, G_PRIORITY_DEFAULT,
					data->phase_cancellable, client_read_cb, task);
}

static void
client_exchange_start(GTask *task)
{
	NhipMllpClient *self = g_task_get_source_object(task);
	NhipMllpSendData *data = g_task_get_task_data(task);
	GCancellable *cancellable;

	cancellable = send_data_phase_begin(data, SEND_PHASE_EXCHANGE, self->ack_timeout_ms);
	nhip_mllp_framer_reset(data->framer);
	g_output_stream_write_all_async(g_io_stream_get_output_stream(data->stream),
					g_bytes_get_data(data->frame, NULL),
					g_bytes_get_size(data->frame), G_PRIORITY_DEFAULT,
					cancellable, client_write_cb, task);
}

static void
client_handshake_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	g_autoptr(GError) error = NULL;

	if (!g_tls_connection_handshake_finish(G_TLS_CONNECTION(source), result, &error)) {
		client_attempt_failed(task, g_steal_pointer(&error));
		return;
	}
	client_exchange_start(task);
}

static void
client_connect_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = G_TASK(user_data);
	NhipMllpClient *self = g_task_get_source_object(task);
	NhipMllpSendData *data = g_task_get_task_data(task);
	g_autoptr(GSocketConnection) connection = NULL;
	g_autoptr(GIOStream) tls_stream = NULL;
	g_autoptr(GSocketConnectable) identity = NULL;
	g_autoptr(GError) error = NULL;

	connection =
		g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(source), result, &error);
	if (connection == NULL) {
		client_attempt_failed(task, g_steal_pointer(&error));
		return;
	}
	g_debug("MLLP connected to %s:%u", self->host, (guint)self->port);
	if (!self->tls) {
		data->stream = G_IO_STREAM(g_steal_pointer(&connection));
		client_exchange_start(task);
		return;
	}
	identity = g_network_address_new(self->host, self->port);
	tls_stream = g_tls_client_connection_new(G_IO_STREAM(connection), identity, &error);
	if (tls_stream == NULL) {
		g_autoptr(GError) tls_error =
			g_error_new(NHIP_HL7_ERROR, NHIP_HL7_ERROR_TLS,
				    _("TLS is not available (is glib-networking installed?): %s"),
				    error->message);
		client_task_done(task, NULL, g_steal_pointer(&tls_error));
		return;
	}
	if (self->tls_database != NULL)
		g_tls_connection_set_database(G_TLS_CONNECTION(tls_stream), self->tls_database);
	if (self->tls_certificate != NULL)
		g_tls_connection_set_certificate(G_TLS_CONNECTION(tls_stream),
						 self->tls_certificate);
	data->stream = g_steal_pointer(&tls_stream);
	g_tls_connection_handshake_async(G_TLS_CONNECTION(data->stream), G_PRIORITY_DEFAULT,
					 data->phase_cancellable, client_handshake_cb, task);
}

static void
client_attempt_start(GTask *task)
{
	NhipMllpClient *self = g_task_get_source_object(task);
	NhipMllpSendData *data = g_task_get_task_data(task);
	GCancellable *cancellable;

	data->attempt++;
	if (self->stream != NULL) {
		data->reused = TRUE;
		g_set_object(&data->stream, self->stream);
		client_exchange_start(task);
		return;
	}
	data->reused = FALSE;
	cancellable = send_data_phase_begin(data, SEND_PHASE_CONNECT, self->connect_timeout_ms);
	g_socket_client_connect_to_host_async(self->socket_client, self->host, self->port,
					      cancellable, client_connect_cb, task);
}

/**
 * nhip_mllp_client_send_async:
 * @self: a client
 * @message: the message to send; its MSH-10 is matched against the ACK's MSA-2
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the message is acknowledged or given up
 * @user_data: data for @callback
 *
 * Sends one message and waits for its acknowledgment, retrying as set by
 * nhip_mllp_client_set_retry(). Messages sent while another is in flight wait their turn.
 * Call nhip_mllp_client_send_finish() from @callback, in the thread-default main context
 * of this call.
 */
void
nhip_mllp_client_send_async(NhipMllpClient *self,
			    NhipHl7Message *message,
			    GCancellable *cancellable,
			    GAsyncReadyCallback callback,
			    gpointer user_data)
{
	g_autoptr(GTask) task = NULL;
	g_autoptr(GBytes) encoded = NULL;
	g_autoptr(GError) error = NULL;
	NhipMllpSendData *data;

	g_return_if_fail(NHIP_IS_MLLP_CLIENT(self));
	g_return_if_fail(NHIP_IS_HL7_MESSAGE(message));
	g_return_if_fail(cancellable == NULL || G_IS_CANCELLABLE(cancellable));

	task = g_task_new(self, cancellable, callback, user_data);
	g_task_set_source_tag(task, nhip_mllp_client_send_async);
	data = g_new0(NhipMllpSendData, 1);
	g_mutex_init(&data->mutex);
	g_task_set_task_data(task, data, (GDestroyNotify)send_data_free);
	data->context = g_main_context_ref_thread_default();
	data->framer = nhip_mllp_framer_new(0);
	encoded = nhip_hl7_message_to_bytes(message);
	data->frame =
		nhip_mllp_framer_encode(g_bytes_get_data(encoded, NULL), g_bytes_get_size(encoded));
	data->control_id = nhip_hl7_message_get_value(message, "MSH-10", &error);
	if (data->control_id == NULL) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	if (cancellable != NULL) {
		data->cancellable = g_object_ref(cancellable);
		data->cancelled_id = g_cancellable_connect(
			cancellable, G_CALLBACK(send_data_cancelled_cb), data, NULL);
	}
	g_queue_push_tail(&self->queue, g_steal_pointer(&task));
	client_start_next(self);
}

/**
 * nhip_mllp_client_send_finish:
 * @self: a client
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Gets the acknowledgment. A negative acknowledgment (AE, AR) is returned, not an error:
 * use nhip_hl7_ack_check() to turn it into one.
 *
 * Returns: (transfer full) (nullable): the acknowledgment, or %NULL if every attempt failed
 */
NhipHl7Ack *
nhip_mllp_client_send_finish(NhipMllpClient *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(NHIP_IS_MLLP_CLIENT(self), NULL);
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void
client_send_sync_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GAsyncResult **result_out = user_data;
	*result_out = g_object_ref(result);
}

/**
 * nhip_mllp_client_send:
 * @self: a client
 * @message: the message to send
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Sends one message and waits for its acknowledgment; the synchronous form of
 * nhip_mllp_client_send_async(). It runs its own main context, so it must not be mixed
 * with asynchronous sends on the same client, and never in the thread of the receiver.
 *
 * Returns: (transfer full) (nullable): the acknowledgment, or %NULL if every attempt failed
 */
NhipHl7Ack *
nhip_mllp_client_send(NhipMllpClient *self,
		      NhipHl7Message *message,
		      GCancellable *cancellable,
		      GError **error)
{
	g_autoptr(GMainContext) context = g_main_context_new();
	g_autoptr(GAsyncResult) result = NULL;
	NhipHl7Ack *ack;

	g_return_val_if_fail(NHIP_IS_MLLP_CLIENT(self), NULL);
	g_return_val_if_fail(NHIP_IS_HL7_MESSAGE(message), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	g_main_context_push_thread_default(context);
	nhip_mllp_client_send_async(self, message, cancellable, client_send_sync_cb, &result);
	while (result == NULL)
		g_main_context_iteration(context, TRUE);
	ack = nhip_mllp_client_send_finish(self, result, error);
	g_main_context_pop_thread_default(context);
	return ack;
}
