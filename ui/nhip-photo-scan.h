/*
 * Nhịp — what the kiosk's photo picker may show and open: JPEG and PNG files under the
 * allowed folders only, never anything of the station's data.
 *
 * The allowed folders ("roots") are the mounted removable media (each mount below /media,
 * /media/$USER and /run/media/$USER) and the user's Pictures folder; the environment
 * variable NHIP_PHOTO_ROOTS (absolute folders separated by ':') replaces them, for tests
 * and for a station that keeps its photos elsewhere.
 *
 * Why: closing any file descriptor of the station's SQLite database drops every POSIX lock
 * the process holds on it, so another program may then delete the WAL under the kiosk and
 * saved visits are lost. So the station's data folders (the database's folder, the
 * identity folder, the configured data folder) are never listed, entered or opened, even
 * when a root holds them or is inside them, or a symbolic link, a hard link of the
 * database or a bind mount leads to them: paths are resolved with realpath() and compared,
 * and folders and database files are compared by device and inode too. A file is opened
 * only when its name ends in .jpg, .jpeg or .png, stat() says it is a regular file of at
 * most NHIP_PHOTO_MAX_FILE_SIZE bytes and it is none of the database's files; then its
 * first bytes decide whether it is a photo (never GIO's content-type sniffing).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "nhip-photo.h"

G_BEGIN_DECLS

#define NHIP_PHOTO_SCAN_ERROR (nhip_photo_scan_error_quark())

/**
 * NhipPhotoScanError:
 * @NHIP_PHOTO_SCAN_ERROR_FORBIDDEN: outside the allowed folders, or the station's data
 * @NHIP_PHOTO_SCAN_ERROR_UNREADABLE: the file or folder cannot be read
 * @NHIP_PHOTO_SCAN_ERROR_TOO_LARGE: the file is larger than NHIP_PHOTO_MAX_FILE_SIZE
 * @NHIP_PHOTO_SCAN_ERROR_DAMAGED: the file begins like a photo but cannot be decoded
 * @NHIP_PHOTO_SCAN_ERROR_NOT_PHOTO: the file is not a JPEG or PNG photo
 */
typedef enum {
	NHIP_PHOTO_SCAN_ERROR_FORBIDDEN,
	NHIP_PHOTO_SCAN_ERROR_UNREADABLE,
	NHIP_PHOTO_SCAN_ERROR_TOO_LARGE,
	NHIP_PHOTO_SCAN_ERROR_DAMAGED,
	NHIP_PHOTO_SCAN_ERROR_NOT_PHOTO,
} NhipPhotoScanError;

GQuark nhip_photo_scan_error_quark(void);

/**
 * NhipPhotoEntry:
 * @path: the resolved absolute path
 * @name: what to show: the file name, or for a root its description (UTF-8)
 * @is_dir: a folder
 * @format: for a photo, JPEG or PNG; %NHIP_PHOTO_FORMAT_NONE for a folder or a file that
 *   could not be read
 * @mtime: when it was last changed (Unix seconds)
 * @size: bytes
 * @error: (nullable): why the photo cannot be attached (unreadable, too large)
 */
typedef struct {
	gchar *path;
	gchar *name;
	gboolean is_dir;
	NhipPhotoFormat format;
	gint64 mtime;
	guint64 size;
	GError *error;
} NhipPhotoEntry;

void nhip_photo_entry_free(NhipPhotoEntry *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipPhotoEntry, nhip_photo_entry_free)

typedef struct _NhipPhotoScope NhipPhotoScope;

NhipPhotoScope *nhip_photo_scope_new(const gchar *const *roots,
				     const gchar *const *data_dirs,
				     const gchar *const *data_files) G_GNUC_WARN_UNUSED_RESULT;
NhipPhotoScope *nhip_photo_scope_new_for_station(const gchar *db_path, const gchar *const *roots)
	G_GNUC_WARN_UNUSED_RESULT;
NhipPhotoScope *nhip_photo_scope_ref(NhipPhotoScope *self);
void nhip_photo_scope_unref(NhipPhotoScope *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipPhotoScope, nhip_photo_scope_unref)

GPtrArray *nhip_photo_scope_get_roots(NhipPhotoScope *self);
gboolean nhip_photo_scope_allows(NhipPhotoScope *self, const gchar *path);
gchar *nhip_photo_scope_parent(NhipPhotoScope *self, const gchar *path) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_photo_scope_list(NhipPhotoScope *self,
				 const gchar *dir,
				 GCancellable *cancellable,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes *nhip_photo_scope_read(NhipPhotoScope *self,
			      const gchar *path,
			      NhipPhotoFormat *format,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
GdkPixbuf *nhip_photo_scope_thumbnail(NhipPhotoScope *self,
				      const gchar *path,
				      guint max_edge,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
