/*
 * Nhịp — POSIX ustar archives streamed through OpenSSL BIOs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "nhip-archive.h"
#include "nhip-openssl.h"
#include "nhip-ops-error.h"
#include "nhip-tar.h"

#define NAME_MAX_BYTES 100
#define COPY_CHUNK     (64 * 1024)

/**
 * nhip_archive_name_check:
 * @name: a member name
 * @error: return location for a #GError
 *
 * A member name is relative, at most 100 bytes, made of ASCII letters, digits and
 * "._-+~" in parts separated by single "/", none of them "." or "..": nothing an archive
 * could use to write outside the folder it is unpacked into.
 *
 * Returns: %TRUE when @name is safe
 */
gboolean
nhip_archive_name_check(const gchar *name, GError **error)
{
	gsize len = name != NULL ? strlen(name) : 0;
	gboolean ok = len > 0 && len <= NAME_MAX_BYTES && name[0] != '/' && name[len - 1] != '/';
	g_auto(GStrv) parts = NULL;

	for (gsize i = 0; ok && i < len; i++) {
		gchar c = name[i];
		ok = g_ascii_isalnum(c) || strchr("._-+~/", c) != NULL;
	}
	if (ok) {
		parts = g_strsplit(name, "/", -1);
		for (guint i = 0; ok && parts[i] != NULL; i++)
			ok = parts[i][0] != '\0' && g_strcmp0(parts[i], ".") != 0 &&
			     g_strcmp0(parts[i], "..") != 0;
	}
	if (!ok) {
		g_autofree gchar *shown = g_strndup(name != NULL ? name : "", 100);
		if (!g_utf8_validate(shown, -1, NULL))
			g_strcanon(shown, "abcdefghijklmnopqrstuvwxyz0123456789._-/", '?');
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
			    _("“%s” is not an allowed file name in an archive"), shown);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_archive_header:
 * @block: (out caller-allocates): the 512-byte header
 * @name: a name that passed nhip_archive_name_check()
 * @size: the member's size, at most %NHIP_ARCHIVE_MAX_MEMBER
 */
void
nhip_archive_header(guint8 block[NHIP_ARCHIVE_BLOCK], const gchar *name, guint64 size)
{
	gchar sum[8] = { 0 };

	g_assert(strlen(name) <= NAME_MAX_BYTES);
	g_assert(size <= NHIP_ARCHIVE_MAX_MEMBER);
	memset(block, 0, NHIP_ARCHIVE_BLOCK);
	memcpy(block, name, strlen(name));
	nhip_tar_write_octal(block + 100, 8, 0600);
	nhip_tar_write_octal(block + 108, 8, 0);
	nhip_tar_write_octal(block + 116, 8, 0);
	nhip_tar_write_octal(block + 124, 12, size);
	nhip_tar_write_octal(block + 136, 12, 0);
	block[156] = '0';
	memcpy(block + 257,
	       "ustar\0"
	       "00",
	       8);
	g_snprintf(sum, sizeof(sum), "%06o", nhip_tar_header_checksum(block));
	memcpy(block + 148, sum, 6);
	block[154] = 0;
	block[155] = ' ';
}

static gboolean
write_fail(GError **error)
{
	gint saved = errno != 0 ? errno : EIO;
	g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED, _("cannot write the archive: %s"),
		    g_strerror(saved));
	return FALSE;
}

/**
 * nhip_archive_write_all:
 * @sink: where to write
 * @data: the bytes
 * @length: how many
 * @error: return location for a #GError
 *
 * Returns: %TRUE when every byte was written
 */
gboolean
nhip_archive_write_all(BIO *sink, const void *data, gsize length, GError **error)
{
	const guint8 *p = data;

	while (length > 0) {
		gint chunk = (gint)MIN(length, (gsize)G_MAXINT / 2);
		gint n;

		errno = 0;
		n = BIO_write(sink, p, chunk);
		if (n <= 0)
			return write_fail(error);
		p += n;
		length -= (gsize)n;
	}
	return TRUE;
}

