/*
 * Nhịp — tests of what the kiosk's photo picker may show and open: the station's data
 * folder is never listed, entered or opened, whichever way a root leads to it; files that
 * are not photos are never opened; photos come newest first.
 *
 * Whether a file was opened is read from the kernel: inotify reports every open() of a
 * file in a watched folder (IN_OPEN), so the test watches the photo folder and the data
 * folder while the scope lists and reads, and checks what was opened.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include "nhip-photo-scan.h"

typedef struct {
	gchar *tmp;
	gchar *root;	/* the photo folder (a USB stick) */
	gchar *data;	/* the station's data folder, inside the root */
	gchar *db_path; /* data/station.db, a real SQLite database in WAL mode */
	sqlite3 *db;	/* held open with a lock, as the kiosk does */
	gint inotify_fd;
	gint root_watch;
	gint data_watch;
} Fixture;

static void
write_image(const gchar *path, const gchar *type, gint width, gint height, gint64 mtime)
{
	g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, width, height);
	g_autoptr(GError) error = NULL;
	struct utimbuf times = { (time_t)mtime, (time_t)mtime };

	gdk_pixbuf_fill(pixbuf, 0x3080c0ff);
	g_assert_true(gdk_pixbuf_save(pixbuf, path, type, &error, NULL));
	g_assert_no_error(error);
	g_assert_cmpint(utime(path, &times), ==, 0);
}

static void
write_file(const gchar *path, const gchar *text)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
}

