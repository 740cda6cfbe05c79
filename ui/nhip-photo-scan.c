/*
 * Nhịp — what the kiosk's photo picker may show and open (see nhip-photo-scan.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nhip-data-dir.h"
#include "nhip-photo-scan.h"
#include "nhip-station-identity.h"

G_DEFINE_QUARK(nhip - photo - scan - error - quark, nhip_photo_scan_error)

/* enough of a file's beginning to tell a JPEG from a PNG */
#define SCAN_MAGIC_BYTES 8

typedef struct {
	dev_t dev;
	ino_t ino;
} ScanId;

struct _NhipPhotoScope {
	GPtrArray *roots;     /* NhipPhotoEntry, resolved */
	GPtrArray *data_dirs; /* gchar *, resolved */
	GArray *data_ids;     /* ScanId of the data folders and the database's files */
};

void
nhip_photo_entry_free(NhipPhotoEntry *self)
{
	if (self == NULL)
		return;
	g_free(self->path);
	g_free(self->name);
	g_clear_error(&self->error);
	g_free(self);
}

static gboolean
scan_is_inside(const gchar *path, const gchar *dir)
{
	gsize len = strlen(dir);

	if (g_strcmp0(dir, "/") == 0 || g_strcmp0(path, dir) == 0)
		return TRUE;
	return strncmp(path, dir, len) == 0 && path[len] == '/';
}

static gboolean
scan_is_data(NhipPhotoScope *self, const gchar *real, const struct stat *st)
{
	for (guint i = 0; i < self->data_dirs->len; i++) {
		if (scan_is_inside(real, g_ptr_array_index(self->data_dirs, i)))
			return TRUE;
	}
	/* a bind mount of a data folder, a hard link of the database */
	for (guint i = 0; i < self->data_ids->len; i++) {
		const ScanId *id = &g_array_index(self->data_ids, ScanId, i);
		if (id->dev == st->st_dev && id->ino == st->st_ino)
			return TRUE;
	}
	return FALSE;
}

static gboolean
scan_is_in_roots(NhipPhotoScope *self, const gchar *real)
{
	for (guint i = 0; i < self->roots->len; i++) {
		const NhipPhotoEntry *root = g_ptr_array_index(self->roots, i);
		if (scan_is_inside(real, root->path))
			return TRUE;
	}
	return FALSE;
}

/* the resolved path of @path when the picker may show it, with its stat(); stat() opens
 * nothing, so it is safe on anything */
static gchar *
scan_resolve(NhipPhotoScope *self, const gchar *path, struct stat *st)
{
	g_autofree gchar *real = NULL;

	if (stat(path, st) != 0)
		return NULL;
	real = realpath(path, NULL);
	if (real == NULL || !scan_is_in_roots(self, real) || scan_is_data(self, real, st))
		return NULL;
	return g_steal_pointer(&real);
}

static gboolean
scan_has_photo_name(const gchar *name)
{
	const gchar *dot = strrchr(name, '.');

	return dot != NULL && dot != name &&
	       (g_ascii_strcasecmp(dot, ".jpg") == 0 || g_ascii_strcasecmp(dot, ".jpeg") == 0 ||
		g_ascii_strcasecmp(dot, ".png") == 0);
}

static void
scan_set_unreadable(GError **error, const gchar *real, gint saved_errno)
{
	g_autofree gchar *name = g_filename_display_basename(real);
	g_set_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_UNREADABLE,
		    _("The photo “%s” cannot be read (%s). Take the USB stick out, put it back "
		      "in and try again, or copy the photo into Pictures."),
		    name, g_strerror(saved_errno));
}

static void
scan_set_too_large(GError **error, const gchar *real)
{
	g_autofree gchar *name = g_filename_display_basename(real);
	g_set_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_TOO_LARGE,
		    _("The photo “%s” is larger than 40 MB. Take the photo again with a smaller "
		      "picture size on the camera or phone."),
		    name);
}

/* opens a file already checked by scan_resolve(): without blocking (a FIFO that slipped
 * in), without following a link put in its place, and only if it is still that file */
static gint
scan_open(const gchar *real, const struct stat *expected, GError **error)
{
	struct stat st;
	gint fd = open(real, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		scan_set_unreadable(error, real, errno);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != expected->st_dev ||
	    st.st_ino != expected->st_ino) {
		close(fd);
		scan_set_unreadable(error, real, EAGAIN);
		return -1;
	}
	return fd;
}

