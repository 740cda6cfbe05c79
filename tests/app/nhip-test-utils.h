/*
 * Nhịp — helpers shared by the station-core tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <stdarg.h>
#include <sqlite3.h>

#include "nhip-claim.h"
#include "nhip-store.h"

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
NhipTestRun nhip_test_run_valist(const gchar *program, const gchar *first, va_list ap);
void nhip_test_assert_one_line_error(const NhipTestRun *run, gint status);
void nhip_test_assert_ok(const NhipTestRun *run);
gchar *nhip_test_sqlite_dump(const gchar *path);
guint16 nhip_test_free_port(void);
void nhip_test_run_communicate_cb(GObject *source, GAsyncResult *result, gpointer user_data);
const gchar *nhip_test_python3(void);
gboolean nhip_test_python_has(const gchar *module);
gboolean nhip_test_fhir_check(const gchar *dir,
			      const gchar *text,
			      gboolean expect_ok,
			      const gchar *expect_problem);
void nhip_test_add_vitals(GPtrArray *observations,
			  gint64 device_time,
			  gint64 manual_time,
			  gdouble temperature);

/**
 * NhipTestStation:
 * @dir: a temporary folder
 * @path: the database in it
 * @store: the open store, with the facility 66181 "Trạm Y tế xã Tân Hòa"
 */
typedef struct {
	gchar *dir;
	gchar *path;
	NhipStore *store;
} NhipTestStation;

void nhip_test_station_open(NhipTestStation *station);
NhipVisitService *nhip_test_exam(gint64 visit_id, gint64 opened);
void nhip_test_station_close(NhipTestStation *station);

G_END_DECLS
