/*
 * Nhịp — text folding for search: case, diacritics and Đ/đ.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar *nhip_text_fold(const gchar *text) G_GNUC_WARN_UNUSED_RESULT;
GStrv nhip_text_tokens(const gchar *text) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_text_normalize_name(const gchar *text) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
