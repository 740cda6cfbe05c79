/*
 * Nhịp hub — the HTTPS service on libmicrohttpd (TLS by GnuTLS, one thread per connection:
 * long-polls and slow 3G uploads each hold a thread, which is fine for hundreds of
 * stations).
 *
 * The doctors' pages (nhip-hub-web.c) are served by a second daemon with server-only TLS on
 * a port of their own (nhip_hub_service_start_web()): doctors have passwords, not client
 * certificates, and this listener stays for stations alone.
 *
 * Mutual TLS: the daemon asks every client for a certificate (MHD_OPTION_HTTPS_MEM_TRUST)
 * and GnuTLS proves the client holds its key; each request then has its certificate
 * checked against the district CA and CRL (nhip-hub-trust.c). Only `POST /v1/enroll` is
 * open to a client without a certificate: the one-time token authenticates it.
 *
 * Endpoints:
 *   OPTIONS /v1/uploads               tus capabilities
 *   POST    /v1/uploads               create (idempotent by station + packet id)
 *   HEAD    /v1/uploads/ID            where the upload stands (Upload-Offset)
 *   PATCH   /v1/uploads/ID            a chunk at Upload-Offset, with Upload-Checksum
 *   GET     /v1/receipts/PACKET_ID    the signed receipt of a received packet
 *   GET     /v1/inbox?after=CURSOR    messages for the station, held up to 25 s
 *   GET     /v1/messages/ID           a message's bytes (single Range honoured)
 *   POST    /v1/enroll                {"token","csr"} → enrollment bundle
 *   POST    /v1/live/sessions         {"packet_id"} → a live session's descriptor
 *   GET     /v1/live/sessions/ID      the descriptor, with fresh credentials
 *   DELETE  /v1/live/sessions/ID      hang up
 *   GET     /v1/live/sessions/ID/events?after=N&wait=S   events after N, held up to 60 s
 *   POST    /v1/live/sessions/ID/events                  a chat line, a reading, a state
 *   GET     /v1/live/invites?wait=S   sessions a doctor opened for the station's cases
 *   (the live requests: nhip-hub-live.c)
 *
 * A PATCH body is taken whole into memory (at most NHIP_TUS_MAX_PATCH) and written only
 * once it is complete and its checksum matches: a chunk cut in the middle is dropped, and
 * the acknowledged offset only moves after the bytes are on disk (pwrite, fdatasync, then
 * the database).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "nhip-ca.h"
#include "nhip-json-member.h"
#include "nhip-hub-blobs.h"
#include "nhip-hub-http.h"
#include "nhip-hub-ingest.h"
#include "nhip-hub-live.h"
#include "nhip-hub-service.h"
#include "nhip-hub-trust.h"
#include "nhip-hub-web.h"
#include "nhip-json.h"
#include "nhip-tus.h"

#define HUB_MAX_ENROLL_BODY (64 * 1024)

struct _NhipHubService {
	gchar *dir;
	gchar *uploads_dir;
	NhipHubDb *db; /* not owned */
	NhipHubTrust *trust;
	NhipHubIngest *ingest;
	NhipHubWeb *web;   /* the doctors' pages, on their own listener */
	NhipHubLive *live; /* live consultations */
	gchar *tls_key_pem;
	gchar *tls_cert_pem;
	gchar *ca_pem;
	struct MHD_Daemon *daemon;
	GMutex finish_lock; /* one finishing upload at a time */
	GMutex inbox_lock;
	GCond inbox_cond;
	gboolean stopping;
};

typedef struct {
	GByteArray *body;
	gsize limit;
	gboolean too_large;
	gchar *station;	      /* from the verified client certificate */
	const gchar *refusal; /* why the certificate was refused */
	gchar *refusal_detail;
} HubRequest;

static void
hub_request_free(HubRequest *req)
{
	if (req->body != NULL)
		g_byte_array_unref(req->body);
	g_free(req->station);
	g_free(req->refusal_detail);
	g_free(req);
}

/* ----- responses ----- */

static enum MHD_Result
hub_respond(struct MHD_Connection *conn,
	    guint status,
	    const gchar *content_type,
	    gconstpointer body,
	    gsize len,
	    const gchar *const *headers)
{
	return nhip_hub_http_respond(conn, status, content_type, body, len, headers, NULL);
}

/* a JSON error the station can log and show: {"error": word, "message": text} */
static enum MHD_Result
hub_respond_error(struct MHD_Connection *conn,
		  guint status,
		  const gchar *word,
		  const gchar *message,
		  const gchar *const *headers)
{
	g_autofree gchar *json = nhip_hub_http_error_json(word, message);
	g_autoptr(GPtrArray) all = g_ptr_array_new();

	g_ptr_array_add(all, (gpointer) "Nhip-Refusal");
	g_ptr_array_add(all, (gpointer)word);
	for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
		g_ptr_array_add(all, (gpointer)headers[i]);
	g_ptr_array_add(all, NULL);
	return hub_respond(conn, status, "application/json", json, strlen(json),
			   (const gchar *const *)all->pdata);
}

static const gchar *
hub_header(struct MHD_Connection *conn, const gchar *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static gchar *
hub_http_date(gint64 unix_time)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(unix_time);
	return g_date_time_format(dt, "%a, %d %b %Y %H:%M:%S GMT");
}

/* ----- who is calling ----- */

static void
hub_identify(NhipHubService *self, struct MHD_Connection *conn, HubRequest *req)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GError) error = NULL;
	const gnutls_datum_t *certs = NULL;
	guint n_certs = 0;

	if (info != NULL && info->tls_session != NULL)
		certs = gnutls_certificate_get_peers(info->tls_session, &n_certs);
	for (guint i = 0; certs != NULL && i < n_certs; i++)
		g_ptr_array_add(chain, g_bytes_new(certs[i].data, certs[i].size));
	req->station = nhip_hub_trust_check_client(self->trust, chain, &req->refusal, &error);
	if (req->station == NULL)
		req->refusal_detail = g_strdup(error->message);
}

/* ----- uploads ----- */

static gchar *
hub_part_path(NhipHubService *self, const gchar *upload_id)
{
	g_autofree gchar *name = g_strconcat(upload_id, ".part", NULL);
	return g_build_filename(self->uploads_dir, name, NULL);
}

