/*
 * Nhịp — a case packet from a visit: a FHIR R4-shaped Bundle (Patient, Encounter, vital
 * signs as Observations, the question as a Communication) and photos as attachments,
 * signed with the station key and sealed to the hub's encryption certificate, written
 * durably into `packets/` beside the database and queued.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "nhip-case-packet.h"
#include "nhip-durable.h"
#include "nhip-json.h"
#include "nhip-packet.h"
#include "nhip-store-packets.h"
#include "nhip-vital.h"

static void
case_add_coding(JsonBuilder *builder, const gchar *member, const gchar *system, const gchar *code)
{
	json_builder_set_member_name(builder, member);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "coding");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "system", system);
	nhip_json_add_string(builder, "code", code);
	json_builder_end_object(builder);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
}

static void
case_add_entry_start(JsonBuilder *builder, const gchar *type, const gchar *id)
{
	g_autofree gchar *full_url = g_strdup_printf("urn:nhip:%s:%s", type, id);
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "fullUrl", full_url);
	json_builder_set_member_name(builder, "resource");
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "resourceType", type);
	nhip_json_add_string(builder, "id", id);
}

static void
case_add_entry_end(JsonBuilder *builder)
{
	json_builder_end_object(builder);
	json_builder_end_object(builder);
}

static GBytes *
case_body(NhipPatient *patient,
	  NhipVisit *visit,
	  GPtrArray *observations,
	  const gchar *question,
	  gboolean urgent)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *patient_id = g_strdup_printf("%" PRId64, patient->id);
	g_autofree gchar *visit_id = g_strdup_printf("%" PRId64, visit->id);
	g_autofree gchar *patient_ref = g_strconcat("urn:nhip:Patient:", patient_id, NULL);
	g_autofree gchar *visit_ref = g_strconcat("urn:nhip:Encounter:", visit_id, NULL);
	g_autofree gchar *opened = nhip_format_time(visit->opened_at);
	g_autofree gchar *json = NULL;
	gsize len;
	static const gchar *const sexes[] = { "unknown", "male", "female" };

	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "resourceType", "Bundle");
	nhip_json_add_string(builder, "type", "collection");
	json_builder_set_member_name(builder, "entry");
	json_builder_begin_array(builder);

	case_add_entry_start(builder, "Patient", patient_id);
	json_builder_set_member_name(builder, "name");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "text", patient->full_name);
	json_builder_end_object(builder);
	json_builder_end_array(builder);
	nhip_json_add_string(builder, "birthDate", patient->birth);
	nhip_json_add_string(builder, "gender",
			     (guint)patient->sex < G_N_ELEMENTS(sexes) ? sexes[patient->sex]
								       : "unknown");
	case_add_entry_end(builder);

	case_add_entry_start(builder, "Encounter", visit_id);
	nhip_json_add_string(builder, "status", visit->closed_at != 0 ? "finished" : "in-progress");
	nhip_json_add_string(builder, "priority", urgent ? "urgent" : "routine");
	json_builder_set_member_name(builder, "subject");
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "reference", patient_ref);
	json_builder_end_object(builder);
	json_builder_set_member_name(builder, "period");
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "start", opened);
	json_builder_end_object(builder);
	if (visit->reason != NULL) {
		json_builder_set_member_name(builder, "reasonCode");
		json_builder_begin_array(builder);
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "text", visit->reason);
		json_builder_end_object(builder);
		json_builder_end_array(builder);
	}
	for (guint i = 0; visit->icd_codes != NULL && visit->icd_codes[i] != NULL; i++) {
		if (i == 0) {
			json_builder_set_member_name(builder, "diagnosis");
			json_builder_begin_array(builder);
		}
		json_builder_begin_object(builder);
		case_add_coding(builder, "condition", "http://hl7.org/fhir/sid/icd-10",
				visit->icd_codes[i]);
		json_builder_end_object(builder);
		if (visit->icd_codes[i + 1] == NULL)
			json_builder_end_array(builder);
	}
	case_add_entry_end(builder);

	for (guint i = 0; i < observations->len; i++) {
		NhipObservation *obs = g_ptr_array_index(observations, i);
		const NhipVitalInfo *info = nhip_vital_info(obs->kind);
		g_autofree gchar *obs_id = g_strdup_printf("%" PRId64, obs->id);
		g_autofree gchar *when = nhip_format_time(obs->measured_at);

		if (info == NULL)
			continue;
		case_add_entry_start(builder, "Observation", obs_id);
		nhip_json_add_string(builder, "status", "final");
		case_add_coding(builder, "code", "http://loinc.org", info->loinc);
		json_builder_set_member_name(builder, "encounter");
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "reference", visit_ref);
		json_builder_end_object(builder);
		nhip_json_add_string(builder, "effectiveDateTime", when);
		json_builder_set_member_name(builder, "valueQuantity");
		json_builder_begin_object(builder);
		nhip_json_add_double(builder, "value", obs->value);
		nhip_json_add_string(builder, "unit", info->unit);
		nhip_json_add_string(builder, "system", "http://unitsofmeasure.org");
		json_builder_end_object(builder);
		if (info->n_values == 2) {
			nhip_json_add_double(builder, "value2", obs->value2);
		}
		case_add_entry_end(builder);
	}

	if (question != NULL || visit->notes != NULL) {
		case_add_entry_start(builder, "Communication", visit_id);
		nhip_json_add_string(builder, "status", "completed");
		nhip_json_add_string(builder, "priority", urgent ? "urgent" : "routine");
		json_builder_set_member_name(builder, "payload");
		json_builder_begin_array(builder);
		if (question != NULL) {
			json_builder_begin_object(builder);
			nhip_json_add_string(builder, "contentString", question);
			json_builder_end_object(builder);
		}
		if (visit->notes != NULL) {
			json_builder_begin_object(builder);
			nhip_json_add_string(builder, "contentString", visit->notes);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
		case_add_entry_end(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	json = nhip_json_to_string(builder, FALSE);
	len = strlen(json);
	return g_bytes_new_take(g_steal_pointer(&json), len);
}

static GPtrArray *
case_photos(const gchar *const *photos, GError **error)
{
	g_autoptr(GPtrArray) list =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_packet_attachment_free);

	for (guint i = 0; photos != NULL && photos[i] != NULL; i++) {
		g_autofree gchar *name = g_strdup_printf("img/%u.jpg", i + 1);
		gchar *data = NULL;
		gsize len = 0;
		g_autoptr(GBytes) bytes = NULL;

		if (!g_file_get_contents(photos[i], &data, &len, error))
			return NULL;
		bytes = g_bytes_new_take(data, len);
		if (len < 3 || memcmp(data, "\xff\xd8\xff", 3) != 0) {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("%s is not a JPEG photo"), photos[i]);
			return NULL;
		}
		g_ptr_array_add(list, nhip_packet_attachment_new(name, "image/jpeg", bytes));
	}
	return g_steal_pointer(&list);
}

/**
 * nhip_case_packet_queue:
 * @store: the station database
 * @link: the hub link (station identity and hub certificates)
 * @visit_id: the visit
 * @question: (nullable): the question for the doctor
 * @urgent: ask for an urgent answer; sent before routine packets
 * @photos: (nullable) (array zero-terminated=1): JPEG files
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the packet id, queued
 */
