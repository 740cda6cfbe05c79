/*
 * Nhịp — internals shared by the files that make up NhipStore.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "nhip-store.h"

G_BEGIN_DECLS

struct _NhipStore {
	GObject parent_instance;
	sqlite3 *db;
	gchar *path;
	gchar *attachments_dir;
	gint64 actor_id;
	gint64 fixed_now; /* when not 0, the clock for new records (demo data) */
	guint txn_depth;
	GHashTable *statements; /* SQL text → prepared sqlite3_stmt, owned */
};

/* a statement borrowed from the store's cache: reset and unbound when released */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sqlite3_stmt, sqlite3_finalize)

/* a statement borrowed from the store's cache: reset and unbound when released */
typedef sqlite3_stmt NhipStmt;
void nhipi_stmt_release(NhipStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipStmt, nhipi_stmt_release)

/* a write transaction (BEGIN IMMEDIATE) that rolls back unless committed */
typedef struct {
	NhipStore *store;
	gboolean done;
	guint depth; /* 0: the outer transaction, else a savepoint inside one */
} NhipStoreTxn;
NhipStoreTxn *nhipi_store_txn_begin(NhipStore *self, GError **error);
gboolean nhipi_store_txn_commit(NhipStoreTxn *txn, GError **error);
void nhipi_store_txn_free(NhipStoreTxn *txn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NhipStoreTxn, nhipi_store_txn_free)

NhipStmt *nhipi_store_prepare(NhipStore *self, const gchar *sql, GError **error);
gboolean nhipi_store_exec(NhipStore *self, const gchar *sql, GError **error);
gboolean nhipi_store_step_done(NhipStore *self, NhipStmt *stmt, const gchar *what, GError **error);
void nhipi_store_set_error(NhipStore *self, gint rc, const gchar *what, GError **error);
gint64 nhipi_store_now(NhipStore *self);
void nhipi_store_set_clock(NhipStore *self, gint64 fixed_now);
gboolean nhipi_store_audit(NhipStore *self,
			   const gchar *action,
			   const gchar *entity,
			   gint64 entity_id,
			   const gchar *detail,
			   GError **error);
gboolean nhipi_store_count(NhipStore *self, const gchar *sql, gint64 *count, GError **error);
/* makes one record of the statement's current row */
typedef gpointer (*NhipRowReader)(NhipStmt *stmt);
GPtrArray *nhipi_store_rows(NhipStore *self,
			    NhipStmt *stmt,
			    NhipRowReader reader,
			    GDestroyNotify free_func,
			    const gchar *what,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* binding helpers: NULL strings bind as SQL NULL */
void nhipi_bind_text(NhipStmt *stmt, gint index, const gchar *value);
gchar *nhipi_column_text(NhipStmt *stmt, gint index);

/* opening at a chosen schema version: for migration tests only */
NhipStore *nhipi_store_open_at_version(const gchar *path, gint version, GError **error);

/* schema version 5 (nhip-store-packets.c) */
gboolean nhipi_store_migrate_packets(NhipStore *self, GError **error);
gboolean nhipi_store_migrate_replies(NhipStore *self, GError **error);
/* schema version 9 (nhip-store-live.c) */
gboolean nhipi_store_migrate_live(NhipStore *self, GError **error);
gboolean nhipi_store_migrate_reply_read(NhipStore *self, GError **error);

/* the search index (nhip-store-patients.c) */
gboolean
nhipi_store_search_index_patient(NhipStore *self, const NhipPatient *patient, GError **error);

G_END_DECLS