/**
 * nhip_archive_pad:
 * @sink: where to write
 * @size: the size of the member just written
 * @error: return location for a #GError
 *
 * Writes the zeros that take a member to a whole number of blocks.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_archive_pad(BIO *sink, guint64 size, GError **error)
{
	static const guint8 zero[NHIP_ARCHIVE_BLOCK] = { 0 };

	if (size % NHIP_ARCHIVE_BLOCK == 0)
		return TRUE;
	return nhip_archive_write_all(sink, zero, NHIP_ARCHIVE_BLOCK - size % NHIP_ARCHIVE_BLOCK,
				      error);
}

static gboolean
file_fail(GError **error, const gchar *what, const gchar *path)
{
	gint saved = errno;
	g_set_error(error, NHIP_OPS_ERROR,
		    saved == ENOENT ? NHIP_OPS_ERROR_NOT_FOUND : NHIP_OPS_ERROR_FAILED,
		    _("cannot %s %s: %s"), what, path, g_strerror(saved));
	return FALSE;
}

/**
 * nhip_archive_sha256_file:
 * @path: a file
 * @size: (out) (optional): its size
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the SHA-256 of the file in lower-case hex
 */
gchar *
nhip_archive_sha256_file(const gchar *path, guint64 *size, GError **error)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree guint8 *buf = g_malloc(COPY_CHUNK);
	guint64 total = 0;
	FILE *file = g_fopen(path, "rbe");

	if (file == NULL) {
		file_fail(error, _("read"), path);
		return NULL;
	}
	for (;;) {
		gsize n = fread(buf, 1, COPY_CHUNK, file);
		if (n > 0) {
			g_checksum_update(sum, buf, (gssize)n);
			total += n;
		}
		if (n < COPY_CHUNK)
			break;
	}
	if (ferror(file)) {
		fclose(file);
		errno = EIO;
		file_fail(error, _("read"), path);
		return NULL;
	}
	fclose(file);
	if (size != NULL)
		*size = total;
	return g_strdup(g_checksum_get_string(sum));
}

struct _NhipArchiveWriter {
	BIO *sink;
	GHashTable *names;
};

/**
 * nhip_archive_writer_new:
 * @sink: (transfer none): where the archive goes; must outlive the writer
 *
 * Returns: (transfer full): a writer
 */
NhipArchiveWriter *
nhip_archive_writer_new(BIO *sink)
{
	NhipArchiveWriter *self = g_new0(NhipArchiveWriter, 1);
	self->sink = sink;
	self->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return self;
}

void
nhip_archive_writer_free(NhipArchiveWriter *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->names);
	g_free(self);
}

static gboolean
writer_begin(NhipArchiveWriter *self, const gchar *name, guint64 size, GError **error)
{
	guint8 header[NHIP_ARCHIVE_BLOCK];

	if (!nhip_archive_name_check(name, error))
		return FALSE;
	if (g_hash_table_contains(self->names, name)) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    _("the file %s is in the archive twice"), name);
		return FALSE;
	}
	if (size > NHIP_ARCHIVE_MAX_MEMBER) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_INVALID,
			    _("the file %s is too big for an archive (8 GiB at most)"), name);
		return FALSE;
	}
	g_hash_table_add(self->names, g_strdup(name));
	nhip_archive_header(header, name, size);
	return nhip_archive_write_all(self->sink, header, sizeof(header), error);
}

/**
 * nhip_archive_writer_add_bytes:
 * @self: the writer
 * @name: the member's name
 * @data: its content
 * @length: its size
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_archive_writer_add_bytes(NhipArchiveWriter *self,
			      const gchar *name,
			      const void *data,
			      gsize length,
			      GError **error)
{
	return writer_begin(self, name, length, error) &&
	       nhip_archive_write_all(self->sink, data, length, error) &&
	       nhip_archive_pad(self->sink, length, error);
}

/**
 * nhip_archive_writer_add_file:
 * @self: the writer
 * @name: the member's name
 * @path: the file to copy in; it must not change while it is copied
 * @size: (out) (optional): the bytes copied
 * @sha256: (out) (optional) (transfer full): their SHA-256 in lower-case hex
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_archive_writer_add_file(NhipArchiveWriter *self,
			     const gchar *name,
			     const gchar *path,
			     guint64 *size,
			     gchar **sha256,
			     GError **error)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree guint8 *buf = NULL;
	GStatBuf st;
	guint64 expected;
	guint64 copied = 0;
	FILE *file;

	file = g_fopen(path, "rbe");
	if (file == NULL || fstat(fileno(file), &st) != 0) {
		if (file != NULL)
			fclose(file);
		return file_fail(error, _("read"), path);
	}
	expected = (guint64)st.st_size;
	if (!writer_begin(self, name, expected, error)) {
		fclose(file);
		return FALSE;
	}
	buf = g_malloc(COPY_CHUNK);
	while (copied < expected) {
		gsize want = (gsize)MIN((guint64)COPY_CHUNK, expected - copied);
		gsize n = fread(buf, 1, want, file);
		if (n == 0)
			break;
		g_checksum_update(sum, buf, (gssize)n);
		if (!nhip_archive_write_all(self->sink, buf, n, error)) {
			fclose(file);
			return FALSE;
		}
		copied += n;
	}
	fclose(file);
	if (copied != expected) {
		g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_FAILED,
			    _("the file %s changed size while it was copied"), path);
		return FALSE;
	}
	if (!nhip_archive_pad(self->sink, copied, error))
		return FALSE;
	if (size != NULL)
		*size = copied;
	if (sha256 != NULL)
		*sha256 = g_strdup(g_checksum_get_string(sum));
	return TRUE;
}

/**
 * nhip_archive_writer_finish:
 * @self: the writer
 * @error: return location for a #GError
 *
 * Writes the two zero blocks that end an archive and flushes the sink.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_archive_writer_finish(NhipArchiveWriter *self, GError **error)
{
	static const guint8 zero[2 * NHIP_ARCHIVE_BLOCK] = { 0 };

	if (!nhip_archive_write_all(self->sink, zero, sizeof(zero), error))
		return FALSE;
	errno = 0;
	if (BIO_flush(self->sink) <= 0)
		return write_fail(error);
	return TRUE;
}

struct _NhipArchiveReader {
	BIO *source;
	gchar *label;
	guint64 offset;	       /* bytes consumed so far */
	gchar *name;	       /* the current member */
	guint64 size;	       /* its size */
	gboolean data_pending; /* its data has not been read yet */
	gboolean at_end;
	GHashTable *names;
};