/* reads up to @max bytes; FALSE with errno set on a read error */
static gboolean
scan_read_fd(gint fd, guint8 *buffer, gsize max, gsize *len)
{
	*len = 0;
	while (*len < max) {
		gssize n = read(fd, buffer + *len, max - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return FALSE;
		if (n == 0)
			break;
		*len += (gsize)n;
	}
	return TRUE;
}

static NhipPhotoEntry *
scan_root_entry(const gchar *path, const gchar *name)
{
	NhipPhotoEntry *entry = g_new0(NhipPhotoEntry, 1);

	entry->path = g_strdup(path);
	entry->name = g_strdup(name);
	entry->is_dir = TRUE;
	return entry;
}

static void
scan_add_id(NhipPhotoScope *self, const gchar *path)
{
	struct stat st;

	if (stat(path, &st) == 0) {
		ScanId id = { st.st_dev, st.st_ino };
		g_array_append_val(self->data_ids, id);
	}
}

/**
 * nhip_photo_scope_new:
 * @roots: (array zero-terminated=1): the allowed folders; those that do not exist, are
 *   not folders or are inside a data folder are left out
 * @data_dirs: (array zero-terminated=1): the station's data folders, never shown
 * @data_files: (array zero-terminated=1) (nullable): the database's files (the database,
 *   its -wal, -shm and -journal), never opened even through a hard link
 *
 * Returns: (transfer full): the scope
 */
NhipPhotoScope *
nhip_photo_scope_new(const gchar *const *roots,
		     const gchar *const *data_dirs,
		     const gchar *const *data_files)
{
	NhipPhotoScope *self = g_atomic_rc_box_new0(NhipPhotoScope);

	self->roots = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_photo_entry_free);
	self->data_dirs = g_ptr_array_new_with_free_func(g_free);
	self->data_ids = g_array_new(FALSE, FALSE, sizeof(ScanId));

	for (guint i = 0; data_dirs != NULL && data_dirs[i] != NULL; i++) {
		gchar *real = realpath(data_dirs[i], NULL);
		/* a folder not made yet is kept as written: nothing can lead into it yet */
		g_ptr_array_add(self->data_dirs,
				real != NULL ? real : g_canonicalize_filename(data_dirs[i], NULL));
		scan_add_id(self, data_dirs[i]);
	}
	for (guint i = 0; data_files != NULL && data_files[i] != NULL; i++)
		scan_add_id(self, data_files[i]);
	for (guint i = 0; roots != NULL && roots[i] != NULL; i++) {
		g_autofree gchar *real = realpath(roots[i], NULL);
		g_autofree gchar *name = NULL;
		struct stat st;

		if (real == NULL || stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (scan_is_data(self, real, &st)) {
			g_message("photo folder %s is in the station's data: not shown", real);
			continue;
		}
		if (scan_is_in_roots(self, real))
			continue;
		name = g_filename_display_basename(real);
		g_ptr_array_add(self->roots, scan_root_entry(real, name));
	}
	return self;
}

/* each mount point among the folders of @dir (a USB stick under /media) */
static void
scan_add_mounts(GPtrArray *roots, const gchar *dir)
{
	g_autoptr(GDir) handle = g_dir_open(dir, 0, NULL);
	struct stat parent;
	const gchar *name;

	if (handle == NULL || stat(dir, &parent) != 0)
		return;
	while ((name = g_dir_read_name(handle)) != NULL) {
		g_autofree gchar *path = g_build_filename(dir, name, NULL);
		struct stat st;

		if (name[0] == '.' || lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (st.st_dev != parent.st_dev)
			g_ptr_array_add(roots, g_steal_pointer(&path));
	}
}

/**
 * nhip_photo_scope_new_for_station:
 * @db_path: the station's database
 * @roots: (array zero-terminated=1) (nullable): the allowed folders; %NULL for those of
 *   $NHIP_PHOTO_ROOTS, else the mounted removable media and Pictures
 *
 * The data folders are the database's folder, the identity folder and the configured data
 * folder.
 *
 * Returns: (transfer full): the scope
 */
NhipPhotoScope *
nhip_photo_scope_new_for_station(const gchar *db_path, const gchar *const *roots_given)
{
	g_autoptr(GPtrArray) roots = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	const gchar *env = g_getenv("NHIP_PHOTO_ROOTS");
	g_autofree gchar *pictures_real = NULL;
	NhipPhotoScope *self;

	if (roots_given != NULL) {
		for (guint i = 0; roots_given[i] != NULL; i++)
			g_ptr_array_add(roots, g_strdup(roots_given[i]));
	} else if (env != NULL && *env != '\0') {
		g_auto(GStrv) parts = g_strsplit(env, ":", -1);
		for (guint i = 0; parts[i] != NULL; i++) {
			if (g_path_is_absolute(parts[i]))
				g_ptr_array_add(roots, g_strdup(parts[i]));
		}
	} else {
		g_autofree gchar *user_media = g_build_filename("/media", g_get_user_name(), NULL);
		g_autofree gchar *run_media =
			g_build_filename("/run/media", g_get_user_name(), NULL);
		const gchar *pictures = g_get_user_special_dir(G_USER_DIRECTORY_PICTURES);

		scan_add_mounts(roots, "/media");
		scan_add_mounts(roots, user_media);
		scan_add_mounts(roots, run_media);
		if (pictures != NULL)
			g_ptr_array_add(roots, g_strdup(pictures));
		else
			g_ptr_array_add(roots,
					g_build_filename(g_get_home_dir(), "Pictures", NULL));
		pictures_real = realpath(g_ptr_array_index(roots, roots->len - 1), NULL);
	}
	g_ptr_array_add(roots, NULL);

	{
		g_autofree gchar *absolute = g_canonicalize_filename(db_path, NULL);
		g_ptr_array_add(dirs, g_path_get_dirname(absolute));
		g_ptr_array_add(dirs, nhip_station_identity_dir_for_db(absolute));
		g_ptr_array_add(dirs, nhip_data_dir_get(NULL));
		g_ptr_array_add(dirs, NULL);
		g_ptr_array_add(files, g_strdup(absolute));
		g_ptr_array_add(files, g_strconcat(absolute, "-wal", NULL));
		g_ptr_array_add(files, g_strconcat(absolute, "-shm", NULL));
		g_ptr_array_add(files, g_strconcat(absolute, "-journal", NULL));
		g_ptr_array_add(files, NULL);
	}
	self = nhip_photo_scope_new((const gchar *const *)roots->pdata,
				    (const gchar *const *)dirs->pdata,
				    (const gchar *const *)files->pdata);
	/* say what each root is: a USB stick by its label, Pictures by name */
	for (guint i = 0; pictures_real != NULL && i < self->roots->len; i++) {
		NhipPhotoEntry *root = g_ptr_array_index(self->roots, i);
		g_autofree gchar *label = g_steal_pointer(&root->name);

		if (g_strcmp0(root->path, pictures_real) == 0)
			root->name = g_strdup(_("Pictures"));
		else
			root->name = g_strdup_printf(_("USB stick “%s”"), label);
	}
	return self;
}

/**
 * nhip_photo_scope_ref:
 * @self: a scope
 *
 * Returns: (transfer full): @self
 */
NhipPhotoScope *
nhip_photo_scope_ref(NhipPhotoScope *self)
{
	return g_atomic_rc_box_acquire(self);
}

static void
scope_clear(NhipPhotoScope *self)
{
	g_ptr_array_unref(self->roots);
	g_ptr_array_unref(self->data_dirs);
	g_array_unref(self->data_ids);
}

void
nhip_photo_scope_unref(NhipPhotoScope *self)
{
	g_atomic_rc_box_release_full(self, (GDestroyNotify)scope_clear);
}

/**
 * nhip_photo_scope_get_roots:
 * @self: a scope
 *
 * Returns: (transfer none) (element-type NhipPhotoEntry): the allowed folders that exist
 */
GPtrArray *
nhip_photo_scope_get_roots(NhipPhotoScope *self)
{
	return self->roots;
}

/**
 * nhip_photo_scope_allows:
 * @self: a scope
 * @path: a file or folder
 *
 * Returns: %TRUE when @path exists, is inside a root and is nothing of the station's data
 */
gboolean
nhip_photo_scope_allows(NhipPhotoScope *self, const gchar *path)
{
	struct stat st;
	g_autofree gchar *real = scan_resolve(self, path, &st);

	return real != NULL;
}

/**
 * nhip_photo_scope_parent:
 * @self: a scope
 * @path: a folder shown
 *
 * Returns: (transfer full) (nullable): the folder above @path, or %NULL when @path is a
 *   root (above it is the list of roots) or is not allowed
 */
gchar *
nhip_photo_scope_parent(NhipPhotoScope *self, const gchar *path)
{
	struct stat st;
	g_autofree gchar *real = scan_resolve(self, path, &st);
	g_autofree gchar *parent = NULL;

	if (real == NULL)
		return NULL;
	for (guint i = 0; i < self->roots->len; i++) {
		const NhipPhotoEntry *root = g_ptr_array_index(self->roots, i);
		if (g_strcmp0(real, root->path) == 0)
			return NULL;
	}
	parent = g_path_get_dirname(real);
	return scan_resolve(self, parent, &st);
}

static gint
scan_compare(gconstpointer a, gconstpointer b)
{
	const NhipPhotoEntry *ea = *(NhipPhotoEntry *const *)a;
	const NhipPhotoEntry *eb = *(NhipPhotoEntry *const *)b;

	/* folders first, by name; then photos, newest first */
	if (ea->is_dir != eb->is_dir)
		return ea->is_dir ? -1 : 1;
	if (!ea->is_dir && ea->mtime != eb->mtime)
		return ea->mtime > eb->mtime ? -1 : 1;
	return g_utf8_collate(ea->name, eb->name);
}

/* a photo of the listing: checked by its first bytes only (decoding comes later, for its
 * thumbnail, off the listing) */
static NhipPhotoEntry *
scan_photo_entry(const gchar *real, const gchar *name, const struct stat *st)
{
	g_autoptr(NhipPhotoEntry) entry = g_new0(NhipPhotoEntry, 1);
	guint8 magic[SCAN_MAGIC_BYTES];
	gsize len = 0;

	entry->path = g_strdup(real);
	entry->name = g_filename_display_name(name);
	entry->mtime = st->st_mtime;
	entry->size = (guint64)st->st_size;
	if (st->st_size > NHIP_PHOTO_MAX_FILE_SIZE) {
		/* not opened: the name says photo, its size says it cannot be attached */
		scan_set_too_large(&entry->error, real);
	} else {
		gint fd = scan_open(real, st, &entry->error);
		if (fd >= 0) {
			gboolean ok = scan_read_fd(fd, magic, sizeof(magic), &len);
			gint saved_errno = errno;
			close(fd);
			if (!ok) {
				scan_set_unreadable(&entry->error, real, saved_errno);
			} else {
				entry->format = nhip_photo_sniff(magic, len);
				if (entry->format == NHIP_PHOTO_FORMAT_NONE)
					return NULL;
			}
		}
	}
	return g_steal_pointer(&entry);
}

/**
 * nhip_photo_scope_list:
 * @self: a scope
 * @dir: a folder inside a root
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * The folders and the photos in @dir: folders by name, then photos newest first. Hidden
 * files, other files, and anything of the station's data are left out; a photo that
 * cannot be read or is too large is listed with its @error.
 *
 * Returns: (transfer container) (element-type NhipPhotoEntry) (nullable): the entries
 */
GPtrArray *
nhip_photo_scope_list(NhipPhotoScope *self,
		      const gchar *dir,
		      GCancellable *cancellable,
		      GError **error)
{
	g_autoptr(GPtrArray) entries =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_photo_entry_free);
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GDir) handle = NULL;
	g_autofree gchar *real = NULL;
	const gchar *name;
	struct stat st;

	real = scan_resolve(self, dir, &st);
	if (real == NULL || !S_ISDIR(st.st_mode)) {
		g_autofree gchar *display = g_filename_display_name(dir);
		g_set_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_FORBIDDEN,
			    _("The folder %s cannot be shown: photos are taken only from a USB "
			      "stick or from Pictures."),
			    display);
		return NULL;
	}
	handle = g_dir_open(real, 0, &error_local);
	if (handle == NULL) {
		g_autofree gchar *display = g_filename_display_basename(real);
		g_set_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_UNREADABLE,
			    _("The folder “%s” cannot be read (%s). Take the USB stick out, put it "
			      "back in and try again."),
			    display, error_local->message);
		return NULL;
	}
	while ((name = g_dir_read_name(handle)) != NULL) {
		g_autofree gchar *child = NULL;
		g_autofree gchar *child_real = NULL;
		NhipPhotoEntry *entry;
		struct stat child_st;

		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return NULL;
		if (name[0] == '.')
			continue;
		child = g_build_filename(real, name, NULL);
		child_real = scan_resolve(self, child, &child_st);
		if (child_real == NULL)
			continue;
		if (S_ISDIR(child_st.st_mode)) {
			entry = g_new0(NhipPhotoEntry, 1);
			entry->path = g_steal_pointer(&child_real);
			entry->name = g_filename_display_name(name);
			entry->is_dir = TRUE;
			entry->mtime = child_st.st_mtime;
			g_ptr_array_add(entries, entry);
		} else if (S_ISREG(child_st.st_mode) && scan_has_photo_name(name)) {
			entry = scan_photo_entry(child_real, name, &child_st);
			if (entry != NULL)
				g_ptr_array_add(entries, entry);
		}
	}
	g_ptr_array_sort(entries, scan_compare);
	return g_steal_pointer(&entries);
}