static gchar *
in(const gchar *dir, const gchar *name)
{
	return g_build_filename(dir, name, NULL);
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dcim = NULL;
	g_autofree gchar *path = NULL;
	gchar *errmsg = NULL;

	f->tmp = g_dir_make_tmp("nhip-photo-scan-XXXXXX", &error);
	g_assert_no_error(error);
	f->root = in(f->tmp, "usb");
	f->data = in(f->root, "nhip-data");
	g_assert_cmpint(g_mkdir_with_parents(f->data, 0700), ==, 0);
	f->db_path = in(f->data, "station.db");
	g_assert_cmpint(sqlite3_open(f->db_path, &f->db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(f->db,
				     "PRAGMA journal_mode = WAL; CREATE TABLE visits (id INTEGER);"
				     "INSERT INTO visits VALUES (1);",
				     NULL, NULL, &errmsg),
			==, SQLITE_OK);
	sqlite3_free(errmsg);

	/* photos, with times one day apart */
	write_image((path = in(f->root, "old.jpg")), "jpeg", 640, 480, 1700000000);
	g_clear_pointer(&path, g_free);
	write_image((path = in(f->root, "new.PNG")), "png", 300, 200, 1700172800);
	g_clear_pointer(&path, g_free);
	write_image((path = in(f->root, "middle.jpeg")), "jpeg", 200, 300, 1700086400);
	g_clear_pointer(&path, g_free);
	dcim = in(f->root, "DCIM");
	g_assert_cmpint(g_mkdir(dcim, 0700), ==, 0);
	write_image((path = in(dcim, "IMG_0001.JPG")), "jpeg", 64, 64, 1700000000);
	g_clear_pointer(&path, g_free);
	/* a photo inside the data folder: never shown */
	write_image((path = in(f->data, "inside.jpg")), "jpeg", 32, 32, 1700000000);
	g_clear_pointer(&path, g_free);

	/* things that are not photos, or lead into the data folder */
	write_file((path = in(f->root, "notes.txt")), "not a photo");
	g_clear_pointer(&path, g_free);
	write_file((path = in(f->root, "fake.jpg")), "GIF89a, not a JPEG");
	g_clear_pointer(&path, g_free);
	write_file((path = in(f->root, ".hidden.jpg")), "\xff\xd8\xff hidden");
	g_clear_pointer(&path, g_free);
	g_assert_cmpint(mkfifo((path = in(f->root, "x.jpg")), 0600), ==, 0);
	g_clear_pointer(&path, g_free);
	g_assert_cmpint(symlink(f->data, (path = in(f->root, "shortcut"))), ==, 0);
	g_clear_pointer(&path, g_free);
	g_assert_cmpint(symlink(f->db_path, (path = in(f->root, "db-link.jpg"))), ==, 0);
	g_clear_pointer(&path, g_free);
	g_assert_cmpint(link(f->db_path, (path = in(f->root, "db-copy.jpg"))), ==, 0);
	g_clear_pointer(&path, g_free);
	{
		g_autofree gchar *inside = in(f->data, "inside.jpg");
		g_assert_cmpint(symlink(inside, (path = in(f->root, "inside-link.jpg"))), ==, 0);
		g_clear_pointer(&path, g_free);
	}
	/* a link out of the roots: not followed */
	g_assert_cmpint(symlink("/", (path = in(f->root, "everything"))), ==, 0);
	g_clear_pointer(&path, g_free);

	f->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	g_assert_cmpint(f->inotify_fd, >=, 0);
	f->root_watch = inotify_add_watch(f->inotify_fd, f->root, IN_OPEN);
	f->data_watch = inotify_add_watch(f->inotify_fd, f->data, IN_OPEN);
	g_assert_cmpint(f->root_watch, >=, 0);
	g_assert_cmpint(f->data_watch, >=, 0);
}

static void
remove_tree(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = in(path, name);
		if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			remove_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	sqlite3_close(f->db);
	close(f->inotify_fd);
	remove_tree(f->tmp);
	g_free(f->tmp);
	g_free(f->root);
	g_free(f->data);
	g_free(f->db_path);
}

/* the names opened in the root and in the data folder since the last call ("" for the
 * folder itself) */
static GPtrArray *
opened(Fixture *f, gboolean *data_opened)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	gchar buffer[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	gssize n;

	*data_opened = FALSE;
	while ((n = read(f->inotify_fd, buffer, sizeof(buffer))) > 0) {
		for (gchar *p = buffer; p < buffer + n;) {
			const struct inotify_event *event = (const struct inotify_event *)p;
			const gchar *name = event->len > 0 ? event->name : "";
			if (event->wd == f->data_watch) {
				g_test_message("opened in the data folder: “%s”", name);
				*data_opened = TRUE;
			} else if (event->wd == f->root_watch)
				g_ptr_array_add(names, g_strdup(name));
			p += sizeof(struct inotify_event) + event->len;
		}
	}
	g_assert_cmpint(errno, ==, EAGAIN);
	return names;
}

/* whether another program, here Python's sqlite3, can take the database over: switching
 * it out of WAL mode needs every other process's lock gone, as closing it as the last user
 * and deleting its WAL does (`nhipctl backup --auto`, the sync service) */
static gboolean
another_process_takes_over(const gchar *db_path)
{
	const gchar *argv[] = { "/usr/bin/python3", "-c",
				"import sqlite3, sys\n"
				"c = sqlite3.connect(sys.argv[1], timeout=0)\n"
				"try:\n"
				"    print(c.execute('PRAGMA journal_mode=DELETE').fetchone()[0])\n"
				"except sqlite3.OperationalError as e:\n"
				"    print(e)\n",
				db_path, NULL };
	g_autofree gchar *out = NULL;
	g_autoptr(GError) error = NULL;
	gint status = 0;

	g_assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
				   NULL, &status, &error));
	g_assert_no_error(error);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	g_strstrip(out);
	g_assert_true(g_strcmp0(out, "delete") == 0 || g_strcmp0(out, "database is locked") == 0);
	return g_strcmp0(out, "delete") == 0;
}

static NhipPhotoScope *
scope_for(Fixture *f)
{
	const gchar *roots[] = { f->root, NULL };
	const gchar *dirs[] = { f->data, NULL };
	g_autofree gchar *wal = g_strconcat(f->db_path, "-wal", NULL);
	g_autofree gchar *shm = g_strconcat(f->db_path, "-shm", NULL);
	const gchar *files[] = { f->db_path, wal, shm, NULL };

	return nhip_photo_scope_new(roots, dirs, files);
}

