/*
 * Nhịp — HTTPS to the district hub over libcurl: TLS 1.2 or newer, the district CA as the
 * only trust anchor, the hub's key pinned (CURLOPT_PINNEDPUBLICKEY), the station's client
 * certificate, stall detection (CURLOPT_LOW_SPEED_LIMIT/TIME) and no `Expect: 100-continue`
 * wait (a full round trip per chunk on a 500 ms link). One easy handle is reused so the
 * connection and the TLS session survive from one chunk to the next.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nhip-hub-link.h"
#include "nhip-station-identity.h"
#include "nhip-transport-error.h"

void
nhip_hub_link_free(NhipHubLink *self)
{
	if (self == NULL)
		return;
	g_free(self->dir);
	g_free(self->url);
	g_free(self->station);
	g_free(self->pins);
	g_free(self->key_path);
	g_free(self->cert_path);
	g_free(self->ca_path);
	g_free(self->enc_cert_path);
	g_free(self->sign_cert_path);
	g_free(self);
}

static gint
link_int(GKeyFile *file, const gchar *key, gint fallback, gint min, gint max)
{
	g_autoptr(GError) error = NULL;
	gint value = g_key_file_get_integer(file, "sync", key, &error);
	if (error != NULL)
		return fallback;
	return CLAMP(value, min, max);
}

/**
 * nhip_hub_link_load:
 * @db_path: the station database
 * @error: return location for a #GError; %NHIP_TRANSPORT_ERROR_NOT_ENROLLED when the
 *   station has not been enrolled
 *
 * Returns: (transfer full) (nullable): the link
 */
NhipHubLink *
nhip_hub_link_load(const gchar *db_path, GError **error)
{
	g_autoptr(NhipHubLink) self = g_new0(NhipHubLink, 1);
	g_autoptr(GKeyFile) file = g_key_file_new();
	g_autofree gchar *ini = NULL;
	g_autoptr(GError) error_local = NULL;

	self->dir = nhip_station_identity_dir(db_path, error);
	if (self->dir == NULL)
		return NULL;
	ini = g_build_filename(self->dir, "hub.ini", NULL);
	if (!g_key_file_load_from_file(file, ini, G_KEY_FILE_NONE, &error_local)) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_NOT_ENROLLED,
			    _("this station is not enrolled with a hub (%s: %s); run “nhipctl "
			      "enroll --hub URL --token T”"),
			    ini, error_local->message);
		return NULL;
	}
	self->url = g_key_file_get_string(file, "hub", "url", NULL);
	self->station = g_key_file_get_string(file, "hub", "station", NULL);
	self->pins = g_key_file_get_string(file, "hub", "pins", NULL);
	if (self->url == NULL || self->station == NULL || self->pins == NULL ||
	    !g_str_has_prefix(self->url, "https://") || !g_str_has_prefix(self->pins, "sha256//")) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_NOT_ENROLLED,
			    _("%s needs url (https://…), station and pins (sha256//…) in [hub]; "
			      "enroll the station again"),
			    ini);
		return NULL;
	}
	/* a trailing slash would double the one every path starts with */
	while (g_str_has_suffix(self->url, "/"))
		self->url[strlen(self->url) - 1] = '\0';
	self->key_path = g_build_filename(self->dir, "station.key", NULL);
	self->cert_path = g_build_filename(self->dir, "station.crt", NULL);
	self->ca_path = g_build_filename(self->dir, "ca.crt", NULL);
	self->enc_cert_path = g_build_filename(self->dir, "hub-enc.crt", NULL);
	self->sign_cert_path = g_build_filename(self->dir, "hub-sign.crt", NULL);
	self->backoff_base = link_int(file, "backoff-base", 5, 1, 3600);
	self->backoff_cap = link_int(file, "backoff-cap", 900, 1, 86400);
	self->low_speed_time = link_int(file, "low-speed-time", 60, 1, 3600);
	self->low_speed_limit = link_int(file, "low-speed-limit", 500, 1, 1 << 20);
	self->connect_timeout = link_int(file, "connect-timeout", 30, 1, 600);
	return g_steal_pointer(&self);
}

