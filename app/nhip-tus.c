/*
 * Nhịp — the tus 1.0 headers (https://tus.io/protocols/resumable-upload, core + creation +
 * checksum + expiration). Everything here reads text that came over the network, so it is
 * strict: a header that is not exactly what the protocol allows is an error, never a guess.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "nhip-transport-error.h"
#include "nhip-tus.h"

/**
 * nhip_tus_parse_size:
 * @text: (nullable): the header value, e.g. of Upload-Offset or Upload-Length
 * @header: the header's name, for the message
 * @value: (out): the number
 * @error: return location for a #GError
 *
 * Reads a non-negative decimal integer with no sign, spaces or leading zeros.
 *
 * Returns: %TRUE when @text is such a number
 */
gboolean
nhip_tus_parse_size(const gchar *text, const gchar *header, gint64 *value, GError **error)
{
	guint64 number = 0;
	gsize len;

	g_return_val_if_fail(header != NULL && value != NULL, FALSE);
	if (text == NULL) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
			    _("the %s header is missing"), header);
		return FALSE;
	}
	len = strlen(text);
	if (len == 0 || len > 18 || (len > 1 && text[0] == '0')) {
		g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
			    _("the %s header must be a whole number of bytes"), header);
		return FALSE;
	}
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isdigit(text[i])) {
			g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the %s header must be a whole number of bytes"), header);
			return FALSE;
		}
		number = number * 10 + (guint64)(text[i] - '0');
	}
	*value = (gint64)number;
	return TRUE;
}

/* standard base64 with padding, nothing else: g_base64_decode() skips junk silently */
static GBytes *
tus_base64_decode(const gchar *text, gsize len)
{
	g_autofree gchar *copy = NULL;
	guchar *data;
	gsize out_len = 0;
	gsize pad = 0;

	if (len % 4 != 0)
		return NULL;
	for (gsize i = 0; i < len; i++) {
		gchar c = text[i];
		if (c == '=') {
			/* padding only at the end, at most two */
			if (i + 2 < len || (i + 1 < len && text[i + 1] != '='))
				return NULL;
			pad++;
		} else if (!g_ascii_isalnum(c) && c != '+' && c != '/') {
			return NULL;
		}
	}
	if (pad > 2)
		return NULL;
	if (len == 0)
		return g_bytes_new(NULL, 0);
	copy = g_strndup(text, len);
	data = g_base64_decode(copy, &out_len);
	return g_bytes_new_take(data, out_len);
}

static gboolean
tus_metadata_key_ok(const gchar *key, gsize len)
{
	if (len == 0 || len > 64)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(key[i]) && key[i] != '_' && key[i] != '-' && key[i] != '.')
			return FALSE;
	}
	return TRUE;
}

/**
 * nhip_tus_parse_metadata:
 * @text: the Upload-Metadata header: comma-separated `key base64value` pairs
 * @error: return location for a #GError
 *
 * Values must decode to UTF-8 text without control characters (ours only carry ids and
 * hashes). Keys are unique.
 *
 * Returns: (transfer full) (element-type utf8 utf8) (nullable): key → decoded value
 */
GHashTable *
nhip_tus_parse_metadata(const gchar *text, GError **error)
{
	g_autoptr(GHashTable) pairs =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_auto(GStrv) items = NULL;

	g_return_val_if_fail(text != NULL, NULL);
	if (strlen(text) > 4096) {
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the Upload-Metadata header is too long"));
		return NULL;
	}
	items = g_strsplit(text, ",", -1);
	for (guint i = 0; items[i] != NULL; i++) {
		const gchar *item = items[i];
		const gchar *space;
		gsize key_len;
		g_autoptr(GBytes) value = NULL;
		gsize value_len = 0;
		const gchar *value_data;

		while (*item == ' ')
			item++;
		space = strchr(item, ' ');
		key_len = space != NULL ? (gsize)(space - item) : strlen(item);
		if (!tus_metadata_key_ok(item, key_len)) {
			g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the Upload-Metadata header has a bad key in item %u"),
				    i + 1);
			return NULL;
		}
		if (space != NULL)
			value = tus_base64_decode(space + 1, strlen(space + 1));
		else
			value = g_bytes_new(NULL, 0);
		if (value == NULL) {
			g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the Upload-Metadata header has a value in item %u that is "
				      "not base64"),
				    i + 1);
			return NULL;
		}
		value_data = g_bytes_get_data(value, &value_len);
		if (!g_utf8_validate_len(value_data, value_len, NULL) ||
		    (value_len > 0 && memchr(value_data, '\0', value_len) != NULL)) {
			g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the Upload-Metadata header has a value in item %u that is "
				      "not text"),
				    i + 1);
			return NULL;
		}
		if (g_hash_table_contains(pairs, item) ||
		    !g_hash_table_insert(pairs, g_strndup(item, key_len),
					 g_strndup(value_data, value_len))) {
			g_set_error(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the Upload-Metadata header names a key twice"));
			return NULL;
		}
	}
	return g_steal_pointer(&pairs);
}

