/*
 * Nhịp hub — what the storage files share: one statement run under the connection's lock,
 * reading its text cells, and a query's rows read into a list (nhip-hub-db.c,
 * nhip-hub-db-live.c, nhip-hub-db-web.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "nhip-hub-db.h"

G_BEGIN_DECLS

/* makes one record of a row; the record is freed with the list's free function */
typedef gpointer (*NhipHubRowReader)(NhipHubRows *rows, guint row);

NhipHubRows *nhip_hub_db_query(NhipHubDb *self,
			       const gchar *sql,
			       const gchar *const *params,
			       guint n,
			       GError **error) G_GNUC_WARN_UNUSED_RESULT;
guint nhip_hub_rows_count(NhipHubRows *rows);
const gchar *nhip_hub_rows_text(NhipHubRows *rows, guint row, guint col);
gint64 nhip_hub_rows_int(NhipHubRows *rows, guint row, guint col);
gchar *nhip_hub_rows_dup(NhipHubRows *rows, guint row, guint col) G_GNUC_WARN_UNUSED_RESULT;
gchar *nhip_hub_int_text(gint64 value) G_GNUC_WARN_UNUSED_RESULT;
GPtrArray *nhip_hub_db_query_list(NhipHubDb *self,
				  const gchar *sql,
				  const gchar *const *params,
				  guint n,
				  NhipHubRowReader reader,
				  GDestroyNotify free_func,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
