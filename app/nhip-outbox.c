/*
 * Nhịp — the outbox, on the `outbox` table of the station's database.
 *
 * Order: higher priority first, then the oldest. A sender takes the items due, marks each
 * `sending` (committed) before it goes out and `delivered` (committed) once the receiver
 * acknowledged it, so a crash in between leaves `sending`, which nhip_outbox_recover()
 * turns back into `queued`: at least once, never lost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <math.h>

#include "nhip-json.h"
#include "nhip-outbox.h"
#include "nhip-store-private.h"

#define OUTBOX_COLUMNS                                                                            \
	"id, kind, payload_ref, state, priority, attempts, next_try_at, last_error, created_at, " \
	"updated_at"

G_DEFINE_BOXED_TYPE(NhipOutboxItem, nhip_outbox_item, nhip_outbox_item_copy, nhip_outbox_item_free)

static const gchar *const outbox_states[] = {
	[NHIP_OUTBOX_STATE_QUEUED] = "queued",	     [NHIP_OUTBOX_STATE_SENDING] = "sending",
	[NHIP_OUTBOX_STATE_DELIVERED] = "delivered", [NHIP_OUTBOX_STATE_ANSWERED] = "answered",
	[NHIP_OUTBOX_STATE_FAILED] = "failed",
};

/**
 * nhip_outbox_state_to_string:
 * @state: a state
 *
 * Returns: (transfer none): its name in the database and in JSON: `queued`, `sending`,
 *   `delivered`, `answered` or `failed`
 */
const gchar *
nhip_outbox_state_to_string(NhipOutboxState state)
{
	if ((guint)state >= G_N_ELEMENTS(outbox_states))
		return NULL;
	return outbox_states[state];
}

static NhipOutboxState
outbox_state_from_string(const gchar *text)
{
	for (guint i = 0; i < G_N_ELEMENTS(outbox_states); i++) {
		if (g_strcmp0(outbox_states[i], text) == 0)
			return (NhipOutboxState)i;
	}
	/* the table's CHECK constraint allows nothing else */
	return NHIP_OUTBOX_STATE_QUEUED;
}

/**
 * nhip_outbox_item_copy:
 * @self: an item
 *
 * Returns: (transfer full): a deep copy
 */
NhipOutboxItem *
nhip_outbox_item_copy(const NhipOutboxItem *self)
{
	NhipOutboxItem *copy = g_new0(NhipOutboxItem, 1);

	*copy = *self;
	copy->kind = g_strdup(self->kind);
	copy->payload_ref = g_strdup(self->payload_ref);
	copy->last_error = g_strdup(self->last_error);
	return copy;
}

/**
 * nhip_outbox_item_free:
 * @self: (nullable): an item
 */
void
nhip_outbox_item_free(NhipOutboxItem *self)
{
	if (self == NULL)
		return;
	g_free(self->kind);
	g_free(self->payload_ref);
	g_free(self->last_error);
	g_free(self);
}

/**
 * nhip_outbox_item_to_json:
 * @self: an item
 * @builder: a builder where an object value may go
 *
 * Writes what a technician needs to follow the queue: id, kind, state, priority, attempts,
 * next try, last error and where the payload is. The payload itself (patient data) never
 * goes into the listing.
 */
void
nhip_outbox_item_to_json(const NhipOutboxItem *self, JsonBuilder *builder)
{
	json_builder_begin_object(builder);
	nhip_json_add_int(builder, "id", self->id);
	nhip_json_add_string(builder, "kind", self->kind);
	nhip_json_add_string(builder, "state", nhip_outbox_state_to_string(self->state));
	nhip_json_add_int(builder, "priority", self->priority);
	nhip_json_add_int(builder, "attempts", self->attempts);
	if (self->state == NHIP_OUTBOX_STATE_QUEUED || self->state == NHIP_OUTBOX_STATE_SENDING)
		nhip_json_add_time(builder, "next_try_at", self->next_try_at);
	else
		nhip_json_add_string(builder, "next_try_at", NULL);
	nhip_json_add_string(builder, "last_error", self->last_error);
	nhip_json_add_string(builder, "payload_ref", self->payload_ref);
	nhip_json_add_time(builder, "created_at", self->created_at);
	nhip_json_add_time(builder, "updated_at", self->updated_at);
	json_builder_end_object(builder);
}

