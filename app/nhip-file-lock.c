/*
 * Nhịp — a lock held by one program at a time (see nhip-file-lock.h).
 *
 * flock(2) locks belong to the open file: two opens of the same file, in two programs or
 * in one, exclude each other. The holder writes its process id into the file so that the
 * one refused can say who holds it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "nhip-file-lock.h"

struct _NhipFileLock {
	gint fd;
	gchar *path;
};

/**
 * nhip_file_lock_try:
 * @path: the lock file (made 0600 if missing; its folder must exist)
 * @error: return location for a #GError: %G_IO_ERROR_BUSY when another holder has it
 *
 * Takes the lock without waiting.
 *
 * Returns: (transfer full) (nullable): the lock, held until nhip_file_lock_release()
 */
NhipFileLock *
nhip_file_lock_try(const gchar *path, GError **error)
{
	g_autofree gchar *pid = NULL;
	NhipFileLock *self;
	gint fd;

	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	fd = g_open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		gint saved = errno;
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
			    _("cannot open the lock file %s: %s"), path, g_strerror(saved));
		return NULL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		gint saved = errno;
		gchar holder[32] = { 0 };
		ssize_t n = saved == EWOULDBLOCK ? pread(fd, holder, sizeof holder - 1, 0) : -1;

		close(fd);
		if (saved != EWOULDBLOCK) {
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
				    _("cannot lock %s: %s"), path, g_strerror(saved));
			return NULL;
		}
		if (n > 0)
			g_strstrip(holder);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_BUSY,
			    _("%s is held by another program (process %s)"), path,
			    n > 0 && holder[0] != '\0' ? holder : "?");
		return NULL;
	}
	pid = g_strdup_printf("%d\n", (gint)getpid());
	/* only a hint for the message above: the lock itself is the flock */
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, strlen(pid), 0) < 0)
		g_debug("cannot write the process id into %s: %s", path, g_strerror(errno));
	self = g_new0(NhipFileLock, 1);
	self->fd = fd;
	self->path = g_strdup(path);
	return self;
}

/**
 * nhip_file_lock_release:
 * @self: (nullable): a lock
 *
 * Lets the next holder take it.
 */
void
nhip_file_lock_release(NhipFileLock *self)
{
	if (self == NULL)
		return;
	/* emptied first, so a reader never names a process that let go */
	if (ftruncate(self->fd, 0) != 0)
		g_debug("cannot empty %s: %s", self->path, g_strerror(errno));
	flock(self->fd, LOCK_UN);
	close(self->fd);
	g_free(self->path);
	g_free(self);
}
