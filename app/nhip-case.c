/*
 * Nhịp — building a case packet from a visit.
 *
 * The body is a FHIR R4-shaped Bundle (type "collection"): Patient, Encounter, one
 * Observation per vital sign (LOINC, UCUM), one Condition per ICD-10 code, a Media per
 * photo (content.url names the file in the packet) and a Communication that carries the
 * question for the doctor, the urgency (priority) and the visit notes.
 *
 * SEAM: nhip_case_bundle_build() is the only place that turns the store into FHIR. When
 * the HIS export's FHIR Bundle builder (app/nhip-export-fhir.h, branch `fhir`) lands,
 * its Patient/Encounter/Observation/Condition entries replace case_bundle_visit() and
 * the Communication and Media entries of this file are appended to its Bundle.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "nhip-case.h"
#include "nhip-json.h"
#include "nhip-photo.h"

void
nhip_case_free(NhipCase *self)
{
	if (self == NULL)
		return;
	nhip_packet_manifest_free(self->manifest);
	g_clear_pointer(&self->case_json, g_bytes_unref);
	g_clear_pointer(&self->attachments, g_ptr_array_unref);
	g_free(self);
}

/* ----- the FHIR-shaped Bundle ----- */

typedef struct {
	JsonBuilder *builder;
	gchar *patient_ref;
	gchar *encounter_ref;
	gchar *notes; /* the visit's notes, sent with the question */
} BundleCtx;

/* FHIR has no nulls: an absent value is an absent member */
static void
put_string(JsonBuilder *builder, const gchar *name, const gchar *value)
{
	if (value != NULL)
		nhip_json_add_string(builder, name, value);
}

static gchar *
new_urn(void)
{
	g_autofree gchar *uuid = g_uuid_string_random();
	return g_strconcat("urn:uuid:", uuid, NULL);
}

static void
add_reference(JsonBuilder *builder, const gchar *member, const gchar *reference)
{
	json_builder_set_member_name(builder, member);
	json_builder_begin_object(builder);
	put_string(builder, "reference", reference);
	json_builder_end_object(builder);
}

static void
add_coding(JsonBuilder *builder,
	   const gchar *member,
	   const gchar *system,
	   const gchar *code,
	   const gchar *display)
{
	json_builder_set_member_name(builder, member);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "coding");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	put_string(builder, "system", system);
	put_string(builder, "code", code);
	if (display != NULL)
		put_string(builder, "display", display);
	json_builder_end_object(builder);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
}

/* opens an entry: {"fullUrl": urn, "resource": {"resourceType": type, … */
static void
entry_begin(JsonBuilder *builder, const gchar *urn, const gchar *type)
{
	json_builder_begin_object(builder);
	put_string(builder, "fullUrl", urn);
	json_builder_set_member_name(builder, "resource");
	json_builder_begin_object(builder);
	put_string(builder, "resourceType", type);
}

static void
entry_end(JsonBuilder *builder)
{
	json_builder_end_object(builder);
	json_builder_end_object(builder);
}

static void
add_identifier(JsonBuilder *builder, const gchar *system, const gchar *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	json_builder_begin_object(builder);
	put_string(builder, "system", system);
	put_string(builder, "value", value);
	json_builder_end_object(builder);
}

