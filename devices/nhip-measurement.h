/*
 * Nhịp — one vital-sign measurement as a device reported it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "nhip-vital.h"

G_BEGIN_DECLS

/**
 * NhipMeasurementFlags:
 * @NHIP_MEASUREMENT_FLAG_NONE: nothing to remark
 * @NHIP_MEASUREMENT_FLAG_IMPLAUSIBLE: possible but unlikely (see nhip_vital_check())
 * @NHIP_MEASUREMENT_FLAG_STORED: read back from the device's memory, not taken just now
 * @NHIP_MEASUREMENT_FLAG_LIVE: a sample of a continuous live stream
 * @NHIP_MEASUREMENT_FLAG_CONVERTED: the device sent another unit; see the original value
 * @NHIP_MEASUREMENT_FLAG_BEFORE_MEAL: glucose marked "before meal" on the device
 * @NHIP_MEASUREMENT_FLAG_AFTER_MEAL: glucose marked "after meal" on the device
 * @NHIP_MEASUREMENT_FLAG_OPERATOR_ENTERED: typed on the device rather than measured
 *   (e.g. the height entered on a body-composition scale)
 */
typedef enum {
	NHIP_MEASUREMENT_FLAG_NONE = 0,
	NHIP_MEASUREMENT_FLAG_IMPLAUSIBLE = 1 << 0,
	NHIP_MEASUREMENT_FLAG_STORED = 1 << 1,
	NHIP_MEASUREMENT_FLAG_LIVE = 1 << 2,
	NHIP_MEASUREMENT_FLAG_CONVERTED = 1 << 3,
	NHIP_MEASUREMENT_FLAG_BEFORE_MEAL = 1 << 4,
	NHIP_MEASUREMENT_FLAG_AFTER_MEAL = 1 << 5,
	NHIP_MEASUREMENT_FLAG_OPERATOR_ENTERED = 1 << 6,
} NhipMeasurementFlags;

#define NHIP_TYPE_MEASUREMENT (nhip_measurement_get_type())

typedef struct _NhipMeasurement NhipMeasurement;

GType nhip_measurement_get_type(void) G_GNUC_CONST;

NhipMeasurement *nhip_measurement_new(NhipVitalKind kind,
				      gdouble value,
				      gdouble value2,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipMeasurement *nhip_measurement_ref(NhipMeasurement *self);
void nhip_measurement_unref(NhipMeasurement *self);

NhipVitalKind nhip_measurement_get_kind(const NhipMeasurement *self);
gdouble nhip_measurement_get_value(const NhipMeasurement *self);
gdouble nhip_measurement_get_value2(const NhipMeasurement *self);
const gchar *nhip_measurement_get_loinc(const NhipMeasurement *self);
const gchar *nhip_measurement_get_unit(const NhipMeasurement *self);
GDateTime *nhip_measurement_get_device_time(const NhipMeasurement *self);
GDateTime *nhip_measurement_get_receive_time(const NhipMeasurement *self);
const gchar *nhip_measurement_get_device_model(const NhipMeasurement *self);
const gchar *nhip_measurement_get_device_serial(const NhipMeasurement *self);
const gchar *nhip_measurement_get_driver(const NhipMeasurement *self);
GBytes *nhip_measurement_get_raw(const NhipMeasurement *self);
NhipMeasurementFlags nhip_measurement_get_flags(const NhipMeasurement *self);
gboolean nhip_measurement_has_flag(const NhipMeasurement *self, NhipMeasurementFlags flag);
gdouble nhip_measurement_get_original_value(const NhipMeasurement *self);
const gchar *nhip_measurement_get_original_unit(const NhipMeasurement *self);

void nhip_measurement_set_device_time(NhipMeasurement *self, GDateTime *device_time);
void nhip_measurement_set_receive_time(NhipMeasurement *self, GDateTime *receive_time);
void nhip_measurement_set_device_model(NhipMeasurement *self, const gchar *model);
void nhip_measurement_set_device_serial(NhipMeasurement *self, const gchar *serial);
void nhip_measurement_set_driver(NhipMeasurement *self, const gchar *driver);
void nhip_measurement_set_raw(NhipMeasurement *self, GBytes *raw);
void nhip_measurement_set_raw_data(NhipMeasurement *self, const guint8 *buf, gsize bufsz);
void nhip_measurement_add_flags(NhipMeasurement *self, NhipMeasurementFlags flags);
void nhip_measurement_set_original(NhipMeasurement *self, gdouble value, const gchar *unit);

gchar *nhip_measurement_flags_to_string(NhipMeasurementFlags flags);
JsonObject *nhip_measurement_to_json(const NhipMeasurement *self) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_measurement_to_json_line(const NhipMeasurement *self) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipMeasurement, nhip_measurement_unref)

G_END_DECLS