/**
 * nhip_hub_link_backoff:
 * @self: the link
 * @attempts: failed attempts in a row so far (≥ 1)
 *
 * Exponential backoff with full jitter: a random wait in [0, min(cap, base · 2^attempts)],
 * so that stations coming back after an outage do not all call at the same moment.
 *
 * Returns: seconds to wait
 */
gint64
nhip_hub_link_backoff(NhipHubLink *self, gint64 attempts)
{
	gint64 ceiling = self->backoff_base;

	for (gint64 i = 1; i < attempts && ceiling < self->backoff_cap; i++)
		ceiling *= 2;
	ceiling = MIN(ceiling, self->backoff_cap);
	return g_random_int_range(0, (gint32)ceiling + 1);
}

void
nhip_hub_response_free(NhipHubResponse *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->headers);
	g_byte_array_unref(self->body);
	g_free(self);
}

/**
 * nhip_hub_response_header:
 * @self: a response
 * @name: a header name in lower case
 *
 * Returns: (transfer none) (nullable): its value
 */
const gchar *
nhip_hub_response_header(NhipHubResponse *self, const gchar *name)
{
	return g_hash_table_lookup(self->headers, name);
}

/**
 * nhip_hub_response_check:
 * @self: a response
 * @what: what was asked, for the message ("create the upload")
 * @error: return location for a #GError
 *
 * Turns a status that is not 2xx into an error of the right kind: a retry (408, 409, 423,
 * 429, 460, 5xx, 404/410 for an expired upload), the station's certificate not accepted
 * (401, 403) or a refusal of the packet (other 4xx), with the hub's reason word.
 *
 * Returns: %TRUE for a 2xx status
 */
gboolean
nhip_hub_response_check(NhipHubResponse *self, const gchar *what, GError **error)
{
	const gchar *word = nhip_hub_response_header(self, "nhip-refusal");
	NhipTransportError code;

	if (self->status >= 200 && self->status < 300)
		return TRUE;
	/* the hub answers 401/403 only when it does not accept the station's certificate:
	 * no packet can go until a technician renews or enrolls it again */
	if (self->status == 401 || self->status == 403) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_NOT_ENROLLED,
			    _("cannot %s: the hub does not accept this station's certificate "
			      "(%s); a technician must renew it or enroll the station again"),
			    what, word != NULL ? word : _("no reason given"));
		return FALSE;
	}
	switch (self->status) {
	case 408:
	case 423:
	case 429:
		code = NHIP_TRANSPORT_ERROR_BUSY;
		break;
	case 409:
	case 460:
		code = NHIP_TRANSPORT_ERROR_CONFLICT;
		break;
	case 404:
	case 410:
		code = NHIP_TRANSPORT_ERROR_GONE;
		break;
	default:
		code = self->status >= 500 ? NHIP_TRANSPORT_ERROR_BUSY
					   : NHIP_TRANSPORT_ERROR_REFUSED;
		break;
	}
	g_set_error(error, NHIP_TRANSPORT_ERROR, code, _("cannot %s: the hub answered %ld (%s)"),
		    what, self->status, word != NULL ? word : _("no reason given"));
	return FALSE;
}

static size_t
link_header_cb(char *buffer, size_t size, size_t nitems, void *data)
{
	NhipHubResponse *response = data;
	gsize len = size * nitems;
	g_autofree gchar *line = g_strndup(buffer, len);
	gchar *colon = strchr(line, ':');

	/* a new status line starts a new set of headers (after a 100 Continue) */
	if (g_str_has_prefix(line, "HTTP/"))
		g_hash_table_remove_all(response->headers);
	if (colon != NULL) {
		*colon = '\0';
		g_hash_table_replace(response->headers, g_ascii_strdown(g_strstrip(line), -1),
				     g_strdup(g_strstrip(colon + 1)));
	}
	return len;
}

static size_t
link_body_cb(char *buffer, size_t size, size_t nitems, void *data)
{
	NhipHubResponse *response = data;
	gsize len = size * nitems;

	/* our hub's answers are small; anything huge is not from it */
	if (response->body->len + len > 32 * 1024 * 1024)
		return 0;
	g_byte_array_append(response->body, (const guint8 *)buffer, (guint)len);
	return len;
}

