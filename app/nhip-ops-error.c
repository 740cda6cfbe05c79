/*
 * Nhịp — the error domain of the appliance operations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <stdio.h>
#include <string.h>

#include "nhip-ops-error.h"

G_DEFINE_QUARK(nhip - ops - error - quark, nhip_ops_error)

/**
 * nhip_ops_journal_wanted:
 *
 * The structured entries of backups, restores, updates and status checks are for the
 * journal; on a technician's terminal the command prints its own lines instead.
 *
 * Returns: %TRUE when standard error goes to journald (a systemd unit)
 */
gboolean
nhip_ops_journal_wanted(void)
{
	return g_log_writer_is_journald(fileno(stderr));
}

/**
 * nhip_ops_is_sha256_hex:
 * @text: (nullable): text
 *
 * Returns: %TRUE for 64 lower-case hex digits
 */
gboolean
nhip_ops_is_sha256_hex(const gchar *text)
{
	if (text == NULL || strlen(text) != 64)
		return FALSE;
	for (gsize i = 0; i < 64; i++) {
		if (!g_ascii_isdigit(text[i]) && !(text[i] >= 'a' && text[i] <= 'f'))
			return FALSE;
	}
	return TRUE;
}

/**
 * nhip_ops_openssl_fail:
 * @error: return location for a #GError
 * @code: a #NhipOpsError
 * @what: what failed, for a person
 *
 * Sets @error to @what followed by OpenSSL's own reasons, and empties OpenSSL's queue.
 *
 * Returns: %FALSE
 */
gboolean
nhip_ops_openssl_fail(GError **error, gint code, const gchar *what)
{
	g_autoptr(GString) detail = g_string_new(NULL);
	gulong e;

	while ((e = ERR_get_error()) != 0) {
		gchar buf[256];
		ERR_error_string_n(e, buf, sizeof(buf));
		if (detail->len > 0)
			g_string_append(detail, "; ");
		g_string_append(detail, buf);
	}
	if (detail->len == 0)
		g_set_error_literal(error, NHIP_OPS_ERROR, code, what);
	else
		g_set_error(error, NHIP_OPS_ERROR, code, "%s (%s)", what, detail->str);
	return FALSE;
}

/**
 * nhip_ops_parse_object:
 * @parser: a parser, which keeps the document
 * @json: a manifest read from a USB stick
 * @max: the largest size accepted
 * @why: (out) (transfer full): why it is not a JSON object, for a person
 *
 * Returns: (transfer none) (nullable): the top-level object of @json: UTF-8 without NUL
 *   bytes, at most @max bytes
 */
JsonObject *
nhip_ops_parse_object(JsonParser *parser, GBytes *json, gsize max, gchar **why)
{
	g_autoptr(GError) error = NULL;
	gsize length = 0;
	const gchar *data = g_bytes_get_data(json, &length);
	JsonNode *root;

	*why = NULL;
	if (length == 0 || length > max || !g_utf8_validate(data, (gssize)length, NULL) ||
	    memchr(data, 0, length) != NULL) {
		*why = g_strdup(_("it is not UTF-8 text"));
		return NULL;
	}
	if (!json_parser_load_from_data(parser, data, (gssize)length, &error)) {
		*why = g_strdup(error->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		*why = g_strdup(_("it is not a JSON object"));
		return NULL;
	}
	return json_node_get_object(root);
}

/**
 * nhip_ops_json_bytes:
 * @builder: a builder holding a complete value
 *
 * Returns: (transfer full): the value as indented UTF-8 JSON
 */
GBytes *
nhip_ops_json_bytes(JsonBuilder *builder)
{
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(builder);
	gsize length = 0;
	gchar *text;

	json_generator_set_root(generator, root);
	json_generator_set_pretty(generator, TRUE);
	text = json_generator_to_data(generator, &length);
	return g_bytes_new_take(text, length);
}

/**
 * nhip_ops_format_time:
 * @time: a time
 *
 * Returns: (transfer full): @time in UTC as ISO 8601 with a four-digit year, the way the
 *   manifests write it ("%Y" would write the year 618 as "618", which does not read back)
 */
gchar *
nhip_ops_format_time(GDateTime *time)
{
	g_autoptr(GDateTime) utc = g_date_time_to_utc(time);
	return g_date_time_format(utc, "%C%y-%m-%dT%H:%M:%SZ");
}
