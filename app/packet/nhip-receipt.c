/*
 * Nhịp — signed receipts: the hub's proof that it received and accepted a packet.
 *
 * A receipt is DER CMS SignedData (ECDSA P-256, SHA-256) by the hub signing certificate
 * over {"v":1,"type":"receipt","packet_id","sha256","received_at"}, where sha256 is that
 * of the sealed packet bytes the station sent. The station deletes a packet only after a
 * receipt verifies against the signing certificate it pinned at enrollment: this is
 * Direct's "processed" disposition notification. The receipt carries no certificate: the
 * station has the pinned one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/err.h>
#include <string.h>

#include "nhip-packet-private.h"
#include "nhip-json-member.h"

#define RECEIPT_MAX_SIZE (64 * 1024)

/**
 * nhip_receipt_sign:
 * @packet_id: the packet's id
 * @sealed_packet: the packet as received (the bytes the station sent)
 * @hub_signing: the hub signing identity
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the receipt in DER, timed now
 */
GBytes *
nhip_receipt_sign(const gchar *packet_id,
		  GBytes *sealed_packet,
		  NhipIdentity *hub_signing,
		  GError **error)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(GBytes) content = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *received_at = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	g_autofree gchar *sha = NULL;
	g_autoptr(BIO) in = NULL;
	g_autoptr(BIO) out = BIO_new(BIO_s_mem());
	g_autoptr(CMS_ContentInfo) cms = NULL;
	gchar *data = NULL;
	glong length;

	g_return_val_if_fail(packet_id != NULL, NULL);
	g_return_val_if_fail(sealed_packet != NULL, NULL);
	g_return_val_if_fail(NHIP_IS_IDENTITY(hub_signing), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!g_uuid_string_is_valid(packet_id)) {
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_INVALID,
			    _("“%s” is not a packet id"), packet_id);
		return NULL;
	}
	sha = nhipi_sha256_hex(g_bytes_get_data(sealed_packet, NULL),
			       g_bytes_get_size(sealed_packet));
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "v");
	json_builder_add_int_value(builder, 1);
	json_builder_set_member_name(builder, "type");
	json_builder_add_string_value(builder, "receipt");
	json_builder_set_member_name(builder, "packet_id");
	json_builder_add_string_value(builder, packet_id);
	json_builder_set_member_name(builder, "sha256");
	json_builder_add_string_value(builder, sha);
	json_builder_set_member_name(builder, "received_at");
	json_builder_add_string_value(builder, received_at);
	json_builder_end_object(builder);
	content = nhipi_json_to_bytes(builder, FALSE);

	in = BIO_new_mem_buf(g_bytes_get_data(content, NULL), (int)g_bytes_get_size(content));
	cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_BINARY);
	if (cms == NULL ||
	    CMS_add1_signer(cms, nhip_identity_get_certificate(hub_signing),
			    nhip_identity_get_key(hub_signing), EVP_sha256(),
			    CMS_BINARY | CMS_NOCERTS) == NULL ||
	    !CMS_final(cms, in, NULL, CMS_BINARY) || !i2d_CMS_bio(out, cms)) {
		g_autofree gchar *why = nhipi_openssl_error();
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_FAILED,
			    _("cannot sign the receipt: %s"), why);
		return NULL;
	}
	length = BIO_get_mem_data(out, &data);
	return g_bytes_new(data, (gsize)length);
}

static gboolean
receipt_malformed(GError **error, const gchar *what)
{
	g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
		    _("the receipt is not valid: %s"), what);
	return FALSE;
}

/* the signed JSON of a receipt, after checking who signed it */
static GBytes *
receipt_content(GBytes *receipt, X509 *hub_signing_cert, GError **error)
{
	g_autoptr(CMS_ContentInfo) cms = NULL;
	g_autoptr(NhipX509Stack) certs = sk_X509_new_null();
	g_autoptr(BIO) out = BIO_new(BIO_s_mem());
	STACK_OF(CMS_SignerInfo) * infos;
	gsize length = 0;
	const guchar *data = g_bytes_get_data(receipt, &length);
	const guchar *p = data;
	gchar *content = NULL;
	glong content_length;

	if (length == 0 || length > RECEIPT_MAX_SIZE) {
		receipt_malformed(error, _("empty or too large"));
		return NULL;
	}
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)length);
	ERR_clear_error();
	if (cms == NULL || p != data + length ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		receipt_malformed(error, _("not DER CMS SignedData"));
		return NULL;
	}
	infos = CMS_get0_SignerInfos(cms);
	if (sk_CMS_SignerInfo_num(infos) != 1) {
		receipt_malformed(error, _("it must have exactly one signer"));
		return NULL;
	}
	if (CMS_SignerInfo_cert_cmp(sk_CMS_SignerInfo_value(infos, 0), hub_signing_cert) != 0) {
		g_set_error_literal(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_SIGNER_MISMATCH,
				    _("the receipt is not signed by the hub this station enrolled "
				      "with"));
		return NULL;
	}
	/* the pinned certificate only, whatever certificates the receipt carries */
	X509_up_ref(hub_signing_cert);
	sk_X509_push(certs, hub_signing_cert);
	if (!CMS_verify(cms, certs, NULL, NULL, out,
			CMS_BINARY | CMS_NOINTERN | CMS_NO_SIGNER_CERT_VERIFY)) {
		g_autofree gchar *why = nhipi_openssl_error();
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_BAD_SIGNATURE,
			    _("the receipt's signature does not match: %s"), why);
		return NULL;
	}
	content_length = BIO_get_mem_data(out, &content);
	return g_bytes_new(content, (gsize)content_length);
}

