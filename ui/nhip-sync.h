/*
 * Nhịp — the kiosk's link to the district: the background sender in a thread of its own,
 * and a watch on the packet queue and the replies for the screens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "nhip-store.h"

G_BEGIN_DECLS

#define NHIP_TYPE_SYNC (nhip_sync_get_type())
G_DECLARE_FINAL_TYPE(NhipSync, nhip_sync, NHIP, SYNC, GObject)

NhipSync *nhip_sync_new(const gchar *db_path);
void nhip_sync_start(NhipSync *self, NhipStore *reader, gboolean send);
void nhip_sync_stop(NhipSync *self);
void nhip_sync_wake(NhipSync *self);
void nhip_sync_refresh(NhipSync *self);
gboolean nhip_sync_is_enrolled(NhipSync *self);
const gchar *nhip_sync_get_hub_url(NhipSync *self);
const gchar *nhip_sync_get_station_code(NhipSync *self);

G_END_DECLS
