/*
 * Nhịp — MLLP listener: accepts connections, decodes frames and answers acknowledgments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-mllp-framer.h"
#include "nhip-mllp-listener.h"

#define LISTENER_READ_CHUNK 65536

struct _NhipMllpListener {
	GObject parent_instance;
	GSocketService *service;
	GCancellable *cancellable;
	GTlsCertificate *tls_certificate;
	GTlsDatabase *tls_client_database;
	NhipMllpListenerHandler handler;
	gpointer handler_data;
	GDestroyNotify handler_destroy;
	gsize max_frame_size;
	guint16 port;
	GPtrArray *connections; /* open connections, not owned */
	guint n_connections;
	guint n_messages;
};

G_DEFINE_TYPE(NhipMllpListener, nhip_mllp_listener, G_TYPE_OBJECT)

/* one accepted connection; @listener is NULL once the listener is gone */
typedef struct {
	NhipMllpListener *listener;
	GIOStream *stream;
	NhipMllpFramer *framer;
	GCancellable *cancellable;
	GBytes *pending; /* acknowledgments being written */
	gchar *peer;
} NhipMllpListenerConnection;

static void
listener_connection_free(NhipMllpListenerConnection *connection)
{
	g_debug("MLLP connection from %s closed", connection->peer);
	if (connection->listener != NULL)
		g_ptr_array_remove_fast(connection->listener->connections, connection);
	g_clear_object(&connection->stream);
	g_clear_object(&connection->framer);
	g_clear_object(&connection->cancellable);
	g_clear_pointer(&connection->pending, g_bytes_unref);
	g_free(connection->peer);
	g_free(connection);
}

static void
nhip_mllp_listener_dispose(GObject *object)
{
	NhipMllpListener *self = NHIP_MLLP_LISTENER(object);

	nhip_mllp_listener_stop(self);
	/* the cancelled operations finish later without the listener */
	for (guint i = 0; i < self->connections->len; i++) {
		NhipMllpListenerConnection *connection = g_ptr_array_index(self->connections, i);
		connection->listener = NULL;
	}
	g_ptr_array_set_size(self->connections, 0);
	if (self->handler_destroy != NULL)
		self->handler_destroy(self->handler_data);
	self->handler = NULL;
	self->handler_data = NULL;
	self->handler_destroy = NULL;
	g_clear_object(&self->tls_certificate);
	g_clear_object(&self->tls_client_database);
	G_OBJECT_CLASS(nhip_mllp_listener_parent_class)->dispose(object);
}

static void
nhip_mllp_listener_finalize(GObject *object)
{
	NhipMllpListener *self = NHIP_MLLP_LISTENER(object);

	g_clear_object(&self->cancellable);
	g_ptr_array_unref(self->connections);
	G_OBJECT_CLASS(nhip_mllp_listener_parent_class)->finalize(object);
}

static void
nhip_mllp_listener_class_init(NhipMllpListenerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = nhip_mllp_listener_dispose;
	object_class->finalize = nhip_mllp_listener_finalize;
}

static void
nhip_mllp_listener_init(NhipMllpListener *self)
{
	self->cancellable = g_cancellable_new();
	self->connections = g_ptr_array_new();
	self->max_frame_size = NHIP_MLLP_DEFAULT_MAX_FRAME_SIZE;
}

/**
 * nhip_mllp_listener_new:
 *
 * Creates a listener. Without a handler it answers AA to every message that parses, and
 * AR or AE with the parse error to the others.
 *
 * Returns: (transfer full): a new listener
 */
NhipMllpListener *
nhip_mllp_listener_new(void)
{
	return g_object_new(NHIP_TYPE_MLLP_LISTENER, NULL);
}

/**
 * nhip_mllp_listener_set_handler:
 * @self: a listener
 * @handler: (nullable): the function that answers each parsed message, or %NULL for AA
 * @user_data: data for @handler
 * @destroy: (nullable): frees @user_data
 *
 * Sets the function that handles received messages.
 */
