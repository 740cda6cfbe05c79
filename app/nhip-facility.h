/*
 * Nhịp — the facility this station belongs to.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define NHIP_TYPE_FACILITY (nhip_facility_get_type())

/**
 * NhipFacility:
 * @code: health-facility code MA_CSKCB given by the insurance office
 * @name: name, e.g. "Trạm Y tế xã Tân Hòa"
 * @commune_code: (nullable): administrative code of the commune
 * @district_code: (nullable): administrative code of the district
 * @province_code: (nullable): administrative code of the province
 * @address: (nullable): postal address
 */
typedef struct {
	gchar *code;
	gchar *name;
	gchar *commune_code;
	gchar *district_code;
	gchar *province_code;
	gchar *address;
} NhipFacility;

GType nhip_facility_get_type(void);
NhipFacility *nhip_facility_new(const gchar *code, const gchar *name);
NhipFacility *nhip_facility_copy(const NhipFacility *self);
void nhip_facility_free(NhipFacility *self);
void nhip_facility_to_json(const NhipFacility *self, JsonBuilder *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipFacility, nhip_facility_free)

G_END_DECLS
