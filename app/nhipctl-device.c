/*
 * nhipctl — the `device` commands: the driver table, and decoding captured byte streams
 * (optionally into a visit).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "nhip-decode.h"
#include "nhip-device-manager.h"
#include "nhip-json.h"
#include "nhip-status.h"
#include "nhipctl-private.h"

/* "phdc, omron-hid, cms50, taidoc, tanita" */
static gchar *
device_driver_names(void)
{
	g_autoptr(GPtrArray) drivers = nhip_driver_info_list();
	g_autoptr(GString) names = g_string_new(NULL);

	for (guint i = 0; i < drivers->len; i++) {
		const NhipDriverInfo *info = g_ptr_array_index(drivers, i);
		if (names->len > 0)
			g_string_append(names, ", ");
		g_string_append(names, info->name);
	}
	return g_string_free(g_steal_pointer(&names), FALSE);
}

/* one line on standard error, whatever the message holds */
static void
device_print_warning(const gchar *message)
{
	g_autofree gchar *line = g_strdup(message);

	g_strdelimit(line, "\r\n", ' ');
	g_printerr(_("nhipctl: warning: %s\n"), line);
}

/* a pretty JSON array on standard output */
static void
device_print_json_array(JsonArray *array)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_ARRAY);
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autofree gchar *text = NULL;

	json_node_set_array(node, array);
	json_generator_set_root(generator, node);
	json_generator_set_pretty(generator, TRUE);
	text = json_generator_to_data(generator, NULL);
	g_print("%s\n", text);
}

/* ----- device drivers ----- */

