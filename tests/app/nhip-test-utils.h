/*
 * Nhịp — helpers shared by the station-core tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

gchar *nhip_test_db_digest(const gchar *path);
gchar *nhip_test_tmpdir(void);
void nhip_test_rmrf(const gchar *path);
void nhip_test_sql(const gchar *path, const gchar *sql);
gint64 nhip_test_sql_int(const gchar *path, const gchar *sql);
gchar *nhip_test_sql_text(const gchar *path, const gchar *sql);

/**
 * NhipTestRun:
 * @status: the exit status
 * @out: standard output
 * @err: standard error
 *
 * What a program run by nhip_test_run() did.
 */
typedef struct {
	gint status;
	gchar *out;
	gchar *err;
} NhipTestRun;

void nhip_test_run_clear(NhipTestRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NhipTestRun, nhip_test_run_clear)
NhipTestRun nhip_test_runv(const gchar *const *argv);
NhipTestRun nhip_test_run(const gchar *program, ...) G_GNUC_NULL_TERMINATED;
void nhip_test_assert_one_line_error(const NhipTestRun *run, gint status);
guint16 nhip_test_free_port(void);
void nhip_test_run_communicate_cb(GObject *source, GAsyncResult *result, gpointer user_data);
const gchar *nhip_test_python3(void);
gboolean nhip_test_python_has(const gchar *module);
void nhip_test_add_vitals(GPtrArray *observations,
			  gint64 device_time,
			  gint64 manual_time,
			  gdouble temperature);

G_END_DECLS
