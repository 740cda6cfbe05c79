/*
 * Nhịp hub — the content-addressed blob store. A blob's name is the SHA-256 of its bytes,
 * so a second copy of the same packet or receipt is the same file, and a file is checked
 * simply by hashing it again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nhip-durable.h"
#include "nhip-hub-blobs.h"
#include "nhip-hub-db.h"
#include "nhip-tus.h"

/**
 * nhip_sha256_hex:
 * @data: bytes
 *
 * Returns: (transfer full): their SHA-256 in lower-case hex
 */
gchar *
nhip_sha256_hex(GBytes *data)
{
	return g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, data);
}

/**
 * nhip_hub_blob_path:
 * @hub_dir: the hub folder
 * @sha256: a blob's hash (64 hex digits)
 *
 * Returns: (transfer full): where the blob lives
 */
gchar *
nhip_hub_blob_path(const gchar *hub_dir, const gchar *sha256)
{
	g_autofree gchar *a = g_strndup(sha256, 2);
	g_autofree gchar *b = g_strndup(sha256 + 2, 2);
	return g_build_filename(hub_dir, "blobs", a, b, sha256, NULL);
}

/**
 * nhip_hub_blob_put:
 * @hub_dir: the hub folder
 * @data: the bytes
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the blob's hash
 */
gchar *
nhip_hub_blob_put(const gchar *hub_dir, GBytes *data, GError **error)
{
	g_autofree gchar *sha256 = nhip_sha256_hex(data);
	g_autofree gchar *path = nhip_hub_blob_path(hub_dir, sha256);
	gsize len = 0;
	const guint8 *bytes = g_bytes_get_data(data, &len);

	if (!g_file_test(path, G_FILE_TEST_EXISTS) && !nhip_durable_write(path, bytes, len, error))
		return NULL;
	return g_steal_pointer(&sha256);
}

/**
 * nhip_hub_blob_adopt:
 * @hub_dir: the hub folder
 * @path: a file already written and synced whose hash is @sha256 (a finished upload)
 * @sha256: its hash
 * @error: return location for a #GError
 *
 * Moves the file into the store without copying it.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_hub_blob_adopt(const gchar *hub_dir, const gchar *path, const gchar *sha256, GError **error)
{
	g_autofree gchar *target = nhip_hub_blob_path(hub_dir, sha256);

	g_return_val_if_fail(nhip_tus_is_sha256_hex(sha256), FALSE);
	if (g_file_test(target, G_FILE_TEST_EXISTS))
		return TRUE;
	return nhip_durable_rename(path, target, error);
}

/**
 * nhip_hub_blob_get:
 * @hub_dir: the hub folder
 * @sha256: the blob's hash
 * @error: return location for a #GError
 *
 * Reads a blob and checks it still has its hash.
 *
 * Returns: (transfer full) (nullable): the bytes
 */
GBytes *
nhip_hub_blob_get(const gchar *hub_dir, const gchar *sha256, GError **error)
{
	g_autofree gchar *path = NULL;
	g_autofree gchar *check = NULL;
	g_autoptr(GBytes) bytes = NULL;
	gchar *data = NULL;
	gsize len = 0;

	if (!nhip_tus_is_sha256_hex(sha256)) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_INVALID,
			    _("“%s” is not a blob hash"), sha256 != NULL ? sha256 : "");
		return NULL;
	}
	path = nhip_hub_blob_path(hub_dir, sha256);
	if (!g_file_get_contents(path, &data, &len, error))
		return NULL;
	bytes = g_bytes_new_take(data, len);
	check = nhip_sha256_hex(bytes);
	if (g_strcmp0(check, sha256) != 0) {
		g_set_error(error, NHIP_HUB_ERROR, NHIP_HUB_ERROR_STORAGE,
			    _("the blob %s is damaged on disk (its content changed)"), path);
		return NULL;
	}
	return g_steal_pointer(&bytes);
}
