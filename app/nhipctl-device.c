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
#include "nhip-json.h"
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
		g_autoptr(JsonNode) node = json_node_new(JSON_NODE_ARRAY);
		g_autoptr(JsonGenerator) generator = json_generator_new();
		g_autofree gchar *text = NULL;

		for (guint i = 0; i < drivers->len; i++)
			json_array_add_object_element(
				array, nhip_driver_info_to_json(g_ptr_array_index(drivers, i)));
		json_node_set_array(node, array);
		json_generator_set_root(generator, node);
		json_generator_set_pretty(generator, TRUE);
		text = json_generator_to_data(generator, NULL);
		g_print("%s\n", text);
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
device_store(NhipctlGlobal *global, gint64 visit_id, NhipDecodeOutput *out, gboolean json)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipStore) store = NULL;
	NhipStoreDeviceCounts counts = { 0 };
	gint64 skew = 0;
	gboolean have_skew = device_clock_skew(out, &skew);
	g_autofree gchar *line = NULL;

	store = nhipctl_open(global, FALSE, &error);
	if (store == NULL)
		return nhipctl_fail(error);
	if (!nhip_store_add_device_measurements(store, visit_id, out->measurements,
						have_skew ? &skew : NULL, &counts, &error))
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
	if (!json)
		g_print("%-19s  %-8s %-8s %-10s %-9s %-8s %s\n", _("time"), _("vital"), _("LOINC"),
			_("value"), _("unit"), _("model"), _("flags"));
	for (guint i = 0; i < out->measurements->len; i++) {
		const NhipMeasurement *measurement = g_ptr_array_index(out->measurements, i);
		if (json) {
			g_autofree gchar *line = nhip_measurement_to_json_line(measurement);
			g_print("%s\n", line);
		} else {
			device_print_measurement(measurement);
		}
	}
	if (visit_id != 0)
		return device_store(global, visit_id, out, json);
	return EXIT_OK;
}

const NhipctlCommand nhipctl_device_commands[] = {
	{ "device", "drivers", "[--json]", N_("list the supported device drivers and USB ids"),
	  cmd_device_drivers },
	{ "device", "decode", "--driver NAME [--hex] FILE [--json] [--visit ID]",
	  N_("decode a captured device byte stream"), cmd_device_decode },
	{ NULL },
};
