/*
 * Nhịp — one packet's upload (tus 1.0 core + creation + checksum).
 *
 * Every attempt starts by learning the hub's offset (the answer to create, or HEAD on the
 * known URL): after a cut link, a killed process or a lost answer, the hub's offset is the
 * truth, and the upload goes on from the last acknowledged byte. A chunk the hub found
 * damaged (460) is sent again; a moved offset (409) is looked up again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "nhip-transport-error.h"
#include "nhip-tus.h"
#include "nhip-uploader.h"

/* how often one attempt deals with a damaged chunk or a moved offset before giving up */
#define UPLOAD_MAX_RESYNC 5

typedef struct {
	NhipHubLink *link;
	CURL *handle;
	const NhipOutboxPacket *packet;
	gchar *url;
	gint64 acked;
	gint64 sent;
	gboolean complete;
} Upload;

static gboolean
upload_read_offset(Upload *up, NhipHubResponse *response, GError **error)
{
	gint64 offset = 0;
	g_autoptr(GError) error_local = NULL;

	if (!nhip_tus_parse_size(nhip_hub_response_header(response, "upload-offset"),
				 "Upload-Offset", &offset, &error_local) ||
	    offset > up->packet->size) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
			    _("the hub's answer about packet %s has a bad offset: %s"),
			    up->packet->packet_id,
			    error_local != NULL ? error_local->message : _("past the end"));
		return FALSE;
	}
	up->acked = offset;
	up->complete = nhip_hub_response_header(response, "nhip-receipt") != NULL;
	return TRUE;
}

static gboolean
upload_create(Upload *up, GError **error)
{
	g_autofree gchar *length = g_strdup_printf("Upload-Length: %" PRId64, up->packet->size);
	g_autofree gchar *metadata_value = nhip_tus_build_metadata(
		"packet_id", up->packet->packet_id, "sha256", up->packet->sha256, NULL);
	g_autofree gchar *metadata = g_strconcat("Upload-Metadata: ", metadata_value, NULL);
	const gchar *headers[] = { "Tus-Resumable: " NHIP_TUS_VERSION, length, metadata, NULL };
	g_autoptr(NhipHubResponse) response = NULL;
	const gchar *location;

	response = nhip_hub_link_request(up->link, up->handle, "POST", "/v1/uploads", headers, NULL,
					 0, NULL, error);
	if (response == NULL || !nhip_hub_response_check(response, _("create the upload"), error))
		return FALSE;
	location = nhip_hub_response_header(response, "location");
	if (location == NULL || !g_str_has_prefix(location, "/v1/uploads/")) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
			    _("the hub created an upload for packet %s without a usable Location"),
			    up->packet->packet_id);
		return FALSE;
	}
	g_free(up->url);
	up->url = g_strdup(location);
	return upload_read_offset(up, response, error);
}

/* where does the upload stand? 404/410: gone, create it again */
static gboolean
upload_head(Upload *up, GError **error)
{
	const gchar *headers[] = { "Tus-Resumable: " NHIP_TUS_VERSION, NULL };
	g_autoptr(NhipHubResponse) response = NULL;
	g_autoptr(GError) error_local = NULL;

	response = nhip_hub_link_request(up->link, up->handle, "HEAD", up->url, headers, NULL, 0,
					 NULL, error);
	if (response == NULL)
		return FALSE;
	if (!nhip_hub_response_check(response, _("look up the upload"), &error_local)) {
		if (g_error_matches(error_local, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_GONE)) {
			g_info("upload of packet %s expired on the hub; starting it again",
			       up->packet->packet_id);
			return upload_create(up, error);
		}
		g_propagate_error(error, g_steal_pointer(&error_local));
		return FALSE;
	}
	return upload_read_offset(up, response, error);
}

static GBytes *
upload_read_chunk(Upload *up, gint fd, GError **error)
{
	gsize len = (gsize)MIN((gint64)NHIP_TUS_CHUNK_SIZE, up->packet->size - up->acked);
	g_autofree guint8 *buffer = g_malloc(len);
	gsize done = 0;

	while (done < len) {
		gssize n = pread(fd, buffer + done, len - done, up->acked + (gint64)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("cannot read the packet file %s: %s"), up->packet->path,
				    n < 0 ? g_strerror(errno) : _("it is shorter than queued"));
			return NULL;
		}
		done += (gsize)n;
	}
	return g_bytes_new_take(g_steal_pointer(&buffer), len);
}

