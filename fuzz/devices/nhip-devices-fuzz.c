/*
 * Nhịp — shared body of the decoder fuzz targets.
 *
 * Each input is decoded twice: in one piece, and split at points drawn from its own
 * bytes. Both runs must give the same result, and every measurement must pass
 * nhip_vital_check() and serialise to JSON. A broken invariant aborts, which is what
 * libFuzzer reports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "nhip-decode.h"
#include "nhip-devices-fuzz.h"

static void
fuzz_fail(const gchar *what)
{
	fprintf(stderr, "invariant broken: %s\n", what);
	abort();
}

static NhipDecodeOutput *
fuzz_run(const NhipDriverInfo *info, const guint8 *data, gsize size, gboolean split)
{
	NhipDecodeOutput *out = nhip_decode_output_new();
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) received = g_date_time_new(utc, 2024, 1, 1, 0, 0, 0);
	gpointer decoder = info->decoder_new();
	gsize pos = 0;
	guint32 state = 0x9E3779B9u ^ (guint32)size;

	nhip_decode_output_set_receive_time(out, received);
	nhip_decode_output_set_device_timezone(out, utc);
	while (pos < size) {
		gsize n = size - pos;
		if (split) {
			/* a small deterministic generator; chunks of 1..17 bytes */
			state = state * 1103515245u + 12345u + data[pos];
			n = MIN(n, 1 + ((state >> 16) % 17));
		}
		info->decoder_feed(decoder, data + pos, n, out);
		pos += n;
	}
	info->decoder_finish(decoder, out);
	info->decoder_free(decoder);
	return out;
}

static gchar *
fuzz_summary(NhipDecodeOutput *out)
{
	GString *str = g_string_new(NULL);
	for (guint i = 0; i < out->measurements->len; i++) {
		NhipMeasurement *m = g_ptr_array_index(out->measurements, i);
		g_autofree gchar *line = nhip_measurement_to_json_line(m);
		NhipVitalFlags flags = NHIP_VITAL_FLAG_NONE;
		if (!nhip_vital_check(nhip_measurement_get_kind(m), nhip_measurement_get_value(m),
				      nhip_measurement_get_value2(m), &flags, NULL))
			fuzz_fail("a measurement fails nhip_vital_check()");
		if (nhip_measurement_get_driver(m) == NULL ||
		    nhip_measurement_get_receive_time(m) == NULL)
			fuzz_fail("a measurement has no driver or receive time");
		if (line == NULL || line[0] != '{')
			fuzz_fail("a measurement does not serialise");
		g_string_append_printf(str, "M %s\n", line);
	}
	for (guint i = 0; i < out->events->len; i++) {
		NhipDeviceEvent *event = g_ptr_array_index(out->events, i);
		g_string_append_printf(str, "E %d %" G_GSIZE_FORMAT " %s\n",
				       (gint)nhip_device_event_get_kind(event),
				       nhip_device_event_get_offset(event),
				       nhip_device_event_get_message(event));
	}
	for (guint i = 0; i < out->warnings->len; i++) {
		GError *error = g_ptr_array_index(out->warnings, i);
		if (error->message == NULL || error->message[0] == '\0')
			fuzz_fail("a warning has no message");
		g_string_append_printf(str, "W %d %s\n", error->code, error->message);
	}
	for (guint i = 0; i < out->responses->len; i++)
		g_string_append_printf(str, "R %" G_GSIZE_FORMAT "\n",
				       g_bytes_get_size(g_ptr_array_index(out->responses, i)));
	return g_string_free(str, FALSE);
}

/* runs @data through the decoder of @driver and checks the invariants */
int
nhip_fuzz_decoder(const gchar *driver, const guint8 *data, gsize size)
{
	const NhipDriverInfo *info = nhip_driver_info_lookup(driver);
	g_autoptr(NhipDecodeOutput) whole = NULL;
	g_autoptr(NhipDecodeOutput) split = NULL;
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;

	if (info == NULL)
		fuzz_fail("unknown driver");
	whole = fuzz_run(info, data, size, FALSE);
	split = fuzz_run(info, data, size, TRUE);
	a = fuzz_summary(whole);
	b = fuzz_summary(split);
	if (g_strcmp0(a, b) != 0) {
		fprintf(stderr, "whole:\n%s\nsplit:\n%s\n", a, b);
		fuzz_fail("splitting the input changed the result");
	}
	return 0;
}
