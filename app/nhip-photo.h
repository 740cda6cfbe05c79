/*
 * Nhịp — photos re-encoded for a case packet: JPEG, long edge at most 1600 px, quality
 * 80, turned upright, metadata (EXIF, GPS, comments) dropped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

#define NHIP_PHOTO_MAX_EDGE 1600
#define NHIP_PHOTO_QUALITY  80
/* what a photo file may be before it is decoded, and how many pixels it may hold */
#define NHIP_PHOTO_MAX_FILE_SIZE (40 * 1024 * 1024)
#define NHIP_PHOTO_MAX_PIXELS	 (100 * 1000 * 1000)

/**
 * NhipPhotoFormat:
 * @NHIP_PHOTO_FORMAT_NONE: neither
 * @NHIP_PHOTO_FORMAT_JPEG: a JPEG file (FF D8 FF)
 * @NHIP_PHOTO_FORMAT_PNG: a PNG file (89 50 4E 47 0D 0A 1A 0A)
 */
typedef enum {
	NHIP_PHOTO_FORMAT_NONE,
	NHIP_PHOTO_FORMAT_JPEG,
	NHIP_PHOTO_FORMAT_PNG,
} NhipPhotoFormat;

NhipPhotoFormat nhip_photo_sniff(const guint8 *data, gsize len);
GdkPixbuf *
nhip_photo_decode(GBytes *input, guint max_edge, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_photo_reencode(GBytes *input, guint max_edge, guint quality, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_photo_reencode_file(const gchar *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
