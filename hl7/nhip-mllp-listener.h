/*
 * Nhịp — MLLP listener: accepts connections, decodes frames and answers acknowledgments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "nhip-hl7-ack.h"
#include "nhip-hl7-message.h"

G_BEGIN_DECLS

/**
 * NhipMllpListener:
 *
 * Accepts MLLP connections (optionally in TLS) in its thread-default main context, decodes
 * frames, parses each message and answers it with the acknowledgment its handler returns.
 */
#define NHIP_TYPE_MLLP_LISTENER (nhip_mllp_listener_get_type())
G_DECLARE_FINAL_TYPE(NhipMllpListener, nhip_mllp_listener, NHIP, MLLP_LISTENER, GObject)

/**
 * NhipMllpListenerHandler:
 * @listener: the listener
 * @message: a received message that parsed
 * @user_data: the data given to nhip_mllp_listener_set_handler()
 * @error: return location for a #GError
 *
 * Handles one received message in the listener's main context. Return the acknowledgment
 * to send, for example from nhip_hl7_ack_build(). Return %NULL and set @error to answer AE
 * with the error's message. Return %NULL without an error to send no answer at all (the
 * sender will time out).
 *
 * Returns: (transfer full) (nullable): the acknowledgment message
 */
typedef NhipHl7Message *(*NhipMllpListenerHandler)(NhipMllpListener *listener,
						   NhipHl7Message *message,
						   gpointer user_data,
						   GError **error);

NhipMllpListener *nhip_mllp_listener_new(void) G_GNUC_WARN_UNUSED_RESULT;
void nhip_mllp_listener_set_handler(NhipMllpListener *self,
				    NhipMllpListenerHandler handler,
				    gpointer user_data,
				    GDestroyNotify destroy);
void nhip_mllp_listener_set_max_frame_size(NhipMllpListener *self, gsize max_frame_size);
void nhip_mllp_listener_set_tls_certificate(NhipMllpListener *self, GTlsCertificate *certificate);
gboolean nhip_mllp_listener_set_tls_files(NhipMllpListener *self,
					  const gchar *certificate_file,
					  const gchar *key_file,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_mllp_listener_set_tls_client_database(NhipMllpListener *self, GTlsDatabase *database);

gboolean nhip_mllp_listener_listen(NhipMllpListener *self,
				   const gchar *address,
				   guint16 port,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
guint16 nhip_mllp_listener_get_port(NhipMllpListener *self);
void nhip_mllp_listener_stop(NhipMllpListener *self);
guint nhip_mllp_listener_get_n_connections(NhipMllpListener *self);
guint nhip_mllp_listener_get_n_active(NhipMllpListener *self);
guint nhip_mllp_listener_get_n_messages(NhipMllpListener *self);

G_END_DECLS
