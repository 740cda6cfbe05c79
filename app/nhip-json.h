/*
 * Nhịp — small helpers for writing records as JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void nhip_json_add_string(JsonBuilder *builder, const gchar *name, const gchar *value);
void nhip_json_add_int(JsonBuilder *builder, const gchar *name, gint64 value);
void nhip_json_add_double(JsonBuilder *builder, const gchar *name, gdouble value);
void nhip_json_add_time(JsonBuilder *builder, const gchar *name, gint64 unix_time);
gchar *nhip_format_time(gint64 unix_time) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_json_to_string(JsonBuilder *builder, gboolean pretty) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
