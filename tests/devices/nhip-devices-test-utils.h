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

/* ---- the device runtime: nhip-devsim and a recorder of what a manager reports ---- */

#include <gio/gio.h>

#include "nhip-device-manager.h"

GSubprocess *nhip_test_devsim_start(const gchar *driver,
				    const gchar *protocol,
				    const gchar *scenario,
				    gchar **tty);
void nhip_test_devsim_stop(GSubprocess *devsim);

/**
 * NhipTestRecorder:
 * @manager: the manager listened to
 * @measurements: (element-type NhipMeasurement): every measurement, in order
 * @states: every state a device went through, as "state" or "error: message" lines
 * @added: devices announced
 * @removed: devices announced as gone
 */
typedef struct {
	NhipDeviceManager *manager;
	GPtrArray *measurements;
	GPtrArray *states;
	GPtrArray *added;
	GPtrArray *removed;
} NhipTestRecorder;

NhipTestRecorder *nhip_test_recorder_new(NhipDeviceManager *manager);
void nhip_test_recorder_free(NhipTestRecorder *self);
guint nhip_test_recorder_count(NhipTestRecorder *self, NhipVitalKind kind, gdouble value);
gboolean nhip_test_recorder_has_state(NhipTestRecorder *self, const gchar *pattern);
gboolean nhip_test_wait_for(GSourceFunc condition, gpointer user_data, guint timeout_ms);
void nhip_test_run_for(guint ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipTestRecorder, nhip_test_recorder_free)
G_END_DECLS
