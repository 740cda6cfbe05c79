/*
 * Nhịp — bounds-checked byte access and explicit endian helpers for protocol code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-bytes.h"
#include "nhip-decode-error.h"

/**
 * nhip_memcpy_safe:
 * @dst: destination buffer
 * @dst_sz: size of @dst
 * @dst_offset: where to write in @dst
 * @src: source buffer
 * @src_sz: size of @src
 * @src_offset: where to read in @src
 * @n: how many bytes to copy
 * @error: return location for a #GError
 *
 * Copies @n bytes after checking both ranges, without integer overflow.
 *
 * Returns: %TRUE if the bytes were copied
 */
gboolean
nhip_memcpy_safe(guint8 *dst,
		 gsize dst_sz,
		 gsize dst_offset,
		 const guint8 *src,
		 gsize src_sz,
		 gsize src_offset,
		 gsize n,
		 GError **error)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (n == 0)
		return TRUE;
	g_return_val_if_fail(dst != NULL, FALSE);
	g_return_val_if_fail(src != NULL, FALSE);
	if (src_offset > src_sz || n > src_sz - src_offset) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_TRUNCATED,
			    "read of %lu bytes at offset %lu"
			    " is outside a buffer of %lu bytes",
			    n, src_offset, src_sz);
		return FALSE;
	}
	if (dst_offset > dst_sz || n > dst_sz - dst_offset) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_OVERSIZE,
			    "write of %lu bytes at offset %lu"
			    " is outside a buffer of %lu bytes",
			    n, dst_offset, dst_sz);
		return FALSE;
	}
	memmove(dst + dst_offset, src + src_offset, n);
	return TRUE;
}

/**
 * nhip_read_uint16:
 * @buf: at least 2 readable bytes
 * @endian: %G_BIG_ENDIAN or %G_LITTLE_ENDIAN
 *
 * Returns: the 16-bit value at @buf
 */
guint16
nhip_read_uint16(const guint8 *buf, gint endian)
{
	if (endian == G_BIG_ENDIAN)
		return (guint16)(((guint16)buf[0] << 8) | buf[1]);
	return (guint16)(((guint16)buf[1] << 8) | buf[0]);
}

/**
 * nhip_read_uint32:
 * @buf: at least 4 readable bytes
 * @endian: %G_BIG_ENDIAN or %G_LITTLE_ENDIAN
 *
 * Returns: the 32-bit value at @buf
 */
guint32
nhip_read_uint32(const guint8 *buf, gint endian)
{
	if (endian == G_BIG_ENDIAN)
		return ((guint32)buf[0] << 24) | ((guint32)buf[1] << 16) | ((guint32)buf[2] << 8) |
		       buf[3];
	return ((guint32)buf[3] << 24) | ((guint32)buf[2] << 16) | ((guint32)buf[1] << 8) | buf[0];
}

/**
 * nhip_write_uint16:
 * @buf: at least 2 writable bytes
 * @value: the value
 * @endian: %G_BIG_ENDIAN or %G_LITTLE_ENDIAN
 */
void
nhip_write_uint16(guint8 *buf, guint16 value, gint endian)
{
	if (endian == G_BIG_ENDIAN) {
		buf[0] = (guint8)(value >> 8);
		buf[1] = (guint8)(value & 0xff);
	} else {
		buf[0] = (guint8)(value & 0xff);
		buf[1] = (guint8)(value >> 8);
	}
}

/**
 * nhip_write_uint32:
 * @buf: at least 4 writable bytes
 * @value: the value
 * @endian: %G_BIG_ENDIAN or %G_LITTLE_ENDIAN
 */
void
nhip_write_uint32(guint8 *buf, guint32 value, gint endian)
{
	if (endian == G_BIG_ENDIAN) {
		nhip_write_uint16(buf, (guint16)(value >> 16), G_BIG_ENDIAN);
		nhip_write_uint16(buf + 2, (guint16)(value & 0xffff), G_BIG_ENDIAN);
	} else {
		nhip_write_uint16(buf, (guint16)(value & 0xffff), G_LITTLE_ENDIAN);
		nhip_write_uint16(buf + 2, (guint16)(value >> 16), G_LITTLE_ENDIAN);
	}
}

