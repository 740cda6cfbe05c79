/*
 * Nhịp — helpers shared by the station-core tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

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
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NhipTestRun, nhip_test_run_clear)

G_END_DECLS