static gboolean
hub_upload_expired(const NhipHubUpload *upload)
{
	return upload->state == NHIP_HUB_UPLOAD_OPEN &&
	       upload->expires < g_get_real_time() / G_USEC_PER_SEC;
}

/* every upload request carries Tus-Resumable: 1.0.0; else 412 with what we speak */
static gboolean
hub_tus_version_ok(struct MHD_Connection *conn)
{
	return g_strcmp0(hub_header(conn, "Tus-Resumable"), NHIP_TUS_VERSION) == 0;
}

static enum MHD_Result
hub_tus_version_refuse(struct MHD_Connection *conn)
{
	const gchar *headers[] = { "Tus-Version", NHIP_TUS_VERSION, NULL };
	return hub_respond_error(conn, MHD_HTTP_PRECONDITION_FAILED, "tus-version",
				 "only tus 1.0.0 is spoken here", headers);
}

/*
 * All bytes are in: check the whole file, ingest the packet, record the outcome. Runs for
 * the PATCH that completes the upload, and again for any later request that finds an
 * upload complete but unfinished (the hub was killed in between). Returns FALSE only on
 * the hub's own failure (the station will retry).
 */
static gboolean
hub_upload_finish(NhipHubService *self, NhipHubUpload **upload_inout, GError **error)
{
	G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&self->finish_lock);
	g_autoptr(NhipHubUpload) upload = NULL;
	g_autoptr(NhipHubPacket) packet = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autofree gchar *part = NULL;
	g_autofree gchar *sha256 = NULL;
	const gchar *reason = NULL;
	gchar *data = NULL;
	gsize len = 0;

	upload = nhip_hub_db_upload_get(self->db, (*upload_inout)->id, error);
	if (upload == NULL)
		return FALSE;
	if (upload->state != NHIP_HUB_UPLOAD_OPEN || upload->acked != upload->length) {
		nhip_hub_upload_free(*upload_inout);
		*upload_inout = g_steal_pointer(&upload);
		return TRUE;
	}
	part = hub_part_path(self, upload->id);
	if (g_file_get_contents(part, &data, &len, NULL)) {
		sealed = g_bytes_new_take(data, len);
	} else {
		/* killed after the blob was stored and the part removed: the blob is the file */
		sealed = nhip_hub_blob_get(self->dir, upload->sha256, error);
		if (sealed == NULL)
			return FALSE;
	}
	sha256 = nhip_sha256_hex(sealed);
	if (g_strcmp0(sha256, upload->sha256) != 0) {
		reason = "checksum-mismatch";
		error_local = g_error_new(NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
					  _("the packet's SHA-256 is %s, not the %s announced"),
					  sha256, upload->sha256);
		g_message("refused packet %s from station %s: %s (%s)", upload->packet_id,
			  upload->station, reason, error_local->message);
	} else {
		packet =
			nhip_hub_ingest_packet(self->ingest, upload, sealed, &reason, &error_local);
		if (packet == NULL && reason == NULL) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
	}
	if (!nhip_hub_db_upload_finish(self->db, upload->id,
				       packet != NULL ? NHIP_HUB_UPLOAD_DONE
						      : NHIP_HUB_UPLOAD_REFUSED,
				       packet != NULL ? NULL : reason, error))
		return FALSE;
	if (packet != NULL) {
		g_unlink(part);
	} else {
		/* kept aside for a technician; never served again */
		g_autofree gchar *name = g_strconcat(upload->id, ".refused", NULL);
		g_autofree gchar *aside = g_build_filename(self->uploads_dir, name, NULL);
		g_rename(part, aside);
	}
	nhip_hub_upload_free(*upload_inout);
	*upload_inout = nhip_hub_db_upload_get(self->db, upload->id, error);
	return *upload_inout != NULL;
}

/* the answer for an upload that is done or refused */
static enum MHD_Result
hub_respond_finished(struct MHD_Connection *conn, const NhipHubUpload *upload, guint ok_status)
{
	g_autofree gchar *offset = g_strdup_printf("%" PRId64, upload->acked);
	g_autofree gchar *receipt = g_strconcat("/v1/receipts/", upload->packet_id, NULL);
	g_autofree gchar *location = g_strconcat("/v1/uploads/", upload->id, NULL);

	if (upload->state == NHIP_HUB_UPLOAD_REFUSED) {
		const gchar *headers[] = { "Tus-Resumable", NHIP_TUS_VERSION, "Upload-Offset",
					   offset, NULL };
		g_autofree gchar *message =
			g_strdup_printf("packet %s was refused: %s", upload->packet_id,
					upload->reason != NULL ? upload->reason : "refused");
		return hub_respond_error(conn, MHD_HTTP_UNPROCESSABLE_CONTENT,
					 upload->reason != NULL ? upload->reason : "refused",
					 message, headers);
	} else {
		const gchar *headers[] = { "Tus-Resumable",
					   NHIP_TUS_VERSION,
					   "Upload-Offset",
					   offset,
					   "Upload-Length",
					   offset,
					   "Location",
					   location,
					   "Nhip-Receipt",
					   receipt,
					   NULL };
		return hub_respond(conn, ok_status, NULL, "", 0, headers);
	}
}

static enum MHD_Result
hub_upload_respond_state(NhipHubService *self,
			 struct MHD_Connection *conn,
			 NhipHubUpload **upload,
			 guint status)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *offset = NULL;
	g_autofree gchar *length = NULL;
	g_autofree gchar *expires = NULL;
	g_autofree gchar *location = NULL;

	if ((*upload)->state == NHIP_HUB_UPLOAD_OPEN && (*upload)->acked == (*upload)->length &&
	    !hub_upload_finish(self, upload, &error)) {
		g_warning("cannot finish upload %s: %s", (*upload)->id, error->message);
		return hub_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "hub-storage",
					 "the hub cannot store the packet now; try again later",
					 NULL);
	}
	if ((*upload)->state != NHIP_HUB_UPLOAD_OPEN)
		return hub_respond_finished(conn, *upload, status);
	offset = g_strdup_printf("%" PRId64, (*upload)->acked);
	length = g_strdup_printf("%" PRId64, (*upload)->length);
	expires = hub_http_date((*upload)->expires);
	location = g_strconcat("/v1/uploads/", (*upload)->id, NULL);
	{
		const gchar *headers[] = { "Tus-Resumable",
					   NHIP_TUS_VERSION,
					   "Upload-Offset",
					   offset,
					   "Upload-Length",
					   length,
					   "Upload-Expires",
					   expires,
					   "Location",
					   location,
					   NULL };
		return hub_respond(conn, status, NULL, "", 0, headers);
	}
}