static int
link_progress_cb(void *data,
		 curl_off_t dltotal,
		 curl_off_t dlnow,
		 curl_off_t ultotal,
		 curl_off_t ulnow)
{
	NhipHubLink *self = data;

	/* let signal handlers and the network monitor run while a chunk crawls along: those of
	 * this thread's context (the kiosk sends from a thread of its own); a live call's
	 * requests (off_main) leave every context to its owner */
	while (!self->off_main &&
	       g_main_context_iteration(g_main_context_get_thread_default(), FALSE))
		;
	if (g_atomic_int_get(&self->interruptible) && g_atomic_int_get(&self->interrupt))
		return 1;
	return g_atomic_int_get(&self->stop) ? 1 : 0;
}

/**
 * nhip_hub_link_new_handle:
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a curl handle to reuse for requests to the hub
 */
CURL *
nhip_hub_link_new_handle(GError **error)
{
	static gsize initialised = 0;
	CURL *handle;

	if (g_once_init_enter(&initialised)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&initialised, 1);
	}
	handle = curl_easy_init();
	if (handle == NULL)
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_NETWORK,
				    _("cannot start an HTTPS client"));
	return handle;
}

static void
link_curl_error(CURLcode rc, const gchar *detail, const gchar *url, GError **error)
{
	NhipTransportError code;
	const gchar *text = detail != NULL && detail[0] != '\0' ? detail : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_PIN,
			    _("the hub at %s shows a key that is not the pinned one; nothing was "
			      "sent — call a technician (%s)"),
			    url, text);
		return;
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_NOT_ENROLLED,
			    _("the station's certificate or the CA cannot be used (%s); enroll "
			      "the station again"),
			    text);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
		code = NHIP_TRANSPORT_ERROR_REFUSED;
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_CANCELLED,
				    _("stopped"));
		return;
	default:
		code = NHIP_TRANSPORT_ERROR_NETWORK;
		break;
	}
	g_set_error(error, NHIP_TRANSPORT_ERROR, code, _("cannot reach the hub at %s: %s"), url,
		    text);
}

static NhipHubResponse *
link_perform(NhipHubLink *self, CURL *handle, const gchar *url, gint64 *uploaded, GError **error)
{
	g_autoptr(NhipHubResponse) response = g_new0(NhipHubResponse, 1);
	gchar detail[CURL_ERROR_SIZE] = { 0 };
	curl_off_t sent = 0;
	CURLcode rc;

	response->headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	response->body = g_byte_array_new();
	curl_easy_setopt(handle, CURLOPT_URL, url);
	curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, link_header_cb);
	curl_easy_setopt(handle, CURLOPT_HEADERDATA, response);
	curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, link_body_cb);
	curl_easy_setopt(handle, CURLOPT_WRITEDATA, response);
	curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, link_progress_cb);
	curl_easy_setopt(handle, CURLOPT_XFERINFODATA, self);
	curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(handle, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(handle, CURLOPT_TCP_KEEPIDLE, 30L);
	rc = curl_easy_perform(handle);
	curl_easy_getinfo(handle, CURLINFO_SIZE_UPLOAD_T, &sent);
	if (uploaded != NULL)
		*uploaded += (gint64)sent;
	response->uploaded = (gint64)sent;
	curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, NULL);
	if (rc != CURLE_OK) {
		link_curl_error(rc, detail, url, error);
		return NULL;
	}
	curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response->status);
	return g_steal_pointer(&response);
}

/**
 * nhip_hub_link_request:
 * @self: the link
 * @handle: a handle from nhip_hub_link_new_handle(), reused between requests
 * @method: GET, HEAD, POST or PATCH
 * @path: the path on the hub (`/v1/…`), or a full URL on the hub
 * @headers: (nullable) (array zero-terminated=1): extra "Name: value" lines
 * @body: (nullable): the request body
 * @body_len: its length
 * @uploaded: (inout) (optional): gets the request body bytes put on the wire added,
 *   also when the request fails half-way
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR)
 *
 * Sends one request with mutual TLS. A status that is not 2xx is not an error here: look
 * at it, or call nhip_hub_response_check().
 *
 * Returns: (transfer full) (nullable): the response
 */
