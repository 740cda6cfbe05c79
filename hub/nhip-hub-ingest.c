/*
 * Nhịp hub — ingest of finished uploads and making reply packets.
 *
 * A finished upload is opened (GCM tag, signature, chain and CRL, recipient), its signer is
 * compared with the station of the TLS connection that sent it, the replay rule is applied,
 * and only then the case is stored with a signed receipt. Every refusal has a stable reason
 * word that goes to the log and back to the station; no patient data is logged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "nhip-ca.h"
#include "nhip-hub-blobs.h"
#include "nhip-hub-ingest.h"
#include "nhip-json.h"
#include "nhip-packet.h"

struct _NhipHubIngest {
	gchar *dir;
	NhipHubDb *db;	      /* not owned */
	NhipHubTrust *trust;  /* not owned */
	NhipIdentity *opener; /* the hub encryption identity */
	NhipIdentity *signer; /* the hub signing identity */
	GMutex lock;	      /* one packet at a time: the replay rule reads, then writes */
};

/**
 * nhip_hub_ingest_new:
 * @hub_dir: the hub folder
 * @db: the hub database (kept, not owned)
 * @trust: the trust checker (kept, not owned)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the ingest
 */
NhipHubIngest *
nhip_hub_ingest_new(const gchar *hub_dir, NhipHubDb *db, NhipHubTrust *trust, GError **error)
{
	g_autoptr(NhipHubIngest) self = g_new0(NhipHubIngest, 1);

	g_mutex_init(&self->lock);
	self->dir = g_strdup(hub_dir);
	self->db = db;
	self->trust = trust;
	self->opener = nhip_ca_load_identity(hub_dir, NHIP_CA_ROLE_ENCRYPTION, error);
	if (self->opener == NULL)
		return NULL;
	self->signer = nhip_ca_load_identity(hub_dir, NHIP_CA_ROLE_SIGNING, error);
	if (self->signer == NULL)
		return NULL;
	return g_steal_pointer(&self);
}

/**
 * nhip_hub_ingest_free:
 * @self: (nullable): the ingest
 */
void
nhip_hub_ingest_free(NhipHubIngest *self)
{
	if (self == NULL)
		return;
	g_clear_object(&self->opener);
	g_clear_object(&self->signer);
	g_mutex_clear(&self->lock);
	g_free(self->dir);
	g_free(self);
}

static NhipHubPacket *
ingest_refuse(const NhipHubUpload *upload,
	      const gchar *word,
	      const gchar **reason,
	      GError *error_local,
	      GError **error)
{
	g_message("refused packet %s from station %s: %s (%s)", upload->packet_id, upload->station,
		  word, error_local->message);
	*reason = word;
	g_propagate_error(error, error_local);
	return NULL;
}

