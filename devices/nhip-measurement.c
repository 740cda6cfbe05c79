/*
 * Nhịp — one vital-sign measurement as a device reported it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "nhip-bytes.h"
#include "nhip-measurement.h"

/**
 * NhipMeasurement:
 *
 * A reference-counted, boxed record of one reading: the vital kind, its value(s) in the
 * UCUM unit of that kind, the device's own clock (when it has one), the station time it
 * arrived, which device and driver produced it, and the exact bytes of the frame it came
 * from, kept for audit. Instances are only created through nhip_measurement_new(), which
 * refuses values that cannot be real, so every measurement in the system passed
 * nhip_vital_check().
 */
struct _NhipMeasurement {
	grefcount refcount;
	NhipVitalKind kind;
	gdouble value;
	gdouble value2;
	NhipMeasurementFlags flags;
	GDateTime *device_time;
	GDateTime *receive_time;
	gchar *device_model;
	gchar *device_serial;
	gchar *driver;
	GBytes *raw;
	gdouble original_value;
	gchar *original_unit;
};

G_DEFINE_BOXED_TYPE(NhipMeasurement, nhip_measurement, nhip_measurement_ref, nhip_measurement_unref)

/**
 * nhip_measurement_new:
 * @kind: the vital kind
 * @value: the value in the unit of @kind (systolic for blood pressure)
 * @value2: the diastolic value for blood pressure, %NAN otherwise
 * @error: return location for a #GError
 *
 * Checks the value with nhip_vital_check() and creates a measurement. Values that are
 * possible but unlikely get %NHIP_MEASUREMENT_FLAG_IMPLAUSIBLE.
 *
 * Returns: (transfer full) (nullable): a new measurement, or %NULL if the value cannot be
 *   a real measurement
 */
NhipMeasurement *
nhip_measurement_new(NhipVitalKind kind, gdouble value, gdouble value2, GError **error)
{
	NhipVitalFlags vflags = NHIP_VITAL_FLAG_NONE;
	const NhipVitalInfo *info = nhip_vital_info(kind);
	NhipMeasurement *self;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!nhip_vital_check(kind, value, value2, &vflags, error))
		return NULL;
	self = g_new0(NhipMeasurement, 1);
	g_ref_count_init(&self->refcount);
	self->kind = kind;
	self->value = value;
	self->value2 = info->n_values == 2 ? value2 : NAN;
	self->original_value = NAN;
	if (vflags & NHIP_VITAL_FLAG_IMPLAUSIBLE)
		self->flags |= NHIP_MEASUREMENT_FLAG_IMPLAUSIBLE;
	return self;
}

/**
 * nhip_measurement_ref:
 * @self: a measurement
 *
 * Returns: (transfer full): @self
 */
NhipMeasurement *
nhip_measurement_ref(NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	g_ref_count_inc(&self->refcount);
	return self;
}

/**
 * nhip_measurement_unref:
 * @self: (transfer full): a measurement
 */
void
nhip_measurement_unref(NhipMeasurement *self)
{
	g_return_if_fail(self != NULL);
	if (!g_ref_count_dec(&self->refcount))
		return;
	g_clear_pointer(&self->device_time, g_date_time_unref);
	g_clear_pointer(&self->receive_time, g_date_time_unref);
	g_clear_pointer(&self->raw, g_bytes_unref);
	g_free(self->device_model);
	g_free(self->device_serial);
	g_free(self->driver);
	g_free(self->original_unit);
	g_free(self);
}

/**
 * nhip_measurement_get_kind:
 * @self: a measurement
 *
 * Returns: the vital kind
 */
NhipVitalKind
nhip_measurement_get_kind(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NHIP_VITAL_UNKNOWN);
	return self->kind;
}

/**
 * nhip_measurement_get_value:
 * @self: a measurement
 *
 * Returns: the value (systolic for blood pressure) in the unit of nhip_measurement_get_unit()
 */
