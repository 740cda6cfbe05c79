/*
 * Nhịp — one vital-sign device that is present: its identity, state and readings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "nhip-device-error.h"
#include "nhip-device-event.h"
#include "nhip-measurement.h"
#include "nhip-vital.h"

G_BEGIN_DECLS

/**
 * NhipDeviceState:
 * @NHIP_DEVICE_STATE_CONNECTED: present, idle, waiting for a reading
 * @NHIP_DEVICE_STATE_READING: transfer in progress
 * @NHIP_DEVICE_STATE_ERROR: see the error-message property
 * @NHIP_DEVICE_STATE_DISCONNECTED: removed; the object is about to be dropped
 */
typedef enum {
	NHIP_DEVICE_STATE_CONNECTED,
	NHIP_DEVICE_STATE_READING,
	NHIP_DEVICE_STATE_ERROR,
	NHIP_DEVICE_STATE_DISCONNECTED,
} NhipDeviceState;

#define NHIP_TYPE_DEVICE_STATE (nhip_device_state_get_type())
GType nhip_device_state_get_type(void) G_GNUC_CONST;
const gchar *nhip_device_state_to_string(NhipDeviceState state);

#define NHIP_TYPE_DEVICE (nhip_device_get_type())
G_DECLARE_DERIVABLE_TYPE(NhipDevice, nhip_device, NHIP, DEVICE, GObject)

const gchar *nhip_device_get_id(NhipDevice *self);
const gchar *nhip_device_get_driver_name(NhipDevice *self);
const gchar *nhip_device_get_display_name(NhipDevice *self);
NhipVitalKind nhip_device_get_primary_kind(NhipDevice *self);
NhipDeviceState nhip_device_get_state(NhipDevice *self);
const gchar *nhip_device_get_error_message(NhipDevice *self);
const gchar *nhip_device_get_port(NhipDevice *self);
const gchar *nhip_device_get_model(NhipDevice *self);
const gchar *nhip_device_get_serial(NhipDevice *self);
guint16 nhip_device_get_vid(NhipDevice *self);
guint16 nhip_device_get_pid(NhipDevice *self);
gboolean nhip_device_is_hotplugged(NhipDevice *self);

G_END_DECLS