/**
 * nhip_byte_array_append_uint8:
 * @array: a #GByteArray
 * @value: the value
 */
void
nhip_byte_array_append_uint8(GByteArray *array, guint8 value)
{
	g_byte_array_append(array, &value, 1);
}

/**
 * nhip_byte_array_append_uint16:
 * @array: a #GByteArray
 * @value: the value
 * @endian: %G_BIG_ENDIAN or %G_LITTLE_ENDIAN
 */
void
nhip_byte_array_append_uint16(GByteArray *array, guint16 value, gint endian)
{
	guint8 buf[2] = { 0 };
	nhip_write_uint16(buf, value, endian);
	g_byte_array_append(array, buf, sizeof(buf));
}

/**
 * nhip_byte_array_append_uint32:
 * @array: a #GByteArray
 * @value: the value
 * @endian: %G_BIG_ENDIAN or %G_LITTLE_ENDIAN
 */
void
nhip_byte_array_append_uint32(GByteArray *array, guint32 value, gint endian)
{
	guint8 buf[4] = { 0 };
	nhip_write_uint32(buf, value, endian);
	g_byte_array_append(array, buf, sizeof(buf));
}

/**
 * nhip_byte_array_set_uint16:
 * @array: a #GByteArray
 * @offset: where to write; @offset + 2 must not exceed the array length
 * @value: the value
 * @endian: %G_BIG_ENDIAN or %G_LITTLE_ENDIAN
 *
 * Overwrites a 16-bit field, typically a length written once the body is known.
 */
void
nhip_byte_array_set_uint16(GByteArray *array, gsize offset, guint16 value, gint endian)
{
	g_return_if_fail(array != NULL);
	g_return_if_fail(offset <= array->len && array->len - offset >= 2);
	nhip_write_uint16(array->data + offset, value, endian);
}

/**
 * nhip_bytes_to_hex:
 * @buf: (array length=bufsz) (nullable): bytes
 * @bufsz: how many
 * @separator: (nullable): put between bytes, e.g. " "
 *
 * Returns: (transfer full): lower-case hex text
 */
gchar *
nhip_bytes_to_hex(const guint8 *buf, gsize bufsz, const gchar *separator)
{
	GString *str = g_string_sized_new(bufsz * 3 + 1);
	for (gsize i = 0; i < bufsz; i++) {
		if (i > 0 && separator != NULL)
			g_string_append(str, separator);
		g_string_append_printf(str, "%02x", buf[i]);
	}
	return g_string_free(str, FALSE);
}

/**
 * nhip_dump_raw:
 * @log_domain: the log domain of the caller
 * @title: what the bytes are
 * @buf: (array length=bufsz): bytes
 * @bufsz: how many
 *
 * Logs the bytes as hex at debug level only: frames may carry identifiers.
 */
void
nhip_dump_raw(const gchar *log_domain, const gchar *title, const guint8 *buf, gsize bufsz)
{
	g_autofree gchar *hex = NULL;
	if (!g_log_writer_default_would_drop(G_LOG_LEVEL_DEBUG, log_domain)) {
		hex = nhip_bytes_to_hex(buf, bufsz, " ");
		g_log(log_domain, G_LOG_LEVEL_DEBUG, "%s (%lu bytes): %s", title, bufsz, hex);
	}
}

/**
 * nhip_byte_reader_init:
 * @reader: a reader
 * @buf: (array length=len): bytes, which must outlive the reader
 * @len: how many
 * @base: stream offset of @buf[0], for error messages
 */
void
nhip_byte_reader_init(NhipByteReader *reader, const guint8 *buf, gsize len, gsize base)
{
	reader->buf = buf;
	reader->len = len;
	reader->pos = 0;
	reader->base = base;
}