/**
 * nhip_receipt_verify_full:
 * @receipt: a receipt in DER
 * @packet_id: the packet it must be for
 * @sealed_packet: the packet bytes the station sent
 * @hub_signing_cert: the pinned hub signing certificate
 * @received_at: (out) (optional) (transfer full): when the hub received the packet
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the receipt is signed by @hub_signing_cert and names @packet_id and
 *   the SHA-256 of @sealed_packet
 */
gboolean
nhip_receipt_verify_full(GBytes *receipt,
			 const gchar *packet_id,
			 GBytes *sealed_packet,
			 X509 *hub_signing_cert,
			 GDateTime **received_at,
			 GError **error)
{
	g_autoptr(GBytes) content = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autofree gchar *sha = NULL;
	JsonNode *root;
	JsonObject *object;
	const gchar *id;
	const gchar *digest;
	const gchar *time;
	GDateTime *when;

	g_return_val_if_fail(receipt != NULL, FALSE);
	g_return_val_if_fail(packet_id != NULL, FALSE);
	g_return_val_if_fail(sealed_packet != NULL, FALSE);
	g_return_val_if_fail(hub_signing_cert != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	content = receipt_content(receipt, hub_signing_cert, error);
	if (content == NULL)
		return FALSE;
	if (g_bytes_get_size(content) == 0 ||
	    !json_parser_load_from_data(parser, g_bytes_get_data(content, NULL),
					(gssize)g_bytes_get_size(content), NULL) ||
	    (root = json_parser_get_root(parser)) == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return receipt_malformed(error, _("the content is not a JSON object"));
	object = json_node_get_object(root);
	if (g_strcmp0(nhip_json_member_string(object, "type"), "receipt") != 0 ||
	    nhip_json_member_int(object, "v", 0) != 1)
		return receipt_malformed(error, _("not a version 1 receipt"));
	id = nhip_json_member_string(object, "packet_id");
	digest = nhip_json_member_string(object, "sha256");
	time = nhip_json_member_string(object, "received_at");
	when = time != NULL ? g_date_time_new_from_iso8601(time, NULL) : NULL;
	if (id == NULL || digest == NULL || when == NULL) {
		g_clear_pointer(&when, g_date_time_unref);
		return receipt_malformed(error, _("a field is missing"));
	}
	if (g_ascii_strcasecmp(id, packet_id) != 0) {
		g_date_time_unref(when);
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_WRONG_PACKET,
			    _("the receipt is for packet %s, not %s"), id, packet_id);
		return FALSE;
	}
	sha = nhipi_sha256_hex(g_bytes_get_data(sealed_packet, NULL),
			       g_bytes_get_size(sealed_packet));
	if (g_strcmp0(sha, digest) != 0) {
		g_date_time_unref(when);
		g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_BAD_HASH,
			    _("the receipt for packet %s is for other bytes than those sent"),
			    packet_id);
		return FALSE;
	}
	if (received_at != NULL)
		*received_at = when;
	else
		g_date_time_unref(when);
	return TRUE;
}

/**
 * nhip_receipt_verify:
 * @receipt: a receipt in DER
 * @packet_id: the packet it must be for
 * @sealed_packet: the packet bytes the station sent
 * @hub_signing_cert: the pinned hub signing certificate
 * @error: return location for a #GError
 *
 * nhip_receipt_verify_full() without the time.
 *
 * Returns: %TRUE when the receipt is good
 */
gboolean
nhip_receipt_verify(GBytes *receipt,
		    const gchar *packet_id,
		    GBytes *sealed_packet,
		    X509 *hub_signing_cert,
		    GError **error)
{
	return nhip_receipt_verify_full(receipt, packet_id, sealed_packet, hub_signing_cert, NULL,
					error);
}
