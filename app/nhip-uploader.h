/*
 * Nhịp — delivering one sealed packet to the hub with tus 1.0: create (idempotent by
 * packet id), ask where the upload stands, send 256 KiB chunks with checksums, fetch the
 * signed receipt.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-hub-link.h"
#include "nhip-store-packets.h"

G_BEGIN_DECLS

/**
 * NhipUploadProgress:
 * @data: the caller's data
 * @upload_url: the upload's URL on the hub
 * @acked: bytes the hub has acknowledged
 * @sent: bytes put on the wire for this packet so far (resends included)
 * @error: return location for a #GError
 *
 * Called after every acknowledged chunk, to record progress durably.
 *
 * Returns: %FALSE to stop (with @error set)
 */
typedef gboolean (*NhipUploadProgress)(gpointer data,
				       const gchar *upload_url,
				       gint64 acked,
				       gint64 sent,
				       GError **error);

GBytes *nhip_upload_packet(NhipHubLink *link,
			   CURL *handle,
			   const NhipOutboxPacket *packet,
			   NhipUploadProgress progress,
			   gpointer data,
			   gint64 *case_id,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