gdouble
nhip_measurement_get_value(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NAN);
	return self->value;
}

/**
 * nhip_measurement_get_value2:
 * @self: a measurement
 *
 * Returns: the diastolic pressure for blood pressure, %NAN for other kinds
 */
gdouble
nhip_measurement_get_value2(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NAN);
	return self->value2;
}

/**
 * nhip_measurement_get_loinc:
 * @self: a measurement
 *
 * Returns: (transfer none): the LOINC code (the panel code for blood pressure)
 */
const gchar *
nhip_measurement_get_loinc(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return nhip_vital_info(self->kind)->loinc;
}

/**
 * nhip_measurement_get_unit:
 * @self: a measurement
 *
 * Returns: (transfer none): the UCUM unit code of the value
 */
const gchar *
nhip_measurement_get_unit(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return nhip_vital_info(self->kind)->unit;
}

/**
 * nhip_measurement_get_device_time:
 * @self: a measurement
 *
 * Returns: (transfer none) (nullable): the time by the device's clock, or %NULL when the
 *   device has no clock or did not send one
 */
GDateTime *
nhip_measurement_get_device_time(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->device_time;
}

/**
 * nhip_measurement_get_receive_time:
 * @self: a measurement
 *
 * Returns: (transfer none) (nullable): when the station received the frame
 */
GDateTime *
nhip_measurement_get_receive_time(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->receive_time;
}

/**
 * nhip_measurement_get_device_model:
 * @self: a measurement
 *
 * Returns: (transfer none) (nullable): the device model, if the device told it
 */
const gchar *
nhip_measurement_get_device_model(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->device_model;
}

/**
 * nhip_measurement_get_device_serial:
 * @self: a measurement
 *
 * Returns: (transfer none) (nullable): the device serial number or system id, if known
 */
const gchar *
nhip_measurement_get_device_serial(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->device_serial;
}

/**
 * nhip_measurement_get_driver:
 * @self: a measurement
 *
 * Returns: (transfer none) (nullable): the driver name, e.g. "taidoc"
 */
const gchar *
nhip_measurement_get_driver(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->driver;
}

/**
 * nhip_measurement_get_raw:
 * @self: a measurement
 *
 * Returns: (transfer none) (nullable): the bytes of the frame the value came from
 */
GBytes *
nhip_measurement_get_raw(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->raw;
}

/**
 * nhip_measurement_get_flags:
 * @self: a measurement
 *
 * Returns: the flags
 */
NhipMeasurementFlags
nhip_measurement_get_flags(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NHIP_MEASUREMENT_FLAG_NONE);
	return self->flags;
}

/**
 * nhip_measurement_has_flag:
 * @self: a measurement
 * @flag: one flag
 *
 * Returns: %TRUE if @flag is set
 */
gboolean
nhip_measurement_has_flag(const NhipMeasurement *self, NhipMeasurementFlags flag)
{
	g_return_val_if_fail(self != NULL, FALSE);
	return (self->flags & flag) == flag;
}

/**
 * nhip_measurement_get_original_value:
 * @self: a measurement
 *
 * Returns: the value as the device sent it before unit conversion, or %NAN
 */
gdouble
nhip_measurement_get_original_value(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NAN);
	return self->original_value;
}

/**
 * nhip_measurement_get_original_unit:
 * @self: a measurement
 *
 * Returns: (transfer none) (nullable): the unit the device used, when it was converted
 */
const gchar *
nhip_measurement_get_original_unit(const NhipMeasurement *self)
{
	g_return_val_if_fail(self != NULL, NULL);
	return self->original_unit;
}

/**
 * nhip_measurement_set_device_time:
 * @self: a measurement
 * @device_time: (nullable): the time by the device's clock
 */
void
nhip_measurement_set_device_time(NhipMeasurement *self, GDateTime *device_time)
{
	g_return_if_fail(self != NULL);
	g_clear_pointer(&self->device_time, g_date_time_unref);
	if (device_time != NULL)
		self->device_time = g_date_time_ref(device_time);
}

