/*
 * Nhịp — the district CA kept by the hub: its own certificates, station certificates,
 * revocation (CRL), one-time enrollment tokens and the enrollment answer.
 *
 * A CA folder holds (see nhip_ca_path()):
 *   hub.conf          district name, recipient id, TLS names
 *   ca.key ca.crt     the district CA (key 0600)
 *   crl.pem           the certificate revocation list, re-signed by every change
 *   hub-tls.*         the hub's HTTPS server certificate (SAN: the names given to init)
 *   hub-enc.*         the hub's encryption certificate: stations seal case packets to it
 *   hub-sign.*        the hub's signing certificate: receipts and reply packets
 *   issued/<serial>.pem   every station certificate issued
 *   revoked           one line per revoked serial: "<serial hex> <unix time>"
 *   tokens/<id>       enrollment tokens (hash of the secret, station, expiry); <id>.used once
 *                     redeemed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-identity.h"

G_BEGIN_DECLS

/* validity of what the CA issues, in days */
#define NHIP_CA_DAYS_CA	     (20 * 365)
#define NHIP_CA_DAYS_STATION (3 * 365)
#define NHIP_CA_DAYS_HUB     (3 * 365)
#define NHIP_CA_DAYS_HUB_TLS 825
#define NHIP_CA_DAYS_CRL     30

/* default lifetime of an enrollment token */
#define NHIP_CA_TOKEN_DEFAULT_HOURS 72

/**
 * NhipCaFile:
 * @NHIP_CA_FILE_CONFIG: hub.conf (a #GKeyFile: [hub] district, recipient, tls-names)
 * @NHIP_CA_FILE_CA_KEY: the CA's private key
 * @NHIP_CA_FILE_CA_CERT: the CA's certificate (what stations trust)
 * @NHIP_CA_FILE_CRL: the CRL in PEM
 * @NHIP_CA_FILE_TLS_KEY: the hub HTTPS key
 * @NHIP_CA_FILE_TLS_CERT: the hub HTTPS certificate
 * @NHIP_CA_FILE_ENC_KEY: the hub encryption key (opens case packets)
 * @NHIP_CA_FILE_ENC_CERT: the hub encryption certificate
 * @NHIP_CA_FILE_SIGN_KEY: the hub signing key (receipts, reply packets)
 * @NHIP_CA_FILE_SIGN_CERT: the hub signing certificate
 */
typedef enum {
	NHIP_CA_FILE_CONFIG,
	NHIP_CA_FILE_CA_KEY,
	NHIP_CA_FILE_CA_CERT,
	NHIP_CA_FILE_CRL,
	NHIP_CA_FILE_TLS_KEY,
	NHIP_CA_FILE_TLS_CERT,
	NHIP_CA_FILE_ENC_KEY,
	NHIP_CA_FILE_ENC_CERT,
	NHIP_CA_FILE_SIGN_KEY,
	NHIP_CA_FILE_SIGN_CERT,
} NhipCaFile;

/**
 * NhipCaRole:
 * @NHIP_CA_ROLE_TLS: the HTTPS server identity
 * @NHIP_CA_ROLE_ENCRYPTION: the identity that opens case packets
 * @NHIP_CA_ROLE_SIGNING: the identity that signs receipts and reply packets
 */
typedef enum {
	NHIP_CA_ROLE_TLS,
	NHIP_CA_ROLE_ENCRYPTION,
	NHIP_CA_ROLE_SIGNING,
} NhipCaRole;

gchar *nhip_ca_path(const gchar *dir, NhipCaFile file) G_GNUC_WARN_UNUSED_RESULT;

gboolean nhip_ca_init(const gchar *dir,
		      const gchar *district_name,
		      const gchar *const *tls_names,
		      GError **error);
NhipIdentity *
nhip_ca_load_identity(const gchar *dir, NhipCaRole role, GError **error) G_GNUC_WARN_UNUSED_RESULT;
X509_STORE *nhip_ca_trust_store(const gchar *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_ca_recipient_id(const gchar *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;

GBytes *nhip_ca_issue_station_cert(const gchar *dir,
				   GBytes *csr_pem,
				   const gchar *station_code,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_ca_revoke(const gchar *dir, const gchar *serial_or_station, GError **error);
gboolean nhip_ca_crl_update(const gchar *dir, GError **error);
gboolean nhip_ca_is_revoked(const gchar *dir, X509 *cert, gboolean *revoked, GError **error);

/* one-time enrollment tokens */
gchar *nhip_ca_token_issue(const gchar *dir,
			   const gchar *station_code,
			   GDateTime *expires,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_ca_token_redeem(const gchar *dir,
			      const gchar *token,
			      gchar **station_code_out,
			      GError **error);

/* the whole enrollment step (what `POST /v1/enroll` runs): redeem the token, issue the
 * certificate, answer with a bundle for nhip_enroll_bundle_parse() */
GBytes *nhip_ca_enroll(const gchar *dir, const gchar *token, GBytes *csr_pem, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
