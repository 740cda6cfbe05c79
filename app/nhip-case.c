/*
 * Nhịp — building a case packet from a visit.
 *
 * The body, case.json, is the FHIR R4 transaction Bundle of the visit that the HIS export
 * makes (nhip_export_fhir_visit(): Organization, Patient, Coverage, Encounter, Device,
 * vital-sign Observations, Conditions), with what only a case has appended:
 *   - one Media per photo, its content.url naming the file inside the packet (img/1.jpg)
 *     with the photo's size and SHA-1 (FHIR's Attachment.hash);
 *   - one Communication, the request to the district doctor: its priority is the
 *     urgency, its payload the question and references to the Media, its note the
 *     visit's notes.
 * The added entries are conditional POSTs keyed by the packet id, so a receiver that
 * takes the Bundle twice creates them once. The Bundle validates against HL7's R4 JSON
 * schema (tests/app/test-case.c runs tests/app/fhir-check.py on it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nhip-case.h"
#include "nhip-durable.h"
#include "nhip-export-fhir.h"
#include "nhip-json.h"
#include "nhip-photo.h"
#include "nhip-store-packets.h"

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

/* ----- the Bundle: the FHIR export of the visit, and the request to the doctor ----- */

static void
case_reference(JsonBuilder *builder, const gchar *member, const gchar *full_url)
{
	if (full_url == NULL)
		return;
	json_builder_set_member_name(builder, member);
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "reference", full_url);
	json_builder_end_object(builder);
}

static void
case_identifier(JsonBuilder *builder, const gchar *system, const gchar *value)
{
	json_builder_set_member_name(builder, "identifier");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "system", system);
	nhip_json_add_string(builder, "value", value);
	json_builder_end_object(builder);
	json_builder_end_array(builder);
}

/* a conditional POST of @builder's resource, found again by its identifier */
static void
case_add_entry(JsonNode *bundle,
	       JsonBuilder *builder,
	       const gchar *type,
	       const gchar *system,
	       const gchar *value)
{
	g_autofree gchar *name = g_strdup_printf("%s/%s", type, value);
	g_autofree gchar *full_url = nhip_export_fhir_full_url(name);
	g_autofree gchar *if_none_exist = g_strdup_printf("identifier=%s|%s", system, value);

	nhip_export_fhir_add_entry(bundle, full_url, json_builder_get_root(builder), "POST", type,
				   if_none_exist);
}

static gchar *
case_attachment_sha1(GBytes *data)
{
	g_autoptr(GChecksum) sha1 = g_checksum_new(G_CHECKSUM_SHA1);
	guint8 digest[20] = { 0 };
	gsize length = sizeof(digest);

	g_checksum_update(sha1, g_bytes_get_data(data, NULL), (gssize)g_bytes_get_size(data));
	g_checksum_get_digest(sha1, digest, &length);
	return g_base64_encode(digest, length);
}

/* a Media for a photo of the packet; returns its fullUrl */
static gchar *
case_add_media(JsonNode *bundle,
	       const gchar *packet_id,
	       const NhipPacketAttachment *attachment,
	       const gchar *created)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree gchar *value = g_strdup_printf("%s/%s", packet_id, attachment->name);
	g_autofree gchar *hash = case_attachment_sha1(attachment->data);
	g_autofree gchar *name = g_strdup_printf("Media/%s", value);

	json_builder_begin_object(b);
	nhip_json_add_string(b, "resourceType", "Media");
	case_identifier(b, NHIP_CASE_SID_FILE, value);
	nhip_json_add_string(b, "status", "completed");
	json_builder_set_member_name(b, "type");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "coding");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	nhip_json_add_string(b, "system", "http://terminology.hl7.org/CodeSystem/media-type");
	nhip_json_add_string(b, "code", "image");
	json_builder_end_object(b);
	json_builder_end_array(b);
	json_builder_end_object(b);
	case_reference(b, "subject", nhip_export_fhir_find_full_url(bundle, "Patient"));
	case_reference(b, "encounter", nhip_export_fhir_find_full_url(bundle, "Encounter"));
	nhip_json_add_string(b, "createdDateTime", created);
	json_builder_set_member_name(b, "content");
	json_builder_begin_object(b);
	nhip_json_add_string(b, "contentType", attachment->type);
	nhip_json_add_string(b, "url", attachment->name);
	nhip_json_add_int(b, "size", (gint64)g_bytes_get_size(attachment->data));
	nhip_json_add_string(b, "hash", hash);
	json_builder_end_object(b);
	json_builder_end_object(b);
	case_add_entry(bundle, b, "Media", NHIP_CASE_SID_FILE, value);
	return nhip_export_fhir_full_url(name);
}

