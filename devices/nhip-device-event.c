/*
 * Nhịp — a state change a device reported that is not a measurement.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-device-event.h"

/**
 * NhipDeviceEvent:
 *
 * A reference-counted, boxed record of something a device reported that is not a
 * measurement: "finger out", a record count, an association that ended. It carries the
 * stream offset of the frame, a translated message for staff, and an optional detail
 * string, integer value and device time.
 */
struct _NhipDeviceEvent {
	grefcount refcount;
	NhipDeviceEventKind kind;
	gchar *driver;
	gsize offset;
	gchar *message;
	gchar *detail;
	gint64 value;
	GDateTime *time;
};

G_DEFINE_BOXED_TYPE(NhipDeviceEvent,
		    nhip_device_event,
		    nhip_device_event_ref,
		    nhip_device_event_unref)

/**
 * nhip_device_event_new:
 * @kind: what happened
 * @driver: (nullable): the driver name
 * @offset: stream offset of the frame that reported it
 * @message: (nullable): a translated message for staff
 *
 * Returns: (transfer full): a new event
 */
NhipDeviceEvent *
nhip_device_event_new(NhipDeviceEventKind kind,
		      const gchar *driver,
		      gsize offset,
		      const gchar *message)
{
	NhipDeviceEvent *self = g_new0(NhipDeviceEvent, 1);
	g_ref_count_init(&self->refcount);
	self->kind = kind;
	self->driver = g_strdup(driver);
	self->offset = offset;
	self->message = g_strdup(message);
	return self;
}

/**
 * nhip_device_event_ref:
 * @self: an event
 *
 * Returns: (transfer full): @self
 */
NhipDeviceEvent *
nhip_device_event_ref(NhipDeviceEvent *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	g_ref_count_inc(&self->refcount);
	return self;
}

/**
 * nhip_device_event_unref:
 * @self: (transfer full): an event
 */
void
nhip_device_event_unref(NhipDeviceEvent *self)
{
	g_return_if_fail(self != NULL);
	if (!g_ref_count_dec(&self->refcount))
		return;
	g_clear_pointer(&self->time, g_date_time_unref);
	g_free(self->driver);
	g_free(self->message);
	g_free(self->detail);
	g_free(self);
}

/**
 * nhip_device_event_get_kind:
 * @self: an event
 *
 * Returns: what happened
 */
NhipDeviceEventKind
nhip_device_event_get_kind(const NhipDeviceEvent *self)
{
	g_return_val_if_fail(self != NULL, NHIP_DEVICE_EVENT_INFO);
	return self->kind;
}

/**
 * nhip_device_event_get_driver:
 * @self: an event
 *
 * Returns: (transfer none) (nullable): the driver name
 */
const gchar *
nhip_device_event_get_driver(const NhipDeviceEvent *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->driver;
}

/**
 * nhip_device_event_get_offset:
 * @self: an event
 *
 * Returns: the stream offset of the frame that reported the event
 */
gsize
nhip_device_event_get_offset(const NhipDeviceEvent *self)
{
	g_return_val_if_fail(self != NULL, 0);
	return self->offset;
}

/**
 * nhip_device_event_get_message:
 * @self: an event
 *
 * Returns: (transfer none) (nullable): a translated message for staff
 */
const gchar *
nhip_device_event_get_message(const NhipDeviceEvent *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->message;
}

/**
 * nhip_device_event_get_detail:
 * @self: an event
 *
 * Returns: (transfer none) (nullable): machine-readable detail, e.g. a model string
 */
const gchar *
nhip_device_event_get_detail(const NhipDeviceEvent *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->detail;
}

/**
 * nhip_device_event_get_value:
 * @self: an event
 *
 * Returns: an integer that goes with the event (e.g. a record count), else 0
 */
gint64
nhip_device_event_get_value(const NhipDeviceEvent *self)
{
	g_return_val_if_fail(self != NULL, 0);
	return self->value;
}

/**
 * nhip_device_event_get_time:
 * @self: an event
 *
 * Returns: (transfer none) (nullable): a device time that goes with the event
 */
GDateTime *
nhip_device_event_get_time(const NhipDeviceEvent *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->time;
}

/**
 * nhip_device_event_set_detail:
 * @self: an event
 * @detail: (nullable): machine-readable detail
 */
void
nhip_device_event_set_detail(NhipDeviceEvent *self, const gchar *detail)
{
	g_return_if_fail(self != NULL);
	g_free(self->detail);
	self->detail = g_strdup(detail);
}

/**
 * nhip_device_event_set_value:
 * @self: an event
 * @value: an integer that goes with the event
 */
void
nhip_device_event_set_value(NhipDeviceEvent *self, gint64 value)
{
	g_return_if_fail(self != NULL);
	self->value = value;
}

/**
 * nhip_device_event_set_time:
 * @self: an event
 * @time: (nullable): a device time
 */
void
nhip_device_event_set_time(NhipDeviceEvent *self, GDateTime *time)
{
	g_return_if_fail(self != NULL);
	g_clear_pointer(&self->time, g_date_time_unref);
	if (time != NULL)
		self->time = g_date_time_ref(time);
}

/**
 * nhip_device_event_kind_to_string:
 * @kind: a kind
 *
 * Returns: (transfer none): a short stable name, e.g. "finger-out"
 */
const gchar *
nhip_device_event_kind_to_string(NhipDeviceEventKind kind)
{
	switch (kind) {
	case NHIP_DEVICE_EVENT_INFO:
		return "info";
	case NHIP_DEVICE_EVENT_CLOCK:
		return "clock";
	case NHIP_DEVICE_EVENT_RECORD_COUNT:
		return "record-count";
	case NHIP_DEVICE_EVENT_STORED_BEGIN:
		return "stored-begin";
	case NHIP_DEVICE_EVENT_STORED_END:
		return "stored-end";
	case NHIP_DEVICE_EVENT_FINGER_OUT:
		return "finger-out";
	case NHIP_DEVICE_EVENT_PROBE_ERROR:
		return "probe-error";
	case NHIP_DEVICE_EVENT_SEARCHING:
		return "searching";
	case NHIP_DEVICE_EVENT_SIGNAL_OK:
		return "signal-ok";
	case NHIP_DEVICE_EVENT_ASSOCIATED:
		return "associated";
	case NHIP_DEVICE_EVENT_CONFIGURED:
		return "configured";
	case NHIP_DEVICE_EVENT_RELEASED:
		return "released";
	case NHIP_DEVICE_EVENT_ABORTED:
		return "aborted";
	case NHIP_DEVICE_EVENT_REFUSED:
		return "refused";
	case NHIP_DEVICE_EVENT_POWER_OFF:
		return "power-off";
	case NHIP_DEVICE_EVENT_SUMMARY:
		return "summary";
	default:
		return "unknown";
	}
}
