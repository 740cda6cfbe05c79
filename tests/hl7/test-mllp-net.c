/*
 * Nhịp — tests of the MLLP client and listener on loopback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "nhip-hl7.h"

/* helpers */

static NhipHl7Message *
make_message(const gchar *control_id, const gchar *family_name)
{
	g_autoptr(NhipHl7Message) message = nhip_hl7_message_new();
	g_autoptr(GError) error = NULL;

	g_assert_true(
		nhip_hl7_message_set_header(message, "ORU", "R01", "ORU_R01", control_id, &error));
	g_assert_true(nhip_hl7_message_set_value(message, "MSH-3", "NHIP", &error));
	g_assert_true(nhip_hl7_message_set_value(message, "MSH-5", "HIS", &error));
	g_assert_cmpuint(nhip_hl7_message_append_segment(message, "PID", &error), ==, 1);
	g_assert_true(nhip_hl7_message_set_value(message, "PID-5-1", family_name, &error));
	g_assert_true(nhip_hl7_message_set_value(message, "PID-5-2", "THỊ ĐÀO", &error));
	g_assert_cmpuint(nhip_hl7_message_append_segment(message, "OBX", &error), ==, 1);
	g_assert_true(nhip_hl7_message_set_value(message, "OBX-3-1", "8867-4", &error));
	g_assert_true(nhip_hl7_message_set_value(message, "OBX-5", "72", &error));
	g_assert_no_error(error);
	return g_steal_pointer(&message);
}

/* lets cancelled operations finish so that nothing leaks */
static void
drain_main_context(void)
{
	guint idle = 0;
	while (idle < 20) {
		if (g_main_context_iteration(NULL, FALSE)) {
			idle = 0;
		} else {
			idle++;
			g_usleep(1000);
		}
	}
}

typedef struct {
	NhipHl7Ack *ack;
	GError *error;
	gboolean done;
} SendResult;

static void
send_result_clear(SendResult *result)
{
	g_clear_pointer(&result->ack, nhip_hl7_ack_unref);
	g_clear_error(&result->error);
	result->done = FALSE;
}

static void
send_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	SendResult *result = user_data;
	result->ack = nhip_mllp_client_send_finish(NHIP_MLLP_CLIENT(source), res, &result->error);
	result->done = TRUE;
}

static void
wait_for(const gboolean *flag)
{
	while (!*flag)
		g_main_context_iteration(NULL, TRUE);
}

static NhipMllpListener *
start_listener(void)
{
	g_autoptr(NhipMllpListener) listener = nhip_mllp_listener_new();
	g_autoptr(GError) error = NULL;

	g_assert_true(nhip_mllp_listener_listen(listener, "127.0.0.1", 0, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(nhip_mllp_listener_get_port(listener), >, 0);
	return g_steal_pointer(&listener);
}

static void
stop_listener(NhipMllpListener *listener)
{
	nhip_mllp_listener_stop(listener);
	g_object_unref(listener);
	drain_main_context();
}

/* a scripted peer in its own threads, for behaviour our listener never shows */

typedef enum {
	RAW_SILENT,
	RAW_GARBLED,
	RAW_WRONG_ID,
	RAW_CLOSE,
	RAW_ACK_THEN_CLOSE,
} RawMode;

typedef struct {
	GSocketService *service;
	GCancellable *cancellable;
	guint16 port;
	RawMode mode;
	gint n_connections;
	gint n_frames;
	gint n_active;
} RawServer;

static void
raw_write(GIOStream *stream, NhipHl7Message *ack, const gchar *raw)
{
	g_autoptr(GBytes) encoded = NULL;
	g_autoptr(GBytes) frame = NULL;

	if (ack != NULL)
		encoded = nhip_hl7_message_to_bytes(ack);
	else
		encoded = g_bytes_new(raw, strlen(raw));
	frame = nhip_mllp_framer_encode(g_bytes_get_data(encoded, NULL), g_bytes_get_size(encoded));
	g_output_stream_write_all(g_io_stream_get_output_stream(stream),
				  g_bytes_get_data(frame, NULL), g_bytes_get_size(frame), NULL,
				  NULL, NULL);
}

static gboolean
raw_run_cb(GThreadedSocketService *service,
	   GSocketConnection *connection,
	   GObject *source_object,
	   gpointer user_data)
{
	RawServer *server = user_data;
	g_autoptr(NhipMllpFramer) framer = nhip_mllp_framer_new(0);
	GIOStream *stream = G_IO_STREAM(connection);
	gboolean open = TRUE;

	g_atomic_int_inc(&server->n_connections);
	g_atomic_int_inc(&server->n_active);
	while (open) {
		guint8 buf[4096];
		gssize n = g_input_stream_read(g_io_stream_get_input_stream(stream), buf,
					       sizeof(buf), server->cancellable, NULL);
		if (n <= 0)
			break;
		nhip_mllp_framer_feed(framer, buf, (gsize)n, NULL);
		for (;;) {
			g_autoptr(GBytes) frame = nhip_mllp_framer_pop(framer);
			g_autoptr(NhipHl7Message) message = NULL;
			g_autoptr(NhipHl7Message) ack = NULL;
			if (frame == NULL)
				break;
			g_atomic_int_inc(&server->n_frames);
			message = nhip_hl7_message_parse_bytes(frame, NULL);
			g_assert_nonnull(message);
			ack = nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AA, 0, NULL, NULL);
			switch (server->mode) {
			case RAW_SILENT:
				break;
			case RAW_GARBLED:
				raw_write(stream, NULL, "THIS IS NOT HL7\r");
				break;
			case RAW_WRONG_ID:
				g_assert_true(
					nhip_hl7_message_set_value(ack, "MSA-2", "OTHER", NULL));
				raw_write(stream, ack, NULL);
				break;
			case RAW_CLOSE:
				open = FALSE;
				break;
			case RAW_ACK_THEN_CLOSE:
				raw_write(stream, ack, NULL);
				open = FALSE;
				break;
			default:
				g_assert_not_reached();
			}
		}
	}
	g_io_stream_close(stream, NULL, NULL);
	g_atomic_int_dec_and_test(&server->n_active);
	return TRUE;
}

static RawServer *
raw_server_new(RawMode mode)
{
	RawServer *server = g_new0(RawServer, 1);
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) address = g_inet_socket_address_new(loopback, 0);
	g_autoptr(GSocketAddress) effective = NULL;
	g_autoptr(GError) error = NULL;

	server->mode = mode;
	server->cancellable = g_cancellable_new();
	server->service = g_threaded_socket_service_new(8);
	g_assert_true(g_socket_listener_add_address(G_SOCKET_LISTENER(server->service), address,
						    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
						    NULL, &effective, &error));
	g_assert_no_error(error);
	server->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
	g_signal_connect(server->service, "run", G_CALLBACK(raw_run_cb), server);
	g_socket_service_start(server->service);
	return server;
}

