/*
 * Nhịp — a live session's messages through the hub, off the main loop: chat, live vitals
 * and join/leave/audio-only states are posted in order on one thread, the session's
 * events are long-polled on another, and both come back to the caller's main context as
 * signals. The caller stores them (nhip-store-live.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "nhip-live-link.h"
#include "nhip-measurement.h"

G_BEGIN_DECLS

#define NHIP_TYPE_LIVE_CHANNEL (nhip_live_channel_get_type())
G_DECLARE_FINAL_TYPE(NhipLiveChannel, nhip_live_channel, NHIP, LIVE_CHANNEL, GObject)

NhipLiveChannel *nhip_live_channel_new(const gchar *db_path,
				       const gchar *session_id,
				       gint64 after,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_live_channel_post(NhipLiveChannel *self, NhipLiveEvent *event);
guint nhip_live_channel_post_measurement(NhipLiveChannel *self, NhipMeasurement *measurement);
void nhip_live_channel_stop(NhipLiveChannel *self);
const gchar *nhip_live_channel_get_session_id(NhipLiveChannel *self);

G_END_DECLS
