/*
 * Nhịp — the driver table and whole-stream decoding (`nhipctl device decode`).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cms50/nhip-cms50-proto.h"
#include "nhip-bytes.h"
#include "nhip-decode.h"
#include "omron-hid/nhip-omron-hid-proto.h"
#include "phdc/nhip-phdc-proto.h"
#include "taidoc/nhip-taidoc-proto.h"
#include "tanita/nhip-tanita-proto.h"

/* ---- the five protocol drivers ---------------------------------------------------- */

/* typed adaptors, so that no function is called through a pointer of another type */
#define NHIP_DECODER_ADAPTORS(prefix, Type)                                            \
	static gpointer prefix##_new_cb(void)                                          \
	{                                                                              \
		return prefix##_new();                                                 \
	}                                                                              \
	static void prefix##_free_cb(gpointer decoder)                                 \
	{                                                                              \
		prefix##_free((Type *)decoder);                                        \
	}                                                                              \
	static void prefix##_feed_cb(gpointer decoder, const guint8 *buf, gsize bufsz, \
				     NhipDecodeOutput *out)                            \
	{                                                                              \
		prefix##_feed((Type *)decoder, buf, bufsz, out);                       \
	}                                                                              \
	static void prefix##_finish_cb(gpointer decoder, NhipDecodeOutput *out)        \
	{                                                                              \
		prefix##_finish((Type *)decoder, out);                                 \
	}

NHIP_DECODER_ADAPTORS(nhip_phdc_manager, NhipPhdcManager)
NHIP_DECODER_ADAPTORS(nhip_omron_hid_decoder, NhipOmronHidDecoder)
NHIP_DECODER_ADAPTORS(nhip_cms50_decoder, NhipCms50Decoder)
NHIP_DECODER_ADAPTORS(nhip_taidoc_decoder, NhipTaidocDecoder)
NHIP_DECODER_ADAPTORS(nhip_tanita_decoder, NhipTanitaDecoder)

static const NhipUsbMatch phdc_matches[] = {
	{ 0x173a, 0x21d5, NHIP_PHDC_USB_CLASS, "Roche Accu-Chek Guide" },
	{ 0x173a, 0x21d7, NHIP_PHDC_USB_CLASS, "Roche Accu-Chek Guide Me" },
	{ 0x0000, 0x0000, NHIP_PHDC_USB_CLASS, "any USB PHDC (IEEE 11073) agent" },
	{ 0 },
};
static const NhipVitalKind phdc_vitals[] = {
	NHIP_VITAL_BLOOD_PRESSURE, NHIP_VITAL_PULSE,  NHIP_VITAL_SPO2,	  NHIP_VITAL_TEMPERATURE,
	NHIP_VITAL_WEIGHT,	   NHIP_VITAL_HEIGHT, NHIP_VITAL_GLUCOSE, NHIP_VITAL_UNKNOWN,
};

static const NhipUsbMatch omron_matches[] = {
	{ NHIP_OMRON_HID_VID, NHIP_OMRON_HID_PID, 0x03,
	  "Omron HEM-790IT, HEM-7080IT, HEM-7301-ITKE7" },
	{ 0 },
};
static const NhipVitalKind omron_vitals[] = {
	NHIP_VITAL_BLOOD_PRESSURE,
	NHIP_VITAL_PULSE,
	NHIP_VITAL_UNKNOWN,
};

static const NhipUsbMatch cms50_matches[] = {
	{ NHIP_CMS50_VID, NHIP_CMS50_PID, 0, "Silicon Labs CP210x (Contec CMS50 cable)" },
	{ 0 },
};
static const NhipVitalKind cms50_vitals[] = {
	NHIP_VITAL_SPO2,
	NHIP_VITAL_PULSE,
	NHIP_VITAL_UNKNOWN,
};

static const NhipUsbMatch taidoc_matches[] = {
	{ 0x10c4, 0xea80, 0x03, "Silicon Labs CP2110 (TaiDoc TD-42xx, GlucoRx Nexus)" },
	{ 0 },
};
static const NhipVitalKind taidoc_vitals[] = {
	NHIP_VITAL_GLUCOSE, NHIP_VITAL_TEMPERATURE, NHIP_VITAL_BLOOD_PRESSURE,
	NHIP_VITAL_PULSE,   NHIP_VITAL_SPO2,	    NHIP_VITAL_UNKNOWN,
};

static const NhipUsbMatch tanita_matches[] = {
	{ 0x0403, 0x6001, 0, "FTDI FT232R (Tanita USB models)" },
	{ 0 },
};
static const NhipVitalKind tanita_vitals[] = {
	NHIP_VITAL_WEIGHT,
	NHIP_VITAL_HEIGHT,
	NHIP_VITAL_UNKNOWN,
};

