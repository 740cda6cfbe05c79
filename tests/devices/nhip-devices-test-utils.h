/*
 * Nhịp — helpers shared by the decoder tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <string.h>

#include "nhip-bytes.h"
#include "nhip-decode-output.h"
#include "nhip-decode.h"

G_BEGIN_DECLS

GBytes *nhip_test_hex(const gchar *hex);
NhipDecodeOutput *nhip_test_output_new(void);
NhipDecodeOutput *nhip_test_decode(const gchar *driver, GBytes *bytes, gsize chunk, guint32 seed);
gchar *nhip_test_output_summary(NhipDecodeOutput *out);
void nhip_test_assert_split_invariant(const gchar *driver, GBytes *bytes);
NhipMeasurement *nhip_test_measurement(NhipDecodeOutput *out, guint index);
gboolean nhip_test_has_warning(NhipDecodeOutput *out, gint code, const gchar *substring);
gboolean nhip_test_has_event(NhipDecodeOutput *out, NhipDeviceEventKind kind);
guint nhip_test_count_events(NhipDecodeOutput *out, NhipDeviceEventKind kind);
gchar *nhip_test_time_string(GDateTime *dt);

G_END_DECLS
