/*
 * Nhịp — MLLP client: sends HL7 v2 messages and waits for their acknowledgments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "nhip-hl7-ack.h"
#include "nhip-hl7-message.h"

G_BEGIN_DECLS

/**
 * NhipMllpClient:
 *
 * Sends HL7 v2 messages to one receiver over MLLP (optionally in TLS) and returns their
 * acknowledgments, with connect and ACK timeouts and retries with exponential back-off.
 * Use it from one thread.
 */
#define NHIP_TYPE_MLLP_CLIENT (nhip_mllp_client_get_type())
G_DECLARE_FINAL_TYPE(NhipMllpClient, nhip_mllp_client, NHIP, MLLP_CLIENT, GObject)

NhipMllpClient *nhip_mllp_client_new(const gchar *host, guint16 port) G_GNUC_WARN_UNUSED_RESULT;

void
nhip_mllp_client_set_timeouts(NhipMllpClient *self, guint connect_timeout_ms, guint ack_timeout_ms);
void nhip_mllp_client_set_retry(NhipMllpClient *self,
				guint max_attempts,
				guint retry_delay_ms,
				guint max_retry_delay_ms);
void nhip_mllp_client_set_keep_alive(NhipMllpClient *self, gboolean keep_alive);
void nhip_mllp_client_set_tls(NhipMllpClient *self, gboolean tls);
void nhip_mllp_client_set_tls_database(NhipMllpClient *self, GTlsDatabase *database);
gboolean nhip_mllp_client_set_tls_ca_file(NhipMllpClient *self,
					  const gchar *ca_file,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_mllp_client_set_tls_certificate(NhipMllpClient *self, GTlsCertificate *certificate);

void nhip_mllp_client_send_async(NhipMllpClient *self,
				 NhipHl7Message *message,
				 GCancellable *cancellable,
				 GAsyncReadyCallback callback,
				 gpointer user_data);
NhipHl7Ack *nhip_mllp_client_send_finish(NhipMllpClient *self,
					 GAsyncResult *result,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHl7Ack *nhip_mllp_client_send(NhipMllpClient *self,
				  NhipHl7Message *message,
				  GCancellable *cancellable,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_mllp_client_disconnect(NhipMllpClient *self);
guint nhip_mllp_client_get_last_attempts(NhipMllpClient *self);

G_END_DECLS