static gint
cmd_device_drivers(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) drivers = NULL;
	gboolean json = global->json;
	GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
		{ NULL },
	};

	if (!nhipctl_parse("", _("List the supported device drivers and their USB ids."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 1)
		return nhipctl_usage_error(_("usage: nhipctl device drivers [--json]"));
	drivers = nhip_driver_info_list();
	if (json) {
		g_autoptr(JsonArray) array = json_array_new();
		for (guint i = 0; i < drivers->len; i++)
			json_array_add_object_element(
				array, nhip_driver_info_to_json(g_ptr_array_index(drivers, i)));
		device_print_json_array(array);
		return EXIT_OK;
	}
	for (guint i = 0; i < drivers->len; i++) {
		const NhipDriverInfo *info = g_ptr_array_index(drivers, i);
		g_autoptr(GString) usb = g_string_new(NULL);
		g_autoptr(GString) vitals = g_string_new(NULL);

		for (const NhipUsbMatch *m = info->usb_matches;
		     m->vid != 0 || m->pid != 0 || m->interface_class != 0; m++) {
			if (usb->len > 0)
				g_string_append(usb, ", ");
			if (m->vid != 0)
				g_string_append_printf(usb, "%04x:%04x", m->vid, m->pid);
			else
				g_string_append_printf(usb, _("interface class 0x%02x"),
						       m->interface_class);
		}
		for (const NhipVitalKind *k = info->vitals; *k != NHIP_VITAL_UNKNOWN; k++) {
			if (vitals->len > 0)
				g_string_append(vitals, ", ");
			g_string_append(vitals, nhip_vital_kind_to_string(*k));
		}
		g_print("%-10s %s\n", info->name, _(info->display_name));
		g_print("%-10s %s: %s", "", _("transport"),
			nhip_transport_kind_to_string(info->transport));
		if (info->serial_settings != NULL)
			g_print(" (%s)", info->serial_settings);
		g_print("\n%-10s %s: %s\n", "", _("USB"), usb->str);
		g_print("%-10s %s: %s\n", "", _("vitals"), vitals->str);
	}
	return EXIT_OK;
}

/* ----- device decode ----- */

/* the bytes of FILE, read as hex text with --hex */
static GBytes *
device_read_capture(const gchar *path, gboolean hex, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize len = 0;
	GBytes *bytes;

	if (!g_file_get_contents(path, &contents, &len, error))
		return NULL;
	if (!hex)
		return g_bytes_new_take(g_steal_pointer(&contents), len);
	bytes = nhip_hex_text_parse(contents, (gssize)len, error);
	if (bytes == NULL) {
		g_prefix_error(error, "%s: ", path);
		return NULL;
	}
	return bytes;
}

/* does a file read as raw bytes read as hex text? then --hex was probably forgotten */
static gboolean
device_looks_like_hex(GBytes *bytes)
{
	gsize len = 0;
	const gchar *text = g_bytes_get_data(bytes, &len);
	g_autoptr(GBytes) parsed = NULL;

	if (len == 0 || memchr(text, '\0', len) != NULL)
		return FALSE;
	parsed = nhip_hex_text_parse(text, (gssize)len, NULL);
	return parsed != NULL && g_bytes_get_size(parsed) > 0;
}

static void
device_print_measurement(const NhipMeasurement *measurement)
{
	const NhipVitalInfo *info = nhip_vital_info(nhip_measurement_get_kind(measurement));
	GDateTime *time = nhip_measurement_get_device_time(measurement);
	g_autofree gchar *when = NULL;
	g_autofree gchar *value = NULL;
	g_autofree gchar *flags =
		nhip_measurement_flags_to_string(nhip_measurement_get_flags(measurement));
	const gchar *model = nhip_measurement_get_device_model(measurement);

	if (time != NULL)
		when = g_date_time_format(time, "%Y-%m-%d %H:%M:%S");
	else
		when = g_strdup(_("(no clock)"));
	if (info->n_values == 2)
		value = g_strdup_printf(
			"%.*f/%.*f", (gint)info->decimals, nhip_measurement_get_value(measurement),
			(gint)info->decimals, nhip_measurement_get_value2(measurement));
	else
		value = g_strdup_printf("%.*f", (gint)info->decimals,
					nhip_measurement_get_value(measurement));
	g_print("%-19s  %-8s %-8s %-10s %-9s %-8s %s\n", when, info->id, info->loinc, value,
		info->unit, model != NULL ? model : "-", flags);
}

static void
device_print_measurements(GPtrArray *measurements, gboolean json)
{
	if (!json)
		g_print("%-19s  %-8s %-8s %-10s %-9s %-8s %s\n", _("time"), _("vital"), _("LOINC"),
			_("value"), _("unit"), _("model"), _("flags"));
	for (guint i = 0; i < measurements->len; i++) {
		const NhipMeasurement *measurement = g_ptr_array_index(measurements, i);
		if (json) {
			g_autofree gchar *line = nhip_measurement_to_json_line(measurement);
			g_print("%s\n", line);
		} else {
			device_print_measurement(measurement);
		}
	}
}

/* device clock minus station clock, from the last clock the device reported */
static gboolean
device_clock_skew(NhipDecodeOutput *out, gint64 *skew)
{
	for (guint i = out->events->len; i > 0; i--) {
		NhipDeviceEvent *event = g_ptr_array_index(out->events, i - 1);
		GDateTime *device_clock = nhip_device_event_get_time(event);

		if (nhip_device_event_get_kind(event) != NHIP_DEVICE_EVENT_CLOCK ||
		    device_clock == NULL || out->receive_time == NULL)
			continue;
		*skew = g_date_time_difference(device_clock, out->receive_time) /
			G_TIME_SPAN_SECOND;
		return TRUE;
	}
	return FALSE;
}

static gint
device_store(NhipctlGlobal *global,
	     gint64 visit_id,
	     GPtrArray *measurements,
	     const gint64 *skew,
	     gboolean json)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	NhipStoreDeviceCounts counts = { 0 };
	g_autofree gchar *line = NULL;

	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (!nhip_store_add_device_measurements(store, visit_id, measurements, skew, &counts,
						&error))
		return nhipctl_fail(error);
	line = g_strdup_printf(_("visit %" PRId64 ": %u added, %u duplicates, %u to the "
				 "patient's history, %u undated skipped"),
			       visit_id, counts.added, counts.duplicates, counts.history,
			       counts.undated);
	/* with --json, standard output holds only the measurements */
	if (json)
		g_printerr("nhipctl: %s\n", line);
	else
		g_print("%s\n", line);
	return EXIT_OK;
}

