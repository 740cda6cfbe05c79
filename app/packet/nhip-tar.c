/*
 * Nhịp — the POSIX ustar archive inside a packet.
 *
 * Only what packets need: regular files with short names, written deterministically
 * (mode 0644, owner 0, time 0) and read strictly — a checksum per header, the "ustar\0"
 * "00" magic, sizes that fit, two zero blocks at the end, nothing but zeros after them.
 * GNU tar (`tar --format=ustar`) writes and reads the same archives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-packet-private.h"
#include "nhip-tar.h"

#define TAR_BLOCK    512
#define TAR_NAME_MAX 100

void
nhipi_tar_member_free(NhipTarMember *member)
{
	if (member == NULL)
		return;
	g_free(member->name);
	g_bytes_unref(member->data);
	g_free(member);
}

/**
 * nhip_tar_write_octal:
 * @field: a header field
 * @width: its width
 * @value: the number
 *
 * Writes @value as @width - 1 octal digits and a NUL.
 */
void
nhip_tar_write_octal(guint8 *field, gsize width, guint64 value)
{
	gchar text[24] = { 0 };

	g_snprintf(text, sizeof(text), "%0*" G_GINT64_MODIFIER "o", (gint)(width - 1), value);
	for (gsize i = 0; i < width - 1; i++)
		field[i] = (guint8)text[i];
	field[width - 1] = 0;
}

/**
 * nhip_tar_header_checksum:
 * @header: a 512-byte header
 *
 * Returns: its checksum, the checksum field counted as spaces
 */
guint
nhip_tar_header_checksum(const guint8 *header)
{
	guint sum = 0;

	for (gsize i = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? (guint)' ' : header[i];
	return sum;
}

/**
 * nhipi_tar_write:
 * @members: (element-type NhipTarMember): the files, names ≤ 100 bytes, checked by the caller
 *
 * Returns: (transfer full): the archive
 */
GBytes *
nhipi_tar_write(GPtrArray *members)
{
	GByteArray *out = g_byte_array_new();
	guint8 zero[TAR_BLOCK] = { 0 };

	for (guint i = 0; i < members->len; i++) {
		NhipTarMember *member = g_ptr_array_index(members, i);
		guint8 header[TAR_BLOCK] = { 0 };
		gsize name_len = strlen(member->name);
		gsize size = g_bytes_get_size(member->data);
		gchar sum[8] = { 0 };

		g_assert(name_len > 0 && name_len <= TAR_NAME_MAX);
		for (gsize k = 0; k < name_len; k++)
			header[k] = (guint8)member->name[k];
		nhip_tar_write_octal(header + 100, 8, 0644);
		nhip_tar_write_octal(header + 108, 8, 0);
		nhip_tar_write_octal(header + 116, 8, 0);
		nhip_tar_write_octal(header + 124, 12, size);
		nhip_tar_write_octal(header + 136, 12, 0);
		header[156] = '0';
		for (gsize k = 0; k < 6; k++)
			header[257 + k] = (guint8) "ustar"[k];
		header[263] = '0';
		header[264] = '0';
		g_snprintf(sum, sizeof(sum), "%06o", nhip_tar_header_checksum(header));
		for (gsize k = 0; k < 6; k++)
			header[148 + k] = (guint8)sum[k];
		header[154] = 0;
		header[155] = ' ';
		g_byte_array_append(out, header, TAR_BLOCK);
		g_byte_array_append(out, g_bytes_get_data(member->data, NULL), (guint)size);
		if (size % TAR_BLOCK != 0)
			g_byte_array_append(out, zero, (guint)(TAR_BLOCK - size % TAR_BLOCK));
	}
	g_byte_array_append(out, zero, TAR_BLOCK);
	g_byte_array_append(out, zero, TAR_BLOCK);
	return g_byte_array_free_to_bytes(out);
}

/**
 * nhip_tar_parse_octal:
 * @field: a header field
 * @width: its width
 * @value: (out): the number
 *
 * Reads an octal field strictly: spaces, digits, then NULs or spaces to the end.
 *
 * Returns: %TRUE when the field holds a number
 */
gboolean
nhip_tar_parse_octal(const guint8 *field, gsize width, guint64 *value)
{
	gsize i = 0;
	guint64 result = 0;

	while (i < width && field[i] == ' ')
		i++;
	if (i == width || field[i] < '0' || field[i] > '7')
		return FALSE;
	for (; i < width && field[i] >= '0' && field[i] <= '7'; i++) {
		if (result > (G_MAXUINT64 >> 3))
			return FALSE;
		result = (result << 3) | (guint64)(field[i] - '0');
	}
	for (; i < width; i++) {
		if (field[i] != 0 && field[i] != ' ')
			return FALSE;
	}
	*value = result;
	return TRUE;
}

/**
 * nhip_tar_block_is_zero:
 * @block: a 512-byte block
 *
 * Returns: %TRUE when every byte is 0 (the end of an archive)
 */
gboolean
nhip_tar_block_is_zero(const guint8 *block)
{
	for (gsize i = 0; i < TAR_BLOCK; i++) {
		if (block[i] != 0)
			return FALSE;
	}
	return TRUE;
}

static gboolean
tar_fail(GError **error, gsize offset, const gchar *what)
{
	g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED,
		    _("the packet's archive is broken at byte %zu: %s"), offset, what);
	return FALSE;
}