void
nhip_mllp_listener_set_handler(NhipMllpListener *self,
			       NhipMllpListenerHandler handler,
			       gpointer user_data,
			       GDestroyNotify destroy)
{
	g_return_if_fail(NHIP_IS_MLLP_LISTENER(self));
	if (self->handler_destroy != NULL)
		self->handler_destroy(self->handler_data);
	self->handler = handler;
	self->handler_data = user_data;
	self->handler_destroy = destroy;
}

/**
 * nhip_mllp_listener_set_max_frame_size:
 * @self: a listener
 * @max_frame_size: the largest message accepted in bytes, 0 for the default
 *
 * Larger frames are dropped and answered with AR.
 */
void
nhip_mllp_listener_set_max_frame_size(NhipMllpListener *self, gsize max_frame_size)
{
	g_return_if_fail(NHIP_IS_MLLP_LISTENER(self));
	self->max_frame_size =
		max_frame_size > 0 ? max_frame_size : NHIP_MLLP_DEFAULT_MAX_FRAME_SIZE;
}

/**
 * nhip_mllp_listener_set_tls_certificate:
 * @self: a listener
 * @certificate: (nullable): the server certificate with its private key, or %NULL for
 *   plain TCP
 *
 * Makes connections accepted from now on speak TLS.
 */
void
nhip_mllp_listener_set_tls_certificate(NhipMllpListener *self, GTlsCertificate *certificate)
{
	g_return_if_fail(NHIP_IS_MLLP_LISTENER(self));
	g_set_object(&self->tls_certificate, certificate);
}

/**
 * nhip_mllp_listener_set_tls_files:
 * @self: a listener
 * @certificate_file: a PEM file with the server certificate (and its chain)
 * @key_file: a PEM file with the private key
 * @error: return location for a #GError
 *
 * Loads the server certificate and makes connections accepted from now on speak TLS.
 *
 * Returns: %TRUE if the files could be loaded
 */
gboolean
nhip_mllp_listener_set_tls_files(NhipMllpListener *self,
				 const gchar *certificate_file,
				 const gchar *key_file,
				 GError **error)
{
	g_autoptr(GTlsCertificate) certificate = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(NHIP_IS_MLLP_LISTENER(self), FALSE);
	g_return_val_if_fail(certificate_file != NULL, FALSE);
	g_return_val_if_fail(key_file != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	certificate = g_tls_certificate_new_from_files(certificate_file, key_file, &error_local);
	if (certificate == NULL) {
		g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TLS,
			    _("cannot load the TLS certificate %s with key %s: %s"),
			    certificate_file, key_file, error_local->message);
		return FALSE;
	}
	g_set_object(&self->tls_certificate, certificate);
	return TRUE;
}

/**
 * nhip_mllp_listener_set_tls_client_database:
 * @self: a listener
 * @database: (nullable): the authorities that sign client certificates, or %NULL
 *
 * With a database, TLS clients must present a certificate signed by one of its
 * authorities (mutual TLS).
 */
void
nhip_mllp_listener_set_tls_client_database(NhipMllpListener *self, GTlsDatabase *database)
{
	g_return_if_fail(NHIP_IS_MLLP_LISTENER(self));
	g_set_object(&self->tls_client_database, database);
}

/* the answer to one frame, or NULL to send nothing */
static NhipHl7Message *
listener_process_frame(NhipMllpListener *self,
		       NhipMllpListenerConnection *connection,
		       GBytes *frame)
{
	g_autoptr(NhipHl7Message) message = NULL;
	g_autoptr(NhipHl7Message) ack = NULL;
	g_autoptr(GError) error = NULL;
	gsize length = 0;
	const gchar *data = g_bytes_get_data(frame, &length);

	self->n_messages++;
	message = nhip_hl7_message_parse(data, length, &error);
	if (message == NULL) {
		gboolean header =
			g_error_matches(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_NO_HEADER) ||
			g_error_matches(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_DELIMITERS) ||
			g_error_matches(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TRUNCATED);
		g_info("MLLP message from %s rejected: it does not parse (error %d)",
		       connection->peer, error->code);
		g_debug("MLLP message from %s: %s", connection->peer, error->message);
		return nhip_hl7_ack_build_for_data(
			data, length, header ? NHIP_HL7_ACK_CODE_AR : NHIP_HL7_ACK_CODE_AE,
			header ? NHIP_HL7_ACK_ERROR_SEGMENT_SEQUENCE : NHIP_HL7_ACK_ERROR_DATA_TYPE,
			error->message);
	}
	if (self->handler == NULL)
		return nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AA, 0, NULL, NULL);

	ack = self->handler(self, message, self->handler_data, &error);
	if (ack != NULL)
		return g_steal_pointer(&ack);
	if (error == NULL)
		return NULL;
	g_info("MLLP message from %s not accepted by the handler", connection->peer);
	g_debug("MLLP handler error: %s", error->message);
	return nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AE, NHIP_HL7_ACK_ERROR_INTERNAL,
				  error->message, NULL);
}

