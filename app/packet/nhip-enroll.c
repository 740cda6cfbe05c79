/*
 * Nhịp — the enrollment answer (see nhip-enroll.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "nhip-enroll.h"
#include "nhip-json-member.h"
#include "nhip-packet-private.h"

#define BUNDLE_MAX_SIZE (64 * 1024)

NhipEnrollBundle *
nhip_enroll_bundle_new(void)
{
	return g_new0(NhipEnrollBundle, 1);
}

static NhipEnrollBundle *
nhip_enroll_bundle_copy(const NhipEnrollBundle *self)
{
	NhipEnrollBundle *copy = nhip_enroll_bundle_new();
	X509 *const *from[] = { &self->certificate, &self->ca, &self->hub_encryption,
				&self->hub_signing, &self->hub_tls };
	X509 **to[] = { &copy->certificate, &copy->ca, &copy->hub_encryption, &copy->hub_signing,
			&copy->hub_tls };

	copy->station_code = g_strdup(self->station_code);
	copy->recipient = g_strdup(self->recipient);
	for (gsize i = 0; i < G_N_ELEMENTS(from); i++) {
		if (*from[i] != NULL) {
			X509_up_ref(*from[i]);
			*to[i] = *from[i];
		}
	}
	return copy;
}

void
nhip_enroll_bundle_free(NhipEnrollBundle *self)
{
	if (self == NULL)
		return;
	g_free(self->station_code);
	X509_free(self->certificate);
	X509_free(self->ca);
	X509_free(self->hub_encryption);
	X509_free(self->hub_signing);
	X509_free(self->hub_tls);
	g_free(self->recipient);
	g_free(self);
}

G_DEFINE_BOXED_TYPE(NhipEnrollBundle,
		    nhip_enroll_bundle,
		    nhip_enroll_bundle_copy,
		    nhip_enroll_bundle_free)

/* the fields in MAC order */
static const gchar *const bundle_fields[] = {
	"station", "certificate", "ca", "hub_encryption", "hub_signing", "hub_tls", "recipient",
};

/* HMAC-SHA-256 keyed with the token (lower case) over each field as a 4-byte big-endian
 * length and its bytes, in bundle_fields order */
static gchar *
bundle_mac(const gchar *const *values, const gchar *token)
{
	g_autofree gchar *key = g_ascii_strdown(token, -1);
	g_autoptr(GHmac) hmac = g_hmac_new(G_CHECKSUM_SHA256, (const guchar *)key, strlen(key));

	for (gsize i = 0; i < G_N_ELEMENTS(bundle_fields); i++) {
		gsize len = strlen(values[i]);
		guint8 prefix[4] = { (guint8)(len >> 24), (guint8)(len >> 16), (guint8)(len >> 8),
				     (guint8)len };
		g_hmac_update(hmac, prefix, sizeof(prefix));
		g_hmac_update(hmac, (const guchar *)values[i], (gssize)len);
	}
	return g_strdup(g_hmac_get_string(hmac));
}

static gchar *
pem_string(X509 *cert)
{
	g_autoptr(GBytes) pem = nhip_x509_to_pem(cert);
	return g_strndup(g_bytes_get_data(pem, NULL), g_bytes_get_size(pem));
}

/**
 * nhip_enroll_bundle_to_json:
 * @self: a complete bundle
 * @token: the token the station enrolled with (the MAC key)
 *
 * Returns: (transfer full): the bundle as JSON
 */
GBytes *
nhip_enroll_bundle_to_json(const NhipEnrollBundle *self, const gchar *token)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autofree gchar *mac = NULL;
	gchar *values[G_N_ELEMENTS(bundle_fields)] = { NULL };

	g_return_val_if_fail(self != NULL && self->certificate != NULL && self->ca != NULL &&
				     self->hub_encryption != NULL && self->hub_signing != NULL &&
				     self->hub_tls != NULL,
			     NULL);
	values[0] = g_strdup(self->station_code);
	values[1] = pem_string(self->certificate);
	values[2] = pem_string(self->ca);
	values[3] = pem_string(self->hub_encryption);
	values[4] = pem_string(self->hub_signing);
	values[5] = pem_string(self->hub_tls);
	values[6] = g_strdup(self->recipient);
	mac = bundle_mac((const gchar *const *)values, token);
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "v");
	json_builder_add_int_value(builder, 1);
	for (gsize i = 0; i < G_N_ELEMENTS(bundle_fields); i++) {
		json_builder_set_member_name(builder, bundle_fields[i]);
		json_builder_add_string_value(builder, values[i]);
		g_free(values[i]);
	}
	json_builder_set_member_name(builder, "mac");
	json_builder_add_string_value(builder, mac);
	json_builder_end_object(builder);
	return nhipi_json_to_bytes(builder, TRUE);
}

static gboolean
bundle_fail(GError **error, gint code, const gchar *what)
{
	g_set_error(error, NHIP_IDENTITY_ERROR, code, _("the hub's enrollment answer %s"), what);
	return FALSE;
}

