/*
 * Nhịp hub — responses and peer addresses shared by the two listeners.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <netinet/in.h>

#include "nhip-hub-http.h"
#include "nhip-json.h"

/**
 * nhip_hub_http_respond:
 * @conn: the connection
 * @status: the HTTP status
 * @content_type: (nullable): the body's type
 * @body: the body (copied)
 * @len: its length
 * @headers: (nullable) (array zero-terminated=1): name, value, name, value…
 * @more_headers: (nullable) (array zero-terminated=1): more of them
 *
 * Queues a response that is never cached (`Cache-Control: no-store`).
 *
 * Returns: what libmicrohttpd's access handler returns
 */
enum MHD_Result
nhip_hub_http_respond(struct MHD_Connection *conn,
		      guint status,
		      const gchar *content_type,
		      gconstpointer body,
		      gsize len,
		      const gchar *const *headers,
		      const gchar *const *more_headers)
{
	struct MHD_Response *response =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (response == NULL)
		return MHD_NO;
	MHD_add_response_header(response, "Cache-Control", "no-store");
	if (content_type != NULL)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
		MHD_add_response_header(response, headers[i], headers[i + 1]);
	for (guint i = 0; more_headers != NULL && more_headers[i] != NULL; i += 2)
		MHD_add_response_header(response, more_headers[i], more_headers[i + 1]);
	ret = MHD_queue_response(conn, status, response);
	MHD_destroy_response(response);
	return ret;
}

/**
 * nhip_hub_http_error_json:
 * @word: what went wrong, one word for programs ("not-found")
 * @message: what went wrong, for people
 *
 * Returns: (transfer full): the JSON body of a refusal, `{"error": word, "message": text}`
 */
gchar *
nhip_hub_http_error_json(const gchar *word, const gchar *message)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "error", word);
	nhip_json_add_string(builder, "message", message);
	json_builder_end_object(builder);
	return nhip_json_to_string(builder, FALSE);
}

/**
 * nhip_hub_http_peer:
 * @conn: the connection
 * @buf: room for the address
 * @len: its size
 *
 * Returns: the client's IP address in @buf, or "?"
 */
const gchar *
nhip_hub_http_peer(struct MHD_Connection *conn, gchar *buf, gsize len)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	g_autoptr(GSocketAddress) address = NULL;
	g_autofree gchar *text = NULL;

	if (info == NULL || info->client_addr == NULL)
		return "?";
	address = g_socket_address_new_from_native(info->client_addr,
						   info->client_addr->sa_family == AF_INET6
							   ? sizeof(struct sockaddr_in6)
							   : sizeof(struct sockaddr_in));
	if (address == NULL || !G_IS_INET_SOCKET_ADDRESS(address))
		return "?";
	text = g_inet_address_to_string(
		g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(address)));
	g_strlcpy(buf, text, len);
	return buf;
}

/**
 * nhip_hub_http_log:
 * @listener: (type utf8): the listener's name, as given with MHD_OPTION_EXTERNAL_LOGGER
 * @fmt: libmicrohttpd's message format
 * @ap: its arguments
 *
 * libmicrohttpd's own messages, at debug level, named after the listener.
 */
void
nhip_hub_http_log(void *listener, const char *fmt, va_list ap)
{
	g_autofree gchar *text = g_strdup_vprintf(fmt, ap);
	g_strchomp(text);
	g_debug("libmicrohttpd (%s): %s", (const gchar *)listener, text);
}
