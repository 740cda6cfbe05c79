/*
 * Nhịp — reading members of JSON objects that came from outside: a member of the wrong
 * type is treated as missing, never as a programming error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

const gchar *nhip_json_member_string(JsonObject *object, const gchar *name);
gint64 nhip_json_member_int(JsonObject *object, const gchar *name, gint64 fallback);

G_END_DECLS