/**
 * nhip_measurement_set_receive_time:
 * @self: a measurement
 * @receive_time: (nullable): when the station received the frame
 */
void
nhip_measurement_set_receive_time(NhipMeasurement *self, GDateTime *receive_time)
{
	g_return_if_fail(self != NULL);
	g_clear_pointer(&self->receive_time, g_date_time_unref);
	if (receive_time != NULL)
		self->receive_time = g_date_time_ref(receive_time);
}

/**
 * nhip_measurement_set_device_model:
 * @self: a measurement
 * @model: (nullable): the device model
 */
void
nhip_measurement_set_device_model(NhipMeasurement *self, const gchar *model)
{
	g_return_if_fail(self != NULL);
	g_free(self->device_model);
	self->device_model = g_strdup(model);
}

/**
 * nhip_measurement_set_device_serial:
 * @self: a measurement
 * @serial: (nullable): the device serial number
 */
void
nhip_measurement_set_device_serial(NhipMeasurement *self, const gchar *serial)
{
	g_return_if_fail(self != NULL);
	g_free(self->device_serial);
	self->device_serial = g_strdup(serial);
}

/**
 * nhip_measurement_set_driver:
 * @self: a measurement
 * @driver: (nullable): the driver name
 */
void
nhip_measurement_set_driver(NhipMeasurement *self, const gchar *driver)
{
	g_return_if_fail(self != NULL);
	g_free(self->driver);
	self->driver = g_strdup(driver);
}

/**
 * nhip_measurement_set_raw:
 * @self: a measurement
 * @raw: (nullable): the frame bytes
 */
void
nhip_measurement_set_raw(NhipMeasurement *self, GBytes *raw)
{
	g_return_if_fail(self != NULL);
	g_clear_pointer(&self->raw, g_bytes_unref);
	if (raw != NULL)
		self->raw = g_bytes_ref(raw);
}

/**
 * nhip_measurement_set_raw_data:
 * @self: a measurement
 * @buf: (array length=bufsz): the frame bytes, copied
 * @bufsz: how many
 */
void
nhip_measurement_set_raw_data(NhipMeasurement *self, const guint8 *buf, gsize bufsz)
{
	g_autoptr(GBytes) raw = NULL;
	g_return_if_fail(self != NULL);
	raw = g_bytes_new(buf, bufsz);
	nhip_measurement_set_raw(self, raw);
}

/**
 * nhip_measurement_add_flags:
 * @self: a measurement
 * @flags: flags to set
 */
void
nhip_measurement_add_flags(NhipMeasurement *self, NhipMeasurementFlags flags)
{
	g_return_if_fail(self != NULL);
	self->flags |= flags;
}

/**
 * nhip_measurement_set_original:
 * @self: a measurement
 * @value: the value in the device's unit
 * @unit: (nullable): the device's unit, UCUM where one exists (e.g. "mg/dL")
 *
 * Records the value as sent before conversion and sets %NHIP_MEASUREMENT_FLAG_CONVERTED.
 */
void
nhip_measurement_set_original(NhipMeasurement *self, gdouble value, const gchar *unit)
{
	g_return_if_fail(self != NULL);
	self->original_value = value;
	g_free(self->original_unit);
	self->original_unit = g_strdup(unit);
	self->flags |= NHIP_MEASUREMENT_FLAG_CONVERTED;
}

static const struct {
	NhipMeasurementFlags flag;
	const gchar *name;
} flag_names[] = {
	{ NHIP_MEASUREMENT_FLAG_IMPLAUSIBLE, "implausible" },
	{ NHIP_MEASUREMENT_FLAG_STORED, "stored" },
	{ NHIP_MEASUREMENT_FLAG_LIVE, "live" },
	{ NHIP_MEASUREMENT_FLAG_CONVERTED, "converted" },
	{ NHIP_MEASUREMENT_FLAG_BEFORE_MEAL, "before-meal" },
	{ NHIP_MEASUREMENT_FLAG_AFTER_MEAL, "after-meal" },
	{ NHIP_MEASUREMENT_FLAG_OPERATOR_ENTERED, "operator-entered" },
};