static void
test_sniff(void)
{
	static const guint8 jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F' };
	static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	static const guint8 gif[] = { 'G', 'I', 'F', '8', '9', 'a', 0, 0 };
	static const guint8 sqlite[] = "SQLite format 3";

	g_assert_cmpint(nhip_photo_sniff(jpeg, sizeof(jpeg)), ==, NHIP_PHOTO_FORMAT_JPEG);
	g_assert_cmpint(nhip_photo_sniff(jpeg, 3), ==, NHIP_PHOTO_FORMAT_JPEG);
	g_assert_cmpint(nhip_photo_sniff(jpeg, 2), ==, NHIP_PHOTO_FORMAT_NONE);
	g_assert_cmpint(nhip_photo_sniff(png, sizeof(png)), ==, NHIP_PHOTO_FORMAT_PNG);
	g_assert_cmpint(nhip_photo_sniff(png, 7), ==, NHIP_PHOTO_FORMAT_NONE);
	g_assert_cmpint(nhip_photo_sniff(gif, sizeof(gif)), ==, NHIP_PHOTO_FORMAT_NONE);
	g_assert_cmpint(nhip_photo_sniff(sqlite, sizeof(sqlite)), ==, NHIP_PHOTO_FORMAT_NONE);
	g_assert_cmpint(nhip_photo_sniff(NULL, 0), ==, NHIP_PHOTO_FORMAT_NONE);
}

static void
test_roots(Fixture *f, gconstpointer data)
{
	g_autofree gchar *sub = in(f->data, "attachments");
	g_autofree gchar *shortcut = in(f->root, "shortcut");
	g_autofree gchar *dcim = in(f->root, "DCIM");
	g_autofree gchar *root_real = realpath(f->root, NULL);
	g_autofree gchar *dcim_real = realpath(dcim, NULL);
	g_autofree gchar *parent = NULL;
	const gchar *roots[] = { f->data, sub, shortcut, "/nonexistent/photos", f->root, NULL };
	const gchar *dirs[] = { f->data, NULL };
	g_autoptr(NhipPhotoScope) scope = NULL;
	GPtrArray *kept;

	g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
	scope = nhip_photo_scope_new(roots, dirs, NULL);
	/* the data folder, a folder in it and a link to it are refused as roots */
	kept = nhip_photo_scope_get_roots(scope);
	g_assert_cmpuint(kept->len, ==, 1);
	g_assert_cmpstr(((NhipPhotoEntry *)g_ptr_array_index(kept, 0))->path, ==, root_real);
	g_assert_cmpstr(((NhipPhotoEntry *)g_ptr_array_index(kept, 0))->name, ==, "usb");

	g_assert_true(nhip_photo_scope_allows(scope, f->root));
	g_assert_true(nhip_photo_scope_allows(scope, dcim));
	g_assert_false(nhip_photo_scope_allows(scope, f->data));
	g_assert_false(nhip_photo_scope_allows(scope, sub));
	g_assert_false(nhip_photo_scope_allows(scope, shortcut));
	g_assert_false(nhip_photo_scope_allows(scope, f->tmp));
	g_assert_false(nhip_photo_scope_allows(scope, "/"));
	/* "up" stops at the root */
	parent = nhip_photo_scope_parent(scope, dcim);
	g_assert_cmpstr(parent, ==, root_real);
	g_clear_pointer(&parent, g_free);
	parent = nhip_photo_scope_parent(scope, dcim_real);
	g_assert_cmpstr(parent, ==, root_real);
	g_assert_null(nhip_photo_scope_parent(scope, f->root));
	g_assert_null(nhip_photo_scope_parent(scope, f->data));
}

static const gchar *
entry_name(GPtrArray *entries, guint i)
{
	return ((NhipPhotoEntry *)g_ptr_array_index(entries, i))->name;
}