static enum MHD_Result
hub_upload_create(NhipHubService *self, struct MHD_Connection *conn, HubRequest *req)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) metadata = NULL;
	g_autoptr(NhipHubUpload) upload = NULL;
	NhipHubUpload wanted = { 0 };
	const gchar *metadata_text = hub_header(conn, "Upload-Metadata");
	const gchar *packet_id;
	const gchar *sha256;
	gint64 length = 0;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autofree gchar *id = NULL;

	if (!hub_tus_version_ok(conn))
		return hub_tus_version_refuse(conn);
	if (hub_header(conn, "Upload-Defer-Length") != NULL)
		return hub_respond_error(conn, MHD_HTTP_BAD_REQUEST, "bad-request",
					 "Upload-Defer-Length is not supported", NULL);
	if (!nhip_tus_parse_size(hub_header(conn, "Upload-Length"), "Upload-Length", &length,
				 &error) ||
	    length == 0)
		return hub_respond_error(
			conn, MHD_HTTP_BAD_REQUEST, "bad-request",
			error != NULL ? error->message : "Upload-Length must not be 0", NULL);
	if (length > NHIP_TUS_MAX_LENGTH)
		return hub_respond_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "too-large",
					 "the packet is larger than the hub takes", NULL);
	if (metadata_text == NULL)
		return hub_respond_error(conn, MHD_HTTP_BAD_REQUEST, "bad-request",
					 "Upload-Metadata with packet_id and sha256 is required",
					 NULL);
	metadata = nhip_tus_parse_metadata(metadata_text, &error);
	if (metadata == NULL)
		return hub_respond_error(conn, MHD_HTTP_BAD_REQUEST, "bad-request", error->message,
					 NULL);
	packet_id = g_hash_table_lookup(metadata, "packet_id");
	sha256 = g_hash_table_lookup(metadata, "sha256");
	if (!nhip_tus_is_packet_id(packet_id) || !nhip_tus_is_sha256_hex(sha256))
		return hub_respond_error(conn, MHD_HTTP_BAD_REQUEST, "bad-request",
					 "Upload-Metadata needs packet_id (a UUID) and sha256 "
					 "(64 hex digits)",
					 NULL);
	id = nhip_tus_upload_id(req->station, packet_id);
	wanted.id = id;
	wanted.station = req->station;
	wanted.packet_id = (gchar *)packet_id;
	wanted.length = length;
	wanted.sha256 = (gchar *)sha256;
	wanted.created = now;
	wanted.expires = now + NHIP_HUB_UPLOAD_TTL;
	upload = nhip_hub_db_upload_create(self->db, &wanted, &error);
	if (upload == NULL) {
		g_warning("cannot create upload for packet %s: %s", packet_id, error->message);
		return hub_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "hub-storage",
					 "the hub cannot store the upload now; try again later",
					 NULL);
	}
	if (upload->length != length || g_strcmp0(upload->sha256, sha256) != 0) {
		g_message("refused upload of packet %s from station %s: packet-id-reused (other "
			  "length or hash than the first upload)",
			  packet_id, req->station);
		return hub_respond_error(conn, MHD_HTTP_CONFLICT, "packet-id-reused",
					 "this packet id was sent before with other content", NULL);
	}
	if (hub_upload_expired(upload)) {
		g_autofree gchar *part = hub_part_path(self, upload->id);
		if (!nhip_hub_db_upload_restart(self->db, upload->id, now + NHIP_HUB_UPLOAD_TTL,
						&error)) {
			g_warning("cannot restart upload %s: %s", upload->id, error->message);
			return hub_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "hub-storage",
						 "try again later", NULL);
		}
		g_unlink(part);
		upload->acked = 0;
		upload->expires = now + NHIP_HUB_UPLOAD_TTL;
	}
	if (upload->created == now && upload->acked == 0)
		g_info("upload %s created for packet %s from station %s (%" PRId64 " bytes)",
		       upload->id, packet_id, req->station, length);
	return hub_upload_respond_state(self, conn, &upload, MHD_HTTP_CREATED);
}

static NhipHubUpload *
hub_upload_lookup(NhipHubService *self, HubRequest *req, const gchar *id, guint *status)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubUpload) upload = NULL;

	*status = MHD_HTTP_NOT_FOUND;
	if (strlen(id) != 32)
		return NULL;
	upload = nhip_hub_db_upload_get(self->db, id, &error);
	if (upload == NULL) {
		if (!g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND)) {
			g_warning("cannot read upload %s: %s", id, error->message);
			*status = MHD_HTTP_SERVICE_UNAVAILABLE;
		}
		return NULL;
	}
	/* another station's upload does not exist, as far as this one can tell */
	if (g_strcmp0(upload->station, req->station) != 0)
		return NULL;
	if (hub_upload_expired(upload)) {
		*status = MHD_HTTP_GONE;
		return NULL;
	}
	*status = MHD_HTTP_OK;
	return g_steal_pointer(&upload);
}

static enum MHD_Result
hub_upload_lookup_refuse(struct MHD_Connection *conn, guint status)
{
	const gchar *headers[] = { "Tus-Resumable", NHIP_TUS_VERSION, NULL };

	if (status == MHD_HTTP_GONE)
		return hub_respond_error(conn, status, "expired",
					 "the upload expired; create it again", headers);
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		return hub_respond_error(conn, status, "hub-storage", "try again later", headers);
	return hub_respond_error(conn, MHD_HTTP_NOT_FOUND, "not-found", "no such upload", headers);
}

static enum MHD_Result
hub_upload_head(NhipHubService *self, struct MHD_Connection *conn, HubRequest *req, const gchar *id)
{
	guint status;
	g_autoptr(NhipHubUpload) upload = NULL;

	if (!hub_tus_version_ok(conn))
		return hub_tus_version_refuse(conn);
	upload = hub_upload_lookup(self, req, id, &status);
	if (upload == NULL)
		return hub_upload_lookup_refuse(conn, status);
	return hub_upload_respond_state(self, conn, &upload, MHD_HTTP_OK);
}

