/*
 * Nhịp — reading members of JSON objects that came from outside.
 *
 * json-glib's json_object_get_*_member_with_default() treat a member of another type
 * (an object where a string was expected) as a programming error; input from a station,
 * a hub or a browser must not be able to cause one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-json-member.h"

/**
 * nhip_json_member_string:
 * @object: an object parsed from outside input
 * @name: the member
 *
 * Returns: (transfer none) (nullable): the member's string, or %NULL when it is missing
 *   or not a string
 */
const gchar *
nhip_json_member_string(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);

	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

/**
 * nhip_json_member_int:
 * @object: an object parsed from outside input
 * @name: the member
 * @fallback: what to return when the member is missing or not an integer
 *
 * Returns: the member's integer, or @fallback
 */
gint64
nhip_json_member_int(JsonObject *object, const gchar *name, gint64 fallback)
{
	JsonNode *node = json_object_get_member(object, name);

	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_INT64)
		return fallback;
	return json_node_get_int(node);
}