/**
 * nhip_photo_scope_read:
 * @self: a scope
 * @path: a photo inside a root
 * @format: (out) (optional): its format
 * @error: return location for a #GError
 *
 * Reads a photo with the same checks as the listing.
 *
 * Returns: (transfer full) (nullable): the file's bytes
 */
GBytes *
nhip_photo_scope_read(NhipPhotoScope *self,
		      const gchar *path,
		      NhipPhotoFormat *format,
		      GError **error)
{
	g_autofree gchar *real = NULL;
	g_autofree guint8 *data = NULL;
	g_autofree gchar *name = NULL;
	struct stat st;
	gsize len = 0;
	gboolean ok;
	gint saved_errno;
	gint fd;

	real = scan_resolve(self, path, &st);
	name = g_filename_display_basename(path);
	if (real == NULL || !S_ISREG(st.st_mode) || !scan_has_photo_name(real)) {
		g_set_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_FORBIDDEN,
			    _("“%s” cannot be used: photos are taken only from a USB stick or from "
			      "Pictures."),
			    name);
		return NULL;
	}
	if (st.st_size > NHIP_PHOTO_MAX_FILE_SIZE) {
		scan_set_too_large(error, real);
		return NULL;
	}
	fd = scan_open(real, &st, error);
	if (fd < 0)
		return NULL;
	/* one byte more than allowed: a file that grew since it was listed is caught */
	data = g_malloc((gsize)st.st_size + 1);
	ok = scan_read_fd(fd, data, (gsize)st.st_size + 1, &len);
	saved_errno = errno;
	close(fd);
	if (!ok) {
		scan_set_unreadable(error, real, saved_errno);
		return NULL;
	}
	if (len > NHIP_PHOTO_MAX_FILE_SIZE) {
		scan_set_too_large(error, real);
		return NULL;
	}
	if (format != NULL)
		*format = nhip_photo_sniff(data, len);
	if (nhip_photo_sniff(data, len) == NHIP_PHOTO_FORMAT_NONE) {
		g_set_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_NOT_PHOTO,
			    _("“%s” is not a photo: its name ends in .jpg or .png, but it holds "
			      "something else. Choose another photo."),
			    name);
		return NULL;
	}
	return g_bytes_new_take(g_steal_pointer(&data), len);
}