/**
 * nhip_tus_build_metadata:
 * @first_key: a key, followed by its text value, then more pairs, then %NULL
 *
 * Returns: (transfer full): the Upload-Metadata header value
 */
gchar *
nhip_tus_build_metadata(const gchar *first_key, ...)
{
	GString *out = g_string_new(NULL);
	va_list args;

	va_start(args, first_key);
	for (const gchar *key = first_key; key != NULL; key = va_arg(args, const gchar *)) {
		const gchar *value = va_arg(args, const gchar *);
		g_autofree gchar *encoded = g_base64_encode((const guchar *)value, strlen(value));
		if (out->len > 0)
			g_string_append_c(out, ',');
		g_string_append_printf(out, "%s %s", key, encoded);
	}
	va_end(args);
	return g_string_free(out, FALSE);
}

/**
 * nhip_tus_parse_checksum:
 * @text: the Upload-Checksum header, `sha256 <base64 of 32 bytes>`
 * @digest: (out caller-allocates): the SHA-256 it names
 * @error: return location for a #GError; %NHIP_TRANSPORT_ERROR_INVALID
 *
 * Returns: %TRUE for a well-formed sha256 checksum
 */
gboolean
nhip_tus_parse_checksum(const gchar *text, guint8 digest[32], GError **error)
{
	g_autoptr(GBytes) bytes = NULL;

	g_return_val_if_fail(text != NULL, FALSE);
	if (!g_str_has_prefix(text, "sha256 ")) {
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the Upload-Checksum header must use sha256"));
		return FALSE;
	}
	bytes = tus_base64_decode(text + 7, strlen(text + 7));
	if (bytes == NULL || g_bytes_get_size(bytes) != 32) {
		g_set_error_literal(error, NHIP_TRANSPORT_ERROR, NHIP_TRANSPORT_ERROR_INVALID,
				    _("the Upload-Checksum header does not hold a SHA-256 digest"));
		return FALSE;
	}
	memcpy(digest, g_bytes_get_data(bytes, NULL), 32);
	return TRUE;
}

/**
 * nhip_tus_checksum_header:
 * @data: a chunk
 * @len: its length
 *
 * Returns: (transfer full): the Upload-Checksum value for the chunk
 */
gchar *
nhip_tus_checksum_header(const guint8 *data, gsize len)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	guint8 digest[32] = { 0 };
	gsize digest_len = sizeof(digest);
	g_autofree gchar *encoded = NULL;

	g_checksum_update(sum, data, len);
	g_checksum_get_digest(sum, digest, &digest_len);
	encoded = g_base64_encode(digest, digest_len);
	return g_strconcat("sha256 ", encoded, NULL);
}

/**
 * nhip_tus_upload_id:
 * @station: the station code from its certificate
 * @packet_id: the packet id
 *
 * The hub names an upload after who sends what, so that a repeated creation (after a
 * lost 201) finds the same upload.
 *
 * Returns: (transfer full): 32 hex digits
 */
gchar *
nhip_tus_upload_id(const gchar *station, const gchar *packet_id)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

	g_checksum_update(sum, (const guchar *)station, (gssize)strlen(station) + 1);
	g_checksum_update(sum, (const guchar *)packet_id, -1);
	return g_strndup(g_checksum_get_string(sum), 32);
}

/**
 * nhip_tus_is_sha256_hex:
 * @text: (nullable): text
 *
 * Returns: %TRUE for 64 lower-case hex digits
 */
gboolean
nhip_tus_is_sha256_hex(const gchar *text)
{
	if (text == NULL || strlen(text) != 64)
		return FALSE;
	for (guint i = 0; i < 64; i++) {
		if (!g_ascii_isxdigit(text[i]) || g_ascii_isupper(text[i]))
			return FALSE;
	}
	return TRUE;
}

/**
 * nhip_tus_is_packet_id:
 * @text: (nullable): text
 *
 * Returns: %TRUE for a UUID in lower case, the form packet ids take
 */
gboolean
nhip_tus_is_packet_id(const gchar *text)
{
	if (text == NULL || !g_uuid_string_is_valid(text))
		return FALSE;
	for (const gchar *p = text; *p != '\0'; p++) {
		if (g_ascii_isupper(*p))
			return FALSE;
	}
	return TRUE;
}
