/*
 * Nhịp — one observation (a vital-sign value) of a visit or of a patient's history.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "nhip-vital.h"

G_BEGIN_DECLS

#define NHIP_TYPE_OBSERVATION (nhip_observation_get_type())

/**
 * NhipObservation:
 * @id: row id
 * @visit_id: the visit, or 0 for a stored device reading older than the visit
 * @patient_id: the patient
 * @kind: the vital sign
 * @value: the value (systolic for blood pressure)
 * @value2: diastolic for blood pressure, NAN otherwise
 * @measured_at: Unix time of the measurement (device time when the device has a clock)
 * @received_at: Unix time the station stored it
 * @clock_skew: device clock minus station clock in seconds, when known
 * @device_id: (nullable): device identity ("driver:serial"), %NULL for manual entry
 * @device_model: (nullable): device model name
 * @raw_frame: (nullable): the bytes the device sent, kept for audit
 * @flags: #NhipVitalFlags
 * @staff_id: who entered it manually, 0 otherwise
 */
typedef struct {
	gint64 id;
	gint64 visit_id;
	gint64 patient_id;
	NhipVitalKind kind;
	gdouble value;
	gdouble value2;
	gint64 measured_at;
	gint64 received_at;
	gint64 clock_skew;
	gchar *device_id;
	gchar *device_model;
	GBytes *raw_frame;
	NhipVitalFlags flags;
	gint64 staff_id;
} NhipObservation;

GType nhip_observation_get_type(void);
NhipObservation *nhip_observation_new(NhipVitalKind kind, gdouble value, gdouble value2);
NhipObservation *nhip_observation_copy(const NhipObservation *self);
void nhip_observation_free(NhipObservation *self);
gchar *nhip_observation_format_value(const NhipObservation *self) G_GNUC_WARN_UNUSED_RESULT;
void nhip_observation_to_json(const NhipObservation *self, JsonBuilder *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipObservation, nhip_observation_free)

G_END_DECLS