static gboolean
hub_write_chunk(const gchar *path, gint64 offset, const guint8 *data, gsize len, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname(path);
	gboolean created = !g_file_test(path, G_FILE_TEST_EXISTS);
	gsize written = 0;
	gint fd = g_open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_STORAGE, "cannot open %s: %s",
			    path, g_strerror(errno));
		return FALSE;
	}
	while (written < len) {
		gssize n = pwrite(fd, data + written, len - written, offset + (gint64)written);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		written += (gsize)n;
	}
	if (written < len || fdatasync(fd) != 0) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_STORAGE, "cannot write %s: %s",
			    path, g_strerror(errno != 0 ? errno : ENOSPC));
		close(fd);
		return FALSE;
	}
	close(fd);
	if (created) {
		/* the new name must survive too, or an acknowledged offset could point past
		 * a file that vanished */
		gint dir_fd = g_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (dir_fd >= 0) {
			fsync(dir_fd);
			close(dir_fd);
		}
	}
	return TRUE;
}

static enum MHD_Result
hub_upload_patch(NhipHubService *self,
		 struct MHD_Connection *conn,
		 HubRequest *req,
		 const gchar *id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubUpload) upload = NULL;
	g_autofree gchar *part = NULL;
	g_autofree gchar *acked_text = NULL;
	const gchar *checksum = hub_header(conn, "Upload-Checksum");
	const gchar *content_type = hub_header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
	gint64 offset = 0;
	gsize len = req->body->len;
	guint status;

	if (!hub_tus_version_ok(conn))
		return hub_tus_version_refuse(conn);
	if (g_strcmp0(content_type, NHIP_TUS_CONTENT_TYPE) != 0)
		return hub_respond_error(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "content-type",
					 "PATCH needs Content-Type: " NHIP_TUS_CONTENT_TYPE, NULL);
	if (!nhip_tus_parse_size(hub_header(conn, "Upload-Offset"), "Upload-Offset", &offset,
				 &error))
		return hub_respond_error(conn, MHD_HTTP_BAD_REQUEST, "bad-request", error->message,
					 NULL);
	if (req->too_large)
		return hub_respond_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "too-large",
					 "a chunk may be at most 1 MiB", NULL);
	upload = hub_upload_lookup(self, req, id, &status);
	if (upload == NULL)
		return hub_upload_lookup_refuse(conn, status);
	if (upload->state != NHIP_HUB_UPLOAD_OPEN || upload->acked == upload->length)
		return hub_upload_respond_state(self, conn, &upload, MHD_HTTP_NO_CONTENT);
	acked_text = g_strdup_printf("%" PRId64, upload->acked);
	if (offset != upload->acked) {
		const gchar *headers[] = { "Tus-Resumable", NHIP_TUS_VERSION, "Upload-Offset",
					   acked_text, NULL };
		/* the same bytes again (a 204 that got lost): already safe, say so */
		if (offset < upload->acked && offset + (gint64)len <= upload->acked)
			return hub_respond(conn, MHD_HTTP_NO_CONTENT, NULL, "", 0, headers);
		return hub_respond_error(conn, MHD_HTTP_CONFLICT, "offset-mismatch",
					 "Upload-Offset is not where the upload stands", headers);
	}
	if (offset + (gint64)len > upload->length)
		return hub_respond_error(conn, MHD_HTTP_BAD_REQUEST, "bad-request",
					 "the chunk goes past Upload-Length", NULL);
	if (checksum != NULL) {
		guint8 expected[32] = { 0 };
		guint8 actual[32] = { 0 };
		gsize actual_len = sizeof(actual);
		g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

		if (!nhip_tus_parse_checksum(checksum, expected, &error))
			return hub_respond_error(conn, MHD_HTTP_BAD_REQUEST, "bad-checksum-header",
						 error->message, NULL);
		g_checksum_update(sum, req->body->data, len);
		g_checksum_get_digest(sum, actual, &actual_len);
		if (memcmp(expected, actual, sizeof(actual)) != 0) {
			const gchar *headers[] = { "Tus-Resumable", NHIP_TUS_VERSION,
						   "Upload-Offset", acked_text, NULL };
			g_message("chunk at %" PRId64 " of packet %s from station %s arrived "
				  "damaged; asked again",
				  offset, upload->packet_id, upload->station);
			return hub_respond_error(conn, 460, "checksum-mismatch",
						 "the chunk's checksum does not match; send it "
						 "again",
						 headers);
		}
	}
	part = hub_part_path(self, upload->id);
	if (len > 0 && (!hub_write_chunk(part, offset, req->body->data, len, &error) ||
			!nhip_hub_db_upload_set_acked(self->db, upload->id, offset,
						      offset + (gint64)len, &error))) {
		if (g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_CONFLICT))
			return hub_respond_error(conn, MHD_HTTP_CONFLICT, "offset-mismatch",
						 error->message, NULL);
		g_warning("cannot store a chunk of packet %s: %s", upload->packet_id,
			  error->message);
		return hub_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "hub-storage",
					 "the hub cannot store the chunk now; try again later",
					 NULL);
	}
	upload->acked = offset + (gint64)len;
	return hub_upload_respond_state(self, conn, &upload, MHD_HTTP_NO_CONTENT);
}

/* ----- receipts, inbox, messages ----- */

static enum MHD_Result
hub_receipt_get(NhipHubService *self,
		struct MHD_Connection *conn,
		HubRequest *req,
		const gchar *packet_id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubPacket) packet = NULL;
	g_autoptr(GBytes) receipt = NULL;
	g_autoptr(NhipHubUpload) upload = NULL;
	g_autofree gchar *upload_id = NULL;

	if (!nhip_tus_is_packet_id(packet_id))
		return hub_respond_error(conn, MHD_HTTP_NOT_FOUND, "not-found", "no such packet",
					 NULL);
	packet = nhip_hub_db_packet_get(self->db, req->station, packet_id, &error);
	if (packet == NULL) {
		if (!g_error_matches(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_NOT_FOUND))
			return hub_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "hub-storage",
						 "try again later", NULL);
		/* a refused packet says why */
		upload_id = nhip_tus_upload_id(req->station, packet_id);
		upload = nhip_hub_db_upload_get(self->db, upload_id, NULL);
		if (upload != NULL && upload->state == NHIP_HUB_UPLOAD_REFUSED)
			return hub_respond_finished(conn, upload, MHD_HTTP_OK);
		return hub_respond_error(conn, MHD_HTTP_NOT_FOUND, "not-found",
					 "no packet with this id has arrived", NULL);
	}
	receipt = nhip_hub_blob_get(self->dir, packet->receipt_sha256, &error);
	if (receipt == NULL) {
		g_warning("cannot read the receipt of packet %s: %s", packet_id, error->message);
		return hub_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "hub-storage",
					 "try again later", NULL);
	}
	{
		g_autofree gchar *case_id = g_strdup_printf("%" PRId64, packet->id);
		const gchar *headers[] = { "Nhip-Case", case_id, NULL };
		return hub_respond(conn, MHD_HTTP_OK, "application/pkcs7-mime",
				   g_bytes_get_data(receipt, NULL), g_bytes_get_size(receipt),
				   headers);
	}
}