/* @cert chains to @ca for @purpose */
static gboolean
bundle_check_cert(X509_STORE *store, X509 *cert, gint purpose, const gchar *what, GError **error)
{
	gint rc = nhipi_trust_verify(store, cert, NULL, purpose);

	if (rc != X509_V_OK) {
		g_set_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_UNTRUSTED,
			    _("the %s certificate in the enrollment answer is not valid for its "
			      "use: %s"),
			    what, X509_verify_cert_error_string(rc));
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_enroll_bundle_parse:
 * @json: the hub's enrollment answer
 * @token: the token the station sent
 * @error: return location for a #GError
 *
 * Checks the MAC with @token (%NHIP_IDENTITY_ERROR_UNTRUSTED when it fails: an answer
 * not from the hub that issued the token, or altered), that the CA is a CA, that every
 * certificate chains to it for its use, that the station certificate names the station
 * and that the recipient id is that of the encryption certificate.
 *
 * Returns: (transfer full) (nullable): the bundle
 */
NhipEnrollBundle *
nhip_enroll_bundle_parse(GBytes *json, const gchar *token, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(NhipEnrollBundle) bundle = nhip_enroll_bundle_new();
	g_autoptr(X509_STORE) store = X509_STORE_new();
	g_autofree gchar *mac = NULL;
	g_autofree gchar *cn = NULL;
	g_autofree gchar *recipient = NULL;
	const gchar *values[G_N_ELEMENTS(bundle_fields)] = { NULL };
	const gchar *given_mac;
	JsonNode *root;
	JsonObject *object;
	X509 **certs[] = { &bundle->certificate, &bundle->ca, &bundle->hub_encryption,
			   &bundle->hub_signing, &bundle->hub_tls };

	g_return_val_if_fail(json != NULL, NULL);
	g_return_val_if_fail(token != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (g_bytes_get_size(json) == 0 || g_bytes_get_size(json) > BUNDLE_MAX_SIZE ||
	    !json_parser_load_from_data(parser, g_bytes_get_data(json, NULL),
					(gssize)g_bytes_get_size(json), NULL) ||
	    (root = json_parser_get_root(parser)) == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		bundle_fail(error, NHIP_IDENTITY_ERROR_INVALID, _("is not JSON"));
		return NULL;
	}
	object = json_node_get_object(root);
	if (nhip_json_member_int(object, "v", 0) != 1) {
		bundle_fail(error, NHIP_IDENTITY_ERROR_INVALID, _("has an unknown version"));
		return NULL;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(bundle_fields); i++) {
		JsonNode *node = json_object_get_member(object, bundle_fields[i]);
		if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
		    json_node_get_value_type(node) != G_TYPE_STRING) {
			bundle_fail(error, NHIP_IDENTITY_ERROR_INVALID, _("lacks a field"));
			return NULL;
		}
		values[i] = json_node_get_string(node);
	}
	given_mac = nhip_json_member_string(object, "mac");
	if (given_mac == NULL)
		given_mac = "";
	mac = bundle_mac(values, token);
	if (strlen(given_mac) != strlen(mac) || CRYPTO_memcmp(given_mac, mac, strlen(mac)) != 0) {
		bundle_fail(error, NHIP_IDENTITY_ERROR_UNTRUSTED,
			    _("does not match the token: it was altered on the way or did not "
			      "come from the hub that issued the token"));
		return NULL;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(certs); i++) {
		g_autoptr(GBytes) pem = g_bytes_new_static(values[i + 1], strlen(values[i + 1]));
		*certs[i] = nhip_x509_from_pem(pem, error);
		if (*certs[i] == NULL)
			return NULL;
	}
	bundle->station_code = g_strdup(values[0]);
	bundle->recipient = g_strdup(values[6]);
	if (X509_check_ca(bundle->ca) == 0 || !X509_STORE_add_cert(store, bundle->ca)) {
		bundle_fail(error, NHIP_IDENTITY_ERROR_UNTRUSTED, _("has a CA that is not a CA"));
		return NULL;
	}
	if (!bundle_check_cert(store, bundle->certificate, X509_PURPOSE_SMIME_SIGN, _("station"),
			       error) ||
	    !bundle_check_cert(store, bundle->certificate, X509_PURPOSE_SSL_CLIENT, _("station"),
			       error) ||
	    /* OpenSSL's S/MIME encryption purpose wants keyEncipherment, an RSA notion: an
	     * EC key agrees, so check the chain with no purpose and the key usage here */
	    !bundle_check_cert(store, bundle->hub_encryption, 0, _("encryption"), error) ||
	    !bundle_check_cert(store, bundle->hub_signing, X509_PURPOSE_SMIME_SIGN, _("signing"),
			       error) ||
	    !bundle_check_cert(store, bundle->hub_tls, X509_PURPOSE_SSL_SERVER, _("TLS"), error))
		return NULL;
	if ((X509_get_key_usage(bundle->hub_encryption) & KU_KEY_AGREEMENT) == 0) {
		bundle_fail(error, NHIP_IDENTITY_ERROR_UNTRUSTED,
			    _("has an encryption certificate without key agreement"));
		return NULL;
	}
	cn = nhip_x509_get_common_name(bundle->certificate);
	recipient = nhip_x509_recipient_id(bundle->hub_encryption);
	if (g_strcmp0(cn, bundle->station_code) != 0 ||
	    g_strcmp0(recipient, bundle->recipient) != 0) {
		bundle_fail(error, NHIP_IDENTITY_ERROR_UNTRUSTED,
			    _("names another station or recipient than its certificates"));
		return NULL;
	}
	return g_steal_pointer(&bundle);
}
