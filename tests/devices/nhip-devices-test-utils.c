/*
 * Nhịp — helpers shared by the decoder tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <signal.h>

#include "nhip-devices-test-utils.h"

/* parses hex text or fails the test */
GBytes *
nhip_test_hex(const gchar *hex)
{
	g_autoptr(GError) error = NULL;
	GBytes *bytes = nhip_hex_text_parse(hex, -1, &error);
	g_assert_no_error(error);
	g_assert_nonnull(bytes);
	return bytes;
}

/* an output with a fixed receive time and UTC device clocks, for reproducible results */
NhipDecodeOutput *
nhip_test_output_new(void)
{
	NhipDecodeOutput *out = nhip_decode_output_new();
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) received = g_date_time_new(utc, 2024, 1, 2, 3, 4, 5);
	nhip_decode_output_set_receive_time(out, received);
	nhip_decode_output_set_device_timezone(out, utc);
	return out;
}

/* feeds @bytes in chunks of @chunk bytes (0 = all at once, G_MAXSIZE = random sizes from
 * @seed) and ends the stream */
NhipDecodeOutput *
nhip_test_decode(const gchar *driver, GBytes *bytes, gsize chunk, guint32 seed)
{
	const NhipDriverInfo *info = nhip_driver_info_lookup(driver);
	NhipDecodeOutput *out = nhip_test_output_new();
	g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	gpointer decoder;
	gsize pos = 0;

	g_assert_nonnull(info);
	decoder = info->decoder_new();
	while (pos < len) {
		gsize n = chunk == 0 ? len : chunk;
		if (chunk == G_MAXSIZE)
			n = (gsize)g_rand_int_range(rand, 1, 24);
		n = MIN(n, len - pos);
		info->decoder_feed(decoder, data + pos, n, out);
		pos += n;
	}
	/* an empty feed must change nothing */
	info->decoder_feed(decoder, data, 0, out);
	info->decoder_finish(decoder, out);
	info->decoder_free(decoder);
	return out;
}

gchar *
nhip_test_output_summary(NhipDecodeOutput *out)
{
	GString *str = g_string_new(NULL);
	for (guint i = 0; i < out->measurements->len; i++) {
		g_autofree gchar *line =
			nhip_measurement_to_json_line(g_ptr_array_index(out->measurements, i));
		g_string_append_printf(str, "M %s\n", line);
	}
	for (guint i = 0; i < out->events->len; i++) {
		NhipDeviceEvent *event = g_ptr_array_index(out->events, i);
		g_string_append_printf(
			str, "E %s @%" G_GSIZE_FORMAT " %s %s %" G_GINT64_FORMAT "\n",
			nhip_device_event_kind_to_string(nhip_device_event_get_kind(event)),
			nhip_device_event_get_offset(event), nhip_device_event_get_message(event),
			nhip_device_event_get_detail(event), nhip_device_event_get_value(event));
	}
	for (guint i = 0; i < out->warnings->len; i++) {
		GError *error = g_ptr_array_index(out->warnings, i);
		g_string_append_printf(str, "W %d %s\n", error->code, error->message);
	}
	for (guint i = 0; i < out->responses->len; i++) {
		GBytes *resp = g_ptr_array_index(out->responses, i);
		gsize n = 0;
		const guint8 *d = g_bytes_get_data(resp, &n);
		g_autofree gchar *hex = nhip_bytes_to_hex(d, n, NULL);
		g_string_append_printf(str, "R %s\n", hex);
	}
	return g_string_free(str, FALSE);
}

/* whole, byte by byte and random splits must give the same measurements, events,
 * warnings and responses */
void
nhip_test_assert_split_invariant(const gchar *driver, GBytes *bytes)
{
	g_autoptr(NhipDecodeOutput) whole = nhip_test_decode(driver, bytes, 0, 0);
	g_autofree gchar *expected = nhip_test_output_summary(whole);
	g_autoptr(NhipDecodeOutput) bytewise = nhip_test_decode(driver, bytes, 1, 0);
	g_autofree gchar *got = nhip_test_output_summary(bytewise);

	g_assert_cmpstr(got, ==, expected);
	for (guint32 seed = 1; seed <= 20; seed++) {
		g_autoptr(NhipDecodeOutput) split =
			nhip_test_decode(driver, bytes, G_MAXSIZE, seed);
		g_autofree gchar *split_got = nhip_test_output_summary(split);
		g_assert_cmpstr(split_got, ==, expected);
	}
}

