/*
 * Nhịp — the devices present now: enumeration, hotplug, configured serial ports, and
 * every measurement they send.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "nhip-device.h"

G_BEGIN_DECLS

#define NHIP_TYPE_DEVICE_MANAGER (nhip_device_manager_get_type())
G_DECLARE_FINAL_TYPE(NhipDeviceManager, nhip_device_manager, NHIP, DEVICE_MANAGER, GObject)

NhipDeviceManager *nhip_device_manager_new(void);
gboolean nhip_device_manager_start(NhipDeviceManager *self,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_device_manager_stop(NhipDeviceManager *self);
gboolean nhip_device_manager_add_serial_port(NhipDeviceManager *self,
					     const gchar *driver,
					     const gchar *path,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_device_manager_remove_serial_port(NhipDeviceManager *self,
						const gchar *path,
						GError **error) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_device_manager_get_devices(NhipDeviceManager *self);
NhipDevice *nhip_device_manager_find_device(NhipDeviceManager *self, const gchar *id);
void nhip_device_manager_set_hotplug(NhipDeviceManager *self, gboolean hotplug);

G_END_DECLS
