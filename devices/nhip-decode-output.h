/*
 * Nhịp — what a decoder produced from the bytes it was fed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-decode-error.h"
#include "nhip-device-event.h"
#include "nhip-measurement.h"

G_BEGIN_DECLS

/**
 * NhipDecodeOutput:
 * @measurements: (element-type NhipMeasurement): accepted measurements, in stream order
 * @events: (element-type NhipDeviceEvent): device states and facts, in stream order
 * @warnings: (element-type GError): problems in the stream (%NHIP_DECODE_ERROR or
 *   %NHIP_VITAL_ERROR); the decoder went on after each
 * @responses: (element-type GBytes): frames the host must send to the device, in order
 *   (only request/response protocols such as IEEE 11073 produce these)
 * @receive_time: (nullable): station time stamped on new measurements; %NULL means "now"
 * @device_tz: the time zone of device clocks (devices keep local time without a zone)
 *
 * The sink every decoder writes into. Callers may take items out of the arrays between
 * feeds; decoders only append.
 */
typedef struct {
	GPtrArray *measurements;
	GPtrArray *events;
	GPtrArray *warnings;
	GPtrArray *responses;
	GDateTime *receive_time;
	GTimeZone *device_tz;
} NhipDecodeOutput;

NhipDecodeOutput *nhip_decode_output_new(void);
void nhip_decode_output_free(NhipDecodeOutput *self);
void nhip_decode_output_set_receive_time(NhipDecodeOutput *self, GDateTime *receive_time);
void nhip_decode_output_set_device_timezone(NhipDecodeOutput *self, GTimeZone *tz);

NhipMeasurement *nhip_decode_output_add_measurement(NhipDecodeOutput *self,
						    const gchar *driver,
						    gsize offset,
						    NhipVitalKind kind,
						    gdouble value,
						    gdouble value2,
						    const guint8 *raw,
						    gsize rawsz);
void nhip_decode_output_warn(NhipDecodeOutput *self,
			     const gchar *driver,
			     NhipDecodeError code,
			     gsize offset,
			     const gchar *format,
			     ...) G_GNUC_PRINTF(5, 6);
NhipDeviceEvent *nhip_decode_output_add_event(NhipDecodeOutput *self,
					      NhipDeviceEventKind kind,
					      const gchar *driver,
					      gsize offset,
					      const gchar *format,
					      ...) G_GNUC_PRINTF(5, 6);
void nhip_decode_output_add_response(NhipDecodeOutput *self, GBytes *frame);
GDateTime *nhip_decode_output_make_time(NhipDecodeOutput *self,
					gint year,
					gint month,
					gint day,
					gint hour,
					gint minute,
					gdouble seconds);

/**
 * NhipGarbageRun:
 * @start: stream offset of the first skipped byte
 * @len: how many bytes were skipped in a row
 * @quiet_until: bytes before this offset are skipped without a report (they belong to a
 *   frame already reported as bad)
 *
 * Collects bytes a decoder skipped while hunting for the next frame, so that one run of
 * garbage gives one warning, at a place fixed by the bytes and not by how they were split.
 */
typedef struct {
	gsize start;
	gsize len;
	gsize quiet_until;
} NhipGarbageRun;

void
nhip_garbage_run_add(NhipGarbageRun *run, NhipDecodeOutput *out, const gchar *driver, gsize offset);
void nhip_garbage_run_flush(NhipGarbageRun *run, NhipDecodeOutput *out, const gchar *driver);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipDecodeOutput, nhip_decode_output_free)

G_END_DECLS