static gint
cmd_device_decode(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *driver = NULL;
	g_autofree gchar *visit_text = NULL;
	g_autofree gchar *names = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GDateTime) now = NULL;
	g_autoptr(NhipDecodeOutput) out = NULL;
	gboolean json = global->json;
	gboolean hex = FALSE;
	gint64 visit_id = 0;
	GOptionEntry entries[] = {
		{ "driver", 0, 0, G_OPTION_ARG_STRING, &driver,
		  N_("Driver that speaks the device's protocol"), "NAME" },
		{ "hex", 0, 0, G_OPTION_ARG_NONE, &hex, N_("FILE holds the bytes as hex text"),
		  NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
		  N_("Print one JSON object per line per measurement"), NULL },
		{ "visit", 0, 0, G_OPTION_ARG_STRING, &visit_text,
		  N_("Store the measurements in this open visit"), "ID" },
		{ NULL },
	};

	if (!nhipctl_parse("FILE", _("Decode the bytes a device sent, captured in FILE."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 2 || driver == NULL)
		return nhipctl_usage_error(_("usage: nhipctl device decode --driver NAME [--hex] "
					     "FILE [--json] [--visit ID]"));
	if (nhip_driver_info_lookup(driver) == NULL) {
		g_autofree gchar *message = NULL;
		names = device_driver_names();
		message = g_strdup_printf(_("there is no driver “%s”; the drivers are: %s"), driver,
					  names);
		return nhipctl_usage_error(message);
	}
	if (visit_text != NULL && !nhipctl_parse_id(visit_text, _("visit id"), &visit_id, &error))
		return nhipctl_fail(error);

	bytes = device_read_capture(argv[1], hex, &error);
	if (bytes == NULL) {
		nhipctl_fail(error);
		return g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? EXIT_NOT_FOUND
										: EXIT_BAD_INPUT;
	}

	/* the capture is taken as arriving now: that is the receive time of every reading */
	now = g_date_time_new_now_local();
	out = nhip_decode_output_new();
	nhip_decode_output_set_receive_time(out, now);
	if (!nhip_decode_stream_full(driver, bytes, out, &error))
		return nhipctl_fail(error);
	for (guint i = 0; i < out->warnings->len; i++) {
		const GError *warning = g_ptr_array_index(out->warnings, i);
		device_print_warning(warning->message);
	}
	if (out->measurements->len == 0) {
		g_printerr(_("nhipctl: no valid measurement in the %lu bytes of %s for driver %s "
			     "(%u problems found); check that the capture is from this kind of "
			     "device and holds what the device sent%s\n"),
			   (gulong)g_bytes_get_size(bytes), argv[1], driver, out->warnings->len,
			   !hex && device_looks_like_hex(bytes)
				   ? _("; the file looks like hex text: add --hex")
				   : "");
		return EXIT_BAD_INPUT;
	}
	device_print_measurements(out->measurements, json);
	if (visit_id != 0) {
		gint64 skew = 0;
		gboolean have_skew = device_clock_skew(out, &skew);
		return device_store(global, visit_id, out->measurements, have_skew ? &skew : NULL,
				    json);
	}
	return EXIT_OK;
}

/* ----- live devices ----- */

/* how long the devices present get to open and say who they are before `device list`
 * prints them */
#define DEVICE_LIST_SETTLE_MS 500
/* a reading is complete when no new value came for this long */
#define DEVICE_READ_QUIET_MS 1500

static gboolean
device_flag_cb(gpointer user_data)
{
	gboolean *flag = user_data;
	*flag = TRUE;
	return G_SOURCE_REMOVE;
}

static gboolean
device_tick_cb(gpointer user_data)
{
	return G_SOURCE_CONTINUE;
}

static void
device_run_for(guint ms)
{
	gboolean done = FALSE;
	g_timeout_add(ms, device_flag_cb, &done);
	while (!done)
		g_main_context_iteration(NULL, TRUE);
}

static JsonObject *
device_to_json(NhipDevice *device)
{
	JsonObject *obj = json_object_new();
	g_autofree gchar *usb = NULL;

	json_object_set_string_member(obj, "id", nhip_device_get_id(device));
	json_object_set_string_member(obj, "driver", nhip_device_get_driver_name(device));
	json_object_set_string_member(obj, "display_name", nhip_device_get_display_name(device));
	json_object_set_string_member(obj, "port", nhip_device_get_port(device));
	json_object_set_string_member(obj, "state",
				      nhip_device_state_to_string(nhip_device_get_state(device)));
	json_object_set_string_member(obj, "error", nhip_device_get_error_message(device));
	json_object_set_string_member(
		obj, "vital", nhip_vital_kind_to_string(nhip_device_get_primary_kind(device)));
	if (nhip_device_get_vid(device) != 0) {
		usb = g_strdup_printf("%04x:%04x", nhip_device_get_vid(device),
				      nhip_device_get_pid(device));
		json_object_set_string_member(obj, "usb", usb);
	} else {
		json_object_set_null_member(obj, "usb");
	}
	json_object_set_string_member(obj, "model", nhip_device_get_model(device));
	json_object_set_string_member(obj, "serial", nhip_device_get_serial(device));
	return obj;
}

static gint
cmd_device_list(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipDeviceManager) manager = nhip_device_manager_new();
	g_autoptr(GPtrArray) devices = NULL;
	gboolean json = global->json;
	GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
		{ NULL },
	};

	if (!nhipctl_parse("", _("List the vital-sign devices plugged in now."), entries, &argc,
			   &argv, &error))
		return nhipctl_fail(error);
	if (argc != 1)
		return nhipctl_usage_error(_("usage: nhipctl device list [--json]"));
	if (!nhip_device_manager_start(manager, &error))
		return nhipctl_fail(error);
	device_run_for(DEVICE_LIST_SETTLE_MS);
	devices = nhip_device_manager_get_devices(manager);
	if (json) {
		g_autoptr(JsonArray) array = json_array_new();
		for (guint i = 0; i < devices->len; i++)
			json_array_add_object_element(
				array, device_to_json(g_ptr_array_index(devices, i)));
		device_print_json_array(array);
	} else if (devices->len == 0) {
		g_print("%s\n", _("No supported device is plugged in."));
	} else {
		g_print("%-28s %-10s %-12s %s\n", _("device"), _("driver"), _("state"), _("name"));
		for (guint i = 0; i < devices->len; i++) {
			NhipDevice *device = g_ptr_array_index(devices, i);
			const gchar *message = nhip_device_get_error_message(device);

			g_print("%-28s %-10s %-12s %s\n", nhip_device_get_id(device),
				nhip_device_get_driver_name(device),
				nhip_device_state_to_string(nhip_device_get_state(device)),
				nhip_device_get_display_name(device));
			if (message != NULL)
				g_print("%-28s %s\n", "", message);
		}
	}
	nhip_device_manager_stop(manager);
	return EXIT_OK;
}