static void
test_list(Fixture *f, gconstpointer data)
{
	g_autoptr(NhipPhotoScope) scope = scope_for(f);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) entries = NULL;
	g_autoptr(GPtrArray) names = NULL;
	g_autofree gchar *dcim = in(f->root, "DCIM");
	gboolean data_opened = FALSE;

	entries = nhip_photo_scope_list(scope, f->root, NULL, &error);
	g_assert_no_error(error);
	/* the folder first, then the photos newest first; nothing else */
	g_assert_cmpuint(entries->len, ==, 4);
	g_assert_cmpstr(entry_name(entries, 0), ==, "DCIM");
	g_assert_true(((NhipPhotoEntry *)g_ptr_array_index(entries, 0))->is_dir);
	g_assert_cmpstr(entry_name(entries, 1), ==, "new.PNG");
	g_assert_cmpint(((NhipPhotoEntry *)g_ptr_array_index(entries, 1))->format, ==,
			NHIP_PHOTO_FORMAT_PNG);
	g_assert_cmpstr(entry_name(entries, 2), ==, "middle.jpeg");
	g_assert_cmpstr(entry_name(entries, 3), ==, "old.jpg");
	g_assert_cmpint(((NhipPhotoEntry *)g_ptr_array_index(entries, 3))->format, ==,
			NHIP_PHOTO_FORMAT_JPEG);
	g_assert_cmpint(((NhipPhotoEntry *)g_ptr_array_index(entries, 3))->mtime, ==, 1700000000);
	for (guint i = 0; i < entries->len; i++)
		g_assert_null(((NhipPhotoEntry *)g_ptr_array_index(entries, i))->error);

	/* what was opened: the root itself (to list it) and the three photos, for their
	 * first bytes, and fake.jpg, whose first bytes say it is no photo. Never the data
	 * folder, the database (through a link or a hard link), the FIFO or the text file */
	names = opened(f, &data_opened);
	g_assert_false(data_opened);
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		if (!g_strv_contains((const gchar *const[]){ "", "new.PNG", "middle.jpeg",
							     "old.jpg", "fake.jpg", NULL },
				     name))
			g_error("the listing opened “%s”", name);
	}
	g_assert_true(g_ptr_array_find_with_equal_func(names, "old.jpg", g_str_equal, NULL));

	/* the data folder cannot be listed, neither by its name nor through the link */
	g_clear_pointer(&entries, g_ptr_array_unref);
	entries = nhip_photo_scope_list(scope, f->data, NULL, &error);
	g_assert_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_FORBIDDEN);
	g_assert_null(entries);
	g_clear_error(&error);
	{
		g_autofree gchar *shortcut = in(f->root, "shortcut");
		entries = nhip_photo_scope_list(scope, shortcut, NULL, &error);
		g_assert_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_FORBIDDEN);
		g_assert_null(entries);
		g_clear_error(&error);
	}
	g_clear_pointer(&names, g_ptr_array_unref);
	names = opened(f, &data_opened);
	g_assert_false(data_opened);
	/* the kiosk's locks are still held (the probe opens the database in its own process) */
	g_assert_false(another_process_takes_over(f->db_path));

	/* a sub-folder */
	entries = nhip_photo_scope_list(scope, dcim, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(entries->len, ==, 1);
	g_assert_cmpstr(entry_name(entries, 0), ==, "IMG_0001.JPG");
}

static void
test_read(Fixture *f, gconstpointer data)
{
	g_autoptr(NhipPhotoScope) scope = scope_for(f);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) names = NULL;
	gboolean data_opened = FALSE;
	const gchar *refused[] = { "db-link.jpg", "db-copy.jpg", "inside-link.jpg", "x.jpg",
				   "notes.txt" };

	/* nothing of the data folder, no FIFO, no other file is opened when asked for */
	for (guint i = 0; i < G_N_ELEMENTS(refused); i++) {
		g_autofree gchar *path = in(f->root, refused[i]);
		g_autoptr(GBytes) bytes = nhip_photo_scope_read(scope, path, NULL, &error);
		g_autoptr(GdkPixbuf) thumb = NULL;
		g_assert_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_FORBIDDEN);
		g_assert_null(bytes);
		g_clear_error(&error);
		thumb = nhip_photo_scope_thumbnail(scope, path, 96, &error);
		g_assert_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_FORBIDDEN);
		g_assert_null(thumb);
		g_clear_error(&error);
	}
	{
		g_autoptr(GBytes) bytes = nhip_photo_scope_read(scope, f->db_path, NULL, &error);
		g_assert_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_FORBIDDEN);
		g_assert_null(bytes);
		g_clear_error(&error);
	}
	names = opened(f, &data_opened);
	g_assert_false(data_opened);
	g_assert_cmpuint(names->len, ==, 0);

	/* a photo: its thumbnail, upright and within the size */
	{
		g_autofree gchar *path = in(f->root, "old.jpg");
		NhipPhotoFormat format = NHIP_PHOTO_FORMAT_NONE;
		g_autoptr(GBytes) bytes = nhip_photo_scope_read(scope, path, &format, &error);
		g_autoptr(GdkPixbuf) thumb = nhip_photo_scope_thumbnail(scope, path, 96, &error);
		g_assert_no_error(error);
		g_assert_nonnull(bytes);
		g_assert_cmpint(format, ==, NHIP_PHOTO_FORMAT_JPEG);
		g_assert_cmpint(gdk_pixbuf_get_width(thumb), ==, 96);
		g_assert_cmpint(gdk_pixbuf_get_height(thumb), ==, 72);
	}
	/* a file that is no photo despite its name */
	{
		g_autofree gchar *path = in(f->root, "fake.jpg");
		g_autoptr(GBytes) bytes = nhip_photo_scope_read(scope, path, NULL, &error);
		g_assert_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_NOT_PHOTO);
		g_assert_null(bytes);
		g_clear_error(&error);
	}
	/* the database still holds its lock */
	g_assert_false(another_process_takes_over(f->db_path));
}

