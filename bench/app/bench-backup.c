/*
 * Nhịp — backup benchmark: the time and size of an encrypted, verified backup and of its
 * restore, for the demo database (1000 patients, about 2000 visits) and for a station with
 * 10 000 visits, each with 50 photo-sized attachments (200 kB each) beside it.
 *
 *   bench-backup [--dir DIR]
 *
 * Prints figures; it asserts nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "nhip-backup.h"
#include "nhip-demo.h"
#include "nhip-store.h"

static void
remove_tree(const gchar *path)
{
	nhip_backup_remove_tree(path);
}

static void
run(const gchar *base, const gchar *label, guint patients, gdouble visits, guint photos)
{
	g_autofree gchar *dir = g_build_filename(base, label, NULL);
	g_autofree gchar *db = g_build_filename(dir, "data", "station.db", NULL);
	g_autofree gchar *usb = g_build_filename(dir, "usb", NULL);
	g_autofree gchar *key = g_build_filename(dir, "backup.key", NULL);
	g_autofree gchar *cert = g_build_filename(dir, "backup.crt", NULL);
	g_autofree gchar *newbox = g_build_filename(dir, "newbox", "station.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipBackupResult) result = NULL;
	g_autoptr(NhipBackupManifest) restored = NULL;
	g_autoptr(NhipBackupManifest) verified = NULL;
	NhipStoreStats stats = { 0 };
	GStatBuf st;
	gint64 start;
	gdouble verify_s, restore_s;

	g_mkdir_with_parents(usb, 0700);
	{
		g_autoptr(NhipStore) store = nhip_store_open(db, &error);
		g_autoptr(NhipFacility) facility =
			nhip_facility_new("66181", "Trạm Y tế xã Tân Hòa");
		g_assert_no_error(error);
		g_assert_true(nhip_store_facility_set(store, facility, &error));
		g_assert_true(nhip_demo_fill(store, patients, visits, 20261122, &error));
		g_assert_true(nhip_store_get_stats(store, &stats, &error));
		for (guint i = 0; i < photos; i++) {
			g_autofree gchar *photo = g_build_filename(dir, "photo.jpg", NULL);
			g_autofree gchar *data = g_malloc(200 * 1024);
			g_autofree gchar *sha = NULL;
			for (gsize k = 0; k < 200 * 1024; k++)
				data[k] = (gchar)g_random_int();
			g_assert_true(g_file_set_contents(photo, data, 200 * 1024, NULL));
			sha = nhip_store_attachment_add(store, 1 + i % 50, photo, "image/jpeg",
							&error);
			if (sha == NULL) {
				g_clear_error(&error);
				continue;
			}
		}
	}
	g_assert_true(nhip_backup_keygen(key, cert, "bench", 30, &error));
	g_stat(db, &st);

	start = g_get_monotonic_time();
	result = nhip_backup_write(db, cert, usb, &error);
	g_assert_no_error(error);
	start = g_get_monotonic_time();
	verified = nhip_backup_verify(result->path, &error);
	g_assert_no_error(error);
	verify_s = (g_get_monotonic_time() - start) / 1e6;
	start = g_get_monotonic_time();
	restored = nhip_backup_restore(newbox, result->path, key, NULL, NHIP_RESTORE_NONE, &error);
	g_assert_no_error(error);
	restore_s = (g_get_monotonic_time() - start) / 1e6;

	g_print("%s: %" G_GINT64_FORMAT " patients, %" G_GINT64_FORMAT " visits, %" G_GINT64_FORMAT
		" observations, %u attachments; database %.1f MB\n",
		label, stats.patients, stats.visits, stats.observations,
		result->manifest->members->len - 1, st.st_size / 1e6);
	g_print("  backup (snapshot, encrypt, write, verify)  %6.2f s   %.1f MB\n", result->seconds,
		result->size / 1e6);
	g_print("  verify without the key                     %6.2f s\n", verify_s);
	g_print("  restore onto a new box                     %6.2f s\n", restore_s);
	remove_tree(dir);
}

int
main(int argc, char **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *base = NULL;
	GOptionEntry entries[] = { { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
				     "Where to make the test stations", "DIR" },
				   { NULL } };
	g_autoptr(GOptionContext) context = g_option_context_new("");

	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, NULL))
		return 2;
	base = dir != NULL ? g_strdup(dir) : g_dir_make_tmp("nhip-bench-backup-XXXXXX", NULL);
	run(base, "demo", 1000, 2.0, 0);
	run(base, "10k-visits", 5000, 2.0, 50);
	if (dir == NULL)
		g_rmdir(base);
	return 0;
}
