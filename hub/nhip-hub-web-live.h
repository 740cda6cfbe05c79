/*
 * Nhịp hub — the doctors' live consultation page (/cases/ID/live: the video beside the
 * case, chat, the live vitals panel; its script is hub/data/web/nhip-live.js on our own
 * Janus client nhip-janus.js) and, on the case view, what was said and measured during
 * the calls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-hub-db.h"
#include "nhip-hub-live.h"

G_BEGIN_DECLS

gchar *nhip_hub_web_live_csp(const NhipHubLiveConfig *config) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_hub_web_live_static(const gchar *url, const gchar **content_type);
void nhip_hub_web_live_page_begin(GString *page, gint64 case_id, const gchar *csrf);
void nhip_hub_web_live_page_end(GString *page);
void nhip_hub_web_live_button(GString *page, gint64 case_id, const gchar *started_by);
gboolean nhip_hub_web_live_history(GString *page, NhipHubDb *db, gint64 case_id, GError **error);

G_END_DECLS