/**
 * nhipctl_device_probe:
 *
 * Looks for the supported devices plugged in now, as `device list` does.
 *
 * Returns: (transfer full) (element-type NhipStatusDevice): the devices, empty when the
 *   device manager cannot start
 */
GPtrArray *
nhipctl_device_probe(void)
{
	g_autoptr(NhipDeviceManager) manager = nhip_device_manager_new();
	g_autoptr(GPtrArray) devices = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_status_device_free);

	if (!nhip_device_manager_start(manager, &error)) {
		device_print_warning(error->message);
		return found;
	}
	device_run_for(DEVICE_LIST_SETTLE_MS);
	devices = nhip_device_manager_get_devices(manager);
	for (guint i = 0; i < devices->len; i++) {
		NhipDevice *device = g_ptr_array_index(devices, i);
		g_ptr_array_add(
			found,
			nhip_status_device_new(
				nhip_device_get_id(device), nhip_device_get_display_name(device),
				nhip_device_state_to_string(nhip_device_get_state(device))));
	}
	nhip_device_manager_stop(manager);
	return found;
}

typedef struct {
	const gchar *driver;
	GPtrArray *measurements;
	GPtrArray *devices;
	gint64 last;
} DeviceRead;

static gboolean
device_read_wanted(DeviceRead *read, NhipDevice *device)
{
	return read->driver == NULL ||
	       g_strcmp0(nhip_device_get_driver_name(device), read->driver) == 0;
}

static void
device_read_state_cb(NhipDevice *device, GParamSpec *pspec, gpointer user_data)
{
	const gchar *message = nhip_device_get_error_message(device);

	/* the reason a reading does not come, as it happens */
	if (message != NULL)
		device_print_warning(message);
}

