/*
 * Nhịp — small helpers for writing records as JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "nhip-json.h"

/**
 * nhip_json_add_string:
 * @builder: a builder inside an object
 * @name: member name
 * @value: (nullable): the value; %NULL is written as null
 */
void
nhip_json_add_string(JsonBuilder *builder, const gchar *name, const gchar *value)
{
	json_builder_set_member_name(builder, name);
	if (value != NULL)
		json_builder_add_string_value(builder, value);
	else
		json_builder_add_null_value(builder);
}

/**
 * nhip_json_add_int:
 * @builder: a builder inside an object
 * @name: member name
 * @value: the value
 */
void
nhip_json_add_int(JsonBuilder *builder, const gchar *name, gint64 value)
{
	json_builder_set_member_name(builder, name);
	json_builder_add_int_value(builder, value);
}

/**
 * nhip_json_add_double:
 * @builder: a builder inside an object
 * @name: member name
 * @value: the value; NAN is written as null
 */
void
nhip_json_add_double(JsonBuilder *builder, const gchar *name, gdouble value)
{
	json_builder_set_member_name(builder, name);
	if (isnan(value))
		json_builder_add_null_value(builder);
	else
		json_builder_add_double_value(builder, value);
}

/**
 * nhip_format_time:
 * @unix_time: seconds since the epoch, or 0 for none
 *
 * Returns: (transfer full) (nullable): ISO 8601 local time with offset, %NULL for 0
 */
gchar *
nhip_format_time(gint64 unix_time)
{
	g_autoptr(GDateTime) dt = NULL;

	if (unix_time == 0)
		return NULL;
	dt = g_date_time_new_from_unix_local(unix_time);
	if (dt == NULL)
		return NULL;
	return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S%:z");
}

/**
 * nhip_json_add_time:
 * @builder: a builder inside an object
 * @name: member name
 * @unix_time: seconds since the epoch; 0 is written as null
 */
void
nhip_json_add_time(JsonBuilder *builder, const gchar *name, gint64 unix_time)
{
	g_autofree gchar *text = nhip_format_time(unix_time);
	nhip_json_add_string(builder, name, text);
}

/**
 * nhip_json_to_string:
 * @builder: a builder holding a complete value
 * @pretty: indent the output
 *
 * Returns: (transfer full): the JSON text
 */
gchar *
nhip_json_to_string(JsonBuilder *builder, gboolean pretty)
{
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(builder);

	json_generator_set_pretty(generator, pretty);
	json_generator_set_root(generator, root);
	return json_generator_to_data(generator, NULL);
}