/**
 * nhip_photo_scope_thumbnail:
 * @self: a scope
 * @path: a photo inside a root
 * @max_edge: the longest edge of the thumbnail (at least 16)
 * @error: return location for a #GError
 *
 * Decodes a photo at thumbnail size, upright; slow for a camera's photo: call it in a
 * thread.
 *
 * Returns: (transfer full) (nullable): the thumbnail; %NHIP_PHOTO_SCAN_ERROR_DAMAGED for a
 *   file that begins like a photo but cannot be decoded
 */
GdkPixbuf *
nhip_photo_scope_thumbnail(NhipPhotoScope *self, const gchar *path, guint max_edge, GError **error)
{
	g_autoptr(GBytes) bytes = nhip_photo_scope_read(self, path, NULL, error);
	g_autoptr(GError) error_local = NULL;
	GdkPixbuf *pixbuf;

	if (bytes == NULL)
		return NULL;
	pixbuf = nhip_photo_decode(bytes, max_edge, &error_local);
	if (pixbuf == NULL) {
		g_autofree gchar *name = g_filename_display_basename(path);
		g_set_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_DAMAGED,
			    _("The photo “%s” cannot be shown: the file is damaged or was not "
			      "copied completely (%s). Copy it again from the camera or phone, or "
			      "choose another photo."),
			    name, error_local->message);
		return NULL;
	}
	return pixbuf;
}
