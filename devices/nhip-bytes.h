/*
 * Nhịp — bounds-checked byte access and explicit endian helpers for protocol code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean nhip_memcpy_safe(guint8 *dst,
			  gsize dst_sz,
			  gsize dst_offset,
			  const guint8 *src,
			  gsize src_sz,
			  gsize src_offset,
			  gsize n,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;

guint16 nhip_read_uint16(const guint8 *buf, gint endian);
guint32 nhip_read_uint32(const guint8 *buf, gint endian);
void nhip_write_uint16(guint8 *buf, guint16 value, gint endian);
void nhip_write_uint32(guint8 *buf, guint32 value, gint endian);

void nhip_byte_array_append_uint8(GByteArray *array, guint8 value);
void nhip_byte_array_append_uint16(GByteArray *array, guint16 value, gint endian);
void nhip_byte_array_append_uint32(GByteArray *array, guint32 value, gint endian);
void nhip_byte_array_set_uint16(GByteArray *array, gsize offset, guint16 value, gint endian);

gchar *nhip_bytes_to_hex(const guint8 *buf, gsize bufsz, const gchar *separator);
void nhip_dump_raw(const gchar *log_domain, const gchar *title, const guint8 *buf, gsize bufsz);

/**
 * NhipByteReader:
 * @buf: the bytes
 * @len: how many bytes @buf holds
 * @pos: the next byte to read
 * @base: stream offset of @buf[0], used in error messages
 *
 * A cursor over a byte buffer whose reads check bounds and fail with
 * %NHIP_DECODE_ERROR_TRUNCATED instead of reading past the end.
 */
typedef struct {
	const guint8 *buf;
	gsize len;
	gsize pos;
	gsize base;
} NhipByteReader;

void nhip_byte_reader_init(NhipByteReader *reader, const guint8 *buf, gsize len, gsize base);
gsize nhip_byte_reader_remaining(const NhipByteReader *reader);
gsize nhip_byte_reader_offset(const NhipByteReader *reader);
gboolean nhip_byte_reader_u8(NhipByteReader *reader,
			     guint8 *value,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_byte_reader_u16(NhipByteReader *reader,
			      guint16 *value,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_byte_reader_u32(NhipByteReader *reader,
			      guint32 *value,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean
nhip_byte_reader_skip(NhipByteReader *reader, gsize n, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_byte_reader_sub(NhipByteReader *reader, gsize n, NhipByteReader *sub, GError **error)
	G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_byte_reader_octets(NhipByteReader *reader,
				 NhipByteReader *sub,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