static void listener_read_next(NhipMllpListenerConnection *connection);

static void
listener_write_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	NhipMllpListenerConnection *connection = user_data;
	g_autoptr(GError) error = NULL;

	g_clear_pointer(&connection->pending, g_bytes_unref);
	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error) ||
	    connection->listener == NULL) {
		g_debug("MLLP connection from %s: cannot write: %s", connection->peer,
			error != NULL ? error->message : "listener gone");
		listener_connection_free(connection);
		return;
	}
	listener_read_next(connection);
}

static void
listener_append_ack(GByteArray *out, NhipHl7Message *ack)
{
	g_autoptr(GBytes) encoded = nhip_hl7_message_to_bytes(ack);
	g_autoptr(GBytes) frame =
		nhip_mllp_framer_encode(g_bytes_get_data(encoded, NULL), g_bytes_get_size(encoded));
	g_byte_array_append(out, g_bytes_get_data(frame, NULL), (guint)g_bytes_get_size(frame));
}

static void
listener_read_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	NhipMllpListenerConnection *connection = user_data;
	NhipMllpListener *self = connection->listener;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GByteArray) out = NULL;
	g_autoptr(GError) error = NULL;
	guint64 skipped_before;

	bytes = g_input_stream_read_bytes_finish(G_INPUT_STREAM(source), result, &error);
	if (bytes == NULL || self == NULL) {
		g_debug("MLLP connection from %s: cannot read: %s", connection->peer,
			error != NULL ? error->message : "listener gone");
		listener_connection_free(connection);
		return;
	}
	if (g_bytes_get_size(bytes) == 0) {
		if (!nhip_mllp_framer_is_idle(connection->framer))
			g_info("MLLP connection from %s closed in the middle of a frame",
			       connection->peer);
		listener_connection_free(connection);
		return;
	}

	out = g_byte_array_new();
	skipped_before = nhip_mllp_framer_get_skipped_bytes(connection->framer);
	if (!nhip_mllp_framer_feed(connection->framer, g_bytes_get_data(bytes, NULL),
				   g_bytes_get_size(bytes), &error)) {
		g_autoptr(NhipHl7Message) ack = NULL;
		g_info("MLLP connection from %s: %s", connection->peer, error->message);
		ack = nhip_hl7_ack_build_for_data(NULL, 0, NHIP_HL7_ACK_CODE_AR,
						  NHIP_HL7_ACK_ERROR_INTERNAL, error->message);
		listener_append_ack(out, ack);
	}
	if (nhip_mllp_framer_get_skipped_bytes(connection->framer) != skipped_before) {
		g_info("MLLP connection from %s: skipped %" G_GUINT64_FORMAT
		       " bytes outside MLLP frames",
		       connection->peer,
		       nhip_mllp_framer_get_skipped_bytes(connection->framer) - skipped_before);
	}
	for (;;) {
		g_autoptr(GBytes) frame = nhip_mllp_framer_pop(connection->framer);
		g_autoptr(NhipHl7Message) ack = NULL;
		if (frame == NULL)
			break;
		ack = listener_process_frame(self, connection, frame);
		if (ack != NULL)
			listener_append_ack(out, ack);
	}
	if (out->len == 0) {
		listener_read_next(connection);
		return;
	}
	connection->pending = g_byte_array_free_to_bytes(g_steal_pointer(&out));
	g_output_stream_write_all_async(g_io_stream_get_output_stream(connection->stream),
					g_bytes_get_data(connection->pending, NULL),
					g_bytes_get_size(connection->pending), G_PRIORITY_DEFAULT,
					connection->cancellable, listener_write_cb, connection);
}

