/*
 * Nhịp — durable files: temporary file, fsync, rename, fsync of the folder. After a power
 * cut at any point the final name holds either the whole new content or nothing new.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "nhip-durable.h"

static void
durable_set_error(GError **error, gint saved_errno, const gchar *what, const gchar *path)
{
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved_errno),
		    _("cannot %s %s: %s"), what, path, g_strerror(saved_errno));
}

/**
 * nhip_durable_sync_dir:
 * @dir: a folder
 * @error: return location for a #GError
 *
 * Makes the names in @dir (a rename, a new file) durable.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_durable_sync_dir(const gchar *dir, GError **error)
{
	gint fd = g_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	gint saved_errno;

	if (fd < 0 || fsync(fd) != 0) {
		saved_errno = errno;
		if (fd >= 0)
			close(fd);
		durable_set_error(error, saved_errno, _("write to disk the folder"), dir);
		return FALSE;
	}
	close(fd);
	return TRUE;
}

/**
 * nhip_durable_write:
 * @path: the file to write; its folder is created when missing
 * @data: the content
 * @len: its length
 * @error: return location for a #GError (%G_FILE_ERROR)
 *
 * Returns: %TRUE when @path holds @data on disk
 */
gboolean
nhip_durable_write(const gchar *path, const guint8 *data, gsize len, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_autofree gchar *tmp_path = g_strconcat(path, ".tmp-XXXXXX", NULL);
	gsize written = 0;
	gint fd;
	gint saved_errno;

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		durable_set_error(error, errno, _("create the folder"), dir);
		return FALSE;
	}
	fd = g_mkstemp_full(tmp_path, O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		durable_set_error(error, errno, _("create a file in"), dir);
		return FALSE;
	}
	while (written < len) {
		gssize n = write(fd, data + written, len - written);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		written += (gsize)n;
	}
	if (written < len || fsync(fd) != 0) {
		saved_errno = written < len && errno == 0 ? ENOSPC : errno;
		close(fd);
		g_unlink(tmp_path);
		durable_set_error(error, saved_errno, _("write"), path);
		return FALSE;
	}
	if (close(fd) != 0) {
		saved_errno = errno;
		g_unlink(tmp_path);
		durable_set_error(error, saved_errno, _("write"), path);
		return FALSE;
	}
	if (!nhip_durable_rename(tmp_path, path, error)) {
		g_unlink(tmp_path);
		return FALSE;
	}
	return TRUE;
}

/**
 * nhip_durable_rename:
 * @from: a file already on disk (fsync'd)
 * @to: its new name, in the same file system
 * @error: return location for a #GError (%G_FILE_ERROR)
 *
 * Returns: %TRUE when the new name is durable
 */
gboolean
nhip_durable_rename(const gchar *from, const gchar *to, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname(to);
	g_autofree gchar *from_dir = g_path_get_dirname(from);

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		durable_set_error(error, errno, _("create the folder"), dir);
		return FALSE;
	}
	if (g_rename(from, to) != 0) {
		durable_set_error(error, errno, _("rename a file to"), to);
		return FALSE;
	}
	if (!nhip_durable_sync_dir(dir, error))
		return FALSE;
	return g_strcmp0(dir, from_dir) == 0 || nhip_durable_sync_dir(from_dir, error);
}
