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

G_END_DECLS
