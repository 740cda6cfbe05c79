/*
 * Nhịp — case and reply packets, receipts and the replay rule.
 *
 * A packet is DER CMS: AuthEnvelopedData (AES-256-GCM, ECDH P-256 to the recipient's
 * certificate) around a SignedData (ECDSA P-256, SHA-256, the sender's certificate
 * included) around a POSIX ustar archive:
 *   manifest.json   {"v":1,"type":"case"|"reply","packet_id","station","seq","recipient",
 *                    "created","urgent","in_reply_to","files":[{name,type,sha256,size}]}
 *   case.json       (reply.json in a reply) the FHIR-shaped body
 *   img/1.jpg ...   attachments
 * `openssl cms -decrypt` then `openssl cms -verify -CAfile ca.crt` open it.
 *
 * Case packets go station → hub (signed by the station, sealed to the hub encryption
 * certificate); reply packets go hub → station (signed by the hub signing certificate,
 * sealed to the station certificate).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "nhip-identity.h"

G_BEGIN_DECLS

/* the largest packet opened or sealed; photos are re-encoded so cases stay near 2 MB */
#define NHIP_PACKET_MAX_SIZE (20 * 1024 * 1024)
/* the most files in one packet, the manifest and the body included */
#define NHIP_PACKET_MAX_FILES 64
/* how far behind the highest sequence seen a new packet may be (retries come out of order) */
#define NHIP_PACKET_REPLAY_WINDOW 10000

/* the extension of a reply's FHIR Communication that says whether the doctor asks for the
 * patient to be referred (valueBoolean) */
#define NHIP_PACKET_EXT_REFERRAL "https://nhip.vn/fhir/StructureDefinition/referral"

#define NHIP_PACKET_ERROR (nhip_packet_error_quark())

/**
 * NhipPacketError:
 * @NHIP_PACKET_ERROR_MALFORMED: not a packet: bad DER, not AuthEnvelopedData around
 *   SignedData, a broken archive or manifest, files missing or unlisted
 * @NHIP_PACKET_ERROR_TOO_LARGE: bigger than %NHIP_PACKET_MAX_SIZE or too many files
 * @NHIP_PACKET_ERROR_WRONG_RECIPIENT: sealed to another key, or its signed manifest names
 *   another recipient (a packet forwarded from elsewhere)
 * @NHIP_PACKET_ERROR_TAMPERED: the ciphertext fails its authentication (GCM tag, key unwrap)
 * @NHIP_PACKET_ERROR_BAD_SIGNATURE: the signature does not match the content
 * @NHIP_PACKET_ERROR_UNKNOWN_SIGNER: the signer's certificate does not chain to the CA
 * @NHIP_PACKET_ERROR_REVOKED: the signer's certificate is on the CRL
 * @NHIP_PACKET_ERROR_EXPIRED: the signer's certificate is expired or not valid yet
 * @NHIP_PACKET_ERROR_UNTRUSTED: the chain fails otherwise (wrong key usage, CRL missing or
 *   expired): a setup problem on the receiving side or a misissued certificate
 * @NHIP_PACKET_ERROR_SIGNER_MISMATCH: signed by a certificate other than the one the
 *   manifest claims (a station signing for another, a reply not from the pinned hub)
 * @NHIP_PACKET_ERROR_BAD_HASH: a file's SHA-256 or size differs from the manifest, or a
 *   receipt is for other bytes
 * @NHIP_PACKET_ERROR_REPLAYED: a sequence number used by another packet, or far too old
 * @NHIP_PACKET_ERROR_WRONG_PACKET: a receipt for another packet id
 * @NHIP_PACKET_ERROR_INVALID: the caller's input cannot be sealed (bad name, no id)
 * @NHIP_PACKET_ERROR_FAILED: any other failure (out of memory, OpenSSL internal)
 *
 * Each refusal has its own code; nhip_packet_error_to_reason() gives a stable word for
 * logs and HTTP answers.
 */
typedef enum {
	NHIP_PACKET_ERROR_MALFORMED,
	NHIP_PACKET_ERROR_TOO_LARGE,
	NHIP_PACKET_ERROR_WRONG_RECIPIENT,
	NHIP_PACKET_ERROR_TAMPERED,
	NHIP_PACKET_ERROR_BAD_SIGNATURE,
	NHIP_PACKET_ERROR_UNKNOWN_SIGNER,
	NHIP_PACKET_ERROR_REVOKED,
	NHIP_PACKET_ERROR_EXPIRED,
	NHIP_PACKET_ERROR_UNTRUSTED,
	NHIP_PACKET_ERROR_SIGNER_MISMATCH,
	NHIP_PACKET_ERROR_BAD_HASH,
	NHIP_PACKET_ERROR_REPLAYED,
	NHIP_PACKET_ERROR_WRONG_PACKET,
	NHIP_PACKET_ERROR_INVALID,
	NHIP_PACKET_ERROR_FAILED,
} NhipPacketError;

GQuark nhip_packet_error_quark(void);
const gchar *nhip_packet_error_to_reason(NhipPacketError code);

/**
 * NhipPacketKind:
 * @NHIP_PACKET_KIND_CASE: a case, station → hub
 * @NHIP_PACKET_KIND_REPLY: a doctor's answer, hub → station
 */
typedef enum {
	NHIP_PACKET_KIND_CASE,
	NHIP_PACKET_KIND_REPLY,
} NhipPacketKind;