static void
bundle_patient(BundleCtx *ctx, const NhipPatient *patient)
{
	JsonBuilder *b = ctx->builder;
	const gchar *gender = patient->sex == NHIP_SEX_MALE	? "male"
			      : patient->sex == NHIP_SEX_FEMALE ? "female"
								: "unknown";

	entry_begin(b, ctx->patient_ref, "Patient");
	if (patient->cccd != NULL || patient->bhyt != NULL) {
		json_builder_set_member_name(b, "identifier");
		json_builder_begin_array(b);
		add_identifier(b, "urn:oid:2.16.704.1.1.1", patient->cccd); /* CCCD */
		add_identifier(b, "urn:oid:2.16.704.1.2.1", patient->bhyt); /* BHYT card */
		json_builder_end_array(b);
	}
	json_builder_set_member_name(b, "name");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	put_string(b, "text", patient->full_name);
	json_builder_end_object(b);
	json_builder_end_array(b);
	put_string(b, "gender", gender);
	put_string(b, "birthDate", patient->birth);
	if (patient->phone != NULL) {
		json_builder_set_member_name(b, "telecom");
		json_builder_begin_array(b);
		json_builder_begin_object(b);
		put_string(b, "system", "phone");
		put_string(b, "value", patient->phone);
		json_builder_end_object(b);
		json_builder_end_array(b);
	}
	if (patient->address != NULL) {
		json_builder_set_member_name(b, "address");
		json_builder_begin_array(b);
		json_builder_begin_object(b);
		put_string(b, "text", patient->address);
		json_builder_end_object(b);
		json_builder_end_array(b);
	}
	entry_end(b);
}

static void
bundle_encounter(BundleCtx *ctx, const NhipVisit *visit, const NhipFacility *facility)
{
	JsonBuilder *b = ctx->builder;
	g_autofree gchar *start = nhip_format_time(visit->opened_at);
	g_autofree gchar *end = nhip_format_time(visit->closed_at);

	entry_begin(b, ctx->encounter_ref, "Encounter");
	if (visit->ma_lk != NULL) {
		json_builder_set_member_name(b, "identifier");
		json_builder_begin_array(b);
		add_identifier(b, "urn:nhip:ma-lk", visit->ma_lk);
		json_builder_end_array(b);
	}
	put_string(b, "status",
		   visit->status == NHIP_VISIT_STATUS_CLOSED ? "finished" : "in-progress");
	json_builder_set_member_name(b, "class");
	json_builder_begin_object(b);
	put_string(b, "system", "http://terminology.hl7.org/CodeSystem/v3-ActCode");
	put_string(b, "code", "AMB");
	json_builder_end_object(b);
	add_reference(b, "subject", ctx->patient_ref);
	json_builder_set_member_name(b, "period");
	json_builder_begin_object(b);
	put_string(b, "start", start);
	put_string(b, "end", end);
	json_builder_end_object(b);
	if (visit->reason != NULL) {
		json_builder_set_member_name(b, "reasonCode");
		json_builder_begin_array(b);
		json_builder_begin_object(b);
		put_string(b, "text", visit->reason);
		json_builder_end_object(b);
		json_builder_end_array(b);
	}
	if (facility != NULL) {
		json_builder_set_member_name(b, "serviceProvider");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "identifier");
		json_builder_begin_object(b);
		put_string(b, "system", "urn:nhip:ma-cskcb");
		put_string(b, "value", facility->code);
		json_builder_end_object(b);
		put_string(b, "display", facility->name);
		json_builder_end_object(b);
	}
	entry_end(b);
}

static void
add_quantity(JsonBuilder *b, const gchar *member, const NhipVitalInfo *info, gdouble value)
{
	json_builder_set_member_name(b, member);
	json_builder_begin_object(b);
	nhip_json_add_double(b, "value", nhip_vital_round(info->kind, value));
	put_string(b, "unit", info->unit);
	put_string(b, "system", "http://unitsofmeasure.org");
	put_string(b, "code", info->unit);
	json_builder_end_object(b);
}

