/*
 * Nhịp — a visit (one encounter at the station, one MA_LK).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-json.h"
#include "nhip-visit.h"

G_DEFINE_BOXED_TYPE(NhipVisit, nhip_visit, nhip_visit_copy, nhip_visit_free)

/**
 * nhip_visit_new:
 *
 * Returns: (transfer full): an empty visit
 */
NhipVisit *
nhip_visit_new(void)
{
	return g_new0(NhipVisit, 1);
}

/**
 * nhip_visit_copy:
 * @self: a visit
 *
 * Returns: (transfer full): a deep copy
 */
NhipVisit *
nhip_visit_copy(const NhipVisit *self)
{
	NhipVisit *copy = g_new0(NhipVisit, 1);

	*copy = *self;
	copy->patient_name = g_strdup(self->patient_name);
	copy->ma_lk = g_strdup(self->ma_lk);
	copy->reason = g_strdup(self->reason);
	copy->icd_codes = g_strdupv(self->icd_codes);
	copy->notes = g_strdup(self->notes);
	copy->symptoms = g_strdup(self->symptoms);
	return copy;
}

/**
 * nhip_visit_free:
 * @self: (nullable): a visit
 */
void
nhip_visit_free(NhipVisit *self)
{
	if (self == NULL)
		return;
	g_free(self->patient_name);
	g_free(self->ma_lk);
	g_free(self->reason);
	g_strfreev(self->icd_codes);
	g_free(self->notes);
	g_free(self->symptoms);
	g_free(self);
}

/**
 * nhip_visit_status_to_string:
 * @status: a status
 *
 * Returns: (transfer none): "open" or "closed"
 */
const gchar *
nhip_visit_status_to_string(NhipVisitStatus status)
{
	return status == NHIP_VISIT_STATUS_CLOSED ? "closed" : "open";
}

/**
 * nhip_visit_to_json:
 * @self: a visit
 * @builder: a builder positioned where a value may be added
 *
 * Adds the visit as one JSON object (without its observations).
 */
void
nhip_visit_to_json(const NhipVisit *self, JsonBuilder *builder)
{
	json_builder_begin_object(builder);
	nhip_json_add_int(builder, "id", self->id);
	nhip_json_add_int(builder, "patient_id", self->patient_id);
	if (self->patient_name != NULL)
		nhip_json_add_string(builder, "patient_name", self->patient_name);
	nhip_json_add_string(builder, "ma_lk", self->ma_lk);
	nhip_json_add_string(builder, "status", nhip_visit_status_to_string(self->status));
	nhip_json_add_time(builder, "opened_at", self->opened_at);
	nhip_json_add_time(builder, "closed_at", self->closed_at);
	nhip_json_add_string(builder, "reason", self->reason);
	json_builder_set_member_name(builder, "icd10");
	json_builder_begin_array(builder);
	for (guint i = 0; self->icd_codes != NULL && self->icd_codes[i] != NULL; i++)
		json_builder_add_string_value(builder, self->icd_codes[i]);
	json_builder_end_array(builder);
	nhip_json_add_string(builder, "notes", self->notes);
	if (self->symptoms != NULL)
		nhip_json_add_string(builder, "symptoms", self->symptoms);
	if (self->staff_id != 0)
		nhip_json_add_int(builder, "staff_id", self->staff_id);
	json_builder_end_object(builder);
}