static gchar *
hub_inbox_json(GPtrArray *messages, gint64 cursor)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	nhip_json_add_int(builder, "cursor", cursor);
	json_builder_set_member_name(builder, "messages");
	json_builder_begin_array(builder);
	for (guint i = 0; i < messages->len; i++) {
		NhipHubMessage *message = g_ptr_array_index(messages, i);
		g_autofree gchar *url = g_strconcat("/v1/messages/", message->msg_id, NULL);
		json_builder_begin_object(builder);
		nhip_json_add_int(builder, "cursor", message->cursor);
		nhip_json_add_string(builder, "id", message->msg_id);
		nhip_json_add_string(builder, "kind", message->kind);
		nhip_json_add_string(builder, "in_reply_to", message->in_reply_to);
		nhip_json_add_int(builder, "size", message->size);
		nhip_json_add_string(builder, "sha256", message->blob_sha256);
		nhip_json_add_string(builder, "url", url);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	return nhip_json_to_string(builder, FALSE);
}

static enum MHD_Result
hub_inbox_get(NhipHubService *self, struct MHD_Connection *conn, HubRequest *req)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) messages = NULL;
	const gchar *after_text = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "after");
	const gchar *wait_text = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "wait");
	gint64 after = 0;
	gint64 wait = NHIP_HUB_INBOX_WAIT_MAX;
	gint64 deadline;
	g_autofree gchar *json = NULL;

	if ((after_text != NULL && !nhip_tus_parse_size(after_text, "after", &after, &error)) ||
	    (wait_text != NULL && !nhip_tus_parse_size(wait_text, "wait", &wait, &error)))
		return hub_respond_error(conn, MHD_HTTP_BAD_REQUEST, "bad-request", error->message,
					 NULL);
	deadline = g_get_monotonic_time() + MIN(wait, NHIP_HUB_INBOX_WAIT_MAX) * G_USEC_PER_SEC;
	for (;;) {
		messages = nhip_hub_db_message_list(self->db, req->station, after, 100, &error);
		if (messages == NULL)
			return hub_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "hub-storage",
						 "try again later", NULL);
		if (messages->len > 0 || g_get_monotonic_time() >= deadline)
			break;
		g_clear_pointer(&messages, g_ptr_array_unref);
		/* woken by a reply made in this process, or look again each second for one
		 * made by another (`nhip-hub reply`, a second hub process) */
		g_mutex_lock(&self->inbox_lock);
		if (!self->stopping)
			g_cond_wait_until(&self->inbox_cond, &self->inbox_lock,
					  MIN(deadline, g_get_monotonic_time() + G_USEC_PER_SEC));
		g_mutex_unlock(&self->inbox_lock);
		if (self->stopping)
			return hub_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "stopping",
						 "the hub is stopping; ask again", NULL);
	}
	if (messages->len > 0) {
		NhipHubMessage *last = g_ptr_array_index(messages, messages->len - 1);
		after = last->cursor;
	}
	json = hub_inbox_json(messages, after);
	return hub_respond(conn, MHD_HTTP_OK, "application/json", json, strlen(json), NULL);
}

/* "bytes=N-" or "bytes=N-M"; anything else is ignored and the whole body sent */
static gboolean
hub_parse_range(const gchar *text, gsize size, gsize *from, gsize *to)
{
	g_auto(GStrv) parts = NULL;
	guint64 a = 0;
	guint64 b = size > 0 ? size - 1 : 0;

	if (text == NULL || !g_str_has_prefix(text, "bytes=") || size == 0)
		return FALSE;
	parts = g_strsplit(text + 6, "-", 2);
	if (g_strv_length(parts) != 2 ||
	    !g_ascii_string_to_unsigned(parts[0], 10, 0, size - 1, &a, NULL))
		return FALSE;
	if (parts[1][0] != '\0' &&
	    !g_ascii_string_to_unsigned(parts[1], 10, a, G_MAXUINT64, &b, NULL))
		return FALSE;
	*from = a;
	*to = MIN(b, size - 1);
	return TRUE;
}

static enum MHD_Result
hub_message_get(NhipHubService *self,
		struct MHD_Connection *conn,
		HubRequest *req,
		const gchar *msg_id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipHubMessage) message = NULL;
	g_autoptr(GBytes) bytes = NULL;
	gsize size;
	gsize from = 0;
	gsize to = 0;
	const guint8 *data;

	message = nhip_hub_db_message_get(self->db, req->station, msg_id, &error);
	if (message == NULL)
		return hub_respond_error(conn, MHD_HTTP_NOT_FOUND, "not-found", "no such message",
					 NULL);
	bytes = nhip_hub_blob_get(self->dir, message->blob_sha256, &error);
	if (bytes == NULL) {
		g_warning("cannot read message %s: %s", msg_id, error->message);
		return hub_respond_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "hub-storage",
					 "try again later", NULL);
	}
	data = g_bytes_get_data(bytes, &size);
	if (hub_parse_range(hub_header(conn, "Range"), size, &from, &to)) {
		g_autofree gchar *range = g_strdup_printf("bytes %zu-%zu/%zu", from, to, size);
		const gchar *headers[] = { "Content-Range", range, "Accept-Ranges", "bytes", NULL };
		return hub_respond(conn, MHD_HTTP_PARTIAL_CONTENT, "application/pkcs7-mime",
				   data + from, to - from + 1, headers);
	}
	{
		const gchar *headers[] = { "Accept-Ranges", "bytes", NULL };
		return hub_respond(conn, MHD_HTTP_OK, "application/pkcs7-mime", data, size,
				   headers);
	}
}