/* the probe of the tests above sees what the issue describes: a descriptor of the
 * database opened and closed anywhere in the process, and its locks are gone */
static void
test_lock_probe(Fixture *f, gconstpointer data)
{
	gint fd;

	g_assert_false(another_process_takes_over(f->db_path));
	fd = open(f->db_path, O_RDONLY | O_CLOEXEC);
	g_assert_cmpint(fd, >=, 0);
	close(fd);
	g_assert_true(another_process_takes_over(f->db_path));
}

static void
test_damaged(Fixture *f, gconstpointer data)
{
	g_autoptr(NhipPhotoScope) scope = scope_for(f);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = in(f->root, "broken.jpg");
	g_autoptr(GdkPixbuf) thumb = NULL;
	g_autoptr(GPtrArray) entries = NULL;

	/* the beginning of a JPEG and then nothing: a copy cut short */
	g_assert_true(g_file_set_contents(path, "\xff\xd8\xff\xe0\x00\x10JFIF\x00", 11, NULL));
	entries = nhip_photo_scope_list(scope, f->root, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(entries->len, ==, 5);
	thumb = nhip_photo_scope_thumbnail(scope, path, 96, &error);
	g_assert_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_DAMAGED);
	g_assert_null(thumb);
	/* which file, what happened, what to do */
	g_assert_nonnull(strstr(error->message, "broken.jpg"));
	g_assert_nonnull(strstr(error->message, "damaged"));
	g_assert_nonnull(strstr(error->message, "Copy it again"));
}

static void
test_unreadable(Fixture *f, gconstpointer data)
{
	g_autoptr(NhipPhotoScope) scope = scope_for(f);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *secret = in(f->root, "secret.jpg");
	g_autofree gchar *huge = in(f->root, "huge.jpg");
	g_autoptr(GPtrArray) entries = NULL;
	g_autoptr(GPtrArray) names = NULL;
	gboolean data_opened = FALSE;
	gint fd;

	write_image(secret, "jpeg", 16, 16, 1600000000);
	g_assert_cmpint(chmod(secret, 0), ==, 0);
	/* larger than a photo may be: listed with its reason, never opened */
	fd = open(huge, O_WRONLY | O_CREAT, 0600);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(ftruncate(fd, NHIP_PHOTO_MAX_FILE_SIZE + 1), ==, 0);
	close(fd);
	/* what writing them opened does not count */
	g_ptr_array_unref(opened(f, &data_opened));

	entries = nhip_photo_scope_list(scope, f->root, NULL, &error);
	g_assert_no_error(error);
	names = opened(f, &data_opened);
	g_assert_false(g_ptr_array_find_with_equal_func(names, "huge.jpg", g_str_equal, NULL));
	for (guint i = 0; i < entries->len; i++) {
		const NhipPhotoEntry *entry = g_ptr_array_index(entries, i);
		if (g_strcmp0(entry->name, "huge.jpg") == 0) {
			g_assert_error(entry->error, NHIP_PHOTO_SCAN_ERROR,
				       NHIP_PHOTO_SCAN_ERROR_TOO_LARGE);
			g_assert_nonnull(strstr(entry->error->message, "40 MB"));
		} else if (g_strcmp0(entry->name, "secret.jpg") == 0 && geteuid() != 0) {
			/* root reads it anyway */
			g_assert_error(entry->error, NHIP_PHOTO_SCAN_ERROR,
				       NHIP_PHOTO_SCAN_ERROR_UNREADABLE);
			g_assert_nonnull(strstr(entry->error->message, "secret.jpg"));
		}
	}
	g_assert_cmpstr(entry_name(entries, entries->len - 1), ==, "secret.jpg");
	g_assert_null(nhip_photo_scope_thumbnail(scope, huge, 96, &error));
	g_assert_error(error, NHIP_PHOTO_SCAN_ERROR, NHIP_PHOTO_SCAN_ERROR_TOO_LARGE);
}

