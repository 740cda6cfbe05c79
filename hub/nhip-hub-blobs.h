/*
 * Nhịp hub — the content-addressed blob store: blobs/ab/cd/<sha256>, written durably.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar *nhip_hub_blob_path(const gchar *hub_dir, const gchar *sha256) G_GNUC_WARN_UNUSED_RESULT;
gchar *
nhip_hub_blob_put(const gchar *hub_dir, GBytes *data, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
nhip_hub_blob_adopt(const gchar *hub_dir, const gchar *path, const gchar *sha256, GError **error);
GBytes *nhip_hub_blob_get(const gchar *hub_dir,
			  const gchar *sha256,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_sha256_hex(GBytes *data) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