/**
 * nhip_outbox_backoff:
 * @attempts: failed attempts so far, from 1
 * @jitter: a number in [0, 1], random in real use
 *
 * The pause before the next try: %NHIP_OUTBOX_BACKOFF_BASE seconds doubled with every
 * failed attempt, capped at %NHIP_OUTBOX_BACKOFF_MAX, of which the upper half is scaled
 * by @jitter so that many stations that lost the link together do not come back together.
 *
 * Returns: seconds, between half the nominal pause and the whole of it
 */
gint64
nhip_outbox_backoff(guint attempts, gdouble jitter)
{
	gint64 nominal = NHIP_OUTBOX_BACKOFF_BASE;

	for (guint i = 1; i < attempts && nominal < NHIP_OUTBOX_BACKOFF_MAX; i++)
		nominal *= 2;
	nominal = MIN(nominal, NHIP_OUTBOX_BACKOFF_MAX);
	jitter = CLAMP(jitter, 0.0, 1.0);
	return nominal / 2 + (gint64)llround(jitter * (gdouble)(nominal - nominal / 2));
}

static gpointer
outbox_item_from_row(NhipStmt *stmt)
{
	NhipOutboxItem *item = g_new0(NhipOutboxItem, 1);
	g_autofree gchar *state = NULL;

	item->id = sqlite3_column_int64(stmt, 0);
	item->kind = nhipi_column_text(stmt, 1);
	item->payload_ref = nhipi_column_text(stmt, 2);
	state = nhipi_column_text(stmt, 3);
	item->state = outbox_state_from_string(state);
	item->priority = sqlite3_column_int(stmt, 4);
	item->attempts = (guint)MAX(sqlite3_column_int(stmt, 5), 0);
	item->next_try_at = sqlite3_column_int64(stmt, 6);
	item->last_error = nhipi_column_text(stmt, 7);
	item->created_at = sqlite3_column_int64(stmt, 8);
	item->updated_at = sqlite3_column_int64(stmt, 9);
	return item;
}

/* runs a bound query and collects its rows */
static GPtrArray *
outbox_collect(NhipStore *store, NhipStmt *stmt, GError **error)
{
	return nhipi_store_rows(store, stmt, outbox_item_from_row,
				(GDestroyNotify)nhip_outbox_item_free, _("read the outbox"), error);
}

/**
 * nhip_outbox_enqueue:
 * @store: the store
 * @kind: what is to be sent, e.g. `hl7` or `case-packet`
 * @payload_ref: where the payload is (a file path or a record id)
 * @priority: higher goes first (urgent cases)
 * @error: return location for a #GError
 *
 * Queues an item, due at once.
 *
 * Returns: the outbox id, or 0 on error
 */