static void
case_add_communication(JsonNode *bundle,
		       const gchar *packet_id,
		       const gchar *question,
		       const gchar *notes,
		       gboolean urgent,
		       GPtrArray *media,
		       const gchar *sent)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	nhip_json_add_string(b, "resourceType", "Communication");
	case_identifier(b, NHIP_CASE_SID_CASE, packet_id);
	nhip_json_add_string(b, "status", "completed");
	json_builder_set_member_name(b, "category");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "coding");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	nhip_json_add_string(b, "system", NHIP_CASE_CS_CATEGORY);
	nhip_json_add_string(b, "code", "consultation-request");
	json_builder_end_object(b);
	json_builder_end_array(b);
	json_builder_end_object(b);
	json_builder_end_array(b);
	nhip_json_add_string(b, "priority", urgent ? "urgent" : "routine");
	case_reference(b, "subject", nhip_export_fhir_find_full_url(bundle, "Patient"));
	case_reference(b, "encounter", nhip_export_fhir_find_full_url(bundle, "Encounter"));
	nhip_json_add_string(b, "sent", sent);
	case_reference(b, "sender", nhip_export_fhir_find_full_url(bundle, "Organization"));
	if (question != NULL || media->len > 0) {
		json_builder_set_member_name(b, "payload");
		json_builder_begin_array(b);
		if (question != NULL) {
			json_builder_begin_object(b);
			nhip_json_add_string(b, "contentString", question);
			json_builder_end_object(b);
		}
		for (guint i = 0; i < media->len; i++) {
			json_builder_begin_object(b);
			case_reference(b, "contentReference", g_ptr_array_index(media, i));
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
	}
	/* the visit's notes are the station's comments on the request */
	if (notes != NULL) {
		json_builder_set_member_name(b, "note");
		json_builder_begin_array(b);
		json_builder_begin_object(b);
		nhip_json_add_string(b, "text", notes);
		json_builder_end_object(b);
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
	case_add_entry(bundle, b, "Communication", NHIP_CASE_SID_CASE, packet_id);
}

/**
 * nhip_case_bundle_build:
 * @store: the station's store
 * @visit_id: the visit
 * @packet_id: the case packet's id (identifies the added resources)
 * @question: (nullable): the question for the doctor
 * @urgent: whether the station asks for an urgent answer
 * @attachments: (element-type NhipPacketAttachment): the photos, already named
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): case.json, a FHIR R4 transaction Bundle
 */
GBytes *
nhip_case_bundle_build(NhipStore *store,
		       gint64 visit_id,
		       const gchar *packet_id,
		       const gchar *question,
		       gboolean urgent,
		       GPtrArray *attachments,
		       GError **error)
{
	g_autoptr(NhipFacility) facility = NULL;
	g_autoptr(NhipVisit) visit = NULL;
	g_autoptr(NhipPatient) patient = NULL;
	g_autoptr(GPtrArray) observations = NULL;
	g_autoptr(GPtrArray) media = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *sent = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S%:z");
	g_autoptr(JsonNode) bundle = NULL;
	NhipExportFhirOptions options = { now };
	gchar *text;

	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(packet_id != NULL && attachments != NULL, NULL);

	if (!nhip_store_visit_get_records(store, visit_id, &facility, &visit, &patient,
					  &observations, error))
		return NULL;
	bundle = nhip_export_fhir_build(facility, patient, visit, observations, &options, error);
	if (bundle == NULL)
		return NULL;
	for (guint i = 0; i < attachments->len; i++)
		g_ptr_array_add(media, case_add_media(bundle, packet_id,
						      g_ptr_array_index(attachments, i), sent));
	case_add_communication(bundle, packet_id, question,
			       visit->notes != NULL && visit->notes[0] != '\0' ? visit->notes
									       : NULL,
			       urgent, media, sent);
	text = nhip_export_fhir_to_string(bundle, FALSE);
	return g_bytes_new_take(text, strlen(text));
}

/* ----- the case ----- */

static void
case_add_photo(GPtrArray *attachments, GBytes *jpeg)
{
	g_autofree gchar *name = g_strdup_printf("img/%u.jpg", attachments->len + 1);

	g_ptr_array_add(attachments, nhip_packet_attachment_new(name, "image/jpeg", jpeg));
}

/* the visit's own attachments that are photos (other files stay on the station) */
static gboolean
case_add_visit_photos(NhipStore *store,
		      gint64 visit_id,
		      const gchar *const *chosen,
		      GPtrArray *attachments,
		      GError **error)
{
	g_autoptr(GPtrArray) hashes = nhip_store_attachment_list(store, visit_id, error);

	if (hashes == NULL)
		return FALSE;
	for (guint i = 0; i < hashes->len && attachments->len < NHIP_CASE_MAX_PHOTOS; i++) {
		g_autofree gchar *path = NULL;
		g_autoptr(GError) error_local = NULL;
		g_autoptr(GBytes) jpeg = NULL;

		if (chosen != NULL && !g_strv_contains(chosen, hashes->pdata[i]))
			continue;
		path = nhip_store_attachment_path(store, hashes->pdata[i]);
		jpeg = nhip_photo_reencode_file(path, &error_local);

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
 * @question: (nullable): the question for the doctor (1 to %NHIP_CASE_QUESTION_MAX
 *   characters), or %NULL to send the visit with its notes alone
 * @urgent: ask for an urgent answer
 * @photo_paths: (nullable) (array zero-terminated=1): JPEG or PNG files to send; the
 *   visit's own photo attachments are sent too, %NHIP_CASE_MAX_PHOTOS in all
 * @visit_photos: (nullable) (array zero-terminated=1): which of the visit's photo
 *   attachments to send, by SHA-256; %NULL sends them all
 * @error: return location for a #GError
 *
 * Builds the case: photos re-encoded (nhip_photo_reencode()), case.json from the store,
 * and a manifest with a new packet id and no sequence number yet.
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
		const gchar *const *visit_photos,
		GError **error)
{
	g_autoptr(NhipCase) self = g_new0(NhipCase, 1);
	guint n_paths = photo_paths != NULL ? g_strv_length((gchar **)photo_paths) : 0;

	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!nhip_station_code_check(station_code, error))
		return NULL;
	if (question != NULL) {
		glong length =
			g_utf8_validate(question, -1, NULL) ? g_utf8_strlen(question, -1) : 0;
		if (length < 1 || length > NHIP_CASE_QUESTION_MAX) {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
				    _("write a question for the doctor, of at most %d characters"),
				    NHIP_CASE_QUESTION_MAX);
			return NULL;
		}
	}
	if (n_paths > NHIP_CASE_MAX_PHOTOS) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID,
			    _("a case takes at most %d photos"), NHIP_CASE_MAX_PHOTOS);
		return NULL;
	}
	self->visit_id = visit_id;
	self->attachments =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_packet_attachment_free);
	for (guint i = 0; i < n_paths; i++) {
		g_autoptr(GBytes) jpeg = nhip_photo_reencode_file(photo_paths[i], error);
		if (jpeg == NULL)
			return NULL;
		case_add_photo(self->attachments, jpeg);
	}
	if (!case_add_visit_photos(store, visit_id, visit_photos, self->attachments, error))
		return NULL;
	self->manifest = nhip_packet_manifest_new(NHIP_PACKET_KIND_CASE, station_code);
	self->manifest->urgent = urgent;
	self->case_json = nhip_case_bundle_build(store, visit_id, self->manifest->packet_id,
						 question, urgent, self->attachments, error);
	if (self->case_json == NULL)
		return NULL;
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