static const NhipDriverInfo builtin_drivers[] = {
	{
		.name = NHIP_PHDC_DRIVER,
		.display_name = N_("IEEE 11073 personal health device (USB PHDC)"),
		.transport = NHIP_TRANSPORT_USB_BULK,
		.usb_matches = phdc_matches,
		.vitals = phdc_vitals,
		.decoder_new = nhip_phdc_manager_new_cb,
		.decoder_free = nhip_phdc_manager_free_cb,
		.decoder_feed = nhip_phdc_manager_feed_cb,
		.decoder_finish = nhip_phdc_manager_finish_cb,
	},
	{
		.name = NHIP_OMRON_HID_DRIVER,
		.display_name = N_("Omron HEM-7xx0IT blood-pressure monitor (USB HID)"),
		.transport = NHIP_TRANSPORT_USB_HID,
		.usb_matches = omron_matches,
		.vitals = omron_vitals,
		.decoder_new = nhip_omron_hid_decoder_new_cb,
		.decoder_free = nhip_omron_hid_decoder_free_cb,
		.decoder_feed = nhip_omron_hid_decoder_feed_cb,
		.decoder_finish = nhip_omron_hid_decoder_finish_cb,
	},
	{
		.name = NHIP_CMS50_DRIVER,
		.display_name = N_("Contec CMS50 pulse oximeter (serial)"),
		.transport = NHIP_TRANSPORT_SERIAL,
		.serial_settings = "115200 8N1 (F37) or 19200 8O1 (old)",
		.usb_matches = cms50_matches,
		.vitals = cms50_vitals,
		.decoder_new = nhip_cms50_decoder_new_cb,
		.decoder_free = nhip_cms50_decoder_free_cb,
		.decoder_feed = nhip_cms50_decoder_feed_cb,
		.decoder_finish = nhip_cms50_decoder_finish_cb,
	},
	{
		.name = NHIP_TAIDOC_DRIVER,
		.display_name = N_("TaiDoc / FORA meter (glucose, thermometer, blood pressure)"),
		.transport = NHIP_TRANSPORT_HID_UART,
		.serial_settings = "19200 8N1",
		.usb_matches = taidoc_matches,
		.vitals = taidoc_vitals,
		.decoder_new = nhip_taidoc_decoder_new_cb,
		.decoder_free = nhip_taidoc_decoder_free_cb,
		.decoder_feed = nhip_taidoc_decoder_feed_cb,
		.decoder_finish = nhip_taidoc_decoder_finish_cb,
	},
	{
		.name = NHIP_TANITA_DRIVER,
		.display_name = N_("Tanita scale (serial CSV)"),
		.transport = NHIP_TRANSPORT_SERIAL,
		.serial_settings = "9600 8N1",
		.usb_matches = tanita_matches,
		.vitals = tanita_vitals,
		.decoder_new = nhip_tanita_decoder_new_cb,
		.decoder_free = nhip_tanita_decoder_free_cb,
		.decoder_feed = nhip_tanita_decoder_feed_cb,
		.decoder_finish = nhip_tanita_decoder_finish_cb,
	},
};

/* drivers added at run time by later hardware drivers */
static GPtrArray *registered_drivers = NULL;
G_LOCK_DEFINE_STATIC(registered_drivers);

/**
 * nhip_driver_info_lookup:
 * @name: a driver name
 *
 * Returns: (transfer none) (nullable): the driver, or %NULL if no driver has that name
 */
const NhipDriverInfo *
nhip_driver_info_lookup(const gchar *name)
{
	const NhipDriverInfo *found = NULL;

	g_return_val_if_fail(name != NULL, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(builtin_drivers); i++) {
		if (g_strcmp0(builtin_drivers[i].name, name) == 0)
			return &builtin_drivers[i];
	}
	G_LOCK(registered_drivers);
	for (guint i = 0; registered_drivers != NULL && i < registered_drivers->len; i++) {
		const NhipDriverInfo *info = g_ptr_array_index(registered_drivers, i);
		if (g_strcmp0(info->name, name) == 0) {
			found = info;
			break;
		}
	}
	G_UNLOCK(registered_drivers);
	return found;
}

/**
 * nhip_driver_info_list:
 *
 * Returns: (transfer container) (element-type NhipDriverInfo): every driver, built-in
 *   ones first
 */
GPtrArray *
nhip_driver_info_list(void)
{
	GPtrArray *list = g_ptr_array_new();
	for (guint i = 0; i < G_N_ELEMENTS(builtin_drivers); i++)
		g_ptr_array_add(list, (gpointer)&builtin_drivers[i]);
	G_LOCK(registered_drivers);
	for (guint i = 0; registered_drivers != NULL && i < registered_drivers->len; i++)
		g_ptr_array_add(list, g_ptr_array_index(registered_drivers, i));
	G_UNLOCK(registered_drivers);
	return list;
}