NhipHubResponse *
nhip_hub_link_request(NhipHubLink *self,
		      CURL *handle,
		      const gchar *method,
		      const gchar *path,
		      const gchar *const *headers,
		      const guint8 *body,
		      gsize body_len,
		      gint64 *uploaded,
		      GError **error)
{
	g_autofree gchar *url = NULL;
	struct curl_slist *list = NULL;
	NhipHubResponse *response;

	if (g_atomic_int_get(&self->stop)) {
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_CANCELLED,
				    _("stopped"));
		return NULL;
	}
	url = g_str_has_prefix(path, "https://") ? g_strdup(path)
						 : g_strconcat(self->url, path, NULL);
	if (!g_str_has_prefix(url, self->url)) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
			    _("the hub pointed to %s, which is not on the hub"), url);
		return NULL;
	}
	/* a fresh set of options each time; the connection and TLS session are kept */
	curl_easy_reset(handle);
	curl_easy_setopt(handle, CURLOPT_SSLCERT, self->cert_path);
	curl_easy_setopt(handle, CURLOPT_SSLKEY, self->key_path);
	curl_easy_setopt(handle, CURLOPT_CAINFO, self->ca_path);
	curl_easy_setopt(handle, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(handle, CURLOPT_PINNEDPUBLICKEY, self->pins);
	curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, (long)self->connect_timeout);
	curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, (long)self->low_speed_limit);
	curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, (long)self->low_speed_time);
	list = curl_slist_append(list, "Expect:");
	for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
		list = curl_slist_append(list, headers[i]);
	curl_easy_setopt(handle, CURLOPT_HTTPHEADER, list);
	if (g_strcmp0(method, "HEAD") == 0) {
		curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
	} else if (g_strcmp0(method, "GET") != 0) {
		curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		curl_easy_setopt(handle, CURLOPT_POSTFIELDS,
				 body != NULL ? (const gchar *)body : "");
	}
	response = link_perform(self, handle, url, uploaded, error);
	curl_easy_setopt(handle, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(list);
	return response;
}

/**
 * nhip_hub_enroll_request:
 * @hub_url: the hub's base URL
 * @json: the request body {"token", "csr"}
 * @error: return location for a #GError
 *
 * The one request made before the station knows the district CA: the server certificate
 * cannot be checked yet, so the answer is authenticated instead (a MAC keyed with the
 * one-time token, checked by nhip_enroll_bundle_parse()), and the hub key seen here is
 * compared with the pinned one by every later request.
 *
 * Returns: (transfer full) (nullable): the response
 */
NhipHubResponse *
nhip_hub_enroll_request(const gchar *hub_url, const gchar *json, GError **error)
{
	g_autoptr(CURL) handle = nhip_hub_link_new_handle(error);
	g_autoptr(NhipHubLink) bare = g_new0(NhipHubLink, 1);
	g_autofree gchar *base = g_strdup(hub_url);
	g_autofree gchar *url = NULL;
	struct curl_slist *list = NULL;
	NhipHubResponse *response;

	if (handle == NULL)
		return NULL;
	if (!g_str_has_prefix(base, "https://")) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
			    _("the hub URL must start with https://, not “%s”"), hub_url);
		return NULL;
	}
	while (g_str_has_suffix(base, "/"))
		base[strlen(base) - 1] = '\0';
	url = g_strconcat(base, "/v1/enroll", NULL);
	curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(handle, CURLOPT_TIMEOUT, 120L);
	list = curl_slist_append(list, "Content-Type: application/json");
	list = curl_slist_append(list, "Expect:");
	curl_easy_setopt(handle, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(handle, CURLOPT_POSTFIELDS, json);
	response = link_perform(bare, handle, url, NULL, error);
	curl_easy_setopt(handle, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(list);
	return response;
}
