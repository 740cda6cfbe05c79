/*
 * Nhịp — POSIX ustar archives streamed through OpenSSL BIOs, for backups and update
 * bundles: members far bigger than memory (a database, a .deb) are copied block by block
 * with their SHA-256 computed on the way. Written deterministically (mode 0600, owner 0,
 * time 0, regular files only) and read strictly (checksums, the ustar magic, safe names,
 * no duplicates, the two end blocks); GNU tar reads and writes the same archives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <openssl/bio.h>

G_BEGIN_DECLS

#define NHIP_ARCHIVE_BLOCK 512
/* the ustar size field holds 11 octal digits */
#define NHIP_ARCHIVE_MAX_MEMBER ((G_GUINT64_CONSTANT(1) << 33) - 1)

gboolean nhip_archive_name_check(const gchar *name, GError **error);
void nhip_archive_header(guint8 block[NHIP_ARCHIVE_BLOCK], const gchar *name, guint64 size);
gboolean nhip_archive_write_all(BIO *sink, const void *data, gsize length, GError **error);
gboolean nhip_archive_pad(BIO *sink, guint64 size, GError **error);
gchar *nhip_archive_sha256_file(const gchar *path,
				guint64 *size,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;

typedef struct _NhipArchiveWriter NhipArchiveWriter;

NhipArchiveWriter *nhip_archive_writer_new(BIO *sink) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_archive_writer_add_bytes(NhipArchiveWriter *self,
				       const gchar *name,
				       const void *data,
				       gsize length,
				       GError **error);
gboolean nhip_archive_writer_add_file(NhipArchiveWriter *self,
				      const gchar *name,
				      const gchar *path,
				      guint64 *size,
				      gchar **sha256,
				      GError **error);
gboolean nhip_archive_writer_finish(NhipArchiveWriter *self, GError **error);
void nhip_archive_writer_free(NhipArchiveWriter *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipArchiveWriter, nhip_archive_writer_free)

typedef struct _NhipArchiveReader NhipArchiveReader;

NhipArchiveReader *nhip_archive_reader_new(BIO *source,
					   const gchar *label) G_GNUC_WARN_UNUSED_RESULT;
gboolean nhip_archive_reader_next(NhipArchiveReader *self,
				  const gchar **name,
				  guint64 *size,
				  GError **error);
gboolean
nhip_archive_reader_copy(NhipArchiveReader *self, BIO *out, gchar **sha256, GError **error);
GBytes *nhip_archive_reader_read(NhipArchiveReader *self,
				 gsize max,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
void nhip_archive_reader_free(NhipArchiveReader *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipArchiveReader, nhip_archive_reader_free)

G_END_DECLS
