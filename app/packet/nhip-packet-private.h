/*
 * Nhịp — what the files of libnhip-packet share, and the hooks its tests and fuzz targets
 * use to build packets no honest sender would make. Not for the station or the hub.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "nhip-ca.h"
#include "nhip-packet.h"

G_BEGIN_DECLS

/* a POSIX ustar archive of regular files; member names ≤ 100 bytes */
typedef struct {
	gchar *name;
	GBytes *data;
} NhipTarMember;

void nhipi_tar_member_free(NhipTarMember *member);
GBytes *nhipi_tar_write(GPtrArray *members);
GPtrArray *nhipi_tar_read(GBytes *tar, guint max_members, GError **error);

/* the sha256 of @data in lower-case hex */
gchar *nhipi_sha256_hex(const void *data, gsize length);

/* what @builder built, as UTF-8 JSON */
GBytes *nhipi_json_to_bytes(JsonBuilder *builder, gboolean pretty);

/* an OpenSSL error queue as one line, emptied */
gchar *nhipi_openssl_error(void);

/* reading a private key file, refusing one that group or others can read */
EVP_PKEY *nhipi_key_load(const gchar *path, GError **error);

/* X509_verify_cert() of @cert against @trust with @purpose; returns the X509_V_ code */
gint nhipi_trust_verify(X509_STORE *trust, X509 *cert, STACK_OF(X509) * untrusted, gint purpose);

/* the manifest as JSON, and back (checked for shape, not for trust) */
GBytes *nhipi_manifest_to_json(const NhipPacketManifest *manifest);
NhipPacketManifest *nhipi_manifest_parse(GBytes *json, GError **error);

/* the archive of a packet; with @fill_hashes FALSE the manifest's files are used as given
 * (tests make a manifest that lies) */
GBytes *nhipi_packet_build_tar(NhipPacketManifest *manifest,
			       GBytes *body_json,
			       GPtrArray *attachments,
			       gboolean fill_hashes,
			       GError **error);
/* sign @payload with @signer and encrypt it to @recipient_cert */
GBytes *nhipi_packet_sign_encrypt(GBytes *payload,
				  NhipIdentity *signer,
				  X509 *recipient_cert,
				  GError **error);
/* the checks after the signature: the archive, the manifest, the hashes */
NhipPacketContents *nhipi_packet_parse_payload(GBytes *tar, GError **error);

/* a certificate from the CA with the validity and extended key usages given (tests make
 * expired certificates and ones without emailProtection) */
GBytes *nhipi_ca_issue(const gchar *dir,
		       GBytes *csr_pem,
		       const gchar *station_code,
		       GDateTime *not_before,
		       GDateTime *not_after,
		       const gchar *ext_key_usage,
		       GError **error);

G_END_DECLS