static void
bundle_observation(BundleCtx *ctx, const NhipObservation *observation)
{
	JsonBuilder *b = ctx->builder;
	const NhipVitalInfo *info = nhip_vital_info(observation->kind);
	g_autofree gchar *urn = new_urn();
	g_autofree gchar *when = nhip_format_time(observation->measured_at);

	if (info == NULL)
		return;
	entry_begin(b, urn, "Observation");
	put_string(b, "status", "final");
	json_builder_set_member_name(b, "category");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "coding");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	put_string(b, "system", "http://terminology.hl7.org/CodeSystem/observation-category");
	put_string(b, "code", "vital-signs");
	json_builder_end_object(b);
	json_builder_end_array(b);
	json_builder_end_object(b);
	json_builder_end_array(b);
	add_coding(b, "code", "http://loinc.org", info->loinc, info->display);
	add_reference(b, "subject", ctx->patient_ref);
	add_reference(b, "encounter", ctx->encounter_ref);
	put_string(b, "effectiveDateTime", when);
	if (info->n_values == 2 && info->loinc_components[0] != NULL) {
		/* blood pressure: a panel with systolic and diastolic components */
		json_builder_set_member_name(b, "component");
		json_builder_begin_array(b);
		for (guint i = 0; i < 2; i++) {
			json_builder_begin_object(b);
			add_coding(b, "code", "http://loinc.org", info->loinc_components[i], NULL);
			add_quantity(b, "valueQuantity", info,
				     i == 0 ? observation->value : observation->value2);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
	} else {
		add_quantity(b, "valueQuantity", info, observation->value);
	}
	if (observation->device_model != NULL) {
		json_builder_set_member_name(b, "device");
		json_builder_begin_object(b);
		put_string(b, "display", observation->device_model);
		json_builder_end_object(b);
	}
	entry_end(b);
}

static void
bundle_condition(BundleCtx *ctx, const gchar *icd, gboolean main_diagnosis)
{
	JsonBuilder *b = ctx->builder;
	g_autofree gchar *urn = new_urn();

	entry_begin(b, urn, "Condition");
	add_coding(b, "code", "http://hl7.org/fhir/sid/icd-10", icd, NULL);
	json_builder_set_member_name(b, "category");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	put_string(b, "text", main_diagnosis ? "main" : "secondary");
	json_builder_end_object(b);
	json_builder_end_array(b);
	add_reference(b, "subject", ctx->patient_ref);
	add_reference(b, "encounter", ctx->encounter_ref);
	entry_end(b);
}

