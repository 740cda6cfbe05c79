/*
 * Nhịp hub — what the hub asks of Janus, over Janus's Admin API on the hub's own machine:
 * stored tokens (add_token, remove_token) and VideoRoom rooms through `message_plugin`
 * (create, exists, allowed, destroy), so the hub needs no Janus session of its own.
 *
 * Blocking libcurl calls bounded by short timeouts: they run on the thread libmicrohttpd
 * gave the request (one thread per connection), so a slow Janus holds up only the request
 * that needs it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Janus's own error codes the hub tells apart */
#define NHIP_HUB_JANUS_TOKEN_REMOVE_FAILED 490 /* the token was not there */
#define NHIP_HUB_JANUS_ROOM_NO_SUCH_ROOM   426 /* VideoRoom: no such room */

typedef struct _NhipHubJanus NhipHubJanus;

NhipHubJanus *nhip_hub_janus_new(const gchar *admin_url,
				 const gchar *admin_secret,
				 const gchar *room_admin_key) G_GNUC_WARN_UNUSED_RESULT;
void nhip_hub_janus_free(NhipHubJanus *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubJanus, nhip_hub_janus_free)

gboolean nhip_hub_janus_add_token(NhipHubJanus *self, const gchar *token, GError **error);
gboolean nhip_hub_janus_remove_token(NhipHubJanus *self, const gchar *token, GError **error);
gint64 nhip_hub_janus_room_create(NhipHubJanus *self,
				  const gchar *description,
				  const gchar *secret,
				  gint64 bitrate,
				  const gchar *const *allowed,
				  GError **error);
gboolean
nhip_hub_janus_room_exists(NhipHubJanus *self, gint64 room, gboolean *exists, GError **error);
gboolean nhip_hub_janus_room_allow(NhipHubJanus *self,
				   gint64 room,
				   const gchar *secret,
				   const gchar *token,
				   GError **error);
gboolean
nhip_hub_janus_room_destroy(NhipHubJanus *self, gint64 room, const gchar *secret, GError **error);

JsonObject *nhip_hub_janus_parse_reply(const gchar *data,
				       gsize len,
				       const gchar *transaction,
				       gint *janus_code,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
