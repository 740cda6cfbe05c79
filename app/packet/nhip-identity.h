/*
 * Nhịp — identities: an EC P-256 private key with its X.509 certificate, and the
 * certificate helpers both ends share (pins, recipient ids, trust stores, station codes).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <openssl/x509.h>

#include "nhip-openssl.h"

G_BEGIN_DECLS

#define NHIP_IDENTITY_ERROR (nhip_identity_error_quark())

/**
 * NhipIdentityError:
 * @NHIP_IDENTITY_ERROR_NOT_FOUND: a key, certificate or CA folder is missing
 * @NHIP_IDENTITY_ERROR_PERMISSIONS: a private key file can be read by group or others
 * @NHIP_IDENTITY_ERROR_INVALID: not a key/certificate/request of the kind expected, a key
 *   that does not match its certificate, a bad station code
 * @NHIP_IDENTITY_ERROR_EXISTS: refusing to overwrite a key or a CA that is already there
 * @NHIP_IDENTITY_ERROR_UNTRUSTED: a certificate does not chain to the district CA, or an
 *   enrollment answer fails its check (wrong token, altered in transit)
 * @NHIP_IDENTITY_ERROR_TOKEN_UNKNOWN: no such enrollment token (mistyped or made up)
 * @NHIP_IDENTITY_ERROR_TOKEN_USED: the enrollment token was used already
 * @NHIP_IDENTITY_ERROR_TOKEN_EXPIRED: the enrollment token is past its expiry
 * @NHIP_IDENTITY_ERROR_NOT_ISSUED: no certificate of that serial or station to revoke
 * @NHIP_IDENTITY_ERROR_FAILED: any other failure (disk, OpenSSL)
 */
typedef enum {
	NHIP_IDENTITY_ERROR_NOT_FOUND,
	NHIP_IDENTITY_ERROR_PERMISSIONS,
	NHIP_IDENTITY_ERROR_INVALID,
	NHIP_IDENTITY_ERROR_EXISTS,
	NHIP_IDENTITY_ERROR_UNTRUSTED,
	NHIP_IDENTITY_ERROR_TOKEN_UNKNOWN,
	NHIP_IDENTITY_ERROR_TOKEN_USED,
	NHIP_IDENTITY_ERROR_TOKEN_EXPIRED,
	NHIP_IDENTITY_ERROR_NOT_ISSUED,
	NHIP_IDENTITY_ERROR_FAILED,
} NhipIdentityError;

GQuark nhip_identity_error_quark(void);

#define NHIP_TYPE_IDENTITY (nhip_identity_get_type())
G_DECLARE_FINAL_TYPE(NhipIdentity, nhip_identity, NHIP, IDENTITY, GObject)

NhipIdentity *nhip_identity_load(const gchar *key_pem_path,
				 const gchar *cert_pem_path,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipIdentity *
nhip_identity_new(EVP_PKEY *key, X509 *cert, GError **error) G_GNUC_WARN_UNUSED_RESULT;
EVP_PKEY *nhip_identity_get_key(NhipIdentity *self);
X509 *nhip_identity_get_certificate(NhipIdentity *self);
const gchar *nhip_identity_get_name(NhipIdentity *self);

gboolean nhip_identity_generate_key(const gchar *key_path, GError **error);
GBytes *nhip_identity_make_csr(const gchar *key_path,
			       const gchar *station_code,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* station codes: what the CA puts in a station certificate's CN */
gboolean nhip_station_code_check(const gchar *code, GError **error);

/* certificates */
X509 *nhip_x509_load(const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
X509 *nhip_x509_from_pem(GBytes *pem, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_x509_to_pem(X509 *cert) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_x509_get_common_name(X509 *cert) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_x509_get_serial(X509 *cert) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_x509_spki_pin(X509 *cert) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_x509_fingerprint(X509 *cert) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_x509_recipient_id(X509 *cert) G_GNUC_WARN_UNUSED_RESULT;
GDateTime *nhip_x509_get_not_after(X509 *cert) G_GNUC_WARN_UNUSED_RESULT;

/* trust */
X509_STORE *nhip_trust_store_new(const gchar *ca_pem_path,
				 const gchar *crl_pem_path,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_trust_check(X509_STORE *trust, X509 *cert, GError **error);

/* files */
gboolean nhip_file_write_durable(const gchar *path,
				 const void *data,
				 gsize length,
				 guint mode,
				 GError **error);

G_END_DECLS