const gchar *nhip_packet_kind_to_string(NhipPacketKind kind);

/**
 * NhipPacketFile:
 * @name: path inside the archive ("case.json", "img/1.jpg")
 * @type: media type ("application/fhir+json", "image/jpeg")
 * @sha256: lower-case hex SHA-256 of the content
 * @size: bytes
 */
typedef struct {
	gchar *name;
	gchar *type;
	gchar *sha256;
	guint64 size;
} NhipPacketFile;

/**
 * NhipPacketManifest:
 * @kind: case or reply
 * @packet_id: UUID (v4), unique per sender
 * @station_code: for a case the sending station; for a reply the station it answers
 * @sequence: the sender's counter (≥ 1), monotonic per sender
 * @recipient: (nullable): the recipient id (nhip_x509_recipient_id()); seal fills it from
 *   the recipient certificate and refuses one that differs
 * @created: (nullable): creation time; seal fills it with now; advisory only
 * @urgent: the sender asks for an urgent answer
 * @in_reply_to: (nullable): for a reply, the case packet id it answers
 * @files: (element-type NhipPacketFile): the body and attachments; filled by seal
 */
typedef struct {
	NhipPacketKind kind;
	gchar *packet_id;
	gchar *station_code;
	gint64 sequence;
	gchar *recipient;
	GDateTime *created;
	gboolean urgent;
	gchar *in_reply_to;
	GPtrArray *files;
} NhipPacketManifest;

GType nhip_packet_manifest_get_type(void);
NhipPacketManifest *nhip_packet_manifest_new(NhipPacketKind kind, const gchar *station_code);
NhipPacketManifest *nhip_packet_manifest_copy(const NhipPacketManifest *self);
void nhip_packet_manifest_free(NhipPacketManifest *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipPacketManifest, nhip_packet_manifest_free)

/**
 * NhipPacketAttachment:
 * @name: path inside the archive ("img/1.jpg"): ASCII letters, digits, "._-", one "/"
 *   level at most, no "..", at most 64 bytes
 * @type: media type
 * @data: the content
 */
typedef struct {
	gchar *name;
	gchar *type;
	GBytes *data;
} NhipPacketAttachment;

NhipPacketAttachment *
nhip_packet_attachment_new(const gchar *name, const gchar *type, GBytes *data);
void nhip_packet_attachment_free(NhipPacketAttachment *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipPacketAttachment, nhip_packet_attachment_free)

/**
 * NhipPacketContents:
 * @manifest: the signed manifest
 * @signer_code: the CN of the signer's certificate (the station code for a case)
 * @signer_cert: the signer's certificate, verified against the trust store
 * @body: case.json (or reply.json), checked against its hash
 * @attachments: (element-type NhipPacketAttachment): the other files, checked likewise
 */
typedef struct {
	NhipPacketManifest *manifest;
	gchar *signer_code;
	X509 *signer_cert;
	GBytes *body;
	GPtrArray *attachments;
} NhipPacketContents;

void nhip_packet_contents_free(NhipPacketContents *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipPacketContents, nhip_packet_contents_free)

gchar *nhip_packet_new_id(void) G_GNUC_WARN_UNUSED_RESULT;

GBytes *nhip_packet_seal(NhipPacketManifest *manifest,
			 GBytes *body_json,
			 GPtrArray *attachments,
			 NhipIdentity *signer,
			 X509 *recipient_cert,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipPacketContents *nhip_packet_open(GBytes *der,
				     NhipIdentity *hub_encryption,
				     X509_STORE *trust,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipPacketContents *nhip_packet_open_reply(GBytes *der,
					   NhipIdentity *station,
					   X509_STORE *trust,
					   X509 *hub_signing_cert,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/**
 * NhipReplayState:
 * @highest_sequence: the highest sequence accepted from this sender, 0 for none
 * @sequence_of_packet_id: the sequence stored with this packet id, 0 if it was never seen
 * @packet_id_at_sequence: (nullable): the packet id stored with this sequence, if any
 *
 * What the receiver stored about one sender, looked up for the packet at hand.
 */
typedef struct {
	gint64 highest_sequence;
	gint64 sequence_of_packet_id;
	const gchar *packet_id_at_sequence;
} NhipReplayState;

/**
 * NhipReplayVerdict:
 * @NHIP_REPLAY_NEW: a packet not seen before: store it, then record its id and sequence
 * @NHIP_REPLAY_DUPLICATE: the same packet again (a retry): answer with the stored receipt
 */
typedef enum {
	NHIP_REPLAY_NEW,
	NHIP_REPLAY_DUPLICATE,
} NhipReplayVerdict;

gboolean nhip_packet_replay_check(const NhipReplayState *state,
				  const NhipPacketManifest *manifest,
				  NhipReplayVerdict *verdict,
				  GError **error);

/* receipts: the hub signs {packet_id, sha256 of the sealed packet, received_at} */
GBytes *nhip_receipt_sign(const gchar *packet_id,
			  GBytes *sealed_packet,
			  NhipIdentity *hub_signing,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_receipt_verify(GBytes *receipt,
			     const gchar *packet_id,
			     GBytes *sealed_packet,
			     X509 *hub_signing_cert,
			     GError **error);
gboolean nhip_receipt_verify_full(GBytes *receipt,
				  const gchar *packet_id,
				  GBytes *sealed_packet,
				  X509 *hub_signing_cert,
				  GDateTime **received_at,
				  GError **error);

G_END_DECLS