static void
listener_read_next(NhipMllpListenerConnection *connection)
{
	g_input_stream_read_bytes_async(g_io_stream_get_input_stream(connection->stream),
					LISTENER_READ_CHUNK, G_PRIORITY_DEFAULT,
					connection->cancellable, listener_read_cb, connection);
}

static void
listener_handshake_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	NhipMllpListenerConnection *connection = user_data;
	g_autoptr(GError) error = NULL;

	if (!g_tls_connection_handshake_finish(G_TLS_CONNECTION(source), result, &error) ||
	    connection->listener == NULL) {
		g_info("MLLP connection from %s: TLS handshake failed: %s", connection->peer,
		       error != NULL ? error->message : "listener gone");
		listener_connection_free(connection);
		return;
	}
	listener_read_next(connection);
}

static gchar *
listener_peer_name(GSocketConnection *socket_connection)
{
	g_autoptr(GSocketAddress) address = NULL;

	address = g_socket_connection_get_remote_address(socket_connection, NULL);
	if (G_IS_INET_SOCKET_ADDRESS(address)) {
		GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS(address);
		g_autofree gchar *host =
			g_inet_address_to_string(g_inet_socket_address_get_address(inet));
		return g_strdup_printf("%s:%u", host, (guint)g_inet_socket_address_get_port(inet));
	}
	return g_strdup("?");
}

/* glib-networking asks the application about every client certificate, even one that
 * verified against the database: accept exactly those */
static gboolean
listener_accept_certificate_cb(GTlsConnection *tls,
			       GTlsCertificate *certificate,
			       GTlsCertificateFlags errors,
			       gpointer user_data)
{
	if (errors != 0)
		g_info("MLLP client certificate refused (flags 0x%x)", (guint)errors);
	return errors == 0;
}

static gboolean
listener_incoming_cb(GSocketService *service,
		     GSocketConnection *socket_connection,
		     GObject *source_object,
		     gpointer user_data)
{
	NhipMllpListener *self = NHIP_MLLP_LISTENER(user_data);
	NhipMllpListenerConnection *connection = g_new0(NhipMllpListenerConnection, 1);

	connection->listener = self;
	g_ptr_array_add(self->connections, connection);
	connection->framer = nhip_mllp_framer_new(self->max_frame_size);
	connection->cancellable = g_object_ref(self->cancellable);
	connection->peer = listener_peer_name(socket_connection);
	self->n_connections++;
	g_info("MLLP connection from %s", connection->peer);

	if (self->tls_certificate != NULL) {
		g_autoptr(GError) error = NULL;
		GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(socket_connection),
							     self->tls_certificate, &error);
		if (tls == NULL) {
			g_message("MLLP connection from %s: TLS is not available (is "
				  "glib-networking installed?): %s",
				  connection->peer, error->message);
			listener_connection_free(connection);
			return TRUE;
		}
		if (self->tls_client_database != NULL) {
			g_tls_connection_set_database(G_TLS_CONNECTION(tls),
						      self->tls_client_database);
			g_object_set(tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUIRED,
				     NULL);
			g_signal_connect(tls, "accept-certificate",
					 G_CALLBACK(listener_accept_certificate_cb), NULL);
		}
		connection->stream = tls;
		g_tls_connection_handshake_async(G_TLS_CONNECTION(tls), G_PRIORITY_DEFAULT,
						 connection->cancellable, listener_handshake_cb,
						 connection);
		return TRUE;
	}
	connection->stream = G_IO_STREAM(g_object_ref(socket_connection));
	listener_read_next(connection);
	return TRUE;
}

/**
 * nhip_mllp_listener_listen:
 * @self: a listener
 * @address: (nullable): the local address to listen on, e.g. `127.0.0.1`, or %NULL for all
 * @port: the TCP port, or 0 for a free one (see nhip_mllp_listener_get_port())
 * @error: return location for a #GError
 *
 * Starts accepting connections in the thread-default main context.
 *
 * Returns: %TRUE if the port could be opened
 */