/**
 * nhip_case_queue:
 * @self: a case built for the station enrolled through @link
 * @store: the station's store
 * @link: the hub link (the station's key and certificate, the hub encryption certificate)
 * @error: return location for a #GError
 *
 * Seals the case with the outbox's next sequence number, writes the packet durably into
 * `packets/` beside the hub link folder and queues it for the sender.
 *
 * Returns: (transfer none) (nullable): the packet id, queued
 */
const gchar *
nhip_case_queue(NhipCase *self, NhipStore *store, NhipHubLink *link, GError **error)
{
	g_autoptr(NhipIdentity) signer = NULL;
	g_autoptr(X509) recipient = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autofree gchar *parent = g_path_get_dirname(link->dir);
	g_autofree gchar *name = g_strconcat(self->manifest->packet_id, ".cms", NULL);
	g_autofree gchar *path = g_build_filename(parent, "packets", name, NULL);
	gint64 sequence;

	g_return_val_if_fail(self != NULL && NHIP_IS_STORE(store) && link != NULL, NULL);

	signer = nhip_identity_load(link->key_path, link->cert_path, error);
	if (signer == NULL)
		return NULL;
	recipient = nhip_x509_load(link->enc_cert_path, error);
	if (recipient == NULL)
		return NULL;
	sequence = nhip_store_packet_next_seq(store, error);
	if (sequence == 0)
		return NULL;
	sealed = nhip_case_seal(self, sequence, signer, recipient, error);
	if (sealed == NULL)
		return NULL;
	if (!nhip_durable_write(path, g_bytes_get_data(sealed, NULL), g_bytes_get_size(sealed),
				error))
		return NULL;
	if (nhip_store_packet_add(store, self->manifest->packet_id, self->visit_id, path,
				  self->manifest->urgent, error) == 0)
		return NULL;
	return self->manifest->packet_id;
}