static void
raw_server_free(RawServer *server)
{
	g_cancellable_cancel(server->cancellable);
	g_socket_service_stop(server->service);
	g_socket_listener_close(G_SOCKET_LISTENER(server->service));
	while (g_atomic_int_get(&server->n_active) > 0)
		g_usleep(1000);
	g_object_unref(server->service);
	g_object_unref(server->cancellable);
	g_free(server);
	drain_main_context();
}

/* tests */

static void
test_roundtrip(void)
{
	NhipMllpListener *listener = start_listener();
	g_autoptr(NhipMllpClient) client =
		nhip_mllp_client_new("127.0.0.1", nhip_mllp_listener_get_port(listener));
	SendResult results[3] = { 0 };

	/* queued sends share the kept connection and are answered in order */
	for (guint i = 0; i < G_N_ELEMENTS(results); i++) {
		g_autofree gchar *control_id = g_strdup_printf("RT%u", i);
		g_autoptr(NhipHl7Message) message = make_message(control_id, "NGUYỄN");
		nhip_mllp_client_send_async(client, message, NULL, send_cb, &results[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS(results); i++) {
		g_autofree gchar *control_id = g_strdup_printf("RT%u", i);
		wait_for(&results[i].done);
		g_assert_no_error(results[i].error);
		g_assert_cmpint(nhip_hl7_ack_get_code(results[i].ack), ==, NHIP_HL7_ACK_CODE_AA);
		g_assert_cmpstr(nhip_hl7_ack_get_control_id(results[i].ack), ==, control_id);
		send_result_clear(&results[i]);
	}
	g_assert_cmpuint(nhip_mllp_listener_get_n_messages(listener), ==, 3);
	g_assert_cmpuint(nhip_mllp_listener_get_n_connections(listener), ==, 1);
	g_assert_cmpuint(nhip_mllp_client_get_last_attempts(client), ==, 1);
	g_clear_object(&client);
	stop_listener(listener);
}

typedef struct {
	guint calls;
	gchar *last_name;
} HandlerState;

static NhipHl7Message *
handler_cb(NhipMllpListener *listener, NhipHl7Message *message, gpointer user_data, GError **error)
{
	HandlerState *state = user_data;
	g_autofree gchar *control_id = nhip_hl7_message_get_value(message, "MSH-10", NULL);

	state->calls++;
	g_free(state->last_name);
	state->last_name = nhip_hl7_message_get_value(message, "PID-5-1", NULL);
	if (g_strcmp0(control_id, "REJECT") == 0)
		return nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AR, 200,
					  "loại tin không hỗ trợ", error);
	if (g_strcmp0(control_id, "FAIL") == 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "ổ đĩa đầy");
		return NULL;
	}
	/* the first delivery of RETRY goes unanswered */
	if (g_strcmp0(control_id, "RETRY") == 0 && state->calls == 1)
		return NULL;
	return nhip_hl7_ack_build(message, NHIP_HL7_ACK_CODE_AA, 0, NULL, error);
}

