/*
 * Nhịp — the station's identity folder, <database folder>/identity/ (0700), the only one
 * (nhip_station_identity_dir()):
 *   station.key   the station's EC P-256 key, 0600, made on the box and never sent
 *   station.csr   the certificate request sent at enrollment
 *   station.crt   the station certificate from the district CA
 *   ca.crt        the district CA (trusted for TLS and for replies, nothing else)
 *   hub-enc.crt   the hub encryption certificate: cases are sealed to it
 *   hub-sign.crt  the hub signing certificate: receipts and replies must be signed by it
 *   hub-tls.crt   the hub's HTTPS certificate
 *   hub-pins      [hub] tls=sha256//… signing=sha256//… recipient=urn:nhip:key:…
 *                 (tls is what libcurl's CURLOPT_PINNEDPUBLICKEY takes)
 *   hub.ini       the hub link `nhipctl enroll` writes (see nhip-hub-link.h)
 *   send.lock, inbox.lock  held by the program delivering packets / fetching replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-identity.h"

G_BEGIN_DECLS

/**
 * NhipStationFile:
 * @NHIP_STATION_FILE_KEY: station.key
 * @NHIP_STATION_FILE_CSR: station.csr
 * @NHIP_STATION_FILE_CERT: station.crt
 * @NHIP_STATION_FILE_CA: ca.crt
 * @NHIP_STATION_FILE_HUB_ENC: hub-enc.crt
 * @NHIP_STATION_FILE_HUB_SIGN: hub-sign.crt
 * @NHIP_STATION_FILE_HUB_TLS: hub-tls.crt
 * @NHIP_STATION_FILE_PINS: hub-pins
 */
typedef enum {
	NHIP_STATION_FILE_KEY,
	NHIP_STATION_FILE_CSR,
	NHIP_STATION_FILE_CERT,
	NHIP_STATION_FILE_CA,
	NHIP_STATION_FILE_HUB_ENC,
	NHIP_STATION_FILE_HUB_SIGN,
	NHIP_STATION_FILE_HUB_TLS,
	NHIP_STATION_FILE_PINS,
} NhipStationFile;

gchar *nhip_station_identity_dir(const gchar *db_path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_station_identity_dir_for_db(const gchar *db_path) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_station_identity_path(const gchar *dir, NhipStationFile file) G_GNUC_WARN_UNUSED_RESULT;

GBytes *nhip_station_identity_init(const gchar *dir,
				   const gchar *station_code,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_station_identity_install(const gchar *dir,
				       GBytes *bundle_json,
				       const gchar *token,
				       GError **error);
NhipIdentity *nhip_station_identity_load(const gchar *dir,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;
X509 *nhip_station_identity_load_cert(const gchar *dir,
				      NhipStationFile file,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_station_identity_get_pin(const gchar *dir,
				     const gchar *name,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;
X509_STORE *nhip_station_identity_trust(const gchar *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