/**
 * nhip_measurement_flags_to_string:
 * @flags: flags
 *
 * Returns: (transfer full): the flag names joined by ",", or "" for none
 */
gchar *
nhip_measurement_flags_to_string(NhipMeasurementFlags flags)
{
	GString *str = g_string_new(NULL);
	for (guint i = 0; i < G_N_ELEMENTS(flag_names); i++) {
		if ((flags & flag_names[i].flag) == 0)
			continue;
		if (str->len > 0)
			g_string_append_c(str, ',');
		g_string_append(str, flag_names[i].name);
	}
	return g_string_free(str, FALSE);
}

static gchar *
measurement_time_to_string(GDateTime *dt)
{
	/* seconds are enough for every device clock we read; keep the offset */
	return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S%:z");
}

/**
 * nhip_measurement_to_json:
 * @self: a measurement
 *
 * Builds a JSON object with the members `driver`, `kind`, `loinc`, `display`, `value`,
 * `unit`, `time` (the device time when known, else the receive time; %NULL when neither),
 * `device_time`, `received`, `model`, `serial`, `flags` (array of names) and `raw` (hex);
 * for blood pressure also `value2` and `components` (the systolic and diastolic LOINC
 * codes with their values); when converted also `original_value` and `original_unit`.
 *
 * Returns: (transfer full): a new JSON object
 */
JsonObject *
nhip_measurement_to_json(const NhipMeasurement *self)
{
	const NhipVitalInfo *info;
	JsonObject *obj;
	JsonArray *flags;
	GDateTime *time;

	g_return_val_if_fail(self != NULL, NULL);

	info = nhip_vital_info(self->kind);
	obj = json_object_new();
	json_object_set_string_member(obj, "driver", self->driver);
	json_object_set_string_member(obj, "kind", info->id);
	json_object_set_string_member(obj, "loinc", info->loinc);
	json_object_set_string_member(obj, "display", info->display);
	json_object_set_double_member(obj, "value", self->value);
	if (info->n_values == 2) {
		JsonArray *components = json_array_new();
		JsonObject *sys = json_object_new();
		JsonObject *dia = json_object_new();
		json_object_set_double_member(obj, "value2", self->value2);
		json_object_set_string_member(sys, "loinc", info->loinc_components[0]);
		json_object_set_double_member(sys, "value", self->value);
		json_object_set_string_member(dia, "loinc", info->loinc_components[1]);
		json_object_set_double_member(dia, "value", self->value2);
		json_array_add_object_element(components, sys);
		json_array_add_object_element(components, dia);
		json_object_set_array_member(obj, "components", components);
	}
	json_object_set_string_member(obj, "unit", info->unit);

	time = self->device_time != NULL ? self->device_time : self->receive_time;
	if (time != NULL) {
		g_autofree gchar *str = measurement_time_to_string(time);
		json_object_set_string_member(obj, "time", str);
	} else {
		json_object_set_null_member(obj, "time");
	}
	if (self->device_time != NULL) {
		g_autofree gchar *str = measurement_time_to_string(self->device_time);
		json_object_set_string_member(obj, "device_time", str);
	} else {
		json_object_set_null_member(obj, "device_time");
	}
	if (self->receive_time != NULL) {
		g_autofree gchar *str = measurement_time_to_string(self->receive_time);
		json_object_set_string_member(obj, "received", str);
	} else {
		json_object_set_null_member(obj, "received");
	}
	json_object_set_string_member(obj, "model", self->device_model);
	json_object_set_string_member(obj, "serial", self->device_serial);

	flags = json_array_new();
	for (guint i = 0; i < G_N_ELEMENTS(flag_names); i++) {
		if (self->flags & flag_names[i].flag)
			json_array_add_string_element(flags, flag_names[i].name);
	}
	json_object_set_array_member(obj, "flags", flags);

	if (self->original_unit != NULL) {
		json_object_set_double_member(obj, "original_value", self->original_value);
		json_object_set_string_member(obj, "original_unit", self->original_unit);
	}
	if (self->raw != NULL) {
		gsize rawsz = 0;
		const guint8 *raw = g_bytes_get_data(self->raw, &rawsz);
		g_autofree gchar *hex = nhip_bytes_to_hex(raw, rawsz, NULL);
		json_object_set_string_member(obj, "raw", hex);
	}
	return obj;
}

