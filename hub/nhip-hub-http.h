/*
 * Nhịp hub — what both listeners (the stations' and the doctors' pages) answer with: a
 * response with headers, never cached, and the caller's address for the log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <microhttpd.h>

G_BEGIN_DECLS

enum MHD_Result nhip_hub_http_respond(struct MHD_Connection *conn,
				      guint status,
				      const gchar *content_type,
				      gconstpointer body,
				      gsize len,
				      const gchar *const *headers,
				      const gchar *const *more_headers);
const gchar *nhip_hub_http_peer(struct MHD_Connection *conn, gchar *buf, gsize len);
gchar *nhip_hub_http_error_json(const gchar *word, const gchar *message) G_GNUC_WARN_UNUSED_RESULT;
void nhip_hub_http_log(void *listener, const char *fmt, va_list ap) G_GNUC_PRINTF(2, 0);

G_END_DECLS