/**
 * nhip_archive_reader_new:
 * @source: (transfer none): the archive; must outlive the reader
 * @label: what the archive is, for messages, e.g. "the backup /media/usb/x.nhipbak"
 *
 * Returns: (transfer full): a reader
 */
NhipArchiveReader *
nhip_archive_reader_new(BIO *source, const gchar *label)
{
	NhipArchiveReader *self = g_new0(NhipArchiveReader, 1);
	self->source = source;
	self->label = g_strdup(label);
	self->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return self;
}

void
nhip_archive_reader_free(NhipArchiveReader *self)
{
	if (self == NULL)
		return;
	g_hash_table_unref(self->names);
	g_free(self->label);
	g_free(self->name);
	g_free(self);
}

static gboolean
reader_fail(NhipArchiveReader *self, GError **error, const gchar *what)
{
	g_set_error(error, NHIP_OPS_ERROR, NHIP_OPS_ERROR_DAMAGED,
		    _("%s is damaged at byte %" PRIu64 ": %s"), self->label, self->offset, what);
	return FALSE;
}

/* reads exactly @length bytes; FALSE at the end of the source */
static gboolean
reader_read_exact(NhipArchiveReader *self, guint8 *buf, gsize length, GError **error)
{
	gsize got = 0;

	while (got < length) {
		gint n =
			BIO_read(self->source, buf + got, (gint)MIN(length - got, (gsize)G_MAXINT));
		if (n <= 0) {
			if (BIO_eof(self->source) || n == 0)
				return reader_fail(self, error,
						   _("it ends too early (the copy was cut short)"));
			return reader_fail(self, error, _("it cannot be read"));
		}
		got += (gsize)n;
	}
	self->offset += length;
	return TRUE;
}

/* after the first zero block: a second one, then only zeros to the end */
static gboolean
reader_end(NhipArchiveReader *self, GError **error)
{
	guint8 block[NHIP_ARCHIVE_BLOCK];
	gint n;

	if (!reader_read_exact(self, block, sizeof(block), error))
		return FALSE;
	if (!nhip_tar_block_is_zero(block))
		return reader_fail(self, error, _("the end-of-archive blocks are missing"));
	while ((n = BIO_read(self->source, block, sizeof(block))) > 0) {
		for (gint i = 0; i < n; i++) {
			if (block[i] != 0)
				return reader_fail(self, error,
						   _("there is data after the end of the archive"));
		}
		self->offset += (guint64)n;
	}
	self->at_end = TRUE;
	return TRUE;
}

static gboolean
reader_skip_data(NhipArchiveReader *self, GError **error)
{
	return nhip_archive_reader_copy(self, NULL, NULL, error);
}

/**
 * nhip_archive_reader_next:
 * @self: the reader
 * @name: (out) (transfer none): the next member's name, %NULL at the end of the archive;
 *   valid until the next call
 * @size: (out): its size
 * @error: return location for a #GError
 *
 * Moves to the next member, skipping the data of the current one if it was not read.
 *
 * Returns: %TRUE on success (also at the end)
 */