/**
 * nhip_byte_reader_remaining:
 * @reader: a reader
 *
 * Returns: how many bytes are left to read
 */
gsize
nhip_byte_reader_remaining(const NhipByteReader *reader)
{
	return reader->len - reader->pos;
}

/**
 * nhip_byte_reader_offset:
 * @reader: a reader
 *
 * Returns: the stream offset of the next byte
 */
gsize
nhip_byte_reader_offset(const NhipByteReader *reader)
{
	return reader->base + reader->pos;
}

static gboolean
nhip_byte_reader_need(NhipByteReader *reader, gsize n, GError **error)
{
	if (n > reader->len - reader->pos) {
		g_set_error(error, NHIP_DECODE_ERROR, NHIP_DECODE_ERROR_TRUNCATED,
			    _("field of %lu bytes at byte %lu"
			      " runs past the end of its container (%lu"
			      " bytes left)"),
			    n, nhip_byte_reader_offset(reader), reader->len - reader->pos);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_byte_reader_u8:
 * @reader: a reader
 * @value: (out): the byte
 * @error: return location for a #GError
 *
 * Returns: %TRUE if a byte was read
 */
gboolean
nhip_byte_reader_u8(NhipByteReader *reader, guint8 *value, GError **error)
{
	if (!nhip_byte_reader_need(reader, 1, error))
		return FALSE;
	*value = reader->buf[reader->pos];
	reader->pos += 1;
	return TRUE;
}

/**
 * nhip_byte_reader_u16:
 * @reader: a reader
 * @value: (out): the big-endian 16-bit value
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the value was read
 */
gboolean
nhip_byte_reader_u16(NhipByteReader *reader, guint16 *value, GError **error)
{
	if (!nhip_byte_reader_need(reader, 2, error))
		return FALSE;
	*value = nhip_read_uint16(reader->buf + reader->pos, G_BIG_ENDIAN);
	reader->pos += 2;
	return TRUE;
}

/**
 * nhip_byte_reader_u32:
 * @reader: a reader
 * @value: (out): the big-endian 32-bit value
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the value was read
 */
gboolean
nhip_byte_reader_u32(NhipByteReader *reader, guint32 *value, GError **error)
{
	if (!nhip_byte_reader_need(reader, 4, error))
		return FALSE;
	*value = nhip_read_uint32(reader->buf + reader->pos, G_BIG_ENDIAN);
	reader->pos += 4;
	return TRUE;
}

/**
 * nhip_byte_reader_skip:
 * @reader: a reader
 * @n: how many bytes to skip
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the bytes were there
 */
gboolean
nhip_byte_reader_skip(NhipByteReader *reader, gsize n, GError **error)
{
	if (!nhip_byte_reader_need(reader, n, error))
		return FALSE;
	reader->pos += n;
	return TRUE;
}

/**
 * nhip_byte_reader_sub:
 * @reader: a reader
 * @n: how many bytes the sub-reader covers
 * @sub: (out caller-allocates): a reader over the next @n bytes
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the bytes were there; @reader moves past them
 */
gboolean
nhip_byte_reader_sub(NhipByteReader *reader, gsize n, NhipByteReader *sub, GError **error)
{
	if (!nhip_byte_reader_need(reader, n, error))
		return FALSE;
	nhip_byte_reader_init(sub, reader->buf + reader->pos, n, nhip_byte_reader_offset(reader));
	reader->pos += n;
	return TRUE;
}

/**
 * nhip_byte_reader_octets:
 * @reader: a reader
 * @sub: (out caller-allocates): a reader over the octet string's contents
 * @error: return location for a #GError
 *
 * Reads a 16-bit big-endian length and the bytes it announces (an MDER octet string).
 *
 * Returns: %TRUE if the whole string was there
 */
gboolean
nhip_byte_reader_octets(NhipByteReader *reader, NhipByteReader *sub, GError **error)
{
	guint16 n = 0;
	if (!nhip_byte_reader_u16(reader, &n, error))
		return FALSE;
	return nhip_byte_reader_sub(reader, n, sub, error);
}