/**
 * nhip_driver_info_register:
 * @info: (transfer none): static driver facts that live as long as the program
 * @error: return location for a #GError
 *
 * Adds a driver to the table, e.g. a hardware driver with its own decoder.
 *
 * Returns: %TRUE if added; %FALSE if the name is taken or the entry is incomplete
 */
gboolean
nhip_driver_info_register(const NhipDriverInfo *info, GError **error)
{
	g_return_val_if_fail(info != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (info->name == NULL || info->usb_matches == NULL || info->vitals == NULL ||
	    info->decoder_new == NULL || info->decoder_free == NULL || info->decoder_feed == NULL ||
	    info->decoder_finish == NULL) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_UNKNOWN_DRIVER,
			    _("driver entry '%s' is incomplete"),
			    info->name != NULL ? info->name : "?");
		return FALSE;
	}
	if (nhip_driver_info_lookup(info->name) != NULL) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_UNKNOWN_DRIVER,
			    _("a driver named '%s' is already registered"), info->name);
		return FALSE;
	}
	G_LOCK(registered_drivers);
	if (registered_drivers == NULL)
		registered_drivers = g_ptr_array_new();
	g_ptr_array_add(registered_drivers, (gpointer)info);
	G_UNLOCK(registered_drivers);
	return TRUE;
}

/**
 * nhip_transport_kind_to_string:
 * @kind: a transport kind
 *
 * Returns: (transfer none): a short stable name, e.g. "serial"
 */
const gchar *
nhip_transport_kind_to_string(NhipTransportKind kind)
{
	switch (kind) {
	case NHIP_TRANSPORT_USB_BULK:
		return "usb-bulk";
	case NHIP_TRANSPORT_USB_HID:
		return "usb-hid";
	case NHIP_TRANSPORT_HID_UART:
		return "hid-uart";
	case NHIP_TRANSPORT_SERIAL:
		return "serial";
	default:
		return "unknown";
	}
}

/**
 * nhip_driver_info_to_json:
 * @info: a driver
 *
 * For `nhipctl device drivers --json`: `name`, `display_name`, `transport`,
 * `serial_settings`, `usb` (objects with `vid`, `pid` as "xxxx" hex or null,
 * `interface_class`, `note`) and `vitals` (short kind names).
 *
 * Returns: (transfer full): a new JSON object
 */
JsonObject *
nhip_driver_info_to_json(const NhipDriverInfo *info)
{
	JsonObject *obj;
	JsonArray *usb;
	JsonArray *vitals;

	g_return_val_if_fail(info != NULL, NULL);
	obj = json_object_new();
	json_object_set_string_member(obj, "name", info->name);
	json_object_set_string_member(obj, "display_name", info->display_name);
	json_object_set_string_member(obj, "transport",
				      nhip_transport_kind_to_string(info->transport));
	json_object_set_string_member(obj, "serial_settings", info->serial_settings);
	usb = json_array_new();
	for (const NhipUsbMatch *m = info->usb_matches;
	     m->vid != 0 || m->pid != 0 || m->interface_class != 0; m++) {
		JsonObject *row = json_object_new();
		if (m->vid != 0) {
			g_autofree gchar *vid = g_strdup_printf("%04x", m->vid);
			json_object_set_string_member(row, "vid", vid);
		} else {
			json_object_set_null_member(row, "vid");
		}
		if (m->pid != 0) {
			g_autofree gchar *pid = g_strdup_printf("%04x", m->pid);
			json_object_set_string_member(row, "pid", pid);
		} else {
			json_object_set_null_member(row, "pid");
		}
		json_object_set_int_member(row, "interface_class", m->interface_class);
		json_object_set_string_member(row, "note", m->note);
		json_array_add_object_element(usb, row);
	}
	json_object_set_array_member(obj, "usb", usb);
	vitals = json_array_new();
	for (const NhipVitalKind *k = info->vitals; *k != NHIP_VITAL_UNKNOWN; k++)
		json_array_add_string_element(vitals, nhip_vital_kind_to_string(*k));
	json_object_set_array_member(obj, "vitals", vitals);
	return obj;
}

/**
 * nhip_decode_stream_full:
 * @driver: a driver name
 * @bytes: the bytes the device sent (for request/response protocols, only that direction)
 * @out: where everything goes; set its receive time and device time zone first if needed
 * @error: return location for a #GError
 *
 * Runs a whole captured stream through the driver's decoder, then ends it.
 *
 * Returns: %TRUE if the driver exists (even when nothing valid was found)
 */
