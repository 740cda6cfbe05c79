/*
 * Nhịp — a client of the Janus HTTP API (the REST "Janus API" of the HTTP transport):
 * one Janus session with its token, plugin handles, messages with JSEP, trickled
 * candidates, keepalives and the long poll for events.
 *
 * The HTTP calls run on two threads of their own (requests in order on one, the long
 * poll on the other) so the GLib main loop never waits on the network; every callback and
 * signal is delivered in the main context of the thread that made the client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define NHIP_TYPE_JANUS_CLIENT (nhip_janus_client_get_type())
G_DECLARE_FINAL_TYPE(NhipJanusClient, nhip_janus_client, NHIP, JANUS_CLIENT, GObject)

NhipJanusClient *nhip_janus_client_new(const gchar *url,
				       const gchar *token) G_GNUC_WARN_UNUSED_RESULT;
gint64 nhip_janus_client_get_session_id(NhipJanusClient *self);
void nhip_janus_client_set_request_timeout(NhipJanusClient *self, guint seconds);

void nhip_janus_client_create_async(NhipJanusClient *self,
				    GCancellable *cancellable,
				    GAsyncReadyCallback callback,
				    gpointer user_data);
gboolean
nhip_janus_client_create_finish(NhipJanusClient *self, GAsyncResult *result, GError **error);

void nhip_janus_client_attach_async(NhipJanusClient *self,
				    const gchar *plugin,
				    GCancellable *cancellable,
				    GAsyncReadyCallback callback,
				    gpointer user_data);
gint64 nhip_janus_client_attach_finish(NhipJanusClient *self, GAsyncResult *result, GError **error);

void nhip_janus_client_message_async(NhipJanusClient *self,
				     gint64 handle,
				     JsonNode *body,
				     JsonNode *jsep,
				     GCancellable *cancellable,
				     GAsyncReadyCallback callback,
				     gpointer user_data);
JsonObject *nhip_janus_client_message_finish(NhipJanusClient *self,
					     GAsyncResult *result,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;

void nhip_janus_client_trickle(NhipJanusClient *self,
			       gint64 handle,
			       guint mline,
			       const gchar *candidate);
void nhip_janus_client_detach(NhipJanusClient *self, gint64 handle);

void nhip_janus_client_destroy_async(NhipJanusClient *self,
				     GCancellable *cancellable,
				     GAsyncReadyCallback callback,
				     gpointer user_data);
gboolean
nhip_janus_client_destroy_finish(NhipJanusClient *self, GAsyncResult *result, GError **error);

/* parsing what Janus sends (exposed for the tests and the fuzzer) */
JsonNode *
nhip_janus_parse_events(const gchar *data, gsize length, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_janus_check_reply(JsonObject *message, GError **error);
gint64 nhip_janus_member_int(JsonObject *object, const gchar *name);
const gchar *nhip_janus_member_string(JsonObject *object, const gchar *name);
JsonObject *nhip_janus_member_object(JsonObject *object, const gchar *name);

G_END_DECLS