static void
device_read_added_cb(NhipDeviceManager *manager, NhipDevice *device, gpointer user_data)
{
	DeviceRead *read = user_data;

	if (!device_read_wanted(read, device))
		return;
	g_ptr_array_add(read->devices, g_object_ref(device));
	g_printerr(_("nhipctl: reading from %s (%s)\n"), nhip_device_get_id(device),
		   nhip_device_get_display_name(device));
	g_signal_connect(device, "notify::error-message", G_CALLBACK(device_read_state_cb), NULL);
	/* a port given with --port that fails to open is reported once, as the error */
	if (nhip_device_is_hotplugged(device))
		device_read_state_cb(device, NULL, NULL);
}

static void
device_read_measurement_cb(NhipDeviceManager *manager,
			   NhipDevice *device,
			   NhipMeasurement *measurement,
			   gpointer user_data)
{
	DeviceRead *read = user_data;

	if (!device_read_wanted(read, device))
		return;
	g_ptr_array_add(read->measurements, nhip_measurement_ref(measurement));
	read->last = g_get_monotonic_time();
}

/* a live stream (oximeter) changes value by value: the visit gets the last value of each
 * kind and device; readings from memory and single readings are kept as they are */
static GPtrArray *
device_read_settled(GPtrArray *measurements)
{
	GPtrArray *kept = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_measurement_unref);

	for (guint i = 0; i < measurements->len; i++) {
		NhipMeasurement *m = g_ptr_array_index(measurements, i);
		gboolean superseded = FALSE;

		if (nhip_measurement_has_flag(m, NHIP_MEASUREMENT_FLAG_LIVE)) {
			for (guint j = i + 1; j < measurements->len && !superseded; j++) {
				NhipMeasurement *later = g_ptr_array_index(measurements, j);
				superseded = nhip_measurement_get_kind(later) ==
						     nhip_measurement_get_kind(m) &&
					     nhip_measurement_has_flag(
						     later, NHIP_MEASUREMENT_FLAG_LIVE) &&
					     g_strcmp0(nhip_measurement_get_driver(later),
						       nhip_measurement_get_driver(m)) == 0;
			}
		}
		if (!superseded)
			g_ptr_array_add(kept, nhip_measurement_ref(m));
	}
	return kept;
}