/* the patient, visit, vitals and diagnoses: what the FHIR export will give */
static gboolean
case_bundle_visit(BundleCtx *ctx, NhipStore *store, gint64 visit_id, GError **error)
{
	g_autoptr(NhipVisit) visit = NULL;
	g_autoptr(NhipPatient) patient = NULL;
	g_autoptr(NhipFacility) facility = NULL;
	g_autoptr(GPtrArray) observations = NULL;
	g_autoptr(GError) error_local = NULL;

	visit = nhip_store_visit_get(store, visit_id, error);
	if (visit == NULL)
		return FALSE;
	patient = nhip_store_patient_get(store, visit->patient_id, error);
	if (patient == NULL)
		return FALSE;
	observations = nhip_store_observation_list(store, visit_id, error);
	if (observations == NULL)
		return FALSE;
	/* a station not set up yet has no facility row: the case goes without it */
	facility = nhip_store_facility_get(store, &error_local);
	if (facility == NULL &&
	    !g_error_matches(error_local, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND)) {
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	bundle_patient(ctx, patient);
	bundle_encounter(ctx, visit, facility);
	for (guint i = 0; i < observations->len; i++)
		bundle_observation(ctx, g_ptr_array_index(observations, i));
	for (guint i = 0; visit->icd_codes != NULL && visit->icd_codes[i] != NULL; i++)
		bundle_condition(ctx, visit->icd_codes[i], i == 0);
	/* the notes travel with the question, below */
	ctx->notes = g_strdup(visit->notes);
	return TRUE;
}

static void
bundle_media(BundleCtx *ctx, NhipPacketAttachment *attachment, gchar *urn)
{
	JsonBuilder *b = ctx->builder;

	entry_begin(b, urn, "Media");
	put_string(b, "status", "completed");
	add_reference(b, "subject", ctx->patient_ref);
	add_reference(b, "encounter", ctx->encounter_ref);
	json_builder_set_member_name(b, "content");
	json_builder_begin_object(b);
	put_string(b, "contentType", attachment->type);
	put_string(b, "url", attachment->name);
	nhip_json_add_int(b, "size", (gint64)g_bytes_get_size(attachment->data));
	json_builder_end_object(b);
	entry_end(b);
}

static void
bundle_communication(BundleCtx *ctx, const gchar *question, gboolean urgent, GPtrArray *media)
{
	JsonBuilder *b = ctx->builder;
	g_autofree gchar *urn = new_urn();
	const gchar *notes = ctx->notes;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *sent = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S%:z");

	entry_begin(b, urn, "Communication");
	put_string(b, "status", "completed");
	json_builder_set_member_name(b, "category");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	put_string(b, "text", "consultation-request");
	json_builder_end_object(b);
	json_builder_end_array(b);
	put_string(b, "priority", urgent ? "urgent" : "routine");
	add_reference(b, "subject", ctx->patient_ref);
	add_reference(b, "encounter", ctx->encounter_ref);
	put_string(b, "sent", sent);
	json_builder_set_member_name(b, "payload");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	put_string(b, "contentString", question);
	json_builder_end_object(b);
	if (notes != NULL) {
		json_builder_begin_object(b);
		put_string(b, "contentString", notes);
		json_builder_end_object(b);
	}
	for (guint i = 0; i < media->len; i++) {
		json_builder_begin_object(b);
		add_reference(b, "contentReference", g_ptr_array_index(media, i));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	entry_end(b);
}

/**
 * nhip_case_bundle_build:
 * @store: the station's store
 * @visit_id: the visit
 * @question: the question for the doctor
 * @urgent: whether the station asks for an urgent answer
 * @attachments: (element-type NhipPacketAttachment): the photos, already named
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): case.json
 */
GBytes *
nhip_case_bundle_build(NhipStore *store,
		       gint64 visit_id,
		       const gchar *question,
		       gboolean urgent,
		       GPtrArray *attachments,
		       GError **error)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *patient_ref = new_urn();
	g_autofree gchar *encounter_ref = new_urn();
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *timestamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	g_autofree gchar *text = NULL;
	g_autofree gchar *notes = NULL;
	BundleCtx ctx = { builder, patient_ref, encounter_ref, NULL };
	gsize length;

	json_builder_begin_object(builder);
	put_string(builder, "resourceType", "Bundle");
	put_string(builder, "type", "collection");
	put_string(builder, "timestamp", timestamp);
	json_builder_set_member_name(builder, "entry");
	json_builder_begin_array(builder);
	if (!case_bundle_visit(&ctx, store, visit_id, error))
		return NULL;
	notes = ctx.notes;
	for (guint i = 0; i < attachments->len; i++) {
		gchar *urn = new_urn();
		bundle_media(&ctx, g_ptr_array_index(attachments, i), urn);
		g_ptr_array_add(media, urn);
	}
	bundle_communication(&ctx, question, urgent, media);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	text = nhip_json_to_string(builder, FALSE);
	length = strlen(text);
	return g_bytes_new_take(g_steal_pointer(&text), length);
}

/* ----- the case ----- */

static gboolean
case_add_photo(GPtrArray *attachments, GBytes *jpeg)
{
	g_autofree gchar *name = g_strdup_printf("img/%u.jpg", attachments->len + 1);

	g_ptr_array_add(attachments, nhip_packet_attachment_new(name, "image/jpeg", jpeg));
	return TRUE;
}

/* the visit's own attachments that are photos (other files stay on the station) */
static gboolean
case_add_visit_photos(NhipStore *store, gint64 visit_id, GPtrArray *attachments, GError **error)
{
	g_autoptr(GPtrArray) hashes = nhip_store_attachment_list(store, visit_id, error);

	if (hashes == NULL)
		return FALSE;
	for (guint i = 0; i < hashes->len && attachments->len < NHIP_CASE_MAX_PHOTOS; i++) {
		g_autofree gchar *path = nhip_store_attachment_path(store, hashes->pdata[i]);
		g_autoptr(GError) error_local = NULL;
		g_autoptr(GBytes) jpeg = nhip_photo_reencode_file(path, &error_local);

		if (jpeg == NULL) {
			g_debug("visit attachment %s is not sent: %s",
				(const gchar *)hashes->pdata[i], error_local->message);
			continue;
		}
		case_add_photo(attachments, jpeg);
	}
	return TRUE;
}

/**
 * nhip_case_build:
 * @store: the station's store
 * @visit_id: the visit the case is about
 * @station_code: this station's code (its certificate's CN)
 * @question: the question for the doctor (1 to %NHIP_CASE_QUESTION_MAX characters)
 * @urgent: ask for an urgent answer
 * @photo_paths: (nullable) (array zero-terminated=1): JPEG or PNG files to send; the
 *   visit's own photo attachments are sent too, %NHIP_CASE_MAX_PHOTOS in all
 * @error: return location for a #GError
 *
 * Builds the case: photos re-encoded (nhip_photo_reencode()), case.json from the store,
 * and a manifest without a sequence number.
 *
 * Returns: (transfer full) (nullable): the case
 */
NhipCase *
nhip_case_build(NhipStore *store,
		gint64 visit_id,
		const gchar *station_code,
		const gchar *question,
		gboolean urgent,
		const gchar *const *photo_paths,
		GError **error)
{
	g_autoptr(NhipCase) self = g_new0(NhipCase, 1);
	glong question_len = question != NULL && g_utf8_validate(question, -1, NULL)
				     ? g_utf8_strlen(question, -1)
				     : 0;
	guint n_paths = photo_paths != NULL ? g_strv_length((gchar **)photo_paths) : 0;

	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!nhip_station_code_check(station_code, error))
		return NULL;
	if (question_len < 1 || question_len > NHIP_CASE_QUESTION_MAX) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("write a question for the doctor, of at most %d characters"),
			    NHIP_CASE_QUESTION_MAX);
		return NULL;
	}
	if (n_paths > NHIP_CASE_MAX_PHOTOS) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("a case takes at most %d photos"), NHIP_CASE_MAX_PHOTOS);
		return NULL;
	}
	self->attachments =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_packet_attachment_free);
	for (guint i = 0; i < n_paths; i++) {
		g_autoptr(GBytes) jpeg = nhip_photo_reencode_file(photo_paths[i], error);
		if (jpeg == NULL)
			return NULL;
		case_add_photo(self->attachments, jpeg);
	}
	if (!case_add_visit_photos(store, visit_id, self->attachments, error))
		return NULL;
	self->case_json =
		nhip_case_bundle_build(store, visit_id, question, urgent, self->attachments, error);
	if (self->case_json == NULL)
		return NULL;
	self->manifest = nhip_packet_manifest_new(NHIP_PACKET_KIND_CASE, station_code);
	self->manifest->urgent = urgent;
	return g_steal_pointer(&self);
}

/**
 * nhip_case_seal:
 * @self: a case
 * @sequence: the station's next sequence number (from the outbox, ≥ 1)
 * @station: the station's identity
 * @hub_encryption_cert: the hub encryption certificate installed at enrollment
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the sealed packet in DER
 */
GBytes *
nhip_case_seal(NhipCase *self,
	       gint64 sequence,
	       NhipIdentity *station,
	       X509 *hub_encryption_cert,
	       GError **error)
{
	g_return_val_if_fail(self != NULL, NULL);

	self->manifest->sequence = sequence;
	return nhip_packet_seal(self->manifest, self->case_json, self->attachments, station,
				hub_encryption_cert, error);
}