/* reads one header at @offset into @name and @size */
static gboolean
tar_read_header(const guint8 *block, gsize offset, gchar **name, guint64 *size, GError **error)
{
	guint64 sum = 0;
	gsize name_len = 0;

	if (!nhip_tar_parse_octal(block + 148, 8, &sum) || sum != nhip_tar_header_checksum(block))
		return tar_fail(error, offset, _("header checksum mismatch"));
	if (memcmp(block + 257,
		   "ustar\0"
		   "00",
		   8) != 0)
		return tar_fail(error, offset, _("not a POSIX ustar header"));
	if (block[156] != '0' && block[156] != 0)
		return tar_fail(error, offset, _("only regular files may be in a packet"));
	if (block[345] != 0)
		return tar_fail(error, offset, _("long file names are not allowed"));
	while (name_len < TAR_NAME_MAX && block[name_len] != 0)
		name_len++;
	if (name_len == 0)
		return tar_fail(error, offset, _("a file has no name"));
	if (!nhip_tar_parse_octal(block + 124, 12, size))
		return tar_fail(error, offset, _("bad file size"));
	*name = g_strndup((const gchar *)block, name_len);
	if (!g_utf8_validate(*name, -1, NULL)) {
		g_clear_pointer(name, g_free);
		return tar_fail(error, offset, _("a file name is not UTF-8"));
	}
	return TRUE;
}

/**
 * nhipi_tar_read:
 * @tar: an archive
 * @max_members: the most files accepted
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipTarMember) (nullable): the files in order;
 *   the data are slices of @tar
 */
GPtrArray *
nhipi_tar_read(GBytes *tar, guint max_members, GError **error)
{
	g_autoptr(GPtrArray) members =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhipi_tar_member_free);
	g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
	gsize length = 0;
	const guint8 *data = g_bytes_get_data(tar, &length);
	gsize offset = 0;

	if (length == 0 || length % TAR_BLOCK != 0) {
		tar_fail(error, length, _("its length is not a whole number of 512-byte blocks"));
		return NULL;
	}
	while (TRUE) {
		NhipTarMember *member;
		g_autofree gchar *name = NULL;
		guint64 size = 0;
		gsize padded;

		if (offset + TAR_BLOCK > length) {
			tar_fail(error, offset, _("the end-of-archive blocks are missing"));
			return NULL;
		}
		if (nhip_tar_block_is_zero(data + offset)) {
			/* the end: a second zero block, then only zeros */
			if (offset + 2 * TAR_BLOCK > length ||
			    !nhip_tar_block_is_zero(data + offset + TAR_BLOCK)) {
				tar_fail(error, offset, _("the end-of-archive blocks are missing"));
				return NULL;
			}
			for (gsize k = offset + 2 * TAR_BLOCK; k < length; k += TAR_BLOCK) {
				if (!nhip_tar_block_is_zero(data + k)) {
					tar_fail(error, k, _("data after the end of the archive"));
					return NULL;
				}
			}
			break;
		}
		if (!tar_read_header(data + offset, offset, &name, &size, error))
			return NULL;
		offset += TAR_BLOCK;
		if (size > length - offset) {
			tar_fail(error, offset, _("a file runs past the end of the archive"));
			return NULL;
		}
		if (members->len >= max_members) {
			g_set_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_TOO_LARGE,
				    _("the packet holds more than %u files"), max_members);
			return NULL;
		}
		if (g_hash_table_contains(names, name)) {
			tar_fail(error, offset, _("a file name appears twice"));
			return NULL;
		}
		member = g_new0(NhipTarMember, 1);
		member->name = g_steal_pointer(&name);
		member->data = g_bytes_new_from_bytes(tar, offset, (gsize)size);
		g_ptr_array_add(members, member);
		g_hash_table_add(names, member->name);
		padded = ((gsize)size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
		if (padded > length - offset) {
			tar_fail(error, offset, _("a file runs past the end of the archive"));
			return NULL;
		}
		offset += padded;
	}
	return g_steal_pointer(&members);
}