static gint
cmd_device_read(NhipctlGlobal *global, gint argc, gchar **argv)
{
	g_autofree gchar *driver = NULL;
	g_autofree gchar *port = NULL;
	g_autofree gchar *visit_text = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipDeviceManager) manager = NULL;
	g_autoptr(GPtrArray) measurements =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_measurement_unref);
	g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GPtrArray) settled = NULL;
	gboolean json = global->json;
	gint timeout = 30;
	gint64 visit_id = 0;
	gint64 deadline;
	DeviceRead read = { 0 };
	guint tick;
	GOptionEntry entries[] = {
		{ "driver", 0, 0, G_OPTION_ARG_STRING, &driver,
		  N_("Only read a device of this driver"), "NAME" },
		{ "port", 0, 0, G_OPTION_ARG_STRING, &port,
		  N_("Read the serial device on this port (needs --driver)"), "PATH" },
		{ "visit", 0, 0, G_OPTION_ARG_STRING, &visit_text,
		  N_("Store the measurements in this open visit"), "ID" },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
		  N_("Give up after this many seconds (default 30)"), "S" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
		  N_("Print one JSON object per line per measurement"), NULL },
		{ NULL },
	};

	if (!nhipctl_parse("", _("Read measurements from a device that is plugged in."), entries,
			   &argc, &argv, &error))
		return nhipctl_fail(error);
	if (argc != 1 || timeout < 1 || timeout > 3600 || (port != NULL && driver == NULL))
		return nhipctl_usage_error(_("usage: nhipctl device read [--driver NAME] [--port "
					     "PATH] [--visit ID] [--timeout S] [--json] "
					     "(--port needs --driver; S from 1 to 3600)"));
	if (driver != NULL && nhip_driver_info_lookup(driver) == NULL) {
		g_autofree gchar *names = device_driver_names();
		g_autofree gchar *message = g_strdup_printf(
			_("there is no driver “%s”; the drivers are: %s"), driver, names);
		return nhipctl_usage_error(message);
	}
	if (visit_text != NULL) {
		g_autoptr(NhipStore) store = NULL;
		g_autoptr(NhipVisit) visit = NULL;

		if (!nhipctl_parse_id(visit_text, _("visit id"), &visit_id, &error))
			return nhipctl_fail(error);
		/* find out now, not after the patient waited for the reading */
		store = nhipctl_open(global, FALSE, &error);
		if (store == NULL)
			return nhipctl_fail(error);
		visit = nhip_store_visit_get(store, visit_id, &error);
		if (visit == NULL)
			return nhipctl_fail(error);
		if (visit->status != NHIP_VISIT_STATUS_OPEN) {
			g_printerr(_("nhipctl: visit %" PRId64
				     " is closed and can no longer change\n"),
				   visit_id);
			return EXIT_BAD_INPUT;
		}
	}

	read.driver = driver;
	read.measurements = measurements;
	read.devices = devices;
	manager = nhip_device_manager_new();
	g_signal_connect(manager, "device-added", G_CALLBACK(device_read_added_cb), &read);
	g_signal_connect(manager, "measurement", G_CALLBACK(device_read_measurement_cb), &read);
	nhip_device_manager_set_hotplug(manager, port == NULL);
	if (!nhip_device_manager_start(manager, &error))
		return nhipctl_fail(error);
	if (port != NULL && !nhip_device_manager_add_serial_port(manager, driver, port, &error)) {
		g_autofree gchar *line = g_strdup(error->message);
		g_strdelimit(line, "\r\n", ' ');
		g_printerr("nhipctl: %s\n", line);
		nhip_device_manager_stop(manager);
		if (g_error_matches(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_INVALID_ARGUMENT))
			return EXIT_USAGE;
		if (g_error_matches(error, NHIP_DEVICE_ERROR, NHIP_DEVICE_ERROR_NOT_FOUND))
			return EXIT_NOT_FOUND;
		return EXIT_BAD_INPUT;
	}
	if (devices->len == 0)
		g_printerr(_("nhipctl: waiting %d s for a device: plug it in and switch it on\n"),
			   timeout);

	/* until the readings settle, or the time is up; the tick wakes the loop to look */
	deadline = g_get_monotonic_time() + (gint64)timeout * G_TIME_SPAN_SECOND;
	tick = g_timeout_add(100, device_tick_cb, NULL);
	for (;;) {
		gint64 now = g_get_monotonic_time();
		if (now >= deadline)
			break;
		if (measurements->len > 0 &&
		    now - read.last >= DEVICE_READ_QUIET_MS * G_TIME_SPAN_MILLISECOND)
			break;
		g_main_context_iteration(NULL, TRUE);
	}
	g_source_remove(tick);
	g_signal_handlers_disconnect_by_data(manager, &read);
	for (guint i = 0; i < devices->len; i++)
		g_signal_handlers_disconnect_by_func(g_ptr_array_index(devices, i),
						     device_read_state_cb, NULL);
	nhip_device_manager_stop(manager);

	if (devices->len == 0) {
		g_printerr(_("nhipctl: no %s device was plugged in within %d s; plug it in, "
			     "switch it on and try again (see 'nhipctl device list')\n"),
			   driver != NULL ? driver : _("supported"), timeout);
		return EXIT_NOT_FOUND;
	}
	if (measurements->len == 0) {
		g_printerr(_("nhipctl: no valid measurement arrived within %d s; take the "
			     "measurement on the device (press its button) and try again\n"),
			   timeout);
		return EXIT_BAD_INPUT;
	}
	settled = device_read_settled(measurements);
	device_print_measurements(settled, json);
	if (visit_id != 0)
		return device_store(global, visit_id, settled, NULL, json);
	return EXIT_OK;
}

const NhipctlCommand nhipctl_device_commands[] = {
	{ "device", "drivers", "[--json]", N_("list the supported device drivers and USB ids"),
	  cmd_device_drivers },
	{ "device", "decode", "--driver NAME [--hex] FILE [--json] [--visit ID]",
	  N_("decode a captured device byte stream"), cmd_device_decode },
	{ "device", "list", "[--json]", N_("list the devices plugged in now, with their state"),
	  cmd_device_list },
	{ "device", "read", "[--driver NAME] [--port PATH] [--visit ID] [--timeout S] [--json]",
	  N_("read measurements from a device that is plugged in"), cmd_device_read },
	{ NULL },
};