gint64
nhip_outbox_enqueue(NhipStore *store,
		    const gchar *kind,
		    const gchar *payload_ref,
		    gint priority,
		    GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	gint64 now;
	gint64 id;

	g_return_val_if_fail(NHIP_IS_STORE(store), 0);
	g_return_val_if_fail(kind != NULL && payload_ref != NULL, 0);
	g_return_val_if_fail(error == NULL || *error == NULL, 0);

	now = nhipi_store_now(store);
	txn = nhipi_store_txn_begin(store, error);
	if (txn == NULL)
		return 0;
	stmt = nhipi_store_prepare(store,
				   "INSERT INTO outbox (kind, payload_ref, priority, next_try_at, "
				   "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
				   error);
	if (stmt == NULL)
		return 0;
	nhipi_bind_text(stmt, 1, kind);
	nhipi_bind_text(stmt, 2, payload_ref);
	sqlite3_bind_int(stmt, 3, priority);
	sqlite3_bind_int64(stmt, 4, now);
	sqlite3_bind_int64(stmt, 5, now);
	sqlite3_bind_int64(stmt, 6, now);
	if (!nhipi_store_step_done(store, stmt, _("queue the item for sending"), error))
		return 0;
	id = sqlite3_last_insert_rowid(store->db);
	if (!nhipi_store_audit(store, "outbox.enqueue", kind, id, NULL, error))
		return 0;
	if (!nhipi_store_txn_commit(txn, error))
		return 0;
	return id;
}

/**
 * nhip_outbox_list_due:
 * @store: the store
 * @kind: (nullable): only items of this kind
 * @due_by: Unix time; items whose next try is later wait (%G_MAXINT64 takes all)
 * @limit: at most this many, 0 for no limit
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipOutboxItem) (nullable): the queued items due
 *   by @due_by in the order to send them: higher priority first, then the oldest
 */
GPtrArray *
nhip_outbox_list_due(NhipStore *store,
		     const gchar *kind,
		     gint64 due_by,
		     guint limit,
		     GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	stmt = nhipi_store_prepare(store,
				   "SELECT " OUTBOX_COLUMNS " FROM outbox "
				   "WHERE state = 'queued' AND next_try_at <= ?1 "
				   "AND (?2 IS NULL OR kind = ?2) "
				   "ORDER BY priority DESC, created_at, id LIMIT ?3",
				   error);
	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, due_by);
	nhipi_bind_text(stmt, 2, kind);
	sqlite3_bind_int64(stmt, 3, limit > 0 ? (gint64)limit : -1);
	return outbox_collect(store, stmt, error);
}

/**
 * nhip_outbox_next_due:
 * @store: the store
 * @kind: (nullable): only items of this kind
 * @due_by: Unix time; items whose next try is later wait
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the first item to send, or %NULL when nothing is
 *   due (without setting @error) or on error
 */
NhipOutboxItem *
nhip_outbox_next_due(NhipStore *store, const gchar *kind, gint64 due_by, GError **error)
{
	g_autoptr(GPtrArray) items = nhip_outbox_list_due(store, kind, due_by, 1, error);

	if (items == NULL || items->len == 0)
		return NULL;
	return g_ptr_array_steal_index(items, 0);
}

/**
 * nhip_outbox_list:
 * @store: the store
 * @kind: (nullable): only items of this kind
 * @with_done: include delivered and answered items
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipOutboxItem) (nullable): the items in queue
 *   order
 */
GPtrArray *
nhip_outbox_list(NhipStore *store, const gchar *kind, gboolean with_done, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	stmt = nhipi_store_prepare(store,
				   "SELECT " OUTBOX_COLUMNS " FROM outbox "
				   "WHERE (?1 IS NULL OR kind = ?1) "
				   "AND (?2 OR state IN ('queued', 'sending', 'failed')) "
				   "ORDER BY priority DESC, created_at, id",
				   error);
	if (stmt == NULL)
		return NULL;
	nhipi_bind_text(stmt, 1, kind);
	sqlite3_bind_int(stmt, 2, with_done ? 1 : 0);
	return outbox_collect(store, stmt, error);
}

/**
 * nhip_outbox_get:
 * @store: the store
 * @id: an outbox id
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the item, or %NULL with %NHIP_STORE_ERROR_NOT_FOUND
 */
NhipOutboxItem *
nhip_outbox_get(NhipStore *store, gint64 id, GError **error)
{
	g_autoptr(NhipStmt) stmt = NULL;
	gint rc;

	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	stmt = nhipi_store_prepare(store, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id = ?",
				   error);
	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
			    _("there is no outbox item %" PRId64), id);
		return NULL;
	}
	if (rc != SQLITE_ROW) {
		nhipi_store_set_error(store, rc, _("read the outbox"), error);
		return NULL;
	}
	return outbox_item_from_row(stmt);
}