NhipMeasurement *
nhip_test_measurement(NhipDecodeOutput *out, guint index)
{
	g_assert_cmpuint(index, <, out->measurements->len);
	return g_ptr_array_index(out->measurements, index);
}

gboolean
nhip_test_has_warning(NhipDecodeOutput *out, gint code, const gchar *substring)
{
	for (guint i = 0; i < out->warnings->len; i++) {
		GError *error = g_ptr_array_index(out->warnings, i);
		if (error->code == code &&
		    (substring == NULL || strstr(error->message, substring) != NULL))
			return TRUE;
	}
	return FALSE;
}

guint
nhip_test_count_events(NhipDecodeOutput *out, NhipDeviceEventKind kind)
{
	guint n = 0;
	for (guint i = 0; i < out->events->len; i++) {
		if (nhip_device_event_get_kind(g_ptr_array_index(out->events, i)) == kind)
			n++;
	}
	return n;
}

gboolean
nhip_test_has_event(NhipDecodeOutput *out, NhipDeviceEventKind kind)
{
	return nhip_test_count_events(out, kind) > 0;
}

gchar *
nhip_test_time_string(GDateTime *dt)
{
	if (dt == NULL)
		return g_strdup("(none)");
	return g_date_time_format(dt, "%Y-%m-%d %H:%M:%S");
}

/* ---- the device runtime --------------------------------------------------------------- */

/* starts nhip-devsim and returns the tty it printed */
GSubprocess *
nhip_test_devsim_start(const gchar *driver,
		       const gchar *protocol,
		       const gchar *scenario,
		       gchar **tty)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GDataInputStream) lines = NULL;
	GSubprocess *devsim;
	gsize len = 0;

	g_ptr_array_add(argv, (gpointer)NHIP_DEVSIM_PATH);
	g_ptr_array_add(argv, (gpointer) "--driver");
	g_ptr_array_add(argv, (gpointer)driver);
	if (protocol != NULL) {
		g_ptr_array_add(argv, (gpointer) "--protocol");
		g_ptr_array_add(argv, (gpointer)protocol);
	}
	if (scenario != NULL) {
		g_ptr_array_add(argv, (gpointer) "--scenario");
		g_ptr_array_add(argv, (gpointer)scenario);
	}
	g_ptr_array_add(argv, NULL);
	devsim = g_subprocess_newv((const gchar *const *)argv->pdata,
				   G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
	g_assert_no_error(error);
	lines = g_data_input_stream_new(g_subprocess_get_stdout_pipe(devsim));
	*tty = g_data_input_stream_read_line(lines, &len, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(*tty);
	g_assert_true(g_str_has_prefix(*tty, "/dev/pts/"));
	return devsim;
}

void
nhip_test_devsim_stop(GSubprocess *devsim)
{
	if (devsim == NULL)
		return;
	g_subprocess_send_signal(devsim, SIGTERM);
	g_subprocess_wait(devsim, NULL, NULL);
	g_object_unref(devsim);
}

static void
recorder_state_cb(NhipDevice *device, GParamSpec *pspec, gpointer user_data)
{
	NhipTestRecorder *self = user_data;
	NhipDeviceState state = nhip_device_get_state(device);

	if (state == NHIP_DEVICE_STATE_ERROR)
		g_ptr_array_add(
			self->states,
			g_strdup_printf("error: %s", nhip_device_get_error_message(device)));
	else
		g_ptr_array_add(self->states, g_strdup(nhip_device_state_to_string(state)));
}

static void
recorder_error_cb(NhipDevice *device, GParamSpec *pspec, gpointer user_data)
{
	NhipTestRecorder *self = user_data;
	const gchar *message = nhip_device_get_error_message(device);

	/* a second error while in ERROR changes only the message */
	if (message != NULL)
		g_ptr_array_add(self->states, g_strdup_printf("error: %s", message));
}

static void
recorder_added_cb(NhipDeviceManager *manager, NhipDevice *device, gpointer user_data)
{
	NhipTestRecorder *self = user_data;
	g_ptr_array_add(self->added, g_object_ref(device));
	g_signal_connect(device, "notify::state", G_CALLBACK(recorder_state_cb), self);
	g_signal_connect(device, "notify::error-message", G_CALLBACK(recorder_error_cb), self);
	if (nhip_device_get_state(device) == NHIP_DEVICE_STATE_ERROR)
		recorder_state_cb(device, NULL, self);
}

static void
recorder_removed_cb(NhipDeviceManager *manager, NhipDevice *device, gpointer user_data)
{
	NhipTestRecorder *self = user_data;
	g_ptr_array_add(self->removed, g_object_ref(device));
}

static void
recorder_measurement_cb(NhipDeviceManager *manager,
			NhipDevice *device,
			NhipMeasurement *measurement,
			gpointer user_data)
{
	NhipTestRecorder *self = user_data;
	g_ptr_array_add(self->measurements, nhip_measurement_ref(measurement));
}

NhipTestRecorder *
nhip_test_recorder_new(NhipDeviceManager *manager)
{
	NhipTestRecorder *self = g_new0(NhipTestRecorder, 1);

	self->manager = g_object_ref(manager);
	self->measurements = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_measurement_unref);
	self->states = g_ptr_array_new_with_free_func(g_free);
	self->added = g_ptr_array_new_with_free_func(g_object_unref);
	self->removed = g_ptr_array_new_with_free_func(g_object_unref);
	g_signal_connect(manager, "device-added", G_CALLBACK(recorder_added_cb), self);
	g_signal_connect(manager, "device-removed", G_CALLBACK(recorder_removed_cb), self);
	g_signal_connect(manager, "measurement", G_CALLBACK(recorder_measurement_cb), self);
	return self;
}

