/*
 * Nhịp — a state change a device reported that is not a measurement.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * NhipDeviceEventKind:
 * @NHIP_DEVICE_EVENT_INFO: the device told its model, serial, version or protocol
 * @NHIP_DEVICE_EVENT_CLOCK: the device told its clock (see the event time)
 * @NHIP_DEVICE_EVENT_RECORD_COUNT: how many stored records the device holds (the value)
 * @NHIP_DEVICE_EVENT_STORED_BEGIN: a transfer of stored readings starts
 * @NHIP_DEVICE_EVENT_STORED_END: a transfer of stored readings ended
 * @NHIP_DEVICE_EVENT_FINGER_OUT: the oximeter has no finger in it
 * @NHIP_DEVICE_EVENT_PROBE_ERROR: the oximeter probe reports a fault
 * @NHIP_DEVICE_EVENT_SEARCHING: the device is searching for a signal
 * @NHIP_DEVICE_EVENT_SIGNAL_OK: readings resume after one of the three states above
 * @NHIP_DEVICE_EVENT_ASSOCIATED: an IEEE 11073 agent associated with us
 * @NHIP_DEVICE_EVENT_CONFIGURED: the agent's configuration is known
 * @NHIP_DEVICE_EVENT_RELEASED: the association or session ended normally
 * @NHIP_DEVICE_EVENT_ABORTED: the association was aborted
 * @NHIP_DEVICE_EVENT_REFUSED: the device refused a request (retry it)
 * @NHIP_DEVICE_EVENT_POWER_OFF: the device is turning itself off
 * @NHIP_DEVICE_EVENT_SUMMARY: a value the device computed that is not a reading of its own
 *   (weekly averages and the like), kept as text
 */
typedef enum {
	NHIP_DEVICE_EVENT_INFO,
	NHIP_DEVICE_EVENT_CLOCK,
	NHIP_DEVICE_EVENT_RECORD_COUNT,
	NHIP_DEVICE_EVENT_STORED_BEGIN,
	NHIP_DEVICE_EVENT_STORED_END,
	NHIP_DEVICE_EVENT_FINGER_OUT,
	NHIP_DEVICE_EVENT_PROBE_ERROR,
	NHIP_DEVICE_EVENT_SEARCHING,
	NHIP_DEVICE_EVENT_SIGNAL_OK,
	NHIP_DEVICE_EVENT_ASSOCIATED,
	NHIP_DEVICE_EVENT_CONFIGURED,
	NHIP_DEVICE_EVENT_RELEASED,
	NHIP_DEVICE_EVENT_ABORTED,
	NHIP_DEVICE_EVENT_REFUSED,
	NHIP_DEVICE_EVENT_POWER_OFF,
	NHIP_DEVICE_EVENT_SUMMARY,
} NhipDeviceEventKind;

#define NHIP_TYPE_DEVICE_EVENT (nhip_device_event_get_type())

typedef struct _NhipDeviceEvent NhipDeviceEvent;

GType nhip_device_event_get_type(void) G_GNUC_CONST;

NhipDeviceEvent *nhip_device_event_new(NhipDeviceEventKind kind,
				       const gchar *driver,
				       gsize offset,
				       const gchar *message);
NhipDeviceEvent *nhip_device_event_ref(NhipDeviceEvent *self);
void nhip_device_event_unref(NhipDeviceEvent *self);

NhipDeviceEventKind nhip_device_event_get_kind(const NhipDeviceEvent *self);
const gchar *nhip_device_event_get_driver(const NhipDeviceEvent *self);
gsize nhip_device_event_get_offset(const NhipDeviceEvent *self);
const gchar *nhip_device_event_get_message(const NhipDeviceEvent *self);
const gchar *nhip_device_event_get_detail(const NhipDeviceEvent *self);
gint64 nhip_device_event_get_value(const NhipDeviceEvent *self);
GDateTime *nhip_device_event_get_time(const NhipDeviceEvent *self);

void nhip_device_event_set_detail(NhipDeviceEvent *self, const gchar *detail);
void nhip_device_event_set_value(NhipDeviceEvent *self, gint64 value);
void nhip_device_event_set_time(NhipDeviceEvent *self, GDateTime *time);

const gchar *nhip_device_event_kind_to_string(NhipDeviceEventKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipDeviceEvent, nhip_device_event_unref)

G_END_DECLS
