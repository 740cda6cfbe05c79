/*
 * Nhịp — the facility this station belongs to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-facility.h"
#include "nhip-json.h"

G_DEFINE_BOXED_TYPE(NhipFacility, nhip_facility, nhip_facility_copy, nhip_facility_free)

/**
 * nhip_facility_new:
 * @code: MA_CSKCB
 * @name: the facility's name
 *
 * Returns: (transfer full): a facility record
 */
NhipFacility *
nhip_facility_new(const gchar *code, const gchar *name)
{
	NhipFacility *self = g_new0(NhipFacility, 1);
	self->code = g_strdup(code);
	self->name = g_strdup(name);
	return self;
}

/**
 * nhip_facility_copy:
 * @self: a facility
 *
 * Returns: (transfer full): a deep copy
 */
NhipFacility *
nhip_facility_copy(const NhipFacility *self)
{
	NhipFacility *copy = nhip_facility_new(self->code, self->name);
	copy->commune_code = g_strdup(self->commune_code);
	copy->district_code = g_strdup(self->district_code);
	copy->province_code = g_strdup(self->province_code);
	copy->address = g_strdup(self->address);
	return copy;
}

/**
 * nhip_facility_free:
 * @self: (nullable): a facility
 */
void
nhip_facility_free(NhipFacility *self)
{
	if (self == NULL)
		return;
	g_free(self->code);
	g_free(self->name);
	g_free(self->commune_code);
	g_free(self->district_code);
	g_free(self->province_code);
	g_free(self->address);
	g_free(self);
}

/**
 * nhip_facility_to_json:
 * @self: a facility
 * @builder: a builder positioned where a value may be added
 */
void
nhip_facility_to_json(const NhipFacility *self, JsonBuilder *builder)
{
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "code", self->code);
	nhip_json_add_string(builder, "name", self->name);
	nhip_json_add_string(builder, "commune_code", self->commune_code);
	nhip_json_add_string(builder, "district_code", self->district_code);
	nhip_json_add_string(builder, "province_code", self->province_code);
	nhip_json_add_string(builder, "address", self->address);
	json_builder_end_object(builder);
}
