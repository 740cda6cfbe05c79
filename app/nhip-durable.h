/*
 * Nhịp — files that survive a power cut: a file is whole or absent, never half written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean nhip_durable_write(const gchar *path, const guint8 *data, gsize len, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;
gboolean
nhip_durable_rename(const gchar *from, const gchar *to, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_durable_sync_dir(const gchar *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
