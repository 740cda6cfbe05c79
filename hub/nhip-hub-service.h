/*
 * Nhịp hub — the HTTPS service: tus uploads of case packets, receipts, the stations'
 * long-poll inbox and enrollment, on libmicrohttpd with mutual TLS (GnuTLS).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sys/socket.h>

#include "nhip-hub-db.h"

G_BEGIN_DECLS

/* the longest a station's inbox request is held open */
#define NHIP_HUB_INBOX_WAIT_MAX 25
/* how long an unfinished upload is kept */
#define NHIP_HUB_UPLOAD_TTL (7 * 24 * 3600)

typedef struct _NhipHubService NhipHubService;

NhipHubService *
nhip_hub_service_new(const gchar *hub_dir, NhipHubDb *db, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_hub_service_start(NhipHubService *self, const gchar *listen, GError **error);
guint16 nhip_hub_service_get_port(NhipHubService *self);
void nhip_hub_service_expire(NhipHubService *self);
void nhip_hub_service_expire_live(NhipHubService *self);
void nhip_hub_service_free(NhipHubService *self);
gboolean nhip_hub_service_start_web(NhipHubService *self, const gchar *listen, GError **error);
guint16 nhip_hub_service_get_web_port(NhipHubService *self);
void nhip_hub_service_wake_inbox(NhipHubService *self);
gboolean nhip_hub_parse_listen(const gchar *listen,
			       struct sockaddr_storage *out,
			       gsize *out_len,
			       GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubService, nhip_hub_service_free)

G_END_DECLS
