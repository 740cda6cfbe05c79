/*
 * Nhịp — the kiosk's state: the database connections, who is logged in, the ICD-10 list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "nhip-device-manager.h"
#include "nhip-icd10.h"
#include "nhip-store.h"
#include "nhip-sync.h"
#include "nhip-worker.h"

G_BEGIN_DECLS

/* settings keys (the settings table of the store) */
#define NHIP_SETTING_HUB_URL	       "hub.url"
#define NHIP_SETTING_HUB_PHONE	       "hub.phone"
#define NHIP_SETTING_HIS_HOST	       "his.host"
#define NHIP_SETTING_HIS_LAST_UPLOAD   "his.last-upload"
#define NHIP_SETTING_IDLE_LOCK	       "station.idle-lock-minutes"
#define NHIP_DEFAULT_IDLE_LOCK_MINUTES 5

#define NHIP_TYPE_STATION (nhip_station_get_type())
G_DECLARE_FINAL_TYPE(NhipStation, nhip_station, NHIP, STATION, GObject)

NhipStation *nhip_station_new(const gchar *db_path, gboolean demo);
void nhip_station_open_async(NhipStation *self,
			     GCancellable *cancellable,
			     GAsyncReadyCallback callback,
			     gpointer user_data);
gboolean nhip_station_open_finish(NhipStation *self, GAsyncResult *result, GError **error);

NhipStore *nhip_station_get_store(NhipStation *self);
NhipWorker *nhip_station_get_worker(NhipStation *self);
NhipSync *nhip_station_get_sync(NhipStation *self);
void nhip_station_start_sync(NhipStation *self, gboolean send);
NhipIcd10Catalog *nhip_station_get_icd10(NhipStation *self);
const gchar *nhip_station_get_db_path(NhipStation *self);
gboolean nhip_station_is_demo(NhipStation *self);

NhipStaff *nhip_station_get_staff(NhipStation *self);
void nhip_station_set_staff(NhipStation *self, const NhipStaff *staff);
gboolean nhip_station_is_technician(NhipStation *self);

void nhip_station_run(NhipStation *self,
		      NhipWorkerFunc func,
		      gpointer data,
		      GDestroyNotify data_free,
		      GDestroyNotify result_free,
		      GAsyncReadyCallback callback,
		      gpointer user_data);
gpointer nhip_station_run_finish(NhipStation *self, GAsyncResult *result, GError **error);
void nhip_station_notify_changed(NhipStation *self);

guint nhip_station_count_devices(NhipStation *self, guint *connected);
GPtrArray *nhip_station_get_devices(NhipStation *self);
NhipDeviceManager *nhip_station_get_device_manager(NhipStation *self);
void nhip_station_start_devices(NhipStation *self);
void nhip_station_set_current_visit(NhipStation *self, gint64 visit_id);
gint64 nhip_station_get_current_visit(NhipStation *self);

gchar *nhip_station_get_setting(NhipStation *self,
				const gchar *key,
				const gchar *fallback) G_GNUC_WARN_UNUSED_RESULT;
guint nhip_station_get_idle_lock_minutes(NhipStation *self);

G_END_DECLS