gboolean
nhip_decode_stream_full(const gchar *driver, GBytes *bytes, NhipDecodeOutput *out, GError **error)
{
	const NhipDriverInfo *info;
	gpointer decoder;
	gsize len = 0;
	const guint8 *data;

	g_return_val_if_fail(driver != NULL, FALSE);
	g_return_val_if_fail(bytes != NULL, FALSE);
	g_return_val_if_fail(out != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	info = nhip_driver_info_lookup(driver);
	if (info == NULL) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_UNKNOWN_DRIVER,
			    _("no driver is called '%s'; see 'nhipctl device drivers'"), driver);
		return FALSE;
	}
	data = g_bytes_get_data(bytes, &len);
	decoder = info->decoder_new();
	info->decoder_feed(decoder, data, len, out);
	info->decoder_finish(decoder, out);
	info->decoder_free(decoder);
	return TRUE;
}

/**
 * nhip_decode_stream:
 * @driver: a driver name: phdc, omron-hid, cms50, taidoc or tanita
 * @bytes: the bytes the device sent
 * @measurements_out: (out) (optional) (transfer container) (element-type NhipMeasurement):
 *   the measurements found, in stream order
 * @warnings_out: (out) (optional) (transfer container) (element-type GError): the
 *   problems found, in stream order
 * @error: return location for a #GError
 *
 * Decodes a captured stream with the device's local time zone and "now" as receive time.
 * The warnings are returned even when the call fails.
 *
 * Returns: %TRUE if at least one valid measurement was found; otherwise %FALSE with
 *   %NHIP_DECODE_ERROR_NO_DATA (or %NHIP_DECODE_ERROR_UNKNOWN_DRIVER)
 */
gboolean
nhip_decode_stream(const gchar *driver,
		   GBytes *bytes,
		   GPtrArray **measurements_out,
		   GPtrArray **warnings_out,
		   GError **error)
{
	g_autoptr(NhipDecodeOutput) out = nhip_decode_output_new();
	gsize len = 0;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!nhip_decode_stream_full(driver, bytes, out, error))
		return FALSE;
	g_bytes_get_data(bytes, &len);
	if (measurements_out != NULL)
		*measurements_out = g_ptr_array_ref(out->measurements);
	if (warnings_out != NULL)
		*warnings_out = g_ptr_array_ref(out->warnings);
	if (out->measurements->len == 0) {
		const GError *first =
			out->warnings->len > 0 ? g_ptr_array_index(out->warnings, 0) : NULL;
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_NO_DATA,
			    _("no valid measurement in %lu"
			      " bytes for driver %s (%u problems found%s%s); check that the "
			      "capture is from this kind of device and holds what the device "
			      "sent"),
			    len, driver, out->warnings->len, first != NULL ? _("; first: ") : "",
			    first != NULL ? first->message : "");
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hex_text_parse:
 * @text: hex text
 * @len: length of @text, or -1 if nul-terminated
 * @error: return location for a #GError
 *
 * Reads bytes written as hex: whitespace, commas, colons and `0x` prefixes are ignored,
 * and `#` starts a comment to the end of the line. Each byte needs two digits.
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL with an error naming the line
 *   and column of the first bad character
 */
GBytes *
nhip_hex_text_parse(const gchar *text, gssize len, GError **error)
{
	g_autoptr(GByteArray) bytes = g_byte_array_new();
	gsize n;
	guint line = 1;
	gsize line_start = 0;
	gint high = -1;

	g_return_val_if_fail(text != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	n = len < 0 ? strlen(text) : (gsize)len;
	for (gsize i = 0; i < n; i++) {
		gchar c = text[i];
		gint digit;

		if (c == '#') {
			while (i + 1 < n && text[i + 1] != '\n')
				i++;
			continue;
		}
		if (c == '\n') {
			line++;
			line_start = i + 1;
		}
		if (g_ascii_isspace(c) || c == ',' || c == ':') {
			if (high >= 0) {
				g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_INVALID_HEX,
					    _("line %u, column %lu"
					      ": a byte needs two hex digits"),
					    c == '\n' ? line - 1 : line,
					    c == '\n' ? i - line_start + 1 : i - line_start);
				return NULL;
			}
			continue;
		}
		if (high < 0 && c == '0' && i + 1 < n &&
		    (text[i + 1] == 'x' || text[i + 1] == 'X')) {
			i++;
			continue;
		}
		digit = g_ascii_xdigit_value(c);
		if (digit < 0) {
			g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_INVALID_HEX,
				    _("line %u, column %lu: '%c' is not a hex digit"), line,
				    i - line_start + 1, g_ascii_isprint(c) ? c : '?');
			return NULL;
		}
		if (high < 0) {
			high = digit;
		} else {
			nhip_byte_array_append_uint8(bytes, (guint8)((high << 4) | digit));
			high = -1;
		}
	}
	if (high >= 0) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_INVALID_HEX,
			    _("line %u: the text ends with half a byte"), line);
		return NULL;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&bytes));
}
