/*
 * Nhịp — what a decoder produced from the bytes it was fed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-decode-output.h"

/**
 * nhip_decode_output_new:
 *
 * Returns: (transfer full): an empty output whose device time zone is the local one
 */
NhipDecodeOutput *
nhip_decode_output_new(void)
{
	NhipDecodeOutput *self = g_new0(NhipDecodeOutput, 1);
	self->measurements = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_measurement_unref);
	self->events = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_device_event_unref);
	self->warnings = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
	self->responses = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	self->device_tz = g_time_zone_new_local();
	return self;
}

/**
 * nhip_decode_output_free:
 * @self: (transfer full) (nullable): an output
 */
void
nhip_decode_output_free(NhipDecodeOutput *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref(self->measurements);
	g_ptr_array_unref(self->events);
	g_ptr_array_unref(self->warnings);
	g_ptr_array_unref(self->responses);
	g_clear_pointer(&self->receive_time, g_date_time_unref);
	g_clear_pointer(&self->device_tz, g_time_zone_unref);
	g_free(self);
}

/**
 * nhip_decode_output_set_receive_time:
 * @self: an output
 * @receive_time: (nullable): station time for new measurements; %NULL means "now"
 *
 * Tests and replays set a fixed time so that output is reproducible.
 */
void
nhip_decode_output_set_receive_time(NhipDecodeOutput *self, GDateTime *receive_time)
{
	g_return_if_fail(self != NULL);
	g_clear_pointer(&self->receive_time, g_date_time_unref);
	if (receive_time != NULL)
		self->receive_time = g_date_time_ref(receive_time);
}

/**
 * nhip_decode_output_set_device_timezone:
 * @self: an output
 * @tz: the time zone the devices' clocks are set in
 */
void
nhip_decode_output_set_device_timezone(NhipDecodeOutput *self, GTimeZone *tz)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(tz != NULL);
	g_time_zone_unref(self->device_tz);
	self->device_tz = g_time_zone_ref(tz);
}

static gchar *
decode_output_where(const gchar *driver, gsize offset, const gchar *message)
{
	/* TRANSLATORS: "taidoc: byte 16: checksum 0x17 does not match…" */
	return g_strdup_printf(_("%s: byte %lu: %s"), driver != NULL ? driver : "?", offset,
			       message);
}

/**
 * nhip_decode_output_warn:
 * @self: an output
 * @driver: the driver name
 * @code: a #NhipDecodeError
 * @offset: stream offset where the problem is
 * @format: printf-style translated message: what is wrong and what to do
 * @...: arguments
 *
 * Adds a warning "DRIVER: byte OFFSET: MESSAGE".
 */
void
nhip_decode_output_warn(NhipDecodeOutput *self,
			const gchar *driver,
			NhipDecodeError code,
			gsize offset,
			const gchar *format,
			...)
{
	va_list args;
	g_autofree gchar *message = NULL;
	g_autofree gchar *full = NULL;

	g_return_if_fail(self != NULL);
	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	full = decode_output_where(driver, offset, message);
	g_debug("%s", full);
	g_ptr_array_add(self->warnings, g_error_new_literal(NHIP_DECODE_ERROR, code, full));
}

/**
 * nhip_decode_output_add_event:
 * @self: an output
 * @kind: what happened
 * @driver: the driver name
 * @offset: stream offset of the frame
 * @format: printf-style translated message for staff
 * @...: arguments
 *
 * Returns: (transfer none): the new event, to add a detail, value or time to
 */
NhipDeviceEvent *
nhip_decode_output_add_event(NhipDecodeOutput *self,
			     NhipDeviceEventKind kind,
			     const gchar *driver,
			     gsize offset,
			     const gchar *format,
			     ...)
{
	va_list args;
	g_autofree gchar *message = NULL;
	NhipDeviceEvent *event;

	g_return_val_if_fail(self != NULL, NULL);
	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	event = nhip_device_event_new(kind, driver, offset, message);
	g_ptr_array_add(self->events, event);
	return event;
}

/**
 * nhip_decode_output_add_response:
 * @self: an output
 * @frame: bytes to send to the device
 */
void
nhip_decode_output_add_response(NhipDecodeOutput *self, GBytes *frame)
{
	g_return_if_fail(self != NULL);
	g_return_if_fail(frame != NULL);
	g_ptr_array_add(self->responses, g_bytes_ref(frame));
}

