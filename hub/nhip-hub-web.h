/*
 * Nhịp hub — the doctors' web pages: a second libmicrohttpd listener of the hub with
 * server-only TLS (doctors log in with a password; they have no client certificates), so
 * the stations' mutual-TLS listener never serves a page and the pages never take a packet.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-hub-db.h"
#include "nhip-hub-ingest.h"
#include "nhip-hub-live.h"

G_BEGIN_DECLS

/* how long a login lasts: a working day */
#define NHIP_HUB_WEB_SESSION_TTL (12 * 3600)
/* failed logins of one account before it is locked, and for how long (seconds) */
#define NHIP_HUB_WEB_LOGIN_TRIES  5
#define NHIP_HUB_WEB_LOGIN_WINDOW (15 * 60)
/* failed logins from one address before it is locked */
#define NHIP_HUB_WEB_ADDRESS_TRIES 30
/* the longest advice, in characters */
#define NHIP_HUB_WEB_ADVICE_MAX 4000

typedef struct _NhipHubWeb NhipHubWeb;

NhipHubWeb *nhip_hub_web_new(const gchar *hub_dir,
			     NhipHubDb *db,
			     NhipHubIngest *ingest,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_hub_web_set_on_reply(NhipHubWeb *self, GFunc callback, gpointer user_data);
void nhip_hub_web_set_live(NhipHubWeb *self, NhipHubLive *live);
gboolean nhip_hub_web_start(NhipHubWeb *self, const gchar *listen, GError **error);
guint16 nhip_hub_web_get_port(NhipHubWeb *self);
void nhip_hub_web_free(NhipHubWeb *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubWeb, nhip_hub_web_free)

G_END_DECLS