/* ----- enrollment ----- */

static enum MHD_Result
hub_enroll(NhipHubService *self, struct MHD_Connection *conn, HubRequest *req)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) csr = NULL;
	g_autoptr(GBytes) bundle = NULL;
	JsonObject *object;
	const gchar *token;
	const gchar *csr_pem;
	gchar peer[64] = { 0 };

	if (req->too_large)
		return hub_respond_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "too-large",
					 "the request is too large", NULL);
	if (!json_parser_load_from_data(parser, (const gchar *)req->body->data,
					(gssize)req->body->len, &error) ||
	    json_parser_get_root(parser) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		return hub_respond_error(conn, MHD_HTTP_BAD_REQUEST, "bad-request",
					 "the body must be a JSON object {\"token\", \"csr\"}",
					 NULL);
	object = json_node_get_object(json_parser_get_root(parser));
	token = nhip_json_member_string(object, "token");
	csr_pem = nhip_json_member_string(object, "csr");
	if (token == NULL || csr_pem == NULL)
		return hub_respond_error(conn, MHD_HTTP_BAD_REQUEST, "bad-request",
					 "the body needs \"token\" and \"csr\"", NULL);
	csr = g_bytes_new(csr_pem, strlen(csr_pem));
	bundle = nhip_ca_enroll(self->dir, token, csr, &error);
	if (bundle == NULL) {
		gboolean token_problem = error->domain == NHIP_IDENTITY_ERROR &&
					 (error->code == NHIP_IDENTITY_ERROR_TOKEN_UNKNOWN ||
					  error->code == NHIP_IDENTITY_ERROR_TOKEN_USED ||
					  error->code == NHIP_IDENTITY_ERROR_TOKEN_EXPIRED);
		gboolean bad_input = error->domain == NHIP_IDENTITY_ERROR &&
				     error->code == NHIP_IDENTITY_ERROR_INVALID;
		/* the token itself is a secret: never logged */
		g_message("refused enrollment from %s: %s",
			  nhip_hub_http_peer(conn, peer, sizeof(peer)), error->message);
		return hub_respond_error(conn,
					 token_problem ? MHD_HTTP_FORBIDDEN
					 : bad_input   ? MHD_HTTP_BAD_REQUEST
						       : MHD_HTTP_INTERNAL_SERVER_ERROR,
					 token_problem ? "bad-token"
					 : bad_input   ? "bad-request"
						       : "hub-failure",
					 error->message, NULL);
	}
	g_message("enrolled a station from %s", nhip_hub_http_peer(conn, peer, sizeof(peer)));
	return hub_respond(conn, MHD_HTTP_OK, "application/json", g_bytes_get_data(bundle, NULL),
			   g_bytes_get_size(bundle), NULL);
}

/* ----- live consultations ----- */

static enum MHD_Result
hub_live(NhipHubService *self,
	 struct MHD_Connection *conn,
	 HubRequest *req,
	 const gchar *url,
	 const gchar *method)
{
	g_auto(NhipHubLiveReply) reply = { 0 };
	g_autofree gchar *who = g_strconcat("station:", req->station, NULL);
	NhipHubLiveCaller caller = { who, req->station };
	g_auto(GStrv) parts = g_strsplit(url, "/", 7);
	guint n = g_strv_length(parts);
	gboolean get = g_strcmp0(method, "GET") == 0;
	gboolean post = g_strcmp0(method, "POST") == 0;
	const gchar *body = (const gchar *)req->body->data;
	gboolean allowed = TRUE;

	/* "", "v1", "live", "sessions", ID, "events" */
	if (req->too_large)
		return hub_respond_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "too-large",
					 "the request is too large", NULL);
	if (n == 4 && g_strcmp0(parts[3], "invites") == 0) {
		allowed = get;
		if (get)
			nhip_hub_live_invites(
				self->live, &caller,
				MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "wait"),
				&reply);
	} else if (n == 4 && g_strcmp0(parts[3], "sessions") == 0) {
		allowed = post;
		if (post)
			nhip_hub_live_open_for_station(self->live, &caller, body, req->body->len,
						       &reply);
	} else if ((n == 5 || (n == 6 && g_strcmp0(parts[5], "events") == 0)) &&
		   g_strcmp0(parts[3], "sessions") == 0) {
		allowed = nhip_hub_live_session_request(
			self->live, &caller, method, parts[4], n == 6,
			MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "after"),
			MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "wait"), body,
			req->body->len, &reply);
	} else {
		return hub_respond_error(conn, MHD_HTTP_NOT_FOUND, "not-found", "no such resource",
					 NULL);
	}
	if (!allowed)
		return hub_respond_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method",
					 "method not allowed here", NULL);
	if (reply.body == NULL)
		return hub_respond(conn, reply.status, NULL, "", 0, NULL);
	return hub_respond(conn, reply.status, "application/json", reply.body, strlen(reply.body),
			   NULL);
}

/* ----- dispatch ----- */

static gboolean
hub_route(const gchar *url, const gchar *prefix, const gchar **rest)
{
	if (!g_str_has_prefix(url, prefix))
		return FALSE;
	*rest = url + strlen(prefix);
	return **rest != '\0' && strchr(*rest, '/') == NULL;
}