static void
test_handler(void)
{
	NhipMllpListener *listener = start_listener();
	g_autoptr(NhipMllpClient) client =
		nhip_mllp_client_new("127.0.0.1", nhip_mllp_listener_get_port(listener));
	HandlerState state = { 0 };
	SendResult result = { 0 };
	g_autoptr(NhipHl7Message) ok = make_message("OK1", "TRẦN");
	g_autoptr(NhipHl7Message) reject = make_message("REJECT", "LÊ");
	g_autoptr(NhipHl7Message) fail = make_message("FAIL", "PHẠM");

	nhip_mllp_listener_set_handler(listener, handler_cb, &state, NULL);

	nhip_mllp_client_send_async(client, ok, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_no_error(result.error);
	g_assert_cmpint(nhip_hl7_ack_get_code(result.ack), ==, NHIP_HL7_ACK_CODE_AA);
	g_assert_cmpstr(state.last_name, ==, "TRẦN");
	send_result_clear(&result);

	/* a negative acknowledgment is an answer, not a failure: no retry */
	nhip_mllp_client_send_async(client, reject, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_no_error(result.error);
	g_assert_cmpint(nhip_hl7_ack_get_code(result.ack), ==, NHIP_HL7_ACK_CODE_AR);
	g_assert_cmpstr(nhip_hl7_ack_get_text(result.ack), ==, "loại tin không hỗ trợ");
	g_assert_cmpuint(nhip_hl7_ack_get_error_code(result.ack), ==, 200);
	g_assert_cmpuint(nhip_mllp_client_get_last_attempts(client), ==, 1);
	send_result_clear(&result);

	nhip_mllp_client_send_async(client, fail, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_no_error(result.error);
	g_assert_cmpint(nhip_hl7_ack_get_code(result.ack), ==, NHIP_HL7_ACK_CODE_AE);
	g_assert_cmpstr(nhip_hl7_ack_get_text(result.ack), ==, "ổ đĩa đầy");
	g_assert_cmpstr(nhip_hl7_ack_get_control_id(result.ack), ==, "FAIL");
	send_result_clear(&result);
	g_assert_cmpuint(state.calls, ==, 3);

	g_free(state.last_name);
	g_clear_object(&client);
	stop_listener(listener);
}

typedef struct {
	GAsyncResult *result;
} AsyncWait;

static void
async_wait_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	AsyncWait *wait = user_data;
	wait->result = g_object_ref(res);
}

static GAsyncResult *
async_wait_run(AsyncWait *wait)
{
	while (wait->result == NULL)
		g_main_context_iteration(NULL, TRUE);
	return wait->result;
}

static NhipHl7Ack *
raw_exchange(guint16 port, const gchar *payload, gsize length)
{
	g_autoptr(GSocketClient) socket_client = g_socket_client_new();
	g_autoptr(GSocketConnection) connection = NULL;
	g_autoptr(GBytes) frame = nhip_mllp_framer_encode((const guint8 *)payload, length);
	g_autoptr(NhipMllpFramer) framer = nhip_mllp_framer_new(0);
	g_autoptr(GBytes) answer = NULL;
	g_autoptr(GError) error = NULL;
	AsyncWait wait = { 0 };

	g_socket_client_set_enable_proxy(socket_client, FALSE);
	g_socket_client_connect_to_host_async(socket_client, "127.0.0.1", port, NULL, async_wait_cb,
					      &wait);
	connection = g_socket_client_connect_to_host_finish(socket_client, async_wait_run(&wait),
							    &error);
	g_clear_object(&wait.result);
	g_assert_no_error(error);
	g_output_stream_write_all_async(g_io_stream_get_output_stream(G_IO_STREAM(connection)),
					g_bytes_get_data(frame, NULL), g_bytes_get_size(frame),
					G_PRIORITY_DEFAULT, NULL, async_wait_cb, &wait);
	g_assert_true(g_output_stream_write_all_finish(
		g_io_stream_get_output_stream(G_IO_STREAM(connection)), async_wait_run(&wait), NULL,
		&error));
	g_clear_object(&wait.result);
	g_assert_no_error(error);
	while (answer == NULL) {
		g_autoptr(GBytes) bytes = NULL;
		GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(connection));
		g_input_stream_read_bytes_async(in, 4096, G_PRIORITY_DEFAULT, NULL, async_wait_cb,
						&wait);
		bytes = g_input_stream_read_bytes_finish(in, async_wait_run(&wait), &error);
		g_clear_object(&wait.result);
		g_assert_no_error(error);
		g_assert_cmpuint(g_bytes_get_size(bytes), >, 0);
		nhip_mllp_framer_feed(framer, g_bytes_get_data(bytes, NULL),
				      g_bytes_get_size(bytes), NULL);
		answer = nhip_mllp_framer_pop(framer);
	}
	{
		NhipHl7Ack *ack = nhip_hl7_ack_parse_data(g_bytes_get_data(answer, NULL),
							  g_bytes_get_size(answer), &error);
		g_assert_no_error(error);
		return ack;
	}
}

static void
test_parse_errors(void)
{
	NhipMllpListener *listener = start_listener();
	guint16 port = nhip_mllp_listener_get_port(listener);
	const gchar bad_utf8[] =
		"MSH|^~\\&|LAB||NHIP||20240101||ORU^R01|U1|P|2.5.1\rPID|1||\xC3\x28\r";
	const gchar no_header[] = "PID|1||42\r";
	g_autoptr(NhipHl7Ack) ack1 = NULL;
	g_autoptr(NhipHl7Ack) ack2 = NULL;

	ack1 = raw_exchange(port, bad_utf8, sizeof(bad_utf8) - 1);
	g_assert_cmpint(nhip_hl7_ack_get_code(ack1), ==, NHIP_HL7_ACK_CODE_AE);
	g_assert_cmpstr(nhip_hl7_ack_get_control_id(ack1), ==, "U1");
	g_assert_cmpuint(nhip_hl7_ack_get_error_code(ack1), ==, 102);
	g_assert_nonnull(strstr(nhip_hl7_ack_get_text(ack1), "HL7 segment 2 (PID) field 3"));

	ack2 = raw_exchange(port, no_header, sizeof(no_header) - 1);
	g_assert_cmpint(nhip_hl7_ack_get_code(ack2), ==, NHIP_HL7_ACK_CODE_AR);
	g_assert_cmpstr(nhip_hl7_ack_get_control_id(ack2), ==, "");
	g_assert_nonnull(strstr(nhip_hl7_ack_get_text(ack2), "MSH"));
	g_assert_cmpuint(nhip_mllp_listener_get_n_messages(listener), ==, 2);
	stop_listener(listener);
}

static void
test_oversized_frame(void)
{
	NhipMllpListener *listener = start_listener();
	g_autoptr(GString) big = g_string_new("MSH|^~\\&|||||||ORU^R01|BIG|P|2.5.1\rOBX|1|ED|x||");
	g_autoptr(NhipHl7Ack) ack = NULL;

	nhip_mllp_listener_set_max_frame_size(listener, 1024);
	/* the limit is read when a connection is accepted */
	for (guint i = 0; i < 300; i++)
		g_string_append(big, "QUJD");
	ack = raw_exchange(nhip_mllp_listener_get_port(listener), big->str, big->len);
	g_assert_cmpint(nhip_hl7_ack_get_code(ack), ==, NHIP_HL7_ACK_CODE_AR);
	g_assert_nonnull(strstr(nhip_hl7_ack_get_text(ack), "1024 bytes"));
	stop_listener(listener);
}

static void
test_many_connections(void)
{
	NhipMllpListener *listener = start_listener();
	guint16 port = nhip_mllp_listener_get_port(listener);
	NhipMllpClient *clients[8] = { NULL };
	SendResult results[8] = { 0 };

	for (guint i = 0; i < G_N_ELEMENTS(clients); i++) {
		g_autofree gchar *control_id = g_strdup_printf("MC%u", i);
		g_autoptr(NhipHl7Message) message = make_message(control_id, "ĐINH");
		clients[i] = nhip_mllp_client_new("127.0.0.1", port);
		nhip_mllp_client_send_async(clients[i], message, NULL, send_cb, &results[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS(clients); i++) {
		g_autofree gchar *control_id = g_strdup_printf("MC%u", i);
		wait_for(&results[i].done);
		g_assert_no_error(results[i].error);
		g_assert_cmpstr(nhip_hl7_ack_get_control_id(results[i].ack), ==, control_id);
		send_result_clear(&results[i]);
	}
	g_assert_cmpuint(nhip_mllp_listener_get_n_connections(listener), ==, 8);
	g_assert_cmpuint(nhip_mllp_listener_get_n_active(listener), ==, 8);
	for (guint i = 0; i < G_N_ELEMENTS(clients); i++)
		g_object_unref(clients[i]);
	/* the listener sees the clients go */
	while (nhip_mllp_listener_get_n_active(listener) > 0)
		g_main_context_iteration(NULL, TRUE);
	stop_listener(listener);
}

static void
test_timeout_no_ack(void)
{
	RawServer *server = raw_server_new(RAW_SILENT);
	g_autoptr(NhipMllpClient) client = nhip_mllp_client_new("127.0.0.1", server->port);
	g_autoptr(NhipHl7Message) message = make_message("SILENT1", "VÕ");
	SendResult result = { 0 };

	nhip_mllp_client_set_timeouts(client, 2000, 200);
	nhip_mllp_client_set_retry(client, 2, 10, 100);
	nhip_mllp_client_send_async(client, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_null(result.ack);
	g_assert_error(result.error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TIMED_OUT);
	g_assert_nonnull(strstr(result.error->message, "after 2 attempts"));
	g_assert_nonnull(strstr(result.error->message, "no acknowledgment"));
	g_assert_nonnull(strstr(result.error->message, "SILENT1"));
	g_assert_cmpuint(nhip_mllp_client_get_last_attempts(client), ==, 2);
	/* each attempt delivered the message again, on a new connection */
	g_assert_cmpint(g_atomic_int_get(&server->n_frames), ==, 2);
	g_assert_cmpint(g_atomic_int_get(&server->n_connections), ==, 2);
	send_result_clear(&result);
	g_clear_object(&client);
	raw_server_free(server);
}

static void
test_retry_then_success(void)
{
	NhipMllpListener *listener = start_listener();
	g_autoptr(NhipMllpClient) client =
		nhip_mllp_client_new("127.0.0.1", nhip_mllp_listener_get_port(listener));
	g_autoptr(NhipHl7Message) message = make_message("RETRY", "HỒ");
	HandlerState state = { 0 };
	SendResult result = { 0 };

	nhip_mllp_listener_set_handler(listener, handler_cb, &state, NULL);
	nhip_mllp_client_set_timeouts(client, 2000, 300);
	nhip_mllp_client_set_retry(client, 4, 10, 50);
	nhip_mllp_client_send_async(client, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_no_error(result.error);
	g_assert_cmpint(nhip_hl7_ack_get_code(result.ack), ==, NHIP_HL7_ACK_CODE_AA);
	g_assert_cmpuint(nhip_mllp_client_get_last_attempts(client), ==, 2);
	g_assert_cmpuint(state.calls, ==, 2);
	send_result_clear(&result);
	g_free(state.last_name);
	g_clear_object(&client);
	stop_listener(listener);
}

static void
test_connection_refused(void)
{
	NhipMllpListener *listener = start_listener();
	guint16 port = nhip_mllp_listener_get_port(listener);
	g_autoptr(NhipMllpClient) client = NULL;
	g_autoptr(NhipHl7Message) message = make_message("REFUSED", "BÙI");
	SendResult result = { 0 };

	/* a port that was just closed has nobody listening */
	stop_listener(listener);
	client = nhip_mllp_client_new("127.0.0.1", port);
	nhip_mllp_client_set_retry(client, 3, 5, 20);
	nhip_mllp_client_send_async(client, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_error(result.error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION);
	g_assert_nonnull(strstr(result.error->message, "after 3 attempts"));
	g_assert_cmpuint(nhip_mllp_client_get_last_attempts(client), ==, 3);
	send_result_clear(&result);
}

static void
test_garbled_ack(void)
{
	RawServer *server = raw_server_new(RAW_GARBLED);
	g_autoptr(NhipMllpClient) client = nhip_mllp_client_new("127.0.0.1", server->port);
	g_autoptr(NhipHl7Message) message = make_message("GARBLED", "NGÔ");
	SendResult result = { 0 };

	nhip_mllp_client_set_retry(client, 2, 5, 20);
	nhip_mllp_client_send_async(client, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_error(result.error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_PROTOCOL);
	g_assert_nonnull(strstr(result.error->message, "garbled"));
	g_assert_cmpuint(nhip_mllp_client_get_last_attempts(client), ==, 2);
	g_assert_cmpint(g_atomic_int_get(&server->n_frames), ==, 2);
	send_result_clear(&result);
	g_clear_object(&client);
	raw_server_free(server);
}

static void
test_wrong_control_id(void)
{
	RawServer *server = raw_server_new(RAW_WRONG_ID);
	g_autoptr(NhipMllpClient) client = nhip_mllp_client_new("127.0.0.1", server->port);
	g_autoptr(NhipHl7Message) message = make_message("MINE", "DƯƠNG");
	SendResult result = { 0 };

	nhip_mllp_client_set_retry(client, 1, 5, 20);
	nhip_mllp_client_send_async(client, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_error(result.error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_PROTOCOL);
	g_assert_nonnull(strstr(result.error->message, "is for message “OTHER”, not for “MINE”"));
	send_result_clear(&result);
	g_clear_object(&client);
	raw_server_free(server);
}

static void
test_peer_closes(void)
{
	RawServer *server = raw_server_new(RAW_CLOSE);
	g_autoptr(NhipMllpClient) client = nhip_mllp_client_new("127.0.0.1", server->port);
	g_autoptr(NhipHl7Message) message = make_message("CLOSE", "LÝ");
	SendResult result = { 0 };

	nhip_mllp_client_set_retry(client, 2, 5, 20);
	nhip_mllp_client_send_async(client, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_error(result.error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_CONNECTION);
	g_assert_cmpuint(nhip_mllp_client_get_last_attempts(client), ==, 2);
	send_result_clear(&result);
	g_clear_object(&client);
	raw_server_free(server);
}

static void
test_keep_alive_reconnect(void)
{
	RawServer *server = raw_server_new(RAW_ACK_THEN_CLOSE);
	g_autoptr(NhipMllpClient) client = nhip_mllp_client_new("127.0.0.1", server->port);
	SendResult result = { 0 };

	/* the receiver closes after every ACK; the kept connection is found dead and
	 * reopened without spending an attempt */
	nhip_mllp_client_set_retry(client, 1, 5, 20);
	for (guint i = 0; i < 3; i++) {
		g_autofree gchar *control_id = g_strdup_printf("KA%u", i);
		g_autoptr(NhipHl7Message) message = make_message(control_id, "MAI");
		nhip_mllp_client_send_async(client, message, NULL, send_cb, &result);
		wait_for(&result.done);
		g_assert_no_error(result.error);
		g_assert_cmpstr(nhip_hl7_ack_get_control_id(result.ack), ==, control_id);
		g_assert_cmpuint(nhip_mllp_client_get_last_attempts(client), ==, 1);
		send_result_clear(&result);
	}
	g_assert_cmpint(g_atomic_int_get(&server->n_connections), ==, 3);
	g_clear_object(&client);
	raw_server_free(server);
}

static gboolean
cancel_cb(gpointer user_data)
{
	g_cancellable_cancel(G_CANCELLABLE(user_data));
	return G_SOURCE_REMOVE;
}

static void
test_cancel(void)
{
	RawServer *server = raw_server_new(RAW_SILENT);
	g_autoptr(NhipMllpClient) client = nhip_mllp_client_new("127.0.0.1", server->port);
	g_autoptr(NhipHl7Message) message = make_message("CANCEL", "TÔ");
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	SendResult result = { 0 };

	nhip_mllp_client_set_timeouts(client, 60000, 60000);
	g_timeout_add(100, cancel_cb, cancellable);
	nhip_mllp_client_send_async(client, message, cancellable, send_cb, &result);
	wait_for(&result.done);
	g_assert_error(result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	send_result_clear(&result);

	/* cancelled while waiting to retry */
	g_clear_object(&cancellable);
	cancellable = g_cancellable_new();
	nhip_mllp_client_set_timeouts(client, 60000, 50);
	nhip_mllp_client_set_retry(client, 5, 60000, 60000);
	g_timeout_add(300, cancel_cb, cancellable);
	nhip_mllp_client_send_async(client, message, cancellable, send_cb, &result);
	wait_for(&result.done);
	g_assert_error(result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpuint(nhip_mllp_client_get_last_attempts(client), ==, 1);
	send_result_clear(&result);
	g_clear_object(&client);
	raw_server_free(server);
}

typedef struct {
	guint16 port;
	NhipHl7Ack *ack;
	GError *error;
	gboolean done;
} SyncJob;

static gboolean
sync_job_done_cb(gpointer user_data)
{
	SyncJob *job = user_data;
	job->done = TRUE;
	return G_SOURCE_REMOVE;
}

static gpointer
sync_job_thread(gpointer user_data)
{
	SyncJob *job = user_data;
	g_autoptr(NhipMllpClient) client = nhip_mllp_client_new("127.0.0.1", job->port);
	g_autoptr(NhipHl7Message) message = make_message("SYNC1", "CAO");

	job->ack = nhip_mllp_client_send(client, message, NULL, &job->error);
	g_idle_add(sync_job_done_cb, job);
	return NULL;
}

static void
test_sync(void)
{
	NhipMllpListener *listener = start_listener();
	SyncJob job = { nhip_mllp_listener_get_port(listener), NULL, NULL, FALSE };
	GThread *thread = g_thread_new("sync-client", sync_job_thread, &job);

	wait_for(&job.done);
	g_thread_join(thread);
	g_assert_no_error(job.error);
	g_assert_cmpstr(nhip_hl7_ack_get_control_id(job.ack), ==, "SYNC1");
	nhip_hl7_ack_unref(job.ack);
	stop_listener(listener);
}

/* TLS with a certificate made for the test */

typedef struct {
	gchar *dir;
	gchar *ca;
	gchar *cert;
	gchar *key;
	gchar *client_cert;
	gchar *client_key;
} TlsFiles;

static void
tls_run_openssl(const gchar *const *argv)
{
	g_autoptr(GError) error = NULL;
	gint status = 0;

	g_spawn_sync(NULL, (gchar **)argv, NULL,
		     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
		     NULL, &status, &error);
	g_assert_no_error(error);
	g_spawn_check_wait_status(status, &error);
	g_assert_no_error(error);
}

/* a certificate authority, a server certificate for 127.0.0.1 and a client certificate */
static gboolean
tls_files_make(TlsFiles *files)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *openssl = g_find_program_in_path("openssl");
	g_autofree gchar *ca_key = NULL;
	g_autofree gchar *csr = NULL;
	g_autofree gchar *client_csr = NULL;

	if (openssl == NULL) {
		g_test_skip("openssl is not installed");
		return FALSE;
	}
	if (!g_tls_backend_supports_tls(g_tls_backend_get_default())) {
		g_test_skip("no TLS backend: install glib-networking");
		return FALSE;
	}
	files->dir = g_dir_make_tmp("nhip-mllp-tls-XXXXXX", &error);
	g_assert_no_error(error);
	files->ca = g_build_filename(files->dir, "ca.pem", NULL);
	files->cert = g_build_filename(files->dir, "server.pem", NULL);
	files->key = g_build_filename(files->dir, "server.key", NULL);
	files->client_cert = g_build_filename(files->dir, "client.pem", NULL);
	files->client_key = g_build_filename(files->dir, "client.key", NULL);
	ca_key = g_build_filename(files->dir, "ca.key", NULL);
	csr = g_build_filename(files->dir, "server.csr", NULL);
	client_csr = g_build_filename(files->dir, "client.csr", NULL);
	{
		const gchar *argv[] = { openssl,    "req",
					"-x509",    "-newkey",
					"rsa:2048", "-nodes",
					"-keyout",  ca_key,
					"-out",	    files->ca,
					"-days",    "2",
					"-subj",    "/CN=Nhip test CA",
					NULL };
		tls_run_openssl(argv);
	}
	{
		const gchar *argv[] = { openssl,
					"req",
					"-newkey",
					"rsa:2048",
					"-nodes",
					"-keyout",
					files->key,
					"-out",
					csr,
					"-subj",
					"/CN=127.0.0.1",
					"-addext",
					"subjectAltName=IP:127.0.0.1,DNS:localhost",
					NULL };
		tls_run_openssl(argv);
	}
	{
		const gchar *argv[] = {
			openssl,   "x509",	"-req",	  "-in",  csr,
			"-CA",	   files->ca,	"-CAkey", ca_key, "-CAcreateserial",
			"-out",	   files->cert, "-days",  "2",	  "-copy_extensions",
			"copyall", NULL
		};
		tls_run_openssl(argv);
	}
	{
		const gchar *argv[] = { openssl,    "req",     "-newkey",	  "rsa:2048",
					"-nodes",   "-keyout", files->client_key, "-out",
					client_csr, "-subj",   "/CN=station-01",  NULL };
		tls_run_openssl(argv);
	}
	{
		const gchar *argv[] = { openssl,    "x509",
					"-req",	    "-in",
					client_csr, "-CA",
					files->ca,  "-CAkey",
					ca_key,	    "-CAcreateserial",
					"-out",	    files->client_cert,
					"-days",    "2",
					NULL };
		tls_run_openssl(argv);
	}
	return TRUE;
}

static void
tls_files_clear(TlsFiles *files)
{
	g_autoptr(GDir) dir = NULL;
	const gchar *name;

	if (files->dir == NULL)
		return;
	dir = g_dir_open(files->dir, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *path = g_build_filename(files->dir, name, NULL);
		g_unlink(path);
	}
	g_rmdir(files->dir);
	g_free(files->ca);
	g_free(files->cert);
	g_free(files->key);
	g_free(files->client_cert);
	g_free(files->client_key);
	g_free(files->dir);
}

static void
test_tls(void)
{
	TlsFiles files = { 0 };
	NhipMllpListener *listener = NULL;
	g_autoptr(NhipMllpClient) client = NULL;
	g_autoptr(NhipMllpClient) untrusting = NULL;
	g_autoptr(NhipMllpClient) plain = NULL;
	g_autoptr(NhipHl7Message) message = make_message("TLS1", "PHAN");
	g_autoptr(GError) error = NULL;
	SendResult result = { 0 };

	if (!tls_files_make(&files))
		return;
	listener = start_listener();
	g_assert_true(nhip_mllp_listener_set_tls_files(listener, files.cert, files.key, &error));
	g_assert_no_error(error);

	client = nhip_mllp_client_new("127.0.0.1", nhip_mllp_listener_get_port(listener));
	nhip_mllp_client_set_tls(client, TRUE);
	g_assert_true(nhip_mllp_client_set_tls_ca_file(client, files.ca, &error));
	g_assert_no_error(error);
	nhip_mllp_client_send_async(client, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_no_error(result.error);
	g_assert_cmpint(nhip_hl7_ack_get_code(result.ack), ==, NHIP_HL7_ACK_CODE_AA);
	g_assert_cmpstr(nhip_hl7_ack_get_control_id(result.ack), ==, "TLS1");
	send_result_clear(&result);

	/* a certificate nobody vouches for is refused at once, without retries */
	untrusting = nhip_mllp_client_new("127.0.0.1", nhip_mllp_listener_get_port(listener));
	nhip_mllp_client_set_tls(untrusting, TRUE);
	nhip_mllp_client_set_retry(untrusting, 3, 5, 20);
	nhip_mllp_client_send_async(untrusting, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_error(result.error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TLS);
	g_assert_cmpuint(nhip_mllp_client_get_last_attempts(untrusting), ==, 1);
	send_result_clear(&result);

	/* a plain client gets no answer from a TLS listener */
	plain = nhip_mllp_client_new("127.0.0.1", nhip_mllp_listener_get_port(listener));
	nhip_mllp_client_set_timeouts(plain, 2000, 300);
	nhip_mllp_client_set_retry(plain, 1, 5, 20);
	nhip_mllp_client_send_async(plain, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_nonnull(result.error);
	g_assert_true(result.error->domain == NHIP_HL7_ERROR);
	send_result_clear(&result);

	g_clear_object(&client);
	g_clear_object(&untrusting);
	g_clear_object(&plain);
	stop_listener(listener);
	tls_files_clear(&files);
}

static void
test_tls_mutual(void)
{
	TlsFiles files = { 0 };
	NhipMllpListener *listener = NULL;
	g_autoptr(NhipMllpClient) client = NULL;
	g_autoptr(NhipMllpClient) anonymous = NULL;
	g_autoptr(NhipHl7Message) message = make_message("MTLS1", "HÀ");
	g_autoptr(GTlsDatabase) database = NULL;
	g_autoptr(GTlsCertificate) certificate = NULL;
	g_autoptr(GError) error = NULL;
	SendResult result = { 0 };

	if (!tls_files_make(&files))
		return;
	listener = start_listener();
	g_assert_true(nhip_mllp_listener_set_tls_files(listener, files.cert, files.key, &error));
	database = g_tls_file_database_new(files.ca, &error);
	g_assert_no_error(error);
	nhip_mllp_listener_set_tls_client_database(listener, database);
	certificate = g_tls_certificate_new_from_files(files.client_cert, files.client_key, &error);
	g_assert_no_error(error);

	client = nhip_mllp_client_new("127.0.0.1", nhip_mllp_listener_get_port(listener));
	nhip_mllp_client_set_tls(client, TRUE);
	nhip_mllp_client_set_tls_database(client, database);
	nhip_mllp_client_set_tls_certificate(client, certificate);
	nhip_mllp_client_send_async(client, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_no_error(result.error);
	g_assert_cmpstr(nhip_hl7_ack_get_control_id(result.ack), ==, "MTLS1");
	send_result_clear(&result);

	/* without a client certificate the listener closes the connection */
	anonymous = nhip_mllp_client_new("127.0.0.1", nhip_mllp_listener_get_port(listener));
	nhip_mllp_client_set_tls(anonymous, TRUE);
	nhip_mllp_client_set_tls_database(anonymous, database);
	nhip_mllp_client_set_timeouts(anonymous, 2000, 2000);
	nhip_mllp_client_set_retry(anonymous, 1, 5, 20);
	nhip_mllp_client_send_async(anonymous, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_null(result.ack);
	g_assert_true(result.error->domain == NHIP_HL7_ERROR);
	send_result_clear(&result);

	g_clear_object(&client);
	g_clear_object(&anonymous);
	stop_listener(listener);
	tls_files_clear(&files);
}

static void
test_tls_handshake_timeout(void)
{
	RawServer *server = NULL;
	g_autoptr(NhipMllpClient) client = NULL;
	g_autoptr(NhipHl7Message) message = make_message("HS1", "TẠ");
	SendResult result = { 0 };

	if (!g_tls_backend_supports_tls(g_tls_backend_get_default())) {
		g_test_skip("no TLS backend: install glib-networking");
		return;
	}
	/* a peer that accepts and says nothing: the handshake counts as connecting */
	server = raw_server_new(RAW_SILENT);
	client = nhip_mllp_client_new("127.0.0.1", server->port);
	nhip_mllp_client_set_tls(client, TRUE);
	nhip_mllp_client_set_timeouts(client, 200, 60000);
	nhip_mllp_client_set_retry(client, 1, 5, 20);
	nhip_mllp_client_send_async(client, message, NULL, send_cb, &result);
	wait_for(&result.done);
	g_assert_error(result.error, NHIP_HL7_ERROR, NHIP_HL7_ERROR_TIMED_OUT);
	g_assert_nonnull(strstr(result.error->message, "no connection"));
	send_result_clear(&result);
	g_clear_object(&client);
	raw_server_free(server);
}

static guint
count_threads(void)
{
	g_autoptr(GDir) dir = g_dir_open("/proc/self/task", 0, NULL);
	guint n = 0;

	while (dir != NULL && g_dir_read_name(dir) != NULL)
		n++;
	return n;
}

/*
 * TLS handshakes run in GLib's worker threads, which idle for a while before they end.
 * End them before exit: LeakSanitizer (LLVM 14 with glibc 2.36) crashes on the dynamic
 * thread-local storage the TLS backend leaves in live threads. This is cleanup, not a test.
 */
static void
wait_for_worker_threads(void)
{
	g_thread_pool_set_max_unused_threads(0);
	/* the main thread and GLib's pool spawner remain */
	for (guint i = 0; i < 200 && count_threads() > 2; i++) {
		g_thread_pool_stop_unused_threads();
		g_usleep(25000);
	}
}

int
main(int argc, char **argv)
{
	int status;

	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/hl7/mllp/net/roundtrip", test_roundtrip);
	g_test_add_func("/hl7/mllp/net/handler", test_handler);
	g_test_add_func("/hl7/mllp/net/parse-errors", test_parse_errors);
	g_test_add_func("/hl7/mllp/net/oversized-frame", test_oversized_frame);
	g_test_add_func("/hl7/mllp/net/many-connections", test_many_connections);
	g_test_add_func("/hl7/mllp/net/timeout-no-ack", test_timeout_no_ack);
	g_test_add_func("/hl7/mllp/net/retry-then-success", test_retry_then_success);
	g_test_add_func("/hl7/mllp/net/connection-refused", test_connection_refused);
	g_test_add_func("/hl7/mllp/net/garbled-ack", test_garbled_ack);
	g_test_add_func("/hl7/mllp/net/wrong-control-id", test_wrong_control_id);
	g_test_add_func("/hl7/mllp/net/peer-closes", test_peer_closes);
	g_test_add_func("/hl7/mllp/net/keep-alive-reconnect", test_keep_alive_reconnect);
	g_test_add_func("/hl7/mllp/net/cancel", test_cancel);
	g_test_add_func("/hl7/mllp/net/sync", test_sync);
	g_test_add_func("/hl7/mllp/net/tls", test_tls);
	g_test_add_func("/hl7/mllp/net/tls-mutual", test_tls_mutual);
	g_test_add_func("/hl7/mllp/net/tls-handshake-timeout", test_tls_handshake_timeout);
	status = g_test_run();
	wait_for_worker_threads();
	return status;
}
