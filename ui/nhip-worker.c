/*
 * Nhịp — the kiosk's database writer: one thread with its own store connection.
 *
 * Every write goes through here, in order, so that a commit's fsync (and PIN hashing,
 * photo import, demo data, backups) never holds up a frame. Jobs run one at a time in the
 * order they were queued; each result comes back on the main context of the caller, as a
 * GTask. The main thread keeps its own read connection: SQLite in WAL mode lets it read
 * the last committed state while the worker writes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nhip-worker.h"

struct _NhipWorker {
	GObject parent_instance;
	gchar *db_path;
	GThreadPool *pool;
	NhipStore *store; /* used only in the pool's thread */
	gint pending;	  /* jobs queued or running */
};

G_DEFINE_TYPE(NhipWorker, nhip_worker, G_TYPE_OBJECT)

typedef struct {
	gint64 actor_id;
	NhipWorkerFunc func;
	gpointer data;
	GDestroyNotify data_free;
	GDestroyNotify result_free;
} WorkerJob;

static void
worker_job_free(WorkerJob *job)
{
	if (job->data_free != NULL && job->data != NULL)
		job->data_free(job->data);
	g_free(job);
}

/* after the job's result is queued for its callback */
static void
worker_job_done(NhipWorker *self)
{
	g_atomic_int_add(&self->pending, -1);
	g_main_context_wakeup(NULL);
}

static void
worker_thread(gpointer task_ptr, gpointer user_data)
{
	g_autoptr(GTask) task = task_ptr;
	NhipWorker *self = user_data;
	WorkerJob *job = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	gpointer result;

	if (g_task_return_error_if_cancelled(task)) {
		worker_job_done(self);
		return;
	}
	if (self->store == NULL) {
		self->store = nhip_store_open(self->db_path, &error);
		if (self->store == NULL) {
			g_task_return_error(task, g_steal_pointer(&error));
			worker_job_done(self);
			return;
		}
	}
	nhip_store_set_actor(self->store, job->actor_id);
	result = job->func(self->store, job->data, &error);
	nhip_store_set_actor(self->store, 0);
	if (result == NULL)
		g_task_return_error(task, g_steal_pointer(&error));
	else
		g_task_return_pointer(task, result, job->result_free);
	worker_job_done(self);
}

static void
nhip_worker_finalize(GObject *object)
{
	NhipWorker *self = NHIP_WORKER(object);

	/* let queued jobs finish: each one is a write the user was told about */
	g_thread_pool_free(self->pool, FALSE, TRUE);
	g_clear_object(&self->store);
	g_free(self->db_path);
	G_OBJECT_CLASS(nhip_worker_parent_class)->finalize(object);
}

static void
nhip_worker_class_init(NhipWorkerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = nhip_worker_finalize;
}

static void
nhip_worker_init(NhipWorker *self)
{
	/* one thread: jobs run in order and SQLite sees a single writer */
	self->pool = g_thread_pool_new(worker_thread, self, 1, FALSE, NULL);
}

/**
 * nhip_worker_new:
 * @db_path: the station database; opened in the worker thread by the first job
 *
 * Returns: (transfer full): the worker
 */
NhipWorker *
nhip_worker_new(const gchar *db_path)
{
	NhipWorker *self = g_object_new(NHIP_TYPE_WORKER, NULL);
	self->db_path = g_strdup(db_path);
	return self;
}

/**
 * nhip_worker_run_async:
 * @self: the worker
 * @actor_id: the staff member the job acts for (the audit log's actor), 0 for the system
 * @func: the job
 * @data: (nullable): its data, owned by the job
 * @data_free: (nullable): frees @data after the job
 * @result_free: (nullable): frees a result nobody collects
 * @cancellable: (nullable): cancels the job if it has not started
 * @callback: called on the caller's main context when the job is done
 * @user_data: for @callback
 *
 * Queues a job behind the others.
 */
void
nhip_worker_run_async(NhipWorker *self,
		      gint64 actor_id,
		      NhipWorkerFunc func,
		      gpointer data,
		      GDestroyNotify data_free,
		      GDestroyNotify result_free,
		      GCancellable *cancellable,
		      GAsyncReadyCallback callback,
		      gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	WorkerJob *job = g_new0(WorkerJob, 1);

	job->actor_id = actor_id;
	job->func = func;
	job->data = data;
	job->data_free = data_free;
	job->result_free = result_free;
	g_task_set_source_tag(task, nhip_worker_run_async);
	g_task_set_task_data(task, job, (GDestroyNotify)worker_job_free);
	g_atomic_int_inc(&self->pending);
	g_thread_pool_push(self->pool, task, NULL);
}

/**
 * nhip_worker_run_finish:
 * @self: the worker
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the job's result
 */
gpointer
nhip_worker_run_finish(NhipWorker *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/**
 * nhip_worker_get_pending:
 * @self: the worker
 *
 * Returns: jobs queued or running
 */
guint
nhip_worker_get_pending(NhipWorker *self)
{
	return (guint)g_atomic_int_get(&self->pending);
}

/**
 * nhip_worker_flush:
 * @self: the worker
 *
 * Iterates the default main context until every queued job has run and its callback has
 * been called; used when the program is about to quit.
 */
void
nhip_worker_flush(NhipWorker *self)
{
	while (g_atomic_int_get(&self->pending) > 0)
		g_main_context_iteration(NULL, TRUE);
	while (g_main_context_pending(NULL))
		g_main_context_iteration(NULL, FALSE);
}