gchar *
nhip_case_packet_queue(NhipStore *store,
		       NhipHubLink *link,
		       gint64 visit_id,
		       const gchar *question,
		       gboolean urgent,
		       const gchar *const *photos,
		       GError **error)
{
	g_autoptr(NhipVisit) visit = NULL;
	g_autoptr(NhipPatient) patient = NULL;
	g_autoptr(GPtrArray) observations = NULL;
	g_autoptr(GPtrArray) attachments = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(NhipIdentity) signer = NULL;
	g_autoptr(X509) recipient = NULL;
	g_autoptr(NhipPacketManifest) manifest = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autofree gchar *parent = g_path_get_dirname(link->dir);
	g_autofree gchar *name = NULL;
	g_autofree gchar *path = NULL;

	visit = nhip_store_visit_get(store, visit_id, error);
	if (visit == NULL)
		return NULL;
	patient = nhip_store_patient_get(store, visit->patient_id, error);
	if (patient == NULL)
		return NULL;
	observations = nhip_store_observation_list(store, visit_id, error);
	if (observations == NULL)
		return NULL;
	attachments = case_photos(photos, error);
	if (attachments == NULL)
		return NULL;
	signer = nhip_identity_load(link->key_path, link->cert_path, error);
	if (signer == NULL)
		return NULL;
	recipient = nhip_x509_load(link->enc_cert_path, error);
	if (recipient == NULL)
		return NULL;
	body = case_body(patient, visit, observations, question, urgent);
	manifest = nhip_packet_manifest_new(NHIP_PACKET_KIND_CASE, link->station);
	if (manifest->packet_id == NULL)
		manifest->packet_id = nhip_packet_new_id();
	manifest->urgent = urgent;
	manifest->sequence = nhip_store_packet_next_seq(store, error);
	if (manifest->sequence == 0)
		return NULL;
	sealed = nhip_packet_seal(manifest, body, attachments, signer, recipient, error);
	if (sealed == NULL)
		return NULL;
	name = g_strconcat(manifest->packet_id, ".cms", NULL);
	path = g_build_filename(parent, "packets", name, NULL);
	if (!nhip_durable_write(path, g_bytes_get_data(sealed, NULL), g_bytes_get_size(sealed),
				error))
		return NULL;
	if (nhip_store_packet_add(store, manifest->packet_id, visit_id, path, urgent, error) == 0)
		return NULL;
	return g_strdup(manifest->packet_id);
}
