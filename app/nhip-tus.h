/*
 * Nhịp — the tus 1.0 resumable-upload headers both ends speak: sizes and offsets,
 * Upload-Metadata, Upload-Checksum. Pure text handling, no I/O; fuzzed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NHIP_TUS_VERSION    "1.0.0"
#define NHIP_TUS_EXTENSIONS "creation,checksum,expiration"
/* a PATCH body carries at most this much; the station sends exactly this much */
#define NHIP_TUS_CHUNK_SIZE (256 * 1024)
/* the hub refuses bigger packets: the CMS layer holds a packet in memory */
#define NHIP_TUS_MAX_LENGTH (20 * 1024 * 1024)
/* the most a hub buffers for one PATCH: a chunk and some slack for other clients */
#define NHIP_TUS_MAX_PATCH    (4 * NHIP_TUS_CHUNK_SIZE)
#define NHIP_TUS_CONTENT_TYPE "application/offset+octet-stream"

gboolean nhip_tus_parse_size(const gchar *text, const gchar *header, gint64 *value, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;
GHashTable *nhip_tus_parse_metadata(const gchar *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_tus_build_metadata(const gchar *first_key, ...) G_GNUC_NULL_TERMINATED;
gboolean nhip_tus_parse_checksum(const gchar *text,
				 guint8 digest[32],
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_tus_checksum_header(const guint8 *data, gsize len) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_tus_upload_id(const gchar *station, const gchar *packet_id) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_tus_is_sha256_hex(const gchar *text);
gboolean nhip_tus_is_packet_id(const gchar *text);

G_END_DECLS