void
nhip_test_recorder_free(NhipTestRecorder *self)
{
	g_signal_handlers_disconnect_by_data(self->manager, self);
	for (guint i = 0; i < self->added->len; i++)
		g_signal_handlers_disconnect_by_data(g_ptr_array_index(self->added, i), self);
	g_object_unref(self->manager);
	g_ptr_array_unref(self->measurements);
	g_ptr_array_unref(self->states);
	g_ptr_array_unref(self->added);
	g_ptr_array_unref(self->removed);
	g_free(self);
}

/* how many measurements of @kind had @value (any value when NAN) */
guint
nhip_test_recorder_count(NhipTestRecorder *self, NhipVitalKind kind, gdouble value)
{
	guint n = 0;
	for (guint i = 0; i < self->measurements->len; i++) {
		NhipMeasurement *m = g_ptr_array_index(self->measurements, i);
		if (nhip_measurement_get_kind(m) != kind)
			continue;
		if (isnan(value) || G_APPROX_VALUE(nhip_measurement_get_value(m), value, 1e-9))
			n++;
	}
	return n;
}

/* whether a state line matches a glob pattern, e.g. "error: *finger*" */
gboolean
nhip_test_recorder_has_state(NhipTestRecorder *self, const gchar *pattern)
{
	for (guint i = 0; i < self->states->len; i++) {
		if (g_pattern_match_simple(pattern, g_ptr_array_index(self->states, i)))
			return TRUE;
	}
	return FALSE;
}

static gboolean
test_timeout_cb(gpointer user_data)
{
	gboolean *expired = user_data;
	*expired = TRUE;
	return G_SOURCE_REMOVE;
}

/* runs the default main context until @condition holds or @timeout_ms pass */
gboolean
nhip_test_wait_for(GSourceFunc condition, gpointer user_data, guint timeout_ms)
{
	gboolean expired = FALSE;
	guint id = g_timeout_add(timeout_ms, test_timeout_cb, &expired);

	while (!expired && (condition == NULL || !condition(user_data)))
		g_main_context_iteration(NULL, TRUE);
	if (!expired)
		g_source_remove(id);
	return condition != NULL && condition(user_data);
}

void
nhip_test_run_for(guint ms)
{
	nhip_test_wait_for(NULL, NULL, ms);
}