/* the photos of the case as blobs, listed for the doctors' pages; idempotent */
static gboolean
ingest_store_files(NhipHubIngest *self,
		   const NhipHubPacket *packet,
		   NhipPacketContents *contents,
		   GError **error)
{
	for (guint i = 0; contents->attachments != NULL && i < contents->attachments->len; i++) {
		NhipPacketAttachment *attachment = g_ptr_array_index(contents->attachments, i);
		NhipHubCaseFile file = { 0 };
		g_autofree gchar *sha256 = nhip_hub_blob_put(self->dir, attachment->data, error);

		if (sha256 == NULL)
			return FALSE;
		file.name = attachment->name;
		file.type = attachment->type;
		file.sha256 = sha256;
		file.size = (gint64)g_bytes_get_size(attachment->data);
		if (!nhip_hub_db_case_file_add(self->db, packet->id, &file, error))
			return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hub_ingest_packet:
 * @self: the ingest
 * @upload: the finished upload (station from its TLS certificate, packet id, sha256)
 * @sealed: the packet's bytes, already checked against @upload's sha256
 * @reason: (out): on refusal, a stable word ("tampered", "wrong-recipient", "revoked",
 *   "signer-mismatch", "replayed", …); %NULL when the failure is the hub's own (storage)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the stored packet, with its receipt; the one stored
 *   before when the station sent this packet already
 */
NhipHubPacket *
nhip_hub_ingest_packet(NhipHubIngest *self,
		       const NhipHubUpload *upload,
		       GBytes *sealed,
		       const gchar **reason,
		       GError **error)
{
	G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->lock);
	g_autoptr(X509_STORE) store = NULL;
	g_autoptr(NhipPacketContents) contents = NULL;
	g_autoptr(NhipHubPacket) packet = NULL;
	g_autoptr(GBytes) receipt = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *id_at_seq = NULL;
	NhipReplayState state = { 0 };
	NhipReplayVerdict verdict = NHIP_REPLAY_NEW;
	NhipPacketManifest *manifest;

	*reason = NULL;
	store = nhip_hub_trust_get_store(self->trust, error);
	if (store == NULL)
		return NULL;
	contents = nhip_packet_open(sealed, self->opener, store, &error_local);
	if (contents == NULL) {
		const gchar *word = error_local->domain == NHIP_PACKET_ERROR
					    ? nhip_packet_error_to_reason(error_local->code)
					    : "unreadable";
		return ingest_refuse(upload, word, reason, g_steal_pointer(&error_local), error);
	}
	manifest = contents->manifest;
	if (g_strcmp0(contents->signer_code, upload->station) != 0) {
		error_local = g_error_new(NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_SIGNER_MISMATCH,
					  _("the packet is signed by station %s but was sent "
					    "with the certificate of station %s"),
					  contents->signer_code, upload->station);
		return ingest_refuse(upload, "signer-mismatch", reason,
				     g_steal_pointer(&error_local), error);
	}
	if (manifest->kind != NHIP_PACKET_KIND_CASE ||
	    g_strcmp0(manifest->packet_id, upload->packet_id) != 0) {
		error_local =
			g_error_new(NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_WRONG_PACKET,
				    _("the upload names packet %s but the packet inside is "
				      "%s %s"),
				    upload->packet_id, nhip_packet_kind_to_string(manifest->kind),
				    manifest->packet_id);
		return ingest_refuse(upload, "packet-id-mismatch", reason,
				     g_steal_pointer(&error_local), error);
	}
	if (!nhip_hub_db_packet_replay_state(self->db, upload->station, manifest->packet_id,
					     manifest->sequence, &state.highest_sequence,
					     &state.sequence_of_packet_id, &id_at_seq, error))
		return NULL;
	state.packet_id_at_sequence = id_at_seq;
	if (!nhip_packet_replay_check(&state, manifest, &verdict, &error_local))
		return ingest_refuse(upload, "replayed", reason, g_steal_pointer(&error_local),
				     error);
	if (verdict == NHIP_REPLAY_DUPLICATE) {
		packet = nhip_hub_db_packet_get(self->db, upload->station, manifest->packet_id,
						error);
		if (packet == NULL)
			return NULL;
		if (g_strcmp0(packet->sha256, upload->sha256) != 0) {
			error_local = g_error_new(NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_REPLAYED,
						  _("packet %s was received before with other "
						    "bytes"),
						  manifest->packet_id);
			return ingest_refuse(upload, "replayed", reason,
					     g_steal_pointer(&error_local), error);
		}
		g_message("packet %s from station %s arrived again; answered with its receipt",
			  upload->packet_id, upload->station);
		/* the hub may have stopped before the files were listed */
		if (!ingest_store_files(self, packet, contents, error))
			return NULL;
		return g_steal_pointer(&packet);
	}

	/* store the sealed packet and the case body, then the receipt, then the row: a crash
	 * in between leaves only blobs, and the station's retry runs this again */
	packet = g_new0(NhipHubPacket, 1);
	packet->station = g_strdup(upload->station);
	packet->packet_id = g_strdup(manifest->packet_id);
	packet->size = (gint64)g_bytes_get_size(sealed);
	packet->seq = manifest->sequence;
	packet->urgency = g_strdup(manifest->urgent ? "urgent" : "routine");
	packet->received = g_get_real_time() / G_USEC_PER_SEC;
	packet->sha256 = nhip_hub_blob_put(self->dir, sealed, error);
	if (packet->sha256 == NULL)
		return NULL;
	packet->contents_sha256 = nhip_hub_blob_put(self->dir, contents->body, error);
	if (packet->contents_sha256 == NULL)
		return NULL;
	receipt = nhip_receipt_sign(packet->packet_id, sealed, self->signer, error);
	if (receipt == NULL)
		return NULL;
	packet->receipt_sha256 = nhip_hub_blob_put(self->dir, receipt, error);
	if (packet->receipt_sha256 == NULL)
		return NULL;
	if (!nhip_hub_db_packet_add(self->db, packet, error) ||
	    !ingest_store_files(self, packet, contents, error))
		return NULL;
	g_message("accepted packet %s from station %s as case %" PRId64 " (%s, %" PRId64 " bytes)",
		  packet->packet_id, packet->station, packet->id, packet->urgency, packet->size);
	return g_steal_pointer(&packet);
}

static GBytes *
ingest_reply_body(const NhipHubPacket *packet, const NhipHubAnswer *answer)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(GDateTime) sent = g_date_time_new_from_unix_utc(answer->created);
	g_autofree gchar *sent_text = g_date_time_format(sent, "%Y-%m-%dT%H:%M:%S%:z");
	g_autofree gchar *reference = g_strconcat("urn:uuid:", packet->packet_id, NULL);
	g_autofree gchar *json = NULL;
	gsize len;

	/* a FHIR R4 Communication answering the case: the advice in the payload, the
	 * urgency as its priority, the doctor as the sender and the referral as an
	 * extension */
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "resourceType", "Communication");
	if (answer->referral >= 0) {
		json_builder_set_member_name(builder, "extension");
		json_builder_begin_array(builder);
		json_builder_begin_object(builder);
		nhip_json_add_string(builder, "url", NHIP_PACKET_EXT_REFERRAL);
		json_builder_set_member_name(builder, "valueBoolean");
		json_builder_add_boolean_value(builder, answer->referral == 1);
		json_builder_end_object(builder);
		json_builder_end_array(builder);
	}
	nhip_json_add_string(builder, "status", "completed");
	nhip_json_add_string(builder, "priority", answer->urgency);
	nhip_json_add_string(builder, "sent", sent_text);
	json_builder_set_member_name(builder, "sender");
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "display", answer->doctor_name);
	json_builder_end_object(builder);
	json_builder_set_member_name(builder, "inResponseTo");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "reference", reference);
	json_builder_end_object(builder);
	json_builder_end_array(builder);
	json_builder_set_member_name(builder, "payload");
	json_builder_begin_array(builder);
	json_builder_begin_object(builder);
	nhip_json_add_string(builder, "contentString", answer->advice);
	json_builder_end_object(builder);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	json = nhip_json_to_string(builder, FALSE);
	len = strlen(json);
	return g_bytes_new_take(g_steal_pointer(&json), len);
}

