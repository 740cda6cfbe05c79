/*
 * Nhịp — staff PINs stored with a slow, salted key-derivation function.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean nhip_pin_check_format(const gchar *pin, GError **error);
gchar *nhip_pin_hash(const gchar *pin, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_pin_verify(const gchar *pin, const gchar *stored, gboolean *matches, GError **error);

G_END_DECLS
