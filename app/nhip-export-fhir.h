/*
 * Nhịp — a FHIR R4 transaction Bundle built from the station's records for one visit:
 * Organization (the facility), Patient, Coverage (BHYT card), Encounter, Device, one
 * Observation per vital sign (the R4 vital-signs profiles) and one Condition per ICD-10 code.
 *
 * Identifier systems and extensions. The community VN Core IG (fhir.hl7.org.vn, a draft not
 * issued by the state) is followed where it defines a URI; everything else uses project
 * URIs under https://nhip.vn/fhir/ listed here:
 *
 *   CCCD (12 digits)         http://fhir.hl7.org.vn/core/sid/cccd        (VN Core)
 *   CMND (9 digits, legacy)  http://fhir.hl7.org.vn/core/sid/cmnd        (VN Core)
 *   BHYT card number         http://fhir.hl7.org.vn/core/sid/bhyt        (VN Core)
 *   MA_LK (visit link code)  http://fhir.hl7.org.vn/core/sid/ma-lk       (VN Core)
 *   ethnicity extension      http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ethnicity
 *   province, ward (commune) http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-province,
 *                            …/vn-ext-ward (VN Core address extensions, valueCoding)
 *   MA_CSKCB facility code   https://nhip.vn/fhir/sid/ma-cskcb
 *   station record ids       https://nhip.vn/fhir/sid/<MA_CSKCB>/{patient,observation,condition}
 *   device identity          https://nhip.vn/fhir/sid/device ("driver:serial")
 *   ethnic-group codes       https://nhip.vn/fhir/CodeSystem/dan-toc (the General Statistics
 *                            Office's two-digit list, MA_DANTOC of QĐ 130)
 *   administrative codes     https://nhip.vn/fhir/CodeSystem/{tinh,huyen,xa} (the GSO codes the
 *                            station records; VN Core binds the post-2025 list, extensibly)
 *   district extension       https://nhip.vn/fhir/StructureDefinition/district (VN Core keeps
 *                            no coded district)
 *   card's registered clinic https://nhip.vn/fhir/StructureDefinition/bhyt-registered-facility
 *                            (MA_DKBD as a valueIdentifier in the MA_CSKCB system)
 *
 * Every fullUrl is `urn:uuid:` with a name-based (version 5) UUID made from stable ids, so
 * the same records always give the same Bundle. Entries carry conditional requests (PUT by
 * identifier, POST with ifNoneExist), so sending the Bundle twice creates nothing twice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "nhip-export-error.h"
#include "nhip-store.h"

G_BEGIN_DECLS

#define NHIP_EXPORT_FHIR_SID_CCCD     "http://fhir.hl7.org.vn/core/sid/cccd"
#define NHIP_EXPORT_FHIR_SID_CMND     "http://fhir.hl7.org.vn/core/sid/cmnd"
#define NHIP_EXPORT_FHIR_SID_BHYT     "http://fhir.hl7.org.vn/core/sid/bhyt"
#define NHIP_EXPORT_FHIR_SID_MA_LK    "http://fhir.hl7.org.vn/core/sid/ma-lk"
#define NHIP_EXPORT_FHIR_SID_MA_CSKCB "https://nhip.vn/fhir/sid/ma-cskcb"
#define NHIP_EXPORT_FHIR_SID_DEVICE   "https://nhip.vn/fhir/sid/device"
#define NHIP_EXPORT_FHIR_SID_STATION  "https://nhip.vn/fhir/sid/"

#define NHIP_EXPORT_FHIR_EXT_ETHNICITY \
	"http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ethnicity"
#define NHIP_EXPORT_FHIR_EXT_PROVINCE \
	"http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-province"
#define NHIP_EXPORT_FHIR_EXT_WARD     "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ward"
#define NHIP_EXPORT_FHIR_EXT_DISTRICT "https://nhip.vn/fhir/StructureDefinition/district"
#define NHIP_EXPORT_FHIR_EXT_BHYT_FACILITY \
	"https://nhip.vn/fhir/StructureDefinition/bhyt-registered-facility"

#define NHIP_EXPORT_FHIR_CS_ETHNICITY "https://nhip.vn/fhir/CodeSystem/dan-toc"
#define NHIP_EXPORT_FHIR_CS_PROVINCE  "https://nhip.vn/fhir/CodeSystem/tinh"
#define NHIP_EXPORT_FHIR_CS_DISTRICT  "https://nhip.vn/fhir/CodeSystem/huyen"
#define NHIP_EXPORT_FHIR_CS_COMMUNE   "https://nhip.vn/fhir/CodeSystem/xa"

#define NHIP_EXPORT_FHIR_LOINC "http://loinc.org"
#define NHIP_EXPORT_FHIR_UCUM  "http://unitsofmeasure.org"
#define NHIP_EXPORT_FHIR_ICD10 "http://hl7.org/fhir/sid/icd-10"

/**
 * NHIP_EXPORT_FHIR_UUID_NAMESPACE:
 *
 * The namespace of every name-based UUID the station makes (RFC 4122 version 5). Never
 * change it: receivers match resources sent again by their fullUrl.
 */
#define NHIP_EXPORT_FHIR_UUID_NAMESPACE "5fc64308-a283-4f9c-a79f-8b28eb23d5f5"

/**
 * NhipExportFhirOptions:
 * @timestamp: (nullable): Bundle.timestamp, or %NULL to leave it out (the output then
 *   depends on the records alone)
 *
 * Choices of the caller; a zeroed struct (or %NULL) gives the defaults.
 */
typedef struct {
	GDateTime *timestamp;
} NhipExportFhirOptions;

JsonNode *nhip_export_fhir_build(const NhipFacility *facility,
				 const NhipPatient *patient,
				 const NhipVisit *visit,
				 GPtrArray *observations,
				 const NhipExportFhirOptions *options,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
JsonNode *nhip_export_fhir_visit(NhipStore *store,
				 gint64 visit_id,
				 const NhipExportFhirOptions *options,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

void nhip_export_fhir_add_entry(JsonNode *bundle,
				const gchar *full_url,
				JsonNode *resource,
				const gchar *method,
				const gchar *url,
				const gchar *if_none_exist);
const gchar *nhip_export_fhir_find_full_url(JsonNode *bundle, const gchar *resource_type);

gchar *nhip_export_fhir_to_string(JsonNode *node, gboolean pretty) G_GNUC_WARN_UNUSED_RESULT;

gchar *nhip_export_fhir_uuid5(const gchar *namespace_uuid,
			      const gchar *name) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_export_fhir_full_url(const gchar *name) G_GNUC_WARN_UNUSED_RESULT;
void nhip_export_fhir_split_name(const gchar *full_name, gchar **family, GStrv *given);

G_END_DECLS