/* changes one item in its own transaction: state, attempts added, next try (0 keeps it),
 * last error (%NULL keeps it); an audit row when @audit is given */
static gboolean
outbox_update(NhipStore *store,
	      gint64 id,
	      NhipOutboxState state,
	      gboolean count_attempt,
	      gint64 next_try_at,
	      const gchar *reason,
	      const gchar *audit,
	      GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	gint64 now = nhipi_store_now(store);

	txn = nhipi_store_txn_begin(store, error);
	if (txn == NULL)
		return FALSE;
	{
		g_autoptr(NhipStmt) stmt = nhipi_store_prepare(
			store,
			"UPDATE outbox SET state = ?1, attempts = attempts + ?2, "
			"next_try_at = CASE WHEN ?3 > 0 THEN ?3 ELSE next_try_at END, "
			"last_error = coalesce(?4, last_error), updated_at = ?5 WHERE id = ?6",
			error);
		if (stmt == NULL)
			return FALSE;
		nhipi_bind_text(stmt, 1, nhip_outbox_state_to_string(state));
		sqlite3_bind_int(stmt, 2, count_attempt ? 1 : 0);
		sqlite3_bind_int64(stmt, 3, next_try_at);
		nhipi_bind_text(stmt, 4, reason);
		sqlite3_bind_int64(stmt, 5, now);
		sqlite3_bind_int64(stmt, 6, id);
		if (!nhipi_store_step_done(store, stmt, _("update the outbox"), error))
			return FALSE;
		if (sqlite3_changes(store->db) == 0) {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
				    _("there is no outbox item %" PRId64), id);
			return FALSE;
		}
	}
	if (audit != NULL && !nhipi_store_audit(store, audit, "outbox", id, NULL, error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_outbox_mark_sending:
 * @store: the store
 * @id: an outbox id
 * @error: return location for a #GError
 *
 * Records, durably, that the item is about to go out. Call it before sending.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_outbox_mark_sending(NhipStore *store, gint64 id, GError **error)
{
	g_return_val_if_fail(NHIP_IS_STORE(store), FALSE);
	return outbox_update(store, id, NHIP_OUTBOX_STATE_SENDING, FALSE, 0, NULL, NULL, error);
}

/**
 * nhip_outbox_mark_delivered:
 * @store: the store
 * @id: an outbox id
 * @error: return location for a #GError
 *
 * Records that the receiver acknowledged the item. Remove the payload only after this
 * returns %TRUE.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_outbox_mark_delivered(NhipStore *store, gint64 id, GError **error)
{
	g_return_val_if_fail(NHIP_IS_STORE(store), FALSE);
	return outbox_update(store, id, NHIP_OUTBOX_STATE_DELIVERED, FALSE, 0, NULL,
			     "outbox.delivered", error);
}

/**
 * nhip_outbox_mark_attempt:
 * @store: the store
 * @id: an outbox id
 * @reason: why the attempt failed, for the technician (no patient data)
 * @next_try_at: (out) (optional): when it is due again
 * @error: return location for a #GError
 *
 * Records a failed attempt worth repeating: the item is queued again after a pause that
 * grows with its attempts (nhip_outbox_backoff() with a random jitter).
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_outbox_mark_attempt(NhipStore *store,
			 gint64 id,
			 const gchar *reason,
			 gint64 *next_try_at,
			 GError **error)
{
	g_autoptr(NhipOutboxItem) item = NULL;
	gint64 when;

	g_return_val_if_fail(NHIP_IS_STORE(store), FALSE);
	g_return_val_if_fail(reason != NULL, FALSE);

	item = nhip_outbox_get(store, id, error);
	if (item == NULL)
		return FALSE;
	when = nhipi_store_now(store) + nhip_outbox_backoff(item->attempts + 1, g_random_double());
	if (!outbox_update(store, id, NHIP_OUTBOX_STATE_QUEUED, TRUE, when, reason, NULL, error))
		return FALSE;
	if (next_try_at != NULL)
		*next_try_at = when;
	return TRUE;
}

/**
 * nhip_outbox_mark_failed:
 * @store: the store
 * @id: an outbox id
 * @reason: why the receiver refused it, for the technician
 * @error: return location for a #GError
 *
 * Records a refusal that sending again cannot fix: the item stays, failed, until a person
 * looks at it.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_outbox_mark_failed(NhipStore *store, gint64 id, const gchar *reason, GError **error)
{
	g_return_val_if_fail(NHIP_IS_STORE(store), FALSE);
	g_return_val_if_fail(reason != NULL, FALSE);
	return outbox_update(store, id, NHIP_OUTBOX_STATE_FAILED, TRUE, 0, reason, "outbox.failed",
			     error);
}

/**
 * nhip_outbox_postpone:
 * @store: the store
 * @kind: (nullable): only items of this kind
 * @until: Unix time
 * @error: return location for a #GError
 *
 * Holds back every queued item due before @until: when the way to the receiver is down,
 * nothing behind the item that failed may overtake it.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_outbox_postpone(NhipStore *store, const gchar *kind, gint64 until, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;

	g_return_val_if_fail(NHIP_IS_STORE(store), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	txn = nhipi_store_txn_begin(store, error);
	if (txn == NULL)
		return FALSE;
	stmt = nhipi_store_prepare(store,
				   "UPDATE outbox SET next_try_at = ?1, updated_at = ?2 "
				   "WHERE state = 'queued' AND next_try_at < ?1 "
				   "AND (?3 IS NULL OR kind = ?3)",
				   error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, until);
	sqlite3_bind_int64(stmt, 2, nhipi_store_now(store));
	nhipi_bind_text(stmt, 3, kind);
	if (!nhipi_store_step_done(store, stmt, _("update the outbox"), error))
		return FALSE;
	return nhipi_store_txn_commit(txn, error);
}

/**
 * nhip_outbox_recover:
 * @store: the store
 * @kind: (nullable): only items of this kind
 * @n_recovered: (out) (optional): how many items were recovered
 * @error: return location for a #GError
 *
 * Queues again, due at once, the items left `sending` by a sender that died before it
 * knew whether they arrived. The one sender of @kind calls this when it starts, while no
 * other sender of @kind runs; the receiver may then get such an item twice.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_outbox_recover(NhipStore *store, const gchar *kind, guint *n_recovered, GError **error)
{
	g_autoptr(NhipStoreTxn) txn = NULL;
	g_autoptr(NhipStmt) stmt = NULL;
	gint64 now;
	gint changes;

	g_return_val_if_fail(NHIP_IS_STORE(store), FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	now = nhipi_store_now(store);
	txn = nhipi_store_txn_begin(store, error);
	if (txn == NULL)
		return FALSE;
	stmt = nhipi_store_prepare(store,
				   "UPDATE outbox SET state = 'queued', "
				   "next_try_at = min(next_try_at, ?1), updated_at = ?1 "
				   "WHERE state = 'sending' AND (?2 IS NULL OR kind = ?2)",
				   error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, now);
	nhipi_bind_text(stmt, 2, kind);
	if (!nhipi_store_step_done(store, stmt, _("update the outbox"), error))
		return FALSE;
	changes = sqlite3_changes(store->db);
	if (changes > 0 && !nhipi_store_audit(store, "outbox.recover", kind, 0, NULL, error))
		return FALSE;
	if (!nhipi_store_txn_commit(txn, error))
		return FALSE;
	if (n_recovered != NULL)
		*n_recovered = (guint)changes;
	return TRUE;
}