/**
 * nhip_case_send:
 * @store: the station's store
 * @db_path: its file (the identity folder and the packets are beside it)
 * @request: what to send
 * @error: return location for a #GError; %NHIP_TRANSPORT_ERROR_NOT_ENROLLED before the
 *   station is enrolled
 *
 * Builds the case of @request (nhip_case_build()), seals it for the hub the station is
 * enrolled with and queues it (nhip_case_queue()): what `nhipctl case send` and the
 * kiosk's "Ask the district" do. The background sender delivers it.
 *
 * Returns: (transfer full) (nullable): the id of the packet queued
 */
gchar *
nhip_case_send(NhipStore *store,
	       const gchar *db_path,
	       const NhipCaseRequest *request,
	       GError **error)
{
	g_autoptr(NhipHubLink) link = NULL;
	g_autoptr(NhipCase) kase = NULL;
	const gchar *packet_id;

	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(db_path != NULL && request != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	link = nhip_hub_link_load(db_path, error);
	if (link == NULL)
		return NULL;
	/* photos are re-encoded (upright, at most 1600 px, metadata dropped) */
	kase = nhip_case_build(store, request->visit_id, link->station, request->question,
			       request->urgent, request->photo_paths, request->visit_photos, error);
	if (kase == NULL)
		return NULL;
	packet_id = nhip_case_queue(kase, store, link, error);
	return g_strdup(packet_id);
}