gboolean
nhip_archive_reader_next(NhipArchiveReader *self, const gchar **name, guint64 *size, GError **error)
{
	guint8 block[NHIP_ARCHIVE_BLOCK];
	guint64 sum = 0;
	gsize name_len = 0;
	g_autofree gchar *member = NULL;
	g_autoptr(GError) error_local = NULL;

	*name = NULL;
	*size = 0;
	if (self->data_pending && !reader_skip_data(self, error))
		return FALSE;
	if (self->at_end)
		return TRUE;
	if (!reader_read_exact(self, block, sizeof(block), error))
		return FALSE;
	if (nhip_tar_block_is_zero(block))
		return reader_end(self, error);
	self->offset -= NHIP_ARCHIVE_BLOCK; /* report the header's own offset */
	if (!nhip_tar_parse_octal(block + 148, 8, &sum) || sum != nhip_tar_header_checksum(block))
		return reader_fail(self, error, _("a header's checksum does not match"));
	if (memcmp(block + 257,
		   "ustar\0"
		   "00",
		   8) != 0)
		return reader_fail(self, error, _("a header is not a POSIX ustar header"));
	if (block[156] != '0' && block[156] != 0)
		return reader_fail(self, error, _("it holds something other than plain files"));
	if (block[345] != 0)
		return reader_fail(self, error, _("it uses long file names"));
	if (!nhip_tar_parse_octal(block + 124, 12, &self->size))
		return reader_fail(self, error, _("a file size cannot be read"));
	while (name_len < NAME_MAX_BYTES && block[name_len] != 0)
		name_len++;
	member = g_strndup((const gchar *)block, name_len);
	if (!nhip_archive_name_check(member, &error_local))
		return reader_fail(self, error, error_local->message);
	if (g_hash_table_contains(self->names, member))
		return reader_fail(self, error, _("a file name appears twice"));
	self->offset += NHIP_ARCHIVE_BLOCK;
	g_hash_table_add(self->names, g_strdup(member));
	g_free(self->name);
	self->name = g_steal_pointer(&member);
	self->data_pending = TRUE;
	*name = self->name;
	*size = self->size;
	return TRUE;
}

/**
 * nhip_archive_reader_copy:
 * @self: the reader, on a member whose data was not read yet
 * @out: (nullable): where to write the data; %NULL only hashes it
 * @sha256: (out) (optional) (transfer full): its SHA-256 in lower-case hex
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_archive_reader_copy(NhipArchiveReader *self, BIO *out, gchar **sha256, GError **error)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree guint8 *buf = g_malloc(COPY_CHUNK);
	guint64 left = self->size;
	guint64 padding =
		(NHIP_ARCHIVE_BLOCK - self->size % NHIP_ARCHIVE_BLOCK) % NHIP_ARCHIVE_BLOCK;

	g_return_val_if_fail(self->data_pending, FALSE);
	self->data_pending = FALSE;
	while (left > 0) {
		gsize want = (gsize)MIN((guint64)COPY_CHUNK, left);
		if (!reader_read_exact(self, buf, want, error))
			return FALSE;
		g_checksum_update(sum, buf, (gssize)want);
		if (out != NULL && !nhip_archive_write_all(out, buf, want, error))
			return FALSE;
		left -= want;
	}
	if (padding > 0 && !reader_read_exact(self, buf, (gsize)padding, error))
		return FALSE;
	if (out != NULL && BIO_flush(out) <= 0)
		return write_fail(error);
	if (sha256 != NULL)
		*sha256 = g_strdup(g_checksum_get_string(sum));
	return TRUE;
}

/**
 * nhip_archive_reader_read:
 * @self: the reader, on a member whose data was not read yet
 * @max: the largest size accepted
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the member's data
 */
GBytes *
nhip_archive_reader_read(NhipArchiveReader *self, gsize max, GError **error)
{
	g_autoptr(BIO) mem = NULL;
	const gchar *data = NULL;
	glong length;

	if (self->size > max) {
		g_autofree gchar *what = g_strdup_printf(
			_("the file %s is bigger than the %" PRIu64 " bytes allowed"), self->name,
			(guint64)max);
		reader_fail(self, error, what);
		return NULL;
	}
	mem = BIO_new(BIO_s_mem());
	if (!nhip_archive_reader_copy(self, mem, NULL, error))
		return NULL;
	length = BIO_get_mem_data(mem, &data);
	return g_bytes_new(data, (gsize)length);
}
