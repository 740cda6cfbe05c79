/*
 * Nhịp — the station's link to its district hub: where the hub is, the station's TLS
 * identity, the CA and the pinned hub key (all installed by `nhipctl enroll`), the sender's
 * timing, and HTTPS requests over libcurl with mutual TLS.
 *
 * Files, in the station's identity folder (nhip_station_identity_dir(): `identity/` beside
 * the station database):
 *   hub.ini       [hub] url, station, pins, recipient; [sync] timing (see below)
 *   station.key   the station's EC P-256 key (0600, made on the box, never leaves it)
 *   station.crt   its certificate from the district CA
 *   ca.crt        the district CA: the only root trusted for the hub
 *   hub-enc.crt   the certificate case packets are sealed to
 *   hub-sign.crt  the certificate that signs receipts and replies
 *   hub-tls.crt   the hub's HTTPS certificate (its key is pinned)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <curl/curl.h>
#include <glib.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CURL, curl_easy_cleanup)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CURLU, curl_url_cleanup)

/**
 * NhipHubLink:
 * @dir: the folder of the files above
 * @url: the hub's base URL (https://host:port)
 * @station: this station's code
 * @pins: CURLOPT_PINNEDPUBLICKEY value: `sha256//…` hashes separated by `;`
 * @key_path: station.key
 * @cert_path: station.crt
 * @ca_path: ca.crt
 * @enc_cert_path: hub-enc.crt
 * @sign_cert_path: hub-sign.crt
 * @backoff_base: seconds; the first retry waits up to this long ([sync] backoff-base, 5)
 * @backoff_cap: seconds; no retry waits longer ([sync] backoff-cap, 900)
 * @low_speed_time: seconds below @low_speed_limit that count as a stalled link
 *   ([sync] low-speed-time, 60)
 * @low_speed_limit: bytes per second ([sync] low-speed-limit, 500)
 * @connect_timeout: seconds ([sync] connect-timeout, 30)
 * @stop: set (atomically) to abort the transfer in progress and refuse new ones
 * @off_main: set when requests run on a thread of their own: the transfer then leaves the
 *   default main context alone (another thread runs it)
 * @interrupt: set (atomically) to abort an interruptible request (the inbox long-poll)
 * @interruptible: set (atomically) while such a request runs
 */
typedef struct {
	gchar *dir;
	gchar *url;
	gchar *station;
	gchar *pins;
	gchar *key_path;
	gchar *cert_path;
	gchar *ca_path;
	gchar *enc_cert_path;
	gchar *sign_cert_path;
	gint backoff_base;
	gint backoff_cap;
	gint low_speed_time;
	gint low_speed_limit;
	gint connect_timeout;
	gint stop;
	gboolean off_main;
	gint interrupt;
	gint interruptible;
} NhipHubLink;

void nhip_hub_link_free(NhipHubLink *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubLink, nhip_hub_link_free)

NhipHubLink *nhip_hub_link_load(const gchar *db_path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gint64 nhip_hub_link_backoff(NhipHubLink *self, gint64 attempts);

/**
 * NhipHubResponse:
 * @status: the HTTP status
 * @headers: (element-type utf8 utf8): lower-case header name → value
 * @body: the body
 * @uploaded: request body bytes put on the wire
 */
typedef struct {
	glong status;
	GHashTable *headers;
	GByteArray *body;
	gint64 uploaded;
} NhipHubResponse;

void nhip_hub_response_free(NhipHubResponse *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipHubResponse, nhip_hub_response_free)
const gchar *nhip_hub_response_header(NhipHubResponse *self, const gchar *name);
gboolean nhip_hub_response_check(NhipHubResponse *self, const gchar *what, GError **error);

CURL *nhip_hub_link_new_handle(GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHubResponse *nhip_hub_link_request(NhipHubLink *self,
				       CURL *handle,
				       const gchar *method,
				       const gchar *path,
				       const gchar *const *headers,
				       const guint8 *body,
				       gsize body_len,
				       gint64 *uploaded,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHubResponse *nhip_hub_enroll_request(const gchar *hub_url,
					 const gchar *json,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