/**
 * nhip_decode_output_add_measurement:
 * @self: an output
 * @driver: the driver name
 * @offset: stream offset of the frame
 * @kind: the vital kind
 * @value: the value in the unit of @kind
 * @value2: the diastolic value for blood pressure, else %NAN
 * @raw: (array length=rawsz) (nullable): the frame
 * @rawsz: size of @raw
 *
 * Checks the value; an impossible value is dropped and reported as a warning with code
 * %NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE. An accepted one gets the driver, the receive time
 * and the raw frame.
 *
 * Returns: (transfer none) (nullable): the new measurement, or %NULL if it was refused
 */
NhipMeasurement *
nhip_decode_output_add_measurement(NhipDecodeOutput *self,
				   const gchar *driver,
				   gsize offset,
				   NhipVitalKind kind,
				   gdouble value,
				   gdouble value2,
				   const guint8 *raw,
				   gsize rawsz)
{
	g_autoptr(GError) error_local = NULL;
	g_autoptr(NhipMeasurement) measurement = NULL;

	g_return_val_if_fail(self != NULL, NULL);

	measurement = nhip_measurement_new(kind, value, value2, &error_local);
	if (measurement == NULL) {
		nhip_decode_output_warn(self, driver, NHIP_DECODE_ERROR_IMPOSSIBLE_VALUE, offset,
					_("%s; the reading was dropped — repeat the measurement"),
					error_local->message);
		return NULL;
	}
	nhip_measurement_set_driver(measurement, driver);
	if (self->receive_time != NULL) {
		nhip_measurement_set_receive_time(measurement, self->receive_time);
	} else {
		g_autoptr(GDateTime) now = g_date_time_new_now_local();
		nhip_measurement_set_receive_time(measurement, now);
	}
	if (raw != NULL)
		nhip_measurement_set_raw_data(measurement, raw, rawsz);
	g_ptr_array_add(self->measurements, nhip_measurement_ref(measurement));
	return measurement;
}

/**
 * nhip_decode_output_make_time:
 * @self: an output
 * @year: full year
 * @month: 1–12
 * @day: 1–31
 * @hour: 0–23
 * @minute: 0–59
 * @seconds: 0–59.99
 *
 * Builds a device time in the device time zone.
 *
 * Returns: (transfer full) (nullable): the time, or %NULL if the fields are not a date
 */
GDateTime *
nhip_decode_output_make_time(NhipDecodeOutput *self,
			     gint year,
			     gint month,
			     gint day,
			     gint hour,
			     gint minute,
			     gdouble seconds)
{
	g_return_val_if_fail(self != NULL, NULL);
	if (year < 1970 || year > 2199 || month < 1 || month > 12 || day < 1 || day > 31 ||
	    hour < 0 || hour > 23 || minute < 0 || minute > 59 || seconds < 0 || seconds >= 60)
		return NULL;
	return g_date_time_new(self->device_tz, year, month, day, hour, minute, seconds);
}

/**
 * nhip_garbage_run_flush:
 * @run: a garbage run
 * @out: an output
 * @driver: the driver name
 *
 * Reports the bytes collected so far, if any, as one %NHIP_DECODE_ERROR_SYNC warning.
 */
void
nhip_garbage_run_flush(NhipGarbageRun *run, NhipDecodeOutput *out, const gchar *driver)
{
	if (run->len == 0)
		return;
	nhip_decode_output_warn(out, driver, NHIP_DECODE_ERROR_SYNC, run->start,
				g_dngettext(GETTEXT_PACKAGE,
					    "skipped %lu"
					    " byte that belongs to no frame; if this repeats, "
					    "check the cable and the serial settings",
					    "skipped %lu"
					    " bytes that belong to no frame; if this repeats, "
					    "check the cable and the serial settings",
					    run->len),
				run->len);
	run->len = 0;
}

/**
 * nhip_garbage_run_add:
 * @run: a garbage run
 * @out: an output
 * @driver: the driver name
 * @offset: stream offset of one skipped byte
 *
 * Adds one skipped byte to the run; a byte that does not follow the run starts a new one.
 */
void
nhip_garbage_run_add(NhipGarbageRun *run, NhipDecodeOutput *out, const gchar *driver, gsize offset)
{
	if (offset < run->quiet_until)
		return;
	if (run->len > 0 && run->start + run->len != offset)
		nhip_garbage_run_flush(run, out, driver);
	if (run->len == 0)
		run->start = offset;
	run->len++;
}