static gboolean
upload_patch(Upload *up, GBytes *chunk, GError **error)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(chunk, &len);
	g_autofree gchar *offset = g_strdup_printf("Upload-Offset: %" PRId64, up->acked);
	g_autofree gchar *sum = nhip_tus_checksum_header(data, len);
	g_autofree gchar *checksum = g_strconcat("Upload-Checksum: ", sum, NULL);
	const gchar *headers[] = { "Tus-Resumable: " NHIP_TUS_VERSION,
				   "Content-Type: " NHIP_TUS_CONTENT_TYPE, offset, checksum, NULL };
	g_autoptr(NhipHubResponse) response = NULL;

	response = nhip_hub_link_request(up->link, up->handle, "PATCH", up->url, headers, data, len,
					 &up->sent, error);
	if (response == NULL || !nhip_hub_response_check(response, _("send a chunk"), error))
		return FALSE;
	return upload_read_offset(up, response, error);
}

static GBytes *
upload_receipt(Upload *up, gint64 *case_id, GError **error)
{
	g_autofree gchar *path = g_strconcat("/v1/receipts/", up->packet->packet_id, NULL);
	g_autoptr(NhipHubResponse) response = NULL;
	const gchar *case_text;

	response = nhip_hub_link_request(up->link, up->handle, "GET", path, NULL, NULL, 0, NULL,
					 error);
	if (response == NULL || !nhip_hub_response_check(response, _("fetch the receipt"), error))
		return NULL;
	case_text = nhip_hub_response_header(response, "nhip-case");
	*case_id = case_text != NULL ? g_ascii_strtoll(case_text, NULL, 10) : 0;
	return g_byte_array_free_to_bytes(g_byte_array_ref(response->body));
}

/**
 * nhip_upload_packet:
 * @link: the hub link
 * @handle: a reused curl handle
 * @packet: the queued packet (its upload URL, if any, is tried first)
 * @progress: (scope call): records each acknowledged chunk
 * @data: for @progress
 * @case_id: (out): the hub's case number
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR; see
 *   nhip_transport_error_is_retry())
 *
 * Sends what the hub does not have yet and fetches the receipt. The receipt is not
 * verified here.
 *
 * Returns: (transfer full) (nullable): the hub's receipt
 */
static GBytes *
upload_run(Upload *up, NhipUploadProgress progress, gpointer data, gint64 *case_id, GError **error)
{
	const NhipOutboxPacket *packet = up->packet;
	guint resyncs = 0;
	gboolean failed = FALSE;
	gint fd;

	if (up->url == NULL ? !upload_create(up, error) : !upload_head(up, error))
		return NULL;
	if (!progress(data, up->url, up->acked, up->sent, error))
		return NULL;
	fd = g_open(packet->path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0 && up->acked < packet->size && !up->complete) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
			    _("cannot open the packet file %s: %s"), packet->path,
			    g_strerror(errno));
		return NULL;
	}
	while (!failed && up->acked < packet->size && !up->complete) {
		g_autoptr(GBytes) chunk = upload_read_chunk(up, fd, error);
		g_autoptr(GError) error_local = NULL;

		if (chunk == NULL) {
			failed = TRUE;
		} else if (!upload_patch(up, chunk, &error_local)) {
			/* a damaged chunk or a moved offset: ask where we stand, go on */
			if (g_error_matches(error_local, NHIP_TRANSPORT_ERROR,
					    NHIP_TRANSPORT_ERROR_CONFLICT) &&
			    ++resyncs <= UPLOAD_MAX_RESYNC) {
				g_info("packet %s: %s; asking the hub where the upload stands",
				       packet->packet_id, error_local->message);
				failed = !upload_head(up, error);
			} else {
				/* keep the count of bytes sent, whatever happens */
				progress(data, up->url, up->acked, up->sent, NULL);
				g_propagate_error(error, g_steal_pointer(&error_local));
				failed = TRUE;
			}
		} else {
			failed = !progress(data, up->url, up->acked, up->sent, error);
		}
	}
	if (fd >= 0)
		close(fd);
	if (failed)
		return NULL;
	return upload_receipt(up, case_id, error);
}

/**
 * nhip_upload_packet:
 * @link: the hub link
 * @handle: a reused curl handle
 * @packet: the queued packet (its upload URL, if any, is tried first)
 * @progress: (scope call): records each acknowledged chunk
 * @data: for @progress
 * @case_id: (out): the hub's case number
 * @error: return location for a #GError (%NHIP_TRANSPORT_ERROR; see
 *   nhip_transport_error_is_retry())
 *
 * Sends what the hub does not have yet and fetches the receipt. The receipt is not
 * verified here.
 *
 * Returns: (transfer full) (nullable): the hub's receipt
 */
GBytes *
nhip_upload_packet(NhipHubLink *link,
		   CURL *handle,
		   const NhipOutboxPacket *packet,
		   NhipUploadProgress progress,
		   gpointer data,
		   gint64 *case_id,
		   GError **error)
{
	Upload up = { link, handle, packet, g_strdup(packet->upload_url), 0, packet->sent, FALSE };
	GBytes *receipt = upload_run(&up, progress, data, case_id, error);

	g_free(up.url);
	return receipt;
}
