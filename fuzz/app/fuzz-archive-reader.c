/*
 * Nhịp — libFuzzer target of the streamed ustar reader (app/nhip-archive.c) that reads
 * backups and update bundles from a USB stick. Every member name it gives must be a safe
 * one, and what it reads is written back by the writer and must read the same.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>

#include "nhip-archive.h"
#include "nhip-openssl.h"
#include "nhip-ops-error.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void
fuzz_check(gboolean condition, const gchar *what)
{
	if (!condition) {
		g_printerr("invariant broken: %s\n", what);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(BIO) source = BIO_new_mem_buf(data, (int)size);
	g_autoptr(BIO) copy = BIO_new(BIO_s_mem());
	g_autoptr(NhipArchiveReader) reader = nhip_archive_reader_new(source, "the input");
	g_autoptr(NhipArchiveWriter) writer = nhip_archive_writer_new(copy);
	g_autoptr(GPtrArray) hashes = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;

	for (;;) {
		const gchar *name = NULL;
		guint64 length = 0;
		g_autoptr(GBytes) content = NULL;

		if (!nhip_archive_reader_next(reader, &name, &length, &error)) {
			fuzz_check(error->domain == NHIP_OPS_ERROR, "refused with an ops error");
			return 0;
		}
		if (name == NULL)
			break;
		fuzz_check(nhip_archive_name_check(name, NULL), "a safe name");
		content = nhip_archive_reader_read(reader, 1 << 20, &error);
		if (content == NULL)
			return 0;
		fuzz_check(g_bytes_get_size(content) == length, "the size read");
		g_ptr_array_add(hashes, g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, content));
		fuzz_check(nhip_archive_writer_add_bytes(writer, name,
							 g_bytes_get_data(content, NULL),
							 g_bytes_get_size(content), NULL),
			   "written back");
	}
	fuzz_check(nhip_archive_writer_finish(writer, NULL), "finished");
	{
		g_autoptr(NhipArchiveReader) again = nhip_archive_reader_new(copy, "the copy");
		for (guint i = 0;; i++) {
			const gchar *name = NULL;
			guint64 length = 0;
			g_autofree gchar *sha = NULL;

			fuzz_check(nhip_archive_reader_next(again, &name, &length, NULL),
				   "the copy reads");
			if (name == NULL) {
				fuzz_check(i == hashes->len, "as many members");
				break;
			}
			fuzz_check(nhip_archive_reader_copy(again, NULL, &sha, NULL), "its data");
			fuzz_check(g_strcmp0(sha, g_ptr_array_index(hashes, i)) == 0,
				   "the same data");
		}
	}
	return 0;
}