static enum MHD_Result
hub_dispatch(NhipHubService *self,
	     struct MHD_Connection *conn,
	     HubRequest *req,
	     const gchar *url,
	     const gchar *method)
{
	const gchar *rest = NULL;
	gchar peer[64] = { 0 };

	if (g_strcmp0(url, "/v1/enroll") == 0) {
		if (g_strcmp0(method, "POST") != 0)
			return hub_respond_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method",
						 "use POST", NULL);
		return hub_enroll(self, conn, req);
	}
	if (req->station == NULL) {
		g_message("refused %s %s from %s: %s (%s)", method, url,
			  nhip_hub_http_peer(conn, peer, sizeof(peer)), req->refusal,
			  req->refusal_detail != NULL ? req->refusal_detail : "");
		return hub_respond_error(conn, MHD_HTTP_FORBIDDEN, req->refusal,
					 req->refusal_detail != NULL
						 ? req->refusal_detail
						 : "a station certificate is required",
					 NULL);
	}
	if (g_strcmp0(url, "/v1/uploads") == 0) {
		if (g_strcmp0(method, "POST") == 0)
			return hub_upload_create(self, conn, req);
		if (g_strcmp0(method, "OPTIONS") == 0) {
			g_autofree gchar *max = g_strdup_printf("%d", NHIP_TUS_MAX_LENGTH);
			const gchar *headers[] = { "Tus-Resumable",
						   NHIP_TUS_VERSION,
						   "Tus-Version",
						   NHIP_TUS_VERSION,
						   "Tus-Extension",
						   NHIP_TUS_EXTENSIONS,
						   "Tus-Max-Size",
						   max,
						   "Tus-Checksum-Algorithm",
						   "sha256",
						   NULL };
			return hub_respond(conn, MHD_HTTP_NO_CONTENT, NULL, "", 0, headers);
		}
	} else if (hub_route(url, "/v1/uploads/", &rest)) {
		if (g_strcmp0(method, "HEAD") == 0)
			return hub_upload_head(self, conn, req, rest);
		if (g_strcmp0(method, "PATCH") == 0)
			return hub_upload_patch(self, conn, req, rest);
	} else if (hub_route(url, "/v1/receipts/", &rest)) {
		if (g_strcmp0(method, "GET") == 0)
			return hub_receipt_get(self, conn, req, rest);
	} else if (g_strcmp0(url, "/v1/inbox") == 0) {
		if (g_strcmp0(method, "GET") == 0)
			return hub_inbox_get(self, conn, req);
	} else if (hub_route(url, "/v1/messages/", &rest)) {
		if (g_strcmp0(method, "GET") == 0)
			return hub_message_get(self, conn, req, rest);
	} else if (g_str_has_prefix(url, "/v1/live/")) {
		return hub_live(self, conn, req, url, method);
	} else {
		return hub_respond_error(conn, MHD_HTTP_NOT_FOUND, "not-found", "no such resource",
					 NULL);
	}
	return hub_respond_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method",
				 "method not allowed here", NULL);
}

static enum MHD_Result
hub_answer(void *cls,
	   struct MHD_Connection *conn,
	   const char *url,
	   const char *method,
	   const char *version,
	   const char *upload_data,
	   size_t *upload_data_size,
	   void **req_cls)
{
	NhipHubService *self = cls;
	HubRequest *req = *req_cls;

	if (req == NULL) {
		req = g_new0(HubRequest, 1);
		req->body = g_byte_array_new();
		if (g_strcmp0(method, "PATCH") == 0)
			req->limit = NHIP_TUS_MAX_PATCH;
		else if (g_strcmp0(url, "/v1/enroll") == 0)
			req->limit = HUB_MAX_ENROLL_BODY;
		else if (g_str_has_prefix(url, "/v1/live/"))
			req->limit = NHIP_HUB_LIVE_BODY_MAX;
		if (g_strcmp0(url, "/v1/enroll") != 0)
			hub_identify(self, conn, req);
		*req_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/* a refused client's body is read and dropped, not kept */
		if (req->body->len + *upload_data_size > req->limit)
			req->too_large = TRUE;
		else if (req->station != NULL || g_strcmp0(url, "/v1/enroll") == 0)
			g_byte_array_append(req->body, (const guint8 *)upload_data,
					    (guint)*upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return hub_dispatch(self, conn, req, url, method);
}

static void
hub_completed(void *cls,
	      struct MHD_Connection *conn,
	      void **req_cls,
	      enum MHD_RequestTerminationCode toe)
{
	if (*req_cls != NULL)
		hub_request_free(*req_cls);
	*req_cls = NULL;
}

/* ----- life cycle ----- */

static gchar *
hub_read_text(const gchar *path, GError **error)
{
	gchar *text = NULL;
	if (!g_file_get_contents(path, &text, NULL, error))
		return NULL;
	return text;
}

/**
 * nhip_hub_service_new:
 * @hub_dir: the hub folder made by `nhip-hub init`
 * @db: the hub database (kept, not owned; must outlive the service)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the service, not yet listening
 */
NhipHubService *
nhip_hub_service_new(const gchar *hub_dir, NhipHubDb *db, GError **error)
{
	g_autoptr(NhipHubService) self = g_new0(NhipHubService, 1);
	g_autofree gchar *key_path = nhip_ca_path(hub_dir, NHIP_CA_FILE_TLS_KEY);
	g_autofree gchar *cert_path = nhip_ca_path(hub_dir, NHIP_CA_FILE_TLS_CERT);
	g_autofree gchar *ca_path = nhip_ca_path(hub_dir, NHIP_CA_FILE_CA_CERT);

	g_mutex_init(&self->finish_lock);
	g_mutex_init(&self->inbox_lock);
	g_cond_init(&self->inbox_cond);
	self->dir = g_strdup(hub_dir);
	self->db = db;
	self->uploads_dir = g_build_filename(hub_dir, "uploads", NULL);
	if (g_mkdir_with_parents(self->uploads_dir, 0700) != 0) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_STORAGE,
			    _("cannot create the folder %s: %s"), self->uploads_dir,
			    g_strerror(errno));
		return NULL;
	}
	self->tls_key_pem = hub_read_text(key_path, error);
	if (self->tls_key_pem == NULL)
		return NULL;
	self->tls_cert_pem = hub_read_text(cert_path, error);
	if (self->tls_cert_pem == NULL)
		return NULL;
	self->ca_pem = hub_read_text(ca_path, error);
	if (self->ca_pem == NULL)
		return NULL;
	self->trust = nhip_hub_trust_new(hub_dir, error);
	if (self->trust == NULL)
		return NULL;
	self->ingest = nhip_hub_ingest_new(hub_dir, db, self->trust, error);
	if (self->ingest == NULL)
		return NULL;
	self->live = nhip_hub_live_new(hub_dir, db);
	return g_steal_pointer(&self);
}

/**
 * nhip_hub_parse_listen:
 * @listen: ADDR:PORT
 * @out: (out): the socket address
 * @out_len: (out): its length
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @listen is an IP address and a port
 */