/**
 * nhip_hub_ingest_answer:
 * @self: the ingest
 * @answer: the answer; @answer->packet names the case, its @msg_id and @created are set
 *   here
 * @error: return location for a #GError
 *
 * Records the answer, seals it as a reply packet to the station that sent the case
 * (signed by the hub signing identity, encrypted to the station's certificate) and puts it
 * in that station's inbox.
 *
 * Returns: (transfer full) (nullable): the inbox message
 */
NhipHubMessage *
nhip_hub_ingest_answer(NhipHubIngest *self, NhipHubAnswer *answer, GError **error)
{
	g_autoptr(NhipHubPacket) packet = NULL;
	g_autoptr(GBytes) case_sealed = NULL;
	g_autoptr(X509_STORE) store = NULL;
	g_autoptr(NhipPacketContents) contents = NULL;
	g_autoptr(NhipPacketManifest) manifest = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autoptr(NhipHubMessage) message = g_new0(NhipHubMessage, 1);

	g_return_val_if_fail(answer->advice != NULL && answer->urgency != NULL, NULL);

	packet = nhip_hub_db_packet_by_case(self->db, answer->packet, error);
	if (packet == NULL)
		return NULL;
	case_sealed = nhip_hub_blob_get(self->dir, packet->sha256, error);
	if (case_sealed == NULL)
		return NULL;
	store = nhip_hub_trust_get_store(self->trust, error);
	if (store == NULL)
		return NULL;
	/* the station's certificate comes from its own signature on the case */
	contents = nhip_packet_open(case_sealed, self->opener, store, error);
	if (contents == NULL) {
		g_prefix_error(error, _("cannot answer case %" PRId64 ": "), answer->packet);
		return NULL;
	}
	manifest = nhip_packet_manifest_new(NHIP_PACKET_KIND_REPLY, packet->station);
	/* the hub's replies are numbered by time: several hub processes never share a
	 * counter, and milliseconds keep them increasing */
	manifest->sequence = g_get_real_time() / 1000;
	manifest->in_reply_to = g_strdup(packet->packet_id);
	g_free(answer->msg_id);
	answer->msg_id = g_strdup(manifest->packet_id);
	answer->created = g_get_real_time() / G_USEC_PER_SEC;
	body = ingest_reply_body(packet, answer);
	sealed = nhip_packet_seal(manifest, body, NULL, self->signer, contents->signer_cert, error);
	if (sealed == NULL)
		return NULL;
	message->station = g_strdup(packet->station);
	message->msg_id = g_strdup(manifest->packet_id);
	message->kind = g_strdup("reply");
	message->in_reply_to = g_strdup(packet->packet_id);
	message->size = (gint64)g_bytes_get_size(sealed);
	message->created = answer->created;
	message->blob_sha256 = nhip_hub_blob_put(self->dir, sealed, error);
	if (message->blob_sha256 == NULL)
		return NULL;
	/* the answer first: a reply in the inbox always has its answer on the hub's pages */
	if (!nhip_hub_db_answer_add(self->db, answer, error))
		return NULL;
	if (nhip_hub_db_message_add(self->db, message, error) == 0) {
		g_autoptr(GError) error_local = NULL;
		if (!nhip_hub_db_answer_delete(self->db, answer->msg_id, &error_local))
			g_warning("cannot withdraw answer %s: %s", answer->msg_id,
				  error_local->message);
		return NULL;
	}
	g_message("reply %s to packet %s (case %" PRId64 ", doctor %" PRId64
		  ") queued for station %s",
		  message->msg_id, packet->packet_id, packet->id, answer->doctor, packet->station);
	return g_steal_pointer(&message);
}

/**
 * nhip_hub_urgency_is_valid:
 * @urgency: (nullable): an answer's urgency
 *
 * Returns: %TRUE for the FHIR Communication priorities an answer uses: routine, urgent,
 *   stat
 */
gboolean
nhip_hub_urgency_is_valid(const gchar *urgency)
{
	return g_strcmp0(urgency, "routine") == 0 || g_strcmp0(urgency, "urgent") == 0 ||
	       g_strcmp0(urgency, "stat") == 0;
}
