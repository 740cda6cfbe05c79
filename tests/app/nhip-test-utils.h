/*
 * Nhịp — helpers shared by the station-core tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
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

/**
 * NhipTestRun:
 * @status: the exit status
 * @out: what the program wrote to standard output
 * @err: what it wrote to standard error
 */
typedef struct {
	gint status;
	gchar *out;
	gchar *err;
} NhipTestRun;

void nhip_test_run_clear(NhipTestRun *run);
NhipTestRun nhip_test_run(const gchar *program, ...) G_GNUC_NULL_TERMINATED;
NhipTestRun nhip_test_run_valist(const gchar *program, const gchar *first, va_list ap);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NhipTestRun, nhip_test_run_clear)

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