gboolean
nhip_mllp_listener_listen(NhipMllpListener *self,
			  const gchar *address,
			  guint16 port,
			  GError **error)
{
	g_autoptr(GSocketService) service = NULL;
	g_autoptr(GError) error_local = NULL;

	g_return_val_if_fail(NHIP_IS_MLLP_LISTENER(self), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	nhip_mllp_listener_stop(self);
	service = g_socket_service_new();
	if (address != NULL) {
		g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(address);
		g_autoptr(GSocketAddress) socket_address = NULL;
		g_autoptr(GSocketAddress) effective = NULL;
		if (inet == NULL) {
			g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION,
				    _("“%s” is not an IP address to listen on"), address);
			return FALSE;
		}
		socket_address = g_inet_socket_address_new(inet, port);
		if (!g_socket_listener_add_address(G_SOCKET_LISTENER(service), socket_address,
						   G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
						   NULL, &effective, &error_local)) {
			g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION,
				    _("cannot listen on %s port %u: %s"), address, (guint)port,
				    error_local->message);
			return FALSE;
		}
		self->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
	} else if (port == 0) {
		self->port = g_socket_listener_add_any_inet_port(G_SOCKET_LISTENER(service), NULL,
								 &error_local);
		if (self->port == 0) {
			g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION,
				    _("cannot listen on a free port: %s"), error_local->message);
			return FALSE;
		}
	} else {
		if (!g_socket_listener_add_inet_port(G_SOCKET_LISTENER(service), port, NULL,
						     &error_local)) {
			g_set_error(error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION,
				    _("cannot listen on port %u: %s; is another program using "
				      "it?"),
				    (guint)port, error_local->message);
			return FALSE;
		}
		self->port = port;
	}
	g_signal_connect_object(service, "incoming", G_CALLBACK(listener_incoming_cb), self, 0);
	g_socket_service_start(service);
	self->service = g_steal_pointer(&service);
	g_info("MLLP listening on port %u", (guint)self->port);
	return TRUE;
}

/**
 * nhip_mllp_listener_get_port:
 * @self: a listener
 *
 * Returns: the port listened on, or 0 when not listening
 */
guint16
nhip_mllp_listener_get_port(NhipMllpListener *self)
{
	g_return_val_if_fail(NHIP_IS_MLLP_LISTENER(self), 0);
	return self->service != NULL ? self->port : 0;
}

/**
 * nhip_mllp_listener_stop:
 * @self: a listener
 *
 * Stops accepting connections and closes the open ones. Their pending operations finish in
 * the main context, which must be iterated for them to release their resources.
 */
void
nhip_mllp_listener_stop(NhipMllpListener *self)
{
	g_return_if_fail(NHIP_IS_MLLP_LISTENER(self));

	if (self->service != NULL) {
		g_socket_service_stop(self->service);
		g_socket_listener_close(G_SOCKET_LISTENER(self->service));
		g_clear_object(&self->service);
	}
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	self->cancellable = g_cancellable_new();
	self->port = 0;
}

/**
 * nhip_mllp_listener_get_n_connections:
 * @self: a listener
 *
 * Returns: how many connections were accepted so far
 */
guint
nhip_mllp_listener_get_n_connections(NhipMllpListener *self)
{
	g_return_val_if_fail(NHIP_IS_MLLP_LISTENER(self), 0);
	return self->n_connections;
}

/**
 * nhip_mllp_listener_get_n_active:
 * @self: a listener
 *
 * Returns: how many connections are open
 */
guint
nhip_mllp_listener_get_n_active(NhipMllpListener *self)
{
	g_return_val_if_fail(NHIP_IS_MLLP_LISTENER(self), 0);
	return self->connections->len;
}

/**
 * nhip_mllp_listener_get_n_messages:
 * @self: a listener
 *
 * Returns: how many frames were received so far, parsed or not
 */
guint
nhip_mllp_listener_get_n_messages(NhipMllpListener *self)
{
	g_return_val_if_fail(NHIP_IS_MLLP_LISTENER(self), 0);
	return self->n_messages;
}