gboolean
nhip_hub_parse_listen(const gchar *listen,
		      struct sockaddr_storage *out,
		      gsize *out_len,
		      GError **error)
{
	g_autoptr(GSocketConnectable) connectable = NULL;
	g_autoptr(GInetAddress) address = NULL;
	g_autoptr(GSocketAddress) socket_address = NULL;
	const gchar *host;
	guint16 port;

	connectable = g_network_address_parse(listen, 8443, error);
	if (connectable == NULL)
		return FALSE;
	host = g_network_address_get_hostname(G_NETWORK_ADDRESS(connectable));
	port = g_network_address_get_port(G_NETWORK_ADDRESS(connectable));
	address = g_inet_address_new_from_string(host);
	if (address == NULL) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
			    _("--listen needs an IP address and a port, like 0.0.0.0:8443, not "
			      "“%s”"),
			    listen);
		return FALSE;
	}
	socket_address = g_inet_socket_address_new(address, port);
	*out_len = (gsize)g_socket_address_get_native_size(socket_address);
	return g_socket_address_to_native(socket_address, out, sizeof(*out), error);
}

/**
 * nhip_hub_service_start:
 * @self: the service
 * @listen: ADDR:PORT; port 0 picks a free one (see nhip_hub_service_get_port())
 * @error: return location for a #GError
 *
 * Returns: %TRUE when listening
 */
gboolean
nhip_hub_service_start(NhipHubService *self, const gchar *listen, GError **error)
{
	struct sockaddr_storage address = { 0 };
	gsize address_len = 0;
	guint flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		      MHD_USE_POLL | MHD_USE_TLS | MHD_USE_ERROR_LOG;

	if (!nhip_hub_parse_listen(listen, &address, &address_len, error))
		return FALSE;
	if (address.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	self->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, hub_answer, self, MHD_OPTION_SOCK_ADDR, &address,
		MHD_OPTION_HTTPS_MEM_KEY, self->tls_key_pem, MHD_OPTION_HTTPS_MEM_CERT,
		self->tls_cert_pem, MHD_OPTION_HTTPS_MEM_TRUST, self->ca_pem,
		MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)2000, MHD_OPTION_NOTIFY_COMPLETED, hub_completed, self,
		MHD_OPTION_EXTERNAL_LOGGER, nhip_hub_http_log, (void *)"stations", MHD_OPTION_END);
	if (self->daemon == NULL) {
		g_set_error(
			error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_FAILED,
			_("cannot listen on %s (is the port in use, or the TLS key unreadable?)"),
			listen);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hub_service_wake_inbox:
 * @self: the service
 *
 * Wakes the stations' long-polls: a reply was put in an inbox.
 */
void
nhip_hub_service_wake_inbox(NhipHubService *self)
{
	g_mutex_lock(&self->inbox_lock);
	g_cond_broadcast(&self->inbox_cond);
	g_mutex_unlock(&self->inbox_lock);
}

static void
hub_on_reply(gpointer message, gpointer self)
{
	nhip_hub_service_wake_inbox(self);
}

/**
 * nhip_hub_service_start_web:
 * @self: the service
 * @listen: ADDR:PORT for the doctors' pages; port 0 picks a free one
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the pages are served
 */
gboolean
nhip_hub_service_start_web(NhipHubService *self, const gchar *listen, GError **error)
{
	g_return_val_if_fail(self->web == NULL, FALSE);

	self->web = nhip_hub_web_new(self->dir, self->db, self->ingest, error);
	if (self->web == NULL)
		return FALSE;
	nhip_hub_web_set_on_reply(self->web, hub_on_reply, self);
	nhip_hub_web_set_live(self->web, self->live);
	if (!nhip_hub_web_start(self->web, listen, error)) {
		g_clear_pointer(&self->web, nhip_hub_web_free);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_hub_service_get_web_port:
 * @self: the service
 *
 * Returns: the port of the doctors' pages, 0 when they are not served
 */
guint16
nhip_hub_service_get_web_port(NhipHubService *self)
{
	return self->web != NULL ? nhip_hub_web_get_port(self->web) : 0;
}

/**
 * nhip_hub_service_get_port:
 * @self: the service, started
 *
 * Returns: the port it listens on
 */
guint16
nhip_hub_service_get_port(NhipHubService *self)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(self->daemon, MHD_DAEMON_INFO_BIND_PORT);
	return info != NULL ? info->port : 0;
}

/**
 * nhip_hub_service_expire:
 * @self: the service
 *
 * Removes unfinished uploads past their expiry, with their partial files.
 */
void
nhip_hub_service_expire(NhipHubService *self)
{
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;

	nhip_hub_db_upload_expire(self->db, g_get_real_time() / G_USEC_PER_SEC, ids, &error);
	if (error != NULL) {
		g_warning("cannot expire old uploads: %s", error->message);
		return;
	}
	for (guint i = 0; i < ids->len; i++) {
		g_autofree gchar *part = hub_part_path(self, g_ptr_array_index(ids, i));
		g_unlink(part);
	}
	if (ids->len > 0)
		g_message("removed %u unfinished uploads past their expiry", ids->len);
}

/**
 * nhip_hub_service_expire_live:
 * @self: the service
 *
 * Ends the live sessions whose time is up (see nhip_hub_live_expire()).
 */
void
nhip_hub_service_expire_live(NhipHubService *self)
{
	nhip_hub_live_expire(self->live);
}

/**
 * nhip_hub_service_free:
 * @self: (nullable): the service; stops listening and waits for requests in progress
 */
void
nhip_hub_service_free(NhipHubService *self)
{
	if (self == NULL)
		return;
	g_mutex_lock(&self->inbox_lock);
	self->stopping = TRUE;
	g_cond_broadcast(&self->inbox_cond);
	g_mutex_unlock(&self->inbox_lock);
	if (self->live != NULL)
		nhip_hub_live_stop(self->live);
	if (self->daemon != NULL)
		MHD_stop_daemon(self->daemon);
	nhip_hub_web_free(self->web);
	nhip_hub_live_free(self->live);
	nhip_hub_ingest_free(self->ingest);
	nhip_hub_trust_free(self->trust);
	g_mutex_clear(&self->finish_lock);
	g_mutex_clear(&self->inbox_lock);
	g_cond_clear(&self->inbox_cond);
	g_free(self->tls_key_pem);
	g_free(self->tls_cert_pem);
	g_free(self->ca_pem);
	g_free(self->uploads_dir);
	g_free(self->dir);
	g_free(self);
}
