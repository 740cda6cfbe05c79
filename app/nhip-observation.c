/*
 * Nhịp — one observation (a vital-sign value) of a visit or of a patient's history.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "nhip-json.h"
#include "nhip-observation.h"

G_DEFINE_BOXED_TYPE(NhipObservation, nhip_observation, nhip_observation_copy, nhip_observation_free)

/**
 * nhip_observation_new:
 * @kind: the vital sign
 * @value: the value (systolic for blood pressure)
 * @value2: diastolic for blood pressure, NAN otherwise
 *
 * Returns: (transfer full): a manual observation, not yet stored
 */
NhipObservation *
nhip_observation_new(NhipVitalKind kind, gdouble value, gdouble value2)
{
	NhipObservation *self = g_new0(NhipObservation, 1);
	self->kind = kind;
	self->value = value;
	self->value2 = value2;
	return self;
}

/**
 * nhip_observation_copy:
 * @self: an observation
 *
 * Returns: (transfer full): a deep copy
 */
NhipObservation *
nhip_observation_copy(const NhipObservation *self)
{
	NhipObservation *copy = g_new0(NhipObservation, 1);

	*copy = *self;
	copy->device_id = g_strdup(self->device_id);
	copy->device_model = g_strdup(self->device_model);
	copy->raw_frame = self->raw_frame != NULL ? g_bytes_ref(self->raw_frame) : NULL;
	return copy;
}

/**
 * nhip_observation_free:
 * @self: (nullable): an observation
 */
void
nhip_observation_free(NhipObservation *self)
{
	if (self == NULL)
		return;
	g_free(self->device_id);
	g_free(self->device_model);
	if (self->raw_frame != NULL)
		g_bytes_unref(self->raw_frame);
	g_free(self);
}

/**
 * nhip_observation_format_value:
 * @self: an observation
 *
 * Returns: (transfer full): the value with its unit, e.g. "120/80 mm[Hg]" or "36.8 Cel"
 */
gchar *
nhip_observation_format_value(const NhipObservation *self)
{
	const NhipVitalInfo *info = nhip_vital_info(self->kind);
	gint decimals = info != NULL ? (gint)info->decimals : 1;
	const gchar *unit = info != NULL ? info->unit : "";

	if (info != NULL && info->n_values == 2)
		return g_strdup_printf("%.*f/%.*f %s", decimals, self->value, decimals,
				       self->value2, unit);
	return g_strdup_printf("%.*f %s", decimals, self->value, unit);
}

/**
 * nhip_observation_to_json:
 * @self: an observation
 * @builder: a builder positioned where a value may be added
 *
 * Adds the observation as one JSON object.
 */
void
nhip_observation_to_json(const NhipObservation *self, JsonBuilder *builder)
{
	const NhipVitalInfo *info = nhip_vital_info(self->kind);

	json_builder_begin_object(builder);
	nhip_json_add_int(builder, "id", self->id);
	if (self->visit_id != 0)
		nhip_json_add_int(builder, "visit_id", self->visit_id);
	else
		nhip_json_add_string(builder, "visit_id", NULL);
	nhip_json_add_int(builder, "patient_id", self->patient_id);
	nhip_json_add_string(builder, "kind", nhip_vital_kind_to_string(self->kind));
	nhip_json_add_string(builder, "loinc", info != NULL ? info->loinc : NULL);
	nhip_json_add_double(builder, "value", self->value);
	if (info != NULL && info->n_values == 2)
		nhip_json_add_double(builder, "value2", self->value2);
	nhip_json_add_string(builder, "unit", info != NULL ? info->unit : NULL);
	nhip_json_add_time(builder, "measured_at", self->measured_at);
	nhip_json_add_time(builder, "received_at", self->received_at);
	nhip_json_add_string(builder, "source", self->device_id != NULL ? "device" : "manual");
	if (self->device_id != NULL) {
		nhip_json_add_string(builder, "device_id", self->device_id);
		nhip_json_add_string(builder, "device_model", self->device_model);
		nhip_json_add_int(builder, "clock_skew_s", self->clock_skew);
	}
	json_builder_set_member_name(builder, "implausible");
	json_builder_add_boolean_value(builder, (self->flags & NHIP_VITAL_FLAG_IMPLAUSIBLE) != 0);
	json_builder_end_object(builder);
}