static void
test_cancel(Fixture *f, gconstpointer data)
{
	g_autoptr(NhipPhotoScope) scope = scope_for(f);
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) entries = NULL;

	g_cancellable_cancel(cancellable);
	entries = nhip_photo_scope_list(scope, f->root, cancellable, &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_null(entries);
}

static void
test_station(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp("nhip-photo-station-XXXXXX", &error);
	g_autofree gchar *data = in(tmp, "data");
	g_autofree gchar *db = in(data, "station.db");
	g_autofree gchar *photos = in(tmp, "photos");
	g_autofree gchar *roots = g_strdup_printf("%s:%s:relative/ignored", tmp, photos);
	g_autoptr(NhipPhotoScope) scope = NULL;
	GPtrArray *kept;

	g_assert_cmpint(g_mkdir_with_parents(data, 0700), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(photos, 0700), ==, 0);
	write_file(db, "");
	g_setenv("NHIP_PHOTO_ROOTS", roots, TRUE);
	scope = nhip_photo_scope_new_for_station(db, NULL);
	g_unsetenv("NHIP_PHOTO_ROOTS");
	/* photos is inside the first root, so it is not a root of its own */
	kept = nhip_photo_scope_get_roots(scope);
	g_assert_cmpuint(kept->len, ==, 1);
	g_assert_true(nhip_photo_scope_allows(scope, photos));
	g_assert_false(nhip_photo_scope_allows(scope, data));
	g_assert_false(nhip_photo_scope_allows(scope, db));
	g_clear_pointer(&scope, nhip_photo_scope_unref);
	/* roots given replace the variable's; the data folder is refused all the same */
	g_setenv("NHIP_PHOTO_ROOTS", "/", TRUE);
	scope = nhip_photo_scope_new_for_station(db, (const gchar *const[]){ photos, data, NULL });
	g_unsetenv("NHIP_PHOTO_ROOTS");
	kept = nhip_photo_scope_get_roots(scope);
	g_assert_cmpuint(kept->len, ==, 1);
	g_assert_cmpstr(((NhipPhotoEntry *)g_ptr_array_index(kept, 0))->name, ==, "photos");
	g_unlink(db);
	g_rmdir(data);
	g_rmdir(photos);
	g_rmdir(tmp);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/photo-scan/sniff", test_sniff);
	g_test_add("/photo-scan/roots", Fixture, NULL, fixture_set_up, test_roots,
		   fixture_tear_down);
	g_test_add("/photo-scan/list", Fixture, NULL, fixture_set_up, test_list, fixture_tear_down);
	g_test_add("/photo-scan/read", Fixture, NULL, fixture_set_up, test_read, fixture_tear_down);
	g_test_add("/photo-scan/damaged", Fixture, NULL, fixture_set_up, test_damaged,
		   fixture_tear_down);
	g_test_add("/photo-scan/unreadable", Fixture, NULL, fixture_set_up, test_unreadable,
		   fixture_tear_down);
	g_test_add("/photo-scan/cancel", Fixture, NULL, fixture_set_up, test_cancel,
		   fixture_tear_down);
	g_test_add("/photo-scan/lock-probe", Fixture, NULL, fixture_set_up, test_lock_probe,
		   fixture_tear_down);
	g_test_add_func("/photo-scan/station", test_station);
	return g_test_run();
}
