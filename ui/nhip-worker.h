/*
 * Nhịp — the kiosk's database writer: one thread with its own store connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "nhip-store.h"

G_BEGIN_DECLS

/**
 * NhipWorkerFunc:
 * @store: the worker's own store connection, with the job's actor set
 * @data: the job's data
 * @error: return location for a #GError
 *
 * A job, run in the worker thread.
 *
 * Returns: (transfer full) (nullable): the result; %NULL with @error set on failure. A job
 * with nothing to return returns GINT_TO_POINTER(TRUE).
 */
typedef gpointer (*NhipWorkerFunc)(NhipStore *store, gpointer data, GError **error);

#define NHIP_TYPE_WORKER (nhip_worker_get_type())
G_DECLARE_FINAL_TYPE(NhipWorker, nhip_worker, NHIP, WORKER, GObject)

NhipWorker *nhip_worker_new(const gchar *db_path);
void nhip_worker_run_async(NhipWorker *self,
			   gint64 actor_id,
			   NhipWorkerFunc func,
			   gpointer data,
			   GDestroyNotify data_free,
			   GDestroyNotify result_free,
			   GCancellable *cancellable,
			   GAsyncReadyCallback callback,
			   gpointer user_data);
gpointer nhip_worker_run_finish(NhipWorker *self, GAsyncResult *result, GError **error);
guint nhip_worker_get_pending(NhipWorker *self);
void nhip_worker_flush(NhipWorker *self);

G_END_DECLS