static void json_node_write_compact(JsonNode *node, GString *out);

static void
json_double_write(gdouble value, GString *out)
{
	gchar buf[G_ASCII_DTOSTR_BUF_SIZE] = { 0 };

	if (!isfinite(value)) {
		g_string_append(out, "null");
		return;
	}
	/* the shortest text that reads back as the same double: 79.6, not 79.599999999999994 */
	for (gint precision = 15; precision <= 17; precision++) {
		g_autofree gchar *format = g_strdup_printf("%%.%dg", precision);
		g_ascii_formatd(buf, sizeof(buf), format, value);
		if (g_ascii_strtod(buf, NULL) == value)
			break;
	}
	g_string_append(out, buf);
}

static void
json_node_write_compact(JsonNode *node, GString *out)
{
	switch (json_node_get_node_type(node)) {
	case JSON_NODE_OBJECT: {
		JsonObject *obj = json_node_get_object(node);
		JsonObjectIter iter;
		const gchar *name = NULL;
		JsonNode *member = NULL;
		gboolean first = TRUE;

		g_string_append_c(out, '{');
		json_object_iter_init_ordered(&iter, obj);
		while (json_object_iter_next_ordered(&iter, &name, &member)) {
			g_autoptr(JsonNode) key = json_node_new(JSON_NODE_VALUE);
			g_autofree gchar *key_str = NULL;
			if (!first)
				g_string_append_c(out, ',');
			first = FALSE;
			json_node_set_string(key, name);
			key_str = json_to_string(key, FALSE);
			g_string_append(out, key_str);
			g_string_append_c(out, ':');
			json_node_write_compact(member, out);
		}
		g_string_append_c(out, '}');
		break;
	}
	case JSON_NODE_ARRAY: {
		JsonArray *array = json_node_get_array(node);
		g_string_append_c(out, '[');
		for (guint i = 0; i < json_array_get_length(array); i++) {
			if (i > 0)
				g_string_append_c(out, ',');
			json_node_write_compact(json_array_get_element(array, i), out);
		}
		g_string_append_c(out, ']');
		break;
	}
	case JSON_NODE_VALUE:
		if (json_node_get_value_type(node) == G_TYPE_DOUBLE) {
			json_double_write(json_node_get_double(node), out);
		} else {
			g_autofree gchar *str = json_to_string(node, FALSE);
			g_string_append(out, str);
		}
		break;
	case JSON_NODE_NULL:
		g_string_append(out, "null");
		break;
	default:
		g_assert_not_reached();
	}
}

/**
 * nhip_measurement_to_json_line:
 * @self: a measurement
 *
 * Serialises nhip_measurement_to_json() on one line, members in a fixed order and numbers
 * in their shortest exact form, for `nhipctl device decode --json`.
 *
 * Returns: (transfer full): one line of JSON without the trailing newline
 */
gchar *
nhip_measurement_to_json_line(const NhipMeasurement *self)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	GString *out = g_string_new(NULL);

	g_return_val_if_fail(self != NULL, NULL);
	json_node_take_object(node, nhip_measurement_to_json(self));
	json_node_write_compact(node, out);
	return g_string_free(out, FALSE);
}
